//! Scalar resolution with go-yaml v2's rules (what kubectl uses), and key naming.
//!
//! kubectl reads YAML 1.1 through go-yaml v2 and then converts the result to JSON
//! with sigs.k8s.io/yaml. Only plain, untagged scalars are resolved: `yes` is a
//! bool, `0755` is octal 493, `1_000` is 1000; quoted scalars stay strings. Explicit
//! core tags (`!!int`, `!!str`, ...) are honoured as go-yaml honours them. Mapping
//! keys that resolve to non-strings are turned back into strings the way
//! sigs.k8s.io/yaml does (`on:` becomes `"true"`, `1.5:` becomes `"1.5"` through a
//! 32-bit `%g`).

use std::borrow::Cow;

/// A scalar after resolution, before it becomes a [`palisade_core::node::Value`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// Integers above `i64::MAX` that still fit in 64 bits (go-yaml's `uint64`).
    Uint(u64),
    Float(f64),
    Str(Cow<'a, str>),
}

/// How a plain scalar's YAML 1.1 reading differs from what YAML 1.2 tools see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coercion {
    /// `yes`, `on`, `y`, `No`, ...: a bool in YAML 1.1, a string in YAML 1.2.
    Bool,
    /// `0755`: octal in YAML 1.1, decimal 755 in YAML 1.2.
    LegacyOctal,
    /// `1_000`: a number in YAML 1.1, a string in YAML 1.2.
    Underscore,
    /// `0b101`: binary in YAML 1.1, a string in YAML 1.2's core schema.
    Binary,
}

/// The tags go-yaml knows about on a scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CoreTag {
    Str,
    Int,
    Bool,
    Float,
    Null,
    Binary,
    Timestamp,
    Merge,
    /// Any other tag (`!foo`, `!`, `!!map` on a scalar): the text is kept as a string.
    Other,
}

impl CoreTag {
    /// Classifies a resolved tag (handle already expanded by the parser).
    /// Classifies a resolved tag: `!!int` and the verbatim
    /// `!<tag:yaml.org,2002:int>` are both `tag:yaml.org,2002:int` by now.
    pub(crate) fn classify(tag: &str) -> CoreTag {
        let Some(suffix) = tag.strip_prefix("tag:yaml.org,2002:") else {
            return CoreTag::Other;
        };
        match suffix {
            "str" => CoreTag::Str,
            "int" => CoreTag::Int,
            "bool" => CoreTag::Bool,
            "float" => CoreTag::Float,
            "null" => CoreTag::Null,
            "binary" => CoreTag::Binary,
            "timestamp" => CoreTag::Timestamp,
            "merge" => CoreTag::Merge,
            _ => CoreTag::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            CoreTag::Str => "!!str",
            CoreTag::Int => "!!int",
            CoreTag::Bool => "!!bool",
            CoreTag::Float => "!!float",
            CoreTag::Null => "!!null",
            CoreTag::Binary => "!!binary",
            CoreTag::Timestamp => "!!timestamp",
            CoreTag::Merge => "!!merge",
            CoreTag::Other => "!tag",
        }
    }
}

/// Resolves a plain untagged scalar. Also says whether YAML 1.2 would read it
/// differently.
pub(crate) fn resolve_plain(text: &str) -> (Resolved<'_>, Option<Coercion>) {
    let Some(&first) = text.as_bytes().first() else {
        return (Resolved::Null, None);
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => (
            lookup_word(text).unwrap_or(Resolved::Str(Cow::Borrowed(text))),
            word_coercion(text),
        ),
        b'.' => {
            if let Some(special) = lookup_special_float(text) {
                return (special, None);
            }
            match parse_go_float(text) {
                Some(f) => (Resolved::Float(f), None),
                None => (Resolved::Str(Cow::Borrowed(text)), None),
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            if let Some(special) = lookup_special_float(text) {
                return (special, None);
            }
            resolve_number(text)
        }
        _ => (Resolved::Str(Cow::Borrowed(text)), None),
    }
}

/// go-yaml's resolve table entries that start with a letter or `~`.
fn lookup_word(text: &str) -> Option<Resolved<'static>> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        _ => return None,
    })
}

fn word_coercion(text: &str) -> Option<Coercion> {
    matches!(
        text,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
    .then_some(Coercion::Bool)
}

fn lookup_special_float(text: &str) -> Option<Resolved<'static>> {
    Some(match text {
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// The digit/sign branch of go-yaml's resolver: `ParseInt(s, 0, 64)` after removing
/// underscores, then `ParseUint`, then the YAML float pattern.
fn resolve_number(text: &str) -> (Resolved<'_>, Option<Coercion>) {
    let plain: Cow<'_, str> = if text.contains('_') {
        Cow::Owned(text.replace('_', ""))
    } else {
        Cow::Borrowed(text)
    };
    let underscore = matches!(plain, Cow::Owned(_));
    let note = |base_note: Option<Coercion>| {
        if underscore {
            Some(Coercion::Underscore)
        } else {
            base_note
        }
    };
    if let Some((value, base)) = parse_go_int(&plain) {
        let base_note = match base {
            Base::LegacyOctal => Some(Coercion::LegacyOctal),
            Base::Binary => Some(Coercion::Binary),
            _ => None,
        };
        return (value, note(base_note));
    }
    if is_yaml_float(&plain)
        && let Some(f) = parse_go_float(&plain)
    {
        return (Resolved::Float(f), note(None));
    }
    (Resolved::Str(Cow::Borrowed(text)), None)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    Decimal,
    LegacyOctal,
    Octal,
    Hex,
    Binary,
}

/// Go's `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint(s, 0, 64)` for
/// values above `i64::MAX` (the fallback takes no sign, as in Go).
fn parse_go_int(s: &str) -> Option<(Resolved<'static>, Base)> {
    let (negative, signed, digits) = match s.as_bytes().first()? {
        b'+' => (false, true, &s[1..]),
        b'-' => (true, true, &s[1..]),
        _ => (false, false, s),
    };
    let (magnitude, base) = parse_go_uint(digits)?;
    if negative {
        if magnitude <= i64::MAX as u64 + 1 {
            return Some((Resolved::Int((magnitude as i64).wrapping_neg()), base));
        }
        return None;
    }
    match i64::try_from(magnitude) {
        Ok(v) => Some((Resolved::Int(v), base)),
        Err(_) if !signed => Some((Resolved::Uint(magnitude), base)),
        Err(_) => None,
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` on text without underscores.
fn parse_go_uint(s: &str) -> Option<(u64, Base)> {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    let (radix, base, digits) = if bytes[0] == b'0' {
        match bytes.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if bytes.len() >= 3 => (2, Base::Binary, &bytes[2..]),
            Some(b'o') if bytes.len() >= 3 => (8, Base::Octal, &bytes[2..]),
            Some(b'x') if bytes.len() >= 3 => (16, Base::Hex, &bytes[2..]),
            _ => (
                8,
                if bytes.len() > 1 {
                    Base::LegacyOctal
                } else {
                    Base::Decimal
                },
                &bytes[1..],
            ),
        }
    } else {
        (10, Base::Decimal, bytes)
    };
    let mut value: u64 = 0;
    for &b in digits {
        let digit = (b as char).to_digit(radix)?;
        value = value
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(digit))?;
    }
    Some((value, base))
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text: an out-of-range value is an
/// error there, so it is `None` here (the scalar then stays a string).
fn parse_go_float(s: &str) -> Option<f64> {
    // Rust accepts words Go's YAML path never reaches ("inf", "nan"); require a digit.
    if !s.bytes().any(|b| b.is_ascii_digit())
        || s.bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Resolves a scalar carrying an explicit tag, as go-yaml's `resolve(tag, in)` and
/// its decoder do. Errors carry go-yaml's message.
pub(crate) fn resolve_tagged(tag: CoreTag, text: &str) -> Result<Resolved<'_>, String> {
    match tag {
        CoreTag::Str | CoreTag::Other | CoreTag::Merge => Ok(Resolved::Str(Cow::Borrowed(text))),
        // A timestamp read into interface{} stays its text, but it must be one.
        CoreTag::Timestamp if looks_like_timestamp(text) => Ok(Resolved::Str(Cow::Borrowed(text))),
        CoreTag::Timestamp => Err(format!("cannot decode !!str `{text}` as a !!timestamp")),
        CoreTag::Binary => decode_base64(text)
            .map(|bytes| Resolved::Str(Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())))
            .ok_or_else(|| "!!binary value contains invalid base64 data".to_owned()),
        CoreTag::Int | CoreTag::Bool | CoreTag::Float | CoreTag::Null => {
            let (resolved, _) = resolve_plain(text);
            let actual = match resolved {
                Resolved::Null => CoreTag::Null,
                Resolved::Bool(_) => CoreTag::Bool,
                Resolved::Int(_) | Resolved::Uint(_) => CoreTag::Int,
                Resolved::Float(_) => CoreTag::Float,
                Resolved::Str(_) => CoreTag::Str,
            };
            match (tag, actual, &resolved) {
                (t, a, _) if t == a => Ok(resolved),
                (CoreTag::Float, CoreTag::Int, Resolved::Int(i)) => Ok(Resolved::Float(*i as f64)),
                _ => Err(format!(
                    "cannot decode {} `{}` as a {}",
                    actual.name(),
                    text,
                    tag.name()
                )),
            }
        }
    }
}

/// go-yaml's timestamp formats all start with `YYYY-M-D`, then end or go on with
/// `T`, `t` or a space and a time.
fn looks_like_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    for part in 0..2 {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if !(1..=2).contains(&(i - start)) {
            return false;
        }
        if part == 0 {
            if b.get(i) != Some(&b'-') {
                return false;
            }
            i += 1;
        }
    }
    matches!(b.get(i), None | Some(b'T' | b't' | b' '))
}

/// Standard base64 as Go's `base64.StdEncoding.DecodeString` reads it (line breaks
/// are ignored, padding required).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text
        .bytes()
        .filter(|b| *b != b'\n' && *b != b'\r')
        .collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let quads = clean.chunks(4);
    let count = quads.len();
    for (n, quad) in quads.enumerate() {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && n + 1 != count) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &quad[..4 - pad] {
            acc = (acc << 6) | value(c)?;
        }
        acc <<= 6 * pad as u32;
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

/// A resolved key as sigs.k8s.io/yaml turns it into a JSON object key.
pub(crate) fn key_name(resolved: Resolved<'_>) -> Result<String, String> {
    Ok(match resolved {
        Resolved::Str(s) => s.into_owned(),
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(f) => go_format_g32(f),
        Resolved::Null => NULL_KEY.to_owned(),
    })
}

/// The name a null mapping key (`~:`, `null:`, `? :`) is held under while the
/// document is built. go-yaml keeps such a key in its map, and only the JSON
/// conversion after decoding refuses it, so a null key that a later duplicate or
/// an overriding parent key removes is harmless; the builder checks what survives
/// ([`Builder::finish`](super::build::Builder::finish)). A quoted key spelled
/// exactly like this (NULs included) is refused the same way: a harmless
/// over-refusal for a key no manifest has.
pub(crate) const NULL_KEY: &str = "\u{0}<nil>\u{0}";

/// kubectl's words for a null key that survives decoding.
pub(crate) const NULL_KEY_ERROR: &str =
    "unsupported map key of type: %!s(<nil>), key: <nil> (a null mapping key)";

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, with sigs.k8s.io/yaml's spelling of
/// infinities and NaN.
pub(crate) fn go_format_g32(f: f64) -> String {
    let x = f as f32;
    if x.is_nan() {
        return ".nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-5".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = exp as usize + 1;
        if digits.len() <= point {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> Resolved<'_> {
        resolve_plain(s).0
    }

    #[test]
    fn yaml11_words() {
        for t in ["y", "Yes", "ON", "true", "True"] {
            assert_eq!(plain(t), Resolved::Bool(true), "{t}");
        }
        for f in ["n", "NO", "off", "False"] {
            assert_eq!(plain(f), Resolved::Bool(false), "{f}");
        }
        for n in ["", "~", "null", "NULL"] {
            assert_eq!(plain(n), Resolved::Null, "{n}");
        }
        assert_eq!(plain("nope"), Resolved::Str("nope".into()));
        assert_eq!(resolve_plain("yes").1, Some(Coercion::Bool));
        assert_eq!(resolve_plain("true").1, None);
    }

    #[test]
    fn go_integers() {
        let cases = [
            ("0x1F", 31),
            ("0o17", 15),
            ("0755", 493),
            ("0b101", 5),
            ("+12", 12),
            ("1_000", 1000),
            ("-0x10", -16),
            ("0", 0),
            ("-9223372036854775808", i64::MIN),
        ];
        for (text, want) in cases {
            assert_eq!(plain(text), Resolved::Int(want), "{text}");
        }
        assert_eq!(plain("18446744073709551615"), Resolved::Uint(u64::MAX));
        assert_eq!(plain("0999"), Resolved::Float(999.0));
        assert_eq!(plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain("0755").1, Some(Coercion::LegacyOctal));
        assert_eq!(resolve_plain("1_000").1, Some(Coercion::Underscore));
        assert_eq!(resolve_plain("0o17").1, None);
    }

    #[test]
    fn strings_that_look_numeric() {
        for s in [
            "1:20",
            "2024-01-02",
            "10Gi",
            "0x",
            "1e999",
            "1.2.3",
            "-",
            "+",
            ".",
            "0x1p3",
            "1_0e_",
        ] {
            assert!(matches!(plain(s), Resolved::Str(_)), "{s}");
        }
        assert!(matches!(plain(".inf"), Resolved::Float(f) if f.is_infinite()));
        assert_eq!(plain(".5"), Resolved::Float(0.5));
    }

    #[test]
    fn tags() {
        assert_eq!(
            resolve_tagged(CoreTag::Str, "12"),
            Ok(Resolved::Str("12".into()))
        );
        assert_eq!(resolve_tagged(CoreTag::Int, "12"), Ok(Resolved::Int(12)));
        assert_eq!(
            resolve_tagged(CoreTag::Float, "3"),
            Ok(Resolved::Float(3.0))
        );
        assert_eq!(
            resolve_tagged(CoreTag::Bool, "yes"),
            Ok(Resolved::Bool(true))
        );
        assert!(resolve_tagged(CoreTag::Int, "abc").is_err());
        assert_eq!(
            resolve_tagged(CoreTag::Binary, "aGVsbG8="),
            Ok(Resolved::Str("hello".into()))
        );
        assert!(resolve_tagged(CoreTag::Binary, "a").is_err());
    }

    #[test]
    fn keys_format_like_sigs_yaml() {
        let f = |x: f64| go_format_g32(x);
        assert_eq!(f(1.5), "1.5");
        assert_eq!(f(1e6), "1e+06");
        assert_eq!(f(3.0), "3");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(1e-5), "1e-05");
        assert_eq!(f(123456.0), "123456");
        assert_eq!(f(0.0001), "0.0001");
        assert_eq!(f(-2.5e10), "-2.5e+10");
        assert_eq!(key_name(Resolved::Bool(true)).ok().as_deref(), Some("true"));
        assert_eq!(key_name(Resolved::Null).as_deref(), Ok(NULL_KEY));
    }
}
