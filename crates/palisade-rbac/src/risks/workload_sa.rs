//! `RBAC-WL-PRIVILEGED-SA`: workloads whose pods run as a ServiceAccount that
//! holds a critical or high grant. The grant's own finding names the binding;
//! this one names the pods that carry the token, because compromising any of
//! them (a vulnerable image, an exec) is compromising the grant.

use palisade_core::{Inventory, Node, Severity};

use super::Analysis;
use super::catalogue::RiskRule;
use crate::model::SubjectRef;

/// `RBAC-WL-PRIVILEGED-SA`.
pub static WL_PRIVILEGED_SA: RiskRule = RiskRule {
    catalogue_id: "RBAC-WL-PRIVILEGED-SA",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A workload (Pod, Deployment, Job, ... any pod template) that runs as a
        /// ServiceAccount holding a critical or high grant, with the token
        /// mounted. Reported at the workload, with the grant's severity.
        ///
        /// ## Why it matters
        /// Every container of the pod can read the token. Whoever gets code
        /// running in it (a vulnerable dependency, an exposed debug endpoint,
        /// someone allowed to exec) holds the grant.
        ///
        /// ## Example
        /// ```yaml
        /// kind: Deployment
        /// metadata: {name: ci-runner, namespace: build}
        /// spec: {template: {spec: {serviceAccountName: ci}}}
        /// # and ClusterRoleBinding ci-admin: ServiceAccount build/ci -> cluster-admin
        /// ```
        ///
        /// ## How to fix
        /// Give the workload a ServiceAccount with only what it needs; if it needs
        /// no API access, set `automountServiceAccountToken: false`.
        id: "rbac/wl-privileged-sa",
        title: "workload runs as a ServiceAccount with a critical or high grant",
        severity: Severity::High,
        severity_varies: "the severity of the grant (critical or high)",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// One finding per pod template whose ServiceAccount holds a grant of at least
/// high severity (the worst one is named).
pub(super) fn findings(
    analysis: &Analysis<'_>,
    inventory: &Inventory,
    out: &mut Vec<palisade_core::Finding>,
) {
    for template in inventory.pod_templates() {
        let spec = template.spec;
        // No token in the pod: its compromise does not carry the grant.
        if spec
            .get("automountServiceAccountToken")
            .and_then(Node::as_bool)
            == Some(false)
        {
            continue;
        }
        let namespace = template.object.namespace().unwrap_or("default");
        let account = [
            "serviceAccountName",
            // The deprecated alias, used when serviceAccountName is empty.
            "serviceAccount",
        ]
        .iter()
        .filter_map(|key| spec.get(key).and_then(Node::as_str))
        .find(|name| !name.is_empty())
        .unwrap_or("default");
        let subject = SubjectRef::service_account(namespace, account);
        if !analysis.visible(&subject) {
            continue;
        }
        let Some((scope, hit)) = analysis.worst_hit(&subject) else {
            continue;
        };
        if hit.severity < Severity::High {
            continue;
        }
        let object = template.object;
        let message = format!(
            "{} {}/{} runs as {}, which {} {}: {} [{}; {}]",
            object.kind(),
            namespace,
            object.name(),
            subject.display(),
            hit.what,
            Analysis::scope_text(scope),
            analysis.paths_text(&hit.grants),
            hit.rule.catalogue_id,
            WL_PRIVILEGED_SA.catalogue_id,
        );
        out.push(
            palisade_core::Finding::new(
                WL_PRIVILEGED_SA.id,
                hit.severity,
                message,
                &object.locate(Some(spec)),
                Some(object.reference().clone()),
            )
            .with_remediation(analysis.remediation(&WL_PRIVILEGED_SA)),
        );
    }
}
