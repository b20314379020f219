//! The gatekeeper-library conformance suites (`../shared/conformance/
//! gatekeeper-library`), CEL side: for each of the 16 templates with a
//! `K8sNativeValidation` block, every case of its `suite.yaml` is evaluated
//! (a) through Gatekeeper's k8scel driver semantics and (b) through the
//! ValidatingAdmissionPolicy and binding Gatekeeper generates, and checked
//! against the suite's assertions (`violations` yes/no/N, `message` regex).
//!
//! The suite runner's usual duties are done here in a few lines, only as
//! far as these suites need: gator's review of a bare object or an
//! AdmissionReview, and the constraint's `match.kinds`, `namespaces` and
//! `excludedNamespaces` (path (a); in path (b) the generated policy's match
//! conditions do it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_cel::gatekeeper::{self, GeneratedVap, NativeSource, VapOptions};
use palisade_cel::vap;
use palisade_core::Node;
use serde_json::{Value as Json, json};

fn library() -> Option<PathBuf> {
    palisade_core::shared_data::shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/gatekeeper-library",
        "README.md",
    )
}

fn load(path: &Path) -> Vec<Node> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: Arc<str> = path.display().to_string().into();
    palisade_load::load_bytes(file, &bytes, &palisade_load::Limits::default())
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .objects
        .into_iter()
        .map(|o| o.into_root())
        .collect()
}

fn load_one(path: &Path) -> Node {
    load(path).into_iter().next().expect("one object")
}

fn text<'a>(j: &'a Json, ptr: &str) -> &'a str {
    j.pointer(ptr).and_then(Json::as_str).unwrap_or_default()
}

/// gator's review: a bare object, or an AdmissionReview's request.
fn review_of(object: &Json) -> Json {
    if text(object, "/apiVersion").starts_with("admission.k8s.io/") {
        let mut r = object.get("request").cloned().unwrap_or_else(|| json!({}));
        let map = r.as_object_mut().expect("request is a mapping");
        map.entry("kind")
            .or_insert(json!({"group": "", "version": "", "kind": ""}));
        map.entry("resource")
            .or_insert(json!({"group": "", "version": "", "resource": ""}));
        map.entry("uid").or_insert(json!(""));
        map.entry("oldObject").or_insert(Json::Null);
        if map.get("operation").and_then(Json::as_str) == Some("DELETE") {
            let old = map.get("oldObject").cloned().unwrap_or(Json::Null);
            map.insert("object".into(), old);
        }
        return r;
    }
    let (group, version) = vap::split_api_version(text(object, "/apiVersion"));
    let mut r = json!({
        "uid": "",
        "kind": {"group": group, "version": version, "kind": text(object, "/kind")},
        "resource": {"group": "", "version": "", "resource": ""},
        "operation": "",
        "userInfo": {},
        "object": object,
        "oldObject": null,
        "options": null,
        "namespaceObject": {},
    });
    for (key, ptr) in [
        ("name", "/metadata/name"),
        ("namespace", "/metadata/namespace"),
    ] {
        if !text(object, ptr).is_empty() {
            r[key] = json!(text(object, ptr));
        }
    }
    r
}

/// Gatekeeper's namespace glob: `*` at the start, the end or both.
fn glob(pattern: &str, value: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), Some(_)) if pattern.len() > 1 => value.contains(&rest[..rest.len() - 1]),
        (Some(rest), _) => value.ends_with(rest),
        (_, Some(rest)) => value.starts_with(rest),
        _ => pattern == value,
    }
}

/// The constraint's `match` against the reviewed object (kinds, namespaces,
/// excludedNamespaces: all these suites use).
fn constraint_matches(constraint: &Json, review: &Json) -> bool {
    let object = match review.get("object").filter(|o| !o.is_null()) {
        Some(o) => o,
        None => return false,
    };
    let (group, _) = vap::split_api_version(text(object, "/apiVersion"));
    let kind = text(object, "/kind");
    let m = constraint
        .pointer("/spec/match")
        .cloned()
        .unwrap_or(Json::Null);
    let listed = |list: Option<&Json>, v: &str| {
        list.and_then(Json::as_array).is_none_or(|l| {
            l.is_empty()
                || l.iter()
                    .any(|x| x.as_str() == Some("*") || x.as_str() == Some(v))
        })
    };
    if let Some(kinds) = m.get("kinds").and_then(Json::as_array)
        && !kinds
            .iter()
            .any(|k| listed(k.get("apiGroups"), &group) && listed(k.get("kinds"), kind))
    {
        return false;
    }
    let ns = if kind == "Namespace" {
        text(object, "/metadata/name")
    } else {
        text(object, "/metadata/namespace")
    };
    if !ns.is_empty() {
        let any = |key: &str| {
            m.get(key)
                .and_then(Json::as_array)
                .map(|l| l.iter().filter_map(Json::as_str).any(|p| glob(p, ns)))
        };
        if any("namespaces") == Some(false) || any("excludedNamespaces") == Some(true) {
            return false;
        }
    }
    true
}

/// `violations: yes|no|N` (YAML 1.1 reads yes/no as booleans).
fn assertion_holds(assertion: &Node, messages: &[String]) -> bool {
    let count = match assertion.get("message").and_then(Node::as_str) {
        Some(pattern) => {
            let re = regex::Regex::new(pattern).expect("assertion regex compiles");
            messages.iter().filter(|m| re.is_match(m)).count()
        }
        None => messages.len(),
    };
    match assertion.get("violations").map(|v| &v.value) {
        None => count >= 1,
        Some(palisade_core::Value::Bool(true)) => count >= 1,
        Some(palisade_core::Value::Bool(false)) => count == 0,
        Some(palisade_core::Value::String(s)) if s == "yes" => count >= 1,
        Some(palisade_core::Value::String(s)) if s == "no" => count == 0,
        Some(palisade_core::Value::Int(n)) => count as i64 == *n,
        other => panic!("unexpected violations value {other:?}"),
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    via_driver: usize,
    via_vap: usize,
    differences: Vec<String>,
}

#[test]
fn gatekeeper_library_cel_suites() {
    let Some(root) = library() else { return };
    let mut templates: Vec<PathBuf> = Vec::new();
    for category in ["general", "pod-security-policy"] {
        let dir = root.join("library").join(category);
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("library category")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        templates.extend(entries);
    }
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for dir in templates {
        let template = load_one(&dir.join("template.yaml"));
        let Some(source) = NativeSource::from_template(&template).expect("template parses") else {
            continue;
        };
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let tally = tallies.entry(name.clone()).or_default();
        let suite = load_one(&dir.join("suite.yaml"));
        for test in suite.get("tests").into_iter().flat_map(Node::items) {
            let constraint_path = test
                .get("constraint")
                .and_then(Node::as_str)
                .expect("constraint");
            let constraint = load_one(&dir.join(constraint_path));
            let constraint_json = constraint.to_json();
            let generated = GeneratedVap::new(&source, &constraint, &VapOptions::default())
                .expect("generated policy and binding parse");
            for case in test.get("cases").into_iter().flat_map(Node::items) {
                let case_name = case.get("name").and_then(Node::as_str).unwrap_or("?");
                let object_path = case.get("object").and_then(Node::as_str).expect("object");
                let object = load_one(&dir.join(object_path)).to_json();
                let review = review_of(&object);
                tally.cases += 1;

                // (a) The k8scel driver, after the constraint's match.
                let via_driver: Vec<String> = if constraint_matches(&constraint_json, &review) {
                    gatekeeper::evaluate(&source, &review, &constraint_json, None)
                } else {
                    Vec::new()
                };
                // (b) The generated policy and binding, as the API server
                // evaluates them: a bare object is a CREATE.
                let outcome = generated.evaluate(&review, &[]);
                let via_vap: Vec<String> =
                    outcome.failures.iter().map(|f| f.message.clone()).collect();

                let assertions: Vec<&Node> = case
                    .get("assertions")
                    .into_iter()
                    .flat_map(Node::items)
                    .collect();
                let ok_a = assertions.iter().all(|a| assertion_holds(a, &via_driver));
                let ok_b = assertions.iter().all(|a| assertion_holds(a, &via_vap));
                tally.via_driver += usize::from(ok_a);
                tally.via_vap += usize::from(ok_b);
                let test_name = test.get("name").and_then(Node::as_str).unwrap_or("?");
                if std::env::var_os("PALISADE_SHOW_RESULTS").is_some() {
                    eprintln!("{name}/{test_name}/{case_name}: a={via_driver:?} b={via_vap:?}");
                }
                // cel-go evaluates every case of these suites without an
                // error; an error text standing in for a violation would
                // satisfy `violations: yes` by accident.
                for m in via_driver.iter().chain(&via_vap) {
                    if m.contains("resulted in error") {
                        tally.differences.push(format!(
                            "{name} / {test_name} / {case_name}: evaluation error: {m}"
                        ));
                    }
                }
                if !ok_a {
                    tally.differences.push(format!(
                        "(a) {name} / {test_name} / {case_name}: got {via_driver:?}"
                    ));
                }
                if !ok_b {
                    tally.differences.push(format!(
                        "(b) {name} / {test_name} / {case_name}: got {via_vap:?}"
                    ));
                }
            }
        }
    }
    let (mut cases, mut a, mut b) = (0, 0, 0);
    for (name, t) in &tallies {
        eprintln!(
            "{name:<28} cases {:>3}  driver {:>3}  vap {:>3}",
            t.cases, t.via_driver, t.via_vap
        );
        for d in &t.differences {
            eprintln!("    {d}");
        }
        cases += t.cases;
        a += t.via_driver;
        b += t.via_vap;
    }
    eprintln!(
        "{} templates, {cases} cases: driver {a}, vap {b}",
        tallies.len()
    );
    assert_eq!(tallies.len(), 16, "templates with K8sNativeValidation");
    assert_eq!(cases, 131, "cases in the 16 suites");
    let differences: Vec<&String> = tallies.values().flat_map(|t| &t.differences).collect();
    assert!(differences.is_empty(), "{differences:#?}");
}
