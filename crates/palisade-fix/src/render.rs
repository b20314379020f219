//! Writing new values in the style of the place they go: block YAML at the
//! document's indentation, flow YAML inside `{}`/`[]`, or JSON. Values are
//! booleans and plain words (`ALL`, `RuntimeDefault`), which need no quoting
//! in YAML; new lists are written in flow style (`drop: [ALL]`), one line
//! whatever the surrounding style.

use crate::patch::NewValue;

/// How new text is written at one place.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub json: bool,
    /// Spaces per nesting level for new block mappings.
    pub step: usize,
    pub eol: &'static str,
}

/// `key: value` as one entry of a flow mapping (or a JSON object).
pub fn flow_entry(key: &str, value: &NewValue, style: Style) -> String {
    format!("{}: {}", word(key, style), flow_value(value, style))
}

/// A value in flow style.
pub fn flow_value(value: &NewValue, style: Style) -> String {
    match value {
        NewValue::Bool(b) => b.to_string(),
        NewValue::Word(w) => word(w, style),
        NewValue::List(items) => {
            let items: Vec<String> = items.iter().map(|w| word(w, style)).collect();
            format!("[{}]", items.join(", "))
        }
        NewValue::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| flow_entry(k, v, style))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

/// A plain word, quoted in JSON.
pub fn word(w: &str, style: Style) -> String {
    if style.json {
        format!("\"{w}\"")
    } else {
        w.to_owned()
    }
}

/// `key: value` as block YAML whose key sits at `indent` spaces, without a
/// leading line break; nested mappings go on the following lines.
pub fn block_entry(key: &str, value: &NewValue, indent: usize, style: Style) -> String {
    match value {
        NewValue::Map(entries) if !entries.is_empty() => {
            let mut out = format!("{key}:");
            for (k, v) in entries {
                out.push_str(style.eol);
                out.push_str(&" ".repeat(indent + style.step));
                out.push_str(&block_entry(k, v, indent + style.step, style));
            }
            out
        }
        _ => format!("{key}: {}", flow_value(value, style)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: Style = Style {
        json: false,
        step: 2,
        eol: "\n",
    };

    fn security() -> NewValue {
        NewValue::Map(vec![
            ("allowPrivilegeEscalation", NewValue::Bool(false)),
            (
                "capabilities",
                NewValue::Map(vec![("drop", NewValue::List(vec!["ALL"]))]),
            ),
        ])
    }

    #[test]
    fn block_nests_at_the_step_and_lists_stay_on_one_line() {
        assert_eq!(
            block_entry("securityContext", &security(), 4, Style { step: 4, ..YAML }),
            "securityContext:\n        allowPrivilegeEscalation: false\n        capabilities:\n            drop: [ALL]"
        );
    }

    #[test]
    fn flow_and_json() {
        assert_eq!(
            flow_entry("securityContext", &security(), YAML),
            "securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}"
        );
        assert_eq!(
            flow_entry("securityContext", &security(), Style { json: true, ..YAML }),
            r#""securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}"#
        );
    }
}
