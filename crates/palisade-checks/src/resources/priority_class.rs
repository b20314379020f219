//! `resources/priority-class-missing` (off by default).

use palisade_core::{Finding, Rule, Severity};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: without PriorityClasses in the cluster every pod has the
    /// same priority, which is fine for most clusters.
    ///
    /// ## What it flags
    /// A pod template (of any workload) without `priorityClassName`.
    ///
    /// ## Why it matters
    /// When a cluster is full, the scheduler preempts lower-priority pods to
    /// place higher-priority ones. Without a priority class, critical services
    /// compete on equal terms with batch work and can stay pending.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       containers: [{name: api, image: registry.example/api:3.1}]
    /// ```
    ///
    /// ## How to fix
    /// Set `priorityClassName` to a PriorityClass that matches the workload's
    /// importance.
    id: "resources/priority-class-missing",
    title: "a pod template has no priorityClassName",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for template in context.pod_templates() {
        if template.spec.get("priorityClassName").is_some_and(|n| !n.is_null()) {
            continue;
        }
        out.push(
            finding(&RULE, template.object, Some(template.spec), format!("{}: no priorityClassName", describe_object(template.object)))
                .with_remediation("Set priorityClassName to a PriorityClass that matches the workload's importance."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn templates_without_a_class() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: x:1}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {priorityClassName: high, containers: [{name: c, image: x:1}]}\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Pod a: no priorityClassName"]);
    }
}
