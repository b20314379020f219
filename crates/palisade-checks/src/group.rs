//! A group of checks behind one rule-id prefix, and the [`Analyzer`] it is.

use palisade_core::{Analyzer, Finding, Inventory, Options, Rule};

use crate::context::Context;

/// One check: the rules it can emit and the function that decides them.
pub struct Check {
    pub rules: &'static [&'static Rule],
    pub run: fn(&Context, &mut Vec<Finding>),
}

/// Declares each check module of a group and lists it: a module exports its
/// `RULES` and its `check`, and one line registers both.
#[macro_export]
#[doc(hidden)]
macro_rules! checks {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every check of the group, in the order findings come out.
        pub static CHECKS: &[$crate::Check] =
            &[$($crate::Check { rules: $module::RULES, run: $module::check }),*];
    };
}

/// The analyzer of one group: its name is the rule-id prefix.
#[derive(Clone, Copy)]
pub struct Group {
    pub name: &'static str,
    pub description: &'static str,
    pub checks: &'static [Check],
    /// Validates the options the group's checks read (see
    /// [`Analyzer::check_options`]).
    pub check_options: fn(&Options) -> Result<(), String>,
}

/// For groups whose checks read no option.
pub fn no_options(_: &Options) -> Result<(), String> {
    Ok(())
}

impl Analyzer for Group {
    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> &'static str {
        self.description
    }

    fn check_options(&self, options: &Options) -> Result<(), String> {
        (self.check_options)(options)
    }

    fn rules(&self) -> Vec<&'static Rule> {
        self.checks
            .iter()
            .flat_map(|check| check.rules.iter().copied())
            .collect()
    }

    fn analyze(&self, inventory: &Inventory, options: &Options) -> Vec<Finding> {
        let context = Context::new(inventory, options);
        let mut findings = Vec::new();
        for check in self.checks {
            (check.run)(&context, &mut findings);
        }
        findings
    }
}
