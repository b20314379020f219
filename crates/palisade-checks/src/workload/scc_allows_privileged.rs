//! `workload/scc-allows-privileged`: OpenShift SecurityContextConstraints
//! that admit privileged containers.

use palisade_core::{Finding, Rule, Severity};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An OpenShift `SecurityContextConstraints` (`security.openshift.io`)
    /// with `allowPrivilegedContainer: true`.
    ///
    /// ## Why it matters
    /// On OpenShift the SCC admitting a pod decides what it may ask for. One
    /// that allows privileged containers lets every user and ServiceAccount it
    /// is granted to run containers with all capabilities and the host's
    /// devices: root on the node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: security.openshift.io/v1
    /// kind: SecurityContextConstraints
    /// metadata:
    ///   name: app-scc
    /// allowPrivilegedContainer: true
    /// ```
    ///
    /// ## How to fix
    /// Set `allowPrivilegedContainer: false`, or grant the workload one of the
    /// built-in restricted SCCs (`restricted-v2`) instead of a custom one.
    id: "workload/scc-allows-privileged",
    title: "an OpenShift SecurityContextConstraints allows privileged containers",
    severity: Severity::High,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for scc in context.inventory.of_kind("SecurityContextConstraints") {
        if scc.group() != "security.openshift.io" {
            continue;
        }
        let Some(field) = scc
            .root()
            .get("allowPrivilegedContainer")
            .filter(|n| n.as_bool() == Some(true))
        else {
            continue;
        };
        out.push(
            finding(
                &RULE,
                scc,
                Some(field),
                format!("{} allows privileged containers", describe_object(scc)),
            )
            .with_remediation("Set allowPrivilegedContainer: false, or use the restricted-v2 SCC."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_is_flagged_and_false_is_clean() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: security.openshift.io/v1
kind: SecurityContextConstraints
metadata:
  name: app-scc
allowPrivilegedContainer: true
---
apiVersion: security.openshift.io/v1
kind: SecurityContextConstraints
metadata:
  name: safe
allowPrivilegedContainer: false
---
apiVersion: example.com/v1
kind: SecurityContextConstraints
metadata:
  name: lookalike
allowPrivilegedContainer: true
"#,
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(
            findings[0].message,
            "SecurityContextConstraints app-scc allows privileged containers"
        );
        assert_eq!(findings[0].line_column(), Some((5, 27)));
    }
}
