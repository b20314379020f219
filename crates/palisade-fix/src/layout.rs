//! Where a collection ends in the text, which the tree does not say: the last
//! line of a block mapping or sequence (found by indentation), and the closing
//! bracket of a flow collection (found by scanning its characters).
//!
//! Both are hand-written because no YAML library reports end positions for a
//! reader as exact as ours, and both only need to be right for files the loader
//! accepted: every edit is checked afterwards by reading the result again, so a
//! layout these scans misjudge is skipped, never written.

use palisade_core::Pos;

use crate::text::{Text, indentation, is_blank_or_comment, is_document_marker};

/// A block collection's shape, which decides which lines continue it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    Map,
    Seq,
}

/// The 0-based index of the last line with content that belongs to the block
/// collection whose first entry is at `pos`. Comment and blank lines after
/// that line are left out: a comment there usually introduces what follows.
/// `None` when an indentation holds a tab.
pub fn block_end(text: &Text, pos: Pos, block: Block) -> Option<usize> {
    let first = (pos.line as usize).checked_sub(1)?;
    let column = (pos.col as usize).checked_sub(1)?;
    let mut last = first;
    for index in first + 1..text.lines.len() {
        let line = text.line(index);
        if is_document_marker(line) {
            break;
        }
        if is_blank_or_comment(line) {
            continue;
        }
        let indent = indentation(line)?;
        let continues = match block {
            Block::Map => indent >= column,
            Block::Seq => {
                indent > column
                    || (indent == column && {
                        let rest = &line[indent..];
                        rest == "-" || rest.starts_with("- ")
                    })
            }
        };
        if !continues {
            break;
        }
        last = index;
    }
    Some(last)
}

/// A flow collection's span: what an insertion before its closing bracket
/// needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowSpan {
    /// The offset just after the last character that is not white space or a
    /// comment, before the closing bracket (just after the opening one when the
    /// collection is empty).
    pub content_end: usize,
    /// The collection holds no entry.
    pub empty: bool,
    /// Its last significant character is a comma (`[a, b,]`).
    pub trailing_comma: bool,
}

/// Scans the flow collection opening at byte `open` (`{` or `[`) to its
/// matching close, through nested collections, quoted scalars and comments.
pub fn flow_span(src: &str, open: usize) -> Option<FlowSpan> {
    let bytes = src.as_bytes();
    if !matches!(bytes.get(open), Some(b'{' | b'[')) {
        return None;
    }
    let mut depth = 0usize;
    let mut at = open;
    let mut last_significant = open;
    let mut previous_significant = b'{';
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let content_end = last_significant + 1;
                    return Some(FlowSpan {
                        content_end,
                        empty: last_significant == open,
                        trailing_comma: bytes[last_significant] == b',' && last_significant != open,
                    });
                }
            }
            b'#' if at > 0 && matches!(bytes[at - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                at = src[at..].find('\n').map_or(bytes.len(), |n| at + n);
                continue;
            }
            b'"' | b'\'' if matches!(previous_significant, b'{' | b'[' | b',' | b':' | b'?') => {
                at = quoted_end(bytes, at)?;
                last_significant = at;
                previous_significant = byte;
                at += 1;
                continue;
            }
            _ => {}
        }
        if !byte.is_ascii_whitespace() {
            last_significant = at;
            previous_significant = byte;
        }
        at += 1;
    }
    None
}

/// The offset of the quote that closes the quoted scalar opening at `open`.
fn quoted_end(bytes: &[u8], open: usize) -> Option<usize> {
    let quote = *bytes.get(open)?;
    let mut at = open + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if quote == b'"' => at += 2,
            b'\'' if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 2,
            b if b == quote => return Some(at),
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(src: &str, line: u32, col: u32, block: Block) -> usize {
        let text = Text::new(src).unwrap();
        block_end(&text, Pos::new(line, col), block).unwrap()
    }

    #[test]
    fn a_block_mapping_ends_before_a_shallower_line_and_keeps_trailing_comments_out() {
        let src = "spec:\n  a: 1\n  b:\n    c: |\n      text\n\n  # about d\nd: 2\n";
        assert_eq!(end(src, 2, 3, Block::Map), 4);
        assert_eq!(end(src, 1, 1, Block::Map), 7);
    }

    #[test]
    fn an_indentless_sequence_continues_its_mapping_and_ends_at_a_sibling_key() {
        let src = "spec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n  volumes: []\n";
        assert_eq!(end(src, 2, 3, Block::Map), 5);
        assert_eq!(end(src, 3, 3, Block::Seq), 4);
        assert_eq!(end(src, 3, 5, Block::Map), 3);
    }

    #[test]
    fn a_document_marker_ends_everything() {
        let src = "a: 1\nb: 2\n---\nc: 3\n";
        assert_eq!(end(src, 1, 1, Block::Map), 1);
    }

    #[test]
    fn flow_spans_skip_quotes_comments_and_nesting() {
        let src = "{a: '}', b: [1, {c: \"]\"}], d: don't # }\n}";
        let span = flow_span(src, 0).unwrap();
        assert_eq!(
            &src[..span.content_end],
            "{a: '}', b: [1, {c: \"]\"}], d: don't"
        );
        assert!(!span.empty && !span.trailing_comma);
        let span = flow_span("[a, b, ]", 0).unwrap();
        assert!(span.trailing_comma);
        assert_eq!(span.content_end, 6);
        let span = flow_span("{ }", 0).unwrap();
        assert!(span.empty);
        assert_eq!(span.content_end, 1);
        assert_eq!(flow_span("{a: [}", 0), None);
        assert_eq!(flow_span("{a: 'open}", 0), None);
    }
}
