//! `namespaces.yaml`: one Namespace per profile namespace, with the Pod
//! Security Admission labels (`pod-security.kubernetes.io/<mode>` and
//! `<mode>-version` for enforce, audit and warn) and the profile's labels.

use crate::profile::{Namespace, Profile};
use crate::yaml::{Doc, Y, map, s};

pub fn documents(profile: &Profile) -> Vec<Doc> {
    profile.namespaces.iter().map(namespace).collect()
}

fn namespace(ns: &Namespace) -> Doc {
    let mut labels: Vec<(String, Y)> = Vec::new();
    let comment = match &ns.pod_security {
        Some(ps) => {
            for (mode, level) in [
                ("enforce", ps.enforce),
                ("audit", ps.audit),
                ("warn", ps.warn),
            ] {
                labels.push((
                    format!("pod-security.kubernetes.io/{mode}"),
                    s(level.as_str()),
                ));
                labels.push((
                    format!("pod-security.kubernetes.io/{mode}-version"),
                    s(&ps.version),
                ));
            }
            let mut lines = vec![format!(
                "Namespace {}: Pod Security Admission rejects pods that break the {} standard ({}).",
                ns.name,
                ps.enforce.as_str(),
                ps.version
            )];
            if ps.audit != ps.enforce || ps.warn != ps.enforce {
                lines.push(format!(
                    "Pods that break {} (audit) or {} (warn) are admitted but recorded in the audit log / answered with a warning.",
                    ps.audit.as_str(),
                    ps.warn.as_str()
                ));
            }
            lines
        }
        None => vec![format!(
            "Namespace {}: no Pod Security labels (the cluster's defaults apply).",
            ns.name
        )],
    };
    labels.extend(ns.labels.iter().map(|(k, v)| (k.clone(), s(v))));
    let mut metadata = vec![("name".to_owned(), s(&ns.name))];
    if !labels.is_empty() {
        metadata.push(("labels".to_owned(), Y::Map(labels)));
    }
    Doc {
        comment,
        body: map([
            ("apiVersion", s("v1")),
            ("kind", s("Namespace")),
            ("metadata", Y::Map(metadata)),
        ]),
    }
}
