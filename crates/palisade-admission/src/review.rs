//! The AdmissionReview v1 wire format: decoding a request body, encoding a response.
//!
//! The request is decoded straight into the fields admission reads (no
//! intermediate JSON tree), `object` and `oldObject` into [`Node`] trees. Field names
//! are case-sensitive and unknown fields are ignored, as the API server's own
//! decoder does. Anything that is not an `admission.k8s.io/v1` `AdmissionReview`
//! with a `request` carrying a `uid` is refused with a message that says what was
//! wrong; the HTTP layer answers it with 400.

use std::collections::BTreeMap;

use palisade_core::Node;
use serde::{Deserialize, Serialize};

use crate::status::Status;

/// The only review version the webhook speaks (v1beta1 was removed in 1.22).
pub const API_VERSION: &str = "admission.k8s.io/v1";
pub const KIND: &str = "AdmissionReview";

/// Group, version and kind of the object under review.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct GroupVersionKind {
    pub group: String,
    pub version: String,
    pub kind: String,
}

/// Group, version and resource the request was made to.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct GroupVersionResource {
    pub group: String,
    pub version: String,
    pub resource: String,
}

/// Who made the request.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
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

#[derive(Deserialize)]
struct ReviewIn {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    request: Option<RequestIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestIn {
    #[serde(default)]
    uid: String,
    #[serde(default)]
    kind: GroupVersionKind,
    #[serde(default)]
    resource: GroupVersionResource,
    #[serde(default)]
    sub_resource: String,
    request_sub_resource: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    user_info: UserInfo,
    object: Option<Node>,
    old_object: Option<Node>,
    dry_run: Option<bool>,
}

/// Decodes an AdmissionReview request body.
pub fn decode_request(body: &[u8]) -> Result<Request, RequestError> {
    let review: ReviewIn = serde_json::from_slice(body)
        .map_err(|e| RequestError(format!("the body is not an AdmissionReview: {e}")))?;
    if review.api_version != API_VERSION || review.kind != KIND {
        return Err(RequestError(format!(
            "expected apiVersion {API_VERSION:?} and kind {KIND:?}, got {:?} and {:?}",
            review.api_version, review.kind
        )));
    }
    let request = review
        .request
        .ok_or_else(|| RequestError("the AdmissionReview has no request".to_owned()))?;
    if request.uid.is_empty() {
        return Err(RequestError("the request has no uid".to_owned()));
    }
    let operation = match request.operation.as_str() {
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
    // `"object": null` is how Go encodes an absent RawExtension.
    let present = |node: Option<Node>| node.filter(|n| !n.is_null());
    Ok(Request {
        uid: request.uid,
        kind: request.kind,
        resource: request.resource,
        sub_resource: request.request_sub_resource.unwrap_or(request.sub_resource),
        name: request.name,
        namespace: request.namespace,
        operation,
        user_info: request.user_info,
        object: present(request.object),
        old_object: present(request.old_object),
        dry_run: request.dry_run.unwrap_or(false),
    })
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
