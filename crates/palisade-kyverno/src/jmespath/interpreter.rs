//! Evaluation of a parsed expression with the semantics of Kyverno's
//! go-jmespath fork (the Kyverno tree interpreter).
//!
//! The one difference from standard JMESPath: a field step on an existing map
//! that lacks the key fails with `Unknown key "<key>" in path`. A null or
//! non-map parent still gives null. The error travels up through
//! sub-expressions and index steps (`a.b`, `a[0]`) and so fails a plain
//! dotted path, but these constructs turn it back into null:
//! projections (`[*]`, `[]`, `.*`, filters) for their left side and each
//! element, flatten, filter conditions, multiselect lists and hashes,
//! function arguments, comparisons, `!`, the left of `&&`, both sides of
//! `||`, and every stage of a pipe `|`.
//!
//! The crate parses a pipe and a dot into the same AST node; the pipe is told
//! apart by the `|` at the node's offset in the expression text.

use jmespath::ast::{Ast, Comparator};
use jmespath::{Rcvar, Variable};

use super::JmesError;
use super::runtime::{Compiled, runtime};

pub(crate) const UNKNOWN_KEY_PREFIX: &str = "Unknown key";

/// Deepest AST recursion allowed; parsed expressions are length-bounded, so
/// this only stops pathological inputs from exhausting the stack.
const MAX_EVAL_DEPTH: usize = 256;

/// Why an evaluation step failed.
enum Failure {
    /// The fork's missing-key error, which many constructs turn into null.
    UnknownKey(String),
    /// Any other error (function errors, depth limit...), always propagated.
    Other(String),
}

type Step = Result<Rcvar, Failure>;

/// Evaluates a compiled expression against `root`.
pub(crate) fn evaluate(compiled: &Compiled, root: &Rcvar) -> Result<Rcvar, JmesError> {
    let evaluator = Evaluator {
        expression: &compiled.text,
    };
    evaluator
        .eval(&compiled.ast, root, 0)
        .map_err(|failure| match failure {
            Failure::UnknownKey(key) => {
                JmesError::new(format!("{UNKNOWN_KEY_PREFIX} \"{key}\" in path"))
            }
            Failure::Other(message) => JmesError::new(message),
        })
}

fn null() -> Rcvar {
    Rcvar::new(Variable::Null)
}

/// Turns a missing-key failure into null, keeps other failures.
fn or_null(step: Step) -> Step {
    match step {
        Err(Failure::UnknownKey(_)) => Ok(null()),
        other => other,
    }
}

struct Evaluator<'a> {
    expression: &'a str,
}

impl Evaluator<'_> {
    fn eval(&self, node: &Ast, data: &Rcvar, depth: usize) -> Step {
        if depth > MAX_EVAL_DEPTH {
            return Err(Failure::Other(format!(
                "expression nested deeper than {MAX_EVAL_DEPTH} levels"
            )));
        }
        let next = depth + 1;
        match node {
            Ast::Field { name, .. } => field(data, name),
            Ast::Identity { .. } => Ok(data.clone()),
            Ast::Literal { value, .. } => Ok(value.clone()),
            Ast::Index { idx, .. } => Ok(index(data, *idx)),
            Ast::Subexpr {
                lhs, rhs, offset, ..
            } => {
                if self.is_pipe(*offset) {
                    let left = or_null(self.eval(lhs, data, next))?;
                    or_null(self.eval(rhs, &left, next))
                } else {
                    let left = self.eval(lhs, data, next)?;
                    if left.is_null() {
                        return Ok(null());
                    }
                    self.eval(rhs, &left, next)
                }
            }
            Ast::Or { lhs, rhs, .. } => {
                let left = or_null(self.eval(lhs, data, next))?;
                if left.is_truthy() {
                    Ok(left)
                } else {
                    or_null(self.eval(rhs, data, next))
                }
            }
            Ast::And { lhs, rhs, .. } => {
                let left = or_null(self.eval(lhs, data, next))?;
                if left.is_truthy() {
                    self.eval(rhs, data, next)
                } else {
                    Ok(left)
                }
            }
            Ast::Not { node, .. } => {
                let value = or_null(self.eval(node, data, next))?;
                Ok(Rcvar::new(Variable::Bool(!value.is_truthy())))
            }
            Ast::Condition {
                predicate, then, ..
            } => {
                let matched = or_null(self.eval(predicate, data, next))?;
                if matched.is_truthy() {
                    or_null(self.eval(then, data, next))
                } else {
                    Ok(null())
                }
            }
            Ast::Comparison {
                comparator,
                lhs,
                rhs,
                ..
            } => {
                let left = or_null(self.eval(lhs, data, next))?;
                let right = or_null(self.eval(rhs, data, next))?;
                Ok(compare(comparator, &left, &right))
            }
            Ast::ObjectValues { node, .. } => {
                // A value projection swallows every error of its subject.
                let Ok(subject) = self.eval(node, data, next) else {
                    return Ok(null());
                };
                match &*subject {
                    Variable::Object(map) => {
                        Ok(Rcvar::new(Variable::Array(map.values().cloned().collect())))
                    }
                    _ => Ok(null()),
                }
            }
            Ast::Projection { lhs, rhs, .. } => {
                let left = self.eval(lhs, data, next);
                // A filter projection swallows every error of its subject;
                // other projections only the missing-key error.
                let left = match (left, &**rhs) {
                    (Err(_), Ast::Condition { .. }) => null(),
                    (left, _) => or_null(left)?,
                };
                let Some(items) = left.as_array() else {
                    return Ok(null());
                };
                let mut collected = Vec::with_capacity(items.len());
                for item in items {
                    let value = or_null(self.eval(rhs, item, next))?;
                    if !value.is_null() {
                        collected.push(value);
                    }
                }
                Ok(Rcvar::new(Variable::Array(collected)))
            }
            Ast::Flatten { node, .. } => {
                // Flatten swallows every error of its subject.
                let Ok(subject) = self.eval(node, data, next) else {
                    return Ok(null());
                };
                let Some(items) = subject.as_array() else {
                    return Ok(null());
                };
                let mut flattened = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_array() {
                        Some(inner) => flattened.extend(inner.iter().cloned()),
                        None => flattened.push(item.clone()),
                    }
                }
                Ok(Rcvar::new(Variable::Array(flattened)))
            }
            Ast::MultiList { elements, .. } => {
                if data.is_null() {
                    return Ok(null());
                }
                let mut collected = Vec::with_capacity(elements.len());
                for element in elements {
                    collected.push(or_null(self.eval(element, data, next))?);
                }
                Ok(Rcvar::new(Variable::Array(collected)))
            }
            Ast::MultiHash { elements, .. } => {
                if data.is_null() {
                    return Ok(null());
                }
                let mut collected = std::collections::BTreeMap::new();
                for pair in elements {
                    let value = or_null(self.eval(&pair.value, data, next))?;
                    collected.insert(pair.key.clone(), value);
                }
                Ok(Rcvar::new(Variable::Object(collected)))
            }
            Ast::Function {
                name, args, offset, ..
            } => {
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    values.push(or_null(self.eval(arg, data, next))?);
                }
                self.call(name, &values, *offset)
            }
            Ast::Expref { ast, .. } => Ok(Rcvar::new(Variable::Expref((**ast).clone()))),
            Ast::Slice {
                start, stop, step, ..
            } => slice(data, *start, *stop, *step),
        }
    }

    fn is_pipe(&self, offset: usize) -> bool {
        self.expression.as_bytes().get(offset) == Some(&b'|')
    }

    fn call(&self, name: &str, args: &[Rcvar], offset: usize) -> Step {
        let runtime = runtime();
        let Some(function) = runtime.get_function(name) else {
            return Err(Failure::Other(format!(
                "Unknown function: {name}() is not defined"
            )));
        };
        let mut context = jmespath::Context::new(self.expression, runtime);
        context.offset = offset;
        function
            .evaluate(args, &mut context)
            .map_err(|error| Failure::Other(function_error_text(name, &error)))
    }
}

/// The one-line reason of a function error (the crate's own text carries a
/// multi-line caret drawing of the expression).
fn function_error_text(name: &str, error: &jmespath::JmespathError) -> String {
    match &error.reason {
        jmespath::ErrorReason::Parse(text) if text.starts_with("JMESPath function") => text.clone(),
        jmespath::ErrorReason::Parse(text) => text.clone(),
        jmespath::ErrorReason::Runtime(reason) => format!("function {name}(): {reason}"),
    }
}

fn field(data: &Rcvar, name: &str) -> Step {
    match &**data {
        Variable::Object(map) => match map.get(name) {
            Some(value) => Ok(value.clone()),
            None => Err(Failure::UnknownKey(name.to_owned())),
        },
        _ => Ok(null()),
    }
}

fn index(data: &Rcvar, idx: i32) -> Rcvar {
    let Some(items) = data.as_array() else {
        return null();
    };
    let len = items.len() as i64;
    let position = if idx < 0 {
        len + i64::from(idx)
    } else {
        i64::from(idx)
    };
    usize::try_from(position)
        .ok()
        .and_then(|i| items.get(i).cloned())
        .unwrap_or_else(null)
}

/// Equality is deep and numeric (`1 == 1.0`); ordering needs two numbers and
/// is null otherwise, as in go-jmespath.
fn compare(comparator: &Comparator, left: &Rcvar, right: &Rcvar) -> Rcvar {
    left.compare(comparator, right)
        .map_or_else(null, |result| Rcvar::new(Variable::Bool(result)))
}

/// Python-style slicing of an array; anything else gives null. Written with
/// i64 arithmetic so that extreme bounds cannot overflow.
fn slice(data: &Rcvar, start: Option<i32>, stop: Option<i32>, step: i32) -> Step {
    if step == 0 {
        return Err(Failure::Other("slice step cannot be 0".to_owned()));
    }
    let Some(items) = data.as_array() else {
        return Ok(null());
    };
    let len = items.len() as i64;
    let step = i64::from(step);
    let clamp = |bound: i64| -> i64 {
        if bound < 0 {
            let adjusted = bound + len;
            if adjusted < 0 {
                if step < 0 { -1 } else { 0 }
            } else {
                adjusted
            }
        } else if bound >= len {
            if step < 0 { len - 1 } else { len }
        } else {
            bound
        }
    };
    let begin = match start {
        Some(value) => clamp(i64::from(value)),
        None if step < 0 => len - 1,
        None => 0,
    };
    let end = match stop {
        Some(value) => clamp(i64::from(value)),
        None if step < 0 => -1,
        None => len,
    };
    let mut collected = Vec::new();
    let mut position = begin;
    while (step > 0 && position < end) || (step < 0 && position > end) {
        if let Some(item) = usize::try_from(position).ok().and_then(|i| items.get(i)) {
            collected.push(item.clone());
        }
        position += step;
    }
    Ok(Rcvar::new(Variable::Array(collected)))
}
