//! `pss/privileged` (only with `--unsafe`): `securityContext.privileged: true`
//! becomes `false`. A privileged container usually is so on purpose (device
//! access, CNI and storage agents), so this is never done unasked.

use palisade_core::{Node, Value};

use super::{Fixer, Planner, Scope, Site, container_name, security_field};

pub static FIXER: Fixer = Fixer {
    rule: "pss/privileged",
    scope: Scope::PodTemplate,
    unsafe_only: true,
    fix,
};

fn fix(site: &Site<'_>, plan: &mut Planner<'_>) {
    for container in &site.containers {
        if let Some(
            node @ Node {
                value: Value::Bool(true),
                ..
            },
        ) = security_field(container, "privileged")
        {
            plan.flip_or_leave(
                node,
                &format!("{} securityContext.privileged", container_name(container)),
                false,
            );
        }
    }
}
