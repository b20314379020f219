//! Where a loaded corpus's memory goes: live heap bytes after loading the
//! shared corpus into an Inventory, per input byte, and a census of the tree
//! (keys, strings, collections) that explains them.
//!
//! Run: `cargo run -p palisade-load --example tree_memory [DIR]` (default: the
//! shared corpus). Heap bytes are counted by a wrapper around the system
//! allocator, so they are the same in debug and release builds and do not
//! depend on the allocator's own overhead; the scan_throughput bench measures
//! the resident memory of the real thing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use palisade_core::Inventory;
use palisade_core::node::{Node, Value};
use palisade_load::{Input, InputOptions, Limits, load_inputs_with};

/// The system allocator, counting live and peak requested bytes and allocations.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static BLOCKS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        BLOCKS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        BLOCKS.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let grow = new_size - layout.size();
            let now = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Counts of what the tree holds.
#[derive(Default, Debug)]
struct Census {
    nodes: usize,
    keys: usize,
    long_keys: usize,
    key_bytes: usize,
    strings: usize,
    long_strings: usize,
    string_bytes: usize,
    maps: usize,
    seqs: usize,
}

/// Longer strings than this do not fit inline in the tree's string type.
const INLINE: usize = 24;

fn walk(node: &Node, census: &mut Census) {
    census.nodes += 1;
    match &node.value {
        Value::String(s) => {
            census.strings += 1;
            census.string_bytes += s.len();
            census.long_strings += usize::from(s.len() > INLINE);
        }
        Value::Seq(items) => {
            census.seqs += 1;
            items.iter().for_each(|item| walk(item, census));
        }
        Value::Map(map) => {
            census.maps += 1;
            for (key, value) in map.iter() {
                census.keys += 1;
                census.key_bytes += key.name.len();
                census.long_keys += usize::from(key.name.len() > INLINE);
                walk(value, census);
            }
        }
        _ => {}
    }
}

fn main() {
    let dir = std::env::args().nth(1).map(PathBuf::from).or_else(|| {
        palisade_core::shared_data::shared_dir(env!("CARGO_MANIFEST_DIR"), "corpus", ".")
    });
    let Some(dir) = dir else {
        return;
    };
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let limits = Limits {
        max_total_bytes: u64::MAX,
        ..Limits::default()
    };
    // File by file, as the scan_throughput bench reads its input: charts and
    // kustomizations are not rendered.
    let raw = InputOptions {
        raw: true,
        ..InputOptions::default()
    };
    let loaded = load_inputs_with(&[Input::Path(dir.clone())], &limits, &raw);
    let input = loaded.bytes as f64;
    let errors = loaded.errors.len();
    let inventory = Inventory::new(loaded.objects);
    let live = LIVE.load(Ordering::Relaxed) - before;
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let mut census = Census::default();
    for object in inventory.objects() {
        walk(object.root(), &mut census);
    }
    let mb = |b: f64| b / 1e6;
    println!(
        "input: {} ({:.1} MB, {} objects, {errors} files not loaded)",
        dir.display(),
        mb(input),
        inventory.objects().len()
    );
    println!(
        "live heap after load: {:.1} MB ({:.2} x input), {} blocks",
        mb(live as f64),
        live as f64 / input,
        BLOCKS.load(Ordering::Relaxed)
    );
    println!(
        "peak heap during load: {:.1} MB ({:.2} x input)",
        mb(peak as f64),
        peak as f64 / input
    );
    println!(
        "sizes: Node {} B, Value {} B, entry {} B, Object {} B",
        std::mem::size_of::<Node>(),
        std::mem::size_of::<Value>(),
        std::mem::size_of::<(palisade_core::Key, Node)>(),
        std::mem::size_of::<palisade_core::Object>()
    );
    println!("{census:#?}");
    std::mem::forget(inventory);
}
