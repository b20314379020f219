//! Kyverno's autogen for ValidatingPolicy (`pkg/cel/policies/vpol/autogen`,
//! `pkg/cel/autogen`): a policy whose `matchConstraints` is exactly one rule
//! for core `v1` `pods` (no names, selectors or exclusions) gets copies that
//! match Pod controllers, with the policy's CEL rewritten to read the pod
//! template. The copies keep the policy's name, so a test names the one
//! policy for Pods and controllers alike.
//!
//! The rewrite is Kyverno's: plain substring replacement over the JSON text
//! of the spec, `object.spec` → `object.spec.template.spec` and
//! `object.metadata` → `object.spec.template.metadata` (the same for
//! `oldObject`), with `jobTemplate.spec.template` for CronJobs.

use crate::Json;

/// Every controller autogen knows, by the name `spec.autogen.podControllers
/// .controllers` uses (lower-case plural), with its group and rewrite.
const CONTROLLERS: &[(&str, &str, bool)] = &[
    ("daemonsets", "apps", false),
    ("deployments", "apps", false),
    ("replicasets", "apps", false),
    ("statefulsets", "apps", false),
    ("jobs", "batch", false),
    ("cronjobs", "batch", true),
];

/// One autogen copy: the controllers it matches and its rewrite
/// (`object.<from>` → `object.<to>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerCopy {
    /// (apiGroup, resource) the copy matches, all version `v1`.
    pub targets: Vec<(&'static str, &'static str)>,
    pub replacements: [(&'static str, &'static str); 2],
}

const POD_REPLACEMENTS: [(&str, &str); 2] = [
    ("spec", "spec.template.spec"),
    ("metadata", "spec.template.metadata"),
];
const CRONJOB_REPLACEMENTS: [(&str, &str); 2] = [
    ("spec", "spec.jobTemplate.spec.template.spec"),
    ("metadata", "spec.jobTemplate.spec.template.metadata"),
];

fn strings(value: Option<&Json>) -> Vec<&str> {
    value
        .and_then(Json::as_array)
        .map(|items| items.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default()
}

fn selector_is_empty(selector: Option<&Json>) -> bool {
    let Some(selector) = selector else {
        return true;
    };
    let labels_empty = selector
        .get("matchLabels")
        .and_then(Json::as_object)
        .is_none_or(|m| m.is_empty());
    let expressions_empty = selector
        .get("matchExpressions")
        .and_then(Json::as_array)
        .is_none_or(|e| e.is_empty());
    labels_empty && expressions_empty
}

/// Whether `matchConstraints` allows autogen (Kyverno's `CanAutoGen`).
pub fn can_autogen(match_constraints: Option<&Json>) -> bool {
    let Some(m) = match_constraints else {
        return false;
    };
    if !selector_is_empty(m.get("namespaceSelector")) || !selector_is_empty(m.get("objectSelector"))
    {
        return false;
    }
    if m.get("excludeResourceRules")
        .and_then(Json::as_array)
        .is_some_and(|r| !r.is_empty())
    {
        return false;
    }
    let rules = m
        .get("resourceRules")
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let [rule] = rules else {
        return false;
    };
    strings(rule.get("resourceNames")).is_empty()
        && strings(rule.get("apiGroups")) == [""]
        && strings(rule.get("apiVersions")) == ["v1"]
        && strings(rule.get("resources")) == ["pods"]
}

/// The copies to evaluate besides the policy itself. `spec.autogen
/// .podControllers.controllers`, when set (even to `[]`), limits them to
/// the controllers it names; unknown names are ignored.
pub fn copies(spec: &Json) -> Vec<ControllerCopy> {
    if !can_autogen(spec.get("matchConstraints")) {
        return Vec::new();
    }
    let chosen: Option<Vec<&str>> = spec
        .pointer("/autogen/podControllers/controllers")
        .filter(|c| !c.is_null())
        .map(|c| strings(Some(c)));
    let enabled = |name: &str| chosen.as_ref().is_none_or(|list| list.contains(&name));
    let mut defaults = Vec::new();
    let mut cronjobs = Vec::new();
    for (name, group, is_cronjob) in CONTROLLERS {
        if !enabled(name) {
            continue;
        }
        if *is_cronjob {
            cronjobs.push((*group, *name));
        } else {
            defaults.push((*group, *name));
        }
    }
    let mut out = Vec::new();
    // Kyverno orders the copies by their replacement set's name: "cronjobs"
    // before "defaults".
    if !cronjobs.is_empty() {
        out.push(ControllerCopy {
            targets: cronjobs,
            replacements: CRONJOB_REPLACEMENTS,
        });
    }
    if !defaults.is_empty() {
        out.push(ControllerCopy {
            targets: defaults,
            replacements: POD_REPLACEMENTS,
        });
    }
    out
}

/// The spec of a copy: the rules matching its controllers (with the
/// original rule's operations), and every `object.`/`oldObject.` path
/// rewritten in the JSON text.
pub fn rewrite_spec(spec: &Json, copy: &ControllerCopy) -> Result<Json, String> {
    let mut spec = spec.clone();
    let operations = spec
        .pointer("/matchConstraints/resourceRules/0/operations")
        .cloned()
        .unwrap_or(Json::Null);
    let rules: Vec<Json> = copy
        .targets
        .iter()
        .map(|(group, resource)| {
            serde_json::json!({
                "apiGroups": [group],
                "apiVersions": ["v1"],
                "resources": [resource],
                "operations": operations,
            })
        })
        .collect();
    if let Some(map) = spec.as_object_mut() {
        map.insert(
            "matchConstraints".to_owned(),
            serde_json::json!({ "resourceRules": rules }),
        );
    }
    let mut text = spec.to_string();
    for (from, to) in copy.replacements {
        for root in ["object.", "oldObject."] {
            text = text.replace(&format!("{root}{from}"), &format!("{root}{to}"));
        }
    }
    serde_json::from_str(&text).map_err(|e| format!("autogen rewrite produced invalid JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pods_spec() -> Json {
        json!({
            "matchConstraints": {"resourceRules": [{
                "apiGroups": [""], "apiVersions": ["v1"],
                "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]},
            "validations": [{"expression": "object.spec.containers.all(c, has(c.image)) && has(object.metadata.labels)"}]
        })
    }

    #[test]
    fn a_single_pods_rule_gets_cronjob_and_default_copies() {
        let c = copies(&pods_spec());
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].targets, vec![("batch", "cronjobs")]);
        assert_eq!(c[1].targets.len(), 5);
    }

    #[test]
    fn rewrite_reads_the_template_and_keeps_operations() {
        let c = copies(&pods_spec());
        let spec = rewrite_spec(&pods_spec(), &c[1]).unwrap_or_default();
        assert_eq!(
            spec.pointer("/validations/0/expression"),
            Some(&json!(
                "object.spec.template.spec.containers.all(c, has(c.image)) && has(object.spec.template.metadata.labels)"
            ))
        );
        assert_eq!(
            spec.pointer("/matchConstraints/resourceRules/0/operations"),
            Some(&json!(["CREATE", "UPDATE"]))
        );
        let cron = rewrite_spec(&pods_spec(), &c[0]).unwrap_or_default();
        assert!(
            cron.pointer("/validations/0/expression")
                .and_then(Json::as_str)
                .is_some_and(|e| e.starts_with("object.spec.jobTemplate.spec.template.spec."))
        );
    }

    #[test]
    fn controllers_list_limits_and_empty_list_disables() {
        let mut spec = pods_spec();
        spec["autogen"] = json!({"podControllers": {"controllers": []}});
        assert!(copies(&spec).is_empty());
        // best-practices-vpol/require-probes names kinds, not plurals: nothing.
        spec["autogen"] = json!({"podControllers": {"controllers": ["Deployment", "CronJob"]}});
        assert!(copies(&spec).is_empty());
        spec["autogen"] = json!({"podControllers": {"controllers": ["deployments"]}});
        let c = copies(&spec);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].targets, vec![("apps", "deployments")]);
    }

    #[test]
    fn no_autogen_for_other_resources_or_selectors() {
        let mut spec = pods_spec();
        spec["matchConstraints"]["resourceRules"][0]["resources"] = json!(["pods", "services"]);
        assert!(copies(&spec).is_empty());
        let mut spec = pods_spec();
        spec["matchConstraints"]["namespaceSelector"] = json!({"matchLabels": {"a": "b"}});
        assert!(copies(&spec).is_empty());
        let mut spec = pods_spec();
        spec["matchConstraints"]["excludeResourceRules"] = json!([{"resources": ["pods"]}]);
        assert!(copies(&spec).is_empty());
        assert!(!can_autogen(None));
    }
}
