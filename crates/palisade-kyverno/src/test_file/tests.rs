//! Unit tests of the `kyverno test` input loaders, on small files shaped like
//! the conformance data's.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::*;
use crate::Status;

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "palisade-kyverno-test-file-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const TEST: &str = "apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata:
  name: disallow-host-ports
policies:
- ../disallow-host-ports.yaml
- ../disallow-host-ports.yaml
resources:
- resource.yaml
variables: values.yaml
results:
- kind: Pod
  policy: ns/disallow-host-ports
  resources:
  - badpod01
  result: fail
  rule: host-ports-none
- policy: check-sa
  isValidatingPolicy: true
  resources: [default/goodpod]
  result: pass
  patchedResources: patched.yaml
";

#[test]
fn reads_a_test_file() {
    let dir = TempDir::new();
    let path = dir.write(".kyverno-test/kyverno-test.yaml", TEST);
    let test = read_test(&path).unwrap();
    let folder = dir.path().join(".kyverno-test");
    assert_eq!(test.name, "disallow-host-ports");
    // Duplicates dropped, paths relative to the test's folder.
    assert_eq!(test.policies, [folder.join("../disallow-host-ports.yaml")]);
    assert_eq!(test.resources, [folder.join("resource.yaml")]);
    assert_eq!(test.variables, Some(folder.join("values.yaml")));
    assert_eq!(test.userinfo, None);
    assert_eq!(test.results.len(), 2);
    let first = &test.results[0];
    // Only the part after the last '/' of the policy is compared.
    assert_eq!(first.policy, "disallow-host-ports");
    assert_eq!(first.rule.as_deref(), Some("host-ports-none"));
    assert_eq!(first.kind.as_deref(), Some("Pod"));
    assert_eq!(first.result, Status::Fail);
    assert!(!first.is_validating_policy);
    let second = &test.results[1];
    assert!(second.is_validating_policy);
    assert_eq!(second.rule, None);
    assert_eq!(second.resources, ["default/goodpod"]);
    assert_eq!(second.patched_resources, Some(folder.join("patched.yaml")));
}

#[test]
fn unknown_fields_are_errors_with_a_line() {
    let dir = TempDir::new();
    let path = dir.write(
        "t.yaml",
        &TEST.replace("variables: values.yaml", "variable: values.yaml"),
    );
    let err = read_test(&path).unwrap_err();
    assert!(err.message.contains("unknown field \"variable\""), "{err}");
    assert_eq!(err.line, Some(10));
    assert!(err.to_string().contains("t.yaml:10: "), "{err}");
    let path = dir.write(
        "r.yaml",
        &TEST.replace("  result: pass", "  result: pass\n  expected: x"),
    );
    assert!(
        read_test(&path)
            .unwrap_err()
            .message
            .contains("unknown field \"expected\"")
    );
}

#[test]
fn deprecated_schema_is_rejected() {
    let dir = TempDir::new();
    // Kyverno refuses the old schema: a top-level name, or no apiVersion/kind.
    let old = dir.write(
        "old.yaml",
        "name: x\npolicies: []\nresources: []\nkind: Test\napiVersion: cli.kyverno.io/v1alpha1\n",
    );
    assert!(read_test(&old).unwrap_err().message.contains("deprecated"));
    let no_version = dir.write("nv.yaml", "kind: Test\npolicies: []\n");
    assert!(
        read_test(&no_version)
            .unwrap_err()
            .message
            .contains("deprecated")
    );
    let other_kind = dir.write(
        "ok.yaml",
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Values\n",
    );
    assert!(read_test(&other_kind).is_err());
}

#[test]
fn bad_results_are_errors() {
    let dir = TempDir::new();
    let path = dir.write("t.yaml", &TEST.replace("result: fail", "result: failed"));
    assert!(read_test(&path).unwrap_err().message.contains("not one of"));
    let path = dir.write("s.yaml", &TEST.replace("  result: fail", "  status: skip"));
    // The deprecated `status` stands in for `result`.
    assert_eq!(read_test(&path).unwrap().results[0].result, Status::Skip);
}

#[test]
fn reads_values() {
    let dir = TempDir::new();
    let path = dir.write(
        "values.yaml",
        "apiVersion: cli.kyverno.io/v1alpha1
kind: Values
globalValues:
  request.operation: UPDATE
  b: 1
policies:
- name: block-updates-deletes
  rules:
  - name: rule1
    values:
      imageData.configData.created: \"2020-01-01\"
    foreachValues:
      element.name: [a, b]
  resources:
  - name: my-service-2
    values:
      request.operation: DELETE
namespaceSelector:
- name: prod
  labels:
    env: prod
namespaces:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: staging
    labels: {env: staging}
",
    );
    let values = read_values(&path).unwrap();
    // File order is kept.
    assert_eq!(
        values.global,
        [
            ("request.operation".to_owned(), json!("UPDATE")),
            ("b".to_owned(), json!(1))
        ]
    );
    assert_eq!(
        values.rule_values("block-updates-deletes", "rule1"),
        [(
            "imageData.configData.created".to_owned(),
            json!("2020-01-01")
        )]
    );
    assert_eq!(
        values.foreach_values("block-updates-deletes", "rule1"),
        [("element.name".to_owned(), vec![json!("a"), json!("b")])]
    );
    assert_eq!(
        values.resource_values("block-updates-deletes", "my-service-2"),
        [("request.operation".to_owned(), json!("DELETE"))]
    );
    assert!(
        values
            .rule_values("block-updates-deletes", "other")
            .is_empty()
    );
    assert_eq!(
        values
            .namespace_labels("prod")
            .get("env")
            .map(String::as_str),
        Some("prod")
    );
    assert_eq!(
        values
            .namespace_labels("staging")
            .get("env")
            .map(String::as_str),
        Some("staging")
    );
    assert!(values.namespace_labels("nowhere").is_empty());
    assert!(values.namespace_object("staging").is_some());
    assert!(values.namespace_object("prod").is_none());
}

#[test]
fn values_kind_is_not_checked_but_fields_are() {
    let dir = TempDir::new();
    // Two shared tests write `kind: Value`; Kyverno accepts them.
    let ok = dir.write(
        "v.yaml",
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Value\nnamespaces: []\n",
    );
    assert!(read_values(&ok).is_ok());
    let bad = dir.write(
        "b.yaml",
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Values\nglobalValue: {}\n",
    );
    assert!(
        read_values(&bad)
            .unwrap_err()
            .message
            .contains("globalValue")
    );
}

#[test]
fn reads_user_info_and_context() {
    let dir = TempDir::new();
    let user = dir.write(
        "userinfo.yaml",
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: UserInfo\nclusterRoles: [admin]\nuserInfo:\n  username: system:serviceaccount:ns:dev\n  groups: [g1]\n",
    );
    let info = read_user_info(&user).unwrap();
    assert_eq!(info.user.username, "system:serviceaccount:ns:dev");
    assert_eq!(info.user.groups, ["g1"]);
    assert_eq!(info.user.cluster_roles, ["admin"]);
    assert!(info.user.roles.is_empty());
    assert_eq!(
        info.user_info["username"],
        json!("system:serviceaccount:ns:dev")
    );
    let context = dir.write(
        "context.yaml",
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Context\nmetadata: {name: context}\nspec:\n  resources:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec: {replicas: 2}\n  images:\n  - image: busybox:1.28\n    config: {architecture: amd64}\n",
    );
    let context = read_context(&context).unwrap();
    assert_eq!(context.resources.len(), 1);
    assert_eq!(context.resources[0]["spec"]["replicas"], json!(2));
    assert_eq!(context.images[0]["image"], json!("busybox:1.28"));
    let bad = dir.write(
        "c.yaml",
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Context\nspec: {images: [{img: x}]}\n",
    );
    assert!(read_context(&bad).is_err());
}

#[test]
fn resources_are_normalised_like_kyverno_test() {
    let dir = TempDir::new();
    let a = dir.write(
        "a.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\nspec:\n  nodeSelector:\n  containers:\n  - name: c\n    ports:\n    - hostPort: 80\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\n  labels: {second: copy}\n",
    );
    let b = dir.write("b.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: q, namespace: other}\n");
    let objects = read_resources(&[a, b]).unwrap();
    // The second `p` (same group, kind, namespace, name) is dropped: first wins.
    assert_eq!(objects.len(), 3);
    let pod = &objects[0];
    assert_eq!(pod["metadata"]["namespace"], json!("default"));
    assert_eq!(pod["metadata"]["annotations"], json!({}));
    assert_eq!(pod["spec"]["nodeSelector"], json!({}));
    // Numbers become float64.
    assert!(pod["spec"]["containers"][0]["ports"][0]["hostPort"].is_f64());
    assert!(pod["metadata"].get("labels").is_none());
    // Cluster-scoped kinds get `default` too.
    assert_eq!(objects[1]["metadata"]["namespace"], json!("default"));
    assert_eq!(objects[2]["metadata"]["namespace"], json!("other"));
}

#[test]
fn resource_errors_name_file_and_line() {
    let dir = TempDir::new();
    let bad = dir.write(
        "bad.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [\n",
    );
    let err = read_resources(&[bad]).unwrap_err();
    assert!(err.file.ends_with("bad.yaml"));
    assert!(err.line.is_some(), "{err}");
    let missing = read_resources(&[dir.path().join("nope.yaml")]).unwrap_err();
    assert_eq!(missing.line, None);
}

#[test]
fn documents_of_every_kind_are_returned() {
    let dir = TempDir::new();
    let path = dir.write("p.yaml", "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: a}\n---\napiVersion: policies.kyverno.io/v1alpha1\nkind: ValidatingPolicy\nmetadata: {name: b}\n");
    let docs = read_documents(&path).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1]["kind"], json!("ValidatingPolicy"));
}

#[test]
fn finds_test_files() {
    let dir = TempDir::new();
    let a = dir.write("p1/.kyverno-test/kyverno-test.yaml", TEST);
    let b = dir.write("p2/custom.yaml", TEST);
    dir.write(
        "p3/policy.yaml",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: a}\n",
    );
    dir.write("p3/notes.txt", TEST);
    assert_eq!(find_tests(dir.path()), [a, b]);
}
