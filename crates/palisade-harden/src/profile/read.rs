//! Reading a profile file: bytes through `palisade-load` (kubectl's YAML
//! reading, with positions), then the strict serde types of `model.rs`, then
//! `validate.rs`. Every error names the file, line and column.
//!
//! serde reports where a value failed as a path (`access[0].verbs[2]`), not a
//! position; `serde_path_to_error` gives that path and [`Locator`] walks the
//! positioned tree along it, so a serde error points at the field it is about
//! (for an unknown field, at its key).

use std::sync::Arc;

use palisade_core::{Node, Pos};

use super::model::RawProfile;
use super::types::Profile;
use super::validate;

/// Why a profile could not be read: the file, where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", pos.place())]
pub struct ProfileError {
    pub file: Arc<str>,
    pub pos: Pos,
    pub message: String,
}

/// The profile file is at most this large: a profile is a page of intent.
const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// Reads and checks a profile. `file` names it in errors and in the generated
/// headers (its last path component only).
pub fn read_profile(file: &str, bytes: &[u8]) -> Result<Profile, ProfileError> {
    let name: Arc<str> = Arc::from(file);
    let error = |pos: Pos, message: String| ProfileError {
        file: name.clone(),
        pos,
        message,
    };
    let limits = palisade_load::Limits {
        max_file_bytes: MAX_PROFILE_BYTES,
        ..palisade_load::Limits::default()
    };
    let load = palisade_load::load_bytes(name.clone(), bytes, &limits)
        .map_err(|e| error(e.pos, e.message))?;
    // A reading note (a repeated key, `on` read as a boolean) is an error
    // here: in a security profile a silently overridden key is a silently
    // dropped intent.
    if let Some(note) = load.findings.first() {
        let pos = note
            .location
            .as_ref()
            .map(|l| Pos::new(l.line, l.column))
            .unwrap_or_default();
        return Err(error(pos, note.message.clone()));
    }
    let [object] = load.objects.as_slice() else {
        return Err(error(
            Pos::default(),
            format!(
                "expected one HardeningProfile document, found {} objects",
                load.objects.len()
            ),
        ));
    };
    let root = object.root();
    let locator = Locator { root };
    let raw: RawProfile = serde_path_to_error::deserialize(root.to_json()).map_err(|e| {
        let segments = segments_of(e.path());
        error(locator.pos(&segments), e.into_inner().to_string())
    })?;
    let source = file.rsplit(['/', '\\']).next().unwrap_or(file).to_owned();
    validate::validate(raw, source).map_err(|(path, message)| {
        let pos = locator.pos(&path);
        error(pos, message)
    })
}

/// One step of a path into the profile's tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Shorthand for building paths in `validate.rs`.
pub fn key(name: &str) -> Seg {
    Seg::Key(name.to_owned())
}

fn segments_of(path: &serde_path_to_error::Path) -> Vec<Seg> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(Seg::Index(*index)),
            Segment::Map { key } => Some(Seg::Key(key.clone())),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

/// Finds the position of a path in the positioned tree.
pub struct Locator<'a> {
    root: &'a Node,
}

impl Locator<'_> {
    /// The position of the deepest node the path reaches: a missing key
    /// points at the mapping that should hold it, an unknown key at the key.
    pub fn pos(&self, path: &[Seg]) -> Pos {
        let mut node = self.root;
        for (index, segment) in path.iter().enumerate() {
            let last = index + 1 == path.len();
            let next = match segment {
                Seg::Key(name) => match node.as_map().and_then(|m| m.get_entry(name)) {
                    // The key's own position for the last step: an error
                    // about a field (unknown, or a bad value) reads best at
                    // its name; values point at themselves one step deeper.
                    Some((key, _)) if last => return key.pos,
                    Some((_, value)) => value,
                    None => return node.pos,
                },
                Seg::Index(i) => match node.as_seq().and_then(|items| items.get(*i)) {
                    Some(item) => item,
                    None => return node.pos,
                },
            };
            node = next;
        }
        node.pos
    }
}
