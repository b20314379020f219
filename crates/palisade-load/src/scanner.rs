//! The YAML 1.1 tokenizer kubectl uses, rewritten in Rust: go-yaml v2's scanner
//! (itself a port of libyaml 0.1), token rule for token rule.
//!
//! Why our own: no crate tokenizes as go-yaml v2 does. YAML 1.2 parsers disagree
//! with it in ways an attacker can use to show a scanner one object and the
//! cluster another: NEL, LS and PS are line breaks here (text after one inside a
//! comment is live YAML); in a flow collection `?` and `:` are indicators even
//! when glued to the next word, and `?` ends a plain scalar; anchor names are
//! `[0-9A-Za-z_-]+`, so `*k: v` is an alias key; a block-scalar header may carry a
//! comment without a space (`>#c`); tabs are white space inside flow collections
//! and after a token, never in block indentation; `\/` is not an escape. The
//! libyaml 0.2 ports (unsafe-libyaml and its descendants) changed several of these
//! rules, so they are not a substitute either. kubectl itself is the judge: the
//! golden pairs in `tests/golden` were recorded with it.
//!
//! The structure is libyaml's: tokens are fetched into a queue; a *simple key*
//! (a scalar, alias or flow collection that may turn out to be a mapping key) is
//! remembered until a `:` confirms it, at which point a KEY token (and perhaps a
//! BLOCK-MAPPING-START) is inserted before it in the queue. Indentation produces
//! BLOCK-*-START and BLOCK-END tokens.
//!
//! Bounded work: flow nesting and block indentation are capped at the document
//! depth limit, so the per-token walk over the simple-key stack is bounded; every
//! loop advances the input.

use std::collections::VecDeque;

use palisade_core::node::Pos;

/// A place in the chunk. `index` and `column` count characters, `line` counts
/// every YAML 1.1 line break (these three drive go-yaml's rules); `pos` is the
/// place shown to users, in lines an editor counts (LF, CRLF, or a lone CR).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mark {
    pub index: usize,
    pub line: usize,
    pub column: usize,
    pub pos: Pos,
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    StreamStart,
    StreamEnd,
    VersionDirective(u32, u32),
    TagDirective { handle: String, prefix: String },
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias(String),
    Anchor(String),
    Tag { handle: String, suffix: String },
    Scalar(String, ScalarStyle),
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: Mark,
    pub end: Mark,
}

/// A syntax error, placed where go-yaml places it. The message is go-yaml's
/// problem text, which is what kubectl prints after `yaml: line N:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScanError {
    pub mark: Mark,
    pub problem: String,
    /// The construct being read when it went wrong and where it starts (for
    /// an unclosed collection, the place to look is where it opens).
    pub context: Option<(&'static str, Mark)>,
}

pub(crate) type ScanResult<T> = Result<T, ScanError>;

fn error<T>(mark: Mark, problem: impl Into<String>) -> ScanResult<T> {
    Err(ScanError {
        mark,
        problem: problem.into(),
        context: None,
    })
}

#[derive(Clone, Copy, Debug, Default)]
struct SimpleKey {
    possible: bool,
    required: bool,
    token_number: usize,
    mark: Mark,
}

/// The end of input reads as NUL, as in go-yaml (the reader refuses a real NUL).
const EOF: char = '\0';

const BOM: char = '\u{FEFF}';

/// go-yaml reads its input 512 bytes at a time. Its buffer restarts at the
/// scanning position when the scanner asks to look further ahead than the
/// characters decoded so far: near the end of each such window, and near the end
/// of input.
const READ_WINDOW: usize = 512;

/// The characters before a window's end (or the input's end) where the buffer may
/// restart: go-yaml looks at most four characters ahead from a place a BOM could
/// be (the document-indicator check), so a restart lands on one of the last three;
/// one more for margin.
const RESTART_ZONE: usize = 4;

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_breakz(c: char) -> bool {
    is_break(c) || c == EOF
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_blankz(c: char) -> bool {
    is_blank(c) || is_breakz(c)
}

/// go-yaml's "alpha": what anchor names, tag handles and directive names use.
fn is_alpha(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Characters go-yaml's reader accepts; anything else is "control characters are
/// not allowed".
pub(crate) fn is_allowed_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{85}'
        | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

pub(crate) struct Scanner<'a> {
    src: &'a str,
    /// Byte offset of the next character.
    at: usize,
    mark: Mark,
    max_depth: usize,
    tokens: VecDeque<Token>,
    tokens_parsed: usize,
    token_available: bool,
    stream_start_produced: bool,
    stream_end_fetched: bool,
    stream_end_produced: bool,
    indent: isize,
    indents: Vec<isize>,
    simple_key_allowed: bool,
    simple_keys: Vec<SimpleKey>,
    /// Indices of the possible simple keys, ascending. go-yaml walks every level
    /// of `simple_keys` for every token, which makes deep flow nesting times many
    /// tokens quadratic (a 3 MB file with 990 levels took 13 s); walking only the
    /// possible ones keeps it linear.
    possible: Vec<usize>,
    flow_level: usize,
}

impl<'a> Scanner<'a> {
    /// A scanner over one chunk whose first line is line `first_line` of its file.
    pub(crate) fn new(src: &'a str, first_line: u32, max_depth: usize) -> Self {
        Scanner {
            src,
            // go-yaml's reader drops one byte-order mark at the start of its input.
            at: if src.starts_with(BOM) {
                BOM.len_utf8()
            } else {
                0
            },
            mark: Mark {
                pos: Pos::new(first_line, 1),
                ..Mark::default()
            },
            max_depth,
            tokens: VecDeque::new(),
            tokens_parsed: 0,
            token_available: false,
            stream_start_produced: false,
            stream_end_fetched: false,
            stream_end_produced: false,
            indent: -1,
            indents: Vec::new(),
            simple_key_allowed: false,
            simple_keys: Vec::new(),
            possible: Vec::new(),
            flow_level: 0,
        }
    }

    // ---- Reading characters ------------------------------------------------

    fn ch(&self) -> char {
        self.src
            .get(self.at..)
            .and_then(|s| s.chars().next())
            .unwrap_or(EOF)
    }

    /// The character `n` places ahead (0 is the current one).
    fn peek(&self, n: usize) -> char {
        self.src
            .get(self.at..)
            .and_then(|s| s.chars().nth(n))
            .unwrap_or(EOF)
    }

    fn skip(&mut self) {
        let c = self.ch();
        if c == EOF {
            return;
        }
        self.at += c.len_utf8();
        self.mark.index += 1;
        self.mark.column += 1;
        self.mark.pos.col = self.mark.pos.col.saturating_add(1);
    }

    /// Steps over a line break (CRLF counts once), as go-yaml's `skip_line`.
    fn skip_line(&mut self) {
        let c = self.ch();
        if c == '\r' && self.peek(1) == '\n' {
            self.at += 2;
            self.mark.index += 2;
        } else if is_break(c) {
            self.at += c.len_utf8();
            self.mark.index += 1;
        } else {
            return;
        }
        self.mark.column = 0;
        self.mark.line += 1;
        self.new_display_line(c);
    }

    /// Only LF, CRLF and CR start a line in an editor; after NEL, LS or PS the
    /// shown column just moves on (go-yaml's own line and column restart).
    fn new_display_line(&mut self, brk: char) {
        if matches!(brk, '\r' | '\n') {
            self.mark.pos.line = self.mark.pos.line.saturating_add(1);
            self.mark.pos.col = 1;
        } else {
            self.mark.pos.col = self.mark.pos.col.saturating_add(1);
        }
    }

    fn read(&mut self, s: &mut String) {
        s.push(self.ch());
        self.skip();
    }

    /// Copies a line break into `s` as go-yaml does: CR, LF, CRLF and NEL become
    /// LF; LS and PS stay themselves.
    fn read_line(&mut self, s: &mut String) {
        let c = self.ch();
        match c {
            '\r' | '\n' | '\u{85}' => s.push('\n'),
            '\u{2028}' | '\u{2029}' => s.push(c),
            _ => return,
        }
        self.skip_line();
    }

    fn at_document_indicator(&self) -> bool {
        self.mark.column == 0
            && ((self.peek(0) == '-' && self.peek(1) == '-' && self.peek(2) == '-')
                || (self.peek(0) == '.' && self.peek(1) == '.' && self.peek(2) == '.'))
            && is_blankz(self.peek(3))
    }

    // ---- The token queue -----------------------------------------------------

    /// The next token, fetching as many as needed to know it is final.
    pub(crate) fn peek_token(&mut self) -> ScanResult<&Token> {
        if !self.token_available {
            self.fetch_more_tokens()?;
        }
        match self.tokens.front() {
            Some(token) => Ok(token),
            None => error(self.mark, "unexpected end of the token stream"),
        }
    }

    pub(crate) fn skip_token(&mut self) {
        self.token_available = false;
        self.tokens_parsed += 1;
        if let Some(token) = self.tokens.pop_front()
            && token.kind == TokenKind::StreamEnd
        {
            self.stream_end_produced = true;
        }
    }

    fn fetch_more_tokens(&mut self) -> ScanResult<()> {
        loop {
            let need_more = if self.tokens.is_empty() {
                true
            } else {
                self.stale_simple_keys()?;
                let parsed = self.tokens_parsed;
                self.possible.iter().any(|&i| {
                    self.simple_keys
                        .get(i)
                        .is_some_and(|k| k.possible && k.token_number == parsed)
                })
            };
            // Past the end of input nothing can turn the head into a key.
            if !need_more || self.stream_end_fetched {
                break;
            }
            self.fetch_next_token()?;
        }
        self.token_available = true;
        Ok(())
    }

    fn push(&mut self, kind: TokenKind, start: Mark) {
        let end = self.mark;
        self.tokens.push_back(Token { kind, start, end });
    }

    /// Consumes a one-character indicator and queues its token.
    fn indicator(&mut self, kind: TokenKind) -> ScanResult<()> {
        let start = self.mark;
        self.skip();
        self.push(kind, start);
        Ok(())
    }

    /// In block context, where a key may start, an indicator at this column may
    /// open a block collection (`problem` when no key may start here).
    fn block_indicator(&mut self, kind: TokenKind, problem: &str) -> ScanResult<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return error(self.mark, problem);
            }
            let mark = self.mark;
            self.roll_indent(mark.column, None, kind, mark)?;
        }
        Ok(())
    }

    fn fetch_next_token(&mut self) -> ScanResult<()> {
        if !self.stream_start_produced {
            return self.fetch_stream_start();
        }
        self.scan_to_next_token();
        self.stale_simple_keys()?;
        self.unroll_indent(self.mark.column as isize);
        let c = self.ch();
        if self.at_end() {
            return self.fetch_stream_end();
        }
        if self.mark.column == 0 && c == '%' {
            return self.fetch_directive();
        }
        if self.at_document_indicator() {
            let kind = if c == '-' {
                TokenKind::DocumentStart
            } else {
                TokenKind::DocumentEnd
            };
            return self.fetch_document_indicator(kind);
        }
        let next = self.peek(1);
        match c {
            '[' => return self.fetch_flow_collection_start(TokenKind::FlowSequenceStart),
            '{' => return self.fetch_flow_collection_start(TokenKind::FlowMappingStart),
            ']' => return self.fetch_flow_collection_end(TokenKind::FlowSequenceEnd),
            '}' => return self.fetch_flow_collection_end(TokenKind::FlowMappingEnd),
            ',' => return self.fetch_flow_entry(),
            '-' if is_blankz(next) => return self.fetch_block_entry(),
            '?' if self.flow_level > 0 || is_blankz(next) => return self.fetch_key(),
            ':' if self.flow_level > 0 || is_blankz(next) => return self.fetch_value(),
            '*' => return self.fetch_possible_key(|s| s.scan_anchor(true)),
            '&' => return self.fetch_possible_key(|s| s.scan_anchor(false)),
            '!' => return self.fetch_possible_key(Self::scan_tag),
            '|' if self.flow_level == 0 => return self.fetch_block_scalar(true),
            '>' if self.flow_level == 0 => return self.fetch_block_scalar(false),
            '\'' => return self.fetch_possible_key(|s| s.scan_flow_scalar(true)),
            '"' => return self.fetch_possible_key(|s| s.scan_flow_scalar(false)),
            _ => {}
        }
        let indicator = matches!(
            c,
            '-' | '?'
                | ':'
                | ','
                | '['
                | ']'
                | '{'
                | '}'
                | '#'
                | '&'
                | '*'
                | '!'
                | '|'
                | '>'
                | '\''
                | '"'
                | '%'
                | '@'
                | '`'
        );
        if !(is_blankz(c) || indicator)
            || (c == '-' && !is_blank(next))
            || (self.flow_level == 0 && (c == '?' || c == ':') && !is_blankz(next))
        {
            return self.fetch_possible_key(Self::scan_plain_scalar);
        }
        error(self.mark, "found character that cannot start any token")
    }

    // ---- Simple keys and indentation -----------------------------------------

    /// A possible key on an earlier line, or more than 1024 characters back, is
    /// not a key; if one was required, that is an error.
    fn stale_simple_keys(&mut self) -> ScanResult<()> {
        let mark = self.mark;
        let keys = &mut self.simple_keys;
        let mut required_stale = false;
        self.possible.retain(|&i| {
            let Some(key) = keys.get_mut(i) else {
                return false;
            };
            if key.possible && (key.mark.line < mark.line || key.mark.index + 1024 < mark.index) {
                required_stale |= key.required;
                key.possible = false;
            }
            key.possible
        });
        if required_stale {
            return error(mark, "could not find expected ':'");
        }
        Ok(())
    }

    /// Marks the innermost level's key impossible (and forgets its index).
    fn drop_last_key(&mut self) {
        let last = self.simple_keys.len().wrapping_sub(1);
        if let Some(key) = self.simple_keys.last_mut() {
            key.possible = false;
        }
        if self.possible.last() == Some(&last) {
            self.possible.pop();
        }
    }

    fn save_simple_key(&mut self) -> ScanResult<()> {
        let required = self.flow_level == 0 && self.indent == self.mark.column as isize;
        if self.simple_key_allowed {
            let key = SimpleKey {
                possible: true,
                required,
                token_number: self.tokens_parsed + self.tokens.len(),
                mark: self.mark,
            };
            self.remove_simple_key()?;
            let last = self.simple_keys.len().wrapping_sub(1);
            if let Some(slot) = self.simple_keys.last_mut() {
                *slot = key;
                self.possible.push(last);
            }
        }
        Ok(())
    }

    fn remove_simple_key(&mut self) -> ScanResult<()> {
        let mark = self.mark;
        if let Some(key) = self.simple_keys.last()
            && key.possible
            && key.required
        {
            return error(mark, "could not find expected ':'");
        }
        self.drop_last_key();
        Ok(())
    }

    fn too_deep(&self) -> ScanResult<()> {
        error(
            self.mark,
            format!(
                "document nesting exceeds the limit max_depth = {}",
                self.max_depth
            ),
        )
    }

    fn increase_flow_level(&mut self) -> ScanResult<()> {
        if self.flow_level + self.indents.len() >= self.max_depth {
            return self.too_deep();
        }
        self.simple_keys.push(SimpleKey::default());
        self.flow_level += 1;
        Ok(())
    }

    fn decrease_flow_level(&mut self) {
        if self.flow_level > 0 {
            self.flow_level -= 1;
            self.drop_last_key();
            self.simple_keys.pop();
        }
    }

    /// Opens a block collection when `column` is deeper than the current indent.
    /// `number` is the queue position (in tokens parsed) to insert the start
    /// token at, or `None` to append it.
    fn roll_indent(
        &mut self,
        column: usize,
        number: Option<usize>,
        kind: TokenKind,
        mark: Mark,
    ) -> ScanResult<()> {
        if self.flow_level > 0 {
            return Ok(());
        }
        let column = column as isize;
        if self.indent < column {
            if self.flow_level + self.indents.len() >= self.max_depth {
                return self.too_deep();
            }
            self.indents.push(self.indent);
            self.indent = column;
            let token = Token {
                kind,
                start: mark,
                end: mark,
            };
            match number {
                Some(n) => {
                    let at = n.saturating_sub(self.tokens_parsed).min(self.tokens.len());
                    self.tokens.insert(at, token);
                }
                None => self.tokens.push_back(token),
            }
        }
        Ok(())
    }

    /// Closes block collections deeper than `column` (-1 closes them all).
    fn unroll_indent(&mut self, column: isize) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            let mark = self.mark;
            self.tokens.push_back(Token {
                kind: TokenKind::BlockEnd,
                start: mark,
                end: mark,
            });
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    // ---- Fetching each kind of token -----------------------------------------

    fn fetch_stream_start(&mut self) -> ScanResult<()> {
        self.indent = -1;
        self.simple_keys.push(SimpleKey::default());
        self.simple_key_allowed = true;
        self.stream_start_produced = true;
        let mark = self.mark;
        self.push(TokenKind::StreamStart, mark);
        Ok(())
    }

    fn at_end(&self) -> bool {
        self.at >= self.src.len()
    }

    fn fetch_stream_end(&mut self) -> ScanResult<()> {
        if self.mark.column != 0 {
            self.mark.column = 0;
            self.mark.line += 1;
        }
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        self.stream_end_fetched = true;
        let mark = self.mark;
        self.push(TokenKind::StreamEnd, mark);
        Ok(())
    }

    fn fetch_directive(&mut self) -> ScanResult<()> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_directive()?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_document_indicator(&mut self, kind: TokenKind) -> ScanResult<()> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.skip();
        self.skip();
        self.push(kind, start);
        Ok(())
    }

    fn fetch_flow_collection_start(&mut self, kind: TokenKind) -> ScanResult<()> {
        self.save_simple_key()?;
        self.increase_flow_level()?;
        self.simple_key_allowed = true;
        self.indicator(kind)
    }

    fn fetch_flow_collection_end(&mut self, kind: TokenKind) -> ScanResult<()> {
        self.remove_simple_key()?;
        self.decrease_flow_level();
        self.simple_key_allowed = false;
        self.indicator(kind)
    }

    fn fetch_flow_entry(&mut self) -> ScanResult<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        self.indicator(TokenKind::FlowEntry)
    }

    fn fetch_block_entry(&mut self) -> ScanResult<()> {
        self.block_indicator(
            TokenKind::BlockSequenceStart,
            "block sequence entries are not allowed in this context",
        )?;
        // In a flow collection `-` is an error the parser reports.
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        self.indicator(TokenKind::BlockEntry)
    }

    fn fetch_key(&mut self) -> ScanResult<()> {
        self.block_indicator(
            TokenKind::BlockMappingStart,
            "mapping keys are not allowed in this context",
        )?;
        self.remove_simple_key()?;
        self.simple_key_allowed = self.flow_level == 0;
        self.indicator(TokenKind::Key)
    }

    fn fetch_value(&mut self) -> ScanResult<()> {
        let key = self.simple_keys.last().copied().unwrap_or_default();
        if key.possible {
            // The remembered scalar was a key after all: put KEY before it.
            let at = key
                .token_number
                .saturating_sub(self.tokens_parsed)
                .min(self.tokens.len());
            self.tokens.insert(
                at,
                Token {
                    kind: TokenKind::Key,
                    start: key.mark,
                    end: key.mark,
                },
            );
            self.roll_indent(
                key.mark.column,
                Some(key.token_number),
                TokenKind::BlockMappingStart,
                key.mark,
            )?;
            self.drop_last_key();
            self.simple_key_allowed = false;
        } else {
            self.block_indicator(
                TokenKind::BlockMappingStart,
                "mapping values are not allowed in this context",
            )?;
            self.simple_key_allowed = self.flow_level == 0;
        }
        self.indicator(TokenKind::Value)
    }

    /// An alias, anchor, tag, or quoted or plain scalar: it may turn out to be a
    /// simple key, so it is remembered as one before it is scanned.
    fn fetch_possible_key(&mut self, scan: fn(&mut Self) -> ScanResult<Token>) -> ScanResult<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = scan(self)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_block_scalar(&mut self, literal: bool) -> ScanResult<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let token = self.scan_block_scalar(literal)?;
        self.tokens.push_back(token);
        Ok(())
    }

    // ---- Scanning ------------------------------------------------------------

    /// Skips white space, comments and line breaks before the next token. A tab
    /// is white space only inside a flow collection or where no simple key may
    /// start (after a token on the same line): never as block indentation.
    ///
    /// go-yaml also skips one character at column 0 when its read *buffer*
    /// starts with a byte-order mark (its `is_bom` looks at the buffer's first
    /// bytes, not at the current character). The caller refuses every chunk where
    /// that can happen ([`ambiguous_bom`]), so here a BOM is never skipped: at the
    /// start of a line it starts a plain scalar, as kubectl reads it.
    fn scan_to_next_token(&mut self) {
        loop {
            while self.ch() == ' '
                || ((self.flow_level > 0 || !self.simple_key_allowed) && self.ch() == '\t')
            {
                self.skip();
            }
            if self.ch() == '#' {
                while !is_breakz(self.ch()) {
                    self.skip();
                }
            }
            if is_break(self.ch()) {
                self.skip_line();
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
            } else {
                break;
            }
        }
    }

    fn scan_directive(&mut self) -> ScanResult<Token> {
        let start = self.mark;
        self.skip();
        let mut name = String::new();
        while is_alpha(self.ch()) {
            self.read(&mut name);
        }
        if name.is_empty() {
            return error(self.mark, "could not find expected directive name");
        }
        if !is_blankz(self.ch()) {
            return error(self.mark, "found unexpected non-alphabetical character");
        }
        let kind = match name.as_str() {
            "YAML" => {
                self.skip_blanks();
                let major = self.scan_version_number()?;
                if self.ch() != '.' {
                    return error(self.mark, "did not find expected digit or '.' character");
                }
                self.skip();
                let minor = self.scan_version_number()?;
                TokenKind::VersionDirective(major, minor)
            }
            "TAG" => {
                self.skip_blanks();
                let handle = self.scan_tag_handle(true)?;
                if !is_blank(self.ch()) {
                    return error(self.mark, "did not find expected whitespace");
                }
                self.skip_blanks();
                let prefix = self.scan_tag_uri(None)?;
                if !is_blankz(self.ch()) {
                    return error(self.mark, "did not find expected whitespace or line break");
                }
                TokenKind::TagDirective { handle, prefix }
            }
            _ => return error(start, "found unknown directive name"),
        };
        let end = self.mark;
        self.skip_blanks();
        if self.ch() == '#' {
            while !is_breakz(self.ch()) {
                self.skip();
            }
        }
        if !is_breakz(self.ch()) {
            return error(self.mark, "did not find expected comment or line break");
        }
        self.skip_line();
        Ok(Token { kind, start, end })
    }

    fn skip_blanks(&mut self) {
        while is_blank(self.ch()) {
            self.skip();
        }
    }

    fn scan_version_number(&mut self) -> ScanResult<u32> {
        let mut value: u32 = 0;
        let mut length = 0;
        while let Some(digit) = self.ch().to_digit(10) {
            length += 1;
            if length > 9 {
                return error(self.mark, "found extremely long version number");
            }
            value = value * 10 + digit;
            self.skip();
        }
        if length == 0 {
            return error(self.mark, "did not find expected version number");
        }
        Ok(value)
    }

    fn scan_anchor(&mut self, alias: bool) -> ScanResult<Token> {
        let start = self.mark;
        self.skip();
        let mut name = String::new();
        while is_alpha(self.ch()) {
            self.read(&mut name);
        }
        let c = self.ch();
        if name.is_empty()
            || !(is_blankz(c) || matches!(c, '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`'))
        {
            return error(
                self.mark,
                "did not find expected alphabetic or numeric character",
            );
        }
        let kind = if alias {
            TokenKind::Alias(name)
        } else {
            TokenKind::Anchor(name)
        };
        Ok(Token {
            kind,
            start,
            end: self.mark,
        })
    }

    fn scan_tag(&mut self) -> ScanResult<Token> {
        let start = self.mark;
        let (handle, suffix) = if self.peek(1) == '<' {
            // Verbatim: `!<tag:yaml.org,2002:str>`.
            self.skip();
            self.skip();
            let suffix = self.scan_tag_uri(None)?;
            if self.ch() != '>' {
                return error(self.mark, "did not find the expected '>'");
            }
            self.skip();
            (String::new(), suffix)
        } else {
            let handle = self.scan_tag_handle(false)?;
            if handle.len() > 1 && handle.starts_with('!') && handle.ends_with('!') {
                let suffix = self.scan_tag_uri(None)?;
                (handle, suffix)
            } else {
                // Not a handle after all: `!foo` is the handle `!` and suffix `foo`,
                // and a lone `!` is the non-specific tag.
                let suffix = self.scan_tag_uri(Some(&handle))?;
                if suffix.is_empty() {
                    (String::new(), "!".to_owned())
                } else {
                    ("!".to_owned(), suffix)
                }
            }
        };
        if !is_blankz(self.ch()) && (self.flow_level == 0 || self.ch() != ',') {
            return error(self.mark, "did not find expected whitespace or line break");
        }
        Ok(Token {
            kind: TokenKind::Tag { handle, suffix },
            start,
            end: self.mark,
        })
    }

    fn scan_tag_handle(&mut self, directive: bool) -> ScanResult<String> {
        if self.ch() != '!' {
            return error(self.mark, "did not find expected '!'");
        }
        let mut s = String::new();
        self.read(&mut s);
        while is_alpha(self.ch()) {
            self.read(&mut s);
        }
        if self.ch() == '!' {
            self.read(&mut s);
        } else if directive && s != "!" {
            // A %TAG handle is `!`, `!!` or `!name!`.
            return error(self.mark, "did not find expected '!'");
        }
        Ok(s)
    }

    /// A tag's URI part, `%`-escapes decoded. `head` is a handle that turned out to
    /// be the start of the suffix (its leading `!` is dropped, as go-yaml does).
    fn scan_tag_uri(&mut self, head: Option<&str>) -> ScanResult<String> {
        let mut s = String::new();
        let mut length = head.map_or(0, str::len);
        if let Some(head) = head
            && head.len() > 1
        {
            s.push_str(&head[1..]);
        }
        loop {
            let c = self.ch();
            let uri_char = is_alpha(c)
                || matches!(
                    c,
                    ';' | '/'
                        | '?'
                        | ':'
                        | '@'
                        | '&'
                        | '='
                        | '+'
                        | '$'
                        | ','
                        | '.'
                        | '!'
                        | '~'
                        | '*'
                        | '\''
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '%'
                );
            if !uri_char {
                break;
            }
            if c == '%' {
                self.scan_uri_escapes(&mut s)?;
            } else {
                self.read(&mut s);
            }
            length += 1;
        }
        if length == 0 {
            return error(self.mark, "did not find expected tag URI");
        }
        Ok(s)
    }

    /// `%XX` escapes forming one UTF-8 character.
    fn scan_uri_escapes(&mut self, s: &mut String) -> ScanResult<()> {
        let mut bytes = Vec::new();
        let mut width = 0usize;
        loop {
            let (c, h1, h2) = (self.peek(0), self.peek(1), self.peek(2));
            let (Some(hi), Some(lo)) = (h1.to_digit(16), h2.to_digit(16)) else {
                return error(self.mark, "did not find URI escaped octet");
            };
            if c != '%' {
                return error(self.mark, "did not find URI escaped octet");
            }
            let octet = (hi * 16 + lo) as u8;
            if width == 0 {
                width = match octet {
                    o if o & 0x80 == 0 => 1,
                    o if o & 0xE0 == 0xC0 => 2,
                    o if o & 0xF0 == 0xE0 => 3,
                    o if o & 0xF8 == 0xF0 => 4,
                    _ => return error(self.mark, "found an incorrect leading UTF-8 octet"),
                };
            } else if octet & 0xC0 != 0x80 {
                return error(self.mark, "found an incorrect trailing UTF-8 octet");
            }
            bytes.push(octet);
            self.skip();
            self.skip();
            self.skip();
            if bytes.len() == width {
                break;
            }
        }
        match std::str::from_utf8(&bytes) {
            Ok(text) => {
                s.push_str(text);
                Ok(())
            }
            Err(_) => error(self.mark, "found an incorrect leading UTF-8 octet"),
        }
    }

    fn scan_block_scalar(&mut self, literal: bool) -> ScanResult<Token> {
        let start = self.mark;
        self.skip();
        let mut chomping = 0i8;
        let mut increment = 0usize;
        let c = self.ch();
        if c == '+' || c == '-' {
            chomping = if c == '+' { 1 } else { -1 };
            self.skip();
            if let Some(d) = self.ch().to_digit(10) {
                if d == 0 {
                    return error(self.mark, "found an indentation indicator equal to 0");
                }
                increment = d as usize;
                self.skip();
            }
        } else if let Some(d) = c.to_digit(10) {
            if d == 0 {
                return error(self.mark, "found an indentation indicator equal to 0");
            }
            increment = d as usize;
            self.skip();
            let c = self.ch();
            if c == '+' || c == '-' {
                chomping = if c == '+' { 1 } else { -1 };
                self.skip();
            }
        }
        // The header may end in a comment, with or without a space before `#`.
        self.skip_blanks();
        if self.ch() == '#' {
            while !is_breakz(self.ch()) {
                self.skip();
            }
        }
        if !is_breakz(self.ch()) {
            return error(self.mark, "did not find expected comment or line break");
        }
        if is_break(self.ch()) {
            self.skip_line();
        }
        let mut end = self.mark;
        let mut indent = 0usize;
        if increment > 0 {
            indent = if self.indent >= 0 {
                self.indent as usize + increment
            } else {
                increment
            };
        }
        let mut s = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        self.scan_block_scalar_breaks(&mut indent, &mut trailing_breaks, &mut end)?;
        let mut leading_blank = false;
        while self.mark.column == indent && !self.at_end() {
            let trailing_blank = is_blank(self.ch());
            if !literal && leading_break.starts_with('\n') && !leading_blank && !trailing_blank {
                if trailing_breaks.is_empty() {
                    s.push(' ');
                }
                leading_break.clear();
            } else {
                s.push_str(&leading_break);
                leading_break.clear();
            }
            s.push_str(&trailing_breaks);
            trailing_breaks.clear();
            leading_blank = is_blank(self.ch());
            while !is_breakz(self.ch()) {
                self.read(&mut s);
            }
            self.read_line(&mut leading_break);
            self.scan_block_scalar_breaks(&mut indent, &mut trailing_breaks, &mut end)?;
        }
        if chomping != -1 {
            s.push_str(&leading_break);
        }
        if chomping == 1 {
            s.push_str(&trailing_breaks);
        }
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        Ok(Token {
            kind: TokenKind::Scalar(s, style),
            start,
            end,
        })
    }

    /// Empty and indentation-only lines of a block scalar; sets the indent from the
    /// first content line when no indicator gave it.
    fn scan_block_scalar_breaks(
        &mut self,
        indent: &mut usize,
        breaks: &mut String,
        end: &mut Mark,
    ) -> ScanResult<()> {
        let mut max_indent = 0usize;
        *end = self.mark;
        loop {
            while (*indent == 0 || self.mark.column < *indent) && self.ch() == ' ' {
                self.skip();
            }
            max_indent = max_indent.max(self.mark.column);
            if (*indent == 0 || self.mark.column < *indent) && self.ch() == '\t' {
                return error(
                    self.mark,
                    "found a tab character where an indentation space is expected",
                );
            }
            if !is_break(self.ch()) {
                break;
            }
            self.read_line(breaks);
            *end = self.mark;
        }
        if *indent == 0 {
            let parent = (self.indent + 1).max(1) as usize;
            *indent = max_indent.max(parent);
        }
        Ok(())
    }

    fn scan_flow_scalar(&mut self, single: bool) -> ScanResult<Token> {
        let start = self.mark;
        self.skip();
        let mut s = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        let mut whitespaces = String::new();
        loop {
            if self.at_document_indicator() {
                return error(self.mark, "found unexpected document indicator");
            }
            if self.at_end() {
                return error(self.mark, "found unexpected end of stream");
            }
            let mut leading_blanks = false;
            while !is_blankz(self.ch()) {
                let c = self.ch();
                if single && c == '\'' && self.peek(1) == '\'' {
                    s.push('\'');
                    self.skip();
                    self.skip();
                } else if c == if single { '\'' } else { '"' } {
                    break;
                } else if !single && c == '\\' && is_break(self.peek(1)) {
                    self.skip();
                    self.skip_line();
                    leading_blanks = true;
                    break;
                } else if !single && c == '\\' {
                    self.scan_escape(&mut s)?;
                } else {
                    self.read(&mut s);
                }
            }
            if self.ch() == if single { '\'' } else { '"' } {
                break;
            }
            while is_blank(self.ch()) || is_break(self.ch()) {
                if is_blank(self.ch()) {
                    if leading_blanks {
                        self.skip();
                    } else {
                        self.read(&mut whitespaces);
                    }
                } else if leading_blanks {
                    self.read_line(&mut trailing_breaks);
                } else {
                    whitespaces.clear();
                    self.read_line(&mut leading_break);
                    leading_blanks = true;
                }
            }
            if leading_blanks {
                fold(&mut s, &mut leading_break, &mut trailing_breaks);
            } else {
                s.push_str(&whitespaces);
                whitespaces.clear();
            }
        }
        self.skip();
        let style = if single {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        Ok(Token {
            kind: TokenKind::Scalar(s, style),
            start,
            end: self.mark,
        })
    }

    /// One `\` escape of a double-quoted scalar (go-yaml's set: no `\/`).
    fn scan_escape(&mut self, s: &mut String) -> ScanResult<()> {
        let mut code_length = 0usize;
        match self.peek(1) {
            '0' => s.push('\0'),
            'a' => s.push('\x07'),
            'b' => s.push('\x08'),
            't' | '\t' => s.push('\t'),
            'n' => s.push('\n'),
            'v' => s.push('\x0B'),
            'f' => s.push('\x0C'),
            'r' => s.push('\r'),
            'e' => s.push('\x1B'),
            ' ' => s.push(' '),
            '"' => s.push('"'),
            '\'' => s.push('\''),
            '\\' => s.push('\\'),
            'N' => s.push('\u{85}'),
            '_' => s.push('\u{A0}'),
            'L' => s.push('\u{2028}'),
            'P' => s.push('\u{2029}'),
            'x' => code_length = 2,
            'u' => code_length = 4,
            'U' => code_length = 8,
            _ => return error(self.mark, "found unknown escape character"),
        }
        self.skip();
        self.skip();
        if code_length > 0 {
            let mut value: u32 = 0;
            for k in 0..code_length {
                let Some(digit) = self.peek(k).to_digit(16) else {
                    return error(self.mark, "did not find expected hexdecimal number");
                };
                value = (value << 4) + digit;
            }
            let Some(c) = char::from_u32(value) else {
                return error(self.mark, "found invalid Unicode character escape code");
            };
            s.push(c);
            for _ in 0..code_length {
                self.skip();
            }
        }
        Ok(())
    }

    fn scan_plain_scalar(&mut self) -> ScanResult<Token> {
        let start = self.mark;
        let mut end = self.mark;
        let indent = self.indent + 1;
        let mut s = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        let mut whitespaces = String::new();
        let mut leading_blanks = false;
        loop {
            if self.at_document_indicator() || self.ch() == '#' {
                break;
            }
            while !is_blankz(self.ch()) {
                let c = self.ch();
                if (c == ':' && is_blankz(self.peek(1)))
                    || (self.flow_level > 0 && matches!(c, ',' | '?' | '[' | ']' | '{' | '}'))
                {
                    break;
                }
                if leading_blanks || !whitespaces.is_empty() {
                    if leading_blanks {
                        fold(&mut s, &mut leading_break, &mut trailing_breaks);
                        leading_blanks = false;
                    } else {
                        s.push_str(&whitespaces);
                        whitespaces.clear();
                    }
                }
                self.read(&mut s);
                end = self.mark;
            }
            if !(is_blank(self.ch()) || is_break(self.ch())) {
                break;
            }
            while is_blank(self.ch()) || is_break(self.ch()) {
                if is_blank(self.ch()) {
                    if leading_blanks && (self.mark.column as isize) < indent && self.ch() == '\t' {
                        return error(self.mark, "found a tab character that violates indentation");
                    }
                    if leading_blanks {
                        self.skip();
                    } else {
                        self.read(&mut whitespaces);
                    }
                } else if leading_blanks {
                    self.read_line(&mut trailing_breaks);
                } else {
                    whitespaces.clear();
                    self.read_line(&mut leading_break);
                    leading_blanks = true;
                }
            }
            if self.flow_level == 0 && (self.mark.column as isize) < indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
        Ok(Token {
            kind: TokenKind::Scalar(s, ScalarStyle::Plain),
            start,
            end,
        })
    }
}

/// Joins the lines of a multi-line scalar: a single LF between two lines becomes a
/// space, further breaks are kept; a NEL-turned-LF folds the same way, while LS
/// and PS are kept as themselves.
fn fold(s: &mut String, leading_break: &mut String, trailing_breaks: &mut String) {
    if leading_break.starts_with('\n') {
        if trailing_breaks.is_empty() {
            s.push(' ');
        } else {
            s.push_str(trailing_breaks);
        }
    } else {
        s.push_str(leading_break);
        s.push_str(trailing_breaks);
    }
    leading_break.clear();
    trailing_breaks.clear();
}

/// The first character go-yaml's reader refuses, and where it is. go-yaml checks
/// characters as it reads ahead; checking the whole chunk up front refuses a file
/// kubectl would take only when such a character sits far past the end of the
/// first document of a chunk, a file that is broken anyway.
pub(crate) fn first_disallowed_char(src: &str, first_line: u32) -> Option<(Pos, char)> {
    let bad = src.find(|c: char| !is_allowed_char(c))?;
    Some((
        position_of(src, bad, first_line),
        src.get(bad..)?.chars().next()?,
    ))
}

/// Where a byte-order mark may sit at the start of go-yaml's read buffer, making
/// kubectl's reading depend on buffer positions Palisade does not model: right
/// after the one BOM go-yaml's reader drops (a chunk that starts with two), or
/// among the last [`RESTART_ZONE`] characters before a [`READ_WINDOW`] boundary,
/// where the buffer restarts at the scanning position and stays until the next
/// restart, a window later.
/// Everywhere else a BOM is ordinary content, exactly as kubectl reads it.
pub(crate) fn ambiguous_bom(src: &str, first_line: u32) -> Option<Pos> {
    if !src.contains(BOM) {
        return None;
    }
    // go-yaml reads kubectl's chunk, whose line reader turned each CRLF into LF:
    // count read windows in those bytes. (Lines and columns are the same.)
    let kubectl_view;
    let src = if src.contains("\r\n") {
        kubectl_view = src.replace("\r\n", "\n");
        kubectl_view.as_str()
    } else {
        src
    };
    let first = if src.starts_with(BOM) {
        BOM.len_utf8()
    } else {
        0
    };
    let near_restart = |at: usize| {
        let window_end = (at / READ_WINDOW + 1) * READ_WINDOW;
        // Only "within the zone or not" matters: counting stops just past it, so
        // a chunk of a million BOMs stays linear.
        let chars_to = |end: usize| {
            src.get(at..end.min(src.len()))
                .map_or(usize::MAX, |s| s.chars().take(RESTART_ZONE + 1).count())
        };
        // A window ends at the last whole character before its boundary.
        let window_chars = (0..4)
            .map(|back| window_end.saturating_sub(back))
            .find(|&end| src.is_char_boundary(end.min(src.len())))
            .map_or(usize::MAX, chars_to);
        // Past the last window there is no next one: a restart near the end of
        // input leaves at most the final line break after the BOM, so no line
        // starts at column 0 that it could cut.
        window_end < src.len() && window_chars <= RESTART_ZONE
    };
    src.match_indices(BOM).find_map(|(at, _)| {
        // The reader drops a BOM at the very start; one right after it starts the
        // buffer.
        (at != 0 && (at == first || near_restart(at))).then(|| position_of(src, at, first_line))
    })
}

/// The editor position of byte `at` of a chunk that starts at `first_line`.
fn position_of(src: &str, at: usize, first_line: u32) -> Pos {
    let pos = super::decode::end_position(src.as_bytes().get(..at).unwrap_or_default());
    Pos::new(
        pos.line.saturating_add(first_line.saturating_sub(1)),
        pos.col,
    )
}
