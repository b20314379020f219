//! `palisade fix` end to end: in place (atomically, permissions kept),
//! `--diff`, `--stdout` and standard input, `--rules`, `--unsafe`, the exit
//! status, and that a scan of the fixed file no longer reports what was fixed.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{palisade, palisade_with_stdin, tempdir};

const POD: &str = "\
# a pod
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  containers:
  - name: app   # main
    image: registry.example/app:1.0
";

/// The rules these tests fix, named so that rules added later do not change them.
const FIXABLE: &str = "pss/allowPrivilegeEscalation,pss/capabilities_restricted,pss/runAsNonRoot,pss/seccompProfile_restricted,workload/read-only-root-filesystem,netpol/missing-default-deny-ingress,netpol/missing-default-deny-egress";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn fixes_in_place_and_a_rescan_is_clean() {
    let dir = tempdir("palisade-fix", "in-place");
    let file = dir.join("pod.yaml");
    std::fs::write(&file, POD).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let path = file.to_str().unwrap();

    let out = palisade(&["fix", path, "--rules", FIXABLE]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("fixed 7 findings in 1 file; 0 left to fix by hand"),
        "{stderr}"
    );

    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(
        fixed.starts_with(POD),
        "the original text is kept, additions follow:\n{fixed}"
    );
    assert!(fixed.contains("name: palisade-default-deny"));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file is left"
    );

    let scan = palisade(&["scan", path, "--analyzers", FIXABLE]);
    assert_eq!(scan.status.code(), Some(0), "{}", text(&scan.stdout));

    // Fixing again changes nothing.
    let again = palisade(&["fix", path, "--rules", FIXABLE]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), fixed);
    assert!(
        text(&again.stderr).contains("fixed 0 findings in 0 files"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn diff_shows_and_writes_nothing() {
    let dir = tempdir("palisade-fix", "diff");
    let file = dir.join("pod.yaml");
    std::fs::write(&file, POD).unwrap();
    let path = file.to_str().unwrap();
    let out = palisade(&[
        "fix",
        path,
        "--diff",
        "--rules",
        "pss/allowPrivilegeEscalation",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "--- a/{path}\n+++ b/{path}\n@@ -8,3 +8,5 @@\n   containers:\n   - name: app   # main\n     image: registry.example/app:1.0\n+    securityContext:\n+      allowPrivilegeEscalation: false\n"
        )
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), POD);
}

#[test]
fn standard_input_prints_the_fixed_stream() {
    let out = palisade_with_stdin(
        &[
            "fix",
            "-",
            "--rules",
            "pss/runAsNonRoot,workload/read-only-root-filesystem",
        ],
        POD,
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "{POD}    securityContext:\n      readOnlyRootFilesystem: true\n  securityContext:\n    runAsNonRoot: true\n"
        )
    );
}

#[test]
fn explicit_values_are_left_and_the_exit_status_says_so() {
    let pod = POD.replace(
        "    image: registry.example/app:1.0\n",
        "    image: registry.example/app:1.0\n    securityContext: {allowPrivilegeEscalation: true}\n",
    );
    let out = palisade_with_stdin(
        &["fix", "-", "--rules", "pss/allowPrivilegeEscalation"],
        &pod,
    );
    assert_eq!(out.status.code(), Some(1), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), pod);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("note: <stdin>:11: pss/allowPrivilegeEscalation: container \"app\" securityContext.allowPrivilegeEscalation is set to true explicitly; not changed without --unsafe"),
        "{stderr}"
    );
    assert!(stderr.contains("1 left to fix by hand"), "{stderr}");

    let out = palisade_with_stdin(
        &[
            "fix",
            "-",
            "--rules",
            "pss/allowPrivilegeEscalation",
            "--unsafe",
        ],
        &pod,
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("securityContext: {allowPrivilegeEscalation: false}"));
}

#[test]
fn usage_errors_cost_no_read() {
    let out = palisade(&["fix", "no-such-file.yaml", "--rules", "pss/hostPath"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--rules: \"pss/hostPath\" names no rule fix can satisfy"),
        "{}",
        text(&out.stderr)
    );
    let out = palisade(&["fix", "no-such-file.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = palisade(&["fix", "x.yaml", "--diff", "--stdout"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn what_scan_would_not_report_is_not_fixed() {
    // A suppression annotation on the pod and a config exemption beside it:
    // fix leaves both rules alone, and fixes the rest.
    let dir = tempdir("palisade-fix", "suppressed");
    let annotated = POD.replace(
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n    ignore.palisade.dev/workload.read-only-root-filesystem: the app writes its cache to /\n",
    );
    std::fs::write(dir.join("pod.yaml"), &annotated).unwrap();
    std::fs::write(
        dir.join(".palisade.yaml"),
        "exemptions:\n- rules: [pss/runAsNonRoot]\n  kind: Pod\n  name: app\n  reason: the image needs root until TICKET-9\n",
    )
    .unwrap();
    let file = dir.join("pod.yaml");
    let out = palisade(&[
        "fix",
        file.to_str().unwrap(),
        "--rules",
        FIXABLE,
        "--stdout",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let fixed = text(&out.stdout);
    assert!(!fixed.contains("readOnlyRootFilesystem"), "{fixed}");
    assert!(!fixed.contains("runAsNonRoot"), "{fixed}");
    assert!(fixed.contains("allowPrivilegeEscalation: false"), "{fixed}");
    // With the config not read, its exemption no longer holds.
    let out = palisade(&[
        "fix",
        file.to_str().unwrap(),
        "--rules",
        FIXABLE,
        "--stdout",
        "--no-config",
    ]);
    assert!(text(&out.stdout).contains("runAsNonRoot: true"));
}
