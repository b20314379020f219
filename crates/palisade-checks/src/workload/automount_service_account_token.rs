//! `workload/automount-service-account-token`: pods that get an API token
//! mounted, deciding the way the kubelet does (the pod's field first, then the
//! ServiceAccount's).

use palisade_core::{Finding, Node, Rule, Severity};

use super::service_account::{pod_service_account, service_account_object};
use crate::context::{Context, describe_template, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A pod template whose containers get a ServiceAccount token mounted. The
    /// token is mounted unless the pod spec sets
    /// `automountServiceAccountToken: false`, or the pod leaves the field unset
    /// and its ServiceAccount, when the input defines it, sets
    /// `automountServiceAccountToken: false`. The pod's field wins over the
    /// account's, in both directions, as in Kubernetes.
    ///
    /// ## Why it matters
    /// Most applications never call the Kubernetes API, yet every container
    /// gets a token at `/var/run/secrets/kubernetes.io/serviceaccount`. Anyone
    /// who gets code execution in the container can use it with whatever RBAC
    /// the account has, and bindings granted to the account later apply to every
    /// pod that runs as it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   serviceAccountName: web
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## How to fix
    /// Set `automountServiceAccountToken: false` in the pod spec (or on the
    /// ServiceAccount, for every pod that uses it). Pods that do call the API
    /// can mount a short-lived, audience-bound token with a `projected`
    /// `serviceAccountToken` volume instead. `palisade fix` sets the pod field.
    id: "workload/automount-service-account-token",
    title: "a pod gets a service-account token mounted",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for template in context.pod_templates() {
        let pod_field = template.spec.get("automountServiceAccountToken");
        let account = pod_service_account(template);
        let reason = match pod_field.and_then(Node::as_bool) {
            Some(false) => continue,
            Some(true) => "automountServiceAccountToken is true".to_owned(),
            None => {
                let sa = service_account_object(context.inventory, template.object, account.name);
                let sa_field = sa
                    .and_then(|sa| sa.root().get("automountServiceAccountToken"))
                    .and_then(Node::as_bool);
                match (sa, sa_field) {
                    (_, Some(false)) => continue,
                    (Some(_), Some(true)) => format!(
                        "automountServiceAccountToken is unset and ServiceAccount {:?} sets it to true",
                        account.name
                    ),
                    (Some(_), None) => format!(
                        "automountServiceAccountToken is unset on the pod and on ServiceAccount {:?}",
                        account.name
                    ),
                    (None, _) => format!(
                        "automountServiceAccountToken is unset (ServiceAccount {:?} is not in the input)",
                        account.name
                    ),
                }
            }
        };
        out.push(
            finding(
                &RULE,
                template.object,
                pod_field.or(Some(template.spec)),
                format!(
                    "{} mounts a service-account token: {reason}",
                    describe_template(template)
                ),
            )
            .with_remediation(
                "Set automountServiceAccountToken: false in the pod spec (or on its ServiceAccount); mount a projected serviceAccountToken volume where the API is needed.",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn run(yaml: &str) -> Vec<palisade_core::Finding> {
        findings_of(super::RULES, super::check, yaml)
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_pod_spec() {
        let findings = run(r#"apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  serviceAccountName: web
  containers:
  - name: app
    image: registry.example/app:1.4.2
"#);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            r#"Pod web mounts a service-account token: automountServiceAccountToken is unset (ServiceAccount "web" is not in the input)"#
        );
        assert_eq!(findings[0].line_column(), Some((6, 3)));
    }

    #[test]
    fn the_pod_field_wins_over_the_service_account() {
        let yaml = r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: quiet, namespace: app}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: loud, namespace: app}
---
apiVersion: v1
kind: Pod
metadata: {name: inherits-false, namespace: app}
spec:
  serviceAccountName: quiet
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: overrides-to-true, namespace: app}
spec:
  serviceAccountName: quiet
  automountServiceAccountToken: true
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: overrides-to-false, namespace: app}
spec:
  serviceAccountName: loud
  automountServiceAccountToken: false
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: inherits-unset, namespace: app}
spec:
  serviceAccountName: loud
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: other-namespace, namespace: elsewhere}
spec:
  serviceAccountName: quiet
  containers: [{name: c, image: a:1}]
"#;
        let findings = run(yaml);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Pod app/overrides-to-true mounts a service-account token: automountServiceAccountToken is true",
                r#"Pod app/inherits-unset mounts a service-account token: automountServiceAccountToken is unset on the pod and on ServiceAccount "loud""#,
                r#"Pod elsewhere/other-namespace mounts a service-account token: automountServiceAccountToken is unset (ServiceAccount "quiet" is not in the input)"#,
            ]
        );
        // The explicit `true` is pointed at.
        assert_eq!(findings[0].line_column(), Some((23, 33)));
    }

    #[test]
    fn the_default_account_and_cronjob_templates_are_read() {
        let findings = run(r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: jobs}
automountServiceAccountToken: false
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: jobs}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: a:1}]
"#);
        assert!(findings.is_empty(), "{findings:?}");
    }
}
