//! Differential test of the fast YAML reader against the full go-yaml parser.
//!
//! The fast reader (`palisade-load/src/fast.rs`) is exact only because it declines whatever it
//! is not sure of. This test holds it to that on every input we have: the kubectl
//! golden files, the fuzz corpus and the shared real-world corpus. Per chunk, when
//! the fast reader accepts, its tree (values and positions) and its notes must equal
//! the full parser's, and the full parser must not fail. It also prints the share
//! of corpus bytes the fast reader accepted (the speed-up depends on it).

use std::path::{Path, PathBuf};

use palisade_load::Limits;
use palisade_load::{FastPathReport, fast_path_differential};

fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, keep, out);
        } else if keep(&path) {
            out.push(path);
        }
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Runs the comparison on every file with two sets of limits (the default and the
/// fuzzer's small ones); returns the totals and the divergences.
fn check(files: &[PathBuf]) -> (FastPathReport, Vec<String>) {
    let small = Limits {
        max_file_bytes: 64 * 1024,
        max_depth: 64,
        max_documents: 64,
        max_alias_nodes: 10_000,
        max_notes: 8,
        ..Limits::default()
    };
    let mut total = FastPathReport::default();
    let mut failures = Vec::new();
    for path in files {
        let data = std::fs::read(path).expect("readable test input");
        for (n, limits) in [Limits::default(), small.clone()].iter().enumerate() {
            let report = fast_path_differential(&data, limits);
            for d in &report.divergences {
                failures.push(format!("{}: {d}", path.display()));
            }
            if n == 0 {
                total.chunks += report.chunks;
                total.accepted_chunks += report.accepted_chunks;
                total.bytes += report.bytes;
                total.accepted_bytes += report.accepted_bytes;
            }
        }
    }
    (total, failures)
}

fn summary(name: &str, files: usize, r: &FastPathReport) {
    let share = if r.bytes == 0 {
        0.0
    } else {
        100.0 * r.accepted_bytes as f64 / r.bytes as f64
    };
    println!(
        "{name}: {files} files, {} of {} chunks accepted, {} of {} bytes accepted ({share:.1}%)",
        r.accepted_chunks, r.chunks, r.accepted_bytes, r.bytes
    );
}

fn assert_no_divergence(failures: &[String]) {
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(5).map(String::as_str).collect();
        panic!(
            "{} divergences between the fast reader and the full parser; first ones:\n{}",
            failures.len(),
            shown.join("\n\n")
        );
    }
}

#[test]
fn fast_reader_matches_full_parser_on_golden_and_fuzz_inputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut golden = Vec::new();
    files_under(&root.join("tests/golden"), &is_yaml, &mut golden);
    assert!(!golden.is_empty(), "golden inputs missing");
    let (report, failures) = check(&golden);
    summary("golden", golden.len(), &report);
    assert_no_divergence(&failures);

    let mut fuzz = Vec::new();
    files_under(&root.join("../../fuzz/corpus/load"), &|_| true, &mut fuzz);
    let (report, failures) = check(&fuzz);
    summary("fuzz corpus", fuzz.len(), &report);
    assert_no_divergence(&failures);
}

#[test]
fn fast_reader_matches_full_parser_on_shared_corpus() {
    let Some(corpus) =
        palisade_core::shared_data::shared_dir(env!("CARGO_MANIFEST_DIR"), "corpus", "index.jsonl")
    else {
        return;
    };
    let mut files = Vec::new();
    files_under(&corpus, &is_yaml, &mut files);
    let (report, failures) = check(&files);
    summary("shared corpus", files.len(), &report);
    assert_no_divergence(&failures);
    assert!(
        report.accepted_bytes * 100 >= report.bytes * 90,
        "the fast reader accepted less than 90% of the corpus bytes"
    );
}

/// Hand-written inputs for each construct of the subset: the fast reader must
/// accept them (or the speed-up is lost) and agree with the full parser.
#[test]
fn fast_reader_accepts_and_matches_the_subset() {
    let cases: &[&str] = &[
        "a: 1\nb: two\nc:\n  d: [x, \"y\", 'z']\n  e: {}\n  f: []\n",
        "--- # first\nkind: A\nlist:\n- a\n-   b\n- c: 1\n  d: 2\n- - x\n  - y\n",
        "k:\n  - name: n\n    image: \"img:1\"  # comment\n    args: ['a''b', \"c d\"]\n",
        "s: |\n  line one\n\n  line two\n   indented\nt: >-\n  folded\n  text\n\n  para\n   more\nu: |+\n  keep\n\nv: end\n",
        "d: plain text\n  continued here\n\n  and a new line\nq: 'single\n  quoted'\nw: \"double\\tescape \\u00e9\\\n  joined\"\n",
        "yes: on\nport: 0755\nbig: 1_000\nf: 1.5\nn: ~\nempty:\nt: true\n",
        "dup: 1\ndup: 2\nsecurityContext:\n  privileged: yes\n",
        "a: \"x\"\r\nb: |\r\n  l1\r\n  l2\r\nc:\r\n- 1\r\n",
        "é: ü\nkey with spaces  : value é x\n\"quoted key\": 1\n",
        "next:\n  value on next line\nflow: {a: 1, b: c}\n",
        "# only a comment\n\n",
    ];
    let mut failures = Vec::new();
    for case in cases {
        let report = fast_path_differential(case.as_bytes(), &Limits::default());
        failures.extend(report.divergences.iter().cloned());
        if report.accepted_chunks != report.chunks {
            failures.push(format!("declined ({:?}): {case:?}", report.declined));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Inputs outside the subset are declined, so the full parser reads them.
#[test]
fn fast_reader_declines_outside_the_subset() {
    let cases: &[&str] = &[
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "<<: {a: 1}\n",
        "? complex\n: key\n",
        "a:\n\t- tab\n",
        "%YAML 1.1\na: 1\n",
        "a: |2\n   x\n",
        "a: [1,\n  2]\n",
        "a: b: c\n",
        "a: 1\n...\n",
        "a: \"\\ud800\"\n",
        "a: 1\n  b: 2\n",
        "a\rb: 1\n",
    ];
    for case in cases {
        let report = fast_path_differential(case.as_bytes(), &Limits::default());
        assert!(report.divergences.is_empty(), "{:?}", report.divergences);
        assert_eq!(report.accepted_chunks, 0, "accepted {case:?}");
    }
}
