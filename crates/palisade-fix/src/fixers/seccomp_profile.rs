//! `pss/seccompProfile_restricted`: the pod's
//! `securityContext.seccompProfile.type: RuntimeDefault`, at pod level so that
//! it covers every container. A container or pod that names another profile
//! explicitly (`Unconfined`) is left with a note: choosing a profile for it is
//! not the fix's to do.

use palisade_core::Node;

use super::{Fixer, Planner, Scope, Site, container_name};
use crate::patch::NewValue;

pub static FIXER: Fixer = Fixer {
    rule: "pss/seccompProfile_restricted",
    scope: Scope::PodTemplate,
    unsafe_only: false,
    fix,
};

/// The profile types Pod Security's restricted level accepts.
fn allowed(kind: Option<&Node>) -> bool {
    matches!(
        kind.and_then(Node::as_str),
        Some("RuntimeDefault" | "Localhost")
    )
}

fn fix(site: &Site<'_>, plan: &mut Planner<'_>) {
    let mut blocked = false;
    for container in &site.containers {
        if let Some(kind) = container.path(&["securityContext", "seccompProfile", "type"])
            && !kind.is_null()
            && !allowed(Some(kind))
        {
            plan.leave(
                kind.pos,
                format!("{} sets seccompProfile.type explicitly; choose an allowed profile (RuntimeDefault or Localhost) by hand", container_name(container)),
            );
            blocked = true;
        }
    }
    let pod_type = site
        .spec
        .path(&["securityContext", "seccompProfile", "type"]);
    match pod_type {
        Some(kind) if !kind.is_null() && !allowed(Some(kind)) => plan.leave(
            kind.pos,
            "the pod sets seccompProfile.type explicitly; choose an allowed profile (RuntimeDefault or Localhost) by hand".to_owned(),
        ),
        Some(kind) if allowed(Some(kind)) => {}
        _ if blocked => {}
        _ => plan.ensure(
            site.spec,
            &["securityContext", "seccompProfile", "type"],
            NewValue::Word("RuntimeDefault"),
        ),
    }
}
