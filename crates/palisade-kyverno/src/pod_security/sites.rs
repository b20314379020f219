//! Where each failure comes from: the pod level (pod spec fields and
//! metadata) and/or individual containers.
//!
//! Kyverno's PSA fork reports every failure as field errors, one per offending
//! field of the pod or of a container, and `exclude` entries remove field
//! errors of the pod or of chosen containers. palisade-pss reports one failure
//! per check, so the same split is recovered by evaluating parts of the pod:
//!
//! * the **pod level** fails a check when the pod with no containers at all
//!   fails it;
//! * a **container** fails a check when a pod holding only that container (and
//!   the pod fields containers inherit: `securityContext`, `os`, `hostUsers`)
//!   fails it. When the pod level itself fails the check, the container is
//!   judged without the pod's security context, since a bad pod-level value is
//!   not inherited as a good one: PSA then reports an unset container field as
//!   missing (`runAsNonRoot`, restricted seccomp) and an explicit bad one as bad.
//!
//! A failure that no part explains (it takes two parts together) is blamed on
//! the whole pod, which no exclusion removes.

use palisade_pss::CheckFailure;
use serde_json::Map;

use super::judge::Judge;
use super::pod_source::PodParts;
use crate::Json;

/// The three container lists, in PSA's visiting order.
pub(super) const CONTAINER_LISTS: [&str; 3] =
    ["initContainers", "containers", "ephemeralContainers"];

/// One place a failure comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Site {
    /// Pod-level spec fields or metadata.
    Pod,
    /// Item `index` of the container list `list`.
    Container { list: &'static str, index: usize },
    /// Only the pod as a whole fails.
    Whole,
}

/// One failing check and the places it still fails at.
#[derive(Clone, Debug)]
pub(super) struct Blamed {
    pub failure: CheckFailure,
    /// Whether the pod level alone fails the check.
    pub pod_level_fails: bool,
    pub sites: Vec<Site>,
}

/// The failing checks of the pod, each with the places it fails at.
pub(super) fn blame(judge: &Judge, pod: &PodParts) -> Vec<Blamed> {
    let failures = judge.failures(&pod.metadata, &pod.spec);
    if failures.is_empty() {
        return Vec::new();
    }
    let pod_level = judge.failures(&pod.metadata, &without_containers(&pod.spec));
    let mut per_container = Vec::new();
    for (list, index, container) in containers(&pod.spec) {
        let kept = judge.failures(
            &Json::Null,
            &container_pod(&pod.spec, list, container, true),
        );
        let stripped = judge.failures(
            &Json::Null,
            &container_pod(&pod.spec, list, container, false),
        );
        per_container.push((list, index, kept, stripped));
    }
    failures
        .into_iter()
        .map(|failure| {
            let id = failure.id;
            let pod_level_fails = pod_level.iter().any(|f| f.id == id);
            let mut sites = Vec::new();
            if pod_level_fails {
                sites.push(Site::Pod);
            }
            for (list, index, kept, stripped) in &per_container {
                let judged = if pod_level_fails { stripped } else { kept };
                if judged.iter().any(|f| f.id == id) {
                    sites.push(Site::Container {
                        list,
                        index: *index,
                    });
                }
            }
            if sites.is_empty() {
                sites.push(Site::Whole);
            }
            Blamed {
                failure,
                pod_level_fails,
                sites,
            }
        })
        .collect()
}

/// Whether `container`, placed in list `list` of the pod, fails check `id` on
/// its own (judged as in [`blame`]).
pub(super) fn container_fails(
    judge: &Judge,
    id: &str,
    spec: &Json,
    list: &str,
    container: &Json,
    pod_level_fails: bool,
) -> bool {
    judge.fails(
        id,
        &Json::Null,
        &container_pod(spec, list, container, !pod_level_fails),
    )
}

/// Whether `container` fails check `id` in a pod that holds nothing else: no
/// pod fields, no metadata (Kyverno's pod of the containers an `images`
/// exclusion matches).
pub(super) fn standalone_fails(judge: &Judge, id: &str, list: &str, container: &Json) -> bool {
    let mut spec = Map::new();
    spec.insert(list.to_owned(), Json::Array(vec![container.clone()]));
    judge.fails(id, &Json::Null, &Json::Object(spec))
}

/// The pod's containers that are objects: (list, index in the list, container).
pub(super) fn containers(spec: &Json) -> impl Iterator<Item = (&'static str, usize, &Json)> {
    CONTAINER_LISTS.into_iter().flat_map(move |list| {
        spec.get(list)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter(|(_, item)| item.is_object())
            .map(move |(index, item)| (list, index, item))
    })
}

/// The container at `site`, when the site is a container still in `spec`.
pub(super) fn container_at<'a>(spec: &'a Json, site: &Site) -> Option<&'a Json> {
    match site {
        Site::Container { list, index } => spec.get(*list)?.get(*index),
        _ => None,
    }
}

/// The pod spec with every container list removed.
pub(super) fn without_containers(spec: &Json) -> Json {
    let mut spec = spec.clone();
    if let Some(map) = spec.as_object_mut() {
        for list in CONTAINER_LISTS {
            map.remove(list);
        }
    }
    spec
}

/// A pod spec holding only `container` (in `list`) and the pod fields that
/// containers inherit or that exempt them: `os` and `hostUsers`, and the
/// pod's `securityContext` when `keep_security_context`.
fn container_pod(spec: &Json, list: &str, container: &Json, keep_security_context: bool) -> Json {
    let mut pod = Map::new();
    let mut inherited = vec!["os", "hostUsers"];
    if keep_security_context {
        inherited.push("securityContext");
    }
    for key in inherited {
        if let Some(value) = spec.get(key) {
            pod.insert(key.to_owned(), value.clone());
        }
    }
    pod.insert(list.to_owned(), Json::Array(vec![container.clone()]));
    Json::Object(pod)
}

#[cfg(test)]
mod tests {
    use super::{Site, blame};
    use crate::pod_security::judge::Judge;
    use crate::pod_security::pod_source::PodParts;
    use serde_json::json;

    fn sites(level: &str, spec: serde_json::Value) -> Vec<(&'static str, Vec<Site>)> {
        let judge = Judge::new(level, "latest").unwrap();
        let pod = PodParts {
            metadata: serde_json::Value::Null,
            spec,
        };
        blame(&judge, &pod)
            .into_iter()
            .map(|b| (b.failure.id, b.sites))
            .collect()
    }

    const OK_CONTAINER: &str = r#"{"allowPrivilegeEscalation": false, "runAsNonRoot": true,
        "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}"#;

    fn ok_sc() -> serde_json::Value {
        serde_json::from_str(OK_CONTAINER).unwrap()
    }

    #[test]
    fn pod_level_fields_blame_the_pod() {
        let found = sites(
            "baseline",
            json!({"hostIPC": true, "containers": [{"name": "a"}]}),
        );
        assert_eq!(found, [("hostNamespaces", vec![Site::Pod])]);
    }

    #[test]
    fn container_fields_blame_that_container() {
        let found = sites(
            "baseline",
            json!({"initContainers": [{"name": "i"}], "containers": [{"name": "a"},
                {"name": "b", "securityContext": {"privileged": true}}]}),
        );
        assert_eq!(
            found,
            [(
                "privileged",
                vec![Site::Container {
                    list: "containers",
                    index: 1
                }]
            )]
        );
    }

    #[test]
    fn inherited_good_pod_values_clear_containers() {
        // Pod-level runAsNonRoot: true covers a container that does not set it.
        let mut sc = ok_sc();
        sc.as_object_mut().unwrap().remove("runAsNonRoot");
        let found = sites(
            "restricted",
            json!({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "securityContext": sc}]}),
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn bad_pod_values_blame_pod_and_unset_containers() {
        // PSA: pod runAsNonRoot=false, container unset => "pod or container must set".
        let mut unset = ok_sc();
        unset.as_object_mut().unwrap().remove("runAsNonRoot");
        let found = sites(
            "restricted",
            json!({"securityContext": {"runAsNonRoot": false}, "containers": [
                {"name": "a", "securityContext": unset}, {"name": "b", "securityContext": ok_sc()}]}),
        );
        assert_eq!(
            found,
            [(
                "runAsNonRoot",
                vec![
                    Site::Pod,
                    Site::Container {
                        list: "containers",
                        index: 0
                    }
                ]
            )]
        );
    }

    #[test]
    fn explicit_only_checks_do_not_blame_unset_containers() {
        // runAsUser: 0 at pod level is only the pod's fault.
        let found = sites(
            "restricted",
            json!({"securityContext": {"runAsUser": 0}, "containers": [{"name": "a", "securityContext": ok_sc()}]}),
        );
        assert_eq!(found, [("runAsUser", vec![Site::Pod])]);
    }
}
