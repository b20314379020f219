//! The values file (`apis/v1alpha1/values.go`, `values_spec.go`): data that
//! `kyverno test` writes into the JSON context instead of fetching it, and the
//! namespace labels and objects it uses in place of a cluster.
//!
//! Decoded strictly; `kind` is not checked (Kyverno decodes the file straight
//! into its struct, and the shared tests include `kind: Value`). Keys keep
//! their file order; the dotted keys are split by the caller.

use std::collections::BTreeMap;
use std::path::Path;

use palisade_core::Node;

use super::document::{Decoder, read_single};
use super::{Entries, LoadError};
use crate::Json;

/// A values file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Values {
    /// `globalValues`: for every resource.
    pub global: Entries,
    pub policies: Vec<PolicyValues>,
    /// `namespaceSelector`: (namespace, labels).
    pub namespace_selectors: Vec<(String, BTreeMap<String, String>)>,
    /// `namespaces`: Namespace objects.
    pub namespaces: Vec<Json>,
}

/// `policies[]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyValues {
    pub name: String,
    pub rules: Vec<RuleValues>,
    pub resources: Vec<ResourceValues>,
}

/// `policies[].rules[]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleValues {
    pub name: String,
    pub values: Entries,
    /// `foreachValues`: key → one value per foreach element index.
    pub foreach_values: Vec<(String, Vec<Json>)>,
}

/// `policies[].resources[]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceValues {
    pub name: String,
    pub values: Entries,
}

impl Values {
    /// Labels of namespace `ns`: from `namespaceSelector`, else from the
    /// `namespaces` object of that name; empty when neither names it.
    pub fn namespace_labels(&self, ns: &str) -> BTreeMap<String, String> {
        if let Some((_, labels)) = self.namespace_selectors.iter().find(|(name, _)| name == ns) {
            return labels.clone();
        }
        self.namespace_object(ns)
            .map(palisade_cel::vap::labels_of)
            .unwrap_or_default()
    }

    /// The `namespaces` object named `ns`.
    pub fn namespace_object(&self, ns: &str) -> Option<&Json> {
        self.namespaces
            .iter()
            .find(|object| object.pointer("/metadata/name").and_then(Json::as_str) == Some(ns))
    }

    /// The values of policy `policy`.
    pub fn policy(&self, policy: &str) -> Option<&PolicyValues> {
        self.policies.iter().find(|p| p.name == policy)
    }

    /// `values` of rule `rule` of policy `policy` (empty when not given).
    pub fn rule_values(&self, policy: &str, rule: &str) -> &[(String, Json)] {
        self.rule(policy, rule).map_or(&[], |r| r.values.as_slice())
    }

    /// `foreachValues` of rule `rule` of policy `policy`.
    pub fn foreach_values(&self, policy: &str, rule: &str) -> &[(String, Vec<Json>)] {
        self.rule(policy, rule)
            .map_or(&[], |r| r.foreach_values.as_slice())
    }

    /// `values` given for resource `resource` under policy `policy`.
    pub fn resource_values(&self, policy: &str, resource: &str) -> &[(String, Json)] {
        self.policy(policy)
            .and_then(|p| p.resources.iter().find(|r| r.name == resource))
            .map_or(&[], |r| r.values.as_slice())
    }

    fn rule(&self, policy: &str, rule: &str) -> Option<&RuleValues> {
        self.policy(policy)?.rules.iter().find(|r| r.name == rule)
    }
}

/// Reads one values file.
pub fn read_values(path: &Path) -> Result<Values, LoadError> {
    let root = read_single(path)?;
    let d = Decoder { file: path };
    let map = d.object(
        &root,
        "values",
        &[
            "apiVersion",
            "kind",
            "metadata",
            "globalValues",
            "policies",
            "namespaceSelector",
            "namespaces",
            "subresources",
            "variables",
        ],
    )?;
    let policies = d
        .list(map, "policies", "values")?
        .iter()
        .map(|node| policy_values(&d, node))
        .collect::<Result<_, _>>()?;
    let namespace_selectors = d
        .list(map, "namespaceSelector", "values")?
        .iter()
        .map(|node| {
            let selector = d.object(node, "namespaceSelector[]", &["name", "labels"])?;
            let name = d
                .string(selector, "name", "namespaceSelector[]")?
                .unwrap_or_default();
            let labels = d
                .entries(selector, "labels", "namespaceSelector[]")?
                .into_iter()
                .map(|(k, v)| match v {
                    Json::String(s) => Ok((k, s)),
                    other => Err(d.error(
                        node,
                        format!("namespaceSelector[].labels.{k}: expected a string, found {other}"),
                    )),
                })
                .collect::<Result<_, _>>()?;
            Ok((name, labels))
        })
        .collect::<Result<_, LoadError>>()?;
    let namespaces = d
        .list(map, "namespaces", "values")?
        .iter()
        .map(|node| {
            if node.as_map().is_none() {
                return Err(d.error(node, "namespaces[]: expected a Namespace object"));
            }
            Ok(node.to_json())
        })
        .collect::<Result<_, _>>()?;
    Ok(Values {
        global: d.entries(map, "globalValues", "values")?,
        policies,
        namespace_selectors,
        namespaces,
    })
}

fn policy_values(d: &Decoder<'_>, node: &Node) -> Result<PolicyValues, LoadError> {
    let map = d.object(node, "policies[]", &["name", "rules", "resources"])?;
    let rules = d
        .list(map, "rules", "policies[]")?
        .iter()
        .map(|rule| {
            let where_ = "policies[].rules[]";
            let rule_map = d.object(rule, where_, &["name", "values", "foreachValues"])?;
            let foreach_values = d
                .entries(rule_map, "foreachValues", where_)?
                .into_iter()
                .map(|(key, value)| match value {
                    Json::Array(items) => Ok((key, items)),
                    _ => Err(d.error(
                        rule,
                        format!("{where_}.foreachValues.{key}: expected a list"),
                    )),
                })
                .collect::<Result<_, _>>()?;
            Ok(RuleValues {
                name: d.string(rule_map, "name", where_)?.unwrap_or_default(),
                values: d.entries(rule_map, "values", where_)?,
                foreach_values,
            })
        })
        .collect::<Result<_, LoadError>>()?;
    let resources = d
        .list(map, "resources", "policies[]")?
        .iter()
        .map(|resource| {
            let where_ = "policies[].resources[]";
            let resource_map = d.object(resource, where_, &["name", "values"])?;
            Ok(ResourceValues {
                name: d.string(resource_map, "name", where_)?.unwrap_or_default(),
                values: d.entries(resource_map, "values", where_)?,
            })
        })
        .collect::<Result<_, LoadError>>()?;
    Ok(PolicyValues {
        name: d.string(map, "name", "policies[]")?.unwrap_or_default(),
        rules,
        resources,
    })
}
