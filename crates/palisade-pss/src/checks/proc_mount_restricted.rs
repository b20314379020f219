//! `procMount_restricted` (restricted, from v1.35; replaces `procMount` at the
//! restricted level).
//!
//! ## What it forbids
//! `securityContext.procMount` set to anything but `Default`, also in pods with
//! `hostUsers: false` (which the baseline `procMount` check exempts from v1.35).
//!
//! ## Why it matters
//! Even inside a user namespace, an unmasked /proc exposes more of the kernel
//! than the restricted profile allows.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   hostUsers: false
//!   containers:
//!   - name: app
//!     securityContext: {procMount: Unmasked}
//! ```
//! `procMount (container "app" must not set securityContext.procMount to "Unmasked")`
//!
//! ## How to fix
//! Remove `procMount` or set it to `Default`.

use super::prelude::*;
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
