//! Differential fuzzing of the fast YAML reader (`palisade-load/src/fast.rs`) against
//! the full go-yaml parser: on any input, for every chunk the fast reader accepts, its tree
//! (with positions) and notes must equal the full parser's, and the full parser
//! must not fail. The fast reader is exact only by declining what it is unsure of;
//! this target looks for the inputs where it should have declined and did not.
//!
//! Run it seeded with the loader's corpus and the YAML token dictionary (NEL, LS,
//! PS, BOMs, tabs, `?`, verbatim tags, `...`, `>#`: the places where go-yaml and
//! YAML 1.2 readers part ways), keeping new inputs out of the tree:
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run fast_differential /tmp/fast-corpus fuzz/corpus/load -- -max_len=4096 -dict=fuzz/dict/yaml.dict`
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_load::{Limits, fast_path_differential};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_file_bytes: 64 * 1024,
        max_depth: 64,
        max_documents: 64,
        max_alias_nodes: 10_000,
        max_notes: 64,
        ..Limits::default()
    };
    let report = fast_path_differential(data, &limits);
    if let Some(first) = report.divergences.first() {
        panic!(
            "fast reader diverges from the full parser ({} chunks):\n{first}",
            report.divergences.len()
        );
    }
});
