//! Cutting a YAML stream into documents the way kubectl does, and sniffing JSON.
//!
//! kubectl never hands a whole stream to the YAML parser. apimachinery's
//! `YAMLOrJSONDecoder` first looks at the first non-blank byte: `{` means a JSON
//! stream. Otherwise its `YAMLReader` splits the text line by line: a line that
//! *starts with* `---` is a separator when the rest of the line is blank or a `#`
//! comment, and an error (`invalid Yaml document separator`) otherwise, whatever the
//! YAML grammar would say (`--- {a: 1}` and `----` are both errors). Each chunk is
//! then parsed on its own, so anchors never cross documents.
//!
//! A separator line is kept at the start of a chunk when nothing precedes it in that
//! chunk (kubectl writes it into its empty buffer), and dropped when it ends one.

/// One document's text and the 1-based file line its first byte is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Chunk<'a> {
    pub text: &'a str,
    pub first_line: u32,
}

/// A separator line with something after the dashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadSeparator {
    pub line: u32,
    pub rest: String,
}

/// True when the text is a JSON stream for kubectl: first non-whitespace char is `{`.
pub(crate) fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Iterates over the chunks of a YAML stream, in order.
pub(crate) struct Splitter<'a> {
    text: &'a str,
    /// Byte offset of the next unread line.
    at: usize,
    /// 1-based line number of the next unread line.
    line: u32,
}

impl<'a> Splitter<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Splitter {
            text,
            at: 0,
            line: 1,
        }
    }
}

impl<'a> Iterator for Splitter<'a> {
    type Item = Result<Chunk<'a>, BadSeparator>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.at;
        let first_line = self.line;
        let bytes = self.text.as_bytes();
        // `self.at` is always the start of a line and `self.line` its number. Only
        // lines starting with `---` matter; the others are skipped eight bytes at a
        // time by `next_dashes`.
        while self.at < self.text.len() {
            let rest = self.text.get(self.at..).unwrap_or_default();
            if rest.starts_with("---") {
                let len = rest.find('\n').map_or(rest.len(), |i| i + 1);
                let line = rest.get(..len).unwrap_or_default();
                let trimmed = line.get(3..).unwrap_or_default().trim();
                if !trimmed.is_empty() && !trimmed.starts_with('#') {
                    let bad = BadSeparator {
                        line: self.line,
                        rest: trimmed.to_owned(),
                    };
                    // Stop for good: kubectl gives up on the whole stream here.
                    self.at = self.text.len();
                    return Some(Err(bad));
                }
                if self.at > start {
                    let chunk = self.text.get(start..self.at).unwrap_or_default();
                    self.at += len;
                    self.line = self.line.saturating_add(1);
                    return Some(Ok(Chunk {
                        text: chunk,
                        first_line,
                    }));
                }
            }
            let (next, lines) = next_dashes(bytes, self.at);
            self.at = next;
            self.line = self.line.saturating_add(lines);
        }
        (self.at > start).then(|| {
            Ok(Chunk {
                text: self.text.get(start..).unwrap_or_default(),
                first_line,
            })
        })
    }
}

/// From the line starting at `from`: the start of the next line that begins with
/// `---` (or the end of the text), and how many line feeds lie before it.
fn next_dashes(bytes: &[u8], from: usize) -> (usize, u32) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let mut lines = 0u32;
    let mut at = from;
    let found = |j: usize, lines: &mut u32| {
        *lines = lines.saturating_add(1);
        bytes.get(j + 1..j + 4) == Some(b"---")
    };
    while let Some(word) = bytes.get(at..at + 8) {
        let x = word.try_into().map(u64::from_le_bytes).unwrap_or(0);
        // Exactly the line feed bytes get their high bit set.
        let y = x ^ (ONES * u64::from(b'\n'));
        let mut feeds = !(((y & LOW7).wrapping_add(LOW7)) | y | LOW7);
        while feeds != 0 {
            let j = at + (feeds.trailing_zeros() / 8) as usize;
            if found(j, &mut lines) {
                return (j + 1, lines);
            }
            feeds &= feeds - 1;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'\n' && found(at, &mut lines) {
            return (at + 1, lines);
        }
        at += 1;
    }
    (bytes.len(), lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(text: &str) -> Vec<(&str, u32)> {
        Splitter::new(text)
            .filter_map(Result::ok)
            .map(|c| (c.text, c.first_line))
            .collect()
    }

    #[test]
    fn separators_split_and_leading_ones_stay() {
        assert_eq!(
            chunks("--- # first\na: 1\n---\nb: 2\n"),
            [("--- # first\na: 1\n", 1), ("b: 2\n", 4)]
        );
        assert_eq!(chunks("a: 1\n---\r\nb: 2"), [("a: 1\n", 1), ("b: 2", 3)]);
        assert_eq!(chunks("---\n---\n"), [("---\n", 1)]);
        assert_eq!(chunks(""), Vec::<(&str, u32)>::new());
    }

    #[test]
    fn text_after_dashes_is_an_error() {
        for bad in ["a: 1\n--- {b: 2}\n", "----\n", "---x\n"] {
            assert!(Splitter::new(bad).any(|c| c.is_err()), "{bad:?}");
        }
        let err = Splitter::new("a: 1\n\n--- b\n").find_map(Result::err);
        assert_eq!(err.map(|e| (e.line, e.rest)), Some((3, "b".to_owned())));
    }

    #[test]
    fn json_is_sniffed_by_its_first_brace_only() {
        assert!(is_json("  \n{\"a\": 1}"));
        assert!(!is_json("[1]"));
        assert!(!is_json("a: {}"));
    }
}
