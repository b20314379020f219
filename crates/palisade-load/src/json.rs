//! Reading a JSON stream the way kubectl does when a file starts with `{`.
//!
//! apimachinery hands such a file to `encoding/json`'s stream decoder: several
//! values may follow each other (`{..}{..}` or separated by whitespace), a repeated
//! key keeps its last value, and a lone surrogate escape becomes U+FFFD. Numbers
//! reach the API server as int64 when they are written as integers and fit, and as
//! float64 otherwise.
//!
//! This is a small iterative parser (no recursion, so nesting is bounded only by the
//! builder's depth check) that tracks line and column for every value and feeds the
//! same [`Builder`] as YAML, so duplicate-key findings and limits work the same.

use super::Limits;
use super::build::{BuildError, Builder, FileState, json_number};
use palisade_core::node::{Key, Node, Pos, Value};

type Result<T> = std::result::Result<T, BuildError>;

/// Reads every top-level value of a JSON stream; `each` gets each root and the notes
/// collected while building it.
pub(crate) fn parse_stream(
    text: &str,
    limits: &Limits,
    state: &mut FileState,
    mut each: impl FnMut(Node, &mut FileState) -> Result<()>,
) -> Result<usize> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        col: 1,
    };
    let mut documents = 0usize;
    loop {
        reader.skip_ws();
        if reader.at >= reader.bytes.len() {
            return Ok(documents);
        }
        documents += 1;
        if documents > limits.max_documents {
            return Err(BuildError::new(
                reader.pos(),
                format!(
                    "more than max_documents = {} documents in one file",
                    limits.max_documents
                ),
            ));
        }
        state.notes.clear();
        let mut builder = Builder::new(limits, state);
        reader.value(&mut builder)?;
        let root = builder.finish()?;
        drop(builder);
        if let Some(root) = root {
            each(root, state)?;
        }
    }
}

enum Open {
    Map,
    Seq,
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    line: u32,
    col: u32,
}

impl Reader<'_> {
    fn pos(&self) -> Pos {
        Pos::new(self.line, self.col)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Steps over one ASCII byte that is not a line break.
    fn bump(&mut self) {
        self.at += 1;
        self.col = self.col.saturating_add(1);
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.bump(),
                b'\n' => {
                    self.at += 1;
                    self.line = self.line.saturating_add(1);
                    self.col = 1;
                }
                _ => break,
            }
        }
    }

    fn error(&self, what: &str) -> BuildError {
        let found = match self
            .text
            .get(self.at..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => format!("invalid character {c:?} {what}"),
            None => format!("unexpected end of JSON input {what}"),
        };
        BuildError::new(self.pos(), format!("json: {found}"))
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// Reads one complete value into the builder, iteratively.
    fn value(&mut self, b: &mut Builder<'_>) -> Result<()> {
        let mut open: Vec<Open> = Vec::new();
        loop {
            self.skip_ws();
            let pos = self.pos();
            match self.peek() {
                Some(b'{') => {
                    self.bump();
                    b.start(pos, 0, true)?;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.bump();
                        b.end()?;
                    } else {
                        open.push(Open::Map);
                        self.key(b)?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.bump();
                    b.start(pos, 0, false)?;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.bump();
                        b.end()?;
                    } else {
                        open.push(Open::Seq);
                        continue;
                    }
                }
                Some(b'"') => {
                    let s = self.string()?;
                    b.value(Value::String(s.into()), pos, 0)?;
                }
                Some(b't') => self.literal("true", Value::Bool(true), b)?,
                Some(b'f') => self.literal("false", Value::Bool(false), b)?,
                Some(b'n') => self.literal("null", Value::Null, b)?,
                Some(b'-' | b'0'..=b'9') => {
                    let v = self.number()?;
                    b.value(v, pos, 0)?;
                }
                _ => return Err(self.error("looking for beginning of value")),
            }
            // A value is complete: close whatever it completes, or move to the next
            // member of the innermost open collection.
            loop {
                let Some(top) = open.last() else {
                    return Ok(());
                };
                self.skip_ws();
                match (top, self.peek()) {
                    (Open::Map, Some(b',')) => {
                        self.bump();
                        self.key(b)?;
                        break;
                    }
                    (Open::Seq, Some(b',')) => {
                        self.bump();
                        break;
                    }
                    (Open::Map, Some(b'}')) | (Open::Seq, Some(b']')) => {
                        self.bump();
                        open.pop();
                        b.end()?;
                    }
                    (Open::Map, _) => return Err(self.error("after object key:value pair")),
                    (Open::Seq, _) => return Err(self.error("after array element")),
                }
            }
        }
    }

    /// A member name and its colon.
    fn key(&mut self, b: &mut Builder<'_>) -> Result<()> {
        self.skip_ws();
        let pos = self.pos();
        if self.peek() != Some(b'"') {
            return Err(self.error("looking for beginning of object key string"));
        }
        let name = self.string()?;
        b.key(Key::new(name, pos), false)?;
        self.expect(b':', "after object key")
    }

    fn literal(&mut self, word: &str, value: Value, b: &mut Builder<'_>) -> Result<()> {
        let pos = self.pos();
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            self.col = self.col.saturating_add(word.len() as u32);
            b.value(value, pos, 0)
        } else {
            Err(self.error("in literal"))
        }
    }

    fn number(&mut self) -> Result<Value> {
        let start = self.at;
        let b = self.bytes;
        let mut i = self.at;
        let digits = |i: &mut usize| {
            let s = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - s
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        let n = digits(&mut i);
        if n == 0 || (n > 1 && b.get(int_start) == Some(&b'0')) {
            self.col = self.col.saturating_add((i - start) as u32);
            self.at = i;
            return Err(self.error("in numeric literal"));
        }
        let mut integral = true;
        if b.get(i) == Some(&b'.') {
            i += 1;
            integral = false;
            if digits(&mut i) == 0 {
                self.at = i;
                return Err(self.error("after decimal point in numeric literal"));
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            integral = false;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                self.at = i;
                return Err(self.error("in exponent of numeric literal"));
            }
        }
        let pos = self.pos();
        self.col = self.col.saturating_add((i - start) as u32);
        self.at = i;
        let literal = &self.text[start..i];
        if integral && let Ok(v) = literal.parse::<i64>() {
            return Ok(Value::Int(v));
        }
        match literal.parse::<f64>() {
            // Go prints a float64 negative zero as `-0`, which stays a float.
            Ok(f) if f == 0.0 && f.is_sign_negative() => Ok(Value::Float(f)),
            Ok(f) if f.is_finite() => json_number(f).map_err(|m| BuildError::new(pos, m)),
            _ => Err(BuildError::new(
                pos,
                format!("json: cannot unmarshal number {literal} into Go value of type float64"),
            )),
        }
    }

    /// A string starting at the opening quote; leaves the reader after the closing one.
    fn string(&mut self) -> Result<String> {
        self.bump();
        let start = self.at;
        // Fast path: no escapes.
        let mut i = start;
        while let Some(&c) = self.bytes.get(i) {
            if c == b'"' || c == b'\\' || c < 0x20 {
                break;
            }
            i += 1;
        }
        if self.bytes.get(i) == Some(&b'"') {
            let s = self.text[start..i].to_owned();
            self.advance_text(i + 1);
            return Ok(s);
        }
        let mut out = String::from(&self.text[start..i]);
        self.advance_text(i);
        loop {
            match self.peek() {
                None => return Err(self.error("in string literal")),
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(c) if c < 0x20 => return Err(self.error("in string literal")),
                Some(b'\\') => {
                    self.bump();
                    let esc = self.peek();
                    match esc {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            self.bump();
                            let unit = self.hex4()?;
                            out.push(self.surrogate(unit)?);
                            continue;
                        }
                        _ => return Err(self.error("in string escape code")),
                    }
                    self.bump();
                }
                Some(_) => {
                    let rest = &self.text[self.at..];
                    let len = rest
                        .bytes()
                        .position(|c| c == b'"' || c == b'\\' || c < 0x20)
                        .unwrap_or(rest.len());
                    out.push_str(&rest[..len]);
                    self.advance_text(self.at + len);
                }
            }
        }
    }

    /// Moves to byte `to` over text without line breaks, counting characters.
    fn advance_text(&mut self, to: usize) {
        let chars = self.bytes[self.at..to]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        self.col = self
            .col
            .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
        self.at = to;
    }

    fn hex4(&mut self) -> Result<u32> {
        let Some(digits) = self.text.get(self.at..self.at + 4) else {
            return Err(self.error("in \\u hexadecimal character escape"));
        };
        let Ok(unit) = u32::from_str_radix(digits, 16) else {
            return Err(self.error("in \\u hexadecimal character escape"));
        };
        if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(self.error("in \\u hexadecimal character escape"));
        }
        self.at += 4;
        self.col = self.col.saturating_add(4);
        Ok(unit)
    }

    /// Combines a surrogate pair; a lone surrogate is U+FFFD, as in Go.
    fn surrogate(&mut self, unit: u32) -> Result<char> {
        if (0xD800..0xDC00).contains(&unit) && self.bytes[self.at..].starts_with(b"\\u") {
            let save = (self.at, self.col);
            self.at += 2;
            self.col = self.col.saturating_add(2);
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            (self.at, self.col) = save;
            return Ok('\u{FFFD}');
        }
        Ok(char::from_u32(unit).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(text: &str) -> std::result::Result<Vec<serde_json::Value>, BuildError> {
        let mut out = Vec::new();
        parse_stream(
            text,
            &Limits::default(),
            &mut FileState::default(),
            |node, _| {
                out.push(node.to_json());
                Ok(())
            },
        )?;
        Ok(out)
    }

    #[test]
    fn streams_and_values() {
        let got = roots(
            "{\"a\": [1, -2.5, 1.0, 1e3, true, null, \"x\\u00e9\\ud83d\\ude00\\ud800\"]}{}\n[]",
        )
        .ok();
        let want =
            serde_json::json!([{"a": [1, -2.5, 1, 1000, true, null, "xé😀\u{FFFD}"]}, {}, []]);
        assert_eq!(got.map(serde_json::Value::Array), Some(want));
    }

    #[test]
    fn duplicate_keys_keep_the_last_value() {
        assert_eq!(
            roots(r#"{"a": 1, "a": 2}"#).ok(),
            Some(vec![serde_json::json!({"a": 2})])
        );
    }

    #[test]
    fn errors_have_positions() {
        for bad in [
            "{\"a\": 01}",
            "{\"a\" 1}",
            "{\"a\": [1,]}",
            "{\"a\": tru}",
            "{} x",
            "{\"a\": \"\u{1}\"}",
            "{\"a\": 1e999}",
        ] {
            assert!(roots(bad).is_err(), "{bad}");
        }
        let err = roots("{\n  \"a\": 1,\n  \"b\": x\n}").err();
        assert_eq!(err.map(|e| e.pos), Some(Pos::new(3, 8)));
    }
}
