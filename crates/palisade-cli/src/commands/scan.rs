//! `palisade scan`: the registry's analyzers over the input. `--analyzers`
//! selects analyzers, rules or rule prefixes; every selection, option and the
//! accept file are checked before the input is read.

use palisade_core::Severity;
use std::collections::HashSet;

use palisade_core::{Options, Registry};
use palisade_pss::analyzer::{LEVEL_OPTION, VERSION_OPTION};
use palisade_report::FailOn;

use crate::cli::{GlobalArgs, ScanArgs};
use crate::output::Output;
use crate::progress::Progress;
use crate::registry::registry;
use crate::report_findings::{Emit, emit};
use crate::suppress::Prepared;
use crate::{CliError, Outcome, inputs};

pub fn run(args: &ScanArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let registry = registry();
    let selection = Selection::parse(&args.analyzers, &registry)?;
    let first_path = args.paths.iter().chain(&args.input.filenames).next();
    let suppress = Prepared::new(&args.suppress, first_path.map(|p| p.as_path()), &registry)?;
    let mut options = Options::default();
    options
        .set(LEVEL_OPTION, args.pss_level.as_str())
        .set(VERSION_OPTION, args.pss_version.to_string())
        .set(palisade_schema::VERSION_OPTION, &args.k8s_version);
    args.rbac.apply(&mut options);
    options.set_all(
        palisade_checks::resources::ALLOWED_REGISTRIES_OPTION,
        args.allowed_registries.iter().cloned(),
    );
    if let crate::commands::policy::EngineArg::Cel = args.policy_engine {
        options.set(palisade_policy::analyzer::ENGINE_OPTION, "cel");
    }
    let analyzers: Vec<_> = registry
        .analyzers()
        .filter(|a| suppress.runs(&selection, a.name()))
        .collect();
    for analyzer in &analyzers {
        analyzer.check_options(&options).map_err(CliError::Usage)?;
    }
    let mut how = Emit::prepare(
        &args.findings,
        FailOn::At(Severity::Low),
        &registry,
        registry
            .rules()
            .filter(|r| suppress.reports(&selection, r.id)),
    )?;

    // Policies are read first: an unreadable policy file is an input error
    // (exit 2), never a silently missing policy.
    let progress = Progress::start(global);
    let policy_objects = crate::commands::policy::read_policy_files(&args.policies)?;
    // Reading notes are collected only when the yaml analyzer reports them.
    let loaded = inputs::load_in_namespace(
        &args.paths,
        &args.input,
        args.namespace.namespace.as_deref(),
        suppress.runs(&selection, "yaml"),
    )?;
    let files = loaded.files;
    how.facts.extend(inputs::skipped_fact(&loaded));
    let policy_objects = not_in_input(policy_objects, &loaded.objects);
    let inventory = inputs::inventory(
        loaded.objects,
        loaded.findings,
        inputs::required(args.namespace.namespace.as_deref()).as_ref(),
        &args.namespaces.namespace_labels,
    )?;
    let inventory = inventory.with_policy_objects(policy_objects);
    progress.analyzing(files, inventory.len(), analyzers.len());
    let mut findings = Vec::new();
    for analyzer in &analyzers {
        progress.analyzer(analyzer.name());
        findings.extend(
            analyzer
                .analyze(&inventory, &options)
                .into_iter()
                .filter(|f| suppress.reports(&selection, &f.rule)),
        );
        how.facts.extend(analyzer.facts(&options));
        progress.done_one();
    }
    let (findings, suppressed) = suppress.apply(findings, &inventory, &registry, &selection)?;
    how.suppressed = suppressed;
    progress.finish();
    let mut out = Output::new(global);
    let outcome = emit(findings, files, inventory.len(), how, &mut out)?;
    out.finish()?;
    // The process ends right after this: freeing a large tree node by node would
    // cost about a quarter of the load time for nothing (measured with the
    // scan_throughput bench), so the inventory is left to the operating system.
    std::mem::forget(inventory);
    Ok(outcome)
}

/// What `--analyzers` selects: rule-id patterns. An analyzer name stands for
/// the analyzer's rules that are on by default (`pss` is `pss/*` minus the rules
/// declared off by default); a rule id or prefix selects those rules whatever
/// their default.
pub(crate) struct Selection {
    patterns: Vec<Pattern>,
    /// Rules declared off by default: only an explicit id or prefix turns them on.
    off_by_default: HashSet<&'static str>,
}

struct Pattern {
    text: String,
    /// Written as a rule id or prefix, not as an analyzer name.
    explicit: bool,
}

impl Selection {
    fn parse(entries: &[String], registry: &Registry) -> Result<Selection, CliError> {
        let mut patterns = Vec::new();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let pattern = if registry.analyzer(entry).is_some() {
                Pattern {
                    text: format!("{entry}/*"),
                    explicit: false,
                }
            } else if entry.contains('/') {
                registry
                    .check_rule_pattern(entry)
                    .map_err(|e| CliError::Usage(format!("--analyzers: {e}")))?;
                Pattern {
                    text: entry.to_owned(),
                    explicit: true,
                }
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
        let off_by_default = registry
            .rules()
            .filter(|r| !r.enabled_by_default)
            .map(|r| r.id)
            .collect();
        Ok(Selection {
            patterns,
            off_by_default,
        })
    }

    fn matches(pattern: &str, rule: &str) -> bool {
        match pattern.strip_suffix('*') {
            Some(prefix) => rule.starts_with(prefix),
            None => pattern == rule,
        }
    }

    /// True when some selected rule belongs to the analyzer.
    pub(crate) fn runs(&self, analyzer: &str) -> bool {
        self.patterns.iter().any(|p| {
            p.text
                .split_once('/')
                .is_some_and(|(prefix, _)| prefix == analyzer)
        })
    }

    #[cfg(test)]
    fn keeps(&self, finding: &palisade_core::Finding) -> bool {
        self.keeps_rule(&finding.rule)
    }

    pub(crate) fn keeps_rule(&self, rule: &str) -> bool {
        let on_by_default = !self.off_by_default.contains(rule);
        self.patterns
            .iter()
            .any(|p| (p.explicit || on_by_default) && Selection::matches(&p.text, rule))
    }
}

/// The `--policies` objects that are not also objects of the scanned input:
/// `scan DIR --policies DIR/policies` reads those files twice, and the same
/// template counted twice would be reported as a second, conflicting one.
/// Objects are the same when they come from the same file (however the path
/// was spelled) at the same position.
fn not_in_input(
    policies: Vec<palisade_core::Object>,
    input: &[palisade_core::Object],
) -> Vec<palisade_core::Object> {
    use std::collections::{HashMap, HashSet};
    use std::path::PathBuf;
    if policies.is_empty() {
        return policies;
    }
    let mut canonical: HashMap<&str, PathBuf> = HashMap::new();
    let resolve = |file: &str| -> PathBuf {
        std::fs::canonicalize(file).unwrap_or_else(|_| PathBuf::from(file))
    };
    let policy_files: HashSet<PathBuf> =
        policies.iter().map(|p| resolve(&p.source().file)).collect();
    let mut seen = HashSet::new();
    for object in input {
        let file = &*object.source().file;
        let path = canonical.entry(file).or_insert_with(|| resolve(file));
        if policy_files.contains(path) {
            seen.insert((path.clone(), object.source().pos));
        }
    }
    policies
        .into_iter()
        .filter(|p| !seen.contains(&(resolve(&p.source().file), p.source().pos)))
        .collect()
}

#[cfg(test)]
mod tests {
    use palisade_core::{Analyzer, Finding, Inventory, Options, Rule, Severity};

    use super::*;

    static LOUD: Rule = palisade_core::rule! { id: "demo/loud", title: "on" };
    static QUIET: Rule = palisade_core::rule! {
        id: "demo/quiet",
        title: "off unless asked for",
        enabled_by_default: false,
    };

    struct Demo;

    impl Analyzer for Demo {
        fn name(&self) -> &'static str {
            "demo"
        }
        fn description(&self) -> &'static str {
            "demo"
        }
        fn rules(&self) -> Vec<&'static Rule> {
            vec![&LOUD, &QUIET]
        }
        fn analyze(&self, _: &Inventory, _: &Options) -> Vec<Finding> {
            Vec::new()
        }
    }

    fn finding(rule: &str) -> Finding {
        Finding::unlocated(rule, Severity::Low, "m", None)
    }

    fn selection(entries: &[&str]) -> Selection {
        let registry = Registry::new(vec![Box::new(Demo)]);
        let entries: Vec<String> = entries.iter().map(|e| (*e).to_owned()).collect();
        Selection::parse(&entries, &registry).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rules_off_by_default_run_only_when_named() {
        let by_analyzer = selection(&["demo"]);
        assert!(by_analyzer.runs("demo") && !by_analyzer.runs("other"));
        assert!(by_analyzer.keeps(&finding("demo/loud")));
        assert!(!by_analyzer.keeps(&finding("demo/quiet")));
        let named = selection(&["demo/quiet"]);
        assert!(named.keeps(&finding("demo/quiet")));
        assert!(!named.keeps(&finding("demo/loud")));
        assert!(selection(&["demo/*"]).keeps(&finding("demo/quiet")));
    }

    #[test]
    fn unknown_analyzers_and_rules_are_usage_errors() {
        let registry = Registry::new(vec![Box::new(Demo)]);
        for bad in ["nope", "demo/nope", "other/*", " "] {
            assert!(
                Selection::parse(&[bad.to_owned()], &registry).is_err(),
                "{bad:?}"
            );
        }
    }
}
