//! `palisade netpol`: NetworkPolicy connectivity (connlist, matrix), one
//! explained reachability question (reach), and lint.

use clap::{Args, Subcommand};
use palisade_core::{Analyzer, Inventory, Options, Severity};
use palisade_netpol::ingress::{self, PEER_NAME};
use palisade_netpol::{
    Connectivity, Controller, ControllerSpec, Endpoint, Engine, Model, NetworkPolicyLint, Protocol,
    reach_with,
};
use palisade_report::connlist;
use palisade_report::matrix::Matrix;
use palisade_report::reach as reach_report;
use palisade_report::{FailOn, Format};

use palisade_core::Placement;

use crate::cli::{FindingsArgs, GlobalArgs, InputArgs, NamespaceArgs, NamespaceLabelsArgs};
use crate::output::Output;
use crate::registry::registry;
use crate::report_findings::{Emit, emit};
use crate::{CliError, Outcome, inputs};

#[derive(Args, Debug)]
pub struct NetpolArgs {
    #[command(subcommand)]
    pub command: NetpolCommand,
}

#[derive(Subcommand, Debug)]
pub enum NetpolCommand {
    /// List every allowed connection between workloads and external addresses.
    #[command(
        after_help = "Examples:\n  palisade netpol connlist -f examples/\n  palisade netpol connlist -f examples/ -o json\n  palisade netpol connlist -f examples/ -o dot"
    )]
    Connlist(ConnlistArgs),
    /// Can one endpoint reach another? Explains which policies and rules decide.
    #[command(
        after_help = "Examples:\n  palisade netpol reach -f examples/ --from shop/storefront --to shop/orders-db --port 5432\n  palisade netpol reach -f examples/ --from shop/storefront[Deployment] --to 8.8.8.8/32 --port 53 --protocol UDP\n  palisade netpol reach -f examples/ --from ingress-controller --to shop/storefront --port 80\n\nExit status: 0 allowed, 1 denied, 2 usage or input error."
    )]
    Reach(ReachArgs),
    /// A who-talks-to-whom grid of workloads.
    #[command(
        after_help = "Examples:\n  palisade netpol matrix -f examples/ --exclude challenge -n shop\n  palisade netpol matrix -f examples/ -o html"
    )]
    Matrix(MatrixArgs),
    /// Find missing isolation and NetworkPolicy rules that do not do what they seem to.
    #[command(
        after_help = "Examples:\n  palisade netpol lint -f examples/\n  palisade netpol lint -f examples/ -o json --fail-on medium\n\nExit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error."
    )]
    Lint(LintArgs),
}

#[derive(Args, Debug)]
pub struct ConnlistArgs {
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub namespace: NamespaceArgs,
    #[command(flatten)]
    pub namespaces: NamespaceLabelsArgs,
    /// Output format: text, json, csv, md or dot (text and json follow np-guard's
    /// peer names and connection grammar; `txt` is read as text).
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "text", value_parser = connlist_format)]
    pub output: Format,
    #[command(flatten)]
    pub controller: ControllerArgs,
}

/// `--ingress-controller`, shared by connlist, reach and matrix.
#[derive(Args, Debug)]
pub struct ControllerArgs {
    /// Your ingress controller's pods, as NAMESPACE/SELECTOR (e.g.
    /// ingress-nginx/app.kubernetes.io/name=ingress-nginx). When workloads of the
    /// input match, they replace np-guard's stand-in pod as the source of the
    /// {ingress-controller} peer: their egress policies and the backends'
    /// ingress policies both apply.
    #[arg(long = "ingress-controller", value_name = "NS/SELECTOR", value_parser = ControllerSpec::parse)]
    pub ingress_controller: Option<ControllerSpec>,
}

impl ControllerArgs {
    /// The controller to model, warning when the named pods are not in the input.
    fn controller(&self, model: &Model) -> Controller {
        let Some(spec) = &self.ingress_controller else {
            return Controller::Abstract;
        };
        let controller = spec.controller(model);
        if controller == Controller::Abstract {
            eprintln!(
                "warning: --ingress-controller: no workload in namespace {:?} matches the selector; using np-guard's stand-in pod",
                spec.namespace
            );
        }
        controller
    }
}

fn connlist_format(s: &str) -> Result<Format, String> {
    Format::parse_among(
        s,
        &[
            Format::Text,
            Format::Json,
            Format::Csv,
            Format::Md,
            Format::Dot,
        ],
    )
}

#[derive(Args, Debug)]
pub struct ReachArgs {
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub namespace: NamespaceArgs,
    #[command(flatten)]
    pub namespaces: NamespaceLabelsArgs,
    /// Source: NS/NAME, NS/NAME[Kind], a pod name, an IP address or CIDR, or
    /// ingress-controller (the peer Ingress and Route objects imply).
    #[arg(long)]
    pub from: String,
    /// Destination: NS/NAME, NS/NAME[Kind], a pod name, or an IP address or CIDR.
    #[arg(long)]
    pub to: String,
    /// Ask about one port (otherwise: is anything allowed?).
    #[arg(long)]
    pub port: Option<u16>,
    /// The protocol of --port: TCP, UDP or SCTP.
    #[arg(long, default_value = "TCP", requires = "port", value_parser = parse_protocol)]
    pub protocol: Protocol,
    /// Output format: text or json.
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "text", value_parser = crate::cli::text_or_json)]
    pub output: Format,
    #[command(flatten)]
    pub controller: ControllerArgs,
}

fn parse_protocol(s: &str) -> Result<Protocol, String> {
    Protocol::parse_loose(s).ok_or_else(|| format!("{s:?} is not TCP, UDP or SCTP"))
}

#[derive(Args, Debug)]
pub struct MatrixArgs {
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Only workloads of this namespace. Like kubectl's `-n`, it is also the
    /// namespace of input objects that name none; objects naming another
    /// namespace keep it (the grid needs no error for them: they are left out).
    #[arg(short = 'n', long, value_name = "NS", value_parser = crate::inputs::parse_namespace_name)]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub namespaces: NamespaceLabelsArgs,
    /// Output format: table, csv or html.
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "table", value_parser = matrix_format)]
    pub output: Format,
    #[command(flatten)]
    pub controller: ControllerArgs,
}

fn matrix_format(s: &str) -> Result<Format, String> {
    Format::parse_among(s, &[Format::Table, Format::Csv, Format::Html])
}

#[derive(Args, Debug)]
pub struct LintArgs {
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub namespace: NamespaceArgs,
    #[command(flatten)]
    pub namespaces: NamespaceLabelsArgs,
    #[command(flatten)]
    pub findings: FindingsArgs,
}

pub fn run(args: &NetpolArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    match &args.command {
        NetpolCommand::Connlist(a) => connlist(a, global),
        NetpolCommand::Reach(a) => run_reach(a, global),
        NetpolCommand::Matrix(a) => matrix(a, global),
        NetpolCommand::Lint(a) => lint(a, global),
    }
}

/// The inventory of the input, placed in namespaces as `-n` asks, with the
/// namespaces `--namespace-labels` declares.
fn load(
    paths: &[std::path::PathBuf],
    input: &InputArgs,
    placement: Option<&Placement>,
    namespaces: &NamespaceLabelsArgs,
) -> Result<(Inventory, usize), CliError> {
    let loaded = inputs::load(paths, input)?;
    let inventory = inputs::inventory(
        loaded.objects,
        Vec::new(),
        placement,
        &namespaces.namespace_labels,
    )?;
    Ok((inventory, loaded.files))
}

fn required(namespace: &NamespaceArgs) -> Option<Placement> {
    inputs::required(namespace.namespace.as_deref())
}

fn connlist(args: &ConnlistArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let (inventory, _) = load(
        &args.paths,
        &args.input,
        required(&args.namespace).as_ref(),
        &args.namespaces,
    )?;
    let model = Model::from_inventory(&inventory);
    let engine = Engine::new(&model);
    let controller = args.controller.controller(&model);
    let connectivity = Connectivity::compute(&engine);
    let mut out = Output::new(global);
    let stream = match args.output {
        Format::Json => Some(connlist::StreamFormat::Json),
        Format::Csv => Some(connlist::StreamFormat::Csv),
        Format::Md => Some(connlist::StreamFormat::Md),
        Format::Dot => None,
        _ => Some(connlist::StreamFormat::Text),
    };
    match stream {
        // Records are written as they come: memory follows one source's
        // records, not every pair (pod-scale inputs have tens of millions).
        Some(format) => {
            let mut writer = connlist::StreamWriter::begin(out.writer(), format)?;
            connectivity.each_record(&controller, |record| writer.record(&record))?;
            writer.finish()?;
        }
        // The graph lists every peer before the edges: it needs the whole list.
        None => {
            let records = connlist::connections(connectivity.records_with(&controller));
            out.text(&connlist::to_dot(&records))?;
        }
    }
    out.finish()?;
    Ok(Outcome::Clean)
}

fn run_reach(args: &ReachArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let (inventory, _) = load(
        &args.paths,
        &args.input,
        required(&args.namespace).as_ref(),
        &args.namespaces,
    )?;
    let model = Model::from_inventory_all_workloads(&inventory);
    let engine = Engine::new(&model);
    let from =
        Endpoint::parse(&model, &args.from).map_err(|e| CliError::Usage(format!("--from: {e}")))?;
    let to =
        Endpoint::parse(&model, &args.to).map_err(|e| CliError::Usage(format!("--to: {e}")))?;
    let probe = args.port.map(|port| (args.protocol, port));
    let controller = args.controller.controller(&model);
    let answer = reach_with(&engine, from, to, probe, &controller).map_err(CliError::Usage)?;
    let mut out = Output::new(global);
    reach_report::write(&answer, args.output, out.writer())?;
    out.finish()?;
    Ok(if answer.allowed {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn matrix(args: &MatrixArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let (inventory, _) = load(
        &args.paths,
        &args.input,
        inputs::defaulted(args.namespace.as_deref()).as_ref(),
        &args.namespaces,
    )?;
    let model = Model::from_inventory_all_workloads(&inventory);
    let engine = Engine::new(&model);
    let connectivity = Connectivity::compute(&engine);
    let shown: Vec<usize> = (0..model.workloads.len())
        .filter(|&i| {
            args.namespace
                .as_deref()
                .is_none_or(|ns| model.workloads[i].namespace == ns)
        })
        .collect();
    if let Some(ns) = &args.namespace
        && shown.is_empty()
    {
        return Err(CliError::Usage(format!("no workloads in namespace {ns:?}")));
    }
    let mut names: Vec<String> = shown.iter().map(|&i| model.workloads[i].id()).collect();
    let text = |conn: &palisade_netpol::ConnSet| {
        if conn.is_empty() {
            "-".to_owned()
        } else {
            conn.to_string()
        }
    };
    let cell = |s: usize, d: usize| {
        if s == d {
            return "self".to_owned();
        }
        text(connectivity.between(s, d))
    };
    let mut cells: Vec<Vec<String>> = shown
        .iter()
        .map(|&s| shown.iter().map(|&d| cell(s, d)).collect())
        .collect();
    // The ingress controller is a source only: a last row, and a column of `-`.
    if !model.routes.is_empty() {
        let controller = args.controller.controller(&model);
        let conns = ingress::controller_conns(&engine, &controller);
        let mut row: Vec<String> = shown
            .iter()
            .map(|&d| {
                conns
                    .iter()
                    .find(|c| c.workload == d)
                    .map(|c| text(&c.conn))
                    .unwrap_or_else(|| "-".to_owned())
            })
            .collect();
        row.push("self".to_owned());
        for r in &mut cells {
            r.push("-".to_owned());
        }
        cells.push(row);
        names.push(PEER_NAME.to_owned());
    }
    let grid = Matrix { cells, names };
    let mut out = Output::new(global);
    match args.output {
        Format::Csv => grid.write_csv(out.writer())?,
        Format::Html => grid.write_html(out.writer())?,
        _ => grid.write_table(out.writer())?,
    }
    out.finish()?;
    Ok(Outcome::Clean)
}

fn lint(args: &LintArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let how = Emit::prepare(
        &args.findings,
        FailOn::At(Severity::Low),
        &registry(),
        NetworkPolicyLint.rules(),
    )?;
    let (inventory, files) = load(
        &args.paths,
        &args.input,
        required(&args.namespace).as_ref(),
        &args.namespaces,
    )?;
    let findings = NetworkPolicyLint.analyze(&inventory, &Options::default());
    let mut out = Output::new(global);
    let outcome = emit(findings, files, inventory.len(), how, &mut out)?;
    out.finish()?;
    Ok(outcome)
}
