//! `netpol/allow-all`: a NetworkPolicy rule that allows every peer on every
//! port, which undoes isolation for the pods the policy selects.

use palisade_core::{Finding, Rule, Severity};

use crate::engine::Engine;
use crate::model::Direction;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An ingress or egress rule of a NetworkPolicy, in a direction its
    /// effective `policyTypes` include, with no `from`/`to` (or an empty list)
    /// and no `ports` (or an empty list): it allows every connection in that
    /// direction, from or to anywhere, cluster and internet alike.
    ///
    /// ## Why it matters
    /// Policies are additive: one allow-all rule selecting a pod cancels the
    /// namespace's default-deny for it, whatever the other policies say. It is
    /// often left over from debugging.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   podSelector: {}
    ///   ingress:
    ///   - {}
    /// ```
    ///
    /// ## How to fix
    /// Restrict the rule to the peers (`podSelector`, `namespaceSelector`,
    /// `ipBlock`) and ports that need access, or delete the policy.
    id: "netpol/allow-all",
    title: "a NetworkPolicy rule allows all traffic",
    severity: Severity::Medium,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    for policy in &engine.model.policies {
        for (dir, word) in [(Direction::Ingress, "ingress"), (Direction::Egress, "egress")] {
            for rule in policy.rules(dir).unwrap_or_default() {
                if rule.peers.is_some() || rule.ports.entries.is_some() {
                    continue;
                }
                out.push(
                    Finding::new(
                        RULE.id,
                        RULE.severity,
                        format!(
                            "NetworkPolicy {} {word} rule {} allows every peer on every port: the pods it selects are open for {word}",
                            policy.id(),
                            rule.index
                        ),
                        &rule.at,
                        Some(policy.object.clone()),
                    )
                    .with_remediation("Restrict the rule to the peers and ports that need access, or delete it."),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_core::Inventory;
    use palisade_load::{Limits, load_bytes};

    use crate::engine::Engine;
    use crate::model::Model;

    fn messages(yaml: &str) -> Vec<String> {
        let load = load_bytes("t.yaml".into(), yaml.as_bytes(), &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let inventory = Inventory::new(load.objects);
        let model = Model::from_inventory(&inventory);
        let mut out = Vec::new();
        super::check(&Engine::new(&model), &mut out);
        out.into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn empty_rules_in_effective_directions_only() {
        let got = messages(
            r#"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - {}
  - from: [{podSelector: {}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ignored, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  egress:
  - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ports-only, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - ports: [{port: 443}]
"#,
        );
        assert_eq!(
            got,
            ["NetworkPolicy shop/open ingress rule 1 allows every peer on every port: the pods it selects are open for ingress"]
        );
    }
}
