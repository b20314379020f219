//! The contract every admission policy implements, and the [`Admission`] that runs
//! a list of them on one request and folds their verdicts into one response.
//!
//! Pod Security is the first policy; Gatekeeper templates, ValidatingAdmissionPolicy
//! and Kyverno policies plug in the same way. A policy sees the decoded request and
//! a [`Context`] (the namespace source, the pods of a namespace when it asked for
//! them, a deadline) and returns a [`Verdict`], or an error that its own
//! [`FailurePolicy`] turns into a denial (`Fail`) or lets pass (`Ignore`), as the
//! API server does with a webhook's failure policy.
//!
//! Folding: the request is allowed only when every policy allows it. The first
//! denial's status is the response's status; later denials add their messages
//! (`; `-separated) so that a user sees every reason at once. Warnings and audit
//! annotations of all policies are kept, each policy's warnings in its own order.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use palisade_core::Node;

use crate::namespaces::NamespaceSource;
use crate::review::{Request, Response};
use crate::status::Status;

/// What a policy decided about one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// `Some` denies the request with this status.
    pub denial: Option<Status>,
    /// Shown to the user by kubectl, also when the request is allowed.
    pub warnings: Vec<String>,
    /// Recorded in the API server's audit log. Keys must be unique across
    /// policies: Pod Security uses upstream's short keys (`enforce-policy`), other
    /// policies prefix theirs with their own name.
    pub audit_annotations: BTreeMap<String, String>,
}

impl Verdict {
    pub fn allow() -> Self {
        Verdict::default()
    }

    pub fn deny(status: Status) -> Self {
        Verdict {
            denial: Some(status),
            ..Verdict::default()
        }
    }

    pub fn annotate(mut self, key: &str, value: impl Into<String>) -> Self {
        self.audit_annotations.insert(key.to_owned(), value.into());
        self
    }
}

/// What happens when a policy cannot decide: `Fail` denies (the default, and the
/// API server's default for webhooks), `Ignore` allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailurePolicy {
    #[default]
    Fail,
    Ignore,
}

/// Why a policy gave no verdict.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The policy needs the pods of this namespace (Pod Security dry-runs them when
    /// a namespace's enforce level is raised). The caller lists them, within the
    /// deadline, and asks again with [`Context::existing_pods`] set.
    #[error("the pods of namespace {0:?} are needed")]
    NeedsExistingPods(String),
    #[error("the deadline passed before the policy ran")]
    DeadlineExceeded,
    #[error("{0}")]
    Failed(String),
}

/// The pods of a namespace, or why they could not be listed.
pub type ExistingPods = Result<Vec<Arc<Node>>, String>;

/// What a policy may read besides the request.
pub struct Context<'a> {
    pub namespaces: &'a dyn NamespaceSource,
    /// Set on the second call after [`PolicyError::NeedsExistingPods`].
    pub existing_pods: Option<&'a ExistingPods>,
    /// When the answer is due (the API server's `?timeout=`).
    pub deadline: Option<Instant>,
}

impl Context<'_> {
    pub fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// One admission policy.
pub trait Policy: Send + Sync {
    /// A short name, used in messages and metrics.
    fn name(&self) -> &str;

    fn failure_policy(&self) -> FailurePolicy {
        FailurePolicy::Fail
    }

    fn admit(&self, request: &Request, context: &Context<'_>) -> Result<Verdict, PolicyError>;
}

/// Runs every policy on a request.
#[derive(Clone, Default)]
pub struct Admission {
    policies: Vec<Arc<dyn Policy>>,
}

impl Admission {
    pub fn new(policies: Vec<Arc<dyn Policy>>) -> Self {
        Admission { policies }
    }

    pub fn policies(&self) -> &[Arc<dyn Policy>] {
        &self.policies
    }

    /// The response to `request`, or the namespace whose pods a policy needs first.
    /// The namespace comes back only while `context.existing_pods` is `None`: a
    /// caller that lists the pods and asks again always gets a response.
    ///
    /// A policy that panics, or asks for pods again after getting them, is treated
    /// like one that failed: its failure policy decides, so a bug can neither
    /// crash the server nor let a request through unless the operator chose
    /// `Ignore`.
    pub fn review(&self, request: &Request, context: &Context<'_>) -> Result<Response, String> {
        let mut response = Response::allowed(&request.uid);
        for policy in &self.policies {
            let outcome = if context.past_deadline() {
                Err(PolicyError::DeadlineExceeded)
            } else {
                catch_unwind(AssertUnwindSafe(|| policy.admit(request, context)))
                    .unwrap_or_else(|_| Err(PolicyError::Failed("the policy panicked".to_owned())))
            };
            let verdict = match outcome {
                Ok(verdict) => verdict,
                Err(PolicyError::NeedsExistingPods(namespace))
                    if context.existing_pods.is_none() =>
                {
                    return Err(namespace);
                }
                Err(error) => failed(policy.as_ref(), &error),
            };
            fold(&mut response, verdict);
        }
        Ok(response)
    }
}

/// The verdict standing in for a policy that could not decide.
fn failed(policy: &dyn Policy, error: &PolicyError) -> Verdict {
    let text = format!("policy {:?} failed: {error}", policy.name());
    let key = format!("{}/error", policy.name());
    match policy.failure_policy() {
        FailurePolicy::Fail => Verdict::deny(Status::internal(&text)).annotate(&key, text),
        FailurePolicy::Ignore => Verdict::allow().annotate(&key, text),
    }
}

fn fold(response: &mut Response, verdict: Verdict) {
    if let Some(denial) = verdict.denial {
        response.allowed = false;
        match &mut response.status {
            None => response.status = Some(denial),
            Some(first) => {
                first.message.push_str("; ");
                first.message.push_str(&denial.message);
            }
        }
    }
    response.warnings.extend(verdict.warnings);
    response.audit_annotations.extend(verdict.audit_annotations);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::namespaces::StaticNamespaces;
    use crate::review::decode_request;

    struct Fixed(&'static str, Result<Verdict, PolicyError>, FailurePolicy);

    impl Policy for Fixed {
        fn name(&self) -> &str {
            self.0
        }
        fn failure_policy(&self) -> FailurePolicy {
            self.2
        }
        fn admit(&self, _: &Request, _: &Context<'_>) -> Result<Verdict, PolicyError> {
            if self.0 == "panics" {
                panic!("a bug");
            }
            self.1.clone()
        }
    }

    fn run(policies: Vec<Fixed>) -> Response {
        let request = decode_request(
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE"}}"#,
        )
        .unwrap();
        let namespaces = StaticNamespaces::default();
        let context = Context {
            namespaces: &namespaces,
            existing_pods: None,
            deadline: None,
        };
        let policies = policies
            .into_iter()
            .map(|p| Arc::new(p) as Arc<dyn Policy>)
            .collect();
        Admission::new(policies).review(&request, &context).unwrap()
    }

    #[test]
    fn every_denial_is_reported_under_the_first_status() {
        let response = run(vec![
            Fixed(
                "a",
                Ok(Verdict::deny(Status::bad_request("first"))),
                FailurePolicy::Fail,
            ),
            Fixed(
                "b",
                Ok(Verdict {
                    warnings: vec!["w".into()],
                    ..Verdict::allow()
                }),
                FailurePolicy::Fail,
            ),
            Fixed(
                "c",
                Ok(Verdict::deny(Status::internal("second"))),
                FailurePolicy::Fail,
            ),
        ]);
        assert!(!response.allowed);
        let status = response.status.unwrap();
        assert_eq!(status.code, 400);
        assert_eq!(status.message, "first; Internal error occurred: second");
        assert_eq!(response.warnings, ["w"]);
    }

    #[test]
    fn a_policy_that_asks_for_pods_again_fails_instead_of_looping() {
        let request = decode_request(
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"UPDATE"}}"#,
        )
        .unwrap();
        let namespaces = StaticNamespaces::default();
        let admission = Admission::new(vec![Arc::new(Fixed(
            "greedy",
            Err(PolicyError::NeedsExistingPods("ns".into())),
            FailurePolicy::Fail,
        ))]);
        let mut context = Context {
            namespaces: &namespaces,
            existing_pods: None,
            deadline: None,
        };
        assert_eq!(
            admission.review(&request, &context).err().as_deref(),
            Some("ns")
        );
        let pods: ExistingPods = Ok(Vec::new());
        context.existing_pods = Some(&pods);
        let response = admission.review(&request, &context).unwrap();
        assert!(!response.allowed);
        assert_eq!(response.status.map(|s| s.code), Some(500));
    }

    #[test]
    fn a_failing_or_panicking_policy_denies_unless_it_ignores_failures() {
        let denied = run(vec![Fixed(
            "panics",
            Ok(Verdict::allow()),
            FailurePolicy::Fail,
        )]);
        assert!(!denied.allowed);
        assert_eq!(
            denied
                .audit_annotations
                .get("panics/error")
                .map(String::as_str),
            Some("policy \"panics\" failed: the policy panicked")
        );
        let ignored = run(vec![Fixed(
            "x",
            Err(PolicyError::Failed("boom".into())),
            FailurePolicy::Ignore,
        )]);
        assert!(ignored.allowed && ignored.status.is_none());
        assert_eq!(ignored.audit_annotations.len(), 1);
    }
}
