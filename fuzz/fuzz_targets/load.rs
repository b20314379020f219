//! Fuzzes the manifest loader with small limits: any input must give objects or a
//! `LoadError`, never a panic, a hang or a stack overflow. With small limits the
//! fuzzer reaches the limit paths (depth, aliases, documents, size) quickly.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use palisade_load::{Limits, load_bytes};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_file_bytes: 64 * 1024,
        max_depth: 64,
        max_documents: 64,
        max_alias_nodes: 10_000,
        max_notes: 64,
        ..Limits::default()
    };
    if let Ok(load) = load_bytes(Arc::from("fuzz.yaml"), data, &limits) {
        // Exercise what callers do with the result.
        for object in &load.objects {
            let _ = object.root().to_json();
            assert!(object.source().pos.is_known() || object.source().pos.line == 0);
        }
        // A reading note always points at a place in the file.
        for finding in &load.findings {
            let line = finding.location.as_ref().map_or(0, |l| l.line);
            assert!(line > 0, "finding without a line: {finding:?}");
        }
    }
});
