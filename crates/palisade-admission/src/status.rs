//! `metav1.Status`, the error a denied admission response carries, built the way
//! apimachinery's error constructors build it (the API server shows `message` to
//! the user and keeps `code` and `reason` for clients).

use serde::Serialize;

/// A failure status. Serialises with the field names and order of `metav1.Status`;
/// `metadata` is always `{}` and empty members are left out, as Go does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    metadata: Empty,
    status: &'static str,
    pub message: String,
    pub reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Details>,
    pub code: u16,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
struct Empty {}

/// `metav1.StatusDetails`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Details {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<Cause>,
}

/// `metav1.StatusCause` (its type is serialised as `reason`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cause {
    #[serde(rename = "reason", skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub field: String,
}

impl Status {
    fn failure(code: u16, reason: &'static str, message: String, details: Option<Details>) -> Self {
        Status {
            metadata: Empty {},
            status: "Failure",
            message,
            reason,
            details,
            code,
        }
    }

    /// 403 `<resource> "<name>" is forbidden: <why>`; the resource is qualified by
    /// its group (`deployments.apps`) unless it is in the core group.
    pub fn forbidden(group: &str, resource: &str, name: &str, why: &str) -> Self {
        let qualified = if group.is_empty() {
            resource.to_owned()
        } else {
            format!("{resource}.{group}")
        };
        let message = if name.is_empty() {
            format!("{qualified} is forbidden: {why}")
        } else {
            format!("{qualified} {} is forbidden: {why}", go_string(name))
        };
        let details = Details {
            name: name.to_owned(),
            group: group.to_owned(),
            kind: resource.to_owned(),
            causes: Vec::new(),
        };
        Status::failure(403, "Forbidden", message, Some(details))
    }

    /// 422 `<Kind> "<name>" is invalid: <errors>` with one cause per field error
    /// (`(field, body)` pairs); several errors print as `[a, b]`.
    pub fn invalid(group: &str, kind: &str, name: &str, errors: &[(String, String)]) -> Self {
        let qualified = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}.{group}")
        };
        let aggregate = palisade_pss::namespace_policy::aggregate_texts(
            errors
                .iter()
                .map(|(field, body)| format!("{field}: {body}")),
        );
        let mut message = format!("{qualified} {} is invalid", go_string(name));
        if !aggregate.is_empty() {
            message = format!("{message}: {aggregate}");
        }
        let details = Details {
            name: name.to_owned(),
            group: group.to_owned(),
            kind: kind.to_owned(),
            causes: errors
                .iter()
                .map(|(field, body)| Cause {
                    kind: "FieldValueInvalid".to_owned(),
                    message: body.clone(),
                    field: field.clone(),
                })
                .collect(),
        };
        Status::failure(422, "Invalid", message, Some(details))
    }

    /// 500 `Internal error occurred: <error>`.
    pub fn internal(error: &str) -> Self {
        let details = Details {
            causes: vec![Cause {
                message: error.to_owned(),
                ..Cause::default()
            }],
            ..Details::default()
        };
        Status::failure(
            500,
            "InternalError",
            format!("Internal error occurred: {error}"),
            Some(details),
        )
    }

    /// 400 with the message as given.
    /// 403 `Forbidden` with a message of the policy's own, as controller-runtime's
    /// `ValidationResponse` builds it for webhooks such as Gatekeeper.
    pub fn forbidden_message(message: String) -> Self {
        Status::failure(403, "Forbidden", message, None)
    }

    /// A denial with one of the reasons a ValidatingAdmissionPolicy validation
    /// may give (`Unauthorized`, `Forbidden`, `Invalid`,
    /// `RequestEntityTooLarge`), with its HTTP code; anything else is `Invalid`.
    pub fn policy_denial(reason: &str, message: String) -> Self {
        let (code, reason) = match reason {
            "Unauthorized" => (401, "Unauthorized"),
            "Forbidden" => (403, "Forbidden"),
            "RequestEntityTooLarge" => (413, "RequestEntityTooLarge"),
            _ => (422, "Invalid"),
        };
        Status::failure(code, reason, message, None)
    }

    pub fn bad_request(message: &str) -> Self {
        Status::failure(400, "BadRequest", message.to_owned(), None)
    }
}

/// Go's `%q` of a string.
pub(crate) fn go_string(s: &str) -> String {
    palisade_pss::go_quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(status: &Status) -> String {
        serde_json::to_string(status).unwrap()
    }

    #[test]
    fn forbidden_matches_apimachinery() {
        assert_eq!(
            json(&Status::forbidden(
                "",
                "pods",
                "x",
                "violates PodSecurity \"restricted:latest\": y"
            )),
            r#"{"metadata":{},"status":"Failure","message":"pods \"x\" is forbidden: violates PodSecurity \"restricted:latest\": y","reason":"Forbidden","details":{"name":"x","kind":"pods"},"code":403}"#
        );
        assert_eq!(
            Status::forbidden("apps", "deployments", "", "no").message,
            "deployments.apps is forbidden: no"
        );
    }

    #[test]
    fn invalid_lists_every_cause() {
        let errors = [
            (
                "metadata.labels[a]".to_owned(),
                "Invalid value: \"x\": bad".to_owned(),
            ),
            (
                "metadata.labels[b]".to_owned(),
                "Invalid value: \"y\": bad".to_owned(),
            ),
        ];
        assert_eq!(
            json(&Status::invalid("", "Namespace", "ns1", &errors)),
            r#"{"metadata":{},"status":"Failure","message":"Namespace \"ns1\" is invalid: [metadata.labels[a]: Invalid value: \"x\": bad, metadata.labels[b]: Invalid value: \"y\": bad]","reason":"Invalid","details":{"name":"ns1","kind":"Namespace","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"x\": bad","field":"metadata.labels[a]"},{"reason":"FieldValueInvalid","message":"Invalid value: \"y\": bad","field":"metadata.labels[b]"}]},"code":422}"#
        );
    }

    #[test]
    fn internal_and_bad_request_shapes() {
        assert_eq!(
            json(&Status::internal("failed to lookup namespace \"ns1\"")),
            r#"{"metadata":{},"status":"Failure","message":"Internal error occurred: failed to lookup namespace \"ns1\"","reason":"InternalError","details":{"causes":[{"message":"failed to lookup namespace \"ns1\""}]},"code":500}"#
        );
        assert_eq!(
            json(&Status::bad_request("failed to decode object")),
            r#"{"metadata":{},"status":"Failure","message":"failed to decode object","reason":"BadRequest","code":400}"#
        );
    }
}
