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
//!
//! Every evaluation runs within the bounds of [`super::limits`]: a step
//! count, the weight of each value it builds, and the length of the strings
//! `join` and `replace` build. The functions that take an expression
//! reference (`map`, `sort_by`, `max_by`, `min_by`) are evaluated here rather
//! than by the crate, so that their expressions stay within the same bounds.

use std::cell::Cell;

use jmespath::ast::{Ast, Comparator};
use jmespath::{Rcvar, RuntimeError, Variable};

use super::JmesError;
use super::limits::{
    MAX_BUILT_STRING, MAX_STEPS, MAX_VALUE_WEIGHT, built_string_bound, within_weight,
};
use super::runtime::{Compiled, runtime};

const UNKNOWN_KEY_PREFIX: &str = "Unknown key";

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
        steps: Cell::new(0),
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
    /// Steps taken so far, against [`MAX_STEPS`].
    steps: Cell<usize>,
}

impl Evaluator<'_> {
    fn eval(&self, node: &Ast, data: &Rcvar, depth: usize) -> Step {
        if depth > MAX_EVAL_DEPTH {
            return Err(Failure::Other(format!(
                "expression nested deeper than {MAX_EVAL_DEPTH} levels"
            )));
        }
        self.charge(1)?;
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
                built(Variable::Array(collected))
            }
            Ast::Flatten { node, .. } => {
                // Flatten swallows every error of its subject.
                let Ok(subject) = self.eval(node, data, next) else {
                    return Ok(null());
                };
                let Some(items) = subject.as_array() else {
                    return Ok(null());
                };
                self.charge(items.len())?;
                let mut flattened = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_array() {
                        Some(inner) => flattened.extend(inner.iter().cloned()),
                        None => flattened.push(item.clone()),
                    }
                }
                built(Variable::Array(flattened))
            }
            Ast::MultiList { elements, .. } => {
                if data.is_null() {
                    return Ok(null());
                }
                let mut collected = Vec::with_capacity(elements.len());
                for element in elements {
                    collected.push(or_null(self.eval(element, data, next))?);
                }
                built(Variable::Array(collected))
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
                built(Variable::Object(collected))
            }
            Ast::Function {
                name, args, offset, ..
            } => {
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    values.push(or_null(self.eval(arg, data, next))?);
                }
                let result = match self.call_with_expression(name, &values, next) {
                    Some(result) => result?,
                    None => self.call(name, &values, *offset)?,
                };
                if within_weight(&result, MAX_VALUE_WEIGHT) {
                    Ok(result)
                } else {
                    Err(too_large())
                }
            }
            Ast::Expref { ast, .. } => Ok(Rcvar::new(Variable::Expref((**ast).clone()))),
            Ast::Slice {
                start, stop, step, ..
            } => slice(data, *start, *stop, *step),
        }
    }

    /// Counts `steps` against [`MAX_STEPS`].
    fn charge(&self, steps: usize) -> Result<(), Failure> {
        let taken = self.steps.get().saturating_add(steps);
        self.steps.set(taken);
        if taken > MAX_STEPS {
            return Err(Failure::Other(format!(
                "JMESPath evaluation took more than {MAX_STEPS} steps"
            )));
        }
        Ok(())
    }

    /// `map`, `sort_by`, `max_by` and `min_by` with well-typed arguments,
    /// evaluated as the crate does but with this evaluator (each element's
    /// missing key reads as null, as in the crate); `None` for any other
    /// call, which the crate's function answers (with its signature error
    /// when the arguments are ill-typed).
    fn call_with_expression(&self, name: &str, args: &[Rcvar], depth: usize) -> Option<Step> {
        let (expression, items) = match (name, args) {
            ("map", [expression, items]) => (expression.as_expref()?, items.as_array()?),
            ("sort_by" | "max_by" | "min_by", [items, expression]) => {
                (expression.as_expref()?, items.as_array()?)
            }
            _ => return None,
        };
        let mut keys = Vec::with_capacity(items.len());
        for item in items {
            match or_null(self.eval(expression, item, depth)) {
                Ok(key) => keys.push(key),
                Err(failure) => return Some(Err(failure)),
            }
        }
        if name == "map" {
            return Some(built(Variable::Array(keys)));
        }
        Some(ordered_by(name, items, &keys))
    }

    fn is_pipe(&self, offset: usize) -> bool {
        self.expression.as_bytes().get(offset) == Some(&b'|')
    }

    fn call(&self, name: &str, args: &[Rcvar], offset: usize) -> Step {
        if built_string_bound(name, args).is_some_and(|bound| bound > MAX_BUILT_STRING) {
            return Err(Failure::Other(format!(
                "function {name}(): the result would be longer than {MAX_BUILT_STRING} bytes"
            )));
        }
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

fn too_large() -> Failure {
    Failure::Other(format!(
        "JMESPath value larger than {MAX_VALUE_WEIGHT} nodes"
    ))
}

/// A value the evaluation built, if within [`MAX_VALUE_WEIGHT`].
fn built(value: Variable) -> Step {
    if within_weight(&value, MAX_VALUE_WEIGHT) {
        Ok(Rcvar::new(value))
    } else {
        Err(too_large())
    }
}

/// `sort_by`, `max_by` or `min_by` of `items` by their `keys`, with the
/// crate's rules: the keys are all strings or all numbers (the error names
/// the first element whose key differs), ties keep the earlier element.
fn ordered_by(name: &str, items: &[Rcvar], keys: &[Rcvar]) -> Step {
    let Some(first) = keys.first() else {
        return Ok(if name == "sort_by" {
            Rcvar::new(Variable::Array(Vec::new()))
        } else {
            null()
        });
    };
    let first_type = first.get_type();
    let type_error = |expected: String, actual: String, invocation: usize| {
        let reason = RuntimeError::InvalidReturnType {
            expected,
            actual,
            position: 1,
            invocation,
        };
        Failure::Other(format!("function {name}(): {reason}"))
    };
    if !matches!(first.as_ref(), Variable::String(_) | Variable::Number(_)) {
        return Err(type_error(
            "expression->number|expression->string".to_owned(),
            first_type.to_string(),
            1,
        ));
    }
    if let Some((invocation, key)) = keys
        .iter()
        .enumerate()
        .find(|(_, key)| key.get_type() != first_type)
    {
        return Err(type_error(
            format!("expression->{first_type}"),
            key.get_type().to_string(),
            invocation,
        ));
    }
    let mut pairs: Vec<(&Rcvar, &Rcvar)> = items.iter().zip(keys).collect();
    match name {
        "sort_by" => {
            pairs.sort_by(|a, b| a.1.cmp(b.1));
            Ok(Rcvar::new(Variable::Array(
                pairs.into_iter().map(|(item, _)| item.clone()).collect(),
            )))
        }
        _ => {
            let mut pairs = pairs.into_iter();
            let Some(mut best) = pairs.next() else {
                return Ok(null());
            };
            for pair in pairs {
                let better = if name == "max_by" {
                    pair.1 > best.1
                } else {
                    pair.1 < best.1
                };
                if better {
                    best = pair;
                }
            }
            Ok(best.0.clone())
        }
    }
}

/// The one-line reason of a function error (the crate's own text carries a
/// multi-line caret drawing of the expression).
fn function_error_text(name: &str, error: &jmespath::JmespathError) -> String {
    match &error.reason {
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
