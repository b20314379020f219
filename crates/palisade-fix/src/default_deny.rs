//! `netpol/missing-default-deny-ingress` and `-egress`: a default-deny
//! NetworkPolicy for each namespace that has workloads and none.
//!
//! Where it goes: appended as a new document to the file holding the first
//! workload of the namespace (the file the finding points at), so that
//! whoever applies that file (`kubectl apply -f file`, a directory, or the
//! stream `fix --stdout` prints) applies the policy with its workloads, and
//! `--diff` shows it. A JSON file gets a JSON object appended (kubectl reads a
//! stream of JSON objects). One policy per namespace, named
//! `palisade-default-deny`, with `podSelector: {}` and the directions
//! reported (`Ingress`, `Egress`) in `policyTypes` and no rules: it denies
//! everything in those directions until other policies allow it. It names the
//! namespace only when the workload does; a workload without
//! `metadata.namespace` goes wherever it is applied, and so does the policy.

use std::collections::BTreeMap;
use std::sync::Arc;

use palisade_core::{Finding, Node, Object, Pos};

/// The policy's name.
pub const POLICY_NAME: &str = "palisade-default-deny";

pub const INGRESS_RULE: &str = "netpol/missing-default-deny-ingress";
pub const EGRESS_RULE: &str = "netpol/missing-default-deny-egress";

/// One NetworkPolicy to append to a file.
#[derive(Clone, Debug, PartialEq)]
pub struct NewPolicy {
    /// The namespace it is for (as the finding names it).
    pub namespace: String,
    /// Whether to write `metadata.namespace` (the workload names its namespace).
    pub explicit_namespace: bool,
    /// `Ingress`, `Egress` or both, in that order.
    pub directions: Vec<&'static str>,
    /// The line of the workload the finding pointed at, for messages.
    pub at: Pos,
}

impl NewPolicy {
    /// The policy as data: what the file must read as once it is appended.
    pub fn json(&self) -> serde_json::Value {
        let mut metadata = serde_json::json!({ "name": POLICY_NAME });
        if self.explicit_namespace {
            metadata["namespace"] = self.namespace.clone().into();
        }
        serde_json::json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata,
            "spec": { "podSelector": {}, "policyTypes": self.directions },
        })
    }

    /// The rules this policy satisfies.
    pub fn rules(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.directions.iter().map(|d| {
            if *d == "Ingress" {
                INGRESS_RULE
            } else {
                EGRESS_RULE
            }
        })
    }

    pub fn node(&self) -> Node {
        Node::from_json(&self.json())
    }

    /// The text to append to a file whose content is `src`.
    pub fn render(&self, src: &str, json: bool, eol: &str) -> String {
        let mut out = String::new();
        if !src.is_empty() && !src.ends_with('\n') {
            out.push_str(eol);
        }
        if json {
            let pretty = serde_json::to_string_pretty(&self.json()).unwrap_or_default();
            out.push_str(&pretty.replace('\n', eol));
            out.push_str(eol);
            return out;
        }
        let mut lines = vec![
            "---".to_owned(),
            "apiVersion: networking.k8s.io/v1".to_owned(),
            "kind: NetworkPolicy".to_owned(),
            "metadata:".to_owned(),
            format!("  name: {POLICY_NAME}"),
        ];
        if self.explicit_namespace {
            lines.push(format!("  namespace: {}", yaml_string(&self.namespace)));
        }
        lines.extend([
            "spec:".to_owned(),
            "  podSelector: {}".to_owned(),
            "  policyTypes:".to_owned(),
        ]);
        lines.extend(self.directions.iter().map(|d| format!("  - {d}")));
        for line in lines {
            out.push_str(&line);
            out.push_str(eol);
        }
        out
    }
}

/// A namespace name as YAML: DNS labels are plain, anything else is quoted
/// as JSON (which YAML reads the same).
fn yaml_string(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && !matches!(
            name,
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain {
        name.to_owned()
    } else {
        serde_json::Value::from(name).to_string()
    }
}

/// The policies to write, by file, from the run's default-deny findings
/// (`files`: each file's name and objects). A namespace that already holds an
/// object named [`POLICY_NAME`] of kind NetworkPolicy gets nothing and a note:
/// that policy was changed by hand.
pub fn plan(
    findings: &[&Finding],
    files: &[(Arc<str>, &[Object])],
    notes: &mut Vec<String>,
) -> BTreeMap<Arc<str>, Vec<NewPolicy>> {
    let mut by_namespace: BTreeMap<String, (Arc<str>, NewPolicy)> = BTreeMap::new();
    for finding in findings {
        let direction = match finding.rule.as_str() {
            INGRESS_RULE => "Ingress",
            EGRESS_RULE => "Egress",
            _ => continue,
        };
        let (Some(location), Some(namespace)) = (&finding.location, &finding.object) else {
            continue;
        };
        let Some((file, objects)) = files.iter().find(|(f, _)| **f == *location.file) else {
            continue;
        };
        let at = Pos::new(location.line, location.column);
        let workload = objects.iter().rev().find(|o| o.source().pos <= at);
        let entry = by_namespace
            .entry(namespace.name.to_string())
            .or_insert_with(|| {
                (
                    file.clone(),
                    NewPolicy {
                        namespace: namespace.name.to_string(),
                        explicit_namespace: workload.is_some_and(|w| w.namespace().is_some()),
                        directions: Vec::new(),
                        at,
                    },
                )
            });
        if !entry.1.directions.contains(&direction) {
            entry.1.directions.push(direction);
            entry.1.directions.sort_by_key(|d| *d != "Ingress");
        }
    }
    let mut out: BTreeMap<Arc<str>, Vec<NewPolicy>> = BTreeMap::new();
    for (namespace, (file, policy)) in by_namespace {
        let taken = files
            .iter()
            .flat_map(|(_, objects)| objects.iter())
            .any(|o| {
                o.kind() == "NetworkPolicy"
                    && o.name() == POLICY_NAME
                    && o.namespace().unwrap_or("default") == namespace
            });
        if taken {
            notes.push(format!(
                "{file}:{}: namespace {namespace:?} already has a NetworkPolicy named {POLICY_NAME} that is not a default deny; fix it by hand",
                policy.at.line
            ));
            continue;
        }
        out.entry(file).or_default().push(policy);
    }
    out
}
