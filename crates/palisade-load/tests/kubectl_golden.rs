//! Conformance with kubectl: every `tests/golden/NAME.yaml` is loaded and compared
//! with what `kubectl label --local -f NAME.yaml palisade-golden=x -o json` printed
//! (`NAME.json`), or, when kubectl refused the file (`NAME.err`), must be refused by
//! the loader too. The outputs were recorded by `scripts/make-kubectl-goldens.sh`,
//! so kubectl is not needed here.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_load::{Limits, load_bytes};
use serde_json::Value;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Our object as kubectl printed it: with the label `kubectl label` added.
fn labelled(mut object: Value) -> Value {
    if let Value::Object(root) = &mut object {
        let metadata = root
            .entry("metadata")
            .or_insert_with(|| Value::Object(Default::default()));
        if metadata.is_null() {
            *metadata = Value::Object(Default::default());
        }
        if let Value::Object(metadata) = metadata {
            let labels = metadata
                .entry("labels")
                .or_insert_with(|| Value::Object(Default::default()));
            if labels.is_null() {
                *labels = Value::Object(Default::default());
            }
            if let Value::Object(labels) = labels {
                labels.insert("palisade-golden".into(), Value::String("x".into()));
            }
        }
    }
    object
}

/// Inputs where the loader knowingly differs from kubectl, and why. Each must still
/// differ (so the list cannot go stale silently): kubectl accepts, we refuse.
const DEVIATIONS: &[(&str, &str)] = &[
    (
        "invalid_utf8",
        "kubectl replaces invalid UTF-8 with U+FFFD and applies the object; Palisade refuses \
         the file with the byte's line:col, so a scanner never judges text it cannot read",
    ),
    (
        "goyaml_three_leading_boms",
        "a byte-order mark at the start of go-yaml's read buffer makes kubectl drop the first \
         character of every line that starts at column 0 (`kkind:` is `kind:`) until the buffer \
         restarts, at a place Palisade does not model; Palisade refuses the file, and \
         --ignore-invalid cannot skip it",
    ),
];

/// Numbers as kubectl's own decoder reads its output: an integer literal beyond
/// int64 is a float64 there (serde_json would keep it as a u64).
fn as_kubectl_reads(value: Value) -> Value {
    match value {
        Value::Number(n) if n.is_u64() && n.as_i64().is_none() => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Number(n), Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(as_kubectl_reads).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, as_kubectl_reads(v)))
                .collect(),
        ),
        other => other,
    }
}

/// kubectl prints each object as its own JSON value, one after the other.
fn expected_objects(text: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .map(|v| as_kubectl_reads(v.expect("golden JSON parses")))
        .collect()
}

#[test]
fn loader_matches_kubectl_on_every_golden_input() {
    let mut inputs: Vec<PathBuf> = fs::read_dir(golden_dir())
        .expect("golden dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 40,
        "expected at least 40 golden inputs, found {}",
        inputs.len()
    );

    let mut failures = Vec::new();
    let (mut accepted, mut rejected) = (0, 0);
    for input in &inputs {
        let name = input
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_owned();
        let bytes = fs::read(input).expect("read input");
        let result = load_bytes(Arc::from(name.as_str()), &bytes, &Limits::default());
        let err_path = input.with_extension("err");
        let json_path = input.with_extension("json");
        if err_path.exists() {
            rejected += 1;
            if let Ok(load) = result {
                failures.push(format!(
                    "{name}: kubectl rejects it ({}) but we loaded {} objects",
                    fs::read_to_string(&err_path).unwrap_or_default().trim(),
                    load.objects.len()
                ));
            }
            continue;
        }
        accepted += 1;
        if let Some((_, why)) = DEVIATIONS.iter().find(|(n, _)| *n == name) {
            assert!(
                result.is_err(),
                "{name}: listed as a deviation ({why}) but we now accept it"
            );
            continue;
        }
        let expected =
            expected_objects(&fs::read_to_string(&json_path).expect("golden json or err exists"));
        match result {
            Err(err) => failures.push(format!("{name}: kubectl accepts it but we fail: {err}")),
            Ok(load) => {
                let ours: Vec<Value> = load
                    .objects
                    .iter()
                    .map(|o| labelled(o.root().to_json()))
                    .collect();
                if ours != expected {
                    failures.push(format!(
                        "{name}: objects differ\n  ours:    {}\n  kubectl: {}",
                        serde_json::to_string(&ours).unwrap_or_default(),
                        serde_json::to_string(&expected).unwrap_or_default()
                    ));
                }
            }
        }
    }
    println!("golden cases: {accepted} accepted by kubectl, {rejected} rejected");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
