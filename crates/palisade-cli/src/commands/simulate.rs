//! `palisade simulate`: what happens if this identity applies these objects to
//! this cluster. The cluster is manifests or a dump (`--cluster`, loaded as
//! `scan` loads its input); each object of `-f` goes through RBAC (with
//! escalation prevention), admission (Pod Security and the cluster's
//! policies), then its consequences (`palisade-intent`'s `simulate`). Exit 0
//! when every object would be applied, 1 when one is refused, 2 on a usage or
//! input error.

use std::path::PathBuf;

use clap::Args;
use palisade_intent::simulate::{Scenario, simulate};
use palisade_report::Format;

use crate::cli::{DefaultsArgs, GlobalArgs, InputArgs, NamespaceLabelsArgs};
use crate::output::Output;
use crate::{CliError, Outcome, inputs};

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// The identity applying the objects, as kubectl's --as
    /// (`system:serviceaccount:NS:NAME` for a ServiceAccount).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: String,
    /// A group of that identity (repeatable); given groups replace a
    /// ServiceAccount's own, and system:authenticated is always added.
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_groups: Vec<String>,
    /// The objects to apply: -f PATH (repeatable).
    #[command(flatten)]
    pub input: InputArgs,
    /// The cluster: manifests or a dump (files or directories, repeatable).
    #[arg(long = "cluster", value_name = "PATH", required = true)]
    pub cluster: Vec<PathBuf>,
    /// The namespace of namespaced objects that name none (default: default).
    #[arg(short = 'n', long, value_name = "NS", value_parser = crate::inputs::parse_namespace_name)]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub namespaces: NamespaceLabelsArgs,
    #[command(flatten)]
    pub defaults: DefaultsArgs,
    #[command(flatten)]
    pub admission: crate::commands::policy::AdmissionPolicyArgs,
    /// Output format: text or json.
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "text", value_parser = crate::cli::text_or_json)]
    pub output: Format,
}

pub fn run(args: &SimulateArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    if args.as_user.is_empty() {
        return Err(CliError::Usage("--as must name a user".to_owned()));
    }
    let objects = inputs::load(&[], &args.input)?.objects;
    let cluster = inputs::load(&args.cluster, &cluster_input(&args.input))?.objects;
    let policies = crate::commands::policy::input_and_file_policies(
        &args.admission.policies,
        &cluster,
        args.admission.policy_engine,
    )?;
    let admission = crate::commands::serve::admission(Default::default(), false, policies);
    let scenario = Scenario {
        cluster,
        declared: &args.namespaces.namespace_labels,
        defaults: args.defaults.defaults(),
        admission: &admission,
        user: palisade_intent::subject::impersonated(&args.as_user, &args.as_groups),
        namespace: args.namespace.as_deref().unwrap_or("default"),
    };
    let reports = simulate(scenario, &objects);
    let mut out = Output::new(global);
    match args.output {
        Format::Json => palisade_report::simulate::write_json(&reports, out.writer())?,
        _ => palisade_report::simulate::write_text(&reports, out.writer())?,
    }
    out.finish()?;
    Ok(if reports.iter().all(|r| r.applied) {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The reading options of `-f`, for the `--cluster` paths.
fn cluster_input(input: &InputArgs) -> InputArgs {
    InputArgs {
        filenames: Vec::new(),
        exclude: input.exclude.clone(),
        helm_values: input.helm_values.clone(),
        helm_set: input.helm_set.clone(),
        no_render: input.no_render,
        helm_release: input.helm_release.clone(),
        ignore_invalid: input.ignore_invalid,
        max_input_bytes: input.max_input_bytes,
    }
}
