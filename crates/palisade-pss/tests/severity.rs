//! Severities follow the README's rule table at every level and version:
//! `privileged` critical; host namespaces, hostPath, added capabilities,
//! hostProcess, procMount and runAsUser=0 high; a missing restricted seccomp
//! profile low (an `Unconfined` one stays medium, as baseline rates it); the rest
//! medium. A restricted check that replaces a baseline one keeps baseline's
//! severity for what baseline forbids, so the level never lowers a severity.

use palisade_core::{Node, Severity};
use palisade_pss::{Level, LevelVersion, Version, evaluate};
use serde_json::{Value, json};

/// A pod that passes `restricted` at every version, with `container` merged
/// into its one container's securityContext and `spec` into its spec.
fn pod(security_context: Value, spec: Value) -> Node {
    let mut sc = json!({
        "allowPrivilegeEscalation": false,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": true,
        "seccompProfile": {"type": "RuntimeDefault"}
    });
    merge(&mut sc, security_context);
    let mut pod_spec = json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "app", "image": "app", "securityContext": sc}]
    });
    merge(&mut pod_spec, spec);
    Node::from_json(&pod_spec)
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(into), Value::Object(from)) = (into.as_object_mut(), from) {
        for (k, v) in from {
            into.insert(k, v);
        }
    }
}

/// Every (level, version) pair a user can ask for.
fn policies() -> impl Iterator<Item = LevelVersion> {
    [Level::Baseline, Level::Restricted]
        .into_iter()
        .flat_map(|level| {
            (0..=palisade_pss::LATEST_MINOR)
                .map(Version::Minor)
                .chain([Version::Latest])
                .map(move |version| LevelVersion { level, version })
        })
}

/// The severities reported for `spec` at `policy`, by check id.
fn severities(spec: &Node, policy: LevelVersion) -> Vec<(&'static str, Severity)> {
    evaluate(None, spec, policy)
        .into_iter()
        .map(|f| (f.id, f.severity))
        .collect()
}

/// Asserts that at every level and version where `spec` fails, it fails with
/// exactly `expected`, and that it fails somewhere at all.
fn assert_everywhere(name: &str, spec: &Node, expected: Severity) {
    let mut failed_somewhere = false;
    for policy in policies() {
        let found = severities(spec, policy);
        failed_somewhere |= !found.is_empty();
        for (id, severity) in found {
            assert_eq!(severity, expected, "{name}: {id} at {policy}");
        }
    }
    assert!(failed_somewhere, "{name} fails at some level");
}

#[test]
fn host_access_and_privilege_have_the_documented_severity_at_every_level() {
    let cases = [
        (
            "privileged",
            pod(json!({"privileged": true}), json!({})),
            Severity::Critical,
        ),
        (
            "hostPath volume",
            pod(
                json!({}),
                json!({"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}),
            ),
            Severity::High,
        ),
        (
            "added capability",
            pod(
                json!({"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}),
                json!({}),
            ),
            Severity::High,
        ),
        (
            "hostNetwork",
            pod(json!({}), json!({"hostNetwork": true})),
            Severity::High,
        ),
        (
            "hostProcess",
            pod(json!({"windowsOptions": {"hostProcess": true}}), json!({})),
            Severity::High,
        ),
        (
            "procMount",
            pod(json!({"procMount": "Unmasked"}), json!({})),
            Severity::High,
        ),
        (
            "runAsUser 0",
            pod(json!({"runAsUser": 0}), json!({})),
            Severity::High,
        ),
        (
            "Unconfined seccomp",
            pod(json!({"seccompProfile": {"type": "Unconfined"}}), json!({})),
            Severity::Medium,
        ),
        (
            "hostPort",
            pod(
                json!({}),
                json!({"containers": [{"name": "app", "image": "app",
            "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
            "ports": [{"containerPort": 80, "hostPort": 80}]}]}),
            ),
            Severity::Medium,
        ),
        (
            "nfs volume",
            pod(
                json!({}),
                json!({"volumes": [{"name": "n", "nfs": {"server": "s", "path": "/"}}]}),
            ),
            Severity::Medium,
        ),
    ];
    for (name, spec, expected) in &cases {
        assert_everywhere(name, spec, *expected);
    }
}

#[test]
fn what_only_restricted_asks_for_keeps_its_weaker_default() {
    let latest = LevelVersion {
        level: Level::Restricted,
        version: Version::Latest,
    };
    let no_seccomp = pod(
        json!({"seccompProfile": null}),
        json!({"securityContext": {"runAsNonRoot": true}}),
    );
    assert_eq!(
        severities(&no_seccomp, latest),
        [("seccompProfile_restricted", Severity::Low)]
    );
    let no_drop = pod(json!({"capabilities": null}), json!({}));
    assert_eq!(
        severities(&no_drop, latest),
        [("capabilities_restricted", Severity::Medium)]
    );
}
