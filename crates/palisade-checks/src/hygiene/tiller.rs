//! `hygiene/tiller`: Helm 2's in-cluster server, Tiller, deployed.

use palisade_core::{Finding, Rule, Severity};

use super::image_name::base_name;
use crate::context::Context;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container whose image is Tiller (`gcr.io/kubernetes-helm/tiller`,
    /// `ghcr.io/helm/tiller`, or any repository named `tiller`), the server
    /// side of Helm 2.
    ///
    /// ## Why it matters
    /// Tiller installs whatever a client asks, usually with cluster-admin
    /// rights, and by default listens on gRPC port 44134 without
    /// authentication: any pod that can reach it owns the cluster. Helm 2 has
    /// been unsupported since November 2020 and gets no security fixes.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: tiller
    ///   image: gcr.io/kubernetes-helm/tiller:v2.16.1
    /// ```
    ///
    /// ## How to fix
    /// Migrate the releases to Helm 3 (`helm 2to3`), which needs no in-cluster
    /// component, and delete the Tiller Deployment, Service and its
    /// ServiceAccount's bindings.
    id: "hygiene/tiller",
    title: "Helm 2's Tiller is deployed",
    severity: Severity::High,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        let Some(image) = container.get(&["image"]).filter(|n| n.as_str().is_some_and(|i| base_name(i) == "tiller")) else {
            continue;
        };
        out.push(
            container
                .finding(
                    &RULE,
                    Some(image),
                    format!("{} runs Tiller ({})", container.describe(), image.as_str().unwrap_or("")),
                )
                .with_remediation("Migrate to Helm 3 (helm 2to3) and remove Tiller and its bindings."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_is_flagged_at_the_image() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: tiller-deploy, namespace: kube-system}
spec:
  template:
    spec:
      containers:
      - name: tiller
        image: gcr.io/kubernetes-helm/tiller:v2.16.1
      - name: lookalike
        image: registry.example/tiller-docs:1
"#,
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(
            findings[0].message,
            r#"container "tiller" of Deployment kube-system/tiller-deploy runs Tiller (gcr.io/kubernetes-helm/tiller:v2.16.1)"#
        );
        assert_eq!(findings[0].line_column(), Some((9, 16)));
    }
}
