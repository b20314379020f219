//! Fuzzes what Palisade does with a Gatekeeper template's Rego: the source
//! rewrites that make regorus read it as OPA does, the load checks, the
//! compilation, and one evaluation on a fixed review; and Go's `sprintf`.
//!
//! The first byte picks the mode: `s` formats the rest with a few arguments,
//! anything else treats the rest as a template's Rego. Any input must end in
//! an error or a result, never a panic or a hang (evaluations run under a
//! deadline, as in the webhook).
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use palisade_policy::go_sprintf::{Arg, sprintf};
use palisade_policy::inventory::inventory;
use palisade_policy::rego::RegoProgram;
use palisade_policy::template::RegoSource;
use regorus::Value;

fn input() -> &'static Value {
    static INPUT: OnceLock<Value> = OnceLock::new();
    INPUT.get_or_init(|| {
        Value::from_json_str(
            r#"{"review": {"kind": {"group": "", "version": "v1", "kind": "Pod"},
                 "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}},
                 "spec": {"containers": [{"name": "c", "image": "nginx", "securityContext": {"runAsUser": 0}}]}}},
                "parameters": {"labels": ["owner"], "exemptImages": ["nginx*"]}}"#,
        )
        .unwrap_or(Value::Null)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut chars = text.chars();
    let mode = chars.next();
    let rest = chars.as_str();
    if mode == Some('s') {
        let args = [
            Arg::Str("x".to_owned()),
            Arg::Int(-42),
            Arg::Float(1.5e-7),
            Arg::BigInt("123456789012345678901234567890".to_owned()),
        ];
        let _ = sprintf(rest, &args);
        return;
    }
    let source = RegoSource {
        rego: rest.to_owned(),
        libs: Vec::new(),
        v1: mode == Some('1'),
    };
    if let Ok(program) = RegoProgram::compile("fuzz", &source, inventory([])) {
        let _ = program.violations(
            input().clone(),
            Some(Instant::now() + Duration::from_millis(20)),
        );
    }
});
