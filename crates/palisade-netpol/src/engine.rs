//! The evaluator: equivalence classes of workloads, and the per-direction
//! verdict through the tiers (ANP, NetworkPolicy, BANP, default allow).
//!
//! Workloads that belong to exactly the same pod sets (every policy subject and
//! every selector peer) and whose named ports resolve alike are
//! indistinguishable to every rule, so verdicts are computed once per class and
//! copied to the members. Pod-set membership is precomputed as one bitset over
//! classes per set, which makes a peer test a bit lookup.

use std::collections::{BTreeMap, HashMap};

use palisade_core::{NAMESPACE_NAME_LABEL, ObjectRef, Pos, SourceRef};
use serde::Serialize;

use crate::conn::{ConnSet, Protocol};
use crate::ip::{Family, IpRange, partition};
use crate::model::{
    Action, AdminPeer, AdminPolicy, AdminRule, Direction, Model, NpPeer, NpRule, NsScope, Workload,
};

/// A fixed-size set of class indices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    fn new(len: usize) -> BitSet {
        BitSet {
            words: vec![0; len.div_ceil(64)],
        }
    }

    fn insert(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    pub(crate) fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }
}

/// What tells classes apart: the pod sets a workload belongs to, and how it
/// resolves every named port that some rule uses.
type ClassKey = (Vec<usize>, Vec<Option<(Protocol, u16)>>);

/// The other end of a connection, as the engine sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// A class of workloads (see [`Engine::class_of`]).
    Class(usize),
    /// External addresses. Verdicts on a range hold for every address in it
    /// when the range lies inside one piece of the partition.
    External(IpRange),
    /// np-guard's abstract ingress controller (see [`StandIn`]): a source only.
    IngressController,
}

/// The pod np-guard stands in for an unknown ingress controller: no labels, no
/// ports, alone in namespace [`STAND_IN_NAMESPACE`] (which carries only its name
/// label unless the input defines it). It is not one of the model's workloads,
/// so it never appears in classes, connection lists or lint; the engine knows
/// which pod sets contain it and which policies select it.
#[derive(Clone, Debug)]
pub struct StandIn {
    pub workload: Workload,
    /// Pod sets (indices into `Model::pod_sets`) that contain it.
    sets: BitSet,
    applies: [Applies; 2],
}

/// np-guard's namespace for the abstract ingress controller pod.
pub const STAND_IN_NAMESPACE: &str = "ingress-controller-ns";
/// np-guard's name for the abstract ingress controller pod.
pub const STAND_IN_NAME: &str = "ingress-controller";

/// Which tier decided a part of a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Tier {
    AdminNetworkPolicy,
    NetworkPolicy,
    BaselineAdminNetworkPolicy,
    /// No policy applies: Kubernetes allows.
    Default,
}

/// One decision inside a direction's verdict: `action` applied to `conn` by a
/// rule (or by isolation without a matching rule, or by the default).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub tier: Tier,
    /// `ns/name` of a NetworkPolicy, the name of an admin policy; empty for the default.
    pub policy: String,
    /// `#n` (1-based) for a NetworkPolicy rule, the rule name for admin rules;
    /// empty when the step is isolation or the default.
    pub rule: String,
    pub action: Action,
    pub conn: ConnSet,
    #[serde(skip)]
    pub at: Option<SourceRef>,
}

/// A direction's verdict with the reasons.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DirectionVerdict {
    pub allowed: ConnSet,
    /// NetworkPolicies (`ns/name`) that select the subject with this direction
    /// among their types, i.e. that isolate it.
    pub isolating: Vec<String>,
    /// Admin policies whose subject includes the subject.
    pub admin_selecting: Vec<String>,
    pub steps: Vec<Step>,
}

/// Policies that apply to one class in one direction, in evaluation order.
#[derive(Clone, Debug, Default)]
struct Applies {
    netpols: Vec<usize>,
    admin: Vec<usize>,
    baseline: bool,
}

/// The compiled model: classes, pod-set membership, and the external partition.
pub struct Engine<'m> {
    pub model: &'m Model,
    /// Class index of every workload.
    pub class_of: Vec<usize>,
    /// Workload indices of every class, ascending; the first is the representative.
    pub classes: Vec<Vec<usize>>,
    members: Vec<BitSet>,
    applies: Vec<[Applies; 2]>,
    /// External source pieces (cut at ingress ipBlocks) and destination pieces
    /// (cut at egress ipBlocks and admin `networks`), IPv4 only, as np-guard.
    pub external_sources: Vec<IpRange>,
    pub external_destinations: Vec<IpRange>,
    /// The raw block boundaries behind the two partitions, both families.
    pub(crate) source_cuts: Vec<IpRange>,
    pub(crate) destination_cuts: Vec<IpRange>,
    /// The abstract ingress controller.
    pub stand_in: StandIn,
}

fn dir_index(dir: Direction) -> usize {
    match dir {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

impl<'m> Engine<'m> {
    pub fn new(model: &'m Model) -> Engine<'m> {
        let n = model.workloads.len();
        // Membership of every workload in every pod set, namespace part first
        // so a set scoped to one namespace only looks at that namespace's pods.
        let mut by_ns: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, w) in model.workloads.iter().enumerate() {
            by_ns.entry(w.namespace.as_str()).or_default().push(i);
        }
        let mut workload_sets: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (set_id, set) in model.pod_sets.iter().enumerate() {
            let namespaces: Vec<&str> = match &set.namespaces {
                NsScope::Own(ns) => vec![ns.as_str()],
                NsScope::Selected(sel) => model
                    .namespaces
                    .iter()
                    .filter(|(_, labels)| sel.matches(labels))
                    .map(|(name, _)| name.as_str())
                    .collect(),
            };
            for ns in namespaces {
                for &w in by_ns.get(ns).map(Vec::as_slice).unwrap_or(&[]) {
                    if set.pods.matches(&model.workloads[w].labels) {
                        workload_sets[w].push(set_id);
                    }
                }
            }
        }
        // Named ports that any rule uses, and how each workload resolves them.
        let mut names: Vec<(&str, Option<Protocol>)> = Vec::new();
        let all_ports = model
            .policies
            .iter()
            .flat_map(|p| {
                p.ingress
                    .iter()
                    .chain(&p.egress)
                    .flatten()
                    .map(|r| &r.ports)
            })
            .chain(
                model
                    .admin
                    .iter()
                    .chain(&model.baseline)
                    .flat_map(|p| p.ingress.iter().chain(&p.egress).map(|r| &r.ports)),
            );
        for spec in all_ports {
            for named in spec.named() {
                if !names.contains(&named) {
                    names.push(named);
                }
            }
        }
        let mut class_index: HashMap<ClassKey, usize> = HashMap::new();
        let mut class_of = Vec::with_capacity(n);
        let mut classes: Vec<Vec<usize>> = Vec::new();
        for (i, w) in model.workloads.iter().enumerate() {
            let resolved = names.iter().map(|(name, p)| w.resolve(name, *p)).collect();
            let key = (std::mem::take(&mut workload_sets[i]), resolved);
            let next = classes.len();
            let c = *class_index.entry(key).or_insert(next);
            if c == next {
                classes.push(Vec::new());
            }
            classes[c].push(i);
            class_of.push(c);
        }
        let mut members: Vec<BitSet> = vec![BitSet::new(classes.len()); model.pod_sets.len()];
        for ((sets, _), &c) in &class_index {
            for &s in sets {
                members[s].insert(c);
            }
        }
        let stand_in = StandIn::new(model);
        let mut engine = Engine {
            model,
            class_of,
            classes,
            members,
            applies: Vec::new(),
            external_sources: Vec::new(),
            external_destinations: Vec::new(),
            source_cuts: Vec::new(),
            destination_cuts: Vec::new(),
            stand_in,
        };
        engine.applies = (0..engine.classes.len())
            .map(|c| {
                [
                    engine.compute_applies(c, Direction::Ingress),
                    engine.compute_applies(c, Direction::Egress),
                ]
            })
            .collect();
        let (sources, destinations) = engine.external_cuts();
        engine.external_sources = partition(Family::V4, &sources);
        engine.external_destinations = partition(Family::V4, &destinations);
        engine.source_cuts = sources;
        engine.destination_cuts = destinations;
        engine
    }

    fn compute_applies(&self, class: usize, dir: Direction) -> Applies {
        applies_where(self.model, dir, |set| {
            self.members.get(set).is_some_and(|m| m.contains(class))
        })
    }

    fn external_cuts(&self) -> (Vec<IpRange>, Vec<IpRange>) {
        let m = self.model;
        let mut cuts = (Vec::new(), Vec::new());
        for p in &m.policies {
            for (rules, out) in [(&p.ingress, &mut cuts.0), (&p.egress, &mut cuts.1)] {
                for rule in rules.iter().flatten() {
                    for peer in rule.peers.iter().flatten() {
                        if let NpPeer::Ip(block) = peer {
                            out.extend(block.boundaries().copied());
                        }
                    }
                }
            }
        }
        for p in m.admin.iter().chain(&m.baseline) {
            for (rules, out) in [(&p.ingress, &mut cuts.0), (&p.egress, &mut cuts.1)] {
                for rule in rules {
                    for peer in &rule.peers {
                        if let AdminPeer::Networks(nets) = peer {
                            out.extend(nets.iter().copied());
                        }
                    }
                }
            }
        }
        cuts
    }

    pub fn representative(&self, class: usize) -> &'m Workload {
        let model: &'m Model = self.model;
        &model.workloads[self.classes[class][0]]
    }

    /// Whether a class belongs to a pod set.
    pub fn in_pod_set(&self, set: usize, class: usize) -> bool {
        self.members.get(set).is_some_and(|m| m.contains(class))
    }

    /// Whether any class belongs to a pod set.
    pub fn pod_set_is_empty(&self, set: usize) -> bool {
        self.members.get(set).is_none_or(BitSet::is_empty)
    }

    /// Every peer a class can meet in a direction: all classes, then the
    /// external pieces of that direction.
    pub fn peers(&self, dir: Direction) -> Vec<Peer> {
        let pieces = match dir {
            Direction::Ingress => &self.external_sources,
            Direction::Egress => &self.external_destinations,
        };
        (0..self.classes.len())
            .map(Peer::Class)
            .chain(pieces.iter().map(|r| Peer::External(*r)))
            .collect()
    }

    /// What one NetworkPolicy rule alone allows for `subject` with `other`.
    pub fn np_rule_allows(
        &self,
        subject: usize,
        dir: Direction,
        rule: &NpRule,
        other: Peer,
    ) -> ConnSet {
        let matches = match &rule.peers {
            None => true,
            Some(peers) => peers.iter().any(|p| self.np_peer_matches(p, other)),
        };
        if !matches {
            return ConnSet::none();
        }
        rule.ports.resolve(self.destination(subject, dir, other))
    }

    /// [`Engine::np_rule_allows`] with the destination workload given.
    fn np_rule_allows_to(&self, dst: Option<&Workload>, rule: &NpRule, other: Peer) -> ConnSet {
        let matches = match &rule.peers {
            None => true,
            Some(peers) => peers.iter().any(|p| self.np_peer_matches(p, other)),
        };
        if !matches {
            return ConnSet::none();
        }
        rule.ports.resolve(dst)
    }

    fn np_peer_matches(&self, peer: &NpPeer, other: Peer) -> bool {
        match (peer, other) {
            (NpPeer::Pods(set), Peer::Class(c)) => self.members[*set].contains(c),
            (NpPeer::Pods(set), Peer::IngressController) => self.stand_in.sets.contains(*set),
            (NpPeer::Ip(_), Peer::IngressController) => false,
            // np-guard's model: an ipBlock never matches a pod, whatever its IP.
            (NpPeer::Ip(_), Peer::Class(_)) | (NpPeer::Pods(_), Peer::External(_)) => false,
            (NpPeer::Ip(block), Peer::External(range)) => block.contains_range(&range),
        }
    }

    fn admin_peer_matches(&self, peer: &AdminPeer, other: Peer) -> bool {
        match (peer, other) {
            (AdminPeer::Pods(set), Peer::Class(c)) => self.members[*set].contains(c),
            (AdminPeer::Pods(set), Peer::IngressController) => self.stand_in.sets.contains(*set),
            (AdminPeer::Networks(nets), Peer::External(range)) => {
                nets.iter().any(|n| n.contains(&range))
            }
            _ => false,
        }
    }

    /// The workload on which named ports resolve: always the destination.
    fn destination(&self, subject: usize, dir: Direction, other: Peer) -> Option<&'m Workload> {
        match (dir, other) {
            (Direction::Ingress, _) => Some(self.representative(subject)),
            (Direction::Egress, Peer::Class(c)) => Some(self.representative(c)),
            (Direction::Egress, Peer::External(_) | Peer::IngressController) => None,
        }
    }

    /// What `subject` allows in direction `dir` with `other` (the source for
    /// ingress, the destination for egress), through all tiers. With `explain`
    /// the steps and selecting policies are recorded too.
    pub fn direction(
        &self,
        subject: usize,
        dir: Direction,
        other: Peer,
        explain: bool,
    ) -> DirectionVerdict {
        let applies = &self.applies[subject][dir_index(dir)];
        let dst = self.destination(subject, dir, other);
        self.verdict(applies, dst, dir, other, explain)
    }

    /// The abstract ingress controller's egress verdict toward class `dst`.
    pub fn stand_in_egress(&self, dst: usize, explain: bool) -> DirectionVerdict {
        let applies = &self.stand_in.applies[dir_index(Direction::Egress)];
        let workload = self.representative(dst);
        self.verdict(
            applies,
            Some(workload),
            Direction::Egress,
            Peer::Class(dst),
            explain,
        )
    }

    /// The verdict of a subject to which `applies` applies, with named ports
    /// resolved on `dst`.
    fn verdict(
        &self,
        applies: &Applies,
        dst: Option<&Workload>,
        dir: Direction,
        other: Peer,
        explain: bool,
    ) -> DirectionVerdict {
        let m = self.model;
        let mut verdict = DirectionVerdict::default();
        if explain {
            verdict.isolating = applies
                .netpols
                .iter()
                .map(|&i| m.policies[i].id())
                .collect();
            verdict.admin_selecting = applies
                .admin
                .iter()
                .map(|&i| m.admin[i].name.clone())
                .collect();
            if applies.baseline
                && let Some(b) = &m.baseline
            {
                verdict.admin_selecting.push(b.name.clone());
            }
        }
        let mut steps = Vec::new();
        // Tier 1: ANPs in priority order, first matching rule per port.
        let mut undecided = ConnSet::all();
        let mut passed = ConnSet::none();
        let mut allowed = ConnSet::none();
        for &i in &applies.admin {
            let policy = &m.admin[i];
            self.walk_admin(
                policy,
                dir,
                other,
                dst,
                &mut undecided,
                &mut allowed,
                &mut passed,
                explain.then_some(&mut steps),
            );
            if undecided.is_empty() {
                break;
            }
        }
        let remaining = undecided.union(&passed);
        // Tier 2: NetworkPolicy decides everything that reaches it when it isolates.
        if !applies.netpols.is_empty() {
            let mut np_allowed = ConnSet::none();
            for &i in &applies.netpols {
                let policy = &m.policies[i];
                for rule in policy.rules(dir).unwrap_or(&[]) {
                    let conn = self
                        .np_rule_allows_to(dst, rule, other)
                        .intersect(&remaining);
                    if conn.is_empty() {
                        continue;
                    }
                    if explain {
                        steps.push(Step {
                            tier: Tier::NetworkPolicy,
                            policy: policy.id(),
                            rule: format!("#{}", rule.index),
                            action: Action::Allow,
                            conn: conn.clone(),
                            at: Some(rule.at.clone()),
                        });
                    }
                    np_allowed.add(&conn);
                }
            }
            if explain {
                let denied = remaining.subtract(&np_allowed);
                if !denied.is_empty() {
                    steps.push(Step {
                        tier: Tier::NetworkPolicy,
                        policy: verdict.isolating.join(", "),
                        rule: String::new(),
                        action: Action::Deny,
                        conn: denied,
                        at: None,
                    });
                }
            }
            allowed.add(&np_allowed);
        } else {
            // Tier 3: the baseline, then the default allow.
            let mut rest = remaining;
            if applies.baseline
                && let Some(b) = &m.baseline
            {
                let mut ignored_pass = ConnSet::none();
                self.walk_admin(
                    b,
                    dir,
                    other,
                    dst,
                    &mut rest,
                    &mut allowed,
                    &mut ignored_pass,
                    explain.then_some(&mut steps),
                );
            }
            if !rest.is_empty() {
                if explain {
                    steps.push(Step {
                        tier: Tier::Default,
                        policy: String::new(),
                        rule: String::new(),
                        action: Action::Allow,
                        conn: rest.clone(),
                        at: None,
                    });
                }
                allowed.add(&rest);
            }
        }
        verdict.allowed = allowed;
        verdict.steps = steps;
        verdict
    }

    /// Applies one admin policy's rules, in order, to the undecided ports.
    #[allow(clippy::too_many_arguments)]
    fn walk_admin(
        &self,
        policy: &AdminPolicy,
        dir: Direction,
        other: Peer,
        dst: Option<&Workload>,
        undecided: &mut ConnSet,
        allowed: &mut ConnSet,
        passed: &mut ConnSet,
        mut steps: Option<&mut Vec<Step>>,
    ) {
        for rule in policy.rules(dir) {
            if undecided.is_empty() {
                return;
            }
            if !rule.peers.iter().any(|p| self.admin_peer_matches(p, other)) {
                continue;
            }
            let hit = rule.ports.resolve(dst).intersect(undecided);
            if hit.is_empty() {
                continue;
            }
            *undecided = undecided.subtract(&hit);
            match rule.action {
                Action::Allow => allowed.add(&hit),
                Action::Deny => {}
                Action::Pass => passed.add(&hit),
            }
            if let Some(steps) = steps.as_deref_mut() {
                steps.push(admin_step(policy, rule, hit));
            }
        }
    }

    /// The connections allowed from `src` to `dst`: the source's egress verdict
    /// intersected with the destination's ingress verdict. External ends have
    /// no policies; external-to-external is out of scope and yields nothing.
    pub fn conn(&self, src: Peer, dst: Peer) -> ConnSet {
        match (src, dst) {
            (Peer::Class(s), Peer::Class(d)) => {
                let egress = self.direction(s, Direction::Egress, dst, false).allowed;
                if egress.is_empty() {
                    return egress;
                }
                egress.intersect(&self.direction(d, Direction::Ingress, src, false).allowed)
            }
            (Peer::External(_), Peer::Class(d)) => {
                self.direction(d, Direction::Ingress, src, false).allowed
            }
            (Peer::Class(s), Peer::External(_)) => {
                self.direction(s, Direction::Egress, dst, false).allowed
            }
            (Peer::IngressController, Peer::Class(d)) => {
                let egress = self.stand_in_egress(d, false).allowed;
                if egress.is_empty() {
                    return egress;
                }
                egress.intersect(&self.direction(d, Direction::Ingress, src, false).allowed)
            }
            // The controller is only ever a source; external pairs are out of scope.
            (Peer::External(_), Peer::External(_))
            | (_, Peer::IngressController)
            | (Peer::IngressController, Peer::External(_)) => ConnSet::none(),
        }
    }
}

/// The policies of `model` that apply in `dir` to a subject belonging to the
/// pod sets for which `in_set` holds.
fn applies_where(model: &Model, dir: Direction, in_set: impl Fn(usize) -> bool) -> Applies {
    Applies {
        netpols: (0..model.policies.len())
            .filter(|&i| {
                model.policies[i].rules(dir).is_some() && in_set(model.policies[i].subject)
            })
            .collect(),
        admin: (0..model.admin.len())
            .filter(|&i| in_set(model.admin[i].subject))
            .collect(),
        baseline: model.baseline.as_ref().is_some_and(|b| in_set(b.subject)),
    }
}

impl StandIn {
    fn new(model: &Model) -> StandIn {
        let namespace = STAND_IN_NAMESPACE.to_owned();
        let ns_labels = model
            .namespaces
            .get(&namespace)
            .cloned()
            .unwrap_or_else(|| {
                BTreeMap::from([(NAMESPACE_NAME_LABEL.to_owned(), namespace.clone())])
            });
        let workload = Workload {
            namespace: namespace.clone(),
            name: STAND_IN_NAME.to_owned(),
            kind: "Pod".to_owned(),
            labels: BTreeMap::new(),
            ports: Vec::new(),
            pods: Vec::new(),
            object: ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: Some(namespace.as_str().into()),
                name: STAND_IN_NAME.into(),
            },
            at: SourceRef {
                file: "{ingress-controller}".into(),
                pos: Pos::new(0, 0),
            },
        };
        let mut sets = BitSet::new(model.pod_sets.len());
        for (id, set) in model.pod_sets.iter().enumerate() {
            let ns_ok = match &set.namespaces {
                NsScope::Own(ns) => *ns == namespace,
                NsScope::Selected(sel) => sel.matches(&ns_labels),
            };
            if ns_ok && set.pods.matches(&workload.labels) {
                sets.insert(id);
            }
        }
        let applies = [
            applies_where(model, Direction::Ingress, |s| sets.contains(s)),
            applies_where(model, Direction::Egress, |s| sets.contains(s)),
        ];
        StandIn {
            workload,
            sets,
            applies,
        }
    }
}

fn admin_step(policy: &AdminPolicy, rule: &AdminRule, conn: ConnSet) -> Step {
    Step {
        tier: if policy.baseline {
            Tier::BaselineAdminNetworkPolicy
        } else {
            Tier::AdminNetworkPolicy
        },
        policy: policy.name.clone(),
        rule: if rule.name.is_empty() {
            format!("#{}", rule.index)
        } else {
            rule.name.clone()
        },
        action: rule.action,
        conn,
        at: Some(rule.at.clone()),
    }
}
