//! `palisade rbac`: kubectl-compatible RBAC questions answered offline from
//! manifests (`can-i`, `can-i --list`, `who-can`) and the RBAC risk report.
//!
//! Argument grammar follows `kubectl auth can-i` and kubectl-who-can; the
//! answers come from `palisade_rbac`. `can-i` prints yes/no and exits 0/1.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use palisade_core::{Analyzer, Inventory, Options, Severity};
use palisade_rbac::{
    Discovery, Policy, RbacRisks, Reason, Request, ResourceAttributes, UserInfo, WhoCanEntry,
};
use palisade_report::rbac::{self as rbac_report, CanIAnswer};
use palisade_report::{FailOn, Format};

use palisade_core::Placement;

use crate::cli::{
    DefaultsArgs, FindingsArgs, GlobalArgs, InputArgs, NamespaceArgs, RbacOptionArgs,
};
use crate::output::Output;
use crate::registry::registry;
use crate::report_findings::{Emit, emit};
use crate::{CliError, Outcome, inputs};

#[derive(Args, Debug)]
pub struct RbacArgs {
    #[command(subcommand)]
    pub command: RbacCommand,
}

#[derive(Subcommand, Debug)]
pub enum RbacCommand {
    /// Can a user do VERB on TYPE[.GROUP][/NAME] (or a /non-resource-url)? Prints yes or no.
    #[command(
        name = "can-i",
        after_help = "Examples:\n  palisade rbac can-i create pods -n shop --as alice -f examples/ --explain\n  palisade rbac can-i get deployments.apps/storefront --subresource scale -n shop --as system:serviceaccount:shop:deployer -f examples/\n  palisade rbac can-i get /healthz --as bob -f examples/ -o json\n  palisade rbac can-i --list -n shop --as alice -f examples/\n\nExit status: 0 yes, 1 no, 2 usage or input error."
    )]
    CanI(CanIArgs),
    /// Which subjects can do VERB on TYPE[.GROUP][/NAME]?
    #[command(
        name = "who-can",
        after_help = "Examples:\n  palisade rbac who-can get secrets -n shop -f examples/\n  palisade rbac who-can create pods/exec -A -f examples/ -o json"
    )]
    WhoCan(WhoCanArgs),
    /// Risky permissions and escalation paths (rules rbac/...).
    #[command(
        after_help = "Examples:\n  palisade rbac risks -f examples/\n  palisade rbac risks -f examples/ -o json --fail-on never\n\nExit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error."
    )]
    Risks(RisksArgs),
}

/// Who is asking, as `kubectl --as/--as-group` would impersonate.
#[derive(Args, Debug)]
pub struct IdentityArgs {
    /// The user to ask for (`system:serviceaccount:NS:NAME` for a ServiceAccount).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
    /// A group of that user (repeatable). Given groups replace the SA groups.
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_groups: Vec<String>,
}

/// Where the request applies.
#[derive(Args, Debug)]
pub struct ScopeArgs {
    /// The namespace of the request (kubectl's default: `default`). Like
    /// `kubectl apply -n NS -f`, it is also the namespace of input objects of
    /// namespaced kinds that name none; objects naming another namespace keep it.
    #[arg(short = 'n', long, conflicts_with = "all_namespaces", value_parser = crate::inputs::parse_namespace_name)]
    pub namespace: Option<String>,
    /// All namespaces (cluster scope for can-i; every namespace for who-can).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// The subresource, e.g. log, exec, scale, status.
    #[arg(long)]
    pub subresource: Option<String>,
}

#[derive(Args, Debug)]
pub struct CanIArgs {
    /// VERB, then TYPE[.GROUP][/NAME] or /NON-RESOURCE-URL (none with --list).
    #[arg(value_name = "ARGS")]
    pub args: Vec<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// List every rule the user holds in the namespace, like `kubectl auth can-i --list`.
    #[arg(long)]
    pub list: bool,
    /// Also print the binding, role and rule that decided (with --list: which
    /// binding and role grant each rule).
    #[arg(long)]
    pub explain: bool,
    /// Output format: text (the answer; with --list a table, `table` is the same)
    /// or json.
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "text", value_parser = can_i_format)]
    pub output: Format,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub defaults: DefaultsArgs,
}

#[derive(Args, Debug)]
pub struct WhoCanArgs {
    /// VERB, then TYPE[.GROUP][/NAME] or /NON-RESOURCE-URL.
    #[arg(value_name = "ARGS", num_args = 2, required = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format: table or json.
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "table", value_parser = crate::cli::findings_format)]
    pub output: Format,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub defaults: DefaultsArgs,
}

#[derive(Args, Debug)]
pub struct RisksArgs {
    /// Manifest files or directories (same as -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub namespace: NamespaceArgs,
    #[command(flatten)]
    pub findings: FindingsArgs,
    #[command(flatten)]
    pub rbac: RbacOptionArgs,
}

fn can_i_format(s: &str) -> Result<Format, String> {
    Format::parse_among(s, &[Format::Text, Format::Table, Format::Json])
}

pub fn run(args: &RbacArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    match &args.command {
        RbacCommand::CanI(a) => can_i(a, global),
        RbacCommand::WhoCan(a) => who_can(a, global),
        RbacCommand::Risks(a) => risks(a, global),
    }
}

/// The inventory of the input placed in namespaces as `-n` asks, and the number
/// of files read. The API server's default roles (and bindings) join the policy,
/// not the inventory, placed as the API server has them whatever `-n` says.
fn load(
    paths: &[PathBuf],
    input: &InputArgs,
    placement: Option<&Placement>,
) -> Result<(Inventory, usize), CliError> {
    let loaded = inputs::load(paths, input)?;
    let objects = inputs::place(loaded.objects, placement)?;
    Ok((Inventory::new(objects), loaded.files))
}

/// The `-n` of a question is also where namespace-less input objects go; with
/// `-A` (or no `-n`) they stay as written, read as `default`'s as kubectl's
/// default context would place them.
fn question_placement(scope: &ScopeArgs) -> Option<Placement> {
    if scope.all_namespaces {
        return None;
    }
    inputs::defaulted(scope.namespace.as_deref())
}

/// The identity `--as`/`--as-group` yield through the API server's impersonation.
fn identity(args: &IdentityArgs) -> Result<UserInfo, CliError> {
    match &args.as_user {
        Some(user) if !user.is_empty() => Ok(UserInfo::as_impersonated(user, &args.as_groups)),
        _ if !args.as_groups.is_empty() => Err(CliError::Usage(
            "--as-group needs --as: the API server refuses to impersonate groups without a user"
                .to_owned(),
        )),
        _ => Err(CliError::Usage(
            "--as USER is required: offline there is no current user to ask for".to_owned(),
        )),
    }
}

/// VERB and TYPE[.GROUP][/NAME] (or a URL) into a request, resolving the type
/// against the built-in API table and the input's CRDs.
fn request(
    policy: &Policy,
    verb: &str,
    target: &str,
    scope: &ScopeArgs,
) -> Result<Request, CliError> {
    if target.starts_with('/') {
        if scope.subresource.is_some() {
            return Err(CliError::Usage(
                "--subresource does not apply to a non-resource URL".to_owned(),
            ));
        }
        return Ok(Request::non_resource(verb, target));
    }
    let resolved = Discovery::new(policy.custom_resources())
        .resolve(target)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut namespace = if scope.all_namespaces || !resolved.namespaced {
        String::new()
    } else {
        scope
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_owned())
    };
    // A Namespace object's own requests carry its name as namespace (SPEC §2.1).
    if resolved.resource == "namespaces" && resolved.group.is_empty() && !resolved.name.is_empty() {
        namespace = resolved.name.clone();
    }
    Ok(Request::Resource(
        ResourceAttributes::new(verb, &resolved.group, &resolved.resource, &namespace)
            .with_subresource(scope.subresource.as_deref().unwrap_or(""))
            .with_name(&resolved.name),
    ))
}

/// The verbs kubectl's `auth can-i` knows (it warns about others): the resource
/// verbs of the API and of RBAC's special permissions, or the HTTP verbs of a
/// non-resource URL. Case matters, as it does to the authorizer.
fn known_verb(verb: &str, non_resource: bool) -> bool {
    let known = if non_resource {
        palisade_rbac::NON_RESOURCE_VERBS
    } else {
        palisade_rbac::RESOURCE_VERBS
    };
    verb == "*" || known.contains(&verb)
}

fn can_i(args: &CanIArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let user = identity(&args.identity)?;
    // Check the arguments' shape before reading any input.
    let question = match (args.list, args.args.as_slice()) {
        (true, []) => None,
        (true, _) => return Err(CliError::Usage("--list takes no VERB or TYPE".to_owned())),
        (false, [verb, target]) => Some((verb, target)),
        (false, _) => {
            return Err(CliError::Usage(
                "expected VERB and TYPE[.GROUP][/NAME] or /NON-RESOURCE-URL, e.g. `can-i get pods`"
                    .to_owned(),
            ));
        }
    };
    let (inventory, _) = load(&[], &args.input, question_placement(&args.scope).as_ref())?;
    let policy = Policy::with_defaults(&inventory, args.defaults.defaults());
    let mut out = Output::new(global);
    let width = out.width;
    let Some((verb, target)) = question else {
        let namespace = if args.scope.all_namespaces {
            String::new()
        } else {
            args.scope
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_owned())
        };
        let rules = policy.rules_for_view(&user, &namespace);
        rbac_report::write_held_rules(&rules, args.explain, args.output, width, out.writer())?;
        out.finish()?;
        return Ok(Outcome::Clean);
    };
    let request = request(&policy, verb, target, &args.scope)?;
    if !known_verb(verb, target.starts_with('/')) {
        // As kubectl warns, on standard error; the question is still answered.
        eprintln!("Warning: verb '{verb}' is not a known verb");
    }
    let decision = policy.authorize(&user, &request);
    let (reason, granted_by) = match &decision.reason {
        Reason::PrivilegedGroup => (
            "allowed: group system:masters is authorized before RBAC".to_owned(),
            None,
        ),
        Reason::Rule(grant) => (
            format!("allowed by {}", policy.describe(grant)),
            policy.via_view(&[*grant]).into_iter().next(),
        ),
        Reason::NoMatch => (
            format!(
                "no RBAC rule allows {} for user {:?} (groups {}); other authorizers of a real cluster may still allow it",
                request.display(),
                user.name,
                user.groups.join(", ")
            ),
            None,
        ),
    };
    let answer = CanIAnswer {
        allowed: decision.allowed,
        request: request.display(),
        reason,
        granted_by,
    };
    rbac_report::write_answer(&answer, args.explain, args.output, out.writer())?;
    out.finish()?;
    Ok(if decision.allowed {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn who_can(args: &WhoCanArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let [verb, target] = args.args.as_slice() else {
        return Err(CliError::Usage(
            "expected VERB and TYPE[.GROUP][/NAME] or /NON-RESOURCE-URL".to_owned(),
        ));
    };
    let (inventory, _) = load(&[], &args.input, question_placement(&args.scope).as_ref())?;
    let policy = Policy::with_defaults(&inventory, args.defaults.defaults());
    let request = request(&policy, verb, target, &args.scope)?;
    let answer: Vec<WhoCanEntry> = if args.scope.all_namespaces {
        policy.who_can_any_namespace(&request)
    } else {
        policy.who_can(&request)
    };
    let mut out = Output::new(global);
    let width = out.width;
    rbac_report::write_who_can(
        &policy,
        &request.display(),
        &answer,
        args.output,
        width,
        out.writer(),
    )?;
    out.finish()?;
    Ok(Outcome::Clean)
}

fn risks(args: &RisksArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let how = Emit::prepare(
        &args.findings,
        FailOn::At(Severity::High),
        &registry(),
        RbacRisks.rules(),
    )?;
    let (inventory, files) = load(
        &args.paths,
        &args.input,
        inputs::required(args.namespace.namespace.as_deref()).as_ref(),
    )?;
    let mut options = Options::default();
    args.rbac.apply(&mut options);
    let findings = RbacRisks.analyze(&inventory, &options);
    let mut out = Output::new(global);
    let outcome = emit(findings, files, inventory.len(), how, &mut out)?;
    out.finish()?;
    Ok(outcome)
}
