//! `resources/cronjob-starting-deadline-missing` (off by default).

use palisade_core::{Finding, Rule, Severity};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: without a deadline the controller still starts a missed
    /// run once it notices; the problem only shows after long controller
    /// outages or suspensions.
    ///
    /// ## What it flags
    /// A CronJob without `startingDeadlineSeconds`.
    ///
    /// ## Why it matters
    /// The controller counts the runs missed since the last one; after more than
    /// 100 missed schedules (a long suspension, a controller outage) it stops
    /// scheduling the CronJob and logs an error. A deadline bounds the window in
    /// which missed runs are counted and caught up.
    ///
    /// ## Example
    /// ```yaml
    /// kind: CronJob
    /// spec:
    ///   schedule: "* * * * *"
    /// ```
    ///
    /// ## How to fix
    /// Set `startingDeadlineSeconds` (for example `200`): a run that cannot
    /// start within it is skipped.
    id: "resources/cronjob-starting-deadline-missing",
    title: "a CronJob has no startingDeadlineSeconds",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for cronjob in context.inventory.of_kind("CronJob").filter(|o| o.group() == "batch") {
        if cronjob.root().path(&["spec", "startingDeadlineSeconds"]).is_some_and(|n| !n.is_null()) {
            continue;
        }
        out.push(
            finding(&RULE, cronjob, cronjob.root().get("spec"), format!("{}: no startingDeadlineSeconds", describe_object(cronjob)))
                .with_remediation("Set spec.startingDeadlineSeconds (for example 200)."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn missing_deadline() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: a}\nspec: {schedule: \"* * * * *\"}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: b}\nspec: {schedule: \"* * * * *\", startingDeadlineSeconds: 200}\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["CronJob a: no startingDeadlineSeconds"]);
    }
}
