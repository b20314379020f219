//! The command-line grammar. Flags follow kubectl where kubectl has one
//! (`-f/--filename`, `-o/--output`), and mean the same on every command:
//! `--color` and `-q/--quiet` apply everywhere, `-o` takes the same format names
//! everywhere (each command lists the ones it can write), `--fail-on` the same
//! severities plus `never`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use palisade_report::{FailOn, Format};

#[derive(Parser, Debug)]
#[command(
    name = "palisade",
    version,
    about = "Kubernetes security analysis, offline and exactly as the cluster decides: Pod Security Standards, RBAC, NetworkPolicy, and how the YAML is read",
    after_help = "Examples:\n  palisade scan examples/\n  palisade scan -f examples/shop.yaml --pss-level baseline -o json\n  cat examples/shop.yaml | palisade scan -f -\n  palisade rules\n  palisade explain pss/privileged"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Args, Debug, Clone, Copy)]
pub struct GlobalArgs {
    /// Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColourChoice::Auto)]
    pub color: ColourChoice,
    /// Print nothing on standard output; the exit status is the answer.
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every analyzer (Pod Security Standards, NetworkPolicy lint, RBAC risks, YAML reading) and report findings.
    #[command(
        after_help = "Examples:\n  palisade scan examples/\n  palisade scan -f examples/shop.yaml --pss-level baseline --pss-version v1.30\n  palisade scan examples/ --analyzers pss,yaml -o json --fail-on high\n  palisade scan examples/ -o table -o sarif=/tmp/palisade.sarif -o junit=/tmp/palisade-junit.xml\n  cat examples/shop.yaml | palisade scan -f - --fail-on never\n  palisade scan -f examples/shop.yaml -n shop --namespace-labels shop=pod-security.kubernetes.io/enforce=restricted\n\nExit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error."
    )]
    Scan(ScanArgs),
    /// Rewrite manifests to satisfy the findings that have an automatic fix (securityContext hardening, seccomp, default-deny NetworkPolicies), keeping everything else byte for byte.
    #[command(
        after_help = "Examples:\n  palisade fix examples/ --diff\n  palisade fix examples/shop.yaml --stdout --rules pss/allowPrivilegeEscalation,pss/capabilities_restricted\n  palisade fix examples/shop.yaml --diff --unsafe\n  cat examples/shop.yaml | palisade fix -\n\nWithout --diff or --stdout, `palisade fix PATH...` rewrites the files in place. Fixes only add missing fields (allowPrivilegeEscalation: false, capabilities.drop: [ALL], runAsNonRoot: true and seccompProfile RuntimeDefault at pod level, readOnlyRootFilesystem: true, automountServiceAccountToken: false) and append a default-deny NetworkPolicy (palisade-default-deny) to the file of each namespace without one. Explicit insecure values are changed only with --unsafe. Files are replaced atomically; comments, key order, quoting and indentation are kept.\n\nExit status: 0 nothing left to fix, 1 findings left that need a person (each named in a note on stderr), 2 usage or input error."
    )]
    Fix(FixArgs),
    /// Print the objects exactly as Palisade (and kubectl) read them.
    #[command(
        after_help = "Examples:\n  palisade inventory -f examples/shop.yaml -o json\n  cat examples/shop.yaml | palisade inventory -f -\n  palisade inventory -f examples/rbac.yaml -n shop\n\nOne object prints as itself; several print as a List, as kubectl does.\nWith -n, namespaced objects that name no namespace carry it, as kubectl apply -n sends them."
    )]
    Inventory(InventoryArgs),
    /// List every rule any analyzer can report, with its severity and summary.
    #[command(
        after_help = "Examples:\n  palisade rules\n  palisade rules -o json\n  palisade rules --analyzer rbac\n  palisade rules -o md"
    )]
    Rules(RulesArgs),
    /// Print one rule's documentation: what it flags, why, an example, the fix.
    #[command(
        after_help = "Examples:\n  palisade explain pss/privileged\n  palisade explain rbac/esc-bind -o json\n\nExit status: 0, or 2 when no rule has that id."
    )]
    Explain(ExplainArgs),
    /// NetworkPolicy analysis: connectivity, reachability with reasons, lint.
    #[command(
        after_help = "Examples:\n  palisade netpol connlist -f examples/\n  palisade netpol reach -f examples/ --from shop/storefront --to shop/orders-db --port 5432\n  palisade netpol lint -f examples/"
    )]
    Netpol(crate::commands::netpol::NetpolArgs),
    /// RBAC: can-i, who-can, and risky or privilege-escalating permissions.
    #[command(
        after_help = "Examples:\n  palisade rbac can-i create pods -n shop --as alice -f examples/\n  palisade rbac who-can get secrets -n shop -f examples/\n  palisade rbac risks -f examples/"
    )]
    Rbac(crate::commands::rbac::RbacArgs),
    /// Run the validating admission webhook: Pod Security per namespace labels, over HTTPS.
    #[command(
        after_help = "Examples:\n  palisade serve --listen 127.0.0.1:8443 --tls-cert /tmp/palisade-pki/tls.crt --tls-key /tmp/palisade-pki/tls.key -f webhook-examples/namespaces.yaml\n  palisade serve --tls-cert /pki/tls.crt --tls-key /pki/tls.key --config /etc/palisade/pod-security.yaml --metrics-listen 0.0.0.0:9090\n  palisade serve --tls-cert /pki/tls.crt --tls-key /pki/tls.key --watch-gatekeeper --policies /etc/palisade/policies\n\nWithout -f or --namespace-labels, namespaces are watched in the cluster (in-cluster service account or kubeconfig); --watch-gatekeeper also watches Gatekeeper's ConstraintTemplates and Constraints there.\nSIGTERM drains: /readyz turns 503, requests are answered for --drain-seconds, in-flight requests finish, exit 0."
    )]
    Serve(crate::commands::serve::ServeArgs),
    /// Decide one admission request offline, as `palisade serve` would, and print the AdmissionReview response.
    #[command(
        after_help = "Examples:\n  palisade admit -f webhook-examples/review-privileged-pod.json -f webhook-examples/namespaces.yaml\n  palisade admit -f examples/shop.yaml --namespace-labels shop=pod-security.kubernetes.io/enforce=baseline\n\nExit status: 0 allowed, 1 denied, 2 usage or input error."
    )]
    Admit(crate::commands::admit::AdmitArgs),
    /// Generate a CA and a server certificate for the webhook and print the caBundle.
    #[command(
        after_help = "Examples:\n  palisade certs --out-dir /tmp/palisade-pki --local --force\n  palisade certs --out-dir /tmp/palisade-pki-cluster --service palisade-webhook --namespace palisade-system --force"
    )]
    Certs(crate::commands::certs::CertsArgs),
    /// Gatekeeper policies: run `gator verify` test suites.
    #[command(
        after_help = "Examples:\n  palisade policy verify policies/\n  palisade policy verify suite.yaml -o json"
    )]
    Policy(crate::commands::policy::PolicyArgs),
    /// Generate a hardened baseline from a profile: Namespaces with Pod Security labels, least-privilege RBAC, default-deny NetworkPolicies, admission policies, an audit policy, and the expectations that test them.
    #[command(
        after_help = "Examples:\n  palisade harden --profile examples/challenge/profile.yaml -o examples/challenge/generated\n  palisade harden --profile examples/challenge/profile.yaml --policy-engine kyverno\n  palisade harden --profile examples/challenge/profile.yaml -o /tmp/palisade-baseline --policy-engine vap\n\nWithout -o, every file is printed as one YAML stream, each introduced by a `# file: PATH` comment (kubectl apply -f - reads it). With -o DIR, the files are written atomically into DIR; a DIR holding files harden did not write is refused unless --force, and files an earlier run wrote that this run does not are removed.\n\nExit status: 0 written, 2 usage or profile error (named with file:line:col)."
    )]
    Harden(crate::commands::harden::HardenArgs),
    /// Check security intents (can/cannot, only, reach/isolated, admitted/rejected) against manifests.
    #[command(
        after_help = "Examples:\n  palisade test --expect examples/challenge/generated/expectations.yaml -f examples/challenge/generated\n  palisade test --expect examples/challenge/generated/expectations.yaml -f examples/challenge/generated -o text -o junit=/tmp/palisade-test.xml\n\nExit status: 0 every expectation holds, 1 one fails, 2 usage or input error."
    )]
    Test(crate::commands::test::TestArgs),
    /// What happens if an identity applies objects to a cluster: RBAC, admission, then the consequences.
    #[command(
        after_help = "Examples:\n  palisade simulate --as alice --as-group developers -f examples/challenge/requests/developer-pod.yaml --cluster examples/challenge/generated\n  palisade simulate --as system:serviceaccount:production:deployer -f examples/challenge/requests/root-pod.yaml --cluster examples/challenge/generated\n  palisade simulate --as system:serviceaccount:production:deployer -f examples/challenge/requests/web-pod.yaml --cluster examples/challenge/generated -o json\n\nExit status: 0 every object would be applied, 1 one is refused, 2 usage or input error."
    )]
    Simulate(crate::commands::simulate::SimulateArgs),
}

/// Files, directories (walked recursively for .yaml, .yml, .json; Helm charts
/// and kustomizations rendered) or `-` for stdin.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// A manifest file, a directory, or - for standard input (repeatable). A
    /// directory holding Chart.yaml is rendered with `helm template`, one holding
    /// kustomization.yaml with `kubectl kustomize`, wherever a walk finds them.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,
    /// Leave out walked files and directories this gitignore-style glob matches
    /// (repeatable; relative to the directory given: `vendor`, `*.json`,
    /// `tests/**`). .gitignore files, hidden directories and node_modules are
    /// always left out.
    #[arg(long = "exclude", value_name = "GLOB", value_parser = palisade_load::check_exclude)]
    pub exclude: Vec<String>,
    /// A values file for every Helm chart rendered (`helm template --values`; repeatable).
    #[arg(long = "helm-values", value_name = "FILE")]
    pub helm_values: Vec<PathBuf>,
    /// A value for every Helm chart rendered (`helm template --set`; repeatable).
    #[arg(long = "helm-set", value_name = "KEY=VALUE")]
    pub helm_set: Vec<String>,
    /// Read Helm charts and kustomizations file by file instead of rendering
    /// them (templates are then unreadable files, patches whole objects): for
    /// trees that cannot render, such as a partial copy of a repository.
    #[arg(long)]
    pub no_render: bool,
    /// The release name Helm charts are rendered with (default: helm's, `release-name`).
    #[arg(long = "helm-release", value_name = "NAME", value_parser = crate::render_args::parse_release_name)]
    pub helm_release: Option<String>,
    /// Warn about files that cannot be read as Kubernetes objects and go on with
    /// the rest, instead of stopping with exit status 2 (stray values.yaml, CI configs).
    #[arg(long)]
    pub ignore_invalid: bool,
    /// Refuse the run before reading anything when all inputs together are larger
    /// than this (bytes, or with a K, M or G suffix).
    #[arg(long, value_name = "BYTES", default_value = "128M", value_parser = crate::inputs::parse_bytes)]
    pub max_input_bytes: u64,
}

/// kubectl's `-n` for the objects of `-f` (scan, inventory, netpol connlist,
/// reach and lint, rbac risks).
#[derive(Args, Debug)]
pub struct NamespaceArgs {
    /// The namespace of input objects of namespaced kinds that name none, as
    /// `kubectl apply -n NS -f` places them; an object naming another namespace
    /// is an error, as kubectl's is.
    #[arg(short = 'n', long, value_name = "NS", value_parser = crate::inputs::parse_namespace_name)]
    pub namespace: Option<String>,
}

/// Namespaces declared on the command line (scan, netpol).
#[derive(Args, Debug)]
pub struct NamespaceLabelsArgs {
    /// A namespace and its labels, when its Namespace object is not in the input:
    /// NS=key=value,key=value (repeatable). It replaces the labels of a Namespace
    /// object of that name; kubernetes.io/metadata.name is always set.
    #[arg(long = "namespace-labels", value_name = "NS=LABELS", value_parser = crate::inputs::parse_namespace_labels)]
    pub namespace_labels: Vec<(String, crate::inputs::Labels)>,
}

/// `-o`, `--fail-on` and `--accept`: what every findings command (scan, rbac
/// risks, netpol lint) takes besides its input.
#[derive(Args, Debug)]
pub struct FindingsArgs {
    /// Output format, to standard output or, as FORMAT=FILE, to a file
    /// (repeatable; at most one to standard output): table, json, sarif (SARIF
    /// 2.1.0 for code scanning), junit (JUnit XML for CI test reports),
    /// policyreport (wgpolicyk8s.io/v1alpha2 PolicyReports, YAML).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT[=FILE]",
        default_value = "table",
        value_parser = crate::destinations::parse_destination,
        action = clap::ArgAction::Append
    )]
    pub outputs: Vec<crate::destinations::Destination>,
    /// Exit 1 when a finding has this severity or a higher one: info, low,
    /// medium, high, critical, or never (report only). Default: low (rbac
    /// risks: high).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// A YAML file of accepted findings: `accepted: [{rule, object?, match?, reason}]`.
    #[arg(long, value_name = "FILE")]
    pub accept: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Manifest files or directories to scan (same as -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub namespace: NamespaceArgs,
    #[command(flatten)]
    pub namespaces: NamespaceLabelsArgs,
    /// The Pod Security Standards level to check against.
    #[arg(long, value_enum, default_value_t = PssLevel::Restricted)]
    pub pss_level: PssLevel,
    /// The policy version: `latest` or `v1.0` to `v1.37`.
    #[arg(long, default_value = "latest", value_parser = palisade_pss::parse_known_version)]
    pub pss_version: palisade_pss::Version,
    /// The Kubernetes version whose OpenAPI schema built-in kinds are checked
    /// against (schema analyzer): `latest` or `v1.25` to `v1.37`.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pub k8s_version: String,
    #[command(flatten)]
    pub findings: FindingsArgs,
    #[command(flatten)]
    pub rbac: RbacOptionArgs,
    /// What runs (comma-separated): analyzers (pss, netpol, rbac, policy, vap, schema, yaml), rule
    /// ids (pss/privileged) or rule prefixes (rbac/esc-*). `palisade rules` lists them.
    #[arg(
        long,
        value_name = "ANALYZER|RULE",
        value_delimiter = ',',
        default_value = "pss,workload,secrets,resources,exposure,hygiene,netpol,rbac,policy,vap,kyverno,schema,yaml"
    )]
    pub analyzers: Vec<String>,
    /// Gatekeeper ConstraintTemplates and Constraints, and
    /// ValidatingAdmissionPolicies with their bindings, to enforce (files or
    /// directories, repeatable); those in the scanned input are enforced too.
    #[arg(long = "policies", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Which engine runs templates that carry both Rego and CEL.
    #[arg(long, value_enum, default_value = "rego")]
    pub policy_engine: crate::commands::policy::EngineArg,
    /// Registries (or registry path prefixes) images may come from, for
    /// `resources/registry-not-allowed` (comma-separated or repeated), e.g.
    /// `--allowed-registries registry.example.com,ghcr.io/my-org`.
    #[arg(long = "allowed-registries", value_name = "REGISTRY[,...]")]
    pub allowed_registries: Vec<String>,
    #[command(flatten)]
    pub suppress: crate::suppress::SuppressArgs,
}

/// The RBAC risk analysis's options, wherever it runs (`scan`, `rbac risks`).
#[derive(Args, Debug)]
pub struct RbacOptionArgs {
    /// Also report system: identities and kube-system ServiceAccounts (RBAC risks).
    #[arg(long)]
    pub include_system: bool,
    #[command(flatten)]
    pub defaults: DefaultsArgs,
    /// A namespace whose grants count as privileged (repeatable; default
    /// kube-system) (RBAC risks).
    #[arg(long = "privileged-namespace", value_name = "NS")]
    pub privileged_namespaces: Vec<String>,
}

/// Which of the API server's default RBAC objects join the input.
#[derive(Args, Debug, Clone, Copy)]
pub struct DefaultsArgs {
    /// Also load the API server's default bindings (system:masters, controllers,
    /// ...) beside its default roles, which are always loaded.
    #[arg(long, conflicts_with = "no_defaults")]
    pub include_defaults: bool,
    /// Do not load the API server's default roles either: a binding to
    /// cluster-admin, admin, edit, view or a system: role then grants nothing.
    #[arg(long)]
    pub no_defaults: bool,
}

impl DefaultsArgs {
    pub fn defaults(&self) -> palisade_rbac::Defaults {
        match (self.include_defaults, self.no_defaults) {
            (true, _) => palisade_rbac::Defaults::RolesAndBindings,
            (false, true) => palisade_rbac::Defaults::None,
            (false, false) => palisade_rbac::Defaults::Roles,
        }
    }

    /// The value of `palisade_rbac::analyzer::DEFAULTS_OPTION`.
    pub fn option_value(&self) -> &'static str {
        match self.defaults() {
            palisade_rbac::Defaults::RolesAndBindings => "all",
            palisade_rbac::Defaults::None => "none",
            palisade_rbac::Defaults::Roles => "roles",
        }
    }
}

impl RbacOptionArgs {
    /// Sets the options `palisade_rbac::RbacRisks` reads.
    pub fn apply(&self, options: &mut palisade_core::Options) {
        use palisade_rbac::analyzer::{
            DEFAULTS_OPTION, INCLUDE_SYSTEM_OPTION, PRIVILEGED_NAMESPACE_OPTION,
        };
        options
            .set(DEFAULTS_OPTION, self.defaults.option_value())
            .set(INCLUDE_SYSTEM_OPTION, self.include_system.to_string())
            .set_all(
                PRIVILEGED_NAMESPACE_OPTION,
                self.privileged_namespaces.iter().cloned(),
            );
    }
}

#[derive(Args, Debug)]
pub struct InventoryArgs {
    /// Manifest files or directories to read (same as -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub namespace: NamespaceArgs,
    /// Output format: json (the only one so far; the flag exists so that scripts
    /// can say what they rely on).
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "json", value_parser = json_only)]
    pub output: Format,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Output format: table, json or md (the RULES.md page).
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "table", value_parser = rules_format)]
    pub output: Format,
    /// Only the rules of this analyzer (pss, netpol, rbac, yaml).
    #[arg(long, value_name = "ANALYZER")]
    pub analyzer: Option<String>,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The rule id, as findings and `palisade rules` show it (pss/privileged).
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// Output format: text or json.
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "text", value_parser = text_or_json)]
    pub output: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PssLevel {
    Privileged,
    Baseline,
    Restricted,
}

impl PssLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PssLevel::Privileged => "privileged",
            PssLevel::Baseline => "baseline",
            PssLevel::Restricted => "restricted",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColourChoice {
    Auto,
    Always,
    Never,
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}

/// `-o` of commands that report findings or list rules.
pub(crate) fn findings_format(s: &str) -> Result<Format, String> {
    Format::parse_among(s, &[Format::Table, Format::Json])
}

fn rules_format(s: &str) -> Result<Format, String> {
    Format::parse_among(s, &[Format::Table, Format::Json, Format::Md])
}

/// `-o` of commands that answer in sentences.
pub(crate) fn text_or_json(s: &str) -> Result<Format, String> {
    Format::parse_among(s, &[Format::Text, Format::Json])
}

fn json_only(s: &str) -> Result<Format, String> {
    Format::parse_among(s, &[Format::Json])
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

#[derive(Args, Debug)]
pub struct FixArgs {
    /// Manifest files or directories to fix; - reads standard input and prints the fixed stream.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Print a unified diff of the fixes and write nothing.
    #[arg(long, conflicts_with = "stdout")]
    pub diff: bool,
    /// Print the fixed files on standard output (separated by ---) and write nothing.
    #[arg(long)]
    pub stdout: bool,
    /// Fix only these rules (comma-separated ids, or prefixes ending in *); default: every fixable rule on by default.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Also replace explicit insecure values (privileged: true, allowPrivilegeEscalation: true, runAsNonRoot: false, ...), which may stop workloads from running.
    #[arg(long = "unsafe")]
    pub unsafe_edits: bool,
    /// The config file whose exemptions and ignore-paths `fix` respects, as
    /// `scan` does (default: `.palisade.yaml` found upward from the first path).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no config file.
    #[arg(long)]
    pub no_config: bool,
    /// Leave alone the findings this baseline accepts.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}
