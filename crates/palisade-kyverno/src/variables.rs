//! `{{ }}` variable substitution (`pkg/engine/variables/vars.go`,
//! `substituteVariablesIfAny`).
//!
//! Every string of a document, and every map key, is scanned for variables
//! with Kyverno's pattern: `{{`, then characters other than braces or
//! one-level `{...}` groups (so `{{ {a: b} }}` is one variable), then `}}`,
//! not preceded by a backslash. A variable holding another variable is not
//! matched until the inner one has been replaced, which makes nested
//! variables resolve innermost first: each pass replaces the variables found,
//! then the string is scanned again. For each variable the text between the
//! braces is trimmed and queried on the context; when `request.operation` is
//! `DELETE`, every `request.object` in it is first rewritten to
//! `request.oldObject`.
//!
//! A string that is exactly one variable becomes the query's typed result.
//! Otherwise the result is inserted as text: strings as they are, other
//! values as Go's `json.Marshal` writes them (`null` for null). At the end,
//! escaped variables `\{{...}}` lose their backslash.
//!
//! `{{- expr }}` (Kyverno's shallow substitution) inserts the result without
//! scanning it again for variables.
//!
//! Not reproduced: `$(./path)` references and the `{{@}}` shorthand, which
//! need the position of the value inside the whole rule; the shared policies
//! use neither.

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

use crate::Json;
use crate::context::Context;
use crate::jmespath::go_json_string;

/// Passes over one string before giving up (each pass resolves at least one
/// nesting level, so only self-reproducing values get here).
const MAX_PASSES: usize = 64;

/// Longest string substitution may produce.
const MAX_RESULT_LEN: usize = 1 << 20;

/// Deepest document traversed.
const MAX_DEPTH: usize = 512;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariableError {
    pub message: String,
}

impl VariableError {
    fn new(message: impl Into<String>) -> VariableError {
        VariableError {
            message: message.into(),
        }
    }
}

impl fmt::Display for VariableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VariableError {}

/// A variable, with the character before it (group 1) unless it starts the
/// string.
fn variable_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})").expect("constant pattern")
    })
}

/// An escaped variable, `\{{...}}`.
fn escaped_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN
        .get_or_init(|| Regex::new(r"\\\{\{(?:\{[^{}]*\}|[^{}])*\}\}").expect("constant pattern"))
}

/// Substitutes every `{{ }}` in every string and map key of `value`.
pub fn substitute(value: &Json, ctx: &Context) -> Result<Json, VariableError> {
    substitute_at(value, ctx, "")
}

/// Like [`substitute`], for a value found at `path` (a JSON-pointer-like path
/// such as `/validate/deny/conditions/any/0/key`) inside a larger document;
/// the path appears in error messages, as in Kyverno's.
pub fn substitute_at(value: &Json, ctx: &Context, path: &str) -> Result<Json, VariableError> {
    let substitution = Substitution::new(ctx);
    substitution.value(value, path, 0)
}

/// [`substitute`] as Kyverno does it in preconditions: a variable that
/// cannot be resolved reads as the empty string instead of failing
/// (Kyverno's `PreconditionsVariableResolver`). Only a limit (depth,
/// length, passes) can still fail.
pub fn substitute_lenient(value: &Json, ctx: &Context) -> Result<Json, VariableError> {
    let mut substitution = Substitution::new(ctx);
    substitution.unresolved_as_empty = true;
    substitution.value(value, "", 0)
}

/// Substitutes the variables of one string.
pub fn substitute_str(text: &str, ctx: &Context) -> Result<Json, VariableError> {
    Substitution::new(ctx).string(text, "")
}

/// Whether any string or map key in `value` holds a variable.
pub fn has_variables(value: &Json) -> bool {
    has_variables_within(value, 0)
}

fn has_variables_within(value: &Json, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match value {
        Json::String(text) => variable_pattern().is_match(text),
        Json::Array(items) => items
            .iter()
            .any(|item| has_variables_within(item, depth + 1)),
        Json::Object(map) => map.iter().any(|(key, item)| {
            variable_pattern().is_match(key) || has_variables_within(item, depth + 1)
        }),
        _ => false,
    }
}

struct Substitution<'a> {
    ctx: &'a Context,
    /// Whether the request is a DELETE (decided once per document, as Kyverno
    /// decides it once per traversal).
    deleting: bool,
    /// Preconditions: an unresolved variable becomes `""`.
    unresolved_as_empty: bool,
}

impl<'a> Substitution<'a> {
    fn new(ctx: &'a Context) -> Substitution<'a> {
        // Through the JMESPath form: a context copied and changed for a
        // rule or element keeps only that form.
        let deleting =
            matches!(ctx.query("request.operation"), Ok(Json::String(op)) if op == "DELETE");
        Substitution {
            ctx,
            deleting,
            unresolved_as_empty: false,
        }
    }

    fn value(&self, value: &Json, path: &str, depth: usize) -> Result<Json, VariableError> {
        if depth > MAX_DEPTH {
            return Err(VariableError::new(format!(
                "document nested deeper than {MAX_DEPTH} levels at path {path}"
            )));
        }
        match value {
            Json::String(text) => self.string(text, path),
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| self.value(item, &format!("{path}/{index}"), depth + 1))
                .collect::<Result<Vec<_>, _>>()
                .map(Json::Array),
            Json::Object(map) => {
                let mut substituted = serde_json::Map::new();
                for (key, item) in map {
                    let item_path = format!("{path}/{key}");
                    let key = match self.string(key, &item_path)? {
                        Json::String(text) => text,
                        other => go_json_string(&other),
                    };
                    substituted.insert(key, self.value(item, &item_path, depth + 1)?);
                }
                Ok(Json::Object(substituted))
            }
            other => Ok(other.clone()),
        }
    }

    /// Substitutes the variables of one string found at `path`.
    fn string(&self, text: &str, path: &str) -> Result<Json, VariableError> {
        // Neither a variable nor an escaped one can occur without `{{`.
        if !text.contains("{{") {
            return Ok(Json::String(text.to_owned()));
        }
        let mut value = text.to_owned();
        for _ in 0..MAX_PASSES {
            let found: Vec<(String, String)> = variable_pattern()
                .captures_iter(&value)
                .map(|captures| {
                    let prefix = captures.get(1).map_or("", |m| m.as_str()).to_owned();
                    let variable = captures.get(2).map_or("", |m| m.as_str()).to_owned();
                    (prefix, variable)
                })
                .collect();
            if found.is_empty() {
                return Ok(Json::String(unescape(&value)));
            }
            let original = value.clone();
            for (prefix, variable) in found {
                let (expression, shallow) = self.expression_of(&variable);
                let result = match self.ctx.query(&expression) {
                    Ok(result) => result,
                    Err(_) if self.unresolved_as_empty => Json::String(String::new()),
                    Err(error) => {
                        return Err(VariableError::new(format!(
                            "failed to resolve {expression} at path {path}: {error}"
                        )));
                    }
                };
                if original == variable {
                    return Ok(result);
                }
                let mut inserted = match result {
                    Json::String(text) => text,
                    other => go_json_string(&other),
                };
                if shallow {
                    inserted = escape(&inserted);
                }
                value = value.replacen(
                    &format!("{prefix}{variable}"),
                    &format!("{prefix}{inserted}"),
                    1,
                );
                if value.len() > MAX_RESULT_LEN {
                    return Err(VariableError::new(format!(
                        "failed to resolve {expression} at path {path}: substituted value longer than {MAX_RESULT_LEN} bytes"
                    )));
                }
            }
        }
        Err(VariableError::new(format!(
            "failed to substitute variables at path {path}: more than {MAX_PASSES} nested substitutions"
        )))
    }

    /// The query text of a matched `{{...}}` and whether it is shallow
    /// (`{{- ...}}`).
    fn expression_of(&self, variable: &str) -> (String, bool) {
        // Kyverno removes every `{{` and `}}` in the match, then trims.
        let stripped = variable.replace("{{", "").replace("}}", "");
        let trimmed = stripped.trim();
        let (expression, shallow) = match trimmed.strip_prefix('-') {
            Some(rest) => (rest.trim_start(), true),
            None => (trimmed, false),
        };
        let mut expression = expression.to_owned();
        if self.deleting {
            expression = expression.replace("request.object", "request.oldObject");
        }
        (expression, shallow)
    }
}

/// Backslash-escapes the variables in a shallow result, so later passes skip
/// them; the final unescape restores them.
fn escape(text: &str) -> String {
    variable_pattern()
        .replace_all(text, |captures: &regex::Captures<'_>| {
            let prefix = captures.get(1).map_or("", |m| m.as_str());
            let variable = captures.get(2).map_or("", |m| m.as_str());
            format!("{prefix}\\{variable}")
        })
        .into_owned()
}

/// `\{{...}}` becomes `{{...}}`.
fn unescape(text: &str) -> String {
    escaped_pattern()
        .replace_all(text, |captures: &regex::Captures<'_>| {
            captures
                .get(0)
                .map_or("", |m| m.as_str())
                .get(1..)
                .unwrap_or("")
                .to_owned()
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn context() -> Context {
        Context::from_json(json!({
            "request": {
                "operation": "CREATE",
                "namespace": "prod",
                "object": {
                    "kind": "Pod",
                    "metadata": {
                        "name": "web",
                        "labels": {"corp.org/version": "v1.2.3"},
                        "annotations": {}
                    },
                    "spec": {"replicas": 3, "containers": [{"name": "nginx", "image": "nginx:1.25"}]}
                }
            },
            "element": {"name": "nginx", "image": "nginx:1.25"},
            "images": {"containers": {"nginx": {"registry": "docker.io", "tag": "1.25"}}},
            "template": "{{request.namespace}}"
        }))
    }

    fn sub(text: &str) -> Result<Json, String> {
        substitute_str(text, &context()).map_err(|error| error.message)
    }

    #[test]
    fn whole_string_variable_keeps_its_type() {
        assert_eq!(sub("{{ request.object.spec.replicas }}"), Ok(json!(3)));
        assert_eq!(
            sub("{{request.object.spec.containers[].name}}"),
            Ok(json!(["nginx"]))
        );
        assert_eq!(
            sub("{{ request.operation || 'BACKGROUND' }}"),
            Ok(json!("CREATE"))
        );
        assert_eq!(
            sub("{{ request.object.spec.missing || `[]` }}"),
            Ok(json!([]))
        );
    }

    #[test]
    fn embedded_variables_become_text() {
        assert_eq!(
            sub("{{request.object.kind}}/{{ request.object.metadata.name }} x"),
            Ok(json!("Pod/web x"))
        );
        // Non-strings are JSON-encoded as Go writes them.
        assert_eq!(
            sub(
                "n={{ request.object.spec.replicas }} c={{ request.object.spec.containers[].name }}"
            ),
            Ok(json!("n=3 c=[\"nginx\"]"))
        );
        assert_eq!(
            sub("x{{ request.object.spec.missing || null }}"),
            Ok(json!("xnull"))
        );
    }

    #[test]
    fn nested_variables_resolve_innermost_first() {
        assert_eq!(
            sub(
                "{{ regex_match('^v[0-9].[0-9].[0-9]$','{{request.object.metadata.labels.\"corp.org/version\" || 'empty'}}') }}"
            ),
            Ok(json!(true))
        );
        assert_eq!(
            sub("{{ images.containers.\"{{element.name}}\".registry }}"),
            Ok(json!("docker.io"))
        );
    }

    #[test]
    fn multiselect_hash_braces_are_part_of_the_variable() {
        assert_eq!(
            sub("{{ {n: request.object.metadata.name} }}"),
            Ok(json!({"n": "web"}))
        );
    }

    #[test]
    fn escaped_variables_are_left_with_the_backslash_removed() {
        assert_eq!(
            sub("a \\{{ not.a.variable }} b"),
            Ok(json!("a {{ not.a.variable }} b"))
        );
        assert!(!has_variables(&json!("\\{{x}}")));
        assert!(has_variables(&json!({"k": ["{{x}}"]})));
        assert!(has_variables(&json!({"{{x}}": 1})));
    }

    #[test]
    fn results_are_scanned_again_unless_shallow() {
        // `template` holds a variable: a normal substitution resolves it too.
        assert_eq!(sub("ns: {{ template }}"), Ok(json!("ns: prod")));
        // Shallow substitution keeps the inserted text as it is.
        assert_eq!(
            sub("ns: {{- template }}"),
            Ok(json!("ns: {{request.namespace}}"))
        );
    }

    #[test]
    fn unknown_key_error_names_the_variable_and_path() {
        let document = json!({"deny": {"conditions": {"any": [{"key": "{{ request.object.metadata.labels.app }}"}]}}});
        let error = substitute(&document, &context()).err().map(|e| e.message);
        assert_eq!(
            error.as_deref(),
            Some(
                "failed to resolve request.object.metadata.labels.app at path /deny/conditions/any/0/key: JMESPath query failed: Unknown key \"app\" in path"
            )
        );
    }

    #[test]
    fn preconditions_read_unresolved_variables_as_empty_strings() {
        let ctx = context();
        let value = json!("x-{{ request.object.metadata.labels.missing }}");
        assert!(substitute(&value, &ctx).is_err());
        assert_eq!(substitute_lenient(&value, &ctx).ok(), Some(json!("x-")));
        let whole = json!("{{ request.object.metadata.labels.missing }}");
        assert_eq!(substitute_lenient(&whole, &ctx).ok(), Some(json!("")));
    }

    #[test]
    fn map_keys_and_nested_values_are_substituted() {
        let document = json!({"{{ request.namespace }}": ["{{element.image}}", 5, true]});
        assert_eq!(
            substitute(&document, &context()),
            Ok(json!({"prod": ["nginx:1.25", 5, true]}))
        );
    }

    #[test]
    fn delete_requests_read_request_object_from_old_object() {
        let mut ctx = Context::from_json(json!({
            "request": {"operation": "DELETE", "oldObject": {"metadata": {"name": "old"}}}
        }));
        assert_eq!(
            substitute_str("{{ request.object.metadata.name }}", &ctx),
            Ok(json!("old"))
        );
        ctx.set_dotted("request.operation", json!("UPDATE"));
        assert!(substitute_str("{{ request.object.metadata.name }}", &ctx).is_err());
    }

    #[test]
    fn self_reproducing_values_stop() {
        let ctx = Context::from_json(json!({"loop": "{{loop}}"}));
        assert!(substitute_str("x {{loop}}", &ctx).is_err());
    }
}
