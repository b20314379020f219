//! `kyverno test`, reproduced: one `kyverno-test.yaml` is run the way
//! Kyverno's CLI runs it (`cmd/cli/kubectl-kyverno/commands/test`), and
//! every expectation is scored.
//!
//! One case is one (result entry, resource name) pair. A name selects every
//! loaded object with that name, of any kind (`ns/name` also requires the
//! namespace); each selected object must have at least one rule response of
//! the entry's policy and rule (`rule`, `autogen-<rule>` or
//! `autogen-cronjob-<rule>`; every response for a ValidatingPolicy entry),
//! and every such response must have the expected status.
//!
//! Scoring is stricter than `kyverno test` in one way, on purpose: when the
//! engine gives no response for an expectation (the rule did not match, a
//! foreach had nothing to iterate), `kyverno test` counts the expectation as
//! passed whatever it expected; here it is a failed case, so a test cannot
//! pass because a rule never ran. Tests whose policies mutate or generate,
//! or whose entries compare patched or generated resources, are reported as
//! unsupported and not counted.

use std::path::{Path, PathBuf};

use crate::engine::{self, Admission, RuleValues};
use crate::exception::{PolicyException, is_policy_exception};
use crate::matching::RequestInfo;
use crate::policy::{KyvernoPolicy, is_kyverno_policy};
use crate::test_file::{self, Expectation, TestFile, Values};
use crate::vpol::{ValidatingPolicy, VpolInput};
use crate::{ClusterObjects, Json, Status};

/// The annotation that turns a policy's failures into warnings in reports.
const SCORED_ANNOTATION: &str = "policies.kyverno.io/scored";

pub use palisade_core::policy_test::{CaseOutcome, SuiteError};

/// What one test file produced.
#[derive(Clone, Debug, Default)]
pub struct TestOutcome {
    pub cases: Vec<CaseOutcome>,
    /// Why the test was not run, when it needs what Palisade does not do.
    pub unsupported: Option<String>,
}

pub use crate::test_file::is_test_file;

/// The `kyverno test` files under these paths (folders searched, files
/// taken when they are test files), sorted per path.
pub fn find_tests(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .flat_map(|p| test_file::find_tests(p))
        .collect()
}

/// The policies one test loads.
struct Policies {
    cluster: Vec<KyvernoPolicy>,
    validating: Vec<ValidatingPolicy>,
    /// Policies that failed to load, by name where known.
    broken: Vec<(String, String)>,
}

/// Runs one test file.
pub fn run_test(path: &Path) -> Result<TestOutcome, SuiteError> {
    let error = |message: String| SuiteError {
        path: path.display().to_string(),
        message,
    };
    let test = test_file::read_test(path).map_err(|e| error(e.to_string()))?;
    let policies = load_policies(&test).map_err(error)?;
    if let Some(reason) = unsupported(&test, &policies) {
        return Ok(TestOutcome {
            cases: Vec::new(),
            unsupported: Some(reason),
        });
    }
    let resources = test_file::read_resources(&test.resources).map_err(|e| error(e.to_string()))?;
    let values = match &test.variables {
        Some(p) => Some(test_file::read_values(p).map_err(|e| error(e.to_string()))?),
        None => None,
    };
    let user = match &test.userinfo {
        Some(p) => Some(test_file::read_user_info(p).map_err(|e| error(e.to_string()))?),
        None => None,
    };
    let cel_context = match &test.context {
        Some(p) => Some(test_file::read_context(p).map_err(|e| error(e.to_string()))?),
        None => None,
    };
    let mut exceptions = Vec::new();
    for file in &test.exceptions {
        for document in test_file::read_documents(file).map_err(|e| error(e.to_string()))? {
            if is_policy_exception(&document) {
                exceptions.push(
                    PolicyException::parse(&document)
                        .map_err(|e| error(format!("{}: {e}", file.display())))?,
                );
            }
        }
    }
    let cel_resources: ClusterObjects = cel_context
        .as_ref()
        .map(|c| ClusterObjects::from(c.resources.clone()))
        .unwrap_or_default();
    let images = cel_context
        .as_ref()
        .map_or(Json::Null, |c| c.images.clone());

    // Responses per resource index: (policy, rule or None, status).
    let mut responses: Vec<Vec<(String, Option<String>, Status)>> = Vec::new();
    let values_source = ValuesSource(values.as_ref());
    for resource in &resources {
        let name = resource
            .pointer("/metadata/name")
            .and_then(Json::as_str)
            .unwrap_or("");
        let namespace = resource
            .pointer("/metadata/namespace")
            .and_then(Json::as_str)
            .unwrap_or("default");
        let namespace_labels = values
            .as_ref()
            .map(|v| v.namespace_labels(namespace))
            .unwrap_or_default();
        let is_namespace = resource.get("kind").and_then(Json::as_str) == Some("Namespace");
        let namespace_object = if is_namespace {
            None
        } else {
            values
                .as_ref()
                .and_then(|v| v.namespace_object(namespace).cloned())
                .or_else(|| Some(serde_json::json!({"metadata": {"name": namespace}})))
        };
        let user_info = user.as_ref().map(|u| u.user_info.clone());
        let mut found = Vec::new();
        for policy in &policies.cluster {
            // `kyverno test` computes the values, and so the operation, per
            // policy and resource: global values, then the policy's values
            // for this resource.
            let mut context_values = Vec::new();
            if let Some(values) = &values {
                context_values.extend(values.global.iter().cloned());
                context_values.extend(values.resource_values(&policy.name, name).iter().cloned());
            }
            let operation = context_values
                .iter()
                .rev()
                .find(|(k, _)| k == "request.operation")
                .and_then(|(_, v)| v.as_str())
                .unwrap_or("CREATE")
                .to_string();
            let object = with_object_values(resource, &context_values);
            let (new, old) = match operation.as_str() {
                "DELETE" => (None, Some(&object)),
                "UPDATE" => (Some(&object), Some(&object)),
                _ => (Some(&object), None),
            };
            let admission = Admission {
                object: new,
                old_object: old,
                info: RequestInfo {
                    operation,
                    namespace_labels: namespace_labels.clone(),
                    user: user.as_ref().map(|u| u.user.clone()),
                },
                user_info: user_info.clone(),
                namespace_object: namespace_object.clone(),
                cluster_objects: cel_resources.clone(),
                context_values,
                exceptions: &exceptions,
            };
            for response in engine::apply(policy, &admission, &values_source) {
                let status = scored(policy, response.outcome.status);
                found.push((policy.name.clone(), Some(response.rule), status));
            }
        }
        for policy in &policies.validating {
            // ValidatingPolicies always see CREATE in `kyverno test`.
            let input = VpolInput {
                object: resource,
                old_object: None,
                operation: "CREATE",
                namespace_object: namespace_object.as_ref(),
                user_info: user_info.as_ref(),
                resources: &cel_resources,
                images: &images,
            };
            if let Some(outcome) = policy.evaluate(&input) {
                found.push((policy.name().to_string(), None, outcome.status));
            }
        }
        responses.push(found);
    }

    let suite = path.display().to_string();
    let mut cases = Vec::new();
    for expectation in &test.results {
        for wanted in &expectation.resources {
            let failure = judge(expectation, wanted, &resources, &responses, &policies);
            let case = match &expectation.rule {
                Some(rule) => format!("{}/{rule}/{wanted}", expectation.policy),
                None => format!("{}/{wanted}", expectation.policy),
            };
            cases.push(CaseOutcome {
                suite: suite.clone(),
                test: test.name.clone(),
                case,
                failure,
            });
        }
    }
    Ok(TestOutcome {
        cases,
        unsupported: None,
    })
}

/// Reads every policy file of the test.
fn load_policies(test: &TestFile) -> Result<Policies, String> {
    let mut policies = Policies {
        cluster: Vec::new(),
        validating: Vec::new(),
        broken: Vec::new(),
    };
    for file in &test.policies {
        let documents = test_file::read_documents(file).map_err(|e| e.to_string())?;
        for document in documents {
            let name = document
                .pointer("/metadata/name")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string();
            if is_kyverno_policy(&document) {
                match KyvernoPolicy::parse(&document) {
                    Ok(p) => policies.cluster.push(p),
                    Err(e) => policies.broken.push((name, e)),
                }
            } else if document.get("kind").and_then(Json::as_str) == Some("ValidatingPolicy") {
                match ValidatingPolicy::parse(&document) {
                    Ok(p) => policies.validating.push(p),
                    Err(e) => policies.broken.push((name, e)),
                }
            }
        }
    }
    Ok(policies)
}

/// Why the test needs what Palisade does not run, if it does.
fn unsupported(test: &TestFile, policies: &Policies) -> Option<String> {
    for policy in &policies.cluster {
        if let Some(rule) = policy.unsupported_rules.first() {
            return Some(format!(
                "policy {} has rule {rule}, which mutates, generates or verifies images",
                policy.name
            ));
        }
    }
    test.results
        .iter()
        .find(|e| {
            e.patched_resources.is_some()
                || e.generated_resource.is_some()
                || e.clone_source_resource.is_some()
        })
        .map(|e| {
            format!(
                "the expectation for policy {} compares mutated or generated resources",
                e.policy
            )
        })
}

/// `kyverno test` writes values for `request.object.*` into the object.
fn with_object_values(resource: &Json, values: &[(String, Json)]) -> Json {
    let mut object = resource.clone();
    for (key, value) in values {
        if let Some(path) = key.strip_prefix("request.object.") {
            let mut ctx = crate::context::Context::from_json(object);
            ctx.set_dotted(path, value.clone());
            object = ctx.root().clone();
        }
    }
    object
}

/// A policy annotated `policies.kyverno.io/scored: "false"` reports `warn`
/// instead of `fail`.
fn scored(policy: &KyvernoPolicy, status: Status) -> Status {
    let unscored = policy
        .annotations
        .get(SCORED_ANNOTATION)
        .is_some_and(|v| v == "false");
    if unscored && status == Status::Fail {
        Status::Warn
    } else {
        status
    }
}

/// `None` when the case holds, else why not.
fn judge(
    expectation: &Expectation,
    wanted: &str,
    resources: &[Json],
    responses: &[Vec<(String, Option<String>, Status)>],
    policies: &Policies,
) -> Option<String> {
    if let Some((_, error)) = policies
        .broken
        .iter()
        .find(|(n, _)| *n == expectation.policy)
    {
        return Some(format!(
            "policy {} failed to load: {error}",
            expectation.policy
        ));
    }
    let (namespace, name) = match wanted.rsplit_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, wanted),
    };
    let selected: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.pointer("/metadata/name").and_then(Json::as_str) == Some(name)
                && namespace.is_none_or(|ns| {
                    r.pointer("/metadata/namespace").and_then(Json::as_str) == Some(ns)
                })
        })
        .map(|(i, _)| i)
        .collect();
    if selected.is_empty() {
        return Some(format!("no resource named {wanted} was loaded"));
    }
    let expected = expectation.result;
    let mut problems = Vec::new();
    for index in selected {
        let kind = resources[index]
            .get("kind")
            .and_then(Json::as_str)
            .unwrap_or("?");
        let statuses: Vec<(String, Status)> = responses[index]
            .iter()
            .filter(|(policy, rule, _)| {
                *policy == expectation.policy && rule_matches(expectation, rule.as_deref())
            })
            .map(|(_, rule, status)| (rule.clone().unwrap_or_default(), *status))
            .collect();
        if statuses.is_empty() {
            problems.push(format!(
                "{kind} {wanted}: no response from the policy (kyverno test would count this as passed)"
            ));
            continue;
        }
        let mismatched: Vec<String> = statuses
            .iter()
            .filter(|(_, status)| *status != expected)
            .map(|(rule, status)| {
                if rule.is_empty() {
                    format!("{kind} {wanted}: got {}", status.as_str())
                } else {
                    format!("{kind} {wanted}: rule {rule} gave {}", status.as_str())
                }
            })
            .collect();
        problems.extend(mismatched);
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!(
            "expected {}; {}",
            expected.as_str(),
            problems.join("; ")
        ))
    }
}

/// `rule`, `autogen-<rule>`, `autogen-cronjob-<rule>`; every response when
/// the entry names no rule or is for a ValidatingPolicy.
fn rule_matches(expectation: &Expectation, response_rule: Option<&str>) -> bool {
    let (Some(wanted), Some(got)) = (expectation.rule.as_deref(), response_rule) else {
        return true;
    };
    if expectation.is_validating_policy {
        return true;
    }
    got == wanted
        || got.strip_prefix("autogen-") == Some(wanted)
        || got.strip_prefix("autogen-cronjob-") == Some(wanted)
}

/// The values file as the engine asks for it.
struct ValuesSource<'a>(Option<&'a Values>);

impl RuleValues for ValuesSource<'_> {
    fn rule_values(&self, policy: &str, rule: &str) -> Vec<(String, Json)> {
        self.0
            .map(|v| v.rule_values(policy, rule).to_vec())
            .unwrap_or_default()
    }

    fn foreach_values(&self, policy: &str, rule: &str) -> Vec<(String, Vec<Json>)> {
        self.0
            .map(|v| v.foreach_values(policy, rule).to_vec())
            .unwrap_or_default()
    }
}
