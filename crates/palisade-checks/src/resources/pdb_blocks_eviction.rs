//! `resources/pdb-blocks-eviction`: a PodDisruptionBudget that allows no
//! voluntary disruption at all.
//!
//! The arithmetic is the disruption controller's: a percentage is scaled
//! against the expected pod count and rounded up
//! (`intstr.GetScaledValueFromIntOrPercent(..., true)`), and evictions are
//! allowed while the healthy pods exceed the desired healthy count.

use std::collections::{BTreeMap, HashMap};

use palisade_core::{Finding, LabelSelector, Node, Object, Rule, Severity, pod_templates};

use super::support::{is_scalable, replicas, template_labels};
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A PodDisruptionBudget that can never allow an eviction: `maxUnavailable:
    /// 0` (or `0%`), `minAvailable: 100%`, or a `minAvailable` (number or
    /// percentage, rounded up) at least the replica count of the workloads of
    /// the input it selects, when those are Deployments, StatefulSets,
    /// ReplicaSets or ReplicationControllers with a fixed `replicas`.
    ///
    /// ## Why it matters
    /// Node drains (upgrades, autoscaler scale-down, maintenance) evict pods
    /// through the eviction API, which honours PDBs. A budget that allows no
    /// disruption blocks every drain of every node running those pods, until an
    /// operator deletes the budget or forces the drain.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata: {name: web}
    /// spec:
    ///   maxUnavailable: 0
    ///   selector: {matchLabels: {app: web}}
    /// ```
    ///
    /// ## How to fix
    /// Allow at least one disruption: `maxUnavailable: 1`, or a `minAvailable`
    /// below the replica count (and run enough replicas for it).
    id: "resources/pdb-blocks-eviction",
    title: "a PodDisruptionBudget allows no eviction",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

/// An IntOrString budget value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Budget {
    Count(i64),
    Percent(i64),
}

fn budget(node: &Node) -> Option<Budget> {
    if let Some(n) = node.as_i64() {
        return Some(Budget::Count(n));
    }
    let percent = node.as_str()?.strip_suffix('%')?;
    percent.parse().ok().map(Budget::Percent)
}

/// `ceil(percent × total / 100)`, as the controller rounds.
fn scaled(percent: i64, total: i64) -> i64 {
    (percent.saturating_mul(total) + 99).div_euclid(100)
}

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    if context.inventory.of_kind("PodDisruptionBudget").next().is_none() {
        return;
    }
    let templates = TemplatesByNamespace::new(context);
    for pdb in context.inventory.of_kind("PodDisruptionBudget") {
        if pdb.group() != "policy" {
            continue;
        }
        let spec = pdb.root().get("spec");
        let field = |name: &str| spec.and_then(|s| s.get(name)).filter(|n| !n.is_null());
        let verdict = if let Some(node) = field("maxUnavailable") {
            match budget(node) {
                Some(Budget::Count(0) | Budget::Percent(0)) => {
                    Some((node, "maxUnavailable is 0: no pod may ever be evicted".to_owned()))
                }
                _ => None,
            }
        } else if let Some(node) = field("minAvailable") {
            match budget(node) {
                Some(Budget::Percent(p)) if p >= 100 => {
                    Some((node, format!("minAvailable is {p}%: every pod must stay up")))
                }
                Some(value) => expected_pods(context, &templates, pdb).and_then(|total| {
                    let desired = match value {
                        Budget::Count(n) => n,
                        Budget::Percent(p) => scaled(p, total),
                    };
                    (total > 0 && desired >= total).then(|| {
                        (node, format!("minAvailable asks for {desired} of the {total} pods its workloads run: none may be evicted"))
                    })
                }),
                None => None,
            }
        } else {
            None
        };
        if let Some((node, why)) = verdict {
            out.push(
                finding(&RULE, pdb, Some(node), format!("{}: {why}", describe_object(pdb)))
                    .with_remediation("Allow at least one disruption: maxUnavailable: 1, or a minAvailable below the replica count."),
            );
        }
    }
}

/// The pods the PDB's workloads run, when every workload of the input it
/// selects has a fixed replica count (and it selects at least one).
fn expected_pods(context: &Context, templates: &TemplatesByNamespace, pdb: &Object) -> Option<i64> {
    let node = pdb.root().path(&["spec", "selector"]).filter(|n| !n.is_null())?;
    let selector = LabelSelector::parse(node).ok()?;
    // policy/v1beta1 read an empty selector as matching nothing.
    if selector.is_empty() && pdb.api_version() == "policy/v1beta1" {
        return None;
    }
    let mut total: i64 = 0;
    let mut matched = false;
    for &i in templates.in_namespace(pdb.namespace()) {
        let (Some(template), Some(labels)) = (context.pod_templates().get(i), templates.labels.get(i)) else {
            continue;
        };
        if !selector.matches(labels) {
            continue;
        }
        let object = template.object;
        if !is_scalable(object) || context.autoscaled(object) || pod_templates(object).len() != 1 {
            return None;
        }
        total = total.saturating_add(replicas(object)?);
        matched = true;
    }
    matched.then_some(total)
}

/// The pod templates by namespace, with their labels read once: a PDB only
/// looks at its own namespace's templates, and many PDBs share them.
struct TemplatesByNamespace<'a> {
    labels: Vec<BTreeMap<String, String>>,
    by_namespace: HashMap<Option<&'a str>, Vec<usize>>,
}

impl<'a> TemplatesByNamespace<'a> {
    fn new(context: &Context<'a>) -> TemplatesByNamespace<'a> {
        let mut by_namespace: HashMap<Option<&'a str>, Vec<usize>> = HashMap::new();
        for (i, template) in context.pod_templates().iter().enumerate() {
            by_namespace.entry(template.object.namespace()).or_default().push(i);
        }
        TemplatesByNamespace {
            labels: context.pod_templates().iter().map(template_labels).collect(),
            by_namespace,
        }
    }

    fn in_namespace(&self, namespace: Option<&'a str>) -> &[usize] {
        self.by_namespace.get(&namespace).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn messages(yaml: &str) -> Vec<String> {
        findings_of(super::RULES, super::check, yaml).into_iter().map(|f| f.message).collect()
    }

    const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: a:1}]}
"#;

    #[test]
    fn the_doc_example_and_full_percentages() {
        let got = messages(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 0\n  selector: {matchLabels: {app: web}}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: all}\nspec:\n  minAvailable: 100%\n  selector: {}\n",
        );
        assert_eq!(
            got,
            [
                "PodDisruptionBudget web: maxUnavailable is 0: no pod may ever be evicted",
                "PodDisruptionBudget all: minAvailable is 100%: every pod must stay up",
            ]
        );
    }

    #[test]
    fn min_available_is_compared_with_the_selected_replicas_rounding_up() {
        let pdb = |min: &str| {
            format!("{WEB}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web, namespace: shop}}\nspec:\n  minAvailable: {min}\n  selector: {{matchLabels: {{app: web}}}}\n")
        };
        assert_eq!(
            messages(&pdb("3")),
            ["PodDisruptionBudget shop/web: minAvailable asks for 3 of the 3 pods its workloads run: none may be evicted"]
        );
        // ceil(67% of 3) = ceil(2.01) = 3.
        assert_eq!(messages(&pdb("67%")).len(), 1);
        assert!(messages(&pdb("66%")).is_empty());
        assert!(messages(&pdb("2")).is_empty());
    }

    #[test]
    fn unknown_counts_are_not_guessed() {
        // The PDB selects nothing of the input: the count is unknown.
        let got = messages(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x, namespace: shop}\nspec:\n  minAvailable: 5\n  selector: {matchLabels: {app: other}}\n",
        );
        assert!(got.is_empty(), "{got:?}");
    }
}
