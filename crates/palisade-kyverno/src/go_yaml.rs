//! The YAML that `gopkg.in/yaml.v2`'s `Marshal` writes for a map of maps of
//! strings: the list of failing policies and rules in Kyverno's "blocked"
//! message, which users read in `kubectl`'s error output.
//!
//! Only what that shape needs is here: sorted keys, two-space indentation,
//! and yaml.v2's choice and writing of scalar styles. A string is written
//! plain when the emitter's analysis allows it, single-quoted otherwise
//! (`: ` or ` #` inside, a leading indicator, leading or trailing spaces),
//! double-quoted when it would read back as another type (`true`, `12`,
//! `null`) or holds characters single quotes cannot carry. Long plain and
//! single-quoted values are folded at the first space past column 80, the
//! continuation indented two more spaces than the key, as the emitter's
//! default width does.

use std::collections::BTreeMap;

/// yaml.v2's default line width.
const BEST_WIDTH: usize = 80;

/// `policy:\n  rule: message\n` for every policy and rule, sorted.
pub fn marshal(map: &BTreeMap<String, BTreeMap<String, String>>) -> String {
    let mut out = String::new();
    for (policy, rules) in map {
        write_key(&mut out, policy);
        out.push_str(":\n");
        for (rule, message) in rules {
            out.push_str("  ");
            write_key(&mut out, rule);
            out.push(':');
            // The value's continuation lines are indented one level deeper
            // than its key (the emitter raises the indent for each scalar).
            write_value(&mut out, message, 4);
        }
    }
    out
}

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|-` and friends: yaml.v2 asks for it for any string with a line
    /// break.
    Literal,
}

fn write_key(out: &mut String, key: &str) {
    // Keys are simple keys: never folded.
    match style_of(key) {
        Style::Plain => out.push_str(key),
        Style::SingleQuoted => write_single_quoted(out, key, None),
        // A key cannot be a block scalar.
        Style::DoubleQuoted | Style::Literal => write_double_quoted(out, key),
    }
}

fn write_value(out: &mut String, value: &str, indent: usize) {
    out.push(' ');
    match style_of(value) {
        Style::Plain => write_plain(out, value, indent),
        Style::SingleQuoted => write_single_quoted(out, value, Some(indent)),
        Style::DoubleQuoted => write_double_quoted(out, value),
        Style::Literal => write_literal(out, value, indent),
    }
    out.push('\n');
}

/// yaml.v2's encoder asks for plain unless the text would resolve to
/// another type (then double quotes); the emitter then falls back to single
/// quotes when plain is not allowed, and to double quotes when single quotes
/// are not.
fn style_of(value: &str) -> Style {
    if resolves_to_non_string(value) {
        return Style::DoubleQuoted;
    }
    let analysis = Analysis::of(value);
    if value.is_empty() {
        return Style::SingleQuoted;
    }
    if value.contains('\n') {
        return if analysis.block_allowed {
            Style::Literal
        } else {
            Style::DoubleQuoted
        };
    }
    if analysis.block_plain_allowed {
        Style::Plain
    } else if analysis.single_quoted_allowed {
        Style::SingleQuoted
    } else {
        Style::DoubleQuoted
    }
}

/// Whether yaml.v2 would read the text back as a bool, number or null (its
/// `resolve`), or as a base-60 float: such strings are double-quoted.
fn resolves_to_non_string(value: &str) -> bool {
    const SPECIAL: [&str; 23] = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~",
    ];
    if SPECIAL.contains(&value)
        || matches!(value, "null" | "Null" | "NULL" | ".inf" | ".Inf" | ".INF")
        || matches!(
            value,
            "-.inf" | "-.Inf" | "-.INF" | "+.inf" | "+.Inf" | "+.INF"
        )
        || matches!(value, ".nan" | ".NaN" | ".NAN" | "<<")
    {
        return true;
    }
    let first = value.chars().next();
    if !first.is_some_and(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return false;
    }
    let plain = value.replace('_', "");
    plain.parse::<i64>().is_ok()
        || plain.parse::<u64>().is_ok()
        || (plain.parse::<f64>().is_ok() && !plain.contains(['i', 'I', 'n', 'N']))
        || ["0b", "-0b", "+0b"].iter().any(|p| {
            plain
                .strip_prefix(p)
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c == '0' || c == '1'))
        })
        || ["0x", "-0x", "+0x"].iter().any(|p| {
            plain
                .strip_prefix(p)
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_hexdigit()))
        })
        || is_base60_float(value)
}

/// yaml.v2's `isBase60Float`: `1:20`, `-190:20:30.15`.
fn is_base60_float(value: &str) -> bool {
    let body = value.strip_prefix(['-', '+']).unwrap_or(value);
    let mut parts = body.split(':');
    let Some(first) = parts.next() else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() || first.is_empty() || !first.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return false;
    }
    let Some((last, middle)) = rest.split_last() else {
        return false;
    };
    let sixty = |p: &str| {
        p.len() <= 2 && !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) && {
            let n: u32 = p.parse().unwrap_or(60);
            n < 60 && (p.len() == 2 || n < 10)
        }
    };
    let (last_int, last_frac) = last.split_once('.').unwrap_or((last, ""));
    middle.iter().all(|p| sixty(p))
        && sixty(last_int)
        && last_frac.chars().all(|c| c.is_ascii_digit() || c == '_')
}

/// The emitter's `yaml_emitter_analyze_scalar`, for block context.
struct Analysis {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

impl Analysis {
    fn of(value: &str) -> Analysis {
        if value.is_empty() {
            return Analysis {
                block_plain_allowed: false,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let chars: Vec<char> = value.chars().collect();
        let mut block_indicators = value.starts_with("---") || value.starts_with("...");
        let mut special_characters = false;
        let mut line_breaks = false;
        let (mut leading_space, mut leading_break) = (false, false);
        let (mut trailing_space, mut trailing_break) = (false, false);
        let (mut break_space, mut space_break) = (false, false);
        let (mut previous_space, mut previous_break) = (false, false);
        let mut preceded_by_whitespace = true;
        let is_break = |c: char| matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}');
        let is_blank = |c: Option<&char>| c.is_none_or(|c| *c == ' ' || *c == '\t' || is_break(*c));
        for (i, &c) in chars.iter().enumerate() {
            let followed_by_whitespace = is_blank(chars.get(i + 1));
            if i == 0 {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\''
                    | '"' | '%' | '@' | '`' => block_indicators = true,
                    '?' | ':' if followed_by_whitespace => block_indicators = true,
                    '-' if followed_by_whitespace => block_indicators = true,
                    _ => {}
                }
            } else {
                match c {
                    ':' if followed_by_whitespace => block_indicators = true,
                    '#' if preceded_by_whitespace => block_indicators = true,
                    _ => {}
                }
            }
            let printable = matches!(c, '\t' | '\n' | '\r' | '\u{85}')
                || (c >= ' '
                    && c != '\u{7f}'
                    && !('\u{80}'..='\u{9f}').contains(&c)
                    && !matches!(c, '\u{fffe}' | '\u{ffff}' | '\u{feff}'));
            if !printable {
                special_characters = true;
            }
            if is_break(c) {
                line_breaks = true;
            }
            if c == ' ' {
                if i == 0 {
                    leading_space = true;
                }
                if i + 1 == chars.len() {
                    trailing_space = true;
                }
                if previous_break {
                    break_space = true;
                }
                previous_space = true;
                previous_break = false;
            } else if is_break(c) {
                if i == 0 {
                    leading_break = true;
                }
                if i + 1 == chars.len() {
                    trailing_break = true;
                }
                if previous_space {
                    space_break = true;
                }
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_whitespace = is_blank(Some(&c));
        }
        let mut block_plain_allowed = true;
        let mut single_quoted_allowed = true;
        let mut block_allowed = true;
        if leading_space || leading_break || trailing_space || trailing_break {
            block_plain_allowed = false;
        }
        if trailing_space {
            block_allowed = false;
        }
        if break_space {
            block_plain_allowed = false;
            single_quoted_allowed = false;
        }
        if space_break || special_characters {
            block_plain_allowed = false;
            single_quoted_allowed = false;
            block_allowed = false;
        }
        if line_breaks || block_indicators {
            block_plain_allowed = false;
        }
        Analysis {
            block_plain_allowed,
            single_quoted_allowed,
            block_allowed,
        }
    }
}

/// The column after the last line break of `out`, in characters.
fn column(out: &str) -> usize {
    out.rsplit('\n')
        .next()
        .map_or(0, |line| line.chars().count())
}

fn write_indent(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A plain scalar, folded at a single space once past the width.
fn write_plain(out: &mut String, value: &str, indent: usize) {
    let chars: Vec<char> = value.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            if !spaces && column(out) > BEST_WIDTH && chars.get(i + 1) != Some(&' ') {
                write_indent(out, indent);
            } else {
                out.push(c);
            }
            spaces = true;
        } else {
            out.push(c);
            spaces = false;
        }
    }
}

/// A single-quoted scalar (`'` doubled), folded like a plain one when
/// `fold_indent` is given; not at its first or last character.
fn write_single_quoted(out: &mut String, value: &str, fold_indent: Option<usize>) {
    out.push('\'');
    let chars: Vec<char> = value.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            match fold_indent {
                Some(indent)
                    if !spaces
                        && column(out) > BEST_WIDTH
                        && i > 0
                        && i + 1 < chars.len()
                        && chars.get(i + 1) != Some(&' ') =>
                {
                    write_indent(out, indent);
                }
                _ => out.push(c),
            }
            spaces = true;
        } else {
            if c == '\'' {
                out.push('\'');
            }
            out.push(c);
            spaces = false;
        }
    }
    out.push('\'');
}

/// A literal block scalar: `|`, an indentation hint when the text starts
/// with a space or break, the chomping indicator (`-` without a final line
/// break, `+` with more than one), then each line indented.
fn write_literal(out: &mut String, value: &str, indent: usize) {
    out.push('|');
    if value.starts_with([' ', '\n']) {
        out.push('2');
    }
    if !value.ends_with('\n') {
        out.push('-');
    } else if value.len() == 1 || value[..value.len() - 1].ends_with('\n') {
        out.push('+');
    }
    let body = value.strip_suffix('\n').unwrap_or(value);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(line);
        }
    }
}

/// A double-quoted scalar with yaml.v2's escapes (not folded: the values
/// that need it are short or hold control characters).
fn write_double_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            c if matches!(c, '\u{fffe}' | '\u{ffff}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(policy: &str, rule: &str, message: &str) -> String {
        let mut rules = BTreeMap::new();
        rules.insert(rule.to_string(), message.to_string());
        let mut map = BTreeMap::new();
        map.insert(policy.to_string(), rules);
        marshal(&map)
    }

    #[test]
    fn a_message_with_a_colon_is_single_quoted_and_folded_past_column_80() {
        // As Kyverno's admission controller prints it (from a published
        // kubectl error).
        assert_eq!(
            one(
                "james-require-labels",
                "check-required-labels-james-1",
                "validation error: Required labels (app, version, environment) must be present. rule check-required-labels-james-1 failed at path /metadata/labels/environment/"
            ),
            "james-require-labels:\n  check-required-labels-james-1: 'validation error: Required labels (app, version,\n    environment) must be present. rule check-required-labels-james-1 failed at path\n    /metadata/labels/environment/'\n"
        );
    }

    #[test]
    fn short_plain_messages_stay_plain_and_quotes_are_doubled() {
        assert_eq!(
            one("p", "r", "latest tag is not allowed"),
            "p:\n  r: latest tag is not allowed\n"
        );
        assert_eq!(one("p", "r", "it's: bad"), "p:\n  r: 'it''s: bad'\n");
    }

    #[test]
    fn values_that_read_back_as_other_types_are_double_quoted() {
        assert_eq!(one("p", "r", "true"), "p:\n  r: \"true\"\n");
        assert_eq!(one("p", "r", "12"), "p:\n  r: \"12\"\n");
        assert_eq!(one("p", "r", "1:20"), "p:\n  r: \"1:20\"\n");
        assert_eq!(one("p", "r", ""), "p:\n  r: ''\n");
        assert_eq!(one("p", "r", "tab\there"), "p:\n  r: tab\there\n");
        assert_eq!(one("p", "r", "bell\u{7}"), "p:\n  r: \"bell\\a\"\n");
    }

    #[test]
    fn messages_with_line_breaks_are_literal_blocks() {
        assert_eq!(
            one("p", "r", "first line\nsecond line"),
            "p:\n  r: |-\n    first line\n    second line\n"
        );
    }

    #[test]
    fn leading_indicators_and_trailing_spaces_need_quotes() {
        assert_eq!(one("p", "r", "- item"), "p:\n  r: '- item'\n");
        assert_eq!(one("p", "r", "a #b"), "p:\n  r: 'a #b'\n");
        assert_eq!(one("p", "r", "a#b"), "p:\n  r: a#b\n");
        assert_eq!(one("p", "r", "x "), "p:\n  r: 'x '\n");
        assert_eq!(one("p", "r", "`x`"), "p:\n  r: '`x`'\n");
    }
}
