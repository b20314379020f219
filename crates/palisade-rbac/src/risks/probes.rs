//! Capabilities the risk catalogue asks about, decided per role once.
//!
//! Each capability is one or more probe requests matched with the authorizer's
//! own matchers (so `*`, `*/sub` and apiGroups count exactly as upstream counts
//! them). A role's answer is cached; a subject's capabilities in a scope are the
//! union over its bindings, so risks cost bindings + roles, not bindings × rules.

use crate::matching::{group_matches, resource_matches, verb_matches};
use crate::model::PolicyRule;

/// A capability the catalogue checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cap {
    BindRoles,
    BindClusterRoles,
    EscalateRoles,
    EscalateClusterRoles,
    WriteRoles,
    WriteClusterRoles,
    WriteRoleBindings,
    WriteClusterRoleBindings,
    ImpersonateUsers,
    ImpersonateGroups,
    ImpersonateServiceAccounts,
    CreatePods,
    WriteControllers,
    ModifyPods,
    ExecPods,
    ExecPodsGet,
    Ephemeral,
    PortForwardProxy,
    NodeProxy,
    ReadSecrets,
    TokenRequest,
    WriteSecrets,
    AwsAuth,
    Webhooks,
    AdmissionPolicies,
    WriteCrds,
    CsrApproval,
    CsrSigner,
    CsrCreate,
    WriteNodes,
    EvictPods,
    PodStatus,
    ServiceStatus,
    Network,
    PersistentVolumes,
    Storage,
    Delete,
    DeleteEvents,
    Psp,
}

pub const CAP_COUNT: usize = Cap::Psp as usize + 1;

/// One probe: any of `verbs` on `group` `resource[/sub]`, optionally for one name.
pub struct Probe {
    pub cap: Cap,
    pub verbs: &'static [&'static str],
    pub group: &'static str,
    pub resource: &'static str,
    pub sub: &'static str,
    pub name: &'static str,
    /// Cluster-scoped resources cannot be granted through a RoleBinding (SPEC §6.2).
    pub cluster_scoped: bool,
}

const RBAC: &str = "rbac.authorization.k8s.io";
const WRITE: &[&str] = &["create", "update", "patch"];
const WRITE_DELETE: &[&str] = &["create", "update", "patch", "delete"];
const UPDATE: &[&str] = &["update", "patch"];
const DELETE: &[&str] = &["delete", "deletecollection"];
/// Proxy subresources map HTTP methods to verbs, so every method verb counts.
const PROXY: &[&str] = &["get", "create", "update", "patch", "delete"];

const fn probe(
    cap: Cap,
    verbs: &'static [&'static str],
    group: &'static str,
    resource: &'static str,
    sub: &'static str,
) -> Probe {
    Probe {
        cap,
        verbs,
        group,
        resource,
        sub,
        name: "",
        cluster_scoped: false,
    }
}

const fn cluster(mut p: Probe) -> Probe {
    p.cluster_scoped = true;
    p
}

const fn named(mut p: Probe, name: &'static str) -> Probe {
    p.name = name;
    p
}

/// The probe table. Order within a capability is the order messages prefer.
pub static PROBES: &[Probe] = &[
    probe(Cap::BindRoles, &["bind"], RBAC, "roles", ""),
    // `bind` on clusterroles through a RoleBinding lets the subject create
    // RoleBindings to any ClusterRole in that namespace (SPEC §9.2), so it is namespaced here.
    probe(Cap::BindClusterRoles, &["bind"], RBAC, "clusterroles", ""),
    probe(Cap::EscalateRoles, &["escalate"], RBAC, "roles", ""),
    cluster(probe(
        Cap::EscalateClusterRoles,
        &["escalate"],
        RBAC,
        "clusterroles",
        "",
    )),
    probe(Cap::WriteRoles, WRITE, RBAC, "roles", ""),
    cluster(probe(
        Cap::WriteClusterRoles,
        WRITE,
        RBAC,
        "clusterroles",
        "",
    )),
    probe(Cap::WriteRoleBindings, WRITE, RBAC, "rolebindings", ""),
    cluster(probe(
        Cap::WriteClusterRoleBindings,
        WRITE,
        RBAC,
        "clusterrolebindings",
        "",
    )),
    cluster(probe(
        Cap::ImpersonateUsers,
        &["impersonate"],
        "",
        "users",
        "",
    )),
    cluster(probe(
        Cap::ImpersonateGroups,
        &["impersonate"],
        "",
        "groups",
        "",
    )),
    probe(
        Cap::ImpersonateServiceAccounts,
        &["impersonate"],
        "",
        "serviceaccounts",
        "",
    ),
    probe(Cap::CreatePods, &["create"], "", "pods", ""),
    probe(Cap::WriteControllers, WRITE, "apps", "deployments", ""),
    probe(Cap::WriteControllers, WRITE, "apps", "daemonsets", ""),
    probe(Cap::WriteControllers, WRITE, "apps", "statefulsets", ""),
    probe(Cap::WriteControllers, WRITE, "apps", "replicasets", ""),
    probe(Cap::WriteControllers, WRITE, "batch", "jobs", ""),
    probe(Cap::WriteControllers, WRITE, "batch", "cronjobs", ""),
    probe(
        Cap::WriteControllers,
        WRITE,
        "",
        "replicationcontrollers",
        "",
    ),
    probe(
        Cap::WriteControllers,
        WRITE,
        "extensions",
        "deployments",
        "",
    ),
    probe(Cap::WriteControllers, WRITE, "extensions", "daemonsets", ""),
    probe(
        Cap::WriteControllers,
        WRITE,
        "extensions",
        "replicasets",
        "",
    ),
    probe(Cap::ModifyPods, UPDATE, "", "pods", ""),
    probe(Cap::ExecPods, &["create"], "", "pods", "exec"),
    probe(Cap::ExecPods, &["create"], "", "pods", "attach"),
    probe(Cap::ExecPodsGet, &["get"], "", "pods", "exec"),
    probe(Cap::ExecPodsGet, &["get"], "", "pods", "attach"),
    probe(Cap::Ephemeral, UPDATE, "", "pods", "ephemeralcontainers"),
    probe(
        Cap::PortForwardProxy,
        &["create"],
        "",
        "pods",
        "portforward",
    ),
    probe(Cap::PortForwardProxy, PROXY, "", "pods", "proxy"),
    probe(Cap::PortForwardProxy, PROXY, "", "services", "proxy"),
    cluster(probe(
        Cap::NodeProxy,
        &["get", "create"],
        "",
        "nodes",
        "proxy",
    )),
    probe(
        Cap::ReadSecrets,
        &["get", "list", "watch"],
        "",
        "secrets",
        "",
    ),
    probe(
        Cap::TokenRequest,
        &["create"],
        "",
        "serviceaccounts",
        "token",
    ),
    probe(Cap::WriteSecrets, WRITE, "", "secrets", ""),
    named(
        probe(Cap::AwsAuth, UPDATE, "", "configmaps", ""),
        "aws-auth",
    ),
    cluster(probe(
        Cap::Webhooks,
        WRITE_DELETE,
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "",
    )),
    cluster(probe(
        Cap::Webhooks,
        WRITE_DELETE,
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "",
    )),
    cluster(probe(
        Cap::AdmissionPolicies,
        WRITE,
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        "",
    )),
    cluster(probe(
        Cap::AdmissionPolicies,
        WRITE,
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        "",
    )),
    cluster(probe(
        Cap::AdmissionPolicies,
        WRITE,
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicies",
        "",
    )),
    cluster(probe(
        Cap::AdmissionPolicies,
        WRITE,
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicybindings",
        "",
    )),
    cluster(probe(
        Cap::AdmissionPolicies,
        WRITE,
        "templates.gatekeeper.sh",
        "constrainttemplates",
        "",
    )),
    cluster(probe(
        Cap::AdmissionPolicies,
        WRITE,
        "mutations.gatekeeper.sh",
        "assign",
        "",
    )),
    cluster(probe(
        Cap::AdmissionPolicies,
        WRITE,
        "mutations.gatekeeper.sh",
        "assignmetadata",
        "",
    )),
    probe(
        Cap::AdmissionPolicies,
        WRITE,
        "config.gatekeeper.sh",
        "configs",
        "",
    ),
    cluster(probe(
        Cap::AdmissionPolicies,
        WRITE,
        "kyverno.io",
        "clusterpolicies",
        "",
    )),
    probe(Cap::AdmissionPolicies, WRITE, "kyverno.io", "policies", ""),
    cluster(probe(
        Cap::WriteCrds,
        WRITE_DELETE,
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "",
    )),
    cluster(probe(
        Cap::CsrApproval,
        &["update"],
        "certificates.k8s.io",
        "certificatesigningrequests",
        "approval",
    )),
    cluster(named(
        probe(
            Cap::CsrSigner,
            &["approve"],
            "certificates.k8s.io",
            "signers",
            "",
        ),
        "kubernetes.io/kube-apiserver-client",
    )),
    cluster(named(
        probe(
            Cap::CsrSigner,
            &["approve"],
            "certificates.k8s.io",
            "signers",
            "",
        ),
        "kubernetes.io/*",
    )),
    cluster(probe(
        Cap::CsrCreate,
        &["create"],
        "certificates.k8s.io",
        "certificatesigningrequests",
        "",
    )),
    cluster(probe(Cap::WriteNodes, UPDATE, "", "nodes", "")),
    cluster(probe(Cap::WriteNodes, UPDATE, "", "nodes", "status")),
    probe(Cap::EvictPods, &["delete"], "", "pods", ""),
    probe(Cap::EvictPods, &["create"], "", "pods", "eviction"),
    probe(Cap::PodStatus, UPDATE, "", "pods", "status"),
    probe(Cap::ServiceStatus, UPDATE, "", "services", "status"),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "networking.k8s.io",
        "networkpolicies",
        "",
    ),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "networking.k8s.io",
        "ingresses",
        "",
    ),
    cluster(probe(
        Cap::Network,
        WRITE_DELETE,
        "networking.k8s.io",
        "ingressclasses",
        "",
    )),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "extensions",
        "networkpolicies",
        "",
    ),
    probe(Cap::Network, WRITE_DELETE, "extensions", "ingresses", ""),
    probe(Cap::Network, WRITE_DELETE, "", "services", ""),
    probe(Cap::Network, WRITE_DELETE, "", "endpoints", ""),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "discovery.k8s.io",
        "endpointslices",
        "",
    ),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "gateway.networking.k8s.io",
        "gateways",
        "",
    ),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "gateway.networking.k8s.io",
        "httproutes",
        "",
    ),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "gateway.networking.k8s.io",
        "grpcroutes",
        "",
    ),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "gateway.networking.k8s.io",
        "tcproutes",
        "",
    ),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "gateway.networking.k8s.io",
        "tlsroutes",
        "",
    ),
    probe(
        Cap::Network,
        WRITE_DELETE,
        "gateway.networking.k8s.io",
        "udproutes",
        "",
    ),
    cluster(probe(
        Cap::PersistentVolumes,
        WRITE_DELETE,
        "",
        "persistentvolumes",
        "",
    )),
    probe(Cap::Storage, WRITE_DELETE, "", "persistentvolumeclaims", ""),
    cluster(probe(
        Cap::Storage,
        WRITE_DELETE,
        "storage.k8s.io",
        "storageclasses",
        "",
    )),
    probe(Cap::Delete, DELETE, "", "pods", ""),
    probe(Cap::Delete, DELETE, "apps", "deployments", ""),
    probe(Cap::Delete, DELETE, "apps", "daemonsets", ""),
    probe(Cap::Delete, DELETE, "apps", "statefulsets", ""),
    probe(Cap::Delete, DELETE, "apps", "replicasets", ""),
    probe(Cap::Delete, DELETE, "batch", "jobs", ""),
    probe(Cap::Delete, DELETE, "batch", "cronjobs", ""),
    probe(Cap::Delete, DELETE, "", "secrets", ""),
    probe(Cap::Delete, DELETE, "", "services", ""),
    probe(Cap::DeleteEvents, DELETE, "", "events", ""),
    probe(Cap::DeleteEvents, DELETE, "events.k8s.io", "events", ""),
    cluster(probe(
        Cap::Psp,
        &["use"],
        "policy",
        "podsecuritypolicies",
        "",
    )),
    cluster(probe(
        Cap::Psp,
        &["use"],
        "extensions",
        "podsecuritypolicies",
        "",
    )),
];

/// Which rule of a role answers a probe, and whether only for some names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub rule: usize,
    pub probe: usize,
    /// The rule grants the probe only for the names it lists (and the probe's own
    /// name, when it has one, is not among them).
    pub restricted: bool,
}

/// Rule-shape facts the catalogue needs beyond probes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shapes {
    /// A rule with `*` verbs, `*` resources and `*` (or core) apiGroups (RBAC-ADMIN-*).
    pub full_wildcard: Option<usize>,
    /// Any `*` in verbs, resources or apiGroups (RBAC-HYG-WILDCARD).
    pub any_wildcard: Option<usize>,
    /// `impersonate` on `authentication.k8s.io` userextras/* or uids.
    pub impersonate_extra_uid: Option<usize>,
    /// Constrained impersonation verbs, or `*` verbs on authentication.k8s.io identities.
    pub impersonate_constrained: Option<usize>,
    /// delete/deletecollection with `*` resources.
    pub delete_star: Option<usize>,
}

/// The capabilities of one role's rules.
#[derive(Clone, Debug)]
pub struct RoleCaps {
    pub caps: [Option<Hit>; CAP_COUNT],
    pub shapes: Shapes,
}

/// `namespaced_only` skips cluster-scoped probes: what the rules grant through a RoleBinding.
pub fn role_caps(rules: &[PolicyRule], namespaced_only: bool) -> RoleCaps {
    let mut caps: [Option<Hit>; CAP_COUNT] = [None; CAP_COUNT];
    for (p, probe) in PROBES.iter().enumerate() {
        if namespaced_only && probe.cluster_scoped {
            continue;
        }
        let slot = &mut caps[probe.cap as usize];
        if slot.is_some_and(|h| !h.restricted) {
            continue;
        }
        for (index, rule) in rules.iter().enumerate() {
            if !probe.verbs.iter().any(|v| verb_matches(rule, v))
                || !group_matches(rule, probe.group)
                || !resource_matches(rule, probe.resource, probe.sub)
            {
                continue;
            }
            // Restricted: the rule lists names and the probe's own name (if any) is not one.
            let restricted = !rule.resource_names.is_empty()
                && (probe.name.is_empty() || !rule.resource_names.iter().any(|n| n == probe.name));
            if !restricted {
                *slot = Some(Hit {
                    rule: index,
                    probe: p,
                    restricted,
                });
                break;
            }
            if slot.is_none() {
                *slot = Some(Hit {
                    rule: index,
                    probe: p,
                    restricted,
                });
            }
        }
    }
    RoleCaps {
        caps,
        shapes: shapes(rules),
    }
}

fn shapes(rules: &[PolicyRule]) -> Shapes {
    let mut out = Shapes::default();
    let star = |list: &[String]| list.iter().any(|v| v == "*");
    for (index, rule) in rules.iter().enumerate() {
        let resource_rule = !rule.resources.is_empty();
        if resource_rule
            && star(&rule.verbs)
            && star(&rule.resources)
            && rule.api_groups.iter().any(|g| g == "*" || g.is_empty())
            && rule.resource_names.is_empty()
        {
            out.full_wildcard.get_or_insert(index);
        }
        if resource_rule && (star(&rule.verbs) || star(&rule.resources) || star(&rule.api_groups)) {
            out.any_wildcard.get_or_insert(index);
        }
        let auth_group = group_matches(rule, "authentication.k8s.io");
        if auth_group
            && verb_matches(rule, "impersonate")
            && rule.resources.iter().any(|r| {
                r == "*" || r == "uids" || r.starts_with("userextras/") || r.starts_with("*/")
            })
        {
            out.impersonate_extra_uid.get_or_insert(index);
        }
        let constrained_verb = rule
            .verbs
            .iter()
            .any(|v| v.starts_with("impersonate:") || v.starts_with("impersonate-on:"));
        let identity_resource = [
            "users",
            "groups",
            "serviceaccounts",
            "nodes",
            "uids",
            "userextras",
        ]
        .iter()
        .any(|r| resource_matches(rule, r, ""));
        // `impersonate-on:<mode>:<verb>` is checked against any request, so it counts in any group.
        if constrained_verb || (auth_group && identity_resource && star(&rule.verbs)) {
            out.impersonate_constrained.get_or_insert(index);
        }
        if star(&rule.resources)
            && (verb_matches(rule, "delete") || verb_matches(rule, "deletecollection"))
        {
            out.delete_star.get_or_insert(index);
        }
    }
    out
}
