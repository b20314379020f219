//! The AdmissionReview v1 wire format: decoding a request body, encoding a response.
//!
//! The body is read into a [`Node`] tree once (repeated keys refused, nesting
//! bounded by serde_json's recursion limit), then the request's fields are taken
//! from it with Go's typing: names are case-sensitive, unknown fields are ignored,
//! `null` is the zero value, and a value of the wrong type (an array where an
//! object belongs, a number where a string does) is an error, as it is for the API
//! server's decoder. `object` and `oldObject` are moved out of the tree, not copied.
//! Anything that is not an `admission.k8s.io/v1` `AdmissionReview` with a `request`
//! carrying a `uid` is refused with a message that says what was wrong; the HTTP
//! layer answers it with 400.

use std::collections::BTreeMap;

use palisade_core::Node;
use palisade_core::Value;
use serde::Serialize;

use crate::status::Status;

/// The only review version the webhook speaks (v1beta1 was removed in 1.22).
pub const API_VERSION: &str = "admission.k8s.io/v1";
pub const KIND: &str = "AdmissionReview";

/// Group, version and kind of the object under review.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupVersionKind {
    pub group: String,
    pub version: String,
    pub kind: String,
}

/// Group, version and resource the request was made to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupVersionResource {
    pub group: String,
    pub version: String,
    pub resource: String,
}

/// Who made the request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub username: String,
    pub uid: String,
    pub groups: Vec<String>,
}

/// The operation of a request: `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }
}

/// One admission request, as the webhook and policies read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub uid: String,
    pub kind: GroupVersionKind,
    pub resource: GroupVersionResource,
    /// The subresource as the client asked for it (`requestSubResource`; the
    /// `subResource` field when a hand-written review lacks it). Empty for the
    /// main resource.
    pub sub_resource: String,
    pub name: String,
    pub namespace: String,
    pub operation: Operation,
    pub user_info: UserInfo,
    pub object: Option<Node>,
    pub old_object: Option<Node>,
    pub dry_run: bool,
}

/// Why a body is not an AdmissionReview request this webhook can answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RequestError(pub String);

/// Decodes an AdmissionReview request body.
pub fn decode_request(body: &[u8]) -> Result<Request, RequestError> {
    let root: Node = serde_json::from_slice(body)
        .map_err(|e| RequestError(format!("the body is not an AdmissionReview: {e}")))?;
    let Value::Map(mut review) = root.value else {
        return Err(RequestError(format!(
            "the body is not an AdmissionReview: expected a JSON object, found {}",
            type_name(&root.value)
        )));
    };
    let api_version = string(&review, "apiVersion", "")?;
    let kind = string(&review, "kind", "")?;
    if api_version != API_VERSION || kind != KIND {
        return Err(RequestError(format!(
            "expected apiVersion {API_VERSION:?} and kind {KIND:?}, got {api_version:?} and {kind:?}"
        )));
    }
    let mut request = match review.remove("request").map(|n| n.value) {
        None | Some(Value::Null) => {
            return Err(RequestError(
                "the AdmissionReview has no request".to_owned(),
            ));
        }
        Some(Value::Map(request)) => request,
        Some(other) => {
            return Err(RequestError(format!(
                "request: expected an object, found {}",
                type_name(&other)
            )));
        }
    };
    // `"object": null` is how Go encodes an absent RawExtension.
    let mut take = |key: &str| request.remove(key).filter(|n| !n.is_null());
    let (new_object, old_object) = (take("object"), take("oldObject"));
    let at = "request.";
    let uid = string(&request, "uid", at)?;
    if uid.is_empty() {
        return Err(RequestError("the request has no uid".to_owned()));
    }
    let operation = match string(&request, "operation", at)?.as_str() {
        "CREATE" => Operation::Create,
        "UPDATE" => Operation::Update,
        "DELETE" => Operation::Delete,
        "CONNECT" => Operation::Connect,
        other => {
            return Err(RequestError(format!(
                "unknown operation {other:?} (expected CREATE, UPDATE, DELETE or CONNECT)"
            )));
        }
    };
    let kind = object(&request, "kind", at)?;
    let resource = object(&request, "resource", at)?;
    let user = object(&request, "userInfo", at)?;
    let sub_resource = match request.get("requestSubResource").filter(|n| !n.is_null()) {
        Some(_) => string(&request, "requestSubResource", at)?,
        None => string(&request, "subResource", at)?,
    };
    let dry_run = match request.get("dryRun").map(|n| &n.value) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(RequestError(format!(
                "request.dryRun: expected a boolean, found {}",
                type_name(other)
            )));
        }
    };
    Ok(Request {
        kind: GroupVersionKind {
            group: string(kind, "group", "request.kind.")?,
            version: string(kind, "version", "request.kind.")?,
            kind: string(kind, "kind", "request.kind.")?,
        },
        resource: GroupVersionResource {
            group: string(resource, "group", "request.resource.")?,
            version: string(resource, "version", "request.resource.")?,
            resource: string(resource, "resource", "request.resource.")?,
        },
        sub_resource,
        name: string(&request, "name", at)?,
        namespace: string(&request, "namespace", at)?,
        operation,
        user_info: UserInfo {
            username: string(user, "username", "request.userInfo.")?,
            uid: string(user, "uid", "request.userInfo.")?,
            groups: strings(user, "groups", "request.userInfo.")?,
        },
        uid,
        object: new_object,
        old_object,
        dry_run,
    })
}

static EMPTY: palisade_core::Map = palisade_core::Map::new();

/// Member `key`: a string, or `""` when absent or `null`.
fn string(map: &palisade_core::Map, key: &str, at: &str) -> Result<String, RequestError> {
    match map.get(key).map(|n| &n.value) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(other) => Err(RequestError(format!(
            "{at}{key}: expected a string, found {}",
            type_name(other)
        ))),
    }
}

/// Member `key`: an object, or an empty one when absent or `null`.
fn object<'a>(
    map: &'a palisade_core::Map,
    key: &str,
    at: &str,
) -> Result<&'a palisade_core::Map, RequestError> {
    match map.get(key).map(|n| &n.value) {
        None | Some(Value::Null) => Ok(&EMPTY),
        Some(Value::Map(m)) => Ok(m),
        Some(other) => Err(RequestError(format!(
            "{at}{key}: expected an object, found {}",
            type_name(other)
        ))),
    }
}

/// Member `key`: a list of strings (`null` items are `""`), empty when absent.
fn strings(map: &palisade_core::Map, key: &str, at: &str) -> Result<Vec<String>, RequestError> {
    match map.get(key).map(|n| &n.value) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Seq(items)) => items
            .iter()
            .map(|item| match &item.value {
                Value::Null => Ok(String::new()),
                Value::String(s) => Ok(s.to_string()),
                other => Err(RequestError(format!(
                    "{at}{key}: expected strings, found {}",
                    type_name(other)
                ))),
            })
            .collect(),
        Some(other) => Err(RequestError(format!(
            "{at}{key}: expected a list, found {}",
            type_name(other)
        ))),
    }
}

/// JSON's names for the value types, with their article.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::Float(_) => "a number",
        Value::String(_) => "a string",
        Value::Seq(_) => "an array",
        Value::Map(_) => "an object",
    }
}

/// The answer to one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    pub uid: String,
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub audit_annotations: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Response {
    pub fn allowed(uid: &str) -> Response {
        Response {
            uid: uid.to_owned(),
            allowed: true,
            ..Response::default()
        }
    }

    pub fn denied(uid: &str, status: Status) -> Response {
        Response {
            uid: uid.to_owned(),
            allowed: false,
            status: Some(status),
            ..Response::default()
        }
    }
}

/// An AdmissionReview carrying a response, ready to serialise.
#[derive(Serialize)]
pub struct ResponseReview<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    response: &'a Response,
}

impl<'a> ResponseReview<'a> {
    pub fn new(response: &'a Response) -> Self {
        ResponseReview {
            api_version: API_VERSION,
            kind: KIND,
            response,
        }
    }
}

/// The AdmissionReview that carries `response` back to the API server.
pub fn encode_response(response: &Response) -> Vec<u8> {
    // Serialising strings, booleans and maps of strings cannot fail.
    serde_json::to_vec(&ResponseReview::new(response)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(request: &str) -> Vec<u8> {
        format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{request}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn reads_the_fields_admission_needs() {
        let request = decode_request(&body(
            r#"{"uid":"u1","kind":{"group":"","version":"v1","kind":"Pod"},
                "resource":{"group":"","version":"v1","resource":"pods"},
                "subResource":"ephemeralcontainers","requestSubResource":"ephemeralcontainers",
                "name":"p","namespace":"ns","operation":"UPDATE",
                "userInfo":{"username":"alice","groups":["g"]},
                "object":{"kind":"Pod"},"oldObject":null,"dryRun":true,"extra":1}"#,
        ))
        .unwrap();
        assert_eq!(request.uid, "u1");
        assert_eq!(request.resource.resource, "pods");
        assert_eq!(request.sub_resource, "ephemeralcontainers");
        assert_eq!(request.operation, Operation::Update);
        assert_eq!(request.user_info.username, "alice");
        assert!(request.object.is_some() && request.old_object.is_none());
        assert!(request.dry_run);
    }

    #[test]
    fn refuses_what_is_not_a_v1_review_request() {
        let refuse = |b: &[u8]| decode_request(b).unwrap_err().0;
        assert!(refuse(b"{").starts_with("the body is not an AdmissionReview"));
        assert!(refuse(br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}}"#)
            .contains("\"admission.k8s.io/v1beta1\""));
        assert_eq!(
            refuse(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#),
            "the AdmissionReview has no request"
        );
        assert_eq!(
            refuse(&body(r#"{"operation":"CREATE"}"#)),
            "the request has no uid"
        );
        assert!(refuse(&body(r#"{"uid":"u","operation":"PATCH"}"#)).contains("\"PATCH\""));
        assert!(
            refuse(&body(
                r#"{"uid":"u","operation":"CREATE","object":{"a":1,"a":2}}"#
            ))
            .contains("duplicate key")
        );
    }

    #[test]
    fn encodes_the_v1_response_shape() {
        let mut response = Response::allowed("u1");
        response.warnings.push("w".into());
        response
            .audit_annotations
            .insert("enforce-policy".into(), "restricted:latest".into());
        assert_eq!(
            String::from_utf8(encode_response(&response)).unwrap(),
            r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true,"auditAnnotations":{"enforce-policy":"restricted:latest"},"warnings":["w"]}}"#
        );
    }
}
