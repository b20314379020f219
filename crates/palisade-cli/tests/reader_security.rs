//! The manifest reader's defences as a user meets them through the CLI: hidden
//! privileged pods are found, budgets are clear errors with exit status 2 that
//! `--ignore-invalid` cannot turn into an empty, passing scan.

mod common;

use common::palisade;

use std::path::PathBuf;

fn golden(name: &str) -> String {
    format!("crates/palisade-load/tests/golden/{name}.yaml")
}

/// Each of these files is a privileged pod to kubectl, written so that a YAML 1.2
/// reader does not see it; `scan` must report it.
#[test]
fn privileged_pods_hidden_from_yaml_1_2_readers_are_found() {
    for name in [
        "goyaml_nel_ends_comment",
        "goyaml_ls_ends_comment",
        "goyaml_ps_ends_comment",
        "goyaml_flow_question_key",
        "goyaml_verbatim_bool_tag",
        "goyaml_verbatim_merge_tag",
        "goyaml_alias_as_key",
        "goyaml_tab_in_flow_continuation",
        "goyaml_block_header_comment",
        "goyaml_content_after_document_end",
        "goyaml_null_key_replaced",
    ] {
        let out = palisade(&["scan", &golden(name), "-o", "json", "--analyzers", "pss"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("\"pss/privileged\""), "{name}: {stdout}");
    }
}

#[test]
fn the_input_budget_is_an_error_that_names_its_flag() {
    for extra in [&[][..], &["--ignore-invalid"][..]] {
        let mut args = vec!["scan", "examples/", "--max-input-bytes", "1K"];
        args.extend_from_slice(extra);
        let out = palisade(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("max_total_bytes = 1024"), "{stderr}");
        assert!(stderr.contains("--max-input-bytes"), "{stderr}");
    }
    let out = palisade(&["scan", "examples/", "--max-input-bytes", "ten"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a size"));
}

#[test]
fn reading_notes_beyond_the_cap_are_counted_on_stderr() {
    let dir = std::env::temp_dir().join(format!("palisade-notes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file: PathBuf = dir.join("dups.yaml");
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    text.push_str(&"a: b\n".repeat(1500));
    std::fs::write(&file, text).expect("temp file");
    let path = file.display().to_string();
    let out = palisade(&["scan", &path, "--analyzers", "yaml", "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("499 more reading findings"), "{stderr}");
    // Without the yaml analyzer nothing is collected, so nothing is counted.
    let out = palisade(&["scan", &path, "--analyzers", "pss", "-o", "json"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("more reading findings"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file kubectl may read in a way Palisade cannot tell is an error that
/// `--ignore-invalid` does not turn into a skipped file.
#[test]
fn ignore_invalid_does_not_skip_a_file_kubectl_may_read() {
    let file = golden("goyaml_three_leading_boms");
    let out = palisade(&["scan", &file, "--ignore-invalid"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("byte-order mark"), "{stderr}");
    // An ordinary bad file is still skipped with a warning.
    let out = palisade(&[
        "scan",
        &golden("bad_int_tag"),
        &file.replace("goyaml_three_leading_boms", "goyaml_alias_as_key"),
        "--ignore-invalid",
        "--analyzers",
        "pss",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: skipped"));
}
