//! From findings to the places their fixes edit: which object of the file a
//! finding is about (its identity, and its location when two objects share
//! one), which pod template, and for container rules which container. A
//! finding points at the offending value or at the template or container it
//! is about, so the template or container is the last one that starts at or
//! before the finding's position.

use palisade_core::{Finding, Node, Object, Pos, pod_templates};

use crate::fixers::{Fixer, Scope, Site};

/// What one fix request names: a rule's fixer and the position the finding
/// points at (unknown when the finding has no location).
#[derive(Clone, Copy)]
pub struct Request {
    pub fixer: &'static Fixer,
    /// `None`: every pod template and every container of the object.
    pub at: Option<Pos>,
}

/// The index of the object in `objects` a finding of this file is about.
pub fn object_of(finding: &Finding, objects: &[Object]) -> Option<usize> {
    let wanted = finding.object.as_ref()?;
    let at = finding
        .location
        .as_ref()
        .map(|l| Pos::new(l.line, l.column))
        .unwrap_or_default();
    let candidates = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| o.reference() == wanted);
    if at.is_known() {
        candidates
            .filter(|(_, o)| o.source().pos <= at)
            .map(|(i, _)| i)
            .next_back()
    } else {
        candidates.map(|(i, _)| i).next()
    }
}

/// The sites one request covers in `object`.
pub fn sites<'a>(object: &'a Object, request: Request) -> Vec<Site<'a>> {
    let templates = pod_templates(object);
    let chosen: Vec<_> = match request.at {
        Some(at) => last_at_or_before(templates.iter().map(|t| t.spec.pos), at)
            .and_then(|i| templates.get(i).cloned())
            .into_iter()
            .collect(),
        None => templates,
    };
    let mut out = Vec::new();
    for template in chosen {
        let containers = containers_of(template.spec);
        match (request.fixer.scope, request.at) {
            (Scope::PodTemplate, _) => out.push(Site {
                spec: template.spec,
                containers,
            }),
            (Scope::Container, Some(at)) => {
                if let Some(one) = last_at_or_before(containers.iter().map(|c| c.pos), at)
                    .and_then(|i| containers.get(i))
                {
                    out.push(Site {
                        spec: template.spec,
                        containers: vec![*one],
                    });
                }
            }
            (Scope::Container, None) => out.extend(containers.iter().map(|c| Site {
                spec: template.spec,
                containers: vec![*c],
            })),
        }
    }
    out
}

/// Containers, init containers and ephemeral containers, in that order (the
/// order Pod Security lists them in).
fn containers_of(spec: &Node) -> Vec<&Node> {
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .filter_map(|field| spec.get(field).and_then(Node::as_seq))
        .flatten()
        .filter(|c| c.as_map().is_some())
        .collect()
}

/// The last of `starts` at or before `at`, when `at` is known and one is.
fn last_at_or_before(starts: impl Iterator<Item = Pos>, at: Pos) -> Option<usize> {
    let mut best: Option<(usize, Pos)> = None;
    for (i, start) in starts.enumerate() {
        if start <= at && best.is_none_or(|(_, b)| start >= b) {
            best = Some((i, start));
        }
    }
    best.map(|(i, _)| i)
}
