//! Time per check of the catalogue, to find the expensive ones.
//!
//! Run: `cargo bench -p palisade-checks --bench catalogue_checks [-- DIR]`
//! (default: `../shared/corpus`; the scan bench's generated input,
//! `target/palisade-bench-input`, is the large case). It loads DIR file by file
//! (no rendering), then runs every check of every group once and prints each
//! check's wall time and findings, slowest first, and the load time to compare.

use std::path::PathBuf;
use std::time::Instant;

use palisade_checks::{Context, GROUPS};
use palisade_core::{Inventory, Options};
use palisade_load::{Input, InputOptions, Limits, load_inputs_with};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    if !dir.is_dir() {
        eprintln!("catalogue_checks: {} not found", dir.display());
        return;
    }
    let limits = Limits {
        max_total_bytes: u64::MAX,
        ..Limits::default()
    };
    let raw = InputOptions {
        raw: true,
        ..InputOptions::default()
    };
    let start = Instant::now();
    let loaded = load_inputs_with(&[Input::Path(dir.clone())], &limits, &raw);
    let inventory = Inventory::new(loaded.objects);
    let load = start.elapsed();
    let options = Options::default();
    let start = Instant::now();
    let context = Context::new(&inventory, &options);
    let templates = start.elapsed();
    let mut rows = Vec::new();
    for group in GROUPS {
        for check in group.checks {
            let mut out = Vec::new();
            let start = Instant::now();
            (check.run)(&context, &mut out);
            let ids: Vec<&str> = check.rules.iter().map(|r| r.id).collect();
            rows.push((start.elapsed(), ids.join(","), out.len()));
        }
    }
    let total: f64 = rows.iter().map(|r| r.0.as_secs_f64()).sum();
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    println!(
        "{}: {} objects, load {:.1} ms, pod templates {:.1} ms, every check {:.1} ms ({:.2} x load)",
        dir.display(),
        inventory.len(),
        load.as_secs_f64() * 1e3,
        templates.as_secs_f64() * 1e3,
        total * 1e3,
        total / load.as_secs_f64()
    );
    for (time, ids, findings) in rows.iter().take(15) {
        println!(
            "{:9.1} ms {findings:8} findings  {ids}",
            time.as_secs_f64() * 1e3
        );
    }
    std::mem::forget(inventory);
}
