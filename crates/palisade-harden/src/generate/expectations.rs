//! `expectations.yaml`: the security intents the profile implies, in the
//! `SecurityExpectations` format `palisade test` reads, so a generated
//! baseline comes with its own tests:
//!
//! * admission: per namespace, a pod that breaks its enforce level is rejected
//!   by Pod Security with upstream's message, and a hardened pod is admitted;
//!   per policy, a pod that Pod Security lets through but the policy forbids
//!   is rejected by that policy;
//! * RBAC: per grant, `can` for every verb on every resource where granted,
//!   `cannot` outside (another namespace, an ungranted write), and per subject
//!   an `only` listing everything it was given;
//! * network: per default-deny namespace, isolation from the other namespaces
//!   and from the internet, DNS still reachable; per flow, `reach` on each port
//!   and `isolated` from pods the flow does not name.

use std::collections::BTreeMap;

use super::network::source_endpoint;
use super::policies::{Kind, PolicyFile};
use crate::profile::{Endpoint, Grant, Level, Profile, Scope, Source, Subject};
use crate::yaml::{Doc, Y, map, s, string_map, strs};

/// An address outside the cluster, from a documentation range (RFC 5737).
const EXTERNAL_ADDRESS: &str = "203.0.113.10/32";

pub fn document(profile: &Profile, policies: &[PolicyFile]) -> Doc {
    let mut items = Vec::new();
    admission(profile, policies, &mut items);
    let left_out = rbac(profile, &mut items);
    network(profile, &mut items);
    let mut comment = vec![
        "The intents this baseline must satisfy, for `palisade test --expect expectations.yaml -f <this folder>`.".to_owned(),
        "Generated with the manifests beside it: a change that breaks one of them fails the test.".to_owned(),
    ];
    comment.extend(left_out.comment());
    Doc {
        comment,
        body: map([
            ("apiVersion", s("palisade.dev/v1alpha1")),
            ("kind", s("SecurityExpectations")),
            ("expectations", Y::Seq(items)),
        ]),
    }
}

fn expectation(name: String, verdict: &str, body: Y) -> Y {
    map([("name", s(name)), (verdict, body)])
}

// --- Admission -----------------------------------------------------------

/// How a test pod deviates from the hardened one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PodShape {
    /// Meets the restricted standard, runs as non-root, has limits.
    Hardened,
    /// Hardened but runs as root (runAsUser 0), which restricted forbids and baseline allows.
    Root,
    /// Root and privileged, which baseline forbids.
    Privileged,
    /// Hardened but without resource limits.
    NoLimits,
}

fn pod(name: &str, namespace: &str, shape: PodShape) -> Y {
    let mut container = vec![
        ("name".to_owned(), s("app")),
        ("image".to_owned(), s("registry.example.com/app:1.0")),
    ];
    let mut pod_context = vec![
        ("runAsNonRoot".to_owned(), Y::Bool(true)),
        ("runAsUser".to_owned(), Y::Int(10001)),
        (
            "seccompProfile".to_owned(),
            map([("type", s("RuntimeDefault"))]),
        ),
    ];
    let mut container_context = vec![
        ("allowPrivilegeEscalation".to_owned(), Y::Bool(false)),
        ("capabilities".to_owned(), map([("drop", strs(["ALL"]))])),
        ("readOnlyRootFilesystem".to_owned(), Y::Bool(true)),
    ];
    match shape {
        PodShape::Hardened | PodShape::NoLimits => {}
        PodShape::Root => {
            pod_context = vec![
                ("runAsUser".to_owned(), Y::Int(0)),
                (
                    "seccompProfile".to_owned(),
                    map([("type", s("RuntimeDefault"))]),
                ),
            ];
        }
        PodShape::Privileged => {
            pod_context = vec![("runAsUser".to_owned(), Y::Int(0))];
            container_context = vec![("privileged".to_owned(), Y::Bool(true))];
        }
    }
    container.push(("securityContext".to_owned(), Y::Map(container_context)));
    if shape != PodShape::NoLimits {
        let amounts = || map([("cpu", s("500m")), ("memory", s("256Mi"))]);
        container.push((
            "resources".to_owned(),
            map([("requests", amounts()), ("limits", amounts())]),
        ));
    }
    map([
        ("apiVersion", s("v1")),
        ("kind", s("Pod")),
        (
            "metadata",
            map([("name", s(name)), ("namespace", s(namespace))]),
        ),
        (
            "spec",
            map([
                ("securityContext", Y::Map(pod_context)),
                ("containers", Y::Seq(vec![Y::Map(container)])),
            ]),
        ),
    ])
}

fn admission(profile: &Profile, policies: &[PolicyFile], items: &mut Vec<Y>) {
    for ns in &profile.namespaces {
        let name = &ns.name;
        let enforce = ns
            .pod_security
            .as_ref()
            .map(|ps| (ps.enforce, ps.version.as_str()));
        if let Some((level, version)) = enforce
            && level != Level::Privileged
        {
            let (shape, what) = match level {
                Level::Restricted => (PodShape::Root, "a pod running as root"),
                _ => (PodShape::Privileged, "a privileged pod"),
            };
            items.push(expectation(
                format!(
                    "{what} is rejected in {name} by Pod Security ({})",
                    level.as_str()
                ),
                "rejected",
                map([
                    ("object", pod("harden-noncompliant", name, shape)),
                    ("by", s("pod-security")),
                    (
                        "message",
                        s(format!(
                            "violates PodSecurity \"{}:{version}\"",
                            level.as_str()
                        )),
                    ),
                ]),
            ));
        }
        items.push(expectation(
            format!("a hardened pod is admitted in {name}"),
            "admitted",
            map([("object", pod("harden-compliant", name, PodShape::Hardened))]),
        ));
        for policy in policies {
            if !policy.scope.covers(name) {
                continue;
            }
            let (shape, what, pss_rejects) = match policy.kind {
                Kind::RunAsNonRoot => (
                    PodShape::Root,
                    "a pod running as root",
                    enforce.is_some_and(|(level, _)| level == Level::Restricted),
                ),
                Kind::RequireLimits => (PodShape::NoLimits, "a pod without limits", false),
            };
            // Where Pod Security rejects the pod first, the policy is not what decides.
            if pss_rejects {
                continue;
            }
            items.push(expectation(
                format!("{what} is rejected in {name} by {}", policy.rejected_by),
                "rejected",
                map([
                    ("object", pod("harden-policy-test", name, shape)),
                    ("by", s(&policy.rejected_by)),
                ]),
            ));
        }
    }
}

// --- RBAC ------------------------------------------------------------------

fn subject_fields(subject: &Subject) -> Vec<(String, Y)> {
    match subject {
        Subject::Group(g) => vec![("groups".to_owned(), strs([g]))],
        Subject::User(u) => vec![("user".to_owned(), s(u))],
        Subject::ServiceAccount { namespace, name } => {
            vec![(
                "serviceAccount".to_owned(),
                s(format!("{namespace}/{name}")),
            )]
        }
    }
}

fn subject_words(subject: &Subject) -> String {
    match subject {
        Subject::Group(g) => format!("group {g}"),
        Subject::User(u) => format!("user {u}"),
        Subject::ServiceAccount { namespace, name } => format!("{namespace}/{name}"),
    }
}

fn access_check(subject: &Subject, verb: &str, resource: &str, namespace: Option<&str>) -> Y {
    let mut fields = subject_fields(subject);
    fields.push(("verb".to_owned(), s(verb)));
    fields.push(("resource".to_owned(), s(resource)));
    if let Some(ns) = namespace {
        fields.push(("namespace".to_owned(), s(ns)));
    }
    Y::Map(fields)
}

fn grant_namespaces(grant: &Grant) -> Vec<Option<&str>> {
    match &grant.scope {
        Scope::Namespaces(names) => names.iter().map(|n| Some(n.as_str())).collect(),
        Scope::ClusterWide => vec![None],
    }
}

fn place(namespace: Option<&str>) -> String {
    namespace.map_or_else(|| "in every namespace".to_owned(), |ns| format!("in {ns}"))
}

/// Whether some grant of the profile gives `subject` the `verb` on
/// `resource` (as qualified) in `namespace` (`None`: in every namespace).
fn holds(
    profile: &Profile,
    subject: &Subject,
    verb: &str,
    resource: &str,
    namespace: Option<&str>,
) -> bool {
    profile.access.iter().any(|g| {
        let covers = match (&g.scope, namespace) {
            (Scope::ClusterWide, _) => true,
            (Scope::Namespaces(names), Some(ns)) => names.iter().any(|n| n == ns),
            (Scope::Namespaces(_), None) => false,
        };
        covers
            && g.subjects.contains(subject)
            && g.verbs.iter().any(|v| v == verb)
            && g.resources.iter().any(|r| r.qualified() == resource)
    })
}

/// The custom resources left out of the RBAC expectations: `palisade test`
/// resolves a resource through discovery, and a custom resource is known only
/// from its CustomResourceDefinition, which the baseline does not contain (an
/// expectation naming one could not be decided).
#[derive(Default)]
struct LeftOut {
    /// Per grant with custom resources: its name and those resources.
    grants: Vec<(String, Vec<String>)>,
    /// Subjects without an `only` expectation, since they hold custom resources.
    subjects: Vec<String>,
}

impl LeftOut {
    fn comment(&self) -> Vec<String> {
        if self.grants.is_empty() {
            return Vec::new();
        }
        let mut lines = vec![
            "Left out: custom resources, which `palisade test` can resolve only from their CustomResourceDefinitions (not part of this baseline):".to_owned(),
        ];
        for (grant, resources) in &self.grants {
            lines.push(format!(
                "- grant {grant}: no can/cannot for {}",
                resources.join(", ")
            ));
        }
        lines.push(format!(
            "- no `only` for {}, who hold them",
            self.subjects.join("; ")
        ));
        lines
    }
}

fn rbac(profile: &Profile, items: &mut Vec<Y>) -> LeftOut {
    let mut left_out = LeftOut::default();
    let mut only: BTreeMap<&Subject, Vec<Y>> = BTreeMap::new();
    let mut subjects_in_order: Vec<&Subject> = Vec::new();
    for grant in &profile.access {
        let (builtin, custom): (Vec<_>, Vec<_>) =
            grant.resources.iter().partition(|r| r.is_builtin());
        let resources: Vec<String> = builtin.iter().map(|r| r.qualified()).collect();
        if !custom.is_empty() {
            left_out.grants.push((
                grant.name.clone(),
                custom.iter().map(|r| r.qualified()).collect(),
            ));
            for subject in &grant.subjects {
                let words = subject_words(subject);
                if !left_out.subjects.contains(&words) {
                    left_out.subjects.push(words);
                }
            }
        }
        for subject in &grant.subjects {
            let who = subject_words(subject);
            for namespace in grant_namespaces(grant) {
                for verb in &grant.verbs {
                    for resource in &resources {
                        items.push(expectation(
                            format!("{who} can {verb} {resource} {}", place(namespace)),
                            "can",
                            access_check(subject, verb, resource, namespace),
                        ));
                    }
                }
                let mut rule = Vec::new();
                if let Some(ns) = namespace {
                    rule.push(("namespace".to_owned(), s(ns)));
                }
                rule.push(("verbs".to_owned(), strs(&grant.verbs)));
                rule.push(("resources".to_owned(), strs(&resources)));
                if !only.contains_key(subject) {
                    subjects_in_order.push(subject);
                }
                only.entry(subject).or_default().push(Y::Map(rule));
            }
            let (Some(verb), Some(resource)) = (grant.verbs.first(), resources.first()) else {
                continue;
            };
            if let Scope::Namespaces(granted) = &grant.scope {
                for other in profile
                    .namespaces
                    .iter()
                    .filter(|n| !granted.contains(&n.name))
                {
                    let held_there = profile.access.iter().any(|g| {
                        g.subjects.contains(subject)
                            && (g.scope == Scope::ClusterWide
                                || matches!(&g.scope, Scope::Namespaces(n) if n.contains(&other.name)))
                    });
                    if held_there {
                        continue;
                    }
                    items.push(expectation(
                        format!("{who} cannot {verb} {resource} in {}", other.name),
                        "cannot",
                        access_check(subject, verb, resource, Some(&other.name)),
                    ));
                }
            }
            let namespace = grant_namespaces(grant).first().copied().flatten();
            // A write no grant of this subject gives on that resource there
            // (another grant may give what this one does not).
            let write = ["create", "delete", "update", "patch"]
                .into_iter()
                .find(|w| !holds(profile, subject, w, resource, namespace));
            if let Some(write) = write {
                items.push(expectation(
                    format!("{who} cannot {write} {resource} {}", place(namespace)),
                    "cannot",
                    access_check(subject, write, resource, namespace),
                ));
            }
        }
    }
    for subject in subjects_in_order {
        if left_out.subjects.contains(&subject_words(subject)) {
            continue;
        }
        let mut fields = subject_fields(subject);
        fields.push((
            "rules".to_owned(),
            Y::Seq(only.remove(subject).unwrap_or_default()),
        ));
        items.push(expectation(
            format!("{} holds nothing but its grants", subject_words(subject)),
            "only",
            Y::Map(fields),
        ));
    }
    left_out
}

// --- Network -----------------------------------------------------------------

fn pods(endpoint: &Endpoint) -> Y {
    map([
        ("namespace", s(&endpoint.namespace)),
        ("labels", string_map(&endpoint.pod_selector)),
    ])
}

fn any_pod(namespace: &str) -> Y {
    map([("namespace", s(namespace)), ("labels", Y::Map(Vec::new()))])
}

fn words(endpoint: &Endpoint) -> String {
    if endpoint.pod_selector.is_empty() {
        format!("pods of {}", endpoint.namespace)
    } else {
        format!(
            "{} pods in {}",
            endpoint.selector_text(),
            endpoint.namespace
        )
    }
}

/// Whether some flow lets pods of `namespace` (an unlabelled pod there) into
/// `to`'s namespace, so that an isolation from it would not hold.
fn flows_from(profile: &Profile, namespace: &str, into: &str) -> bool {
    profile.network.allow.iter().any(|flow| {
        flow.to.namespace == into
            && source_endpoint(profile, flow).is_some_and(|source| source.namespace == namespace)
    })
}

/// Whether some flow lets every pod of `namespace` (its source selects no
/// labels) into `into`'s namespace.
fn admits_any_pod_of(profile: &Profile, namespace: &str, into: &str) -> bool {
    profile.network.allow.iter().any(|flow| {
        flow.to.namespace == into
            && source_endpoint(profile, flow).is_some_and(|source| {
                source.namespace == namespace && source.pod_selector.is_empty()
            })
    })
}

fn network(profile: &Profile, items: &mut Vec<Y>) {
    let names: Vec<&str> = profile.namespaces.iter().map(|n| n.name.as_str()).collect();
    if profile.network.default_deny {
        for (index, ns) in names.iter().enumerate() {
            let other = (1..names.len())
                .map(|step| names[(index + step) % names.len()])
                .find(|other| !flows_from(profile, other, ns));
            if let Some(other) = other {
                items.push(expectation(
                    format!(
                        "pods of {ns} accept no connection from pods of {other} (default deny)"
                    ),
                    "isolated",
                    map([("from", any_pod(other)), ("to", any_pod(ns))]),
                ));
            }
            // Traffic from outside the cluster passes no egress policy, so
            // this one holds only through the namespace's own ingress
            // default-deny (from another profile namespace, that namespace's
            // egress default-deny would hide a missing one).
            items.push(expectation(
                format!(
                    "pods of {ns} accept no connection from outside the cluster (default deny)"
                ),
                "isolated",
                map([("from", s(EXTERNAL_ADDRESS)), ("to", any_pod(ns))]),
            ));
            items.push(expectation(
                format!("pods of {ns} open no connection outside the cluster (default deny)"),
                "isolated",
                map([("from", any_pod(ns)), ("to", s(EXTERNAL_ADDRESS))]),
            ));
            items.push(expectation(
                format!("pods of {ns} can resolve names through the cluster DNS"),
                "reach",
                map([
                    ("from", any_pod(ns)),
                    (
                        "to",
                        map([
                            ("namespace", s("kube-system")),
                            ("labels", map([("k8s-app", s("kube-dns"))])),
                        ]),
                    ),
                    ("port", Y::Int(53)),
                    ("protocol", s("UDP")),
                ]),
            ));
        }
    }
    for flow in &profile.network.allow {
        let Some(source) = source_endpoint(profile, flow) else {
            continue;
        };
        let who = match flow.from {
            Source::IngressController => format!("the ingress controller ({})", words(&source)),
            Source::Pods(_) => words(&source),
        };
        for port in &flow.ports {
            items.push(expectation(
                format!(
                    "{who} reach {} on {}/{}",
                    words(&flow.to),
                    port.port,
                    port.protocol.as_str()
                ),
                "reach",
                map([
                    ("from", pods(&source)),
                    ("to", pods(&flow.to)),
                    ("port", Y::Int(i64::from(port.port))),
                    ("protocol", s(port.protocol.as_str())),
                ]),
            ));
        }
        let other = names.iter().find(|ns| {
            **ns != flow.to.namespace
                && **ns != source.namespace
                && !flows_from(profile, ns, &flow.to.namespace)
        });
        if let Some(other) = other {
            items.push(expectation(
                format!("pods of {other} cannot reach {}", words(&flow.to)),
                "isolated",
                map([("from", any_pod(other)), ("to", pods(&flow.to))]),
            ));
        }
        // Only the named source pods: another pod of the source's namespace
        // (outside the profile, as the ingress controller's usually is, so no
        // egress policy of ours stands in front of it) and an address outside
        // the cluster are both refused by the destination's own policies.
        if !source.pod_selector.is_empty()
            && source.namespace != flow.to.namespace
            && !admits_any_pod_of(profile, &source.namespace, &flow.to.namespace)
        {
            items.push(expectation(
                format!(
                    "other pods of {} cannot reach {}",
                    source.namespace,
                    words(&flow.to)
                ),
                "isolated",
                map([("from", any_pod(&source.namespace)), ("to", pods(&flow.to))]),
            ));
        }
        items.push(expectation(
            format!(
                "{} accept no connection from outside the cluster",
                words(&flow.to)
            ),
            "isolated",
            map([("from", s(EXTERNAL_ADDRESS)), ("to", pods(&flow.to))]),
        ));
        if !flow.to.pod_selector.is_empty()
            && !flows_from(profile, &flow.to.namespace, &flow.to.namespace)
        {
            items.push(expectation(
                format!(
                    "other pods of {} cannot reach {}",
                    flow.to.namespace,
                    words(&flow.to)
                ),
                "isolated",
                map([
                    ("from", any_pod(&flow.to.namespace)),
                    ("to", pods(&flow.to)),
                ]),
            ));
        }
    }
}
