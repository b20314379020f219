//! Objects whose text is not one-to-one with their tree are not edited.
//!
//! An alias copies its anchor's nodes, positions included, so an edit at such
//! a position would change the anchor and every alias of it; a merge key
//! (`<<`) pulls entries written elsewhere; a duplicate key leaves text the tree
//! does not hold. Aliases and merges show up as positions that go backwards in
//! a walk of the tree in document order (a copied node keeps its anchor's
//! earlier position), duplicate keys as the loader's `yaml/duplicate-key` and
//! `yaml/merge-override` notes.

use palisade_core::{Finding, Node, Object, Pos, Value};

/// Why this object must not be edited, with the position to name.
pub fn unsafe_reason(object: &Object, notes: &[Finding]) -> Option<(Pos, String)> {
    if let Some(note) = notes.iter().find(|n| {
        matches!(
            n.rule.as_str(),
            "yaml/duplicate-key" | "yaml/merge-override"
        ) && n.object.as_ref() == Some(object.reference())
    }) {
        let pos = note
            .location
            .as_ref()
            .map_or(object.source().pos, |l| Pos::new(l.line, l.column));
        return Some((
            pos,
            format!("{} (a repeated key); fix it by hand", note.rule),
        ));
    }
    let mut last = Pos::default();
    out_of_order(object.root(), &mut last).map(|pos| {
        (
            pos,
            "the object uses YAML anchors, aliases or merge keys; an edit here could change more than this value".to_owned(),
        )
    })
}

/// The first position that is not after the one before it, in document order.
fn out_of_order(node: &Node, last: &mut Pos) -> Option<Pos> {
    // A block mapping starts at its first key, so a collection may share its
    // position with its first child; scalars and keys must move forward.
    if node.pos < *last {
        return Some(node.pos);
    }
    match &node.value {
        Value::Map(map) => {
            *last = node.pos;
            let mut first = true;
            for (key, value) in map.iter() {
                if key.pos < *last || (!first && key.pos == *last) {
                    return Some(key.pos);
                }
                first = false;
                *last = key.pos;
                if let Some(bad) = out_of_order(value, last) {
                    return Some(bad);
                }
            }
            None
        }
        Value::Seq(items) => {
            *last = node.pos;
            let mut first = true;
            for item in items {
                if item.pos < *last || (!first && item.pos == *last) {
                    return Some(item.pos);
                }
                first = false;
                if let Some(bad) = out_of_order(item, last) {
                    return Some(bad);
                }
            }
            None
        }
        _ => {
            *last = node.pos;
            None
        }
    }
}
