//! `sprintf` as OPA runs it: Go's `fmt.Sprintf` over the arguments converted
//! the way OPA converts them.
//!
//! regorus's own `sprintf` is undefined when arguments are missing, where OPA
//! prints Go's `%!v(MISSING)`, so a template message with a wrong argument
//! count vanishes instead of reaching the user. Registering this function as a
//! regorus extension replaces the builtin (extensions are looked up first).
//!
//! OPA hands Go: a string as a string; an integer as an `int` (or a big
//! integer); another number as a `float64`; anything else (null, booleans,
//! arrays, objects, sets) as its Rego text, e.g. `["a", "b"]` or
//! `{"k": 1}`. The formatter below implements the verbs, flags, width and
//! precision Go applies to those three types, and Go's error forms
//! (`%!d(string=x)`, `%!v(MISSING)`, `%!(EXTRA string=x)`). No crate offers Go's
//! `fmt` rules, hence this file.

use regorus::{Engine, Value};

/// Registers `sprintf` on an engine.
pub fn register(engine: &mut Engine) -> Result<(), String> {
    engine
        .add_extension(
            "sprintf".to_owned(),
            2,
            Box::new(|args: Vec<Value>| -> anyhow::Result<Value> {
                let [format, list] = args.as_slice() else {
                    anyhow::bail!("sprintf: expected 2 arguments");
                };
                let format = format
                    .as_string()
                    .map_err(|_| anyhow::anyhow!("sprintf: operand 1 must be string"))?;
                let items: Vec<Arg> = match list {
                    Value::Array(items) => items.iter().map(Arg::from_value).collect(),
                    _ => anyhow::bail!("sprintf: operand 2 must be array"),
                };
                Ok(Value::from(sprintf(format, &items)))
            }),
        )
        .map_err(|e| format!("{e:#}"))
}

/// An argument as Go sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Int(i64),
    /// An integer too large for `int`, in decimal (`*big.Int` to Go).
    BigInt(String),
    Float(f64),
    Str(String),
}

impl Arg {
    /// OPA's conversion of a Rego value.
    pub fn from_value(value: &Value) -> Arg {
        match value {
            Value::String(s) => Arg::Str(s.to_string()),
            Value::Number(n) => {
                if n.is_integer() {
                    if let Some(i) = n.as_i64() {
                        return Arg::Int(i);
                    }
                    let text = n.format_decimal();
                    if !text.contains(['.', 'e', 'E']) {
                        return Arg::BigInt(text);
                    }
                }
                Arg::Float(n.as_f64().unwrap_or(f64::NAN))
            }
            other => Arg::Str(rego_text(other)),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Arg::Int(_) => "int",
            Arg::BigInt(_) => "*big.Int",
            Arg::Float(_) => "float64",
            Arg::Str(_) => "string",
        }
    }

    /// `%v` of the argument, for error forms.
    fn plain(&self) -> String {
        match self {
            Arg::Int(i) => i.to_string(),
            Arg::BigInt(s) => s.clone(),
            Arg::Float(f) => format_g(*f, None, false),
            Arg::Str(s) => s.clone(),
        }
    }
}

/// The Rego text of a value, as OPA's `Term.String()` writes it: strings
/// Go-quoted, objects and sets in sorted order, the empty set as `set()`.
pub fn rego_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => go_quote(s),
        Value::Number(n) => match Arg::from_value(value) {
            Arg::Float(f) => format_g(f, None, false),
            _ => n.format_decimal(),
        },
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(rego_text).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Set(items) => {
            if items.is_empty() {
                return "set()".to_owned();
            }
            let parts: Vec<String> = items.iter().map(rego_text).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Object(fields) => {
            let parts: Vec<String> = fields
                .iter_sorted()
                .map(|(k, v)| format!("{}: {}", rego_text(k), rego_text(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Undefined => "undefined".to_owned(),
    }
}

pub use palisade_core::go_text::go_quote;

#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Go's `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Arg]) -> String {
    let mut out = String::with_capacity(format.len() + 16 * args.len());
    let mut next = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        // Go gives up on a width or precision past a million: the rest of
        // the format is consumed and the verb reported missing.
        let Ok(width) = digits(&mut chars) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        spec.width = width;
        if chars.peek() == Some(&'.') {
            chars.next();
            let Ok(precision) = digits(&mut chars) else {
                out.push_str("%!(NOVERB)");
                break;
            };
            spec.precision = Some(precision.unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        out.push_str(&format_one(verb, &spec, arg));
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={}", a.type_name(), a.plain()))
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

/// A number in the format (width or precision), as Go's `parsenum` reads it:
/// `Err` once the value passes a million before the next digit.
fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Option<usize>, ()> {
    const TOO_LARGE: usize = 1_000_000;
    let mut value: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        if value.is_some_and(|v| v > TOO_LARGE) {
            return Err(());
        }
        value = Some(value.unwrap_or(0) * 10 + d as usize);
        chars.next();
    }
    Ok(value)
}

fn bad_verb(verb: char, arg: &Arg) -> String {
    format!("%!{verb}({}={})", arg.type_name(), arg.plain())
}

fn format_one(verb: char, spec: &Spec, arg: &Arg) -> String {
    match arg {
        Arg::Str(s) => {
            let body = match verb {
                'v' | 's' => truncate(s, spec.precision),
                'q' => go_quote(&truncate(s, spec.precision)),
                'x' => hex_bytes(s.as_bytes(), false),
                'X' => hex_bytes(s.as_bytes(), true),
                _ => return bad_verb(verb, arg),
            };
            pad(&body, spec, false)
        }
        Arg::Int(i) => {
            let (negative, magnitude) = (*i < 0, i.unsigned_abs());
            let digits = match verb {
                'v' | 'd' => magnitude.to_string(),
                'b' => format!("{magnitude:b}"),
                'o' => format!("{}{magnitude:o}", if spec.sharp { "0" } else { "" }),
                'O' => format!("0o{magnitude:o}"),
                'x' => format!("{}{magnitude:x}", if spec.sharp { "0x" } else { "" }),
                'X' => format!("{}{magnitude:X}", if spec.sharp { "0X" } else { "" }),
                'c' => {
                    return pad(
                        &char::from_u32(*i as u32).unwrap_or('\u{fffd}').to_string(),
                        spec,
                        false,
                    );
                }
                'q' => {
                    let c = char::from_u32(*i as u32).unwrap_or('\u{fffd}');
                    return pad(&format!("'{c}'"), spec, false);
                }
                'U' => return pad(&format!("U+{:04X}", *i as u32), spec, false),
                'e' | 'E' | 'f' | 'F' | 'g' | 'G' => return bad_verb(verb, arg),
                _ => return bad_verb(verb, arg),
            };
            let digits = match spec.precision {
                Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
                _ => digits,
            };
            signed(negative, &digits, spec)
        }
        Arg::BigInt(text) => match verb {
            'v' | 'd' | 's' => {
                let (negative, digits) = match text.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, text.as_str()),
                };
                signed(negative, digits, spec)
            }
            _ => bad_verb(verb, arg),
        },
        Arg::Float(f) => {
            let negative = f.is_sign_negative() && !f.is_nan();
            let magnitude = f.abs();
            let body = match verb {
                'v' | 'g' => format_g(magnitude, spec.precision, false),
                'G' => format_g(magnitude, spec.precision, true),
                'e' => format_e(magnitude, spec.precision.unwrap_or(6), false),
                'E' => format_e(magnitude, spec.precision.unwrap_or(6), true),
                'f' | 'F' => format_f(magnitude, spec.precision.unwrap_or(6)),
                _ => return bad_verb(verb, arg),
            };
            signed(negative, &body, spec)
        }
    }
}

fn truncate(s: &str, precision: Option<usize>) -> String {
    match precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_owned(),
    }
}

fn hex_bytes(bytes: &[u8], upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect()
}

/// A number with its sign and Go's padding (zero padding goes after the sign).
fn signed(negative: bool, digits: &str, spec: &Spec) -> String {
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let width = spec.width.unwrap_or(0);
    let len = sign.len() + digits.chars().count();
    if spec.zero
        && !spec.minus
        && len < width
        && digits
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
    {
        return format!("{sign}{}{digits}", "0".repeat(width - len));
    }
    pad(&format!("{sign}{digits}"), spec, false)
}

/// Pads to the width with spaces (left, or right with `-`).
fn pad(body: &str, spec: &Spec, _numeric: bool) -> String {
    let width = spec.width.unwrap_or(0);
    let len = body.chars().count();
    if len >= width {
        return body.to_owned();
    }
    let fill = " ".repeat(width - len);
    if spec.minus {
        format!("{body}{fill}")
    } else {
        format!("{fill}{body}")
    }
}

fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".to_owned())
    } else if f.is_infinite() {
        Some("Inf".to_owned())
    } else {
        None
    }
}

/// `%e` with a precision: `1.500000e+00`.
fn format_e(f: f64, precision: usize, upper: bool) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let text = format!("{f:.precision$e}");
    go_exponent(&text, upper)
}

/// Rust writes `1.5e0`; Go writes `1.5e+00` (sign and at least two digits).
fn go_exponent(text: &str, upper: bool) -> String {
    let Some((mantissa, exponent)) = text.split_once('e') else {
        return text.to_owned();
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exponent),
    };
    let e = if upper { 'E' } else { 'e' };
    format!("{mantissa}{e}{sign}{digits:0>2}")
}

fn format_f(f: f64, precision: usize) -> String {
    special(f).unwrap_or_else(|| format!("{f:.precision$}"))
}

/// `%g`/`%v`: the shortest round-trip digits (or `precision` significant
/// digits), in `%e` form when the decimal exponent is < -4 or >= the
/// precision, which is 6 for the shortest form (strconv's 'g' rule).
fn format_g(f: f64, precision: Option<usize>, upper: bool) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    if f == 0.0 {
        return "0".to_owned();
    }
    // Shortest round-trip digits and the decimal exponent.
    let sci = match precision {
        Some(p) => format!("{:.*e}", p.max(1) - 1, f),
        None => format!("{f:e}"),
    };
    let Some((mantissa, exponent)) = sci.split_once('e') else {
        return sci;
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = if precision.is_some() {
        digits.trim_end_matches('0').to_owned()
    } else {
        digits
    };
    let digits = if digits.is_empty() {
        "0".to_owned()
    } else {
        digits
    };
    let limit = match precision {
        Some(p) => p.max(1) as i32,
        None => 6,
    };
    if exponent < -4 || exponent >= limit {
        let mut m = digits[..1].to_owned();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        return go_exponent(&format!("{m}e{exponent}"), upper);
    }
    if exponent >= 0 {
        let point = exponent as usize + 1;
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    } else {
        format!("0.{}{digits}", "0".repeat((-exponent - 1) as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Arg {
        Arg::Str(x.to_owned())
    }

    #[test]
    fn missing_and_extra_arguments_print_go_error_forms() {
        assert_eq!(sprintf("a %v b %v", &[s("x")]), "a x b %!v(MISSING)");
        assert_eq!(sprintf("%s", &[s("x"), Arg::Int(3)]), "x%!(EXTRA int=3)");
        assert_eq!(sprintf("%d", &[s("x")]), "%!d(string=x)");
        assert_eq!(sprintf("100%%", &[]), "100%");
        assert_eq!(sprintf("%", &[]), "%!(NOVERB)");
        // Go refuses widths past a million instead of padding gigabytes.
        assert_eq!(
            sprintf("a%999999999d tail", &[Arg::Int(1)]),
            "a%!(NOVERB)%!(EXTRA int=1)"
        );
        assert_eq!(
            sprintf("%3.99999999f", &[Arg::Float(1.0)]),
            "%!(NOVERB)%!(EXTRA float64=1)"
        );
    }

    #[test]
    fn numbers_follow_go() {
        assert_eq!(
            sprintf(
                "%v %d %05d %-4d|",
                &[Arg::Int(7), Arg::Int(-3), Arg::Int(42), Arg::Int(1)]
            ),
            "7 -3 00042 1   |"
        );
        assert_eq!(
            sprintf(
                "%x %X %o %b",
                &[Arg::Int(255), Arg::Int(255), Arg::Int(8), Arg::Int(5)]
            ),
            "ff FF 10 101"
        );
        assert_eq!(sprintf("%v", &[Arg::Float(1.5)]), "1.5");
        assert_eq!(sprintf("%v", &[Arg::Float(1e21)]), "1e+21");
        assert_eq!(sprintf("%v", &[Arg::Float(123456789.0)]), "1.23456789e+08");
        assert_eq!(sprintf("%.2f", &[Arg::Float(1.23456)]), "1.23");
        assert_eq!(sprintf("%e", &[Arg::Float(1500.0)]), "1.500000e+03");
        assert_eq!(sprintf("%v", &[Arg::Float(0.0001)]), "0.0001");
        assert_eq!(sprintf("%v", &[Arg::Float(0.00001)]), "1e-05");
        assert_eq!(sprintf("%d", &[Arg::Float(1.5)]), "%!d(float64=1.5)");
    }

    #[test]
    fn strings_quote_and_pad() {
        assert_eq!(sprintf("%q", &[s("a\"b\n")]), "\"a\\\"b\\n\"");
        assert_eq!(
            sprintf("[%5s][%-5s][%.2s]", &[s("ab"), s("ab"), s("abc")]),
            "[   ab][ab   ][ab]"
        );
    }

    #[test]
    fn composite_values_are_rego_text() {
        let value = Value::from_json_str(r#"{"b": [1, "x", null, true], "a": {}}"#).unwrap();
        assert_eq!(rego_text(&value), r#"{"a": {}, "b": [1, "x", null, true]}"#);
        assert_eq!(rego_text(&Value::new_set()), "set()");
        assert_eq!(Arg::from_value(&Value::Bool(true)), s("true"));
        assert_eq!(Arg::from_value(&Value::from(5i64)), Arg::Int(5));
    }
}
