//! RBAC engine at cluster scale, on a generated policy.
//!
//! Run: `cargo bench -p palisade-rbac --bench rbac_scale`
//! (options after `--`: `--roles N`, `--bindings N`, `--service-accounts N`,
//! `--crds N`, `--queries N`).
//!
//! Generates (deterministically) 10,000 roles, 50,000 bindings, 5,000
//! ServiceAccounts and 500 CRDs over 200 namespaces, as `palisade_core::Object`s,
//! then reports on one thread:
//! 1. build: objects -> resolved, aggregated, indexed `Policy`;
//! 2. `can-i` latency (mean and worst over random questions);
//! 3. `who-can` latency (mean and worst);
//! 4. `can-i --list` (rules for a subject in a namespace);
//! 5. `risks` over the whole policy;
//!
//! and the peak resident memory of the process (VmHWM).

use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade_core::{Node, Object, Pos, SourceRef};
use palisade_rbac::{Policy, Request, ResourceAttributes, RiskOptions, UserInfo, analyze};
use serde_json::{Value, json};

/// A small deterministic generator (no dependency, same input every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Sizes {
    roles: usize,
    bindings: usize,
    service_accounts: usize,
    crds: usize,
    queries: usize,
}

fn sizes() -> Sizes {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str, default: usize| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    Sizes {
        roles: value("--roles", 10_000),
        bindings: value("--bindings", 50_000),
        service_accounts: value("--service-accounts", 5_000),
        crds: value("--crds", 500),
        queries: value("--queries", 2_000),
    }
}

const NAMESPACES: usize = 200;
const BUILTIN: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "pods/log"),
    ("", "pods/exec"),
    ("", "services"),
    ("", "configmaps"),
    ("", "secrets"),
    ("", "serviceaccounts"),
    ("", "events"),
    ("", "persistentvolumeclaims"),
    ("apps", "deployments"),
    ("apps", "deployments/scale"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("networking.k8s.io", "ingresses"),
    ("networking.k8s.io", "networkpolicies"),
    ("rbac.authorization.k8s.io", "roles"),
    ("rbac.authorization.k8s.io", "rolebindings"),
    ("coordination.k8s.io", "leases"),
];
const VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

fn object(json: Value) -> Object {
    Object::new(
        Node::from_json(&json),
        SourceRef {
            file: Arc::from("generated.yaml"),
            pos: Pos::new(1, 1),
        },
    )
}

fn generate(s: &Sizes, rng: &mut Rng) -> Vec<Object> {
    let ns = |i: usize| format!("ns-{}", i % NAMESPACES);
    let crd_kinds: Vec<(String, String)> = (0..s.crds)
        .map(|i| (format!("g{}.example.com", i % 50), format!("widgets{i}")))
        .collect();
    let mut out = Vec::with_capacity(s.roles + s.bindings + s.service_accounts + s.crds);
    for (group, plural) in &crd_kinds {
        out.push(object(json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("{plural}.{group}")},
            "spec": {"group": group, "scope": "Namespaced", "names": {"plural": plural, "kind": "Widget"},
                     "versions": [{"name": "v1", "served": true, "storage": true}]}
        })));
    }
    for i in 0..s.service_accounts {
        out.push(object(json!({"apiVersion": "v1", "kind": "ServiceAccount",
                               "metadata": {"name": format!("sa-{i}"), "namespace": ns(i)}})));
    }
    let cluster_roles = s.roles / 5;
    let rule = |rng: &mut Rng| -> Value {
        // About 1 rule in 100 uses a wildcard resource, as real clusters do.
        let (group, resource) = match rng.below(100) {
            0 => ("*".to_owned(), "*".to_owned()),
            1..=30 if !crd_kinds.is_empty() => {
                let (g, p) = rng.pick(&crd_kinds);
                (g.clone(), p.clone())
            }
            _ => {
                let (g, r) = rng.pick(BUILTIN);
                ((*g).to_owned(), (*r).to_owned())
            }
        };
        let verbs: Vec<&str> = (0..1 + rng.below(4)).map(|_| *rng.pick(VERBS)).collect();
        let mut rule = json!({"apiGroups": [group], "resources": [resource], "verbs": verbs});
        if rng.below(20) == 0 {
            rule["resourceNames"] = json!([format!("obj-{}", rng.below(10))]);
        }
        rule
    };
    for i in 0..s.roles {
        let rules: Vec<Value> = (0..3 + rng.below(6)).map(|_| rule(rng)).collect();
        if i < cluster_roles {
            let mut role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                                  "metadata": {"name": format!("cr-{i}"), "labels": {"tier": format!("t{}", i % 20)}},
                                  "rules": rules});
            if i < 20 {
                role["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {"tier": format!("t{}", i + 1)}}]});
            }
            out.push(object(role));
        } else {
            out.push(object(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                                   "metadata": {"name": format!("role-{i}"), "namespace": ns(i)}, "rules": rules})));
        }
    }
    for i in 0..s.bindings {
        let subject = match rng.below(10) {
            0..=3 => json!({"kind": "User", "name": format!("user-{}", rng.below(2_000))}),
            4 => json!({"kind": "Group", "name": format!("group-{}", rng.below(200))}),
            _ => {
                let sa = rng.below(s.service_accounts.max(1));
                json!({"kind": "ServiceAccount", "name": format!("sa-{sa}"), "namespace": ns(sa)})
            }
        };
        if i % 10 == 0 {
            out.push(object(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": format!("crb-{i}")},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": format!("cr-{}", rng.below(cluster_roles.max(1)))},
                "subjects": [subject]})));
        } else {
            let namespace = rng.below(NAMESPACES);
            // Roles of namespace n are role-i with i % NAMESPACES == n.
            let role_ref = if rng.below(3) == 0 {
                json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": format!("cr-{}", rng.below(cluster_roles.max(1)))})
            } else {
                let k = (s.roles - cluster_roles) / NAMESPACES;
                let idx = cluster_roles + (rng.below(k.max(1)) * NAMESPACES) + namespace;
                let idx = idx - idx % NAMESPACES + namespace;
                json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": format!("role-{idx}")})
            };
            out.push(object(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": format!("rb-{i}"), "namespace": format!("ns-{namespace}")},
                "roleRef": role_ref, "subjects": [subject]}),
            ));
        }
    }
    out
}

fn random_request(rng: &mut Rng) -> Request {
    let (group, resource) = rng.pick(BUILTIN);
    let (resource, sub) = resource.split_once('/').unwrap_or((resource, ""));
    let namespace = if rng.below(10) == 0 {
        String::new()
    } else {
        format!("ns-{}", rng.below(NAMESPACES))
    };
    Request::Resource(
        ResourceAttributes::new(rng.pick::<&str>(VERBS), group, resource, &namespace)
            .with_subresource(sub)
            .with_name(if rng.below(2) == 0 { "" } else { "obj-1" }),
    )
}

fn random_user(rng: &mut Rng, s: &Sizes) -> UserInfo {
    if rng.below(2) == 0 {
        let sa = rng.below(s.service_accounts.max(1));
        UserInfo::service_account(&format!("ns-{}", sa % NAMESPACES), &format!("sa-{sa}"))
    } else {
        let group = format!("group-{}", rng.below(200));
        UserInfo::exact(
            &format!("user-{}", rng.below(2_000)),
            &[&group, "system:authenticated"],
        )
    }
}

fn stats(label: &str, times: &[Duration]) {
    let total: Duration = times.iter().sum();
    let mean = total / times.len().max(1) as u32;
    let worst = times.iter().max().copied().unwrap_or_default();
    println!(
        "{label:<14} mean {mean:>10.2?}   worst {worst:>10.2?}   ({} queries)",
        times.len()
    );
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let s = sizes();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let started = Instant::now();
    let objects = generate(&s, &mut rng);
    println!(
        "generated {} objects ({} roles, {} bindings, {} service accounts, {} CRDs) in {:.2?}",
        objects.len(),
        s.roles,
        s.bindings,
        s.service_accounts,
        s.crds,
        started.elapsed()
    );

    let started = Instant::now();
    let policy = Policy::from_objects(&objects);
    println!(
        "build          {:>10.2?}   (resolve, aggregate, index)",
        started.elapsed()
    );

    let questions: Vec<(UserInfo, Request)> = (0..s.queries)
        .map(|_| (random_user(&mut rng, &s), random_request(&mut rng)))
        .collect();
    let mut allowed = 0;
    let times: Vec<Duration> = questions
        .iter()
        .map(|(user, request)| {
            let t = Instant::now();
            allowed += usize::from(policy.can(user, request));
            t.elapsed()
        })
        .collect();
    stats("can-i", &times);
    println!("               {allowed} of {} allowed", questions.len());

    let mut answers = 0;
    let times: Vec<Duration> = questions
        .iter()
        .take(s.queries.min(500))
        .map(|(_, request)| {
            let t = Instant::now();
            answers += policy.who_can(request).len();
            t.elapsed()
        })
        .collect();
    stats("who-can", &times);
    println!("               {answers} subjects in all answers");

    let times: Vec<Duration> = questions
        .iter()
        .take(s.queries.min(500))
        .map(|(user, request)| {
            let t = Instant::now();
            std::hint::black_box(policy.rules_for(user, request.namespace()).len());
            t.elapsed()
        })
        .collect();
    stats("can-i --list", &times);

    let started = Instant::now();
    let findings = analyze(&policy, &RiskOptions::default());
    println!(
        "risks          {:>10.2?}   ({} findings)",
        started.elapsed(),
        findings.len()
    );

    if let Some(mb) = peak_rss_mb() {
        println!(
            "peak memory    {mb:.0} MB (VmHWM, whole process including the generated objects)"
        );
    }
}
