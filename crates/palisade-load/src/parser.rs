//! go-yaml v2's parser: the token stream of [`scanner`](super::scanner) turned
//! into node events, state by state as go-yaml (and libyaml 0.1) does it.
//!
//! Only what kubectl observes matters: `Unmarshal` reads the first document of a
//! chunk and never asks for anything after its end, so the caller stops at the
//! first [`EventKind::DocumentEnd`] and whatever follows (content after `...`, a
//! second document after a NEL-separated `---`) is never scanned, exactly as in
//! go-yaml.
//!
//! One go-yaml quirk is kept on purpose: in a flow sequence, a `?` key followed
//! directly by `:`, `,` or `]` makes the parser skip that token (libyaml 0.1's
//! `parse_flow_sequence_entry_mapping_key`), so `[?]` is a syntax error there.

use super::scanner::{Mark, ScalarStyle, ScanError, ScanResult, Scanner, Token, TokenKind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar {
        value: String,
        style: ScalarStyle,
        anchor: Option<String>,
        /// The resolved tag (`tag:yaml.org,2002:str`, `!local`, or `!` alone).
        tag: Option<String>,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    MappingEnd,
}

#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub kind: EventKind,
    /// Where the node starts: its anchor or tag if it has one.
    pub start: Mark,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

pub(crate) struct Parser<'a> {
    scanner: Scanner<'a>,
    state: State,
    states: Vec<State>,
    marks: Vec<Mark>,
    /// `%TAG` handles in force (the defaults `!` and `!!` included).
    tag_directives: Vec<(String, String)>,
}

fn error<T>(mark: Mark, problem: &str) -> ScanResult<T> {
    Err(ScanError {
        mark,
        problem: problem.to_owned(),
        context: None,
    })
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str, first_line: u32, max_depth: usize) -> Self {
        Parser {
            scanner: Scanner::new(src, first_line, max_depth),
            state: State::StreamStart,
            states: Vec::new(),
            marks: Vec::new(),
            tag_directives: Vec::new(),
        }
    }

    fn peek(&mut self) -> ScanResult<Token> {
        self.scanner.peek_token().cloned()
    }

    fn skip(&mut self) {
        self.scanner.skip_token();
    }

    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    fn event(kind: EventKind, start: Mark) -> ScanResult<Event> {
        Ok(Event { kind, start })
    }

    /// An empty plain scalar (a missing key or value), which reads as null.
    fn empty_scalar(mark: Mark) -> ScanResult<Event> {
        Self::event(
            EventKind::Scalar {
                value: String::new(),
                style: ScalarStyle::Plain,
                anchor: None,
                tag: None,
            },
            mark,
        )
    }

    /// The next event; `None` once the stream has ended.
    pub(crate) fn next_event(&mut self) -> ScanResult<Option<Event>> {
        if self.state == State::End {
            return Ok(None);
        }
        self.state_machine().map(Some)
    }

    fn state_machine(&mut self) -> ScanResult<Event> {
        match self.state {
            State::StreamStart => self.stream_start(),
            State::ImplicitDocumentStart => self.document_start(true),
            State::DocumentStart => self.document_start(false),
            State::DocumentContent => self.document_content(),
            State::DocumentEnd => self.document_end(),
            State::BlockNode => self.node(true, false),
            State::BlockSequenceFirstEntry => self.block_sequence_entry(true),
            State::BlockSequenceEntry => self.block_sequence_entry(false),
            State::IndentlessSequenceEntry => self.indentless_sequence_entry(),
            State::BlockMappingFirstKey => self.block_mapping_key(true),
            State::BlockMappingKey => self.block_mapping_key(false),
            State::BlockMappingValue => self.block_mapping_value(),
            State::FlowSequenceFirstEntry => self.flow_sequence_entry(true),
            State::FlowSequenceEntry => self.flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => self.flow_sequence_entry_mapping_key(),
            State::FlowSequenceEntryMappingValue => self.flow_sequence_entry_mapping_value(),
            State::FlowSequenceEntryMappingEnd => self.flow_sequence_entry_mapping_end(),
            State::FlowMappingFirstKey => self.flow_mapping_key(true),
            State::FlowMappingKey => self.flow_mapping_key(false),
            State::FlowMappingValue => self.flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.flow_mapping_value(true),
            State::End => error(self.scanner_mark(), "no more events"),
        }
    }

    /// Steps over a collection's start token, remembering where it opens (for
    /// errors about it).
    fn enter_collection(&mut self) -> ScanResult<()> {
        let token = self.peek()?;
        self.marks.push(token.start);
        self.skip();
        Ok(())
    }

    /// Between two entries of a flow collection a `,` is required; returns the
    /// token after it.
    fn after_entry_separator(
        &mut self,
        token: Token,
        problem: &str,
        what: &'static str,
    ) -> ScanResult<Token> {
        if token.kind != TokenKind::FlowEntry {
            return self.collection_error(token.start, problem, what);
        }
        self.skip();
        self.peek()
    }

    /// An error inside an open collection, with the collection's start as its
    /// context, as go-yaml records it.
    fn collection_error<T>(&self, mark: Mark, problem: &str, what: &'static str) -> ScanResult<T> {
        Err(ScanError {
            mark,
            problem: problem.to_owned(),
            context: self.marks.last().map(|start| (what, *start)),
        })
    }

    fn scanner_mark(&mut self) -> Mark {
        self.scanner
            .peek_token()
            .map(|t| t.start)
            .unwrap_or_default()
    }

    fn stream_start(&mut self) -> ScanResult<Event> {
        let token = self.peek()?;
        if token.kind != TokenKind::StreamStart {
            return error(token.start, "did not find expected <stream-start>");
        }
        self.state = State::ImplicitDocumentStart;
        self.skip();
        Self::event(EventKind::StreamStart, token.start)
    }

    fn document_start(&mut self, implicit: bool) -> ScanResult<Event> {
        let mut token = self.peek()?;
        if !implicit {
            while token.kind == TokenKind::DocumentEnd {
                self.skip();
                token = self.peek()?;
            }
        }
        let directive_or_start = matches!(
            token.kind,
            TokenKind::VersionDirective(..)
                | TokenKind::TagDirective { .. }
                | TokenKind::DocumentStart
                | TokenKind::StreamEnd
        );
        if implicit && !directive_or_start {
            self.process_directives()?;
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            return Self::event(EventKind::DocumentStart, token.start);
        }
        if token.kind != TokenKind::StreamEnd {
            self.process_directives()?;
            let token = self.peek()?;
            if token.kind != TokenKind::DocumentStart {
                return error(token.start, "did not find expected <document start>");
            }
            self.states.push(State::DocumentEnd);
            self.state = State::DocumentContent;
            self.skip();
            return Self::event(EventKind::DocumentStart, token.start);
        }
        self.state = State::End;
        self.skip();
        Self::event(EventKind::StreamEnd, token.start)
    }

    /// `%YAML` (only 1.1 is compatible) and `%TAG` directives, then the default
    /// handles.
    fn process_directives(&mut self) -> ScanResult<()> {
        let mut version_seen = false;
        self.tag_directives.clear();
        loop {
            let token = self.peek()?;
            match token.kind {
                TokenKind::VersionDirective(major, minor) => {
                    if version_seen {
                        return error(token.start, "found duplicate %YAML directive");
                    }
                    if major != 1 || minor != 1 {
                        return error(token.start, "found incompatible YAML document");
                    }
                    version_seen = true;
                }
                TokenKind::TagDirective { handle, prefix } => {
                    if self.tag_directives.iter().any(|(h, _)| *h == handle) {
                        return error(token.start, "found duplicate %TAG directive");
                    }
                    self.tag_directives.push((handle, prefix));
                }
                _ => break,
            }
            self.skip();
        }
        for (handle, prefix) in [("!", "!"), ("!!", "tag:yaml.org,2002:")] {
            if !self.tag_directives.iter().any(|(h, _)| h == handle) {
                self.tag_directives
                    .push((handle.to_owned(), prefix.to_owned()));
            }
        }
        Ok(())
    }

    fn document_content(&mut self) -> ScanResult<Event> {
        let token = self.peek()?;
        if matches!(
            token.kind,
            TokenKind::VersionDirective(..)
                | TokenKind::TagDirective { .. }
                | TokenKind::DocumentStart
                | TokenKind::DocumentEnd
                | TokenKind::StreamEnd
        ) {
            self.pop_state();
            return Self::empty_scalar(token.start);
        }
        self.node(true, false)
    }

    fn document_end(&mut self) -> ScanResult<Event> {
        let token = self.peek()?;
        if token.kind == TokenKind::DocumentEnd {
            self.skip();
        }
        self.tag_directives.clear();
        self.state = State::DocumentStart;
        Self::event(EventKind::DocumentEnd, token.start)
    }

    fn resolve_tag(&self, handle: &str, suffix: &str, mark: Mark) -> ScanResult<String> {
        if handle.is_empty() {
            return Ok(suffix.to_owned());
        }
        match self.tag_directives.iter().find(|(h, _)| h == handle) {
            Some((_, prefix)) => Ok(format!("{prefix}{suffix}")),
            None => error(mark, "found undefined tag handle"),
        }
    }

    fn node(&mut self, block: bool, indentless_sequence: bool) -> ScanResult<Event> {
        let mut token = self.peek()?;
        if let TokenKind::Alias(name) = token.kind {
            self.pop_state();
            self.skip();
            return Self::event(EventKind::Alias(name), token.start);
        }
        let start = token.start;
        let mut anchor = None;
        let mut tag_parts = None;
        if let TokenKind::Anchor(name) = &token.kind {
            anchor = Some(name.clone());
            self.skip();
            token = self.peek()?;
            if let TokenKind::Tag { handle, suffix } = &token.kind {
                tag_parts = Some((handle.clone(), suffix.clone(), token.start));
                self.skip();
                token = self.peek()?;
            }
        } else if let TokenKind::Tag { handle, suffix } = &token.kind {
            tag_parts = Some((handle.clone(), suffix.clone(), token.start));
            self.skip();
            token = self.peek()?;
            if let TokenKind::Anchor(name) = &token.kind {
                anchor = Some(name.clone());
                self.skip();
                token = self.peek()?;
            }
        }
        let tag = match tag_parts {
            Some((handle, suffix, mark)) => Some(self.resolve_tag(&handle, &suffix, mark)?),
            None => None,
        };
        if indentless_sequence && token.kind == TokenKind::BlockEntry {
            self.state = State::IndentlessSequenceEntry;
            return Self::event(EventKind::SequenceStart { anchor, tag }, start);
        }
        match token.kind {
            TokenKind::Scalar(value, style) => {
                self.pop_state();
                self.skip();
                Self::event(
                    EventKind::Scalar {
                        value,
                        style,
                        anchor,
                        tag,
                    },
                    start,
                )
            }
            TokenKind::FlowSequenceStart => {
                self.state = State::FlowSequenceFirstEntry;
                Self::event(EventKind::SequenceStart { anchor, tag }, start)
            }
            TokenKind::FlowMappingStart => {
                self.state = State::FlowMappingFirstKey;
                Self::event(EventKind::MappingStart { anchor, tag }, start)
            }
            TokenKind::BlockSequenceStart if block => {
                self.state = State::BlockSequenceFirstEntry;
                Self::event(EventKind::SequenceStart { anchor, tag }, start)
            }
            TokenKind::BlockMappingStart if block => {
                self.state = State::BlockMappingFirstKey;
                Self::event(EventKind::MappingStart { anchor, tag }, start)
            }
            _ if anchor.is_some() || tag.is_some() => {
                self.pop_state();
                Self::event(
                    EventKind::Scalar {
                        value: String::new(),
                        style: ScalarStyle::Plain,
                        anchor,
                        tag,
                    },
                    start,
                )
            }
            _ => error(token.start, "did not find expected node content"),
        }
    }

    fn block_sequence_entry(&mut self, first: bool) -> ScanResult<Event> {
        if first {
            self.enter_collection()?;
        }
        let token = self.peek()?;
        match token.kind {
            TokenKind::BlockEntry => {
                let mark = token.end;
                self.skip();
                let next = self.peek()?;
                if matches!(next.kind, TokenKind::BlockEntry | TokenKind::BlockEnd) {
                    self.state = State::BlockSequenceEntry;
                    Self::empty_scalar(mark)
                } else {
                    self.states.push(State::BlockSequenceEntry);
                    self.node(true, false)
                }
            }
            TokenKind::BlockEnd => {
                self.pop_state();
                self.marks.pop();
                self.skip();
                Self::event(EventKind::SequenceEnd, token.start)
            }
            _ => self.collection_error(
                token.start,
                "did not find expected '-' indicator",
                "a block sequence",
            ),
        }
    }

    fn indentless_sequence_entry(&mut self) -> ScanResult<Event> {
        let token = self.peek()?;
        if token.kind == TokenKind::BlockEntry {
            let mark = token.end;
            self.skip();
            let next = self.peek()?;
            if matches!(
                next.kind,
                TokenKind::BlockEntry | TokenKind::Key | TokenKind::Value | TokenKind::BlockEnd
            ) {
                self.state = State::IndentlessSequenceEntry;
                return Self::empty_scalar(mark);
            }
            self.states.push(State::IndentlessSequenceEntry);
            return self.node(true, false);
        }
        self.pop_state();
        Self::event(EventKind::SequenceEnd, token.start)
    }

    fn block_mapping_key(&mut self, first: bool) -> ScanResult<Event> {
        if first {
            self.enter_collection()?;
        }
        let token = self.peek()?;
        match token.kind {
            TokenKind::Key => {
                let mark = token.end;
                self.skip();
                let next = self.peek()?;
                if matches!(
                    next.kind,
                    TokenKind::Key | TokenKind::Value | TokenKind::BlockEnd
                ) {
                    self.state = State::BlockMappingValue;
                    Self::empty_scalar(mark)
                } else {
                    self.states.push(State::BlockMappingValue);
                    self.node(true, true)
                }
            }
            TokenKind::BlockEnd => {
                self.pop_state();
                self.marks.pop();
                self.skip();
                Self::event(EventKind::MappingEnd, token.start)
            }
            _ => self.collection_error(token.start, "did not find expected key", "a block mapping"),
        }
    }

    fn block_mapping_value(&mut self) -> ScanResult<Event> {
        let token = self.peek()?;
        if token.kind == TokenKind::Value {
            // A missing value is shown at its `:` (go-yaml marks the place after
            // it; positions are ours to choose, and the colon is what a reader
            // looks for).
            let mark = token.start;
            self.skip();
            let next = self.peek()?;
            if matches!(
                next.kind,
                TokenKind::Key | TokenKind::Value | TokenKind::BlockEnd
            ) {
                self.state = State::BlockMappingKey;
                return Self::empty_scalar(mark);
            }
            self.states.push(State::BlockMappingKey);
            return self.node(true, true);
        }
        self.state = State::BlockMappingKey;
        Self::empty_scalar(token.start)
    }

    fn flow_sequence_entry(&mut self, first: bool) -> ScanResult<Event> {
        if first {
            self.enter_collection()?;
        }
        let mut token = self.peek()?;
        if token.kind != TokenKind::FlowSequenceEnd {
            if !first {
                token = self.after_entry_separator(
                    token,
                    "did not find expected ',' or ']'",
                    "a flow sequence",
                )?;
            }
            if token.kind == TokenKind::Key {
                self.state = State::FlowSequenceEntryMappingKey;
                self.skip();
                return Self::event(
                    EventKind::MappingStart {
                        anchor: None,
                        tag: None,
                    },
                    token.start,
                );
            }
            if token.kind != TokenKind::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntry);
                return self.node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.skip();
        Self::event(EventKind::SequenceEnd, token.start)
    }

    fn flow_sequence_entry_mapping_key(&mut self) -> ScanResult<Event> {
        let token = self.peek()?;
        if !matches!(
            token.kind,
            TokenKind::Value | TokenKind::FlowEntry | TokenKind::FlowSequenceEnd
        ) {
            self.states.push(State::FlowSequenceEntryMappingValue);
            return self.node(false, false);
        }
        // go-yaml skips this token (see the module comment).
        let mark = token.end;
        self.skip();
        self.state = State::FlowSequenceEntryMappingValue;
        Self::empty_scalar(mark)
    }

    fn flow_sequence_entry_mapping_value(&mut self) -> ScanResult<Event> {
        let mut token = self.peek()?;
        if token.kind == TokenKind::Value {
            self.skip();
            token = self.peek()?;
            if !matches!(
                token.kind,
                TokenKind::FlowEntry | TokenKind::FlowSequenceEnd
            ) {
                self.states.push(State::FlowSequenceEntryMappingEnd);
                return self.node(false, false);
            }
        }
        self.state = State::FlowSequenceEntryMappingEnd;
        Self::empty_scalar(token.start)
    }

    fn flow_sequence_entry_mapping_end(&mut self) -> ScanResult<Event> {
        let token = self.peek()?;
        self.state = State::FlowSequenceEntry;
        Self::event(EventKind::MappingEnd, token.start)
    }

    fn flow_mapping_key(&mut self, first: bool) -> ScanResult<Event> {
        if first {
            self.enter_collection()?;
        }
        let mut token = self.peek()?;
        if token.kind != TokenKind::FlowMappingEnd {
            if !first {
                token = self.after_entry_separator(
                    token,
                    "did not find expected ',' or '}'",
                    "a flow mapping",
                )?;
            }
            if token.kind == TokenKind::Key {
                self.skip();
                token = self.peek()?;
                if !matches!(
                    token.kind,
                    TokenKind::Value | TokenKind::FlowEntry | TokenKind::FlowMappingEnd
                ) {
                    self.states.push(State::FlowMappingValue);
                    return self.node(false, false);
                }
                self.state = State::FlowMappingValue;
                return Self::empty_scalar(token.start);
            }
            if token.kind != TokenKind::FlowMappingEnd {
                self.states.push(State::FlowMappingEmptyValue);
                return self.node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.skip();
        Self::event(EventKind::MappingEnd, token.start)
    }

    fn flow_mapping_value(&mut self, empty: bool) -> ScanResult<Event> {
        let mut token = self.peek()?;
        if empty {
            self.state = State::FlowMappingKey;
            return Self::empty_scalar(token.start);
        }
        if token.kind == TokenKind::Value {
            self.skip();
            token = self.peek()?;
            if !matches!(token.kind, TokenKind::FlowEntry | TokenKind::FlowMappingEnd) {
                self.states.push(State::FlowMappingKey);
                return self.node(false, false);
            }
        }
        self.state = State::FlowMappingKey;
        Self::empty_scalar(token.start)
    }
}
