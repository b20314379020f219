//! `.palisade.yaml`: the project's scanner configuration.
//!
//! ```yaml
//! rules:
//!   enable: [resources/*]            # rule ids or prefixes; turns on rules off by default
//!   disable: [hygiene/*]
//! severity:
//!   pss/seccompProfile_restricted: high
//! exemptions:
//!   - rules: [pss/runAsNonRoot, pss/runAsUser]
//!     kind: DaemonSet                # exact; namespace, name and container are globs
//!     namespace: monitoring
//!     name: node-exporter*
//!     container: exporter
//!     reason: reads /proc as root (OPS-12)
//!     expires: 2027-01-31
//! ignore-paths: [vendor/**, charts/*/templates/tests/**]
//! strict: true                       # or a list of rule patterns
//! ```
//!
//! Reading is strict, as the accept file's is: an unknown key is an error (a
//! misspelt `exemptions` would otherwise exempt nothing, or a misspelt
//! `disable` disable nothing), and so is a rule pattern that names no rule,
//! an exemption without a reason, a bad glob or date. Every error names the
//! file and line. The file is read with `serde-saphyr`, like the accept file,
//! whose `Spanned` values keep the line of each entry for later messages.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use jiff::civil::Date;
use palisade_core::{Registry, Severity};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::expiry::parse_date;

/// The file name looked for upward from the scanned path.
pub const FILE_NAME: &str = ".palisade.yaml";

/// A configuration file that cannot be used: `file:line: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: u64,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file.display(), self.message),
            line => write!(f, "{}:{line}: {}", self.file.display(), self.message),
        }
    }
}

/// A rule pattern with the line it is written on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub text: String,
    pub line: u64,
}

/// A glob with its text, for messages.
#[derive(Clone, Debug)]
pub struct NamedGlob {
    pub text: String,
    pub matcher: GlobMatcher,
}

impl NamedGlob {
    fn new(text: &str) -> Result<NamedGlob, String> {
        let glob = Glob::new(text).map_err(|e| format!("invalid glob {text:?}: {e}"))?;
        Ok(NamedGlob {
            text: text.to_owned(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.matcher.is_match(text)
    }
}

/// Which rules annotations may not suppress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Strict {
    #[default]
    Off,
    All,
    Rules(Vec<String>),
}

impl Strict {
    /// True when annotations may not suppress findings of `rule`.
    pub fn forbids(&self, rule: &str) -> bool {
        match self {
            Strict::Off => false,
            Strict::All => true,
            Strict::Rules(patterns) => {
                crate::rule_pattern::any_matches(patterns.iter().map(String::as_str), rule)
            }
        }
    }
}

/// One exemption: findings of these rules about matching objects are suppressed.
#[derive(Clone, Debug)]
pub struct Exemption {
    pub rules: Vec<String>,
    pub kind: Option<String>,
    pub namespace: Option<NamedGlob>,
    pub name: Option<NamedGlob>,
    pub container: Option<NamedGlob>,
    pub reason: String,
    pub expires: Option<Date>,
    pub line: u64,
}

/// A severity override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeverityOverride {
    pub pattern: String,
    pub severity: Severity,
    pub line: u64,
}

/// An `ignore-paths` glob, matched against paths relative to the config's folder.
#[derive(Clone, Debug)]
pub struct IgnorePath {
    pub glob: NamedGlob,
    pub line: u64,
}

/// A configuration file, read and checked against the rule registry.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub file: PathBuf,
    pub enable: Vec<Pattern>,
    pub disable: Vec<Pattern>,
    pub severity: Vec<SeverityOverride>,
    pub exemptions: Vec<Exemption>,
    pub ignore_paths: Vec<IgnorePath>,
    pub strict: Strict,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    rules: Option<RawRules>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    exemptions: Vec<Spanned<RawExemption>>,
    #[serde(default)]
    ignore_paths: Vec<Spanned<String>>,
    #[serde(default)]
    strict: Option<Spanned<RawStrict>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    enable: Vec<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemption {
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    container: Option<String>,
    reason: Option<String>,
    expires: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawStrict {
    All(bool),
    Rules(Vec<String>),
}

impl Config {
    /// Reads and checks the file at `path`.
    pub fn read(path: &Path, registry: &Registry) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_owned(),
            line: 0,
            message: e.to_string(),
        })?;
        Config::parse(path, &text, registry)
    }

    /// Parses and checks a file's text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str, registry: &Registry) -> Result<Config, ConfigError> {
        let fail = |line: u64, message: String| ConfigError {
            file: path.to_owned(),
            line,
            message,
        };
        let mut config = Config {
            file: path.to_owned(),
            ..Config::default()
        };
        if text.trim().is_empty() {
            return Ok(config);
        }
        let raw: RawConfig = serde_saphyr::from_str(text).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line());
            // One line, as every other error of the command; the line is in front.
            let plain = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
            fail(line, e.render_with_options(plain))
        })?;
        let pattern = |spanned: &Spanned<String>, field: &str| -> Result<Pattern, ConfigError> {
            let line = spanned.referenced.line();
            registry
                .check_rule_pattern(&spanned.value)
                .map_err(|e| fail(line, format!("{field}: {e}")))?;
            Ok(Pattern {
                text: spanned.value.clone(),
                line,
            })
        };
        if let Some(rules) = &raw.rules {
            for p in &rules.enable {
                config.enable.push(pattern(p, "rules.enable")?);
            }
            for p in &rules.disable {
                config.disable.push(pattern(p, "rules.disable")?);
            }
        }
        for (rule, severity) in &raw.severity {
            let line = severity.referenced.line();
            registry
                .check_rule_pattern(rule)
                .map_err(|e| fail(line, format!("severity: {e}")))?;
            let parsed = severity
                .value
                .parse()
                .map_err(|e| fail(line, format!("severity of {rule}: {e}")))?;
            config.severity.push(SeverityOverride {
                pattern: rule.clone(),
                severity: parsed,
                line,
            });
        }
        for (i, entry) in raw.exemptions.iter().enumerate() {
            let line = entry.referenced.line();
            let raw = &entry.value;
            let at = |message: String| fail(line, format!("exemptions[{i}]: {message}"));
            if raw.rules.is_empty() {
                return Err(at("rules must name at least one rule".to_owned()));
            }
            let mut rules = Vec::new();
            for p in &raw.rules {
                rules.push(pattern(p, &format!("exemptions[{i}].rules"))?.text);
            }
            let reason = raw.reason.as_deref().map(str::trim).unwrap_or("");
            if reason.is_empty() {
                return Err(at("reason must say why the findings are exempt".to_owned()));
            }
            let glob = |text: &Option<String>| text.as_deref().map(NamedGlob::new).transpose();
            config.exemptions.push(Exemption {
                rules,
                kind: raw.kind.clone(),
                namespace: glob(&raw.namespace).map_err(at)?,
                name: glob(&raw.name).map_err(at)?,
                container: glob(&raw.container).map_err(at)?,
                reason: reason.to_owned(),
                expires: raw
                    .expires
                    .as_deref()
                    .map(parse_date)
                    .transpose()
                    .map_err(at)?,
                line,
            });
        }
        for path in &raw.ignore_paths {
            let line = path.referenced.line();
            let glob = NamedGlob::new(&path.value)
                .map_err(|e| fail(line, format!("ignore-paths: {e}")))?;
            config.ignore_paths.push(IgnorePath { glob, line });
        }
        if let Some(strict) = &raw.strict {
            let line = strict.referenced.line();
            config.strict = match &strict.value {
                RawStrict::All(true) => Strict::All,
                RawStrict::All(false) => Strict::Off,
                RawStrict::Rules(patterns) => {
                    for p in patterns {
                        registry
                            .check_rule_pattern(p)
                            .map_err(|e| fail(line, format!("strict: {e}")))?;
                    }
                    Strict::Rules(patterns.clone())
                }
            };
        }
        Ok(config)
    }

    /// The folder `ignore-paths` globs are relative to.
    pub fn folder(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new(""))
    }
}

/// The configuration file for a scan of `start`: `.palisade.yaml` in `start`'s
/// folder (or `start` itself when it is one) or the nearest folder above it,
/// as ruff finds `pyproject.toml`. The search stops at a repository's root (a
/// folder holding `.git`) and at the filesystem root.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let mut folder = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    loop {
        let candidate = folder.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if folder.join(".git").exists() {
            return None;
        }
        folder = folder.parent()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use palisade_core::{Analyzer, Finding, Inventory, Options, Rule};

    static PRIVILEGED: Rule = palisade_core::rule! { id: "pss/privileged", title: "t" };
    static ROOT: Rule = palisade_core::rule! { id: "pss/runAsNonRoot", title: "t" };

    struct Demo;

    impl Analyzer for Demo {
        fn name(&self) -> &'static str {
            "pss"
        }
        fn description(&self) -> &'static str {
            "demo"
        }
        fn rules(&self) -> Vec<&'static Rule> {
            vec![&PRIVILEGED, &ROOT]
        }
        fn analyze(&self, _: &Inventory, _: &Options) -> Vec<Finding> {
            Vec::new()
        }
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(
            Path::new("dir/.palisade.yaml"),
            text,
            &Registry::new(vec![Box::new(Demo)]),
        )
    }

    fn error(text: &str) -> String {
        match parse(text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_full_file_reads_into_its_parts() {
        let config = parse(
            "rules:\n  enable: [pss/*]\n  disable: [pss/privileged]\nseverity:\n  pss/runAsNonRoot: high\n\
             exemptions:\n  - rules: [pss/runAsNonRoot]\n    kind: DaemonSet\n    name: exporter-*\n    reason: reads /proc\n    expires: 2027-01-31\n\
             ignore-paths: [vendor/**]\nstrict: [pss/privileged]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.enable,
            [Pattern {
                text: "pss/*".into(),
                line: 2
            }]
        );
        assert_eq!(config.disable[0].line, 3);
        assert_eq!(config.severity[0].severity, Severity::High);
        let exemption = &config.exemptions[0];
        assert_eq!(exemption.line, 7);
        assert!(
            exemption
                .name
                .as_ref()
                .is_some_and(|g| g.is_match("exporter-a"))
        );
        assert_eq!(
            exemption.expires.map(|d| d.to_string()).as_deref(),
            Some("2027-01-31")
        );
        assert!(config.ignore_paths[0].glob.is_match("vendor/a/b.yaml"));
        assert!(
            config.strict.forbids("pss/privileged") && !config.strict.forbids("pss/runAsNonRoot")
        );
        assert_eq!(
            parse("strict: true\n").map(|c| c.strict).ok(),
            Some(Strict::All)
        );
    }

    #[test]
    fn every_error_names_the_file_and_line() {
        let cases = [
            (
                "rules:\n  enable: [pss/privileged]\n  disabel: [pss/*]\n",
                "dir/.palisade.yaml:3",
            ),
            (
                "rules:\n  enable:\n    - pss/nope\n",
                "dir/.palisade.yaml:3: rules.enable: unknown rule \"pss/nope\"",
            ),
            (
                "severity:\n  pss/privileged: severe\n",
                "dir/.palisade.yaml:2: severity of pss/privileged",
            ),
            (
                "exemptions:\n  - rules: [pss/privileged]\n    reason: \" \"\n",
                "dir/.palisade.yaml:2: exemptions[0]: reason",
            ),
            (
                "exemptions:\n  - rules: [pss/privileged]\n    reason: r\n    expires: 2027-02-30\n",
                "dir/.palisade.yaml:2: exemptions[0]: expiry date",
            ),
            (
                "exemptions:\n  - reason: r\n",
                "dir/.palisade.yaml:2: exemptions[0]: rules",
            ),
            (
                "\n\nignore-paths: [\"a[\"]\n",
                "dir/.palisade.yaml:3: ignore-paths: invalid glob",
            ),
            (
                "strict: [pss/nope]\n",
                "dir/.palisade.yaml:1: strict: unknown rule",
            ),
            (
                "exemptions:\n  - rules: [pss/privileged]\n    reason: r\n    nmae: x\n",
                "dir/.palisade.yaml:4",
            ),
        ];
        for (text, expected) in cases {
            let message = error(text);
            assert!(
                message.starts_with(expected),
                "{text:?}\n  gave {message:?}\n  expected {expected:?}"
            );
        }
    }

    #[test]
    fn an_empty_file_is_an_empty_configuration() {
        let config = parse("# nothing yet\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(config.exemptions.is_empty() && config.strict == Strict::Off);
    }
}
