//! Standard JMESPath functions whose number handling must follow go-jmespath
//! rather than the `jmespath` crate: Go holds numbers as float64 and
//! `to_string` writes them with `encoding/json` (`3`, not `3.0`).

use jmespath::{Rcvar, Runtime, Variable};

use super::convert::{number_variable, variable_to_json};
use super::go_format::go_json_string;
use super::runtime::{Arg, Outcome, arg, define, number_arg, string};

pub(super) fn register(runtime: &mut Runtime) {
    define(runtime, "to_string", vec![Arg::Any], to_string);
    define(runtime, "to_number", vec![Arg::Any], to_number);
    define(runtime, "abs", vec![Arg::Number], |args| {
        Ok(number_variable(number_arg(args, 0, "abs")?.abs()))
    });
    define(runtime, "ceil", vec![Arg::Number], |args| {
        Ok(number_variable(number_arg(args, 0, "ceil")?.ceil()))
    });
    define(runtime, "floor", vec![Arg::Number], |args| {
        Ok(number_variable(number_arg(args, 0, "floor")?.floor()))
    });
    define(
        runtime,
        "avg",
        vec![Arg::TypedArray(Box::new(Arg::Number))],
        avg,
    );
}

fn to_string(args: &[Rcvar]) -> Outcome {
    Ok(match arg(args, 0, "to_string")? {
        Variable::String(text) => string(text.clone()),
        other => string(go_json_string(&variable_to_json(other))),
    })
}

/// Numbers pass through, strings are parsed as float64 (null when they are
/// not numbers), anything else is null.
fn to_number(args: &[Rcvar]) -> Outcome {
    Ok(match arg(args, 0, "to_number")? {
        Variable::Number(n) => n.as_f64().map_or(Variable::Null, number_variable),
        Variable::String(text) => crate::pattern::go_number::parse_float(text)
            .filter(|value| value.is_finite())
            .map_or(Variable::Null, number_variable),
        _ => Variable::Null,
    })
}

fn avg(args: &[Rcvar]) -> Outcome {
    let Variable::Array(items) = arg(args, 0, "avg")? else {
        return Ok(Variable::Null);
    };
    if items.is_empty() {
        return Ok(Variable::Null);
    }
    let total: f64 = items.iter().filter_map(|item| item.as_number()).sum();
    Ok(number_variable(total / items.len() as f64))
}
