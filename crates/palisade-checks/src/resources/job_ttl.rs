//! `resources/job-ttl-missing` (off by default).

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: finished Jobs are harmless beyond clutter, and some
    /// tools (Helm hooks, Argo CD) expect to find them.
    ///
    /// ## What it flags
    /// A Job written as such (not one a CronJob creates: CronJobs keep only
    /// their history limits) without `ttlSecondsAfterFinished` and not owned by
    /// anything.
    ///
    /// ## Why it matters
    /// Finished Jobs and their pods stay until someone deletes them: they fill
    /// `kubectl get pods`, hold their logs and keep counting against quotas on
    /// object counts.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Job
    /// spec:
    ///   template:
    ///     spec: {restartPolicy: Never, containers: [{name: migrate, image: registry.example/migrate:1}]}
    /// ```
    ///
    /// ## How to fix
    /// Set `ttlSecondsAfterFinished` (for example `86400`) so the Job is
    /// deleted a day after it finishes.
    id: "resources/job-ttl-missing",
    title: "a Job has no ttlSecondsAfterFinished",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for job in context.inventory.of_kind("Job").filter(|o| o.group() == "batch") {
        let owned = job
            .root()
            .path(&["metadata", "ownerReferences"])
            .and_then(Node::as_seq)
            .is_some_and(|o| !o.is_empty());
        if owned || job.root().path(&["spec", "ttlSecondsAfterFinished"]).is_some_and(|n| !n.is_null()) {
            continue;
        }
        out.push(
            finding(&RULE, job, job.root().get("spec"), format!("{}: no ttlSecondsAfterFinished", describe_object(job)))
                .with_remediation("Set spec.ttlSecondsAfterFinished (for example 86400)."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn standalone_jobs_without_ttl() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: x:1}]}}}\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: b}\nspec: {ttlSecondsAfterFinished: 60}\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Job a: no ttlSecondsAfterFinished"]);
    }
}
