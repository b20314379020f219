//! Gatekeeper constraints as an admission [`Policy`], answering as Gatekeeper's
//! validating webhook answers.
//!
//! Results of `deny` constraints deny the request with 403 and one line per
//! result, `[<constraint name>] <msg>`, joined by newlines; `warn` results
//! become warnings in the same form; `dryrun` results are recorded as audit
//! annotations only (`dryrun.<constraint name>`). A policy's runtime error and
//! an evaluation past the request's deadline are results like any other, so a
//! runaway template denies under a `deny` constraint instead of letting the
//! request through.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use palisade_admission::review::Operation;
use palisade_admission::{
    Context, FailurePolicy, Lookup, Policy, PolicyError, Request, Status, Verdict,
};
use palisade_core::Node;
use serde_json::json;

use crate::constraint::{Action, enforcement_point};
use crate::policy_set::PolicySet;
use crate::review::Review;

/// A policy set that can be replaced while the webhook serves (a watch of
/// the cluster's templates and constraints swaps in a new set; requests in
/// flight finish with the set they started with).
pub type SharedPolicySet = Arc<RwLock<Arc<PolicySet>>>;

/// The Gatekeeper policy of a webhook.
pub struct GatekeeperAdmission {
    set: SharedPolicySet,
    pub failure_policy: FailurePolicy,
}

impl GatekeeperAdmission {
    pub fn new(set: PolicySet) -> GatekeeperAdmission {
        GatekeeperAdmission::shared(Arc::new(RwLock::new(Arc::new(set))))
    }

    /// A policy reading whatever set `set` holds at each request.
    pub fn shared(set: SharedPolicySet) -> GatekeeperAdmission {
        GatekeeperAdmission {
            set,
            failure_policy: FailurePolicy::Fail,
        }
    }

    fn current(&self) -> Arc<PolicySet> {
        // A poisoned lock only means a writer panicked mid-swap; the Arc it
        // holds is still a whole set.
        match self.set.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// `userInfo` as the API server serialises it (empty fields left out).
fn user_info(request: &Request) -> Node {
    let user = &request.user_info;
    let mut info = serde_json::Map::new();
    if !user.username.is_empty() {
        info.insert("username".to_owned(), json!(user.username));
    }
    if !user.uid.is_empty() {
        info.insert("uid".to_owned(), json!(user.uid));
    }
    if !user.groups.is_empty() {
        info.insert("groups".to_owned(), json!(user.groups));
    }
    Node::from_json(&serde_json::Value::Object(info))
}

/// The Namespace object Gatekeeper would have cached, built from its labels.
fn namespace_object(name: &str, labels: &BTreeMap<String, String>) -> Node {
    Node::from_json(&json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": labels},
    }))
}

/// An audit annotation key: a qualified name of at most 63 characters.
fn annotation_key(constraint: &str) -> String {
    let mut key = format!("dryrun.{constraint}");
    key.truncate(63);
    key
}

impl Policy for GatekeeperAdmission {
    fn name(&self) -> &str {
        "gatekeeper"
    }

    fn failure_policy(&self) -> FailurePolicy {
        self.failure_policy
    }

    fn admit(&self, request: &Request, context: &Context<'_>) -> Result<Verdict, PolicyError> {
        let set = self.current();
        let mut object = request.object.as_ref();
        if request.operation == Operation::Delete && object.is_none() {
            object = request.old_object.as_ref();
        }
        // Most requests concern kinds no constraint names: answer them
        // before looking up the namespace or building the review.
        if request.operation == Operation::Connect
            || !set.may_apply(object.into_iter().chain(request.old_object.as_ref()))
        {
            return Ok(Verdict::allow());
        }
        let user = user_info(request);
        let labels = if request.namespace.is_empty() {
            None
        } else {
            match context.namespaces.lookup(&request.namespace) {
                Lookup::Found(labels) => Some(labels),
                Lookup::NotFound | Lookup::Unavailable(_) => None,
            }
        };
        let namespace_node = labels
            .as_ref()
            .map(|labels| namespace_object(&request.namespace, labels));
        let review = Review {
            uid: request.uid.clone(),
            group: request.kind.group.clone(),
            version: request.kind.version.clone(),
            kind: request.kind.kind.clone(),
            resource: (
                request.resource.group.clone(),
                request.resource.version.clone(),
                request.resource.resource.clone(),
            ),
            sub_resource: request.sub_resource.clone(),
            name: request.name.clone(),
            namespace: request.namespace.clone(),
            operation: request.operation.as_str().to_owned(),
            user_info: Some(&user),
            object,
            old_object: request.old_object.as_ref(),
            dry_run: Some(request.dry_run),
            options: None,
            namespace_object: namespace_node.as_ref(),
        };
        let results = set.review(
            &review,
            labels.as_deref(),
            enforcement_point::WEBHOOK,
            context.deadline,
        );
        let mut denials = Vec::new();
        let mut verdict = Verdict::allow();
        let mut dryruns: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for result in results {
            let line = format!("[{}] {}", result.constraint.name, result.violation.msg);
            if result.actions.contains(&Action::Deny) {
                denials.push(line.clone());
            }
            if result.actions.contains(&Action::Warn) {
                verdict.warnings.push(line.clone());
            }
            if result.actions.contains(&Action::Dryrun) {
                dryruns
                    .entry(annotation_key(&result.constraint.name))
                    .or_default()
                    .push(result.violation.msg);
            }
        }
        for (key, messages) in dryruns {
            verdict = verdict.annotate(&key, messages.join("; "));
        }
        if !denials.is_empty() {
            verdict.denial = Some(Status::forbidden_message(denials.join("\n")));
        }
        Ok(verdict)
    }
}
