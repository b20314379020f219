//! One walk of an object's tree against its pre-indexed type, collecting every
//! place where the API server's decoding or kubectl's strict field validation
//! would refuse it.
//!
//! The semantics are Go's, as the API server decodes the JSON that kubectl makes
//! from YAML: `null` is always accepted and means absent (Go leaves the field
//! at its zero value; a CRD's non-nullable nulls are pruned), an integral float
//! is an integer (`1e3` reaches the server as `1000`), a string is never a
//! number or a boolean, and a member no field declares is an unknown field
//! (kubectl's default `--validate=strict`). Paths are written as the API
//! server writes them in `unknown field "spec.containers[0].name"`.

use std::fmt::Write as _;

use palisade_core::{Map, Node, Pos, Value};

use crate::formats;
use crate::shape::{Arena, IntFormat, ObjectShape, Shape, StringFormat, Ty};

/// What kind of problem an [`Issue`] is; each is one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IssueKind {
    TypeMismatch,
    UnknownField,
    RequiredMissing,
    InvalidValue,
}

/// One problem: where, what, and whether it touches a security control.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    pub kind: IssueKind,
    /// The field path: `spec.template.spec.containers[0].securityContext.privileged`.
    pub path: String,
    /// The offending value (the key, for an unknown field; the enclosing
    /// mapping, for a missing field).
    pub pos: Pos,
    pub message: String,
    /// The path goes through a security-relevant field (see [`crate::security`]).
    pub security: bool,
}

/// The two arenas a [`Ty`] can point into.
#[derive(Clone, Copy)]
pub struct Schemas<'a> {
    pub builtin: &'a Arena,
    pub custom: &'a Arena,
}

impl<'a> Schemas<'a> {
    fn shape(&self, ty: Ty) -> Option<(&'a Shape, bool)> {
        match ty {
            Ty::Builtin(at) => self.builtin.get(at).map(|s| (s, false)),
            Ty::Custom(at) => self.custom.get(at).map(|s| (s, true)),
        }
    }
}

/// Validates `root` as `ty` and returns the issues in document order.
pub fn validate<'a>(schemas: Schemas<'a>, root: &'a Node, ty: Ty) -> Vec<Issue> {
    let mut walker = Walker {
        schemas,
        path: Vec::new(),
        issues: Vec::new(),
    };
    walker.walk(root, ty);
    walker.issues
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// One lifetime for the schema and the tree: a required field's name (from the
/// schema) joins the path beside the tree's keys.
struct Walker<'a> {
    schemas: Schemas<'a>,
    path: Vec<Segment<'a>>,
    issues: Vec<Issue>,
}

impl<'a> Walker<'a> {
    fn walk(&mut self, node: &'a Node, ty: Ty) {
        if node.is_null() {
            return;
        }
        if let Some((shape, custom)) = self.schemas.shape(ty) {
            self.check(node, shape, custom);
        }
    }

    fn check(&mut self, node: &'a Node, shape: &'a Shape, custom: bool) {
        match shape {
            Shape::Any => {}
            Shape::Object(object) => match &node.value {
                Value::Map(map) => self.object(node, map, object),
                _ => self.mismatch(node, "object"),
            },
            Shape::Array(items) => match &node.value {
                Value::Seq(seq) => {
                    for (index, item) in seq.iter().enumerate() {
                        self.path.push(Segment::Index(index));
                        self.walk(item, *items);
                        self.path.pop();
                    }
                }
                _ => self.mismatch(node, "array"),
            },
            Shape::String(format) => match &node.value {
                Value::String(text) => self.string(node, text, *format),
                _ => self.mismatch(node, "string"),
            },
            Shape::Integer(format) => self.integer(node, *format),
            Shape::Number => {
                if !matches!(node.value, Value::Int(_) | Value::Float(_)) {
                    self.mismatch(node, "number");
                }
            }
            Shape::Boolean => {
                if !matches!(node.value, Value::Bool(_)) {
                    self.mismatch(node, "boolean");
                }
            }
            Shape::IntOrString => match node.value {
                Value::String(_) => {}
                // A built-in IntOrString holds an int32; a CRD's any integer.
                _ if custom => self.integer_like(node, None, "integer or string"),
                _ => self.integer_like(node, Some(IntFormat::Int32), "integer or string"),
            },
            Shape::Quantity => match &node.value {
                Value::Int(_) | Value::Float(_) => {}
                Value::String(text) => {
                    if let Err(reason) = formats::quantity(text) {
                        self.invalid(node, reason);
                    }
                }
                _ => self.mismatch(node, "quantity (a string or a number)"),
            },
            Shape::Enum(inner, values) => {
                let before = self.issues.len();
                self.check(node, inner, custom);
                if self.issues.len() == before && !values.iter().any(|v| formats::equals(node, v)) {
                    let allowed: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                    self.invalid(
                        node,
                        format!(
                            "Unsupported value: {}: supported values: {}",
                            formats::shown(node),
                            allowed.join(", ")
                        ),
                    );
                }
            }
        }
    }

    fn object(&mut self, node: &'a Node, map: &'a Map, object: &'a ObjectShape) {
        for (key, value) in map.iter() {
            let ty = object
                .fields
                .get(key.name.as_str())
                .or(object.additional.as_ref());
            match ty {
                Some(ty) => {
                    self.path.push(Segment::Key(&key.name));
                    self.walk(value, *ty);
                    self.path.pop();
                }
                None if object.preserve_unknown => {}
                None => {
                    self.path.push(Segment::Key(&key.name));
                    let path = self.path_text();
                    self.report(
                        IssueKind::UnknownField,
                        key.pos,
                        format!("unknown field \"{path}\""),
                        path,
                    );
                    self.path.pop();
                }
            }
        }
        for name in &object.required {
            if map.get(name).is_none_or(Node::is_null) {
                self.path.push(Segment::Key(name));
                let path = self.path_text();
                self.report(
                    IssueKind::RequiredMissing,
                    node.pos,
                    format!("missing required field \"{path}\""),
                    path,
                );
                self.path.pop();
            }
        }
    }

    fn string(&mut self, node: &'a Node, text: &str, format: StringFormat) {
        let checked = match format {
            StringFormat::Plain => Ok(()),
            StringFormat::Byte => formats::base64(text),
            StringFormat::DateTime => formats::date_time(text),
        };
        if let Err(reason) = checked {
            self.invalid(node, reason);
        }
    }

    fn integer(&mut self, node: &'a Node, format: IntFormat) {
        let name = match format {
            IntFormat::Int32 => "integer (int32)",
            IntFormat::Int64 => "integer",
        };
        self.integer_like(node, Some(format), name);
    }

    /// An integer, as Go decodes one into an `int32`/`int64` (`None`: no width).
    fn integer_like(&mut self, node: &'a Node, width: Option<IntFormat>, expected: &str) {
        let value = match node.value {
            Value::Int(i) => Some(i),
            Value::Float(_) => node.as_i64(),
            _ => None,
        };
        let Some(value) = value else {
            if let Value::Float(f) = node.value
                && f.fract() == 0.0
            {
                // Integral but beyond 64 bits.
                return self.invalid(
                    node,
                    format!("{} does not fit in 64 bits", formats::shown(node)),
                );
            }
            return self.mismatch(node, expected);
        };
        if width == Some(IntFormat::Int32) && i32::try_from(value).is_err() {
            self.invalid(node, format!("{value} is out of range for int32"));
        }
    }

    fn mismatch(&mut self, node: &'a Node, expected: &str) {
        let path = self.path_text();
        let message = format!(
            "invalid type for \"{path}\": got {}, expected {expected}",
            formats::described(node)
        );
        self.report(IssueKind::TypeMismatch, node.pos, message, path);
    }

    fn invalid(&mut self, node: &'a Node, reason: String) {
        let path = self.path_text();
        let message = format!("invalid value for \"{path}\": {reason}");
        self.report(IssueKind::InvalidValue, node.pos, message, path);
    }

    fn report(&mut self, kind: IssueKind, pos: Pos, message: String, path: String) {
        let security = self.path.iter().any(|segment| match segment {
            Segment::Key(name) => crate::security::is_security_field(name),
            Segment::Index(_) => false,
        }) || (kind == IssueKind::UnknownField
            && matches!(self.path.last(), Some(Segment::Key(name)) if crate::security::resembles_security_field(name)));
        self.issues.push(Issue {
            kind,
            path,
            pos,
            message,
            security,
        });
    }

    /// The current path as the API server writes it: keys joined by dots,
    /// indexes in brackets; a key that holds a dot or a bracket is quoted in
    /// brackets so the path stays readable (`metadata.labels["app.kubernetes.io/name"]`).
    fn path_text(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                Segment::Key(name) if name.contains(['.', '[', ']', '"']) => {
                    let _ = write!(out, "[{name:?}]");
                }
                Segment::Key(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Segment::Index(index) => {
                    let _ = write!(out, "[{index}]");
                }
            }
        }
        out
    }
}
