//! Gatekeeper: a ConstraintTemplate and its Constraint per policy. The
//! templates carry the Gatekeeper library's kinds and parameter schemas
//! (`K8sPSPAllowedUsers`, `K8sContainerLimits`), so the constraints keep
//! working on a cluster that runs the library's own templates; the Rego is
//! Palisade's (`rego/`).

use super::{Kind, PolicyFile, describe_scope, policy_name};
use crate::profile::PolicyScope;
use crate::yaml::{Doc, Y, map, s, strs};

const USERS_REGO: &str = include_str!("rego/k8spspallowedusers.rego");
const LIMITS_REGO: &str = include_str!("rego/k8scontainerlimits.rego");

pub fn file(kind: Kind, scope: &PolicyScope) -> PolicyFile {
    let name = policy_name(kind);
    let (template, constraint) = match kind {
        Kind::RunAsNonRoot => (users_template(), users_constraint(name, scope)),
        Kind::RequireLimits => (limits_template(), limits_constraint(name, scope)),
    };
    PolicyFile {
        kind,
        file: format!("{name}.yaml"),
        docs: vec![template, constraint],
        rejected_by: name.to_owned(),
        scope: scope.clone(),
    }
}

fn string_list(description: &str) -> Y {
    map([
        ("type", s("array")),
        ("description", s(description)),
        ("items", map([("type", s("string"))])),
    ])
}

const EXEMPT_IMAGES: &str =
    "Images the constraint does not judge: exact names, or prefixes ending in *.";

fn id_rule(rules: &[&str], what: &str) -> Y {
    map([
        ("type", s("object")),
        ("description", s(format!("Which {what} are allowed."))),
        (
            "properties",
            map([
                (
                    "rule",
                    map([
                        ("type", s("string")),
                        ("description", s("How the IDs are judged.")),
                        ("enum", strs(rules)),
                    ]),
                ),
                (
                    "ranges",
                    map([
                        ("type", s("array")),
                        ("description", s("The allowed ID ranges, inclusive.")),
                        (
                            "items",
                            map([
                                ("type", s("object")),
                                (
                                    "properties",
                                    map([
                                        ("min", map([("type", s("integer"))])),
                                        ("max", map([("type", s("integer"))])),
                                    ]),
                                ),
                            ]),
                        ),
                    ]),
                ),
            ]),
        ),
    ])
}

fn template(name: &str, kind: &str, description: &str, schema: Y, rego: &str) -> Y {
    map([
        ("apiVersion", s("templates.gatekeeper.sh/v1")),
        ("kind", s("ConstraintTemplate")),
        (
            "metadata",
            map([
                ("name", s(name)),
                ("annotations", map([("description", s(description))])),
            ]),
        ),
        (
            "spec",
            map([
                (
                    "crd",
                    map([(
                        "spec",
                        map([
                            ("names", map([("kind", s(kind))])),
                            ("validation", map([("openAPIV3Schema", schema)])),
                        ]),
                    )]),
                ),
                (
                    "targets",
                    Y::Seq(vec![map([
                        ("target", s("admission.k8s.gatekeeper.sh")),
                        ("rego", Y::Block(rego.to_owned())),
                    ])]),
                ),
            ]),
        ),
    ])
}

fn users_template() -> Doc {
    let schema = map([
        ("type", s("object")),
        (
            "properties",
            map([
                ("exemptImages", string_list(EXEMPT_IMAGES)),
                (
                    "runAsUser",
                    id_rule(&["MustRunAs", "MustRunAsNonRoot", "RunAsAny"], "user IDs"),
                ),
                (
                    "runAsGroup",
                    id_rule(&["MustRunAs", "MayRunAs", "RunAsAny"], "group IDs"),
                ),
                (
                    "supplementalGroups",
                    id_rule(
                        &["MustRunAs", "MayRunAs", "RunAsAny"],
                        "supplemental group IDs",
                    ),
                ),
                (
                    "fsGroup",
                    id_rule(&["MustRunAs", "MayRunAs", "RunAsAny"], "fsGroup IDs"),
                ),
            ]),
        ),
    ]);
    Doc::new(
        &[
            "ConstraintTemplate K8sPSPAllowedUsers: the user and group IDs containers may run as.",
            "Same kind and parameters as the Gatekeeper library's template, so constraints written for either work with both.",
        ],
        template(
            "k8spspallowedusers",
            "K8sPSPAllowedUsers",
            "Controls the user and group IDs containers run with (runAsUser, runAsGroup, supplementalGroups, fsGroup).",
            schema,
            USERS_REGO,
        ),
    )
}

fn limits_template() -> Doc {
    let schema = map([
        ("type", s("object")),
        (
            "properties",
            map([
                ("exemptImages", string_list(EXEMPT_IMAGES)),
                (
                    "cpu",
                    map([
                        ("type", s("string")),
                        (
                            "description",
                            s("The highest CPU limit a container may set; -1 for no maximum."),
                        ),
                    ]),
                ),
                (
                    "memory",
                    map([
                        ("type", s("string")),
                        (
                            "description",
                            s("The highest memory limit a container may set; -1 for no maximum."),
                        ),
                    ]),
                ),
            ]),
        ),
    ]);
    Doc::new(
        &[
            "ConstraintTemplate K8sContainerLimits: every container declares CPU and memory limits.",
            "Same kind and parameters as the Gatekeeper library's template.",
        ],
        template(
            "k8scontainerlimits",
            "K8sContainerLimits",
            "Requires CPU and memory limits on every container, optionally below a maximum.",
            schema,
            LIMITS_REGO,
        ),
    )
}

/// `spec.match`: Pods, in the policy's namespaces.
fn match_pods(scope: &PolicyScope) -> Y {
    let mut entries = vec![(
        "kinds".to_owned(),
        Y::Seq(vec![map([
            ("apiGroups", strs([""])),
            ("kinds", strs(["Pod"])),
        ])]),
    )];
    match scope {
        PolicyScope::All { excluded } if excluded.is_empty() => {}
        PolicyScope::All { excluded } => {
            entries.push(("excludedNamespaces".to_owned(), strs(excluded)));
        }
        PolicyScope::Namespaces(names) => entries.push(("namespaces".to_owned(), strs(names))),
    }
    Y::Map(entries)
}

fn constraint(kind: &str, name: &str, scope: &PolicyScope, parameters: Y) -> Y {
    map([
        ("apiVersion", s("constraints.gatekeeper.sh/v1beta1")),
        ("kind", s(kind)),
        ("metadata", map([("name", s(name))])),
        (
            "spec",
            map([
                ("enforcementAction", s("deny")),
                ("match", match_pods(scope)),
                ("parameters", parameters),
            ]),
        ),
    ])
}

fn users_constraint(name: &str, scope: &PolicyScope) -> Doc {
    Doc {
        comment: vec![
            format!(
                "Constraint {name}: containers must not run as root, in {}.",
                describe_scope(scope)
            ),
            "A root process in a container is one kernel bug or one writable host mount away from root on the node.".to_owned(),
            "Pods are judged (Deployments and other controllers create them), as the library's constraint does,".to_owned(),
            "and so are the ephemeral containers an UPDATE adds (kubectl debug, through pods/ephemeralcontainers), which the library's template leaves alone.".to_owned(),
        ],
        body: constraint(
            "K8sPSPAllowedUsers",
            name,
            scope,
            map([
                ("runAsUser", map([("rule", s("MustRunAsNonRoot"))])),
                ("runAsGroup", map([("rule", s("RunAsAny"))])),
                ("supplementalGroups", map([("rule", s("RunAsAny"))])),
                ("fsGroup", map([("rule", s("RunAsAny"))])),
            ]),
        ),
    }
}

fn limits_constraint(name: &str, scope: &PolicyScope) -> Doc {
    Doc {
        comment: vec![
            format!(
                "Constraint {name}: every container declares CPU and memory limits, in {}.",
                describe_scope(scope)
            ),
            "Without limits one workload can starve its neighbours, and a memory leak can take the node down.".to_owned(),
        ],
        body: constraint(
            "K8sContainerLimits",
            name,
            scope,
            map([("cpu", s("-1")), ("memory", s("-1"))]),
        ),
    }
}
