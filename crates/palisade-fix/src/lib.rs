//! `palisade fix`: rewrites manifests to satisfy the findings whose rules have
//! a fixer, as minimal text edits on the original bytes.
//!
//! The file is never re-serialised. Each fix becomes an insertion or a
//! replacement at a position the loader gave (`palisade_core::Pos`), so
//! comments, key order, quoting, indentation, flow or block style and line
//! endings of everything else stay byte for byte. New entries follow the
//! style of the place they go: block YAML at the mapping's column and the
//! document's indentation step, flow YAML inside `{...}`, JSON in JSON files.
//!
//! Every edited file is read again with `palisade-load` and must hold the same
//! objects with exactly the planned changes (the patch is applied to the
//! loaded tree too, and the trees compared); an object whose edit does not
//! read back so is left unchanged with a note naming file and line. Objects
//! that use anchors, aliases, merge keys or repeated keys are not edited.
//!
//! - [`fixers`]: one file per rule, the list [`fixers::FIXERS`], and what is
//!   safe to change unasked.
//! - [`default_deny`]: NetworkPolicies appended for namespaces without one.
//! - [`fix_file`] / [`fix_everything`]: one file's fix; [`unified_diff`] and
//!   [`write_atomically`] for the command's outputs.

mod atomic;
pub mod default_deny;
mod diff;
mod edits;
mod file;
pub mod fixers;
mod layout;
pub mod patch;
mod render;
mod safety;
mod sites;
mod text;

pub use atomic::write_atomically;
pub use diff::unified_diff;
pub use file::{Applied, FileFix, FixOptions, fix_everything, fix_file};

/// The rule ids `fix` can satisfy: every fixer's and the two default-deny rules.
pub fn fixable_rules() -> impl Iterator<Item = &'static str> {
    fixers::FIXERS
        .iter()
        .map(|f| f.rule)
        .chain([default_deny::INGRESS_RULE, default_deny::EGRESS_RULE])
}
