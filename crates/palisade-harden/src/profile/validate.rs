//! The profile's values checked and turned into [`Profile`]: kind and version,
//! names, Pod Security levels, subjects, no wildcards anywhere, resources and
//! verbs known, flows that name declared namespaces. An error carries the path
//! of the value it is about; `read.rs` turns it into a position.

use std::collections::BTreeSet;

use palisade_core::names::{is_dns1123_label, is_dns1123_subdomain};
use serde::de::DeserializeOwned;

use super::model::{
    RawEndpoint, RawFlow, RawGrant, RawNamespace, RawNetwork, RawPolicies, RawPolicyScope,
    RawProfile,
};
use super::read::{Seg, key};
use super::resources::{self, KNOWN_VERBS};
use super::types::*;
use super::{accepted, policy_names, reserved, text};

pub const API_VERSION: &str = "palisade.dev/v1alpha1";
pub const KIND: &str = "HardeningProfile";

/// A value's path and what is wrong with it.
pub type Invalid = (Vec<Seg>, String);

/// The value of `from` that names the profile's ingress controller.
pub const INGRESS_CONTROLLER: &str = "ingress-controller";

/// Namespaces a policy for `all` leaves out by default: the control plane's
/// own pods run as root and without limits.
pub const DEFAULT_EXCLUDED: &[&str] = &["kube-system"];

pub fn validate(raw: RawProfile, source: String) -> Result<Profile, Invalid> {
    if raw.api_version != API_VERSION {
        return Err((
            vec![key("apiVersion")],
            format!(
                "apiVersion must be {API_VERSION}, found {:?}",
                raw.api_version
            ),
        ));
    }
    if raw.kind != KIND {
        return Err((
            vec![key("kind")],
            format!("kind must be {KIND}, found {:?}", raw.kind),
        ));
    }
    let mut namespaces = Vec::new();
    let mut seen = BTreeSet::new();
    for (index, ns) in raw.namespaces.into_iter().enumerate() {
        let path = vec![key("namespaces"), Seg::Index(index)];
        let namespace = namespace(ns, &path)?;
        if !seen.insert(namespace.name.clone()) {
            return Err((
                path,
                format!("namespace {:?} is listed twice", namespace.name),
            ));
        }
        namespaces.push(namespace);
    }
    let mut access = Vec::new();
    let mut grant_names = BTreeSet::new();
    for (index, grant) in raw.access.into_iter().enumerate() {
        let path = vec![key("access"), Seg::Index(index)];
        let grant = self::grant(grant, index, &path, &seen)?;
        if !grant_names.insert(grant.name.clone()) {
            return Err((
                path,
                format!(
                    "two grants are named {:?}; names must be unique",
                    grant.name
                ),
            ));
        }
        access.push(grant);
    }
    let network = match raw.network {
        Some(network) => self::network(network, &seen)?,
        None => Network {
            default_deny: true,
            ingress_controller: None,
            allow: Vec::new(),
        },
    };
    policy_names::check_unique(&network, &seen)?;
    let policies = match raw.policies {
        Some(policies) => self::policies(policies)?,
        None => Policies::default(),
    };
    Ok(Profile {
        source,
        namespaces,
        access,
        network,
        policies,
    })
}

fn at(path: &[Seg], more: &[Seg]) -> Vec<Seg> {
    path.iter().chain(more).cloned().collect()
}

fn check_label_name(name: &str, path: Vec<Seg>, what: &str) -> Result<(), Invalid> {
    if is_dns1123_label(name) {
        Ok(())
    } else {
        Err((
            path,
            format!(
                "{what} {name:?} is not a valid name: at most 63 lowercase letters, digits \
                 or '-', starting and ending with a letter or digit"
            ),
        ))
    }
}

fn no_wildcard(value: &str, path: Vec<Seg>, what: &str) -> Result<(), Invalid> {
    if value.contains('*') {
        return Err((
            path,
            format!(
                "{what} {value:?}: wildcards are not allowed in a hardening profile; \
                 name each one (least privilege)"
            ),
        ));
    }
    Ok(())
}

fn level(text: &str, path: Vec<Seg>) -> Result<Level, Invalid> {
    match text {
        "privileged" => Ok(Level::Privileged),
        "baseline" => Ok(Level::Baseline),
        "restricted" => Ok(Level::Restricted),
        other => Err((
            path,
            format!(
                "unknown Pod Security level {other:?}: expected privileged, baseline or restricted"
            ),
        )),
    }
}

/// `latest` or `v1.N`, as the `*-version` labels take it.
fn version(text: &str, path: Vec<Seg>) -> Result<String, Invalid> {
    let minor = text.strip_prefix("v1.");
    let valid = text == "latest"
        || minor.is_some_and(|m| {
            !m.is_empty() && m.len() <= 3 && m.bytes().all(|b| b.is_ascii_digit())
        });
    if valid {
        Ok(text.to_owned())
    } else {
        Err((
            path,
            format!("Pod Security version {text:?}: expected latest or v1.N (such as v1.30)"),
        ))
    }
}

fn namespace(raw: RawNamespace, path: &[Seg]) -> Result<Namespace, Invalid> {
    check_label_name(&raw.name, at(path, &[key("name")]), "namespace")?;
    let pod_security = match raw.pod_security {
        None => None,
        Some(ps) => {
            let ps_path = at(path, &[key("podSecurity")]);
            let enforce = level(&ps.enforce, at(&ps_path, &[key("enforce")]))?;
            let audit = match &ps.audit {
                Some(text) => level(text, at(&ps_path, &[key("audit")]))?,
                None => enforce,
            };
            let warn = match &ps.warn {
                Some(text) => level(text, at(&ps_path, &[key("warn")]))?,
                None => enforce,
            };
            let version = match &ps.version {
                Some(text) => version(text, at(&ps_path, &[key("version")]))?,
                None => "latest".to_owned(),
            };
            Some(PodSecurity {
                enforce,
                audit,
                warn,
                version,
            })
        }
    };
    for name in raw.labels.keys() {
        if name.starts_with("pod-security.kubernetes.io/") || name == "kubernetes.io/metadata.name"
        {
            return Err((
                at(path, &[key("labels"), key(name)]),
                format!("label {name:?} is set by harden itself; use podSecurity instead"),
            ));
        }
    }
    text::labels(&raw.labels, &at(path, &[key("labels")]))?;
    Ok(Namespace {
        name: raw.name,
        pod_security,
        labels: raw.labels,
    })
}

fn subject(text: &str, path: Vec<Seg>) -> Result<Subject, Invalid> {
    self::text::one_line(text, path.clone(), "subject")?;
    no_wildcard(text, path.clone(), "subject")?;
    let invalid = |message: String| Err((path.clone(), message));
    let Some((kind, name)) = text.split_once(':') else {
        return invalid(format!(
            "subject {text:?}: expected group:NAME, user:NAME or serviceAccount:NAMESPACE/NAME"
        ));
    };
    if name.is_empty() {
        return invalid(format!("subject {text:?} names nobody"));
    }
    match kind {
        "group" => Ok(Subject::Group(name.to_owned())),
        "user" => Ok(Subject::User(name.to_owned())),
        "serviceAccount" => {
            let Some((namespace, account)) = name.split_once('/') else {
                return invalid(format!(
                    "subject {text:?}: a service account is serviceAccount:NAMESPACE/NAME"
                ));
            };
            check_label_name(namespace, path.clone(), "namespace")?;
            if !is_dns1123_subdomain(account) {
                return invalid(format!(
                    "subject {text:?}: {account:?} is not a valid service account name"
                ));
            }
            Ok(Subject::ServiceAccount {
                namespace: namespace.to_owned(),
                name: account.to_owned(),
            })
        }
        other => invalid(format!(
            "subject {text:?}: unknown subject kind {other:?}; expected group, user or serviceAccount"
        )),
    }
}

/// The name of a grant without one: its first subject's name, made a valid
/// object name, and its position.
fn default_grant_name(subjects: &[Subject], index: usize) -> String {
    let base = match subjects.first() {
        Some(Subject::Group(n) | Subject::User(n)) => n.clone(),
        Some(Subject::ServiceAccount { name, .. }) => name.clone(),
        None => "grant".to_owned(),
    };
    let cleaned: String = base
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{}-access-{}", cleaned.trim_matches('-'), index + 1)
}

fn grant(
    raw: RawGrant,
    index: usize,
    path: &[Seg],
    namespaces: &BTreeSet<String>,
) -> Result<Grant, Invalid> {
    if raw.subjects.is_empty() {
        return Err((
            at(path, &[key("subjects")]),
            "a grant needs at least one subject".to_owned(),
        ));
    }
    let mut subjects = Vec::new();
    for (i, text) in raw.subjects.iter().enumerate() {
        subjects.push(subject(text, at(path, &[key("subjects"), Seg::Index(i)]))?);
    }
    let name = match raw.name {
        Some(name) => {
            if let Some(message) = reserved::reserved_grant_name(&name) {
                return Err((at(path, &[key("name")]), message));
            }
            if !is_dns1123_subdomain(&name) {
                return Err((
                    at(path, &[key("name")]),
                    format!("grant name {name:?} is not a valid object name"),
                ));
            }
            name
        }
        None => default_grant_name(&subjects, index),
    };

    let scope = match (raw.cluster_wide, raw.namespaces.is_empty()) {
        (true, false) => {
            return Err((
                at(path, &[key("clusterWide")]),
                "a grant is either clusterWide or for namespaces, not both".to_owned(),
            ));
        }
        (false, true) => {
            return Err((
                path.to_vec(),
                "a grant needs namespaces (or clusterWide: true)".to_owned(),
            ));
        }
        (true, true) => Scope::ClusterWide,
        (false, false) => {
            for (i, ns) in raw.namespaces.iter().enumerate() {
                let ns_path = at(path, &[key("namespaces"), Seg::Index(i)]);
                no_wildcard(ns, ns_path.clone(), "namespace")?;
                if !namespaces.contains(ns) {
                    return Err((
                        ns_path,
                        format!("namespace {ns:?} is not one of the profile's namespaces"),
                    ));
                }
            }
            Scope::Namespaces(raw.namespaces)
        }
    };
    if raw.verbs.is_empty() || raw.resources.is_empty() {
        return Err((
            path.to_vec(),
            "a grant needs at least one verb and one resource".to_owned(),
        ));
    }
    let mut resources = Vec::new();
    for (i, written) in raw.resources.iter().enumerate() {
        let r_path = at(path, &[key("resources"), Seg::Index(i)]);
        text::one_line(written, r_path.clone(), "resource")?;
        no_wildcard(written, r_path.clone(), "resource")?;
        let resource = resources::resolve(written, scope != Scope::ClusterWide)
            .map_err(|message| (r_path.clone(), message))?;
        if resources.contains(&resource) {
            return Err((r_path, format!("resource {written:?} is listed twice")));
        }
        resources.push(resource);
    }
    let all_custom = resources.iter().all(|r| !r.is_builtin());
    for (i, verb) in raw.verbs.iter().enumerate() {
        let v_path = at(path, &[key("verbs"), Seg::Index(i)]);
        text::one_line(verb, v_path.clone(), "verb")?;
        no_wildcard(verb, v_path.clone(), "verb")?;
        if !all_custom && !KNOWN_VERBS.contains(&verb.as_str()) {
            return Err((
                v_path,
                format!(
                    "unknown verb {verb:?}: expected one of {}",
                    KNOWN_VERBS.join(", ")
                ),
            ));
        }
        if raw.verbs[..i].contains(verb) {
            return Err((v_path, format!("verb {verb:?} is listed twice")));
        }
    }
    let mut accepted_risks = Vec::new();
    for (i, risk) in raw.accepted_risks.into_iter().enumerate() {
        let r_path = at(path, &[key("acceptedRisks"), Seg::Index(i)]);
        let risk = accepted::accepted_risk(risk, &r_path)?;
        if accepted_risks
            .iter()
            .any(|seen: &AcceptedRisk| seen.rule == risk.rule)
        {
            return Err((
                at(&r_path, &[key("rule")]),
                format!("rule {:?} is accepted twice", risk.rule),
            ));
        }
        accepted_risks.push(risk);
    }
    Ok(Grant {
        name,
        subjects,
        scope,
        verbs: raw.verbs,
        resources,
        accepted_risks,
    })
}

fn endpoint(raw: RawEndpoint, path: &[Seg]) -> Result<Endpoint, Invalid> {
    check_label_name(&raw.namespace, at(path, &[key("namespace")]), "namespace")?;
    for (name, value) in &raw.pod_selector {
        no_wildcard(name, at(path, &[key("podSelector"), key(name)]), "label")?;
        no_wildcard(
            value,
            at(path, &[key("podSelector"), key(name)]),
            "label value",
        )?;
    }
    text::labels(&raw.pod_selector, &at(path, &[key("podSelector")]))?;
    Ok(Endpoint {
        namespace: raw.namespace,
        pod_selector: raw.pod_selector,
    })
}

/// A sub-value the serde types keep as JSON (so each form has its own message),
/// read strictly with the path of the failure.
fn typed<T: DeserializeOwned>(value: serde_json::Value, path: &[Seg]) -> Result<T, Invalid> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner: Vec<Seg> = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                _ => None,
            })
            .collect();
        (at(path, &inner), e.into_inner().to_string())
    })
}

fn flow(
    raw: RawFlow,
    index: usize,
    path: &[Seg],
    namespaces: &BTreeSet<String>,
    has_controller: bool,
) -> Result<Flow, Invalid> {
    let from_path = at(path, &[key("from")]);
    let from = match raw.from {
        serde_json::Value::String(text) if text == INGRESS_CONTROLLER => {
            if !has_controller {
                return Err((
                    from_path,
                    "from: ingress-controller needs network.ingressController".to_owned(),
                ));
            }
            Source::IngressController
        }
        serde_json::Value::String(text) => {
            return Err((
                from_path,
                format!(
                    "from: {text:?}: expected ingress-controller or {{namespace: NS, podSelector: {{...}}}}"
                ),
            ));
        }
        other => Source::Pods(endpoint(typed(other, &from_path)?, &from_path)?),
    };
    let to_path = at(path, &[key("to")]);
    let to = endpoint(raw.to, &to_path)?;
    if !namespaces.contains(&to.namespace) {
        return Err((
            at(&to_path, &[key("namespace")]),
            format!(
                "namespace {:?} is not one of the profile's namespaces, so harden writes no policy there",
                to.namespace
            ),
        ));
    }
    if raw.ports.is_empty() {
        return Err((
            at(path, &[key("ports")]),
            "a flow needs at least one port (least privilege)".to_owned(),
        ));
    }
    let mut ports = Vec::new();
    for (i, port) in raw.ports.iter().enumerate() {
        let p_path = at(path, &[key("ports"), Seg::Index(i)]);
        if port.port == 0 {
            return Err((p_path, "port 0 is not a port".to_owned()));
        }
        let protocol = match port.protocol.as_deref() {
            None | Some("TCP") => Protocol::Tcp,
            Some("UDP") => Protocol::Udp,
            Some("SCTP") => Protocol::Sctp,
            Some(other) => {
                return Err((
                    at(&p_path, &[key("protocol")]),
                    format!("protocol {other:?}: expected TCP, UDP or SCTP"),
                ));
            }
        };
        ports.push(Port {
            port: port.port,
            protocol,
        });
    }
    let name = match raw.name {
        Some(name) => {
            check_label_name(&name, at(path, &[key("name")]), "flow name")?;
            name
        }
        None => format!("flow-{}", index + 1),
    };
    Ok(Flow {
        name,
        from,
        to,
        ports,
    })
}

fn network(raw: RawNetwork, namespaces: &BTreeSet<String>) -> Result<Network, Invalid> {
    let path = vec![key("network")];
    let ingress_controller = match raw.ingress_controller {
        Some(ic) => Some(endpoint(ic, &at(&path, &[key("ingressController")]))?),
        None => None,
    };
    let mut allow = Vec::new();
    let mut names = BTreeSet::new();
    for (index, raw_flow) in raw.allow.into_iter().enumerate() {
        let f_path = at(&path, &[key("allow"), Seg::Index(index)]);
        let flow = flow(
            raw_flow,
            index,
            &f_path,
            namespaces,
            ingress_controller.is_some(),
        )?;
        if !names.insert(flow.name.clone()) {
            return Err((f_path, format!("two flows are named {:?}", flow.name)));
        }
        allow.push(flow);
    }
    Ok(Network {
        default_deny: raw.default_deny.unwrap_or(true),
        ingress_controller,
        allow,
    })
}

fn scope(raw: RawPolicyScope, path: &[Seg]) -> Result<PolicyScope, Invalid> {
    let ns_path = at(path, &[key("namespaces")]);
    match raw.namespaces {
        serde_json::Value::String(all) if all == "all" => {
            let excluded = match raw.excluded_namespaces {
                Some(list) => list,
                None => DEFAULT_EXCLUDED.iter().map(|s| (*s).to_owned()).collect(),
            };
            for (i, name) in excluded.iter().enumerate() {
                check_label_name(
                    name,
                    at(path, &[key("excludedNamespaces"), Seg::Index(i)]),
                    "namespace",
                )?;
            }
            Ok(PolicyScope::All { excluded })
        }
        serde_json::Value::String(other) => Err((
            ns_path,
            format!("namespaces: {other:?}: expected all or a list of namespaces"),
        )),
        other => {
            if raw.excluded_namespaces.is_some() {
                return Err((
                    at(path, &[key("excludedNamespaces")]),
                    "excludedNamespaces goes with namespaces: all".to_owned(),
                ));
            }
            let list: Vec<String> = typed(other, &ns_path)?;
            if list.is_empty() {
                return Err((
                    ns_path,
                    "an empty list applies the policy nowhere".to_owned(),
                ));
            }
            for (i, name) in list.iter().enumerate() {
                let n_path = at(&ns_path, &[Seg::Index(i)]);
                no_wildcard(name, n_path.clone(), "namespace")?;
                check_label_name(name, n_path, "namespace")?;
            }
            Ok(PolicyScope::Namespaces(list))
        }
    }
}

fn policies(raw: RawPolicies) -> Result<Policies, Invalid> {
    let path = vec![key("policies")];
    Ok(Policies {
        run_as_non_root: match raw.run_as_non_root {
            Some(s) => Some(scope(s, &at(&path, &[key("runAsNonRoot")]))?),
            None => None,
        },
        require_limits: match raw.require_limits {
            Some(s) => Some(scope(s, &at(&path, &[key("requireLimits")]))?),
            None => None,
        },
    })
}
