//! Tests of the fork's semantics and Kyverno's functions on expressions taken
//! from the shared policies.

use serde_json::json;

use super::search;
use crate::Json;

fn pod() -> Json {
    json!({
        "request": {
            "operation": "CREATE",
            "object": {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "web", "labels": {"tier": "frontend"}, "annotations": {}},
                "spec": {
                    "containers": [
                        {
                            "name": "nginx",
                            "image": "nginx:1.25",
                            "ports": [{"containerPort": 80, "hostPort": 8080}],
                            "securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["all"]}},
                            "resources": {"limits": {"memory": "2Gi"}, "requests": {"memory": "1Gi"}}
                        },
                        {"name": "sidecar", "image": "busybox", "resources": {}}
                    ],
                    "initContainers": [
                        {"name": "init", "image": "alpine", "ports": [{"containerPort": 9000, "hostPort": 9001}]}
                    ],
                    "volumes": [{"name": "data", "emptyDir": {}}, {"name": "host", "hostPath": {"path": "/"}}]
                }
            }
        }
    })
}

fn eval(expression: &str) -> Result<Json, String> {
    search(expression, &pod()).map_err(|error| error.message)
}

#[test]
fn missing_key_on_plain_path_is_unknown_key_error() {
    // Kyverno's fork: a key missing from an existing map fails the path.
    assert_eq!(
        eval("request.object.metadata.labels.app"),
        Err("Unknown key \"app\" in path".to_owned())
    );
    assert_eq!(
        eval("request.object.spec.containers[0].missing"),
        Err("Unknown key \"missing\" in path".to_owned())
    );
}

#[test]
fn null_or_non_map_parent_gives_null() {
    assert_eq!(
        eval("request.object.spec.containers[5].name"),
        Ok(Json::Null)
    );
    assert_eq!(eval("request.object.kind.name"), Ok(Json::Null));
}

#[test]
fn or_swallows_missing_keys_on_both_sides() {
    assert_eq!(
        eval("request.object.metadata.labels.app || ''"),
        Ok(json!(""))
    );
    assert_eq!(
        eval("request.operation || 'BACKGROUND'"),
        Ok(json!("CREATE"))
    );
    assert_eq!(eval("request.missing || request.other"), Ok(Json::Null));
    assert_eq!(eval("request.object.spec.replicas || `1`"), Ok(json!(1)));
}

#[test]
fn and_swallows_only_its_left_side() {
    assert_eq!(
        eval("request.missing && request.object.kind"),
        Ok(Json::Null)
    );
    assert_eq!(
        eval("request.object.kind && request.missing"),
        Err("Unknown key \"missing\" in path".to_owned())
    );
}

#[test]
fn projections_multiselect_and_flatten_treat_missing_as_null() {
    assert_eq!(
        eval(
            "request.object.spec.[ephemeralContainers, initContainers, containers][].ports[].hostPort"
        ),
        Ok(json!([9001, 8080]))
    );
    assert_eq!(
        eval("request.object.spec.containers[].securityContext.capabilities.add[]"),
        Ok(json!(["NET_ADMIN"]))
    );
    // A missing list under a flatten is null, not an error.
    assert_eq!(
        eval("request.object.spec.ephemeralContainers[]"),
        Ok(Json::Null)
    );
    assert_eq!(
        eval("request.object.spec.containers[].resources.keys(@)[]"),
        Ok(json!(["limits", "requests"]))
    );
    assert_eq!(
        eval("request.object.spec.volumes[?hostPath] | length(@)"),
        Ok(json!(1))
    );
    assert_eq!(
        eval("request.object.spec.volumes[?contains(keys(@), 'emptyDir')].name"),
        Ok(json!(["data"]))
    );
}

#[test]
fn filter_projection_swallows_any_error_of_its_subject() {
    assert_eq!(eval("to_boolean('x')[?@]"), Ok(Json::Null));
    assert!(eval("to_boolean('x')[*]").is_err());
}

#[test]
fn pipe_stages_swallow_missing_keys() {
    // The missing key becomes null for the next stage, which then fails on its type.
    assert!(eval("request.object.spec.missing | length(@)").is_err());
    assert_eq!(eval("request.object.spec.missing | @"), Ok(Json::Null));
    assert_eq!(
        eval("request.object.spec.initContainers[] || `[]` | length(@)"),
        Ok(json!(1))
    );
}

#[test]
fn function_arguments_and_comparisons_see_missing_as_null() {
    assert_eq!(
        eval("to_string(request.object.spec.missing)"),
        Ok(json!("null"))
    );
    assert_eq!(eval("request.object.spec.missing == null"), Ok(json!(true)));
    assert_eq!(
        eval(
            "request.object.spec.containers[?resources.requests.memory!=resources.limits.memory] | length(@)"
        ),
        Ok(json!(1))
    );
}

#[test]
fn numbers_come_back_whole_and_compare_numerically() {
    assert_eq!(eval("length(request.object.spec.containers)"), Ok(json!(2)));
    assert_eq!(eval("`1.0` == `1`"), Ok(json!(true)));
    assert_eq!(eval("to_string(`3.0`)"), Ok(json!("3")));
    assert_eq!(eval("to_number('8080')"), Ok(json!(8080)));
    assert_eq!(eval("`2` > `1`"), Ok(json!(true)));
    // Ordering needs numbers: otherwise null, as in go-jmespath.
    assert_eq!(eval("'a' < 'b'"), Ok(Json::Null));
}

#[test]
fn kyverno_string_functions() {
    assert_eq!(
        eval("request.object.spec.containers[0].image.split(@, ':')[1]"),
        Ok(json!("1.25"))
    );
    assert_eq!(
        eval("request.object.spec.containers[0].securityContext.capabilities.drop[].to_upper(@)"),
        Ok(json!(["ALL"]))
    );
    assert_eq!(eval("to_lower('AbC')"), Ok(json!("abc")));
    assert_eq!(eval("compare('a', 'b')"), Ok(json!(-1)));
    assert_eq!(eval("equal_fold('Go', 'GO')"), Ok(json!(true)));
    assert_eq!(eval("replace('aaa', 'a', 'b', `2`)"), Ok(json!("bba")));
    assert_eq!(eval("replace_all('a-b-c', '-', '+')"), Ok(json!("a+b+c")));
    assert_eq!(eval("trim('--x--', '-')"), Ok(json!("x")));
    assert_eq!(eval("trim_prefix('v1.2', 'v')"), Ok(json!("1.2")));
    assert_eq!(eval("truncate('kyverno', `3`)"), Ok(json!("kyv")));
    assert_eq!(eval("to_boolean('TrUe')"), Ok(json!(true)));
    assert!(eval("to_boolean('yes')").is_err());
    assert_eq!(eval("base64_encode('hi')"), Ok(json!("aGk=")));
    assert_eq!(eval("base64_decode('aGk=')"), Ok(json!("hi")));
    assert_eq!(
        eval("sha256('abc')"),
        Ok(json!(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        ))
    );
    assert_eq!(eval("path_canonicalize('/a//b/../c')"), Ok(json!("/a/c")));
}

#[test]
fn kyverno_regex_functions() {
    // Unanchored, like Go's regexp.Match.
    assert_eq!(
        eval("request.object.spec.containers[].image.regex_match('ngin', @)"),
        Ok(json!([true, false]))
    );
    assert_eq!(eval("regex_match('^[0-9]+%$', '50%')"), Ok(json!(true)));
    assert_eq!(eval("regex_match('^80$', `80`)"), Ok(json!(true)));
    assert_eq!(eval("regex_match('\\bps\\b', 'ps aux')"), Ok(json!(true)));
    assert_eq!(
        eval(
            "regex_replace_all('^(localhost/|(?:[a-z0-9]+\\.)+[a-z0-9]+/)?(.*)$', 'docker.io/nginx', 'myreg/$2')"
        ),
        Ok(json!("myreg/nginx"))
    );
    assert_eq!(
        eval("regex_replace_all_literal('a(b)', 'xaby', '$1')"),
        Ok(json!("x$1y"))
    );
    assert_eq!(eval("pattern_match('nginx*', 'nginx:1')"), Ok(json!(true)));
    assert!(eval("regex_match('(', 'x')").is_err());
}

#[test]
fn kyverno_arithmetic() {
    assert_eq!(eval("divide('2Gi', '1Gi')"), Ok(json!(2)));
    assert_eq!(eval("divide(`7`, `2`)"), Ok(json!(3.5)));
    assert!(eval("divide(`1`, `0`)").is_err());
    assert_eq!(eval("add(`1`, `2`)"), Ok(json!(3)));
    assert_eq!(eval("subtract('1h', '30m0s')"), Ok(json!("30m0s")));
    assert_eq!(eval("multiply('1m30s', `2`)"), Ok(json!("3m0s")));
    assert_eq!(eval("modulo(`7`, `3`)"), Ok(json!(1)));
    assert!(eval("modulo(`7.5`, `3`)").is_err());
    assert_eq!(eval("sum(`[1, 2, 3]`)"), Ok(json!(6)));
    assert!(eval("sum(`[]`)").is_err());
    assert_eq!(eval("round(`2.345`, `2`)"), Ok(json!(2.35)));
    assert!(eval("add('x', `1`)").is_err());
}

#[test]
fn kyverno_data_functions() {
    assert_eq!(
        eval("parse_yaml('clusterName: prod\nnodes: 3').clusterName"),
        Ok(json!("prod"))
    );
    assert_eq!(eval("parse_json('{\"a\": [1, 2]}').a[1]"), Ok(json!(2)));
    assert_eq!(
        eval("label_match(`{\"tier\": \"frontend\"}`, request.object.metadata.labels)"),
        Ok(json!(true))
    );
    assert_eq!(
        eval("label_match(`{\"tier\": \"backend\"}`, request.object.metadata.labels)"),
        Ok(json!(false))
    );
    assert_eq!(eval("lookup(`{\"a\": 1}`, 'a')"), Ok(json!(1)));
    assert_eq!(eval("lookup(`[1, 2]`, `5`)"), Ok(Json::Null));
    assert_eq!(
        eval("items(`{\"b\": 2, \"a\": 1}`, 'key', 'value')"),
        Ok(json!([{"key": "a", "value": 1}, {"key": "b", "value": 2}]))
    );
    assert_eq!(
        eval("object_from_lists(`[\"a\", 5]`, `[1]`)"),
        Ok(json!({"a": 1, "5": null}))
    );
    assert_eq!(
        eval("semver_compare('1.2.3', '>=1.0.0 <2.0.0')"),
        Ok(json!(true))
    );
}

#[test]
fn kyverno_time_functions() {
    assert_eq!(
        eval("time_since('', '2024-01-01T00:00:00Z', '2024-01-01T01:30:00Z')"),
        Ok(json!("1h30m0s"))
    );
    assert_eq!(
        eval("time_add('2024-01-01T00:00:00Z', '36h')"),
        Ok(json!("2024-01-02T12:00:00Z"))
    );
    assert_eq!(
        eval("time_before('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')"),
        Ok(json!(true))
    );
    assert_eq!(
        eval("time_after('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')"),
        Ok(json!(false))
    );
    assert_eq!(
        eval("time_utc('2024-01-01T02:00:00+02:00')"),
        Ok(json!("2024-01-01T00:00:00Z"))
    );
    assert_eq!(
        eval("time_parse('2006-01-02', '2024-05-06')"),
        Ok(json!("2024-05-06T00:00:00Z"))
    );
    assert_eq!(
        eval("time_parse('1136214245', '0')"),
        Ok(json!("1970-01-01T00:00:00Z"))
    );
    assert_eq!(
        eval("time_truncate('2024-01-01T10:47:13Z', '1h')"),
        Ok(json!("2024-01-01T10:00:00Z"))
    );
    assert_eq!(
        eval("time_to_cron('2024-01-01T10:47:13Z')"),
        Ok(json!("47 10 1 1 1"))
    );
    let now = eval("time_now_utc()").unwrap_or_default();
    assert!(now.as_str().is_some_and(|text| text.ends_with('Z')));
}

#[test]
fn slices_and_indexes_are_safe_at_extremes() {
    assert_eq!(eval("`[1, 2, 3]`[::-1]"), Ok(json!([3, 2, 1])));
    assert_eq!(eval("`[1, 2, 3]`[-2147483647]"), Ok(Json::Null));
    assert_eq!(eval("`[1, 2, 3]`[-1]"), Ok(json!(3)));
    assert_eq!(eval("`[1, 2, 3]`[-99:99:2147483647]"), Ok(json!([1])));
    assert!(eval("`[1]`[::0]").is_err());
}

#[test]
fn hostile_expressions_fail_cleanly() {
    assert!(eval(&"(".repeat(10_000)).is_err());
    assert!(eval(&"!".repeat(10_000)).is_err());
    assert!(eval(&format!("a{}", "[]".repeat(2000))).is_err());
    assert!(eval("undefined_function(@)").is_err());
    assert!(eval("a.").is_err());
    let chain = vec!["a"; 3000].join(".");
    assert!(eval(&chain).is_err() || eval(&chain) == Ok(Json::Null));
}

#[test]
fn deep_data_is_rejected_not_overflowed() {
    let mut value = json!(1);
    for _ in 0..600 {
        value = json!([value]);
    }
    assert!(search("@", &value).is_err());
}

/// `` `1` `` doubled `times` times with `[@, @]`: 2^times leaves, shared.
fn doubling(start: &str, times: usize) -> String {
    format!("{start}{}", "|[@,@]".repeat(times))
}

// Found by the kyverno_policy fuzz target's probes: 40 doublings describe
// 2^40 nodes, which the conversion to JSON used to try to build (out of
// memory). The value is now refused once it passes the weight bound.
#[test]
fn doubling_a_value_past_the_weight_bound_is_an_error_not_an_allocation() {
    assert_eq!(
        eval(&doubling("`1`", 3)).map(|v| v.to_string()).as_deref(),
        Ok("[[[1,1],[1,1]],[[1,1],[1,1]]]")
    );
    let error = eval(&doubling("`1`", 40)).unwrap_err();
    assert!(error.contains("larger than 262144 nodes"), "{error}");
    // Serialising it was the other way to the same blow-up.
    let error = eval(&format!("{} | to_string(@)", doubling("'ab'", 30))).unwrap_err();
    assert!(error.contains("larger than"), "{error}");
}

#[test]
fn an_evaluation_stops_after_its_step_budget() {
    // 2^16 leaves flattened into one list, then projected over again and
    // again: each projection is about 2^17 steps.
    let flat = format!("{}{}", doubling("`1`", 16), "|[]".repeat(15));
    assert_eq!(eval(&format!("{flat} | length(@)")), Ok(json!(65_536)));
    let projections = "| [*].abs(@) ".repeat(8);
    let error = eval(&format!("{flat} {projections}")).unwrap_err();
    assert!(error.contains("took more than"), "{error}");
}

// The crate's map/sort_by/max_by/min_by would evaluate their expression
// outside the bounds; they run in the fork's evaluator with the same results.
#[test]
fn expression_reference_functions_run_within_the_bounds() {
    let error = eval(&format!("map(&({}), `[1, 2]`)", doubling("@", 40))).unwrap_err();
    assert!(error.contains("larger than"), "{error}");
    let containers = "request.object.spec.containers";
    assert_eq!(
        eval(&format!("map(&name, {containers})")),
        Ok(json!(["nginx", "sidecar"]))
    );
    assert_eq!(
        eval(&format!("map(&missing, {containers})")),
        Ok(json!([null, null]))
    );
    assert_eq!(
        eval(&format!("sort_by({containers}, &image)[].name")),
        Ok(json!(["sidecar", "nginx"]))
    );
    assert_eq!(
        eval(&format!("max_by({containers}, &name).name")),
        Ok(json!("sidecar"))
    );
    assert_eq!(
        eval(&format!("min_by({containers}, &name).name")),
        Ok(json!("nginx"))
    );
    assert_eq!(eval("max_by(`[]`, &a)"), Ok(json!(null)));
    assert_eq!(eval("sort_by(`[]`, &a)"), Ok(json!([])));
    // Ties keep the first element, as the crate's stable sort and strict
    // comparison do.
    assert_eq!(
        eval("max_by(`[{\"a\":1,\"i\":0},{\"a\":1,\"i\":1}]`, &a).i"),
        Ok(json!(0))
    );
    assert_eq!(
        eval("sort_by(`[{\"a\":1,\"i\":0},{\"a\":0,\"i\":1},{\"a\":1,\"i\":2}]`, &a)[].i"),
        Ok(json!([1, 0, 2]))
    );
    // The crate's error texts.
    assert_eq!(
        eval(&format!("sort_by({containers}, &ports)")),
        Err("function sort_by(): Argument 1 must return expression->number|expression->string but invocation 1 returned array".to_owned())
    );
    assert_eq!(
        eval("max_by(`[{\"a\":1},{\"a\":\"x\"}]`, &a)"),
        Err("function max_by(): Argument 1 must return expression->number but invocation 1 returned string".to_owned())
    );
    // Ill-typed arguments still get the crate's signature error.
    assert!(eval("map(&a, 'text')").is_err());
}

// `join`, `replace_all` and the regex replacements build strings whose
// length is a product of their inputs'; past 8 MiB they are refused.
#[test]
fn functions_that_multiply_string_lengths_are_bounded() {
    let mib = doubling("'aaaaaaaaaaaaaaaa'", 0);
    let big = format!("{mib}{}", "| join('', [@,@])".repeat(16));
    assert_eq!(eval(&format!("{big} | length(@)")), Ok(json!(1 << 20)));
    let error = eval(&format!("{big} | replace_all(@, 'a', 'bbbbbbbbbbbbbbbb')")).unwrap_err();
    assert!(error.contains("longer than 8388608 bytes"), "{error}");
    let error = eval(&format!(
        "{big} | regex_replace_all('a', @, '$0$0$0$0$0$0$0$0$0$0')"
    ))
    .unwrap_err();
    assert!(error.contains("longer than"), "{error}");
    let error = eval(&format!(
        "{big} | join(@, ['a','b','c','d','e','f','g','h','i','j'])"
    ))
    .unwrap_err();
    assert!(error.contains("longer than"), "{error}");
    // Within the bound they answer as before.
    assert_eq!(
        eval("regex_replace_all('(a)(b)', 'xaby', '$2$1')"),
        Ok(json!("xbay"))
    );
    assert_eq!(
        eval("regex_replace_all_literal('a+', 'caaat', '$0')"),
        Ok(json!("c$0t"))
    );
    assert_eq!(eval("replace_all('abc', '', '-')"), Ok(json!("-a-b-c-")));
}
