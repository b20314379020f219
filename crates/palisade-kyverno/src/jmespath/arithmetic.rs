//! Kyverno's arithmetic functions (`pkg/engine/jmespath/arithmetic.go`):
//! `add`, `sum`, `subtract`, `multiply`, `divide`, `modulo` on numbers,
//! resource quantities and Go durations, and `round`.
//!
//! An operand is a number, else a string that parses as a quantity, else a
//! string that parses as a duration (so `5m` is 5 milli, not 5 minutes).
//! Results follow Kyverno's table: number op number is a number; duration +
//! duration is the nanosecond count (Kyverno returns the raw `time.Duration`);
//! other duration results are Go duration text; quantity / quantity and
//! duration / duration are numbers. Results that Kyverno prints as a
//! canonical Kubernetes quantity (quantity + quantity, quantity * number...)
//! are reported as unsupported.

use jmespath::{Rcvar, Runtime, Variable};

use super::convert::number_variable;
use super::duration;
use super::runtime::{Arg, Outcome, arg, define, function_error, number_arg, string};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Operand {
    Scalar(f64),
    Quantity(f64),
    /// Nanoseconds.
    Duration(i64),
}

#[derive(Clone, Copy)]
enum Operation {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

pub(super) fn register(runtime: &mut Runtime) {
    let operations = [
        ("add", Operation::Add),
        ("subtract", Operation::Subtract),
        ("multiply", Operation::Multiply),
        ("divide", Operation::Divide),
        ("modulo", Operation::Modulo),
    ];
    for (name, operation) in operations {
        define(runtime, name, vec![Arg::Any, Arg::Any], move |args| {
            let left = operand(arg(args, 0, name)?, name)?;
            let right = operand(arg(args, 1, name)?, name)?;
            apply(operation, name, left, right)
        });
    }
    define(runtime, "sum", vec![Arg::Array], sum);
    define(runtime, "round", vec![Arg::Number, Arg::Number], round);
}

fn operand(value: &Variable, name: &str) -> Result<Operand, String> {
    let invalid = || function_error(name, "invalid operands");
    match value {
        Variable::Number(n) => n.as_f64().map(Operand::Scalar).ok_or_else(invalid),
        Variable::String(text) => crate::pattern::quantity::Quantity::parse(text)
            .map(|q| Operand::Quantity(q.approximate_f64()))
            .or_else(|| duration::parse(text).ok().map(Operand::Duration))
            .ok_or_else(invalid),
        _ => Err(invalid()),
    }
}

fn apply(operation: Operation, name: &str, left: Operand, right: Operand) -> Outcome {
    use Operand::{Duration, Quantity, Scalar};
    let mismatch = || Err(function_error(name, "types mismatch"));
    let zero = || Err(function_error(name, "Zero divisor passed"));
    let unsupported = || {
        Err(function_error(
            name,
            "quantity results are not supported by this evaluator",
        ))
    };
    let overflow = || Err(function_error(name, "duration out of range"));
    match operation {
        Operation::Add | Operation::Subtract => {
            let adding = matches!(operation, Operation::Add);
            match (left, right) {
                (Scalar(a), Scalar(b)) => Ok(number_variable(if adding { a + b } else { a - b })),
                (Duration(a), Duration(b)) => {
                    let result = if adding {
                        a.checked_add(b)
                    } else {
                        a.checked_sub(b)
                    };
                    match result {
                        // Kyverno returns the raw time.Duration from add: a number.
                        Some(nanos) if adding => Ok(number_variable(nanos as f64)),
                        Some(nanos) => Ok(string(duration::format(nanos))),
                        None => overflow(),
                    }
                }
                (Quantity(_), Quantity(_)) => unsupported(),
                _ => mismatch(),
            }
        }
        Operation::Multiply => match (left, right) {
            (Scalar(a), Scalar(b)) => Ok(number_variable(a * b)),
            (Duration(d), Scalar(s)) | (Scalar(s), Duration(d)) => {
                Ok(string(duration::format(scale_duration(d, s))))
            }
            (Quantity(_), Scalar(_)) | (Scalar(_), Quantity(_)) => unsupported(),
            _ => mismatch(),
        },
        Operation::Divide => match (left, right) {
            (Scalar(a), Scalar(b)) => {
                if b == 0.0 {
                    return zero();
                }
                Ok(number_variable(a / b))
            }
            (Quantity(a), Quantity(b)) => {
                if b == 0.0 {
                    return zero();
                }
                Ok(number_variable(a / b))
            }
            (Duration(a), Duration(b)) => {
                if b == 0 {
                    return zero();
                }
                Ok(number_variable(a as f64 / b as f64))
            }
            (Duration(d), Scalar(s)) => {
                if s == 0.0 {
                    return zero();
                }
                Ok(string(duration::format(scale_duration(d, 1.0 / s))))
            }
            (Quantity(_), Scalar(s)) => {
                if s == 0.0 {
                    return zero();
                }
                unsupported()
            }
            _ => mismatch(),
        },
        Operation::Modulo => match (left, right) {
            (Scalar(a), Scalar(b)) => {
                let (Some(x), Some(y)) = (whole(a), whole(b)) else {
                    return Err(function_error(
                        name,
                        "Non-integer argument(s) passed for modulo",
                    ));
                };
                if y == 0 {
                    return zero();
                }
                Ok(number_variable(x.wrapping_rem(y) as f64))
            }
            (Duration(a), Duration(b)) => {
                if b == 0 {
                    return zero();
                }
                Ok(string(duration::format(a.wrapping_rem(b))))
            }
            (Quantity(_), Quantity(_)) => unsupported(),
            _ => mismatch(),
        },
    }
}

/// `time.Duration(d.Seconds() * factor * 1e9)`; float-to-int saturates.
fn scale_duration(nanos: i64, factor: f64) -> i64 {
    let seconds = nanos as f64 / 1e9 * factor;
    (seconds * 1e9) as i64
}

/// The integer a float holds exactly, if any (Kyverno's modulo needs whole
/// operands).
fn whole(value: f64) -> Option<i64> {
    let truncated = value as i64;
    (truncated as f64 == value).then_some(truncated)
}

/// `sum(array)`: `add` folded over the items; an empty array is an error.
fn sum(args: &[Rcvar]) -> Outcome {
    let Variable::Array(items) = arg(args, 0, "sum")? else {
        return Err(function_error("sum", "types mismatch"));
    };
    let Some(first) = items.first() else {
        return Err(function_error(
            "sum",
            "at least one element in the array is required",
        ));
    };
    let mut total: Variable = (**first).clone();
    for item in items.iter().skip(1) {
        let left = operand(&total, "sum")?;
        let right = operand(item, "sum")?;
        total = apply(Operation::Add, "sum", left, right)?;
    }
    // A single item is returned as it is, like Kyverno's fold.
    Ok(total)
}

/// `round(value, decimals)`: half away from zero at `decimals` places.
fn round(args: &[Rcvar]) -> Outcome {
    let value = number_arg(args, 0, "round")?;
    let decimals = number_arg(args, 1, "round")?;
    let Some(places) = whole(decimals) else {
        return Err(function_error(
            "round",
            "Non-integer argument(s) passed for round off",
        ));
    };
    if places < 0 {
        return Err(function_error(
            "round",
            format!("2 argument is out of bounds ({places})"),
        ));
    }
    let shift = 10f64.powi(i32::try_from(places).unwrap_or(i32::MAX));
    Ok(number_variable((value * shift).round() / shift))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quantities_before_durations() {
        assert_eq!(
            operand(&Variable::String("5m".into()), "add"),
            Ok(Operand::Quantity(0.005))
        );
        assert_eq!(
            operand(&Variable::String("1h".into()), "add"),
            Ok(Operand::Duration(3_600_000_000_000))
        );
        assert!(operand(&Variable::Bool(true), "add").is_err());
    }
}
