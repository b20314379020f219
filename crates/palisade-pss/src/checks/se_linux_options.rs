//! `seLinuxOptions` (baseline, from v1.0; `container_engine_t` allowed from v1.31).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "seLinuxOptions",
    level: Level::Baseline,
    versions: &[imp(0, v1_0), imp(31, v1_31)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// In pod- or container-level `seLinuxOptions`: a `type` other than empty,
        /// `container_t`, `container_init_t`, `container_kvm_t` (and, from v1.31,
        /// `container_engine_t`), or any non-empty `user` or `role`. `level` is allowed.
        ///
        /// ## Why it matters
        /// A custom SELinux type, user or role can lift the confinement that keeps a
        /// container from the node's files and processes.
        ///
        /// ## Failing example
        /// ```yaml
        /// spec:
        ///   securityContext:
        ///     seLinuxOptions: {type: spc_t}
        /// ```
        /// `seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t")`
        ///
        /// ## How to fix
        /// Remove seLinuxOptions.user and seLinuxOptions.role, and leave
        /// seLinuxOptions.type unset or use container_t, container_init_t,
        /// container_kvm_t (or container_engine_t from v1.31).
        id: "pss/seLinuxOptions",
        title: "Custom SELinux user, role or type is forbidden",
        severity: Severity::Medium,
        versions: "v1.0 and later (revised in v1.31)",
        depends_on: &["pss-level", "pss-version"],
    },
};

const TYPES_V1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const TYPES_V1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, TYPES_V1_0)
}

pub(crate) fn v1_31(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, TYPES_V1_31)
}

#[derive(Default)]
struct Findings<'a> {
    types: Vec<&'a str>,
    user: bool,
    role: bool,
    pos: Option<palisade_core::Pos>,
}

impl<'a> Findings<'a> {
    /// Records what is wrong with one options block; true when anything is.
    fn inspect(&mut self, options: &'a palisade_core::Node, allowed: &[&str]) -> bool {
        let mut bad = false;
        let selinux_type = str_or_empty(Some(options), "type");
        if !allowed.contains(&selinux_type) {
            self.types.push(selinux_type);
            bad = true;
        }
        if !str_or_empty(Some(options), "user").is_empty() {
            self.user = true;
            bad = true;
        }
        if !str_or_empty(Some(options), "role").is_empty() {
            self.role = true;
            bad = true;
        }
        if bad {
            self.pos = self.pos.or(at(options));
        }
        bad
    }
}

fn check(pod: &Pod<'_>, allowed: &[&str]) -> Option<Forbidden> {
    let mut findings = Findings::default();
    let pod_bad = object(pod.security_context(), "seLinuxOptions")
        .is_some_and(|options| findings.inspect(options, allowed));
    let mut containers = Vec::new();
    for c in pod.containers() {
        if let Some(options) = object(c.sc, "seLinuxOptions")
            && findings.inspect(options, allowed)
        {
            containers.push(c.name);
        }
    }
    if !pod_bad && containers.is_empty() {
        return None;
    }
    let mut setters = Setters::new();
    setters.pod(pod_bad).containers(&containers);
    let mut data = Vec::with_capacity(3);
    let types = sorted_set(findings.types);
    if !types.is_empty() {
        data.push(format!(
            "{} {}",
            plural(types.len(), "type", "types"),
            quote_list(&types)
        ));
    }
    if findings.user {
        data.push("user may not be set".to_owned());
    }
    if findings.role {
        data.push("role may not be set".to_owned());
    }
    Forbidden::new(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters.joined(),
            data.join("; ")
        ),
        findings.pos,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn everything_at_once() {
        let pod = json!({"spec": {"securityContext": {"seLinuxOptions": {"type": "foo", "level": "s0:c1"}},
            "containers": [
                {"name": "e", "securityContext": {"seLinuxOptions": {"user": "u"}}},
                {"name": "ok", "securityContext": {"seLinuxOptions": {"type": "container_t", "level": "s0"}}},
                {"name": "f", "securityContext": {"seLinuxOptions": {"role": "r", "type": "bar"}}}
            ],
            "ephemeralContainers": [{"name": "g", "securityContext": {"seLinuxOptions": {"type": "foo"}}}]}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"seLinuxOptions (pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set)"#
            )
        );
    }

    #[test]
    fn container_engine_t_from_v1_31() {
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}]}});
        assert_eq!(
            run(v1_0, pod.clone()).as_deref(),
            Some(
                r#"seLinuxOptions (container "a" set forbidden securityContext.seLinuxOptions: type "container_engine_t")"#
            )
        );
        assert_eq!(run(v1_31, pod), None);
    }
}
