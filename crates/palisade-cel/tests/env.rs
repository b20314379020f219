//! The CEL environment: variables, Kubernetes semantics of missing fields,
//! the Kubernetes libraries, composited variables.

use palisade_cel::{Activation, Expression, Scope, Variable};
use serde_json::json;

fn scope(object: serde_json::Value) -> Scope {
    Scope::new(&Activation::from_json(
        Some(&object),
        None,
        &json!({"operation": "CREATE", "kind": {"group": "", "version": "v1", "kind": "Pod"}}),
        Some(&json!({"max": 3})),
        None,
    ))
}

fn eval(s: &Scope, src: &str) -> Result<cel::Value, String> {
    let e = Expression::compile(src).map_err(|e| e.to_string())?;
    s.eval(&e).map_err(|e| e.to_string())
}

fn truth(s: &Scope, src: &str) -> bool {
    match eval(s, src) {
        Ok(cel::Value::Bool(b)) => b,
        other => panic!("{src}: {other:?}"),
    }
}

#[test]
fn admission_variables_are_bound() {
    let s = scope(json!({"metadata": {"name": "p"}, "spec": {"replicas": 2}}));
    assert!(truth(&s, "object.metadata.name == 'p'"));
    assert!(truth(&s, "oldObject == null"));
    assert!(truth(&s, "request.operation == 'CREATE'"));
    assert!(truth(&s, "object.spec.replicas <= params.max"));
    assert!(truth(&s, "namespaceObject == null"));
}

#[test]
fn json_numbers_keep_their_cel_types() {
    let s = scope(json!({"i": 2, "f": 2.5}));
    assert!(truth(&s, "type(object.i) == int"));
    assert!(truth(&s, "type(object.f) == double"));
}

#[test]
fn missing_field_is_an_error_and_has_is_false() {
    let s = scope(json!({"metadata": {"name": "p"}}));
    let err = eval(&s, "object.spec.replicas > 1").unwrap_err();
    assert!(err.contains("no such key: spec"), "{err}");
    assert!(err.starts_with("expression 'object.spec.replicas > 1' resulted in error: "));
    assert!(!truth(&s, "has(object.spec)"));
    assert!(truth(&s, "has(object.metadata.name)"));
}

#[test]
fn has_on_a_value_without_fields_is_false_as_in_kubernetes() {
    let mut s = scope(json!({"metadata": {"name": "p"}}));
    s.set_variable("params", cel::Value::Null);
    // cel-go (as Kubernetes configures it) answers false; cel 0.15 alone errors.
    assert!(!truth(&s, "has(variables.params.exemptImages)"));
    assert!(!truth(&s, "has(object.metadata.name.x)"));
    assert!(truth(&s, "!has(oldObject.metadata)"));
    // The operand itself is still evaluated: a missing step is an error.
    let err = eval(&s, "has(object.spec.containers)").unwrap_err();
    assert!(err.ends_with("no such key: spec"), "{err}");
    // Through optionals.
    assert!(truth(&s, "has(object.?metadata.name)"));
    assert!(!truth(&s, "has(object.?spec.name)"));
    // Inside comprehensions too.
    assert!(truth(
        &s,
        "[{'a': 1}, {'b': 2}].filter(x, has(x.a)).size() == 1"
    ));
}

#[test]
fn errors_are_absorbed_as_cel_go_absorbs_them() {
    let s = scope(json!({"items": [{"b": 1}, {"a": 1}]}));
    // `exists` is true if any element is true, even if another errors.
    assert!(truth(&s, "object.items.exists(x, x.a == 1)"));
    // `||` and `&&` are commutative over errors.
    assert!(truth(&s, "object.nope == 1 || true"));
    assert!(!truth(&s, "object.nope == 1 && false"));
    assert!(eval(&s, "object.items.all(x, x.a == 1)").is_err());
}

#[test]
fn authorizer_is_a_compile_error() {
    let err = Expression::compile("authorizer.group('').resource('pods').check('get').allowed()")
        .unwrap_err();
    assert!(err.message.contains("not supported offline"), "{err}");
}

#[test]
fn composited_variables_see_earlier_ones() {
    let mut s = scope(json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}));
    let vars = vec![
        Variable {
            name: "containers".into(),
            expression: Expression::compile("object.spec.containers").unwrap(),
        },
        Variable {
            name: "names".into(),
            expression: Expression::compile("variables.containers.map(c, c.name)").unwrap(),
        },
        Variable {
            name: "broken".into(),
            expression: Expression::compile("object.spec.nope").unwrap(),
        },
    ];
    s.bind_variables(&vars);
    assert!(truth(&s, "variables.names == ['a', 'b']"));
    let err = eval(&s, "variables.broken == 1").unwrap_err();
    // The failed variable's own error, not "no such key: broken".
    assert!(
        err.ends_with("resulted in error: no such key: nope"),
        "{err}"
    );
}

#[test]
fn cel_bind_binds_a_name_once() {
    let s = scope(json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}));
    assert!(truth(
        &s,
        "cel.bind(cs, object.spec.containers, cs.size() == 2 && cs[0].name == 'a')"
    ));
    assert!(truth(&s, "cel.bind(x, 1, cel.bind(x, x + 1, x)) == 2"));
    // Two-variable comprehensions are not supported: an error, not a value.
    assert!(eval(&s, "{'a': 1}.all(k, v, v > 0)").is_err());
}

#[test]
fn string_and_list_extensions() {
    let s = scope(json!({}));
    assert!(truth(&s, "['a', 'b'].join(', ') == 'a, b'"));
    assert!(truth(&s, "'ABC'.lowerAscii() == 'abc'"));
    assert!(truth(&s, "'a*'.replace('*', '') == 'a'"));
    assert!(truth(&s, "'a,b'.split(',') == ['a', 'b']"));
    assert!(truth(&s, "'abc'.matches('^a.c$')"));
    assert!(truth(&s, "'%s=%d'.format(['x', 1]) == 'x=1'"));
    assert!(truth(&s, "dyn(1) == 1"));
}

#[test]
fn kubernetes_libraries() {
    let s = scope(json!({"limit": "1Gi"}));
    assert!(truth(
        &s,
        "quantity(object.limit).isGreaterThan(quantity('500Mi'))"
    ));
    assert!(!truth(&s, "quantity('100m').isGreaterThan(quantity('1'))"));
    assert!(truth(&s, "quantity('1Gi') == quantity('1024Mi')"));
    assert!(truth(&s, "quantity('1.5').asApproximateFloat() == 1.5"));
    assert!(truth(&s, "isQuantity('10Mi') && !isQuantity('ten')"));
    assert!(truth(&s, "'abc 123'.find('[0-9]+') == '123'"));
    assert!(truth(&s, "'a1b22'.findAll('[0-9]+') == ['1', '22']"));
    assert!(truth(&s, "[1, 2, 3].isSorted() && [1, 2, 3].sum() == 6"));
    assert!(truth(&s, "[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3"));
    assert!(truth(&s, "sets.contains([1, 2, 3], [1, 2])"));
    assert!(truth(
        &s,
        "url('https://example.com:8080/p').getPort() == '8080'"
    ));
    assert!(truth(
        &s,
        "isIP('10.0.0.1') && cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))"
    ));
    assert!(truth(&s, "semver('1.2.3').isLessThan(semver('1.10.0'))"));
    assert!(truth(
        &s,
        "format.dns1123Label().validate('Not_Valid').hasValue()"
    ));
    assert!(!truth(
        &s,
        "format.dns1123Label().validate('ok-name').hasValue()"
    ));
    let err = eval(&s, "quantity('ten') == quantity('1')").unwrap_err();
    assert!(err.contains("resulted in error"), "{err}");
}

#[test]
fn one_compiled_expression_serves_many_threads() {
    let e = Expression::compile(
        "quantity(object.mem).isLessThan(quantity('1Gi')) && object.name.find('[0-9]+') == '7'",
    )
    .unwrap();
    std::thread::scope(|t| {
        for i in 0..4 {
            let e = &e;
            t.spawn(move || {
                let mem = if i % 2 == 0 { "512Mi" } else { "2Gi" };
                let s = scope(json!({"mem": mem, "name": "pod-7"}));
                let got = matches!(s.eval(e), Ok(cel::Value::Bool(true)));
                assert_eq!(got, i % 2 == 0);
            });
        }
    });
}

#[test]
fn evaluation_is_bounded() {
    let mut s = scope(json!({}));
    s.set_iteration_limit(10_000);
    let err = eval(
        &s,
        "lists.range(200).all(x, lists.range(200).all(y, x + y >= 0))",
    )
    .unwrap_err();
    assert!(
        err.ends_with("operation cancelled: actual cost limit exceeded"),
        "{err}"
    );
    // Within the limit, the same shape evaluates.
    assert!(truth(
        &s,
        "lists.range(90).all(x, lists.range(90).all(y, x + y >= 0))"
    ));
    // The count starts again for every evaluation.
    assert!(truth(
        &s,
        "lists.range(90).all(x, lists.range(90).all(y, x + y >= 0))"
    ));
}

/// cel-go hands a non-optional receiver of `orValue`/`or` back unchanged
/// (its short-circuiting step); optionals keep their own meaning.
#[test]
fn or_value_on_a_non_optional_is_the_receiver() {
    let s =
        scope(json!({"spec": {"containers": [{"name": "a", "volumeMounts": [{"name": "v"}]}]}}));
    assert!(truth(
        &s,
        "object.spec.containers[0].volumeMounts.orValue([]).size() == 1"
    ));
    assert!(truth(&s, "object.spec.orValue({}).containers.size() == 1"));
    assert!(truth(&s, "object.spec.?missing.orValue(7) == 7"));
    assert!(truth(&s, "object.spec.?containers.orValue([]).size() == 1"));
    assert!(truth(&s, "optional.none().or(optional.of(2)).value() == 2"));
    assert!(truth(
        &s,
        "object.spec.containers.or(optional.of(2)).size() == 1"
    ));
}

/// Host functions added to a scope are called by their qualified name, see
/// the call's arguments, and fail the expression with their message.
#[test]
fn host_functions_are_callable_by_qualified_name() {
    let mut s = scope(json!({"metadata": {"name": "web"}}));
    assert!(s.add_function("store.Get", |args| match args.as_slice() {
        [cel::Value::String(key)] if key.as_str() == "web" => Ok(cel::Value::Int(3)),
        [cel::Value::String(key)] => Err(format!("{key} not found")),
        _ => Err("expected one string".to_owned()),
    }));
    assert!(truth(&s, "store.Get(object.metadata.name) == 3"));
    assert_eq!(
        eval(&s, "store.Get('db')").err(),
        Some("expression 'store.Get('db')' resulted in error: db not found".to_owned())
    );
    // A name the environment declares cannot be replaced.
    assert!(!s.add_function("size", |_| Ok(cel::Value::Null)));
}
