//! `palisade test`: security intents as tests. Reads an expectations file
//! (`palisade.dev/v1alpha1` `SecurityExpectations`), loads the manifests as
//! every command does, and decides each expectation with the engine that
//! decides it in a cluster (`palisade-intent`). Exit 0 when every expectation
//! holds, 1 when one fails, 2 on a usage or input error.

use std::path::PathBuf;

use clap::Args;
use palisade_intent::cluster::AdmissionCluster;
use palisade_intent::{Outcome, Setup};
use palisade_report::Format;

use crate::cli::{DefaultsArgs, GlobalArgs, InputArgs, NamespaceArgs, NamespaceLabelsArgs};
use crate::commands::netpol::ControllerArgs;
use crate::destinations::{
    Destination, check_destinations, parse_destination_among, write_atomically,
};
use crate::output::Output;
use crate::{CliError, Outcome as CommandOutcome, inputs};

#[derive(Args, Debug)]
pub struct TestArgs {
    /// The expectations file (apiVersion palisade.dev/v1alpha1, kind SecurityExpectations).
    #[arg(long = "expect", value_name = "FILE")]
    pub expect: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub namespace: NamespaceArgs,
    #[command(flatten)]
    pub namespaces: NamespaceLabelsArgs,
    #[command(flatten)]
    pub defaults: DefaultsArgs,
    #[command(flatten)]
    pub admission: crate::commands::policy::AdmissionPolicyArgs,
    #[command(flatten)]
    pub controller: ControllerArgs,
    /// Output format, to standard output or, as FORMAT=FILE, to a file
    /// (repeatable; at most one to standard output): text, json, junit.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT[=FILE]",
        default_value = "text",
        value_parser = test_destination,
        action = clap::ArgAction::Append
    )]
    pub outputs: Vec<Destination>,
}

fn test_destination(text: &str) -> Result<Destination, String> {
    parse_destination_among(text, &[Format::Text, Format::Json, Format::Junit])
}

pub fn run(args: &TestArgs, global: &GlobalArgs) -> Result<CommandOutcome, CliError> {
    check_destinations(&args.outputs).map_err(CliError::Usage)?;
    // The expectations are read before the input: a typo in them costs no load.
    let expectations = palisade_intent::read_path(&args.expect)
        .map_err(|e| CliError::Input(vec![e.to_string()]))?;
    let loaded = inputs::load(&[], &args.input)?;
    let inventory = inputs::inventory(
        loaded.objects,
        Vec::new(),
        inputs::required(args.namespace.namespace.as_deref()).as_ref(),
        &args.namespaces.namespace_labels,
    )?;
    let policies = crate::commands::policy::input_and_file_policies(
        &args.admission.policies,
        inventory.objects(),
        args.admission.policy_engine,
    )?;
    let admission = crate::commands::serve::admission(Default::default(), false, policies);
    let cluster = AdmissionCluster::new(inventory.objects(), &args.namespaces.namespace_labels);
    let setup = Setup {
        inventory: &inventory,
        defaults: args.defaults.defaults(),
        admission: &admission,
        cluster: &cluster,
        controller: args.controller.ingress_controller.as_ref(),
    };
    let outcomes = palisade_intent::evaluate(&expectations, &setup).map_err(CliError::Input)?;
    write(&args.outputs, &expectations.file, &outcomes, global)?;
    Ok(if outcomes.iter().all(|o| o.passed) {
        CommandOutcome::Clean
    } else {
        CommandOutcome::Findings
    })
}

/// Each `-o`: to standard output, or to its file, atomically.
fn write(
    destinations: &[Destination],
    file: &str,
    outcomes: &[Outcome],
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let mut out = Output::new(global);
    for destination in destinations {
        let mut bytes = Vec::new();
        match destination.format {
            Format::Json => palisade_report::intent::write_json(file, outcomes, &mut bytes)?,
            Format::Junit => palisade_report::intent::write_junit(file, outcomes, &mut bytes)?,
            _ => palisade_report::intent::write_text(outcomes, &mut bytes)?,
        }
        match &destination.file {
            Some(path) => write_atomically(path, &bytes)?,
            None => out.writer().write_all(&bytes)?,
        }
    }
    out.finish()?;
    Ok(())
}
