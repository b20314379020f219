//! `palisade policy verify`: Gatekeeper `gator verify` suites, run as gator
//! runs them.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use palisade_policy::evaluate::EnginePreference;
use palisade_policy::suite::{VerifyOptions, find_suites, run_suite};

use crate::cli::GlobalArgs;
use crate::output::Output;
use crate::{CliError, Outcome};

#[derive(Args, Debug)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Run Gatekeeper test suites (suite.yaml, test.gatekeeper.sh/v1alpha1) as `gator verify` does.
    #[command(
        after_help = "Examples:\n  palisade policy verify policies/\n  palisade policy verify library/general/containerlimits/suite.yaml -o json\n\nExit status: 0 every case passed, 1 a case failed, 2 usage or input error."
    )]
    Verify(VerifyArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

/// `--policies` and `--policy-engine`, shared by the commands that decide
/// admission offline (`admit`, `test`, `simulate`).
#[derive(clap::Args, Debug)]
pub struct AdmissionPolicyArgs {
    /// Admission policies to enforce after Pod Security, besides those in the
    /// input: Gatekeeper ConstraintTemplates and Constraints,
    /// ValidatingAdmissionPolicies with their bindings, Kyverno policies
    /// (files or directories, repeatable).
    #[arg(long = "policies", value_name = "PATH")]
    pub policies: Vec<std::path::PathBuf>,
    /// Which engine runs templates that carry both Rego and CEL.
    #[arg(long, value_enum, default_value = "rego")]
    pub policy_engine: EngineArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EngineArg {
    /// Rego where the template has it (Gatekeeper's default).
    Rego,
    /// CEL where the template has it (Gatekeeper's --enable-k8s-native-validation).
    Cel,
}

impl From<EngineArg> for EnginePreference {
    fn from(engine: EngineArg) -> Self {
        match engine {
            EngineArg::Rego => EnginePreference::Rego,
            EngineArg::Cel => EnginePreference::Cel,
        }
    }
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Suite files, or directories searched recursively for them.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Output: one line per case (text) or a summary object (json).
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: VerifyFormat,
    /// Which engine runs templates that carry both Rego and CEL.
    #[arg(long, value_enum, default_value = "rego")]
    pub engine: EngineArg,
}

pub fn run(args: &PolicyArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    match &args.command {
        PolicyCommand::Verify(verify) => run_verify(verify, global),
    }
}

/// What `policy verify` has seen so far, over Gatekeeper suites and
/// kyverno tests alike.
#[derive(Default)]
struct Tally {
    cases: usize,
    passed: usize,
    failed: Vec<serde_json::Value>,
    unsupported: Vec<serde_json::Value>,
    lines: Vec<String>,
}

impl Tally {
    fn case(&mut self, case: &palisade_core::policy_test::CaseOutcome) {
        self.cases += 1;
        match &case.failure {
            None => {
                self.passed += 1;
                self.lines
                    .push(format!("ok    {} {}/{}", case.suite, case.test, case.case));
            }
            Some(why) => {
                self.lines.push(format!(
                    "FAIL  {} {}/{}\n      {why}",
                    case.suite, case.test, case.case
                ));
                self.failed.push(serde_json::json!({
                    "suite": case.suite, "test": case.test, "case": case.case, "why": why,
                }));
            }
        }
    }

    /// A test file that could not be run counts as one failure.
    fn error(&mut self, error: &palisade_core::policy_test::SuiteError) {
        self.lines
            .push(format!("FAIL  {}\n      {}", error.path, error.message));
        self.failed.push(serde_json::json!({
            "suite": error.path, "test": "", "case": "", "why": error.message,
        }));
    }
}

fn run_verify(args: &VerifyArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    for path in &args.paths {
        if !path.exists() {
            return Err(CliError::Input(vec![format!(
                "{}: no such file or directory",
                path.display()
            )]));
        }
    }
    // A file named on the command line is a Gatekeeper suite unless it is a
    // kyverno test: find_suites takes every named file for a suite.
    let gatekeeper_paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.is_dir() || !palisade_kyverno::verify::is_test_file(p))
        .cloned()
        .collect();
    let suites = find_suites(&gatekeeper_paths).map_err(|e| CliError::Input(vec![e]))?;
    let kyverno_tests = palisade_kyverno::verify::find_tests(&args.paths);
    if suites.is_empty() && kyverno_tests.is_empty() {
        return Err(CliError::Input(vec![
            "no Gatekeeper suite (test.gatekeeper.sh/v1alpha1 Suite) or kyverno test (cli.kyverno.io Test) found under the given paths"
                .to_owned(),
        ]));
    }
    let options = VerifyOptions {
        engine: args.engine.into(),
    };
    let mut tally = Tally::default();
    for suite in &suites {
        match run_suite(suite, &options) {
            Ok(outcome) => {
                outcome.cases.iter().for_each(|case| tally.case(case));
                for skipped in outcome.skipped {
                    tally
                        .lines
                        .push(format!("skip  {} {skipped}", suite.display()));
                }
            }
            Err(error) => tally.error(&error),
        }
    }
    for test in &kyverno_tests {
        match palisade_kyverno::verify::run_test(test) {
            Ok(outcome) => {
                if let Some(why) = outcome.unsupported {
                    tally
                        .lines
                        .push(format!("unsup {}\n      {why}", test.display()));
                    tally.unsupported.push(serde_json::json!({
                        "suite": test.display().to_string(), "why": why,
                    }));
                }
                outcome.cases.iter().for_each(|case| tally.case(case));
            }
            Err(error) => tally.error(&error),
        }
    }
    let Tally {
        cases,
        passed,
        failed,
        unsupported,
        lines,
    } = tally;
    let mut out = Output::new(global);
    match args.output {
        VerifyFormat::Json => {
            // A struct keeps the documented key order: cases, passed, failed.
            #[derive(serde::Serialize)]
            struct Summary<'a> {
                cases: usize,
                passed: usize,
                failed: &'a [serde_json::Value],
                unsupported: &'a [serde_json::Value],
            }
            let summary = Summary {
                cases,
                passed,
                failed: &failed,
                unsupported: &unsupported,
            };
            let text = serde_json::to_string_pretty(&summary).map_err(std::io::Error::other)?;
            writeln!(out.writer(), "{text}")?;
        }
        VerifyFormat::Text => {
            for line in &lines {
                writeln!(out.writer(), "{line}")?;
            }
            writeln!(
                out.writer(),
                "{} suites, {cases} cases: {passed} passed, {} failed, {} unsupported tests",
                suites.len() + kyverno_tests.len(),
                failed.len(),
                unsupported.len()
            )?;
        }
    }
    out.finish()?;
    // A run that verified nothing (every test unsupported) proves nothing.
    Ok(if failed.is_empty() && cases > 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The custom policies of `serve` and `admit`.
#[derive(Default)]
pub struct LoadedPolicies {
    pub gatekeeper: Option<palisade_policy::policy_set::PolicySet>,
    pub vap: Option<palisade_policy::vap::VapSet>,
    pub kyverno: Option<palisade_kyverno::policy_set::KyvernoSet>,
}

/// The custom policies of `serve` and `admit`: Gatekeeper templates and
/// constraints, and ValidatingAdmissionPolicies with their bindings, from
/// `paths`; `objects` (the -f input) are `data.inventory` and may hold VAP
/// params. Any policy that cannot be enforced stops the command: a webhook
/// must not start with a policy silently missing.
pub fn load_policies(
    paths: &[PathBuf],
    objects: &[&palisade_core::Node],
    engine: EngineArg,
) -> Result<LoadedPolicies, CliError> {
    load_policies_with(paths, objects, engine, false).map(|(policies, _)| policies)
}

/// [`load_policies`] for `serve --watch-gatekeeper`: also returns every
/// Gatekeeper object of the files, which the watch combines with the
/// cluster's. A file constraint whose kind no file template defines may be
/// bound to a template in the cluster, so it is not checked here (the watch
/// logs it if no template turns up); everything else must load as for
/// [`load_policies`], and the returned set holds what the files alone enforce.
pub fn load_policies_for_watch(
    paths: &[PathBuf],
    objects: &[&palisade_core::Node],
    engine: EngineArg,
) -> Result<(LoadedPolicies, Vec<palisade_core::Object>), CliError> {
    load_policies_with(paths, objects, engine, true)
}

fn load_policies_with(
    paths: &[PathBuf],
    objects: &[&palisade_core::Node],
    engine: EngineArg,
    watched: bool,
) -> Result<(LoadedPolicies, Vec<palisade_core::Object>), CliError> {
    if paths.is_empty() {
        return Ok((LoadedPolicies::default(), Vec::new()));
    }
    let loaded = read_policy_files(paths)?;
    build_policies(&loaded, objects, engine, watched, true)
}

/// The policies of `palisade test` and `simulate`: those among the input's
/// own objects (a cluster's templates, constraints, VAPs and Kyverno
/// policies) and those of `--policies` paths, enforced together after Pod
/// Security. A policy that cannot be enforced stops the command, as for `admit`.
pub fn input_and_file_policies(
    paths: &[PathBuf],
    input: &[palisade_core::Object],
    engine: EngineArg,
) -> Result<LoadedPolicies, CliError> {
    use palisade_policy::constraint::is_constraint;
    use palisade_policy::template::is_template;
    use palisade_policy::vap::is_vap_object;
    let mut policy_objects: Vec<palisade_core::Object> = input
        .iter()
        .filter(|o| {
            is_template(o)
                || is_constraint(o)
                || is_vap_object(o)
                || palisade_kyverno::policy_set::is_kyverno_object(o)
        })
        .cloned()
        .collect();
    if !paths.is_empty() {
        policy_objects.extend(read_policy_files(paths)?);
    }
    let roots: Vec<&palisade_core::Node> = input.iter().map(|o| o.root()).collect();
    build_policies(&policy_objects, &roots, engine, false, !paths.is_empty()).map(|(p, _)| p)
}

/// Templates compiled and constraints bound, VAPs and Kyverno policies built
/// from `loaded`; `objects` are `data.inventory` and VAP params. With
/// `require_some`, finding no policy at all is an error (`--policies` named
/// files that hold none).
fn build_policies(
    loaded: &[palisade_core::Object],
    objects: &[&palisade_core::Node],
    engine: EngineArg,
    watched: bool,
    require_some: bool,
) -> Result<(LoadedPolicies, Vec<palisade_core::Object>), CliError> {
    use palisade_policy::constraint::is_constraint;
    use palisade_policy::template::is_template;
    use palisade_policy::vap::is_vap_object;
    let gatekeeper: Vec<&palisade_core::Object> = loaded
        .iter()
        .filter(|o| is_template(o) || is_constraint(o))
        .collect();
    let has_vap = loaded.iter().any(is_vap_object);
    let kyverno_objects: Vec<&palisade_core::Object> = loaded
        .iter()
        .filter(|o| palisade_kyverno::policy_set::is_kyverno_object(o))
        .collect();
    if gatekeeper.is_empty() && !has_vap && kyverno_objects.is_empty() {
        if !require_some {
            return Ok((LoadedPolicies::default(), Vec::new()));
        }
        return Err(CliError::Input(vec![
            "--policies: no ConstraintTemplate, Constraint, ValidatingAdmissionPolicy or Kyverno policy found"
                .to_owned(),
        ]));
    }
    let all_gatekeeper: Vec<palisade_core::Object> = if watched {
        gatekeeper.iter().map(|o| (*o).clone()).collect()
    } else {
        Vec::new()
    };
    // With a watch, the startup check leaves out constraints of kinds that
    // only the cluster's templates may define.
    let checked: Vec<&palisade_core::Object> = if watched {
        let file_kinds: std::collections::HashSet<&str> = gatekeeper
            .iter()
            .filter(|o| is_template(o))
            .filter_map(|o| {
                o.root()
                    .path(&["spec", "crd", "spec", "names", "kind"])
                    .and_then(palisade_core::Node::as_str)
            })
            .collect();
        gatekeeper
            .into_iter()
            .filter(|o| is_template(o) || file_kinds.contains(o.kind()))
            .collect()
    } else {
        gatekeeper
    };
    let mut problems = Vec::new();
    let mut policies = LoadedPolicies::default();
    if !checked.is_empty() {
        let set = palisade_policy::policy_set::PolicySet::build(
            checked,
            || palisade_policy::inventory::inventory(objects.iter().copied()),
            engine.into(),
        );
        problems.extend(set.problems.iter().cloned());
        policies.gatekeeper = Some(set);
    }
    if has_vap {
        let candidates = loaded
            .iter()
            .map(palisade_core::Object::root)
            .chain(objects.iter().copied());
        let set = palisade_policy::vap::VapSet::build(loaded.iter(), candidates);
        problems.extend(set.problems.iter().cloned());
        policies.vap = Some(set);
    }
    if !kyverno_objects.is_empty() {
        let set = palisade_kyverno::policy_set::KyvernoSet::build(kyverno_objects);
        problems.extend(set.problems.iter().cloned());
        policies.kyverno = Some(set);
    }
    if !problems.is_empty() {
        return Err(CliError::Input(
            problems
                .iter()
                .map(|p| format!("{}: {}", p.origin(), p.message))
                .collect(),
        ));
    }
    Ok((policies, all_gatekeeper))
}

/// The objects of `--policies` paths. A missing path or an unreadable file
/// stops the command (exit 2): a policy that was meant to apply must never be
/// silently absent.
pub fn read_policy_files(paths: &[PathBuf]) -> Result<Vec<palisade_core::Object>, CliError> {
    for path in paths {
        if !path.exists() {
            return Err(CliError::Usage(format!(
                "--policies: {}: no such file or directory",
                path.display()
            )));
        }
    }
    let inputs: Vec<palisade_load::Input> = paths
        .iter()
        .map(|p| palisade_load::Input::Path(p.clone()))
        .collect();
    let loaded = palisade_load::load_inputs(&inputs, &palisade_load::Limits::default());
    if !loaded.errors.is_empty() {
        return Err(CliError::Input(
            loaded.errors.iter().map(|e| e.to_string()).collect(),
        ));
    }
    Ok(loaded.objects)
}
