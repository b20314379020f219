//! ConstraintTemplates (`templates.gatekeeper.sh`) as Gatekeeper reads them.
//!
//! A template names the Constraint kind it creates (`spec.crd.spec.names.kind`),
//! the schema of that kind's `spec.parameters`, and one target,
//! `admission.k8s.gatekeeper.sh`, whose policy is Rego (the legacy `rego` and
//! `libs` fields, or a `code` entry with `engine: Rego`) and may also be CEL (a
//! `code` entry with `engine: K8sNativeValidation`). Gatekeeper refuses a
//! template whose name is not the lower-cased kind, or with other than one
//! target; so does this reader, with the file and line.

use std::sync::Arc;

use palisade_core::{Node, Object};

/// The only target Gatekeeper's admission webhook serves.
pub const ADMISSION_TARGET: &str = "admission.k8s.gatekeeper.sh";

/// The Rego part of a template.
#[derive(Clone, Debug)]
pub struct RegoSource {
    pub rego: String,
    pub libs: Vec<String>,
    /// `source.version: v1` in a `code` entry; the legacy fields are always v0.
    pub v1: bool,
}

/// One ConstraintTemplate.
#[derive(Clone, Debug)]
pub struct Template {
    /// `metadata.name`, the lower-cased kind.
    pub name: String,
    /// The Constraint kind this template defines.
    pub kind: String,
    /// `spec.crd.spec.validation.openAPIV3Schema`, the schema of the parameters.
    pub parameters_schema: Option<Node>,
    /// `legacySchema: true`: unknown parameters are kept, as Gatekeeper keeps
    /// them for such templates.
    pub legacy_schema: bool,
    pub rego: Option<RegoSource>,
    /// The `source` of a `K8sNativeValidation` code entry (CEL).
    pub cel: Option<Node>,
    /// Where the template was read, `file:line:col`.
    pub origin: Arc<str>,
}

/// Why a template cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: ConstraintTemplate {name:?}: {message}")]
pub struct TemplateError {
    pub origin: Arc<str>,
    pub name: String,
    pub message: String,
}

/// Whether an object is a ConstraintTemplate.
pub fn is_template(object: &Object) -> bool {
    object.kind() == "ConstraintTemplate" && object.group() == "templates.gatekeeper.sh"
}

/// `file:line:col` of an object, for messages.
pub fn origin_of(object: &Object) -> Arc<str> {
    object.source().origin().into()
}

impl Template {
    /// Reads a ConstraintTemplate object.
    /// Whether the Rego may read `data.inventory` (a textual over-approximation:
    /// a template that never names it cannot reach it, since other `data`
    /// references are refused at load).
    pub fn reads_inventory(&self) -> bool {
        self.rego.as_ref().is_some_and(|r| {
            std::iter::once(&r.rego)
                .chain(&r.libs)
                .any(|text| text.contains("inventory"))
        })
    }

    /// Checks a constraint's parameters against this template's schema.
    pub fn check_parameters(&self, parameters: Option<&Node>) -> Result<(), String> {
        match (parameters, &self.parameters_schema) {
            (Some(parameters), Some(schema)) => {
                crate::parameters::validate(parameters, schema, self.legacy_schema)
            }
            _ => Ok(()),
        }
    }

    pub fn from_object(object: &Object) -> Result<Template, TemplateError> {
        let origin = origin_of(object);
        let name = object.name().to_owned();
        let fail = |message: String| TemplateError {
            origin: origin.clone(),
            name: name.clone(),
            message,
        };
        let root = object.root();
        let crd = root.path(&["spec", "crd", "spec"]);
        let kind = crd
            .and_then(|c| c.path(&["names", "kind"]))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_owned();
        if kind.is_empty() {
            return Err(fail("spec.crd.spec.names.kind is required".to_owned()));
        }
        if name != kind.to_lowercase() {
            return Err(fail(format!(
                "the template's name must be the lower-cased kind {:?} (Gatekeeper refuses it otherwise)",
                kind.to_lowercase()
            )));
        }
        let parameters_schema = crd
            .and_then(|c| c.path(&["validation", "openAPIV3Schema"]))
            .filter(|n| !n.is_null())
            .cloned();
        let legacy_schema = crd
            .and_then(|c| c.path(&["validation", "legacySchema"]))
            .and_then(Node::as_bool)
            .unwrap_or(false);
        let targets = root.path(&["spec", "targets"]).map(Node::items);
        let targets: Vec<&Node> = targets.into_iter().flatten().collect();
        let [target] = targets.as_slice() else {
            return Err(fail(format!(
                "spec.targets must have exactly one target, found {}",
                targets.len()
            )));
        };
        let target_name = target.get("target").and_then(Node::as_str).unwrap_or("");
        if target_name != ADMISSION_TARGET {
            return Err(fail(format!(
                "spec.targets[0].target must be {ADMISSION_TARGET:?}, found {target_name:?}"
            )));
        }
        let strings = |node: Option<&Node>, field: &str| -> Result<Vec<String>, TemplateError> {
            let Some(node) = node.filter(|n| !n.is_null()) else {
                return Ok(Vec::new());
            };
            let Some(items) = node.as_seq() else {
                return Err(fail(format!("{field} must be a list of strings")));
            };
            items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| fail(format!("{field} must be a list of strings")))
                })
                .collect()
        };
        let mut rego = match target.get("rego").filter(|n| !n.is_null()) {
            None => None,
            Some(node) => {
                let text = node
                    .as_str()
                    .ok_or_else(|| fail("spec.targets[0].rego must be a string".to_owned()))?;
                Some(RegoSource {
                    rego: text.to_owned(),
                    libs: strings(target.get("libs"), "spec.targets[0].libs")?,
                    v1: false,
                })
            }
        };
        let mut cel = None;
        for (i, code) in target
            .get("code")
            .map(Node::items)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let engine = code.get("engine").and_then(Node::as_str).unwrap_or("");
            let source = code.get("source");
            match engine {
                "Rego" => {
                    let field = format!("spec.targets[0].code[{i}].source");
                    let text = source
                        .and_then(|s| s.get("rego"))
                        .and_then(Node::as_str)
                        .ok_or_else(|| fail(format!("{field}.rego must be a string")))?;
                    let version = source
                        .and_then(|s| s.get("version"))
                        .and_then(Node::as_str)
                        .unwrap_or("v0");
                    let v1 = match version {
                        "v0" | "" => false,
                        "v1" => true,
                        other => {
                            return Err(fail(format!(
                                "{field}.version must be v0 or v1, found {other:?}"
                            )));
                        }
                    };
                    let code_rego = RegoSource {
                        rego: text.to_owned(),
                        libs: strings(
                            source.and_then(|s| s.get("libs")),
                            &format!("{field}.libs"),
                        )?,
                        v1,
                    };
                    // The code entry is the current form; it replaces the
                    // legacy fields when a template carries both.
                    rego = Some(code_rego);
                }
                "K8sNativeValidation" => {
                    cel = source.cloned();
                }
                other => {
                    return Err(fail(format!(
                        "spec.targets[0].code[{i}].engine {other:?} is not supported (Rego, K8sNativeValidation)"
                    )));
                }
            }
        }
        if rego.is_none() && cel.is_none() {
            return Err(fail("the target has neither Rego nor CEL code".to_owned()));
        }
        Ok(Template {
            name,
            kind,
            parameters_schema,
            legacy_schema,
            rego,
            cel,
            origin,
        })
    }
}
