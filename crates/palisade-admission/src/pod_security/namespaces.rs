//! Namespace requests: label validation, and the dry run of existing pods when an
//! update raises the enforce level, so that whoever labels a namespace learns
//! which running pods the new level would reject.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use palisade_core::Node;
use palisade_pss::namespace_policy::{LabelError, Policy, policy_to_evaluate};
use palisade_pss::{Level, LevelVersion, evaluate, reasons_message};

use super::{PodSecurity, decode_object};
use crate::namespaces::string_map;
use crate::policy::{Context, PolicyError, Verdict};
use crate::review::{Operation, Request};
use crate::status::Status;

pub(super) fn validate(
    pss: &PodSecurity,
    request: &Request,
    context: &Context<'_>,
) -> Result<Verdict, PolicyError> {
    if !request.sub_resource.is_empty() {
        return Ok(Verdict::allow());
    }
    let namespace = match decode_object(
        request.object.as_ref(),
        "Namespace",
        "failed to decode object",
        "failed to decode namespace",
    ) {
        Ok(namespace) => namespace,
        Err(verdict) => return Ok(*verdict),
    };
    let labels = string_map(namespace.path(&["metadata", "labels"]));
    let name = namespace
        .path(&["metadata", "name"])
        .and_then(Node::as_str)
        .unwrap_or("");
    let (policy, errors) = policy_to_evaluate(&labels, pss.config.defaults);
    let exempt = pss.config.exemptions.namespace(&request.namespace);
    match request.operation {
        Operation::Create => {
            // Labels are validated even for exempt namespaces.
            if !errors.is_empty() {
                return Ok(invalid(request, &errors));
            }
            Ok(exempt_warning(pss, exempt, name, &policy, &labels))
        }
        Operation::Update => {
            // Upstream's texts, double spaces included.
            let old = match decode_object(
                request.old_object.as_ref(),
                "Namespace",
                "failed to decode  old object",
                "failed to decode  old namespace",
            ) {
                Ok(old) => old,
                Err(verdict) => return Ok(*verdict),
            };
            let old_labels = string_map(old.path(&["metadata", "labels"]));
            let (old_policy, old_errors) = policy_to_evaluate(&old_labels, pss.config.defaults);
            // Errors block an update only when they are new: a namespace that
            // already had a bad label can still be edited otherwise.
            if !errors.is_empty() && (old_errors.is_empty() || errors != old_errors) {
                return Ok(invalid(request, &errors));
            }
            let (new, old) = (policy.enforce, old_policy.enforce);
            if new == old
                || new.level == Level::Privileged
                || (new.version == old.version && new.level <= old.level)
            {
                return Ok(Verdict::allow());
            }
            if exempt {
                return Ok(exempt_warning(pss, true, name, &policy, &labels));
            }
            let Some(pods) = context.existing_pods else {
                return Err(PolicyError::NeedsExistingPods(name.to_owned()));
            };
            let warnings = match pods {
                Ok(pods) => dry_run(pss, context, name, new, pods),
                Err(_) => vec![
                    "failed to list pods while checking new PodSecurity enforce level".to_owned(),
                ],
            };
            Ok(Verdict {
                warnings,
                ..Verdict::allow()
            })
        }
        _ => Ok(Verdict::allow()),
    }
}

/// 422 naming every invalid label.
fn invalid(request: &Request, errors: &[LabelError]) -> Verdict {
    let fields: Vec<(String, String)> =
        errors.iter().map(|e| (e.field.clone(), e.body())).collect();
    Verdict::deny(Status::invalid(
        &request.kind.group,
        &request.kind.kind,
        &request.name,
        &fields,
    ))
}

/// Allowed; for an exempt namespace whose labels ask for something beyond the
/// defaults, with a warning that those labels have no effect.
fn exempt_warning(
    pss: &PodSecurity,
    exempt: bool,
    name: &str,
    policy: &Policy,
    labels: &crate::namespaces::Labels,
) -> Verdict {
    let mut verdict = Verdict::allow();
    if !exempt || policy.fully_privileged() || policy.equivalent(&pss.config.defaults) {
        return verdict;
    }
    let set =
        |level: &str, version: &str| labels.contains_key(level) || labels.contains_key(version);
    use palisade_pss::namespace_policy as labels_of;
    let modes = [
        (
            "enforce",
            policy.enforce,
            set(labels_of::ENFORCE_LABEL, labels_of::ENFORCE_VERSION_LABEL),
        ),
        (
            "audit",
            policy.audit,
            set(labels_of::AUDIT_LABEL, labels_of::AUDIT_VERSION_LABEL),
        ),
        (
            "warn",
            policy.warn,
            set(labels_of::WARN_LABEL, labels_of::WARN_VERSION_LABEL),
        ),
    ];
    let shown: Vec<String> = modes
        .iter()
        .filter(|(_, lv, labelled)| *labelled && lv.level != Level::Privileged)
        .map(|(mode, lv, _)| format!("{mode}={lv}"))
        .collect();
    verdict.warnings.push(format!(
        "namespace {} is exempt from Pod Security, and the policy ({}) will be ignored",
        crate::status::go_string(name),
        shown.join(", ")
    ));
    verdict
}

/// Warnings for the existing pods that `enforce` would reject, grouped by reason
/// text, within the pod count and time budget.
fn dry_run(
    pss: &PodSecurity,
    context: &Context<'_>,
    namespace: &str,
    enforce: LevelVersion,
    pods: &[std::sync::Arc<Node>],
) -> Vec<String> {
    let mut budget = pss.pod_check_budget;
    if let Some(deadline) = context.deadline {
        budget = budget.min(deadline.saturating_duration_since(Instant::now()) / 2);
    }
    let stop_at = Instant::now() + budget.max(Duration::from_millis(1));
    let ordered = prioritise(pss, pods);
    let total = ordered.len();
    let mut checked = total.min(pss.max_pods_to_check);
    // reason text -> (smallest pod name, pod count), in first-seen order
    let mut groups: Vec<String> = Vec::new();
    let mut by_reason: HashMap<String, (String, usize)> = HashMap::new();
    for (i, pod) in ordered.iter().take(pss.max_pods_to_check).enumerate() {
        let failures = evaluate(pod.get("metadata"), pod.get("spec").unwrap_or(pod), enforce);
        if !failures.is_empty() {
            let reasons = reasons_message(&failures);
            let name = pod
                .path(&["metadata", "name"])
                .and_then(Node::as_str)
                .unwrap_or("");
            match by_reason.get_mut(&reasons) {
                Some((smallest, count)) => {
                    if name < smallest.as_str() {
                        *smallest = name.to_owned();
                    }
                    *count += 1;
                }
                None => {
                    groups.push(reasons.clone());
                    by_reason.insert(reasons, (name.to_owned(), 1));
                }
            }
        }
        if Instant::now() >= stop_at {
            checked = i + 1;
            break;
        }
    }
    let mut warnings = Vec::new();
    if checked < total {
        warnings.push(format!(
            "new PodSecurity enforce level only checked against the first {checked} of {total} existing pods"
        ));
    }
    if !groups.is_empty() {
        warnings.push(format!(
            "existing pods in namespace {} violate the new PodSecurity enforce level {}",
            crate::status::go_string(namespace),
            crate::status::go_string(&enforce.to_string())
        ));
    }
    let mut lines: Vec<String> = groups
        .into_iter()
        .map(|reasons| {
            let (name, count) = &by_reason[&reasons];
            match count {
                1 => format!("{name}: {reasons}"),
                2 => format!("{name} (and 1 other pod): {reasons}"),
                n => format!("{name} (and {} other pods): {reasons}", n - 1),
            }
        })
        .collect();
    lines.sort();
    warnings.extend(lines);
    warnings
}

/// Pods without a controller and the first pod of each controller, in list order,
/// then the other replicas: one bad Deployment should not use the whole budget.
/// Pods of an exempt runtime class are left out.
fn prioritise<'a>(pss: &PodSecurity, pods: &'a [std::sync::Arc<Node>]) -> Vec<&'a Node> {
    let mut first = Vec::with_capacity(pods.len());
    let mut replicas = Vec::new();
    let mut controllers: Vec<&str> = Vec::new();
    for pod in pods {
        let runtime_class = pod
            .path(&["spec", "runtimeClassName"])
            .and_then(Node::as_str)
            .unwrap_or("");
        if pss.config.exemptions.runtime_class(runtime_class) {
            continue;
        }
        match controller_uid(pod) {
            None => first.push(pod.as_ref()),
            Some(uid) if controllers.contains(&uid) => replicas.push(pod.as_ref()),
            Some(uid) => {
                controllers.push(uid);
                first.push(pod.as_ref());
            }
        }
    }
    first.extend(replicas);
    first
}

/// The uid of the owner reference marked `controller: true`.
fn controller_uid(pod: &Node) -> Option<&str> {
    pod.path(&["metadata", "ownerReferences"])?
        .items()
        .find(|owner| owner.get("controller").and_then(Node::as_bool) == Some(true))
        .map(|owner| owner.get("uid").and_then(Node::as_str).unwrap_or(""))
}
