//! Scan throughput on a large input generated from the shared corpus.
//!
//! Run: `cargo bench -p palisade-cli --bench scan_throughput`
//! (options after `--`: `--min-mb N`, `--min-objects N`, `--rounds N`).
//!
//! It copies every corpus file that loads cleanly into
//! `target/palisade-bench-input/` (regenerated when missing) until the input
//! holds at least 100 MB and 100,000 objects, then measures, best of `--rounds`:
//! 1. load only: read and parse every file into the Inventory;
//! 2. scan: the same load plus Pod Security Standards at restricted:latest.
//!
//! It prints objects/s and MB/s for both, the scan/load ratio, and the peak
//! resident memory of the process (VmHWM). Both phases use every core through
//! rayon; pass `RAYON_NUM_THREADS=1` to measure one core.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use palisade_core::Inventory;
use palisade_load::{Input, Limits, load_bytes, load_inputs};
use palisade_pss::{Level, LevelVersion, Version};

struct Options {
    min_bytes: u64,
    min_objects: usize,
    rounds: usize,
}

fn options() -> Options {
    let mut options = Options {
        min_bytes: 100 * 1_000_000,
        min_objects: 100_000,
        rounds: 3,
    };
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    if let Some(mb) = value("--min-mb") {
        options.min_bytes = mb * 1_000_000;
    }
    if let Some(n) = value("--min-objects") {
        options.min_objects = n as usize;
    }
    if let Some(n) = value("--rounds") {
        options.rounds = n.max(1) as usize;
    }
    options
}

fn main() {
    let options = options();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("../shared/corpus");
    let input = root.join("target/palisade-bench-input");
    if !corpus.is_dir() {
        eprintln!(
            "scan_throughput: {} not found; the benchmark needs the shared corpus",
            corpus.display()
        );
        return;
    }
    let (bytes, objects) = generate(&corpus, &input, &options);
    println!(
        "input: {} ({:.1} MB, {objects} objects, {} threads)",
        input.display(),
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );

    let inputs = [Input::Path(input.clone())];
    // The generated input is larger than a run's default input budget on purpose.
    let limits = Limits {
        max_total_bytes: u64::MAX,
        ..Limits::default()
    };
    let policy = LevelVersion {
        level: Level::Restricted,
        version: Version::Latest,
    };
    let load = best_of(options.rounds, || {
        let loaded = load_inputs(&inputs, &limits);
        assert!(
            loaded.errors.is_empty() && loaded.run_error.is_none(),
            "generated input loads cleanly"
        );
        Inventory::new(loaded.objects)
    });
    let mut findings = 0;
    let scan = best_of(options.rounds, || {
        let loaded = load_inputs(&inputs, &limits);
        let inventory = Inventory::new(loaded.objects);
        let found = palisade_pss::findings::scan(&inventory, policy);
        findings = found.len();
        (inventory, found)
    });
    report("load", load, bytes, objects);
    report("load+scan", scan, bytes, objects);
    println!("pss findings: {findings}");
    println!(
        "scan/load time ratio: {:.2} (pss evaluation alone: {:.1} ms)",
        scan.as_secs_f64() / load.as_secs_f64(),
        scan.saturating_sub(load).as_secs_f64() * 1e3
    );
    match peak_rss_mb() {
        Some(mb) => println!("peak resident memory: {mb:.0} MB"),
        None => println!("peak resident memory: unavailable (no /proc/self/status)"),
    }
}

/// The best wall time of `rounds` runs. What `run` returns is dropped after the
/// clock stops: freeing the tree is not part of loading, and the CLI skips it at
/// exit (see `main.rs`).
fn best_of<T>(rounds: usize, mut run: impl FnMut() -> T) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            let kept = std::hint::black_box(run());
            let elapsed = start.elapsed();
            drop(kept);
            elapsed
        })
        .min()
        .unwrap_or_default()
}

fn report(phase: &str, time: Duration, bytes: u64, objects: usize) {
    let secs = time.as_secs_f64();
    println!(
        "{phase:>10}: {:8.1} ms  {:9.0} objects/s  {:7.1} MB/s",
        secs * 1e3,
        objects as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}

/// Copies clean corpus files round after round until the input is big enough.
/// Large files (CRDs, mostly schema) are copied in the first rounds only, so the
/// input is dominated by workloads, as a real repository is.
fn generate(corpus: &Path, out: &Path, options: &Options) -> (u64, usize) {
    let stamp = out.join(".complete");
    if let Ok(text) = fs::read_to_string(&stamp) {
        let mut parts = text.split_whitespace().map(str::parse::<u64>);
        if let (Some(Ok(bytes)), Some(Ok(objects))) = (parts.next(), parts.next())
            && bytes >= options.min_bytes
            && objects as usize >= options.min_objects
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
    let mut round = 0;
    while bytes < options.min_bytes || objects < options.min_objects {
        for (relative, data, count) in &clean {
            if round >= 4 && data.len() > 256 * 1024 {
                continue;
            }
            let target = out.join(format!("copy-{round:03}")).join(relative);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).expect("bench input folder is writable");
            }
            fs::write(&target, data).expect("bench input is writable");
            bytes += data.len() as u64;
            objects += count;
        }
        round += 1;
    }
    fs::write(&stamp, format!("{bytes} {objects}")).expect("bench stamp is writable");
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

fn peak_rss_mb() -> Option<f64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
