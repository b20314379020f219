//! Where a `podSecurity` rule finds the pod (`getSpec` in Kyverno's
//! `validate_pss.go`): a Pod's own `metadata` and `spec`; the pod template of
//! the six controller kinds (`spec.template`); for a CronJob the job template's
//! pod spec (`spec.jobTemplate.spec.template.spec`) with the **job template's**
//! `metadata` (`spec.jobTemplate.metadata`), a Kyverno quirk: annotations on
//! the CronJob's pod template are not seen. Any other kind is an error.
//!
//! Kyverno decodes the object into typed Go structs, so a missing section is an
//! empty one (and passes), while a section of the wrong JSON type fails to
//! decode (an error).

use crate::Json;

/// The pod a rule judges: `metadata` (an object or null) and `spec` (an object).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct PodParts {
    pub metadata: Json,
    pub spec: Json,
}

use crate::autogen::TEMPLATE_CONTROLLERS as TEMPLATE_KINDS;

/// The pod of `resource`, or the reason there is none.
pub(super) fn pod_of(resource: &Json) -> Result<PodParts, String> {
    let kind = resource.get("kind").and_then(Json::as_str).unwrap_or("");
    let (metadata_path, spec_path): (&[&str], &[&str]) = match kind {
        "Pod" => (&["metadata"], &["spec"]),
        "CronJob" => (
            &["spec", "jobTemplate", "metadata"],
            &["spec", "jobTemplate", "spec", "template", "spec"],
        ),
        kind if TEMPLATE_KINDS.contains(&kind) => (
            &["spec", "template", "metadata"],
            &["spec", "template", "spec"],
        ),
        _ => return Err("could not find correct resource type".to_owned()),
    };
    let metadata = object_at(resource, metadata_path)?;
    let spec = object_at(resource, spec_path)?;
    Ok(PodParts {
        metadata,
        spec: if spec.is_null() {
            Json::Object(Default::default())
        } else {
            spec
        },
    })
}

/// The object at `path`, `null` when some step is missing or null; an error
/// when a step is not an object (Go's decoder refuses it).
fn object_at(root: &Json, path: &[&str]) -> Result<Json, String> {
    let mut current = root;
    for (depth, key) in path.iter().enumerate() {
        let next = match current {
            Json::Object(map) => map.get(*key),
            Json::Null => None,
            other => {
                return Err(format!(
                    "{}: cannot decode {} into an object",
                    path.get(..depth).unwrap_or_default().join("."),
                    type_name(other)
                ));
            }
        };
        match next {
            Some(value) => current = value,
            None => return Ok(Json::Null),
        }
    }
    match current {
        Json::Object(_) | Json::Null => Ok(current.clone()),
        other => Err(format!(
            "{}: cannot decode {} into an object",
            path.join("."),
            type_name(other)
        )),
    }
}

fn type_name(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::pod_of;
    use serde_json::json;

    #[test]
    fn pod_uses_its_own_metadata_and_spec() {
        let pod =
            pod_of(&json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostIPC": true}}))
                .unwrap();
        assert_eq!(pod.spec, json!({"hostIPC": true}));
        assert_eq!(pod.metadata, json!({"name": "p"}));
    }

    #[test]
    fn controllers_use_the_template() {
        let deployment = json!({"kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"metadata": {"annotations": {"a": "b"}}, "spec": {"hostPID": true}}}});
        let pod = pod_of(&deployment).unwrap();
        assert_eq!(pod.spec, json!({"hostPID": true}));
        assert_eq!(pod.metadata, json!({"annotations": {"a": "b"}}));
    }

    #[test]
    fn cronjob_reads_the_job_template_metadata() {
        // Kyverno quirk: the CronJob's pod template metadata is not the one used.
        let cronjob = json!({"kind": "CronJob", "spec": {"jobTemplate": {
            "metadata": {"annotations": {"job": "x"}},
            "spec": {"template": {"metadata": {"annotations": {"pod": "y"}}, "spec": {"hostNetwork": true}}}}}});
        let pod = pod_of(&cronjob).unwrap();
        assert_eq!(pod.metadata, json!({"annotations": {"job": "x"}}));
        assert_eq!(pod.spec, json!({"hostNetwork": true}));
    }

    #[test]
    fn missing_spec_is_empty_and_wrong_types_are_errors() {
        let pod = pod_of(&json!({"kind": "Pod"})).unwrap();
        assert_eq!(pod.spec, json!({}));
        assert!(pod_of(&json!({"kind": "Pod", "spec": "x"})).is_err());
        assert!(pod_of(&json!({"kind": "Deployment", "spec": {"template": []}})).is_err());
    }

    #[test]
    fn other_kinds_have_no_pod() {
        let err = pod_of(&json!({"kind": "Service", "spec": {}})).unwrap_err();
        assert_eq!(err, "could not find correct resource type");
        assert!(pod_of(&json!({"spec": {}})).is_err());
    }
}
