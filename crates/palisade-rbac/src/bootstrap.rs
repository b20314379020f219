//! The API server's default ("bootstrap") RBAC policy as a data table, for
//! `--include-defaults`: the ClusterRoles, ClusterRoleBindings, the
//! `system:controller:*` roles bound to their kube-system ServiceAccounts, and
//! the kube-system / kube-public Roles and RoleBindings a new cluster starts with.
//!
//! Written as our own table from the facts (names, verbs, groups, resources,
//! URLs, subjects) of upstream's `plugin/pkg/auth/authorizer/rbac/bootstrappolicy`
//! (Kubernetes, Apache-2.0). Sources read:
//! - `policy.go`: the copy carried by checkpoint-restore/kubernetes at
//!   e95b42fc6c18555f46ea19b0ee33c34cd011ca06 (a recent upstream tree; the
//!   kubernetes/kubernetes copies stored in our index, 0016f7f2 and 53f1b9d6,
//!   are from 2016 and about v1.16);
//! - `controller_policy.go`: checkpoint-restore/kubernetes at
//!   bbc6a3f4afb946cf883c251b8d0bd3828ebaae0e, without that fork's own
//!   `podcheckpoint-controller` and `podrestore-controller`;
//! - `namespace_policy.go`: kubernetes/kubernetes at
//!   0138c8288042f10a191f349be6178aa9f64fb294.
//!
//! Rules and roles behind a feature gate carry the gate's name; only gates in
//! [`ENABLED_GATES`] are shipped. That list is our reading of which gates are on
//! by default in current releases, not yet checked against one release's
//! defaults: a real cluster's defaults depend on its version and gates.
//! The objects go through `Policy::from_inventory` like any loaded manifest.

use std::sync::Arc;

use palisade_core::{Node, Object, Pos, SourceRef};
use serde_json::{Map, Value, json};

/// The file name bootstrap objects report as their source.
pub const SOURCE: &str = "<bootstrap policy>";

/// Feature gates treated as on (our reading of current releases' defaults).
pub const ENABLED_GATES: &[&str] = &[
    "DynamicResourceAllocation",
    "DRADeviceTaints",
    "KubeletFineGrainedAuthz",
    "KubeletServiceAccountTokenForCredentialProviders",
    "MultiCIDRServiceAllocator",
    "SELinuxChangePolicy",
    "VolumeAttributesClass",
];

const BOOTSTRAP_LABEL: (&str, &str) = ("kubernetes.io/bootstrapping", "rbac-defaults");
const AUTOUPDATE: (&str, &str) = ("rbac.authorization.kubernetes.io/autoupdate", "true");
const TO_ADMIN: &str = "rbac.authorization.k8s.io/aggregate-to-admin";
const TO_EDIT: &str = "rbac.authorization.k8s.io/aggregate-to-edit";
const TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";
const CONTROLLER_PREFIX: &str = "system:controller:";

/// One PolicyRule. Empty lists are left out of the object.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub verbs: &'static [&'static str],
    pub groups: &'static [&'static str],
    pub resources: &'static [&'static str],
    pub names: &'static [&'static str],
    pub urls: &'static [&'static str],
    /// Feature gate the rule depends on ("" for none).
    pub gate: &'static str,
}

const fn rule(
    verbs: &'static [&'static str],
    groups: &'static [&'static str],
    resources: &'static [&'static str],
) -> Rule {
    Rule {
        verbs,
        groups,
        resources,
        names: &[],
        urls: &[],
        gate: "",
    }
}

const fn named(
    verbs: &'static [&'static str],
    groups: &'static [&'static str],
    resources: &'static [&'static str],
    names: &'static [&'static str],
) -> Rule {
    Rule {
        verbs,
        groups,
        resources,
        names,
        urls: &[],
        gate: "",
    }
}

const fn urls(verbs: &'static [&'static str], urls: &'static [&'static str]) -> Rule {
    Rule {
        verbs,
        groups: &[],
        resources: &[],
        names: &[],
        urls,
        gate: "",
    }
}

impl Rule {
    const fn gated(self, gate: &'static str) -> Rule {
        Rule { gate, ..self }
    }
}

/// A ClusterRole (namespace "") or a Role.
#[derive(Clone, Copy, Debug)]
pub struct RoleSpec {
    pub namespace: &'static str,
    pub name: &'static str,
    pub labels: &'static [(&'static str, &'static str)],
    /// One `matchLabels` selector per entry of the aggregationRule.
    pub aggregation: &'static [(&'static str, &'static str)],
    pub rules: &'static [Rule],
    pub gate: &'static str,
}

const fn role(name: &'static str, rules: &'static [Rule]) -> RoleSpec {
    RoleSpec {
        namespace: "",
        name,
        labels: &[],
        aggregation: &[],
        rules,
        gate: "",
    }
}

const fn ns_role(namespace: &'static str, name: &'static str, rules: &'static [Rule]) -> RoleSpec {
    RoleSpec {
        namespace,
        name,
        labels: &[],
        aggregation: &[],
        rules,
        gate: "",
    }
}

impl RoleSpec {
    const fn gated(self, gate: &'static str) -> RoleSpec {
        RoleSpec { gate, ..self }
    }
}

/// A binding subject.
#[derive(Clone, Copy, Debug)]
pub enum Subj {
    Group(&'static str),
    User(&'static str),
    /// namespace, name
    Sa(&'static str, &'static str),
}

/// A ClusterRoleBinding (namespace "") or a RoleBinding. `role_kind` is the
/// roleRef kind.
#[derive(Clone, Copy, Debug)]
pub struct BindingSpec {
    pub namespace: &'static str,
    pub name: &'static str,
    pub role_kind: &'static str,
    pub role: &'static str,
    pub subjects: &'static [Subj],
    pub gate: &'static str,
}

const fn crb(name: &'static str, subjects: &'static [Subj]) -> BindingSpec {
    BindingSpec {
        namespace: "",
        name,
        role_kind: "ClusterRole",
        role: name,
        subjects,
        gate: "",
    }
}

const fn rb(
    namespace: &'static str,
    name: &'static str,
    role: &'static str,
    subjects: &'static [Subj],
) -> BindingSpec {
    BindingSpec {
        namespace,
        name,
        role_kind: "Role",
        role,
        subjects,
        gate: "",
    }
}

// Verb sets and groups.
const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];
const READ_WRITE: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];
const READ_UPDATE: &[&str] = &["get", "list", "watch", "update", "patch"];
const CORE: &[&str] = &[""];
const APPS: &[&str] = &["apps"];
const APPS_EXT: &[&str] = &["apps", "extensions"];
const EXT_APPS: &[&str] = &["extensions", "apps"];
const AUTHN: &[&str] = &["authentication.k8s.io"];
const AUTHZ: &[&str] = &["authorization.k8s.io"];
const AUTOSCALING: &[&str] = &["autoscaling"];
const BATCH: &[&str] = &["batch"];
const CERTS: &[&str] = &["certificates.k8s.io"];
const COORD: &[&str] = &["coordination.k8s.io"];
const DISCOVERY: &[&str] = &["discovery.k8s.io"];
const EXT: &[&str] = &["extensions"];
const POLICY: &[&str] = &["policy"];
const RBAC: &[&str] = &["rbac.authorization.k8s.io"];
const STORAGE: &[&str] = &["storage.k8s.io"];
const NETWORKING: &[&str] = &["networking.k8s.io"];
const RESOURCE: &[&str] = &["resource.k8s.io"];
const ADMISSION: &[&str] = &["admissionregistration.k8s.io"];
const ANY: &[&str] = &["*"];
const DRA: &str = "DynamicResourceAllocation";

const EVENTS: Rule = rule(
    &["create", "update", "patch"],
    &["", "events.k8s.io"],
    &["events"],
);

// Certificate signer names.
const LEGACY_UNKNOWN: &str = "kubernetes.io/legacy-unknown";
const KUBELET_SERVING: &str = "kubernetes.io/kubelet-serving";
const APISERVER_CLIENT: &str = "kubernetes.io/kube-apiserver-client";
const APISERVER_CLIENT_KUBELET: &str = "kubernetes.io/kube-apiserver-client-kubelet";

/// The user-facing and system ClusterRoles (`ClusterRoles()` upstream).
pub const CLUSTER_ROLES: &[RoleSpec] = &[
    role(
        "cluster-admin",
        &[rule(&["*"], ANY, &["*"]), urls(&["*"], &["*"])],
    ),
    role(
        "system:discovery",
        &[urls(
            &["get"],
            &[
                "/livez",
                "/readyz",
                "/healthz",
                "/version",
                "/version/",
                "/openapi",
                "/openapi/*",
                "/api",
                "/api/*",
                "/apis",
                "/apis/*",
            ],
        )],
    ),
    role(
        "system:monitoring",
        &[
            urls(
                &["get"],
                &[
                    "/metrics",
                    "/metrics/slis",
                    "/livez",
                    "/readyz",
                    "/healthz",
                    "/livez/*",
                    "/readyz/*",
                    "/healthz/*",
                ],
            ),
            rule(&["get"], CORE, &["nodes/metrics"]),
        ],
    ),
    role(
        "system:basic-user",
        &[
            rule(
                &["create"],
                AUTHZ,
                &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
            ),
            rule(&["create"], AUTHN, &["selfsubjectreviews"]),
        ],
    ),
    role(
        "system:public-info-viewer",
        &[urls(
            &["get"],
            &["/livez", "/readyz", "/healthz", "/version", "/version/"],
        )],
    ),
    RoleSpec {
        aggregation: &[(TO_ADMIN, "true")],
        ..role("admin", &[])
    },
    RoleSpec {
        labels: &[(TO_ADMIN, "true")],
        aggregation: &[(TO_EDIT, "true")],
        ..role("edit", &[])
    },
    RoleSpec {
        labels: &[(TO_EDIT, "true")],
        aggregation: &[(TO_VIEW, "true")],
        ..role("view", &[])
    },
    RoleSpec {
        labels: &[(TO_ADMIN, "true")],
        ..role(
            "system:aggregate-to-admin",
            &[
                rule(&["create"], AUTHZ, &["localsubjectaccessreviews"]),
                rule(READ_WRITE, RBAC, &["roles", "rolebindings"]),
            ],
        )
    },
    RoleSpec {
        labels: &[(TO_EDIT, "true")],
        ..role("system:aggregate-to-edit", EDIT_RULES)
    },
    RoleSpec {
        labels: &[(TO_VIEW, "true")],
        ..role("system:aggregate-to-view", VIEW_RULES)
    },
    role(
        "system:heapster",
        &[
            rule(READ, CORE, &["events", "pods", "nodes", "namespaces"]),
            rule(READ, EXT, &["deployments"]),
        ],
    ),
    role("system:node", NODE_RULES),
    role(
        "system:node-problem-detector",
        &[
            rule(&["get"], CORE, &["nodes"]),
            rule(&["patch"], CORE, &["nodes/status"]),
            EVENTS,
        ],
    ),
    role(
        "system:node-bootstrapper",
        &[rule(
            &["create", "get", "list", "watch"],
            CERTS,
            &["certificatesigningrequests"],
        )],
    ),
    role(
        "system:auth-delegator",
        &[
            rule(&["create"], AUTHN, &["tokenreviews"]),
            rule(&["create"], AUTHZ, &["subjectaccessreviews"]),
        ],
    ),
    role(
        "system:kube-aggregator",
        &[rule(READ, CORE, &["services", "endpoints"])],
    ),
    role(
        "system:kube-controller-manager",
        &[
            EVENTS,
            rule(&["create"], COORD, &["leases"]),
            named(
                &["get", "update"],
                COORD,
                &["leases"],
                &["kube-controller-manager"],
            ),
            rule(&["create"], CORE, &["secrets", "serviceaccounts"]),
            rule(&["delete"], CORE, &["secrets"]),
            rule(
                &["get"],
                CORE,
                &["namespaces", "secrets", "serviceaccounts", "configmaps"],
            ),
            rule(&["update"], CORE, &["secrets", "serviceaccounts"]),
            rule(&["create"], AUTHN, &["tokenreviews"]),
            rule(&["create"], AUTHZ, &["subjectaccessreviews"]),
            rule(&["list", "watch"], ANY, &["*"]),
            rule(&["create"], CORE, &["serviceaccounts/token"]),
        ],
    ),
    role(
        "system:kube-dns",
        &[rule(&["list", "watch"], CORE, &["endpoints", "services"])],
    ),
    role(
        "system:persistent-volume-provisioner",
        &[
            rule(
                &["get", "list", "watch", "create", "delete"],
                CORE,
                &["persistentvolumes"],
            ),
            rule(
                &["get", "list", "watch", "update"],
                CORE,
                &["persistentvolumeclaims"],
            ),
            rule(READ, STORAGE, &["storageclasses"]),
            rule(&["watch"], CORE, &["events"]),
            EVENTS,
        ],
    ),
    role(
        "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
        &[rule(
            &["create"],
            CERTS,
            &["certificatesigningrequests/nodeclient"],
        )],
    ),
    role(
        "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
        &[rule(
            &["create"],
            CERTS,
            &["certificatesigningrequests/selfnodeclient"],
        )],
    ),
    role(
        "system:volume-scheduler",
        &[
            rule(READ_UPDATE, CORE, &["persistentvolumes"]),
            rule(READ, STORAGE, &["storageclasses"]),
            rule(READ_UPDATE, CORE, &["persistentvolumeclaims"]),
        ],
    ),
    role(
        "system:certificates.k8s.io:legacy-unknown-approver",
        &[named(&["approve"], CERTS, &["signers"], &[LEGACY_UNKNOWN])],
    ),
    role(
        "system:certificates.k8s.io:kubelet-serving-approver",
        &[named(&["approve"], CERTS, &["signers"], &[KUBELET_SERVING])],
    ),
    role(
        "system:certificates.k8s.io:kube-apiserver-client-approver",
        &[named(
            &["approve"],
            CERTS,
            &["signers"],
            &[APISERVER_CLIENT],
        )],
    ),
    role(
        "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
        &[named(
            &["approve"],
            CERTS,
            &["signers"],
            &[APISERVER_CLIENT_KUBELET],
        )],
    ),
    role(
        "system:service-account-issuer-discovery",
        &[urls(
            &["get"],
            &[
                "/.well-known/openid-configuration",
                "/.well-known/openid-configuration/",
                "/openid/v1/jwks",
                "/openid/v1/jwks/",
            ],
        )],
    ),
    role(
        "system:kubelet-api-admin",
        &[
            rule(READ, CORE, &["nodes"]),
            rule(&["proxy"], CORE, &["nodes"]),
            rule(
                &["*"],
                CORE,
                &["nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log"],
            ),
            rule(
                &["*"],
                CORE,
                &["nodes/pods", "nodes/healthz", "nodes/configz"],
            )
            .gated("KubeletFineGrainedAuthz"),
        ],
    ),
    role(
        "system:node-proxier",
        &[
            rule(&["list", "watch"], CORE, &["services", "endpoints"]),
            rule(READ, CORE, &["nodes"]),
            EVENTS,
            rule(&["list", "watch"], NETWORKING, &["servicecidrs"])
                .gated("MultiCIDRServiceAllocator"),
            rule(&["list", "watch"], DISCOVERY, &["endpointslices"]),
        ],
    ),
    role("system:kube-scheduler", SCHEDULER_RULES),
    role(
        "system:cluster-trust-bundle-discovery",
        &[rule(READ, CERTS, &["clustertrustbundles"])],
    )
    .gated("ClusterTrustBundle"),
];

const VIEW_RULES: &[Rule] = &[
    rule(
        READ,
        CORE,
        &[
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/status",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "configmaps",
        ],
    ),
    rule(
        READ,
        CORE,
        &[
            "limitranges",
            "resourcequotas",
            "bindings",
            "pods/status",
            "resourcequotas/status",
            "namespaces/status",
            "replicationcontrollers/status",
            "pods/log",
        ],
    ),
    rule(READ, CORE, &["namespaces"]),
    rule(READ, &["", "events.k8s.io"], &["events"]),
    rule(READ, DISCOVERY, &["endpointslices"]),
    rule(
        READ,
        APPS,
        &[
            "controllerrevisions",
            "statefulsets",
            "statefulsets/status",
            "statefulsets/scale",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/status",
            "deployments/scale",
            "replicasets",
            "replicasets/status",
            "replicasets/scale",
        ],
    ),
    rule(
        READ,
        AUTOSCALING,
        &[
            "horizontalpodautoscalers",
            "horizontalpodautoscalers/status",
        ],
    ),
    rule(
        READ,
        BATCH,
        &["jobs", "cronjobs", "cronjobs/status", "jobs/status"],
    ),
    rule(
        READ,
        EXT,
        &[
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "ingresses",
            "ingresses/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "replicationcontrollers/scale",
            "networkpolicies",
        ],
    ),
    rule(
        READ,
        POLICY,
        &["poddisruptionbudgets", "poddisruptionbudgets/status"],
    ),
    rule(
        READ,
        NETWORKING,
        &["networkpolicies", "ingresses", "ingresses/status"],
    ),
    rule(
        READ,
        RESOURCE,
        &[
            "resourceclaims",
            "resourceclaims/status",
            "resourceclaimtemplates",
        ],
    )
    .gated(DRA),
];

const EDIT_RULES: &[Rule] = &[
    rule(
        READ,
        CORE,
        &[
            "pods/attach",
            "pods/proxy",
            "pods/exec",
            "pods/portforward",
            "secrets",
            "services/proxy",
        ],
    ),
    rule(&["impersonate"], CORE, &["serviceaccounts"]),
    rule(
        WRITE,
        CORE,
        &[
            "pods",
            "pods/attach",
            "pods/proxy",
            "pods/exec",
            "pods/portforward",
        ],
    ),
    rule(&["create"], CORE, &["pods/eviction"]),
    rule(
        WRITE,
        CORE,
        &[
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/proxy",
            "persistentvolumeclaims",
            "configmaps",
            "secrets",
        ],
    ),
    rule(&["create"], CORE, &["serviceaccounts/token"]),
    rule(WRITE, &["", "events.k8s.io"], &["events"]),
    rule(
        WRITE,
        APPS,
        &[
            "statefulsets",
            "statefulsets/scale",
            "daemonsets",
            "deployments",
            "deployments/scale",
            "deployments/rollback",
            "replicasets",
            "replicasets/scale",
        ],
    ),
    rule(WRITE, AUTOSCALING, &["horizontalpodautoscalers"]),
    rule(WRITE, BATCH, &["jobs", "cronjobs"]),
    rule(
        WRITE,
        EXT,
        &[
            "daemonsets",
            "deployments",
            "deployments/scale",
            "deployments/rollback",
            "ingresses",
            "replicasets",
            "replicasets/scale",
            "replicationcontrollers/scale",
            "networkpolicies",
        ],
    ),
    rule(WRITE, POLICY, &["poddisruptionbudgets"]),
    rule(WRITE, NETWORKING, &["networkpolicies", "ingresses"]),
    rule(READ_WRITE, COORD, &["leases"]),
    rule(
        WRITE,
        RESOURCE,
        &["resourceclaims", "resourceclaimtemplates"],
    )
    .gated(DRA),
];

const NODE_RULES: &[Rule] = &[
    rule(&["create"], AUTHN, &["tokenreviews"]),
    rule(
        &["create"],
        AUTHZ,
        &["subjectaccessreviews", "localsubjectaccessreviews"],
    ),
    rule(READ, CORE, &["services"]),
    rule(&["create", "get", "list", "watch"], CORE, &["nodes"]),
    rule(&["update", "patch"], CORE, &["nodes/status"]),
    rule(&["update", "patch"], CORE, &["nodes"]),
    EVENTS,
    rule(READ, CORE, &["pods"]),
    rule(&["create", "delete"], CORE, &["pods"]),
    rule(&["update", "patch"], CORE, &["pods/status"]),
    rule(&["create"], CORE, &["pods/eviction"]),
    rule(READ, CORE, &["secrets", "configmaps"]),
    rule(
        &["get"],
        CORE,
        &["persistentvolumeclaims", "persistentvolumes"],
    ),
    rule(&["get"], CORE, &["endpoints"]),
    rule(
        &["create", "get", "list", "watch"],
        CERTS,
        &["certificatesigningrequests"],
    ),
    rule(
        &["get", "create", "update", "patch", "delete"],
        COORD,
        &["leases"],
    ),
    rule(&["get"], STORAGE, &["volumeattachments"]),
    rule(&["create"], CORE, &["serviceaccounts/token"]),
    rule(
        &["get", "update", "patch"],
        CORE,
        &["persistentvolumeclaims/status"],
    ),
    rule(&["get", "watch", "list"], STORAGE, &["csidrivers"]),
    rule(
        &["get", "create", "update", "patch", "delete"],
        STORAGE,
        &["csinodes"],
    ),
    rule(READ, &["node.k8s.io"], &["runtimeclasses"]),
    rule(&["get"], RESOURCE, &["resourceclaims"]).gated(DRA),
    rule(&["deletecollection"], RESOURCE, &["resourceslices"]).gated(DRA),
    rule(READ, CERTS, &["clustertrustbundles"]).gated("ClusterTrustBundle"),
    rule(&["get"], CORE, &["serviceaccounts"])
        .gated("KubeletServiceAccountTokenForCredentialProviders"),
    rule(
        &["get", "list", "watch", "create"],
        CERTS,
        &["podcertificaterequests"],
    )
    .gated("PodCertificateRequest"),
];

const SCHEDULER_RULES: &[Rule] = &[
    EVENTS,
    rule(&["create"], COORD, &["leases"]),
    named(
        &["get", "update", "list", "watch"],
        COORD,
        &["leases"],
        &["kube-scheduler"],
    ),
    rule(READ_WRITE, COORD, &["leasecandidates"]),
    rule(READ, CORE, &["nodes"]),
    rule(&["get", "list", "watch", "delete"], CORE, &["pods"]),
    rule(&["create"], CORE, &["pods/binding", "bindings"]),
    rule(&["patch", "update"], CORE, &["pods/status"]),
    rule(READ, CORE, &["services", "replicationcontrollers"]),
    rule(READ, APPS_EXT, &["replicasets"]),
    rule(READ, APPS, &["statefulsets"]),
    rule(READ, POLICY, &["poddisruptionbudgets"]),
    rule(READ, CORE, &["persistentvolumeclaims", "persistentvolumes"]),
    rule(&["create"], AUTHN, &["tokenreviews"]),
    rule(&["create"], AUTHZ, &["subjectaccessreviews"]),
    rule(READ, STORAGE, &["csinodes"]),
    rule(READ, STORAGE, &["volumeattachments"]),
    rule(READ, CORE, &["namespaces"]),
    rule(READ, STORAGE, &["csidrivers"]),
    rule(READ, STORAGE, &["csistoragecapacities"]),
    rule(READ, RESOURCE, &["deviceclasses"]).gated(DRA),
    rule(READ_UPDATE, RESOURCE, &["resourceclaims"]).gated(DRA),
    rule(READ_UPDATE, RESOURCE, &["resourceclaims/status"]).gated(DRA),
    rule(&["update"], CORE, &["pods/finalizers"]).gated(DRA),
    rule(READ, RESOURCE, &["resourceslices"]).gated(DRA),
];

/// The default ClusterRoleBindings (`ClusterRoleBindings()` upstream).
pub const CLUSTER_ROLE_BINDINGS: &[BindingSpec] = &[
    crb("cluster-admin", &[Subj::Group("system:masters")]),
    crb("system:monitoring", &[Subj::Group("system:monitoring")]),
    crb("system:discovery", &[Subj::Group("system:authenticated")]),
    crb("system:basic-user", &[Subj::Group("system:authenticated")]),
    crb(
        "system:public-info-viewer",
        &[
            Subj::Group("system:authenticated"),
            Subj::Group("system:unauthenticated"),
        ],
    ),
    crb("system:node-proxier", &[Subj::User("system:kube-proxy")]),
    crb(
        "system:kube-controller-manager",
        &[Subj::User("system:kube-controller-manager")],
    ),
    crb("system:kube-dns", &[Subj::Sa("kube-system", "kube-dns")]),
    crb(
        "system:kube-scheduler",
        &[Subj::User("system:kube-scheduler")],
    ),
    crb(
        "system:volume-scheduler",
        &[Subj::User("system:kube-scheduler")],
    ),
    // Kept without subjects since the Node authorizer took over (1.8).
    crb("system:node", &[]),
    crb(
        "system:service-account-issuer-discovery",
        &[Subj::Group("system:serviceaccounts")],
    ),
    BindingSpec {
        gate: "ClusterTrustBundle",
        ..crb(
            "system:cluster-trust-bundle-discovery",
            &[Subj::Group("system:serviceaccounts")],
        )
    },
];

/// The `system:controller:*` ClusterRoles; each is bound to ServiceAccount
/// `kube-system/<name without the prefix>`.
pub const CONTROLLER_ROLES: &[RoleSpec] = &[
    role(
        "system:controller:attachdetach-controller",
        &[
            rule(
                &["list", "watch"],
                CORE,
                &["persistentvolumes", "persistentvolumeclaims"],
            ),
            rule(READ, CORE, &["nodes"]),
            rule(&["patch", "update"], CORE, &["nodes/status"]),
            rule(&["list", "watch"], CORE, &["pods"]),
            EVENTS,
            rule(
                &["get", "create", "delete", "list", "watch"],
                STORAGE,
                &["volumeattachments"],
            ),
            rule(&["get", "watch", "list"], STORAGE, &["csidrivers"]),
            rule(&["get", "watch", "list"], STORAGE, &["csinodes"]),
        ],
    ),
    role(
        "system:controller:clusterrole-aggregation-controller",
        &[rule(
            &["escalate", "get", "list", "watch", "update", "patch"],
            RBAC,
            &["clusterroles"],
        )],
    ),
    role(
        "system:controller:cronjob-controller",
        &[
            rule(&["get", "list", "watch", "update"], BATCH, &["cronjobs"]),
            rule(
                &[
                    "get", "list", "watch", "create", "update", "delete", "patch",
                ],
                BATCH,
                &["jobs"],
            ),
            rule(&["update"], BATCH, &["cronjobs/status"]),
            rule(&["update"], BATCH, &["cronjobs/finalizers"]),
            rule(&["list", "watch", "delete"], CORE, &["pods"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:daemon-set-controller",
        &[
            rule(READ, EXT_APPS, &["daemonsets"]),
            rule(&["update"], EXT_APPS, &["daemonsets/status"]),
            rule(&["update"], EXT_APPS, &["daemonsets/finalizers"]),
            rule(&["list", "watch"], CORE, &["nodes"]),
            rule(
                &["list", "watch", "create", "delete", "patch"],
                CORE,
                &["pods"],
            ),
            rule(&["create"], CORE, &["pods/binding"]),
            rule(
                &[
                    "get", "list", "watch", "create", "delete", "update", "patch",
                ],
                APPS,
                &["controllerrevisions"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:deployment-controller",
        &[
            rule(
                &["get", "list", "watch", "update"],
                EXT_APPS,
                &["deployments"],
            ),
            rule(&["update"], EXT_APPS, &["deployments/status"]),
            rule(&["update"], EXT_APPS, &["deployments/finalizers"]),
            rule(
                &[
                    "get", "list", "watch", "create", "update", "patch", "delete",
                ],
                APPS_EXT,
                &["replicasets"],
            ),
            rule(&["get", "list", "watch", "update"], CORE, &["pods"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:disruption-controller",
        &[
            rule(READ, EXT_APPS, &["deployments"]),
            rule(READ, APPS_EXT, &["replicasets"]),
            rule(READ, CORE, &["replicationcontrollers"]),
            rule(READ, POLICY, &["poddisruptionbudgets"]),
            rule(READ, APPS, &["statefulsets"]),
            rule(&["update"], POLICY, &["poddisruptionbudgets/status"]),
            rule(&["patch", "update"], CORE, &["pods/status"]),
            rule(&["get"], ANY, &["*/scale"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:endpoint-controller",
        &[
            rule(READ, CORE, &["services", "pods"]),
            rule(
                &["get", "list", "watch", "create", "update", "delete"],
                CORE,
                &["endpoints"],
            ),
            rule(&["create"], CORE, &["endpoints/restricted"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:endpointslice-controller",
        &[
            rule(READ, CORE, &["services", "pods", "nodes"]),
            rule(&["update"], CORE, &["services/finalizers"]),
            rule(
                &["get", "list", "watch", "create", "update", "delete"],
                DISCOVERY,
                &["endpointslices"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:endpointslicemirroring-controller",
        &[
            rule(READ, CORE, &["services", "endpoints"]),
            rule(&["update"], CORE, &["services/finalizers"]),
            rule(&["update"], CORE, &["endpoints/finalizers"]),
            rule(
                &["get", "list", "watch", "create", "update", "delete"],
                DISCOVERY,
                &["endpointslices"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:expand-controller",
        &[
            rule(READ_UPDATE, CORE, &["persistentvolumes"]),
            rule(
                &["update", "patch"],
                CORE,
                &["persistentvolumeclaims/status"],
            ),
            rule(READ, CORE, &["persistentvolumeclaims"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:ephemeral-volume-controller",
        &[
            rule(READ, CORE, &["pods"]),
            rule(&["update"], CORE, &["pods/finalizers"]),
            rule(
                &["get", "list", "watch", "create"],
                CORE,
                &["persistentvolumeclaims"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:resource-claim-controller",
        &[
            rule(READ, CORE, &["pods"]),
            rule(&["update"], CORE, &["pods/finalizers"]),
            rule(
                &["get", "list", "watch", "create", "delete"],
                RESOURCE,
                &["resourceclaims"],
            ),
            rule(
                &["update", "patch"],
                RESOURCE,
                &["resourceclaims", "resourceclaims/status"],
            ),
            rule(&["update", "patch"], CORE, &["pods/status"]),
            EVENTS,
        ],
    )
    .gated(DRA),
    role(
        "system:controller:device-taint-eviction-controller",
        &[
            rule(&["get", "list", "watch", "delete"], CORE, &["pods"]),
            rule(&["update", "patch"], CORE, &["pods/status"]),
            rule(READ, RESOURCE, &["resourceclaims"]),
            rule(READ, RESOURCE, &["resourceslices"]),
            rule(READ, RESOURCE, &["deviceclasses"]),
            EVENTS,
            rule(&["update", "patch"], RESOURCE, &["devicetaintrules/status"])
                .gated("DRADeviceTaintRules"),
            rule(READ, RESOURCE, &["devicetaintrules"]).gated("DRADeviceTaintRules"),
        ],
    )
    .gated("DRADeviceTaints"),
    role(
        "system:controller:generic-garbage-collector",
        &[
            rule(
                &["get", "list", "watch", "patch", "update", "delete"],
                ANY,
                &["*"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:horizontal-pod-autoscaler",
        &[
            rule(READ, AUTOSCALING, &["horizontalpodautoscalers"]),
            rule(
                &["update"],
                AUTOSCALING,
                &["horizontalpodautoscalers/status"],
            ),
            rule(&["get", "update"], ANY, &["*/scale"]),
            rule(&["list", "watch"], CORE, &["pods"]),
            rule(&["list", "watch"], &["metrics.k8s.io"], &["pods"]),
            rule(READ, &["custom.metrics.k8s.io"], &["*"]),
            rule(READ, &["external.metrics.k8s.io"], &["*"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:job-controller",
        &[
            rule(READ_UPDATE, BATCH, &["jobs"]),
            rule(&["update"], BATCH, &["jobs/status"]),
            rule(&["update"], BATCH, &["jobs/finalizers"]),
            rule(
                &["list", "watch", "create", "delete", "patch"],
                CORE,
                &["pods"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:namespace-controller",
        &[
            rule(&["get", "list", "watch", "delete"], CORE, &["namespaces"]),
            rule(
                &["update"],
                CORE,
                &["namespaces/finalize", "namespaces/status"],
            ),
            rule(
                &["get", "list", "watch", "delete", "deletecollection"],
                ANY,
                &["*"],
            ),
        ],
    ),
    role(
        "system:controller:node-controller",
        &[
            rule(
                &["get", "list", "watch", "update", "delete", "patch"],
                CORE,
                &["nodes"],
            ),
            rule(&["patch", "update"], CORE, &["nodes/status"]),
            rule(&["patch", "update"], CORE, &["pods/status"]),
            rule(&["list", "watch", "get", "delete"], CORE, &["pods"]),
            rule(READ, COORD, &["leases"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:persistent-volume-binder",
        &[
            rule(
                &["get", "list", "watch", "update", "create", "delete"],
                CORE,
                &["persistentvolumes"],
            ),
            rule(&["update"], CORE, &["persistentvolumes/status"]),
            rule(
                &["get", "list", "watch", "update"],
                CORE,
                &["persistentvolumeclaims"],
            ),
            rule(&["update"], CORE, &["persistentvolumeclaims/status"]),
            rule(
                &["list", "watch", "get", "create", "delete"],
                CORE,
                &["pods"],
            ),
            rule(READ, STORAGE, &["storageclasses"]),
            rule(&["list", "watch"], CORE, &["nodes"]),
            EVENTS,
            rule(&["watch"], CORE, &["events"]),
        ],
    ),
    role(
        "system:controller:pod-garbage-collector",
        &[
            rule(&["list", "watch", "delete"], CORE, &["pods"]),
            rule(READ, CORE, &["nodes"]),
            rule(&["patch"], CORE, &["pods/status"]),
        ],
    ),
    role(
        "system:controller:replicaset-controller",
        &[
            rule(
                &["get", "list", "watch", "update"],
                APPS_EXT,
                &["replicasets"],
            ),
            rule(&["update"], APPS_EXT, &["replicasets/status"]),
            rule(&["update"], APPS_EXT, &["replicasets/finalizers"]),
            rule(
                &["list", "watch", "patch", "create", "delete"],
                CORE,
                &["pods"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:replication-controller",
        &[
            rule(
                &["get", "list", "watch", "update"],
                CORE,
                &["replicationcontrollers"],
            ),
            rule(&["update"], CORE, &["replicationcontrollers/status"]),
            rule(&["update"], CORE, &["replicationcontrollers/finalizers"]),
            rule(
                &["list", "watch", "patch", "create", "delete"],
                CORE,
                &["pods"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:resourcequota-controller",
        &[
            rule(&["list", "watch"], ANY, &["*"]),
            rule(&["update"], CORE, &["resourcequotas/status"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:route-controller",
        &[
            rule(&["list", "watch"], CORE, &["nodes"]),
            rule(&["patch"], CORE, &["nodes/status"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:service-account-controller",
        &[rule(&["create"], CORE, &["serviceaccounts"]), EVENTS],
    ),
    role(
        "system:controller:service-controller",
        &[
            rule(READ, CORE, &["services"]),
            rule(&["patch", "update"], CORE, &["services/status"]),
            rule(&["list", "watch"], CORE, &["nodes"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:service-cidrs-controller",
        &[
            rule(READ_UPDATE, NETWORKING, &["servicecidrs"]),
            rule(
                &["patch", "update"],
                NETWORKING,
                &["servicecidrs/finalizers"],
            ),
            rule(&["patch", "update"], NETWORKING, &["servicecidrs/status"]),
            rule(READ, NETWORKING, &["ipaddresses"]),
            EVENTS,
        ],
    )
    .gated("MultiCIDRServiceAllocator"),
    role(
        "system:controller:statefulset-controller",
        &[
            rule(&["list", "watch"], CORE, &["pods"]),
            rule(READ, APPS, &["statefulsets"]),
            rule(&["update"], APPS, &["statefulsets/status"]),
            rule(&["update"], APPS, &["statefulsets/finalizers"]),
            rule(
                &["get", "create", "delete", "update", "patch"],
                CORE,
                &["pods"],
            ),
            rule(
                &[
                    "get", "create", "delete", "update", "patch", "list", "watch",
                ],
                APPS,
                &["controllerrevisions"],
            ),
            rule(
                &["get", "create", "list", "watch"],
                CORE,
                &["persistentvolumeclaims"],
            ),
            rule(&["update", "delete"], CORE, &["persistentvolumeclaims"]),
            rule(&["update"], CORE, &["pods/finalizers"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:ttl-controller",
        &[
            rule(&["update", "patch", "list", "watch"], CORE, &["nodes"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:certificate-controller",
        &[
            rule(
                &["get", "list", "watch", "delete"],
                CERTS,
                &["certificatesigningrequests"],
            ),
            rule(
                &["update"],
                CERTS,
                &[
                    "certificatesigningrequests/status",
                    "certificatesigningrequests/approval",
                ],
            ),
            named(
                &["approve"],
                CERTS,
                &["signers"],
                &[APISERVER_CLIENT_KUBELET],
            ),
            named(
                &["sign"],
                CERTS,
                &["signers"],
                &[
                    LEGACY_UNKNOWN,
                    APISERVER_CLIENT,
                    APISERVER_CLIENT_KUBELET,
                    KUBELET_SERVING,
                ],
            ),
            rule(&["create"], AUTHZ, &["subjectaccessreviews"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:podcertificaterequestcleaner",
        &[rule(
            &["get", "list", "watch", "delete"],
            CERTS,
            &["podcertificaterequests"],
        )],
    )
    .gated("PodCertificateRequest"),
    role(
        "system:controller:pvc-protection-controller",
        &[
            rule(
                &["get", "list", "watch", "update"],
                CORE,
                &["persistentvolumeclaims"],
            ),
            rule(&["update"], CORE, &["persistentvolumeclaims/status"]),
            rule(&["list", "watch", "get"], CORE, &["pods"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:pv-protection-controller",
        &[
            rule(
                &["get", "list", "watch", "update"],
                CORE,
                &["persistentvolumes"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:volumeattributesclass-protection-controller",
        &[
            rule(&["list", "watch", "get"], CORE, &["persistentvolumeclaims"]),
            rule(&["list", "watch", "get"], CORE, &["persistentvolumes"]),
            rule(
                &["get", "list", "watch", "update"],
                STORAGE,
                &["volumeattributesclasses"],
            ),
            EVENTS,
        ],
    )
    .gated("VolumeAttributesClass"),
    role(
        "system:controller:ttl-after-finished-controller",
        &[
            rule(&["get", "list", "watch", "delete"], BATCH, &["jobs"]),
            EVENTS,
        ],
    ),
    role(
        "system:controller:root-ca-cert-publisher",
        &[rule(&["create", "update"], CORE, &["configmaps"]), EVENTS],
    ),
    role(
        "system:controller:kube-apiserver-serving-clustertrustbundle-publisher",
        &[
            named(
                &["attest"],
                CERTS,
                &["signers"],
                &["kubernetes.io/kube-apiserver-serving"],
            ),
            rule(
                &["create", "update", "delete", "list", "watch"],
                CERTS,
                &["clustertrustbundles"],
            ),
            EVENTS,
        ],
    )
    .gated("ClusterTrustBundle"),
    role(
        "system:controller:validatingadmissionpolicy-status-controller",
        &[
            rule(READ, ADMISSION, &["validatingadmissionpolicies"]),
            rule(
                &["get", "patch", "update"],
                ADMISSION,
                &["validatingadmissionpolicies/status"],
            ),
            EVENTS,
        ],
    ),
    role(
        "system:controller:storage-version-garbage-collector",
        &[
            rule(READ, COORD, &["leases"]),
            rule(
                &["get", "list", "watch", "patch", "update", "delete"],
                &["internal.apiserver.k8s.io"],
                &["storageversions"],
            ),
            rule(
                &["get", "patch", "update"],
                &["internal.apiserver.k8s.io"],
                &["storageversions/status"],
            ),
        ],
    )
    .gated("StorageVersionAPI"),
    role(
        "system:controller:legacy-service-account-token-cleaner",
        &[
            named(
                &["get"],
                CORE,
                &["configmaps"],
                &["kube-apiserver-legacy-service-account-token-tracking"],
            ),
            rule(&["patch", "delete"], CORE, &["secrets"]),
        ],
    ),
    role(
        "system:controller:storage-version-migrator-controller",
        &[
            rule(&["list", "patch"], ANY, &["*"]),
            rule(
                &["get"],
                &["apiextensions.k8s.io"],
                &["customresourcedefinitions"],
            ),
            rule(
                &["patch"],
                &["apiextensions.k8s.io"],
                &["customresourcedefinitions/status"],
            ),
            rule(
                &["update"],
                &["storagemigration.k8s.io"],
                &["storageversionmigrations/status"],
            ),
        ],
    )
    .gated("StorageVersionMigrator"),
    role(
        "system:controller:selinux-warning-controller",
        &[
            EVENTS,
            rule(READ, CORE, &["persistentvolumes"]),
            rule(READ, CORE, &["persistentvolumeclaims"]),
            rule(READ, CORE, &["pods"]),
            rule(READ, STORAGE, &["csidrivers"]),
        ],
    )
    .gated("SELinuxChangePolicy"),
];

const SYSTEM: &str = "kube-system";
const PUBLIC: &str = "kube-public";

/// Roles in kube-system and kube-public (`NamespaceRoles()` upstream).
pub const NAMESPACE_ROLES: &[RoleSpec] = &[
    ns_role(
        SYSTEM,
        "extension-apiserver-authentication-reader",
        &[named(
            READ,
            CORE,
            &["configmaps"],
            &["extension-apiserver-authentication"],
        )],
    ),
    ns_role(
        SYSTEM,
        "system:controller:bootstrap-signer",
        &[rule(READ, CORE, &["secrets"])],
    ),
    ns_role(
        SYSTEM,
        "system:controller:cloud-provider",
        &[rule(
            &["create", "get", "list", "watch"],
            CORE,
            &["configmaps"],
        )],
    ),
    ns_role(
        SYSTEM,
        "system:controller:token-cleaner",
        &[
            rule(&["get", "list", "watch", "delete"], CORE, &["secrets"]),
            EVENTS,
        ],
    ),
    ns_role(
        SYSTEM,
        "system::leader-locking-kube-controller-manager",
        &[
            rule(&["watch"], CORE, &["configmaps"]),
            named(
                &["get", "update"],
                CORE,
                &["configmaps"],
                &["kube-controller-manager"],
            ),
            rule(
                &["get", "watch", "list", "create", "update"],
                COORD,
                &["leases"],
            ),
        ],
    ),
    ns_role(
        SYSTEM,
        "system::leader-locking-kube-scheduler",
        &[
            rule(&["watch"], CORE, &["configmaps"]),
            named(
                &["get", "update"],
                CORE,
                &["configmaps"],
                &["kube-scheduler"],
            ),
        ],
    ),
    ns_role(
        PUBLIC,
        "system:controller:bootstrap-signer",
        &[
            rule(READ, CORE, &["configmaps"]),
            named(&["update"], CORE, &["configmaps"], &["cluster-info"]),
            EVENTS,
        ],
    ),
];

/// RoleBindings in kube-system and kube-public (`NamespaceRoleBindings()` upstream).
pub const NAMESPACE_ROLE_BINDINGS: &[BindingSpec] = &[
    rb(
        SYSTEM,
        "system::extension-apiserver-authentication-reader",
        "extension-apiserver-authentication-reader",
        &[
            Subj::User("system:kube-controller-manager"),
            Subj::User("system:kube-scheduler"),
        ],
    ),
    rb(
        SYSTEM,
        "system::leader-locking-kube-controller-manager",
        "system::leader-locking-kube-controller-manager",
        &[
            Subj::User("system:kube-controller-manager"),
            Subj::Sa(SYSTEM, "kube-controller-manager"),
            Subj::Sa(SYSTEM, "leader-election-controller"),
        ],
    ),
    rb(
        SYSTEM,
        "system::leader-locking-kube-scheduler",
        "system::leader-locking-kube-scheduler",
        &[
            Subj::User("system:kube-scheduler"),
            Subj::Sa(SYSTEM, "kube-scheduler"),
        ],
    ),
    rb(
        SYSTEM,
        "system:controller:bootstrap-signer",
        "system:controller:bootstrap-signer",
        &[Subj::Sa(SYSTEM, "bootstrap-signer")],
    ),
    rb(
        SYSTEM,
        "system:controller:cloud-provider",
        "system:controller:cloud-provider",
        &[Subj::Sa(SYSTEM, "cloud-provider")],
    ),
    rb(
        SYSTEM,
        "system:controller:token-cleaner",
        "system:controller:token-cleaner",
        &[Subj::Sa(SYSTEM, "token-cleaner")],
    ),
    rb(
        PUBLIC,
        "system:controller:bootstrap-signer",
        "system:controller:bootstrap-signer",
        &[Subj::Sa(SYSTEM, "bootstrap-signer")],
    ),
];

fn enabled(gate: &str) -> bool {
    gate.is_empty() || ENABLED_GATES.contains(&gate)
}

fn strings(items: &[&str]) -> Value {
    Value::from(items.iter().map(|s| Value::from(*s)).collect::<Vec<_>>())
}

fn string_map(entries: &[(&str, &str)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
            .collect(),
    )
}

fn metadata(namespace: &str, name: &str, labels: &[(&str, &str)]) -> Value {
    let mut all = vec![BOOTSTRAP_LABEL];
    all.extend_from_slice(labels);
    let mut meta = Map::new();
    meta.insert("name".into(), Value::from(name));
    if !namespace.is_empty() {
        meta.insert("namespace".into(), Value::from(namespace));
    }
    meta.insert("labels".into(), string_map(&all));
    meta.insert("annotations".into(), string_map(&[AUTOUPDATE]));
    Value::Object(meta)
}

fn rule_json(rule: &Rule) -> Value {
    let mut map = Map::new();
    map.insert("verbs".into(), strings(rule.verbs));
    let fields = [
        ("apiGroups", rule.groups),
        ("resources", rule.resources),
        ("resourceNames", rule.names),
        ("nonResourceURLs", rule.urls),
    ];
    for (key, items) in fields {
        if !items.is_empty() {
            map.insert(key.into(), strings(items));
        }
    }
    Value::Object(map)
}

/// The JSON of one role as the API server would store it.
pub fn role_json(role: &RoleSpec) -> Value {
    let kind = if role.namespace.is_empty() {
        "ClusterRole"
    } else {
        "Role"
    };
    let mut map = Map::new();
    map.insert("apiVersion".into(), "rbac.authorization.k8s.io/v1".into());
    map.insert("kind".into(), kind.into());
    map.insert(
        "metadata".into(),
        metadata(role.namespace, role.name, role.labels),
    );
    if !role.aggregation.is_empty() {
        let selectors: Vec<Value> = role
            .aggregation
            .iter()
            .map(|entry| json!({ "matchLabels": string_map(&[*entry]) }))
            .collect();
        map.insert(
            "aggregationRule".into(),
            json!({ "clusterRoleSelectors": selectors }),
        );
    }
    let rules: Vec<Value> = role
        .rules
        .iter()
        .filter(|r| enabled(r.gate))
        .map(rule_json)
        .collect();
    map.insert(
        "rules".into(),
        if rules.is_empty() && !role.aggregation.is_empty() {
            Value::Null
        } else {
            Value::from(rules)
        },
    );
    Value::Object(map)
}

fn subject_json(subject: &Subj) -> Value {
    match subject {
        Subj::Group(name) => {
            json!({ "apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name })
        }
        Subj::User(name) => {
            json!({ "apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": name })
        }
        Subj::Sa(namespace, name) => {
            json!({ "kind": "ServiceAccount", "name": name, "namespace": namespace })
        }
    }
}

fn binding_json(
    namespace: &str,
    name: &str,
    role_kind: &str,
    role: &str,
    subjects: Value,
) -> Value {
    let kind = if namespace.is_empty() {
        "ClusterRoleBinding"
    } else {
        "RoleBinding"
    };
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind,
        "metadata": metadata(namespace, name, &[]),
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role },
        "subjects": subjects,
    })
}

/// The JSON of one binding as the API server would store it.
pub fn binding_spec_json(binding: &BindingSpec) -> Value {
    let subjects = if binding.subjects.is_empty() {
        Value::Null
    } else {
        Value::from(
            binding
                .subjects
                .iter()
                .map(subject_json)
                .collect::<Vec<_>>(),
        )
    };
    binding_json(
        binding.namespace,
        binding.name,
        binding.role_kind,
        binding.role,
        subjects,
    )
}

/// The ClusterRoles (general and controller) shipped, as JSON.
pub fn cluster_roles_json() -> Vec<Value> {
    CLUSTER_ROLES
        .iter()
        .filter(|r| enabled(r.gate))
        .map(role_json)
        .collect()
}

/// The ClusterRoleBindings of [`CLUSTER_ROLE_BINDINGS`] shipped, as JSON.
pub fn cluster_role_bindings_json() -> Vec<Value> {
    CLUSTER_ROLE_BINDINGS
        .iter()
        .filter(|b| enabled(b.gate))
        .map(binding_spec_json)
        .collect()
}

/// The `system:controller:*` ClusterRoles shipped, as JSON.
pub fn controller_roles_json() -> Vec<Value> {
    CONTROLLER_ROLES
        .iter()
        .filter(|r| enabled(r.gate))
        .map(role_json)
        .collect()
}

/// One ClusterRoleBinding per shipped controller role, to `kube-system/<controller>`.
pub fn controller_role_bindings_json() -> Vec<Value> {
    CONTROLLER_ROLES
        .iter()
        .filter(|r| enabled(r.gate))
        .map(|r| {
            let sa = r.name.strip_prefix(CONTROLLER_PREFIX).unwrap_or(r.name);
            binding_json(
                "",
                r.name,
                "ClusterRole",
                r.name,
                Value::from(vec![subject_json(&Subj::Sa("kube-system", sa))]),
            )
        })
        .collect()
}

/// The kube-system / kube-public Roles, as JSON.
pub fn namespace_roles_json() -> Vec<Value> {
    NAMESPACE_ROLES.iter().map(role_json).collect()
}

/// The kube-system / kube-public RoleBindings, as JSON.
pub fn namespace_role_bindings_json() -> Vec<Value> {
    NAMESPACE_ROLE_BINDINGS
        .iter()
        .map(binding_spec_json)
        .collect()
}

/// Every bootstrap object, ready to join a loaded inventory.
pub fn bootstrap_objects() -> Vec<Object> {
    objects([
        cluster_roles_json(),
        cluster_role_bindings_json(),
        controller_roles_json(),
        controller_role_bindings_json(),
        namespace_roles_json(),
        namespace_role_bindings_json(),
    ])
}

/// The bootstrap roles only (ClusterRoles, controller roles, and the kube-system
/// and kube-public Roles), without the bindings: what a binding in the input can
/// refer to in any cluster, by default in every command. Built once per process.
pub fn bootstrap_roles() -> &'static [Object] {
    static ROLES: std::sync::OnceLock<Vec<Object>> = std::sync::OnceLock::new();
    ROLES.get_or_init(|| {
        objects([
            cluster_roles_json(),
            controller_roles_json(),
            namespace_roles_json(),
        ])
    })
}

fn objects<const N: usize>(groups: [Vec<Value>; N]) -> Vec<Object> {
    let source = SourceRef {
        file: Arc::from(SOURCE),
        pos: Pos::default(),
    };
    groups
        .into_iter()
        .flatten()
        .map(|json| Object::new(Node::from_json(&json), source.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_kind_and_namespace() {
        let objects = bootstrap_objects();
        let mut seen = std::collections::BTreeSet::new();
        for o in &objects {
            let key = (
                o.kind().to_owned(),
                o.namespace().map(str::to_owned),
                o.name().to_owned(),
            );
            assert!(seen.insert(key.clone()), "duplicate {key:?}");
        }
        assert!(objects.iter().all(|o| o.source().file.as_ref() == SOURCE));
    }
}
