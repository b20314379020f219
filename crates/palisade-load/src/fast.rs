//! A fast reader for the subset of YAML that real Kubernetes manifests use.
//!
//! Why it exists: going through the full scanner and parser costs most of the
//! loader's time, and no crate reads YAML with kubectl's (go-yaml v2) semantics at
//! the speed we need. This reader works on the chunk's bytes line by line, slices
//! the input, and drives the same [`Builder`] as the full path, so scalar
//! resolution, key naming, duplicate keys and coercion notes have one
//! implementation.
//!
//! Exactness is kept by declining, not by reimplementing all of YAML: on anything
//! outside its subset (anchors, aliases, tags, merge keys, `?` keys, directives,
//! `...`, tabs in structure, explicit indentation indicators, multi-line flow
//! collections, control characters, BOMs, lone CRs, unusual escapes, anything
//! malformed, any builder error) it declines, and the caller reads the chunk with
//! the go-yaml parser ([`parser`](super::parser)), which also produces the real
//! error messages. When it accepts, it
//! yields exactly what [`build_yaml_full`](super::build::build_yaml_full) yields:
//! the same tree, positions and notes, in the same order. A differential test over
//! the golden files, the fuzz corpus and the shared corpus (`tests/fast_path.rs`)
//! and a differential fuzz target (`fuzz/fuzz_targets/fast_differential.rs`) hold
//! it to that.
//!
//! The subset: block mappings and sequences (compact `- key: value` and `- - x`,
//! indentless sequences under a key), plain scalars (multi-line ones folded),
//! single- and double-quoted scalars (multi-line, with the YAML escapes),
//! comments, empty values, block scalars `|` and `>` with optional chomping, and
//! one-line flow sequences and mappings of scalars, with LF or CRLF line ends.
//! Where the rules are subtle (folding, chomping, escaped line breaks), the code
//! mirrors go-yaml's scanner ([`scanner`](super::scanner)) step by step.

use std::borrow::Cow;
use std::cell::Cell;

use super::Limits;
use super::build::{Builder, FileState};
use palisade_core::node::{Node, Pos};

/// Nesting the fast reader handles; deeper documents go to the full parser.
const MAX_NESTING: usize = 100;
/// Longest key accepted (YAML limits implicit keys to 1024 characters).
const MAX_KEY_BYTES: usize = 1000;

/// The chunk is outside the subset (or malformed): read it with the full parser.
/// Carries the line of this file that declined, for the differential test's
/// statistics.
#[derive(Debug)]
pub(crate) struct Decline {
    pub(crate) at: u32,
}

#[track_caller]
fn decline() -> Decline {
    Decline {
        at: std::panic::Location::caller().line(),
    }
}

pub(crate) type Fast<T> = Result<T, Decline>;

/// Reads a chunk if it is within the subset. `None` means declined; `notes` is then
/// left as it was.
pub(crate) fn build(
    chunk: &str,
    first_line: u32,
    limits: &Limits,
    state: &mut FileState,
) -> Option<Option<Node>> {
    build_traced(chunk, first_line, limits, state).ok()
}

/// [`build`], saying where it declined.
pub(crate) fn build_traced(
    chunk: &str,
    first_line: u32,
    limits: &Limits,
    state: &mut FileState,
) -> Fast<Option<Node>> {
    // The line feed table and the text buffer are reused from chunk to chunk: a
    // fresh large allocation per chunk makes glibc consolidate its free lists
    // every time.
    thread_local! {
        static SCRATCH: Cell<(Vec<usize>, String)> = const { Cell::new((Vec::new(), String::new())) };
    }
    let (mut breaks, buf) = SCRATCH.with(Cell::take);
    breaks.clear();
    let (result, buf) = read(chunk, first_line, limits, state, &mut breaks, buf);
    if breaks.capacity() <= 1 << 20 && buf.capacity() <= 1 << 20 {
        SCRATCH.with(|cell| cell.set((breaks, buf)));
    }
    result
}

fn read(
    chunk: &str,
    first_line: u32,
    limits: &Limits,
    state: &mut FileState,
    breaks: &mut Vec<usize>,
    buf: String,
) -> (Fast<Option<Node>>, String) {
    let before = state.checkpoint();
    let bytes = chunk.as_bytes();
    if !plain_text(bytes, breaks) {
        return (Err(decline()), buf);
    }
    let reader = Reader {
        chunk,
        src: bytes,
        breaks,
        next_line: 0,
        first_line,
        nesting: MAX_NESTING.min(limits.max_depth.saturating_sub(2)),
        stack: Vec::new(),
        pending: None,
        started: false,
        builder: Builder::new(limits, state),
        buf,
        columns: Cell::new((usize::MAX, 0, 0)),
    };
    let (result, buf) = reader.run();
    if result.is_err() {
        state.restore(before);
    }
    (result, buf)
}

/// True when the text holds only characters the reader handles plainly: no
/// control characters other than tab and line feed, CR only before LF, no C1
/// controls (NEL is a YAML 1.1 line break), no BOM, no U+FFFE/U+FFFF, no Unicode
/// line or paragraph separators.
fn plain_text(bytes: &[u8], breaks: &mut Vec<usize>) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    // Eight bytes at a time: find the bytes that are not printable ASCII (below
    // 0x20, 0x7F, or with the high bit set) and check only those. The word test
    // never misses such a byte; it may flag a clean byte above a flagged one, which
    // the exact check then passes.
    while let Some(word) = bytes.get(i..i + 8) {
        let x = word.try_into().map(u64::from_le_bytes).unwrap_or(u64::MAX);
        let below = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let y = x ^ (ONES * 0x7F);
        let del = y.wrapping_sub(ONES) & !y & HIGH;
        // One bit (the high one) per flagged byte, lowest address first.
        let mut flagged = below | del | (x & HIGH);
        while flagged != 0 {
            let j = i + (flagged.trailing_zeros() / 8) as usize;
            if !plain_byte(bytes, j, breaks) {
                return false;
            }
            flagged &= flagged - 1;
        }
        i += 8;
    }
    (i..bytes.len()).all(|j| plain_byte(bytes, j, breaks))
}

/// [`plain_text`] for the byte at `i` (looking ahead for CR LF and multi-byte
/// sequences); records line feeds in `breaks`.
fn plain_byte(bytes: &[u8], i: usize, breaks: &mut Vec<usize>) -> bool {
    let Some(&b) = bytes.get(i) else {
        return true;
    };
    if b < 0x20 || b == 0x7F {
        return match b {
            b'\n' => {
                breaks.push(i);
                true
            }
            b'\t' => true,
            b'\r' => bytes.get(i + 1) == Some(&b'\n'),
            _ => false,
        };
    }
    if b < 0xC2 {
        return true;
    }
    let next = bytes.get(i + 1).copied().unwrap_or(0);
    let third = bytes.get(i + 2).copied().unwrap_or(0);
    !match b {
        0xC2 => (0x80..=0x9F).contains(&next),
        0xE2 => next == 0x80 && (third == 0xA8 || third == 0xA9),
        0xEF => (next == 0xBB && third == 0xBF) || (next == 0xBF && third >= 0xBE),
        _ => false,
    }
}

/// One line of the chunk: byte offsets of its start and of its end (before `\r\n`
/// or `\n`), its 0-based index and 1-based number.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    index: usize,
    no: u32,
    /// False for a last line without a line break.
    terminated: bool,
}

/// An open block collection: the column its keys or dashes stand at.
#[derive(Clone, Copy)]
struct Open {
    indent: usize,
    seq: bool,
    /// A sequence at its parent mapping's indentation (`key:\n- a`).
    indentless: bool,
}

/// A key whose value is on later lines (or empty): the mapping's indentation and
/// the position of the colon (where go-yaml places an empty value).
#[derive(Clone, Copy)]
struct Pending {
    indent: usize,
    colon: Pos,
}

/// A scanned key: text, plain or quoted, and where its colon is.
struct KeyTok<'a> {
    text: Cow<'a, str>,
    plain: bool,
    colon: usize,
}

struct Reader<'a, 'b> {
    /// The chunk, as text and as bytes.
    chunk: &'a str,
    src: &'a [u8],
    /// Offsets of the chunk's line feeds.
    breaks: &'b [usize],
    /// Index (0-based) of the next unread line.
    next_line: usize,
    first_line: u32,
    nesting: usize,
    stack: Vec<Open>,
    pending: Option<Pending>,
    /// The root collection has been opened.
    started: bool,
    builder: Builder<'b>,
    /// Where folded and unescaped scalars are built, before being copied out at
    /// their exact size (growing each one by doubling costs more).
    buf: String,
    /// The last column computed: line start, byte offset, characters before it.
    columns: Cell<(usize, usize, usize)>,
}

#[inline]
fn is_space(b: Option<&u8>) -> bool {
    b == Some(&b' ')
}

/// Spaces from `i` within `s`.
#[inline]
fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while is_space(s.get(i)) {
        i += 1;
    }
    i
}

fn ok<T>(r: super::build::BuildResult<T>) -> Fast<T> {
    r.map_err(|_| decline())
}

impl<'a> Reader<'a, '_> {
    fn run(mut self) -> (Fast<Option<Node>>, String) {
        let result = self.document();
        (result, std::mem::take(&mut self.buf))
    }

    fn document(&mut self) -> Fast<Option<Node>> {
        let mut saw_marker = false;
        if self.src.starts_with(b"---") {
            let line = self.take_line().ok_or_else(|| decline())?;
            let rest = self.bytes(&line).get(3..).unwrap_or_default();
            if !rest.is_empty() {
                let after = skip_spaces(rest, 0);
                if after == 0 || !matches!(rest.get(after), None | Some(b'#')) {
                    return Err(decline());
                }
            }
            saw_marker = true;
        }
        while let Some(line) = self.take_line() {
            let text = self.bytes(&line);
            let c = skip_spaces(text, 0);
            match text.get(c) {
                None | Some(b'#') => continue,
                Some(b'\t') => return Err(decline()),
                _ => {}
            }
            if c == 0
                && (text.starts_with(b"---")
                    || text.starts_with(b"...")
                    || text.first() == Some(&b'%'))
            {
                return Err(decline());
            }
            self.content(line, c)?;
        }
        if let Some(p) = self.pending.take() {
            self.null(p.colon)?;
        }
        while self.stack.pop().is_some() {
            ok(self.builder.end())?;
        }
        if !self.started {
            if saw_marker {
                return Err(decline());
            }
            return Ok(None);
        }
        ok(self.builder.finish())
    }

    /// The next line, consumed.
    fn take_line(&mut self) -> Option<Line> {
        let line = self.peek_line()?;
        self.advance(&line);
        Some(line)
    }

    fn peek_line(&self) -> Option<Line> {
        self.line_at(self.next_line)
    }

    /// The line with 0-based index `index`.
    #[inline]
    fn line_at(&self, index: usize) -> Option<Line> {
        let start = match index.checked_sub(1) {
            None => 0,
            Some(before) => self.breaks.get(before)? + 1,
        };
        if start >= self.src.len() {
            return None;
        }
        let (end, terminated) = match self.breaks.get(index) {
            Some(&lf) if lf > start && self.src.get(lf - 1) == Some(&b'\r') => (lf - 1, true),
            Some(&lf) => (lf, true),
            None => (self.src.len(), false),
        };
        Some(Line {
            start,
            end,
            index,
            no: u32::try_from(index).unwrap_or(u32::MAX).saturating_add(1),
            terminated,
        })
    }

    /// The line after `line`.
    fn line_after(&self, line: &Line) -> Option<Line> {
        self.line_at(line.index + 1)
    }

    /// Continues reading after `line`.
    fn advance(&mut self, line: &Line) {
        self.next_line = line.index + 1;
    }

    #[inline]
    fn bytes(&self, line: &Line) -> &'a [u8] {
        self.src.get(line.start..line.end).unwrap_or_default()
    }

    /// Bytes `from..to` of `line` as text. The cuts are next to ASCII bytes, so
    /// they fall on character boundaries.
    #[inline]
    fn text(&self, line: &Line, from: usize, to: usize) -> Fast<&'a str> {
        self.chunk
            .get(line.start + from..line.start + to)
            .ok_or_else(|| decline())
    }

    /// The file position of byte `at` of `line` (columns count characters).
    #[inline]
    fn pos(&self, line: &Line, at: usize) -> Pos {
        // Columns count characters. Positions are asked for left to right along a
        // line, so counting on from the previous answer keeps a long line linear
        // (counting from the line start each time made a 3 MB flow sequence
        // quadratic).
        let (from, chars) = match self.columns.get() {
            (start, from, chars) if start == line.start && from <= at => (from, chars),
            _ => (0, 0),
        };
        let counted = self
            .bytes(line)
            .get(from..at)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| (b as i8) >= -0x40)
            .count();
        let chars = chars + counted;
        self.columns.set((line.start, at, chars));
        let col = u32::try_from(chars).unwrap_or(u32::MAX).saturating_add(1);
        let line = line.no.saturating_add(self.first_line.saturating_sub(1));
        Pos::new(line, col)
    }

    /// A content line whose first non-space byte is at column `c`.
    fn content(&mut self, line: Line, c: usize) -> Fast<()> {
        let text = self.bytes(&line);
        let entry = is_entry(text, c);
        if let Some(p) = self.pending.take() {
            if c > p.indent {
                let pos = self.pos(&line, c);
                if entry {
                    self.open(pos, c, true, false)?;
                    return self.entries(line, c);
                }
                if let Some(key) = self.key(&line, c)? {
                    self.open(pos, c, false, false)?;
                    return self.entry(line, c, key);
                }
                // A scalar on the line after its key.
                if matches!(text.get(c), Some(b'|' | b'>')) {
                    return Err(decline());
                }
                return self.value(line, c, p.indent);
            }
            if c == p.indent && entry {
                let first = skip_spaces(text, c + 1);
                if matches!(text.get(first), None | Some(b'#')) {
                    return Err(decline());
                }
                // go-yaml places an indentless sequence at its first dash.
                let pos = self.pos(&line, c);
                self.open(pos, c, true, true)?;
                return self.entries(line, c);
            }
            self.null(p.colon)?;
        }
        while let Some(top) = self.stack.last() {
            if top.indent > c || (top.indentless && top.indent == c && !entry) {
                self.stack.pop();
                ok(self.builder.end())?;
            } else {
                break;
            }
        }
        match self.stack.last().copied() {
            None if !self.started => {
                let pos = self.pos(&line, c);
                if entry {
                    self.open(pos, c, true, false)?;
                    self.entries(line, c)
                } else {
                    self.open(pos, c, false, false)?;
                    let key = self.key(&line, c)?.ok_or_else(|| decline())?;
                    self.entry(line, c, key)
                }
            }
            Some(top) if top.indent == c => {
                if top.seq {
                    if !entry {
                        return Err(decline());
                    }
                    self.entries(line, c)
                } else {
                    let key = self.key(&line, c)?.ok_or_else(|| decline())?;
                    self.entry(line, c, key)
                }
            }
            _ => Err(decline()),
        }
    }

    fn open(&mut self, pos: Pos, indent: usize, seq: bool, indentless: bool) -> Fast<()> {
        if self.stack.len() >= self.nesting {
            return Err(decline());
        }
        ok(self.builder.start(pos, 0, !seq))?;
        self.started = true;
        self.stack.push(Open {
            indent,
            seq,
            indentless,
        });
        Ok(())
    }

    fn null(&mut self, pos: Pos) -> Fast<()> {
        ok(self.builder.scalar(Cow::Borrowed("~"), true, 0, None, pos))
    }

    /// Sequence entries on one line, starting with the dash at `dash`: `- x`,
    /// `- - x`, `- key: value`.
    fn entries(&mut self, line: Line, mut dash: usize) -> Fast<()> {
        let text = self.bytes(&line);
        loop {
            let e = skip_spaces(text, dash + 1);
            if matches!(text.get(e), None | Some(b'#')) {
                // Empty entries (and entries whose node is on the next lines).
                return Err(decline());
            }
            let pos = self.pos(&line, e);
            if is_entry(text, e) {
                self.open(pos, e, true, false)?;
                dash = e;
                continue;
            }
            if let Some(key) = self.key(&line, e)? {
                self.open(pos, e, false, false)?;
                return self.entry(line, e, key);
            }
            return self.value(line, e, dash);
        }
    }

    /// A mapping entry at column `c` whose key is already scanned.
    fn entry(&mut self, line: Line, c: usize, key: KeyTok<'a>) -> Fast<()> {
        let pos = self.pos(&line, c);
        ok(self.builder.scalar(key.text, key.plain, 0, None, pos))?;
        let text = self.bytes(&line);
        let v = skip_spaces(text, key.colon + 1);
        if matches!(text.get(v), None | Some(b'#')) {
            self.pending = Some(Pending {
                indent: c,
                colon: self.pos(&line, key.colon),
            });
            return Ok(());
        }
        self.value(line, v, c)
    }

    /// Scans a key at byte `k`: a plain or quoted scalar followed by `:` and a space
    /// or the line end. `None` when there is no key there.
    fn key(&self, line: &Line, k: usize) -> Fast<Option<KeyTok<'a>>> {
        let text = self.bytes(line);
        let Some(&first) = text.get(k) else {
            return Ok(None);
        };
        if first == b'"' || first == b'\'' {
            let Some((inner, close)) = self.quoted_line(line, k)? else {
                return Ok(None);
            };
            let colon = skip_spaces(text, close + 1);
            if text.get(colon) != Some(&b':') || !matches!(text.get(colon + 1), None | Some(b' ')) {
                return Ok(None);
            }
            if close - k > MAX_KEY_BYTES {
                return Err(decline());
            }
            return Ok(Some(KeyTok {
                text: inner,
                plain: false,
                colon,
            }));
        }
        if !plain_start(text, k) {
            return Ok(None);
        }
        let mut i = k;
        while let Some(&b) = text.get(i) {
            match b {
                b':' if matches!(text.get(i + 1), None | Some(b' ')) => {
                    let mut end = i;
                    while end > k && text.get(end - 1) == Some(&b' ') {
                        end -= 1;
                    }
                    if end - k > MAX_KEY_BYTES {
                        return Err(decline());
                    }
                    let name = self.text(line, k, end)?;
                    if name == "<<" {
                        return Err(decline());
                    }
                    return Ok(Some(KeyTok {
                        text: Cow::Borrowed(name),
                        plain: true,
                        colon: i,
                    }));
                }
                b'#' if text.get(i.wrapping_sub(1)) == Some(&b' ') => return Ok(None),
                b'\t' => return Err(decline()),
                _ => {}
            }
            i += 1;
        }
        Ok(None)
    }

    /// A quoted scalar on one line, without escapes, whose opening quote is at `q`:
    /// its text and the offset of the closing quote. `None` for anything else.
    fn quoted_line(&self, line: &Line, q: usize) -> Fast<Option<(Cow<'a, str>, usize)>> {
        let text = self.bytes(line);
        let quote = *text.get(q).ok_or_else(|| decline())?;
        let mut i = q + 1;
        let mut escaped = false;
        loop {
            match text.get(i) {
                None => return Ok(None),
                Some(b'\\') if quote == b'"' => return Ok(None),
                Some(b'\t') => return Err(decline()),
                Some(&b) if b == quote => {
                    if quote == b'\'' && text.get(i + 1) == Some(&b'\'') {
                        escaped = true;
                        i += 2;
                        continue;
                    }
                    break;
                }
                Some(_) => i += 1,
            }
        }
        let inner = self.text(line, q + 1, i)?;
        let inner = if escaped {
            Cow::Owned(inner.replace("''", "'"))
        } else {
            Cow::Borrowed(inner)
        };
        Ok(Some((inner, i)))
    }

    /// A quoted scalar whose opening quote is at byte `q` of `line`, possibly with
    /// escapes and over several lines (continuation lines indented more than
    /// `owner`), folded as go-yaml folds it. Returns the text, the line of the
    /// closing quote and the quote's offset in it.
    fn quoted(
        &self,
        line: &Line,
        q: usize,
        owner: usize,
        out: &mut String,
    ) -> Fast<(Cow<'a, str>, Line, usize)> {
        if let Some((inner, close)) = self.quoted_line(line, q)? {
            return Ok((inner, *line, close));
        }
        let single = self.bytes(line).get(q) == Some(&b'\'');
        let quote = if single { b'\'' } else { b'"' };
        out.clear();
        let mut cur = *line;
        let mut i = q + 1;
        loop {
            let mut t = self.bytes(&cur);
            if i == 0 && (t.starts_with(b"---") || t.starts_with(b"...")) {
                return Err(decline());
            }
            let mut leading_blanks = false;
            // Non-blank characters.
            loop {
                let run = i;
                while let Some(&b) = t.get(i) {
                    if matches!(b, b' ' | b'\t' | b'\'' | b'"' | b'\\') {
                        break;
                    }
                    i += 1;
                }
                if i > run {
                    out.push_str(self.text(&cur, run, i)?);
                }
                match t.get(i) {
                    None | Some(b' ') => break,
                    Some(b'\t') => return Err(decline()),
                    Some(b'\'') if single => {
                        if t.get(i + 1) == Some(&b'\'') {
                            out.push('\'');
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    Some(b'"') if !single => break,
                    Some(b'\\') if !single => {
                        if i + 1 == t.len() {
                            // An escaped line break: joined without a space.
                            if !cur.terminated {
                                return Err(decline());
                            }
                            cur = self.line_after(&cur).ok_or_else(|| decline())?;
                            t = self.bytes(&cur);
                            i = 0;
                            leading_blanks = true;
                            break;
                        }
                        let (ch, len) = escape(t.get(i + 1..).unwrap_or_default())?;
                        out.push(ch);
                        i += 1 + len;
                    }
                    Some(&b) => {
                        // The other quote, or a backslash in single quotes.
                        out.push(char::from(b));
                        i += 1;
                    }
                }
            }
            if !leading_blanks && t.get(i) == Some(&quote) {
                return Ok((Cow::Owned(out.as_str().to_owned()), cur, i));
            }
            // Blanks and line breaks.
            let mut ws_start = None;
            let mut leading_break = false;
            let mut trailing_breaks = false;
            loop {
                match t.get(i) {
                    Some(b' ') => {
                        if !leading_blanks {
                            ws_start.get_or_insert(out.len());
                            out.push(' ');
                        }
                        i += 1;
                    }
                    Some(b'\t') => return Err(decline()),
                    None => {
                        if !cur.terminated {
                            return Err(decline());
                        }
                        if leading_blanks {
                            out.push('\n');
                            trailing_breaks = true;
                        } else {
                            if let Some(at) = ws_start.take() {
                                out.truncate(at);
                            }
                            leading_break = true;
                            leading_blanks = true;
                        }
                        cur = self.line_after(&cur).ok_or_else(|| decline())?;
                        t = self.bytes(&cur);
                        i = 0;
                    }
                    Some(_) => break,
                }
            }
            if leading_blanks && i <= owner {
                return Err(decline());
            }
            if leading_break && !trailing_breaks {
                out.push(' ');
            }
        }
    }

    /// A value starting at byte `v` of `line`, in a collection whose indentation
    /// is `owner` (block scalar content must be indented more).
    fn value(&mut self, line: Line, v: usize, owner: usize) -> Fast<()> {
        let text = self.bytes(&line);
        let first = *text.get(v).ok_or_else(|| decline())?;
        let pos = self.pos(&line, v);
        match first {
            b'"' | b'\'' => {
                let mut buf = std::mem::take(&mut self.buf);
                let quoted = self.quoted(&line, v, owner, &mut buf);
                self.buf = buf;
                let (inner, last, close) = quoted?;
                end_of_line(self.bytes(&last), close + 1)?;
                if last.no != line.no {
                    self.advance(&last);
                }
                ok(self.builder.scalar(inner, false, 0, None, pos))
            }
            b'[' | b'{' => self.flow(line, v),
            b'|' | b'>' => self.block_scalar(line, v, owner),
            _ => {
                if !plain_start(text, v) {
                    return Err(decline());
                }
                let (end, comment) = plain_line(text, v)?;
                let first = self.text(&line, v, end)?;
                let s = if comment {
                    Cow::Borrowed(first)
                } else {
                    self.plain_continuation(&line, first, owner)?
                };
                ok(self.builder.scalar(s, true, 0, None, pos))
            }
        }
    }

    /// The rest of a plain scalar whose first line (`first`, ending `line`) is read:
    /// continuation lines indented more than `owner`, folded as YAML folds them.
    fn plain_continuation(
        &mut self,
        line: &Line,
        first: &'a str,
        owner: usize,
    ) -> Fast<Cow<'a, str>> {
        let mut out = std::mem::take(&mut self.buf);
        out.clear();
        let mut cur = *line;
        let mut last = *line;
        let mut blank_lines = 0usize;
        while let Some(next) = self.line_after(&cur) {
            cur = next;
            let t = self.bytes(&next);
            let s = skip_spaces(t, 0);
            match t.get(s) {
                None => {
                    blank_lines += 1;
                    continue;
                }
                Some(b'\t') => return Err(decline()),
                Some(b'#') => break,
                // Indicators do not start anything inside a plain scalar.
                _ if s <= owner => break,
                _ => {}
            }
            let (end, comment) = plain_line(t, s)?;
            let more = self.text(&next, s, end)?;
            if out.is_empty() {
                out.push_str(first);
            }
            if blank_lines == 0 {
                out.push(' ');
            } else {
                push_breaks(&mut out, blank_lines);
            }
            blank_lines = 0;
            out.push_str(more);
            last = next;
            if comment {
                break;
            }
        }
        let text = if last.no == line.no {
            Cow::Borrowed(first)
        } else {
            self.advance(&last);
            Cow::Owned(out.as_str().to_owned())
        };
        self.buf = out;
        Ok(text)
    }

    /// A one-line flow sequence or mapping of scalars at byte `at`.
    fn flow(&mut self, line: Line, at: usize) -> Fast<()> {
        let text = self.bytes(&line);
        let map = text.get(at) == Some(&b'{');
        let close = if map { b'}' } else { b']' };
        let pos = self.pos(&line, at);
        if self.stack.len() >= self.nesting {
            return Err(decline());
        }
        ok(self.builder.start(pos, 0, map))?;
        let mut i = skip_spaces(text, at + 1);
        if text.get(i) == Some(&close) {
            ok(self.builder.end())?;
            return end_of_line(text, i + 1);
        }
        loop {
            i = self.flow_scalar(&line, i, map)?;
            if map {
                if text.get(i) != Some(&b':') || text.get(i + 1) != Some(&b' ') {
                    return Err(decline());
                }
                i = skip_spaces(text, i + 1);
                i = self.flow_scalar(&line, i, false)?;
            }
            match text.get(i) {
                Some(b',') => {
                    i = skip_spaces(text, i + 1);
                    if matches!(text.get(i), Some(b']' | b'}')) {
                        return Err(decline());
                    }
                }
                Some(&b) if b == close => break,
                _ => return Err(decline()),
            }
        }
        ok(self.builder.end())?;
        end_of_line(text, i + 1)
    }

    /// A scalar inside a flow collection at byte `at`; returns the offset after it
    /// and any spaces that follow. `key` allows the `: ` that ends a mapping key.
    fn flow_scalar(&mut self, line: &Line, at: usize, key: bool) -> Fast<usize> {
        let text = self.bytes(line);
        let pos = self.pos(line, at);
        let first = *text.get(at).ok_or_else(|| decline())?;
        if first == b'"' || first == b'\'' {
            let (inner, close) = self.quoted_line(line, at)?.ok_or_else(|| decline())?;
            if key && close - at > MAX_KEY_BYTES {
                return Err(decline());
            }
            ok(self.builder.scalar(inner, false, 0, None, pos))?;
            return Ok(skip_spaces(text, close + 1));
        }
        let safe_start = first.is_ascii_alphanumeric()
            || matches!(first, b'_' | b'.' | b'/' | b'~' | b'$')
            || (matches!(first, b'-' | b'+')
                && text
                    .get(at + 1)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.'));
        if !safe_start {
            return Err(decline());
        }
        let mut i = at;
        loop {
            match text.get(i) {
                None => return Err(decline()),
                Some(b',' | b']' | b'}') => break,
                Some(b':') if key && text.get(i + 1) == Some(&b' ') => break,
                // In a flow collection go-yaml ends a plain scalar at `?` (and
                // then reads a key indicator): leave that to the full parser.
                Some(b':' | b'#' | b'[' | b'{' | b'\t' | b'"' | b'\'' | b'?') => {
                    return Err(decline());
                }
                Some(_) => i += 1,
            }
        }
        let mut end = i;
        while end > at && text.get(end - 1) == Some(&b' ') {
            end -= 1;
        }
        // go-yaml gives up on a key that has not found its `:` within 1024
        // characters.
        if key && i - at > MAX_KEY_BYTES {
            return Err(decline());
        }
        let s = self.text(line, at, end)?;
        ok(self.builder.scalar(Cow::Borrowed(s), true, 0, None, pos))?;
        Ok(i)
    }

    /// A block scalar whose header (`|`, `>`, with `-` or `+`) is at byte `h`; its
    /// content is on the following lines, indented more than `owner`.
    fn block_scalar(&mut self, line: Line, h: usize, owner: usize) -> Fast<()> {
        // A block scalar is placed at its header, where its token starts.
        let pos = self.pos(&line, h);
        let text = self.bytes(&line);
        let folded = text.get(h) == Some(&b'>');
        let mut i = h + 1;
        let chomp = match text.get(i) {
            Some(b'-') => {
                i += 1;
                Chomp::Strip
            }
            Some(b'+') => {
                i += 1;
                Chomp::Keep
            }
            _ => Chomp::Clip,
        };
        match text.get(i) {
            None => {}
            Some(b' ') => end_of_line(text, i)?,
            Some(_) => return Err(decline()),
        }
        // Leading empty lines, then the first content line sets the indentation.
        let mut breaks = 0usize;
        let (mut cur, indent) = loop {
            let next = self.peek_line().ok_or_else(|| decline())?;
            let t = self.bytes(&next);
            if t.is_empty() {
                breaks += 1;
                self.advance(&next);
                continue;
            }
            let s = skip_spaces(t, 0);
            if s == t.len() || t.get(s) == Some(&b'\t') || s <= owner {
                return Err(decline());
            }
            break (next, s);
        };
        let mut out = std::mem::take(&mut self.buf);
        out.clear();
        let mut leading_break = false;
        let mut leading_blank = false;
        'lines: loop {
            let t = self.bytes(&cur);
            let content = t.get(indent..).unwrap_or_default();
            let trailing_blank = matches!(content.first(), Some(b' ' | b'\t'));
            if folded && leading_break && !leading_blank && !trailing_blank {
                if breaks == 0 {
                    out.push(' ');
                } else {
                    push_breaks(&mut out, breaks);
                }
            } else {
                if leading_break {
                    out.push('\n');
                }
                push_breaks(&mut out, breaks);
            }
            breaks = 0;
            leading_blank = trailing_blank;
            out.push_str(self.text(&cur, indent, cur.end - cur.start)?);
            self.advance(&cur);
            // A last line without a break reads as if it had one.
            leading_break = true;
            if !cur.terminated {
                break;
            }
            loop {
                let Some(next) = self.peek_line() else {
                    break 'lines;
                };
                let t = self.bytes(&next);
                let s = skip_spaces(t, 0);
                if s == t.len() {
                    if !next.terminated {
                        return Err(decline());
                    }
                    if s <= indent {
                        breaks += 1;
                        self.advance(&next);
                        continue;
                    }
                    cur = next;
                    continue 'lines;
                }
                if s >= indent {
                    cur = next;
                    continue 'lines;
                }
                break 'lines;
            }
        }
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => {
                if leading_break {
                    out.push('\n');
                }
            }
            Chomp::Keep => {
                if leading_break {
                    out.push('\n');
                }
                push_breaks(&mut out, breaks);
            }
        }
        let text = out.as_str().to_owned();
        self.buf = out;
        ok(self.builder.scalar(Cow::Owned(text), false, 0, None, pos))
    }
}

#[derive(Clone, Copy)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

fn push_breaks(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push('\n');
    }
}

/// True when a sequence entry (`-` then a space or the line end) starts at `i`.
#[inline]
fn is_entry(text: &[u8], i: usize) -> bool {
    text.get(i) == Some(&b'-') && matches!(text.get(i + 1), None | Some(b' '))
}

/// True when a plain scalar may start at `i` (in block context): not an
/// indicator, and `-` only before a character that is not a space.
#[inline]
fn plain_start(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        None => false,
        Some(
            b'[' | b']' | b'{' | b'}' | b',' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`' | b'?' | b':' | b' ' | b'\t',
        ) => false,
        Some(b'-') => !matches!(text.get(i + 1), None | Some(b' ' | b'\t')),
        Some(_) => true,
    }
}

/// Only spaces, then the line end or a comment, from `i` on.
fn end_of_line(text: &[u8], i: usize) -> Fast<()> {
    let j = skip_spaces(text, i);
    match text.get(j) {
        None => Ok(()),
        Some(b'#') if j > i => Ok(()),
        Some(_) => Err(decline()),
    }
}

/// One line of a plain scalar from `v`: the end of its text (trailing spaces
/// trimmed) and whether a comment follows. Declines on `: ` (a mapping value where
/// none may be) and on tabs.
fn plain_line(text: &[u8], v: usize) -> Fast<(usize, bool)> {
    let mut end = text.len();
    let mut comment = false;
    let mut i = v;
    while let Some(&b) = text.get(i) {
        match b {
            b':' if matches!(text.get(i + 1), None | Some(b' ')) => return Err(decline()),
            b'#' if text.get(i.wrapping_sub(1)) == Some(&b' ') => {
                end = i;
                comment = true;
                break;
            }
            b'\t' => return Err(decline()),
            _ => {}
        }
        i += 1;
    }
    while end > v && text.get(end - 1) == Some(&b' ') {
        end -= 1;
    }
    Ok((end, comment))
}

/// A double-quoted escape after its backslash: the character and the bytes used.
fn escape(after: &[u8]) -> Fast<(char, usize)> {
    let simple = match after.first().ok_or_else(|| decline())? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex_escape(after, 2),
        b'u' => return hex_escape(after, 4),
        b'U' => return hex_escape(after, 8),
        _ => return Err(decline()),
    };
    Ok((simple, 1))
}

fn hex_escape(after: &[u8], digits: usize) -> Fast<(char, usize)> {
    let hex = after.get(1..=digits).ok_or_else(|| decline())?;
    let mut value = 0u32;
    for &b in hex {
        let d = char::from(b).to_digit(16).ok_or_else(|| decline())?;
        value = value
            .checked_mul(16)
            .and_then(|v| v.checked_add(d))
            .ok_or_else(|| decline())?;
    }
    // Surrogates (and pairs of them) are left to the full parser.
    let ch = char::from_u32(value).ok_or_else(|| decline())?;
    Ok((ch, 1 + digits))
}
