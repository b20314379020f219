//! `exclude` entries of a `podSecurity` rule (`ApplyPodSecurityExclusion` and
//! `exemptExclusions` in Kyverno's `pkg/pss/evaluate.go`).
//!
//! An entry names a control (mapped to check ids by [`super::controls`]) and
//! removes failures of those checks:
//!
//! * **without `images`**: Kyverno evaluates the pod with its containers
//!   replaced by one bare container named `fake`. Its pod-level failures
//!   remove the pod's pod-level failures; and when the bare container itself
//!   fails a check (a field it must set, such as `allowPrivilegeEscalation`),
//!   that failure removes the same failure of **one** regular container, the
//!   first that has it. So a pod-level exclusion also clears a single container
//!   that merely leaves such a field unset, but not two.
//! * **with `images`** (wildcards): the containers whose image matches are
//!   evaluated alone, in a pod with nothing else; each failure they give
//!   removes that container's failure of the same check.
//! * `restrictedField` limits the entry to one field path
//!   (`spec.containers[*].securityContext.capabilities.add`, `spec.hostIPC`...),
//!   and `values` (wildcards) to failures whose offending values all match.
//!
//! Kyverno compares field errors; failures here are per check and place
//! ([`super::sites`]), so a `restrictedField` entry is taken to clear a place
//! when the place passes the check once that field is made compliant, and the
//! offending values are the values found at that path.

use super::Exclude;
use super::controls::check_ids_for_control;
use super::judge::Judge;
use super::pod_source::PodParts;
use super::sites::{self, Blamed, Site};
use crate::{Json, wildcard};

/// Removes from `blamed` the failures `exclude` exempts; checks left with no
/// failing place are dropped.
pub(super) fn apply(exclude: &Exclude, blamed: &mut Vec<Blamed>, judge: &Judge, pod: &PodParts) {
    let ids = check_ids_for_control(&exclude.control_name);
    for entry in blamed.iter_mut().filter(|b| ids.contains(&b.failure.id)) {
        if exclude.images.is_empty() {
            exempt_pod_level(exclude, entry, judge, pod);
        } else {
            exempt_images(exclude, entry, judge, pod);
        }
    }
    blamed.retain(|b| !b.sites.is_empty());
}

fn exempt_pod_level(exclude: &Exclude, entry: &mut Blamed, judge: &Judge, pod: &PodParts) {
    let id = entry.failure.id;
    if entry.sites.contains(&Site::Pod) && field_allows(exclude, &Site::Pod, entry, judge, pod) {
        entry.sites.retain(|s| *s != Site::Pod);
    }
    let fake = serde_json::json!({"name": "fake"});
    if !sites::container_fails(
        judge,
        id,
        &pod.spec,
        "containers",
        &fake,
        entry.pod_level_fails,
    ) {
        return;
    }
    let first_regular = entry.sites.iter().position(|site| {
        matches!(
            site,
            Site::Container {
                list: "containers",
                ..
            }
        ) && field_allows(exclude, site, entry, judge, pod)
    });
    if let Some(position) = first_regular {
        entry.sites.remove(position);
    }
}

fn exempt_images(exclude: &Exclude, entry: &mut Blamed, judge: &Judge, pod: &PodParts) {
    let id = entry.failure.id;
    let exempt: Vec<Site> = entry
        .sites
        .iter()
        .filter(|site| {
            let (Site::Container { list, .. }, Some(container)) =
                (site, sites::container_at(&pod.spec, site))
            else {
                return false;
            };
            let image = container.get("image").and_then(Json::as_str).unwrap_or("");
            exclude
                .images
                .iter()
                .any(|pattern| wildcard::matches(pattern, image))
                && sites::standalone_fails(judge, id, list, container)
                && field_allows(exclude, site, entry, judge, pod)
        })
        .copied()
        .collect();
    entry.sites.retain(|site| !exempt.contains(site));
}

/// Whether `restrictedField` and `values` let `exclude` clear `site`.
fn field_allows(
    exclude: &Exclude,
    site: &Site,
    entry: &Blamed,
    judge: &Judge,
    pod: &PodParts,
) -> bool {
    if exclude.restricted_field.is_empty() {
        return true;
    }
    let Some((root, path)) = scoped(&exclude.restricted_field, site, pod) else {
        return false;
    };
    let segments: Vec<&str> = path.split('.').collect();
    let mut offending = Vec::new();
    collect_leaves(&root, &segments, &mut offending);
    let values_match = exclude.values.is_empty()
        || offending.iter().all(|value| {
            exclude
                .values
                .iter()
                .any(|pattern| wildcard::matches(pattern, value))
        });
    values_match && repaired_passes(site, root, &segments, entry, judge, pod)
}

/// The object `restrictedField` is relative to at `site` (the container, or
/// `{metadata, spec}` for the pod level), and the path below it. `None` when
/// the field belongs to another place.
fn scoped(field: &str, site: &Site, pod: &PodParts) -> Option<(Json, String)> {
    let container_field = sites::CONTAINER_LISTS.iter().find_map(|list| {
        Some((
            *list,
            field.strip_prefix(&format!("spec.{list}[*].") as &str)?,
        ))
    });
    match (site, container_field) {
        (Site::Pod, None) => Some((
            serde_json::json!({"metadata": pod.metadata, "spec": pod.spec}),
            field.to_owned(),
        )),
        (Site::Container { list, .. }, Some((field_list, rest))) if *list == field_list => Some((
            sites::container_at(&pod.spec, site)?.clone(),
            rest.to_owned(),
        )),
        _ => None,
    }
}

/// Scalars found at `path` (`name[*]` steps into every item), as text.
fn collect_leaves(value: &Json, path: &[&str], out: &mut Vec<String>) {
    let Some((step, rest)) = path.split_first() else {
        match value {
            Json::Array(items) => items.iter().for_each(|item| collect_leaves(item, &[], out)),
            Json::Object(map) => map.values().for_each(|item| collect_leaves(item, &[], out)),
            Json::Null => {}
            Json::String(s) => out.push(s.clone()),
            other => out.push(other.to_string()),
        }
        return;
    };
    let (key, every_item) = match step.strip_suffix("[*]") {
        Some(key) => (key, true),
        None => (*step, false),
    };
    let Some(child) = value.get(key) else {
        return;
    };
    if every_item {
        for item in child.as_array().into_iter().flatten() {
            collect_leaves(item, rest, out);
        }
    } else {
        collect_leaves(child, rest, out);
    }
}

/// Whether `site` passes the check once the field at `path` holds a compliant
/// value: the field was the (only) reason the place failed.
fn repaired_passes(
    site: &Site,
    mut root: Json,
    path: &[&str],
    entry: &Blamed,
    judge: &Judge,
    pod: &PodParts,
) -> bool {
    let joined = path.join(".");
    set_path(&mut root, path, compliant_value(&joined).as_ref());
    let id = entry.failure.id;
    match site {
        Site::Pod => {
            let metadata = root.get("metadata").cloned().unwrap_or(Json::Null);
            let spec = root.get("spec").cloned().unwrap_or(Json::Null);
            !judge.fails(id, &metadata, &sites::without_containers(&spec))
        }
        Site::Container { list, .. } => {
            !sites::container_fails(judge, id, &pod.spec, list, &root, entry.pod_level_fails)
        }
        Site::Whole => false,
    }
}

/// The value that satisfies a field PSA requires to be set; `None` for the
/// fields that are compliant when absent (the field is removed instead).
fn compliant_value(path: &str) -> Option<Json> {
    const REQUIRED: &[(&str, &str)] = &[
        ("securityContext.allowPrivilegeEscalation", "false"),
        ("securityContext.runAsNonRoot", "true"),
        ("securityContext.seccompProfile.type", "\"RuntimeDefault\""),
        ("securityContext.capabilities.drop", "[\"ALL\"]"),
    ];
    REQUIRED
        .iter()
        .find(|(suffix, _)| path.ends_with(suffix))
        .and_then(|(_, value)| serde_json::from_str(value).ok())
}

/// Sets (or, with `None`, removes) the field at `path`, in every item of
/// `name[*]` steps. Missing parents are created only for a value to set.
fn set_path(value: &mut Json, path: &[&str], new: Option<&Json>) {
    let Some((step, rest)) = path.split_first() else {
        return;
    };
    let (key, every_item) = match step.strip_suffix("[*]") {
        Some(key) => (key, true),
        None => (*step, false),
    };
    let Some(map) = value.as_object_mut() else {
        return;
    };
    if rest.is_empty() && !every_item {
        match new {
            Some(new) => {
                map.insert(key.to_owned(), new.clone());
            }
            None => {
                map.remove(key);
            }
        }
        return;
    }
    if every_item {
        if let Some(items) = map.get_mut(key).and_then(Json::as_array_mut) {
            if rest.is_empty() {
                items.clear();
            } else {
                items.iter_mut().for_each(|item| set_path(item, rest, new));
            }
        }
        return;
    }
    if new.is_some() && !map.get(key).is_some_and(Json::is_object) {
        map.insert(key.to_owned(), Json::Object(Default::default()));
    }
    if let Some(child) = map.get_mut(key) {
        set_path(child, rest, new);
    }
}

#[cfg(test)]
mod tests {
    use super::{collect_leaves, set_path};
    use serde_json::json;

    #[test]
    fn leaves_follow_star_steps() {
        let pod = json!({"spec": {"securityContext": {"sysctls": [{"name": "a"}, {"name": "b"}]}}});
        let mut out = Vec::new();
        collect_leaves(
            &pod,
            &["spec", "securityContext", "sysctls[*]", "name"],
            &mut out,
        );
        assert_eq!(out, ["a", "b"]);
        let mut out = Vec::new();
        collect_leaves(
            &json!({"ports": [{"hostPort": 80}]}),
            &["ports[*]", "hostPort"],
            &mut out,
        );
        assert_eq!(out, ["80"]);
    }

    #[test]
    fn set_path_creates_parents_only_for_values() {
        let mut container = json!({"name": "c"});
        set_path(&mut container, &["securityContext", "privileged"], None);
        assert_eq!(container, json!({"name": "c"}));
        set_path(
            &mut container,
            &["securityContext", "runAsNonRoot"],
            Some(&json!(true)),
        );
        assert_eq!(
            container,
            json!({"name": "c", "securityContext": {"runAsNonRoot": true}})
        );
    }
}
