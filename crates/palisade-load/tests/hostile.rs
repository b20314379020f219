//! The hostile inputs of the manifest-reader security review, at sizes a test can
//! afford: each must end in a clear error or a bounded result. Timings and peak
//! memory at full size are measured by `benches/hostile_inputs.rs`, not here.

use std::path::PathBuf;
use std::sync::Arc;

use palisade_load::{Input, Limits, load_bytes, load_inputs};

/// A billion-laughs document of `levels` levels, nine aliases each.
fn laughs(n: usize, levels: usize) -> String {
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    let mut doc = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol{n}\n");
    doc.push_str("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for pair in names[..levels].windows(2) {
        let alias = format!("*{}", pair[0]);
        doc.push_str(&format!(
            "{}: &{} [{}]\n",
            pair[1],
            pair[1],
            [alias.as_str(); 9].join(", ")
        ));
    }
    doc
}

/// A scratch folder of this test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("palisade-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn write(&self, file: &str, text: &str) -> Input {
        let path = self.0.join(file);
        std::fs::write(&path, text).expect("scratch file");
        Input::Path(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn alias_budget_holds_for_the_whole_file_not_each_document() {
    // One document copies about 16,000 nodes (the anchored collections are
    // copied once when remembered, again per alias): under a 20,000 budget alone,
    // far over it forty times in one file.
    let doc = laughs(0, 4);
    let limits = Limits {
        max_alias_nodes: 20_000,
        ..Limits::default()
    };
    let one =
        load_bytes(Arc::from("one.yaml"), doc.as_bytes(), &limits).expect("one document fits");
    assert_eq!(one.objects.len(), 1);
    assert!(
        one.alias_nodes > 1000 && one.alias_nodes <= 20_000,
        "{}",
        one.alias_nodes
    );

    let many: String = (0..40).map(|n| laughs(n, 4) + "---\n").collect();
    let err =
        load_bytes(Arc::from("many.yaml"), many.as_bytes(), &limits).expect_err("over budget");
    assert!(err.message.contains("max_alias_nodes = 20000"), "{err}");
    assert!(err.to_string().starts_with("many.yaml:"), "{err}");
}

#[test]
fn alias_budget_holds_for_the_whole_run() {
    let scratch = Scratch::new("alias-run");
    let inputs: Vec<Input> = (0..12)
        .map(|n| scratch.write(&format!("f{n}.yaml"), &laughs(n, 4)))
        .collect();
    let limits = Limits {
        max_total_alias_nodes: 50_000,
        ..Limits::default()
    };
    let loaded = load_inputs(&inputs, &limits);
    assert!(!loaded.errors.is_empty(), "the run must refuse some files");
    assert!(
        loaded
            .errors
            .iter()
            .all(|e| e.message.contains("max_total_alias_nodes = 50000"))
    );
    // Every file is either loaded whole or refused whole.
    assert_eq!(loaded.objects.len() + loaded.errors.len(), 12);
    let unlimited = load_inputs(&inputs, &Limits::default());
    assert!(unlimited.errors.is_empty());
    assert_eq!(unlimited.objects.len(), 12);
}

#[test]
fn long_flow_lines_are_read_whole() {
    // Both readers: the fast one, and go-yaml's parser (a tag makes the fast
    // one decline). Their time is linear; the bench measures 3.2 MB.
    for tag in ["", "!!seq "] {
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nx: {tag}[{}]\n",
            vec!["ab"; 100_000].join(",")
        );
        let load =
            load_bytes(Arc::from("flow.yaml"), text.as_bytes(), &Limits::default()).expect("reads");
        let items = load.objects[0]
            .root()
            .get("x")
            .and_then(|x| x.as_seq())
            .map(<[_]>::len);
        assert_eq!(items, Some(100_000), "tag {tag:?}");
    }
}

#[test]
fn reading_notes_are_capped_per_file_and_counted_beyond() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    text.push_str(&"a: b\n".repeat(20_000));
    let limits = Limits {
        max_notes: 100,
        ..Limits::default()
    };
    let load = load_bytes(Arc::from("dups.yaml"), text.as_bytes(), &limits).expect("reads");
    assert_eq!(load.findings.len(), 100);
    assert_eq!(load.notes_dropped, 20_000 - 1 - 100);
    // The last value wins, as in kubectl, whatever was kept.
    assert_eq!(
        load.objects[0].root().get("a").and_then(|a| a.as_str()),
        Some("b")
    );

    // Nobody asked for notes: none are built or counted.
    let quiet = Limits {
        collect_notes: false,
        ..Limits::default()
    };
    let load = load_bytes(Arc::from("dups.yaml"), text.as_bytes(), &quiet).expect("reads");
    assert!(load.findings.is_empty());
    assert_eq!(load.notes_dropped, 0);
}

#[test]
fn notes_cap_spans_documents() {
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\na: 1\na: 2\na: 3\n---\n";
    let limits = Limits {
        max_notes: 5,
        ..Limits::default()
    };
    let load = load_bytes(Arc::from("d.yaml"), doc.repeat(10).as_bytes(), &limits).expect("reads");
    assert_eq!(load.findings.len(), 5);
    assert_eq!(load.notes_dropped, 20 - 5);
}

#[test]
fn the_run_has_a_total_input_budget_checked_before_reading() {
    let scratch = Scratch::new("total-bytes");
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n";
    let inputs: Vec<Input> = (0..4)
        .map(|n| scratch.write(&format!("f{n}.yaml"), &doc.repeat(100)))
        .collect();
    let total = (doc.len() * 100 * 4) as u64;
    let limits = Limits {
        max_total_bytes: total - 1,
        ..Limits::default()
    };
    let loaded = load_inputs(&inputs, &limits);
    let message = loaded.run_error.expect("over budget");
    assert!(
        message.contains(&format!("max_total_bytes = {}", total - 1)),
        "{message}"
    );
    assert!(message.contains(&total.to_string()), "{message}");
    assert!(loaded.objects.is_empty() && loaded.files == 0);

    let fits = load_inputs(
        &inputs,
        &Limits {
            max_total_bytes: total,
            ..limits
        },
    );
    assert!(fits.run_error.is_none());
    assert_eq!(fits.objects.len(), 400);
}

#[test]
fn a_missing_file_is_named_without_a_position() {
    let loaded = load_inputs(
        &[Input::Path(PathBuf::from("no/such/file.yaml"))],
        &Limits::default(),
    );
    let err = &loaded.errors[0];
    assert!(!err.pos.is_known());
    assert!(err.to_string().starts_with("no/such/file.yaml: "), "{err}");
}

/// A byte-order mark at the start of go-yaml's read buffer makes kubectl drop the
/// first character of column-0 lines (`xspec:` becomes `spec:`), depending on
/// where its 512-byte reads end. Such files are refused, marked as files kubectl
/// may read, so that no caller skips them; elsewhere a BOM is content.
#[test]
fn a_byte_order_mark_at_the_read_buffer_start_is_refused_unskippably() {
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    // kubectl's file reader drops one BOM and go-yaml's reader another: two are
    // harmless, a third starts go-yaml's buffer.
    let two = format!("\u{feff}\u{feff}{doc}");
    assert!(load_bytes(Arc::from("b.yaml"), two.as_bytes(), &Limits::default()).is_ok());
    let three = format!("\u{feff}\u{feff}\u{feff}{doc}");
    let err =
        load_bytes(Arc::from("b.yaml"), three.as_bytes(), &Limits::default()).expect_err("refused");
    assert!(err.kubectl_may_accept, "{err}");
    assert!(err.message.contains("byte-order mark"), "{err}");

    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    pad: ";
    let with_bom_ending_at = |end: usize| {
        let pad = "p".repeat(end - 3 - head.len());
        format!("{head}{pad}\u{feff}\nxdata:\n  b: c\n")
    };
    for end in [512, 1024] {
        let text = if end == 512 {
            with_bom_ending_at(end)
        } else {
            // Push the same tail past the second window's end.
            let filler = format!("    more: {}\n", "m".repeat(512 - 11));
            let base = with_bom_ending_at(512 - filler.len() + 512);
            base.replacen("    pad: ", &format!("{filler}    pad: "), 1)
        };
        assert_eq!(
            &text.as_bytes()[end - 3..end],
            "\u{feff}".as_bytes(),
            "at {end}"
        );
        let err = load_bytes(Arc::from("w.yaml"), text.as_bytes(), &Limits::default())
            .expect_err("a BOM at a read window's end is refused");
        assert!(err.kubectl_may_accept, "{err}");
    }
    // Well inside a window, a BOM is content and the reading is kubectl's.
    let inside = with_bom_ending_at(480);
    let load =
        load_bytes(Arc::from("i.yaml"), inside.as_bytes(), &Limits::default()).expect("reads");
    assert!(load.objects[0].root().get("xdata").is_some());
}

/// Keys of different Go types that print alike (`on` and `"true"`, `1` and
/// `"1"`, `1.0` and `1`) are two keys to go-yaml; the JSON conversion keeps one of
/// them in Go's random map order, so kubectl's answer changes from run to run
/// (measured: 2 runs in 30 differ). Palisade refuses, unskippably; keys of the
/// same type are ordinary duplicates, and a mapping a later key replaces is
/// never converted, so it cannot collide.
#[test]
fn keys_that_collide_only_in_json_are_refused() {
    let doc =
        |body: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n{body}\n");
    for body in [
        "on: a\n\"true\": b",
        "1: a\n\"1\": b",
        "1.0: a\n1: b",
        "!!str true: a\ntrue: b",
    ] {
        let err = load_bytes(
            Arc::from("c.yaml"),
            doc(body).as_bytes(),
            &Limits::default(),
        )
        .expect_err(body);
        assert!(err.kubectl_may_accept, "{body}: {err}");
        assert!(err.message.contains("random map order"), "{body}: {err}");
    }
    for (body, key, value) in [
        ("on: a\nyes: b", "true", "b"),
        ("1: a\n0x1: b", "1", "b"),
        ("x: {on: a, \"true\": b}\nx: c", "x", "c"),
    ] {
        let load = load_bytes(
            Arc::from("d.yaml"),
            doc(body).as_bytes(),
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(
            load.objects[0].root().get(key).and_then(|v| v.as_str()),
            Some(value),
            "{body}"
        );
    }
}

/// Deep flow nesting around many items reads whole and keeps every level's key:
/// the scanner tracks only the simple keys still possible (go-yaml walks every
/// level for every token; the bench measures that input at full size).
#[test]
fn deep_flow_nesting_with_many_items_reads_whole() {
    let depth = 200;
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nx: ");
    text.push_str(&"{k: ".repeat(depth));
    text.push('[');
    text.push_str(&["a"; 20_000].join(","));
    text.push(']');
    text.push_str(&"}".repeat(depth));
    text.push('\n');
    let load =
        load_bytes(Arc::from("deep.yaml"), text.as_bytes(), &Limits::default()).expect("reads");
    let mut node = load.objects[0].root().get("x").expect("x");
    for _ in 0..depth {
        node = node.get("k").expect("every level keeps its key");
    }
    assert_eq!(node.as_seq().map(<[_]>::len), Some(20_000));
}
