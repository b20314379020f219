//! What the tests share: the analyzers that own the fixable rules, run as
//! `palisade fix` runs them (Pod Security at restricted, latest version), and
//! fixing one file from its own findings.

#![allow(dead_code)]

use std::sync::Arc;

use palisade_core::{Analyzer, Finding, Inventory, Object, Options};
use palisade_fix::{FileFix, FixOptions, default_deny, fix_file, fixable_rules};
use palisade_load::{Limits, load_bytes};

/// The findings of fixable rules on `objects`.
pub fn scan(objects: &[Object]) -> Vec<Finding> {
    let mut options = Options::default();
    options
        .set(palisade_pss::analyzer::LEVEL_OPTION, "restricted")
        .set(palisade_pss::analyzer::VERSION_OPTION, "latest");
    let inventory = Inventory::with_reading_notes(objects.to_vec(), Vec::new());
    let mut analyzers: Vec<Box<dyn Analyzer>> = vec![
        Box::new(palisade_pss::PodSecurity),
        Box::new(palisade_netpol::NetworkPolicyLint),
    ];
    analyzers.extend(palisade_checks::GROUPS.map(|g| Box::new(g) as Box<dyn Analyzer>));
    let fixable: Vec<&str> = fixable_rules().collect();
    analyzers
        .iter()
        .flat_map(|a| a.analyze(&inventory, &options))
        .filter(|f| fixable.contains(&f.rule.as_str()))
        .collect()
}

/// The objects of one file.
pub fn objects(name: &str, bytes: &[u8]) -> Vec<Object> {
    load_bytes(name.into(), bytes, &Limits::default())
        .expect("the file reads")
        .objects
}

/// One file fixed from its own findings, default-deny policies included.
pub fn fix_from_scan(name: &str, bytes: &[u8], options: FixOptions) -> (FileFix, Vec<Finding>) {
    let file: Arc<str> = name.into();
    let objects = objects(name, bytes);
    let findings = scan(&objects);
    let refs: Vec<&Finding> = findings.iter().collect();
    let mut notes = Vec::new();
    let files = [(file.clone(), objects.as_slice())];
    let policies = default_deny::plan(&refs, &files, &mut notes);
    let mine = policies.get(&file).cloned().unwrap_or_default();
    let fix = fix_file(file, bytes, &refs, &mine, options).expect("the file reads");
    (fix, findings)
}
