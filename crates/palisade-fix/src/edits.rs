//! Turning a [`Change`] into a text edit at the place the loader's positions
//! give: after the last line of a block mapping or sequence, before the close
//! of a flow one, or over one boolean. Nothing else in the file moves.

use palisade_core::{Node, Value};

use crate::layout::{Block, block_end, flow_span};
use crate::patch::{Change, NewValue, node_at};
use crate::render::{Style, block_entry, flow_entry, word};
use crate::text::Text;

/// Bytes `start..end` of the file become `text` (an insertion when equal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// How deep the edited node is: at one offset the deeper insertion goes
    /// first, so that a container's new lines stay above its pod spec's.
    pub depth: usize,
}

/// The edit that makes `change` in `root` (the object as loaded), or why not.
pub fn edit_for(change: &Change, root: &Node, text: &Text, style: Style) -> Result<Edit, String> {
    let node = node_at(root, change.path()).ok_or("the place to edit is not in the object")?;
    let depth = change.path().len();
    let start = text
        .offset(node.pos)
        .ok_or("the value has no position in the file")?;
    let first = text.src[start..].chars().next().unwrap_or(' ');
    let edit = |start: usize, end: usize, inserted: String| Edit {
        start,
        end,
        text: inserted,
        depth,
    };
    match change {
        Change::Insert { entries, .. } => {
            let Value::Map(map) = &node.value else {
                return Err("the value is not a mapping".to_owned());
            };
            if first == '{' {
                let rendered: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| flow_entry(k, v, style))
                    .collect();
                let last_line = map.iter().last().map(|(k, _)| k.pos);
                flow_insert(text, start, node.pos.line, last_line, &rendered)
                    .map(|(at, s)| edit(at, at, s))
            } else if style.json || !starts_block_key(first) {
                Err(format!(
                    "the mapping starts with {first:?}, which is not a key this fix can follow (an alias, anchor, tag or complex key)"
                ))
            } else {
                let last =
                    block_end(text, node.pos, Block::Map).ok_or("a tab in the indentation")?;
                let indent = node.pos.col as usize - 1;
                let mut inserted = String::new();
                for (k, v) in entries {
                    inserted.push_str(text.eol_of(last));
                    inserted.push_str(&" ".repeat(indent));
                    inserted.push_str(&block_entry(
                        k,
                        v,
                        indent,
                        Style {
                            eol: text.eol_of(last),
                            ..style
                        },
                    ));
                }
                let at = text.lines[last].end;
                Ok(edit(at, at, inserted))
            }
        }
        Change::Append { item, .. } => {
            let Value::Seq(items) = &node.value else {
                return Err("the value is not a sequence".to_owned());
            };
            match first {
                '[' => {
                    let last_line = items.last().map(|n| n.pos);
                    flow_insert(text, start, node.pos.line, last_line, &[word(item, style)])
                        .map(|(at, s)| edit(at, at, s))
                }
                '-' if !style.json => {
                    let last =
                        block_end(text, node.pos, Block::Seq).ok_or("a tab in the indentation")?;
                    let at = text.lines[last].end;
                    let indent = " ".repeat(node.pos.col as usize - 1);
                    Ok(edit(
                        at,
                        at,
                        format!("{}{indent}- {item}", text.eol_of(last)),
                    ))
                }
                _ => Err(format!(
                    "the sequence starts with {first:?}, not a list this fix can extend"
                )),
            }
        }
        Change::SetBool { value, .. } => {
            let token: String = text.src[start..]
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            if !is_bool_spelling(&token) {
                return Err(format!(
                    "the value is written {token:?}, not as a plain boolean"
                ));
            }
            Ok(edit(start, start + token.len(), value.to_string()))
        }
    }
}

/// Where and what to insert before the close of the flow collection opening at
/// `open`: on one line after the last entry, or, when the last entry sits on a
/// line of its own, on a new line at that entry's column.
fn flow_insert(
    text: &Text,
    open: usize,
    open_line: u32,
    last_entry: Option<palisade_core::Pos>,
    rendered: &[String],
) -> Result<(usize, String), String> {
    let span = flow_span(text.src, open).ok_or("the flow collection does not close")?;
    if span.empty {
        return Ok((span.content_end, rendered.join(", ")));
    }
    match last_entry {
        Some(pos) if pos.line != open_line => {
            let pad = " ".repeat(pos.col as usize - 1);
            let eol = text.eol_of(pos.line as usize - 1);
            let separator = format!(",{eol}{pad}");
            let lead = if span.trailing_comma {
                format!("{eol}{pad}")
            } else {
                separator.clone()
            };
            Ok((
                span.content_end,
                format!("{lead}{}", rendered.join(&separator)),
            ))
        }
        _ => {
            let lead = if span.trailing_comma { " " } else { ", " };
            Ok((span.content_end, format!("{lead}{}", rendered.join(", "))))
        }
    }
}

/// A block mapping's first key can start with this character (a plain or
/// quoted key; not an alias, anchor, tag, complex key or collection).
fn starts_block_key(c: char) -> bool {
    !matches!(
        c,
        '*' | '&'
            | '!'
            | '?'
            | '['
            | '{'
            | '-'
            | '|'
            | '>'
            | '%'
            | '@'
            | '`'
            | '#'
            | ' '
            | '\t'
            | '\r'
            | '\n'
    )
}

/// YAML 1.1's boolean spellings, as go-yaml v2 resolves them.
fn is_bool_spelling(token: &str) -> bool {
    matches!(
        token,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// Applies non-overlapping edits to `src`.
pub fn apply(src: &str, edits: &mut [Edit]) -> Result<String, String> {
    edits.sort_by(|a, b| a.start.cmp(&b.start).then(b.depth.cmp(&a.depth)));
    let mut out =
        String::with_capacity(src.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for edit in edits.iter() {
        if edit.start < at || edit.end < edit.start {
            return Err("two fixes would edit the same text".to_owned());
        }
        out.push_str(
            src.get(at..edit.start)
                .ok_or("an edit is not on a character boundary")?,
        );
        out.push_str(&edit.text);
        at = edit.end;
    }
    out.push_str(
        src.get(at..)
            .ok_or("an edit is not on a character boundary")?,
    );
    Ok(out)
}

/// The spaces one nesting level adds in this object, from its first block
/// mapping nested under a key; 2 when it has none.
pub fn indent_step(root: &Node) -> usize {
    fn find(node: &Node) -> Option<usize> {
        let map = node.as_map()?;
        for (key, value) in map.iter() {
            if let Value::Map(inner) = &value.value
                && value.pos.line > key.pos.line
                && !inner.is_empty()
                && value.pos.col > key.pos.col
            {
                return Some((value.pos.col - key.pos.col) as usize);
            }
            if let Some(step) = find(value) {
                return Some(step);
            }
        }
        None
    }
    find(root).filter(|s| (1..=8).contains(s)).unwrap_or(2)
}

impl NewValue {
    /// For messages: the value as YAML would show it in flow style.
    pub fn describe(&self) -> String {
        crate::render::flow_value(
            self,
            Style {
                json: false,
                step: 2,
                eol: "\n",
            },
        )
    }
}
