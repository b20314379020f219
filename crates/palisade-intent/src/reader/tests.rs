//! The reader: what a well-formed file yields, and each error with its file,
//! line and column.

use std::path::Path;

use super::read;
use crate::model::{Check, EndpointSpec, Operation, Subject, Target};

const HEAD: &str = "apiVersion: palisade.dev/v1alpha1\nkind: SecurityExpectations\nexpectations:\n";

fn read_text(body: &str) -> Result<crate::model::Expectations, String> {
    read(
        "exp.yaml",
        format!("{HEAD}{body}").as_bytes(),
        Path::new("."),
    )
    .map_err(|e| e.to_string())
}

fn error_of(body: &str) -> String {
    match read_text(body) {
        Ok(_) => panic!("{body} was accepted"),
        Err(e) => e,
    }
}

#[test]
fn every_kind_reads_into_its_check() {
    let file = read_text(concat!(
        "  - name: a\n    can: {user: alice, groups: [dev], verb: get, resource: pods/log, namespace: staging}\n",
        "  - cannot: {serviceAccount: prod/deployer, verb: get, nonResourceURL: /metrics}\n",
        "  - only: {groups: [dev], rules: [{namespace: staging, verbs: [get], resources: [pods]}]}\n",
        "  - reach: {from: ingress-controller, to: {namespace: production, labels: {app: web}}, port: 8080, protocol: UDP}\n",
        "  - isolated: {from: 10.0.0.0/8, to: 'shop/db[Deployment]'}\n",
        "  - rejected: {object: {apiVersion: v1, kind: Pod, metadata: {name: p}}, oldObject: {apiVersion: v1, kind: Pod, metadata: {name: p}}, namespace: dev, operation: UPDATE, by: pod-security, message: x}\n",
        "  - admitted: {object: {apiVersion: v1, kind: Pod, metadata: {name: q}}}\n",
    ))
    .expect("valid");
    let kinds: Vec<&str> = file.items.iter().map(|e| e.check.kind()).collect();
    assert_eq!(
        kinds,
        [
            "can", "cannot", "only", "reach", "isolated", "rejected", "admitted"
        ]
    );
    assert_eq!(file.items[0].name, "a");
    assert_eq!(file.items[0].at.origin(), "exp.yaml:4:5");
    match &file.items[0].check {
        Check::Access {
            question,
            expect_allowed: true,
        } => {
            assert_eq!(
                question.subject,
                Subject::User {
                    name: "alice".into(),
                    groups: vec!["dev".into()]
                }
            );
            assert_eq!(
                question.target,
                Target::Resource {
                    resource: "pods/log".into(),
                    namespace: Some("staging".into()),
                    name: None
                }
            );
        }
        other => panic!("{other:?}"),
    }
    match &file.items[1].check {
        Check::Access {
            question,
            expect_allowed: false,
        } => {
            assert_eq!(
                question.subject,
                Subject::ServiceAccount {
                    namespace: "prod".into(),
                    name: "deployer".into()
                }
            );
            assert_eq!(
                question.target,
                Target::NonResource {
                    url: "/metrics".into()
                }
            );
        }
        other => panic!("{other:?}"),
    }
    match &file.items[3].check {
        Check::Network {
            flow,
            expect_reach: true,
        } => {
            assert_eq!(flow.from, EndpointSpec::IngressController);
            assert!(
                matches!(&flow.to, EndpointSpec::Hypothetical { namespace, labels } if namespace == "production" && labels.len() == 1)
            );
            assert_eq!(flow.port, Some((palisade_netpol::Protocol::Udp, 8080)));
        }
        other => panic!("{other:?}"),
    }
    match &file.items[4].check {
        Check::Network { flow, .. } => {
            assert_eq!(flow.from, EndpointSpec::External("10.0.0.0/8".into()));
            assert_eq!(
                flow.to,
                EndpointSpec::Workload("shop/db[Deployment]".into())
            );
        }
        other => panic!("{other:?}"),
    }
    match &file.items[5].check {
        Check::Admission {
            case,
            expect_admitted: false,
        } => {
            assert_eq!(case.operation, Operation::Update);
            assert!(case.old_object.is_some());
            assert_eq!(case.by.as_deref(), Some("pod-security"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_name_is_derived_from_the_check() {
    let file =
        read_text("  - cannot: {groups: [dev], verb: create, resource: pods, namespace: prod}\n")
            .expect("valid");
    assert_eq!(file.items[0].name, "group dev cannot create pods in prod");
}

#[test]
fn unknown_fields_are_errors_at_their_key() {
    assert_eq!(
        error_of("  - can: {user: a, verb: get, resource: pods, namespce: x}\n"),
        "exp.yaml:4:47: can: unknown field \"namespce\" (known: user, groups, serviceAccount, verb, resource, namespace, name, nonResourceURL)"
    );
    assert!(
        error_of("  - nme: x\n    can: {verb: get, resource: pods}\n")
            .starts_with("exp.yaml:4:5: an expectation: unknown field \"nme\"")
    );
    let top = read(
        "exp.yaml",
        format!("{HEAD}  []\nextra: 1\n").as_bytes(),
        Path::new("."),
    )
    .map_err(|e| e.to_string());
    assert!(
        matches!(top, Err(e) if e.starts_with("exp.yaml:5:1: the expectations file: unknown field \"extra\""))
    );
}

#[test]
fn by_and_message_belong_to_rejected() {
    let error = error_of("  - admitted: {object: {apiVersion: v1, kind: Pod}, by: pod-security}\n");
    assert!(
        error.starts_with("exp.yaml:4:53: admitted: unknown field \"by\""),
        "{error}"
    );
}

#[test]
fn unknown_endpoints_are_errors_at_the_endpoint() {
    let error = error_of("  - reach: {from: web, to: 10.0.0.1}\n");
    assert!(
        error.starts_with("exp.yaml:4:19: unknown endpoint \"web\""),
        "{error}"
    );
    let error = error_of("  - reach: {from: 10.0.0.300/8, to: a/b}\n");
    assert!(
        error.starts_with("exp.yaml:4:19: \"10.0.0.300/8\" is not an address or CIDR"),
        "{error}"
    );
    let error = error_of("  - reach: {from: {namespace: a, labels: {app: 1}}, to: a/b}\n");
    assert!(
        error.starts_with("exp.yaml:4:48: labels.app: must be a string"),
        "{error}"
    );
}

#[test]
fn shapes_and_types_are_checked() {
    for (body, expected) in [
        ("  - {}\n", "exp.yaml:4:5: an expectation needs one of can"),
        (
            "  - can: {verb: get, resource: pods}\n    cannot: {verb: get, resource: pods}\n",
            "exp.yaml:5:13: an expectation has one check: cannot",
        ),
        (
            "  - can: {verb: get}\n",
            "exp.yaml:4:10: can: give either resource or nonResourceURL",
        ),
        (
            "  - can: {resource: pods}\n",
            "exp.yaml:4:10: can: verb is required",
        ),
        (
            "  - can: {verb: [get], resource: pods}\n",
            "exp.yaml:4:17: can.verb must be a string, not",
        ),
        (
            "  - can: {serviceAccount: nobody, verb: get, resource: pods}\n",
            "exp.yaml:4:27: serviceAccount \"nobody\" is not NAMESPACE/NAME",
        ),
        (
            "  - can: {user: a, serviceAccount: a/b, verb: get, resource: pods}\n",
            "exp.yaml:4:36: serviceAccount replaces user and groups",
        ),
        (
            "  - reach: {from: a/b, to: c/d, port: 70000}\n",
            "exp.yaml:4:39: port must be a number from 1 to 65535",
        ),
        (
            "  - reach: {from: a/b, to: c/d, protocol: TCP}\n",
            "exp.yaml:4:43: reach.protocol needs a port",
        ),
        (
            "  - only: {groups: [g], rules: [{verbs: [get]}]}\n",
            "exp.yaml:4:33: a rule of only needs either resources or nonResourceURLs",
        ),
        (
            "  - rejected: {object: {kind: Pod}, operation: DELETE}\n",
            "exp.yaml:4:48: operation must be CREATE or UPDATE",
        ),
        (
            "  - rejected: {object: {kind: Pod}, operation: UPDATE}\n",
            "exp.yaml:4:15: rejected: operation UPDATE needs oldObject, the object before the update",
        ),
        (
            "  - admitted: {object: {kind: Pod}, oldObject: {kind: Pod}}\n",
            "exp.yaml:4:48: admitted.oldObject is only for operation UPDATE",
        ),
        (
            "  - rejected: {file: does-not-exist.yaml}\n",
            "exp.yaml:4:22: file ./does-not-exist.yaml: no such file",
        ),
    ] {
        let error = error_of(body);
        assert!(error.starts_with(expected), "{body}: {error}");
    }
}

#[test]
fn the_document_must_be_an_expectations_file() {
    let wrong = read(
        "exp.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nexpectations: []\n",
        Path::new("."),
    );
    assert!(
        matches!(wrong, Err(e) if e.to_string().starts_with("exp.yaml:1:1: expected apiVersion palisade.dev/v1alpha1"))
    );
    let broken = read(
        "exp.yaml",
        b"apiVersion: palisade.dev/v1alpha1\nkind: [\n",
        Path::new("."),
    );
    assert!(
        matches!(broken, Err(e) if e.to_string().starts_with("exp.yaml:")),
        "YAML errors carry the file"
    );
    let two = read(
        "exp.yaml",
        format!("{HEAD}  []\n---\n{HEAD}  []\n").as_bytes(),
        Path::new("."),
    );
    assert!(
        matches!(two, Err(e) if e.to_string().contains("one SecurityExpectations document per file"))
    );
}
