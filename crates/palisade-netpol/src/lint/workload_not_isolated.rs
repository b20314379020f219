//! `netpol/workload-not-isolated`: a workload that no NetworkPolicy selects in
//! a direction, so every connection in that direction is allowed.
//!
//! Off by default because it is the per-workload detail of
//! `missing-default-deny-*`: a workload is unisolated in a direction only in a
//! namespace with no policy selecting all pods in that direction, which that
//! rule already reports once per namespace. Turn it on to see which workloads
//! the existing policies leave open (the check kube-linter calls
//! `non-isolated-pod`).

use palisade_core::{Finding, Rule, Severity};

use crate::engine::Engine;
use crate::model::{Direction, Model, Workload};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A workload that no NetworkPolicy selects for Ingress, or for Egress. A
    /// policy selects a workload when it is in the same namespace, its
    /// `podSelector` (`matchLabels` and `matchExpressions`) matches the pod
    /// template's labels, and its effective `policyTypes` include the
    /// direction: an egress-only policy does not isolate ingress, an empty
    /// `podSelector` covers its own namespace only, and a pod without labels
    /// is covered only by an empty selector. Admin network policies are not
    /// counted: they do not isolate in the NetworkPolicy sense.
    ///
    /// ## Why it matters
    /// A pod that no policy selects in a direction accepts (or makes) every
    /// connection in it, whatever policies its neighbours have. Such gaps are
    /// typical after a label change or for a workload added after the policies
    /// were written.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: web, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: web}}
    ///   policyTypes: [Ingress]
    /// # a Deployment shop/api labelled app: api is selected by no policy
    /// ```
    ///
    /// ## How to fix
    /// Add a default-deny policy (`podSelector: {}`) for the direction in the
    /// namespace and allow what the workload needs, or extend a policy's
    /// selector to the workload.
    id: "netpol/workload-not-isolated",
    title: "a workload is selected by no NetworkPolicy in some direction",
    severity: Severity::Medium,
    severity_varies: "medium when ingress is not isolated, low when only egress is not",
    enabled_by_default: false,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

/// True when a NetworkPolicy of the model isolates `workload` in `dir`.
pub(crate) fn isolated(model: &Model, workload: &Workload, dir: Direction) -> bool {
    model
        .policies
        .iter()
        .any(|p| p.rules(dir).is_some() && model.in_pod_set(p.subject, workload))
}

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    let model = engine.model;
    for workload in &model.workloads {
        let ingress = isolated(model, workload, Direction::Ingress);
        let egress = isolated(model, workload, Direction::Egress);
        let (open, severity) = match (ingress, egress) {
            (true, true) => continue,
            (false, false) => ("ingress or egress", Severity::Medium),
            (false, true) => ("ingress", Severity::Medium),
            (true, false) => ("egress", Severity::Low),
        };
        out.push(
            Finding::new(
                RULE.id,
                severity,
                format!(
                    "{} {}/{} is selected by no NetworkPolicy for {open}: every connection in that direction is allowed",
                    workload.kind, workload.namespace, workload.name
                ),
                &workload.at,
                Some(workload.object.clone()),
            )
            .with_remediation(format!(
                "Add a NetworkPolicy in {:?} that selects the workload for {open} (a default-deny with `podSelector: {{}}`), then allow what it needs.",
                workload.namespace
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use palisade_core::{Finding, Inventory};
    use palisade_load::{Limits, load_bytes};

    use crate::engine::Engine;
    use crate::model::Model;

    fn findings(yaml: &str) -> Vec<Finding> {
        let load = load_bytes("t.yaml".into(), yaml.as_bytes(), &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let inventory = Inventory::new(load.objects);
        let model = Model::from_inventory_all_workloads(&inventory);
        let mut out = Vec::new();
        super::check(&Engine::new(&model), &mut out);
        out
    }

    fn messages(yaml: &str) -> Vec<String> {
        findings(yaml).into_iter().map(|f| f.message).collect()
    }

    const POD_A: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: team-a, labels: {app: a}}\nspec: {containers: [{name: c, image: x:1}]}\n";

    #[test]
    fn an_empty_selector_in_another_namespace_does_not_cover() {
        let got = messages(&format!(
            "{POD_A}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: team-b}}\nspec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}\n"
        ));
        assert_eq!(
            got,
            ["Pod team-a/a is selected by no NetworkPolicy for ingress or egress: every connection in that direction is allowed"]
        );
    }

    #[test]
    fn match_expressions_count() {
        let policy = |op: &str| {
            format!(
                "{POD_A}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: team-a}}\nspec:\n  podSelector: {{matchExpressions: [{{key: app, operator: {op}, values: [a]}}]}}\n  policyTypes: [Ingress, Egress]\n"
            )
        };
        assert!(messages(&policy("In")).is_empty());
        assert_eq!(messages(&policy("NotIn")).len(), 1);
    }

    #[test]
    fn policy_types_count_an_egress_only_policy_does_not_isolate_ingress() {
        let found = findings(&format!(
            "{POD_A}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: out, namespace: team-a}}\nspec: {{podSelector: {{}}, policyTypes: [Egress]}}\n"
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "Pod team-a/a is selected by no NetworkPolicy for ingress: every connection in that direction is allowed"
        );
        assert_eq!(found[0].severity, palisade_core::Severity::Medium);
        // Ingress-only (policyTypes absent, no egress rules): egress stays open, at low.
        let found = findings(&format!(
            "{POD_A}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: in, namespace: team-a}}\nspec: {{podSelector: {{}}}}\n"
        ));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("for egress:"), "{}", found[0].message);
        assert_eq!(found[0].severity, palisade_core::Severity::Low);
    }

    #[test]
    fn a_pod_without_labels_is_not_covered_by_a_labelled_selector() {
        let got = messages(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: bare, namespace: team-a}\nspec: {containers: [{name: c, image: x:1}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: team-a}\nspec:\n  podSelector: {matchLabels: {app: a}}\n  policyTypes: [Ingress, Egress]\n",
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("Pod team-a/bare is selected by no NetworkPolicy for ingress or egress"));
    }
}
