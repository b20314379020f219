//! Where a finding sits inside its object: which pod template and which
//! container hold its location.
//!
//! A suppression written on a pod template covers the findings inside that
//! template, and one naming a container covers the findings inside that
//! container's entry; findings carry only a file position, so each template
//! and container is given the span of positions its values occupy (from its
//! first value to its last), and a finding belongs to the innermost span that
//! holds its position. A finding pointing at the object as a whole (its first
//! line) is in no template.

use std::collections::HashMap;

use palisade_core::{Inventory, Location, Node, Object, ObjectRef, Pos, Value, pod_templates};

/// The first and last known positions of a subtree (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    /// The positions of `nodes` and everything below them, keys included; `None`
    /// when none is known (objects built in memory). Iterative, so a deep tree
    /// cannot exhaust the stack.
    pub fn of(nodes: &[&Node]) -> Option<Span> {
        let mut span: Option<Span> = None;
        let mut add = |pos: Pos| {
            if !pos.is_known() {
                return;
            }
            span = Some(match span {
                None => Span {
                    start: pos,
                    end: pos,
                },
                Some(s) => Span {
                    start: s.start.min(pos),
                    end: s.end.max(pos),
                },
            });
        };
        let mut stack: Vec<&Node> = nodes.to_vec();
        while let Some(node) = stack.pop() {
            add(node.pos);
            match &node.value {
                Value::Seq(items) => stack.extend(items),
                Value::Map(map) => {
                    for (key, value) in map.iter() {
                        add(key.pos);
                        stack.push(value);
                    }
                }
                _ => {}
            }
        }
        span
    }

    pub fn contains(&self, pos: Pos) -> bool {
        self.start <= pos && pos <= self.end
    }
}

/// The pod templates of one object, with their spans and containers.
#[derive(Debug)]
pub struct Layout<'a> {
    pub object: &'a Object,
    pub templates: Vec<TemplateLayout<'a>>,
}

/// One pod template: its annotations' holder, its span, its containers.
#[derive(Debug)]
pub struct TemplateLayout<'a> {
    /// The template's `metadata` (for a Pod, the Pod's own).
    pub metadata: Option<&'a Node>,
    /// Empty for a Pod, whose template is the object itself.
    pub path: String,
    pub span: Option<Span>,
    /// Container names (init and ephemeral containers included) and spans.
    pub containers: Vec<(&'a str, Span)>,
}

/// Where in its object a finding is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Place<'a> {
    /// Index into `Layout::templates`.
    pub template: Option<usize>,
    pub container: Option<&'a str>,
}

const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

impl<'a> Layout<'a> {
    pub fn of(object: &'a Object) -> Layout<'a> {
        let templates = pod_templates(object)
            .into_iter()
            .map(|template| {
                let mut parts = vec![template.spec];
                parts.extend(template.metadata);
                let containers = CONTAINER_LISTS
                    .iter()
                    .filter_map(|list| template.spec.get(list).and_then(Node::as_seq))
                    .flatten()
                    .filter_map(|container| {
                        let name = container.get("name").and_then(Node::as_str)?;
                        Some((name, Span::of(&[container])?))
                    })
                    .collect();
                TemplateLayout {
                    metadata: template.metadata,
                    path: template.path,
                    span: Span::of(&parts),
                    containers,
                }
            })
            .collect();
        Layout { object, templates }
    }

    /// The template and container holding `location`, if it is in this object's file.
    pub fn place(&self, location: Option<&Location>) -> Place<'a> {
        let Some(location) = location else {
            return Place::default();
        };
        if *location.file != *self.object.source().file {
            return Place::default();
        }
        let pos = Pos::new(location.line, location.column);
        for (index, template) in self.templates.iter().enumerate() {
            if !template.span.is_some_and(|s| s.contains(pos)) {
                continue;
            }
            let container = template
                .containers
                .iter()
                .find(|(_, span)| span.contains(pos))
                .map(|(name, _)| *name);
            return Place {
                template: Some(index),
                container,
            };
        }
        Place::default()
    }
}

/// The objects of an inventory by identity, to find a finding's object.
pub struct ObjectIndex<'a> {
    by_ref: HashMap<&'a ObjectRef, Vec<usize>>,
    objects: &'a [Object],
}

impl<'a> ObjectIndex<'a> {
    pub fn new(inventory: &'a Inventory) -> ObjectIndex<'a> {
        let objects = inventory.objects();
        let mut by_ref: HashMap<&ObjectRef, Vec<usize>> = HashMap::new();
        for (i, object) in objects.iter().enumerate() {
            by_ref.entry(object.reference()).or_default().push(i);
        }
        ObjectIndex { by_ref, objects }
    }

    /// The index of the object a finding is about: the one of that identity in
    /// the finding's file when several share it, else the first.
    pub fn find(&self, object: &ObjectRef, location: Option<&Location>) -> Option<usize> {
        let candidates = self.by_ref.get(object)?;
        let in_file = location.and_then(|l| {
            candidates.iter().copied().find(|&i| {
                self.objects
                    .get(i)
                    .is_some_and(|o| *o.source().file == *l.file)
            })
        });
        in_file.or_else(|| candidates.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn object(yaml: &str) -> Object {
        let load =
            palisade_load::load_bytes(Arc::from("t.yaml"), yaml.as_bytes(), &Default::default())
                .unwrap_or_else(|e| panic!("{e:?}"));
        load.objects
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("one object"))
    }

    const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations: {a: b}
    spec:
      containers:
      - name: app
        image: app
      - name: sidecar
        image: side
";

    fn at(line: u32, column: u32) -> Location {
        Location {
            file: Arc::from("t.yaml"),
            line,
            column,
        }
    }

    #[test]
    fn findings_are_placed_in_their_template_and_container() {
        let object = object(DEPLOYMENT);
        let layout = Layout::of(&object);
        assert_eq!(layout.templates.len(), 1);
        assert_eq!(
            layout.place(Some(&at(12, 16))),
            Place {
                template: Some(0),
                container: Some("app")
            }
        );
        assert_eq!(
            layout.place(Some(&at(13, 9))),
            Place {
                template: Some(0),
                container: Some("sidecar")
            }
        );
        assert_eq!(
            layout.place(Some(&at(8, 7))),
            Place {
                template: Some(0),
                container: None
            }
        );
        assert_eq!(layout.place(Some(&at(1, 1))), Place::default());
        let elsewhere = Location {
            file: Arc::from("other.yaml"),
            line: 12,
            column: 16,
        };
        assert_eq!(layout.place(Some(&elsewhere)), Place::default());
        assert_eq!(layout.place(None), Place::default());
    }
}
