//! `hygiene/selector-mismatch`: controllers whose selector does not select
//! the pods their own template creates.

use std::collections::BTreeMap;

use palisade_core::{
    Finding, LabelSelector, Node, Object, Operator, Requirement, Rule, Severity, string_entries,
};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A Deployment, ReplicaSet, StatefulSet or DaemonSet, a
    /// ReplicationController, or a Job (or CronJob job template) with
    /// `manualSelector: true`, whose selector does not match the labels of its
    /// own pod template; and an `apps/v1` controller (or a manual-selector Job)
    /// with an empty selector (`selector: {}`), which the API server refuses.
    /// Jobs without `manualSelector` are skipped: Kubernetes generates their
    /// selector. A missing selector is left to schema validation: it is what
    /// kustomize patch files look like, and they are not whole objects.
    ///
    /// ## Why it matters
    /// The API server rejects such an object ("selector does not match
    /// template labels"), so the apply fails; with older API versions or
    /// overlapping selectors, a controller that cannot see its own pods keeps
    /// creating new ones or adopts another workload's.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: frontend}
    /// ```
    ///
    /// ## How to fix
    /// Make the template's labels satisfy the selector (usually: copy the
    /// selector's `matchLabels` into `template.metadata.labels`). Selectors of
    /// existing `apps/v1` objects are immutable, so changing one means
    /// recreating the object.
    id: "hygiene/selector-mismatch",
    title: "a controller's selector does not match its pod template's labels",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

/// Where a controller keeps its selector and its template, and how strict the
/// API server is about the selector.
struct Controller<'a> {
    /// The mapping holding `selector` and `template` (`spec`, or a CronJob's
    /// `spec.jobTemplate.spec`).
    spec: &'a Node,
    /// `selector` is a plain label map (ReplicationController), not a
    /// `LabelSelector`.
    plain_map: bool,
    /// The API server refuses an empty selector.
    required: bool,
}

fn controller(object: &Object) -> Option<Controller<'_>> {
    let spec = object.root().get("spec")?;
    let manual = |spec: &Node| spec.get("manualSelector").and_then(Node::as_bool) == Some(true);
    match (object.group(), object.kind()) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => Some(Controller {
            spec,
            plain_map: false,
            required: object.api_version() == "apps/v1",
        }),
        ("extensions", "Deployment" | "ReplicaSet" | "DaemonSet") => Some(Controller {
            spec,
            plain_map: false,
            required: false,
        }),
        ("", "ReplicationController") => Some(Controller {
            spec,
            plain_map: true,
            required: false,
        }),
        ("batch", "Job") if manual(spec) => Some(Controller {
            spec,
            plain_map: false,
            required: true,
        }),
        ("batch", "CronJob") => {
            let job = spec.path(&["jobTemplate", "spec"]).filter(|job| manual(job))?;
            Some(Controller {
                spec: job,
                plain_map: false,
                required: true,
            })
        }
        _ => None,
    }
}

/// A ReplicationController's `selector` map as the equivalent `matchLabels`.
fn plain_selector(node: &Node) -> LabelSelector {
    LabelSelector {
        requirements: string_entries(Some(node))
            .map(|(key, value)| Requirement {
                key: key.to_owned(),
                operator: Operator::In,
                values: vec![value.to_owned()],
            })
            .collect(),
    }
}

/// What is wrong with the selector, if anything.
fn problem(controller: &Controller, labels: &BTreeMap<String, String>) -> Option<String> {
    let node = controller.spec.get("selector").filter(|n| !n.is_null())?;
    let selector = if controller.plain_map {
        plain_selector(node)
    } else {
        match LabelSelector::parse(node) {
            Ok(selector) => selector,
            Err(error) => return Some(format!("has an invalid selector: {error}")),
        }
    };
    if selector.is_empty() {
        // An empty RC selector is defaulted from the template's labels.
        return controller.required.then(|| "has an empty selector, which selects every pod".to_owned());
    }
    if selector.matches(labels) {
        return None;
    }
    let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Some(format!(
        "has a selector that does not match its pod template's labels ({})",
        if shown.is_empty() { "none".to_owned() } else { shown.join(", ") }
    ))
}

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for object in context.inventory.objects() {
        let Some(controller) = controller(object) else {
            continue;
        };
        if controller.spec.get("template").and_then(Node::as_map).is_none() {
            continue;
        }
        let labels: BTreeMap<String, String> =
            string_entries(controller.spec.path(&["template", "metadata", "labels"]))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        let Some(problem) = problem(&controller, &labels) else {
            continue;
        };
        out.push(
            finding(
                &RULE,
                object,
                controller.spec.get("selector").or(Some(controller.spec)),
                format!("{} {problem}", describe_object(object)),
            )
            .with_remediation(
                "Make the pod template's labels satisfy the selector (copy its matchLabels into template.metadata.labels).",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn messages(yaml: &str) -> Vec<String> {
        findings_of(super::RULES, super::check, yaml)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_selector() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: frontend}
"#,
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "Deployment web has a selector that does not match its pod template's labels (app=frontend)"
        );
        assert_eq!(findings[0].line_column(), Some((7, 5)));
    }

    #[test]
    fn expressions_manual_jobs_and_missing_selectors() {
        let yaml = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: matches}
spec:
  selector:
    matchLabels: {app: db}
    matchExpressions: [{key: tier, operator: NotIn, values: [web]}]
  template:
    metadata: {labels: {app: db, tier: data}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: expression-fails}
spec:
  selector:
    matchExpressions: [{key: tier, operator: Exists}]
  template:
    metadata: {labels: {app: agent}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: no-selector}
spec:
  template:
    metadata: {labels: {app: web}}
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: defaulted}
spec:
  template:
    metadata: {labels: {app: web}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: generated}
spec:
  selector: {matchLabels: {x: y}}
  template:
    metadata: {labels: {app: job}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: manual}
spec:
  manualSelector: true
  selector: {matchLabels: {x: y}}
  template:
    metadata: {labels: {app: job}}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  selector: {app: old}
  template:
    metadata: {labels: {app: new}}
"#;
        assert_eq!(
            messages(yaml),
            [
                "DaemonSet expression-fails has a selector that does not match its pod template's labels (app=agent)",
                "Job manual has a selector that does not match its pod template's labels (app=job)",
                "ReplicationController rc has a selector that does not match its pod template's labels (app=new)",
            ]
        );
    }

    #[test]
    fn an_invalid_or_empty_selector_is_reported() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad-operator}
spec:
  selector:
    matchExpressions: [{key: app, operator: Like, values: [web]}]
  template:
    metadata: {labels: {app: web}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: empty}
spec:
  selector: {}
  template:
    metadata: {labels: {app: web}}
"#;
        assert_eq!(
            messages(yaml),
            [
                r#"Deployment bad-operator has an invalid selector: unknown matchExpressions operator Some("Like") for key "app""#,
                "Deployment empty has an empty selector, which selects every pod",
            ]
        );
    }
}
