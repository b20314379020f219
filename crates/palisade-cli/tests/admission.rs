//! `palisade admit`, `palisade certs` and `palisade serve` as a user runs them.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{json_of, palisade, repo_root, serve, validate};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn admit_prints_the_review_response_and_exits_by_the_decision() {
    let denied = palisade(&[
        "admit",
        "-f",
        "webhook-examples/review-privileged-pod.json",
        "-f",
        "webhook-examples/namespaces.yaml",
    ]);
    assert_eq!(denied.status.code(), Some(1), "{}", stderr(&denied));
    let response = &json_of(&denied)["response"];
    assert_eq!(response["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
    assert_eq!(response["allowed"], false);
    assert_eq!(response["status"]["code"], 403);
    assert!(
        response["status"]["message"]
            .as_str()
            .unwrap()
            .starts_with("pods \"debug-shell\" is forbidden: violates PodSecurity \"restricted:latest\": host namespaces (hostPID=true), privileged (container \"shell\" must not set securityContext.privileged=true)")
    );
    // Field order is the wire format's, not alphabetical.
    let text = String::from_utf8_lossy(&denied.stdout);
    assert!(text.find("\"uid\"") < text.find("\"allowed\""), "{text}");

    let allowed = palisade(&[
        "admit",
        "-f",
        "webhook-examples/review-restricted-pod.json",
        "-f",
        "webhook-examples/namespaces.yaml",
    ]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    assert_eq!(
        json_of(&allowed)["response"],
        serde_json::json!({"uid": "8d2f4c1e-0f7a-4b8e-9d55-3c1b2a6e7f10", "allowed": true,
                           "auditAnnotations": {"enforce-policy": "restricted:latest"}})
    );
}

#[test]
fn admit_wraps_a_plain_object_in_a_create_review() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]\n";
    let output = common::palisade_with_stdin(
        &[
            "admit",
            "-f",
            "-",
            "-n",
            "team",
            "--namespace-labels",
            "team=pod-security.kubernetes.io/enforce=baseline",
        ],
        pod,
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        json_of(&output)["response"]["status"]["message"],
        "pods \"p\" is forbidden: violates PodSecurity \"baseline:latest\": privileged (container \"c\" must not set securityContext.privileged=true)"
    );
    // Exempt by the configuration's usernames.
    let dir = std::env::temp_dir().join(format!("palisade-admit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.yaml");
    std::fs::write(
        &config,
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\nexemptions: {usernames: [ops]}\n",
    )
    .unwrap();
    let output = common::palisade_with_stdin(
        &[
            "admit",
            "-f",
            "-",
            "--as",
            "ops",
            "--config",
            config.to_str().unwrap(),
            "--namespace-labels",
            "default=pod-security.kubernetes.io/enforce=restricted",
        ],
        pod,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        json_of(&output)["response"]["auditAnnotations"]["exempt"],
        "user"
    );
    // A configuration with a typo is refused with its line.
    std::fs::write(
        &config,
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\nexemptions: {usernamez: [ops]}\n",
    )
    .unwrap();
    let output = palisade(&[
        "admit",
        "-f",
        "webhook-examples/review-privileged-pod.json",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("config.yaml:3:14: unknown field \"exemptions.usernamez\""),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn certs_writes_a_ca_and_server_pair_and_does_not_overwrite_them() {
    let dir = std::env::temp_dir().join(format!("palisade-certs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.to_str().unwrap();
    let output = palisade(&["certs", "--out-dir", out, "--local"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let bundle = stdout
        .lines()
        .find_map(|l| l.strip_prefix("caBundle: "))
        .expect("the caBundle is printed");
    let ca = std::fs::read_to_string(dir.join("ca.crt")).unwrap();
    use base64::Engine;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(bundle)
            .unwrap(),
        ca.as_bytes()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("tls.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = palisade(&["certs", "--out-dir", out]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exist; pass --force"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("ca.crt")).unwrap(),
        ca,
        "the CA was overwritten"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_watch_gatekeeper_without_the_cluster() {
    // -f and --namespace-labels each mean static mode: nothing to watch.
    for static_source in [
        ["-f", "webhook-examples/namespaces.yaml"],
        [
            "--namespace-labels",
            "prod=pod-security.kubernetes.io/enforce=restricted",
        ],
    ] {
        let mut args = vec![
            "serve",
            "--tls-cert",
            "/nonexistent/tls.crt",
            "--tls-key",
            "/nonexistent/tls.key",
            "--watch-gatekeeper",
        ];
        args.extend(static_source);
        let output = palisade(&args);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(
                "--watch-gatekeeper watches the cluster: it cannot be used with -f or --namespace-labels"
            ),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn serve_with_watch_gatekeeper_defers_file_constraints_of_cluster_kinds() {
    // A --policies file holding only a constraint: its template may be in the
    // cluster. Alone, the server refuses it; with the watch, loading goes on
    // (and stops at the missing certificate, before any cluster access).
    let dir = std::env::temp_dir().join(format!("palisade-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("constraint.yaml");
    std::fs::write(
        &file,
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sInTheCluster\n\
         metadata: {name: only-here}\nspec: {}\n",
    )
    .expect("constraint file");
    let file = file.to_str().expect("utf-8 path");
    let serve = |watch: bool| {
        let mut args = vec![
            "serve",
            "--tls-cert",
            "/nonexistent/tls.crt",
            "--tls-key",
            "/nonexistent/tls.key",
            "--policies",
            file,
        ];
        if watch {
            args.push("--watch-gatekeeper");
        }
        palisade(&args)
    };
    let alone = serve(false);
    assert_eq!(alone.status.code(), Some(2), "{}", stderr(&alone));
    assert!(
        stderr(&alone).contains("no ConstraintTemplate defines kind K8sInTheCluster"),
        "{}",
        stderr(&alone)
    );
    let watched = serve(true);
    assert_eq!(watched.status.code(), Some(2), "{}", stderr(&watched));
    assert!(
        stderr(&watched).contains("/nonexistent/tls.crt: No such file"),
        "{}",
        stderr(&watched)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_a_missing_certificate_with_its_path() {
    let output = palisade(&[
        "serve",
        "--tls-cert",
        "/nonexistent/tls.crt",
        "--tls-key",
        "/nonexistent/tls.key",
        "-f",
        "webhook-examples/namespaces.yaml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("/nonexistent/tls.crt: No such file"),
        "{}",
        stderr(&output)
    );
}

/// A child process that a failing test does not leave running.
/// The binary as the kubelet runs it: started, asked, sent SIGTERM, exits 0.
#[cfg(unix)]
#[test]
fn serve_answers_over_https_and_exits_cleanly_on_sigterm() {
    let mut served = serve("serve", &["-f", "webhook-examples/namespaces.yaml"]);
    let body =
        std::fs::read(repo_root().join("webhook-examples/review-privileged-pod.json")).unwrap();
    let (status, reply) = validate(&served, body);
    assert_eq!(status, 200);
    assert_eq!(reply["response"]["status"]["code"], 403);
    // One log line for the denial.
    let denial: serde_json::Value =
        serde_json::from_str(&served.logs.next().unwrap().unwrap()).unwrap();
    assert_eq!(denial["fields"]["message"], "denied");
    assert_eq!(denial["fields"]["name"], "debug-shell");
    assert!(
        denial["fields"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("pods \"debug-shell\" is forbidden")
    );

    let child = &mut served.child;
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "palisade serve did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&served.dir);
}

/// Palisade passes its own bar: the deployment bundle is clean at `restricted`,
/// with every analyzer on, but for one reviewed acceptance (the read-only
/// wildcard over Gatekeeper's constraint resources, for --watch-gatekeeper) and
/// one annotated suppression (the server's own API token, in deployment.yaml).
#[test]
fn the_deploy_bundle_passes_palisades_own_restricted_scan() {
    let output = palisade(&[
        "scan",
        "deploy/",
        "--pss-level",
        "restricted",
        "--fail-on",
        "info",
        "--accept",
        "crates/palisade-cli/tests/fixtures/deploy-accepted.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report = json_of(&output);
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
    assert_eq!(report["summary"]["accepted"], 1, "{report}");
    // It did read the bundle: the webhook's Deployment is among the objects.
    let inventory = palisade(&["inventory", "-f", "deploy/", "-o", "json"]);
    let text = String::from_utf8_lossy(&inventory.stdout);
    assert!(
        text.contains("\"ValidatingWebhookConfiguration\"") && text.contains("\"Deployment\""),
        "{text}"
    );
}
