//! The machine formats against their published definitions: SARIF output
//! against the SARIF 2.1.0 JSON schema, PolicyReports against the v1alpha2
//! `openAPIV3Schema` of the Policy WG's CRDs (including that no field is one
//! the CRD does not declare, which the API server would silently prune), and
//! JUnit XML read back by an XML parser. The schemas are the copies in the
//! shared data (`schemas/`, see its README for provenance and licenses).

use std::path::PathBuf;
use std::sync::Arc;

use palisade_core::{Enforcement, Finding, ObjectRef, Pos, Rule, Severity, SourceRef};
use palisade_report::policy_report::Timestamp;
use palisade_report::{FailOn, Report, junit, policy_report, sarif};
use quick_xml::events::Event;
use serde_json::Value;

static PRIVILEGED: Rule = palisade_core::rule! {
    /// Containers must not run privileged.
    ///
    /// ## What it flags
    /// A container with `securityContext.privileged: true`.
    ///
    /// ## Why it matters
    /// A privileged container is root on the node.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext: {privileged: true}
    /// ```
    ///
    /// ## How to fix
    /// Remove `privileged` or set it to false.
    id: "demo/privileged",
    title: "Privileged containers",
    severity: Severity::High,
};

static DUPLICATE: Rule = palisade_core::rule! {
    /// A key written twice.
    id: "demo/duplicate-key",
    title: "Duplicate keys",
    severity: Severity::Info,
};

static QUIET: Rule = palisade_core::rule! {
    /// Nothing in the input triggers it.
    id: "demo/quiet",
    title: "A rule that finds nothing",
    severity: Severity::Medium,
};

fn rules() -> Vec<&'static Rule> {
    vec![&DUPLICATE, &PRIVILEGED, &QUIET]
}

fn at(file: &str, line: u32, column: u32) -> SourceRef {
    SourceRef {
        file: Arc::from(file),
        pos: Pos::new(line, column),
    }
}

fn object(kind: &str, namespace: Option<&str>, name: &str) -> Option<ObjectRef> {
    Some(ObjectRef {
        api_version: "apps/v1".into(),
        kind: kind.into(),
        namespace: namespace.map(Into::into),
        name: name.into(),
    })
}

/// Findings in every shape: located and not, namespaced, cluster-scoped and
/// about no object, hostile characters in names and messages, repeats.
fn report() -> Report {
    let mut enforced = Finding::new(
        "demo/privileged",
        Severity::Critical,
        "container \"web\" must not set securityContext.privileged=true",
        &at("deploy/shop app.yaml", 12, 9),
        object("Deployment", Some("shop"), "web"),
    )
    .with_remediation("set privileged: false");
    enforced.enforcement = Some(Enforcement {
        policy: "restricted:latest".into(),
        by: "the namespace enforces PodSecurity \"restricted:latest\"".into(),
    });
    let findings = vec![
        enforced,
        Finding::new(
            "demo/privileged",
            Severity::High,
            "container \"<sidecar>\" & \"x\u{1}\" is privileged",
            &at("deploy/shop app.yaml", 30, 9),
            object("Deployment", Some("shop"), "web"),
        ),
        Finding::new(
            "demo/privileged",
            Severity::Low,
            "privileged in another namespace",
            &at("other.yaml", 3, 1),
            object("DaemonSet", Some("yes"), "agent"),
        ),
        Finding::new(
            "demo/duplicate-key",
            Severity::Info,
            "key \"a\" is written twice",
            &at("<stdin>", 4, 1),
            None,
        ),
        Finding::new(
            "demo/duplicate-key",
            Severity::Info,
            "key \"a\" is written twice",
            &at("<stdin>", 9, 1),
            None,
        ),
        Finding::unlocated(
            "demo/privileged",
            Severity::Medium,
            "a cluster-wide fact",
            object("ClusterRole", None, "admin"),
        ),
        Finding::unlocated("demo/unlisted", Severity::Low, "from no listed rule", None),
    ];
    Report::new(findings, 3, 4, Vec::new(), FailOn::At(Severity::High))
}

fn schema_dir() -> Option<PathBuf> {
    palisade_core::shared_data::shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "schemas",
        "sarif-schema-2.1.0.json",
    )
}

fn read_json(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sarif_of(report: &Report) -> Value {
    let mut out = Vec::new();
    assert!(sarif::write(report, &rules(), &mut out).is_ok());
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("SARIF is JSON: {e}"))
}

fn validate(schema: &Value, instance: &Value, what: &str) {
    let validator = jsonschema::validator_for(schema)
        .unwrap_or_else(|e| panic!("the {what} schema compiles: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let Some(dir) = schema_dir() else { return };
    let schema = read_json(dir.join("sarif-schema-2.1.0.json"));
    let log = sarif_of(&report());
    validate(&schema, &log, "SARIF 2.1.0");
    // The schema can fail: a result with a line 0 region is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    assert!(!validator.is_valid(&broken));
    // An empty report is valid too.
    let empty = Report::new(Vec::new(), 0, 0, Vec::new(), FailOn::Never);
    validate(&schema, &sarif_of(&empty), "empty SARIF");
}

#[test]
fn sarif_results_carry_rule_index_level_location_and_fingerprints() {
    let log = sarif_of(&report());
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["$schema"], sarif::SCHEMA_URI);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("rules: {run}"));
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["demo/duplicate-key", "demo/privileged", "demo/quiet"]);
    let privileged = &rules[1];
    assert_eq!(privileged["properties"]["security-severity"], "8.0");
    assert_eq!(privileged["defaultConfiguration"]["level"], "error");
    assert!(
        privileged["help"]["markdown"]
            .as_str()
            .is_some_and(|m| m.contains("## How to fix") && m.contains("privileged: true")),
        "{privileged}"
    );
    assert_eq!(
        privileged["shortDescription"]["text"],
        "Privileged containers"
    );
    assert!(rules[0]["properties"].get("security-severity").is_none());

    let results = run["results"]
        .as_array()
        .unwrap_or_else(|| panic!("results: {run}"));
    assert_eq!(results.len(), 7);
    for result in results {
        let Some(index) = result["ruleIndex"].as_u64() else {
            assert_eq!(result["ruleId"], "demo/unlisted");
            continue;
        };
        let index = usize::try_from(index).unwrap_or(usize::MAX);
        assert_eq!(rules.get(index).map(|r| &r["id"]), Some(&result["ruleId"]));
    }
    let first = results
        .iter()
        .find(|r| r["properties"]["severity"] == "critical")
        .unwrap_or_else(|| panic!("{results:?}"));
    assert_eq!(first["level"], "error");
    let location = &first["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/shop%20app.yaml"
    );
    assert_eq!(location["physicalLocation"]["region"]["startLine"], 12);
    assert_eq!(location["physicalLocation"]["region"]["startColumn"], 9);
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "Deployment/shop/web"
    );
    assert_eq!(first["properties"]["enforcedBy"], "restricted:latest");

    // Every fingerprint is distinct, even for the repeated finding on stdin.
    let prints: Vec<&str> = results
        .iter()
        .filter_map(|r| r["partialFingerprints"][sarif::FINGERPRINT_KEY].as_str())
        .collect();
    assert_eq!(prints.len(), results.len());
    let mut unique = prints.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), prints.len(), "{prints:?}");
    let stdin: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "demo/duplicate-key")
        .collect();
    assert_eq!(
        stdin[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "%3Cstdin%3E"
    );
    assert_eq!(stdin[0]["level"], "note");

    // The cluster-wide fact has only a logical location.
    let unlocated = results
        .iter()
        .find(|r| r["message"]["text"] == "a cluster-wide fact")
        .unwrap_or_else(|| panic!("{results:?}"));
    assert!(unlocated["locations"][0].get("physicalLocation").is_none());
    assert_eq!(
        unlocated["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "ClusterRole/admin"
    );
}

/// The v1alpha2 `openAPIV3Schema` of a CRD file in the shared schemas.
fn crd_schema(dir: &std::path::Path, file: &str) -> Value {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let crd: Value =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let versions = crd["spec"]["versions"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no versions", path.display()));
    versions
        .iter()
        .find(|v| v["name"] == "v1alpha2")
        .map(|v| v["schema"]["openAPIV3Schema"].clone())
        .unwrap_or_else(|| panic!("{}: no v1alpha2", path.display()))
}

/// Paths of fields in `value` that `schema` does not declare: the API server
/// prunes them from a structural schema, so they would be lost.
fn undeclared(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            // `metadata` is `type: object` with no properties: ObjectMeta.
            if schema.get("properties").is_none() && schema.get("additionalProperties").is_none() {
                return;
            }
            for (key, field) in fields {
                let declared = schema["properties"]
                    .get(key)
                    .or_else(|| schema.get("additionalProperties"));
                match declared {
                    Some(inner) => undeclared(inner, field, &format!("{path}.{key}"), out),
                    None => out.push(format!("{path}.{key}")),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                undeclared(&schema["items"], item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn policy_reports(report: &Report) -> (String, Vec<Value>) {
    let mut out = Vec::new();
    let now = Timestamp {
        seconds: 1_700_000_000,
        nanos: 5,
    };
    assert!(policy_report::write(report, now, &mut out).is_ok());
    let yaml = String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"));
    let documents: Vec<Value> = serde_saphyr::from_multiple(&yaml)
        .unwrap_or_else(|e| panic!("the reports read back as YAML: {e}\n{yaml}"));
    (yaml, documents)
}

#[test]
fn policy_reports_are_accepted_by_the_v1alpha2_crds() {
    let Some(dir) = schema_dir() else { return };
    let namespaced = crd_schema(&dir, "wgpolicyk8s.io_policyreports.yaml");
    let cluster = crd_schema(&dir, "wgpolicyk8s.io_clusterpolicyreports.yaml");
    let (yaml, documents) = policy_reports(&report());
    assert_eq!(documents.len(), 3, "{yaml}");
    for document in &documents {
        let schema = if document["kind"] == "ClusterPolicyReport" {
            &cluster
        } else {
            &namespaced
        };
        validate(schema, document, "PolicyReport");
        let mut extra = Vec::new();
        undeclared(schema, document, "", &mut extra);
        assert!(extra.is_empty(), "fields the CRD would prune: {extra:?}");
    }
    // The check can fail: a misspelt field is caught.
    let mut misspelt = documents[0].clone();
    misspelt["results"][0]["severty"] = Value::from("high");
    let mut extra = Vec::new();
    undeclared(&namespaced, &misspelt, "", &mut extra);
    assert_eq!(extra, [".results[0].severty"]);
}

#[test]
fn policy_reports_split_by_namespace_and_count_fail_and_warn() {
    let (yaml, documents) = policy_reports(&report());
    let names: Vec<(&str, &str, &str)> = documents
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap_or(""),
                d["metadata"]["name"].as_str().unwrap_or(""),
                d["metadata"]["namespace"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("PolicyReport", "palisade-shop", "shop"),
            // A namespace named `yes` stays a string (YAML 1.1 would read a bool).
            ("PolicyReport", "palisade-yes", "yes"),
            ("ClusterPolicyReport", "palisade", "-"),
        ],
        "{yaml}"
    );
    for document in &documents {
        assert_eq!(document["apiVersion"], policy_report::API_VERSION);
        assert_eq!(
            document["metadata"]["labels"][policy_report::MANAGED_BY],
            "palisade"
        );
        let results = document["results"].as_array().map_or(0, Vec::len);
        let summary = &document["summary"];
        let counted: u64 = ["pass", "fail", "warn", "error", "skip"]
            .iter()
            .filter_map(|k| summary[*k].as_u64())
            .sum();
        assert_eq!(counted, results as u64, "{document}");
    }
    let shop = &documents[0];
    // --fail-on high: the critical and high findings fail, nothing warns.
    assert_eq!(shop["summary"]["fail"], 2);
    let first = &shop["results"][0];
    assert_eq!(first["policy"], "demo");
    assert_eq!(first["rule"], "demo/privileged");
    assert_eq!(first["result"], "fail");
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["source"], "palisade");
    assert_eq!(first["scored"], true);
    assert_eq!(first["timestamp"]["seconds"], 1_700_000_000);
    assert_eq!(first["timestamp"]["nanos"], 5);
    assert_eq!(first["resources"][0]["kind"], "Deployment");
    assert_eq!(first["resources"][0]["namespace"], "shop");
    assert_eq!(first["properties"]["line"], "12");
    assert_eq!(first["properties"]["enforcedBy"], "restricted:latest");
    // The low finding in `yes` is below --fail-on: a warning.
    assert_eq!(documents[1]["results"][0]["result"], "warn");
    assert_eq!(documents[1]["summary"]["warn"], 1);
    // The cluster report holds the namespace-less findings.
    let cluster = documents[2]["results"].as_array().map_or(0, Vec::len);
    assert_eq!(cluster, 4);
}

#[test]
fn an_empty_run_still_writes_the_cluster_report() {
    let empty = Report::new(Vec::new(), 0, 0, Vec::new(), FailOn::Never);
    let (yaml, documents) = policy_reports(&empty);
    assert_eq!(documents.len(), 1, "{yaml}");
    assert_eq!(documents[0]["kind"], "ClusterPolicyReport");
    assert_eq!(documents[0]["summary"]["fail"], 0);
}

/// An XML element read back: name, attributes, text, children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: std::collections::BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn attribute(&self, key: &str) -> &str {
        self.attributes.get(key).map_or("", String::as_str)
    }
}

fn element(start: &quick_xml::events::BytesStart) -> Element {
    let attributes = start
        .attributes()
        .map(|a| {
            let a = a.unwrap_or_else(|e| panic!("attribute: {e}"));
            let value = a
                .unescape_value()
                .unwrap_or_else(|e| panic!("attribute value: {e}"));
            (
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                value.into_owned(),
            )
        })
        .collect();
    Element {
        name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
        attributes,
        ..Element::default()
    }
}

/// Parses a whole XML document strictly (end tags must match), resolving
/// character and predefined entity references.
fn parse_xml(xml: &str) -> Element {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("JUnit output is XML: {e}\n{xml}"));
        match event {
            Event::Start(start) => stack.push(element(&start)),
            Event::Empty(start) => {
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(element(&start));
                }
            }
            Event::End(_) => {
                let done = stack.pop().unwrap_or_else(|| panic!("unbalanced\n{xml}"));
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(done);
                }
            }
            Event::Text(text) => {
                let text = text.decode().unwrap_or_else(|e| panic!("{e}"));
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = reference.decode().unwrap_or_else(|e| panic!("{e}"));
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .unwrap_or_else(|| panic!("unknown entity &{name};"))
                            .to_owned()
                    }
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements\n{xml}");
    let mut document = stack.pop().unwrap_or_default();
    assert_eq!(document.children.len(), 1, "one root element\n{xml}");
    document.children.pop().unwrap_or_default()
}

#[test]
fn junit_has_a_suite_per_rule_and_a_failing_case_per_object() {
    let mut out = Vec::new();
    assert!(junit::write(&report(), &rules(), &mut out).is_ok());
    let xml = String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"));
    let root = parse_xml(&xml);
    assert_eq!(root.name, "testsuites");
    let suites: Vec<&str> = root.children.iter().map(|s| s.attribute("name")).collect();
    // Every rule that ran, and the unlisted rule that reported, in id order.
    assert_eq!(
        suites,
        [
            "demo/duplicate-key",
            "demo/privileged",
            "demo/quiet",
            "demo/unlisted"
        ]
    );
    let mut tests = 0;
    let mut failures = 0;
    for suite in &root.children {
        assert_eq!(suite.name, "testsuite");
        let cases = &suite.children;
        assert_eq!(suite.attribute("tests"), cases.len().to_string());
        let failing = cases.iter().filter(|c| !c.children.is_empty()).count();
        assert_eq!(suite.attribute("failures"), failing.to_string());
        tests += cases.len();
        failures += failing;
        for case in cases {
            assert_eq!(case.name, "testcase");
            assert_eq!(case.attribute("classname"), suite.attribute("name"));
        }
    }
    assert_eq!(root.attribute("tests"), tests.to_string());
    assert_eq!(root.attribute("failures"), failures.to_string());

    // The rule that found nothing passes once.
    let quiet = &root.children[2];
    assert_eq!(quiet.children.len(), 1);
    assert_eq!(quiet.children[0].attribute("name"), junit::ALL_OBJECTS);
    assert!(quiet.children[0].children.is_empty());

    // demo/privileged: the Deployment's two findings are one case; markup in
    // the message survives escaping, the control character is replaced.
    let privileged = &root.children[1];
    let names: Vec<&str> = privileged
        .children
        .iter()
        .map(|c| c.attribute("name"))
        .collect();
    assert_eq!(
        names,
        [
            "Deployment shop/web",
            "DaemonSet yes/agent",
            "ClusterRole admin"
        ]
    );
    let web = &privileged.children[0];
    assert_eq!(web.attribute("file"), "deploy/shop app.yaml");
    let failure = &web.children[0];
    assert_eq!(failure.name, "failure");
    assert_eq!(failure.attribute("type"), "critical");
    assert!(
        failure.attribute("message").starts_with("2 findings"),
        "{xml}"
    );
    assert!(
        failure
            .text
            .contains("deploy/shop app.yaml:12:9: critical: container \"web\""),
        "{}",
        failure.text
    );
    assert!(failure.text.contains("fix: set privileged: false"));
    assert!(
        failure
            .text
            .contains("container \"<sidecar>\" & \"x\u{fffd}\" is privileged"),
        "{}",
        failure.text
    );
    // Findings about a file as a whole are a case named by the file.
    let duplicate = &root.children[0];
    assert_eq!(duplicate.children.len(), 1);
    assert_eq!(duplicate.children[0].attribute("name"), "<stdin>");
    insta::assert_snapshot!("junit_demo", xml);
}
