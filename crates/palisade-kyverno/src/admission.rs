//! Kyverno policies as an admission [`Policy`] of the webhook, answering as
//! Kyverno's validating webhook answers.
//!
//! Failures of rules whose failure action is `Enforce` (and of
//! ValidatingPolicies with the `Deny` action) refuse the request with
//! Kyverno's message: `resource <Kind>/<namespace>/<name> was blocked due
//! to the following policies`, then each policy with its failing rules.
//! Failures under `Audit` (and ValidatingPolicy `Warn`) become warnings in
//! Kyverno's words (`GetWarningMessages`: `policy <policy>.<rule>:
//! <message>`), so the client sees them; a rule that cannot
//! be evaluated (`error`) under `Enforce` refuses the request too, as
//! Kyverno's does with its default failure policy.

use palisade_admission::review::Operation;
use palisade_admission::{
    Context, FailurePolicy, Lookup, Policy, PolicyError, Request, Status, Verdict,
};
use serde_json::json;

use crate::Json;
use crate::matching::{Gvk, UserInfo};
use crate::policy_set::{KyvernoSet, ReviewRequest, blocked_message};

pub struct KyvernoAdmission {
    set: KyvernoSet,
    pub failure_policy: FailurePolicy,
}

impl KyvernoAdmission {
    pub fn new(set: KyvernoSet) -> KyvernoAdmission {
        KyvernoAdmission {
            set,
            failure_policy: FailurePolicy::Fail,
        }
    }
}

impl Policy for KyvernoAdmission {
    fn name(&self) -> &str {
        "kyverno"
    }

    fn failure_policy(&self) -> FailurePolicy {
        self.failure_policy
    }

    fn admit(&self, request: &Request, context: &Context<'_>) -> Result<Verdict, PolicyError> {
        if self.set.is_empty() || request.operation == Operation::Connect {
            return Ok(Verdict::allow());
        }
        // Most requests concern kinds no rule names: answer them before
        // converting the objects or looking up the namespace.
        let gvk = Gvk {
            group: request.kind.group.clone(),
            version: request.kind.version.clone(),
            kind: request.kind.kind.clone(),
        };
        if !self.set.may_apply(&gvk) {
            return Ok(Verdict::allow());
        }
        let object = request.object.as_ref().map(|o| o.to_json());
        let old_object = request.old_object.as_ref().map(|o| o.to_json());
        let labels = if request.namespace.is_empty() {
            None
        } else {
            match context.namespaces.lookup(&request.namespace) {
                Lookup::Found(labels) => Some(labels),
                Lookup::NotFound | Lookup::Unavailable(_) => None,
            }
        };
        let namespace_labels = labels.as_deref().cloned().unwrap_or_default();
        let namespace_object = (!request.namespace.is_empty()).then(|| {
            json!({"apiVersion": "v1", "kind": "Namespace",
                   "metadata": {"name": request.namespace, "labels": namespace_labels}})
        });
        let user = UserInfo {
            username: request.user_info.username.clone(),
            groups: request.user_info.groups.clone(),
            // The webhook does not resolve the user's RBAC roles.
            roles: Vec::new(),
            cluster_roles: Vec::new(),
        };
        let user_json = json!({
            "username": request.user_info.username,
            "uid": request.user_info.uid,
            "groups": request.user_info.groups,
        });
        let review = ReviewRequest {
            object: object.as_ref(),
            old_object: old_object.as_ref(),
            operation: request.operation.as_str(),
            namespace_labels,
            namespace_object,
            user: Some(user),
            user_info: Some(user_json),
            cluster_objects: crate::ClusterObjects::default(),
        };
        let verdicts = self.set.review(&review);
        let mut verdict = Verdict::allow();
        for v in verdicts.iter().filter(|v| !v.enforced || v.warns) {
            verdict
                .warnings
                .push(format!("policy {}.{}: {}", v.policy, v.rule, v.message));
        }
        let blocking: Vec<_> = verdicts.iter().filter(|v| v.enforced).collect();
        if !blocking.is_empty() {
            let subject: &Json = object
                .as_ref()
                .or(old_object.as_ref())
                .unwrap_or(&Json::Null);
            let name = subject
                .pointer("/metadata/name")
                .and_then(Json::as_str)
                .unwrap_or(&request.name);
            let message = blocked_message(&request.kind.kind, &request.namespace, name, &blocking);
            verdict.denial = Some(Status::forbidden_message(message));
        }
        Ok(verdict)
    }
}
