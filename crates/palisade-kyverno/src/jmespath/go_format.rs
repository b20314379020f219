//! Go's text forms that show through in Kyverno's results: `encoding/json`
//! output (used when a non-string value is inserted into a longer string and
//! by `to_string`), float64 formatting, and the float32 formatting Kyverno's
//! `ifaceToString` applies to numbers passed to string functions.

use std::fmt::Write;

use crate::Json;

/// Deepest nesting written; deeper values (which the context never holds,
/// see `convert::MAX_DEPTH`) are written as null.
const MAX_DEPTH: usize = 2048;

/// `strconv.FormatFloat(f, 'f', -1, 32)`: the shortest float32 text, never in
/// exponent form (`8080`, `0.5`, `16777216` for 16777217).
pub(crate) fn float32_text(value: f64) -> String {
    let narrowed = value as f32;
    if narrowed.is_nan() {
        return "NaN".to_owned();
    }
    if narrowed.is_infinite() {
        return if narrowed > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    format!("{narrowed}")
}

/// A float64 as Go's `encoding/json` writes it: plain decimal, or exponent
/// form (`1e+21`, `1e-7`) outside [1e-6, 1e21).
pub(crate) fn go_number_text(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-6..1e21).contains(&magnitude) {
        let text = format!("{value:e}");
        // Rust writes `1e21` and `1e-7`; Go writes `1e+21` and `1e-7`.
        return match text.split_once('e') {
            Some((mantissa, exponent)) if !exponent.starts_with('-') => {
                format!("{mantissa}e+{exponent}")
            }
            _ => text,
        };
    }
    format!("{value}")
}

/// A JSON value as Go's `json.Marshal` writes it: compact, object keys
/// sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub(crate) fn go_json_string(value: &Json) -> String {
    let mut out = String::new();
    write_value(value, &mut out, 0);
    out
}

fn write_value(value: &Json, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("null");
        return;
    }
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => {
                let _ = write!(out, "{i}");
            }
            (_, Some(u), _) => {
                let _ = write!(out, "{u}");
            }
            (_, _, Some(f)) => out.push_str(&go_number_text(f)),
            _ => out.push_str("null"),
        },
        Json::String(text) => write_string(text, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out, depth + 1);
            }
            out.push(']');
        }
        Json::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out, depth + 1);
            }
            out.push('}');
        }
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float32_text_matches_go_format_float_32() {
        assert_eq!(float32_text(8080.0), "8080");
        assert_eq!(float32_text(0.5), "0.5");
        // float32 cannot hold 16777217: Kyverno prints the rounded value.
        assert_eq!(float32_text(16_777_217.0), "16777216");
    }

    #[test]
    fn go_number_text_uses_exponent_form_outside_go_range() {
        assert_eq!(go_number_text(3.0), "3");
        assert_eq!(go_number_text(2.5), "2.5");
        assert_eq!(go_number_text(1e21), "1e+21");
        assert_eq!(go_number_text(1e-7), "1e-7");
    }

    #[test]
    fn go_json_sorts_keys_and_escapes_html() {
        let value = json!({"b": [1, 2.5, true, null], "a": "x<y&z>"});
        assert_eq!(
            go_json_string(&value),
            r#"{"a":"x\u003cy\u0026z\u003e","b":[1,2.5,true,null]}"#
        );
    }
}
