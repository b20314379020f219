//! `workload/read-only-root-filesystem`: the container the finding names gets
//! `securityContext.readOnlyRootFilesystem: true` where it is missing. The
//! application may then need `emptyDir` mounts where it writes, which no fix
//! can know; the rule's documentation says so.

use palisade_core::{Node, Value};

use super::{Fixer, Planner, Scope, Site, container_name, security_field};
use crate::patch::NewValue;

pub static FIXER: Fixer = Fixer {
    rule: "workload/read-only-root-filesystem",
    scope: Scope::Container,
    unsafe_only: false,
    fix,
};

fn fix(site: &Site<'_>, plan: &mut Planner<'_>) {
    for container in &site.containers {
        match security_field(container, "readOnlyRootFilesystem") {
            Some(Node { value: Value::Bool(true), .. }) => {}
            Some(node @ Node { value: Value::Bool(false), .. }) => plan.flip_or_leave(
                node,
                &format!("{} securityContext.readOnlyRootFilesystem", container_name(container)),
                true,
            ),
            Some(node) if !node.is_null() => plan.leave(
                node.pos,
                format!("{} securityContext.readOnlyRootFilesystem is a {}, not a boolean; set it by hand", container_name(container), node.type_name()),
            ),
            _ => plan.ensure(container, &["securityContext", "readOnlyRootFilesystem"], NewValue::Bool(true)),
        }
    }
}
