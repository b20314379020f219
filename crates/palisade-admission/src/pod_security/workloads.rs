//! Workload requests (Deployments, Jobs, ... with a pod template): never denied,
//! only warned and audited, so that a user learns at `kubectl apply` time that the
//! pods will be rejected, instead of finding a ReplicaSet that cannot create them.
//! Failures to read the namespace or the object allow the request, with an
//! `error` annotation (fail open), because nothing is enforced here anyway.

use palisade_pss::Level;
use palisade_pss::namespace_policy::policy_to_evaluate;

use super::evaluate::evaluate_pod;
use super::{ERROR, PodSecurity, exempt_request, namespace_labels};
use crate::policy::{Context, Verdict};
use crate::review::{Operation, Request};

/// Where a resource keeps its pod template, for the resources upstream checks.
pub(super) fn template_path(group: &str, resource: &str) -> Option<&'static [&'static str]> {
    Some(match (group, resource) {
        ("", "podtemplates") => &["template"],
        ("", "replicationcontrollers")
        | ("apps", "replicasets" | "deployments" | "statefulsets" | "daemonsets")
        | ("batch", "jobs") => &["spec", "template"],
        ("batch", "cronjobs") => &["spec", "jobTemplate", "spec", "template"],
        _ => return None,
    })
}

pub(super) fn validate(
    pss: &PodSecurity,
    request: &Request,
    context: &Context<'_>,
    template_path: &[&str],
) -> Verdict {
    if !matches!(request.operation, Operation::Create | Operation::Update)
        || !request.sub_resource.is_empty()
    {
        return Verdict::allow();
    }
    if let Some(verdict) = exempt_request(pss, request) {
        return verdict;
    }
    let labels = match namespace_labels(context, &request.namespace) {
        Ok(labels) => labels,
        Err(error) => {
            return Verdict::allow().annotate(
                ERROR,
                format!(
                    "failed to lookup namespace {}: {error}",
                    crate::status::go_string(&request.namespace)
                ),
            );
        }
    };
    let (policy, label_errors) = policy_to_evaluate(&labels, pss.config.defaults);
    if label_errors.is_empty()
        && policy.audit.level == Level::Privileged
        && policy.warn.level == Level::Privileged
    {
        return Verdict::allow();
    }
    let Some(object) = request.object.as_ref().filter(|o| o.as_map().is_some()) else {
        return Verdict::allow().annotate(
            ERROR,
            "failed to decode object: the request carries no object",
        );
    };
    // A ReplicationController's template is optional; every other template is a
    // value in Go, so a missing one reads as an empty pod.
    let template = object.path(template_path).filter(|t| !t.is_null());
    if template.is_none() && request.resource.resource == "replicationcontrollers" {
        return Verdict::allow();
    }
    evaluate_pod(
        pss,
        request,
        &policy,
        &label_errors,
        template.and_then(|t| t.get("metadata")),
        template.and_then(|t| t.get("spec")),
        false,
    )
}
