//! Each known difference between regorus and OPA, closed in Palisade's layer,
//! and the load-time checks Gatekeeper applies to templates.

use std::time::{Duration, Instant};

use palisade_policy::inventory::inventory;
use palisade_policy::rego::RegoProgram;
use palisade_policy::template::RegoSource;
use regorus::Value;

fn compile(rego: &str) -> Result<RegoProgram, String> {
    compile_with_libs(rego, &[])
}

fn compile_with_libs(rego: &str, libs: &[&str]) -> Result<RegoProgram, String> {
    let source = RegoSource {
        rego: rego.to_owned(),
        libs: libs.iter().map(|l| l.to_string()).collect(),
        v1: false,
    };
    RegoProgram::compile("t", &source, inventory([]))
}

fn messages(program: &RegoProgram, input: &str) -> Vec<String> {
    let input = Value::from_json_str(input).expect("test input is JSON");
    let mut msgs: Vec<String> = program
        .violations(input, None)
        .expect("evaluates")
        .into_iter()
        .map(|v| v.msg)
        .collect();
    msgs.sort();
    msgs
}

#[test]
fn several_bodies_for_one_head_are_separate_rules() {
    let program = compile(
        r#"package t
violation[{"msg": msg}] {
  input.a == 1
  msg := "one"
} {
  input.b == 2
  msg := "two"
}
"#,
    )
    .expect("compiles");
    assert_eq!(messages(&program, r#"{"a": 1, "b": 2}"#), ["one", "two"]);
    assert_eq!(messages(&program, r#"{"a": 0, "b": 2}"#), ["two"]);
    assert!(messages(&program, r#"{"a": 0, "b": 0}"#).is_empty());
}

#[test]
fn a_line_starting_with_a_paren_is_a_new_expression() {
    let program = compile(
        r#"package t
violation[{"msg": "spread too small"}] {
  input.min
  (input.max - input.low) < input.min
}
"#,
    )
    .expect("compiles");
    assert_eq!(
        messages(&program, r#"{"min": 5, "max": 3, "low": 1}"#),
        ["spread too small"]
    );
    assert!(messages(&program, r#"{"min": 1, "max": 9, "low": 1}"#).is_empty());
}

#[test]
fn negated_call_with_an_undefined_argument_fails_the_rule_as_in_opa() {
    let program = compile(
        r#"package t
allowed(x) { x == "ok" }
violation[{"msg": "call"}] { not allowed(input.value) }
violation[{"msg": "compare"}] { not input.value == "ok" }
violation[{"msg": "index"}] { obj := {"k": 1}; not obj[input.key] }
violation[{"msg": "plain"}] { not input.flag }
"#,
    )
    .expect("compiles");
    // input.value and input.key are missing: OPA binds them before the `not`,
    // so those rules fail; `not input.flag` alone is still true.
    assert_eq!(messages(&program, "{}"), ["plain"]);
    assert_eq!(
        messages(
            &program,
            r#"{"value": "bad", "key": "other", "flag": true}"#
        ),
        ["call", "compare", "index"]
    );
    assert!(messages(&program, r#"{"value": "ok", "key": "k", "flag": true}"#).is_empty());
}

#[test]
fn sprintf_with_too_few_arguments_prints_go_missing() {
    let program = compile(
        r#"package t
violation[{"msg": msg}] { msg := sprintf("container %v has %v", [input.name]) }
"#,
    )
    .expect("compiles");
    assert_eq!(
        messages(&program, r#"{"name": "app"}"#),
        ["container app has %!v(MISSING)"]
    );
}

#[test]
fn data_outside_lib_and_inventory_is_refused_at_load() {
    let error = compile(
        r#"package t
violation[{"msg": "x"}] { data.other.thing }
"#,
    )
    .expect_err("refused");
    assert!(error.contains("data.other.thing"), "{error}");
    let error =
        compile("package t\nimport data.secrets\nviolation[{\"msg\": \"x\"}] { secrets.a }\n")
            .expect_err("refused");
    assert!(error.contains("data.secrets"), "{error}");
    compile_with_libs(
        r#"package t
import data.lib.helpers.ok
violation[{"msg": "x"}] { ok(input.a); data.inventory.cluster }
"#,
        &["package lib.helpers\nok(x) { x == 1 }\n"],
    )
    .expect("data.lib and data.inventory are allowed");
}

#[test]
fn libraries_must_live_under_lib() {
    let error = compile_with_libs(
        "package t\nviolation[{\"msg\": \"x\"}] { false }\n",
        &["package helpers\nok { true }\n"],
    )
    .expect_err("refused");
    assert!(error.contains("data.lib"), "{error}");
}

#[test]
fn unknown_functions_are_refused_at_load() {
    let error = compile("package t\nviolation[{\"msg\": m}] { m := no_such_function(1) }\n")
        .expect_err("refused");
    assert!(error.contains("no_such_function"), "{error}");
}

#[test]
fn a_runtime_error_is_an_error_not_a_pass() {
    let program = compile(
        r#"package t
violation[{"msg": m}] { m := sprintf("%v", [1 / input.zero]) }
"#,
    )
    .expect("compiles");
    let result = program.violations(Value::from_json_str(r#"{"zero": 0}"#).unwrap(), None);
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn a_runaway_policy_is_stopped_by_its_deadline() {
    let program = compile(
        r#"package t
violation[{"msg": "done"}] { count([x | x := numbers.range(1, 5000)[_]; y := numbers.range(1, 5000)[_]]) > 0 }
"#,
    )
    .expect("compiles");
    let started = Instant::now();
    let result = program.violations(
        Value::new_object(),
        Some(Instant::now() + Duration::from_millis(50)),
    );
    assert!(result.is_err(), "{result:?}");
    // The bound is cooperative (checked as the evaluation steps), so it
    // returns long before the 25M-step comprehension would finish (seconds).
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn results_without_a_string_msg_are_dropped() {
    let program = compile(
        r#"package t
violation[{"details": {"a": 1}}] { true }
violation[{"msg": 5}] { true }
violation[{"msg": "kept", "details": {"b": 2}}] { true }
"#,
    )
    .expect("compiles");
    let violations = program
        .violations(Value::new_object(), None)
        .expect("evaluates");
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].msg, "kept");
    assert_eq!(violations[0].details, serde_json::json!({"b": 2}));
}

#[test]
fn deep_bracket_nesting_is_refused_before_the_parser_sees_it() {
    let deep = format!(
        "package t\nviolation[{{\"msg\": \"x\"}}] {{\n  {}1\n}}\n",
        "[".repeat(40)
    );
    let error = compile(&deep).expect_err("refused");
    assert!(
        error.contains("brackets nest") && error.contains("at most 12"),
        "{error}"
    );
    // Nesting as deep as real templates go is fine.
    let nested =
        "package t\nviolation[{\"msg\": m}] {\n  m := [[[[1]]]][0][0][0][0]\n  m == 2\n}\n";
    compile(nested).expect("6 levels compile");
}

#[test]
fn huge_number_exponents_are_refused_before_the_parser_sees_them() {
    let error = compile("package t\nviolation[{\"msg\": \"x\"}] { input.a == 1e99999999 }\n")
        .expect_err("refused");
    assert!(error.contains("exponent 99999999"), "{error}");
    // Ordinary scientific numbers, and exponents inside strings, are fine.
    compile("package t\nviolation[{\"msg\": \"1e99999999\"}] { input.a == 2.5e10 }\n")
        .expect("compiles");
}
