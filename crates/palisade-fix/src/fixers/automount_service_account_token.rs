//! `workload/automount-service-account-token`: the pod spec gets
//! `automountServiceAccountToken: false` where it is missing. A workload that
//! talks to the API server needs the token back (set `true` explicitly, which
//! this fix never overrides without `--unsafe`).

use palisade_core::{Node, Value};

use super::{Fixer, Planner, Scope, Site};
use crate::patch::NewValue;

pub static FIXER: Fixer = Fixer {
    rule: "workload/automount-service-account-token",
    scope: Scope::PodTemplate,
    unsafe_only: false,
    fix,
};

fn fix(site: &Site<'_>, plan: &mut Planner<'_>) {
    match site.spec.get("automountServiceAccountToken") {
        Some(Node {
            value: Value::Bool(false),
            ..
        }) => {}
        Some(
            node @ Node {
                value: Value::Bool(true),
                ..
            },
        ) => plan.flip_or_leave(node, "the pod's automountServiceAccountToken", false),
        Some(node) if !node.is_null() => plan.leave(
            node.pos,
            format!(
                "automountServiceAccountToken is a {}, not a boolean; set it by hand",
                node.type_name()
            ),
        ),
        _ => plan.ensure(
            site.spec,
            &["automountServiceAccountToken"],
            NewValue::Bool(false),
        ),
    }
}
