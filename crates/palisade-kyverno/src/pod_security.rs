//! Kyverno's `validate.podSecurity` rule (`pkg/engine/handlers/validation/validate_pss.go`,
//! `pkg/pss`): the Pod Security Standards checks run on the pod of a Pod, of a
//! controller template or of a CronJob, with `exclude` entries that exempt
//! controls, optionally only for some container images.
//!
//! The checks themselves are `palisade-pss`'s (the upstream Pod Security
//! Admission checks). What this module adds is Kyverno's way of running them:
//!
//! * `version: latest` (or no version) means the newest check versions of
//!   Kyverno's PSA fork, release 1.34, not our newer `latest`;
//! * a numbered version runs **every** implementation of a check whose minimum
//!   version is not newer than it (Kyverno's `evaluatePSS` loops over all of
//!   them), so an older, stricter implementation still fails a pod that the
//!   newest one would allow (the sysctl list only ever grew);
//! * `baseline` runs the baseline checks; any other level runs every check,
//!   restricted ones included, and without PSA's "restricted check replaces
//!   baseline check" rule (Kyverno never applies it: a hostPath volume fails
//!   both `hostPathVolumes` and `restrictedVolumes`);
//! * `exclude` entries remove failures per control and per place (pod level or
//!   one container), see [`exclusion`].
//!
//! The rule's outcome: `pass` when no failure is left, `fail` with Kyverno's
//! "violates PodSecurity" message otherwise, `error` for a version that does
//! not parse or a resource kind that has no pod.

mod controls;
mod exclusion;
mod judge;
mod pod_source;
mod sites;

use crate::{Json, RuleOutcome, Status};

pub use controls::check_ids_for_control;

/// The newest policy minor of the PSA checks Kyverno runs (its fork of
/// `k8s.io/pod-security-admission`, branch release-1.34).
pub const KYVERNO_LATEST_MINOR: u32 = 34;

/// Evaluates one `validate.podSecurity` rule (`pod_security` is the rule's
/// `validate.podSecurity` object) on `resource` (the whole object).
///
/// The message is Kyverno's without the leading "Validation rule '<name>' ":
/// use [`evaluate_rule`] for the full text.
pub fn evaluate(pod_security: &Json, resource: &Json) -> RuleOutcome {
    let outcome = evaluate_rule("", pod_security, resource);
    let message = outcome
        .message
        .strip_prefix("Validation rule '' ")
        .map(str::to_owned)
        .unwrap_or(outcome.message);
    RuleOutcome::new(outcome.status, message)
}

/// [`evaluate`] with the rule's name, giving Kyverno's exact message:
/// `Validation rule '<rule>' passed.` or
/// `Validation rule '<rule>' failed. It violates PodSecurity "<level>:<version>": <checks>`.
pub fn evaluate_rule(rule_name: &str, pod_security: &Json, resource: &Json) -> RuleOutcome {
    let rule = match PodSecurityRule::parse(pod_security) {
        Ok(rule) => rule,
        Err(message) => return RuleOutcome::new(Status::Error, message),
    };
    let pod = match pod_source::pod_of(resource) {
        Ok(pod) => pod,
        Err(message) => {
            return RuleOutcome::new(
                Status::Error,
                format!("Error while getting new resource: {message}"),
            );
        }
    };
    let judge = match judge::Judge::new(&rule.level, &rule.version) {
        Ok(judge) => judge,
        Err(message) => {
            return RuleOutcome::new(
                Status::Error,
                format!("failed to parse pod security api version: {message}"),
            );
        }
    };
    let mut blamed = sites::blame(&judge, &pod);
    for exclude in &rule.exclude {
        exclusion::apply(exclude, &mut blamed, &judge, &pod);
    }
    if blamed.is_empty() {
        return RuleOutcome::new(
            Status::Pass,
            format!("Validation rule '{rule_name}' passed."),
        );
    }
    let checks: String = blamed
        .iter()
        .map(|b| {
            format!(
                "(Forbidden reason: {}, field error list: [{}])",
                b.failure.reason, b.failure.detail
            )
        })
        .collect();
    RuleOutcome::new(
        Status::Fail,
        format!(
            "Validation rule '{rule_name}' failed. It violates PodSecurity \"{}:{}\": {checks}",
            rule.level, rule.version
        ),
    )
}

/// The parsed `validate.podSecurity` object.
#[derive(Clone, Debug, Default, PartialEq)]
struct PodSecurityRule {
    /// As written (`baseline`, `restricted`, `privileged`); printed in messages.
    level: String,
    /// As written, `""` when absent (which means latest).
    version: String,
    exclude: Vec<Exclude>,
}

/// One `exclude` entry.
#[derive(Clone, Debug, Default, PartialEq)]
struct Exclude {
    control_name: String,
    /// Wildcards matched against container images; empty: a pod-level exclusion.
    images: Vec<String>,
    /// A field path such as `spec.containers[*].securityContext.capabilities.add`;
    /// empty: every field of the control.
    restricted_field: String,
    /// Wildcards every offending value must match; empty: any value.
    values: Vec<String>,
}

impl PodSecurityRule {
    fn parse(json: &Json) -> Result<PodSecurityRule, String> {
        let object = json
            .as_object()
            .ok_or("validate.podSecurity must be an object")?;
        let text = |key: &str| -> Result<String, String> {
            match object.get(key) {
                None | Some(Json::Null) => Ok(String::new()),
                Some(Json::String(s)) => Ok(s.clone()),
                Some(_) => Err(format!("validate.podSecurity.{key} must be a string")),
            }
        };
        let level = text("level")?;
        let version = text("version")?;
        let exclude = match object.get("exclude") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Array(items)) => {
                items.iter().map(Exclude::parse).collect::<Result<_, _>>()?
            }
            Some(_) => return Err("validate.podSecurity.exclude must be a list".to_owned()),
        };
        Ok(PodSecurityRule {
            level,
            version,
            exclude,
        })
    }
}

impl Exclude {
    fn parse(json: &Json) -> Result<Exclude, String> {
        let object = json
            .as_object()
            .ok_or("validate.podSecurity.exclude items must be objects")?;
        let text = |key: &str| -> Result<String, String> {
            match object.get(key) {
                None | Some(Json::Null) => Ok(String::new()),
                Some(Json::String(s)) => Ok(s.clone()),
                Some(_) => Err(format!(
                    "validate.podSecurity.exclude[].{key} must be a string"
                )),
            }
        };
        let list = |key: &str| -> Result<Vec<String>, String> {
            match object.get(key) {
                None | Some(Json::Null) => Ok(Vec::new()),
                Some(Json::Array(items)) => items
                    .iter()
                    .map(|item| {
                        item.as_str().map(str::to_owned).ok_or_else(|| {
                            format!("validate.podSecurity.exclude[].{key} must hold strings")
                        })
                    })
                    .collect(),
                Some(_) => Err(format!(
                    "validate.podSecurity.exclude[].{key} must be a list"
                )),
            }
        };
        Ok(Exclude {
            control_name: text("controlName")?,
            images: list("images")?,
            restricted_field: text("restrictedField")?,
            values: list("values")?,
        })
    }
}

#[cfg(test)]
mod tests;
