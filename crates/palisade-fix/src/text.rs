//! The file as lines: byte offsets of every line, the line ending each one
//! uses, and the translation of the loader's 1-based line and column (which
//! count characters) into byte offsets.
//!
//! Only files whose lines the loader and an editor count the same way are
//! edited: LF or CRLF endings. A lone CR, NEL, LS or PS moves go-yaml's line or
//! column in ways an offset table cannot follow simply, and a byte-order mark
//! shifts the first line's columns; such files are left alone with a note.

use palisade_core::Pos;

/// One line: where it starts, where its content ends (before `\r\n` or `\n`),
/// and where the next line starts.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

/// A file's text with its line table.
#[derive(Debug)]
pub struct Text<'a> {
    pub src: &'a str,
    pub lines: Vec<Line>,
    /// The line ending new lines get: the file's first one, else `\n`.
    pub eol: &'static str,
}

impl<'a> Text<'a> {
    /// The line table, or why this file cannot be edited safely.
    pub fn new(src: &'a str) -> Result<Text<'a>, String> {
        if src.starts_with('\u{feff}') {
            return Err("the file starts with a byte-order mark".to_owned());
        }
        if let Some(odd) = src.char_indices().find(|&(i, c)| {
            matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
                || (c == '\r' && src.as_bytes().get(i + 1) != Some(&b'\n'))
        }) {
            return Err(format!(
                "the file uses {:?} as a line break; only LF and CRLF files are edited",
                odd.1
            ));
        }
        let mut lines = Vec::new();
        let mut start = 0;
        let mut eol = None;
        while start < src.len() {
            let rest = &src[start..];
            let (end, next) = match rest.find('\n') {
                Some(at) => {
                    let end = if at > 0 && rest.as_bytes()[at - 1] == b'\r' {
                        eol.get_or_insert("\r\n");
                        start + at - 1
                    } else {
                        eol.get_or_insert("\n");
                        start + at
                    };
                    (end, start + at + 1)
                }
                None => (src.len(), src.len()),
            };
            lines.push(Line { start, end, next });
            start = next;
        }
        Ok(Text {
            src,
            lines,
            eol: eol.unwrap_or("\n"),
        })
    }

    /// The content of line `index` (0-based), without its ending.
    pub fn line(&self, index: usize) -> &'a str {
        self.lines
            .get(index)
            .and_then(|l| self.src.get(l.start..l.end))
            .unwrap_or("")
    }

    /// The line ending line `index` uses; the file's usual one when it has none.
    pub fn eol_of(&self, index: usize) -> &'static str {
        match self.lines.get(index) {
            Some(l) if l.next > l.end + 1 => "\r\n",
            Some(l) if l.next > l.end => "\n",
            _ => self.eol,
        }
    }

    /// The byte offset of a loader position (1-based line, column in characters).
    pub fn offset(&self, pos: Pos) -> Option<usize> {
        let line = self.lines.get((pos.line as usize).checked_sub(1)?)?;
        let content = self.src.get(line.start..line.end)?;
        let col = (pos.col as usize).checked_sub(1)?;
        if col == 0 {
            return Some(line.start);
        }
        content
            .char_indices()
            .nth(col)
            .map(|(i, _)| line.start + i)
            .or_else(|| (content.chars().count() == col).then_some(line.end))
    }
}

/// Leading spaces of a line, or `None` when its indentation holds a tab.
pub fn indentation(line: &str) -> Option<usize> {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    match line.as_bytes().get(spaces) {
        Some(b'\t') => None,
        _ => Some(spaces),
    }
}

/// A line with nothing but white space, or a comment.
pub fn is_blank_or_comment(line: &str) -> bool {
    let trimmed = line.trim_start_matches([' ', '\t']);
    trimmed.is_empty() || trimmed.starts_with('#')
}

/// `---` or `...` at the start of a line followed by white space or nothing.
pub fn is_document_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("..."))
        && line[3..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_and_crlf_is_kept() {
        let text = Text::new("a: é\r\nb: 2\r\n").unwrap();
        assert_eq!(text.eol, "\r\n");
        assert_eq!(text.lines.len(), 2);
        assert_eq!(text.line(0), "a: é");
        assert_eq!(text.offset(Pos::new(1, 4)), Some(3));
        assert_eq!(text.offset(Pos::new(1, 5)), Some(5));
        assert_eq!(text.offset(Pos::new(2, 1)), Some(7));
        assert_eq!(text.offset(Pos::new(2, 4)), Some(10));
        assert_eq!(text.offset(Pos::new(3, 1)), None);
    }

    #[test]
    fn odd_line_breaks_and_byte_order_marks_are_refused() {
        assert!(Text::new("a: 1\rb: 2\n").is_err());
        assert!(Text::new("a: 1\u{85}b: 2\n").is_err());
        assert!(Text::new("\u{feff}a: 1\n").is_err());
        assert!(Text::new("a: 1").is_ok());
    }

    #[test]
    fn markers_and_indentation() {
        assert!(is_document_marker("---"));
        assert!(is_document_marker("--- # x"));
        assert!(!is_document_marker("----"));
        assert_eq!(indentation("  - a"), Some(2));
        assert_eq!(indentation(" \ta"), None);
        assert!(is_blank_or_comment("   # c"));
        assert!(!is_blank_or_comment(" a # c"));
    }
}
