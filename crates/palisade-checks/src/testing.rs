//! Test helpers: run one check over YAML read as kubectl reads it.

use palisade_core::{Finding, Inventory, Options, Rule};
use palisade_load::{Limits, load_bytes};

use crate::{Check, Context};

/// The findings of a check module (its `RULES` and `check`) on the objects of
/// `yaml` (file `test.yaml`), with default options.
pub(crate) fn findings_of(
    rules: &'static [&'static Rule],
    run: fn(&Context, &mut Vec<Finding>),
    yaml: &str,
) -> Vec<Finding> {
    findings_with(&Check { rules, run }, yaml, &Options::default())
}

/// [`findings_of`] with options.
pub(crate) fn findings_with(check: &Check, yaml: &str, options: &Options) -> Vec<Finding> {
    let load = load_bytes("test.yaml".into(), yaml.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("test input does not load: {e}"));
    let inventory = Inventory::new(load.objects);
    let context = Context::new(&inventory, options);
    let mut out = Vec::new();
    (check.run)(&context, &mut out);
    for finding in &out {
        assert!(
            check.rules.iter().any(|rule| rule.id == finding.rule),
            "{} is not among the check's declared rules",
            finding.rule
        );
    }
    out
}
