//! Kyverno: one ClusterPolicy per policy, enforcing (`validationFailureAction:
//! Enforce`), shaped like the Kyverno library's `require-run-as-nonroot` and
//! `require-requests-limits`: a validate pattern on Pods, which Kyverno also
//! applies to the Pod controllers' templates (autogen).

use super::{Kind, PolicyFile, describe_scope, policy_name};
use crate::profile::PolicyScope;
use crate::yaml::{Doc, Y, map, s, strs};

pub fn file(kind: Kind, scope: &PolicyScope) -> PolicyFile {
    let name = policy_name(kind);
    let (title, severity, message, validate_key, validate, why) = match kind {
        Kind::RunAsNonRoot => (
            "Require runAsNonRoot",
            "high",
            "Containers must run as a non-root user: set securityContext.runAsNonRoot: true on the Pod (and do not set it to false on a container), or on every container, and set no runAsUser of 0.",
            "anyPattern",
            non_root_patterns(),
            "A root process in a container is one kernel bug or one writable host mount away from root on the node.",
        ),
        Kind::RequireLimits => (
            "Require CPU and memory limits",
            "medium",
            "Every container needs resources.limits.cpu and resources.limits.memory.",
            "pattern",
            limits_pattern(),
            "Without limits one workload can starve its neighbours, and a memory leak can take the node down.",
        ),
    };
    // `kubectl debug` adds an ephemeral container through the Pod's
    // `ephemeralcontainers` subresource, which Kyverno matches only when the
    // rule names it (`Kind/subresource`); ephemeral containers cannot set
    // resources, so the limits rule needs only Pods.
    let kinds: &[&str] = match kind {
        Kind::RunAsNonRoot => &["Pod", "Pod/ephemeralcontainers"],
        Kind::RequireLimits => &["Pod"],
    };
    let mut resources = vec![("kinds".to_owned(), strs(kinds))];
    if let PolicyScope::Namespaces(names) = scope {
        resources.push(("namespaces".to_owned(), strs(names)));
    }
    let mut rule = vec![
        ("name".to_owned(), s(name)),
        (
            "match".to_owned(),
            map([("any", Y::Seq(vec![map([("resources", Y::Map(resources))])]))]),
        ),
    ];
    if let PolicyScope::All { excluded } = scope
        && !excluded.is_empty()
    {
        rule.push((
            "exclude".to_owned(),
            map([(
                "any",
                Y::Seq(vec![map([(
                    "resources",
                    map([("namespaces", strs(excluded))]),
                )])]),
            )]),
        ));
    }
    rule.push((
        "validate".to_owned(),
        map([("message", s(message)), (validate_key, validate)]),
    ));
    let policy = map([
        ("apiVersion", s("kyverno.io/v1")),
        ("kind", s("ClusterPolicy")),
        (
            "metadata",
            map([
                ("name", s(name)),
                (
                    "annotations",
                    map([
                        ("policies.kyverno.io/title", s(title)),
                        ("policies.kyverno.io/severity", s(severity)),
                        ("policies.kyverno.io/subject", s("Pod")),
                    ]),
                ),
            ]),
        ),
        (
            "spec",
            map([
                ("validationFailureAction", s("Enforce")),
                ("background", Y::Bool(true)),
                ("rules", Y::Seq(vec![Y::Map(rule)])),
            ]),
        ),
    ]);
    PolicyFile {
        kind,
        file: format!("{name}.yaml"),
        docs: vec![Doc {
            comment: vec![
                format!(
                    "ClusterPolicy {name}: {title}, in {}.",
                    describe_scope(scope)
                ),
                why.to_owned(),
            ],
            body: policy,
        }],
        rejected_by: name.to_owned(),
        scope: scope.clone(),
    }
}

/// The library's `require-run-as-nonroot` patterns (runAsNonRoot on the Pod,
/// not turned off by a container; or on every container), each also refusing
/// a runAsUser of 0 wherever one is set, as MustRunAsNonRoot does: with
/// `runAsUser: 0` a container runs as root whatever runAsNonRoot says (the
/// kubelet then refuses to start it, but the request should not pass).
fn non_root_patterns() -> Y {
    let not_root = || ("=(runAsUser)", s(">0"));
    let optional_non_root = || {
        Y::Seq(vec![map([(
            "=(securityContext)",
            map([("=(runAsNonRoot)", Y::Bool(true)), not_root()]),
        )])])
    };
    let required_non_root = || {
        Y::Seq(vec![map([(
            "securityContext",
            map([("runAsNonRoot", Y::Bool(true)), not_root()]),
        )])])
    };
    Y::Seq(vec![
        map([(
            "spec",
            map([
                (
                    "securityContext",
                    map([("runAsNonRoot", Y::Bool(true)), not_root()]),
                ),
                ("=(ephemeralContainers)", optional_non_root()),
                ("=(initContainers)", optional_non_root()),
                ("containers", optional_non_root()),
            ]),
        )]),
        map([(
            "spec",
            map([
                ("=(securityContext)", map([not_root()])),
                ("=(ephemeralContainers)", required_non_root()),
                ("=(initContainers)", required_non_root()),
                ("containers", required_non_root()),
            ]),
        )]),
    ])
}

fn limits_pattern() -> Y {
    let limited = || {
        Y::Seq(vec![map([(
            "resources",
            map([("limits", map([("cpu", s("?*")), ("memory", s("?*"))]))]),
        )])])
    };
    map([(
        "spec",
        map([("=(initContainers)", limited()), ("containers", limited())]),
    )])
}
