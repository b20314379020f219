//! `gator verify` suites (`test.gatekeeper.sh/v1alpha1`, kind `Suite`), run as
//! gator runs them.
//!
//! Each test loads a template and one constraint; each case reviews one object
//! (or an `AdmissionReview`) against that constraint, with an optional
//! inventory, and checks its assertions: `violations` is `yes` (at least one
//! matching result, also when left out), `no` (none) or an exact count, and
//! `message` is a regular expression searched anywhere in each result's `msg`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_core::{Node, Object};
use palisade_load::Limits;
use regex::Regex;

use crate::constraint::Constraint;
use crate::evaluate::{CompiledTemplate, EnginePreference, Subject, evaluate, parameters_value};
use crate::inventory::inventory;
use crate::rego::Violation;
use crate::review::Review;
use crate::template::Template;

/// The API version and kind of a suite file.
pub const SUITE_API_VERSION: &str = "test.gatekeeper.sh/v1alpha1";

/// How to run suites.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifyOptions {
    pub engine: EnginePreference,
}

pub use palisade_core::policy_test::{CaseOutcome, SuiteError};

/// Everything one suite file produced.
#[derive(Clone, Debug, Default)]
pub struct SuiteOutcome {
    pub cases: Vec<CaseOutcome>,
    /// Tests and cases marked `skip: true`, by name.
    pub skipped: Vec<String>,
}

/// Reads every object of one file.
pub fn read_objects(path: &Path) -> Result<Vec<Object>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: Arc<str> = path.display().to_string().into();
    palisade_load::load_bytes(file, &bytes, &Limits::default())
        .map(|load| load.objects)
        .map_err(|e| e.to_string())
}

/// Whether an object is a gator suite.
pub fn is_suite(object: &Object) -> bool {
    object.kind() == "Suite" && object.api_version() == SUITE_API_VERSION
}

/// The suite files under these paths: files given directly, and under
/// directories every `.yaml`/`.yml` file whose document is a `Suite`.
pub fn find_suites(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut found)?;
        } else {
            found.push(path.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            && std::fs::read_to_string(&path).is_ok_and(|text| text.contains(SUITE_API_VERSION))
            && read_objects(&path).is_ok_and(|objects| objects.iter().any(is_suite))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// The template and constraint files the suites name, sorted, each once
/// (what a benchmark or a whole-library test loads).
pub fn policy_files(suites: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for suite in suites {
        let base = suite.parent().unwrap_or(Path::new("."));
        for object in read_objects(suite)?.iter().filter(|o| is_suite(o)) {
            for test in list(object.root(), "tests") {
                for key in ["template", "constraint"] {
                    if let Some(file) = test.get(key).and_then(Node::as_str) {
                        files.push(base.join(file));
                    }
                }
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// What an assertion expects of the count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    AtLeastOne,
    None,
    Exactly(u64),
}

struct Assertion {
    expected: Expected,
    message: Option<Regex>,
    pattern: String,
}

fn parse_assertion(node: &Node) -> Result<Assertion, String> {
    use palisade_core::node::Value as V;
    // YAML 1.1 reads `yes`/`no` as booleans; gator reads them as the strings.
    let expected = match node.get("violations").map(|n| &n.value) {
        None | Some(V::Null) => Expected::AtLeastOne,
        Some(V::Bool(true)) => Expected::AtLeastOne,
        Some(V::Bool(false)) => Expected::None,
        Some(V::String(s)) if s == "yes" => Expected::AtLeastOne,
        Some(V::String(s)) if s == "no" => Expected::None,
        Some(V::Int(n)) if *n >= 0 => Expected::Exactly(*n as u64),
        Some(V::String(s)) => match s.parse::<u64>() {
            Ok(n) => Expected::Exactly(n),
            Err(_) => return Err(format!("violations {s:?} is not yes, no or a count")),
        },
        Some(other) => return Err(format!("violations {other:?} is not yes, no or a count")),
    };
    let pattern = node
        .get("message")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_owned();
    let message = if node.get("message").is_some_and(|n| !n.is_null()) {
        Some(Regex::new(&pattern).map_err(|e| format!("message {pattern:?}: {e}"))?)
    } else {
        None
    };
    Ok(Assertion {
        expected,
        message,
        pattern,
    })
}

/// Checks the assertions against the results; `Err` says which failed.
fn check(assertions: &[Assertion], results: &[Violation]) -> Result<(), String> {
    for (i, assertion) in assertions.iter().enumerate() {
        let count = results
            .iter()
            .filter(|r| {
                assertion
                    .message
                    .as_ref()
                    .is_none_or(|m| m.is_match(&r.msg))
            })
            .count() as u64;
        let holds = match assertion.expected {
            Expected::AtLeastOne => count >= 1,
            Expected::None => count == 0,
            Expected::Exactly(n) => count == n,
        };
        if !holds {
            let want = match assertion.expected {
                Expected::AtLeastOne => "at least 1".to_owned(),
                Expected::None => "0".to_owned(),
                Expected::Exactly(n) => n.to_string(),
            };
            let filter = if assertion.message.is_some() {
                format!(" matching {:?}", assertion.pattern)
            } else {
                String::new()
            };
            let got: Vec<&str> = results.iter().map(|r| r.msg.as_str()).collect();
            return Err(format!(
                "assertion {i}: want {want} violations{filter}, got {count} (results: {got:?})"
            ));
        }
    }
    Ok(())
}

fn one_object(path: &Path) -> Result<Object, String> {
    let mut objects = read_objects(path)?;
    if objects.len() != 1 {
        return Err(format!(
            "{}: expected exactly one object, found {}",
            path.display(),
            objects.len()
        ));
    }
    objects
        .pop()
        .ok_or_else(|| format!("{}: no object", path.display()))
}

fn list<'n>(node: &'n Node, key: &str) -> impl Iterator<Item = &'n Node> {
    node.get(key).map(Node::items).into_iter().flatten()
}

fn name_of(node: &Node) -> String {
    node.get("name")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_owned()
}

/// Runs one suite file.
pub fn run_suite(path: &Path, options: &VerifyOptions) -> Result<SuiteOutcome, SuiteError> {
    let fail = |message: String| SuiteError {
        path: path.display().to_string(),
        message,
    };
    let objects = read_objects(path).map_err(&fail)?;
    let suite = objects
        .iter()
        .find(|o| is_suite(o))
        .ok_or_else(|| fail(format!("no {SUITE_API_VERSION} Suite in the file")))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let suite_name = path.display().to_string();
    let mut outcome = SuiteOutcome::default();
    for test in list(suite.root(), "tests") {
        let test_name = name_of(test);
        if test.get("skip").and_then(Node::as_bool) == Some(true) {
            outcome.skipped.push(test_name);
            continue;
        }
        let mut record = |case: String, failure: Option<String>| {
            outcome.cases.push(CaseOutcome {
                suite: suite_name.clone(),
                test: test_name.clone(),
                case,
                failure,
            })
        };
        let file = |key: &str| -> Result<PathBuf, String> {
            test.get(key)
                .and_then(Node::as_str)
                .map(|p| base.join(p))
                .ok_or_else(|| format!("test {test_name:?} has no {key}"))
        };
        if test.get("expansion").is_some_and(|e| !e.is_null()) {
            // Gatekeeper's expansion (workload templates to pods) is not
            // built; running the cases without it would judge other objects.
            for case in list(test, "cases") {
                record(
                    name_of(case),
                    Some("expansion (ExpansionTemplate) is not supported".to_owned()),
                );
            }
            continue;
        }
        let loaded = (|| -> Result<(Template, Object), String> {
            let template = Template::from_object(&one_object(&file("template")?)?)
                .map_err(|e| e.to_string())?;
            Ok((template, one_object(&file("constraint")?)?))
        })();
        let (template, constraint_object) = match loaded {
            Ok(loaded) => loaded,
            Err(error) => {
                for case in list(test, "cases") {
                    record(name_of(case), Some(error.clone()));
                }
                continue;
            }
        };
        let constraint = Constraint::from_object(&constraint_object)
            .map_err(|e| e.to_string())
            .and_then(|c| {
                if c.kind == template.kind {
                    template
                        .check_parameters(c.parameters.as_ref())
                        .map_err(|e| format!("{}: {} {:?}: {e}", c.origin, c.kind, c.name))?;
                    Ok(c)
                } else {
                    Err(format!(
                        "the constraint's kind {:?} is not the template's {:?}",
                        c.kind, template.kind
                    ))
                }
            });
        let expect_invalid = test.get("invalid").and_then(Node::as_bool) == Some(true);
        if expect_invalid {
            let failure = match &constraint {
                Err(_) => None,
                Ok(_) => Some("the constraint was expected to be invalid but loaded".to_owned()),
            };
            record("invalid constraint".to_owned(), failure);
            continue;
        }
        let constraint = match constraint {
            Ok(c) => c,
            Err(error) => {
                for case in list(test, "cases") {
                    record(name_of(case), Some(error.clone()));
                }
                continue;
            }
        };
        let parameters = parameters_value(&constraint);
        let mut plain: Option<Result<CompiledTemplate, String>> = None;
        for case in list(test, "cases") {
            let case_name = name_of(case);
            if case.get("skip").and_then(Node::as_bool) == Some(true) {
                outcome.skipped.push(format!("{test_name}/{case_name}"));
                continue;
            }
            let result = (|| -> Result<(), String> {
                let inventory_files: Vec<PathBuf> = list(case, "inventory")
                    .filter_map(Node::as_str)
                    .map(|p| base.join(p))
                    .collect();
                let compiled_with_inventory;
                let compiled = if inventory_files.is_empty() {
                    plain
                        .get_or_insert_with(|| {
                            CompiledTemplate::compile(template.clone(), inventory([]))
                        })
                        .as_ref()
                        .map_err(Clone::clone)?
                } else {
                    let mut objects = Vec::new();
                    for file in &inventory_files {
                        objects.extend(read_objects(file)?);
                    }
                    let data = inventory(objects.iter().map(Object::root));
                    compiled_with_inventory = CompiledTemplate::compile(template.clone(), data)?;
                    &compiled_with_inventory
                };
                let object_path = case
                    .get("object")
                    .and_then(Node::as_str)
                    .map(|p| base.join(p))
                    .ok_or("the case has no object")?;
                let document = one_object(&object_path)?.into_root();
                let review = if Review::is_admission_review(&document) {
                    Review::of_admission_review(&document)?
                } else {
                    Review::of_object(&document)
                };
                let assertions = list(case, "assertions")
                    .map(parse_assertion)
                    .collect::<Result<Vec<_>, _>>()?;
                let value = review.to_rego();
                let subject = Subject {
                    review: &review,
                    value: &value,
                    namespace_labels: None,
                    deadline: None,
                    engine: options.engine,
                };
                let results = evaluate(compiled, &constraint, &parameters, &subject);
                check(&assertions, &results)
            })();
            record(case_name, result.err());
        }
    }
    Ok(outcome)
}
