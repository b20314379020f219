//! Scan throughput and peak memory on a large input generated from the shared
//! corpus.
//!
//! Run: `cargo bench -p palisade-cli --bench scan_throughput`
//! (options after `--`: `--copies N`, default 10; `--rounds N`, default 3).
//!
//! It copies every corpus file that loads cleanly into
//! `target/palisade-bench-input/copy-NNN/` (regenerated when the number of
//! copies differs), `--copies` whole copies of the corpus, so the input has
//! the corpus's own mix of small workloads and large CRDs, then measures three
//! phases, best of `--rounds`:
//! 1. load only: read and parse every file into the Inventory;
//! 2. scan: the same load plus Pod Security Standards at restricted:latest;
//! 3. catalogue: the scan plus every check of the best-practice and secrets
//!    catalogue (`palisade-checks`: workload, secrets, resources, exposure,
//!    hygiene), each group with its default options.
//!
//! Every round runs in a fresh child process (this binary again, with
//! `--phase`), so each round's peak resident memory (VmHWM) is that of one load
//! (or load+scan) alone, from an empty heap, as a `palisade scan` process would
//! see it: no earlier round's freed memory or allocator caches count towards it.
//! It prints objects/s and MB/s, the peak memory and the peak/input ratio of
//! each phase (the highest peak of its rounds), and the scan/load time ratio.
//! Both phases use every core through rayon; pass `RAYON_NUM_THREADS=1` to
//! measure one core (children inherit the environment).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use palisade_core::Inventory;
use palisade_load::{Input, InputOptions, Limits, load_bytes, load_inputs_with};
use palisade_pss::{Level, LevelVersion, Version};

/// The allocator the `palisade` binary uses (see `src/main.rs`), so that time
/// and memory are those of the command.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator settings of every command but `serve`.
#[path = "../src/allocator.rs"]
mod allocator;

struct Options {
    copies: usize,
    rounds: usize,
}

fn options(args: &[String]) -> Options {
    let mut options = Options {
        copies: 10,
        rounds: 3,
    };
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    if let Some(n) = value("--copies") {
        options.copies = n.max(1) as usize;
    }
    if let Some(n) = value("--rounds") {
        options.rounds = n.max(1) as usize;
    }
    options
}

/// What one measured phase does.
#[derive(Clone, Copy)]
enum Phase {
    Load,
    Scan,
    Catalogue,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Load => "load",
            Phase::Scan => "load+scan",
            Phase::Catalogue => "+catalogue",
        }
    }

    /// The `--phase` argument a child is started with.
    fn arg(self) -> &'static str {
        match self {
            Phase::Load => "load",
            Phase::Scan => "scan",
            Phase::Catalogue => "catalogue",
        }
    }
}

/// One child's measurement.
struct Round {
    time: Duration,
    peak_kib: u64,
    findings: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let input = root.join("target/palisade-bench-input");
    if let Some(at) = args.iter().position(|a| a == "--phase") {
        allocator::lean();
        let phase = match args.get(at + 1).map(String::as_str) {
            Some("scan") => Phase::Scan,
            Some("catalogue") => Phase::Catalogue,
            _ => Phase::Load,
        };
        run_child(phase, &input);
        return;
    }
    let options = options(&args);
    let corpus = root.join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!(
            "scan_throughput: {} not found; the benchmark needs the shared corpus",
            corpus.display()
        );
        return;
    }
    let (bytes, objects) = generate(&corpus, &input, &options);
    println!(
        "input: {} ({} copies of the corpus, {:.1} MB, {objects} objects, {} threads)",
        input.display(),
        options.copies,
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    let load = measure(Phase::Load, options.rounds);
    let scan = measure(Phase::Scan, options.rounds);
    let catalogue = measure(Phase::Catalogue, options.rounds);
    report(Phase::Load, &load, bytes, objects);
    report(Phase::Scan, &scan, bytes, objects);
    report(Phase::Catalogue, &catalogue, bytes, objects);
    if let (Some(pss), Some(all)) = (scan.first(), catalogue.first()) {
        println!(
            "findings: pss {}, pss+catalogue {}",
            pss.findings, all.findings
        );
    }
    let (load_time, scan_time, catalogue_time) = (best(&load), best(&scan), best(&catalogue));
    println!(
        "scan/load time ratio: {:.2} (pss evaluation alone: {:.1} ms)",
        scan_time.as_secs_f64() / load_time.as_secs_f64(),
        scan_time.saturating_sub(load_time).as_secs_f64() * 1e3
    );
    println!(
        "catalogue/load time ratio: {:.2} (load+pss+catalogue over load; the catalogue's checks alone: {:.1} ms, {:.2} x load)",
        catalogue_time.as_secs_f64() / load_time.as_secs_f64(),
        catalogue_time.saturating_sub(scan_time).as_secs_f64() * 1e3,
        catalogue_time.saturating_sub(scan_time).as_secs_f64() / load_time.as_secs_f64()
    );
}

/// Runs `rounds` children for `phase`, one round each.
fn measure(phase: Phase, rounds: usize) -> Vec<Round> {
    let exe = std::env::current_exe().expect("the bench knows its own path");
    let arg = phase.arg();
    (0..rounds)
        .map(|_| {
            let out = Command::new(&exe)
                .args(["--phase", arg])
                .output()
                .expect("the bench can run itself");
            let text = String::from_utf8_lossy(&out.stdout);
            parse_round(&text).unwrap_or_else(|| {
                panic!(
                    "child for {} failed: {}{}",
                    phase.name(),
                    text,
                    String::from_utf8_lossy(&out.stderr)
                )
            })
        })
        .collect()
}

/// Reads a child's `round <nanoseconds> <peak KiB> <findings>` line.
fn parse_round(text: &str) -> Option<Round> {
    let line = text.lines().find(|l| l.starts_with("round "))?;
    let mut fields = line.split_whitespace().skip(1).map(str::parse::<u64>);
    let (Some(Ok(nanos)), Some(Ok(peak_kib)), Some(Ok(findings))) =
        (fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    Some(Round {
        time: Duration::from_nanos(nanos),
        peak_kib,
        findings: findings as usize,
    })
}

/// One round in this (child) process. The tree is not freed: the CLI skips that
/// at exit too (see `commands/scan.rs`), and the process ends right after.
fn run_child(phase: Phase, input: &Path) {
    let inputs = [Input::Path(input.to_path_buf())];
    // The generated input is larger than a run's default input budget on purpose.
    let limits = Limits {
        max_total_bytes: u64::MAX,
        ..Limits::default()
    };
    // Read file by file: the copies include kustomization files, and rendering
    // (kubectl kustomize) is not what this bench measures.
    let raw = InputOptions {
        raw: true,
        ..InputOptions::default()
    };
    let start = Instant::now();
    let loaded = load_inputs_with(&inputs, &limits, &raw);
    assert!(
        loaded.errors.is_empty() && loaded.run_error.is_none(),
        "generated input loads cleanly"
    );
    let inventory = Inventory::new(loaded.objects);
    let pss = || {
        palisade_pss::findings::scan(
            &inventory,
            LevelVersion {
                level: Level::Restricted,
                version: Version::Latest,
            },
        )
    };
    let findings = match phase {
        Phase::Load => Vec::new(),
        Phase::Scan => pss(),
        Phase::Catalogue => {
            let options = palisade_core::Options::default();
            let mut found = pss();
            for group in palisade_checks::GROUPS {
                found.extend(palisade_core::Analyzer::analyze(
                    &group, &inventory, &options,
                ));
            }
            found
        }
    };
    let elapsed = std::hint::black_box(start.elapsed());
    println!(
        "round {} {} {}",
        elapsed.as_nanos(),
        peak_rss_kib().unwrap_or(0),
        findings.len()
    );
    std::mem::forget((inventory, findings));
}

fn best(rounds: &[Round]) -> Duration {
    rounds.iter().map(|r| r.time).min().unwrap_or_default()
}

fn report(phase: Phase, rounds: &[Round], bytes: u64, objects: usize) {
    let secs = best(rounds).as_secs_f64();
    let peak = rounds.iter().map(|r| r.peak_kib).max().unwrap_or(0) as f64 * 1024.0;
    println!(
        "{:>10}: {:8.1} ms  {:9.0} objects/s  {:7.1} MB/s  peak {:6.1} MB ({:.2} x input)",
        phase.name(),
        secs * 1e3,
        objects as f64 / secs,
        bytes as f64 / 1e6 / secs,
        peak / 1e6,
        peak / bytes as f64
    );
}

/// Writes `options.copies` whole copies of the corpus files that load cleanly,
/// unless the folder already holds exactly that (its `.complete` stamp).
fn generate(corpus: &Path, out: &Path, options: &Options) -> (u64, usize) {
    let stamp = out.join(".complete");
    if let Ok(text) = fs::read_to_string(&stamp) {
        let mut parts = text.split_whitespace().map(str::parse::<u64>);
        if let (Some(Ok(copies)), Some(Ok(bytes)), Some(Ok(objects))) =
            (parts.next(), parts.next(), parts.next())
            && copies as usize == options.copies
        {
            return (bytes, objects as usize);
        }
    }
    let _ = fs::remove_dir_all(out);
    let mut files = Vec::new();
    collect_files(corpus, &mut files);
    files.sort();
    let clean: Vec<(PathBuf, Vec<u8>, usize)> = files
        .into_iter()
        .filter_map(|path| {
            let data = fs::read(&path).ok()?;
            let name = path.to_string_lossy().into_owned();
            let loaded = load_bytes(name.into(), &data, &Limits::default()).ok()?;
            let relative = path.strip_prefix(corpus).ok()?.to_path_buf();
            (!loaded.objects.is_empty()).then_some((relative, data, loaded.objects.len()))
        })
        .collect();
    let (mut bytes, mut objects) = (0u64, 0usize);
    for copy in 0..options.copies {
        for (relative, data, count) in &clean {
            let target = out.join(format!("copy-{copy:03}")).join(relative);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).expect("bench input folder is writable");
            }
            fs::write(&target, data).expect("bench input is writable");
            bytes += data.len() as u64;
            objects += count;
        }
    }
    let copies = options.copies;
    fs::write(&stamp, format!("{copies} {bytes} {objects}")).expect("bench stamp is writable");
    (bytes, objects)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
}

/// This process's peak resident memory so far (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
