//! Who can do this (SPEC §8.2): the subjects of every applicable binding whose
//! role has a rule matching the request.
//!
//! Uses the rule index: only rules whose resource entry is `*`, the exact
//! `resource[/sub]`, or `*/sub` can match, so those buckets are looked up and
//! the bindings of the matching roles are read from the role -> bindings index.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::matching::{resource_rule_matches, rule_allows};
use crate::model::SubjectRef;
use crate::policy::{Grant, Policy, RoleId};
use crate::request::Request;

/// One subject that can do the request, with every path that grants it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhoCanEntry {
    pub subject: SubjectRef,
    pub via: Vec<Grant>,
}

/// A serializable path for `who-can -o json`.
#[derive(Clone, Debug, Serialize)]
pub struct ViaView {
    pub binding: String,
    pub role: String,
    /// The rule's position in its role, numbered from 1 like `rule #1` in tables.
    pub rule: usize,
}

impl Policy {
    /// Subjects that can make `request` (in `request`'s namespace), deduplicated,
    /// sorted. The implicit `Group system:masters` is not added (see
    /// [`crate::identity::MASTERS`]; callers may show it separately).
    pub fn who_can(&self, request: &Request) -> Vec<WhoCanEntry> {
        self.who_can_in(request, Some(request.namespace()))
    }

    /// Like [`Policy::who_can`] for "any namespace" (`-A`): CRB subjects plus the
    /// RoleBinding subjects of every namespace whose rules match the request.
    pub fn who_can_any_namespace(&self, request: &Request) -> Vec<WhoCanEntry> {
        self.who_can_in(request, None)
    }

    fn who_can_in(&self, request: &Request, namespace: Option<&str>) -> Vec<WhoCanEntry> {
        let mut found: BTreeMap<SubjectRef, BTreeSet<Grant>> = BTreeMap::new();
        for (role, rule) in self.matching_rules(request) {
            let bindings = &self.role_bindings[role];
            let namespaced: Vec<usize> = match namespace {
                Some("") => Vec::new(),
                Some(ns) => bindings.by_namespace.get(ns).cloned().unwrap_or_default(),
                None => bindings.by_namespace.values().flatten().copied().collect(),
            };
            for binding in bindings.cluster.iter().copied().chain(namespaced) {
                let def = self.binding(binding);
                let grant = Grant {
                    binding,
                    role,
                    rule,
                };
                for subject in &def.subjects {
                    found
                        .entry(def.subject_ref(subject))
                        .or_default()
                        .insert(grant);
                }
            }
        }
        found
            .into_iter()
            .map(|(subject, via)| WhoCanEntry {
                subject,
                via: via.into_iter().collect(),
            })
            .collect()
    }

    /// `(role, rule)` pairs of bound roles whose rule matches the request.
    fn matching_rules(&self, request: &Request) -> Vec<(RoleId, usize)> {
        let mut out: Vec<(RoleId, usize)> = Vec::new();
        match request {
            Request::Resource(attrs) => {
                let mut keys = vec!["*".to_owned(), attrs.combined_resource()];
                if !attrs.subresource.is_empty() {
                    keys.push(format!("*/{}", attrs.subresource));
                }
                for key in &keys {
                    for &(role, rule) in self.by_resource_entry.get(key).into_iter().flatten() {
                        if resource_rule_matches(&self.rules_of(role)[rule], attrs) {
                            out.push((role, rule));
                        }
                    }
                }
            }
            Request::NonResource { .. } => {
                for &(role, rule) in &self.url_rules {
                    if rule_allows(&self.rules_of(role)[rule], request) {
                        out.push((role, rule));
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Paths as display strings, for JSON output.
    pub fn via_view(&self, via: &[Grant]) -> Vec<ViaView> {
        via.iter()
            .map(|g| ViaView {
                binding: self.binding(g.binding).display(),
                role: self.role(g.role).display(),
                rule: g.rule + 1,
            })
            .collect()
    }
}
