//! `exposure/load-balancer-open-to-all`: a public LoadBalancer Service that
//! accepts every source address.

use palisade_core::{Finding, Node, Rule, Severity};

use super::support::{is_internal_load_balancer, service_type, services};
use crate::context::{Context, describe_object, finding};

/// The annotation older cloud providers read instead of the field.
const ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A `LoadBalancer` Service that is not internal (see
    /// `exposure/external-service-type`) and has neither
    /// `spec.loadBalancerSourceRanges` nor the
    /// `service.beta.kubernetes.io/load-balancer-source-ranges` annotation, or
    /// whose ranges include `0.0.0.0/0` or `::/0`.
    ///
    /// ## Why it matters
    /// Without source ranges the cloud load balancer accepts connections from
    /// the whole internet. Admin interfaces, databases and internal APIs exposed
    /// this way are found by scanners within hours.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: LoadBalancer
    ///   ports: [{port: 5432}]
    /// ```
    ///
    /// ## How to fix
    /// List the client networks in `spec.loadBalancerSourceRanges`
    /// (`[203.0.113.0/24]`), or make the load balancer internal.
    id: "exposure/load-balancer-open-to-all",
    title: "a LoadBalancer Service accepts every source address",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for service in services(context.inventory) {
        if service_type(service) != "LoadBalancer" || is_internal_load_balancer(service) {
            continue;
        }
        let field = service.root().path(&["spec", "loadBalancerSourceRanges"]);
        let mut ranges: Vec<&str> = field.into_iter().flat_map(Node::items).filter_map(Node::as_str).collect();
        if ranges.is_empty()
            && let Some((_, value)) = service.annotations().find(|(k, _)| *k == ANNOTATION)
        {
            ranges = value.split(',').map(str::trim).filter(|r| !r.is_empty()).collect();
        }
        let problem = if ranges.is_empty() {
            "has no loadBalancerSourceRanges: it accepts connections from anywhere".to_owned()
        } else if let Some(all) = ranges.iter().find(|r| matches!(r.trim(), "0.0.0.0/0" | "::/0")) {
            format!("allows {all} in loadBalancerSourceRanges: it accepts connections from anywhere")
        } else {
            continue;
        };
        out.push(
            finding(&RULE, service, field.or_else(|| service.root().path(&["spec", "type"])), format!("LoadBalancer {} {problem}", describe_object(service)))
                .with_remediation("List the client networks in spec.loadBalancerSourceRanges, or make the load balancer internal."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn ranges_from_the_field_or_annotation() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Service
metadata: {name: open, namespace: db}
spec: {type: LoadBalancer, ports: [{port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: world, namespace: db}
spec: {type: LoadBalancer, loadBalancerSourceRanges: [10.0.0.0/8, 0.0.0.0/0]}
---
apiVersion: v1
kind: Service
metadata: {name: office, namespace: db}
spec: {type: LoadBalancer, loadBalancerSourceRanges: [203.0.113.0/24]}
---
apiVersion: v1
kind: Service
metadata:
  name: annotated
  namespace: db
  annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: "203.0.113.0/24"}
spec: {type: LoadBalancer}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "LoadBalancer Service db/open has no loadBalancerSourceRanges: it accepts connections from anywhere",
                "LoadBalancer Service db/world allows 0.0.0.0/0 in loadBalancerSourceRanges: it accepts connections from anywhere",
            ]
        );
    }
}
