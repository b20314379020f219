//! ClusterRole aggregation (SPEC §7): the rules the aggregation controller would
//! write into every ClusterRole that has an `aggregationRule`.
//!
//! Computed rules replace the written ones. The result is the least fixpoint,
//! starting from non-aggregated roles' own rules and empty sets for aggregated
//! roles, so chains (`view` ⊂ `edit` ⊂ `admin`) and cycles both settle.

use std::collections::{HashMap, HashSet};

use crate::model::{PolicyRule, RoleDef, RoleKind};

/// The computed rules of each role in `roles`, by index: `Some(rules)` for
/// aggregated ClusterRoles, `None` for every other role (its written rules apply).
pub fn aggregate(roles: &[RoleDef]) -> Vec<Option<Vec<PolicyRule>>> {
    let mut computed: Vec<Option<Vec<PolicyRule>>> = roles
        .iter()
        .map(|r| (r.kind == RoleKind::ClusterRole && r.is_aggregated()).then(Vec::new))
        .collect();
    // ClusterRoles sorted by name: the controller lists selected roles by name.
    let mut cluster_roles: Vec<usize> = (0..roles.len())
        .filter(|&i| roles[i].kind == RoleKind::ClusterRole)
        .collect();
    cluster_roles.sort_by(|&a, &b| roles[a].name.cmp(&roles[b].name));
    let aggregated: Vec<usize> = cluster_roles
        .iter()
        .copied()
        .filter(|&i| computed[i].is_some())
        .collect();
    if aggregated.is_empty() {
        return computed;
    }
    // Which roles each aggregated role selects, in controller order (selector by
    // selector, each by name, itself skipped). Selection depends only on labels.
    let selections: Vec<Vec<usize>> = aggregated
        .iter()
        .map(|&a| {
            let mut out = Vec::new();
            for selector in roles[a].aggregation.iter().flatten() {
                for &c in &cluster_roles {
                    if c != a && selector.matches(&roles[c].labels) {
                        out.push(c);
                    }
                }
            }
            out
        })
        .collect();
    // Rules are interned so the fixpoint moves integers, not rule copies (long
    // chains over thousands of roles would otherwise clone millions of strings).
    let mut interned: Vec<&PolicyRule> = Vec::new();
    let mut ids: HashMap<&PolicyRule, usize> = HashMap::new();
    let mut own: Vec<Vec<usize>> = Vec::with_capacity(roles.len());
    for role in roles {
        let list = role
            .rules
            .iter()
            .map(|rule| {
                *ids.entry(rule).or_insert_with(|| {
                    interned.push(rule);
                    interned.len() - 1
                })
            })
            .collect();
        own.push(list);
    }
    let mut sets: Vec<Option<Vec<usize>>> = computed
        .iter()
        .map(|c| c.as_ref().map(|_| Vec::new()))
        .collect();
    // Each round can only add rules (sets grow monotonically), and a rule needs at
    // most one round per link of a chain, so `aggregated.len() + 1` rounds reach the
    // fixpoint; the bound keeps hostile input from looping.
    for _ in 0..=aggregated.len() {
        let mut changed = false;
        for (slot, &a) in aggregated.iter().enumerate() {
            let mut seen: HashSet<usize> = HashSet::new();
            let mut next: Vec<usize> = Vec::new();
            for &c in &selections[slot] {
                let rules = sets[c].as_ref().unwrap_or(&own[c]);
                for &rule in rules {
                    // Deep equality of rules is id equality after interning.
                    if seen.insert(rule) {
                        next.push(rule);
                    }
                }
            }
            if sets[a].as_ref() != Some(&next) {
                sets[a] = Some(next);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (slot, set) in computed.iter_mut().zip(sets) {
        if let (Some(rules), Some(set)) = (slot.as_mut(), set) {
            *rules = set.into_iter().map(|id| interned[id].clone()).collect();
        }
    }
    computed
}
