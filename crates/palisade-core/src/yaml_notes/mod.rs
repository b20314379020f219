//! The `yaml` analyzer: how the manifests are written. The loader notices, while
//! reading, where kubectl and another reader of the same file can disagree
//! (duplicate keys, merges, YAML 1.1 scalars); this analyzer reports those notes,
//! which the [`Inventory`] keeps beside the objects. One file per rule, each with
//! its documentation.
//!
//! The loader (`palisade-load`) takes the rule ids of its findings from the
//! declarations here; the registry test in the CLI checks every id emitted.

mod duplicate_key;
mod merge_override;
mod yaml11_coercion;

use crate::analyzer::{Analyzer, Options};
use crate::finding::Finding;
use crate::inventory::Inventory;
use crate::rule::Rule;

pub use duplicate_key::DUPLICATE_KEY;
pub use merge_override::MERGE_OVERRIDE;
pub use yaml11_coercion::YAML11_COERCION;

/// Reports the loader's notes about how the YAML is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct YamlNotes;

impl Analyzer for YamlNotes {
    fn name(&self) -> &'static str {
        "yaml"
    }

    fn description(&self) -> &'static str {
        "how the manifests are written: YAML that kubectl and other tools read differently"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        vec![&DUPLICATE_KEY, &MERGE_OVERRIDE, &YAML11_COERCION]
    }

    fn analyze(&self, inventory: &Inventory, _options: &Options) -> Vec<Finding> {
        inventory.reading_notes().to_vec()
    }
}
