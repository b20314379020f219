//! `resources/deprecated-registry` and `resources/registry-not-allowed`: where
//! an image comes from. Both read the image's registry as the runtime resolves
//! it (`nginx` is `docker.io/library/nginx`).

use palisade_core::{Finding, Rule, Severity};

use super::image_ref::ImageRef;
use crate::context::Context;

/// The option listing allowed registries or repository prefixes.
pub const ALLOWED_REGISTRIES_OPTION: &str = "allowed-registries";

/// Registries that no longer receive images.
const DEPRECATED: &[(&str, &str)] = &[(
    "k8s.gcr.io",
    "registry.k8s.io (k8s.gcr.io was frozen in April 2023 and receives no new images or fixes)",
)];

pub static DEPRECATED_REGISTRY: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container (of any kind) whose image comes from `k8s.gcr.io`, the
    /// Kubernetes project's old registry.
    ///
    /// ## Why it matters
    /// `k8s.gcr.io` was frozen in April 2023: no new versions, so no security
    /// fixes, are published there, and it may stop serving entirely. Images
    /// pulled from it are old by construction.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: metrics
    ///   image: k8s.gcr.io/metrics-server/metrics-server:v0.6.1
    /// ```
    ///
    /// ## How to fix
    /// Pull the same image from `registry.k8s.io` and upgrade it to a current
    /// version.
    id: "resources/deprecated-registry",
    title: "an image comes from a deprecated registry",
    severity: Severity::Medium,
};

pub static REGISTRY_NOT_ALLOWED: Rule = palisade_core::rule! {
    /// Reports nothing until the `allowed-registries` option lists registries
    /// (`ghcr.io`) or repository prefixes (`docker.io/library`); each entry
    /// allows the registry, or the repositories below the prefix.
    ///
    /// ## What it flags
    /// A container (of any kind) whose image's registry and repository match no
    /// entry of `allowed-registries`. Docker Hub images count as `docker.io`
    /// (`nginx` is `docker.io/library/nginx`).
    ///
    /// ## Why it matters
    /// Images from arbitrary registries bypass the scanning, signing and
    /// retention an organisation applies to its own; typosquatted public images
    /// are a known way in.
    ///
    /// ## Example
    /// With `allowed-registries=registry.example`:
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: docker.io/someone/app:1.0
    /// ```
    ///
    /// ## How to fix
    /// Mirror the image into an allowed registry and reference it there, or add
    /// the registry to the list if it is trusted.
    id: "resources/registry-not-allowed",
    title: "an image comes from a registry that is not allowed",
    severity: Severity::Medium,
    depends_on: &[ALLOWED_REGISTRIES_OPTION],
};

pub(super) static RULES: &[&Rule] = &[&DEPRECATED_REGISTRY, &REGISTRY_NOT_ALLOWED];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    let allowed: Vec<&str> = context
        .options
        .get_all(ALLOWED_REGISTRIES_OPTION)
        .iter()
        .flat_map(|entry| entry.split(','))
        .map(|entry| entry.trim().trim_end_matches('/'))
        .filter(|entry| !entry.is_empty())
        .collect();
    for container in context.containers() {
        let Some(field) = container.get(&["image"]) else {
            continue;
        };
        let Some(text) = field.as_str() else {
            continue;
        };
        let Some(image) = ImageRef::parse(text) else {
            continue;
        };
        if let Some((_, instead)) = DEPRECATED.iter().find(|(domain, _)| *domain == image.domain) {
            out.push(
                container
                    .finding(
                        &DEPRECATED_REGISTRY,
                        Some(field),
                        format!("{}: image {text:?} comes from the deprecated registry {}", container.describe(), image.domain),
                    )
                    .with_remediation(format!("Pull the image from {instead}.")),
            );
        }
        if !allowed.is_empty() && !is_allowed(&image, &allowed) {
            out.push(
                container
                    .finding(
                        &REGISTRY_NOT_ALLOWED,
                        Some(field),
                        format!(
                            "{}: image {text:?} ({}) is not from an allowed registry ({})",
                            container.describe(),
                            image.repository(),
                            allowed.join(", ")
                        ),
                    )
                    .with_remediation("Mirror the image into an allowed registry, or allow its registry if it is trusted."),
            );
        }
    }
}

/// An entry allows its registry (`ghcr.io`) or the repositories below a
/// prefix (`ghcr.io/team`), at `/` boundaries.
fn is_allowed(image: &ImageRef, allowed: &[&str]) -> bool {
    let repository = image.repository();
    allowed.iter().any(|entry| {
        *entry == image.domain
            || repository == *entry
            || repository
                .strip_prefix(entry)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use palisade_core::Options;

    use crate::Check;
    use crate::testing::{findings_of, findings_with};

    const PODS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: old, image: "k8s.gcr.io/metrics-server/metrics-server:v0.6.1"}
  - {name: hub, image: "nginx:1.27"}
  - {name: team, image: "ghcr.io/team/app:1"}
  - {name: teammate, image: "ghcr.io/teammate/app:1"}
"#;

    #[test]
    fn the_deprecated_registry_is_flagged_without_options() {
        let findings = findings_of(super::RULES, super::check, PODS);
        let got: Vec<(&str, &str)> = findings.iter().map(|f| (f.rule.as_str(), f.message.as_str())).collect();
        assert_eq!(
            got,
            [(
                "resources/deprecated-registry",
                r#"container "old" of Pod p: image "k8s.gcr.io/metrics-server/metrics-server:v0.6.1" comes from the deprecated registry k8s.gcr.io"#
            )]
        );
    }

    #[test]
    fn allowed_registries_match_registries_and_prefixes_at_slashes() {
        let mut options = Options::default();
        options.set_all(super::ALLOWED_REGISTRIES_OPTION, ["docker.io/library".to_owned(), "ghcr.io/team/".to_owned()]);
        let check = Check { rules: super::RULES, run: super::check };
        let findings = findings_with(&check, PODS, &options);
        let flagged: Vec<&str> = findings
            .iter()
            .filter(|f| f.rule == "resources/registry-not-allowed")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(flagged.len(), 2, "{flagged:?}");
        assert!(flagged[0].starts_with(r#"container "old""#));
        assert!(flagged[1].contains("ghcr.io/teammate/app"), "{flagged:?}");
    }
}
