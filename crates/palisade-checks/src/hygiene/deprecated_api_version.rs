//! `hygiene/removed-api-version` and `hygiene/deprecated-api-version`: objects
//! written in an API version the target Kubernetes release no longer serves,
//! or serves with a deprecation warning.

use palisade_core::{Finding, Rule, Severity};

use super::api_lifecycle::lifecycle;
use super::kubernetes_version::{K8S_VERSION_OPTION, target};
use crate::context::{Context, describe_object, finding};

pub static REMOVED: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An object whose `apiVersion` is no longer served by the target
    /// Kubernetes release: the `k8s-version` option (`1.34`), or by default the
    /// newest release, so every removal counts. The table follows the upstream
    /// Deprecated API Migration Guide (removals in 1.16, 1.22, 1.25, 1.26, 1.27,
    /// 1.29 and 1.32).
    ///
    /// ## Why it matters
    /// `kubectl apply` fails with "no matches for kind" and the whole release
    /// stops deploying; a Helm upgrade can get stuck half-way. The replacement
    /// versions also changed defaults and fields (Deployment selectors became
    /// required, Ingress backends were renamed), so the fix is more than a
    /// search-and-replace.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: policy/v1beta1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## How to fix
    /// Write the object in the replacement version the message names
    /// (`policy/v1` here), applying the migration guide's notes for that kind;
    /// `kubectl convert` can do the mechanical part.
    id: "hygiene/removed-api-version",
    title: "an object uses an API version the target Kubernetes no longer serves",
    severity: Severity::High,
    depends_on: &[K8S_VERSION_OPTION],
};

pub static DEPRECATED: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An object whose `apiVersion` is deprecated in the target Kubernetes
    /// release (the `k8s-version` option, by default the newest) and still
    /// served by it, such as core `v1` Endpoints (deprecated in 1.33), or any
    /// later-removed version when the target is older than its removal.
    ///
    /// ## Why it matters
    /// The API server answers with a deprecation warning today and will stop
    /// serving the version in a later release; manifests written now in it
    /// break on that upgrade.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Endpoints
    /// metadata:
    ///   name: db
    /// subsets:
    /// - addresses: [{ip: 10.0.0.7}]
    ///   ports: [{port: 5432}]
    /// ```
    ///
    /// ## How to fix
    /// Move to the replacement the message names (an EndpointSlice here,
    /// labelled `kubernetes.io/service-name`).
    id: "hygiene/deprecated-api-version",
    title: "an object uses a deprecated API version",
    severity: Severity::Low,
    depends_on: &[K8S_VERSION_OPTION],
};

pub(super) static RULES: &[&Rule] = &[&REMOVED, &DEPRECATED];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    let target = target(context.options);
    let against = target.map_or("the newest Kubernetes".to_owned(), |t| format!("Kubernetes {t}"));
    for object in context.inventory.objects() {
        let Some(life) = lifecycle(object.api_version(), object.kind()) else {
            continue;
        };
        let removed = life.removed.filter(|removed| target.is_none_or(|t| t >= *removed));
        let (rule, state) = match (removed, life.removed) {
            (Some(removed), _) => (&REMOVED, format!("removed in {removed} (deprecated in {})", life.deprecated)),
            (None, _) if target.is_some_and(|t| t < life.deprecated) => continue,
            (None, Some(removed)) => (&DEPRECATED, format!("deprecated in {} and removed in {removed}", life.deprecated)),
            (None, None) => (&DEPRECATED, format!("deprecated in {}", life.deprecated)),
        };
        out.push(
            finding(
                rule,
                object,
                object.root().get("apiVersion"),
                format!(
                    "{} uses {}, {state}; checked against {against}; use {}",
                    describe_object(object),
                    object.api_version(),
                    life.replacement
                ),
            )
            .with_remediation(format!(
                "Write the {} in {} (see the Kubernetes Deprecated API Migration Guide for the field changes).",
                object.kind(),
                life.replacement
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use palisade_core::Options;

    use super::super::kubernetes_version::K8S_VERSION_OPTION;
    use crate::Check;
    use crate::testing::{findings_of, findings_with};

    const PDB: &str = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: web}\n";

    fn at_version(yaml: &str, version: &str) -> Vec<(String, String)> {
        let mut options = Options::default();
        options.set(K8S_VERSION_OPTION, version);
        let check = Check { rules: super::RULES, run: super::check };
        findings_with(&check, yaml, &options)
            .into_iter()
            .map(|f| (f.rule, f.severity.to_string()))
            .collect()
    }

    #[test]
    fn the_documented_removal_is_high_by_default_and_points_at_api_version() {
        let findings = findings_of(super::RULES, super::check, PDB);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, "hygiene/removed-api-version");
        assert_eq!(
            findings[0].message,
            "PodDisruptionBudget web uses policy/v1beta1, removed in 1.25 (deprecated in 1.21); checked against the newest Kubernetes; use policy/v1"
        );
        assert_eq!(findings[0].line_column(), Some((1, 13)));
    }

    #[test]
    fn the_target_version_decides_removed_deprecated_or_nothing() {
        let removed = [("hygiene/removed-api-version".to_owned(), "high".to_owned())];
        let deprecated = [("hygiene/deprecated-api-version".to_owned(), "low".to_owned())];
        assert_eq!(at_version(PDB, "1.25"), removed);
        assert_eq!(at_version(PDB, "1.24"), deprecated);
        assert_eq!(at_version(PDB, "v1.21.3"), deprecated);
        assert!(at_version(PDB, "1.20").is_empty());
    }

    #[test]
    fn the_documented_deprecation_and_current_versions() {
        let yaml = r#"
apiVersion: v1
kind: Endpoints
metadata: {name: db}
subsets:
- addresses: [{ip: 10.0.0.7}]
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: current}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: old}
"#;
        let findings = findings_of(super::RULES, super::check, yaml);
        let summary: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.rule.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "hygiene/deprecated-api-version",
                    "Endpoints db uses v1, deprecated in 1.33; checked against the newest Kubernetes; use discovery.k8s.io/v1 EndpointSlice"
                ),
                (
                    "hygiene/removed-api-version",
                    "Ingress old uses extensions/v1beta1, removed in 1.22 (deprecated in 1.14); checked against the newest Kubernetes; use networking.k8s.io/v1"
                ),
            ]
        );
        assert!(at_version(yaml, "1.32").iter().all(|(rule, _)| rule == "hygiene/removed-api-version"));
    }
}
