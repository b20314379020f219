//! Pod Security Admission as a [`Policy`]: the decisions, order of short-cuts,
//! messages, warnings and audit annotations of upstream's admission code, for
//! namespaces ([`namespaces`]), pods ([`pods`]) and the eight built-in workload
//! resources ([`workloads`]).
//!
//! Audit annotations use upstream's short keys (`enforce-policy`,
//! `audit-violations`, `exempt`, `error`); the API server prefixes them with the
//! webhook's name. Requests for other resources are allowed without a word, so
//! the same webhook can serve other policies for them.

mod evaluate;
mod namespaces;
mod pods;
mod update;
mod workloads;

use std::time::Duration;

use palisade_core::Node;

use crate::config::PodSecurityConfiguration;
use crate::namespaces::{Labels, Lookup};
use crate::policy::{Context, FailurePolicy, Policy, PolicyError, Verdict};
use crate::review::Request;
use crate::status::Status;

/// The audit annotation keys.
pub const ENFORCE_POLICY: &str = "enforce-policy";
pub const AUDIT_VIOLATIONS: &str = "audit-violations";
pub const EXEMPT: &str = "exempt";
pub const ERROR: &str = "error";

/// Pod Security Admission with one configuration.
#[derive(Clone, Debug)]
pub struct PodSecurity {
    config: PodSecurityConfiguration,
    /// Existing pods dry-run when a namespace's enforce level is raised (upstream: 3000).
    pub max_pods_to_check: usize,
    /// Time budget of that dry run (upstream: 1 s, or half the time left if less).
    pub pod_check_budget: Duration,
    /// What an evaluation error means; `Fail` (deny) unless the operator chose
    /// to fail open.
    pub failure_policy: FailurePolicy,
}

impl PodSecurity {
    pub fn new(config: PodSecurityConfiguration) -> Self {
        PodSecurity {
            config,
            max_pods_to_check: 3000,
            pod_check_budget: Duration::from_secs(1),
            failure_policy: FailurePolicy::Fail,
        }
    }

    pub fn config(&self) -> &PodSecurityConfiguration {
        &self.config
    }
}

impl Policy for PodSecurity {
    fn name(&self) -> &str {
        "pod-security"
    }

    fn failure_policy(&self) -> FailurePolicy {
        self.failure_policy
    }

    fn admit(&self, request: &Request, context: &Context<'_>) -> Result<Verdict, PolicyError> {
        let resource = &request.resource;
        match (resource.group.as_str(), resource.resource.as_str()) {
            ("", "namespaces") => namespaces::validate(self, request, context),
            ("", "pods") => Ok(pods::validate(self, request, context)),
            (group, name) => match workloads::template_path(group, name) {
                Some(path) => Ok(workloads::validate(self, request, context, path)),
                None => Ok(Verdict::allow()),
            },
        }
    }
}

/// The labels of the request's namespace, or the error text of a failed lookup
/// (`namespaces "x" not found`, as the API server's NotFound error reads).
fn namespace_labels(
    context: &Context<'_>,
    namespace: &str,
) -> Result<std::sync::Arc<Labels>, String> {
    match context.namespaces.lookup(namespace) {
        Lookup::Found(labels) => Ok(labels),
        Lookup::NotFound => Err(format!(
            "namespaces {} not found",
            crate::status::go_string(namespace)
        )),
        Lookup::Unavailable(why) => Err(why),
    }
}

/// A denial with upstream's `errorResponse` shape: the status, and an `error`
/// audit annotation reading `<status message>` or `<status message>: <cause>`.
fn error_response(status: Status, cause: Option<&str>) -> Verdict {
    let detail = match cause {
        Some(cause) => format!("{}: {cause}", status.message),
        None => status.message.clone(),
    };
    Verdict::deny(status).annotate(ERROR, detail)
}

/// The request's object when it is a core `v1` `kind` (a missing `kind` or
/// `apiVersion` is taken from the request, as the decoder does), or the 400
/// upstream answers: `not_object` (with the reason as the annotation's cause) for
/// something that is not an object at all, `not_kind` for a missing object or one
/// of another kind.
fn decode_object<'a>(
    object: Option<&'a Node>,
    kind: &str,
    not_object: &str,
    not_kind: &str,
) -> Result<&'a Node, Box<Verdict>> {
    let Some(object) = object else {
        return Err(Box::new(error_response(
            Status::bad_request(not_kind),
            None,
        )));
    };
    if object.as_map().is_none() {
        let why = format!("expected a JSON object, found a {}", object.type_name());
        return Err(Box::new(error_response(
            Status::bad_request(not_object),
            Some(&why),
        )));
    }
    let is = |key: &str, want: &str| {
        object
            .get(key)
            .and_then(Node::as_str)
            .is_none_or(|k| k == want)
    };
    if !(is("kind", kind) && is("apiVersion", "v1")) {
        return Err(Box::new(error_response(
            Status::bad_request(not_kind),
            None,
        )));
    }
    Ok(object)
}

/// The verdict on a request exempt by its namespace or its user (checked in that
/// order, as upstream does), or `None`.
fn exempt_request(pss: &PodSecurity, request: &Request) -> Option<Verdict> {
    let exemptions = &pss.config.exemptions;
    if exemptions.namespace(&request.namespace) {
        return Some(exempt("namespace"));
    }
    if exemptions.username(&request.user_info.username) {
        return Some(exempt("user"));
    }
    None
}

/// `exempt=<reason>`, the response to an exempt request.
fn exempt(reason: &str) -> Verdict {
    Verdict::allow().annotate(EXEMPT, reason)
}
