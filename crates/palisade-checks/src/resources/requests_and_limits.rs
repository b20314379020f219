//! `resources/cpu-request-missing`, `resources/memory-request-missing`,
//! `resources/memory-limit-missing`, `resources/cpu-limit-missing` and
//! `resources/ephemeral-storage-limit-missing`: one walk over the containers
//! decides all five, resolving what the API server would fill in.
//!
//! A value counts as set when the container writes it or when admission fills
//! it in: a request defaults to the container's own limit, a LimitRange of the
//! input in the same namespace supplies `default` (limits, and requests when it
//! has no `defaultRequest`) and `defaultRequest` (requests), and pod-level
//! `spec.resources` covers every container. Init containers are checked (they
//! are scheduled and run like the others); ephemeral containers are not (the
//! API forbids resources on them).

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{Container, ContainerKind, Context};

pub static CPU_REQUEST: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container or init container with no CPU request, where neither its own
    /// CPU limit, a LimitRange of the input in its namespace, nor pod-level
    /// `spec.resources` supplies one.
    ///
    /// ## Why it matters
    /// The scheduler places pods by their requests. A container without a CPU
    /// request is scheduled as if it needed nothing, lands on busy nodes, and is
    /// the first to be starved when the node is under pressure.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   resources:
    ///     requests: {memory: 128Mi}
    /// ```
    ///
    /// ## How to fix
    /// Set `resources.requests.cpu` to what the container uses under normal load
    /// (`100m`, `500m`), or give the namespace a LimitRange with a
    /// `defaultRequest`.
    id: "resources/cpu-request-missing",
    title: "a container has no CPU request",
    severity: Severity::Low,
};

pub static MEMORY_REQUEST: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container or init container with no memory request, where neither its
    /// own memory limit, a LimitRange of the input in its namespace, nor
    /// pod-level `spec.resources` supplies one.
    ///
    /// ## Why it matters
    /// Without a memory request the scheduler assumes the container needs no
    /// memory; nodes get overcommitted and, under memory pressure, the kubelet
    /// evicts pods without requests first.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   resources:
    ///     requests: {cpu: 100m}
    /// ```
    ///
    /// ## How to fix
    /// Set `resources.requests.memory` to the container's working set
    /// (`256Mi`), or give the namespace a LimitRange with a `defaultRequest`.
    id: "resources/memory-request-missing",
    title: "a container has no memory request",
    severity: Severity::Low,
};

pub static MEMORY_LIMIT: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container or init container with no memory limit, where neither a
    /// LimitRange of the input in its namespace (`default`) nor pod-level
    /// `spec.resources.limits` supplies one.
    ///
    /// ## Why it matters
    /// Memory cannot be throttled: a container without a limit can grow until the
    /// node runs out and the kernel's OOM killer picks victims among all the pods
    /// on it. A leak or a memory-exhaustion attack in one workload then takes
    /// down its neighbours.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   resources:
    ///     requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## How to fix
    /// Set `resources.limits.memory` (commonly equal to the request), or give
    /// the namespace a LimitRange with a `default` memory limit.
    id: "resources/memory-limit-missing",
    title: "a container has no memory limit",
    severity: Severity::Medium,
};

pub static CPU_LIMIT: Rule = palisade_core::rule! {
    /// Off by default: CPU is compressible, and a CPU limit throttles a
    /// container through CFS quotas even when the node has idle CPU, which
    /// shows up as latency spikes. Much current guidance (and kube-linter's
    /// defaults) is to set CPU requests and no CPU limit; turn this rule on
    /// where a policy (a ResourceQuota on `limits.cpu`, multi-tenant clusters)
    /// requires limits.
    ///
    /// ## What it flags
    /// A container or init container with no CPU limit, where neither a
    /// LimitRange of the input in its namespace (`default`) nor pod-level
    /// `spec.resources.limits` supplies one.
    ///
    /// ## Why it matters
    /// Without a CPU limit a busy or compromised container can use every idle CPU
    /// of the node; in clusters shared between tenants, a ResourceQuota on
    /// `limits.cpu` also rejects pods without one.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   resources:
    ///     requests: {cpu: 100m, memory: 128Mi}
    ///     limits: {memory: 128Mi}
    /// ```
    ///
    /// ## How to fix
    /// Set `resources.limits.cpu`, or give the namespace a LimitRange with a
    /// `default` CPU limit.
    id: "resources/cpu-limit-missing",
    title: "a container has no CPU limit",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub static EPHEMERAL_STORAGE_LIMIT: Rule = palisade_core::rule! {
    /// Off by default: few workloads set it, and the kubelet's node-pressure
    /// eviction already protects the node.
    ///
    /// ## What it flags
    /// A container or init container with no `ephemeral-storage` limit, where
    /// neither a LimitRange of the input in its namespace nor pod-level
    /// `spec.resources.limits` supplies one.
    ///
    /// ## Why it matters
    /// Logs, `emptyDir` volumes and the writable layer share the node's disk. A
    /// container that fills it makes the kubelet evict pods by disk pressure;
    /// with a limit only the offending pod is evicted.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   resources:
    ///     limits: {memory: 128Mi}
    /// ```
    ///
    /// ## How to fix
    /// Set `resources.limits.ephemeral-storage` (`1Gi`).
    id: "resources/ephemeral-storage-limit-missing",
    title: "a container has no ephemeral-storage limit",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[
    &CPU_REQUEST,
    &MEMORY_REQUEST,
    &CPU_LIMIT,
    &MEMORY_LIMIT,
    &EPHEMERAL_STORAGE_LIMIT,
];

/// Requests or limits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Request,
    Limit,
}

/// Each rule: the resource and whether it asks for a request or a limit.
const ASKS: [(&Rule, &str, Kind); 5] = [
    (&CPU_REQUEST, "cpu", Kind::Request),
    (&MEMORY_REQUEST, "memory", Kind::Request),
    (&CPU_LIMIT, "cpu", Kind::Limit),
    (&MEMORY_LIMIT, "memory", Kind::Limit),
    (&EPHEMERAL_STORAGE_LIMIT, "ephemeral-storage", Kind::Limit),
];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        if container.kind == ContainerKind::Ephemeral {
            continue;
        }
        let defaults = limit_range_defaults(context, &container);
        for (rule, resource, kind) in ASKS {
            if is_supplied(&container, &defaults, resource, kind) {
                continue;
            }
            let field = match kind {
                Kind::Request => "requests",
                Kind::Limit => "limits",
            };
            out.push(
                container
                    .finding(
                        rule,
                        container.get(&["resources"]),
                        format!("{}: resources.{field}.{resource} is not set", container.describe()),
                    )
                    .with_remediation(format!(
                        "Set resources.{field}.{resource} on the container, or give the namespace a LimitRange that supplies it."
                    )),
            );
        }
    }
}

/// What the namespace's LimitRanges fill in for containers: `(default,
/// defaultRequest)` nodes of every `type: Container` item.
struct Defaults<'a> {
    items: Vec<&'a Node>,
}

fn limit_range_defaults<'a>(context: &Context<'a>, container: &Container<'a>) -> Defaults<'a> {
    let namespace = container.object().namespace();
    let items = context
        .inventory
        .of_kind("LimitRange")
        .filter(|lr| lr.namespace() == namespace)
        .flat_map(|lr| lr.root().path(&["spec", "limits"]).into_iter().flat_map(Node::items))
        .filter(|item| item.get("type").and_then(Node::as_str) == Some("Container"))
        .collect();
    Defaults { items }
}

/// A quantity written at `node.path` (present and not null).
fn has(node: Option<&Node>, path: &[&str]) -> bool {
    node.and_then(|n| n.path(path)).is_some_and(|v| !v.is_null())
}

fn is_supplied(container: &Container, defaults: &Defaults, resource: &str, kind: Kind) -> bool {
    let own = container.get(&["resources"]);
    let pod = container.template.spec.get("resources");
    let limit = has(own, &["limits", resource])
        || has(pod, &["limits", resource])
        || defaults.items.iter().any(|item| has(Some(item), &["default", resource]));
    match kind {
        Kind::Limit => limit,
        // A request defaults to the limit; a LimitRange's defaultRequest to its default.
        Kind::Request => {
            limit
                || has(own, &["requests", resource])
                || has(pod, &["requests", resource])
                || defaults
                    .items
                    .iter()
                    .any(|item| has(Some(item), &["defaultRequest", resource]))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn rules_and_containers(yaml: &str) -> Vec<String> {
        findings_of(super::RULES, super::check, yaml)
            .iter()
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect()
    }

    #[test]
    fn the_doc_example_lacks_cpu_request_and_memory_limit() {
        let got = rules_and_containers(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    resources:\n      requests: {memory: 128Mi}\n",
        );
        assert_eq!(
            got,
            [
                r#"resources/cpu-request-missing container "app" of Pod app/p: resources.requests.cpu is not set"#,
                r#"resources/cpu-limit-missing container "app" of Pod app/p: resources.limits.cpu is not set"#,
                r#"resources/memory-limit-missing container "app" of Pod app/p: resources.limits.memory is not set"#,
                r#"resources/ephemeral-storage-limit-missing container "app" of Pod app/p: resources.limits.ephemeral-storage is not set"#,
            ]
        );
    }

    #[test]
    fn a_limit_is_also_the_request_and_ephemeral_containers_are_skipped() {
        let got = rules_and_containers(
            r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: full
    image: a:1
    resources:
      limits: {cpu: "1", memory: 1Gi, ephemeral-storage: 1Gi}
  ephemeralContainers:
  - name: debug
    image: busybox:1
"#,
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn limit_ranges_and_pod_level_resources_supply_values() {
        let got = rules_and_containers(
            r#"
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
  - type: Container
    default: {memory: 512Mi}
    defaultRequest: {cpu: 100m}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      resources:
        limits: {ephemeral-storage: 2Gi, cpu: "2"}
      containers: [{name: web, image: a:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: other}
spec:
  template:
    spec:
      initContainers: [{name: init, image: a:1, resources: {requests: {cpu: 10m, memory: 8Mi}}}]
      containers: [{name: web, image: a:1, resources: {limits: {cpu: 1, memory: 1Gi, ephemeral-storage: 1Gi}}}]
"#,
        );
        assert_eq!(
            got,
            [
                r#"resources/cpu-limit-missing init container "init" of Deployment other/web: resources.limits.cpu is not set"#,
                r#"resources/memory-limit-missing init container "init" of Deployment other/web: resources.limits.memory is not set"#,
                r#"resources/ephemeral-storage-limit-missing init container "init" of Deployment other/web: resources.limits.ephemeral-storage is not set"#,
            ]
        );
    }
}
