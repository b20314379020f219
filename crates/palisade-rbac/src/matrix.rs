//! Access matrices (SPEC §8.1): for each resource row, which of the given verbs
//! the user may use in one namespace (or at cluster scope with namespace `""`).

use serde::Serialize;

use crate::identity::UserInfo;
use crate::policy::Policy;
use crate::request::{Request, ResourceAttributes};

/// One row of a matrix: a resource (optionally a subresource or one object).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRow {
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
}

/// A row with the verbs allowed on it, in the order the verbs were asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixAnswer {
    #[serde(flatten)]
    pub row: MatrixRow,
    pub allowed: Vec<String>,
}

impl Policy {
    pub fn matrix(
        &self,
        user: &UserInfo,
        namespace: &str,
        verbs: &[String],
        rows: &[MatrixRow],
    ) -> Vec<MatrixAnswer> {
        rows.iter()
            .map(|row| {
                let allowed = verbs
                    .iter()
                    .filter(|verb| {
                        let request = Request::Resource(
                            ResourceAttributes::new(verb, &row.api_group, &row.resource, namespace)
                                .with_subresource(&row.subresource)
                                .with_name(&row.name),
                        );
                        self.can(user, &request)
                    })
                    .cloned()
                    .collect();
                MatrixAnswer {
                    row: row.clone(),
                    allowed,
                }
            })
            .collect()
    }
}
