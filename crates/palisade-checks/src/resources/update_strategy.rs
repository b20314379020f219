//! `resources/no-rolling-update` (off by default).

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: `Recreate` is the right strategy for workloads that must
    /// never run two versions at once (schema migrations, ReadWriteOnce
    /// volumes).
    ///
    /// ## What it flags
    /// A Deployment with `strategy.type: Recreate`, or a StatefulSet or
    /// DaemonSet with `updateStrategy.type: OnDelete`.
    ///
    /// ## Why it matters
    /// `Recreate` stops every pod before starting the new ones: each rollout is
    /// an outage. `OnDelete` never rolls pods out by itself, so an updated
    /// template (a security fix) runs only where someone deletes pods by hand.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   strategy: {type: Recreate}
    /// ```
    ///
    /// ## How to fix
    /// Use `RollingUpdate` (the default) with `maxUnavailable` and `maxSurge`
    /// suited to the workload.
    id: "resources/no-rolling-update",
    title: "a workload does not roll out updates gradually",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

/// Kind, the field holding the strategy, and the value that is not rolling.
const STRATEGIES: [(&str, &str, &str); 3] = [
    ("Deployment", "strategy", "Recreate"),
    ("StatefulSet", "updateStrategy", "OnDelete"),
    ("DaemonSet", "updateStrategy", "OnDelete"),
];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for (kind, field, value) in STRATEGIES {
        for object in context.inventory.of_kind(kind).filter(|o| o.group() == "apps") {
            let node = object.root().path(&["spec", field, "type"]);
            if node.and_then(Node::as_str) != Some(value) {
                continue;
            }
            out.push(
                finding(&RULE, object, node, format!("{}: {field}.type is {value}", describe_object(object)))
                    .with_remediation(format!("Use {field}.type: RollingUpdate (the default).")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn recreate_and_on_delete_are_flagged() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {strategy: {type: Recreate}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec: {strategy: {type: RollingUpdate}}\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: c}\nspec: {updateStrategy: {type: OnDelete}}\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Deployment a: strategy.type is Recreate", "DaemonSet c: updateStrategy.type is OnDelete"]);
    }
}
