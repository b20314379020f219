//! The command-line grammar. Flags follow kubectl where kubectl has one
//! (`-f/--filename`, `-o/--output`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use palisade_core::Severity;

#[derive(Parser, Debug)]
#[command(
    name = "palisade",
    version,
    about = "Kubernetes security analysis: Pod Security Standards and more, exactly as the cluster decides",
    after_help = "Examples:\n  palisade scan examples/\n  palisade scan -f deploy.yaml --pss-level baseline -o json\n  kubectl kustomize overlays/prod | palisade scan -f -"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check manifests against the Pod Security Standards and report findings.
    #[command(
        after_help = "Examples:\n  palisade scan examples/insecure-app.yaml\n  palisade scan -f k8s/ -f extra.yaml --pss-level baseline --pss-version v1.30\n  helm template chart/ | palisade scan -f - -o json --fail-on high\n\nExit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error."
    )]
    Scan(ScanArgs),
    /// Print the objects exactly as Palisade (and kubectl) read them.
    #[command(
        after_help = "Examples:\n  palisade inventory -f deploy.yaml -o json\n  cat all.yaml | palisade inventory -f -\n\nOne object prints as itself; several print as a List, as kubectl does."
    )]
    Inventory(InventoryArgs),
    /// NetworkPolicy analysis: connectivity, reachability with reasons, lint.
    #[command(
        after_help = "Examples:\n  palisade netpol connlist -f k8s/\n  palisade netpol reach -f k8s/ --from shop/web --to shop/db --port 5432\n  palisade netpol lint -f k8s/"
    )]
    Netpol(crate::commands::netpol::NetpolArgs),
    /// RBAC: can-i, who-can, and risky or privilege-escalating permissions.
    #[command(
        after_help = "Examples:\n  palisade rbac can-i create pods -n shop --as dev -f rbac/\n  palisade rbac who-can get secrets -n shop -f rbac/\n  palisade rbac risks -f rbac/"
    )]
    Rbac(crate::commands::rbac::RbacArgs),
}

/// Files, directories (walked recursively for .yaml, .yml, .json) or `-` for stdin.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// A manifest file, a directory, or - for standard input (repeatable).
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,
    /// Warn about files that cannot be read as Kubernetes objects and go on with
    /// the rest, instead of stopping with exit status 2 (stray values.yaml, CI configs).
    #[arg(long)]
    pub ignore_invalid: bool,
    /// Refuse the run before reading anything when all inputs together are larger
    /// than this (bytes, or with a K, M or G suffix).
    #[arg(long, value_name = "BYTES", default_value = "128M", value_parser = crate::inputs::parse_bytes)]
    pub max_input_bytes: u64,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Manifest files or directories to scan (same as -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// The Pod Security Standards level to check against.
    #[arg(long, value_enum, default_value_t = PssLevel::Restricted)]
    pub pss_level: PssLevel,
    /// The policy version: `latest` or `v1.N` (for example v1.30).
    #[arg(long, default_value = "latest", value_parser = parse_pss_version)]
    pub pss_version: palisade_pss::Version,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ScanFormat::Table)]
    pub output: ScanFormat,
    /// Exit 1 when a finding has this severity or a higher one.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub fail_on: Severity,
    #[command(flatten)]
    pub accept: crate::report_findings::AcceptArgs,
    /// Which analyzers run (comma-separated): pss, netpol, rbac, yaml.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = Analyzer::ALL)]
    pub analyzers: Vec<Analyzer>,
    /// Colour the table: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, default_value_t = ColourChoice::Auto)]
    pub color: ColourChoice,
}

#[derive(Args, Debug)]
pub struct InventoryArgs {
    /// Manifest files or directories to read (same as -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = InventoryFormat::Json)]
    pub output: InventoryFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PssLevel {
    Privileged,
    Baseline,
    Restricted,
}

impl From<PssLevel> for palisade_pss::Level {
    fn from(level: PssLevel) -> Self {
        match level {
            PssLevel::Privileged => palisade_pss::Level::Privileged,
            PssLevel::Baseline => palisade_pss::Level::Baseline,
            PssLevel::Restricted => palisade_pss::Level::Restricted,
        }
    }
}

/// The analyzers `scan` can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Analyzer {
    /// Pod Security Standards (`pss/*`).
    Pss,
    /// NetworkPolicy lint (`netpol/*`).
    Netpol,
    /// RBAC risks, escalation paths and invalid bindings (`rbac/*`).
    Rbac,
    /// How the manifests are written: YAML that kubectl and other tools read differently (`yaml/*`).
    Yaml,
}

impl Analyzer {
    pub const ALL: [Analyzer; 4] = [
        Analyzer::Pss,
        Analyzer::Netpol,
        Analyzer::Rbac,
        Analyzer::Yaml,
    ];
}

impl std::fmt::Display for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Analyzer::Pss => "pss",
            Analyzer::Netpol => "netpol",
            Analyzer::Rbac => "rbac",
            Analyzer::Yaml => "yaml",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColourChoice {
    Auto,
    Always,
    Never,
}

fn parse_pss_version(s: &str) -> Result<palisade_pss::Version, String> {
    s.parse()
}

pub(crate) fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// Whether to colour output for this choice: `auto` means standard output is a
/// terminal and `NO_COLOR` is unset.
pub fn colour_wanted(choice: ColourChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColourChoice::Always => true,
        ColourChoice::Never => false,
        ColourChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}
