//! Evaluating one pod spec against a namespace's three modes, as upstream's
//! `EvaluatePod` does: enforce (pods only) decides, audit annotates, warn warns
//! unless the request is already denied. A mode whose level and version equal an
//! earlier mode's reuses its result.

use palisade_core::Node;
use palisade_pss::namespace_policy::{LabelError, Policy, aggregate};
use palisade_pss::{LevelVersion, aggregate_message, evaluate, go_quote};

use super::{AUDIT_VIOLATIONS, ENFORCE_POLICY, ERROR, PodSecurity, exempt};
use crate::policy::Verdict;
use crate::review::Request;
use crate::status::Status;

/// An empty mapping, the pod spec of a template that has none (Go's zero value).
static EMPTY: Node = Node {
    value: palisade_core::Value::Map(palisade_core::Map::new()),
    pos: palisade_core::Pos { line: 0, col: 0 },
};

/// The verdict on `spec` (with `metadata`'s annotations) under `policy`.
pub(super) fn evaluate_pod(
    pss: &PodSecurity,
    request: &Request,
    policy: &Policy,
    label_errors: &[LabelError],
    metadata: Option<&Node>,
    spec: Option<&Node>,
    enforce: bool,
) -> Verdict {
    let spec = spec.filter(|s| s.as_map().is_some()).unwrap_or(&EMPTY);
    let runtime_class = spec
        .get("runtimeClassName")
        .and_then(Node::as_str)
        .unwrap_or("");
    if pss.config.exemptions.runtime_class(runtime_class) {
        return exempt("runtimeClass");
    }
    let mut verdict = Verdict::allow();
    if !label_errors.is_empty() {
        verdict = verdict.annotate(
            ERROR,
            format!("Failed to parse policy: {}", aggregate(label_errors)),
        );
    }
    // Each mode's detail message, by level and version (empty: allowed).
    let mut results: Vec<(LevelVersion, String)> = Vec::with_capacity(3);
    let mut result_for = |lv: LevelVersion| -> String {
        if let Some((_, message)) = results.iter().find(|(seen, _)| *seen == lv) {
            return message.clone();
        }
        let message = aggregate_message(&evaluate(metadata, spec, lv));
        results.push((lv, message.clone()));
        message
    };
    if enforce {
        verdict = verdict.annotate(ENFORCE_POLICY, policy.enforce.to_string());
        let detail = result_for(policy.enforce);
        if !detail.is_empty() {
            let why = format!(
                "violates PodSecurity {}: {detail}",
                go_quote(&policy.enforce.to_string())
            );
            verdict.denial = Some(Status::forbidden(
                &request.resource.group,
                &request.resource.resource,
                &request.name,
                &why,
            ));
        }
    }
    let audit = result_for(policy.audit);
    if !audit.is_empty() {
        verdict = verdict.annotate(
            AUDIT_VIOLATIONS,
            format!(
                "would violate PodSecurity {}: {audit}",
                go_quote(&policy.audit.to_string())
            ),
        );
    }
    // A request that is denied carries no Pod Security warnings.
    if verdict.denial.is_none() {
        let warn = result_for(policy.warn);
        if !warn.is_empty() {
            verdict.warnings.push(format!(
                "would violate PodSecurity {}: {warn}",
                go_quote(&policy.warn.to_string())
            ));
        }
    }
    verdict
}
