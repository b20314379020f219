//! `workload/host-aliases`: pods that write their own entries into the
//! containers' `/etc/hosts`.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{Context, describe_template, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A pod template with a non-empty `hostAliases` list.
    ///
    /// ## Why it matters
    /// `hostAliases` entries go into every container's `/etc/hosts` and take
    /// precedence over DNS, so a name resolves to an address fixed in the
    /// manifest whatever the cluster's DNS and Service records say. It hides
    /// traffic from the places people look (DNS, Services, NetworkPolicy
    /// reviews) and is a known way to redirect a workload's calls.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostAliases:
    ///   - ip: 10.0.0.7
    ///     hostnames: [api.example.com]
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## How to fix
    /// Remove `hostAliases` and publish the name through DNS: a Service (an
    /// `ExternalName` Service or one with manual EndpointSlices for an
    /// address outside the cluster).
    id: "workload/host-aliases",
    title: "a pod sets hostAliases",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for template in context.pod_templates() {
        let Some(field) = template.spec.get("hostAliases") else {
            continue;
        };
        let names: Vec<&str> = field
            .items()
            .flat_map(|alias| alias.get("hostnames").into_iter().flat_map(Node::items))
            .filter_map(Node::as_str)
            .collect();
        if field.items().len() == 0 {
            continue;
        }
        let listed = if names.is_empty() { "(no hostnames)".to_owned() } else { names.join(", ") };
        out.push(
            finding(
                &RULE,
                template.object,
                Some(field),
                format!("{} sets hostAliases for {listed}", describe_template(template)),
            )
            .with_remediation("Remove hostAliases and resolve these names through DNS (a Service)."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn run(yaml: &str) -> Vec<palisade_core::Finding> {
        findings_of(super::RULES, super::check, yaml)
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_list() {
        let findings = run(r#"apiVersion: v1
kind: Pod
metadata: {name: p, namespace: app}
spec:
  hostAliases:
  - ip: 10.0.0.7
    hostnames: [api.example.com, api2.example.com]
  containers:
  - name: app
    image: registry.example/app:1.4.2
"#);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "Pod app/p sets hostAliases for api.example.com, api2.example.com"
        );
        assert_eq!(findings[0].line_column(), Some((6, 3)));
    }

    #[test]
    fn absent_and_empty_lists_are_clean() {
        let findings = run(r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostAliases: []
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: q}
spec:
  containers: [{name: c, image: a:1}]
"#);
        assert!(findings.is_empty(), "{findings:?}");
    }
}
