//! Schema validation throughput on the shared corpus.
//!
//! Run: `cargo bench -p palisade-schema --bench schema_throughput`
//! (options after `--`: `--rounds N`, `--copies N`).
//!
//! It loads every corpus file that loads, repeats the objects `--copies` times
//! (default 20) into one Inventory, then measures, best of `--rounds`, the
//! `schema` analyzer alone over it (CRDs of the input indexed, every object
//! validated) and prints objects/s. The schema itself is decompressed and
//! indexed once before timing (a process pays that once: about a millisecond,
//! printed too). Uses every core through rayon; `RAYON_NUM_THREADS=1` measures one.

use std::path::Path;
use std::time::{Duration, Instant};

use palisade_core::{Analyzer, Inventory, Options};
use palisade_load::{Input, Limits, load_inputs};
use palisade_schema::SchemaValidation;

fn flag(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let rounds = flag("--rounds", 5).max(1);
    let copies = flag("--copies", 20).max(1);
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        eprintln!(
            "schema_throughput: {} not found; the benchmark needs the shared corpus",
            corpus.display()
        );
        return;
    }
    let loaded = load_inputs(&[Input::Path(corpus)], &Limits::default());
    let mut objects = Vec::with_capacity(loaded.objects.len() * copies);
    for _ in 0..copies {
        objects.extend(loaded.objects.iter().cloned());
    }
    let count = objects.len();
    let inventory = Inventory::new(objects);
    let options = Options::default();
    let start = Instant::now();
    let schema = SchemaValidation::schema(&options).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "schema v{} decompressed and indexed in {:.2} ms ({} shapes)",
        schema.version,
        start.elapsed().as_secs_f64() * 1e3,
        schema.arena.len()
    );
    let mut findings = 0;
    let best = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            let found = std::hint::black_box(SchemaValidation.analyze(&inventory, &options));
            let elapsed = start.elapsed();
            findings = found.len();
            elapsed
        })
        .min()
        .unwrap_or(Duration::ZERO);
    println!(
        "schema: {count} objects ({copies} copies of the corpus) in {:.1} ms: {:.0} objects/s, {findings} findings, {} threads",
        best.as_secs_f64() * 1e3,
        count as f64 / best.as_secs_f64(),
        rayon::current_num_threads()
    );
}
