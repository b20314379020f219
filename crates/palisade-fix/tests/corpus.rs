//! `fix` over the shared corpus of real manifests (`../shared/corpus`; skipped
//! with a message when absent). For every file that reads: the fixed file
//! reads, a second fix changes nothing, every comment line of the original is
//! still there in the same order, and a re-scan reports no finding of a rule
//! that was fixed on the object it was fixed on.

mod common;

use std::path::{Path, PathBuf};

use palisade_fix::FixOptions;
use palisade_load::{Limits, load_bytes};

use common::{fix_from_scan, scan};

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            manifests(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

/// Full-line comments, trimmed, in order.
fn comment_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .collect()
}

#[test]
fn fixing_the_corpus_is_safe_idempotent_and_keeps_comments() {
    let Some(corpus) =
        palisade_core::shared_data::shared_dir(env!("CARGO_MANIFEST_DIR"), "corpus", "index.jsonl")
    else {
        return;
    };
    let mut files = Vec::new();
    manifests(&corpus, &mut files);
    let (mut read, mut changed, mut fixes, mut notes) = (0, 0, 0, 0);
    for path in &files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).expect("readable");
        if load_bytes(name.as_str().into(), &bytes, &Limits::default()).is_err() {
            continue;
        }
        read += 1;
        let (fix, _) = fix_from_scan(&name, &bytes, FixOptions::default());
        let fixed_objects = load_bytes(name.as_str().into(), &fix.fixed, &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: the fixed file does not read: {e}"))
            .objects;

        // Comments stay, in order (the fix only inserts text).
        let (original, fixed) = (String::from_utf8_lossy(&fix.original), fix.fixed_text());
        let before = comment_lines(&original);
        let after = comment_lines(&fixed);
        let mut rest = after.iter();
        for comment in &before {
            assert!(
                rest.any(|c| c == comment),
                "{name}: comment {comment:?} lost or moved"
            );
        }

        // A re-scan does not report a fixed rule on a fixed object.
        let left = scan(&fixed_objects);
        for applied in &fix.applied {
            assert!(
                !left
                    .iter()
                    .any(|f| f.rule == applied.rule && f.object.as_ref() == Some(&applied.object)),
                "{name}:{}: {} reported as fixed on {:?} but still found",
                applied.line,
                applied.rule,
                applied.object
            );
        }

        // A second fix is a no-op.
        let (again, _) = fix_from_scan(&name, &fix.fixed, FixOptions::default());
        assert_eq!(
            again.fixed, fix.fixed,
            "{name}: a second fix changed the file"
        );

        changed += usize::from(fix.changed());
        fixes += fix.applied.len();
        notes += fix.notes.len();
    }
    eprintln!(
        "corpus: {read} files read of {}, {changed} changed, {fixes} fixes, {notes} notes",
        files.len()
    );
    assert!(
        read > 1000,
        "the corpus has over a thousand readable manifests"
    );
    assert!(changed > 100, "real manifests leave much to fix");
}
