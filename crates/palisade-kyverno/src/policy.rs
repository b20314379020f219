//! Kyverno `ClusterPolicy` and `Policy` (kyverno.io/v1, v2beta1), read into
//! the shape the engine runs: rules with their match and exclude blocks,
//! context entries, preconditions and one validation, plus the rules
//! auto-generated for Pod controllers (`autogen`).
//!
//! Only `validate` rules are evaluated. A rule that mutates, generates or
//! verifies images is kept by name and reported as unsupported, so a caller
//! can say so instead of passing silently.

use std::collections::BTreeMap;

use crate::Json;
use crate::autogen;
use crate::cel_rule::CelRule;

/// What a failing rule does at admission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureAction {
    /// Reported, the request is allowed.
    Audit,
    /// The request is denied.
    Enforce,
}

impl FailureAction {
    /// Kyverno accepts both spellings' cases (`enforce`, `Enforce`); anything
    /// else is Audit, its default.
    fn parse(value: Option<&Json>) -> Option<FailureAction> {
        let text = value?.as_str()?;
        Some(if text.eq_ignore_ascii_case("enforce") {
            FailureAction::Enforce
        } else {
            FailureAction::Audit
        })
    }
}

/// A ClusterPolicy or a namespaced Policy.
#[derive(Debug)]
pub struct KyvernoPolicy {
    pub name: String,
    /// `Some` for a namespaced `Policy`: it only sees objects of its namespace.
    pub namespace: Option<String>,
    /// `applyRules: One`: stop after the first rule that gave a response.
    pub apply_one: bool,
    pub annotations: BTreeMap<String, String>,
    /// Validate rules in order, each followed by its auto-generated copies.
    pub rules: Vec<Rule>,
    /// Names of rules that are not `validate` rules (mutate, generate,
    /// verifyImages), which Palisade does not run.
    pub unsupported_rules: Vec<String>,
}

/// One validate rule.
#[derive(Debug)]
pub struct Rule {
    pub name: String,
    pub matching: MatchResources,
    pub exclude: Option<MatchResources>,
    /// `context` entries, evaluated in order before the preconditions.
    pub context: Vec<Json>,
    /// `preconditions`: `{any, all}` or a bare list (the legacy `all`).
    pub preconditions: Option<Json>,
    pub validate: Validate,
    /// The rule's `validate.failureAction`, else the policy's.
    pub failure_action: FailureAction,
    /// `validate.allowExistingViolations` (default true).
    pub allow_existing_violations: bool,
}

/// The rule's `validate` block.
#[derive(Debug)]
pub struct Validate {
    /// `validate.message`, before variable substitution.
    pub message: Option<String>,
    pub check: Check,
}

/// The one check a validate rule runs.
#[derive(Debug)]
pub enum Check {
    Pattern(Json),
    AnyPattern(Vec<Json>),
    /// `deny.conditions`.
    Deny(Json),
    /// The `foreach` entries.
    Foreach(Vec<Json>),
    PodSecurity(Json),
    Cel(Box<CelRule>),
    /// A validate form Palisade does not evaluate (manifests, assert, ...).
    Unsupported(String),
}

/// A rule's `match` or `exclude`: `any` blocks, `all` blocks, or the legacy
/// single block (`resources` plus user info at the top level).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatchResources {
    pub any: Vec<ResourceFilter>,
    pub all: Vec<ResourceFilter>,
    pub legacy: Option<ResourceFilter>,
}

/// One block: what the resource must be and who must ask.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceFilter {
    pub resources: ResourceDescription,
    pub user: UserFilter,
}

/// `resources:` of a match block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceDescription {
    pub kinds: Vec<String>,
    /// `name` and `names` together, with wildcards.
    pub names: Vec<String>,
    pub namespaces: Vec<String>,
    pub annotations: BTreeMap<String, String>,
    pub selector: Option<Json>,
    pub namespace_selector: Option<Json>,
    pub operations: Vec<String>,
}

/// `subjects`, `roles` and `clusterRoles` of a match block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserFilter {
    pub roles: Vec<String>,
    pub cluster_roles: Vec<String>,
    pub subjects: Vec<Subject>,
}

impl UserFilter {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.cluster_roles.is_empty() && self.subjects.is_empty()
    }
}

/// An RBAC-style subject: User, Group or ServiceAccount.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subject {
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// The annotation that limits or disables auto-generated rules.
pub const AUTOGEN_ANNOTATION: &str = "pod-policies.kyverno.io/autogen-controllers";

/// Whether this object is a Kyverno ClusterPolicy or Policy.
pub fn is_kyverno_policy(object: &Json) -> bool {
    let api_version = object
        .get("apiVersion")
        .and_then(Json::as_str)
        .unwrap_or("");
    let kind = object.get("kind").and_then(Json::as_str).unwrap_or("");
    api_version.starts_with("kyverno.io/") && (kind == "ClusterPolicy" || kind == "Policy")
}

impl KyvernoPolicy {
    /// Reads a ClusterPolicy or Policy. Errors name the rule and field.
    pub fn parse(object: &Json) -> Result<KyvernoPolicy, String> {
        let kind = str_at(object, "kind").unwrap_or_default();
        let metadata = object.get("metadata");
        let name = metadata
            .and_then(|m| str_at(m, "name"))
            .ok_or("the policy has no metadata.name")?;
        let namespace = if kind == "Policy" {
            Some(
                metadata
                    .and_then(|m| str_at(m, "namespace"))
                    .unwrap_or_else(|| "default".to_string()),
            )
        } else {
            None
        };
        let annotations = string_map(metadata.and_then(|m| m.get("annotations")));
        let spec = object.get("spec").ok_or("the policy has no spec")?;
        let failure_action = FailureAction::parse(spec.get("validationFailureAction"))
            .unwrap_or(FailureAction::Audit);
        let apply_one = str_at(spec, "applyRules").is_some_and(|v| v == "One");
        let raw_rules: &[Json] = match spec.get("rules") {
            None | Some(Json::Null) => &[],
            Some(Json::Array(rules)) => rules,
            Some(_) => return Err("spec.rules must be a list".into()),
        };
        let expanded = autogen::expand(raw_rules, &annotations);
        let mut rules = Vec::new();
        let mut unsupported_rules = Vec::new();
        for raw in &expanded {
            let rule_name = str_at(raw, "name").unwrap_or_default();
            if raw.get("validate").is_none() {
                unsupported_rules.push(rule_name);
                continue;
            }
            let rule =
                Rule::parse(raw, failure_action).map_err(|e| format!("rule {rule_name:?}: {e}"))?;
            rules.push(rule);
        }
        Ok(KyvernoPolicy {
            name,
            namespace,
            apply_one,
            annotations,
            rules,
            unsupported_rules,
        })
    }
}

impl Rule {
    fn parse(raw: &Json, policy_action: FailureAction) -> Result<Rule, String> {
        let name = str_at(raw, "name").ok_or("a rule has no name")?;
        let matching = match raw.get("match") {
            Some(m) => MatchResources::parse(m).map_err(|e| format!("match: {e}"))?,
            None => return Err("the rule has no match block".into()),
        };
        let exclude = match raw.get("exclude") {
            Some(Json::Null) | None => None,
            Some(e) => Some(MatchResources::parse(e).map_err(|e| format!("exclude: {e}"))?),
        };
        let context = match raw.get("context") {
            Some(Json::Array(entries)) => entries.clone(),
            _ => Vec::new(),
        };
        let preconditions = raw.get("preconditions").filter(|p| !p.is_null()).cloned();
        let validate = raw.get("validate").ok_or("not a validate rule")?;
        let failure_action =
            FailureAction::parse(validate.get("failureAction")).unwrap_or(policy_action);
        let allow_existing_violations = validate
            .get("allowExistingViolations")
            .and_then(Json::as_bool)
            .unwrap_or(true);
        let message = str_at(validate, "message");
        let check = Check::parse(&name, validate, raw.get("celPreconditions"))?;
        Ok(Rule {
            name,
            matching,
            exclude,
            context,
            preconditions,
            validate: Validate { message, check },
            failure_action,
            allow_existing_violations,
        })
    }
}

impl Check {
    fn parse(
        rule_name: &str,
        validate: &Json,
        cel_preconditions: Option<&Json>,
    ) -> Result<Check, String> {
        if let Some(pattern) = validate.get("pattern").filter(|p| !p.is_null()) {
            return Ok(Check::Pattern(pattern.clone()));
        }
        if let Some(any) = validate.get("anyPattern").filter(|p| !p.is_null()) {
            let patterns = any.as_array().ok_or("validate.anyPattern must be a list")?;
            return Ok(Check::AnyPattern(patterns.clone()));
        }
        if let Some(deny) = validate.get("deny").filter(|p| !p.is_null()) {
            // A deny without conditions always denies.
            let conditions = deny.get("conditions").cloned().unwrap_or(Json::Null);
            return Ok(Check::Deny(conditions));
        }
        if let Some(foreach) = validate.get("foreach").filter(|p| !p.is_null()) {
            let entries = foreach
                .as_array()
                .ok_or("validate.foreach must be a list")?;
            return Ok(Check::Foreach(entries.clone()));
        }
        if let Some(pss) = validate.get("podSecurity").filter(|p| !p.is_null()) {
            return Ok(Check::PodSecurity(pss.clone()));
        }
        if let Some(cel) = validate.get("cel").filter(|p| !p.is_null()) {
            let rule = CelRule::parse(cel, cel_preconditions.filter(|c| !c.is_null()))
                .map_err(|e| format!("validate.cel: {e}"))?
                .with_rule_name(rule_name);
            return Ok(Check::Cel(Box::new(rule)));
        }
        for form in ["manifests", "assert"] {
            if validate.get(form).is_some() {
                return Ok(Check::Unsupported(format!("validate.{form}")));
            }
        }
        Err("validate has none of pattern, anyPattern, deny, foreach, podSecurity, cel".into())
    }
}

impl MatchResources {
    pub(crate) fn parse(block: &Json) -> Result<MatchResources, String> {
        let filters = |key: &str| -> Result<Vec<ResourceFilter>, String> {
            match block.get(key) {
                None | Some(Json::Null) => Ok(Vec::new()),
                Some(Json::Array(items)) => items.iter().map(ResourceFilter::parse).collect(),
                Some(_) => Err(format!("{key} must be a list")),
            }
        };
        let any = filters("any")?;
        let all = filters("all")?;
        let legacy = if block.get("resources").is_some()
            || ["subjects", "roles", "clusterRoles"]
                .iter()
                .any(|k| block.get(*k).is_some())
        {
            Some(ResourceFilter::parse(block)?)
        } else {
            None
        };
        Ok(MatchResources { any, all, legacy })
    }

    /// Every block, whichever form it is written in.
    pub fn blocks(&self) -> impl Iterator<Item = &ResourceFilter> {
        self.any.iter().chain(&self.all).chain(&self.legacy)
    }
}

impl ResourceFilter {
    fn parse(block: &Json) -> Result<ResourceFilter, String> {
        let resources = match block.get("resources") {
            None | Some(Json::Null) => ResourceDescription::default(),
            Some(r) => ResourceDescription::parse(r)?,
        };
        let subjects = match block.get("subjects") {
            Some(Json::Array(items)) => items
                .iter()
                .map(|s| Subject {
                    kind: str_at(s, "kind").unwrap_or_default(),
                    name: str_at(s, "name").unwrap_or_default(),
                    namespace: str_at(s, "namespace").unwrap_or_default(),
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(ResourceFilter {
            resources,
            user: UserFilter {
                roles: strings(block.get("roles")),
                cluster_roles: strings(block.get("clusterRoles")),
                subjects,
            },
        })
    }
}

impl ResourceDescription {
    fn parse(r: &Json) -> Result<ResourceDescription, String> {
        if !r.is_object() {
            return Err("resources must be a mapping".into());
        }
        let mut names = strings(r.get("names"));
        if let Some(name) = str_at(r, "name").filter(|n| !n.is_empty()) {
            names.push(name);
        }
        Ok(ResourceDescription {
            kinds: strings(r.get("kinds")),
            names,
            namespaces: strings(r.get("namespaces")),
            annotations: string_map(r.get("annotations")),
            selector: r.get("selector").filter(|s| !s.is_null()).cloned(),
            namespace_selector: r.get("namespaceSelector").filter(|s| !s.is_null()).cloned(),
            operations: strings(r.get("operations")),
        })
    }
}

pub(crate) fn str_at(value: &Json, key: &str) -> Option<String> {
    value.get(key).and_then(Json::as_str).map(str::to_string)
}

/// A list of strings; non-string items are skipped.
pub(crate) fn strings(value: Option<&Json>) -> Vec<String> {
    match value {
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A map of strings; non-string values are skipped.
pub(crate) fn string_map(value: Option<&Json>) -> BTreeMap<String, String> {
    match value {
        Some(Json::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect(),
        _ => BTreeMap::new(),
    }
}
