//! `pss/allowPrivilegeEscalation`: every container gets
//! `securityContext.allowPrivilegeEscalation: false` where it is missing.

use palisade_core::{Node, Value};

use super::{Fixer, Planner, Scope, Site, container_name, security_field};
use crate::patch::NewValue;

pub static FIXER: Fixer = Fixer {
    rule: "pss/allowPrivilegeEscalation",
    scope: Scope::PodTemplate,
    unsafe_only: false,
    fix,
};

fn fix(site: &Site<'_>, plan: &mut Planner<'_>) {
    for container in &site.containers {
        set_false(container, "allowPrivilegeEscalation", plan);
    }
}

/// Adds `securityContext.<field>: false` to a container, or flips an explicit
/// `true` under `--unsafe`.
pub(super) fn set_false(container: &Node, field: &'static str, plan: &mut Planner<'_>) {
    match security_field(container, field) {
        Some(Node {
            value: Value::Bool(false),
            ..
        }) => {}
        Some(
            node @ Node {
                value: Value::Bool(true),
                ..
            },
        ) => plan.flip_or_leave(
            node,
            &format!("{} securityContext.{field}", container_name(container)),
            false,
        ),
        Some(node) if !node.is_null() => plan.leave(
            node.pos,
            format!(
                "{} securityContext.{field} is a {}, not a boolean; set it by hand",
                container_name(container),
                node.type_name()
            ),
        ),
        _ => plan.ensure(
            container,
            &["securityContext", field],
            NewValue::Bool(false),
        ),
    }
}
