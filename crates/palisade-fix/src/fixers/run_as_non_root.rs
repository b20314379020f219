//! `pss/runAsNonRoot`: the pod's `securityContext.runAsNonRoot: true`.
//!
//! Set at pod level, where it covers every container at once (Pod Security
//! accepts a pod-level `true` when no container sets `false`). A container
//! that sets `false` explicitly blocks that; under `--unsafe` its value is
//! flipped, else the fix leaves the whole template with a note rather than
//! add a pod-level field that would not satisfy the rule.

use palisade_core::{Node, Value};

use super::{Fixer, Planner, Scope, Site, container_name, security_field};
use crate::patch::NewValue;

pub static FIXER: Fixer = Fixer {
    rule: "pss/runAsNonRoot",
    scope: Scope::PodTemplate,
    unsafe_only: false,
    fix,
};

fn fix(site: &Site<'_>, plan: &mut Planner<'_>) {
    let blockers: Vec<(&Node, &Node)> = site
        .containers
        .iter()
        .filter_map(|c| {
            security_field(c, "runAsNonRoot")
                .filter(|v| v.as_bool() == Some(false))
                .map(|v| (*c, v))
        })
        .collect();
    if !blockers.is_empty() && !plan.unsafe_edits {
        for (container, value) in blockers {
            plan.flip_or_leave(
                value,
                &format!("{} securityContext.runAsNonRoot", container_name(container)),
                true,
            );
        }
        return;
    }
    for (_, value) in blockers {
        plan.flip_or_leave(value, "runAsNonRoot", true);
    }
    match security_field(site.spec, "runAsNonRoot") {
        Some(Node {
            value: Value::Bool(true),
            ..
        }) => {}
        Some(
            node @ Node {
                value: Value::Bool(false),
                ..
            },
        ) => plan.flip_or_leave(node, "the pod's securityContext.runAsNonRoot", true),
        Some(node) if !node.is_null() => plan.leave(
            node.pos,
            format!(
                "the pod's securityContext.runAsNonRoot is a {}, not a boolean; set it by hand",
                node.type_name()
            ),
        ),
        _ => plan.ensure(
            site.spec,
            &["securityContext", "runAsNonRoot"],
            NewValue::Bool(true),
        ),
    }
}
