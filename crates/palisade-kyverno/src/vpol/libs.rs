//! Kyverno's CEL libraries (`pkg/cel/libs`), as `kyverno test` serves them
//! offline: `resource.Get`/`resource.List` read the objects of the test's
//! context file (`spec.resources`, Kyverno's `FakeContextProvider`),
//! `image.GetMetadata` reads its `spec.images`, plus the data-free helpers
//! the shared policies use (`parseServiceAccount`, `time.now`).
//!
//! Each function is registered on a [`Scope`] with the data it serves, so
//! one compiled expression can be evaluated against different test inputs.
//! Functions that need a cluster or the network (`http`, `globalContext`,
//! image verification) are not registered: an expression calling them fails
//! with an undeclared-function error, never with an invented answer.

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::objects::{Key, Map};
use palisade_cel::Scope;
use palisade_cel::convert::json_to_cel;
use palisade_cel::vap::{resource_for_kind, split_api_version};

use crate::{ClusterObjects, Json};

/// The data the libraries serve for one evaluation.
#[derive(Clone, Copy, Debug)]
pub struct LibData<'a> {
    /// Objects for `resource.Get`/`resource.List`, shared with the
    /// functions (never copied per evaluation).
    pub resources: &'a ClusterObjects,
    /// Image entries for `image.GetMetadata` (`[{image, config...}]`), or null.
    pub images: &'a Json,
}

impl LibData<'_> {
    /// No objects and no images.
    pub fn empty() -> LibData<'static> {
        LibData {
            resources: crate::no_cluster_objects(),
            images: &Json::Null,
        }
    }
}

/// Registers the libraries on `scope`, serving `data`.
pub fn register(scope: &mut Scope, data: LibData<'_>) {
    let resources = Arc::clone(data.resources);
    let images: Arc<Vec<Json>> = Arc::new(data.images.as_array().cloned().unwrap_or_default());

    let store = resources.clone();
    scope.add_function("resource.Get", move |args| {
        let [api_version, resource, namespace, name] = strings::<4>(&args, "resource.Get")?;
        get_resource(&store, &api_version, &resource, &namespace, &name)
    });
    let store = resources;
    scope.add_function("resource.List", move |args| {
        let [api_version, resource, namespace] = strings::<3>(&args, "resource.List")?;
        list_resources(&store, &api_version, &resource, &namespace)
    });
    scope.add_function("image.GetMetadata", move |args| {
        let [reference] = strings::<1>(&args, "image.GetMetadata")?;
        image_metadata(&images, &reference)
    });
    scope.add_function("parseServiceAccount", |args| {
        let [user] = strings::<1>(&args, "parseServiceAccount")?;
        Ok(parse_service_account(&user))
    });
    scope.add_function("time.now", |args| {
        if !args.is_empty() {
            return Err(format!("expected 0 arguments, got {}", args.len()));
        }
        Ok(Value::Timestamp(chrono::Utc::now().fixed_offset()))
    });
}

/// The call's arguments as `N` strings, with cel-go's wording otherwise.
fn strings<const N: usize>(args: &[Value], function: &str) -> Result<[String; N], String> {
    if args.len() != N {
        return Err(format!(
            "{function}: expected {N} arguments, got {}",
            args.len()
        ));
    }
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for (slot, arg) in out.iter_mut().zip(args) {
        match arg {
            Value::String(s) => *slot = s.to_string(),
            other => {
                return Err(format!(
                    "type conversion error from '{}' to 'string'",
                    palisade_cel::convert::type_name(other)
                ));
            }
        }
    }
    Ok(out)
}

fn text<'a>(object: &'a Json, path: &[&str]) -> &'a str {
    let mut cur = object;
    for key in path {
        match cur.get(key) {
            Some(next) => cur = next,
            None => return "",
        }
    }
    cur.as_str().unwrap_or_default()
}

/// Whether `object` is served as `apiVersion`/`resource` (plural), the way
/// the fake provider keys its objects by group, version and resource.
fn is_resource(object: &Json, api_version: &str, resource: &str) -> bool {
    let (group, version) = split_api_version(text(object, &["apiVersion"]));
    let (want_group, want_version) = split_api_version(api_version);
    group == want_group
        && version == want_version
        && resource_for_kind(&group, text(object, &["kind"])) == resource
}

/// `configmaps` for the core group, `horizontalpodautoscalers.autoscaling`
/// otherwise (Go's `GroupResource.String()`).
fn group_resource(api_version: &str, resource: &str) -> String {
    let (group, _) = split_api_version(api_version);
    if group.is_empty() {
        resource.to_owned()
    } else {
        format!("{resource}.{group}")
    }
}

fn get_resource(
    store: &[Json],
    api_version: &str,
    resource: &str,
    namespace: &str,
    name: &str,
) -> Result<Value, String> {
    store
        .iter()
        .find(|o| {
            is_resource(o, api_version, resource)
                && text(o, &["metadata", "namespace"]) == namespace
                && text(o, &["metadata", "name"]) == name
        })
        .map(json_to_cel)
        .ok_or_else(|| {
            format!(
                "failed to get resource: {} \"{name}\" not found",
                group_resource(api_version, resource)
            )
        })
}

/// `{items: [...]}` (an UnstructuredList's content) of the objects in
/// `namespace`; a resource with no object at all is a "not found" error, as
/// the fake provider answers.
fn list_resources(
    store: &[Json],
    api_version: &str,
    resource: &str,
    namespace: &str,
) -> Result<Value, String> {
    let of_resource: Vec<&Json> = store
        .iter()
        .filter(|o| is_resource(o, api_version, resource))
        .collect();
    if of_resource.is_empty() {
        return Err(format!(
            "failed to list resource: {} resource not found",
            group_resource(api_version, resource)
        ));
    }
    let items: Vec<Json> = of_resource
        .into_iter()
        .filter(|o| text(o, &["metadata", "namespace"]) == namespace)
        .cloned()
        .collect();
    Ok(json_to_cel(&serde_json::json!({ "items": items })))
}

/// The context file's entry for exactly this image reference.
fn image_metadata(images: &[Json], reference: &str) -> Result<Value, String> {
    images
        .iter()
        .find(|entry| text(entry, &["image"]) == reference)
        .map(json_to_cel)
        .ok_or_else(|| {
            format!("failed to get image data: image data for {reference} not found in the context")
        })
}

/// `system:serviceaccount:<ns>:<name>` split into `Namespace` and `Name`;
/// anything else gives both empty, as Kyverno's user library.
fn parse_service_account(user: &str) -> Value {
    let (namespace, name) = user
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'))
        .unwrap_or(("", ""));
    let mut map = HashMap::new();
    map.insert(
        Key::String(Arc::new("Namespace".to_owned())),
        Value::String(Arc::new(namespace.to_owned())),
    );
    map.insert(
        Key::String(Arc::new("Name".to_owned())),
        Value::String(Arc::new(name.to_owned())),
    );
    Value::Map(Map { map: Arc::new(map) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_cel::{Activation, Expression};
    use serde_json::json;

    fn eval(source: &str, data: LibData<'_>) -> Result<Json, String> {
        let mut scope = Scope::new(&Activation::default());
        register(&mut scope, data);
        let expr = Expression::compile(source).map_err(|e| e.to_string())?;
        scope
            .eval(&expr)
            .map(|v| palisade_cel::convert::cel_to_json(&v))
            .map_err(|e| e.message)
    }

    fn store() -> crate::ClusterObjects {
        crate::ClusterObjects::from(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "allowed-pod-priorities", "namespace": "default"},
                   "data": {"pod-priority-ns": "high, medium, low"}}),
            json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                   "metadata": {"name": "hpa", "namespace": "default"},
                   "spec": {"scaleTargetRef": {"name": "web"}}}),
        ])
    }

    #[test]
    fn resource_get_finds_by_version_resource_namespace_and_name() {
        let resources = store();
        let data = LibData {
            resources: &resources,
            images: &Json::Null,
        };
        let got = eval(
            "resource.Get('v1', 'configmaps', 'default', 'allowed-pod-priorities').data['pod-priority-ns']",
            data,
        );
        assert_eq!(got, Ok(json!("high, medium, low")));
        // Kyverno's fake provider answers a missing object with NotFound.
        let missing = eval("resource.Get('v1', 'configmaps', 'other', 'x')", data);
        assert_eq!(
            missing,
            Err("failed to get resource: configmaps \"x\" not found".to_owned())
        );
    }

    #[test]
    fn resource_list_serves_items_of_one_namespace() {
        let resources = store();
        let data = LibData {
            resources: &resources,
            images: &Json::Null,
        };
        let got = eval(
            "resource.List('autoscaling/v1', 'horizontalpodautoscalers', 'default').items.map(h, h.spec.scaleTargetRef.name)",
            data,
        );
        assert_eq!(got, Ok(json!(["web"])));
        let elsewhere = eval(
            "size(resource.List('autoscaling/v1', 'horizontalpodautoscalers', 'prod').items)",
            data,
        );
        assert_eq!(elsewhere, Ok(json!(0)));
        // A resource with no object at all: the fake provider's BadRequest.
        let unknown = eval("resource.List('apps/v1', 'deployments', 'default')", data);
        assert_eq!(
            unknown,
            Err("failed to list resource: deployments.apps resource not found".to_owned())
        );
    }

    #[test]
    fn image_metadata_is_looked_up_by_exact_reference() {
        let images = json!([{"image": "busybox:1.28", "config": {"Env": ["A=1"]}}]);
        let data = LibData {
            resources: crate::no_cluster_objects(),
            images: &images,
        };
        assert_eq!(
            eval("image.GetMetadata('busybox:1.28').config.Env", data),
            Ok(json!(["A=1"]))
        );
        assert!(eval("image.GetMetadata('docker.io/busybox:1.28')", data).is_err());
    }

    #[test]
    fn parse_service_account_splits_namespace_and_name() {
        let got = eval(
            "parseServiceAccount('system:serviceaccount:team-a:builder')",
            LibData::empty(),
        );
        assert_eq!(got, Ok(json!({"Namespace": "team-a", "Name": "builder"})));
        // Not a service account: both parts empty.
        let user = eval("parseServiceAccount('alice').Name", LibData::empty());
        assert_eq!(user, Ok(json!("")));
    }

    #[test]
    fn time_now_is_a_timestamp_after_2020() {
        assert_eq!(
            eval(
                "time.now() > timestamp('2020-01-01T00:00:00Z')",
                LibData::empty()
            ),
            Ok(json!(true))
        );
    }

    #[test]
    fn wrong_argument_types_are_errors() {
        assert!(
            eval(
                "resource.Get('v1', 'configmaps', 'default', 1)",
                LibData::empty()
            )
            .is_err()
        );
        assert!(eval("parseServiceAccount()", LibData::empty()).is_err());
    }
}
