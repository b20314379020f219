//! `resources/readiness-probe-missing` and `resources/liveness-probe-missing`.
//!
//! Regular containers of long-running pods only: init containers (sidecars
//! included) and ephemeral containers are skipped, as are Jobs, CronJobs and
//! pods whose `restartPolicy` is `Never` or `OnFailure`, which run to completion
//! and are not put behind a Service.

use palisade_core::{Finding, Rule, Severity};

use super::support::runs_to_completion;
use crate::context::{ContainerKind, Context};

pub static READINESS: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container of a long-running workload with no `readinessProbe`.
    /// Init and ephemeral containers and pods that run to completion (Jobs,
    /// CronJobs, `restartPolicy: Never` or `OnFailure`) are skipped.
    ///
    /// ## Why it matters
    /// Without a readiness probe a pod receives Service traffic as soon as its
    /// containers start, before the application can answer, and keeps receiving
    /// it when the application stops answering: rollouts and overloads turn into
    /// failed requests.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: web
    ///   image: registry.example/web:2.0
    ///   ports: [{name: http, containerPort: 8080}]
    /// ```
    ///
    /// ## How to fix
    /// Add a `readinessProbe` that answers only when the application can serve,
    /// for example `httpGet: {path: /ready, port: http}`.
    id: "resources/readiness-probe-missing",
    title: "a container has no readiness probe",
    severity: Severity::Low,
};

pub static LIVENESS: Rule = palisade_core::rule! {
    /// Off by default: a missing liveness probe is often the right choice. A
    /// liveness probe that checks dependencies or times out under load restarts
    /// healthy pods and turns a slowdown into an outage; many applications
    /// crash when they are broken, which the kubelet already handles.
    ///
    /// ## What it flags
    /// A container of a long-running workload with no `livenessProbe`. Init and
    /// ephemeral containers and pods that run to completion are skipped.
    ///
    /// ## Why it matters
    /// A process that deadlocks without exiting keeps its pod running and
    /// useless until someone notices; a liveness probe makes the kubelet restart
    /// it.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: web
    ///   image: registry.example/web:2.0
    /// ```
    ///
    /// ## How to fix
    /// Add a `livenessProbe` that checks only the process itself (not its
    /// dependencies), with a generous `failureThreshold`.
    id: "resources/liveness-probe-missing",
    title: "a container has no liveness probe",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&READINESS, &LIVENESS];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        if container.kind != ContainerKind::Container || runs_to_completion(&container.template) {
            continue;
        }
        for (rule, field) in [(&READINESS, "readinessProbe"), (&LIVENESS, "livenessProbe")] {
            if container.get(&[field]).is_some_and(|probe| !probe.is_null()) {
                continue;
            }
            out.push(
                container
                    .finding(rule, None, format!("{}: no {field}", container.describe()))
                    .with_remediation(format!(
                        "Add a {field} to the container (httpGet, tcpSocket, grpc or exec)."
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn long_running_containers_only() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      initContainers: [{name: migrate, image: a:1}]
      containers:
      - name: web
        image: registry.example/web:2.0
        ports: [{name: http, containerPort: 8080}]
      - name: probed
        image: a:1
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        livenessProbe: {tcpSocket: {port: 8080}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: shop}
spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: a:1}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: task, namespace: shop}
spec: {restartPolicy: OnFailure, containers: [{name: c, image: a:1}]}
"#,
        );
        let got: Vec<(&str, &str)> = findings.iter().map(|f| (f.rule.as_str(), f.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ("resources/readiness-probe-missing", r#"container "web" of Deployment shop/web: no readinessProbe"#),
                ("resources/liveness-probe-missing", r#"container "web" of Deployment shop/web: no livenessProbe"#),
            ]
        );
        assert_eq!(findings[0].line_column(), Some((10, 9)));
    }
}
