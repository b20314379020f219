//! One reachability query with its explanation: which policies select the
//! source for egress and the destination for ingress, which rule of which
//! policy allows or denies each part, or that no rule does.

use serde::Serialize;

use crate::conn::{ConnSet, Protocol};
use crate::engine::{DirectionVerdict, Engine, Peer};
use crate::ip::{IpRange, partition};
use crate::model::{Direction, Model};

/// An end of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Index into `Model::workloads`.
    Workload(usize),
    External(IpRange),
}

impl Endpoint {
    /// Reads `ns/name[Kind]`, `ns/name` (a workload or one of its pods),
    /// `name` (in `default`), or an IP address or CIDR.
    pub fn parse(model: &Model, text: &str) -> Result<Endpoint, String> {
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
    pub notes: Vec<String>,
}

/// Evaluates `from -> to`, optionally for one (protocol, port).
pub fn reach(
    engine: &Engine,
    from: Endpoint,
    to: Endpoint,
    probe: Option<(Protocol, u16)>,
) -> Result<ReachAnswer, String> {
    let model = engine.model;
    let class = |i: usize| {
        engine
            .class_of
            .get(i)
            .copied()
            .ok_or_else(|| format!("workload index {i} is out of range"))
    };
    let mut notes = Vec::new();
    let (egress, ingress) = match (from, to) {
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
