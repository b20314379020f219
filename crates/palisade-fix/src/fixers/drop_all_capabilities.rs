//! `pss/capabilities_restricted`: every container drops `ALL` capabilities.
//! A missing `drop` list is added as `[ALL]`; an existing one keeps its items
//! and gains `ALL`. Added capabilities other than `NET_BIND_SERVICE` also fail
//! the rule, but which ones the workload needs is not the fix's to decide:
//! they are left with a note.

use palisade_core::{Node, Value};

use super::{Fixer, Planner, Scope, Site, container_name};
use crate::patch::NewValue;

pub static FIXER: Fixer = Fixer {
    rule: "pss/capabilities_restricted",
    scope: Scope::PodTemplate,
    unsafe_only: false,
    fix,
};

fn fix(site: &Site<'_>, plan: &mut Planner<'_>) {
    for container in &site.containers {
        match container.path(&["securityContext", "capabilities", "drop"]) {
            Some(Node {
                value: Value::Seq(items),
                ..
            }) if items.iter().any(|i| i.as_str() == Some("ALL")) => {}
            Some(
                list @ Node {
                    value: Value::Seq(_),
                    ..
                },
            ) => plan.append(list, "ALL"),
            Some(node) if !node.is_null() => plan.leave(
                node.pos,
                format!(
                    "{} securityContext.capabilities.drop is a {}, not a list; set it by hand",
                    container_name(container),
                    node.type_name()
                ),
            ),
            _ => plan.ensure(
                container,
                &["securityContext", "capabilities", "drop"],
                NewValue::List(vec!["ALL"]),
            ),
        }
        if let Some(added) = container.path(&["securityContext", "capabilities", "add"]) {
            let extra: Vec<String> = added
                .items()
                .filter(|c| c.as_str() != Some("NET_BIND_SERVICE"))
                .map(|c| {
                    c.as_str()
                        .map_or_else(|| c.type_name().to_owned(), str::to_owned)
                })
                .collect();
            if !extra.is_empty() {
                plan.leave(
                    added.pos,
                    format!(
                        "{} adds capabilities {}; remove the ones it does not need by hand",
                        container_name(container),
                        extra.join(", ")
                    ),
                );
            }
        }
    }
}
