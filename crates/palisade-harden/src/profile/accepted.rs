//! A grant's `acceptedRisks`: RBAC findings the profile causes on purpose
//! (a deployer that creates pods is `rbac/wl-create-pods` by design), each
//! with the reason it is accepted. harden writes each as Palisade's own
//! suppression annotation on the grant's bindings, which is where the RBAC
//! analysis reports its risks, so `palisade scan` lists them as suppressed,
//! with the reason, instead of as findings.
//!
//! The checks make sure the annotation does what the profile says and nothing
//! more: the rule must be one the RBAC analysis reports on a binding (an
//! unknown id would be a typo that silently accepts nothing, a family prefix
//! would accept more than was named), the reason must be given, and an expiry
//! date, if any, must be readable.

use palisade_core::Rule;
use palisade_rbac::risks;
use palisade_suppress::annotation::{dotted, is_qualified_name_part, name_covers, split_value};
use palisade_suppress::expiry::parse_date;

use super::model::RawAcceptedRisk;
use super::read::{Seg, key};
use super::types::AcceptedRisk;
use super::validate::Invalid;

fn at(path: &[Seg], field: &str) -> Vec<Seg> {
    path.iter().cloned().chain([key(field)]).collect()
}

/// The RBAC rules reported on a binding: every rule of the RBAC analysis but
/// the validation of malformed objects (harden writes none) and the
/// workload-identity rule (reported on workloads, which harden does not write).
fn binding_rules() -> Vec<&'static Rule> {
    risks::rules()
        .into_iter()
        .filter(|rule| {
            !palisade_rbac::validate::RULES
                .iter()
                .any(|v| v.id == rule.id)
                && rule.id != risks::workload_sa::WL_PRIVILEGED_SA.id
        })
        .collect()
}

pub fn accepted_risk(raw: RawAcceptedRisk, path: &[Seg]) -> Result<AcceptedRisk, Invalid> {
    let rule_path = at(path, "rule");
    let id = raw.rule.as_str();
    let all = risks::rules();
    if !all.iter().any(|rule| rule.id == id) {
        return Err((
            rule_path,
            format!(
                "acceptedRisks: {id:?} is not a rule of the RBAC analysis; name one rule id \
                 exactly as `palisade rules` lists it (such as rbac/wl-create-pods)"
            ),
        ));
    }
    if !binding_rules().iter().any(|rule| rule.id == id) {
        return Err((
            rule_path,
            format!(
                "acceptedRisks: {id:?} is not reported on a grant's binding (it is about \
                 objects harden does not write), so there is nothing to accept"
            ),
        ));
    }
    // The annotation covers every rule whose id continues the named one at a
    // segment boundary: it must cover the named rule alone.
    let name = dotted(id);
    let covered = all
        .iter()
        .filter(|rule| name_covers(&name, rule.id))
        .count();
    if covered != 1 || !is_qualified_name_part(&name) {
        return Err((
            rule_path,
            format!(
                "acceptedRisks: {id:?} cannot be written as one suppression annotation \
                 covering that rule alone"
            ),
        ));
    }
    let reason_path = at(path, "reason");
    let Some(reason) = raw.reason else {
        return Err((
            path.to_vec(),
            format!("acceptedRisks: {id:?} needs a reason: why the grant needs this permission"),
        ));
    };
    if reason.chars().any(crate::yaml::breaks_or_controls) {
        return Err((
            reason_path,
            "acceptedRisks: a reason is one line of text".to_owned(),
        ));
    }
    let (text, expires) = split_value(&reason);
    if text.is_empty() {
        return Err((
            reason_path,
            format!("acceptedRisks: {id:?} needs a reason: why the grant needs this permission"),
        ));
    }
    if let Some(date) = expires {
        parse_date(date).map_err(|message| (reason_path, format!("acceptedRisks: {message}")))?;
    }
    Ok(AcceptedRisk {
        rule: id.to_owned(),
        reason: reason.trim().to_owned(),
    })
}
