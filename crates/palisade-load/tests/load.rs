//! Behaviour of the loader that the kubectl goldens cannot show: positions,
//! limits, findings, and walking inputs.

use std::path::PathBuf;
use std::sync::Arc;

use palisade_core::{Pos, Severity};
use palisade_load::{Input, Limits, LoadError, load_bytes, load_inputs};

fn load(text: &str) -> Result<palisade_load::FileLoad, LoadError> {
    load_bytes(Arc::from("t.yaml"), text.as_bytes(), &Limits::default())
}

fn load_ok(text: &str) -> palisade_load::FileLoad {
    match load(text) {
        Ok(l) => l,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  key: value\n  quoted: \"x\"\n";

// ---------- positions ----------

#[test]
fn keys_and_values_have_their_line_and_column() {
    let load = load_ok(CM);
    let root = load.objects[0].root();
    assert_eq!(root.pos, Pos::new(1, 1));
    let data = root
        .get("data")
        .map(|n| n.as_map().map(|m| m.get_entry("key")));
    let (key, value) = data.flatten().flatten().expect("data.key");
    assert_eq!(key.pos, Pos::new(6, 3));
    assert_eq!(value.pos, Pos::new(6, 8));
    assert_eq!(
        root.path(&["data", "quoted"]).map(|n| n.pos),
        Some(Pos::new(7, 11))
    );
    assert_eq!(
        root.path(&["metadata", "name"]).map(|n| n.pos),
        Some(Pos::new(4, 9))
    );
}

#[test]
fn positions_count_lines_of_earlier_documents() {
    let text = format!("# comment\n---\n{CM}---\n\n{CM}");
    let load = load_ok(&text);
    assert_eq!(load.objects.len(), 2);
    assert_eq!(load.objects[0].source().pos, Pos::new(3, 1));
    // Second document: CM starts on line 3 + 7 (CM lines) + 1 (`---`) + 1 (blank) = 12.
    assert_eq!(load.objects[1].source().pos, Pos::new(12, 1));
    assert_eq!(
        load.objects[1].root().path(&["data", "key"]).map(|n| n.pos),
        Some(Pos::new(17, 8))
    );
}

#[test]
fn positions_ignore_the_bom_and_survive_crlf() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(CM.replace('\n', "\r\n").as_bytes());
    let load = load_bytes(Arc::from("bom.yaml"), &bytes, &Limits::default()).expect("loads");
    let root = load.objects[0].root();
    assert_eq!(root.pos, Pos::new(1, 1));
    assert_eq!(
        root.path(&["data", "key"]).map(|n| n.pos),
        Some(Pos::new(6, 8))
    );
    assert_eq!(
        root.path(&["data", "key"]).and_then(|n| n.as_str()),
        Some("value")
    );
}

#[test]
fn positions_in_utf16_and_json_files() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(CM.encode_utf16().flat_map(u16::to_le_bytes));
    let load = load_bytes(Arc::from("u16.yaml"), &bytes, &Limits::default()).expect("loads");
    assert_eq!(
        load.objects[0].root().path(&["data", "key"]).map(|n| n.pos),
        Some(Pos::new(6, 8))
    );

    let json = "{\n  \"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"é\", \"x\": 1}\n}\n{\"kind\": \"Namespace\", \"apiVersion\": \"v1\"}";
    let load = load_ok(json);
    assert_eq!(load.objects.len(), 2);
    let root = load.objects[0].root();
    assert_eq!(
        root.path(&["metadata", "x"]).map(|n| n.pos),
        Some(Pos::new(3, 34))
    );
    assert_eq!(load.objects[1].source().pos, Pos::new(5, 1));
}

#[test]
fn list_items_carry_their_own_position() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}\n";
    let load = load_ok(text);
    let positions: Vec<Pos> = load.objects.iter().map(|o| o.source().pos).collect();
    assert_eq!(positions, [Pos::new(4, 3), Pos::new(7, 3)]);
    assert_eq!(load.objects[1].kind(), "Secret");
}

#[test]
fn errors_name_file_line_and_column() {
    let err = load("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: .inf\n").expect_err("error");
    assert_eq!((err.pos.line, err.pos.col), (4, 6));
    assert!(err.to_string().starts_with("t.yaml:4:6: "), "{err}");
    assert!(err.message.contains("+Inf"), "{err}");

    let err = load(&format!("{CM}--- {{a: 1}}\n")).expect_err("error");
    assert_eq!(err.pos.line, 8);
    assert!(
        err.message.contains("invalid Yaml document separator"),
        "{err}"
    );

    let err =
        load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n").expect_err("tab error");
    assert_eq!(err.pos.line, 4, "{err}");

    let err = load("kind: A\na: &x 1\n---\nkind: B\nb: *x\n").expect_err("anchor error");
    assert_eq!(err.pos.line, 5, "{err}");
    assert!(err.message.contains("anchor"), "{err}");

    let err = load("apiVersion: v1\nmetadata: {}\n").expect_err("kind error");
    assert!(err.message.contains("'Kind' is missing"), "{err}");
}

// ---------- limits ----------

fn billion_laughs() -> String {
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text
}

#[test]
fn billion_laughs_fails_on_the_alias_budget() {
    let err = load(&billion_laughs()).expect_err("must fail");
    assert!(err.message.contains("max_alias_nodes = 1000000"), "{err}");
    assert!(err.message.contains("excessive aliasing"), "{err}");

    // A small budget is enforced exactly too.
    let limits = Limits {
        max_alias_nodes: 50,
        ..Limits::default()
    };
    let text = "apiVersion: v1\nkind: ConfigMap\na: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a]\n";
    let err = load_bytes(Arc::from("x"), text.as_bytes(), &limits).expect_err("over budget");
    assert!(err.message.contains("max_alias_nodes = 50"), "{err}");
    let ok = "apiVersion: v1\nkind: ConfigMap\na: &a [1, 2]\nb: [*a, *a]\n";
    assert!(load_bytes(Arc::from("x"), ok.as_bytes(), &limits).is_ok());
}

#[test]
fn deep_nesting_fails_fast_without_overflowing_the_stack() {
    for text in [
        format!("a: {}", "[".repeat(1 << 20)),
        format!("a: {}", "{b: ".repeat(200_000)),
        (0..5000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect::<String>(),
        (0..5000)
            .map(|i| format!("{}-\n", " ".repeat(i)))
            .collect::<String>(),
    ] {
        let err = load(&text).expect_err("must fail");
        assert!(err.message.contains("max_depth = 1000"), "{}", err.message);
    }
    // Also through JSON and through an alias.
    let err = load(&format!("{{\"a\": {}", "[".repeat(1 << 20))).expect_err("json depth");
    assert!(err.message.contains("max_depth"), "{err}");
    let limits = Limits {
        max_depth: 4,
        ..Limits::default()
    };
    let text = "kind: X\na: &a [[1]]\nb: [[*a]]\n";
    let err = load_bytes(Arc::from("x"), text.as_bytes(), &limits).expect_err("alias depth");
    assert!(err.message.contains("max_depth = 4"), "{err}");
}

#[test]
fn too_many_documents() {
    let limits = Limits {
        max_documents: 3,
        ..Limits::default()
    };
    let ok = format!("{CM}---\n{CM}---\n{CM}");
    assert!(load_bytes(Arc::from("x"), ok.as_bytes(), &limits).is_ok());
    let bad = format!("{ok}---\n{CM}");
    let err = load_bytes(Arc::from("x"), bad.as_bytes(), &limits).expect_err("too many");
    assert!(err.message.contains("max_documents = 3"), "{err}");
    // Empty documents count: a file of separators is not free.
    let err = load_bytes(
        Arc::from("x"),
        "a: 1\n---\n\n---\n\n---\n\n---\n".as_bytes(),
        &limits,
    )
    .err();
    assert!(err.is_some());
    let json = "{\"kind\": \"A\"} {\"kind\": \"A\"} {\"kind\": \"A\"} {\"kind\": \"A\"}";
    assert!(load_bytes(Arc::from("x"), json.as_bytes(), &limits).is_err());
}

#[test]
fn too_big_a_file() {
    let limits = Limits {
        max_file_bytes: 16,
        ..Limits::default()
    };
    let err = load_bytes(Arc::from("x"), CM.as_bytes(), &limits).expect_err("too big");
    assert!(err.message.contains("max_file_bytes = 16"), "{err}");

    let dir = TempDir::new("toobig");
    let path = dir.file("big.yaml", CM);
    let loaded = load_inputs(&[Input::Path(path)], &limits);
    assert_eq!(loaded.objects.len(), 0);
    assert_eq!(loaded.errors.len(), 1);
    assert!(loaded.errors[0].message.contains("max_file_bytes = 16"));
}

// ---------- findings ----------

#[test]
fn duplicate_key_finding_names_both_lines_and_the_object() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers:\n  - name: c\n    securityContext:\n      privileged: false\n      privileged: true\n";
    let load = load_ok(text);
    let privileged = load.objects[0]
        .root()
        .path(&["spec", "containers"])
        .and_then(|c| c.items().next())
        .and_then(|c| c.path(&["securityContext", "privileged"]))
        .and_then(|n| n.as_bool());
    assert_eq!(privileged, Some(true), "kubectl keeps the last value");
    let dups: Vec<_> = load
        .findings
        .iter()
        .filter(|f| f.rule == "yaml/duplicate-key")
        .collect();
    assert_eq!(dups.len(), 1);
    let f = dups[0];
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.line_column(), Some((9, 7)));
    assert!(
        f.message.contains("lines 8 and 9") && f.message.contains("`privileged`"),
        "{}",
        f.message
    );
    assert!(f.message.contains("last"), "{}", f.message);
    let object = f.object.as_ref().expect("object");
    assert_eq!(
        (
            object.kind.as_str(),
            object.name.as_str(),
            object.namespace.as_deref()
        ),
        ("Pod", "p", Some("ns"))
    );

    let load = load_ok(&format!("{CM}  key: again\n"));
    let f = load
        .findings
        .iter()
        .find(|f| f.rule == "yaml/duplicate-key")
        .expect("dup");
    assert_eq!(f.severity, Severity::Medium);
    assert!(f.message.contains("lines 6 and 8"), "{}", f.message);
}

#[test]
fn merge_override_is_reported_only_when_the_merge_comes_later() {
    let later = "kind: X\nbase: &b {x: merged}\nm:\n  x: explicit\n  <<: *b\n";
    let load = load_ok(later);
    assert_eq!(
        load.objects[0]
            .root()
            .path(&["m", "x"])
            .and_then(|n| n.as_str()),
        Some("merged")
    );
    let f = load
        .findings
        .iter()
        .find(|f| f.rule == "yaml/merge-override")
        .expect("finding");
    assert_eq!(f.line_column().map(|(line, _)| line), Some(4));
    assert!(
        f.message.contains("line 5") && f.message.contains("`x`"),
        "{}",
        f.message
    );

    let earlier = "kind: X\nbase: &b {x: merged}\nm:\n  <<: *b\n  x: explicit\n";
    let load = load_ok(earlier);
    assert_eq!(
        load.objects[0]
            .root()
            .path(&["m", "x"])
            .and_then(|n| n.as_str()),
        Some("explicit")
    );
    assert!(load.findings.is_empty(), "{:?}", load.findings);
}

#[test]
fn yaml11_coercions_are_reported_with_context_dependent_severity() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsUser: 0755\n    runAsNonRoot: yes\n  hostNetwork: on\n  x: y\n  n: 1_000\n  q: \"yes\"\n  t: true\n";
    let load = load_ok(text);
    let coercions: Vec<_> = load
        .findings
        .iter()
        .filter(|f| f.rule == "yaml/yaml11-coercion")
        .collect();
    let lines: Vec<(u32, Severity)> = coercions
        .iter()
        .map(|f| (f.line_column().map_or(0, |(line, _)| line), f.severity))
        .collect();
    assert_eq!(
        lines,
        [
            (6, Severity::Medium),
            (7, Severity::Medium),
            (8, Severity::Medium),
            (9, Severity::Low),
            (10, Severity::Low),
            (10, Severity::Low)
        ]
    );
    assert!(
        coercions[0].message.contains("493"),
        "{}",
        coercions[0].message
    );
    assert!(coercions.iter().all(|f| {
        f.remediation
            .as_deref()
            .is_some_and(|r| r.contains("quote") || r.contains("Quote"))
    }));
    let root = load.objects[0].root();
    assert_eq!(
        root.path(&["spec", "securityContext", "runAsUser"])
            .and_then(|n| n.as_i64()),
        Some(493)
    );
    assert_eq!(
        root.path(&["spec", "x"]).and_then(|n| n.as_bool()),
        Some(true)
    );
    assert_eq!(
        root.path(&["spec", "false"]).and_then(|n| n.as_i64()),
        Some(1000),
        "key `n` is false"
    );
    assert_eq!(
        root.path(&["spec", "q"]).and_then(|n| n.as_str()),
        Some("yes")
    );
}

// ---------- inputs ----------

/// A scratch directory removed on drop (std only).
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("palisade-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("tempdir");
        TempDir(path)
    }

    fn file(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn named(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n")
}

#[test]
fn directories_are_walked_sorted_and_filtered() {
    let dir = TempDir::new("walk");
    dir.file("b.yaml", &named("b"));
    dir.file("a.yml", &named("a"));
    dir.file(
        "sub/c.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}",
    );
    dir.file(
        "sub/deeper/d.yaml",
        &format!("{}---\n{}", named("d1"), named("d2")),
    );
    dir.file("z.yaml", &named("z"));
    dir.file("notes.txt", &named("ignored"));
    dir.file("broken.yaml", "a: [\n");
    let explicit = dir.file("explicit.txt", &named("explicit"));
    let missing = dir.0.join("missing.yaml");

    let loaded = load_inputs(
        &[
            Input::Path(explicit),
            Input::Path(dir.0.clone()),
            Input::Path(missing),
        ],
        &Limits::default(),
    );
    let names: Vec<&str> = loaded.objects.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["explicit", "a", "b", "c", "d1", "d2", "z"]);
    assert_eq!(loaded.files, 7, "explicit + a, b, broken, c, d, z");
    assert_eq!(loaded.errors.len(), 2, "{:?}", loaded.errors);
    assert!(loaded.errors[0].file.ends_with("broken.yaml"));
    assert!(loaded.errors[0].pos.is_known());
    assert!(loaded.errors[1].file.ends_with("missing.yaml"));
    assert_eq!(loaded.errors[1].pos, Pos::default());
    let expected_bytes: u64 = std::fs::read_dir(&dir.0)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.path().extension().is_some_and(|x| x != "txt") || e.file_name() == "explicit.txt"
        })
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum::<u64>()
        + std::fs::metadata(dir.0.join("sub/c.json"))
            .map(|m| m.len())
            .unwrap_or(0)
        + std::fs::metadata(dir.0.join("sub/deeper/d.yaml"))
            .map(|m| m.len())
            .unwrap_or(0);
    assert_eq!(loaded.bytes, expected_bytes);
    // Object sources name their files.
    assert!(loaded.objects[4].source().file.ends_with("d.yaml"));
    assert_eq!(loaded.objects[5].source().pos, Pos::new(5, 1));
}

#[test]
fn walks_honour_gitignore_hidden_directories_node_modules_and_excludes() {
    let dir = TempDir::new("walk-ignore");
    dir.file(".gitignore", "out/\n");
    dir.file("out/a.yaml", &named("gitignored"));
    dir.file(".git/b.yaml", &named("git"));
    dir.file(".hidden/c.yaml", &named("hidden"));
    dir.file("node_modules/pkg/d.yaml", &named("npm"));
    dir.file("vendor/e.yaml", &named("vendor"));
    dir.file("deep/tests/f.yaml", &named("tests"));
    dir.file("deep/g.yaml", &named("kept"));
    let options = palisade_load::InputOptions {
        exclude: vec!["vendor".to_owned(), "deep/tests/**".to_owned()],
        ..Default::default()
    };
    let loaded = palisade_load::load_inputs_with(
        &[Input::Path(dir.0.clone())],
        &Limits::default(),
        &options,
    );
    let names: Vec<&str> = loaded.objects.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["kept"], "{:?}", loaded.errors);
    assert_eq!(loaded.files, 1);
    // Without the excludes, only the two excluded files come back.
    let loaded = load_inputs(&[Input::Path(dir.0.clone())], &Limits::default());
    let names: Vec<&str> = loaded.objects.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["kept", "tests", "vendor"]);
}

#[test]
fn walked_files_without_apiversion_or_kind_are_skipped_and_named_ones_fail() {
    let dir = TempDir::new("walk-plain");
    let package = dir.file("package.json", "{\"name\": \"x\", \"private\": true}");
    dir.file("values.yaml", "replicas: 2\n---\nimage: {tag: x}\n");
    dir.file("list.yaml", "- a\n- b\n");
    // These look like manifests gone wrong: errors, not skips.
    dir.file("kindless.yaml", "apiVersion: v1\nmetadata: {name: x}\n");
    dir.file(
        "template.yaml",
        "kind: Pod\nmetadata:\n  name: {{ .Values.name }}\n  labels: [\n",
    );
    dir.file(
        "mixed.yaml",
        "replicas: 2\n---\napiVersion: v1\nmetadata: {name: y}\n",
    );
    dir.file("ok.yaml", &named("ok"));
    let loaded = load_inputs(&[Input::Path(dir.0.clone())], &Limits::default());
    let skipped: Vec<String> = loaded
        .skipped
        .iter()
        .map(|s| s.file.rsplit('/').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(skipped, ["list.yaml", "package.json", "values.yaml"]);
    let failed: Vec<String> = loaded
        .errors
        .iter()
        .map(|e| e.file.rsplit('/').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(failed, ["kindless.yaml", "mixed.yaml", "template.yaml"]);
    assert_eq!(loaded.objects.len(), 1);
    assert_eq!(loaded.files, 7, "skipped files were read too");

    let named = load_inputs(&[Input::Path(package)], &Limits::default());
    assert!(named.skipped.is_empty());
    assert_eq!(named.errors.len(), 1);
    assert!(
        named.errors[0].message.contains("Kind"),
        "{:?}",
        named.errors
    );
}

#[test]
fn a_kustomization_is_rendered_once_and_its_files_are_not_read_raw() {
    let dir = TempDir::new("walk-kustomize");
    dir.file(
        "app/kustomization.yaml",
        "resources:\n- cm.yaml\npatches:\n- path: patches/cm-patch.yaml\n",
    );
    dir.file("app/cm.yaml", &named("app"));
    dir.file(
        "app/patches/cm-patch.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {patched: \"yes\"}\n",
    );
    dir.file("plain.yaml", &named("plain"));
    let loaded = load_inputs(&[Input::Path(dir.0.clone())], &Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let names: Vec<&str> = loaded.objects.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["app", "plain"]);
    let app = &loaded.objects[0];
    assert_eq!(
        app.root()
            .path(&["data", "patched"])
            .and_then(|n| n.as_str()),
        Some("yes"),
        "the patch is merged, not read as an object"
    );
    let expected = format!(
        "{} (rendered by kubectl kustomize)",
        dir.0.join("app").display()
    );
    assert_eq!(&*app.source().file, expected.as_str());
    assert_eq!(loaded.files, 2);
}

#[test]
fn a_render_failure_names_the_directory_and_may_be_skipped() {
    let dir = TempDir::new("walk-kustomize-broken");
    dir.file("app/kustomization.yaml", "resources:\n- missing.yaml\n");
    let loaded = load_inputs(&[Input::Path(dir.0.clone())], &Limits::default());
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    let err = &loaded.errors[0];
    assert!(err.file.ends_with("app"), "{err}");
    assert!(err.message.starts_with("kubectl failed"), "{err}");
    assert!(err.message.contains("missing.yaml"), "{err}");
    assert!(err.may_skip(), "kubectl ran: the failure is the input's");
}
