//! One test per shape of edit: where new text goes and how it is written, in
//! block and flow mappings, list-item containers at several indentations,
//! multi-document files, JSON, CRLF, and the layouts that are refused. Each
//! asserts the whole output text, and [`fix`] also checks that the output reads
//! back and that a second fix changes nothing.

use palisade_fix::{FileFix, FixOptions, fix_everything};
use palisade_load::{Limits, load_bytes};

const APE: &str = "pss/allowPrivilegeEscalation";
const DROP: &str = "pss/capabilities_restricted";
const NON_ROOT: &str = "pss/runAsNonRoot";
const SECCOMP: &str = "pss/seccompProfile_restricted";
const RORFS: &str = "workload/read-only-root-filesystem";

fn fix_with(src: &str, rules: &[&str], options: FixOptions) -> FileFix {
    let fix =
        fix_everything("m.yaml".into(), src.as_bytes(), rules, options).expect("the input reads");
    load_bytes("m.yaml".into(), &fix.fixed, &Limits::default()).expect("the output reads");
    let again = fix_everything("m.yaml".into(), &fix.fixed, rules, options).expect("reads");
    assert_eq!(again.fixed, fix.fixed, "a second fix changes nothing");
    fix
}

fn fix(src: &str, rules: &[&str]) -> String {
    fix_with(src, rules, FixOptions::default())
        .fixed_text()
        .into_owned()
}

#[test]
fn block_mapping_gets_a_key_after_its_last_entry_and_comments_stay() {
    let src = "\
apiVersion: v1
kind: Pod
metadata:
  name: p # keep
spec:
  containers:
    - name: app   # the app
      image: nginx:1.27
      securityContext:
        runAsUser: 1000 # uid
      # a comment after the container
  # a comment before volumes
  volumes: []
";
    assert_eq!(
        fix(src, &[APE]),
        "\
apiVersion: v1
kind: Pod
metadata:
  name: p # keep
spec:
  containers:
    - name: app   # the app
      image: nginx:1.27
      securityContext:
        runAsUser: 1000 # uid
        allowPrivilegeEscalation: false
      # a comment after the container
  # a comment before volumes
  volumes: []
"
    );
}

#[test]
fn flow_mapping_gets_an_entry_before_its_close() {
    let src = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: nginx
    securityContext: {runAsNonRoot: false}
";
    assert_eq!(
        fix(src, &[APE, DROP]),
        "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: nginx
    securityContext: {runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
"
    );
}

#[test]
fn missing_parents_are_written_once_at_the_container_column_indentless_list() {
    let src = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
      - name: side
        image: busybox
";
    assert_eq!(
        fix(src, &[APE, DROP, RORFS, NON_ROOT, SECCOMP]),
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
          readOnlyRootFilesystem: true
      - name: side
        image: busybox
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
          readOnlyRootFilesystem: true
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
"
    );
}

#[test]
fn four_space_documents_get_four_space_nesting() {
    let src = "\
apiVersion: v1
kind: Pod
metadata:
    name: p
spec:
    containers:
        -   name: app
            image: nginx
";
    assert_eq!(
        fix(src, &[DROP]),
        "\
apiVersion: v1
kind: Pod
metadata:
    name: p
spec:
    containers:
        -   name: app
            image: nginx
            securityContext:
                capabilities:
                    drop: [ALL]
"
    );
}

#[test]
fn existing_drop_lists_keep_their_items_and_gain_all_in_their_own_style() {
    let src = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: block
    securityContext:
      capabilities:
        drop:
        - NET_RAW
  - name: flow
    securityContext:
      capabilities:
        drop: [\"NET_RAW\"]
  - name: done
    securityContext: {capabilities: {drop: [ALL]}}
";
    assert_eq!(
        fix(src, &[DROP]),
        "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: block
    securityContext:
      capabilities:
        drop:
        - NET_RAW
        - ALL
  - name: flow
    securityContext:
      capabilities:
        drop: [\"NET_RAW\", ALL]
  - name: done
    securityContext: {capabilities: {drop: [ALL]}}
"
    );
}

#[test]
fn a_multi_line_flow_mapping_gets_a_line_of_its_own() {
    let src = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{
    name: app,
    image: nginx   # pinned later
  }]
";
    assert_eq!(
        fix(src, &[APE]),
        "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{
    name: app,
    image: nginx,
    securityContext: {allowPrivilegeEscalation: false}   # pinned later
  }]
"
    );
}

#[test]
fn every_document_of_a_stream_is_fixed_and_markers_bound_the_edits() {
    let src = "\
# first
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
  - name: c
---
# second
apiVersion: v1
kind: Pod
metadata: {name: b}
spec:
  containers:
  - name: c
...
";
    assert_eq!(
        fix(src, &[RORFS]),
        "\
# first
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
  - name: c
    securityContext:
      readOnlyRootFilesystem: true
---
# second
apiVersion: v1
kind: Pod
metadata: {name: b}
spec:
  containers:
  - name: c
    securityContext:
      readOnlyRootFilesystem: true
...
"
    );
}

#[test]
fn crlf_files_get_crlf_lines_and_a_missing_final_newline_stays_missing() {
    let src = "apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p}\r\nspec:\r\n  containers:\r\n  - name: c\r\n    image: x";
    assert_eq!(
        fix(src, &[APE]),
        "apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p}\r\nspec:\r\n  containers:\r\n  - name: c\r\n    image: x\r\n    securityContext:\r\n      allowPrivilegeEscalation: false"
    );
}

#[test]
fn json_files_get_json_members() {
    let src = r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "p"},
  "spec": {
    "containers": [
      {
        "name": "c",
        "securityContext": {"runAsUser": 1000}
      },
      {
        "name": "d",
        "image": "x"
      }
    ]
  }
}
"#;
    assert_eq!(
        fix(src, &[APE, DROP]),
        r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "p"},
  "spec": {
    "containers": [
      {
        "name": "c",
        "securityContext": {"runAsUser": 1000, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
      },
      {
        "name": "d",
        "image": "x",
        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
      }
    ]
  }
}
"#
    );
}

#[test]
fn explicit_values_are_left_with_a_note_unless_unsafe() {
    let src = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    runAsNonRoot: false
  containers:
  - name: c
    securityContext:
      allowPrivilegeEscalation: True
      privileged: yes
";
    let safe = fix_with(
        src,
        &[APE, NON_ROOT, "pss/privileged"],
        FixOptions::default(),
    );
    assert_eq!(safe.fixed_text(), src);
    assert_eq!(
        safe.notes,
        [
            "m.yaml:10: pss/allowPrivilegeEscalation: container \"c\" securityContext.allowPrivilegeEscalation is set to true explicitly; not changed without --unsafe (changing it may stop the workload from running)",
            "m.yaml:6: pss/runAsNonRoot: the pod's securityContext.runAsNonRoot is set to false explicitly; not changed without --unsafe (changing it may stop the workload from running)",
        ]
    );
    let risky = fix_with(
        src,
        &[APE, NON_ROOT, "pss/privileged"],
        FixOptions { unsafe_edits: true },
    );
    assert_eq!(
        risky.fixed_text(),
        "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: c
    securityContext:
      allowPrivilegeEscalation: false
      privileged: false
"
    );
}

#[test]
fn anchors_aliases_and_merge_keys_are_not_edited() {
    let src = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - &app
    name: a
    image: x
  - *app
";
    let fixed = fix_with(src, &[APE], FixOptions::default());
    assert_eq!(fixed.fixed_text(), src);
    assert_eq!(fixed.notes.len(), 1, "{:?}", fixed.notes);
    assert!(
        fixed.notes[0].starts_with(
            "m.yaml:7: pss/allowPrivilegeEscalation: not fixed: the object uses YAML anchors"
        ),
        "{:?}",
        fixed.notes
    );

    let merged = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - <<: {name: a}
    image: x
";
    // An inline merge reads in document order: the edit is safe and checked.
    assert!(fix(merged, &[APE]).contains("allowPrivilegeEscalation: false"));
}

#[test]
fn duplicate_keys_leave_the_object_alone() {
    let src = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
  containers:
  - name: b
";
    let fixed = fix_with(src, &[APE], FixOptions::default());
    assert_eq!(fixed.fixed_text(), src);
    assert!(
        fixed.notes[0].contains("yaml/duplicate-key"),
        "{:?}",
        fixed.notes
    );
}

#[test]
fn an_empty_security_context_is_named_not_guessed() {
    let src = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    securityContext:
  - name: b
    securityContext: {}
";
    let fixed = fix_with(src, &[APE], FixOptions::default());
    assert_eq!(
        fixed.fixed_text(),
        src.replace(
            "securityContext: {}",
            "securityContext: {allowPrivilegeEscalation: false}"
        )
    );
    assert_eq!(fixed.notes.len(), 1);
    assert!(
        fixed.notes[0]
            .starts_with("m.yaml:7: pss/allowPrivilegeEscalation: `securityContext` is empty"),
        "{:?}",
        fixed.notes
    );
}

#[test]
fn a_block_scalar_at_the_end_of_a_container_is_not_cut() {
    let src = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    command:
    - sh
    - -c
    - |
      echo one
      # not a comment: part of the script

      echo two
  restartPolicy: Never
";
    let fixed = fix(src, &[APE]);
    assert_eq!(
        fixed,
        src.replace(
            "      echo two\n",
            "      echo two\n    securityContext:\n      allowPrivilegeEscalation: false\n"
        )
    );
}
