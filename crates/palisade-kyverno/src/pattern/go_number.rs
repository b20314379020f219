//! Go's number texts, as Kyverno's comparisons see them. Kyverno turns numbers
//! into strings before matching them against patterns and operator values, and
//! the exact text decides the outcome: `fmt.Sprint(1e6)` is `1e+06` (so
//! `AnyIn ["1000000"]` does not hold for a float key), a pattern wildcard sees
//! a float resource value in `strconv.FormatFloat(v, 'E', -1, 64)` form
//! (`8E+01`), and duration/quantity comparisons read floats as `%f`
//! (`80.000000`). Parsing follows `strconv.ParseFloat` and `ParseInt`.

use crate::Json;

/// The shortest decimal digits of `value` (no leading zeros, at least one
/// digit) and the decimal exponent of the first digit: `value = 0.d1d2... * 10^(exponent+1)`.
fn shortest_digits(value: f64) -> (bool, String, i32) {
    // Rust's `{:e}` prints the shortest text that reads back to the same
    // float, the same digits Go's shortest formatting chooses.
    let text = format!("{:e}", value.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent = exponent.parse::<i32>().unwrap_or(0);
    (value.is_sign_negative(), digits, exponent)
}

/// Go's `%e`/`%E` exponent: a sign and at least two digits.
fn exponent_text(exponent: i32) -> String {
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{sign}{:02}", exponent.unsigned_abs())
}

fn mantissa_text(digits: &str) -> String {
    match digits.split_at_checked(1) {
        Some((first, rest)) if !rest.is_empty() => format!("{first}.{rest}"),
        _ => digits.to_string(),
    }
}

/// Go's `fmt.Sprint` of a `float64` (`%v`, which is `%g` with the shortest
/// digits): the exponent form when the decimal exponent is below -4 or at
/// least 6, as `strconv` decides for shortest output (`1e+06`, `123456`,
/// `1e-05`, `0.0001`).
pub fn format_float_v(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let (negative, digits, exponent) = shortest_digits(value);
    let sign = if negative { "-" } else { "" };
    if value == 0.0 {
        return format!("{sign}0");
    }
    if !(-4..6).contains(&exponent) {
        return format!(
            "{sign}{}e{}",
            mantissa_text(&digits),
            exponent_text(exponent)
        );
    }
    // Plain form: place the decimal point after exponent+1 digits.
    let point = exponent + 1;
    let text = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else {
        let point = point as usize;
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{text}")
}

/// Go's `strconv.FormatFloat(value, 'E', -1, 64)`: always the exponent form,
/// shortest digits (`8E+01`, `1.5E+00`, `0E+00`).
pub fn format_float_upper_e(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let (negative, digits, exponent) = shortest_digits(value);
    let sign = if negative { "-" } else { "" };
    if value == 0.0 {
        return format!("{sign}0E+00");
    }
    format!(
        "{sign}{}E{}",
        mantissa_text(&digits),
        exponent_text(exponent)
    )
}

/// Go's `fmt.Sprintf("%f", value)`: six decimals, exact rounding.
pub fn format_float_f(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    format!("{value:.6}")
}

/// Go's `strconv.ParseFloat(text, 64)`: `None` where Go reports an error,
/// including values too large for a float64 (Go's `ErrRange`). Go's hex
/// floats (`0x1p-2`) are not read; no Kyverno input here uses them.
pub fn parse_float(text: &str) -> Option<f64> {
    let value: f64 = text.parse().ok()?;
    if value.is_infinite() {
        let unsigned = text.trim_start_matches(['+', '-']).to_ascii_lowercase();
        if unsigned != "inf" && unsigned != "infinity" {
            return None;
        }
    }
    Some(value)
}

/// Go's `strconv.ParseInt(text, 10, 64)`.
pub fn parse_int(text: &str) -> Option<i64> {
    text.parse().ok()
}

/// How a JSON number was held in Go when it was printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberOrigin {
    /// Decoded with `encoding/json` into `interface{}`: every number is a
    /// `float64` (JMESPath results, policy values, condition keys).
    Float64,
    /// A Kubernetes object decoded by apimachinery: integers are `int64`,
    /// other numbers `float64` (the resource a pattern is checked against).
    Unstructured,
}

/// The Go value behind a JSON number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GoNumber {
    Int(i64),
    Float(f64),
}

impl GoNumber {
    pub fn of(number: &serde_json::Number, origin: NumberOrigin) -> GoNumber {
        if origin == NumberOrigin::Unstructured
            && let Some(int) = number.as_i64()
        {
            return GoNumber::Int(int);
        }
        GoNumber::Float(number.as_f64().unwrap_or(0.0))
    }
}

/// Go's `fmt.Sprint` (`%v`) of a decoded JSON value: strings as they are,
/// `<nil>` for null, lists as `[a b]`, maps as `map[k:v]` with sorted keys.
pub fn sprint(value: &Json, origin: NumberOrigin) -> String {
    let mut out = String::new();
    sprint_into(&mut out, value, origin, 0);
    out
}

/// Deeper values are elided: the text only feeds messages and comparisons of
/// scalars, and recursion must stay bounded on hostile input.
const MAX_PRINT_DEPTH: usize = 64;

fn sprint_into(out: &mut String, value: &Json, origin: NumberOrigin, depth: usize) {
    if depth > MAX_PRINT_DEPTH {
        out.push_str("...");
        return;
    }
    match value {
        Json::Null => out.push_str("<nil>"),
        Json::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Json::Number(number) => match GoNumber::of(number, origin) {
            GoNumber::Int(int) => out.push_str(&int.to_string()),
            GoNumber::Float(float) => out.push_str(&format_float_v(float)),
        },
        Json::String(text) => out.push_str(text),
        Json::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(' ');
                }
                sprint_into(out, item, origin, depth + 1);
            }
            out.push(']');
        }
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("map[");
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                if let Some(item) = map.get(key) {
                    sprint_into(out, item, origin, depth + 1);
                }
            }
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sprint_of_floats_matches_go() {
        // Kyverno's AnyIn compares fmt.Sprint texts: one million prints as 1e+06.
        assert_eq!(format_float_v(1e6), "1e+06");
        assert_eq!(format_float_v(123456.0), "123456");
        assert_eq!(format_float_v(1234567.0), "1.234567e+06");
        assert_eq!(format_float_v(80.0), "80");
        assert_eq!(format_float_v(1.5), "1.5");
        assert_eq!(format_float_v(0.0001), "0.0001");
        assert_eq!(format_float_v(0.00001), "1e-05");
        assert_eq!(format_float_v(-2.25), "-2.25");
        assert_eq!(format_float_v(0.0), "0");
    }

    #[test]
    fn upper_e_form_matches_strconv() {
        assert_eq!(format_float_upper_e(80.0), "8E+01");
        assert_eq!(format_float_upper_e(1.5), "1.5E+00");
        assert_eq!(format_float_upper_e(0.0), "0E+00");
        assert_eq!(format_float_upper_e(-0.00125), "-1.25E-03");
        assert_eq!(format_float_upper_e(1e100), "1E+100");
    }

    #[test]
    fn percent_f_has_six_decimals() {
        assert_eq!(format_float_f(80.0), "80.000000");
        assert_eq!(format_float_f(0.5), "0.500000");
        assert_eq!(format_float_f(-1.25), "-1.250000");
    }

    #[test]
    fn parse_float_refuses_out_of_range_and_junk() {
        assert_eq!(parse_float("1.5"), Some(1.5));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float(".5"), Some(0.5));
        assert_eq!(parse_float("1e400"), None);
        assert_eq!(parse_float("Inf"), Some(f64::INFINITY));
        assert_eq!(parse_float("1Gi"), None);
        assert_eq!(parse_float(""), None);
        assert_eq!(parse_int("+42"), Some(42));
        assert_eq!(parse_int("4.2"), None);
    }

    #[test]
    fn sprint_prints_containers_like_go() {
        let value = json!({"b": [1, "x", null], "a": true});
        assert_eq!(
            sprint(&value, NumberOrigin::Unstructured),
            "map[a:true b:[1 x <nil>]]"
        );
        assert_eq!(sprint(&json!(1000000), NumberOrigin::Float64), "1e+06");
        assert_eq!(
            sprint(&json!(1000000), NumberOrigin::Unstructured),
            "1000000"
        );
    }
}
