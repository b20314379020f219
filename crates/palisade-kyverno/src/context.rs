//! Kyverno's JSON evaluation context (`pkg/engine/context`): one JSON
//! document (`request`, `images`, `element`, context entries, values from the
//! values file...) that `{{ }}` variables and conditions query with JMESPath.
//!
//! Kyverno re-decodes its raw JSON for every query. Here the context keeps
//! its root converted to the JMESPath crate's shared form, built on the first
//! query and updated in place by `set` (only the nodes along the path are
//! copied), so the dozens of queries a policy makes per resource share one
//! conversion. Once converted, the JSON form is dropped on `set` and rebuilt
//! only if someone asks for it: the engine copies the context for every rule
//! and foreach element, and a copy that sets `element` must not copy the
//! whole request.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use jmespath::Variable;

use crate::Json;
use crate::jmespath::{JmesError, Rcvar, json_to_variable, variable_to_json};

#[derive(Clone)]
pub struct Context {
    /// The root as JSON; after a `set` on a converted context, rebuilt from
    /// `converted` when asked for. At least one of the two forms is present.
    json: OnceLock<Arc<Json>>,
    /// The root in JMESPath form, once a query has needed it.
    converted: OnceLock<Rcvar>,
}

impl Default for Context {
    fn default() -> Context {
        Context::new()
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("root", self.root())
            .finish()
    }
}

impl Context {
    /// An empty context: `{}`.
    pub fn new() -> Context {
        Context::from_json(Json::Object(serde_json::Map::new()))
    }

    /// A context over `root` (a JSON object).
    pub fn from_json(root: Json) -> Context {
        Context {
            json: OnceLock::from(Arc::new(root)),
            converted: OnceLock::new(),
        }
    }

    pub fn root(&self) -> &Json {
        self.json.get_or_init(|| {
            Arc::new(
                self.converted
                    .get()
                    .map_or_else(empty_object, |c| variable_to_json(c)),
            )
        })
    }

    /// Puts `value` at `path`, creating maps on the way and replacing any
    /// non-map found there. An empty path replaces the root.
    pub fn set(&mut self, path: &[String], value: Json) {
        if let Some(converted) = self.converted.get_mut()
            && let Ok(variable) = json_to_variable(&value)
        {
            set_variable(converted, path, variable);
            self.json = OnceLock::new();
            return;
        }
        // Not converted (or the value cannot be): update the JSON form and
        // let the next query convert the whole root (and report a problem).
        self.root();
        let mut root = self.json.take().unwrap_or_else(|| Arc::new(empty_object()));
        set_json(Arc::make_mut(&mut root), path, value);
        self.json = OnceLock::from(root);
        self.converted = OnceLock::new();
    }

    /// Puts `value` under a dotted key as `kyverno test` values files write
    /// them: split on `.`, with CSV-style double quotes keeping dots inside a
    /// key (`"app.kubernetes.io/name"`).
    pub fn set_dotted(&mut self, dotted_key: &str, value: Json) {
        self.set(&split_dotted_key(dotted_key), value);
    }

    /// Evaluates a JMESPath expression on the root, as Kyverno's context
    /// `Query` does.
    pub fn query(&self, expression: &str) -> Result<Json, JmesError> {
        crate::jmespath::query(expression, self.converted()?)
    }

    /// Converts the root for JMESPath now, so that copies made afterwards
    /// share the converted form instead of each converting it again.
    pub fn prepare(&self) {
        let _ = self.converted();
    }

    fn converted(&self) -> Result<&Rcvar, JmesError> {
        match self.converted.get() {
            Some(converted) => Ok(converted),
            None => {
                let converted = json_to_variable(self.root())?;
                Ok(self.converted.get_or_init(|| converted))
            }
        }
    }
}

fn empty_object() -> Json {
    Json::Object(serde_json::Map::new())
}

/// Walks `path` from `node`, making each step a map, and stores `value`.
fn set_json(node: &mut Json, path: &[String], value: Json) {
    let mut current = node;
    for key in path {
        if !current.is_object() {
            *current = empty_object();
        }
        let Json::Object(map) = current else {
            return;
        };
        current = map.entry(key.clone()).or_insert_with(empty_object);
    }
    *current = value;
}

/// The same walk on the converted form; `Arc::make_mut` copies only the
/// nodes on the path that are shared with earlier clones.
fn set_variable(node: &mut Rcvar, path: &[String], value: Rcvar) {
    let mut current = node;
    for key in path {
        let inner = Arc::make_mut(current);
        if !inner.is_object() {
            *inner = Variable::Object(BTreeMap::new());
        }
        let Variable::Object(map) = inner else {
            return;
        };
        current = map
            .entry(key.clone())
            .or_insert_with(|| Rcvar::new(Variable::Object(BTreeMap::new())));
    }
    *current = value;
}

/// Splits a values-file key on `.` like Go's `encoding/csv` with `.` as the
/// separator: a field wholly in double quotes may hold dots, and `""` inside
/// it is one quote. A quote inside an unquoted field is kept as it is.
fn split_dotted_key(key: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = key.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '.' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            other => {
                field.push(other);
                at_field_start = false;
            }
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_creates_maps_and_replaces_non_maps() {
        let mut context = Context::new();
        context.set(&["request".into(), "operation".into()], json!("CREATE"));
        context.set(&["a".into()], json!(5));
        context.set(&["a".into(), "b".into()], json!(true));
        assert_eq!(
            context.root(),
            &json!({"request": {"operation": "CREATE"}, "a": {"b": true}})
        );
    }

    #[test]
    fn queries_see_updates_after_the_first_conversion() {
        let mut context = Context::from_json(json!({"request": {"object": {"kind": "Pod"}}}));
        assert_eq!(context.query("request.object.kind"), Ok(json!("Pod")));
        let snapshot = context.clone();
        context.set(&["element".into()], json!({"name": "nginx"}));
        context.set(
            &["request".into(), "object".into(), "kind".into()],
            json!("Job"),
        );
        assert_eq!(context.query("element.name"), Ok(json!("nginx")));
        assert_eq!(context.query("request.object.kind"), Ok(json!("Job")));
        // A clone taken earlier keeps its own view.
        assert_eq!(snapshot.query("request.object.kind"), Ok(json!("Pod")));
        assert!(snapshot.query("element").is_err());
    }

    #[test]
    fn query_errors_carry_kyverno_prefixes() {
        let context =
            Context::from_json(json!({"request": {"object": {"metadata": {"labels": {}}}}}));
        let error = context
            .query("request.object.metadata.labels.app")
            .err()
            .map(|e| e.message);
        // Kyverno wraps the fork's error in its context query.
        assert_eq!(
            error.as_deref(),
            Some("JMESPath query failed: Unknown key \"app\" in path")
        );
        assert!(
            context
                .query("   ")
                .is_err_and(|e| e.message == "invalid query (nil)")
        );
        assert!(
            context
                .query("a.")
                .is_err_and(|e| e.message.starts_with("incorrect query a.: "))
        );
    }

    #[test]
    fn context_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Context>();
    }

    #[test]
    fn dotted_keys_split_with_csv_quoting() {
        assert_eq!(
            split_dotted_key("imageData.configData.created"),
            vec!["imageData", "configData", "created"]
        );
        assert_eq!(
            split_dotted_key(r#"request.object.metadata.labels."app.kubernetes.io/name""#),
            vec![
                "request",
                "object",
                "metadata",
                "labels",
                "app.kubernetes.io/name"
            ]
        );
        assert_eq!(split_dotted_key(r#""a""b".c"#), vec![r#"a"b"#, "c"]);
        let mut context = Context::new();
        context.set_dotted("request.operation", json!("DELETE"));
        assert_eq!(context.query("request.operation"), Ok(json!("DELETE")));
    }
}
