//! The hostile inputs of the manifest-reader security review, each built at full
//! size and loaded, with its wall time and the peak memory of the process that
//! loaded it (every case runs in a child process of its own, so one case's peak
//! does not hide the next one's).
//!
//! Run: `cargo bench -p palisade-load --bench hostile_inputs`. The goal is that
//! every case ends within 10 s and 1 GB on a 2-core machine, with a clear error or
//! a result; the tests in `tests/hostile.rs` assert the errors and results on
//! smaller inputs, this prints the measurements.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use palisade_load::{Input, Limits, load_bytes, load_inputs};

/// One billion-laughs document that stays under the per-document budget the
/// loader used to have (nine aliases per level, five levels: about 66,000 nodes).
fn laughs_document(n: usize) -> String {
    let mut doc = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol{n}\n");
    doc.push_str("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let names = ["a", "b", "c", "d", "e"];
    for pair in names.windows(2) {
        let alias = format!("*{}", pair[0]);
        let items = [alias.as_str(); 9].join(", ");
        doc.push_str(&format!("{}: &{} [{items}]\n", pair[1], pair[1]));
    }
    doc
}

fn case_input(name: &str, dir: &Path) -> Vec<PathBuf> {
    let write = |file: &str, text: &[u8]| {
        let path = dir.join(file);
        std::fs::write(&path, text).expect("temp file");
        path
    };
    match name {
        // 400 such documents in one file (item 6).
        "laughs-across-documents" => {
            let text: String = (0..400).map(|n| laughs_document(n) + "---\n").collect();
            vec![write("laughs.yaml", text.as_bytes())]
        }
        // The same document in 64 files: the run-wide budget (item 6).
        "laughs-across-files" => (0..64)
            .map(|n| write(&format!("laughs{n}.yaml"), laughs_document(n).as_bytes()))
            .collect(),
        // A 3.2 MB one-line flow sequence (item 7).
        "long-flow-line" => {
            let mut text =
                String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nx: [");
            text.push_str(&vec!["a"; 1_600_000].join(","));
            text.push_str("]\n");
            vec![write("flow.yaml", text.as_bytes())]
        }
        // The same, in a form the fast reader declines (a tag), so go-yaml's
        // scanner and parser read all of it.
        "long-flow-line-full-parser" => {
            let mut text =
                String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nx: !!seq [");
            text.push_str(&vec!["a"; 1_600_000].join(","));
            text.push_str("]\n");
            vec![write("flow.yaml", text.as_bytes())]
        }
        // 990 levels of flow nesting around 1.5 million items: go-yaml walks
        // every level's simple key for every token (quadratic); the scanner
        // walks only the possible ones.
        "deep-flow-many-items" => {
            let mut text =
                String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nx: ");
            text.push_str(&"[".repeat(990));
            text.push_str(&vec!["a"; 1_500_000].join(","));
            text.push_str(&"]".repeat(990));
            text.push('\n');
            vec![write("deep.yaml", text.as_bytes())]
        }
        // `a: b` twelve million times, 60 MB of duplicate keys (item 8).
        "duplicate-keys" => {
            let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
            text.push_str(&"a: b\n".repeat(12_000_000));
            vec![write("dups.yaml", text.as_bytes())]
        }
        // Four 60 MB files of ordinary manifests (item 9).
        "four-large-files" => {
            let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  labels: {app: web, tier: frontend}\n  annotations:\n    description: a web front end whose annotation pads the object to about a kilobyte, as real manifests with their checksums and tooling notes often are\n    checksum/config: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n    checksum/secret: fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 8080\n        securityContext:\n          runAsNonRoot: true\n          allowPrivilegeEscalation: false\n---\n";
            let copies = 60 * 1024 * 1024 / deployment.len();
            let text = deployment.repeat(copies);
            (0..4)
                .map(|n| write(&format!("big{n}.yaml"), text.as_bytes()))
                .collect()
        }
        other => panic!("unknown case {other}"),
    }
}

const CASES: &[&str] = &[
    "laughs-across-documents",
    "laughs-across-files",
    "long-flow-line",
    "long-flow-line-full-parser",
    "deep-flow-many-items",
    "duplicate-keys",
    "four-large-files",
];

/// Peak resident memory of this process so far, from /proc (Linux).
fn peak_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn run_case(name: &str) {
    let dir = std::env::temp_dir().join(format!("palisade-hostile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let files = case_input(name, &dir);
    let before = peak_mib().unwrap_or(0);
    let start = Instant::now();
    let outcome = if files.len() == 1 {
        let bytes = std::fs::read(&files[0]).expect("input");
        match load_bytes(Arc::from(name), &bytes, &Limits::default()) {
            Ok(load) => format!(
                "{} objects, {} notes kept, {} counted",
                load.objects.len(),
                load.findings.len(),
                load.notes_dropped
            ),
            Err(err) => format!("error: {}", err.message),
        }
    } else {
        let inputs: Vec<Input> = files.iter().cloned().map(Input::Path).collect();
        let loaded = load_inputs(&inputs, &Limits::default());
        match (&loaded.run_error, loaded.errors.first()) {
            (Some(message), _) => format!("run error: {message}"),
            (None, Some(err)) => format!(
                "{} objects, {} files refused, first: {}",
                loaded.objects.len(),
                loaded.errors.len(),
                err.message
            ),
            (None, None) => format!("{} objects", loaded.objects.len()),
        }
    };
    let elapsed = start.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{name:<26} {:>7.2} s  peak {:>5} MiB (input built: {before} MiB)  {outcome}",
        elapsed.as_secs_f64(),
        peak_mib().unwrap_or(0)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--case") {
        run_case(args.get(at + 1).map_or("", String::as_str));
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    println!("hostile inputs, each in its own process (goal: < 10 s and < 1 GB each)");
    for case in CASES {
        let out = Command::new(&exe)
            .args(["--case", case])
            .output()
            .expect("child");
        std::io::stdout().write_all(&out.stdout).expect("stdout");
        std::io::stderr().write_all(&out.stderr).expect("stderr");
    }
}
