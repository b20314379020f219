//! Building the positioned [`Node`] tree from parser events, with go-yaml v2's
//! mapping semantics and hard limits.
//!
//! The builder is an explicit stack machine (no recursion), so nesting depth is a
//! counter checked before a collection opens, and a hostile `[[[[...` fails fast.
//! Three readers feed it: the hand-written fast YAML reader
//! ([`fast`](super::fast)), the go-yaml parser's events ([`build_yaml_full`]) and
//! the JSON reader. Scalars reach it through [`Builder::scalar`], so resolution,
//! key naming, duplicates and coercion notes have one implementation.
//!
//! Mapping semantics follow go-yaml v2 decoding into `map[interface{}]interface{}`:
//! a repeated key overwrites the earlier one (kubectl sends the last value), and
//! `<<` merges are applied in document order, so a merge overwrites explicit keys
//! written *before* it. Both are recorded as [`Note`]s, because a scanner that reads
//! YAML differently from kubectl can be fooled by exactly these constructs.
//!
//! Aliases are expanded by copying the anchored subtree. Every copied node counts
//! against `max_alias_nodes` *before* it is copied, so a billion-laughs document
//! stops after a bounded amount of work.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;

use super::parser::{EventKind, Parser};
use super::scanner::{ScalarStyle, ScanError, ambiguous_bom, first_disallowed_char};

use super::Limits;
use super::scalar::{self, Coercion, CoreTag, Resolved};
use palisade_core::KeyName;
use palisade_core::node::{CompactString, Key, Map, Node, Pos, Value};

/// Mappings at least this large get a hash index for duplicate detection; smaller
/// ones are scanned (cheaper for the typical Kubernetes mapping of a few keys).
const INDEX_THRESHOLD: usize = 16;

/// Field names whose values decide a workload's security posture. A duplicate or a
/// coerced value under one of them matters more.
const SECURITY_KEYS: &[&str] = &[
    "securityContext",
    "privileged",
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "allowPrivilegeEscalation",
    "readOnlyRootFilesystem",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "hostUsers",
    "hostPath",
    "hostPort",
    "capabilities",
    "add",
    "drop",
    "seccompProfile",
    "appArmorProfile",
    "seLinuxOptions",
    "procMount",
    "fsGroup",
    "supplementalGroups",
    "sysctls",
    "image",
    "command",
    "args",
    "automountServiceAccountToken",
    "serviceAccountName",
];

pub(crate) fn is_security_key(name: &str) -> bool {
    SECURITY_KEYS.contains(&name)
}

/// Something kubectl accepts silently but a reader of the file could get wrong.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Note {
    /// The same key twice in one mapping; `second` is the value kubectl keeps.
    Duplicate {
        key: String,
        first: Pos,
        second: Pos,
        security: bool,
    },
    /// A `<<` merge replaced a key written explicitly before it.
    MergeOverride {
        key: String,
        explicit: Pos,
        merge: Pos,
        security: bool,
    },
    /// A plain scalar whose YAML 1.1 reading differs from YAML 1.2's.
    Coercion {
        text: String,
        kind: Coercion,
        pos: Pos,
        /// The key the value belongs to, or the key itself when `is_key`.
        key: Option<String>,
        is_key: bool,
        security: bool,
    },
}

/// What reading one file carries from document to document: the current
/// document's notes, the notes budget, and the alias-expansion budget. Both
/// budgets are per file, so a file cannot escape them by spreading its work over
/// many documents.
#[derive(Debug, Default)]
pub(crate) struct FileState {
    /// Notes of the current document, not yet turned into findings.
    pub(crate) notes: Vec<Note>,
    /// Notes kept so far in this file.
    kept: usize,
    /// Notes past `Limits::max_notes`, counted but not kept.
    pub(crate) dropped: usize,
    /// Nodes copied for anchors and aliases so far in this file.
    pub(crate) copied: usize,
}

/// A [`FileState`] to return to when the fast reader declines a chunk.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Checkpoint {
    notes: usize,
    kept: usize,
    dropped: usize,
    copied: usize,
}

impl FileState {
    fn note(&mut self, limits: &Limits, note: Note) {
        if !limits.collect_notes {
            return;
        }
        if self.kept < limits.max_notes {
            self.kept += 1;
            self.notes.push(note);
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            notes: self.notes.len(),
            kept: self.kept,
            dropped: self.dropped,
            copied: self.copied,
        }
    }

    pub(crate) fn restore(&mut self, at: Checkpoint) {
        self.notes.truncate(at.notes);
        self.kept = at.kept;
        self.dropped = at.dropped;
        self.copied = at.copied;
    }
}

/// A document that cannot be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuildError {
    pub pos: Pos,
    pub message: String,
    /// See [`LoadError::kubectl_may_accept`](crate::LoadError::kubectl_may_accept).
    pub kubectl_may_accept: bool,
}

impl BuildError {
    pub(crate) fn new(pos: Pos, message: impl Into<String>) -> Self {
        BuildError {
            pos,
            message: message.into(),
            kubectl_may_accept: false,
        }
    }
}

type Result<T> = std::result::Result<T, BuildError>;

/// The builder's result type, for the [`fast`](super::fast) reader.
pub(crate) type BuildResult<T> = Result<T>;

/// A finished node with the numbers the limits need.
struct Built {
    node: Node,
    /// Nodes in the subtree, itself included.
    size: usize,
    /// Levels in the subtree: 1 for a scalar.
    height: usize,
}

/// What a mapping is waiting for after its key.
enum PendingKey {
    Key(Key, GoKey),
    Merge(Pos),
}

/// The Go type go-yaml gives a mapping key when it decodes into
/// `map[interface{}]interface{}`. Keys of different types are different keys
/// there even when they print alike (`on`, a bool, and `"true"`, a string), and
/// only the JSON conversion afterwards makes them one name, keeping whichever
/// Go's randomized map order visits last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GoKey {
    Str,
    Bool,
    Int,
    Uint,
    Float,
}

/// The name a key is held under when it collides with a key of another Go type;
/// [`Builder::finish`] refuses the document if one survives.
const COLLISION_PREFIX: &str = "\u{0}<collision>\u{0}";

/// An open mapping. Its entries live at the end of the builder's shared entry
/// stack (from `start`), so that the finished mapping is allocated once, at its
/// exact size.
struct MapFrame {
    start: usize,
    /// Per entry: true when it came from a `<<` merge. Empty until the first merge.
    merged: Vec<bool>,
    /// Per entry: its key's Go type. Empty while every key is a string.
    kinds: Vec<GoKey>,
    index: Option<HashMap<KeyName, usize>>,
    pending: Option<PendingKey>,
}

type Entries = Vec<(Key, Node)>;

impl MapFrame {
    fn new(start: usize) -> Self {
        MapFrame {
            start,
            merged: Vec::new(),
            kinds: Vec::new(),
            index: None,
            pending: None,
        }
    }

    /// This mapping's entries in the shared stack.
    fn entries<'e>(&self, all: &'e Entries) -> &'e [(Key, Node)] {
        all.get(self.start..).unwrap_or_default()
    }

    fn find(&self, all: &Entries, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.entries(all).iter().position(|(k, _)| k.name == name),
        }
    }

    fn is_merged(&self, at: usize) -> bool {
        self.merged.get(at).copied().unwrap_or(false)
    }

    fn kind(&self, at: usize) -> GoKey {
        self.kinds.get(at).copied().unwrap_or(GoKey::Str)
    }

    /// True when a key of this name but another Go type is already here. Keys
    /// that came from a merge are not judged: their types are not kept.
    fn collides(&self, all: &Entries, name: &str, kind: GoKey) -> bool {
        self.find(all, name)
            .is_some_and(|at| !self.is_merged(at) && self.kind(at) != kind)
    }

    /// Inserts or overwrites; returns the previous key when there was one.
    fn put(
        &mut self,
        all: &mut Entries,
        key: Key,
        value: Node,
        merged: bool,
        kind: GoKey,
    ) -> Option<(Key, bool)> {
        let len = all.len().saturating_sub(self.start);
        // Types are kept only from the first key that is not a string on.
        let typed = kind != GoKey::Str || !self.kinds.is_empty();
        if typed {
            self.kinds.resize(len, GoKey::Str);
        }
        if let Some(at) = self.find(all, &key.name) {
            if let Some(slot) = self.kinds.get_mut(at) {
                *slot = kind;
            }
            let was_merged = self.is_merged(at);
            if merged || !self.merged.is_empty() {
                self.mark(len, at, merged);
            }
            let slot = all.get_mut(self.start + at)?;
            let old_key = std::mem::replace(&mut slot.0, key);
            slot.1 = value;
            return Some((old_key, was_merged));
        }
        if merged || !self.merged.is_empty() {
            self.merged.resize(len, false);
            self.merged.push(merged);
        }
        if typed {
            self.kinds.push(kind);
        }
        if let Some(index) = &mut self.index {
            index.insert(key.name.clone(), len);
        } else if len + 1 >= INDEX_THRESHOLD {
            let mut index: HashMap<KeyName, usize> = self
                .entries(all)
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.name.clone(), i))
                .collect();
            index.insert(key.name.clone(), len);
            self.index = Some(index);
        }
        all.push((key, value));
        None
    }

    fn mark(&mut self, len: usize, at: usize, merged: bool) {
        if self.merged.len() < len {
            self.merged.resize(len, false);
        }
        if let Some(slot) = self.merged.get_mut(at) {
            *slot = merged;
        }
    }
}

enum Body {
    /// An open sequence: its items are in the builder's shared item stack from
    /// this index on.
    Seq(usize),
    Map(MapFrame),
}

struct Frame {
    body: Body,
    pos: Pos,
    anchor: usize,
    size: usize,
    height: usize,
    /// Inside a security-relevant subtree (`securityContext`, `capabilities`, ...).
    security: bool,
}

/// An anchored node kept for later aliases; `None` while its collection is open.
struct Anchored {
    node: Node,
    size: usize,
    height: usize,
}

type Scratch = (Vec<Frame>, Entries, Vec<Node>);

thread_local! {
    /// The builder's stacks, kept from document to document: growing them afresh
    /// for every document costs large allocations (and glibc free-list
    /// consolidations) on every chunk.
    static SCRATCH: Cell<Scratch> = const { Cell::new((Vec::new(), Vec::new(), Vec::new())) };
}

/// Stacks larger than this (in elements) are not kept for the next document.
const SCRATCH_KEEP: usize = 1 << 16;

impl Drop for Builder<'_> {
    fn drop(&mut self) {
        let mut stack = std::mem::take(&mut self.stack);
        let mut entries = std::mem::take(&mut self.entries);
        let mut items = std::mem::take(&mut self.items);
        stack.clear();
        entries.clear();
        items.clear();
        if stack.capacity() <= SCRATCH_KEEP
            && entries.capacity() <= SCRATCH_KEEP
            && items.capacity() <= SCRATCH_KEEP
        {
            SCRATCH.with(|cell| cell.set((stack, entries, items)));
        }
    }
}

/// The stack machine. One per document.
pub(crate) struct Builder<'a> {
    limits: &'a Limits,
    stack: Vec<Frame>,
    /// Entries of the open mappings and items of the open sequences, innermost
    /// last.
    entries: Entries,
    items: Vec<Node>,
    anchors: HashMap<usize, Option<Anchored>>,
    /// Null keys and keys that collided with a key of another Go type, seen so
    /// far; when any, [`Builder::finish`] looks for survivors.
    marked_keys: usize,
    root: Option<Node>,
    pub(crate) state: &'a mut FileState,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(limits: &'a Limits, state: &'a mut FileState) -> Self {
        let (stack, entries, items) = SCRATCH.with(Cell::take);
        Builder {
            limits,
            stack,
            entries,
            items,
            anchors: HashMap::new(),
            marked_keys: 0,
            root: None,
            state,
        }
    }

    /// True when the next node is a mapping key.
    pub(crate) fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { body: Body::Map(m), .. }) if m.pending.is_none())
    }

    /// The key the next value belongs to, and whether it sits in a security subtree.
    fn context(&self) -> (Option<&str>, bool) {
        match self.stack.last() {
            Some(Frame {
                body: Body::Map(m),
                security,
                ..
            }) => match &m.pending {
                Some(PendingKey::Key(k, _)) => {
                    (Some(k.name.as_str()), *security || is_security_key(&k.name))
                }
                _ => (None, *security),
            },
            Some(frame) => (None, frame.security),
            None => (None, false),
        }
    }

    fn check_depth(&self, pos: Pos, extra: usize) -> Result<()> {
        let depth = self.stack.len() + extra;
        if depth > self.limits.max_depth {
            return Err(BuildError::new(
                pos,
                format!(
                    "document nesting exceeds the limit max_depth = {}",
                    self.limits.max_depth
                ),
            ));
        }
        Ok(())
    }

    pub(crate) fn start(&mut self, pos: Pos, anchor: usize, mapping: bool) -> Result<()> {
        if self.expecting_key() {
            let what = if mapping { "mapping" } else { "sequence" };
            return Err(BuildError::new(
                pos,
                format!(
                    "invalid map key: a {what} cannot be a mapping key (kubectl: yaml: invalid map key)"
                ),
            ));
        }
        self.check_depth(pos, 1)?;
        let (_, security) = self.context();
        if anchor != 0 {
            self.anchors.insert(anchor, None);
        }
        let body = if mapping {
            Body::Map(MapFrame::new(self.entries.len()))
        } else {
            Body::Seq(self.items.len())
        };
        self.stack.push(Frame {
            body,
            pos,
            anchor,
            size: 1,
            height: 1,
            security,
        });
        Ok(())
    }

    pub(crate) fn end(&mut self) -> Result<()> {
        let Some(frame) = self.stack.pop() else {
            return Err(BuildError::new(
                Pos::default(),
                "unbalanced end of collection",
            ));
        };
        // `drain(..).collect()` allocates the finished collection at its exact size.
        let value = match frame.body {
            Body::Seq(start) => {
                Value::Seq(self.items.drain(start.min(self.items.len())..).collect())
            }
            Body::Map(m) => {
                if m.pending.is_some() {
                    return Err(BuildError::new(frame.pos, "mapping key without a value"));
                }
                let start = m.start.min(self.entries.len());
                Value::Map(Map::from_unique_entries(
                    self.entries.drain(start..).collect::<Box<[_]>>(),
                ))
            }
        };
        let built = Built {
            node: Node::new(value, frame.pos),
            size: frame.size,
            height: frame.height,
        };
        if frame.anchor != 0 {
            self.remember(frame.anchor, &built)?;
        }
        self.attach(built)
    }

    /// Records an anchored node. The copy counts against the alias budget: anchors
    /// nested in anchors would otherwise copy a large subtree once per level.
    fn remember(&mut self, anchor: usize, built: &Built) -> Result<()> {
        self.spend(built.node.pos, built.size)?;
        self.anchors.insert(
            anchor,
            Some(Anchored {
                node: built.node.clone(),
                size: built.size,
                height: built.height,
            }),
        );
        Ok(())
    }

    fn spend(&mut self, pos: Pos, nodes: usize) -> Result<()> {
        self.state.copied = self.state.copied.saturating_add(nodes);
        if self.state.copied > self.limits.max_alias_nodes {
            return Err(BuildError::new(
                pos,
                format!(
                    "file contains excessive aliasing: expanding its anchors and aliases would copy more than max_alias_nodes = {} nodes",
                    self.limits.max_alias_nodes
                ),
            ));
        }
        Ok(())
    }

    /// A scalar (or JSON) value in a value position.
    pub(crate) fn value(&mut self, value: Value, pos: Pos, anchor: usize) -> Result<()> {
        let built = Built {
            node: Node::new(value, pos),
            size: 1,
            height: 1,
        };
        if anchor != 0 {
            self.remember(anchor, &built)?;
        }
        self.attach(built)
    }

    /// Records a YAML 1.1 coercion of the value about to be attached.
    pub(crate) fn note_value_coercion(&mut self, text: &str, kind: Coercion, pos: Pos) {
        // When nobody asked for notes, do not even build them.
        if !self.limits.collect_notes {
            return;
        }
        let (key, security) = self.context();
        let note = Note::Coercion {
            text: text.to_owned(),
            kind,
            pos,
            key: key.map(str::to_owned),
            is_key: false,
            security,
        };
        self.state.note(self.limits, note);
    }

    /// A mapping key. `merge` marks a `<<` merge key.
    pub(crate) fn key(&mut self, key: Key, merge: bool) -> Result<()> {
        self.typed_key(key, merge, GoKey::Str)
    }

    /// A mapping key with the Go type go-yaml decodes it to.
    fn typed_key(&mut self, key: Key, merge: bool, kind: GoKey) -> Result<()> {
        if key.name == scalar::NULL_KEY {
            self.marked_keys += 1;
        }
        let Some(Frame {
            body: Body::Map(m), ..
        }) = self.stack.last_mut()
        else {
            return Err(BuildError::new(key.pos, "mapping key outside a mapping"));
        };
        m.pending = Some(if merge {
            PendingKey::Merge(key.pos)
        } else {
            PendingKey::Key(key, kind)
        });
        Ok(())
    }

    /// An alias: a copy of its anchor's node, placed at the alias's position.
    pub(crate) fn alias(&mut self, id: usize, pos: Pos, name: Option<&str>) -> Result<()> {
        let (node, size, height) = match self.anchors.get(&id) {
            Some(Some(anchored)) => (&anchored.node, anchored.size, anchored.height),
            Some(None) => {
                return Err(BuildError::new(pos, "anchor value contains itself"));
            }
            None => {
                return Err(BuildError::new(
                    pos,
                    format!("unknown anchor '{}' referenced", name.unwrap_or("?")),
                ));
            }
        };
        // The copy must fit both budgets before any of it is made. (This check stays
        // apart from `check_depth`: folding the two into one function measured twice
        // as slow loading in the scan_throughput bench, through the hot start path.)
        let depth = self.stack.len() + height;
        if depth > self.limits.max_depth {
            return Err(BuildError::new(
                pos,
                format!(
                    "document nesting exceeds the limit max_depth = {} (through an alias)",
                    self.limits.max_depth
                ),
            ));
        }
        let mut copy = node.clone();
        self.spend(pos, size)?;
        copy.pos = pos;
        if self.expecting_key() {
            let (name, kind) = match &copy.value {
                Value::String(s) => (s.clone(), GoKey::Str),
                Value::Bool(b) => (b.to_string().into(), GoKey::Bool),
                Value::Int(i) => (i.to_string().into(), GoKey::Int),
                Value::Float(f) => (scalar::go_format_g32(*f).into(), GoKey::Float),
                Value::Null => (scalar::NULL_KEY.into(), GoKey::Str),
                Value::Seq(_) | Value::Map(_) => {
                    return Err(BuildError::new(
                        pos,
                        "invalid map key: an alias to a collection cannot be a mapping key",
                    ));
                }
            };
            return self.typed_key(Key::new(name, pos), false, kind);
        }
        self.attach(Built {
            node: copy,
            size,
            height,
        })
    }

    /// Hands a finished node to its parent, or makes it the document root.
    fn attach(&mut self, built: Built) -> Result<()> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(built.node);
            return Ok(());
        };
        frame.size = frame.size.saturating_add(built.size);
        frame.height = frame.height.max(built.height + 1);
        let security = frame.security;
        match &mut frame.body {
            Body::Seq(_) => {
                self.items.push(built.node);
                Ok(())
            }
            Body::Map(m) => match m.pending.take() {
                Some(PendingKey::Key(mut key, kind)) => {
                    if m.collides(&self.entries, &key.name, kind) {
                        // Both keys stay, as in go-yaml's map; finish() decides.
                        key.name =
                            palisade_core::key_name(&format!("{COLLISION_PREFIX}{}", key.name));
                        self.marked_keys += 1;
                    }
                    let pos = key.pos;
                    // A replaced key has the same name: take it from the old key rather
                    // than cloning every key's name up front.
                    if let Some((old, was_merged)) =
                        m.put(&mut self.entries, key, built.node, false, kind)
                        && !was_merged
                    {
                        let security = security || is_security_key(&old.name);
                        let note = Note::Duplicate {
                            key: old.name.to_string(),
                            first: old.pos,
                            second: pos,
                            security,
                        };
                        self.state.note(self.limits, note);
                    }
                    Ok(())
                }
                Some(PendingKey::Merge(at)) => {
                    let (state, limits) = (&mut *self.state, self.limits);
                    merge_into(
                        m,
                        &mut self.entries,
                        built.node,
                        at,
                        security,
                        state,
                        limits,
                    )
                }
                None => Err(BuildError::new(
                    built.node.pos,
                    "mapping value without a key",
                )),
            },
        }
    }

    /// The document's root, once every collection is closed.
    pub(crate) fn finish(&mut self) -> Result<Option<Node>> {
        if let Some(frame) = self.stack.last() {
            return Err(BuildError::new(frame.pos, "unterminated collection"));
        }
        if self.marked_keys > 0
            && let Some(key) = self.root.as_ref().and_then(surviving_marked_key)
        {
            if key.name == scalar::NULL_KEY {
                return Err(BuildError::new(key.pos, scalar::NULL_KEY_ERROR));
            }
            let name = key.name.strip_prefix(COLLISION_PREFIX).unwrap_or(&key.name);
            return Err(BuildError {
                kubectl_may_accept: true,
                ..BuildError::new(
                    key.pos,
                    format!(
                        "two keys of this mapping become the JSON key \"{name}\" (for example the boolean `on` and the string \"true\"): go-yaml keeps both, and kubectl then sends whichever Go's random map order puts last, so no reader can say which; Palisade refuses the file (quote the keys alike, or remove one)"
                    ),
                )
            });
        }
        Ok(self.root.take())
    }
}

/// A null key or a colliding key that survives in the finished tree, if any: the
/// ones that a duplicate or an overriding parent key did not remove. Iterative, so
/// a deep tree cannot exhaust the stack.
fn surviving_marked_key(root: &Node) -> Option<&Key> {
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        match &node.value {
            Value::Map(map) => {
                for (key, value) in map.iter() {
                    if key.name == scalar::NULL_KEY || key.name.starts_with(COLLISION_PREFIX) {
                        return Some(key);
                    }
                    pending.push(value);
                }
            }
            Value::Seq(items) => pending.extend(items.iter()),
            _ => {}
        }
    }
    None
}

/// Applies a `<<` value to a mapping under construction, as go-yaml v2's
/// `decoder.merge` does: a mapping is merged as is; a sequence of mappings is merged
/// from last to first so that earlier ones win; anything else is an error.
fn merge_into(
    m: &mut MapFrame,
    all: &mut Entries,
    value: Node,
    at: Pos,
    security: bool,
    state: &mut FileState,
    limits: &Limits,
) -> Result<()> {
    const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";
    match value.value {
        Value::Map(map) => {
            merge_one(m, all, map, at, security, state, limits);
            Ok(())
        }
        Value::Seq(items) => {
            if items
                .iter()
                .any(|item| !matches!(item.value, Value::Map(_)))
            {
                return Err(BuildError::new(value.pos, WANT_MAP));
            }
            for item in items.into_iter().rev() {
                if let Value::Map(map) = item.value {
                    merge_one(m, all, map, at, security, state, limits);
                }
            }
            Ok(())
        }
        _ => Err(BuildError::new(value.pos, WANT_MAP)),
    }
}

fn merge_one(
    m: &mut MapFrame,
    all: &mut Entries,
    source: Map,
    at: Pos,
    security: bool,
    state: &mut FileState,
    limits: &Limits,
) {
    for (key, node) in source.into_entries() {
        let name = key.name.clone();
        if let Some((old, was_merged)) = m.put(all, key, node, true, GoKey::Str)
            && !was_merged
        {
            let sec = security || is_security_key(&name);
            let note = Note::MergeOverride {
                key: name.to_string(),
                explicit: old.pos,
                merge: at,
                security: sec,
            };
            state.note(limits, note);
        }
    }
}

/// Parses one kubectl document chunk (only its first YAML document, as go-yaml's
/// `Unmarshal` does) into a tree. `None` when the chunk holds no document at all.
///
/// The hand-written [`fast`](super::fast) reader handles the common subset of YAML;
/// whatever it declines goes through the go-yaml parser ([`build_yaml_full`]).
pub(crate) fn build_yaml(
    chunk: &str,
    first_line: u32,
    limits: &Limits,
    state: &mut FileState,
) -> Result<Option<Node>> {
    if let Some(root) = super::fast::build(chunk, first_line, limits, state) {
        return Ok(root);
    }
    build_yaml_full(chunk, first_line, limits, state)
}

/// [`build_yaml`] through the go-yaml v2 parser only ([`parser`](super::parser)):
/// the reference reading, for any YAML, with go-yaml's error messages.
pub(crate) fn build_yaml_full(
    chunk: &str,
    first_line: u32,
    limits: &Limits,
    state: &mut FileState,
) -> Result<Option<Node>> {
    if let Some((pos, c)) = first_disallowed_char(chunk, first_line) {
        return Err(BuildError::new(
            pos,
            format!(
                "yaml: control characters are not allowed (U+{:04X})",
                u32::from(c)
            ),
        ));
    }
    // kubectl's line reader ends every line with LF, the last one of a file too;
    // that matters to a block scalar on the last line ("text" vs "text\n").
    let terminated;
    let chunk = if chunk.is_empty() || chunk.ends_with('\n') {
        chunk
    } else {
        terminated = format!("{chunk}\n");
        terminated.as_str()
    };
    if let Some(pos) = ambiguous_bom(chunk, first_line) {
        return Err(BuildError {
            kubectl_may_accept: true,
            ..BuildError::new(
                pos,
                "a byte-order mark (U+FEFF) where kubectl's reading depends on its read buffer: go-yaml then drops the first character of lines that start at column 0, or not, by buffer position; Palisade refuses the file rather than guess (remove the stray byte-order marks)",
            )
        });
    }
    let to_error = |e: ScanError| match e.context {
        // Point at the collection that was left open, and say where reading
        // stopped.
        Some((what, start)) => BuildError::new(
            start.pos,
            format!(
                "yaml: {} (reading {what} that starts here; stopped at line {}, column {})",
                e.problem, e.mark.pos.line, e.mark.pos.col
            ),
        ),
        None => BuildError::new(e.mark.pos, format!("yaml: {}", e.problem)),
    };
    // The scanner caps nesting too (it reads ahead of the builder, up to a
    // simple key's 1024 characters), with the builder's limit and message.
    let mut parser = Parser::new(chunk, first_line, limits.max_depth);
    let mut builder = Builder::new(limits, state);
    // Anchor names map to ids; a redefined name gets a new id, so an alias always
    // means the latest definition before it, as in go-yaml.
    let mut anchors: HashMap<String, usize> = HashMap::new();
    let mut defined = 0usize;
    let mut anchor_id = |anchor: Option<String>, anchors: &mut HashMap<String, usize>| {
        anchor.map_or(0, |name| {
            defined += 1;
            anchors.insert(name, defined);
            defined
        })
    };
    while let Some(event) = parser.next_event().map_err(to_error)? {
        let pos = event.start.pos;
        match event.kind {
            EventKind::StreamStart | EventKind::DocumentStart => {}
            EventKind::DocumentEnd | EventKind::StreamEnd => break,
            EventKind::MappingStart { anchor, .. } => {
                let id = anchor_id(anchor, &mut anchors);
                builder.start(pos, id, true)?;
            }
            EventKind::SequenceStart { anchor, .. } => {
                let id = anchor_id(anchor, &mut anchors);
                builder.start(pos, id, false)?;
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => builder.end()?,
            EventKind::Alias(name) => {
                let id = anchors.get(&name).copied().unwrap_or(usize::MAX);
                builder.alias(id, pos, Some(&name))?;
            }
            EventKind::Scalar {
                value,
                style,
                anchor,
                tag,
            } => {
                let id = anchor_id(anchor, &mut anchors);
                let tag = tag.as_deref().map(CoreTag::classify);
                let plain = style == ScalarStyle::Plain;
                builder.scalar(Cow::Owned(value), plain, id, tag, pos)?;
            }
        }
    }
    builder.finish()
}

impl Builder<'_> {
    /// A scalar, as a key or a value depending on where the builder stands: the one
    /// place both readers (parser events and [`fast`](super::fast)) resolve scalars,
    /// name keys and record coercions.
    pub(crate) fn scalar(
        &mut self,
        text: Cow<'_, str>,
        plain: bool,
        anchor: usize,
        tag: Option<CoreTag>,
        pos: Pos,
    ) -> Result<()> {
        scalar_event(self, text, plain, anchor, tag, pos)
    }
}

fn scalar_event(
    b: &mut Builder<'_>,
    text: Cow<'_, str>,
    plain: bool,
    anchor: usize,
    tag: Option<CoreTag>,
    pos: Pos,
) -> Result<()> {
    if b.expecting_key() {
        let merge = text == "<<" && ((plain && tag.is_none()) || tag == Some(CoreTag::Merge));
        if anchor != 0 {
            // Rare: an anchored key may later be used as a value, resolved as one.
            let (value, _) = scalar_value(Cow::Borrowed(&*text), plain, tag)
                .map_err(|m| BuildError::new(pos, m))?;
            let node = Node::new(value, pos);
            b.remember(
                anchor,
                &Built {
                    node,
                    size: 1,
                    height: 1,
                },
            )?;
        }
        let (name, kind, coercion) =
            key_name(text, plain, tag).map_err(|m| BuildError::new(pos, m))?;
        if let Some((kind, word)) = coercion {
            let security = b.context().1;
            let note = Note::Coercion {
                text: word,
                kind,
                pos,
                key: None,
                is_key: true,
                security,
            };
            b.state.note(b.limits, note);
        }
        return b.typed_key(Key::new(name, pos), merge, kind);
    }
    let coercion_text = plain.then(|| text.clone());
    let (value, coercion) = scalar_value(text, plain, tag).map_err(|m| BuildError::new(pos, m))?;
    if let (Some(kind), Some(text)) = (coercion, coercion_text) {
        b.note_value_coercion(&text, kind, pos);
    }
    b.value(value, pos, anchor)
}

/// The original word of a key YAML 1.1 turned into a bool.
type KeyCoercion = Option<(Coercion, String)>;

/// A key's JSON name, its Go type, and the original word when YAML 1.1 turned it
/// into a bool.
fn key_name(
    text: Cow<'_, str>,
    plain: bool,
    tag: Option<CoreTag>,
) -> std::result::Result<(CompactString, GoKey, KeyCoercion), String> {
    // Fast path: most keys start with a letter go-yaml never resolves.
    let first = text.as_bytes().first().copied();
    let resolvable = matches!(
        first,
        None | Some(
            b'y' | b'Y'
                | b'n'
                | b'N'
                | b't'
                | b'T'
                | b'f'
                | b'F'
                | b'o'
                | b'O'
                | b'~'
                | b'.'
                | b'+'
                | b'-'
                | b'0'..=b'9'
        )
    );
    if tag.is_none() && (!plain || !resolvable) {
        return Ok((text.into(), GoKey::Str, None));
    }
    let (resolved, coercion) = match tag {
        Some(tag) => (scalar::resolve_tagged(tag, &text)?, None),
        None => scalar::resolve_plain(&text),
    };
    let coercion = coercion.map(|kind| (kind, text.to_string()));
    let kind = match &resolved {
        Resolved::Str(_) | Resolved::Null => GoKey::Str,
        Resolved::Bool(_) => GoKey::Bool,
        Resolved::Int(_) => GoKey::Int,
        Resolved::Uint(_) => GoKey::Uint,
        Resolved::Float(_) => GoKey::Float,
    };
    let name = match resolved {
        Resolved::Str(Cow::Borrowed(_)) => text.into(),
        other => scalar::key_name(other)?.into(),
    };
    Ok((name, kind, coercion))
}

/// Resolves a scalar in value position into the JSON data model kubectl produces.
pub(crate) fn scalar_value(
    text: Cow<'_, str>,
    plain: bool,
    tag: Option<CoreTag>,
) -> std::result::Result<(Value, Option<Coercion>), String> {
    let (resolved, coercion) = match tag {
        Some(tag) => (scalar::resolve_tagged(tag, &text)?, None),
        None if plain => scalar::resolve_plain(&text),
        None => return Ok((Value::String(text.into()), None)),
    };
    let value = match resolved {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Int(i),
        Resolved::Uint(u) => Value::Float(u as f64),
        Resolved::Float(f) => json_number(f)?,
        // Borrowed means "the text itself": move it instead of copying.
        Resolved::Str(Cow::Borrowed(_)) => Value::String(text.into()),
        Resolved::Str(s) => Value::String(s.into()),
    };
    Ok((value, coercion))
}

/// A float as the API server receives it from kubectl: `encoding/json` writes an
/// integral float below 1e21 without a fraction or exponent, and the unstructured
/// decoder then reads it back as an int64 when it fits. Infinities and NaN make
/// `json.Marshal` fail.
pub(crate) fn json_number(f: f64) -> std::result::Result<Value, String> {
    if f.is_nan() {
        return Err("json: unsupported value: NaN".to_owned());
    }
    if f.is_infinite() {
        return Err(format!(
            "json: unsupported value: {}Inf",
            if f > 0.0 { "+" } else { "-" }
        ));
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        // Go prints the shortest round-trip digits padded with zeros, as Rust does.
        if let Ok(i) = format!("{f}").parse::<i64>() {
            return Ok(Value::Int(i));
        }
    }
    Ok(Value::Float(f))
}
