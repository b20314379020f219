//! Rules auto-generated for Pod controllers, as Kyverno's `pkg/autogen/v1`
//! computes them when a policy is loaded.
//!
//! A rule written for `Pod` also guards the workloads that create pods: a
//! copy named `autogen-<rule>` matches DaemonSet, Deployment, Job,
//! StatefulSet, ReplicaSet and ReplicationController and checks
//! `spec.template`; a copy named `autogen-cronjob-<rule>` matches CronJob and
//! checks `spec.jobTemplate.spec.template`. Patterns are wrapped; every other
//! field is rewritten as Kyverno rewrites it, by plain substring replacement
//! in the rule's JSON text (`request.object.spec` becomes
//! `request.object.spec.template.spec`, and the same for `metadata` and
//! `oldObject`), so a Pod rule reading `request.object.metadata.name` reads
//! the template's name on a Deployment, exactly as in Kyverno. CEL
//! expressions get the same rewrite without the `request.` prefix.
//!
//! The annotation `pod-policies.kyverno.io/autogen-controllers` limits the
//! controllers (a comma list, not trimmed) or turns the copies off (`none`).
//! No copies are made for the whole policy when any rule generates, or when a
//! match or exclude block names resources, uses a selector or annotations, or
//! lists `Pod` beside other kinds.

use std::collections::BTreeMap;

use crate::Json;
use crate::policy::AUTOGEN_ANNOTATION;

/// The controllers whose pod template `autogen-<rule>` checks (and whose
/// `spec.template` a podSecurity rule reads).
pub const TEMPLATE_CONTROLLERS: [&str; 6] = [
    "DaemonSet",
    "Deployment",
    "Job",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

/// Kyverno cuts generated rule names to the length of a label value.
const MAX_RULE_NAME: usize = 63;

/// The rules in order, each followed by its generated copies.
pub fn expand(rules: &[Json], annotations: &BTreeMap<String, String>) -> Vec<Json> {
    let controllers = controllers(rules, annotations);
    let template_kinds: Vec<String> = controllers
        .iter()
        .filter(|c| TEMPLATE_CONTROLLERS.contains(&c.as_str()))
        .cloned()
        .collect();
    let with_cronjob = controllers.iter().any(|c| c == "CronJob");
    let mut out = Vec::with_capacity(rules.len());
    for rule in rules {
        out.push(rule.clone());
        if !copies_rule(rule) {
            continue;
        }
        if !template_kinds.is_empty() {
            out.push(controller_rule(rule, &template_kinds));
        }
        if with_cronjob {
            out.push(cronjob_rule(rule));
        }
    }
    out
}

/// The controllers the policy's rules are copied for: empty when Kyverno
/// would not generate rules for this policy.
fn controllers(rules: &[Json], annotations: &BTreeMap<String, String>) -> Vec<String> {
    if !can_generate(rules) {
        return Vec::new();
    }
    match annotations.get(AUTOGEN_ANNOTATION) {
        Some(list) if list == "none" => Vec::new(),
        Some(list) if list == "all" => default_controllers(),
        // Kyverno splits on ',' without trimming: " Deployment" matches nothing.
        Some(list) => list.split(',').map(str::to_string).collect(),
        None => default_controllers(),
    }
}

fn default_controllers() -> Vec<String> {
    TEMPLATE_CONTROLLERS
        .iter()
        .map(|c| c.to_string())
        .chain(["CronJob".to_string()])
        .collect()
}

/// Kyverno's `CanAutoGen`: some block matches Pods, no rule generates, and
/// no block narrows by name, selector or annotations or mixes Pod with
/// other kinds.
fn can_generate(rules: &[Json]) -> bool {
    let mut needed = false;
    for rule in rules {
        if rule.get("generate").is_some_and(|g| !g.is_null()) {
            return false;
        }
        if rule
            .pointer("/mutate/patchesJson6902")
            .and_then(Json::as_str)
            .is_some_and(|p| !p.is_empty())
        {
            return false;
        }
        for block in ["match", "exclude"] {
            for description in descriptions(rule.get(block)) {
                if !supports_autogen(description) {
                    return false;
                }
                needed |= kinds_of(description).iter().any(|k| k == "Pod");
            }
        }
    }
    needed
}

/// The `resources` descriptions of a match or exclude block, in all forms.
fn descriptions(block: Option<&Json>) -> Vec<&Json> {
    let Some(block) = block else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(r) = block.get("resources") {
        out.push(r);
    }
    for key in ["any", "all"] {
        if let Some(Json::Array(filters)) = block.get(key) {
            out.extend(filters.iter().filter_map(|f| f.get("resources")));
        }
    }
    out
}

fn supports_autogen(description: &Json) -> bool {
    let set = |key: &str| description.get(key).is_some_and(|v| !is_empty(v));
    let kinds = kinds_of(description);
    !(set("name")
        || set("names")
        || set("selector")
        || set("annotations")
        || (kinds.len() > 1 && kinds.iter().any(|k| k == "Pod")))
}

fn is_empty(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn kinds_of(description: &Json) -> Vec<String> {
    crate::policy::strings(description.get("kinds"))
}

/// All kinds a match or exclude block names.
fn block_kinds(block: Option<&Json>) -> Vec<String> {
    descriptions(block).into_iter().flat_map(kinds_of).collect()
}

/// A rule is copied when its match kinds include `Pod` and its exclude kinds,
/// if any, do too; rules already generated are not copied again.
fn copies_rule(rule: &Json) -> bool {
    let name = rule.get("name").and_then(Json::as_str).unwrap_or("");
    if name.starts_with("autogen-") || rule.get("validate").is_none() {
        return false;
    }
    let match_kinds = block_kinds(rule.get("match"));
    let exclude_kinds = block_kinds(rule.get("exclude"));
    match_kinds.iter().any(|k| k == "Pod")
        && (exclude_kinds.is_empty() || exclude_kinds.iter().any(|k| k == "Pod"))
}

/// `autogen-<rule>` for the template controllers.
fn controller_rule(rule: &Json, kinds: &[String]) -> Json {
    let mut copy = rule.clone();
    rename(&mut copy, "autogen-");
    replace_pod_kinds(&mut copy, kinds);
    wrap_patterns(&mut copy, |p| {
        json_object("spec", json_object("template", p))
    });
    rewrite_text(
        copy,
        &[
            ("request.object.spec", "request.object.spec.template.spec"),
            (
                "request.oldObject.spec",
                "request.oldObject.spec.template.spec",
            ),
            (
                "request.object.metadata",
                "request.object.spec.template.metadata",
            ),
            (
                "request.oldObject.metadata",
                "request.oldObject.spec.template.metadata",
            ),
        ],
        &[
            ("object.spec", "object.spec.template.spec"),
            ("object.metadata", "object.spec.template.metadata"),
            ("oldObject.spec", "oldObject.spec.template.spec"),
            ("oldObject.metadata", "oldObject.spec.template.metadata"),
        ],
    )
}

/// `autogen-cronjob-<rule>`: Kyverno derives it from the Job copy, so the
/// rewrites go one level further down.
fn cronjob_rule(rule: &Json) -> Json {
    let job = controller_rule(rule, &["Job".to_string()]);
    let mut copy = job;
    if let Some(name) = rule.get("name").and_then(Json::as_str) {
        copy["name"] = Json::String(truncate(&format!("autogen-cronjob-{name}")));
    }
    replace_pod_kinds_from(&mut copy, "Job", &["CronJob".to_string()]);
    wrap_patterns(&mut copy, |p| {
        json_object("spec", json_object("jobTemplate", p))
    });
    rewrite_text(
        copy,
        &[
            (
                "request.object.spec.template",
                "request.object.spec.jobTemplate.spec.template",
            ),
            (
                "request.oldObject.spec.template",
                "request.oldObject.spec.jobTemplate.spec.template",
            ),
        ],
        &[
            (
                "object.spec.template",
                "object.spec.jobTemplate.spec.template",
            ),
            (
                "oldObject.spec.template",
                "oldObject.spec.jobTemplate.spec.template",
            ),
        ],
    )
}

fn truncate(name: &str) -> String {
    name.chars().take(MAX_RULE_NAME).collect()
}

fn rename(rule: &mut Json, prefix: &str) {
    if let Some(name) = rule.get("name").and_then(Json::as_str) {
        let renamed = truncate(&format!("{prefix}{name}"));
        rule["name"] = Json::String(renamed);
    }
}

fn json_object(key: &str, value: Json) -> Json {
    let mut map = serde_json::Map::new();
    map.insert(key.to_string(), value);
    Json::Object(map)
}

fn replace_pod_kinds(rule: &mut Json, kinds: &[String]) {
    replace_pod_kinds_from(rule, "Pod", kinds);
}

/// In every match and exclude description that lists `from`, the kinds
/// become `kinds` (Kyverno's `getAnyAllAutogenRule`; other descriptions stay).
fn replace_pod_kinds_from(rule: &mut Json, from: &str, kinds: &[String]) {
    let new_kinds = Json::Array(kinds.iter().cloned().map(Json::String).collect());
    for block in ["match", "exclude"] {
        let Some(block) = rule.get_mut(block) else {
            continue;
        };
        let mut descriptions: Vec<&mut Json> = Vec::new();
        if let Some(Json::Object(map)) = Some(&mut *block) {
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    ("resources", r) => descriptions.push(r),
                    ("any" | "all", Json::Array(filters)) => descriptions
                        .extend(filters.iter_mut().filter_map(|f| f.get_mut("resources"))),
                    _ => {}
                }
            }
        }
        for description in descriptions {
            let lists_from = kinds_of(description).iter().any(|k| k == from);
            if lists_from && let Some(map) = description.as_object_mut() {
                map.insert("kinds".to_string(), new_kinds.clone());
            }
        }
    }
}

/// `validate.pattern` and each `anyPattern` entry wrapped by `wrap`.
fn wrap_patterns(rule: &mut Json, wrap: impl Fn(Json) -> Json) {
    let Some(validate) = rule.get_mut("validate").and_then(Json::as_object_mut) else {
        return;
    };
    if let Some(pattern) = validate.remove("pattern") {
        validate.insert("pattern".to_string(), wrap(pattern));
    }
    if let Some(Json::Array(patterns)) = validate.remove("anyPattern") {
        let wrapped = patterns.into_iter().map(&wrap).collect();
        validate.insert("anyPattern".to_string(), Json::Array(wrapped));
    }
}

/// Kyverno's substring rewrite: `request_pairs` over the rule's JSON text
/// outside CEL, `cel_pairs` inside `validate.cel` and `celPreconditions`.
fn rewrite_text(
    mut rule: Json,
    request_pairs: &[(&str, &str)],
    cel_pairs: &[(&str, &str)],
) -> Json {
    let cel = rule
        .get_mut("validate")
        .and_then(Json::as_object_mut)
        .and_then(|v| v.remove("cel"));
    let cel_preconditions = rule
        .as_object_mut()
        .and_then(|r| r.remove("celPreconditions"));
    let mut rewritten = replace_all(&rule, request_pairs);
    if let Some(cel) = cel
        && let Some(validate) = rewritten.get_mut("validate").and_then(Json::as_object_mut)
    {
        validate.insert("cel".to_string(), replace_all(&cel, cel_pairs));
    }
    if let Some(conditions) = cel_preconditions
        && let Some(map) = rewritten.as_object_mut()
    {
        map.insert(
            "celPreconditions".to_string(),
            replace_all(&conditions, cel_pairs),
        );
    }
    rewritten
}

/// Replaces in the JSON text, as Kyverno does on the marshalled rule. The
/// rewritten text is still valid JSON: the needles contain no quotes or
/// backslashes.
fn replace_all(value: &Json, pairs: &[(&str, &str)]) -> Json {
    let mut text = value.to_string();
    for (from, to) in pairs {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).unwrap_or_else(|_| value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod_rule() -> Json {
        json!({
            "name": "check-labels",
            "match": {"any": [{"resources": {"kinds": ["Pod"], "operations": ["CREATE"]}}]},
            "validate": {
                "message": "{{ request.object.metadata.name }} needs a label",
                "pattern": {"metadata": {"labels": {"app": "?*"}}}
            }
        })
    }

    fn names(rules: &[Json]) -> Vec<&str> {
        rules.iter().filter_map(|r| r["name"].as_str()).collect()
    }

    #[test]
    fn a_pod_rule_gets_controller_and_cronjob_copies() {
        let rules = expand(&[pod_rule()], &BTreeMap::new());
        assert_eq!(
            names(&rules),
            [
                "check-labels",
                "autogen-check-labels",
                "autogen-cronjob-check-labels"
            ]
        );
        let controller = &rules[1];
        assert_eq!(
            controller["match"]["any"][0]["resources"]["kinds"],
            json!(TEMPLATE_CONTROLLERS)
        );
        // Operations and the other fields of the block are kept.
        assert_eq!(
            controller["match"]["any"][0]["resources"]["operations"],
            json!(["CREATE"])
        );
        assert_eq!(
            controller["validate"]["pattern"],
            json!({"spec": {"template": {"metadata": {"labels": {"app": "?*"}}}}})
        );
        assert_eq!(
            controller["validate"]["message"],
            "{{ request.object.spec.template.metadata.name }} needs a label"
        );
        let cronjob = &rules[2];
        assert_eq!(
            cronjob["match"]["any"][0]["resources"]["kinds"],
            json!(["CronJob"])
        );
        assert_eq!(
            cronjob["validate"]["pattern"],
            json!({"spec": {"jobTemplate": {"spec": {"template":
                {"metadata": {"labels": {"app": "?*"}}}}}}})
        );
        assert_eq!(
            cronjob["validate"]["message"],
            "{{ request.object.spec.jobTemplate.spec.template.metadata.name }} needs a label"
        );
    }

    #[test]
    fn the_annotation_limits_or_disables_copies() {
        let mut annotations = BTreeMap::new();
        annotations.insert(AUTOGEN_ANNOTATION.to_string(), "none".to_string());
        assert_eq!(
            names(&expand(&[pod_rule()], &annotations)),
            ["check-labels"]
        );
        annotations.insert(
            AUTOGEN_ANNOTATION.to_string(),
            "Deployment,CronJob".to_string(),
        );
        let rules = expand(&[pod_rule()], &annotations);
        assert_eq!(
            rules[1]["match"]["any"][0]["resources"]["kinds"],
            json!(["Deployment"])
        );
        assert_eq!(rules.len(), 3);
        // Not trimmed, as in Kyverno: " Deployment" is no controller.
        annotations.insert(
            AUTOGEN_ANNOTATION.to_string(),
            "DaemonSet, Deployment".to_string(),
        );
        let rules = expand(&[pod_rule()], &annotations);
        assert_eq!(
            rules[1]["match"]["any"][0]["resources"]["kinds"],
            json!(["DaemonSet"])
        );
        assert_eq!(rules.len(), 2);
    }

    #[test]
    fn a_selector_or_mixed_kinds_disable_autogen_for_the_whole_policy() {
        let mut selective = pod_rule();
        selective["match"]["any"][0]["resources"]["selector"] = json!({"matchLabels": {"a": "b"}});
        assert_eq!(expand(&[pod_rule(), selective], &BTreeMap::new()).len(), 2);
        let mut mixed = pod_rule();
        mixed["match"]["any"][0]["resources"]["kinds"] = json!(["Pod", "Service"]);
        assert_eq!(expand(&[mixed], &BTreeMap::new()).len(), 1);
    }

    #[test]
    fn deny_conditions_and_cel_are_rewritten_by_substring() {
        let rule = json!({
            "name": "r",
            "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
            "celPreconditions": [{"name": "c", "expression": "has(object.spec.hostNetwork)"}],
            "validate": {
                "deny": {"conditions": {"any": [{"key": "{{ request.object.spec.hostPID }}",
                    "operator": "Equals", "value": true}]}},
                "cel": {"expressions": [{"expression": "object.metadata.name != 'x' && oldObject.spec == null"}]}
            }
        });
        let rules = expand(&[rule], &BTreeMap::new());
        let controller = &rules[1];
        assert_eq!(
            controller["validate"]["deny"]["conditions"]["any"][0]["key"],
            "{{ request.object.spec.template.spec.hostPID }}"
        );
        assert_eq!(
            controller["validate"]["cel"]["expressions"][0]["expression"],
            "object.spec.template.metadata.name != 'x' && oldObject.spec.template.spec == null"
        );
        assert_eq!(
            controller["celPreconditions"][0]["expression"],
            "has(object.spec.template.spec.hostNetwork)"
        );
        assert_eq!(
            rules[2]["validate"]["cel"]["expressions"][0]["expression"],
            "object.spec.jobTemplate.spec.template.metadata.name != 'x' \
             && oldObject.spec.jobTemplate.spec.template.spec == null"
        );
    }

    #[test]
    fn quoted_object_escapes_the_rewrite() {
        let mut rule = pod_rule();
        rule["validate"]["message"] = json!("{{ request.\"object\".metadata.name }}");
        let rules = expand(&[rule], &BTreeMap::new());
        assert_eq!(
            rules[1]["validate"]["message"],
            "{{ request.\"object\".metadata.name }}"
        );
    }
}
