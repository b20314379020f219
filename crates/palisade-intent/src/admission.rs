//! `admitted` and `rejected`, decided by `palisade-admission` as `palisade
//! admit` decides them: Pod Security by the namespace's labels, then the
//! policies the caller built (Gatekeeper, ValidatingAdmissionPolicy, Kyverno).
//! The explanation is the admission response's message, upstream's text.

use palisade_admission::{Admission, Response};
use palisade_rbac::{Discovery, UserInfo};

use crate::cluster::{AdmissionCluster, Write, request_for};
use crate::model::AdmissionCase;

/// What admission answered for one object, with the policies that denied it.
pub struct Answer {
    pub response: Response,
    /// Each policy that denies the request on its own: its name and message.
    pub deniers: Vec<(String, String)>,
}

impl Answer {
    /// The denial message (empty when admitted).
    pub fn message(&self) -> &str {
        self.response
            .status
            .as_ref()
            .map(|s| s.message.as_str())
            .unwrap_or("")
    }

    /// Whether `by` denied it: `pod-security` (or another policy engine's
    /// name), or the name of a constraint (`[name]` in Gatekeeper's lines), a
    /// ValidatingAdmissionPolicy or its binding (`'name'`), or a Kyverno
    /// policy (`name:` opening a line of its blocked message).
    pub fn denied_by(&self, by: &str) -> bool {
        self.deniers.iter().any(|(engine, message)| {
            engine == by
                || message.contains(&format!("[{by}]"))
                || message.contains(&format!("'{by}'"))
                || message.lines().any(|line| {
                    line.strip_prefix(by)
                        .is_some_and(|rest| rest.starts_with(':'))
                })
        })
    }
}

/// Runs `write` through `admission`, then each policy alone to learn which deny.
pub fn review(
    admission: &Admission,
    cluster: &AdmissionCluster,
    discovery: &Discovery,
    write: &Write,
) -> Result<Answer, String> {
    let request = request_for(write, discovery)?;
    let response = cluster.review(admission, &request);
    let mut deniers = Vec::new();
    if !response.allowed {
        for policy in admission.policies() {
            let alone = Admission::new(vec![policy.clone()]);
            let verdict = cluster.review(&alone, &request);
            if !verdict.allowed {
                let message = verdict.status.map(|s| s.message).unwrap_or_default();
                deniers.push((policy.name().to_owned(), message));
            }
        }
    }
    Ok(Answer { response, deniers })
}

/// `admitted` (`expect_admitted`) or `rejected`: whether it holds, and the explanation.
pub fn decide(
    admission: &Admission,
    cluster: &AdmissionCluster,
    discovery: &Discovery,
    case: &AdmissionCase,
    expect_admitted: bool,
    uid: String,
) -> Result<(bool, String), String> {
    // A named user is authenticated, as for can/cannot: policies that match
    // on groups see the same identity in both kinds of expectation.
    let user = UserInfo {
        name: case.user.clone().unwrap_or_default(),
        groups: case
            .user
            .as_ref()
            .map(|_| vec![palisade_rbac::identity::AUTHENTICATED.to_owned()])
            .unwrap_or_default(),
    };
    let write = Write {
        object: &case.object,
        old: case.old_object.as_ref(),
        operation: case.operation.as_str(),
        default_namespace: case.namespace.as_deref().unwrap_or("default"),
        user: &user,
        uid,
    };
    let answer = review(admission, cluster, discovery, &write)
        .map_err(|e| format!("{}: {e}", case.object_at.origin()))?;
    if answer.response.allowed {
        let warnings = if answer.response.warnings.is_empty() {
            String::new()
        } else {
            format!(" (warnings: {})", answer.response.warnings.join("; "))
        };
        return Ok((expect_admitted, format!("admitted{warnings}")));
    }
    let message = answer.message().to_owned();
    if expect_admitted {
        return Ok((false, format!("rejected: {message}")));
    }
    if let Some(by) = &case.by
        && !answer.denied_by(by)
    {
        let who: Vec<&str> = answer
            .deniers
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        return Ok((
            false,
            format!(
                "rejected, but not by {by} (denied by {}): {message}",
                who.join(", ")
            ),
        ));
    }
    if let Some(expected) = &case.message
        && !message.contains(expected.as_str())
    {
        return Ok((
            false,
            format!("rejected, but the message does not contain {expected:?}: {message}"),
        ));
    }
    Ok((true, format!("rejected: {message}")))
}
