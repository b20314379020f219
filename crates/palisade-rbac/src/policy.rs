//! The resolved, indexed RBAC policy every query runs against.
//!
//! Built once from the input objects: roles with their effective (aggregated)
//! rules, bindings with their roleRef resolved, and the indexes that keep
//! queries from scanning every binding:
//! - subject index (username / group -> bindings) for `can-i` and `--list`;
//! - rule index (resource entry string -> (role, rule)) plus role -> bindings
//!   (cluster-wide, and per namespace) for `who-can`.

use std::collections::HashMap;

use palisade_core::{Inventory, Object};

use crate::aggregation::aggregate;
use crate::model::{
    BindingDef, BindingKind, CustomResourceDef, PolicyRule, RoleDef, RoleKind, ServiceAccountDef,
    SubjectKind, service_account_username,
};

/// Index of a role in [`Policy::roles`].
pub type RoleId = usize;
/// Index of a binding in [`Policy::bindings`].
pub type BindingId = usize;

/// Which bindings reference one role.
#[derive(Clone, Debug, Default)]
pub(crate) struct RoleBindings {
    /// ClusterRoleBindings (they apply in every namespace and at cluster scope).
    pub cluster: Vec<BindingId>,
    /// RoleBindings, by their namespace.
    pub by_namespace: HashMap<String, Vec<BindingId>>,
}

/// One path by which a rule reaches a subject: binding -> role -> rule index
/// (into the role's effective rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grant {
    pub binding: BindingId,
    pub role: RoleId,
    pub rule: usize,
}

/// The RBAC objects of one input, resolved and indexed.
#[derive(Debug, Default)]
pub struct Policy {
    roles: Vec<RoleDef>,
    /// Effective rules per role: written rules, or computed ones for aggregated ClusterRoles.
    rules: Vec<Vec<PolicyRule>>,
    role_index: HashMap<(RoleKind, String, String), RoleId>,
    bindings: Vec<BindingDef>,
    /// The role each binding resolves to; `None` when it grants nothing (SPEC §6.4).
    resolved: Vec<Option<RoleId>>,
    pub(crate) service_accounts: Vec<ServiceAccountDef>,
    pub(crate) crds: Vec<CustomResourceDef>,
    // Indexes.
    pub(crate) by_username: HashMap<String, Vec<BindingId>>,
    pub(crate) by_group: HashMap<String, Vec<BindingId>>,
    pub(crate) role_bindings: Vec<RoleBindings>,
    /// Resource-rule entries of bound roles, by the resource string written in the rule.
    pub(crate) by_resource_entry: HashMap<String, Vec<(RoleId, usize)>>,
    /// Non-resource rules of bound ClusterRoles.
    pub(crate) url_rules: Vec<(RoleId, usize)>,
}

/// Which of the API server's default RBAC objects a policy includes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Defaults {
    /// Only the input (`--no-defaults`).
    None,
    /// The default roles, so that bindings to `cluster-admin`, `admin`, `edit`,
    /// `view` and `system:*` roles grant what they grant in a cluster.
    #[default]
    Roles,
    /// The default roles and their bindings (`--include-defaults`).
    RolesAndBindings,
}

impl Policy {
    pub fn from_inventory(inventory: &Inventory) -> Policy {
        Policy::from_objects(inventory.objects())
    }

    /// Like [`Policy::from_inventory`], with the API server's default roles (or
    /// roles and bindings) as the cluster has them. They come first, so a role of
    /// the same name in the input replaces the default one, as applying it would.
    pub fn with_defaults(inventory: &Inventory, defaults: Defaults) -> Policy {
        match defaults {
            Defaults::None => Policy::from_inventory(inventory),
            Defaults::Roles => Policy::from_objects(
                crate::bootstrap::bootstrap_roles()
                    .iter()
                    .chain(inventory.objects()),
            ),
            Defaults::RolesAndBindings => {
                let bootstrap = crate::bootstrap::bootstrap_objects();
                Policy::from_objects(bootstrap.iter().chain(inventory.objects()))
            }
        }
    }

    /// Reads every RBAC object (and ServiceAccount, CRD) of `objects`; others are
    /// ignored. A later definition of the same role or binding replaces an earlier
    /// one, as a later `kubectl apply` would.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Policy {
        let mut roles: Vec<RoleDef> = Vec::new();
        let mut role_index: HashMap<(RoleKind, String, String), RoleId> = HashMap::new();
        let mut bindings: Vec<BindingDef> = Vec::new();
        let mut binding_index: HashMap<(BindingKind, String, String), BindingId> = HashMap::new();
        let mut service_accounts = Vec::new();
        let mut crds = Vec::new();
        for object in objects {
            if let Some(role) = RoleDef::from_object(object) {
                let key = (role.kind, role.namespace.clone(), role.name.clone());
                match role_index.get(&key) {
                    Some(&id) => roles[id] = role,
                    None => {
                        role_index.insert(key, roles.len());
                        roles.push(role);
                    }
                }
            } else if let Some(binding) = BindingDef::from_object(object) {
                let key = (
                    binding.kind,
                    binding.namespace.clone(),
                    binding.name.clone(),
                );
                match binding_index.get(&key) {
                    Some(&id) => bindings[id] = binding,
                    None => {
                        binding_index.insert(key, bindings.len());
                        bindings.push(binding);
                    }
                }
            } else if let Some(sa) = ServiceAccountDef::from_object(object) {
                service_accounts.push(sa);
            } else if let Some(crd) = CustomResourceDef::from_object(object) {
                crds.push(crd);
            }
        }
        Policy::build(roles, bindings, service_accounts, crds)
    }

    /// Resolves and indexes already-typed objects (generated input, benchmarks).
    pub fn build(
        roles: Vec<RoleDef>,
        bindings: Vec<BindingDef>,
        service_accounts: Vec<ServiceAccountDef>,
        crds: Vec<CustomResourceDef>,
    ) -> Policy {
        let computed = aggregate(&roles);
        let rules: Vec<Vec<PolicyRule>> = computed
            .into_iter()
            .zip(&roles)
            .map(|(c, role)| c.unwrap_or_else(|| role.rules.clone()))
            .collect();
        let role_index: HashMap<_, _> = roles
            .iter()
            .enumerate()
            .map(|(id, r)| ((r.kind, r.namespace.clone(), r.name.clone()), id))
            .collect();
        let mut policy = Policy {
            role_bindings: vec![RoleBindings::default(); roles.len()],
            roles,
            rules,
            role_index,
            resolved: Vec::with_capacity(bindings.len()),
            bindings,
            service_accounts,
            crds,
            ..Policy::default()
        };
        policy.index();
        policy
    }

    fn index(&mut self) {
        for id in 0..self.bindings.len() {
            let binding = &self.bindings[id];
            let role = self.resolve(binding);
            self.resolved.push(role);
            if let Some(role) = role {
                let slot = &mut self.role_bindings[role];
                match binding.kind {
                    BindingKind::ClusterRoleBinding => slot.cluster.push(id),
                    BindingKind::RoleBinding => slot
                        .by_namespace
                        .entry(binding.namespace.clone())
                        .or_default()
                        .push(id),
                }
            }
            for subject in &binding.subjects {
                match subject.kind {
                    SubjectKind::User => push_unique(&mut self.by_username, &subject.name, id),
                    SubjectKind::Group => push_unique(&mut self.by_group, &subject.name, id),
                    SubjectKind::ServiceAccount => {
                        if let Some(ns) = binding.subject_namespace(subject) {
                            let user = service_account_username(&ns, &subject.name);
                            push_unique(&mut self.by_username, &user, id);
                        }
                    }
                    SubjectKind::Other(_) => {}
                }
            }
        }
        for (role, rules) in self.rules.iter().enumerate() {
            let bound = !self.role_bindings[role].cluster.is_empty()
                || !self.role_bindings[role].by_namespace.is_empty();
            if !bound {
                continue;
            }
            for (index, rule) in rules.iter().enumerate() {
                for entry in &rule.resources {
                    let slot = self.by_resource_entry.entry(entry.clone()).or_default();
                    // A rule listing the same entry twice needs one index entry.
                    if slot.last() != Some(&(role, index)) {
                        slot.push((role, index));
                    }
                }
                if !rule.non_resource_urls.is_empty() {
                    self.url_rules.push((role, index));
                }
            }
        }
    }

    /// SPEC §6: RB -> Role in the binding's namespace; RB/CRB -> ClusterRole;
    /// anything else (CRB -> Role, unknown kinds, missing roles) resolves to nothing.
    fn resolve(&self, binding: &BindingDef) -> Option<RoleId> {
        let key = match (binding.kind, binding.role_ref.kind.as_str()) {
            (BindingKind::RoleBinding, "Role") => (
                RoleKind::Role,
                binding.namespace.clone(),
                binding.role_ref.name.clone(),
            ),
            (_, "ClusterRole") => (
                RoleKind::ClusterRole,
                String::new(),
                binding.role_ref.name.clone(),
            ),
            _ => return None,
        };
        self.role_index.get(&key).copied()
    }

    pub fn roles(&self) -> &[RoleDef] {
        &self.roles
    }

    pub fn role(&self, id: RoleId) -> &RoleDef {
        &self.roles[id]
    }

    pub fn bindings(&self) -> &[BindingDef] {
        &self.bindings
    }

    pub fn binding(&self, id: BindingId) -> &BindingDef {
        &self.bindings[id]
    }

    pub fn service_accounts(&self) -> &[ServiceAccountDef] {
        &self.service_accounts
    }

    pub fn custom_resources(&self) -> &[CustomResourceDef] {
        &self.crds
    }

    /// The role a binding grants, or `None` when its roleRef resolves to nothing.
    pub fn resolved_role(&self, binding: BindingId) -> Option<RoleId> {
        self.resolved.get(binding).copied().flatten()
    }

    /// Effective rules of a role (computed rules for aggregated ClusterRoles).
    pub fn rules_of(&self, role: RoleId) -> &[PolicyRule] {
        &self.rules[role]
    }

    pub fn find_role(&self, kind: RoleKind, namespace: &str, name: &str) -> Option<RoleId> {
        self.role_index
            .get(&(kind, namespace.to_owned(), name.to_owned()))
            .copied()
    }

    /// The computed rules of a ClusterRole (SPEC §7), by name.
    pub fn effective_rules(&self, cluster_role: &str) -> Option<&[PolicyRule]> {
        self.find_role(RoleKind::ClusterRole, "", cluster_role)
            .map(|id| self.rules_of(id))
    }

    /// The rule a grant points at.
    pub fn rule(&self, grant: &Grant) -> &PolicyRule {
        &self.rules[grant.role][grant.rule]
    }

    /// `ClusterRoleBinding/x -> ClusterRole/y rule #2 (verbs=[..] ...)`; rules are
    /// numbered from 1, as a person counts them in the file.
    pub fn describe(&self, grant: &Grant) -> String {
        format!(
            "{} -> {} rule #{} ({})",
            self.bindings[grant.binding].display(),
            self.roles[grant.role].display(),
            grant.rule + 1,
            self.rule(grant).summary()
        )
    }

    /// True when a binding applies to requests in `namespace` (SPEC §6).
    pub(crate) fn applies_in(&self, binding: BindingId, namespace: &str) -> bool {
        let b = &self.bindings[binding];
        match b.kind {
            BindingKind::ClusterRoleBinding => true,
            BindingKind::RoleBinding => !namespace.is_empty() && b.namespace == namespace,
        }
    }
}

fn push_unique(map: &mut HashMap<String, Vec<BindingId>>, key: &str, id: BindingId) {
    let slot = map.entry(key.to_owned()).or_default();
    if slot.last() != Some(&id) {
        slot.push(id);
    }
}
