//! `procMount_restricted` (restricted, from v1.35; replaces `procMount` at the
//! restricted level).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "procMount_restricted",
    level: Level::Restricted,
    versions: &[imp_over(35, v1_35, &["procMount"])],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// `securityContext.procMount` set to anything but `Default`, also in pods with
        /// `hostUsers: false` (which the baseline `procMount` check exempts from v1.35).
        ///
        /// ## Why it matters
        /// Even inside a user namespace, an unmasked /proc exposes more of the kernel
        /// than the restricted profile allows.
        ///
        /// ## Failing example
        /// ```yaml
        /// spec:
        ///   hostUsers: false
        ///   containers:
        ///   - name: app
        ///     securityContext: {procMount: Unmasked}
        /// ```
        /// `procMount (container "app" must not set securityContext.procMount to "Unmasked")`
        ///
        /// ## How to fix
        /// Remove securityContext.procMount or set it to Default.
        id: "pss/procMount_restricted",
        title: "The default /proc mount must be used, even in a user namespace",
        severity: Severity::High,
        versions: "v1.35 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};
use super::proc_mount;

pub(crate) fn v1_35(pod: &Pod<'_>) -> Option<Forbidden> {
    proc_mount::strict(pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn user_namespace_pods_are_not_exempt() {
        let pod = json!({"spec": {"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}});
        assert_eq!(
            run(v1_35, pod).as_deref(),
            Some(
                r#"procMount (container "a" must not set securityContext.procMount to "Unmasked")"#
            )
        );
    }
}
