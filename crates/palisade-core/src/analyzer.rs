//! The analyzer contract: what `scan` (and later the webhook and a live-cluster
//! run) needs from every check family, and the one registry of them.
//!
//! An analyzer declares its [`Rule`]s and turns an [`Inventory`] into findings.
//! It is pure: no I/O, no printing, no global state; it builds whatever model it
//! needs from the inventory itself. Settings reach it as [`Options`], plain
//! `name = value` pairs (the command line's flags today, a config file later)
//! that it validates in [`Analyzer::check_options`] before any input is read.

use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::inventory::Inventory;
use crate::rule::Rule;

/// Settings for a run, by option name (`pss-level`, `include-system`, ...).
/// Each analyzer reads the ones it knows and ignores the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    values: BTreeMap<String, Vec<String>>,
}

impl Options {
    /// Sets an option, replacing earlier values.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.values.insert(name.to_owned(), vec![value.into()]);
        self
    }

    /// Sets a list-valued option (a repeatable flag).
    pub fn set_all(&mut self, name: &str, values: impl IntoIterator<Item = String>) -> &mut Self {
        self.values
            .insert(name.to_owned(), values.into_iter().collect());
        self
    }

    /// The (last) value of an option.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name)?.last().map(String::as_str)
    }

    /// Every value of a list-valued option.
    pub fn get_all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// A boolean option: `true` only when set to `true`.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name) == Some("true")
    }
}

/// A fact about the whole run that an analyzer reports beside its findings, such
/// as the Pod Security policy it evaluated. Reporters show it in the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// The summary's JSON key (`pssPolicy`).
    pub key: &'static str,
    /// How a person reads it (`Pod Security Standards`).
    pub label: &'static str,
    pub value: String,
}

/// A family of checks behind one rule-id prefix.
pub trait Analyzer: Send + Sync {
    /// The rule-id prefix and the name `--analyzers` takes: `pss`, `rbac`.
    fn name(&self) -> &'static str;

    /// One line for `palisade rules` and `--help`.
    fn description(&self) -> &'static str;

    /// Every rule the analyzer can emit.
    fn rules(&self) -> Vec<&'static Rule>;

    /// Rejects option values the analyzer cannot use, with a message that names
    /// the option and what it accepts. Called before any input is read.
    fn check_options(&self, _options: &Options) -> Result<(), String> {
        Ok(())
    }

    /// Run-wide facts to show in the summary (none by default).
    fn facts(&self, _options: &Options) -> Vec<Fact> {
        Vec::new()
    }

    /// Every finding about the inventory. Options were checked before.
    fn analyze(&self, inventory: &Inventory, options: &Options) -> Vec<Finding>;
}

/// The analyzers a program knows, in the order they run and are listed.
pub struct Registry {
    analyzers: Vec<Box<dyn Analyzer>>,
}

impl Registry {
    pub fn new(analyzers: Vec<Box<dyn Analyzer>>) -> Registry {
        Registry { analyzers }
    }

    pub fn analyzers(&self) -> impl Iterator<Item = &dyn Analyzer> {
        self.analyzers.iter().map(|a| &**a)
    }

    /// The analyzer with this name.
    pub fn analyzer(&self, name: &str) -> Option<&dyn Analyzer> {
        self.analyzers().find(|a| a.name() == name)
    }

    /// Every rule of every analyzer, in registry order.
    pub fn rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        self.analyzers().flat_map(|a| a.rules())
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&'static Rule> {
        self.rules().find(|r| r.id == id)
    }

    /// Checks a rule pattern as accept lists and selections write it: an exact id,
    /// or a prefix ending in `*` (`netpol/*`) that covers at least one rule. A
    /// rule whose id ends in `*` is a family whose findings name one member each
    /// (`policy/*` reports `policy/<Kind>/<name>`): any pattern under it is known.
    pub fn check_rule_pattern(&self, pattern: &str) -> Result<(), String> {
        let in_family = self.rules().any(|r| {
            r.id.strip_suffix('*')
                .is_some_and(|family| pattern.starts_with(family))
        });
        let known = in_family
            || match pattern.strip_suffix('*') {
                Some(prefix) => self.rules().any(|r| r.id.starts_with(prefix)),
                None => self.rule(pattern).is_some(),
            };
        if known {
            return Ok(());
        }
        let hint = match self.closest_rule(pattern) {
            Some(id) => format!(" (did you mean {id}?)"),
            None => String::new(),
        };
        Err(format!(
            "unknown rule {pattern:?}{hint}; `palisade rules` lists every rule id"
        ))
    }

    /// A registered id that shares the longest prefix with `id`, for hints.
    fn closest_rule(&self, id: &str) -> Option<&'static str> {
        let common = |a: &str| {
            a.bytes()
                .zip(id.bytes())
                .take_while(|(x, y)| x == y)
                .count()
        };
        self.rules()
            .map(|r| (common(r.id), r.id))
            .filter(|(n, rule)| *n > rule.find('/').unwrap_or(0) + 1)
            .max_by_key(|(n, _)| *n)
            .map(|(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    static ONE: Rule = crate::rule! { id: "demo/one", title: "one", severity: Severity::Low };
    static TWO: Rule = crate::rule! { id: "demo/two", title: "two" };
    static FAMILY: Rule = crate::rule! { id: "demo/each/*", title: "one id per member" };

    struct Demo;

    impl Analyzer for Demo {
        fn name(&self) -> &'static str {
            "demo"
        }
        fn description(&self) -> &'static str {
            "a demonstration"
        }
        fn rules(&self) -> Vec<&'static Rule> {
            vec![&ONE, &TWO, &FAMILY]
        }
        fn analyze(&self, _: &Inventory, _: &Options) -> Vec<Finding> {
            Vec::new()
        }
    }

    #[test]
    fn a_family_rule_knows_every_member_id() {
        let registry = Registry::new(vec![Box::new(Demo)]);
        assert!(registry.check_rule_pattern("demo/each/anything").is_ok());
        assert!(registry.check_rule_pattern("demo/each/K8sX/*").is_ok());
        assert!(registry.check_rule_pattern("demo/eac").is_err());
    }

    #[test]
    fn rule_patterns_must_name_registered_rules() {
        let registry = Registry::new(vec![Box::new(Demo)]);
        assert!(registry.check_rule_pattern("demo/one").is_ok());
        assert!(registry.check_rule_pattern("demo/*").is_ok());
        assert!(registry.check_rule_pattern("other/*").is_err());
        let error = registry.check_rule_pattern("demo/tow").unwrap_err();
        assert!(error.contains("did you mean demo/two?"), "{error}");
        assert_eq!(
            registry.rule("demo/two").map(|r| r.severity),
            Some(Severity::Medium)
        );
    }

    #[test]
    fn options_keep_the_last_value_and_lists() {
        let mut options = Options::default();
        options.set("level", "baseline").set("level", "restricted");
        options.set_all("ns", ["a".to_owned(), "b".to_owned()]);
        assert_eq!(options.get("level"), Some("restricted"));
        assert_eq!(options.get_all("ns"), ["a", "b"]);
        assert!(!options.flag("missing"));
    }
}
