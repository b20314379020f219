//! The `suppress` analyzer: it declares the suppression pass's rules so that
//! `palisade rules`, `explain`, selections and accept files know them. It finds
//! nothing by itself: its findings come from [`crate::apply`], which runs after
//! the other analyzers because it judges their findings against suppressions.

use palisade_core::{Analyzer, Finding, Inventory, Options, Rule};

pub struct SuppressionChecks;

impl Analyzer for SuppressionChecks {
    fn name(&self) -> &'static str {
        "suppress"
    }

    fn description(&self) -> &'static str {
        "Suppressions themselves: missing reasons, unknown rules, expired or unused suppressions"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        crate::rules::RULES.to_vec()
    }

    fn analyze(&self, _: &Inventory, _: &Options) -> Vec<Finding> {
        Vec::new()
    }
}
