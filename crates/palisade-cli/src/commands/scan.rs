//! `palisade scan`: the registry's analyzers over the input. `--analyzers`
//! selects analyzers, rules or rule prefixes; every selection, option and the
//! accept file are checked before the input is read.

use palisade_core::Severity;
use palisade_core::{Finding, Inventory, Options, Registry};
use palisade_pss::analyzer::{LEVEL_OPTION, VERSION_OPTION};
use palisade_report::FailOn;

use crate::cli::{GlobalArgs, ScanArgs};
use crate::output::Output;
use crate::registry::registry;
use crate::report_findings::{Emit, emit};
use crate::{CliError, Outcome, inputs};

pub fn run(args: &ScanArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let registry = registry();
    let selection = Selection::parse(&args.analyzers, &registry)?;
    let mut options = Options::default();
    options
        .set(LEVEL_OPTION, args.pss_level.as_str())
        .set(VERSION_OPTION, args.pss_version.to_string());
    let analyzers: Vec<_> = registry
        .analyzers()
        .filter(|a| selection.runs(a.name()))
        .collect();
    for analyzer in &analyzers {
        analyzer.check_options(&options).map_err(CliError::Usage)?;
    }
    let mut how = Emit::prepare(
        &args.findings,
        args.output,
        FailOn::At(Severity::Low),
        &registry,
    )?;

    let loaded = inputs::load(&args.paths, &args.input)?;
    let files = loaded.files;
    let inventory = Inventory::with_reading_notes(loaded.objects, loaded.findings);
    let mut findings = Vec::new();
    for analyzer in &analyzers {
        findings.extend(
            analyzer
                .analyze(&inventory, &options)
                .into_iter()
                .filter(|f| selection.keeps(f)),
        );
        how.facts.extend(analyzer.facts(&options));
    }
    let mut out = Output::new(global);
    let outcome = emit(findings, files, inventory.len(), how, &mut out)?;
    out.finish()?;
    // The process ends right after this: freeing a large tree node by node would
    // cost about a quarter of the load time for nothing (measured with the
    // scan_throughput bench), so the inventory is left to the operating system.
    std::mem::forget(inventory);
    Ok(outcome)
}

/// What `--analyzers` selects: rule-id patterns, an analyzer name standing for
/// all its rules (`pss` is `pss/*`).
struct Selection {
    patterns: Vec<String>,
}

impl Selection {
    fn parse(entries: &[String], registry: &Registry) -> Result<Selection, CliError> {
        let mut patterns = Vec::new();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let pattern = if registry.analyzer(entry).is_some() {
                format!("{entry}/*")
            } else if entry.contains('/') {
                registry
                    .check_rule_pattern(entry)
                    .map_err(|e| CliError::Usage(format!("--analyzers: {e}")))?;
                entry.to_owned()
            } else {
                let names: Vec<&str> = registry.analyzers().map(|a| a.name()).collect();
                return Err(CliError::Usage(format!(
                    "--analyzers: unknown analyzer {entry:?}: expected one of {}, or rule ids (`palisade rules`)",
                    names.join(", ")
                )));
            };
            patterns.push(pattern);
        }
        if patterns.is_empty() {
            return Err(CliError::Usage(
                "--analyzers: select at least one analyzer or rule".to_owned(),
            ));
        }
        Ok(Selection { patterns })
    }

    fn matches(pattern: &str, rule: &str) -> bool {
        match pattern.strip_suffix('*') {
            Some(prefix) => rule.starts_with(prefix),
            None => pattern == rule,
        }
    }

    /// True when some selected rule belongs to the analyzer.
    fn runs(&self, analyzer: &str) -> bool {
        self.patterns.iter().any(|p| {
            p.split_once('/')
                .is_some_and(|(prefix, _)| prefix == analyzer)
        })
    }

    fn keeps(&self, finding: &Finding) -> bool {
        self.patterns
            .iter()
            .any(|p| Selection::matches(p, &finding.rule))
    }
}
