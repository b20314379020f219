//! Gatekeeper policy evaluation speed.
//!
//! Run: `cargo bench -p palisade-policy --bench policy_eval`
//!
//! 1. One template against one object: the bundled `PalisadeContainerLimits`
//!    (policy-examples/) on a Deployment, median and p99 of single reviews.
//! 2. The whole Gatekeeper library (every template and constraint of
//!    `../shared/conformance/gatekeeper-library`) against one Pod: median and
//!    p99 of one review by every constraint, in a rayon pool of one thread and
//!    of two (a review evaluates its constraints in parallel).
//! 3. A scan of the shared corpus (`../shared/corpus`) with the whole library
//!    loaded: objects/s with one and two threads.
//!
//! Parts 2 and 3 need `../shared`; without it they say so and are skipped.
//! `PALISADE_BENCH_PER_CONSTRAINT=1` also prints the 15 slowest constraints
//! of part 2, each timed alone.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use palisade_core::Object;
use palisade_load::{Input, Limits, load_inputs};
use palisade_policy::constraint::enforcement_point;
use palisade_policy::inventory::inventory;
use palisade_policy::policy_set::PolicySet;
use palisade_policy::review::Review;
use palisade_policy::suite::{find_suites, policy_files, read_objects};
use rayon::prelude::*;

// The allocator the palisade binary ships with, so the figures are the CLI's
// and the webhook's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(paths: &[PathBuf]) -> Vec<Object> {
    let inputs: Vec<Input> = paths.iter().map(|p| Input::Path(p.clone())).collect();
    load_inputs(&inputs, &Limits::default()).objects
}

/// Median and p99 of `rounds` timings of `f`.
fn percentiles(rounds: usize, mut f: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(rounds);
    let mut results = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        results = f();
        times.push(started.elapsed());
    }
    times.sort();
    (times[rounds / 2], times[rounds * 99 / 100], results)
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

const POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: web
    image: registry.example/web:3.1
    ports: [{containerPort: 8080}]
    resources:
      limits: {cpu: 500m, memory: 256Mi}
      requests: {cpu: 100m, memory: 128Mi}
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
  - name: sidecar
    image: registry.example/proxy:1.0
    resources:
      limits: {cpu: 100m, memory: 64Mi}
"#;

fn main() {
    // 1. One template, one object.
    let example = load(&[repo().join("policy-examples/policies")]);
    let set = PolicySet::build(
        example
            .iter()
            .filter(|o| o.kind() != "PalisadeRunAsNonRoot"),
        || inventory([]),
        Default::default(),
    );
    let deployment =
        read_objects(&repo().join("policy-examples/tests/samples/deployment-cpu-only.yaml"))
            .expect("the bundled sample loads");
    let review = Review::of_object(deployment[0].root());
    let (median, p99, results) = percentiles(20_000, || {
        set.review(&review, None, enforcement_point::AUDIT, None)
            .len()
    });
    println!(
        "one template, one object (PalisadeContainerLimits, Deployment): median {}, p99 {} ({results} result)",
        micros(median),
        micros(p99)
    );

    let shared = repo().join("../shared");
    let library = shared.join("conformance/gatekeeper-library/library");
    if !library.exists() {
        println!(
            "skipped: {} not found (the library and corpus parts need ../shared)",
            library.display()
        );
        return;
    }
    // 2. The whole library against one Pod.
    let suites = find_suites(std::slice::from_ref(&library)).expect("library readable");
    let policy_files = policy_files(&suites).expect("suites read");
    let policy_objects = load(&policy_files);
    let set = PolicySet::build(policy_objects.iter(), || inventory([]), Default::default());
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let constraints = set.constraints().count();
    let pod = palisade_load::load_bytes("pod.yaml".into(), POD.as_bytes(), &Limits::default())
        .expect("the bench pod parses")
        .objects;
    let review = Review::of_object(pod[0].root());
    // One review spreads its constraints over rayon's threads: timed in a
    // pool of one thread (the single-core figure) and of two.
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let (median, p99, results) = pool.install(|| {
            percentiles(2_000, || {
                set.review(&review, None, enforcement_point::AUDIT, None)
                    .len()
            })
        });
        println!(
            "whole library ({} templates, {constraints} constraints) against one Pod, {threads} thread(s): median {}, p99 {} ({results} results)",
            set.templates(),
            micros(median),
            micros(p99)
        );
    }

    if std::env::var_os("PALISADE_BENCH_PER_CONSTRAINT").is_some() {
        let mut per: Vec<(Duration, String)> = set
            .constraints()
            .map(|c| {
                let one = PolicySet::build(
                    policy_objects.iter().filter(|o| {
                        (o.kind() == "ConstraintTemplate"
                            && o.root()
                                .path(&["spec", "crd", "spec", "names", "kind"])
                                .and_then(|k| k.as_str())
                                == Some(c.kind.as_str()))
                            || (o.kind() == c.kind && o.name() == c.name)
                    }),
                    || inventory([]),
                    Default::default(),
                );
                let (median, _, _) = percentiles(200, || {
                    one.review(&review, None, enforcement_point::AUDIT, None)
                        .len()
                });
                (median, format!("{}/{}", c.kind, c.name))
            })
            .collect();
        per.sort();
        per.reverse();
        for (d, name) in per.iter().take(15) {
            println!("  {} {name}", micros(*d));
        }
    }

    // 3. The corpus with the whole library.
    let corpus = load(&[shared.join("corpus")]);
    let reviewed: Vec<&Object> = corpus.iter().collect();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let started = Instant::now();
        let results: usize = pool.install(|| {
            reviewed
                .par_iter()
                .map(|o| {
                    set.review(
                        &Review::of_object(o.root()),
                        None,
                        enforcement_point::AUDIT,
                        None,
                    )
                    .len()
                })
                .sum()
        });
        let elapsed = started.elapsed();
        println!(
            "corpus scan ({} objects, whole library), {threads} thread(s): {:.0} objects/s ({:.2} s, {results} results)",
            reviewed.len(),
            reviewed.len() as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64()
        );
    }
}
