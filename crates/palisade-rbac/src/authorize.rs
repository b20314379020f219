//! The authorizer: is this request allowed by RBAC, and why (SPEC §5, §6)?
//! Also the rules a user holds in a namespace (`can-i --list`, SPEC §8.1).
//!
//! Candidate bindings come from the subject index (the user's name and each of
//! its groups), so a decision costs the bindings that name the user, not all of them.

use serde::Serialize;

use crate::identity::UserInfo;
use crate::matching::rule_allows;
use crate::model::{BindingKind, PolicyRule};
use crate::policy::{BindingId, Grant, Policy};
use crate::request::Request;

/// Why a request was allowed or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The user is in `system:masters`, authorized before RBAC (SPEC §5.2).
    PrivilegedGroup,
    /// This binding -> role -> rule allows the request.
    Rule(Grant),
    /// No rule reachable by the user matches: "not allowed by RBAC" (other
    /// authorizers of a real cluster might still allow it).
    NoMatch,
}

/// An authorization decision with its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
}

/// A rule the user holds, with the path that grants it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldRule<'a> {
    pub grant: Grant,
    pub rule: &'a PolicyRule,
}

/// A rule in serializable form for `can-i --list -o json`.
#[derive(Clone, Debug, Serialize)]
pub struct HeldRuleView {
    #[serde(flatten)]
    pub rule: PolicyRule,
    pub binding: String,
    pub role: String,
    /// The rule's position in its role, numbered from 1 as `describe` and the
    /// tables number it.
    pub rule_index: usize,
}

impl Policy {
    /// Decides a request for a user, naming the first grant that allows it
    /// (ClusterRoleBindings before RoleBindings, then input order, as upstream visits them).
    pub fn authorize(&self, user: &UserInfo, request: &Request) -> Decision {
        if user.is_privileged() {
            return Decision {
                allowed: true,
                reason: Reason::PrivilegedGroup,
            };
        }
        let namespace = request.namespace();
        for binding in self.candidate_bindings(user, namespace) {
            let Some(role) = self.resolved_role(binding) else {
                continue;
            };
            if let Some(index) = self
                .rules_of(role)
                .iter()
                .position(|r| rule_allows(r, request))
            {
                return Decision {
                    allowed: true,
                    reason: Reason::Rule(Grant {
                        binding,
                        role,
                        rule: index,
                    }),
                };
            }
        }
        Decision {
            allowed: false,
            reason: Reason::NoMatch,
        }
    }

    /// `authorize(..).allowed`.
    pub fn can(&self, user: &UserInfo, request: &Request) -> bool {
        self.authorize(user, request).allowed
    }

    /// Every rule the user holds for requests in `namespace` (SPEC §8.1):
    /// ClusterRoleBinding rules, then (when `namespace` is not empty) RoleBinding
    /// rules of that namespace. `system:masters` is not expanded here: it is
    /// authorized outside RBAC.
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> Vec<HeldRule<'_>> {
        let mut out = Vec::new();
        for binding in self.candidate_bindings(user, namespace) {
            let Some(role) = self.resolved_role(binding) else {
                continue;
            };
            for (index, rule) in self.rules_of(role).iter().enumerate() {
                out.push(HeldRule {
                    grant: Grant {
                        binding,
                        role,
                        rule: index,
                    },
                    rule,
                });
            }
        }
        out
    }

    /// [`Policy::rules_for`] as owned, serializable views.
    pub fn rules_for_view(&self, user: &UserInfo, namespace: &str) -> Vec<HeldRuleView> {
        self.rules_for(user, namespace)
            .into_iter()
            .map(|held| HeldRuleView {
                rule: held.rule.clone(),
                binding: self.binding(held.grant.binding).display(),
                role: self.role(held.grant.role).display(),
                rule_index: held.grant.rule + 1,
            })
            .collect()
    }

    /// The bindings that apply to this user in `namespace`, each once:
    /// ClusterRoleBindings first, then RoleBindings, each group in input order.
    pub(crate) fn candidate_bindings(&self, user: &UserInfo, namespace: &str) -> Vec<BindingId> {
        let mut ids: Vec<BindingId> = Vec::new();
        let lists = std::iter::once(self.by_username.get(&user.name))
            .chain(user.groups.iter().map(|g| self.by_group.get(g)))
            .flatten();
        for list in lists {
            ids.extend(
                list.iter()
                    .copied()
                    .filter(|&b| self.applies_in(b, namespace)),
            );
        }
        ids.sort_by_key(|&b| (self.binding(b).kind == BindingKind::RoleBinding, b));
        ids.dedup();
        ids
    }
}
