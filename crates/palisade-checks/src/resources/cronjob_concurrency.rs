//! `resources/cronjob-concurrency-allowed` (off by default).

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: overlapping runs are harmless for idempotent jobs, and
    /// `Allow` is the API default.
    ///
    /// ## What it flags
    /// A CronJob whose `concurrencyPolicy` is `Allow`, written or by default.
    ///
    /// ## Why it matters
    /// When a run takes longer than the interval, the next one starts beside it;
    /// runs pile up, compete for the same data and can exhaust the namespace's
    /// quota.
    ///
    /// ## Example
    /// ```yaml
    /// kind: CronJob
    /// spec:
    ///   schedule: "*/5 * * * *"
    /// ```
    ///
    /// ## How to fix
    /// Set `concurrencyPolicy: Forbid` (skip a run while one is active) or
    /// `Replace`.
    id: "resources/cronjob-concurrency-allowed",
    title: "a CronJob allows concurrent runs",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for cronjob in context.inventory.of_kind("CronJob").filter(|o| o.group() == "batch") {
        let field = cronjob.root().path(&["spec", "concurrencyPolicy"]).filter(|n| !n.is_null());
        let how = match field.map(Node::as_str) {
            None => "defaults to",
            Some(Some("Allow")) => "is",
            Some(_) => continue,
        };
        out.push(
            finding(&RULE, cronjob, field, format!("{}: concurrencyPolicy {how} Allow", describe_object(cronjob)))
                .with_remediation("Set concurrencyPolicy: Forbid (or Replace)."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn allow_written_or_defaulted() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: a}\nspec: {schedule: \"*/5 * * * *\"}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: b}\nspec: {concurrencyPolicy: Forbid}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {concurrencyPolicy: Allow}\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["CronJob a: concurrencyPolicy defaults to Allow", "CronJob c: concurrencyPolicy is Allow"]);
    }
}
