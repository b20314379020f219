//! A constraint's `spec.parameters` checked against its template's
//! `openAPIV3Schema`, as the API server checks the constraint's CRD.
//!
//! A wrong type or a misspelled parameter does not fail loudly in Rego: it
//! reads as undefined and quietly turns a check off. The API server refuses
//! such a constraint, and so does Palisade. Covered: `type` (with
//! `nullable`), `properties`, `additionalProperties`, `items`, `required`,
//! `enum`, `minimum`/`maximum`, `minLength`/`maxLength`, `minItems`/
//! `maxItems`, `pattern`, and `x-kubernetes-preserve-unknown-fields` (a
//! template with `legacySchema: true` keeps unknown fields, as Gatekeeper
//! does). Unknown fields are refused, as kubectl's strict field validation
//! refuses them.

use palisade_core::Node;
use palisade_core::node::Value;

/// The first problem found, with the field path, or `Ok`.
pub fn validate(parameters: &Node, schema: &Node, preserve_unknown: bool) -> Result<(), String> {
    let mut errors = Vec::new();
    check(
        parameters,
        schema,
        "spec.parameters",
        preserve_unknown,
        &mut errors,
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Int(_) => "integer",
        Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

fn check(value: &Node, schema: &Node, path: &str, preserve: bool, errors: &mut Vec<String>) {
    let flag = |key: &str| schema.get(key).and_then(Node::as_bool) == Some(true);
    let preserve = preserve || flag("x-kubernetes-preserve-unknown-fields");
    if value.is_null() {
        if !flag("nullable") && schema.get("type").is_some() {
            errors.push(format!("{path}: must not be null"));
        }
        return;
    }
    if flag("x-kubernetes-int-or-string") {
        if !matches!(value.value, Value::Int(_) | Value::String(_)) {
            errors.push(format!(
                "{path}: must be an integer or a string, found {}",
                type_name(&value.value)
            ));
        }
        return;
    }
    if let Some(expected) = schema.get("type").and_then(Node::as_str) {
        let found = type_name(&value.value);
        let ok = found == expected || (expected == "number" && found == "integer");
        if !ok {
            errors.push(format!("{path}: must be of type {expected}, found {found}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Node::as_seq)
        && !allowed.iter().any(|a| a.to_json() == value.to_json())
    {
        let list: Vec<String> = allowed.iter().map(|a| a.to_json().to_string()).collect();
        errors.push(format!(
            "{path}: {} is not one of [{}]",
            value.to_json(),
            list.join(", ")
        ));
    }
    let number = |key: &str| -> Option<f64> {
        match schema.get(key).map(|n| &n.value) {
            Some(Value::Int(i)) => Some(*i as f64),
            Some(Value::Float(f)) => Some(*f),
            _ => None,
        }
    };
    let count = |key: &str| {
        schema
            .get(key)
            .and_then(Node::as_i64)
            .map(|n| n.max(0) as usize)
    };
    match &value.value {
        Value::Int(_) | Value::Float(_) => {
            let v = match value.value {
                Value::Int(i) => i as f64,
                Value::Float(f) => f,
                _ => 0.0,
            };
            if let Some(min) = number("minimum")
                && v < min
            {
                errors.push(format!("{path}: must be greater than or equal to {min}"));
            }
            if let Some(max) = number("maximum")
                && v > max
            {
                errors.push(format!("{path}: must be less than or equal to {max}"));
            }
        }
        Value::String(s) => {
            let length = s.chars().count();
            if let Some(min) = count("minLength")
                && length < min
            {
                errors.push(format!("{path}: must be at least {min} characters long"));
            }
            if let Some(max) = count("maxLength")
                && length > max
            {
                errors.push(format!("{path}: may not be longer than {max}"));
            }
            if let Some(pattern) = schema.get("pattern").and_then(Node::as_str) {
                match regex::Regex::new(pattern) {
                    Ok(re) if !re.is_match(s) => {
                        errors.push(format!("{path}: must match the pattern {pattern:?}"));
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(format!("{path}: the schema's pattern is invalid: {e}")),
                }
            }
        }
        Value::Seq(items) => {
            if let Some(min) = count("minItems")
                && items.len() < min
            {
                errors.push(format!("{path}: must have at least {min} items"));
            }
            if let Some(max) = count("maxItems")
                && items.len() > max
            {
                errors.push(format!("{path}: must have at most {max} items"));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item, item_schema, &format!("{path}[{i}]"), preserve, errors);
                }
            }
        }
        Value::Map(map) => {
            let properties = schema.get("properties").and_then(Node::as_map);
            let additional = schema.get("additionalProperties");
            for required in schema
                .get("required")
                .map(Node::items)
                .into_iter()
                .flatten()
            {
                if let Some(name) = required.as_str()
                    && !map.contains_key(name)
                {
                    errors.push(format!("{path}.{name}: Required value"));
                }
            }
            for (key, child) in map.iter() {
                let child_path = format!("{path}.{}", key.name);
                if let Some(property) = properties.and_then(|p| p.get(&key.name)) {
                    check(child, property, &child_path, preserve, errors);
                } else if let Some(additional) = additional.filter(|a| a.as_map().is_some()) {
                    check(child, additional, &child_path, preserve, errors);
                } else if additional.and_then(Node::as_bool) == Some(true) || preserve {
                    // Allowed and not described.
                } else if properties.is_some()
                    || schema.get("type").and_then(Node::as_str) == Some("object")
                {
                    errors.push(format!("{child_path}: unknown field {:?}", key.name));
                }
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json: &str) -> Node {
        Node::from_json(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn types_unknown_fields_and_bounds_are_checked_with_the_path() {
        let schema = node(
            r#"{"type": "object", "properties": {
                "cpu": {"type": "string"},
                "ratio": {"type": "number", "minimum": 0},
                "exemptImages": {"type": "array", "items": {"type": "string"}},
                "mode": {"type": "string", "enum": ["a", "b"]}}}"#,
        );
        assert!(
            validate(
                &node(r#"{"cpu": "200m", "ratio": 2, "exemptImages": ["x"]}"#),
                &schema,
                false
            )
            .is_ok()
        );
        let error = validate(&node(r#"{"cpu": 200}"#), &schema, false).unwrap_err();
        assert_eq!(
            error,
            "spec.parameters.cpu: must be of type string, found integer"
        );
        let error = validate(&node(r#"{"exemptImage": ["x"]}"#), &schema, false).unwrap_err();
        assert!(
            error.contains("spec.parameters.exemptImage: unknown field"),
            "{error}"
        );
        assert!(validate(&node(r#"{"exemptImage": ["x"]}"#), &schema, true).is_ok());
        let error = validate(&node(r#"{"exemptImages": [1]}"#), &schema, false).unwrap_err();
        assert!(error.contains("spec.parameters.exemptImages[0]"), "{error}");
        let error = validate(&node(r#"{"ratio": -1, "mode": "c"}"#), &schema, false).unwrap_err();
        assert!(
            error.contains("ratio: must be greater") && error.contains("\"c\" is not one of"),
            "{error}"
        );
    }
}
