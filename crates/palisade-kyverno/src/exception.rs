//! Kyverno `PolicyException` (kyverno.io/v2, v2beta1): a named exemption of
//! some rules of some policies for the resources its `match` selects,
//! optionally only while its `conditions` hold. A rule that an exception
//! covers reports `skip` (Kyverno's engine checks exceptions after the
//! rule's preconditions).
//!
//! Not modelled: an exception's `podSecurity` list, which exempts single
//! Pod Security controls rather than whole rules; an exception that has one
//! is read and applied as a whole-rule exemption only when it has no
//! `podSecurity` entries, and reported otherwise.

use crate::Json;
use crate::conditions::{self, Unresolved};
use crate::context::Context;
use crate::matching::{self, RequestInfo};
use crate::policy::MatchResources;
use crate::wildcard;

/// One PolicyException.
#[derive(Clone, Debug)]
pub struct PolicyException {
    /// `namespace/name` of the exception, for messages.
    pub name: String,
    /// (policy name, rule names) pairs; names may use wildcards.
    pub exceptions: Vec<(String, Vec<String>)>,
    pub matching: MatchResources,
    pub conditions: Option<Json>,
}

/// Whether this object is a Kyverno PolicyException.
pub fn is_policy_exception(object: &Json) -> bool {
    object.get("kind").and_then(Json::as_str) == Some("PolicyException")
        && object
            .get("apiVersion")
            .and_then(Json::as_str)
            .is_some_and(|v| v.starts_with("kyverno.io/"))
}

impl PolicyException {
    pub fn parse(object: &Json) -> Result<PolicyException, String> {
        let name = object
            .pointer("/metadata/name")
            .and_then(Json::as_str)
            .ok_or("the PolicyException has no metadata.name")?;
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Json::as_str)
            .unwrap_or("default");
        let spec = object
            .get("spec")
            .ok_or("the PolicyException has no spec")?;
        if spec
            .get("podSecurity")
            .and_then(Json::as_array)
            .is_some_and(|l| !l.is_empty())
        {
            return Err(
                "spec.podSecurity (per-control exemptions) is not supported by Palisade".into(),
            );
        }
        let exceptions = spec
            .get("exceptions")
            .and_then(Json::as_array)
            .ok_or("spec.exceptions must be a list")?
            .iter()
            .map(|e| {
                let policy = e.get("policyName").and_then(Json::as_str).unwrap_or("");
                (
                    policy.to_string(),
                    crate::policy::strings(e.get("ruleNames")),
                )
            })
            .collect();
        let matching = MatchResources::parse(spec.get("match").ok_or("spec.match is required")?)
            .map_err(|e| format!("spec.match: {e}"))?;
        Ok(PolicyException {
            name: format!("{namespace}/{name}"),
            exceptions,
            matching,
            conditions: spec.get("conditions").filter(|c| !c.is_null()).cloned(),
        })
    }

    /// Whether the exception names this policy and rule.
    pub fn covers(&self, policy: &str, rule: &str) -> bool {
        self.exceptions.iter().any(|(p, rules)| {
            // A namespaced policy is named `namespace/name`.
            let p = p.rsplit('/').next().unwrap_or(p);
            wildcard::matches(p, policy) && rules.iter().any(|r| wildcard::matches(r, rule))
        })
    }

    /// Whether the exception exempts this resource from the rule.
    pub fn applies(
        &self,
        policy: &str,
        rule: &str,
        resource: &Json,
        request: &RequestInfo,
        ctx: &Context,
    ) -> bool {
        if !self.covers(policy, rule)
            || !matching::rule_applies(&self.matching, None, resource, request)
        {
            return false;
        }
        match &self.conditions {
            None => true,
            Some(block) => {
                conditions::evaluate(block, ctx, Unresolved::EmptyString).unwrap_or(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exception() -> PolicyException {
        PolicyException::parse(&json!({
            "apiVersion": "kyverno.io/v2", "kind": "PolicyException",
            "metadata": {"name": "tools", "namespace": "delta"},
            "spec": {
                "exceptions": [{"policyName": "disallow-host-namespaces",
                                "ruleNames": ["host-namespaces", "autogen-*"]}],
                "match": {"any": [{"resources": {"kinds": ["Pod", "Deployment"],
                                                 "names": ["important-tool*"]}}]}
            }
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_exception_covers_its_policy_rules_and_resources() {
        let e = exception();
        assert!(e.covers("disallow-host-namespaces", "host-namespaces"));
        assert!(e.covers("disallow-host-namespaces", "autogen-host-namespaces"));
        assert!(!e.covers("disallow-host-namespaces", "other"));
        assert!(!e.covers("other-policy", "host-namespaces"));
        let request = RequestInfo {
            operation: "CREATE".into(),
            ..RequestInfo::default()
        };
        let tool = json!({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": "important-tool-1", "namespace": "delta"}});
        let other = json!({"apiVersion": "v1", "kind": "Pod",
                           "metadata": {"name": "web", "namespace": "delta"}});
        let ctx = Context::new();
        assert!(e.applies(
            "disallow-host-namespaces",
            "host-namespaces",
            &tool,
            &request,
            &ctx
        ));
        assert!(!e.applies(
            "disallow-host-namespaces",
            "host-namespaces",
            &other,
            &request,
            &ctx
        ));
    }

    #[test]
    fn per_control_exemptions_are_refused_rather_than_widened() {
        let refused = PolicyException::parse(&json!({
            "kind": "PolicyException", "metadata": {"name": "x"},
            "spec": {"exceptions": [], "match": {"any": []},
                     "podSecurity": [{"controlName": "Capabilities"}]}
        }));
        assert!(refused.is_err());
    }
}
