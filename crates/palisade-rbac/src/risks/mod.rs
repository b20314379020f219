//! Risk analysis (`rbac risks`): the RISKS.md catalogue decided per subject and
//! scope, broad and anonymous subjects, hygiene, and escalation paths, as
//! `palisade_core::Finding`s with stable `rbac/...` ids.
//!
//! Work is proportional to bindings + roles: each bound role's capabilities are
//! computed once ([`probes`]), a subject's capabilities in a scope are the union
//! over its bindings, and the catalogue ([`catalogue`]) reads those unions.
//! Every finding names the subject, the granting path (binding -> role -> rule)
//! and, in its remediation, why the grant is dangerous.

pub mod catalogue;
pub mod paths;
pub mod probes;
pub mod workload_sa;

use std::collections::{BTreeMap, HashMap};

use palisade_core::{Finding, Inventory, Rule, Severity};

use crate::model::{BindingKind, SubjectKind, SubjectRef};
use crate::policy::{BindingId, Grant, Policy, RoleId};
use catalogue::{RiskHit, RiskRule, ScopeInfo};
use probes::{CAP_COUNT, Hit, RoleCaps, role_caps};

/// Knobs of the analysis.
#[derive(Clone, Debug)]
pub struct RiskOptions {
    /// Report `system:` identities and kube-system ServiceAccounts too.
    pub include_system: bool,
    /// Namespaces whose grants count as privileged (rbac-police's default: kube-system).
    pub privileged_namespaces: Vec<String>,
    /// RBAC-HYG-MANY-ROLES: report subjects with more bindings than this (krane: 4).
    pub many_bindings: usize,
    /// RBAC-HYG-MANY-ROLES: report namespaces with more subjects than this (krane: 5).
    pub many_subjects: usize,
    /// How many "can become" links an escalation path may have.
    pub path_depth: usize,
    /// Also return the validation findings (missing roles, invalid subjects, ...).
    pub include_validation: bool,
}

impl Default for RiskOptions {
    fn default() -> Self {
        RiskOptions {
            include_system: false,
            privileged_namespaces: vec!["kube-system".to_owned()],
            many_bindings: 4,
            many_subjects: 5,
            path_depth: 3,
            include_validation: true,
        }
    }
}

/// A capability held by a subject in a scope, with the path that grants it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapGrant {
    pub grant: Grant,
    pub probe: usize,
    pub restricted: bool,
}

/// A subject's capabilities in one scope (union over its bindings there).
#[derive(Clone, Debug)]
pub struct ScopeCaps {
    pub caps: [Option<CapGrant>; CAP_COUNT],
    pub full_wildcard: Option<Grant>,
    pub any_wildcard: Option<Grant>,
    pub impersonate_extra_uid: Option<Grant>,
    pub impersonate_constrained: Option<Grant>,
    pub delete_star: Option<Grant>,
}

impl ScopeCaps {
    fn empty() -> ScopeCaps {
        ScopeCaps {
            caps: [None; CAP_COUNT],
            full_wildcard: None,
            any_wildcard: None,
            impersonate_extra_uid: None,
            impersonate_constrained: None,
            delete_star: None,
        }
    }

    /// Adds a role's capabilities through one binding. Existing unrestricted
    /// grants are kept (callers add the preferred bindings first).
    fn add(&mut self, binding: BindingId, role: RoleId, caps: &RoleCaps) {
        let grant = |rule: usize| Grant {
            binding,
            role,
            rule,
        };
        for (slot, hit) in self.caps.iter_mut().zip(caps.caps.iter()) {
            if let Some(Hit {
                rule,
                probe,
                restricted,
            }) = *hit
            {
                let better = match slot {
                    None => true,
                    Some(existing) => existing.restricted && !restricted,
                };
                if better {
                    *slot = Some(CapGrant {
                        grant: grant(rule),
                        probe,
                        restricted,
                    });
                }
            }
        }
        let shapes = &caps.shapes;
        let merge = |slot: &mut Option<Grant>, rule: Option<usize>| {
            if slot.is_none() {
                *slot = rule.map(grant);
            }
        };
        merge(&mut self.full_wildcard, shapes.full_wildcard);
        merge(&mut self.any_wildcard, shapes.any_wildcard);
        merge(
            &mut self.impersonate_extra_uid,
            shapes.impersonate_extra_uid,
        );
        merge(
            &mut self.impersonate_constrained,
            shapes.impersonate_constrained,
        );
        merge(&mut self.delete_star, shapes.delete_star);
    }
}

/// A subject's bindings, by scope.
#[derive(Debug, Default)]
pub(crate) struct SubjectBindings {
    pub cluster: Vec<BindingId>,
    pub by_namespace: BTreeMap<String, Vec<BindingId>>,
}

/// Where a hit applies: `None` = cluster-wide.
pub(crate) type ScopeKey = Option<String>;

/// Per-subject analysis state shared by the catalogue, hygiene and path steps.
pub(crate) struct Analysis<'p> {
    pub policy: &'p Policy,
    pub options: &'p RiskOptions,
    pub subjects: BTreeMap<SubjectRef, SubjectBindings>,
    /// (cluster caps, namespaced-only caps) per role, for bound roles.
    pub role_caps: HashMap<RoleId, (RoleCaps, RoleCaps)>,
    /// Catalogue hits of every subject (system ones included: paths need them).
    pub hits: BTreeMap<SubjectRef, Vec<(ScopeKey, RiskHit)>>,
    /// Each rule's remediation, "why it is dangerous" then "the fix" from its
    /// documentation, read once per analysis rather than once per finding.
    remediations: HashMap<&'static str, String>,
}

impl<'p> Analysis<'p> {
    fn new(policy: &'p Policy, options: &'p RiskOptions) -> Analysis<'p> {
        let mut subjects: BTreeMap<SubjectRef, SubjectBindings> = BTreeMap::new();
        let mut role_caps = HashMap::new();
        for (id, binding) in policy.bindings().iter().enumerate() {
            let Some(role) = policy.resolved_role(id) else {
                continue;
            };
            role_caps.entry(role).or_insert_with(|| {
                let rules = policy.rules_of(role);
                (role_caps_of(rules, false), role_caps_of(rules, true))
            });
            for subject in &binding.subjects {
                let subject = binding.subject_ref(subject);
                // Subjects that match nobody hold nothing (validation reports them).
                let matchable = match subject.kind {
                    SubjectKind::Other(_) => false,
                    SubjectKind::ServiceAccount => subject.namespace.is_some(),
                    _ => !subject.name.is_empty(),
                };
                if !matchable {
                    continue;
                }
                let entry = subjects.entry(subject).or_default();
                let list = match binding.kind {
                    BindingKind::ClusterRoleBinding => &mut entry.cluster,
                    BindingKind::RoleBinding => entry
                        .by_namespace
                        .entry(binding.namespace.clone())
                        .or_default(),
                };
                if list.last() != Some(&id) {
                    list.push(id);
                }
            }
        }
        Analysis {
            policy,
            options,
            subjects,
            role_caps,
            hits: BTreeMap::new(),
            remediations: rules()
                .into_iter()
                .map(|rule| (rule.id, remediation_of(rule)))
                .collect(),
        }
    }

    pub fn cluster_caps(&self, bindings: &SubjectBindings) -> ScopeCaps {
        let mut caps = ScopeCaps::empty();
        for &b in &bindings.cluster {
            if let Some(role) = self.policy.resolved_role(b) {
                caps.add(b, role, &self.role_caps[&role].0);
            }
        }
        caps
    }

    /// Capabilities in a namespace: cluster-wide grants first (so a hit that a
    /// ClusterRoleBinding already explains is attributed to it), then the
    /// namespace's RoleBindings with namespaced probes only.
    pub fn namespace_caps(&self, cluster: &ScopeCaps, bindings: &[BindingId]) -> ScopeCaps {
        let mut caps = cluster.clone();
        for &b in bindings {
            if let Some(role) = self.policy.resolved_role(b) {
                caps.add(b, role, &self.role_caps[&role].1);
            }
        }
        caps
    }

    /// Decides the catalogue for every subject and scope, and collects the
    /// "can become" links of each scope for the path analysis.
    fn evaluate_catalogue(&mut self) -> paths::Graph {
        let mut all = BTreeMap::new();
        let mut graph = paths::Graph::new(self.subjects.keys().cloned());
        for (subject, bindings) in &self.subjects {
            let mut hits = Vec::new();
            let cluster = self.cluster_caps(bindings);
            if !bindings.cluster.is_empty() {
                let scope = ScopeInfo {
                    cluster: true,
                    namespace: "",
                    privileged: true,
                };
                hits.extend(
                    catalogue::evaluate(self.policy, &scope, &cluster)
                        .into_iter()
                        .map(|h| (None, h)),
                );
                graph.add_links(self, subject, &None, &cluster);
            }
            for (namespace, list) in &bindings.by_namespace {
                let caps = self.namespace_caps(&cluster, list);
                graph.add_links(self, subject, &Some(namespace.clone()), &caps);
                let scope = ScopeInfo {
                    cluster: false,
                    namespace,
                    privileged: self
                        .options
                        .privileged_namespaces
                        .iter()
                        .any(|p| p == namespace),
                };
                for hit in catalogue::evaluate(self.policy, &scope, &caps) {
                    // Hits entirely explained by ClusterRoleBindings are reported once, cluster-wide.
                    let from_namespace = hit
                        .grants
                        .iter()
                        .any(|g| self.policy.binding(g.binding).kind == BindingKind::RoleBinding);
                    if from_namespace {
                        hits.push((Some(namespace.clone()), hit));
                    }
                }
            }
            if !hits.is_empty() {
                all.insert(subject.clone(), hits);
            }
        }
        self.hits = all;
        graph
    }

    /// The subject's most severe catalogue hit, with its scope (the last of
    /// equals, in hit order).
    pub(crate) fn worst_hit(&self, subject: &SubjectRef) -> Option<&(ScopeKey, RiskHit)> {
        self.hits
            .get(subject)?
            .iter()
            .max_by_key(|(_, h)| h.severity)
    }

    /// The worst catalogue severity a subject holds directly.
    pub fn max_severity(&self, subject: &SubjectRef) -> Option<Severity> {
        self.worst_hit(subject).map(|(_, h)| h.severity)
    }

    pub(crate) fn visible(&self, subject: &SubjectRef) -> bool {
        self.options.include_system || !subject.is_system()
    }

    pub fn scope_text(scope: &ScopeKey) -> String {
        match scope {
            None => "cluster-wide".to_owned(),
            Some(ns) => format!("in namespace {ns}"),
        }
    }

    pub fn paths_text(&self, grants: &[Grant]) -> String {
        let mut seen = Vec::new();
        for g in grants {
            let text = self.policy.describe(g);
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
        seen.join("; ")
    }

    /// A finding located at the binding of `at` (the first link of its path).
    pub fn finding(
        &self,
        rule: &RiskRule,
        severity: Severity,
        message: String,
        at: Option<&Grant>,
    ) -> Finding {
        let remediation = self.remediation(rule);
        match at {
            Some(grant) => {
                let binding = self.policy.binding(grant.binding);
                Finding::new(
                    rule.id,
                    severity,
                    message,
                    &binding.source,
                    Some(binding.object.clone()),
                )
                .with_remediation(remediation)
            }
            // Every caller has a path; an empty one still yields a finding, without a location.
            None => {
                Finding::unlocated(rule.id, severity, message, None).with_remediation(remediation)
            }
        }
    }

    fn catalogue_findings(&self, out: &mut Vec<Finding>) {
        for (subject, hits) in &self.hits {
            if !self.visible(subject) {
                continue;
            }
            for (scope, hit) in hits {
                let message = format!(
                    "{} {} {}: {} [{}]",
                    subject.display(),
                    hit.what,
                    Self::scope_text(scope),
                    self.paths_text(&hit.grants),
                    hit.rule.catalogue_id
                );
                out.push(self.finding(hit.rule, hit.severity, message, hit.grants.first()));
            }
        }
    }

    pub(crate) fn remediation(&self, rule: &RiskRule) -> String {
        self.remediations
            .get(rule.id)
            .cloned()
            .unwrap_or_else(|| remediation_of(rule))
    }

    /// A finding located at a binding, whether or not its role resolves.
    fn located(
        &self,
        rule: &RiskRule,
        severity: Severity,
        message: String,
        binding: BindingId,
        grant: Option<Grant>,
    ) -> Finding {
        match grant {
            Some(g) => self.finding(rule, severity, message, Some(&g)),
            None => {
                let b = self.policy.binding(binding);
                Finding::new(
                    rule.id,
                    severity,
                    message,
                    &b.source,
                    Some(b.object.clone()),
                )
                .with_remediation(self.remediation(rule))
            }
        }
    }
}

/// Why the grant is dangerous and how to fix it, as one paragraph.
fn remediation_of(rule: &Rule) -> String {
    let docs = rule.docs();
    format!("{} {}", docs.why, docs.fix)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every rule the risk analysis can emit: the catalogue families, escalation
/// paths, and the validation of RBAC objects.
pub fn rules() -> Vec<&'static Rule> {
    catalogue::FAMILIES
        .iter()
        .flat_map(|family| family.iter().map(|r| &r.rule))
        .chain([
            &paths::PATH_ESCALATION.rule,
            &workload_sa::WL_PRIVILEGED_SA.rule,
        ])
        .chain(crate::validate::RULES.iter().copied())
        .collect()
}

fn role_caps_of(rules: &[crate::model::PolicyRule], namespaced_only: bool) -> RoleCaps {
    role_caps(rules, namespaced_only)
}

/// Every risk finding of the policy, worst first. Deterministic for the same input.
pub fn analyze(policy: &Policy, options: &RiskOptions) -> Vec<Finding> {
    analyze_with_workloads(policy, options, None)
}

/// [`analyze`], plus the workloads of `inventory` that run as a ServiceAccount
/// with a critical or high grant (`rbac/wl-privileged-sa`).
pub fn analyze_with_workloads(
    policy: &Policy,
    options: &RiskOptions,
    inventory: Option<&Inventory>,
) -> Vec<Finding> {
    let mut analysis = Analysis::new(policy, options);
    let graph = analysis.evaluate_catalogue();
    let mut out = Vec::new();
    analysis.catalogue_findings(&mut out);
    analysis.broad_subject_findings(&mut out);
    analysis.hygiene_findings(&mut out);
    paths::path_findings(&analysis, &graph, &mut out);
    if let Some(inventory) = inventory {
        workload_sa::findings(&analysis, inventory, &mut out);
    }
    if options.include_validation {
        out.extend(policy.validation_findings());
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
    out
}
