//! `palisade rules` and `palisade explain`: the registry's rules and one rule's
//! documentation, the source every other rule listing reads.

use palisade_core::Rule;
use palisade_report::{Format, rules};

use crate::cli::{ExplainArgs, GlobalArgs, RulesArgs};
use crate::output::Output;
use crate::registry::registry;
use crate::{CliError, Outcome};

pub fn list(args: &RulesArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let registry = registry();
    if let Some(name) = &args.analyzer
        && registry.analyzer(name).is_none()
    {
        let names: Vec<&str> = registry.analyzers().map(|a| a.name()).collect();
        return Err(CliError::Usage(format!(
            "--analyzer: unknown analyzer {name:?}: expected one of {}",
            names.join(", ")
        )));
    }
    let selected: Vec<&Rule> = registry
        .rules()
        .filter(|r| args.analyzer.as_deref().is_none_or(|a| r.analyzer() == a))
        .collect();
    let mut out = Output::new(global);
    let width = out.width;
    match args.output {
        Format::Json => rules::write_json(&selected, out.writer())?,
        Format::Md => rules::write_markdown(&selected, out.writer())?,
        _ => rules::write_table(&selected, width, out.writer())?,
    }
    out.finish()?;
    Ok(Outcome::Clean)
}

pub fn explain(args: &ExplainArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let registry = registry();
    let Some(rule) = registry.rule(&args.rule) else {
        let error = registry
            .check_rule_pattern(&args.rule)
            .err()
            .unwrap_or_else(|| format!("{:?} names several rules; give one rule id", args.rule));
        return Err(CliError::Usage(error));
    };
    let mut out = Output::new(global);
    match args.output {
        Format::Json => rules::write_explanation_json(rule, out.writer())?,
        _ => rules::write_explanation(rule, out.writer())?,
    }
    out.finish()?;
    Ok(Outcome::Clean)
}
