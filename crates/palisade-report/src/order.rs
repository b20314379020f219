//! The one order every format shows findings in.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;

use palisade_core::{Finding, ObjectRef};

/// Findings are grouped by the file and object they are about.
type Group = (Option<Arc<str>>, Option<ObjectRef>);

/// Sorts findings by file name (findings without a file last), then by object in
/// the order the objects first appear, then within an object: those the cluster
/// would reject first, then by severity (highest first), line, column and rule.
/// The sort is total, so the output does not depend on the order analyzers ran in.
pub fn order(findings: &mut [Finding]) {
    let file = |f: &Finding| f.location.as_ref().map(|l| l.file.clone());
    let mut first_seen: HashMap<Group, (u32, u32)> = HashMap::new();
    for finding in findings.iter() {
        let at = finding.line_column().unwrap_or_default();
        first_seen
            .entry((file(finding), finding.object.clone()))
            .and_modify(|seen| *seen = (*seen).min(at))
            .or_insert(at);
    }
    findings.sort_by_cached_key(|f| {
        let group = first_seen
            .get(&(file(f), f.object.clone()))
            .copied()
            .unwrap_or_default();
        (
            f.location.is_none(),
            file(f),
            group,
            f.object.clone(),
            f.enforcement.is_none(),
            Reverse(f.severity),
            f.line_column(),
            f.rule.clone(),
            f.message.clone(),
        )
    });
}
