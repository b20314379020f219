//! Resource type resolution, as kubectl's discovery resolves `TYPE[.GROUP]`:
//! plural, singular, short names and kinds of the built-in Kubernetes API (with
//! each resource's scope), extended by CustomResourceDefinitions in the input.
//! An unknown type is an error naming it, as kubectl's is. The built-in table
//! itself is `palisade_core::api_resources`, shared with the Inventory's placement
//! of namespace-less objects.

use palisade_core::api_resources::BUILTIN_RESOURCES;

use crate::model::CustomResourceDef;

/// One API resource kubectl could name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResource {
    pub group: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub short_names: Vec<String>,
    pub namespaced: bool,
}

/// The resource table: built-ins, then CRDs.
#[derive(Clone, Debug)]
pub struct Discovery {
    resources: Vec<ApiResource>,
}

/// A `TYPE[.GROUP][/NAME]` argument resolved to request attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedType {
    pub group: String,
    pub resource: String,
    pub name: String,
    /// False for cluster-scoped resources: their requests have namespace `""`.
    pub namespaced: bool,
}

/// The type is not served: the message names it as kubectl does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownType(pub String);

impl std::fmt::Display for UnknownType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the server doesn't have a resource type \"{}\"", self.0)
    }
}

impl std::error::Error for UnknownType {}

impl Discovery {
    pub fn new(crds: &[CustomResourceDef]) -> Discovery {
        let mut resources: Vec<ApiResource> = BUILTIN_RESOURCES
            .iter()
            .map(
                |(group, plural, singular, kind, short, namespaced)| ApiResource {
                    group: (*group).to_owned(),
                    plural: (*plural).to_owned(),
                    singular: (*singular).to_owned(),
                    kind: (*kind).to_owned(),
                    short_names: short.iter().map(|s| (*s).to_owned()).collect(),
                    namespaced: *namespaced,
                },
            )
            .collect();
        for crd in crds {
            resources.push(ApiResource {
                group: crd.group.clone(),
                plural: crd.plural.clone(),
                singular: crd.singular.clone(),
                kind: crd.kind.clone(),
                short_names: crd.short_names.clone(),
                namespaced: crd.namespaced,
            });
        }
        Discovery { resources }
    }

    pub fn resources(&self) -> &[ApiResource] {
        &self.resources
    }

    /// Resolves `TYPE[.VERSION][.GROUP][/NAME]` (`po`, `deploy.apps`,
    /// `deployments.v1.apps/web`, `*`). Names are compared lowercased, as kubectl does.
    pub fn resolve(&self, arg: &str) -> Result<ResolvedType, UnknownType> {
        let (type_part, name) = arg.split_once('/').unwrap_or((arg, ""));
        // kubectl auth can-i passes `*` through as the resource of every group.
        if type_part == "*" {
            return Ok(ResolvedType {
                group: String::new(),
                resource: "*".to_owned(),
                name: name.to_owned(),
                namespaced: true,
            });
        }
        let lower = type_part.to_lowercase();
        let (resource, group) = lower.split_once('.').unwrap_or((&lower, ""));
        let matches = |r: &&ApiResource| {
            r.plural == resource
                || r.singular == resource
                || r.kind.to_lowercase() == resource
                || r.short_names.iter().any(|s| s == resource)
        };
        let group_ok = |r: &&ApiResource| {
            if group.is_empty() {
                return true;
            }
            // `TYPE.VERSION.GROUP`: drop a leading version segment such as `v1.`.
            let without_version = match group.split_once('.') {
                Some((first, rest)) if is_version(first) => rest,
                _ if is_version(group) => "",
                _ => group,
            };
            r.group == without_version || r.group == group
        };
        self.resources
            .iter()
            .filter(group_ok)
            .find(matches)
            .map(|r| ResolvedType {
                group: r.group.clone(),
                resource: r.plural.clone(),
                name: name.to_owned(),
                namespaced: r.namespaced,
            })
            .ok_or_else(|| UnknownType(type_part.to_owned()))
    }
}

/// `v1`, `v1beta1`, `v2alpha3`.
fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    digits.len() < rest.len()
        && (digits.is_empty()
            || ["alpha", "beta"].iter().any(|p| {
                digits
                    .strip_prefix(p)
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discovery() -> Discovery {
        Discovery::new(&[CustomResourceDef {
            group: "example.com".into(),
            plural: "widgets".into(),
            singular: "widget".into(),
            kind: "Widget".into(),
            short_names: vec!["wd".into()],
            namespaced: false,
            subresources: vec![],
        }])
    }

    #[test]
    fn short_singular_kind_and_grouped_names_resolve() {
        let d = discovery();
        for arg in ["po", "pod", "pods", "Pod", "PODS"] {
            assert_eq!(
                d.resolve(arg).map(|r| r.resource),
                Ok("pods".to_owned()),
                "{arg}"
            );
        }
        let deploy = d.resolve("deploy.apps/web").expect("deploy.apps");
        assert_eq!(
            (
                deploy.group.as_str(),
                deploy.resource.as_str(),
                deploy.name.as_str()
            ),
            ("apps", "deployments", "web")
        );
        assert_eq!(
            d.resolve("deployments.v1.apps").map(|r| r.group),
            Ok("apps".to_owned())
        );
        assert_eq!(
            d.resolve("events").map(|r| r.group),
            Ok(String::new()),
            "core wins"
        );
        assert_eq!(
            d.resolve("events.events.k8s.io").map(|r| r.group),
            Ok("events.k8s.io".to_owned())
        );
        assert!(!d.resolve("nodes").map(|r| r.namespaced).unwrap_or(true));
    }

    #[test]
    fn crds_extend_the_table_and_unknown_types_are_named() {
        let d = discovery();
        let w = d.resolve("wd").expect("crd short name");
        assert_eq!(
            (w.group.as_str(), w.resource.as_str(), w.namespaced),
            ("example.com", "widgets", false)
        );
        let err = d.resolve("gizmos").expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "the server doesn't have a resource type \"gizmos\""
        );
        assert!(d.resolve("deployments.batch").is_err(), "wrong group");
    }

    #[test]
    fn versions_are_recognised() {
        assert!(is_version("v1") && is_version("v1beta1") && is_version("v2alpha3"));
        assert!(
            !is_version("v")
                && !is_version("vbeta1")
                && !is_version("apps")
                && !is_version("v1beta")
        );
    }
}
