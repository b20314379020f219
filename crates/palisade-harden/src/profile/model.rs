//! The profile as written: serde types, strict (an unknown field is an error,
//! as kubectl's strict field validation makes it), before any check of the
//! values. `validate.rs` turns them into the checked [`crate::Profile`].

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawProfile {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub namespaces: Vec<RawNamespace>,
    #[serde(default)]
    pub access: Vec<RawGrant>,
    #[serde(default)]
    pub network: Option<RawNetwork>,
    #[serde(default)]
    pub policies: Option<RawPolicies>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawNamespace {
    pub name: String,
    #[serde(default)]
    pub pod_security: Option<RawPodSecurity>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPodSecurity {
    pub enforce: String,
    #[serde(default)]
    pub audit: Option<String>,
    #[serde(default)]
    pub warn: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawGrant {
    #[serde(default)]
    pub name: Option<String>,
    pub subjects: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default)]
    pub cluster_wide: bool,
    pub verbs: Vec<String>,
    pub resources: Vec<String>,
    #[serde(default)]
    pub accepted_risks: Vec<RawAcceptedRisk>,
}

/// A finding of the RBAC analysis the grant causes on purpose, and why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAcceptedRisk {
    pub rule: String,
    /// Optional here so that a missing reason gets its own message.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawNetwork {
    #[serde(default)]
    pub default_deny: Option<bool>,
    #[serde(default)]
    pub ingress_controller: Option<RawEndpoint>,
    #[serde(default)]
    pub allow: Vec<RawFlow>,
}

/// `{namespace, podSelector?}`: pods of a namespace (all of them without a selector).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawEndpoint {
    pub namespace: String,
    #[serde(default)]
    pub pod_selector: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlow {
    #[serde(default)]
    pub name: Option<String>,
    /// `ingress-controller` or `{namespace, podSelector?}`: read in
    /// `validate.rs`, where each form gets its own error message (an untagged
    /// enum would only say that no variant matched).
    pub from: serde_json::Value,
    pub to: RawEndpoint,
    pub ports: Vec<RawPort>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPort {
    pub port: u16,
    #[serde(default)]
    pub protocol: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPolicies {
    #[serde(default)]
    pub run_as_non_root: Option<RawPolicyScope>,
    #[serde(default)]
    pub require_limits: Option<RawPolicyScope>,
}

/// Where a policy applies: `namespaces: all` or a list of namespaces; with
/// `all`, `excludedNamespaces` (default `[kube-system]`) are left out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPolicyScope {
    /// `all` or a list of names (read in `validate.rs`, as `from` is).
    pub namespaces: serde_json::Value,
    #[serde(default)]
    pub excluded_namespaces: Option<Vec<String>>,
}
