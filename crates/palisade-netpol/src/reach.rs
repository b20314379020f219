//! One reachability query with its explanation: which policies select the
//! source for egress and the destination for ingress, which rule of which
//! policy allows or denies each part, or that no rule does.

use serde::Serialize;

use crate::conn::{ConnSet, Protocol};
use crate::engine::{DirectionVerdict, Engine, Peer};
use crate::ingress::{self, Controller};
use crate::ip::{IpRange, partition};
use crate::model::{Direction, Model};

/// An end of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Index into `Model::workloads`.
    Workload(usize),
    External(IpRange),
    /// The ingress controller (a source only; see [`crate::ingress`]).
    IngressController,
}

impl Endpoint {
    /// Reads `ns/name[Kind]`, `ns/name` (a workload or one of its pods),
    /// `name` (in `default`), an IP address or CIDR, or `ingress-controller`
    /// (also `{ingress-controller}`; a workload of that name in `default` is
    /// then `default/ingress-controller`).
    pub fn parse(model: &Model, text: &str) -> Result<Endpoint, String> {
        if text == "ingress-controller" || text == ingress::PEER_NAME {
            return Ok(Endpoint::IngressController);
        }
        let looks_like_ip =
            text.contains(':') || text.chars().next().is_some_and(|c| c.is_ascii_digit());
        if looks_like_ip && let Ok((range, _)) = IpRange::parse_cidr(text) {
            return Ok(Endpoint::External(range));
        }
        model
            .find_workload(text)
            .map(Endpoint::Workload)
            .ok_or_else(|| format!("no workload or pod named {text:?} in the input"))
    }

    fn name(&self, model: &Model) -> String {
        match self {
            Endpoint::Workload(i) => model.workloads.get(*i).map(|w| w.id()).unwrap_or_default(),
            Endpoint::External(r) => r.to_string(),
            Endpoint::IngressController => ingress::PEER_NAME.to_owned(),
        }
    }
}

/// The answer to one query.
#[derive(Clone, Debug, Serialize)]
pub struct ReachAnswer {
    pub from: String,
    pub to: String,
    /// The probed (protocol, port), when the query named one.
    pub probe: Option<(Protocol, u16)>,
    /// With a probe: whether it is allowed. Without: whether anything is.
    pub allowed: bool,
    /// Every allowed connection (for an address range: what holds for every
    /// address in it).
    pub conn: ConnSet,
    /// The source's egress verdict (absent for an external source).
    pub egress: Option<DirectionVerdict>,
    /// The destination's ingress verdict (absent for an external destination).
    pub ingress: Option<DirectionVerdict>,
    /// From the ingress controller only: the Ingress and Route objects that
    /// send traffic to the destination, and the ports they expose (before
    /// policies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<RoutesToward>,
    pub notes: Vec<String>,
}

/// What Ingress and Route objects send to one workload.
#[derive(Clone, Debug, Serialize)]
pub struct RoutesToward {
    /// `Ingress ns/name`, `Route ns/name`.
    pub via: Vec<String>,
    pub exposed: ConnSet,
    /// The controller workloads evaluated (`--ingress-controller`), by name;
    /// empty for np-guard's stand-in pod.
    pub controller: Vec<String>,
}

/// Evaluates `from -> to`, optionally for one (protocol, port), with np-guard's
/// abstract ingress controller.
pub fn reach(
    engine: &Engine,
    from: Endpoint,
    to: Endpoint,
    probe: Option<(Protocol, u16)>,
) -> Result<ReachAnswer, String> {
    reach_with(engine, from, to, probe, &Controller::Abstract)
}

/// [`reach`] with the ingress controller given.
pub fn reach_with(
    engine: &Engine,
    from: Endpoint,
    to: Endpoint,
    probe: Option<(Protocol, u16)>,
    controller: &Controller,
) -> Result<ReachAnswer, String> {
    let model = engine.model;
    match (from, to) {
        (_, Endpoint::IngressController) => {
            return Err(
                "the ingress controller is only a source: use --from ingress-controller".into(),
            );
        }
        (Endpoint::IngressController, Endpoint::External(_)) => {
            return Err(
                "the ingress controller is modelled toward workloads only: --to must be a workload"
                    .into(),
            );
        }
        (Endpoint::IngressController, Endpoint::Workload(d)) => {
            return from_controller(engine, d, probe, controller);
        }
        _ => {}
    }
    let class = |i: usize| {
        engine
            .class_of
            .get(i)
            .copied()
            .ok_or_else(|| format!("workload index {i} is out of range"))
    };
    let mut notes = Vec::new();
    let (egress, ingress) = match (from, to) {
        (Endpoint::IngressController, _) | (_, Endpoint::IngressController) => {
            return Err("the ingress controller is answered above".into());
        }
        (Endpoint::External(_), Endpoint::External(_)) => {
            return Err("at least one end must be a workload: traffic between external addresses is out of scope".into());
        }
        (Endpoint::Workload(s), Endpoint::Workload(d)) => {
            let (cs, cd) = (class(s)?, class(d)?);
            if s == d {
                notes.push("source and destination are the same workload; connection lists omit such pairs".into());
            }
            (
                Some(engine.direction(cs, Direction::Egress, Peer::Class(cd), true)),
                Some(engine.direction(cd, Direction::Ingress, Peer::Class(cs), true)),
            )
        }
        (Endpoint::External(range), Endpoint::Workload(d)) => {
            let cd = class(d)?;
            let pieces = pieces_of(range, &engine.source_cuts);
            let verdict = weakest(
                pieces
                    .iter()
                    .map(|p| engine.direction(cd, Direction::Ingress, Peer::External(*p), true)),
            );
            note_pieces(&mut notes, pieces.len());
            (None, verdict)
        }
        (Endpoint::Workload(s), Endpoint::External(range)) => {
            let cs = class(s)?;
            let pieces = pieces_of(range, &engine.destination_cuts);
            let verdict = weakest(
                pieces
                    .iter()
                    .map(|p| engine.direction(cs, Direction::Egress, Peer::External(*p), true)),
            );
            note_pieces(&mut notes, pieces.len());
            (verdict, None)
        }
    };
    let mut conn = ConnSet::all();
    for v in egress.iter().chain(&ingress) {
        conn = conn.intersect(&v.allowed);
    }
    let allowed = match probe {
        Some((p, port)) => conn.contains(p, port),
        None => !conn.is_empty(),
    };
    Ok(ReachAnswer {
        from: from.name(model),
        to: to.name(model),
        probe,
        allowed,
        conn,
        egress,
        ingress,
        routes: None,
        notes,
    })
}

/// `{ingress-controller} -> workload d`: what the Ingress/Route objects expose
/// of `d`, within what the policies allow from the controller.
fn from_controller(
    engine: &Engine,
    d: usize,
    probe: Option<(Protocol, u16)>,
    controller: &Controller,
) -> Result<ReachAnswer, String> {
    let model = engine.model;
    let cd = engine
        .class_of
        .get(d)
        .copied()
        .ok_or_else(|| format!("workload index {d} is out of range"))?;
    let mut notes = Vec::new();
    let exposure = ingress::exposed(model)
        .into_iter()
        .find(|e| e.workload == d);
    let exposed = exposure
        .as_ref()
        .map(|e| e.conn.clone())
        .unwrap_or_else(ConnSet::none);
    if exposure.is_none() {
        notes.push("no Ingress or Route sends traffic to this workload (through a Service of its namespace that selects it, on a port it declares): the controller opens no connection to it".into());
    }
    let (egress, ingress, allowed, names) = match controller {
        Controller::Abstract => {
            notes.push(format!(
                "the ingress controller is np-guard's stand-in pod: no labels, in namespace {} (name --ingress-controller NS/SELECTOR to use your controller's pods)",
                crate::engine::STAND_IN_NAMESPACE
            ));
            let egress = engine.stand_in_egress(cd, true);
            let ingress = engine.direction(cd, Direction::Ingress, Peer::IngressController, true);
            let allowed = egress.allowed.intersect(&ingress.allowed);
            (egress, ingress, allowed, Vec::new())
        }
        Controller::Pods(pods) => {
            let pods: Vec<usize> = pods.iter().copied().filter(|&c| c != d).collect();
            if pods.is_empty() {
                return Err("the destination is the only ingress controller workload".into());
            }
            let mut allowed = ConnSet::none();
            let mut chosen = None;
            for &c in &pods {
                let cs = engine
                    .class_of
                    .get(c)
                    .copied()
                    .ok_or_else(|| format!("workload index {c} is out of range"))?;
                let egress = engine.direction(cs, Direction::Egress, Peer::Class(cd), true);
                let ingress = engine.direction(cd, Direction::Ingress, Peer::Class(cs), true);
                let conn = egress.allowed.intersect(&ingress.allowed);
                allowed.add(&conn);
                let useful = !conn.intersect(&exposed).is_empty();
                if chosen.is_none()
                    || (useful && !chosen.as_ref().is_some_and(|x: &(usize, _, _, bool)| x.3))
                {
                    chosen = Some((c, egress, ingress, useful));
                }
            }
            let names: Vec<String> = pods
                .iter()
                .filter_map(|&c| model.workloads.get(c).map(|w| w.id()))
                .collect();
            let Some((c, egress, ingress, _)) = chosen else {
                return Err("no ingress controller workload".into());
            };
            if pods.len() > 1
                && let Some(w) = model.workloads.get(c)
            {
                notes.push(format!(
                    "{} controller workloads: the answer is what any of them may open; the reasons shown are {}'s",
                    pods.len(),
                    w.id()
                ));
            }
            (egress, ingress, allowed, names)
        }
    };
    let conn = exposed.intersect(&allowed);
    let allowed = match probe {
        Some((p, port)) => conn.contains(p, port),
        None => !conn.is_empty(),
    };
    Ok(ReachAnswer {
        from: ingress::PEER_NAME.to_owned(),
        to: model.workloads.get(d).map(|w| w.id()).unwrap_or_default(),
        probe,
        allowed,
        conn,
        egress: Some(egress),
        ingress: Some(ingress),
        routes: Some(RoutesToward {
            via: exposure.map(|e| e.via).unwrap_or_default(),
            exposed,
            controller: names,
        }),
        notes,
    })
}

/// The pieces of `range` that no block boundary cuts further.
fn pieces_of(range: IpRange, cuts: &[IpRange]) -> Vec<IpRange> {
    partition(range.family, cuts.iter().chain(std::iter::once(&range)))
        .into_iter()
        .filter(|p| range.contains(p))
        .collect()
}

fn note_pieces(notes: &mut Vec<String>, n: usize) {
    if n > 1 {
        notes.push(format!(
            "the address range spans {n} pieces that policies treat separately; the answer is what holds for all of them"
        ));
    }
}

/// Combines the verdicts of several pieces: allowed is their intersection, the
/// explanation is that of the most restricted piece.
fn weakest(verdicts: impl Iterator<Item = DirectionVerdict>) -> Option<DirectionVerdict> {
    let all: Vec<DirectionVerdict> = verdicts.collect();
    let mut common = all.first()?.allowed.clone();
    for v in &all[1..] {
        common = common.intersect(&v.allowed);
    }
    let mut chosen = all
        .iter()
        .find(|v| v.allowed == common)
        .unwrap_or(&all[0])
        .clone();
    chosen.allowed = common;
    Some(chosen)
}
