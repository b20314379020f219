//! The `schema` analyzer: every object whose kind has a schema (a built-in kind
//! of the chosen Kubernetes version, or a custom resource whose CRD is in the
//! input) is validated in one walk; objects of other kinds are not reported
//! (without their CRD nothing says what they may hold, and a kind missing from
//! the chosen version is `hygiene`'s question, not a schema error).

use palisade_core::{Analyzer, Finding, Inventory, Object, Options, Rule, SourceRef};
use rayon::prelude::*;

use crate::builtin::{BuiltinSchema, builtin, resolve_version};
use crate::crd::CustomSchemas;
use crate::rules::{RULES, remediation_of, rule_of, severity_of};
use crate::validate::{Schemas, validate};

/// The option naming the Kubernetes version whose schema built-in kinds are
/// checked against: `latest` (the default) or `v1.N`.
pub const VERSION_OPTION: &str = "k8s-version";

/// Schema and type validation, the way the API server decodes and kubectl's
/// strict field validation reads an object.
#[derive(Clone, Copy, Debug, Default)]
pub struct SchemaValidation;

impl SchemaValidation {
    /// The embedded schema the options choose.
    pub fn schema(options: &Options) -> Result<&'static BuiltinSchema, String> {
        let version = resolve_version(options.get(VERSION_OPTION).unwrap_or("latest"))?;
        builtin(version)
    }
}

impl Analyzer for SchemaValidation {
    fn name(&self) -> &'static str {
        "schema"
    }

    fn description(&self) -> &'static str {
        "Schema and type validation: built-in kinds against the Kubernetes OpenAPI of --k8s-version, custom resources against their CRD in the input"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        RULES.to_vec()
    }

    fn check_options(&self, options: &Options) -> Result<(), String> {
        SchemaValidation::schema(options).map(|_| ())
    }

    fn analyze(&self, inventory: &Inventory, options: &Options) -> Vec<Finding> {
        // Options were checked: an error here cannot happen, and reports nothing.
        let Ok(builtin) = SchemaValidation::schema(options) else {
            return Vec::new();
        };
        let custom = CustomSchemas::from_inventory(inventory, builtin);
        let schemas = Schemas {
            builtin: &builtin.arena,
            custom: &custom.arena,
        };
        let per_object: Vec<Vec<Finding>> = inventory
            .objects()
            .par_iter()
            .map(|object| object_findings(object, builtin, &custom, schemas))
            .collect();
        per_object.into_iter().flatten().collect()
    }
}

fn object_findings(
    object: &Object,
    builtin: &BuiltinSchema,
    custom: &CustomSchemas,
    schemas: Schemas<'_>,
) -> Vec<Finding> {
    let reference = object.reference();
    let Some(ty) = builtin
        .kind(&reference.api_version, &reference.kind)
        .or_else(|| custom.kind(&reference.api_version, &reference.kind))
    else {
        return Vec::new();
    };
    validate(schemas, object.root(), ty)
        .into_iter()
        .map(|issue| {
            let at = SourceRef {
                file: object.source().file.clone(),
                // Values the loader did not read (a namespace `-n` placed) have
                // no position: the object's own stands in.
                pos: if issue.pos.is_known() {
                    issue.pos
                } else {
                    object.source().pos
                },
            };
            Finding::new(
                rule_of(issue.kind).id,
                severity_of(&issue),
                issue.message.clone(),
                &at,
                Some(reference.clone()),
            )
            .with_remediation(remediation_of(issue.kind))
        })
        .collect()
}
