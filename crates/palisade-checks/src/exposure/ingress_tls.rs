//! `exposure/ingress-without-tls`: an Ingress that serves plain HTTP only.

use palisade_core::{Finding, Node, Rule, Severity};

use super::support::ingresses;
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An Ingress with no `spec.tls` entry.
    ///
    /// ## Why it matters
    /// Without TLS, credentials, cookies and data cross the network in clear
    /// text and can be read or changed by anyone on the path.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   rules:
    ///   - host: shop.example.com
    ///     http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
    /// ```
    ///
    /// ## How to fix
    /// Add `spec.tls` with the hosts and a certificate Secret (cert-manager
    /// issues one from an annotation), and redirect HTTP to HTTPS.
    id: "exposure/ingress-without-tls",
    title: "an Ingress has no TLS",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for ingress in ingresses(context.inventory) {
        let tls = ingress.root().path(&["spec", "tls"]).and_then(Node::as_seq);
        if tls.is_some_and(|entries| !entries.is_empty()) {
            continue;
        }
        out.push(
            finding(&RULE, ingress, ingress.root().get("spec"), format!("{} has no TLS: it serves plain HTTP", describe_object(ingress)))
                .with_remediation("Add spec.tls with the hosts and a certificate Secret, and redirect HTTP to HTTPS."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn ingresses_without_tls_entries() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: plain}\nspec:\n  rules: [{host: shop.example.com}]\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: secure}\nspec:\n  tls: [{hosts: [shop.example.com], secretName: shop-tls}]\n  rules: [{host: shop.example.com}]\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Ingress plain has no TLS: it serves plain HTTP"]);
    }
}
