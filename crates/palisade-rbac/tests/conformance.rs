//! The shared RBAC conformance kit: every query of every case in
//! `../shared/conformance/rbac/cases/*.yaml` (README there for the schema),
//! evaluated through the library and compared with its expectation.
//!
//! Case files are read with serde-saphyr into JSON and converted with
//! `Node::from_json`; each object gets a `SourceRef` naming its case. Objects
//! without `apiVersion` get the RBAC group's (`v1` for ServiceAccounts), as the
//! README says; namespace defaulting is the model's own (`default`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_core::{Node, Object, Pos, SourceRef};
use palisade_rbac::{
    ImpersonationTarget, MatrixRow, Operation, Policy, PolicyRule, Request, ResourceAttributes,
    UserInfo,
};
use serde_json::Value;

fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // YAML 1.2 booleans only: the cases use namespaces such as `y`, which YAML 1.1
    // readers would turn into `true` (PyYAML, the kit's reference, keeps `y` a string).
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(&text, options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn object(json: &Value, file: &str) -> Object {
    let mut json = json.clone();
    if let Some(map) = json.as_object_mut()
        && !map.contains_key("apiVersion")
    {
        let api_version = if map.get("kind").and_then(Value::as_str) == Some("ServiceAccount") {
            "v1"
        } else {
            "rbac.authorization.k8s.io/v1"
        };
        map.insert("apiVersion".into(), Value::from(api_version));
    }
    Object::new(
        Node::from_json(&json),
        SourceRef {
            file: Arc::from(file),
            pos: Pos::default(),
        },
    )
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn identity(as_: &Value) -> UserInfo {
    if let Some(sa) = as_.get("serviceAccount") {
        return UserInfo::service_account(text(sa, "namespace"), text(sa, "name"));
    }
    if as_.get("anonymous").and_then(Value::as_bool) == Some(true) {
        return UserInfo::anonymous();
    }
    UserInfo {
        name: text(as_, "user").to_owned(),
        groups: strings(as_.get("groups")),
    }
}

fn request(r: &Value) -> Request {
    if let Some(url) = r.get("nonResourceURL").and_then(Value::as_str) {
        return Request::non_resource(text(r, "verb"), url);
    }
    Request::Resource(
        ResourceAttributes::new(
            text(r, "verb"),
            text(r, "apiGroup"),
            text(r, "resource"),
            text(r, "namespace"),
        )
        .with_subresource(text(r, "subresource"))
        .with_name(text(r, "name")),
    )
}

/// A rule with every list field as a set, for set-of-rules comparison.
fn rule_key(rule: &PolicyRule) -> Vec<BTreeSet<String>> {
    [
        &rule.verbs,
        &rule.api_groups,
        &rule.resources,
        &rule.resource_names,
        &rule.non_resource_urls,
    ]
    .iter()
    .map(|l| l.iter().cloned().collect())
    .collect()
}

/// Runs one query; `Err` describes the mismatch.
fn run_query(policy: &Policy, q: &Value, file: &str) -> Result<(), String> {
    match text(q, "kind") {
        "can" => {
            let user = identity(&q["as"]);
            let decision = policy.authorize(&user, &request(&q["request"]));
            let got = if decision.allowed { "allow" } else { "deny" };
            (got == text(q, "expect"))
                .then_some(())
                .ok_or_else(|| format!("got {got} ({:?})", decision.reason))
        }
        "who-can" => {
            let got: BTreeSet<(String, String, String)> = policy
                .who_can(&request(&q["request"]))
                .into_iter()
                .map(|e| {
                    (
                        e.subject.kind.as_str().to_owned(),
                        e.subject.namespace.clone().unwrap_or_default(),
                        e.subject.name.clone(),
                    )
                })
                .collect();
            let want: BTreeSet<(String, String, String)> = q["expect_subjects"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    let ns = if text(s, "kind") == "ServiceAccount" {
                        text(s, "namespace")
                    } else {
                        ""
                    };
                    (
                        text(s, "kind").to_owned(),
                        ns.to_owned(),
                        text(s, "name").to_owned(),
                    )
                })
                .collect();
            (got == want)
                .then_some(())
                .ok_or_else(|| format!("got {got:?}, want {want:?}"))
        }
        "matrix" => {
            let user = identity(&q["as"]);
            let verbs = strings(q.get("verbs"));
            let rows: Vec<MatrixRow> = q["expect"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|row| MatrixRow {
                    api_group: text(row, "apiGroup").to_owned(),
                    resource: text(row, "resource").to_owned(),
                    subresource: text(row, "subresource").to_owned(),
                    name: text(row, "name").to_owned(),
                })
                .collect();
            let answers = policy.matrix(&user, text(q, "namespace"), &verbs, &rows);
            let mut problems = Vec::new();
            for (answer, row) in answers
                .iter()
                .zip(q["expect"].as_array().into_iter().flatten())
            {
                let got: BTreeSet<&String> = answer.allowed.iter().collect();
                let want_list = strings(row.get("allowed"));
                let want: BTreeSet<&String> = want_list.iter().collect();
                if got != want {
                    problems.push(format!(
                        "{}/{}: got {got:?}, want {want:?}",
                        answer.row.resource, answer.row.subresource
                    ));
                }
            }
            problems
                .is_empty()
                .then_some(())
                .ok_or_else(|| problems.join("; "))
        }
        "admit" => {
            let user = identity(&q["as"]);
            let operation = match text(q, "operation") {
                "update" => Operation::Update,
                _ => Operation::Create,
            };
            let obj = object(&q["object"], file);
            let old = q.get("oldObject").map(|o| object(o, file));
            let decision = policy.admit(&user, operation, &obj, old.as_ref());
            let got = if decision.allowed { "allow" } else { "deny" };
            (got == text(q, "expect"))
                .then_some(())
                .ok_or_else(|| format!("got {got} ({:?})", decision.reason))
        }
        "impersonate" => {
            let user = identity(&q["as"]);
            let t = &q["target"];
            let target = ImpersonationTarget {
                user: text(t, "user").to_owned(),
                groups: strings(t.get("groups")),
                extra: t
                    .get("extra")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), strings(Some(v))))
                            .collect()
                    })
                    .unwrap_or_default(),
                uid: text(t, "uid").to_owned(),
            };
            let result = policy.impersonate(&user, &target);
            let got = if result.is_ok() { "allow" } else { "deny" };
            if got != text(q, "expect") {
                return Err(format!("got {got} ({result:?})"));
            }
            if let (Ok(identity), Some(want)) = (&result, q.get("expect_identity")) {
                let mut got_groups = identity.groups.clone();
                let mut want_groups = strings(want.get("groups"));
                got_groups.sort();
                want_groups.sort();
                if identity.name != text(want, "user") || got_groups != want_groups {
                    return Err(format!("identity {identity:?}, want {want}"));
                }
            }
            Ok(())
        }
        "effective-rules" => {
            let Some(rules) = policy.effective_rules(text(q, "clusterRole")) else {
                return Err("no such ClusterRole".into());
            };
            let got: BTreeSet<_> = rules.iter().map(rule_key).collect();
            let want: BTreeSet<_> = q["expect_rules"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| rule_key(&PolicyRule::from_node(&Node::from_json(r))))
                .collect();
            (got == want)
                .then_some(())
                .ok_or_else(|| format!("got {got:?}, want {want:?}"))
        }
        other => Err(format!("unknown query kind {other:?}")),
    }
}

#[test]
fn shared_rbac_cases_pass() {
    let Some(root) = palisade_core::shared_data::shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/rbac",
        "cases",
    ) else {
        return;
    };
    let mut bootstrap_files: Vec<PathBuf> = std::fs::read_dir(root.join("bootstrap"))
        .expect("bootstrap dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    bootstrap_files.sort();
    let mut bootstrap = Vec::new();
    for path in &bootstrap_files {
        let name = format!(
            "bootstrap/{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
        );
        for item in read_yaml(path)["items"].as_array().into_iter().flatten() {
            bootstrap.push(object(item, &name));
        }
    }
    assert!(
        bootstrap.len() > 100,
        "bootstrap policy loaded: {}",
        bootstrap.len()
    );

    let mut case_files: Vec<PathBuf> = std::fs::read_dir(root.join("cases"))
        .expect("cases dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    case_files.sort();

    let (mut total, mut passed, mut cases) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for path in &case_files {
        let doc = read_yaml(path);
        assert_eq!(
            text(&doc, "schema"),
            "rbac-conformance/v1",
            "{}",
            path.display()
        );
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        for case in doc["cases"].as_array().into_iter().flatten() {
            cases += 1;
            let id = text(case, "id");
            let source = format!("cases/{file_name}#{id}");
            let mut objects: Vec<Object> = Vec::new();
            if case.get("include_bootstrap").and_then(Value::as_bool) == Some(true) {
                objects.extend(bootstrap.iter().cloned());
            }
            objects.extend(
                case["objects"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| object(o, &source)),
            );
            let policy = Policy::from_objects(&objects);
            for (index, query) in case["queries"].as_array().into_iter().flatten().enumerate() {
                total += 1;
                match run_query(&policy, query, &source) {
                    Ok(()) => passed += 1,
                    Err(why) => failures.push(format!(
                        "{id} query #{index} ({}): {why}",
                        text(query, "kind")
                    )),
                }
            }
        }
    }
    println!("rbac conformance: {passed}/{total} queries pass ({cases} cases)");
    for failure in &failures {
        println!("FAIL {failure}");
    }
    assert_eq!(total, 310, "the kit has 310 queries");
    assert!(
        failures.is_empty(),
        "{} of {total} queries failed",
        failures.len()
    );
}
