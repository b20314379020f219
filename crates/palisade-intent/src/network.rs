//! `reach` and `isolated`, decided by `palisade-netpol`'s engine as `palisade
//! netpol reach` decides them, with the policies that allow or the isolation
//! that denies.
//!
//! A hypothetical endpoint (`{namespace, labels}`) becomes a synthetic Pod
//! with those labels in that namespace, added to the model before it is
//! built, so that every policy judges it as it would judge such a pod. The
//! ingress controller named by `--ingress-controller NS/SELECTOR` is the
//! input's matching workloads, or, when the input has none (a baseline
//! without the controller's own manifests), a synthetic pod in NS carrying the
//! selector's labels. Without the flag it is np-guard's stand-in pod.
//!
//! Unlike `netpol reach --from ingress-controller`, an expectation judges the
//! policies only: whether some Ingress routes to the destination is not part
//! of "the ingress controller reaches web pods".

use std::collections::BTreeMap;

use palisade_core::{Inventory, Node, Object, Operator, SourceRef};
use palisade_netpol::ip::IpRange;
use palisade_netpol::model::Action;
use palisade_netpol::{
    Controller, ControllerSpec, Direction, DirectionVerdict, Endpoint, Engine, Model, Peer,
    reach_with,
};
use serde_json::json;

use crate::model::{EndpointSpec, Flow};

/// The file name synthetic pods carry, so that nothing mistakes them for input.
const SYNTHETIC_FILE: &str = "<synthetic>";

/// The model of the input plus the synthetic pods the expectations need.
pub struct Network {
    pub model: Model,
    /// Each hypothetical endpoint and the workload index of its synthetic pod.
    hypothetical: Vec<(EndpointSpec, usize)>,
    /// Who the ingress controller is.
    controller: Controller,
    /// Set when the controller is a synthetic pod (for explanations).
    synthetic_controller: Option<String>,
}

impl Network {
    /// Builds the model of `inventory` with one synthetic pod per distinct
    /// hypothetical endpoint of `flows` (and for the controller, see the
    /// module's documentation).
    pub fn build<'a>(
        inventory: &Inventory,
        flows: impl IntoIterator<Item = &'a Flow>,
        controller: Option<&ControllerSpec>,
    ) -> Result<Network, String> {
        let mut wanted: Vec<(String, BTreeMap<String, String>)> = Vec::new();
        let mut specs: Vec<EndpointSpec> = Vec::new();
        for flow in flows {
            for end in [&flow.from, &flow.to] {
                if let EndpointSpec::Hypothetical { namespace, labels } = end
                    && !specs.contains(end)
                {
                    specs.push(end.clone());
                    wanted.push((namespace.clone(), labels.clone()));
                }
            }
        }
        let input_matches = controller.is_some_and(|spec| {
            !spec
                .resolve(&Model::from_inventory_all_workloads(inventory))
                .is_empty()
        });
        let controller_pod = match controller {
            Some(spec) if !input_matches => Some((spec.namespace.clone(), labels_for(spec)?)),
            _ => None,
        };
        let mut objects: Vec<Object> = inventory.objects().to_vec();
        let mut names = Vec::new();
        for (n, (namespace, labels)) in wanted.iter().chain(controller_pod.iter()).enumerate() {
            let name = format!("palisade-hypothetical-{}", n + 1);
            objects.push(synthetic_pod(namespace, &name, labels));
            names.push(format!("{namespace}/{name}[Pod]"));
        }
        let declared = inventory
            .namespaces()
            .map(|ns| (ns.name.clone(), ns.labels.clone()));
        let with_pods =
            Inventory::new(objects).with_declared_namespaces(declared.collect::<Vec<_>>());
        let model = Model::from_inventory_all_workloads(&with_pods);
        let index_of = |id: &str| model.workloads.iter().position(|w| w.id() == id);
        let mut hypothetical = Vec::new();
        for (spec, id) in specs.into_iter().zip(&names) {
            let index = index_of(id)
                .ok_or_else(|| format!("the synthetic pod {id} is missing from the model"))?;
            hypothetical.push((spec, index));
        }
        let (controller, synthetic_controller) = match (controller, names.get(wanted.len())) {
            (Some(_), Some(id)) => {
                let index = index_of(id)
                    .ok_or_else(|| format!("the synthetic pod {id} is missing from the model"))?;
                (Controller::Pods(vec![index]), Some(id.clone()))
            }
            (Some(spec), None) => (spec.controller(&model), None),
            (None, _) => (Controller::Abstract, None),
        };
        Ok(Network {
            model,
            hypothetical,
            controller,
            synthetic_controller,
        })
    }

    /// Decides one flow: whether it holds as expected, and the explanation.
    pub fn decide(
        &self,
        engine: &Engine,
        flow: &Flow,
        expect_reach: bool,
    ) -> Result<(bool, String, Vec<String>), String> {
        let from = self
            .resolve(&flow.from)
            .map_err(|e| format!("{}: {e}", flow.from_at.origin()))?;
        let to = self
            .resolve(&flow.to)
            .map_err(|e| format!("{}: {e}", flow.to_at.origin()))?;
        let verdicts = match (from, to) {
            (_, Endpoint::IngressController) => {
                return Err(format!(
                    "{}: the ingress controller is only a source",
                    flow.to_at.origin()
                ));
            }
            (Endpoint::IngressController, Endpoint::Workload(d)) => {
                self.controller_toward(engine, d, flow.port)?
            }
            (Endpoint::IngressController, Endpoint::External(_)) => {
                return Err(format!(
                    "{}: from the ingress controller, the destination must be a pod",
                    flow.to_at.origin()
                ));
            }
            (from, to) => {
                let answer = reach_with(engine, from, to, flow.port, &Controller::Abstract)?;
                Verdicts {
                    allowed: answer.allowed,
                    conn: answer.conn.to_string(),
                    egress: answer.egress,
                    ingress: answer.ingress,
                    notes: answer.notes,
                }
            }
        };
        let passed = verdicts.allowed == expect_reach;
        Ok((passed, self.explain(flow, &verdicts), verdicts.notes))
    }

    /// An endpoint of an expectation as an endpoint of the engine.
    fn resolve(&self, spec: &EndpointSpec) -> Result<Endpoint, String> {
        match spec {
            EndpointSpec::IngressController => Ok(Endpoint::IngressController),
            EndpointSpec::External(text) => {
                IpRange::parse_cidr(text).map(|(range, _)| Endpoint::External(range))
            }
            EndpointSpec::Workload(name) => self
                .model
                .find_workload(name)
                .filter(|&i| !self.is_synthetic(i))
                .map(Endpoint::Workload)
                .ok_or_else(|| format!("unknown endpoint: no workload {name:?} in the input")),
            EndpointSpec::Hypothetical { .. } => self
                .hypothetical
                .iter()
                .find(|(s, _)| s == spec)
                .map(|&(_, i)| Endpoint::Workload(i))
                .ok_or_else(|| "the hypothetical pod was not modelled".to_owned()),
        }
    }

    fn is_synthetic(&self, index: usize) -> bool {
        self.model
            .workloads
            .get(index)
            .is_some_and(|w| &*w.at.file == SYNTHETIC_FILE)
    }

    /// The controller toward workload `d`: the stand-in pod's verdicts, or the
    /// first controller workload that may open a connection (the first one when none may).
    fn controller_toward(
        &self,
        engine: &Engine,
        d: usize,
        port: Option<(palisade_netpol::Protocol, u16)>,
    ) -> Result<Verdicts, String> {
        let class = |i: usize| {
            engine
                .class_of
                .get(i)
                .copied()
                .ok_or_else(|| format!("workload index {i} is out of range"))
        };
        let cd = class(d)?;
        let candidates: Vec<(DirectionVerdict, DirectionVerdict)> = match &self.controller {
            Controller::Abstract => vec![(
                engine.stand_in_egress(cd, true),
                engine.direction(cd, Direction::Ingress, Peer::IngressController, true),
            )],
            Controller::Pods(pods) => pods
                .iter()
                .filter(|&&c| c != d)
                .map(|&c| {
                    let cs = class(c)?;
                    Ok((
                        engine.direction(cs, Direction::Egress, Peer::Class(cd), true),
                        engine.direction(cd, Direction::Ingress, Peer::Class(cs), true),
                    ))
                })
                .collect::<Result<_, String>>()?,
        };
        let allows = |(e, i): &(DirectionVerdict, DirectionVerdict)| {
            let conn = e.allowed.intersect(&i.allowed);
            match port {
                Some((protocol, port)) => conn.contains(protocol, port),
                None => !conn.is_empty(),
            }
        };
        let chosen = candidates
            .iter()
            .find(|c| allows(c))
            .or(candidates.first())
            .cloned();
        let Some((egress, ingress)) = chosen else {
            return Err("the destination is the only ingress controller workload".to_owned());
        };
        let allowed = allows(&(egress.clone(), ingress.clone()));
        let conn = egress.allowed.intersect(&ingress.allowed).to_string();
        let mut notes = Vec::new();
        match (&self.controller, &self.synthetic_controller) {
            (Controller::Abstract, _) => notes.push(format!(
                "the ingress controller is np-guard's stand-in pod (no labels, namespace {}); name yours with --ingress-controller NS/SELECTOR",
                palisade_netpol::engine::STAND_IN_NAMESPACE
            )),
            (_, Some(id)) => notes.push(format!("the ingress controller is the synthetic pod {id}: no workload of the input matches --ingress-controller")),
            _ => {}
        }
        Ok(Verdicts {
            allowed,
            conn,
            egress: Some(egress),
            ingress: Some(ingress),
            notes,
        })
    }

    /// `allowed: A => B (TCP 8080): egress of A ...; ingress of B ...`.
    fn explain(&self, flow: &Flow, verdicts: &Verdicts) -> String {
        let port = flow
            .port
            .map(|(p, n)| format!(" on {p} {n}"))
            .unwrap_or_default();
        let mut text = format!(
            "{}: {} => {}{port} (allowed connections: {})",
            if verdicts.allowed {
                "allowed"
            } else {
                "denied"
            },
            self.name(&flow.from),
            self.name(&flow.to),
            verdicts.conn
        );
        if let Some(v) = &verdicts.egress {
            text.push_str(&format!("; egress: {}", direction(v)));
        }
        if let Some(v) = &verdicts.ingress {
            text.push_str(&format!("; ingress: {}", direction(v)));
        }
        text
    }

    /// How explanations name an endpoint: hypothetical pods with their synthetic pod.
    fn name(&self, spec: &EndpointSpec) -> String {
        match self.resolve(spec) {
            Ok(Endpoint::Workload(i)) if self.is_synthetic(i) => {
                let id = self
                    .model
                    .workloads
                    .get(i)
                    .map(|w| w.id())
                    .unwrap_or_default();
                format!("{} (synthetic pod {id})", spec.describe())
            }
            Ok(Endpoint::Workload(i)) => self
                .model
                .workloads
                .get(i)
                .map(|w| w.id())
                .unwrap_or_default(),
            _ => spec.describe(),
        }
    }
}

/// Both directions of one flow, as the engine decided them.
struct Verdicts {
    allowed: bool,
    conn: String,
    egress: Option<DirectionVerdict>,
    ingress: Option<DirectionVerdict>,
    notes: Vec<String>,
}

/// One direction in a clause: not isolated, or isolated by which policies and
/// which rules allow or deny what.
fn direction(verdict: &DirectionVerdict) -> String {
    let mut text = String::new();
    if !verdict.admin_selecting.is_empty() {
        text.push_str(&format!(
            "admin policies {}; ",
            verdict.admin_selecting.join(", ")
        ));
    }
    if verdict.isolating.is_empty() {
        text.push_str("no NetworkPolicy isolates it");
    } else {
        text.push_str(&format!("isolated by {}", verdict.isolating.join(", ")));
    }
    let rules: Vec<String> = verdict
        .steps
        .iter()
        .filter(|s| !s.rule.is_empty())
        .map(|s| {
            format!(
                "{} rule {} {} {}",
                s.policy,
                s.rule,
                action_verb(s.action),
                s.conn
            )
        })
        .collect();
    if !rules.is_empty() {
        text.push_str(&format!(" ({})", rules.join(", ")));
    } else if !verdict.isolating.is_empty() {
        text.push_str(" (no rule allows it)");
    }
    text
}

/// A rule's action as a verb of the sentence.
fn action_verb(action: Action) -> &'static str {
    match action {
        Action::Allow => "allows",
        Action::Deny => "denies",
        Action::Pass => "passes",
    }
}

/// The labels a synthetic controller pod carries: each `key=value` (or `key in
/// (value)`) of the selector, and an empty value for `key` (exists).
fn labels_for(spec: &ControllerSpec) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    for requirement in &spec.selector.requirements {
        match (requirement.operator, requirement.values.as_slice()) {
            (Operator::In, [value, ..]) => {
                labels.insert(requirement.key.clone(), value.clone());
            }
            (Operator::Exists, _) => {
                labels.insert(requirement.key.clone(), String::new());
            }
            _ => {}
        }
    }
    if spec.selector.matches(&labels) {
        Ok(labels)
    } else {
        Err("--ingress-controller: no pod can be modelled from this selector (give key=value requirements)".to_owned())
    }
}

/// A Pod with these labels, and no ports or anything else policies could read.
fn synthetic_pod(namespace: &str, name: &str, labels: &BTreeMap<String, String>) -> Object {
    let root = Node::from_json(&json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "synthetic"}]},
    }));
    Object::new(
        root,
        SourceRef {
            file: SYNTHETIC_FILE.into(),
            pos: Default::default(),
        },
    )
}
