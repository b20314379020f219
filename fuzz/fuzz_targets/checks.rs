//! Fuzzes the catalogue and the schema analyzer on hostile objects: whatever
//! the loader reads, every check of `palisade-checks` (every group, rules off by
//! default included, since a group runs all its checks) and the `schema`
//! analyzer must finish without panicking, and every finding must name a rule
//! its analyzer declares.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use palisade_core::{Analyzer, Inventory, Options};
use palisade_load::{Limits, load_bytes};

fuzz_target!(|data: &[u8]| {
    if data.len() > 64 * 1024 {
        return;
    }
    let Ok(load) = load_bytes(Arc::from("fuzz.yaml"), data, &Limits::default()) else {
        return;
    };
    let inventory = Inventory::new(load.objects);
    let mut options = Options::default();
    options.set("allowed-registries", "registry.example.com");
    let mut analyzers: Vec<Box<dyn Analyzer>> = palisade_checks::GROUPS
        .into_iter()
        .map(|group| Box::new(group) as Box<dyn Analyzer>)
        .collect();
    analyzers.push(Box::new(palisade_schema::SchemaValidation));
    for analyzer in &analyzers {
        let declared: Vec<&str> = analyzer.rules().iter().map(|r| r.id).collect();
        for finding in analyzer.analyze(&inventory, &options) {
            assert!(
                declared.contains(&finding.rule.as_str()),
                "{} emitted an undeclared rule {}",
                analyzer.name(),
                finding.rule
            );
        }
    }
});
