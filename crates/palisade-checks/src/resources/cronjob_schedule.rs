//! `resources/cronjob-invalid-schedule`: a schedule the API server refuses.

use palisade_core::{Finding, Rule, Severity};

use super::cron;
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A CronJob whose `spec.schedule` the API server refuses: not five cron
    /// fields (minute, hour, day of month, month, day of week, with `*`, `?`,
    /// ranges, steps, lists and month or day names) and not a descriptor
    /// (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`,
    /// `@hourly`, `@every <duration>`), or one with `TZ=`/`CRON_TZ=` in it.
    ///
    /// ## Why it matters
    /// The CronJob is refused when applied; with a pipeline that ignores the
    /// error, the job silently never runs. A day of week `7` (Sunday in some
    /// crons) and seconds fields are the common slips.
    ///
    /// ## Example
    /// ```yaml
    /// kind: CronJob
    /// spec:
    ///   schedule: "0 3 * * 7"
    /// ```
    ///
    /// ## How to fix
    /// Write five fields in the ranges above (Sunday is `0` or `SUN`), and
    /// put a time zone in `spec.timeZone`.
    id: "resources/cronjob-invalid-schedule",
    title: "a CronJob's schedule is not valid",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for cronjob in context.inventory.of_kind("CronJob").filter(|o| o.group() == "batch") {
        let Some(field) = cronjob.root().path(&["spec", "schedule"]) else {
            continue;
        };
        let Some(schedule) = field.as_str() else {
            continue;
        };
        if let Err(why) = cron::validate(schedule) {
            out.push(
                finding(&RULE, cronjob, Some(field), format!("{}: schedule {schedule:?} is not valid: {why}", describe_object(cronjob)))
                    .with_remediation("Write five cron fields (minute hour day-of-month month day-of-week; Sunday is 0) or a descriptor like @daily; put the time zone in spec.timeZone."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_doc_example_is_refused_and_a_descriptor_is_not() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: weekly, namespace: ops}\nspec:\n  schedule: \"0 3 * * 7\"\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: daily, namespace: ops}\nspec:\n  schedule: \"@daily\"\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [r#"CronJob ops/weekly: schedule "0 3 * * 7" is not valid: day of week "7": 7 is above the maximum 6"#]
        );
        assert_eq!(findings[0].line_column(), Some((5, 13)));
    }
}
