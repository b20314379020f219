//! Pod requests: the only requests Pod Security denies.

use palisade_pss::namespace_policy::policy_to_evaluate;

use super::evaluate::evaluate_pod;
use super::update::is_significant;
use super::{
    ENFORCE_POLICY, PodSecurity, decode_object, error_response, exempt_request, namespace_labels,
};
use crate::policy::{Context, Verdict};
use crate::review::{Operation, Request};
use crate::status::Status;

/// Subresources that cannot change what the checks read. Every other one
/// (`ephemeralcontainers`, `resize`, and any added later) is evaluated like the
/// pod, so that a new way to change a pod fails safe.
const IGNORED_SUBRESOURCES: [&str; 8] = [
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
];

pub(super) fn validate(pss: &PodSecurity, request: &Request, context: &Context<'_>) -> Verdict {
    // Only writes that create or change a pod are routed to Pod Security.
    if !matches!(request.operation, Operation::Create | Operation::Update)
        || IGNORED_SUBRESOURCES.contains(&request.sub_resource.as_str())
    {
        return Verdict::allow();
    }
    if let Some(verdict) = exempt_request(pss, request) {
        return verdict;
    }
    let labels = match namespace_labels(context, &request.namespace) {
        Ok(labels) => labels,
        Err(error) => {
            let status = Status::internal(&format!(
                "failed to lookup namespace {}",
                crate::status::go_string(&request.namespace)
            ));
            return error_response(status, Some(&error));
        }
    };
    let (policy, label_errors) = policy_to_evaluate(&labels, pss.config.defaults);
    if label_errors.is_empty() && policy.fully_privileged() {
        return Verdict::allow().annotate(ENFORCE_POLICY, "privileged:latest");
    }
    let pod = match decode_object(
        request.object.as_ref(),
        "Pod",
        "failed to decode object",
        "failed to decode pod",
    ) {
        Ok(pod) => pod,
        Err(verdict) => return *verdict,
    };
    if request.operation == Operation::Update {
        let old = match decode_object(
            request.old_object.as_ref(),
            "Pod",
            "failed to decode old object",
            "failed to decode old pod",
        ) {
            Ok(old) => old,
            Err(verdict) => return *verdict,
        };
        if !is_significant(pod, old) {
            return Verdict::allow();
        }
    }
    evaluate_pod(
        pss,
        request,
        &policy,
        &label_errors,
        pod.get("metadata"),
        pod.get("spec"),
        true,
    )
}
