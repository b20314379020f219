//! The shipped bootstrap policy (`palisade_rbac::bootstrap`) compared with the
//! upstream golden copies in `../shared/conformance/rbac/bootstrap/*.yaml`,
//! read at test time (never copied into the repo). Roles are compared by
//! name with rules as sets (list fields as sets), labels and aggregation
//! selectors; bindings by roleRef and subjects as sets.
//!
//! Skipped with a message when the shared copy is absent, unless
//! `PALISADE_REQUIRE_CONFORMANCE=1`. The only differences allowed are the
//! ones `NOTICE.md` there documents (`ALLOWED`) and roles whose rules changed
//! upstream between the shared copy's commits and the facts our table follows
//! (`VERSION_SKEW`, each with what changed). Anything else fails, and so does a
//! `VERSION_SKEW` entry that no longer differs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use palisade_rbac::bootstrap;
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/rbac/bootstrap")
}

fn read_items(file: &str) -> Vec<Value> {
    let path = dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let options = serde_saphyr::options! { strict_booleans: true };
    let doc: Value = serde_saphyr::from_str_with_options(&text, options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc.get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn set(v: Option<&Value>) -> BTreeSet<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

type RuleKey = [BTreeSet<String>; 5];

fn rule_key(rule: &Value) -> RuleKey {
    [
        set(rule.get("verbs")),
        set(rule.get("apiGroups")),
        set(rule.get("resources")),
        set(rule.get("resourceNames")),
        set(rule.get("nonResourceURLs")),
    ]
}

#[derive(Debug, PartialEq)]
struct RoleView {
    labels: BTreeMap<String, String>,
    aggregation: BTreeSet<BTreeMap<String, String>>,
    rules: BTreeSet<RuleKey>,
}

fn key(item: &Value) -> String {
    let ns = item
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = item
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if ns.is_empty() {
        name.to_owned()
    } else {
        format!("{ns}/{name}")
    }
}

fn roles(items: &[Value]) -> BTreeMap<String, RoleView> {
    items
        .iter()
        .map(|item| {
            let aggregation = item
                .pointer("/aggregationRule/clusterRoleSelectors")
                .and_then(Value::as_array)
                .map(|s| {
                    s.iter()
                        .map(|sel| string_map(sel.get("matchLabels")))
                        .collect()
                })
                .unwrap_or_default();
            let rules = item
                .get("rules")
                .and_then(Value::as_array)
                .map(|r| r.iter().map(rule_key).collect())
                .unwrap_or_default();
            let view = RoleView {
                labels: string_map(item.pointer("/metadata/labels")),
                aggregation,
                rules,
            };
            (key(item), view)
        })
        .collect()
}

type Subject = (String, String, String);

#[derive(Debug, PartialEq)]
struct BindingView {
    role_ref: (String, String),
    subjects: BTreeSet<Subject>,
}

fn bindings(items: &[Value]) -> BTreeMap<String, BindingView> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    items
        .iter()
        .map(|item| {
            let role_ref = item.get("roleRef").cloned().unwrap_or(Value::Null);
            let subjects = item
                .get("subjects")
                .and_then(Value::as_array)
                .map(|s| {
                    s.iter()
                        .map(|s| (text(s, "kind"), text(s, "name"), text(s, "namespace")))
                        .collect()
                })
                .unwrap_or_default();
            let view = BindingView {
                role_ref: (text(&role_ref, "kind"), text(&role_ref, "name")),
                subjects,
            };
            (key(item), view)
        })
        .collect()
}

/// Differences NOTICE.md documents. (file, object key, what):
/// "extra" = only in our table, "missing" = only in the shared copy,
/// "extra-rules" = our role has these additional rules (all in the named API group).
const ALLOWED: &[(&str, &str, &str)] = &[
    // Gap 1: cluster-role-bindings.yaml is older than current upstream, which
    // also binds these two.
    (
        "cluster-role-bindings.yaml",
        "system:service-account-issuer-discovery",
        "extra",
    ),
    ("cluster-role-bindings.yaml", "system:monitoring", "extra"),
    // Gap 2: the controller-role-bindings.yaml commit predates
    // device-taint-eviction-controller and has a podcheckpoint-controller
    // binding that upstream's controller_policy.go does not create.
    (
        "controller-role-bindings.yaml",
        "system:controller:device-taint-eviction-controller",
        "extra",
    ),
    (
        "controller-role-bindings.yaml",
        "system:controller:podcheckpoint-controller",
        "missing",
    ),
    // Gap 3: feature-gated rules. DynamicResourceAllocation is GA and on by
    // default now; the cluster-roles.yaml copy predates that, so our
    // aggregate-to-edit/view also cover resource.k8s.io claims.
    (
        "cluster-roles.yaml",
        "system:aggregate-to-edit",
        "extra-rules:resource.k8s.io",
    ),
    (
        "cluster-roles.yaml",
        "system:aggregate-to-view",
        "extra-rules:resource.k8s.io",
    ),
];

/// Roles whose rules differ between our table (current upstream facts, see the
/// header of `src/bootstrap.rs`) and the shared copy, which was taken from older
/// upstream commits, one per file. Each entry says what changed upstream. The test
/// fails on any other difference, and on an entry here that no longer differs.
const VERSION_SKEW: &[(&str, &str, &str)] = &[
    (
        "cluster-roles.yaml",
        "system:aggregate-to-edit",
        "events get their own rule covering \"\" and events.k8s.io",
    ),
    (
        "cluster-roles.yaml",
        "system:aggregate-to-view",
        "events get their own rule covering \"\" and events.k8s.io",
    ),
    (
        "cluster-roles.yaml",
        "system:node",
        "events split; DRA resourceclaims/resourceslices rules; serviceaccounts get",
    ),
    (
        "cluster-roles.yaml",
        "system:kube-scheduler",
        "leasecandidates, DRA rules, volumeattachments; list/watch on its lease",
    ),
    (
        "cluster-roles.yaml",
        "system:monitoring",
        "nodes/metrics added",
    ),
    (
        "cluster-roles.yaml",
        "system:kubelet-api-admin",
        "nodes/pods, nodes/healthz, nodes/configz added (fine-grained kubelet authz)",
    ),
    (
        "cluster-roles.yaml",
        "system:node-proxier",
        "servicecidrs added (MultiCIDRServiceAllocator)",
    ),
    (
        "cluster-roles.yaml",
        "system:service-account-issuer-discovery",
        "the two discovery URLs also with a trailing slash",
    ),
    (
        "controller-roles.yaml",
        "system:controller:node-controller",
        "read access to leases added",
    ),
    (
        "controller-roles.yaml",
        "system:controller:resource-claim-controller",
        "the shared copy is newer: resourceclaims/binding needs a gate our table leaves off",
    ),
    (
        "namespace-roles.yaml",
        "kube-system/system::leader-locking-kube-controller-manager",
        "the shared copy is newer: leases and leasecandidates instead of configmap locking",
    ),
    (
        "namespace-roles.yaml",
        "kube-system/system::leader-locking-kube-scheduler",
        "the shared copy is newer: leases and leasecandidates instead of configmap locking",
    ),
];

fn allowed(file: &str, key: &str, what: &str) -> bool {
    ALLOWED.contains(&(file, key, what))
}

fn skewed(file: &str, name: &str) -> bool {
    VERSION_SKEW
        .iter()
        .any(|(f, n, _)| *f == file && *n == name)
}

fn compare_roles(
    file: &str,
    ours: Vec<Value>,
    failures: &mut Vec<String>,
    skew_seen: &mut Vec<String>,
) -> usize {
    let theirs = roles(&read_items(file));
    let ours = roles(&ours);
    let mut matched = 0;
    for name in theirs.keys().filter(|n| !ours.contains_key(*n)) {
        if !allowed(file, name, "missing") {
            failures.push(format!("{file}: {name} missing from our table"));
        }
    }
    for (name, mine) in &ours {
        let Some(their) = theirs.get(name) else {
            if !allowed(file, name, "extra") {
                failures.push(format!("{file}: {name} only in our table"));
            }
            continue;
        };
        let mut ok = true;
        if mine.labels != their.labels {
            ok = false;
            failures.push(format!(
                "{file}: {name} labels {:?} != {:?}",
                mine.labels, their.labels
            ));
        }
        if mine.aggregation != their.aggregation {
            ok = false;
            failures.push(format!(
                "{file}: {name} aggregation {:?} != {:?}",
                mine.aggregation, their.aggregation
            ));
        }
        let extra: Vec<_> = mine.rules.difference(&their.rules).collect();
        let missing: Vec<_> = their.rules.difference(&mine.rules).collect();
        let extra_allowed = !extra.is_empty()
            && extra.iter().all(|r| {
                r[1].iter()
                    .all(|g| allowed(file, name, &format!("extra-rules:{g}")))
            });
        if !missing.is_empty() || (!extra.is_empty() && !extra_allowed) {
            ok = false;
            if skewed(file, name) {
                skew_seen.push(format!("{file}/{name}"));
                continue;
            }
            failures.push(format!(
                "{file}: {name} rules differ\n  only ours: {extra:?}\n  only theirs: {missing:?}"
            ));
        }
        if ok {
            matched += 1;
        }
    }
    println!(
        "{file}: {matched} of {} roles match ({} in the shared copy)",
        ours.len(),
        theirs.len()
    );
    matched
}

fn compare_bindings(file: &str, ours: Vec<Value>, failures: &mut Vec<String>) -> usize {
    let theirs = bindings(&read_items(file));
    let ours = bindings(&ours);
    let mut matched = 0;
    for name in theirs.keys().filter(|n| !ours.contains_key(*n)) {
        if !allowed(file, name, "missing") {
            failures.push(format!("{file}: {name} missing from our table"));
        }
    }
    for (name, mine) in &ours {
        match theirs.get(name) {
            None if allowed(file, name, "extra") => {}
            None => failures.push(format!("{file}: {name} only in our table")),
            Some(their) if their == mine => matched += 1,
            Some(their) => failures.push(format!("{file}: {name} {mine:?} != {their:?}")),
        }
    }
    println!(
        "{file}: {matched} of {} bindings match ({} in the shared copy)",
        ours.len(),
        theirs.len()
    );
    matched
}

#[test]
fn bootstrap_table_matches_upstream_golden_data() {
    if palisade_core::shared_data::shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/rbac",
        "bootstrap",
    )
    .is_none()
    {
        return;
    }
    let mut failures = Vec::new();
    let mut skew_seen = Vec::new();
    compare_roles(
        "cluster-roles.yaml",
        bootstrap::cluster_roles_json(),
        &mut failures,
        &mut skew_seen,
    );
    compare_bindings(
        "cluster-role-bindings.yaml",
        bootstrap::cluster_role_bindings_json(),
        &mut failures,
    );
    compare_roles(
        "controller-roles.yaml",
        bootstrap::controller_roles_json(),
        &mut failures,
        &mut skew_seen,
    );
    compare_bindings(
        "controller-role-bindings.yaml",
        bootstrap::controller_role_bindings_json(),
        &mut failures,
    );
    compare_roles(
        "namespace-roles.yaml",
        bootstrap::namespace_roles_json(),
        &mut failures,
        &mut skew_seen,
    );
    compare_bindings(
        "namespace-role-bindings.yaml",
        bootstrap::namespace_role_bindings_json(),
        &mut failures,
    );
    for (file, name, why) in VERSION_SKEW {
        if !skew_seen.contains(&format!("{file}/{name}")) {
            failures.push(format!(
                "{file}: {name} no longer differs ({why}): remove it from VERSION_SKEW"
            ));
        }
    }
    println!(
        "version skew with the shared copy, by design: {} roles",
        skew_seen.len()
    );
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
