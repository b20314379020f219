//! `hygiene/duplicate-env-var`: one container defining the same environment
//! variable twice.

use std::collections::HashMap;

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::Context;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container whose `env` list names the same variable more than once.
    ///
    /// ## Why it matters
    /// The API server accepts the list, and the kubelet gives the container the
    /// last definition. A reviewer who reads the
    /// first one, say `TLS_VERIFY: "true"` near the top, does not see that a
    /// later entry sets it to `"false"`; merges of kustomize patches and Helm
    /// values produce such lists without anyone writing them on purpose.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    /// - name: TLS_VERIFY
    ///   value: "true"
    /// - name: LOG_LEVEL
    ///   value: info
    /// - name: TLS_VERIFY
    ///   value: "false"
    /// ```
    ///
    /// ## How to fix
    /// Keep one entry per name, with the value the container should have.
    id: "hygiene/duplicate-env-var",
    title: "a container defines the same environment variable twice",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        let Some(env) = container.get(&["env"]).and_then(Node::as_seq) else {
            continue;
        };
        // The first entry of each name, to say where the overridden one is.
        let mut first: HashMap<&str, &Node> = HashMap::new();
        for entry in env {
            let Some(name) = entry.get("name").and_then(Node::as_str) else {
                continue;
            };
            let Some(earlier) = first.get(name) else {
                first.insert(name, entry);
                continue;
            };
            out.push(
                container
                    .finding(
                        &RULE,
                        entry.get("name"),
                        format!(
                            "{}: env var {name} is defined again (first at line {}); the container sees this later definition",
                            container.describe(),
                            earlier.pos.line
                        ),
                    )
                    .with_remediation(format!(
                        "Keep one env entry named {name}, with the value the container should have."
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn a_redefined_variable_is_flagged_at_its_later_definition() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: v1
kind: Pod
metadata: {name: p, namespace: app}
spec:
  containers:
  - name: web
    image: registry.example/web:1
    env:
    - name: TLS_VERIFY
      value: "true"
    - name: LOG_LEVEL
      value: info
    - name: TLS_VERIFY
      value: "false"
  - name: other
    image: registry.example/other:1
    env:
    - name: TLS_VERIFY
      value: "true"
"#,
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(
            findings[0].message,
            r#"container "web" of Pod app/p: env var TLS_VERIFY is defined again (first at line 9); the container sees this later definition"#
        );
        assert_eq!(findings[0].line_column(), Some((13, 13)));
    }

    #[test]
    fn distinct_names_and_nameless_entries_are_not_flagged() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: a:1\n    env:\n    - {name: A, value: x}\n    - {name: B, value: x}\n    - {value: x}\n    - {value: y}\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
    }
}
