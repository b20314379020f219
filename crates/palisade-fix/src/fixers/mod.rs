//! The fixers: one file per rule they satisfy, each keyed by that rule's id so
//! that what `fix` changes is exactly what `scan` reported (after selections
//! and suppressions), and listed once in [`FIXERS`].
//!
//! What is safe to do unasked: a fixer only *adds* a hardening field that is
//! missing. A field set explicitly to the insecure value (`privileged: true`,
//! `allowPrivilegeEscalation: true`, `runAsNonRoot: false`, ...) was most
//! likely written on purpose, and flipping it may stop the workload from
//! running; such values are replaced only with `--unsafe`, and otherwise
//! reported as left for a person. Values a fix cannot choose (which
//! capabilities to stop adding, a seccomp profile other than the default) are
//! always left, with a note.

mod allow_privilege_escalation;
mod automount_service_account_token;
mod drop_all_capabilities;
mod privileged;
mod read_only_root_filesystem;
mod run_as_non_root;
mod seccomp_profile;

use palisade_core::{Node, Pos, Value};

use crate::patch::{NewValue, Patch, path_to};

/// What one finding of a rule names, and so what its fix edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The pod template: the fix looks at the pod spec and all its containers.
    PodTemplate,
    /// One container: the one the finding points at.
    Container,
}

/// A fix for one rule.
pub struct Fixer {
    pub rule: &'static str,
    pub scope: Scope,
    /// Only with `--unsafe`: the rule is fixed by replacing explicit values.
    pub unsafe_only: bool,
    pub fix: fn(&Site<'_>, &mut Planner<'_>),
}

/// Every fixer. The default-deny NetworkPolicies are written by
/// [`crate::default_deny`], which adds documents rather than editing objects.
pub static FIXERS: &[&Fixer] = &[
    &allow_privilege_escalation::FIXER,
    &drop_all_capabilities::FIXER,
    &run_as_non_root::FIXER,
    &seccomp_profile::FIXER,
    &read_only_root_filesystem::FIXER,
    &automount_service_account_token::FIXER,
    &privileged::FIXER,
];

/// The fixer for a rule id.
pub fn fixer(rule: &str) -> Option<&'static Fixer> {
    FIXERS.iter().copied().find(|f| f.rule == rule)
}

/// Where one finding's fix applies.
pub struct Site<'a> {
    /// The pod spec.
    pub spec: &'a Node,
    /// The containers the fix covers: all of the template's (containers, init
    /// and ephemeral ones) or the one the finding names.
    pub containers: Vec<&'a Node>,
}

/// Collects one object's changes and the notes about what was left.
pub struct Planner<'a> {
    pub root: &'a Node,
    pub patch: &'a mut Patch,
    /// Why something was left: the position it is about and the reason.
    pub left: Vec<(Pos, String)>,
    pub unsafe_edits: bool,
}

impl Planner<'_> {
    /// Makes sure `node` has `path` (keys below it) with `leaf` at its end,
    /// adding whatever is missing; an existing leaf is left as it is.
    pub fn ensure(&mut self, node: &Node, path: &[&'static str], leaf: NewValue) {
        let mut current = node;
        for (depth, key) in path.iter().enumerate() {
            match current.get(key) {
                Some(child) if depth + 1 == path.len() => {
                    if child.is_null() {
                        self.leave(
                            child.pos.max(current.pos),
                            format!(
                                "`{key}` is present but empty; set {} by hand",
                                dotted(path, &leaf)
                            ),
                        );
                    }
                    return;
                }
                Some(child) if matches!(child.value, Value::Map(_)) => current = child,
                Some(child) => {
                    let what = if child.is_null() {
                        "empty"
                    } else {
                        child.type_name()
                    };
                    self.leave(
                        child.pos.max(current.pos),
                        format!(
                            "`{key}` is {what}, not a mapping this fix can add to; set {} by hand",
                            dotted(path, &leaf)
                        ),
                    );
                    return;
                }
                None => {
                    let Some(at) = path_to(self.root, current) else {
                        return;
                    };
                    let value = path[depth + 1..]
                        .iter()
                        .rev()
                        .fold(leaf, |inner, k| NewValue::Map(vec![(k, inner)]));
                    self.patch.insert(at, key, value);
                    return;
                }
            }
        }
    }

    /// An explicit value that the rule wants otherwise: flipped with
    /// `--unsafe`, else left with a note.
    pub fn flip_or_leave(&mut self, node: &Node, field: &str, wanted: bool) {
        if self.unsafe_edits
            && let Some(at) = path_to(self.root, node)
        {
            self.patch.set_bool(at, wanted);
            return;
        }
        self.leave(
            node.pos,
            format!("{field} is set to {} explicitly; not changed without --unsafe (changing it may stop the workload from running)", !wanted),
        );
    }

    /// Appends `item` to the sequence `list`.
    pub fn append(&mut self, list: &Node, item: &'static str) {
        if let Some(at) = path_to(self.root, list) {
            self.patch.append(at, item);
        }
    }

    pub fn leave(&mut self, pos: Pos, reason: String) {
        self.left.push((pos, reason));
    }
}

/// `securityContext.runAsNonRoot: true`, for notes.
fn dotted(path: &[&str], leaf: &NewValue) -> String {
    format!("{}: {}", path.join("."), leaf.describe())
}

/// The `securityContext` field of a container or pod spec.
pub fn security_field<'a>(node: &'a Node, field: &str) -> Option<&'a Node> {
    node.path(&["securityContext", field])
}

/// A short name for a container in notes: `container "app"`.
pub fn container_name(container: &Node) -> String {
    format!(
        "container {:?}",
        container.get("name").and_then(Node::as_str).unwrap_or("")
    )
}
