//! `exposure/ingress-catch-all-host`: an Ingress rule without a host.

use palisade_core::{Finding, Node, Rule, Severity};

use super::support::ingresses;
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An Ingress rule with no `host` (or an empty one), which matches requests
    /// for every host name reaching the controller.
    ///
    /// ## Why it matters
    /// The backend answers for any name pointed at the load balancer, including
    /// its bare IP address, which scanners probe; on a shared controller the
    /// rule can also capture traffic meant for other teams' hosts that are not
    /// configured yet.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   rules:
    ///   - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
    /// ```
    ///
    /// ## How to fix
    /// Set `host` on every rule to the names the service answers for.
    id: "exposure/ingress-catch-all-host",
    title: "an Ingress rule matches every host",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for ingress in ingresses(context.inventory) {
        for (index, rule) in ingress.root().path(&["spec", "rules"]).into_iter().flat_map(Node::items).enumerate() {
            let host = rule.get("host").and_then(Node::as_str).unwrap_or("");
            if !host.is_empty() {
                continue;
            }
            out.push(
                finding(&RULE, ingress, Some(rule), format!("{}: rule {index} has no host and matches every host name", describe_object(ingress)))
                    .with_remediation("Set host on the rule to the names the service answers for."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn rules_without_hosts() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n  - host: shop.example.com\n  - http: {paths: []}\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Ingress i: rule 1 has no host and matches every host name"]);
        assert_eq!(findings[0].line_column(), Some((7, 5)));
    }
}
