//! `palisade netpol`: NetworkPolicy connectivity (connlist, matrix), one
//! explained reachability question (reach), and lint.

use std::io::{self, Write};

use clap::{Args, Subcommand, ValueEnum};
use palisade_core::{Inventory, Severity};
use palisade_netpol::{
    Connectivity, DirectionVerdict, Endpoint, Engine, Model, Protocol, output, reach,
};

use crate::cli::InputArgs;
use crate::report_findings::{AcceptArgs, Emit, emit};
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
        after_help = "Examples:\n  palisade netpol connlist -f k8s/\n  palisade netpol connlist -f k8s/ -o json > conns.json\n  palisade netpol connlist -f k8s/ -o dot | dot -Tsvg > conns.svg"
    )]
    Connlist(ConnlistArgs),
    /// Can one endpoint reach another? Explains which policies and rules decide.
    #[command(
        after_help = "Examples:\n  palisade netpol reach -f k8s/ --from shop/web --to shop/db --port 5432\n  palisade netpol reach -f k8s/ --from shop/web[Deployment] --to 8.8.8.8/32 --port 53 --protocol UDP\n\nExit status: 0 allowed, 1 denied, 2 usage or input error."
    )]
    Reach(ReachArgs),
    /// A who-talks-to-whom grid of workloads.
    #[command(
        after_help = "Examples:\n  palisade netpol matrix -f k8s/ -n shop\n  palisade netpol matrix -f k8s/ -o html > matrix.html"
    )]
    Matrix(MatrixArgs),
    /// Find missing isolation and NetworkPolicy rules that do not do what they seem to.
    #[command(
        after_help = "Examples:\n  palisade netpol lint -f k8s/\n  palisade netpol lint -f k8s/ -o json --fail-on medium\n\nExit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error."
    )]
    Lint(LintArgs),
}

#[derive(Args, Debug)]
pub struct ConnlistArgs {
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format (txt and json follow np-guard's peer names and connection grammar).
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ConnlistFormat::Txt)]
    pub output: ConnlistFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConnlistFormat {
    Txt,
    Json,
    Csv,
    Md,
    Dot,
}

#[derive(Args, Debug)]
pub struct ReachArgs {
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Source: NS/NAME, NS/NAME[Kind], a pod name, or an IP address or CIDR.
    #[arg(long)]
    pub from: String,
    /// Destination: NS/NAME, NS/NAME[Kind], a pod name, or an IP address or CIDR.
    #[arg(long)]
    pub to: String,
    /// Ask about one port (otherwise: is anything allowed?).
    #[arg(long)]
    pub port: Option<u16>,
    /// The protocol of --port: TCP, UDP or SCTP.
    #[arg(long, default_value = "TCP", requires = "port")]
    pub protocol: String,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ReachFormat::Text)]
    pub output: ReachFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReachFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub struct MatrixArgs {
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Only workloads of this namespace.
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = MatrixFormat::Table)]
    pub output: MatrixFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Table,
    Csv,
    Html,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = crate::cli::ScanFormat::Table)]
    pub output: crate::cli::ScanFormat,
    /// Exit 1 when a finding has this severity or a higher one.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = crate::cli::parse_severity)]
    pub fail_on: Severity,
    #[command(flatten)]
    pub accept: AcceptArgs,
}

pub fn run(args: &NetpolArgs) -> Result<Outcome, CliError> {
    match &args.command {
        NetpolCommand::Connlist(a) => connlist(a),
        NetpolCommand::Reach(a) => run_reach(a),
        NetpolCommand::Matrix(a) => matrix(a),
        NetpolCommand::Lint(a) => lint(a),
    }
}

fn load(paths: &[std::path::PathBuf], input: &InputArgs) -> Result<(Inventory, usize), CliError> {
    let loaded = inputs::load(paths, input)?;
    Ok((Inventory::new(loaded.objects), loaded.files))
}

fn connlist(args: &ConnlistArgs) -> Result<Outcome, CliError> {
    let (inventory, _) = load(&args.paths, &args.input)?;
    let records = palisade_netpol::connlist(&inventory);
    let text = match args.output {
        ConnlistFormat::Txt => output::to_txt(&records),
        ConnlistFormat::Json => output::to_json(&records) + "\n",
        ConnlistFormat::Csv => output::to_csv(&records),
        ConnlistFormat::Md => output::to_md(&records),
        ConnlistFormat::Dot => output::to_dot(&records),
    };
    write_stdout(&text)?;
    Ok(Outcome::Clean)
}

fn run_reach(args: &ReachArgs) -> Result<Outcome, CliError> {
    let (inventory, _) = load(&args.paths, &args.input)?;
    let model = Model::from_inventory(&inventory);
    let engine = Engine::new(&model);
    let from =
        Endpoint::parse(&model, &args.from).map_err(|e| CliError::Usage(format!("--from: {e}")))?;
    let to =
        Endpoint::parse(&model, &args.to).map_err(|e| CliError::Usage(format!("--to: {e}")))?;
    let probe = match args.port {
        Some(port) => {
            let protocol = Protocol::parse_loose(&args.protocol).ok_or_else(|| {
                CliError::Usage(format!(
                    "--protocol: {:?} is not TCP, UDP or SCTP",
                    args.protocol
                ))
            })?;
            Some((protocol, port))
        }
        None => None,
    };
    let answer = reach(&engine, from, to, probe).map_err(CliError::Usage)?;
    let text = match args.output {
        ReachFormat::Json => {
            serde_json::to_string_pretty(&answer).map_err(io::Error::other)? + "\n"
        }
        ReachFormat::Text => {
            let mut text = String::new();
            let asked = match answer.probe {
                Some((protocol, port)) => format!(" on {protocol} {port}"),
                None => String::new(),
            };
            let verdict = if answer.allowed { "allowed" } else { "denied" };
            text.push_str(&format!(
                "{verdict}: {} => {}{asked}\n",
                answer.from, answer.to
            ));
            text.push_str(&format!("allowed connections: {}\n", answer.conn));
            if let Some(v) = &answer.egress {
                explain(&mut text, &format!("egress of {}", answer.from), v);
            }
            if let Some(v) = &answer.ingress {
                explain(&mut text, &format!("ingress of {}", answer.to), v);
            }
            for note in &answer.notes {
                text.push_str(&format!("note: {note}\n"));
            }
            text
        }
    };
    write_stdout(&text)?;
    Ok(if answer.allowed {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// One direction's reasons, one line per deciding step.
fn explain(text: &mut String, title: &str, verdict: &DirectionVerdict) {
    text.push_str(&format!("{title}: {}\n", verdict.allowed));
    if !verdict.admin_selecting.is_empty() {
        text.push_str(&format!(
            "  admin policies selecting it: {}\n",
            verdict.admin_selecting.join(", ")
        ));
    }
    if verdict.isolating.is_empty() {
        text.push_str("  no NetworkPolicy isolates it in this direction\n");
    } else {
        text.push_str(&format!(
            "  isolated by: {}\n",
            verdict.isolating.join(", ")
        ));
    }
    for step in &verdict.steps {
        let rule = if step.rule.is_empty() {
            String::new()
        } else {
            format!(" rule {}", step.rule)
        };
        let policy = if step.policy.is_empty() {
            String::new()
        } else {
            format!(" {}", step.policy)
        };
        let at = step
            .at
            .as_ref()
            .map(|at| format!(" ({}:{})", at.file, at.pos.line))
            .unwrap_or_default();
        text.push_str(&format!(
            "  {:?}{policy}{rule}: {:?} {}{at}\n",
            step.tier, step.action, step.conn
        ));
    }
}

fn matrix(args: &MatrixArgs) -> Result<Outcome, CliError> {
    let (inventory, _) = load(&args.paths, &args.input)?;
    let model = Model::from_inventory(&inventory);
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
    let names: Vec<String> = shown.iter().map(|&i| model.workloads[i].id()).collect();
    let cell = |s: usize, d: usize| {
        if s == d {
            return "self".to_owned();
        }
        let conn = connectivity.between(s, d);
        if conn.is_empty() {
            "-".to_owned()
        } else {
            conn.to_string()
        }
    };
    let mut text = String::new();
    match args.output {
        MatrixFormat::Table | MatrixFormat::Csv => {
            let sep = if args.output == MatrixFormat::Csv {
                ","
            } else {
                " | "
            };
            let esc = |s: &str| {
                if args.output == MatrixFormat::Csv && s.contains([',', '"']) {
                    format!("\"{}\"", s.replace('"', "\"\""))
                } else {
                    s.to_owned()
                }
            };
            let header: Vec<String> = std::iter::once("from \\ to".to_owned())
                .chain(names.iter().map(|n| esc(n)))
                .collect();
            text.push_str(&header.join(sep));
            text.push('\n');
            for (row, &s) in shown.iter().enumerate() {
                let cells: Vec<String> = std::iter::once(esc(&names[row]))
                    .chain(shown.iter().map(|&d| esc(&cell(s, d))))
                    .collect();
                text.push_str(&cells.join(sep));
                text.push('\n');
            }
        }
        MatrixFormat::Html => {
            let esc = |s: &str| {
                s.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('"', "&quot;")
            };
            text.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>NetworkPolicy matrix</title>\n<style>table{border-collapse:collapse;font-family:sans-serif;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px}td.deny{background:#fdd}td.allow{background:#dfd}</style></head><body>\n<table>\n<tr><th>from \\ to</th>");
            for name in &names {
                text.push_str(&format!("<th>{}</th>", esc(name)));
            }
            text.push_str("</tr>\n");
            for (row, &s) in shown.iter().enumerate() {
                text.push_str(&format!("<tr><th>{}</th>", esc(&names[row])));
                for &d in &shown {
                    let value = cell(s, d);
                    let class = if value == "-" { "deny" } else { "allow" };
                    text.push_str(&format!("<td class=\"{class}\">{}</td>", esc(&value)));
                }
                text.push_str("</tr>\n");
            }
            text.push_str("</table>\n</body></html>\n");
        }
    }
    write_stdout(&text)?;
    Ok(Outcome::Clean)
}

fn lint(args: &LintArgs) -> Result<Outcome, CliError> {
    let (inventory, files) = load(&args.paths, &args.input)?;
    let model = Model::from_inventory(&inventory);
    let engine = Engine::new(&model);
    let findings = palisade_netpol::lint(&engine);
    emit(
        findings,
        files,
        inventory.len(),
        Emit {
            json: args.output == crate::cli::ScanFormat::Json,
            colour: crate::cli::colour_wanted(crate::cli::ColourChoice::Auto),
            fail_on: args.fail_on,
            accept: &args.accept,
            pss_policy: None,
        },
    )
}

fn write_stdout(text: &str) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
