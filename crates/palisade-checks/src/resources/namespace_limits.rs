//! `resources/namespace-without-limit-range` and
//! `resources/namespace-without-resource-quota` (both off by default).

use palisade_core::{Finding, Rule, Severity};

use crate::context::{Context, describe_object, finding};

pub static LIMIT_RANGE: Rule = palisade_core::rule! {
    /// Off by default, and only about Namespace objects of the input: a
    /// manifest set that does not create its namespace does not own its
    /// policies either.
    ///
    /// ## What it flags
    /// A Namespace of the input (other than `kube-system`, `kube-public` and
    /// `kube-node-lease`) with no LimitRange of the input in it.
    ///
    /// ## Why it matters
    /// A LimitRange gives containers that set no requests or limits sensible
    /// defaults and caps what one container may ask for; without one, every
    /// workload's author must remember to.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata: {name: team-a}
    /// ```
    ///
    /// ## How to fix
    /// Add a LimitRange to the namespace with `type: Container` defaults
    /// (`default`, `defaultRequest`) and a `max`.
    id: "resources/namespace-without-limit-range",
    title: "a namespace has no LimitRange",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub static RESOURCE_QUOTA: Rule = palisade_core::rule! {
    /// Off by default, and only about Namespace objects of the input.
    ///
    /// ## What it flags
    /// A Namespace of the input (other than `kube-system`, `kube-public` and
    /// `kube-node-lease`) with no ResourceQuota of the input in it.
    ///
    /// ## Why it matters
    /// Without a quota one team's runaway workload (or an attacker creating
    /// pods) can consume the whole cluster's capacity.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata: {name: team-a}
    /// ```
    ///
    /// ## How to fix
    /// Add a ResourceQuota with `hard` limits on `requests.cpu`,
    /// `requests.memory`, `limits.memory` and object counts.
    id: "resources/namespace-without-resource-quota",
    title: "a namespace has no ResourceQuota",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&LIMIT_RANGE, &RESOURCE_QUOTA];

const SYSTEM: [&str; 3] = ["kube-system", "kube-public", "kube-node-lease"];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for namespace in context.inventory.of_kind("Namespace").filter(|o| o.group().is_empty()) {
        let name = namespace.name();
        if name.is_empty() || SYSTEM.contains(&name) {
            continue;
        }
        for (rule, kind) in [(&LIMIT_RANGE, "LimitRange"), (&RESOURCE_QUOTA, "ResourceQuota")] {
            if context.inventory.of_kind(kind).any(|o| o.namespace() == Some(name)) {
                continue;
            }
            out.push(
                finding(rule, namespace, None, format!("{} has no {kind} in the input", describe_object(namespace)))
                    .with_remediation(format!("Add a {kind} to namespace {name:?}.")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn namespaces_of_the_input_only() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: team-a}\nspec: {hard: {pods: \"10\"}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: team-b}\n",
        );
        let got: Vec<(&str, &str)> = findings.iter().map(|f| (f.rule.as_str(), f.message.as_str())).collect();
        assert_eq!(got, [("resources/namespace-without-limit-range", "Namespace team-a has no LimitRange in the input")]);
    }
}
