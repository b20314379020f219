//! A small YAML writer for the generated manifests.
//!
//! Written by hand rather than through a serializer because the output has
//! needs a generic serializer does not meet together: comments before each
//! object, key order as written (Kubernetes' `apiVersion, kind, metadata,
//! spec`), literal blocks for Rego and CEL, short lists of scalars in flow
//! style, and quoting that reads back the same under YAML 1.1 as kubectl reads
//! it (`on`, `yes`, `0755` and `1:20` are not strings there). The tests read
//! every generated document back through `palisade-load` and compare trees.

/// A value to write. Maps keep their order.
#[derive(Clone, Debug, PartialEq)]
pub enum Y {
    Str(String),
    Int(i64),
    Bool(bool),
    /// Text written as a literal block (`|`), for code.
    Block(String),
    Seq(Vec<Y>),
    Map(Vec<(String, Y)>),
}

/// Builds a map from `(key, value)` pairs.
pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Y)>) -> Y {
    Y::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

pub fn s(text: impl Into<String>) -> Y {
    Y::Str(text.into())
}

/// A list of strings.
pub fn strs<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> Y {
    Y::Seq(items.into_iter().map(|i| s(i.as_ref())).collect())
}

/// A string map (labels, selectors).
pub fn string_map<'a>(entries: impl IntoIterator<Item = (&'a String, &'a String)>) -> Y {
    Y::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.clone(), s(v)))
            .collect(),
    )
}

/// One document: the comment lines that say why it exists, then the value.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    pub comment: Vec<String>,
    pub body: Y,
}

impl Doc {
    pub fn new(comment: &[&str], body: Y) -> Doc {
        Doc {
            comment: comment.iter().map(|c| (*c).to_owned()).collect(),
            body,
        }
    }
}

/// Flow style is used for lists of scalars whose flow text is at most this long.
const FLOW_WIDTH: usize = 72;

/// Writes documents separated by `---`, each preceded by its comment.
pub fn write_docs(header: &[String], docs: &[Doc]) -> String {
    let mut out = String::new();
    for line in header {
        comment_line(&mut out, line);
    }
    for (index, doc) in docs.iter().enumerate() {
        if index > 0 || !header.is_empty() {
            out.push_str("---\n");
        }
        for line in &doc.comment {
            comment_line(&mut out, line);
        }
        write_value_top(&mut out, &doc.body);
    }
    out
}

/// A character that ends a line for a YAML 1.1 reader (go-yaml takes NEL, the
/// line and the paragraph separators as breaks too) or controls the terminal.
pub fn breaks_or_controls(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// One comment line. A control or line-breaking character in `line` is
/// written escaped (`\n`, `\u{2028}`): a raw newline would end the comment
/// and let the rest of the text be read as YAML. (The profile's checks refuse such text already;
/// this keeps the writer safe on its own.)
fn comment_line(out: &mut String, line: &str) {
    if line.is_empty() {
        out.push_str("#\n");
        return;
    }
    out.push_str("# ");
    for c in line.chars() {
        if breaks_or_controls(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\n');
}

fn write_value_top(out: &mut String, value: &Y) {
    match value {
        Y::Map(entries) if !entries.is_empty() => write_map(out, entries, 0),
        Y::Seq(items) if !items.is_empty() => write_seq(out, items, 0),
        other => {
            out.push_str(&inline(other).unwrap_or_default());
            out.push('\n');
        }
    }
}

/// The one-line form of a value, when it has one.
fn inline(value: &Y) -> Option<String> {
    match value {
        Y::Str(text) => Some(scalar(text)),
        Y::Int(n) => Some(n.to_string()),
        Y::Bool(b) => Some(b.to_string()),
        Y::Block(_) => None,
        Y::Seq(items) if items.is_empty() => Some("[]".to_owned()),
        Y::Map(entries) if entries.is_empty() => Some("{}".to_owned()),
        Y::Seq(items) => {
            let parts: Option<Vec<String>> = items
                .iter()
                .map(|item| match item {
                    Y::Str(_) | Y::Int(_) | Y::Bool(_) => inline(item),
                    _ => None,
                })
                .collect();
            let text = format!("[{}]", parts?.join(", "));
            (text.len() <= FLOW_WIDTH).then_some(text)
        }
        Y::Map(_) => None,
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_map(out: &mut String, entries: &[(String, Y)], level: usize) {
    for (index, (key, value)) in entries.iter().enumerate() {
        // The first entry of a map inside a list item follows its `- `.
        if index > 0 || !out.ends_with("- ") {
            indent(out, level);
        }
        out.push_str(&scalar(key));
        out.push(':');
        write_after_key(out, value, level);
    }
}

fn write_after_key(out: &mut String, value: &Y, level: usize) {
    if let Some(text) = inline(value) {
        out.push(' ');
        out.push_str(&text);
        out.push('\n');
        return;
    }
    match value {
        Y::Block(text) => {
            out.push_str(if text.ends_with('\n') {
                " |\n"
            } else {
                " |-\n"
            });
            for line in text.lines() {
                if !line.is_empty() {
                    indent(out, level + 1);
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        Y::Map(entries) => {
            out.push('\n');
            write_map(out, entries, level + 1);
        }
        Y::Seq(items) => {
            out.push('\n');
            write_seq(out, items, level + 1);
        }
        _ => {}
    }
}

fn write_seq(out: &mut String, items: &[Y], level: usize) {
    for item in items {
        indent(out, level);
        out.push_str("- ");
        match item {
            Y::Map(entries) if !entries.is_empty() => write_map(out, entries, level + 1),
            Y::Seq(inner) if !inner.is_empty() && inline(item).is_none() => {
                out.push('\n');
                write_seq(out, inner, level + 1);
            }
            other => {
                out.push_str(&inline(other).unwrap_or_default());
                out.push('\n');
            }
        }
    }
}

/// A string as a plain scalar when YAML 1.1 reads it back as that same
/// string, else double-quoted (JSON's escaping is valid YAML).
pub fn scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else {
        serde_json::Value::String(text.to_owned()).to_string()
    }
}

/// Plain only for a conservative alphabet that starts with a letter or `/`
/// and is none of YAML 1.1's booleans or nulls; anything else is quoted.
fn is_plain_safe(text: &str) -> bool {
    const RESERVED: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    let Some(first) = text.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '/')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_11_specials_are_quoted() {
        for text in [
            "on", "Yes", "n", "0755", "1:20", "", "*", "a b", "-x", "null", "~",
        ] {
            assert!(scalar(text).starts_with('"'), "{text} left plain");
        }
        for text in ["pods", "app.kubernetes.io/name", "/livez", "v1.30"] {
            assert_eq!(scalar(text), text);
        }
    }

    #[test]
    fn a_newline_never_ends_a_comment() {
        let doc = Doc::new(
            &["one\nkind: Secret\r\u{2028}x"],
            map([("kind", s("Role"))]),
        );
        let text = write_docs(&["head\nkind: Secret".to_owned()], &[doc]);
        assert_eq!(
            text,
            "# head\\nkind: Secret\n---\n# one\\nkind: Secret\\r\\u{2028}x\nkind: Role\n"
        );
    }

    #[test]
    fn nested_values_are_written_in_block_style() {
        let doc = Doc::new(
            &["why"],
            map([
                ("kind", s("Role")),
                ("verbs", strs(["get", "list"])),
                (
                    "rules",
                    Y::Seq(vec![map([("a", Y::Int(1)), ("b", Y::Bool(true))])]),
                ),
                ("empty", Y::Map(Vec::new())),
                ("code", Y::Block("line one\n\n  indented\n".to_owned())),
            ]),
        );
        assert_eq!(
            write_docs(&[], &[doc]),
            "# why\nkind: Role\nverbs: [get, list]\nrules:\n  - a: 1\n    b: true\nempty: {}\ncode: |\n  line one\n\n    indented\n"
        );
    }
}
