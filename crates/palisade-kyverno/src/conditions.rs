//! `preconditions` and `deny.conditions`: blocks of `{key, operator, value}`
//! conditions (Kyverno's `pkg/engine/variables/evaluate.go` and
//! `internal.CheckPreconditions` / `CheckDenyPreconditions`).
//!
//! A block is `{any: [...], all: [...]}` (true when one `any` condition
//! holds, if `any` is given, and every `all` condition holds), or a bare list,
//! the legacy form of `all`. Variables are substituted before the operators
//! run. The two callers differ on a variable that cannot be resolved: in
//! preconditions Kyverno uses an empty string for it, in deny conditions the
//! rule is an error.

use crate::Json;
use crate::context::Context;
use crate::operator;
use crate::variables;

/// How unresolved variables are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// Preconditions: the variable reads as `""`.
    EmptyString,
    /// Deny conditions: the rule is an error.
    Error,
}

/// Whether the block holds. `Err` carries Kyverno's reason.
pub fn evaluate(block: &Json, ctx: &Context, unresolved: Unresolved) -> Result<bool, String> {
    match block {
        Json::Null => Ok(true),
        Json::Array(conditions) => all_hold(conditions, ctx, unresolved),
        Json::Object(map) => {
            let any = match map.get("any") {
                None | Some(Json::Null) => true,
                Some(Json::Array(conditions)) => any_holds(conditions, ctx, unresolved)?,
                Some(_) => return Err("conditions.any must be a list".into()),
            };
            let all = match map.get("all") {
                None | Some(Json::Null) => true,
                Some(Json::Array(conditions)) => all_hold(conditions, ctx, unresolved)?,
                Some(_) => return Err("conditions.all must be a list".into()),
            };
            Ok(any && all)
        }
        _ => Err("conditions must be a list or a mapping with any/all".into()),
    }
}

fn any_holds(conditions: &[Json], ctx: &Context, unresolved: Unresolved) -> Result<bool, String> {
    for condition in conditions {
        if holds(condition, ctx, unresolved)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn all_hold(conditions: &[Json], ctx: &Context, unresolved: Unresolved) -> Result<bool, String> {
    for condition in conditions {
        if !holds(condition, ctx, unresolved)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn holds(condition: &Json, ctx: &Context, unresolved: Unresolved) -> Result<bool, String> {
    let operator = condition
        .get("operator")
        .and_then(Json::as_str)
        .ok_or("a condition has no operator")?;
    let key = substitute(condition.get("key").unwrap_or(&Json::Null), ctx, unresolved)?;
    let value = substitute(
        condition.get("value").unwrap_or(&Json::Null),
        ctx,
        unresolved,
    )?;
    operator::evaluate(operator, &key, &value)
}

fn substitute(value: &Json, ctx: &Context, unresolved: Unresolved) -> Result<Json, String> {
    if !variables::has_variables(value) {
        return Ok(value.clone());
    }
    match variables::substitute(value, ctx) {
        Ok(v) => Ok(v),
        Err(_) if unresolved == Unresolved::EmptyString => {
            variables::substitute_lenient(value, ctx).map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}
