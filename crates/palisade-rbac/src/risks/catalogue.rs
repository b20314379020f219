//! The risk catalogue (RISKS.md §A) as rules decided from a subject's
//! capabilities in one scope. Ids are the catalogue ids in kebab case:
//! `RBAC-ESC-BIND` is `rbac/esc-bind`.

use palisade_core::Severity;

use super::probes::{Cap, PROBES};
use super::{CapGrant, ScopeCaps};
use crate::matching::verb_matches;
use crate::policy::{Grant, Policy};

/// A catalogue entry: its stable id, what it flags, why that is dangerous, the fix.
#[derive(Debug)]
pub struct RiskRule {
    pub id: &'static str,
    pub catalogue_id: &'static str,
    pub title: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $cat:literal, $title:literal, $why:literal, $fix:literal;)*) => {
        $(pub static $name: RiskRule = RiskRule { id: $id, catalogue_id: $cat, title: $title, why: $why, fix: $fix };)*
        /// Every rule this module can report, for documentation and `--explain`.
        pub static ALL_RULES: &[&RiskRule] = &[$(&$name),*];
    };
}

rules! {
    ADMIN_CLUSTER = "rbac/admin-cluster", "RBAC-ADMIN-CLUSTER", "full control of the cluster",
        "Unrestricted control of the API: read every secret, create any workload, rewrite RBAC.",
        "Bind cluster-admin only to break-glass identities; give people and workloads narrow roles.";
    ADMIN_NAMESPACE = "rbac/admin-namespace", "RBAC-ADMIN-NAMESPACE", "full control of a namespace",
        "Full control of the namespace: all its secrets and its ServiceAccounts' tokens, and it can create roles and bindings there.",
        "Bind a narrower role (edit or view, or a custom one) in the namespace.";
    HYG_WILDCARD = "rbac/hyg-wildcard", "RBAC-HYG-WILDCARD", "wildcard permissions",
        "A `*` grants future resources and verbs (CRDs, escalate, bind, impersonate) that the author did not mean to give.",
        "List the verbs, apiGroups and resources explicitly.";
    ESC_BIND = "rbac/esc-bind", "RBAC-ESC-BIND", "can bind roles",
        "`bind` bypasses the escalation check: the subject can bind any role it may bind, cluster-admin included, to itself.",
        "Remove `bind`, or restrict it with resourceNames to roles that are safe to hand out.";
    ESC_ESCALATE = "rbac/esc-escalate", "RBAC-ESC-ESCALATE", "can escalate roles",
        "`escalate` bypasses the covers check: the subject can write a role with any permission and then use it.",
        "Remove `escalate`; only the aggregation controller needs it.";
    ESC_RBAC_WRITE = "rbac/esc-rbac-write", "RBAC-ESC-RBAC-WRITE", "can write RBAC objects",
        "Limited by the escalation checks, but the subject can hand its own permissions to anyone, and add itself to bindings whose role it covers.",
        "Keep RBAC writes to administrators and GitOps service accounts.";
    ESC_AGGREGATION_LABEL = "rbac/esc-aggregation-label", "RBAC-ESC-AGGREGATION-LABEL", "can write ClusterRoles that aggregate into admin/edit/view",
        "A ClusterRole labelled rbac.authorization.k8s.io/aggregate-to-{admin,edit,view} pours the subject's permissions into every subject bound to those roles.",
        "Keep ClusterRole writes to cluster administrators.";
    IMP_USER_GROUP = "rbac/imp-user-group", "RBAC-IMP-USER-GROUP", "can impersonate users or groups",
        "The subject can become any user or group, system:masters included (legacy impersonation does not refuse it).",
        "Remove impersonate on users/groups, or restrict it with resourceNames to harmless identities.";
    IMP_SERVICEACCOUNT = "rbac/imp-serviceaccount", "RBAC-IMP-SERVICEACCOUNT", "can impersonate ServiceAccounts",
        "The subject can act as any ServiceAccount in scope, including accounts with cluster-wide bindings.",
        "Remove impersonate on serviceaccounts or restrict it with resourceNames.";
    IMP_EXTRA_UID = "rbac/imp-extra-uid", "RBAC-IMP-EXTRA-UID", "can impersonate user extras or uids",
        "Forged extra attributes (scopes, node binding) are trusted by webhooks and authorizers.",
        "Restrict impersonate on userextras/uids to the authenticating proxy that needs it.";
    IMP_CONSTRAINED = "rbac/imp-constrained", "RBAC-IMP-CONSTRAINED", "constrained impersonation grant",
        "Constrained impersonation verbs (impersonate:<mode>, impersonate-on:<mode>:<verb>) let the subject act as other identities; a `*` verb on authentication.k8s.io identities matches them too.",
        "Grant constrained impersonation only for the modes and verbs that are needed.";
    WL_CREATE_PODS = "rbac/wl-create-pods", "RBAC-WL-CREATE-PODS", "can create pods",
        "A pod can run as any ServiceAccount of its namespace and mount its secrets; unless admission stops it, it can also use hostPath, privileged mode or host namespaces to escape to the node.",
        "Let people create workloads through a reviewed pipeline; enforce Pod Security restricted in the namespace.";
    WL_CONTROLLERS = "rbac/wl-controllers", "RBAC-WL-CONTROLLERS", "can create or change workload controllers",
        "Creating or changing a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job or CronJob creates pods indirectly, with any ServiceAccount of the namespace; a DaemonSet reaches every node.",
        "Restrict workload writes to deployment pipelines; enforce Pod Security restricted.";
    WL_MODIFY_PODS = "rbac/wl-modify-pods", "RBAC-WL-MODIFY-PODS", "can update or patch pods",
        "Swapping the image of a running pod runs attacker code as that pod's ServiceAccount.",
        "Remove update/patch on pods; change workloads through their controllers.";
    EXEC_PODS = "rbac/exec-pods", "RBAC-EXEC-PODS", "can exec or attach into pods",
        "A shell inside existing pods, with their tokens and mounted secrets. Before Kubernetes 1.35, `get` on pods/exec is enough through websockets.",
        "Remove pods/exec and pods/attach, or limit them to break-glass roles.";
    EXEC_EPHEMERAL = "rbac/exec-ephemeral", "RBAC-EXEC-EPHEMERAL", "can add ephemeral containers",
        "The subject can inject a container, possibly privileged, into any running pod.",
        "Remove update/patch on pods/ephemeralcontainers.";
    EXEC_PROXY_PORTFORWARD = "rbac/exec-proxy-portforward", "RBAC-EXEC-PROXY-PORTFORWARD", "can port-forward or proxy to pods/services",
        "Reach pod and service ports directly, bypassing NetworkPolicy and ingress authentication.",
        "Remove pods/portforward, pods/proxy and services/proxy.";
    NODE_PROXY = "rbac/node-proxy", "RBAC-NODE-PROXY", "can use the kubelet API through nodes/proxy",
        "The kubelet maps exec/run to nodes/proxy and a websocket GET is enough: commands run in every pod on every node.",
        "Remove nodes/proxy; use nodes/metrics, nodes/stats or nodes/log for monitoring.";
    SEC_READ = "rbac/sec-read", "RBAC-SEC-READ", "can read secrets",
        "Secrets hold credentials, legacy ServiceAccount tokens and TLS keys; list and watch return full contents.",
        "Grant get on named secrets only (resourceNames), and never list/watch.";
    SEC_TOKEN_REQUEST = "rbac/sec-token-request", "RBAC-SEC-TOKEN-REQUEST", "can mint ServiceAccount tokens",
        "create serviceaccounts/token mints a token for any ServiceAccount in scope.",
        "Remove create on serviceaccounts/token or restrict it with resourceNames.";
    SEC_WRITE = "rbac/sec-write", "RBAC-SEC-WRITE", "can write secrets in a privileged namespace",
        "The subject can create a kubernetes.io/service-account-token secret for a privileged ServiceAccount and read the token back.",
        "Remove secret writes in privileged namespaces.";
    CLOUD_IDENTITY_MAP = "rbac/cloud-identity-map", "RBAC-CLOUD-IDENTITY-MAP", "can write the aws-auth identity mapping",
        "On EKS, kube-system/aws-auth maps cloud identities to Kubernetes users and groups, system:masters included.",
        "Remove write access to the aws-auth ConfigMap; use EKS access entries.";
    ADM_WEBHOOKS = "rbac/adm-webhooks", "RBAC-ADM-WEBHOOKS", "can change admission webhooks",
        "A webhook sees (a mutating one rewrites) every admitted object, secrets included, or admission checks can be switched off.",
        "Keep webhook configuration writes to cluster administrators.";
    ADM_POLICIES = "rbac/adm-policies", "RBAC-ADM-POLICIES", "can change admission policies",
        "Admission policies (ValidatingAdmissionPolicy, Gatekeeper, Kyverno) are guardrails: the subject can turn them off or mutate workloads.",
        "Keep policy writes to the platform team.";
    CRD_WRITE = "rbac/crd-write", "RBAC-CRD-WRITE", "can change CustomResourceDefinitions",
        "The subject can shadow or break APIs that controllers trust.",
        "Keep CRD writes to cluster administrators and operators' installers.";
    CSR_APPROVE = "rbac/csr-approve", "RBAC-CSR-APPROVE", "can create and approve client certificates",
        "Approving CSRs for the kube-apiserver-client signer issues client certificates for any identity, system:masters included.",
        "Split CSR creation from approval; restrict approve to specific signers.";
    NODE_MODIFY = "rbac/node-modify", "RBAC-NODE-MODIFY", "can modify nodes",
        "Relabelling or tainting nodes attracts or repels pods.",
        "Leave node writes to the kubelet (NodeRestriction) and node controllers.";
    NODE_STEAL_PODS = "rbac/node-steal-pods", "RBAC-NODE-STEAL-PODS", "can move privileged pods onto chosen nodes",
        "Removing pods in a privileged namespace while making other nodes unschedulable moves powerful pods onto a compromised node.",
        "Remove node writes or pod deletion/eviction in privileged namespaces.";
    POD_STATUS = "rbac/pod-status", "RBAC-POD-STATUS", "can write pod status",
        "Relabelling pods through status hijacks Service endpoints.",
        "Leave pods/status to the kubelet.";
    NET_SERVICE_STATUS = "rbac/net-service-status", "RBAC-NET-SERVICE-STATUS", "can write service status",
        "Setting a LoadBalancer's ingress IP is the CVE-2020-8554 man-in-the-middle.",
        "Leave services/status to the cloud controller.";
    NET_MANIPULATE = "rbac/net-manipulate", "RBAC-NET-MANIPULATE", "can change network objects",
        "NetworkPolicies, Services, Endpoints, Ingresses and Gateway routes open network paths or redirect traffic.",
        "Restrict network object writes to the teams that own them.";
    STORAGE = "rbac/storage", "RBAC-STORAGE", "can change storage objects",
        "A hostPath PersistentVolume reaches the node filesystem; other workloads' data can be read.",
        "Keep PersistentVolume and StorageClass writes to cluster administrators.";
    DEL_RESOURCES = "rbac/del-resources", "RBAC-DEL-RESOURCES", "can delete workloads, secrets or services",
        "Deleting workloads, secrets or services is a denial of service.",
        "Restrict delete/deletecollection to the owners of the objects.";
    DEL_EVENTS = "rbac/del-events", "RBAC-DEL-EVENTS", "can delete events",
        "Deleting events erases the evidence an attack leaves behind.",
        "Remove delete on events.";
    LEGACY_PSP_USE = "rbac/legacy-psp-use", "RBAC-LEGACY-PSP-USE", "can use PodSecurityPolicies",
        "On clusters before v1.25, `use` on a permissive PodSecurityPolicy allows privileged pods.",
        "Remove the grant; PodSecurityPolicy was removed in v1.25.";
    ANON_BINDING = "rbac/anon-binding", "RBAC-ANON-BINDING", "grants to anonymous callers",
        "Anyone who can reach the API server gets this grant.",
        "Remove the binding to system:anonymous / system:unauthenticated.";
    BROAD_GROUP = "rbac/broad-group", "RBAC-BROAD-GROUP", "sensitive grant to a broad group",
        "system:authenticated reaches every user and ServiceAccount; system:serviceaccounts[:ns] every ServiceAccount (of the namespace).",
        "Bind the role to the specific users, groups or ServiceAccounts that need it.";
    HYG_MANY_ROLES = "rbac/hyg-many-roles", "RBAC-HYG-MANY-ROLES", "many bindings",
        "Subjects with many bindings are hard to review.",
        "Consolidate the grants into fewer roles.";
    HYG_DEFAULT_SA = "rbac/hyg-default-sa", "RBAC-HYG-DEFAULT-SA", "grant to a default ServiceAccount",
        "Every pod without an explicit serviceAccountName runs as `default` and inherits the grant.",
        "Create a dedicated ServiceAccount for the workload that needs the grant.";
    PATH_ESCALATION = "rbac/path-escalation", "RBAC-PATH", "escalation path to a more powerful identity",
        "The subject can become another identity (by running pods as a ServiceAccount, minting its token, or impersonating it) and so holds that identity's permissions.",
        "Break the first link: remove the workload, token or impersonation grant, or move the powerful identity elsewhere.";
}

/// One catalogue match for a subject in a scope.
#[derive(Clone, Debug)]
pub struct RiskHit {
    pub rule: &'static RiskRule,
    pub severity: Severity,
    /// What the subject can do, e.g. "can create pods".
    pub what: String,
    pub grants: Vec<Grant>,
}

/// Is the scope privileged (cluster-wide, or a configured privileged namespace)?
pub struct ScopeInfo<'a> {
    pub cluster: bool,
    pub namespace: &'a str,
    pub privileged: bool,
}

/// `verb[/verb] resource[/sub][.group]`, naming only the probe verbs the rule grants.
fn probe_text(policy: &Policy, hit: &CapGrant) -> String {
    let p = &PROBES[hit.probe];
    let rule = policy.rule(&hit.grant);
    let verbs: Vec<&str> = p
        .verbs
        .iter()
        .copied()
        .filter(|v| verb_matches(rule, v))
        .collect();
    let group = if p.group.is_empty() {
        String::new()
    } else {
        format!(".{}", p.group)
    };
    let sub = if p.sub.is_empty() {
        String::new()
    } else {
        format!("/{}", p.sub)
    };
    let restricted = if hit.restricted {
        " (named objects only)"
    } else {
        ""
    };
    format!("{} {}{sub}{group}{restricted}", verbs.join("/"), p.resource)
}

/// Decides every single-scope catalogue rule.
pub fn evaluate(policy: &Policy, scope: &ScopeInfo<'_>, caps: &ScopeCaps) -> Vec<RiskHit> {
    let mut out = Vec::new();
    let probe_text = |hit: &CapGrant| probe_text(policy, hit);
    let cap = |c: Cap| caps.caps[c as usize];
    let free = |c: Cap| cap(c).filter(|h| !h.restricted);
    let mut push =
        |rule: &'static RiskRule, severity: Severity, what: String, hits: &[CapGrant]| {
            out.push(RiskHit {
                rule,
                severity,
                what,
                grants: hits.iter().map(|h| h.grant).collect(),
            });
        };

    // A.1 full control; when it holds, the narrower findings add nothing.
    if let Some(g) = caps.full_wildcard {
        let hit = CapGrant {
            grant: g,
            probe: 0,
            restricted: false,
        };
        if scope.cluster {
            push(
                &ADMIN_CLUSTER,
                Severity::Critical,
                "has full control (`*` verbs on `*` resources)".into(),
                &[hit],
            );
        } else {
            push(
                &ADMIN_NAMESPACE,
                Severity::High,
                "has full control (`*` verbs on `*` resources)".into(),
                &[hit],
            );
        }
        return out;
    }
    if let Some(g) = caps.any_wildcard {
        let hit = CapGrant {
            grant: g,
            probe: 0,
            restricted: false,
        };
        push(
            &HYG_WILDCARD,
            Severity::Medium,
            "holds a rule with `*` in verbs, apiGroups or resources".into(),
            &[hit],
        );
    }

    // A.2 escalation through the RBAC API.
    let bind = free(Cap::BindClusterRoles)
        .or(free(Cap::BindRoles))
        .or(cap(Cap::BindClusterRoles))
        .or(cap(Cap::BindRoles));
    let write_bindings = if scope.cluster {
        cap(Cap::WriteClusterRoleBindings).or(cap(Cap::WriteRoleBindings))
    } else {
        cap(Cap::WriteRoleBindings)
    };
    if let (Some(b), Some(w)) = (bind, write_bindings) {
        let severity = if b.restricted {
            Severity::High
        } else {
            Severity::Critical
        };
        push(
            &ESC_BIND,
            severity,
            format!("can {} and {}", probe_text(&b), probe_text(&w)),
            &[b, w],
        );
    }
    let escalate = if scope.cluster {
        free(Cap::EscalateClusterRoles)
            .or(free(Cap::EscalateRoles))
            .or(cap(Cap::EscalateClusterRoles))
            .or(cap(Cap::EscalateRoles))
    } else {
        cap(Cap::EscalateRoles)
    };
    let write_roles = if scope.cluster {
        cap(Cap::WriteClusterRoles).or(cap(Cap::WriteRoles))
    } else {
        cap(Cap::WriteRoles)
    };
    if let (Some(e), Some(w)) = (escalate, write_roles) {
        push(
            &ESC_ESCALATE,
            Severity::Critical,
            format!("can {} and {}", probe_text(&e), probe_text(&w)),
            &[e, w],
        );
    }
    if bind.is_none() && escalate.is_none() {
        let rbac_write = [
            Cap::WriteClusterRoleBindings,
            Cap::WriteClusterRoles,
            Cap::WriteRoleBindings,
            Cap::WriteRoles,
        ]
        .into_iter()
        .find_map(cap);
        if let Some(w) = rbac_write {
            push(
                &ESC_RBAC_WRITE,
                Severity::Medium,
                format!("can {}", probe_text(&w)),
                &[w],
            );
        }
    }
    if let Some(w) = cap(Cap::WriteClusterRoles).filter(|_| scope.cluster) {
        push(
            &ESC_AGGREGATION_LABEL,
            Severity::Medium,
            format!(
                "can {} (aggregation labels inject permissions into admin/edit/view)",
                probe_text(&w)
            ),
            &[w],
        );
    }

    // A.3 impersonation.
    for c in [Cap::ImpersonateGroups, Cap::ImpersonateUsers] {
        if let Some(h) = cap(c) {
            let severity = if h.restricted {
                Severity::High
            } else {
                Severity::Critical
            };
            push(
                &IMP_USER_GROUP,
                severity,
                format!("can {}", probe_text(&h)),
                &[h],
            );
        }
    }
    if let Some(h) = cap(Cap::ImpersonateServiceAccounts) {
        let severity = if h.restricted {
            Severity::Medium
        } else {
            Severity::High
        };
        push(
            &IMP_SERVICEACCOUNT,
            severity,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(g) = caps.impersonate_extra_uid {
        push(
            &IMP_EXTRA_UID,
            Severity::Medium,
            "can impersonate userextras or uids".into(),
            &[CapGrant {
                grant: g,
                probe: 0,
                restricted: false,
            }],
        );
    }
    if let Some(g) = caps.impersonate_constrained {
        push(
            &IMP_CONSTRAINED,
            Severity::High,
            "holds constrained-impersonation verbs (or `*` on authentication.k8s.io identities)"
                .into(),
            &[CapGrant {
                grant: g,
                probe: 0,
                restricted: false,
            }],
        );
    }

    // A.4 workloads.
    if let Some(h) = free(Cap::CreatePods) {
        let severity = if scope.privileged {
            Severity::Critical
        } else {
            Severity::High
        };
        push(
            &WL_CREATE_PODS,
            severity,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = free(Cap::WriteControllers) {
        push(
            &WL_CONTROLLERS,
            Severity::High,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = free(Cap::ModifyPods) {
        let severity = if scope.privileged {
            Severity::High
        } else {
            Severity::Medium
        };
        push(
            &WL_MODIFY_PODS,
            severity,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }

    // A.5 code execution.
    if let Some(h) = cap(Cap::ExecPods).or(cap(Cap::ExecPodsGet)) {
        push(
            &EXEC_PODS,
            Severity::High,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cap(Cap::Ephemeral) {
        push(
            &EXEC_EPHEMERAL,
            Severity::High,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cap(Cap::PortForwardProxy) {
        push(
            &EXEC_PROXY_PORTFORWARD,
            Severity::Medium,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cap(Cap::NodeProxy) {
        push(
            &NODE_PROXY,
            Severity::Critical,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }

    // A.6 secrets.
    if let Some(h) = cap(Cap::ReadSecrets) {
        let severity = if h.restricted {
            Severity::Info
        } else if scope.privileged {
            Severity::High
        } else {
            Severity::Medium
        };
        push(&SEC_READ, severity, format!("can {}", probe_text(&h)), &[h]);
    }
    if let Some(h) = cap(Cap::TokenRequest) {
        let severity = if h.restricted {
            Severity::Medium
        } else {
            Severity::High
        };
        push(
            &SEC_TOKEN_REQUEST,
            severity,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = free(Cap::WriteSecrets).filter(|_| scope.privileged) {
        push(
            &SEC_WRITE,
            Severity::High,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) =
        free(Cap::AwsAuth).filter(|_| scope.cluster || scope.namespace == "kube-system")
    {
        push(
            &CLOUD_IDENTITY_MAP,
            Severity::High,
            format!(
                "can {} (kube-system/aws-auth; critical on EKS)",
                probe_text(&h)
            ),
            &[h],
        );
    }

    // A.7 admission and API extension.
    if let Some(h) = cap(Cap::Webhooks) {
        push(
            &ADM_WEBHOOKS,
            Severity::Critical,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cap(Cap::AdmissionPolicies) {
        push(
            &ADM_POLICIES,
            Severity::High,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cap(Cap::WriteCrds) {
        push(
            &CRD_WRITE,
            Severity::Medium,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let (Some(a), Some(s), Some(c)) = (
        cap(Cap::CsrApproval),
        cap(Cap::CsrSigner),
        cap(Cap::CsrCreate),
    ) {
        push(
            &CSR_APPROVE,
            Severity::Critical,
            format!(
                "can {}, {} and {}",
                probe_text(&c),
                probe_text(&a),
                probe_text(&s)
            ),
            &[c, a, s],
        );
    }

    // A.8 nodes, network, storage.
    if let Some(h) = cap(Cap::WriteNodes) {
        push(
            &NODE_MODIFY,
            Severity::Medium,
            format!("can {}", probe_text(&h)),
            &[h],
        );
        if let Some(e) = free(Cap::EvictPods)
            .or(free(Cap::ModifyPods))
            .filter(|_| scope.privileged)
        {
            push(
                &NODE_STEAL_PODS,
                Severity::High,
                format!(
                    "can {} and remove pods ({}) in privileged namespaces",
                    probe_text(&h),
                    probe_text(&e)
                ),
                &[h, e],
            );
        }
    }
    if let Some(h) = cap(Cap::PodStatus) {
        push(
            &POD_STATUS,
            Severity::Low,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cap(Cap::ServiceStatus) {
        push(
            &NET_SERVICE_STATUS,
            Severity::Medium,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cap(Cap::Network) {
        push(
            &NET_MANIPULATE,
            Severity::Medium,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cap(Cap::PersistentVolumes) {
        push(
            &STORAGE,
            Severity::High,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    } else if let Some(h) = cap(Cap::Storage) {
        push(
            &STORAGE,
            Severity::Medium,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }

    // A.9 destruction.
    if let Some(g) = caps.delete_star {
        push(
            &DEL_RESOURCES,
            Severity::Medium,
            "can delete any resource (`*`)".into(),
            &[CapGrant {
                grant: g,
                probe: 0,
                restricted: false,
            }],
        );
    } else if let Some(h) = free(Cap::Delete) {
        push(
            &DEL_RESOURCES,
            Severity::Medium,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = free(Cap::DeleteEvents) {
        push(
            &DEL_EVENTS,
            Severity::Low,
            format!("can {}", probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cap(Cap::Psp) {
        push(
            &LEGACY_PSP_USE,
            Severity::Low,
            format!(
                "can {} (PodSecurityPolicy was removed in v1.25)",
                probe_text(&h)
            ),
            &[h],
        );
    }
    out
}

/// One severity step up (capped at critical).
pub fn up(severity: Severity) -> Severity {
    match severity {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

/// Rules of sections A.1 to A.7, the "sensitive" grants RBAC-ANON-BINDING and
/// RBAC-BROAD-GROUP look for.
pub fn is_sensitive(rule: &RiskRule) -> bool {
    let id = rule.catalogue_id;
    [
        "RBAC-ADMIN-",
        "RBAC-ESC-",
        "RBAC-IMP-",
        "RBAC-WL-",
        "RBAC-EXEC-",
        "RBAC-NODE-PROXY",
        "RBAC-SEC-",
        "RBAC-CLOUD-",
        "RBAC-ADM-",
        "RBAC-CRD-",
        "RBAC-CSR-",
    ]
    .iter()
    .any(|prefix| id.starts_with(prefix))
        && rule.catalogue_id != "RBAC-HYG-WILDCARD"
}
