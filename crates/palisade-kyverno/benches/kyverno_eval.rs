//! Kyverno policy evaluation speed.
//!
//! Run: `cargo bench -p palisade-kyverno --bench kyverno_eval`
//!
//! 1. A whole policy set against one Pod: every policy of the shared
//!    library's `pod-security` folder (baseline, restricted and the
//!    `podSecurity` subrule policies), then `pod-security-cel` (ClusterPolicy
//!    `cel` rules) and `pod-security-vpol` (ValidatingPolicy), each reviewing
//!    one ordinary Pod (two containers, a restricted security context) as a
//!    scan or the webhook does (`KyvernoSet::review`): median and p99 of one
//!    review on one thread.
//! 2. A scan of the shared corpus (`../shared/corpus`) with the
//!    `pod-security` set loaded, each object reviewed as the `kyverno`
//!    analyzer reviews it (as its CREATE): objects/s on one thread and with
//!    rayon over the objects.
//!
//! Both parts need `../shared`; without it the bench says so and exits.
//! `--per-policy` (after `--`) or `PALISADE_BENCH_PER_POLICY=1` also prints
//! each policy of part 1 timed alone, slowest first. `--only=<folder>` or
//! `--only=corpus` (for profiling) runs that one part and skips the rest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use palisade_core::{Inventory, Object};
use palisade_kyverno::Json;
use palisade_kyverno::analyzer::{cluster_objects, scanned_verdicts};
use palisade_kyverno::engine::{self, Admission, NoValues};
use palisade_kyverno::matching::RequestInfo;
use palisade_kyverno::policy::KyvernoPolicy;
use palisade_kyverno::policy_set::{KyvernoSet, ReviewRequest, is_kyverno_object};
use palisade_kyverno::test_file::read_documents;
use palisade_kyverno::vpol::ValidatingPolicy;
use palisade_load::{Input, Limits, load_inputs};
use rayon::prelude::*;

// The allocator the palisade binary ships with, so the figures are the CLI's
// and the webhook's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Reviews timed per set, after as many untimed ones as `WARM_UP`.
const ROUNDS: usize = 2_000;
const WARM_UP: usize = 200;
/// The issue's goal for the whole pod-security set on one Pod.
const GOAL: Duration = Duration::from_millis(1);

/// A Pod that passes the restricted profile, so every check runs to the end
/// (a failing check may stop early).
const POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    fsGroup: 2000
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: web
    image: registry.example/web:3.1
    ports: [{containerPort: 8080}]
    resources:
      limits: {cpu: 500m, memory: 256Mi}
      requests: {cpu: 100m, memory: 128Mi}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
    volumeMounts:
    - {name: config, mountPath: /etc/web}
    - {name: cache, mountPath: /var/cache/web}
  - name: sidecar
    image: registry.example/proxy:1.0
    resources:
      limits: {cpu: 100m, memory: 64Mi}
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
  volumes:
  - name: config
    configMap: {name: web-config}
  - name: cache
    emptyDir: {}
"#;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Median and p99 of timings, wall clock and CPU time of the thread.
struct Timings {
    median: Duration,
    p99: Duration,
    /// `None` where the thread's CPU clock cannot be read.
    cpu: Option<(Duration, Duration)>,
    /// What the last call returned.
    results: usize,
}

fn median_and_p99(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let at = |index: usize| times.get(index).copied().unwrap_or_default();
    (at(times.len() / 2), at(times.len() * 99 / 100))
}

/// `ROUNDS` timings of `f`, after `WARM_UP` untimed calls. The CPU time of
/// the thread is kept as well: on a busy machine the wall clock's p99 is the
/// scheduler's time slice, not the engine.
fn percentiles(mut f: impl FnMut() -> usize) -> Timings {
    let mut results = 0;
    for _ in 0..WARM_UP {
        results = f();
    }
    let mut wall = Vec::with_capacity(ROUNDS);
    let mut cpu = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let cpu_started = thread_cpu_time();
        let started = Instant::now();
        results = f();
        wall.push(started.elapsed());
        if let (Some(before), Some(after)) = (cpu_started, thread_cpu_time()) {
            cpu.push(after.saturating_sub(before));
        }
    }
    let (median, p99) = median_and_p99(wall);
    let cpu = (cpu.len() == ROUNDS).then(|| median_and_p99(cpu));
    Timings {
        median,
        p99,
        cpu,
        results,
    }
}

/// CPU time the calling thread has used.
#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the call's duration.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    let seconds = u64::try_from(now.tv_sec).ok()?;
    let nanos = u32::try_from(now.tv_nsec).ok()?;
    (status == 0).then(|| Duration::new(seconds, nanos))
}

#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// The policy files of a library folder: its `*.yaml` files, outside the
/// hidden test folders (`.kyverno-test`, `.chainsaw-test`).
fn policy_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if hidden {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Every ClusterPolicy, Policy and ValidatingPolicy of a library folder,
/// with the documents of the ClusterPolicies and Policies (`KyvernoPolicy`
/// is not `Clone`: `--per-policy` parses each again alone). Anything that
/// does not load is printed and left out.
fn load_set(dir: &Path) -> (KyvernoSet, Vec<Json>) {
    let mut set = KyvernoSet::default();
    let mut documents_of_policies = Vec::new();
    for file in policy_files(dir) {
        let documents = match read_documents(&file) {
            Ok(documents) => documents,
            Err(error) => {
                println!("  not loaded: {error}");
                continue;
            }
        };
        for document in documents {
            let loaded = match document.get("kind").and_then(Json::as_str) {
                Some("ClusterPolicy" | "Policy") => KyvernoPolicy::parse(&document).map(|p| {
                    set.policies.push(p);
                    documents_of_policies.push(document.clone());
                }),
                Some("ValidatingPolicy") => {
                    ValidatingPolicy::parse(&document).map(|p| set.validating.push(p))
                }
                _ => Ok(()),
            };
            if let Err(message) = loaded {
                println!("  not loaded: {}: {message}", file.display());
            }
        }
    }
    (set, documents_of_policies)
}

/// A Namespace known only by its name, as the analyzer supplies one that
/// the input does not hold.
fn namespace_named(name: &str) -> Option<Json> {
    Some(serde_json::json!({"metadata": {"name": name}}))
}

/// Rule responses of every ClusterPolicy rule and ValidatingPolicy for the
/// Pod, passing ones included (a review returns only the others).
fn responses(set: &KyvernoSet, pod: &Json) -> usize {
    let admission = Admission {
        object: Some(pod),
        info: RequestInfo {
            operation: "CREATE".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let rules: usize = set
        .policies
        .iter()
        .map(|p| engine::apply(p, &admission, &NoValues).len())
        .sum();
    rules + set.validating.len()
}

/// Each policy of `set` reviewing the Pod alone, slowest first.
fn per_policy(set: &KyvernoSet, documents: &[Json], pod: &Json) {
    let mut timed: Vec<(Duration, String)> = Vec::new();
    let request = ReviewRequest::create(
        pod,
        BTreeMap::new(),
        namespace_named("shop"),
        Default::default(),
    );
    for (policy, document) in set.policies.iter().zip(documents) {
        let Ok(copy) = KyvernoPolicy::parse(document) else {
            continue;
        };
        let alone = KyvernoSet {
            policies: vec![copy],
            ..Default::default()
        };
        let median = percentiles(|| alone.review(&request).len()).median;
        timed.push((
            median,
            format!("{} ({} rules)", policy.name, policy.rules.len()),
        ));
    }
    for policy in &set.validating {
        let alone = KyvernoSet {
            validating: vec![policy.clone()],
            ..Default::default()
        };
        let median = percentiles(|| alone.review(&request).len()).median;
        timed.push((median, policy.name().to_string()));
    }
    timed.sort();
    timed.reverse();
    for (median, name) in timed {
        println!("    {:>9} {name}", micros(median));
    }
}

/// Whether the whole set stays under the goal, by the wall clock and, when
/// the wall clock's p99 misses it, by CPU time.
fn goal_verdict(timings: &Timings) -> String {
    let cpu_p99 = timings.cpu.map(|(_, p99)| p99);
    if timings.p99 < GOAL {
        "met (median and p99)".to_string()
    } else if timings.median >= GOAL {
        "NOT met (median)".to_string()
    } else if cpu_p99.is_some_and(|p99| p99 < GOAL) {
        "met by the median; the wall-clock p99 is not, but the CPU-time p99 is (the thread was descheduled)".to_string()
    } else {
        "met by the median, not by the p99".to_string()
    }
}

fn main() {
    let per_policy_wanted = std::env::args().any(|a| a == "--per-policy")
        || std::env::var_os("PALISADE_BENCH_PER_POLICY").is_some();
    let only = std::env::args().find_map(|a| a.strip_prefix("--only=").map(str::to_string));
    let shared = repo().join("../shared");
    let library = shared.join("conformance/kyverno/policies");
    if !library.exists() {
        println!(
            "skipped: {} not found (the Kyverno bench reads its policies and the corpus from ../shared)",
            library.display()
        );
        return;
    }

    // 1. Whole sets against one Pod.
    let pod = match palisade_load::load_bytes("pod.yaml".into(), POD.as_bytes(), &Limits::default())
    {
        Ok(loaded) => match loaded.objects.first() {
            Some(object) => object.root().to_json(),
            None => {
                println!("the bench Pod holds no object");
                return;
            }
        },
        Err(error) => {
            println!("the bench Pod does not parse: {error:?}");
            return;
        }
    };
    let request = ReviewRequest::create(
        &pod,
        BTreeMap::new(),
        namespace_named("shop"),
        Default::default(),
    );
    let mut pod_security = None;
    for folder in ["pod-security", "pod-security-cel", "pod-security-vpol"] {
        let timed = only.as_ref().is_none_or(|o| o == folder);
        if !timed && folder != "pod-security" {
            continue;
        }
        let (set, documents) = load_set(&library.join(folder));
        if !timed {
            pod_security = Some(set);
            continue;
        }
        let rules: usize = set.policies.iter().map(|p| p.rules.len()).sum();
        let responses = responses(&set, &pod);
        let timings = percentiles(|| set.review(&request).len());
        let loaded = if set.validating.is_empty() {
            format!(
                "{} ClusterPolicies, {rules} rules with autogen copies",
                set.policies.len()
            )
        } else {
            format!("{} ValidatingPolicies", set.validating.len())
        };
        let cpu = match timings.cpu {
            Some((median, p99)) => {
                format!("; CPU time median {}, p99 {}", micros(median), micros(p99))
            }
            None => String::new(),
        };
        let goal = if folder == "pod-security" {
            format!("\n  goal < 1 ms per Pod: {}", goal_verdict(&timings))
        } else {
            String::new()
        };
        println!(
            "{folder} ({loaded}) against one Pod, 1 thread: median {}, p99 {}{cpu} ({responses} responses, {} not passing){goal}",
            micros(timings.median),
            micros(timings.p99),
            timings.results,
        );
        if per_policy_wanted {
            per_policy(&set, &documents, &pod);
        }
        if folder == "pod-security" {
            pod_security = Some(set);
        }
    }
    let corpus_wanted = only.as_ref().is_none_or(|o| o == "corpus");
    let Some(set) = pod_security.filter(|_| corpus_wanted) else {
        return;
    };

    // 2. The corpus with the pod-security set, reviewed as the analyzer does.
    let corpus_dir = shared.join("corpus");
    if !corpus_dir.exists() {
        println!("corpus scan skipped: {} not found", corpus_dir.display());
        return;
    }
    let loaded = load_inputs(&[Input::Path(corpus_dir)], &Limits::default());
    let scanned = Inventory::new(loaded.objects);
    // Exactly what the `kyverno` analyzer does per object.
    let cluster_objects = cluster_objects(&scanned);
    let reviewed: Vec<(&Object, &Json)> = scanned
        .objects()
        .iter()
        .zip(cluster_objects.iter())
        .filter(|(o, _)| !is_kyverno_object(o))
        .collect();
    let review = |(object, json): &(&Object, &Json)| -> usize {
        scanned_verdicts(&set, &scanned, object, json, &cluster_objects).len()
    };
    let report = |how: &str, elapsed: Duration, verdicts: usize| {
        println!(
            "corpus scan ({} objects, pod-security set), {how}: {:.0} objects/s ({:.3} s, {verdicts} verdicts)",
            reviewed.len(),
            reviewed.len() as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64()
        );
    };
    // Warm-up pass, untimed.
    let _ = reviewed.iter().map(&review).sum::<usize>();
    let started = Instant::now();
    let verdicts: usize = reviewed.iter().map(&review).sum();
    report("1 thread", started.elapsed(), verdicts);
    let threads = rayon::current_num_threads();
    let started = Instant::now();
    let verdicts: usize = reviewed.par_iter().map(review).sum();
    report(
        &format!("rayon over objects, {threads} threads"),
        started.elapsed(),
        verdicts,
    );
}
