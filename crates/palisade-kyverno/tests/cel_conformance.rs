//! A measure of `validate.cel` rules and ValidatingPolicies against the
//! shared Kyverno conformance data: every `*-cel` and `*-vpol` test folder's
//! `kyverno-test.yaml` expectations, checked as `kyverno test` does (policy
//! by name, resources by `metadata.name` of any kind, every response of a
//! ValidatingPolicy; none ⇒ "Not found", a failure).
//!
//! ClusterPolicy `-cel` tests are measured on resources whose kind the
//! rule's `match` names directly, and on Pod controllers through a stand-in
//! for autogen (the substring rewrite of `object.spec`/`object.metadata`,
//! the autogen-controllers annotation): matching, exclusion and autogen
//! proper belong to other modules. Both figures are printed.
//!
//! This is a measure, not the runner: it prints per-folder counts and the
//! mismatches, and holds the totals to floors so regressions show.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_cel::vap::AdmissionRequest;
use palisade_core::shared_data::shared_dir;
use palisade_kyverno::cel_rule::{CelInput, CelRule};
use palisade_kyverno::vpol::{ValidatingPolicy, VpolInput};
use palisade_kyverno::{Json, RuleOutcome, Status};

fn read_docs(path: &Path) -> Result<Vec<Json>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: Arc<str> = path.display().to_string().into();
    palisade_load::load_bytes(file, &bytes, &palisade_load::Limits::default())
        .map(|load| load.objects.iter().map(|o| o.root().to_json()).collect())
        .map_err(|e| e.to_string())
}

fn find_tests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            find_tests(&path, out);
        } else if path.file_name().is_some_and(|n| n == "kyverno-test.yaml") {
            out.push(path);
        }
    }
}

fn text<'a>(v: &'a Json, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Json::as_str)
        .unwrap_or_default()
}

fn strings(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// What one test folder supplies.
struct TestInputs {
    policies: Vec<Json>,
    resources: Vec<Json>,
    namespaces: Vec<Json>,
    /// Per resource name: `request.operation` from the values file.
    operations: BTreeMap<String, String>,
    user_info: Option<Json>,
    context_resources: Vec<Json>,
    context_images: Json,
    results: Vec<Json>,
}

fn load_test(test_file: &Path) -> Result<TestInputs, String> {
    let dir = test_file.parent().unwrap_or(Path::new("."));
    let test = read_docs(test_file)?
        .into_iter()
        .next()
        .ok_or("empty test file")?;
    let mut policies = Vec::new();
    for p in strings(test.get("policies")) {
        policies.extend(read_docs(&dir.join(p))?);
    }
    let mut resources: Vec<Json> = Vec::new();
    for r in strings(test.get("resources")) {
        for mut object in read_docs(&dir.join(r))? {
            if let Some(meta) = object.get_mut("metadata").and_then(Json::as_object_mut) {
                meta.entry("namespace")
                    .or_insert_with(|| Json::from("default"));
            }
            let key = |o: &Json| {
                let group = text(o, "/apiVersion")
                    .rsplit_once('/')
                    .map(|(g, _)| g.to_owned())
                    .unwrap_or_default();
                (
                    group,
                    text(o, "/kind").to_owned(),
                    text(o, "/metadata/namespace").to_owned(),
                    text(o, "/metadata/name").to_owned(),
                )
            };
            // kyverno test keeps the first of duplicate objects.
            if !resources.iter().any(|o| key(o) == key(&object)) {
                resources.push(object);
            }
        }
    }
    let mut namespaces = Vec::new();
    let mut operations = BTreeMap::new();
    if let Some(values) = test.get("variables").and_then(Json::as_str) {
        let values = read_docs(&dir.join(values))?
            .into_iter()
            .next()
            .unwrap_or_default();
        if let Some(list) = values.get("namespaces").and_then(Json::as_array) {
            namespaces.extend(list.iter().cloned());
        }
        for policy in values
            .get("policies")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            for r in policy
                .get("resources")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(op) = r
                    .pointer("/values/request.operation")
                    .and_then(Json::as_str)
                {
                    operations.insert(text(r, "/name").to_owned(), op.to_owned());
                }
            }
        }
    }
    let user_info = match test.get("userinfo").and_then(Json::as_str) {
        Some(f) => read_docs(&dir.join(f))?
            .into_iter()
            .next()
            .and_then(|u| u.get("userInfo").cloned()),
        None => None,
    };
    let (context_resources, context_images) = match test.get("context").and_then(Json::as_str) {
        Some(f) => {
            let ctx = read_docs(&dir.join(f))?
                .into_iter()
                .next()
                .unwrap_or_default();
            (
                ctx.pointer("/spec/resources")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default(),
                ctx.pointer("/spec/images").cloned().unwrap_or(Json::Null),
            )
        }
        None => (Vec::new(), Json::Null),
    };
    Ok(TestInputs {
        policies,
        resources,
        namespaces,
        operations,
        user_info,
        context_resources,
        context_images,
        results: test
            .get("results")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default(),
    })
}

/// The objects a result entry's `resources` name: `name` of any kind and
/// namespace, `ns/name` in that namespace.
fn named<'a>(resources: &'a [Json], entry: &str) -> Vec<&'a Json> {
    let (ns, name) = match entry.rsplit_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, entry),
    };
    resources
        .iter()
        .filter(|o| {
            text(o, "/metadata/name") == name
                && ns.is_none_or(|ns| text(o, "/metadata/namespace") == ns)
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    pass: usize,
    fail: usize,
    /// Checks left out (ClusterPolicy resources of kinds the rule does not
    /// name, nor reaches through the stand-in autogen).
    left_out: usize,
    /// ClusterPolicy checks made on a Pod controller through the stand-in
    /// autogen (counted in `pass`/`fail` too).
    through_autogen: usize,
    mismatches: Vec<String>,
}

impl Tally {
    fn check(&mut self, what: String, expected: &str, got: Option<&RuleOutcome>) {
        let ok = got.is_some_and(|o| o.status.as_str() == expected);
        if ok {
            self.pass += 1;
        } else {
            self.fail += 1;
            let got = got
                .map(|o| format!("{} ({})", o.status.as_str(), o.message))
                .unwrap_or_else(|| "no response".to_owned());
            self.mismatches
                .push(format!("{what}: expected {expected}, got {got}"));
        }
    }
}

fn namespace_for<'a>(inputs: &'a TestInputs, object: &Json) -> Option<&'a Json> {
    let ns = text(object, "/metadata/namespace");
    inputs
        .namespaces
        .iter()
        .find(|n| text(n, "/metadata/name") == ns)
}

fn run_vpol(inputs: &TestInputs, policy: &ValidatingPolicy, tally: &mut Tally) {
    for entry in &inputs.results {
        let name = text(entry, "/policy");
        if name.rsplit('/').next() != Some(policy.name()) {
            continue;
        }
        let expected = text(entry, "/result");
        for resource in strings(entry.get("resources")) {
            for object in named(&inputs.resources, &resource) {
                let outcome = policy.evaluate(&VpolInput {
                    object,
                    old_object: None,
                    operation: "CREATE",
                    namespace_object: namespace_for(inputs, object),
                    user_info: inputs.user_info.as_ref(),
                    resources: &inputs.context_resources,
                    images: &inputs.context_images,
                });
                tally.check(
                    format!("{} {}/{resource}", policy.name(), text(object, "/kind")),
                    expected,
                    outcome.as_ref(),
                );
            }
        }
    }
}

/// The kinds a rule's `match` names (any, all, or the legacy block).
fn match_kinds(rule: &Json) -> Vec<String> {
    let mut kinds = Vec::new();
    let m = rule.get("match");
    for key in ["any", "all"] {
        for block in m
            .and_then(|m| m.get(key))
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            kinds.extend(strings(block.pointer("/resources/kinds")));
        }
    }
    kinds.extend(strings(m.and_then(|m| m.pointer("/resources/kinds"))));
    // `apps/v1/Deployment` and `Kind/subresource`: the kind is the part
    // that starts with a capital.
    kinds
        .into_iter()
        .filter_map(|k| {
            k.split('/')
                .rfind(|part| part.starts_with(|c: char| c.is_ascii_uppercase()))
                .map(str::to_owned)
        })
        .collect()
}

/// Pod controllers and where their pod template sits, for the stand-in
/// autogen below: (kind, path replacing `spec`, path replacing `metadata`,
/// response name prefix).
const CONTROLLERS: &[(&str, &str, &str, &str)] = &[
    (
        "DaemonSet",
        "spec.template.spec",
        "spec.template.metadata",
        "autogen-",
    ),
    (
        "Deployment",
        "spec.template.spec",
        "spec.template.metadata",
        "autogen-",
    ),
    (
        "Job",
        "spec.template.spec",
        "spec.template.metadata",
        "autogen-",
    ),
    (
        "StatefulSet",
        "spec.template.spec",
        "spec.template.metadata",
        "autogen-",
    ),
    (
        "ReplicaSet",
        "spec.template.spec",
        "spec.template.metadata",
        "autogen-",
    ),
    (
        "ReplicationController",
        "spec.template.spec",
        "spec.template.metadata",
        "autogen-",
    ),
    (
        "CronJob",
        "spec.jobTemplate.spec.template.spec",
        "spec.jobTemplate.spec.template.metadata",
        "autogen-cronjob-",
    ),
];

/// A stand-in for the autogen module (not this crate's part under test):
/// a Pod rule's `validate.cel` and `celPreconditions` with `object.spec` and
/// `object.metadata` (and `oldObject.`) rewritten by substring, as Kyverno's
/// autogen rewrites them, when the policy's autogen-controllers annotation
/// allows `kind`.
fn autogen_rule(
    policy: &Json,
    rule: &Json,
    kind: &str,
) -> Option<(Json, Option<Json>, &'static str)> {
    let (_, spec_path, metadata_path, prefix) = CONTROLLERS.iter().find(|c| c.0 == kind)?;
    let annotation = policy
        .pointer("/metadata/annotations/pod-policies.kyverno.io~1autogen-controllers")
        .and_then(Json::as_str);
    match annotation {
        Some("none") => return None,
        Some(list) if !list.split(',').any(|k| k == kind) => return None,
        _ => {}
    }
    let rewrite = |v: &Json| -> Json {
        let mut text = v.to_string();
        for root in ["object.", "oldObject."] {
            text = text.replace(&format!("{root}spec"), &format!("{root}{spec_path}"));
            text = text.replace(
                &format!("{root}metadata"),
                &format!("{root}{metadata_path}"),
            );
        }
        serde_json::from_str(&text).unwrap_or(Json::Null)
    };
    let cel = rewrite(rule.pointer("/validate/cel")?);
    let pre = rule.get("celPreconditions").map(rewrite);
    Some((cel, pre, prefix))
}

fn run_cluster_policy(inputs: &TestInputs, policy: &Json, tally: &mut Tally) {
    let policy_name = text(policy, "/metadata/name");
    let enforce_policy =
        text(policy, "/spec/validationFailureAction").eq_ignore_ascii_case("enforce");
    for rule in policy
        .pointer("/spec/rules")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let Some(cel) = rule.pointer("/validate/cel") else {
            continue;
        };
        let rule_name = text(rule, "/name");
        let enforce = match rule
            .pointer("/validate/failureAction")
            .and_then(Json::as_str)
        {
            Some(a) => a.eq_ignore_ascii_case("enforce"),
            None => enforce_policy,
        };
        let message = rule.pointer("/validate/message").and_then(Json::as_str);
        let kinds = match_kinds(rule);
        for entry in &inputs.results {
            if text(entry, "/policy").rsplit('/').next() != Some(policy_name) {
                continue;
            }
            let entry_rule = text(entry, "/rule");
            let expected = text(entry, "/result");
            for resource in strings(entry.get("resources")) {
                for object in named(&inputs.resources, &resource) {
                    let kind = text(object, "/kind");
                    // The rule itself, or the stand-in autogen copy for a Pod
                    // controller; the response name decides which entries see it.
                    let (cel, pre, response_name, through_autogen) =
                        if kinds.iter().any(|k| k == kind) {
                            (
                                cel.clone(),
                                rule.get("celPreconditions").cloned(),
                                rule_name.to_owned(),
                                false,
                            )
                        } else if kinds.iter().any(|k| k == "Pod")
                            && let Some((cel, pre, prefix)) = autogen_rule(policy, rule, kind)
                        {
                            (cel, pre, format!("{prefix}{rule_name}"), true)
                        } else {
                            tally.left_out += 1;
                            continue;
                        };
                    let names_this_response = [
                        entry_rule.to_owned(),
                        format!("autogen-{entry_rule}"),
                        format!("autogen-cronjob-{entry_rule}"),
                    ]
                    .contains(&response_name);
                    if !names_this_response {
                        continue;
                    }
                    let compiled = match CelRule::parse(&cel, pre.as_ref()) {
                        Ok(r) => r.with_rule_name(&response_name),
                        Err(e) => {
                            tally.fail += 1;
                            tally
                                .mismatches
                                .push(format!("{policy_name}/{response_name}: parse error {e}"));
                            continue;
                        }
                    };
                    let name = text(object, "/metadata/name");
                    let operation = inputs
                        .operations
                        .get(name)
                        .map(String::as_str)
                        .unwrap_or("CREATE");
                    let outcome = evaluate_cel(inputs, &compiled, object, operation, message);
                    // allowExistingViolations: an Enforce rule failing on
                    // UPDATE is re-run on the old object; failing there too
                    // makes it a skip.
                    let outcome =
                        if operation == "UPDATE" && enforce && outcome.status == Status::Fail {
                            let again = evaluate_cel(inputs, &compiled, object, "CREATE", message);
                            if again.status == Status::Fail {
                                RuleOutcome::new(Status::Skip, "allowExistingViolations")
                            } else {
                                outcome
                            }
                        } else {
                            outcome
                        };
                    if through_autogen {
                        tally.through_autogen += 1;
                    }
                    tally.check(
                        format!("{policy_name}/{response_name} {kind}/{resource}"),
                        expected,
                        Some(&outcome),
                    );
                }
            }
        }
    }
}

fn evaluate_cel(
    inputs: &TestInputs,
    rule: &CelRule,
    object: &Json,
    operation: &str,
    message: Option<&str>,
) -> RuleOutcome {
    let mut request = AdmissionRequest::for_object(object, operation);
    if operation == "UPDATE" {
        request.old_object = Some(object.clone());
    }
    if let Some(user) = &inputs.user_info {
        request.user_info = user.clone();
    }
    let request_json = request.to_cel_json();
    // kyverno test's namespaceObject: a Namespace with only its name; none
    // for a Namespace itself.
    let namespace = Json::from(serde_json::json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": text(object, "/metadata/namespace")}}));
    let is_namespace = text(object, "/kind") == "Namespace";
    let (object_arg, old) = if operation == "DELETE" {
        (&Json::Null, Some(object))
    } else {
        (object, request.old_object.as_ref())
    };
    rule.evaluate(
        &CelInput {
            object: object_arg,
            old_object: old,
            request: &request_json,
            namespace_object: (!is_namespace).then_some(&namespace),
            resources: &inputs.context_resources,
        },
        message,
    )
}

#[test]
fn cel_and_vpol_conformance() {
    let Some(dir) = shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/kyverno",
        "policies",
    ) else {
        return;
    };
    let mut folders: BTreeMap<String, Tally> = BTreeMap::new();
    let Ok(tops) = std::fs::read_dir(dir.join("policies")) else {
        return;
    };
    let mut tops: Vec<PathBuf> = tops.flatten().map(|e| e.path()).collect();
    tops.sort();
    for top in tops {
        let top_name = top
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !(top_name.ends_with("-cel") || top_name.ends_with("-vpol")) {
            continue;
        }
        let mut tests = Vec::new();
        find_tests(&top, &mut tests);
        let tally = folders.entry(top_name.clone()).or_default();
        for test in tests {
            let inputs = match load_test(&test) {
                Ok(i) => i,
                Err(e) => {
                    tally.fail += 1;
                    tally
                        .mismatches
                        .push(format!("{}: load error {e}", test.display()));
                    continue;
                }
            };
            for policy in &inputs.policies {
                match text(policy, "/kind") {
                    "ValidatingPolicy" => match ValidatingPolicy::parse(policy) {
                        Ok(p) => run_vpol(&inputs, &p, tally),
                        Err(e) => {
                            tally.fail += 1;
                            tally.mismatches.push(format!(
                                "{}: parse error {e}",
                                text(policy, "/metadata/name")
                            ));
                        }
                    },
                    "ClusterPolicy" | "Policy" => run_cluster_policy(&inputs, policy, tally),
                    _ => {}
                }
            }
        }
    }
    let (mut pass, mut fail) = (0, 0);
    for (folder, tally) in &folders {
        for m in &tally.mismatches {
            eprintln!("MISMATCH [{folder}] {m}");
        }
        eprintln!(
            "{folder}: {} / {} checks as expected ({} of them ClusterPolicy checks on Pod controllers through a stand-in autogen; {} left out)",
            tally.pass,
            tally.pass + tally.fail,
            tally.through_autogen,
            tally.left_out
        );
        pass += tally.pass;
        fail += tally.fail;
    }
    eprintln!("total: {pass} / {} checks as expected", pass + fail);
    // Floors from the shared data at the time of writing (every check as
    // expected): a drop is a regression.
    assert_eq!(
        fail, 0,
        "{fail} checks not as expected (see MISMATCH lines)"
    );
    assert!(pass >= 2301, "only {pass} checks ran");
}
