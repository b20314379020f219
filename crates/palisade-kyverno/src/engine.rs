//! Runs a ClusterPolicy's validate rules on one admission request, in
//! Kyverno's order (`pkg/engine/engine.go`, `handlers/validation/`):
//!
//! 1. a namespaced Policy sees only objects of its namespace;
//! 2. per rule: `match`/`exclude` (no match: no response), the test's
//!    values, the rule's `context` entries (failure: `error`),
//!    `preconditions` (false: `skip`; unresolved variables read as `""`);
//! 3. the check: `deny`, `pattern`/`anyPattern`, `foreach`, `podSecurity` or
//!    `cel`;
//! 4. on UPDATE, an Enforce rule that fails is run again on the old object
//!    (`allowExistingViolations`): when that fails too the result is `skip`;
//! 5. `applyRules: One` stops after the first rule with a response.

use std::cell::Cell;

use crate::cel_rule::CelInput;
use crate::conditions::{self, Unresolved};
use crate::context::Context;
use crate::exception::PolicyException;
use crate::matching::{self, Gvk, RequestInfo};
use crate::pattern::{self, PatternResult};
use crate::policy::{Check, FailureAction, KyvernoPolicy, Rule};
use crate::{ClusterObjects, Json, RuleOutcome, Status, pod_security, variables};

/// Foreach nesting deeper than this is refused (Kyverno has no limit; a
/// policy cannot be trusted not to recurse without end).
const MAX_FOREACH_DEPTH: usize = 16;

/// Foreach elements one rule may evaluate, all levels together (Kyverno has
/// no limit). Nested foreach multiplies: ten levels over a ten-element list
/// are 10^10 evaluations. Real rules visit containers times their ports,
/// mounts or variables: hundreds.
const MAX_FOREACH_ELEMENTS: usize = 10_000;

/// One admission request, as the engine sees it.
#[derive(Clone, Debug, Default)]
pub struct Admission<'a> {
    /// The new object; `None` for DELETE.
    pub object: Option<&'a Json>,
    /// The old object for UPDATE and DELETE.
    pub old_object: Option<&'a Json>,
    pub info: RequestInfo,
    /// `request.userInfo` as JSON (`username`, `groups`, ...), when known.
    pub user_info: Option<Json>,
    /// The namespace object CEL sees as `namespaceObject`.
    pub namespace_object: Option<Json>,
    /// Objects that context entries (`configMap`) and CEL libraries
    /// (`resource.Get`/`List`) may read; never fetched from a cluster.
    pub cluster_objects: ClusterObjects,
    /// Dotted keys put into the context before any rule (`kyverno test`'s
    /// global and per-resource values).
    pub context_values: Vec<(String, Json)>,
    /// PolicyExceptions in force.
    pub exceptions: &'a [PolicyException],
}

impl Admission<'_> {
    /// The object rules match against: the new one, or the old one for DELETE.
    pub fn subject(&self) -> Option<&Json> {
        self.object.or(self.old_object)
    }
}

/// Values a test supplies per rule (`kyverno test` values files).
pub trait RuleValues {
    /// Dotted keys and values to put into the context before the rule's
    /// context entries.
    fn rule_values(&self, policy: &str, rule: &str) -> Vec<(String, Json)>;
    /// Per-element values of a foreach: key and one value per element index.
    fn foreach_values(&self, policy: &str, rule: &str) -> Vec<(String, Vec<Json>)>;
}

/// No values: what a scan or the webhook uses.
pub struct NoValues;

impl RuleValues for NoValues {
    fn rule_values(&self, _: &str, _: &str) -> Vec<(String, Json)> {
        Vec::new()
    }
    fn foreach_values(&self, _: &str, _: &str) -> Vec<(String, Vec<Json>)> {
        Vec::new()
    }
}

/// The response of one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleResponse {
    pub rule: String,
    pub outcome: RuleOutcome,
    /// The rule's effective failure action.
    pub action: FailureAction,
}

/// Every rule response of `policy` for this request.
pub fn apply(
    policy: &KyvernoPolicy,
    admission: &Admission,
    values: &dyn RuleValues,
) -> Vec<RuleResponse> {
    apply_with(policy, admission, values, &BaseContext::default())
}

/// What every rule of a request starts from, built when first needed and
/// then shared by every policy reviewing the same request: the JSON context,
/// and the CEL variables `validate.cel` rules read.
#[derive(Default)]
pub struct BaseContext {
    context: std::cell::OnceCell<Context>,
    cel: std::cell::OnceCell<palisade_cel::Activation>,
}

impl BaseContext {
    fn get(&self, admission: &Admission) -> &Context {
        self.context.get_or_init(|| base_context(admission))
    }

    fn cel(&self, admission: &Admission) -> &palisade_cel::Activation {
        self.cel.get_or_init(|| {
            let request = self
                .get(admission)
                .root()
                .get("request")
                .cloned()
                .unwrap_or(Json::Null);
            crate::cel_rule::activation(&CelInput {
                object: admission.object.unwrap_or(&Json::Null),
                old_object: admission.old_object,
                request: &request,
                namespace_object: admission.namespace_object.as_ref(),
                resources: &admission.cluster_objects,
            })
        })
    }
}

/// [`apply`], sharing `base` with the other policies that review the same
/// request (the same admission and values).
pub fn apply_with(
    policy: &KyvernoPolicy,
    admission: &Admission,
    values: &dyn RuleValues,
    base: &BaseContext,
) -> Vec<RuleResponse> {
    let Some(subject) = admission.subject() else {
        return Vec::new();
    };
    if let Some(namespace) = &policy.namespace
        && namespace_of(subject) != namespace
    {
        return Vec::new();
    }
    let mut responses = Vec::new();
    for rule in &policy.rules {
        if !matching::rule_applies(
            &rule.matching,
            rule.exclude.as_ref(),
            subject,
            &admission.info,
        ) {
            continue;
        }
        let Some(mut outcome) = run_rule(policy, rule, admission, base, values) else {
            continue;
        };
        if outcome.status == Status::Fail
            && admission.info.operation == "UPDATE"
            && rule.failure_action == FailureAction::Enforce
            && rule.allow_existing_violations
            && let Some(old) = admission.old_object
        {
            // Kyverno lets an update through when the old object already
            // violated the rule: it re-runs the rule on the old object.
            let mut previous = admission.clone();
            previous.object = Some(old);
            previous.old_object = None;
            previous.info.operation = "CREATE".into();
            // Kyverno sets the operation after the values: CREATE wins.
            previous
                .context_values
                .retain(|(key, _)| key != "request.operation");
            let previous_base = BaseContext::default();
            let old_fails = run_rule(policy, rule, &previous, &previous_base, values)
                .is_some_and(|o| o.status == Status::Fail);
            if old_fails {
                outcome =
                    RuleOutcome::new(Status::Skip, "violation already present in the old object");
            }
        }
        responses.push(RuleResponse {
            rule: rule.name.clone(),
            outcome,
            action: rule.failure_action,
        });
        if policy.apply_one {
            break;
        }
    }
    responses
}

fn namespace_of(object: &Json) -> &str {
    object
        .pointer("/metadata/namespace")
        .and_then(Json::as_str)
        .unwrap_or("")
}

/// The context every rule starts from: `request` (operation, object,
/// oldObject, namespace, kind, user info), `images` and the given values.
fn base_context(admission: &Admission) -> Context {
    let subject = admission.subject().cloned().unwrap_or(Json::Null);
    let gvk = Gvk::of(&subject);
    let mut request = serde_json::Map::new();
    request.insert(
        "operation".into(),
        Json::String(admission.info.operation.clone()),
    );
    request.insert(
        "object".into(),
        admission.object.cloned().unwrap_or(Json::Null),
    );
    request.insert(
        "oldObject".into(),
        admission.old_object.cloned().unwrap_or(Json::Null),
    );
    request.insert(
        "namespace".into(),
        Json::String(namespace_of(&subject).to_string()),
    );
    if let Some(name) = subject.pointer("/metadata/name") {
        request.insert("name".into(), name.clone());
    }
    request.insert(
        "kind".into(),
        serde_json::json!({"group": gvk.group, "version": gvk.version, "kind": gvk.kind}),
    );
    let mut root = serde_json::Map::new();
    if let Some(user) = &admission.info.user {
        let user_info = admission.user_info.clone().unwrap_or_else(
            || serde_json::json!({"username": user.username, "groups": user.groups}),
        );
        request.insert("userInfo".into(), user_info);
        request.insert("roles".into(), serde_json::json!(user.roles));
        request.insert("clusterRoles".into(), serde_json::json!(user.cluster_roles));
        if let Some(rest) = user.username.strip_prefix("system:serviceaccount:")
            && let Some((namespace, name)) = rest.split_once(':')
        {
            root.insert("serviceAccountName".into(), Json::String(name.into()));
            root.insert(
                "serviceAccountNamespace".into(),
                Json::String(namespace.into()),
            );
        }
    }
    root.insert("request".into(), Json::Object(request));
    root.insert(
        "images".into(),
        images(admission.object.unwrap_or(&Json::Null)),
    );
    let mut ctx = Context::from_json(Json::Object(root));
    for (key, value) in &admission.context_values {
        ctx.set_dotted(key, value.clone());
    }
    // Every rule copies this context: convert it for JMESPath once, here.
    ctx.prepare();
    ctx
}

/// `images.<containers|initContainers|ephemeralContainers>.<name>`: the
/// parts of each container image, with Kyverno's defaults (registry
/// `docker.io`, tag `latest`).
fn images(object: &Json) -> Json {
    let spec = [
        "/spec/jobTemplate/spec/template/spec",
        "/spec/template/spec",
        "/spec",
    ]
    .iter()
    .find_map(|p| object.pointer(p).filter(|s| s.get("containers").is_some()));
    let mut out = serde_json::Map::new();
    let Some(spec) = spec else {
        return Json::Object(out);
    };
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        let Some(Json::Array(containers)) = spec.get(list) else {
            continue;
        };
        let mut by_name = serde_json::Map::new();
        for container in containers {
            let (Some(name), Some(image)) = (
                container.get("name").and_then(Json::as_str),
                container.get("image").and_then(Json::as_str),
            ) else {
                continue;
            };
            by_name.insert(name.to_string(), image_info(image));
        }
        if !by_name.is_empty() {
            out.insert(list.to_string(), Json::Object(by_name));
        }
    }
    Json::Object(out)
}

/// Splits an image reference as Kyverno's `ImageInfo` does.
fn image_info(image: &str) -> Json {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, d),
        None => (image, ""),
    };
    // A tag follows the last ':' that comes after the last '/'.
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], &rest[slash + i + 1..]),
        None => (rest, ""),
    };
    let (registry, path) = match repository.split_once('/') {
        Some((first, path))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first, path)
        }
        _ => ("docker.io", repository),
    };
    let tag = if tag.is_empty() && digest.is_empty() {
        "latest"
    } else {
        tag
    };
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut reference = format!("{registry}/{path}");
    if !tag.is_empty() {
        reference.push(':');
        reference.push_str(tag);
    }
    let reference_with_tag = reference.clone();
    if !digest.is_empty() {
        reference.push('@');
        reference.push_str(digest);
    }
    serde_json::json!({
        "registry": registry, "path": path, "name": name, "tag": tag,
        "digest": digest, "reference": reference, "referenceWithTag": reference_with_tag,
    })
}

/// One rule after it matched: values, context, preconditions, check.
fn run_rule(
    policy: &KyvernoPolicy,
    rule: &Rule,
    admission: &Admission,
    base: &BaseContext,
    values: &dyn RuleValues,
) -> Option<RuleOutcome> {
    let mut ctx = base.get(admission).clone();
    for (key, value) in values.rule_values(&policy.name, &rule.name) {
        ctx.set_dotted(&key, value);
    }
    if let Err(e) = load_context(&rule.context, &mut ctx, &admission.cluster_objects) {
        return Some(RuleOutcome::new(
            Status::Error,
            format!("failed to load context: {e}"),
        ));
    }
    if let Some(outcome) = unmet_preconditions(rule.preconditions.as_ref(), &ctx) {
        return Some(outcome);
    }
    let resource = admission.subject().unwrap_or(&Json::Null);
    if let Some(exception) = admission
        .exceptions
        .iter()
        .find(|e| e.applies(&policy.name, &rule.name, resource, &admission.info, &ctx))
    {
        return Some(RuleOutcome::new(
            Status::Skip,
            format!("rule is skipped due to policy exception {}", exception.name),
        ));
    }
    let deleting = admission.object.is_none();
    let runner = Runner {
        policy,
        rule,
        admission,
        values,
        elements_left: Cell::new(MAX_FOREACH_ELEMENTS),
    };
    match &rule.validate.check {
        Check::Deny(conditions) => Some(runner.deny(conditions, &ctx)),
        // Kyverno skips pattern validation of a deleted resource.
        Check::Pattern(_) | Check::AnyPattern(_) if deleting => None,
        Check::Pattern(p) => Some(runner.patterns(std::slice::from_ref(p), false, resource, &ctx)),
        Check::AnyPattern(p) => Some(runner.patterns(p, true, resource, &ctx)),
        Check::Foreach(entries) => runner.foreach(entries, &ctx, 0),
        Check::PodSecurity(_) if deleting => None,
        Check::PodSecurity(pss) => Some(pod_security::evaluate_rule(&rule.name, pss, resource)),
        Check::Cel(cel) => {
            let message = rule
                .validate
                .message
                .as_ref()
                .map(|m| substitute_message(m, &ctx));
            Some(cel.evaluate_in(
                base.cel(admission),
                &admission.cluster_objects,
                message.as_deref(),
            ))
        }
        Check::Unsupported(form) => Some(RuleOutcome::new(
            Status::Error,
            format!("{form} is not supported by Palisade"),
        )),
    }
}

/// `None` when the preconditions hold (or there are none); else `skip`, or
/// `error` when they cannot be evaluated.
fn unmet_preconditions(preconditions: Option<&Json>, ctx: &Context) -> Option<RuleOutcome> {
    let preconditions = preconditions.filter(|p| !p.is_null())?;
    match conditions::evaluate(preconditions, ctx, Unresolved::EmptyString) {
        Ok(true) => None,
        Ok(false) => Some(RuleOutcome::new(Status::Skip, "preconditions not met")),
        Err(e) => Some(RuleOutcome::new(
            Status::Error,
            format!("failed to evaluate preconditions: {e}"),
        )),
    }
}

/// Context entries. `variable` entries are evaluated; `configMap` entries are
/// answered from the given objects; `apiCall`, `imageRegistry` and
/// `globalReference` are never fetched: a value supplied beforehand (a
/// test's values file) stands, and without one the entry is left unset, so
/// a rule reading it reports the missing key.
fn load_context(entries: &[Json], ctx: &mut Context, objects: &[Json]) -> Result<(), String> {
    for entry in entries {
        let name = entry
            .get("name")
            .and_then(Json::as_str)
            .ok_or("a context entry has no name")?;
        if let Some(variable) = entry.get("variable") {
            let value = load_variable(name, variable, ctx)?;
            ctx.set(&[name.to_string()], value);
        } else if let Some(config_map) = entry.get("configMap") {
            let config_map = variables::substitute(config_map, ctx).map_err(|e| e.to_string())?;
            let wanted_name = config_map.get("name").and_then(Json::as_str).unwrap_or("");
            let wanted_namespace = config_map
                .get("namespace")
                .and_then(Json::as_str)
                .unwrap_or("default");
            let found = objects.iter().find(|o| {
                o.get("kind").and_then(Json::as_str) == Some("ConfigMap")
                    && o.pointer("/metadata/name").and_then(Json::as_str) == Some(wanted_name)
                    && namespace_of(o) == wanted_namespace
            });
            if let Some(found) = found {
                ctx.set(&[name.to_string()], found.clone());
            }
        }
    }
    Ok(())
}

/// Kyverno's variable loader: `value` (substituted) or the context, then
/// `jmesPath` on it; `default` when the result is null or the path fails.
fn load_variable(name: &str, variable: &Json, ctx: &Context) -> Result<Json, String> {
    let default = match variable.get("default") {
        Some(d) if !d.is_null() => Some(variables::substitute(d, ctx).map_err(|e| e.to_string())?),
        _ => None,
    };
    let path = match variable.get("jmesPath").and_then(Json::as_str) {
        Some(p) if !p.is_empty() => match variables::substitute_str(p, ctx) {
            Ok(Json::String(p)) => Some(p),
            Ok(other) => Some(other.to_string()),
            Err(e) => return Err(e.to_string()),
        },
        _ => None,
    };
    let output = match variable.get("value").filter(|v| !v.is_null()) {
        Some(value) => {
            let value = variables::substitute(value, ctx).map_err(|e| {
                format!("failed to substitute variables in context entry {name}: {e}")
            })?;
            match &path {
                Some(path) => match crate::jmespath::search(path, &value) {
                    Ok(v) => v,
                    Err(e) if default.is_none() => {
                        return Err(format!("failed to apply jmespath {path} to variable: {e}"));
                    }
                    Err(_) => Json::Null,
                },
                None => value,
            }
        }
        None => match &path {
            Some(path) => match ctx.query(path) {
                Ok(v) => v,
                Err(e) if default.is_none() => {
                    return Err(format!("failed to apply jmespath {path} to variable: {e}"));
                }
                Err(_) => Json::Null,
            },
            None => Json::Null,
        },
    };
    Ok(match (output, default) {
        (Json::Null, Some(default)) => default,
        (output, _) => output,
    })
}

fn substitute_message(message: &str, ctx: &Context) -> String {
    match variables::substitute_str(message, ctx) {
        Ok(Json::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("failed to substitute variables in message: {e}"),
    }
}

/// The checks of one rule (and of its foreach bodies).
struct Runner<'a> {
    policy: &'a KyvernoPolicy,
    rule: &'a Rule,
    admission: &'a Admission<'a>,
    values: &'a dyn RuleValues,
    /// Foreach elements the rule may still evaluate.
    elements_left: Cell<usize>,
}

impl Runner<'_> {
    fn deny(&self, conditions: &Json, ctx: &Context) -> RuleOutcome {
        match conditions::evaluate(conditions, ctx, Unresolved::Error) {
            Err(e) => RuleOutcome::new(
                Status::Error,
                format!(
                    "failed to check deny conditions: failed to substitute variables in deny conditions: {e}"
                ),
            ),
            Ok(true) => RuleOutcome::new(Status::Fail, self.deny_message(ctx)),
            Ok(false) => RuleOutcome::new(
                Status::Pass,
                format!("validation rule '{}' passed.", self.rule.name),
            ),
        }
    }

    /// Kyverno's `getDenyMessage`: the substituted message, or the raw one
    /// when substitution fails.
    fn deny_message(&self, ctx: &Context) -> String {
        match &self.rule.validate.message {
            None => format!("validation error: rule {} failed", self.rule.name),
            Some(m) => match variables::substitute_str(m, ctx) {
                Ok(Json::String(s)) => s,
                Ok(_) => {
                    "the produced message didn't resolve to a string, check your policy definition."
                        .to_string()
                }
                Err(_) => m.clone(),
            },
        }
    }

    /// `pattern` (one entry) or `anyPattern` against `resource`.
    fn patterns(
        &self,
        patterns: &[Json],
        any: bool,
        resource: &Json,
        ctx: &Context,
    ) -> RuleOutcome {
        // Most patterns have no variables: they are used as written.
        let mut substituted = Vec::with_capacity(patterns.len());
        for p in patterns {
            if !variables::has_variables(p) {
                substituted.push(std::borrow::Cow::Borrowed(p));
                continue;
            }
            match variables::substitute(p, ctx) {
                Ok(p) => substituted.push(std::borrow::Cow::Owned(p)),
                Err(e) => {
                    return RuleOutcome::new(
                        Status::Error,
                        format!(
                            "variable substitution failed for rule {}: {e}",
                            self.rule.name
                        ),
                    );
                }
            }
        }
        if any {
            return self.any_pattern(resource, &substituted);
        }
        let result = match substituted.as_slice() {
            [single] => pattern::validate(resource, single),
            _ => PatternResult::Error {
                message: "a rule has more than one pattern".into(),
            },
        };
        match result {
            PatternResult::Pass => RuleOutcome::new(
                Status::Pass,
                format!("validation rule '{}' passed.", self.rule.name),
            ),
            PatternResult::Skip { message } => RuleOutcome::new(Status::Skip, message),
            PatternResult::Fail { path } => {
                RuleOutcome::new(Status::Fail, self.pattern_message(ctx, Some(&path), "")).at(path)
            }
            PatternResult::Error { message } => {
                RuleOutcome::new(Status::Error, self.pattern_message(ctx, None, &message))
            }
        }
    }

    /// anyPattern: the first passing pattern passes the rule; otherwise any
    /// failure fails it, and only skips skip it. Messages as Kyverno's
    /// (`rule X[1] failed at path ...`, after the rule's raw message).
    fn any_pattern(&self, resource: &Json, patterns: &[std::borrow::Cow<Json>]) -> RuleOutcome {
        let report = pattern::validate_any_report(resource, patterns.iter().map(|p| &**p));
        let rule = &self.rule.name;
        if let Some(index) = report.passed_index() {
            return RuleOutcome::new(
                Status::Pass,
                format!("validation rule '{rule}' anyPattern[{index}] passed."),
            );
        }
        match report.result() {
            PatternResult::Skip { .. } => RuleOutcome::new(Status::Skip, report.skip_text(rule)),
            PatternResult::Pass => RuleOutcome::new(
                Status::Pass,
                self.rule.validate.message.clone().unwrap_or_default(),
            ),
            PatternResult::Fail { .. } | PatternResult::Error { .. } => {
                let errors = report.failure_text(rule);
                let message = match self.rule.validate.message.as_deref() {
                    None | Some("") => format!("validation error: {errors}"),
                    Some(m) if m.ends_with('.') => format!("validation error: {m} {errors}"),
                    Some(m) => format!("validation error: {m}. {errors}"),
                };
                RuleOutcome::new(Status::Fail, message)
            }
        }
    }

    /// Kyverno's `buildErrorMessage`.
    fn pattern_message(&self, ctx: &Context, path: Option<&str>, error: &str) -> String {
        let rule = &self.rule.name;
        let Some(message) = &self.rule.validate.message else {
            return match path {
                Some(path) => format!("validation error: rule {rule} failed at path {path}"),
                None => format!("validation error: rule {rule} execution error: {error}"),
            };
        };
        let mut message = match variables::substitute_str(message, ctx) {
            Ok(Json::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => {
                return format!(
                    "validation error: variables substitution error in rule {rule} execution error: {error}"
                );
            }
        };
        if !message.ends_with('.') {
            message.push('.');
        }
        match path {
            Some(path) => format!("validation error: {message} rule {rule} failed at path {path}"),
            None => format!("validation error: {message} rule {rule} execution error: {error}"),
        }
    }

    /// `foreach` entries: `skip` when no element was evaluated. A list that
    /// cannot be evaluated (a missing key, say) is passed over, as Kyverno
    /// does.
    fn foreach(&self, entries: &[Json], ctx: &Context, nesting: usize) -> Option<RuleOutcome> {
        if nesting >= MAX_FOREACH_DEPTH {
            return Some(RuleOutcome::new(
                Status::Error,
                format!("foreach nested deeper than {MAX_FOREACH_DEPTH} levels"),
            ));
        }
        let mut applied = 0usize;
        for entry in entries {
            let list = entry.get("list").and_then(Json::as_str).unwrap_or("");
            let elements = match ctx.query(list) {
                Ok(Json::Array(items)) => items,
                Ok(Json::Null) => Vec::new(),
                Ok(single) => vec![single],
                Err(_) => continue,
            };
            let (outcome, count) = self.elements(entry, &elements, ctx, nesting);
            if outcome.status != Status::Pass {
                return Some(outcome);
            }
            applied += count;
        }
        Some(if applied == 0 {
            RuleOutcome::new(Status::Skip, "rule skipped")
        } else {
            RuleOutcome::new(Status::Pass, "rule passed")
        })
    }

    /// Kyverno's `validateElements`: the first failing element decides; an
    /// error counts only on the last element.
    fn elements(
        &self,
        entry: &Json,
        elements: &[Json],
        ctx: &Context,
        nesting: usize,
    ) -> (RuleOutcome, usize) {
        let foreach_values = self
            .values
            .foreach_values(&self.policy.name, &self.rule.name);
        let scoped = entry
            .get("elementScope")
            .and_then(Json::as_bool)
            .unwrap_or(true);
        let mut applied = 0usize;
        for (index, element) in elements.iter().enumerate() {
            if element.is_null() {
                continue;
            }
            let Some(left) = self.elements_left.get().checked_sub(1) else {
                let message =
                    format!("foreach evaluated more than {MAX_FOREACH_ELEMENTS} elements");
                return (RuleOutcome::new(Status::Error, message), applied);
            };
            self.elements_left.set(left);
            let mut element_ctx = ctx.clone();
            element_ctx.set(&["element".into()], element.clone());
            element_ctx.set(&["elementIndex".into()], Json::from(index));
            element_ctx.set(&[format!("element{nesting}")], element.clone());
            element_ctx.set(&[format!("elementIndex{nesting}")], Json::from(index));
            for (key, per_index) in &foreach_values {
                if let Some(value) = per_index.get(index) {
                    element_ctx.set_dotted(key, value.clone());
                }
            }
            let target = if scoped && element.is_object() {
                element
            } else {
                self.admission.subject().unwrap_or(&Json::Null)
            };
            let Some(outcome) = self.element(entry, target, &mut element_ctx, nesting) else {
                continue;
            };
            match outcome.status {
                Status::Skip => continue,
                Status::Pass => applied += 1,
                Status::Error if index + 1 < elements.len() => continue,
                status => {
                    let message = format!("validation failure: {}", outcome.message);
                    let status = if status == Status::Error {
                        Status::Error
                    } else {
                        Status::Fail
                    };
                    return (RuleOutcome::new(status, message), applied);
                }
            }
        }
        (RuleOutcome::new(Status::Pass, ""), applied)
    }

    /// One element: its context, preconditions, then deny, pattern,
    /// anyPattern or a nested foreach.
    fn element(
        &self,
        entry: &Json,
        target: &Json,
        ctx: &mut Context,
        nesting: usize,
    ) -> Option<RuleOutcome> {
        if let Some(Json::Array(entries)) = entry.get("context")
            && let Err(e) = load_context(entries, ctx, &self.admission.cluster_objects)
        {
            return Some(RuleOutcome::new(
                Status::Error,
                format!("failed to load context: {e}"),
            ));
        }
        if let Some(outcome) = unmet_preconditions(entry.get("preconditions"), ctx) {
            return Some(outcome);
        }
        if let Some(deny) = entry.get("deny").filter(|d| !d.is_null()) {
            let conditions = deny.get("conditions").cloned().unwrap_or(Json::Null);
            return Some(self.deny(&conditions, ctx));
        }
        if let Some(p) = entry.get("pattern").filter(|p| !p.is_null()) {
            return Some(self.patterns(std::slice::from_ref(p), false, target, ctx));
        }
        if let Some(Json::Array(p)) = entry.get("anyPattern") {
            return Some(self.patterns(p, true, target, ctx));
        }
        if let Some(Json::Array(nested)) = entry.get("foreach") {
            return self.foreach(nested, ctx, nesting + 1);
        }
        Some(RuleOutcome::new(
            Status::Error,
            "invalid foreach: deny, pattern, anyPattern or foreach expected",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A ClusterPolicy whose rule nests `levels` foreach over ten elements.
    fn nested_foreach(levels: usize) -> KyvernoPolicy {
        let mut check = json!({"deny": {"conditions": {"any": [
            {"key": "{{ element }}", "operator": "Equals", "value": 11}
        ]}}});
        for _ in 0..levels {
            let mut entry = check.as_object().cloned().unwrap_or_default();
            entry.insert("list".into(), json!("`[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]`"));
            check = json!({"foreach": [entry]});
        }
        KyvernoPolicy::parse(&json!({
            "apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy",
            "metadata": {"name": "nested"},
            "spec": {"rules": [{
                "name": "r",
                "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                "validate": check
            }]}
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn outcome_on_a_pod(policy: &KyvernoPolicy) -> RuleOutcome {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
        let admission = Admission {
            object: Some(&pod),
            info: RequestInfo {
                operation: "CREATE".into(),
                ..RequestInfo::default()
            },
            ..Admission::default()
        };
        let responses = apply(policy, &admission, &NoValues);
        match responses.as_slice() {
            [response] => response.outcome.clone(),
            other => panic!("one response expected: {other:?}"),
        }
    }

    #[test]
    fn nested_foreach_runs_every_element_within_the_budget() {
        // 10 x 10 x 10 elements, none denied.
        assert_eq!(outcome_on_a_pod(&nested_foreach(3)).status, Status::Pass);
    }

    // Found by the kyverno_policy fuzz target's probes: ten nested foreach
    // over ten elements ran 10^10 evaluations (a hang). The rule now stops
    // with an error once it has evaluated MAX_FOREACH_ELEMENTS elements.
    #[test]
    fn nested_foreach_past_the_element_budget_is_an_error_not_a_hang() {
        let started = std::time::Instant::now();
        let outcome = outcome_on_a_pod(&nested_foreach(10));
        assert_eq!(outcome.status, Status::Error);
        assert!(
            outcome
                .message
                .contains("foreach evaluated more than 10000 elements"),
            "{}",
            outcome.message
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn image_references_get_kyvernos_defaults() {
        let nginx = image_info("nginx");
        assert_eq!(nginx["registry"], "docker.io");
        assert_eq!(nginx["tag"], "latest");
        assert_eq!(nginx["name"], "nginx");
        let ghcr = image_info("ghcr.io/kyverno/test-nginx:1.2@sha256:abc");
        assert_eq!(ghcr["registry"], "ghcr.io");
        assert_eq!(ghcr["path"], "kyverno/test-nginx");
        assert_eq!(ghcr["name"], "test-nginx");
        assert_eq!(ghcr["tag"], "1.2");
        assert_eq!(ghcr["digest"], "sha256:abc");
        let local = image_info("localhost:5000/app");
        assert_eq!(local["registry"], "localhost:5000");
        assert_eq!(local["tag"], "latest");
    }
}
