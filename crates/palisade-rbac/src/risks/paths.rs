//! Escalation paths (RBAC-PATH): for each subject, the most powerful identity
//! it can become through a chain of "can become" links, with every link's
//! granting path.
//!
//! Links: creating pods or workload controllers in a namespace runs code as any
//! ServiceAccount there; `create serviceaccounts/token` mints its token;
//! `impersonate serviceaccounts` acts as it; `impersonate users/groups` limited
//! by resourceNames acts as the named identities (unrestricted impersonation is
//! already critical on its own). Only identities that hold grants are targets.
//! A ServiceAccount also holds its implicit groups' grants, which the subject
//! that becomes it may not have: `system:serviceaccounts:<ns>` and
//! `system:serviceaccounts` count as members of their namespace's account set
//! (every namespace's, for the latter), so running a pod as any account of
//! `build` reaches what `system:serviceaccounts:build` is bound to, even when no
//! account of `build` has a binding of its own.
//!
//! Scale: "every ServiceAccount of namespace N" (or of the cluster) is one
//! target set, not thousands of edges, and the best reachable power is computed
//! by `path_depth` rounds of relaxation over those links. So the work is
//! O(depth × (links + accounts)) for the whole policy, and each subject gets at
//! most one finding: its most powerful reachable identity, by the shortest chain.

use std::collections::{BTreeMap, HashMap};

use palisade_core::{Finding, Severity};

use super::catalogue::RiskRule;
use super::probes::Cap;
use super::{Analysis, ScopeCaps, ScopeKey};
use crate::model::{BindingKind, SubjectKind, SubjectRef};
use crate::policy::Grant;

/// `RBAC-PATH`.
pub static PATH_ESCALATION: RiskRule = RiskRule {
    catalogue_id: "RBAC-PATH",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can become a more powerful identity: by running a pod as a
        /// ServiceAccount, minting its token, or impersonating it.
        ///
        /// ## Why it matters
        /// The subject can become another identity (by running pods as a
        /// ServiceAccount, minting its token, or impersonating it) and so holds that
        /// identity's permissions.
        ///
        /// ## Example
        /// ```yaml
        /// User alice can create pods in shop; ServiceAccount shop/deployer is bound to cluster-admin:
        /// alice -> create pods -> run as shop/deployer -> cluster-admin.
        /// ```
        ///
        /// ## How to fix
        /// Break the first link: remove the workload, token or impersonation grant, or
        /// move the powerful identity elsewhere.
        id: "rbac/path-escalation",
        title: "escalation path to a more powerful identity",
        severity: Severity::High,
        severity_varies: "the severity of the most powerful permission the chain reaches",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// The group every ServiceAccount is in.
const ALL_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
/// The group of a namespace's ServiceAccounts, followed by the namespace.
const ACCOUNTS_GROUP_PREFIX: &str = "system:serviceaccounts:";

/// Who a link reaches.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// Every ServiceAccount (with grants) of one namespace, or of all (`None`).
    Accounts(Option<String>),
    /// One identity.
    One(usize),
}

/// One "can become" link of a subject.
#[derive(Clone, Debug)]
pub(crate) struct Link {
    how: &'static str,
    scope: ScopeKey,
    grant: Grant,
    target: Target,
}

/// Node numbering and target sets.
pub(crate) struct Graph {
    nodes: Vec<SubjectRef>,
    index: HashMap<SubjectRef, usize>,
    accounts_by_namespace: BTreeMap<String, Vec<usize>>,
    /// The group `system:serviceaccounts`, which every account holds.
    all_accounts_group: Option<usize>,
    links: Vec<Vec<Link>>,
}

impl Graph {
    pub(crate) fn new(subjects: impl Iterator<Item = SubjectRef>) -> Graph {
        let nodes: Vec<SubjectRef> = subjects.collect();
        let index: HashMap<SubjectRef, usize> = nodes
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, s)| (s, i))
            .collect();
        let mut accounts_by_namespace: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut all_accounts_group = None;
        for (i, s) in nodes.iter().enumerate() {
            match (&s.kind, &s.namespace) {
                (SubjectKind::ServiceAccount, Some(ns)) => {
                    accounts_by_namespace.entry(ns.clone()).or_default().push(i);
                }
                (SubjectKind::Group, _) if s.name == ALL_ACCOUNTS_GROUP => {
                    all_accounts_group = Some(i);
                }
                (SubjectKind::Group, _) => {
                    let namespace = s.name.strip_prefix(ACCOUNTS_GROUP_PREFIX);
                    if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
                        accounts_by_namespace
                            .entry(ns.to_owned())
                            .or_default()
                            .push(i);
                    }
                }
                _ => {}
            }
        }
        if let Some(group) = all_accounts_group {
            for members in accounts_by_namespace.values_mut() {
                members.push(group);
            }
        }
        let links = vec![Vec::new(); nodes.len()];
        Graph {
            nodes,
            index,
            accounts_by_namespace,
            all_accounts_group,
            links,
        }
    }

    /// Records the links a subject's capabilities in one scope give it.
    pub(crate) fn add_links(
        &mut self,
        analysis: &Analysis<'_>,
        subject: &SubjectRef,
        scope: &ScopeKey,
        caps: &ScopeCaps,
    ) {
        let Some(&from) = self.index.get(subject) else {
            return;
        };
        let mut out = Vec::new();
        // In a namespace, grants that come from ClusterRoleBindings are already
        // links of the cluster scope.
        let from_here = |grant: &Grant| {
            scope.is_none()
                || analysis.policy.binding(grant.binding).kind == BindingKind::RoleBinding
        };
        let sa_links = [
            (Cap::CreatePods, "can create pods that run as"),
            (Cap::WriteControllers, "can create workloads that run as"),
            (Cap::TokenRequest, "can mint a token for"),
            (Cap::ImpersonateServiceAccounts, "can impersonate"),
        ];
        for (cap, how) in sa_links {
            let Some(hit) = caps.caps[cap as usize].filter(|h| from_here(&h.grant)) else {
                continue;
            };
            if !hit.restricted {
                out.push(Link {
                    how,
                    scope: scope.clone(),
                    grant: hit.grant,
                    target: Target::Accounts(scope.clone()),
                });
                continue;
            }
            // Pods and workloads need an unrestricted create (a create has no name).
            if matches!(cap, Cap::CreatePods | Cap::WriteControllers) {
                continue;
            }
            for name in &analysis.policy.rule(&hit.grant).resource_names {
                let namespaces: Vec<&String> = match scope {
                    Some(ns) => vec![ns],
                    None => self.accounts_by_namespace.keys().collect(),
                };
                for ns in namespaces {
                    if let Some(&to) = self.index.get(&SubjectRef::service_account(ns, name)) {
                        out.push(Link {
                            how,
                            scope: scope.clone(),
                            grant: hit.grant,
                            target: Target::One(to),
                        });
                    }
                }
            }
        }
        if scope.is_none() {
            for (cap, make) in [
                (
                    Cap::ImpersonateUsers,
                    SubjectRef::user as fn(&str) -> SubjectRef,
                ),
                (Cap::ImpersonateGroups, SubjectRef::group),
            ] {
                let Some(hit) = caps.caps[cap as usize].filter(|h| h.restricted) else {
                    continue;
                };
                for name in &analysis.policy.rule(&hit.grant).resource_names {
                    if let Some(&to) = self.index.get(&make(name)) {
                        out.push(Link {
                            how: "can impersonate",
                            scope: None,
                            grant: hit.grant,
                            target: Target::One(to),
                        });
                    }
                }
            }
        }
        self.links[from].extend(out);
    }
}

/// The best a node can reach within k links: power, and how (link, member).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Best {
    power: Severity,
    /// Chain length to the identity holding `power`.
    length: usize,
    link: usize,
    member: usize,
}

fn better(candidate: &Best, current: Option<&Best>) -> bool {
    match current {
        None => true,
        Some(c) => {
            candidate.power > c.power || (candidate.power == c.power && candidate.length < c.length)
        }
    }
}

pub(crate) fn path_findings(analysis: &Analysis<'_>, graph: &Graph, out: &mut Vec<Finding>) {
    let n = graph.nodes.len();
    let power: Vec<Option<Severity>> = graph
        .nodes
        .iter()
        .map(|s| analysis.max_severity(s))
        .collect();
    let depth = analysis.options.path_depth.max(1);
    // rounds[k][node]: best reachable within k+1 links.
    let mut rounds: Vec<Vec<Option<Best>>> = Vec::with_capacity(depth);
    for k in 0..depth {
        let previous = k.checked_sub(1).map(|p| &rounds[p]);
        // What reaching a member is worth: its own power, or what it reaches further.
        let value = |member: usize| -> Option<(Severity, usize)> {
            let own = power[member].map(|p| (p, 1));
            let further = previous
                .and_then(|r: &Vec<Option<Best>>| r[member])
                .map(|b| (b.power, b.length + 1));
            match (own, further) {
                (Some(a), Some(b)) if b.0 > a.0 => Some(b),
                (Some(a), _) => Some(a),
                (None, b) => b,
            }
        };
        // Best member of each account set, computed once per round.
        let mut set_best: HashMap<Option<&str>, Option<(Severity, usize, usize)>> = HashMap::new();
        let mut all_best: Option<(Severity, usize, usize)> = None;
        for (ns, members) in &graph.accounts_by_namespace {
            let mut best: Option<(Severity, usize, usize)> = None;
            for &m in members {
                if let Some((p, len)) = value(m)
                    && best.is_none_or(|(bp, bl, _)| p > bp || (p == bp && len < bl))
                {
                    best = Some((p, len, m));
                }
            }
            if let Some(b) = best
                && all_best.is_none_or(|(bp, bl, _)| b.0 > bp || (b.0 == bp && b.1 < bl))
            {
                all_best = Some(b);
            }
            set_best.insert(Some(ns.as_str()), best);
        }
        set_best.insert(None, all_best);
        let mut current: Vec<Option<Best>> = vec![None; n];
        for (node, links) in graph.links.iter().enumerate() {
            for (li, link) in links.iter().enumerate() {
                let candidates: Vec<(Severity, usize, usize)> = match &link.target {
                    // A namespace without bound accounts or groups still has
                    // accounts, and they all hold `system:serviceaccounts`.
                    Target::Accounts(scope) => set_best
                        .get(&scope.as_deref())
                        .copied()
                        .flatten()
                        .or_else(|| {
                            let group = graph.all_accounts_group?;
                            value(group).map(|(p, len)| (p, len, group))
                        })
                        .into_iter()
                        .collect(),
                    Target::One(m) => value(*m).map(|(p, len)| (p, len, *m)).into_iter().collect(),
                };
                for (p, len, member) in candidates {
                    if member == node {
                        continue;
                    }
                    let candidate = Best {
                        power: p,
                        length: len,
                        link: li,
                        member,
                    };
                    if better(&candidate, current[node].as_ref()) {
                        current[node] = Some(candidate);
                    }
                }
            }
        }
        rounds.push(current);
    }
    let Some(last) = rounds.last() else {
        return;
    };
    for (node, subject) in graph.nodes.iter().enumerate() {
        if !analysis.options.include_system && subject.is_system() {
            continue;
        }
        let Some(best) = last[node] else {
            continue;
        };
        if best.power < Severity::High || Some(best.power) <= power[node] {
            continue;
        }
        // Follow the pointers down the rounds to rebuild the chain.
        let mut chain: Vec<(usize, &Link)> = Vec::new();
        let (mut at, mut k) = (node, rounds.len() - 1);
        let mut step = Some(best);
        while let Some(b) = step {
            chain.push((at, &graph.links[at][b.link]));
            at = b.member;
            if power[at] == Some(best.power) || k == 0 || chain.len() >= depth {
                break;
            }
            k -= 1;
            step = rounds[k][at];
        }
        out.push(finding(analysis, graph, &chain, at, best.power));
    }
}

/// How a chain names the identity it reaches: an account group reads as the
/// accounts it stands for.
fn identity_text(subject: &SubjectRef) -> String {
    if subject.kind == SubjectKind::Group {
        if subject.name == ALL_ACCOUNTS_GROUP {
            return format!("any ServiceAccount (Group {})", subject.name);
        }
        if let Some(ns) = subject.name.strip_prefix(ACCOUNTS_GROUP_PREFIX) {
            return format!("a ServiceAccount of {ns} (Group {})", subject.name);
        }
    }
    subject.display()
}

fn finding(
    analysis: &Analysis<'_>,
    graph: &Graph,
    chain: &[(usize, &Link)],
    target: usize,
    severity: Severity,
) -> Finding {
    let start = &graph.nodes[chain.first().map_or(target, |c| c.0)];
    let target_ref = &graph.nodes[target];
    let mut steps = Vec::new();
    for (i, (from, link)) in chain.iter().enumerate() {
        let to = chain.get(i + 1).map_or(target, |next| next.0);
        steps.push(format!(
            "{} {} {} {} ({})",
            graph.nodes[*from].display(),
            link.how,
            identity_text(&graph.nodes[to]),
            Analysis::scope_text(&link.scope),
            analysis.policy.describe(&link.grant)
        ));
    }
    let mut text = format!(
        "{} can become {}: {}",
        start.display(),
        identity_text(target_ref),
        steps.join(" -> ")
    );
    if let Some((scope, hit)) = analysis.worst_hit(target_ref) {
        text.push_str(&format!(
            "; {} {} {} ({}) [{} via {}]",
            target_ref.display(),
            hit.what,
            Analysis::scope_text(scope),
            analysis.paths_text(&hit.grants),
            PATH_ESCALATION.catalogue_id,
            hit.rule.catalogue_id
        ));
    }
    analysis.finding(
        &PATH_ESCALATION,
        severity,
        text,
        chain.first().map(|(_, l)| &l.grant),
    )
}
