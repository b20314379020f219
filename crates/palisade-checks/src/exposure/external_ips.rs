//! `exposure/service-external-ips`: a Service with `spec.externalIPs`.

use palisade_core::{Finding, Node, Rule, Severity};

use super::support::services;
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A Service with a non-empty `spec.externalIPs`.
    ///
    /// ## Why it matters
    /// kube-proxy routes traffic for the listed addresses to the Service from
    /// every node, for any address the author writes: anyone who may create
    /// Services can intercept traffic meant for another IP, inside the cluster
    /// or outside it (CVE-2020-8554, unpatched by design). Clusters are advised
    /// to forbid the field with an admission policy.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   externalIPs: [203.0.113.10]
    /// ```
    ///
    /// ## How to fix
    /// Remove `externalIPs` and use a LoadBalancer or an Ingress; where it is
    /// needed, restrict it with the `DenyServiceExternalIPs` admission plugin
    /// or a policy that allows known addresses only.
    id: "exposure/service-external-ips",
    title: "a Service sets externalIPs (CVE-2020-8554)",
    severity: Severity::High,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for service in services(context.inventory) {
        let Some(field) = service.root().path(&["spec", "externalIPs"]) else {
            continue;
        };
        let ips: Vec<&str> = field.items().filter_map(Node::as_str).collect();
        if ips.is_empty() {
            continue;
        }
        out.push(
            finding(
                &RULE,
                service,
                Some(field),
                format!("{} sets externalIPs {}: traffic to them from any node is captured (CVE-2020-8554)", describe_object(service), ips.join(", ")),
            )
            .with_remediation("Remove spec.externalIPs; use a LoadBalancer or Ingress, and forbid the field with DenyServiceExternalIPs."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn external_ips_are_flagged() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  externalIPs: [203.0.113.10]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {externalIPs: []}\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Service a sets externalIPs 203.0.113.10: traffic to them from any node is captured (CVE-2020-8554)"]);
        assert_eq!(findings[0].line_column(), Some((5, 16)));
    }
}
