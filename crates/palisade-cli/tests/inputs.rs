//! The inputs users have, as `palisade scan` meets them: Helm charts (rendered
//! through `helm template`, here a stand-in script in `tests/fake-helm` since
//! helm is not installed on the test machines; without it, for real, an error),
//! kustomizations (rendered through the real `kubectl kustomize`), directory
//! walks that honour `.gitignore`, `node_modules`, `.git` and `--exclude`,
//! walked files that are not manifests, and inputs without a single object.
//! Scans run `--analyzers pss` so that only Pod Security findings, which these
//! fixtures are built to produce or avoid, are counted.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{json_of, repo_root, tempdir};
use serde_json::Value;

/// Runs `palisade ARGS` from `cwd` with `PATH` set to `path` (`None`: inherited).
fn palisade_in(cwd: &Path, path: Option<&OsStr>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_palisade"));
    command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env_remove("FAKE_HELM_FAIL");
    if let Some(path) = path {
        command.env("PATH", path);
    }
    command.output().expect("the palisade binary runs")
}

/// `PATH` with the fake helm first.
fn path_with_fake_helm() -> std::ffi::OsString {
    let fake = repo_root().join("crates/palisade-cli/tests/fake-helm");
    let mut dirs = vec![fake];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).expect("a joinable PATH")
}

/// A `PATH` with nothing on it: neither helm nor kubectl can be run.
fn empty_path(name: &str) -> PathBuf {
    tempdir("palisade-inputs-empty-path", name)
}

fn write(root: &Path, rel: &str, text: &str) -> PathBuf {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
    path
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn findings(report: &Value) -> Vec<Value> {
    report["findings"].as_array().cloned().unwrap_or_default()
}

/// The distinct files the findings name.
fn files(report: &Value) -> Vec<String> {
    let mut files: Vec<String> = findings(report)
        .iter()
        .filter_map(|f| f["file"].as_str().map(str::to_owned))
        .collect();
    files.sort();
    files.dedup();
    files
}

fn privileged_pod(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    securityContext:\n      privileged: true\n"
    )
}

// ---------- Helm ----------

/// A chart directory as `helm create` lays it out (the templates are never read).
fn chart(root: &Path) -> PathBuf {
    let dir = root.join("charts/web");
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(&dir, "values.yaml", "image:\n  tag: \"1.27\"\n");
    write(
        &dir,
        "templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    dir
}

#[test]
fn a_chart_renders_through_helm_with_its_arguments_and_findings_name_the_template() {
    let root = tempdir("palisade-inputs", "helm");
    let dir = chart(&root);
    write(&root, "prod-values.yaml", "replicas: 3\n");
    write(&root, "plain/pod.yaml", &privileged_pod("plain"));
    let recorded = root.join("helm-args.txt");
    let mut command = Command::new(env!("CARGO_BIN_EXE_palisade"));
    let output = command
        .args([
            "scan",
            ".",
            "--analyzers",
            "pss",
            "-o",
            "json",
            "-n",
            "shop",
            "--helm-release",
            "web",
            "--helm-values",
            "prod-values.yaml",
            "--helm-set",
            "image.tag=1.28",
            "--helm-set",
            "replicas=2",
        ])
        .current_dir(&root)
        .env("PATH", path_with_fake_helm())
        .env("FAKE_HELM_ARGS", &recorded)
        .env_remove("FAKE_HELM_FAIL")
        .output()
        .expect("palisade runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    // The flags reach helm, before `--` and the release and chart.
    let args = std::fs::read_to_string(&recorded).expect("the fake helm ran");
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(
        args,
        [
            "template",
            "--namespace",
            "shop",
            "--values",
            "prod-values.yaml",
            "--set",
            "image.tag=1.28",
            "--set",
            "replicas=2",
            "--",
            "web",
            "./charts/web",
        ]
    );

    let report = json_of(&output);
    // The Service and the Deployment helm printed, and the plain Pod; no chart
    // file (Chart.yaml, values.yaml, a template) was read as a manifest.
    assert_eq!(report["summary"]["objects"], 3);
    let template = format!(
        "{} (rendered by helm)",
        Path::new(".")
            .join("charts/web/templates/deployment.yaml")
            .display()
    );
    assert_eq!(
        files(&report),
        [template.clone(), "./plain/pod.yaml".to_owned()]
    );
    // The line is the line in what that template rendered to, `---` first.
    let fake =
        std::fs::read_to_string(repo_root().join("crates/palisade-cli/tests/fake-helm/helm"))
            .expect("the fake helm");
    let from_header = fake
        .lines()
        .skip_while(|l| *l != "# Source: web/templates/deployment.yaml")
        .position(|l| l.trim() == "privileged: true")
        .expect("the fake deployment is privileged");
    let privileged = findings(&report)
        .into_iter()
        .find(|f| f["rule"] == "pss/privileged" && f["file"] == template.as_str())
        .expect("the rendered deployment is privileged");
    assert_eq!(privileged["line"], from_header + 2, "`---` is line 1");
    assert_eq!(privileged["object"]["namespace"], "shop", "-n places it");
    drop(dir);
}

#[test]
fn a_chart_given_directly_or_by_its_chart_yaml_renders() {
    let root = tempdir("palisade-inputs", "helm-direct");
    let dir = chart(&root);
    for input in [dir.clone(), dir.join("Chart.yaml")] {
        let input = input.to_str().expect("utf-8 path");
        let output = palisade_in(
            &root,
            Some(&path_with_fake_helm()),
            &["scan", input, "--analyzers", "pss", "-o", "json"],
        );
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let report = json_of(&output);
        assert_eq!(report["summary"]["objects"], 2, "{input}");
        assert_eq!(report["summary"]["files"], 2, "one per template");
    }
}

#[test]
fn a_failing_render_is_an_error_with_helms_message() {
    let root = tempdir("palisade-inputs", "helm-fails");
    let dir = chart(&root);
    let output = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["scan", dir.to_str().expect("utf-8"), "--analyzers", "pss"])
        .env("PATH", path_with_fake_helm())
        .env("FAKE_HELM_FAIL", "1")
        .output()
        .expect("palisade runs");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("helm failed"), "{err}");
    assert!(err.contains("nil pointer evaluating"), "{err}");
}

#[test]
fn a_chart_without_helm_stops_with_how_to_render_it() {
    let root = tempdir("palisade-inputs", "no-helm");
    chart(&root);
    write(&root, "plain/pod.yaml", &privileged_pod("plain"));
    let path = empty_path("no-helm");
    for extra in [None, Some("--ignore-invalid")] {
        let mut args = vec!["scan", ".", "--analyzers", "pss"];
        args.extend(extra);
        let output = palisade_in(&root, Some(path.as_os_str()), &args);
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        let err = stderr(&output);
        assert!(
            err.contains("./charts/web: this directory is a Helm chart (it holds Chart.yaml)"),
            "{err}"
        );
        assert!(
            err.contains("helm template NAME ./charts/web | palisade scan -"),
            "{err}"
        );
        assert!(
            output.stdout.is_empty(),
            "no report, not even a partial one"
        );
    }
}

// ---------- kustomize ----------

/// A base Deployment that passes Pod Security restricted, and an overlay whose
/// patch changes only the image. Read raw, the patch is a Deployment whose
/// container sets nothing, which restricted would flag four times.
fn kustomize_tree(root: &Path) {
    write(
        root,
        "base/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\n",
    );
    write(
        root,
        "base/deployment.yaml",
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: app
        image: app:1
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
",
    );
    write(
        root,
        "overlays/prod/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: prod-
resources:
- ../../base
patches:
- path: image.yaml
# components:
# - ../../components/debug
",
    );
    write(
        root,
        "overlays/prod/image.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:2\n",
    );
    // A component that would add a privileged Pod, listed by nobody.
    write(
        root,
        "components/debug/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- debug-pod.yaml\n",
    );
    write(
        root,
        "components/debug/debug-pod.yaml",
        &privileged_pod("debug"),
    );
}

#[test]
fn a_kustomize_overlay_is_rendered_not_read_raw() {
    let root = tempdir("palisade-inputs", "kustomize");
    kustomize_tree(&root);
    // Read raw, the patch alone draws restricted findings: the fixture can fail.
    let raw = palisade_in(
        &root,
        None,
        &[
            "scan",
            "overlays/prod/image.yaml",
            "--analyzers",
            "pss",
            "-o",
            "json",
        ],
    );
    assert_eq!(raw.status.code(), Some(1), "{}", stderr(&raw));
    assert!(!findings(&json_of(&raw)).is_empty());

    let output = palisade_in(
        &root,
        None,
        &["scan", "overlays/prod", "--analyzers", "pss", "-o", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json_of(&output);
    assert!(findings(&report).is_empty(), "{report:#}");
    // One Deployment: not the Kustomization, not the patch as a second one.
    assert_eq!(report["summary"]["objects"], 1);
    assert_eq!(report["summary"]["files"], 1);

    // `--no-render` reads the directory file by file: the Kustomization and
    // the patch are objects, and the patch draws its findings.
    let raw = palisade_in(
        &root,
        None,
        &[
            "scan",
            "overlays/prod",
            "--no-render",
            "--analyzers",
            "pss",
            "-o",
            "json",
        ],
    );
    assert_eq!(raw.status.code(), Some(1), "{}", stderr(&raw));
    let report = json_of(&raw);
    assert_eq!(report["summary"]["objects"], 2);
    assert_eq!(files(&report), ["overlays/prod/image.yaml"]);
}

#[test]
fn walking_renders_each_kustomization_and_leaves_components_and_patches_alone() {
    let root = tempdir("palisade-inputs", "kustomize-walk");
    kustomize_tree(&root);
    let output = palisade_in(
        &root,
        None,
        &["scan", ".", "--analyzers", "pss", "-o", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json_of(&output);
    // The base on its own and the overlay: two Deployments; the commented-out
    // component's privileged Pod is not among them.
    assert!(findings(&report).is_empty(), "{report:#}");
    assert_eq!(report["summary"]["objects"], 2);
    let err = stderr(&output);
    assert!(
        err.contains("note: skipped ./components/debug: a kustomize Component"),
        "{err}"
    );
}

#[test]
fn kustomize_findings_name_the_overlay_and_the_line_of_its_output() {
    let root = tempdir("palisade-inputs", "kustomize-finding");
    kustomize_tree(&root);
    write(
        &root,
        "overlays/debug/kustomization.yaml",
        "resources:\n- ../../base\ncomponents:\n- ../../components/debug\n",
    );
    let output = palisade_in(
        &root,
        None,
        &[
            "scan",
            "overlays/debug",
            "--analyzers",
            "pss/privileged",
            "-o",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    let all = findings(&report);
    assert_eq!(all.len(), 1, "{report:#}");
    assert_eq!(
        all[0]["file"],
        "overlays/debug (rendered by kubectl kustomize)"
    );
    assert_eq!(all[0]["object"]["name"], "debug");
    let rendered = Command::new("kubectl")
        .args(["kustomize", "overlays/debug"])
        .current_dir(&root)
        .output()
        .expect("kubectl runs");
    let line = String::from_utf8_lossy(&rendered.stdout)
        .lines()
        .position(|l| l.trim() == "privileged: true")
        .expect("the rendered output holds the privileged pod");
    assert_eq!(all[0]["line"], line + 1);
}

#[test]
fn a_kustomization_without_kubectl_stops_with_how_to_render_it() {
    let root = tempdir("palisade-inputs", "no-kubectl");
    kustomize_tree(&root);
    let path = empty_path("no-kubectl");
    let output = palisade_in(
        &root,
        Some(path.as_os_str()),
        &[
            "scan",
            "overlays/prod",
            "--ignore-invalid",
            "--analyzers",
            "pss",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(
            "overlays/prod: this directory is a kustomization (it holds kustomization.yaml)"
        ),
        "{err}"
    );
    assert!(
        err.contains("kubectl kustomize overlays/prod | palisade scan -"),
        "{err}"
    );
}

// ---------- walking ----------

#[test]
fn gitignore_node_modules_and_dot_git_are_not_walked() {
    let root = tempdir("palisade-inputs", "ignore");
    write(&root, ".gitignore", "generated/\n*.local.yaml\n");
    write(&root, "generated/pod.yaml", &privileged_pod("generated"));
    write(&root, "dev.local.yaml", &privileged_pod("local"));
    write(&root, "node_modules/pkg/pod.yaml", &privileged_pod("npm"));
    write(&root, ".git/pod.yaml", &privileged_pod("git"));
    write(&root, ".github/workflows/pod.yaml", &privileged_pod("ci"));
    write(&root, "app/pod.yaml", &privileged_pod("app"));
    let output = palisade_in(
        &root,
        None,
        &["scan", ".", "--analyzers", "pss", "-o", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    assert_eq!(files(&report), ["./app/pod.yaml"]);
    assert_eq!(report["summary"]["files"], 1);
}

#[test]
fn exclude_globs_leave_out_what_they_match() {
    let root = tempdir("palisade-inputs", "exclude");
    write(&root, "app/pod.yaml", &privileged_pod("app"));
    write(&root, "app/tests/pod.yaml", &privileged_pod("test"));
    write(&root, "vendor/x/pod.yaml", &privileged_pod("vendor"));
    write(
        &root,
        "app/pod.json",
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "json"}}"#,
    );
    let output = palisade_in(
        &root,
        None,
        &[
            "scan",
            ".",
            "--analyzers",
            "pss",
            "-o",
            "json",
            "--exclude",
            "vendor",
            "--exclude",
            "*.json",
            "--exclude",
            "app/tests/**",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    assert_eq!(files(&report), ["./app/pod.yaml"]);
    assert_eq!(report["summary"]["objects"], 1);

    let bad = palisade_in(&root, None, &["scan", ".", "--exclude", "a[b"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("is not a valid glob"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn walked_files_that_are_not_manifests_are_skipped_with_a_note() {
    let root = tempdir("palisade-inputs", "not-k8s");
    write(
        &root,
        "package.json",
        r#"{"name": "site", "version": "1.0.0"}"#,
    );
    write(&root, "values.yaml", "replicas: 2\nimage:\n  tag: latest\n");
    write(
        &root,
        "ci.yml",
        "stages: [build, test]\nbuild:\n  script: make\n",
    );
    write(&root, "pod.yaml", &privileged_pod("app"));
    let output = palisade_in(
        &root,
        None,
        &["scan", ".", "--analyzers", "pss", "-o", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    for name in ["./ci.yml", "./package.json", "./values.yaml"] {
        assert!(
            err.contains(&format!(
                "note: skipped {name}: no document has apiVersion or kind"
            )),
            "{name}: {err}"
        );
    }
    let report = json_of(&output);
    assert_eq!(report["summary"]["skippedFiles"], "3");
    assert_eq!(report["summary"]["objects"], 1);

    // The table says so too.
    let table = palisade_in(&root, None, &["scan", ".", "--analyzers", "pss"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("(skipped files, not manifests: 3)"), "{text}");

    // A file that does not parse may be a broken manifest: it stays an error.
    write(&root, "broken.yaml", "kind: Pod\nmetadata: [\n");
    let broken = palisade_in(&root, None, &["scan", ".", "--analyzers", "pss"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        stderr(&broken).contains("broken.yaml"),
        "{}",
        stderr(&broken)
    );
}

#[test]
fn a_non_manifest_named_explicitly_is_an_error() {
    let root = tempdir("palisade-inputs", "explicit");
    write(&root, "values.yaml", "replicas: 2\n");
    let output = palisade_in(&root, None, &["scan", "values.yaml", "--analyzers", "pss"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("values.yaml:1:1: Object 'Kind' is missing"),
        "{err}"
    );
}

// ---------- empty input ----------

#[test]
fn inputs_without_an_object_are_errors() {
    let root = tempdir("palisade-inputs", "empty");
    std::fs::create_dir_all(root.join("empty")).expect("mkdir");
    write(&root, "only-skipped/package.json", r#"{"name": "x"}"#);
    write(
        &root,
        "only-comments/pod.yaml",
        "# apiVersion: v1\n# kind: Pod\n",
    );
    write(&root, "only-broken/pod.yaml", "kind: Pod\nmetadata: [\n");
    for (args, read) in [
        (vec!["scan", "empty"], "0 files read"),
        (
            vec!["scan", "only-skipped"],
            "1 file read, 1 skipped as not manifests",
        ),
        (vec!["scan", "only-comments"], "1 file read"),
        (
            vec!["scan", "only-broken", "--ignore-invalid"],
            "1 file read, 1 unreadable",
        ),
        (vec!["inventory", "empty"], "0 files read"),
    ] {
        let output = palisade_in(&root, None, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr(&output);
        assert!(
            err.contains(&format!(
                "error: no Kubernetes object found in the input ({read})"
            )),
            "{args:?}: {err}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    // Standard input with nothing on it (`false | palisade scan -`).
    let output = common::palisade_with_stdin(&["scan", "-"], "");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no Kubernetes object found in the input (1 file read)"),
        "{}",
        stderr(&output)
    );
}
