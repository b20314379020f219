//! `palisade harden`: a hardened cluster baseline generated from a short
//! profile of intent, with the expectations that test it.
//!
//! # The profile
//!
//! ```yaml
//! apiVersion: palisade.dev/v1alpha1
//! kind: HardeningProfile
//! namespaces:                      # one Namespace each, with Pod Security labels
//!   - name: production
//!     podSecurity:
//!       enforce: restricted        # privileged | baseline | restricted
//!       audit: restricted          # optional, default: the enforce level
//!       warn: restricted           # optional, default: the enforce level
//!       version: latest            # optional, latest or v1.N
//!     labels: {team: web}          # optional, extra labels
//! access:                          # one Role + RoleBinding per grant and namespace
//!   - name: developers-view-pods   # optional, default <subject>-access-<n>
//!     subjects: [group:developers] # group:NAME, user:NAME, serviceAccount:NS/NAME
//!     namespaces: [staging]        # profile namespaces, or clusterWide: true
//!     verbs: [get, list, watch]    # no wildcards, known verbs
//!     resources: [pods, pods/log]  # plural[.group][/subresource]; the group of a
//!                                  # built-in resource is found, a custom one is named
//!     acceptedRisks:               # optional: RBAC findings this grant causes on purpose
//!       - rule: rbac/wl-create-pods  # a rule id of `palisade rules` reported on bindings
//!         reason: "the pipeline creates pods by design"  # required; `; expires=YYYY-MM-DD` allowed
//! network:
//!   defaultDeny: true              # default: deny all ingress and egress, allow DNS
//!   ingressController: {namespace: ingress-nginx, podSelector: {app.kubernetes.io/name: ingress-nginx}}
//!   allow:
//!     - name: ingress-to-web       # optional, default flow-<n>
//!       from: ingress-controller   # or {namespace: NS, podSelector: {...}}
//!       to: {namespace: production, podSelector: {app: web}}
//!       ports: [{port: 8080, protocol: TCP}]
//! policies:                        # in the engine of --policy-engine
//!   runAsNonRoot: {namespaces: all}          # all (minus excludedNamespaces,
//!   requireLimits: {namespaces: [production]} #  default [kube-system]) or a list
//! ```
//!
//! The profile is read as kubectl reads YAML (`palisade-load`) and strictly:
//! an unknown field, a wildcard, an unknown verb or resource, a repeated key,
//! a label key or value Kubernetes refuses, a control character in a subject,
//! resource or verb, a grant named after a bootstrap RBAC object
//! (`cluster-admin`, `view`, ...) or `system:*`, two generated NetworkPolicies
//! with one name in a namespace, is an error naming the file, line and column.
//!
//! Grants on custom resources are left out of `expectations.yaml` (and so is
//! the `only` of their subjects), with a comment naming them: `palisade test`
//! resolves a custom resource only from its CustomResourceDefinition.
//!
//! `acceptedRisks` is for a grant whose risk is its purpose: a deployer that
//! creates pods can run anything as any ServiceAccount of its namespace, and
//! that is what a deployer is for. Each entry becomes Palisade's suppression
//! annotation (`ignore.palisade.dev/<rule id with / as .>: "<reason>"`) on the
//! grant's RoleBindings (or ClusterRoleBinding), where the RBAC analysis
//! reports its risks, with a comment saying the profile accepted it; `scan
//! --show-suppressed` lists them with the reason. Nothing the profile does not
//! name is suppressed: the rule id must be one rule exactly (no prefix), and an
//! entry that matches no finding is reported by `scan` as `suppress/unused`.
//!
//! # The output
//!
//! `namespaces.yaml`, `rbac.yaml`, `network-policies.yaml`, `policies/` (one
//! file per policy, for `scan --policies` and `admit --policies`),
//! `audit-policy.yaml` and `expectations.yaml` (for `palisade test`). Every
//! object carries a comment saying why it exists; every file starts with
//! [`GENERATED_MARK`].

mod generate;
mod profile;
mod yaml;

pub use generate::{GENERATED_MARK, GeneratedFile, generate, stream};
pub use profile::*;

/// Which admission engine the cluster runs, for the `policies` of the profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PolicyEngine {
    /// OPA Gatekeeper: ConstraintTemplates and Constraints.
    #[default]
    Gatekeeper,
    /// Kyverno ClusterPolicies.
    Kyverno,
    /// ValidatingAdmissionPolicies and their bindings (Kubernetes 1.30+).
    Vap,
}

impl PolicyEngine {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyEngine::Gatekeeper => "gatekeeper",
            PolicyEngine::Kyverno => "kyverno",
            PolicyEngine::Vap => "vap",
        }
    }
}

/// Reads a profile and generates its baseline: the one call the CLI makes.
pub fn harden(
    file: &str,
    bytes: &[u8],
    engine: PolicyEngine,
) -> Result<Vec<GeneratedFile>, ProfileError> {
    let profile = read_profile(file, bytes)?;
    Ok(generate(&profile, engine))
}
