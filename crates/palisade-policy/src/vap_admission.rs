//! ValidatingAdmissionPolicies as an admission [`Policy`] of the webhook, for
//! clusters (or API server versions) that do not run them natively, and to
//! try them before they are installed.
//!
//! The answer follows the API server's: the first denying binding's message
//! (`ValidatingAdmissionPolicy 'P' with binding 'B' denied request: …`) with
//! the validation's reason and code, warnings for `Warn`, and audit
//! annotations for `Audit` and `auditAnnotations`. A webhook's audit
//! annotation keys cannot contain `/`, so `<policy>/<key>` becomes
//! `<policy>.<key>` here.

use palisade_admission::{
    Context, FailurePolicy, Lookup, Policy, PolicyError, Request, Status, Verdict,
};
use palisade_cel::vap::AdmissionRequest;
use serde_json::{Value as Json, json};

use crate::vap::VapSet;

pub struct VapAdmission {
    set: VapSet,
    pub failure_policy: FailurePolicy,
}

impl VapAdmission {
    pub fn new(set: VapSet) -> VapAdmission {
        VapAdmission {
            set,
            failure_policy: FailurePolicy::Fail,
        }
    }
}

/// The request as the API server serialises it, for CEL's `request` and
/// `object` variables.
fn request_json(request: &Request) -> Json {
    let mut value = json!({
        "uid": request.uid,
        "kind": {"group": request.kind.group, "version": request.kind.version, "kind": request.kind.kind},
        "resource": {"group": request.resource.group, "version": request.resource.version, "resource": request.resource.resource},
        "name": request.name,
        "namespace": request.namespace,
        "operation": request.operation.as_str(),
        "userInfo": {"username": request.user_info.username, "uid": request.user_info.uid, "groups": request.user_info.groups},
        "object": request.object.as_ref().map(|o| o.to_json()),
        "oldObject": request.old_object.as_ref().map(|o| o.to_json()),
        "dryRun": request.dry_run,
    });
    if !request.sub_resource.is_empty()
        && let Some(map) = value.as_object_mut()
    {
        map.insert("subResource".to_owned(), json!(request.sub_resource));
    }
    value
}

impl Policy for VapAdmission {
    fn name(&self) -> &str {
        "validating-admission-policy"
    }

    fn failure_policy(&self) -> FailurePolicy {
        self.failure_policy
    }

    fn admit(&self, request: &Request, context: &Context<'_>) -> Result<Verdict, PolicyError> {
        if self.set.is_empty() {
            return Ok(Verdict::allow());
        }
        let admission_request = AdmissionRequest::from_json(&request_json(request));
        let namespace = |name: &str| match context.namespaces.lookup(name) {
            Lookup::Found(labels) => Some(json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": name, "labels": *labels},
            })),
            Lookup::NotFound | Lookup::Unavailable(_) => None,
        };
        let review = self.set.review(&admission_request, &namespace);
        let mut verdict = Verdict::allow();
        verdict.warnings = review.warnings;
        for (key, value) in review.audit_annotations {
            verdict = verdict.annotate(&key.replace('/', "."), value);
        }
        if let Some((message, reason, _code)) = review.denial {
            verdict.denial = Some(Status::policy_denial(&reason, message));
        }
        Ok(verdict)
    }
}
