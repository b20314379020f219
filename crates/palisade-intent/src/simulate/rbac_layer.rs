//! The first layer of `simulate`: may the identity write the object? The
//! write verb is `create`, or `update` when the cluster already holds the
//! object; the authorizer decides it with its reason. Writes of Roles,
//! ClusterRoles and their bindings then pass the API server's escalation
//! prevention (SPEC §9): `escalate` on the role or every permission it
//! grants for a role, `bind` on the referenced role or every permission of
//! that role for a binding.

use palisade_core::{Inventory, Object};
use palisade_rbac::{
    AdmitReason, Discovery, Operation, Policy, Reason, Request, ResourceAttributes, UserInfo,
};
use serde::Serialize;

/// The RBAC layer's answer.
#[derive(Clone, Debug, Serialize)]
pub struct RbacLayer {
    /// `create` or `update`.
    pub verb: String,
    /// The request as RBAC sees it (`create pods in production`).
    pub request: String,
    pub allowed: bool,
    pub explanation: String,
    /// For RBAC objects: the escalation check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
    /// Set when the object's namespace does not exist in the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The escalation prevention on an RBAC write.
#[derive(Clone, Debug, Serialize)]
pub struct Escalation {
    pub allowed: bool,
    pub explanation: String,
}

/// Decides the write of `object` by `user`; `old` is the cluster's object it replaces.
pub fn decide(
    policy: &Policy,
    inventory: &Inventory,
    user: &UserInfo,
    object: &Object,
    old: Option<&Object>,
    default_namespace: &str,
) -> RbacLayer {
    let operation = if old.is_some() {
        Operation::Update
    } else {
        Operation::Create
    };
    let verb = operation.verb().to_owned();
    let discovery = Discovery::new(policy.custom_resources());
    let group = object.group();
    let Some(resource) = discovery
        .resources()
        .iter()
        .find(|r| r.group == group && r.kind == object.kind())
    else {
        return RbacLayer {
            request: format!("{verb} {}", object.kind()),
            verb,
            allowed: false,
            explanation: format!(
                "no matches for kind {:?} in version {:?}: the cluster serves no such resource",
                object.kind(),
                object.api_version()
            ),
            escalation: None,
            note: None,
        };
    };
    let namespace = if resource.namespaced {
        object.namespace().unwrap_or(default_namespace).to_owned()
    } else {
        String::new()
    };
    let name = if operation == Operation::Update {
        object.name()
    } else {
        ""
    };
    let request = Request::Resource(
        ResourceAttributes::new(&verb, &resource.group, &resource.plural, &namespace)
            .with_name(name),
    );
    let decision = policy.authorize(user, &request);
    let explanation = match &decision.reason {
        Reason::PrivilegedGroup => "allowed: system:masters is authorized before RBAC".to_owned(),
        Reason::Rule(grant) => format!("allowed by {}", policy.describe(grant)),
        Reason::NoMatch => format!(
            "forbidden: no RBAC rule allows {} for {}",
            request.display(),
            crate::subject::describe(user)
        ),
    };
    let escalation = decision
        .allowed
        .then(|| escalation(policy, user, operation, object, old))
        .flatten();
    let allowed = decision.allowed && escalation.as_ref().is_none_or(|e| e.allowed);
    let note = (!namespace.is_empty() && inventory.namespace(&namespace).is_none()).then(|| {
        format!("namespace {namespace} does not exist in the cluster (no Namespace object, none declared): admission refuses the object")
    });
    let existing = match operation {
        Operation::Update => " (the cluster holds this object: update)",
        Operation::Create => " (the cluster does not hold this object: create)",
    };
    RbacLayer {
        request: format!("{}{existing}", request.display()),
        verb,
        allowed,
        explanation,
        escalation,
        note,
    }
}

/// The escalation check of a Role, ClusterRole or binding write; `None` for other kinds.
fn escalation(
    policy: &Policy,
    user: &UserInfo,
    operation: Operation,
    object: &Object,
    old: Option<&Object>,
) -> Option<Escalation> {
    let decision = policy.admit(user, operation, object, old);
    let explanation = match decision.reason {
        AdmitReason::NotRbac => return None,
        AdmitReason::WriteNotAuthorized(request) => format!("the write itself is not authorized: {}", request.display()),
        AdmitReason::PrivilegedGroup => "system:masters bypasses escalation prevention".to_owned(),
        AdmitReason::SpecialVerb(request) => format!("allowed: the identity may {}", request.display()),
        AdmitReason::Covered => "allowed: the identity already holds every permission the object grants".to_owned(),
        AdmitReason::NotCovered(missing) => {
            let rules: Vec<String> = missing.iter().map(|r| r.summary()).collect();
            format!(
                "forbidden: attempting to grant RBAC permissions not currently held (and no escalate or bind): {}",
                rules.join("; ")
            )
        }
        AdmitReason::AggregationNeedsFullAuthority => {
            "forbidden: an aggregating ClusterRole needs full authority (* on everything) or escalate".to_owned()
        }
        AdmitReason::MissingRole => "forbidden: the referenced role does not exist, so its permissions cannot be held (and no bind)".to_owned(),
    };
    Some(Escalation {
        allowed: decision.allowed,
        explanation,
    })
}
