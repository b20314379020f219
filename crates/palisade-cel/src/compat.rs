//! Where `cel` 0.15 differs from the CEL of the API server, and the fixes:
//!
//! 1. `has()`, evaluated as Kubernetes does (below).
//! 2. A bound on evaluation: `cel` 0.15 has no cost budget and cannot be
//!    interrupted, so every comprehension's loop condition is wrapped in a
//!    call of [`BUDGET_FUNCTION`], which counts iterations per evaluation and
//!    fails past the scope's limit ([`DEFAULT_ITERATION_LIMIT`]) with
//!    cel-go's text `operation cancelled: actual cost limit exceeded`. Nested
//!    comprehensions over large lists (the way to make CEL run for hours)
//!    are thereby cut short; straight-line expressions are bounded by their
//!    size and their inputs.
//! 3. `cel.bind(name, init, expr)` (cel-go's bindings extension, in the
//!    Kubernetes environment), added as a macro expanding, as cel-go's does,
//!    to a comprehension over nothing whose accumulator is `name`.
//! 4. `x.orValue(d)` and `x.or(o)` on a value that is not an optional: cel-go
//!    plans both calls with its own short-circuiting step, which hands back
//!    a non-optional receiver unchanged, so `container.volumeMounts
//!    .orValue([])` is the list itself (Kyverno's policies rely on it);
//!    `cel` 0.15 reports "no such overload" (its optional overload accepts
//!    any receiver, then refuses it, so a second overload is never tried).
//!    Every `x.orValue(d)` and `x.or(o)` is therefore rewritten to a call of
//!    [`OR_VALUE_FUNCTION`] / [`OR_FUNCTION`], which answer as cel-go.
//!
//! `has()`: cel-go, as the API server configures it, answers `has(x.f)` with `false`
//! when `x` holds no fields at all (null, a string, a number): only a map
//! (or message) is asked for the key. `cel` 0.15 always reports an error
//! there (cel-go's opt-in `EnableErrorOnBadPresenceTest` mode, which the CEL
//! conformance suite uses and Kubernetes does not). Templates rely on the
//! Kubernetes reading: `!has(variables.params.exemptImages)` when a
//! constraint has no parameters (so `variables.params` is null) must be
//! `true`, not an error.
//!
//! So every presence test `has(x.f)` in a compiled expression is rewritten
//! to a call of the internal function [`HAS_FUNCTION`] on `x` and `'f'`,
//! which gives cel-go's answers. The operand is still evaluated normally:
//! `has(a.b.c)` with no `a.b` is an error in both.

use cel::ExecutionError;
use cel::common::ast::{CallExpr, ComprehensionExpr, Expr, IdedExpr, ListExpr, LiteralValue};
use cel::common::types::{CelBool, CelOptional, CelString, DYN_TYPE, Kind, STRING_TYPE};
use cel::common::value::CowVal;
use cel::parser::{Macro, MacroExprHelper, ParseError};

/// The name of the presence function (`@` keeps it out of reach of source
/// text, which cannot spell it).
pub const HAS_FUNCTION: &str = "@palisade_has";

/// The internal functions that `x.orValue(d)` and `x.or(o)` become.
pub const OR_VALUE_FUNCTION: &str = "@palisade_or_value";
pub const OR_FUNCTION: &str = "@palisade_or";

/// The internal function that counts comprehension iterations.
pub const BUDGET_FUNCTION: &str = "@palisade_budget";

/// Comprehension iterations allowed in one evaluation of one expression.
/// Kubernetes' per-call cost limit is 1,000,000 units, and one iteration
/// costs at least one; so this never cuts short what the API server allows.
pub const DEFAULT_ITERATION_LIMIT: u64 = 1_000_000;

thread_local! {
    /// (iterations so far, limit) of the evaluation running on this thread.
    static BUDGET: std::cell::Cell<(u64, u64)> =
        const { std::cell::Cell::new((0, DEFAULT_ITERATION_LIMIT)) };
}

/// Starts the count for one evaluation on this thread.
pub fn reset_budget(limit: u64) {
    BUDGET.with(|b| b.set((0, limit)));
}

fn budget<'b, 'v>(mut args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let spent = BUDGET.with(|b| {
        let (used, limit) = b.get();
        b.set((used.saturating_add(1), limit));
        used >= limit
    });
    if spent {
        return Err(ExecutionError::function_error(
            "cost",
            "operation cancelled: actual cost limit exceeded",
        ));
    }
    match args.pop() {
        Some(v) if args.is_empty() => Ok(v),
        _ => Err(ExecutionError::invalid_argument_count(1, args.len() + 1)),
    }
}

/// Rewrites every `has(x.f)` under `expr`, and meters every comprehension.
pub fn rewrite(expr: &mut IdedExpr) {
    match &mut expr.expr {
        Expr::Select(select) if select.test => {
            let mut operand = std::mem::take(&mut select.operand);
            rewrite(&mut operand);
            let field = std::mem::take(&mut select.field);
            expr.expr = Expr::Call(CallExpr {
                func_name: HAS_FUNCTION.to_owned(),
                target: None,
                args: vec![
                    *operand,
                    IdedExpr {
                        id: expr.id,
                        expr: Expr::Literal(LiteralValue::String(CelString::from(field))),
                    },
                ],
            });
        }
        Expr::Select(select) => rewrite(&mut select.operand),
        Expr::Call(call) => {
            if let Some(t) = call.target.as_mut() {
                rewrite(t);
            }
            call.args.iter_mut().for_each(rewrite);
            let internal = match call.func_name.as_str() {
                "orValue" => Some(OR_VALUE_FUNCTION),
                "or" => Some(OR_FUNCTION),
                _ => None,
            };
            if let Some(internal) = internal
                && call.args.len() == 1
                && let Some(target) = call.target.take()
            {
                call.func_name = internal.to_owned();
                call.args.insert(0, *target);
            }
        }
        Expr::Comprehension(c) => {
            rewrite(&mut c.iter_range);
            rewrite(&mut c.accu_init);
            rewrite(&mut c.loop_cond);
            rewrite(&mut c.loop_step);
            rewrite(&mut c.result);
            let cond = std::mem::take(&mut c.loop_cond);
            c.loop_cond = IdedExpr {
                id: cond.id,
                expr: Expr::Call(CallExpr {
                    func_name: BUDGET_FUNCTION.to_owned(),
                    target: None,
                    args: vec![cond],
                }),
            };
        }
        Expr::List(list) => list.elements.iter_mut().for_each(rewrite),
        Expr::Map(map) => {
            for entry in &mut map.entries {
                if let cel::common::ast::EntryExpr::MapEntry(e) = &mut entry.expr {
                    rewrite(&mut e.key);
                    rewrite(&mut e.value);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &mut s.entries {
                if let cel::common::ast::EntryExpr::StructField(f) = &mut entry.expr {
                    rewrite(&mut f.value);
                }
            }
        }
        Expr::Unspecified | Expr::Ident(_) | Expr::Literal(_) => {}
    }
}

/// Declares [`HAS_FUNCTION`], [`BUDGET_FUNCTION`] and the `cel.bind` macro
/// on the environment.
pub fn register(env: &mut cel::Env) {
    let _ = env.add_overload(
        BUDGET_FUNCTION,
        "palisade_budget_dyn",
        vec![DYN_TYPE],
        budget,
    );
    // A new macro name: declaring it cannot clash; if it did, `cel.bind`
    // would stay an unknown function (an error, never a wrong value).
    let _ = env.add_macro(Macro::receiver("bind", 3, bind_macro));
    // New names: declaring them cannot clash. Were it to fail, `orValue`
    // and `or` calls would fail with "no such overload", never give a wrong
    // value.
    let _ = env.add_overload(
        OR_VALUE_FUNCTION,
        "palisade_or_value_dyn_dyn",
        vec![DYN_TYPE, DYN_TYPE],
        or_value,
    );
    let _ = env.add_overload(
        OR_FUNCTION,
        "palisade_or_dyn_dyn",
        vec![DYN_TYPE, DYN_TYPE],
        or,
    );
    // A new name: declaring it cannot clash. Were it to fail, every `has()`
    // would fail with "no such overload" (loudly, never silently).
    let _ = env.add_overload(
        HAS_FUNCTION,
        "palisade_has_dyn_string",
        vec![DYN_TYPE, STRING_TYPE],
        has,
    );
}

fn has<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [value, field] = args.as_slice() else {
        return Err(ExecutionError::invalid_argument_count(2, args.len()));
    };
    let Some(field) = field.downcast_ref::<CelString>() else {
        return Err(ExecutionError::function_error(
            "has",
            "field name is not a string",
        ));
    };
    let present = has_field(value.as_ref(), field.inner())?;
    Ok(CowVal::owned(CelBool::from(present)))
}

/// cel-go's `orValue` step: an optional's value, or the default when it is
/// empty; a receiver that is not an optional, unchanged.
fn or_value<'b, 'v>(mut args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    if args.len() != 2 {
        return Err(ExecutionError::invalid_argument_count(2, args.len()));
    }
    let default = args.swap_remove(1);
    let receiver = args.swap_remove(0);
    let Some(opt) = receiver.downcast_ref::<CelOptional>() else {
        return Ok(receiver);
    };
    match opt.option() {
        Some(inner) => {
            let value: Box<dyn cel::common::value::Val> =
                cel::Value::try_from(inner)?.try_into()?;
            Ok(CowVal::Owned(value))
        }
        None => Ok(default),
    }
}

/// cel-go's `or` step: a present optional (or a receiver that is not an
/// optional) unchanged, else the alternative.
fn or<'b, 'v>(mut args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    if args.len() != 2 {
        return Err(ExecutionError::invalid_argument_count(2, args.len()));
    }
    let alternative = args.swap_remove(1);
    let receiver = args.swap_remove(0);
    match receiver.downcast_ref::<CelOptional>() {
        Some(opt) if opt.option().is_none() => Ok(alternative),
        _ => Ok(receiver),
    }
}

/// `cel.bind(x, init, body)`: `body` with `x` bound to `init`, evaluated
/// once. Any other `<target>.bind(...)` is left alone.
fn bind_macro(
    helper: &mut MacroExprHelper<'_>,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
) -> Result<Option<IdedExpr>, ParseError> {
    let is_cel =
        matches!(target.as_ref().map(|t| &t.expr), Some(Expr::Ident(name)) if name == "cel");
    if !is_cel || args.len() != 3 {
        return Ok(None);
    }
    let body = args.remove(2);
    let init = args.remove(1);
    let name = match args.remove(0) {
        IdedExpr {
            expr: Expr::Ident(name),
            ..
        } => name,
        other => {
            return Err(helper.new_error(
                other.id,
                "cel.bind() variable name must be a simple identifier",
            ));
        }
    };
    let range = helper.next_expr(Expr::List(ListExpr::new(Vec::new())));
    let never = helper.next_expr(Expr::Literal(LiteralValue::Boolean(false.into())));
    let step = helper.next_expr(Expr::Ident(name.clone()));
    Ok(Some(helper.next_expr(Expr::Comprehension(Box::new(
        ComprehensionExpr {
            iter_range: range,
            iter_var: "#unused".to_owned(),
            iter_var2: None,
            accu_var: name,
            accu_init: init,
            loop_cond: never,
            loop_step: step,
            result: body,
        },
    )))))
}

/// Whether `value` has `field`, as cel-go's presence test answers.
fn has_field(value: &dyn cel::common::value::Val, field: &str) -> Result<bool, ExecutionError> {
    // An optional (from `x.?y`) tests its value; an empty one has nothing.
    if let Some(opt) = value.downcast_ref::<CelOptional>() {
        return match opt.option() {
            Some(inner) => has_field(inner, field),
            None => Ok(false),
        };
    }
    match value.get_type().kind() {
        // Values without fields: absent, as cel-go answers a presence test.
        Kind::NullType
        | Kind::Boolean
        | Kind::Int
        | Kind::UInt
        | Kind::Double
        | Kind::String
        | Kind::Bytes
        | Kind::Duration
        | Kind::Timestamp => Ok(false),
        _ => match value.as_indexer() {
            Some(indexer) => match indexer.get(&CelString::from(field)) {
                Ok(_) => Ok(true),
                Err(ExecutionError::NoSuchKey(_)) => Ok(false),
                Err(e) => Err(e),
            },
            None => Err(ExecutionError::function_error(
                "has",
                format!("no such overload: has() on {}", value.get_type().name()),
            )),
        },
    }
}
