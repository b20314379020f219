//! `scan`'s suppressions and rule choice: the flags, the config file
//! (`.palisade.yaml`, found upward from the first scanned path unless
//! `--config` or `--no-config` says otherwise), the baseline, and the rules
//! a run reports (`--analyzers`, config `rules.enable`/`disable`, `--rules`,
//! `--skip-rules`). Everything here is read and checked before any input is;
//! the pass itself is `palisade_suppress::apply`.

use std::path::{Path, PathBuf};

use clap::Args;
use palisade_core::{Finding, Inventory, Registry};
use palisade_suppress::{Baseline, Config, Strict, rule_pattern};

use crate::CliError;
use crate::commands::scan::Selection;
use crate::destinations::write_atomically;

/// Suppression and rule-choice flags of `scan`.
#[derive(Args, Debug, Default)]
pub struct SuppressArgs {
    /// Only these rules (comma-separated ids, prefixes ending in `*`, or
    /// analyzer names); a rule off by default runs when named here. Narrows
    /// what --analyzers and the config select.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Never these rules (comma-separated ids, prefixes ending in `*`, or analyzer names).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub skip_rules: Vec<String>,
    /// The configuration file; by default `.palisade.yaml` is looked for in the
    /// first scanned path's folder and the folders above it, up to a `.git` folder.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long)]
    pub no_config: bool,
    /// Findings accepted in this baseline file (written by --write-baseline) are suppressed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the findings that remain after other suppressions to FILE as a
    /// baseline, then report with it applied.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Annotations suppress nothing (they are reported as suppress/not-allowed).
    #[arg(long)]
    pub strict: bool,
    /// List suppressed findings too, marked with what suppressed them and why.
    #[arg(long)]
    pub show_suppressed: bool,
}

/// Everything the suppression flags settled before the input is read.
pub struct Prepared {
    config: Option<Config>,
    baseline: Option<Baseline>,
    strict: Strict,
    rules: Vec<String>,
    skip_rules: Vec<String>,
    write_baseline: Option<PathBuf>,
    show_suppressed: bool,
}

impl Prepared {
    /// Reads the config and the baseline and checks the rule flags.
    /// `first_path` is the first scanned path (`-` or none: the working directory).
    pub fn new(
        args: &SuppressArgs,
        first_path: Option<&Path>,
        registry: &Registry,
    ) -> Result<Prepared, CliError> {
        let rules = patterns("--rules", &args.rules, registry)?;
        let skip_rules = patterns("--skip-rules", &args.skip_rules, registry)?;
        let config_path = match (&args.config, args.no_config) {
            (Some(path), _) => Some(path.clone()),
            (None, true) => None,
            (None, false) => {
                let start = first_path
                    .filter(|p| *p != Path::new("-"))
                    .unwrap_or(Path::new("."));
                palisade_suppress::discover(start)
            }
        };
        let config = config_path
            .map(|path| Config::read(&path, registry))
            .transpose()
            .map_err(|e| CliError::Input(vec![e.to_string()]))?;
        let baseline = args
            .baseline
            .as_deref()
            .map(Baseline::read)
            .transpose()
            .map_err(|e| CliError::Input(vec![e]))?;
        let strict = if args.strict {
            Strict::All
        } else {
            config
                .as_ref()
                .map(|c| c.strict.clone())
                .unwrap_or_default()
        };
        Ok(Prepared {
            config,
            baseline,
            strict,
            rules,
            skip_rules,
            write_baseline: args.write_baseline.clone(),
            show_suppressed: args.show_suppressed,
        })
    }

    /// True when the analyzer runs: `--analyzers` selects it or the config enables one of its rules.
    pub fn runs(&self, selection: &Selection, analyzer: &str) -> bool {
        selection.runs(analyzer)
            || self.config.as_ref().is_some_and(|c| {
                c.enable
                    .iter()
                    .any(|p| p.text.split_once('/').is_some_and(|(a, _)| a == analyzer))
            })
    }

    /// True when the run reports findings of `rule`.
    pub fn reports(&self, selection: &Selection, rule: &str) -> bool {
        let named = rule_pattern::any_matches(self.rules.iter().map(String::as_str), rule);
        if (!self.rules.is_empty() && !named)
            || rule_pattern::any_matches(self.skip_rules.iter().map(String::as_str), rule)
        {
            return false;
        }
        let analyzer = rule.split_once('/').map_or(rule, |(a, _)| a);
        let enabled = self.config.as_ref().is_some_and(|c| {
            rule_pattern::any_matches(c.enable.iter().map(|p| p.text.as_str()), rule)
        });
        let disabled = self.config.as_ref().is_some_and(|c| {
            rule_pattern::any_matches(c.disable.iter().map(|p| p.text.as_str()), rule)
        });
        // The suppression pass's own rules are on whenever it runs.
        let selected = selection.keeps_rule(rule)
            || enabled
            || analyzer == "suppress"
            || (named && selection.runs(analyzer));
        // A rule the config disables still runs when --rules names it.
        selected && (named || !disabled)
    }

    /// Suppresses what the annotations, config and baseline cover, writes the
    /// baseline when asked, and returns the findings to report (suppressed ones
    /// marked, when shown) with the count of suppressed findings left out.
    pub fn apply(
        &self,
        findings: Vec<Finding>,
        inventory: &Inventory,
        registry: &Registry,
        selection: &Selection,
    ) -> Result<(Vec<Finding>, usize), CliError> {
        let cwd = std::env::current_dir().map_err(CliError::Io)?;
        let reported = |rule: &str| self.reports(selection, rule);
        let sources = self.sources(&cwd);
        let mut outcome =
            palisade_suppress::apply(findings, inventory, registry, &sources, &reported);
        if let Some(path) = &self.write_baseline {
            let text = Baseline::render(&outcome.kept);
            // The errors of the shared writer name the file already.
            write_atomically(path, text.as_bytes())
                .map_err(|e| CliError::Input(vec![e.to_string()]))?;
            // The run goes on as if it had read the baseline it wrote.
            for mut finding in std::mem::take(&mut outcome.kept) {
                finding.suppression = Some(palisade_core::Suppression {
                    by: "baseline",
                    at: path.display().to_string(),
                    reason: "accepted in the baseline".to_owned(),
                });
                outcome.suppressed.push(finding);
            }
        }
        let mut findings = outcome.kept;
        findings.extend(outcome.notes);
        let hidden = if self.show_suppressed {
            findings.extend(outcome.suppressed);
            0
        } else {
            outcome.suppressed.len()
        };
        Ok((findings, hidden))
    }
}

impl Prepared {
    /// What the suppression pass reads: this run's config, baseline and strict
    /// mode, today's date, and the working directory paths resolve against.
    fn sources<'s>(&'s self, cwd: &'s Path) -> palisade_suppress::Sources<'s> {
        palisade_suppress::Sources {
            config: self.config.as_ref(),
            baseline: self.baseline.as_ref(),
            strict: &self.strict,
            today: today(),
            cwd,
        }
    }

    /// The findings no suppression covers, for `palisade fix`: what the
    /// annotations, the config and the baseline accept is not changed either.
    pub fn unsuppressed(
        &self,
        findings: Vec<Finding>,
        inventory: &Inventory,
        registry: &Registry,
    ) -> Result<Vec<Finding>, CliError> {
        let cwd = std::env::current_dir().map_err(CliError::Io)?;
        let sources = self.sources(&cwd);
        Ok(palisade_suppress::apply(findings, inventory, registry, &sources, &|_| true).kept)
    }
}

/// Checks rule patterns against the registry; an analyzer name stands for its rules.
fn patterns(flag: &str, entries: &[String], registry: &Registry) -> Result<Vec<String>, CliError> {
    let mut out = Vec::new();
    for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if registry.analyzer(entry).is_some() {
            out.push(format!("{entry}/*"));
            continue;
        }
        registry
            .check_rule_pattern(entry)
            .map_err(|e| CliError::Usage(format!("{flag}: {e}")))?;
        out.push(entry.to_owned());
    }
    Ok(out)
}

/// Today's date in UTC: the one place the suppression pass's clock is read.
fn today() -> palisade_suppress::Date {
    palisade_suppress::jiff::Timestamp::now()
        .to_zoned(palisade_suppress::jiff::tz::TimeZone::UTC)
        .date()
}
