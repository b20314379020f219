//! What every check walks: the inventory's pod templates and their containers,
//! and one way to turn a decision into a [`Finding`] at the field it is about.

use std::collections::HashSet;
use std::sync::OnceLock;

use palisade_core::{Finding, Inventory, Node, Object, Options, PodTemplate, Rule, Severity};

/// The run a check sees: the inventory and the options, with the pod templates
/// collected once for every check of a group.
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub options: &'a Options,
    templates: Vec<PodTemplate<'a>>,
    /// What HorizontalPodAutoscalers target, read on first use.
    autoscaled: OnceLock<HashSet<(Option<&'a str>, &'a str, &'a str)>>,
}

impl<'a> Context<'a> {
    pub fn new(inventory: &'a Inventory, options: &'a Options) -> Context<'a> {
        Context {
            inventory,
            options,
            templates: inventory.pod_templates().collect(),
            autoscaled: OnceLock::new(),
        }
    }

    /// True when a HorizontalPodAutoscaler of the input targets `object` (same
    /// namespace, kind and name): the autoscaler then owns the replica count.
    pub fn autoscaled(&self, object: &Object) -> bool {
        let targets = self.autoscaled.get_or_init(|| {
            let text = |hpa: &'a Object, field: &str| {
                hpa.root()
                    .path(&["spec", "scaleTargetRef", field])
                    .and_then(Node::as_str)
            };
            self.inventory
                .of_kind("HorizontalPodAutoscaler")
                .filter_map(|hpa| Some((hpa.namespace(), text(hpa, "kind")?, text(hpa, "name")?)))
                .collect()
        });
        targets.contains(&(object.namespace(), object.kind(), object.name()))
    }

    /// Every pod template of every workload (a Pod's own spec included).
    pub fn pod_templates(&self) -> &[PodTemplate<'a>] {
        &self.templates
    }

    /// Every container of every pod template, init and ephemeral ones included;
    /// checks that do not apply to some kinds filter on [`Container::kind`].
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + '_ {
        self.templates.iter().flat_map(containers_of)
    }
}

/// Which list of the pod spec a container comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

impl ContainerKind {
    pub const ALL: [ContainerKind; 3] = [
        ContainerKind::Container,
        ContainerKind::Init,
        ContainerKind::Ephemeral,
    ];

    /// The pod spec field holding this kind of container.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    /// How messages name it: `container`, `init container`, `ephemeral container`.
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod template.
#[derive(Clone, Debug)]
pub struct Container<'a> {
    pub template: PodTemplate<'a>,
    pub kind: ContainerKind,
    /// The container's mapping.
    pub node: &'a Node,
    /// `name`, empty when missing.
    pub name: &'a str,
}

impl<'a> Container<'a> {
    pub fn object(&self) -> &'a Object {
        self.template.object
    }

    /// A field of the container, by path.
    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        self.node.path(path)
    }

    /// The container's value of a `securityContext` field, falling back to the
    /// pod's `securityContext` for the fields that both carry (as the kubelet
    /// resolves `runAsUser`, `runAsNonRoot`, `seccompProfile`, ...).
    pub fn effective_security(&self, field: &str) -> Option<&'a Node> {
        self.get(&["securityContext", field])
            .filter(|n| !n.is_null())
            .or_else(|| {
                self.template
                    .spec
                    .path(&["securityContext", field])
                    .filter(|n| !n.is_null())
            })
    }

    /// `container "app" of Deployment prod/web` (init and ephemeral named so).
    pub fn describe(&self) -> String {
        format!(
            "{} {:?} of {}",
            self.kind.noun(),
            self.name,
            describe_object(self.object())
        )
    }

    /// A finding about this container, at `at` when given, else at the container.
    pub fn finding(&self, rule: &Rule, at: Option<&Node>, message: String) -> Finding {
        finding(rule, self.object(), at.or(Some(self.node)), message)
    }
}

/// The containers of one pod template, in spec order: containers, init, ephemeral.
pub fn containers_of<'a>(template: &PodTemplate<'a>) -> Vec<Container<'a>> {
    let mut out = Vec::new();
    for kind in ContainerKind::ALL {
        let Some(list) = template.spec.get(kind.field()).and_then(Node::as_seq) else {
            continue;
        };
        for node in list.iter().filter(|n| n.as_map().is_some()) {
            out.push(Container {
                template: template.clone(),
                kind,
                node,
                name: node.get("name").and_then(Node::as_str).unwrap_or(""),
            });
        }
    }
    out
}

/// `Deployment prod/web`, `ClusterRole admin`.
pub fn describe_object(object: &Object) -> String {
    match object.namespace() {
        Some(ns) => format!("{} {ns}/{}", object.kind(), object.name()),
        None => format!("{} {}", object.kind(), object.name()),
    }
}

/// How messages name a pod template: its object (`Deployment prod/web`), with
/// the template's path when the object holds several (a LeaderWorkerSet's
/// leader and worker templates), so each is told apart.
pub fn describe_template(template: &PodTemplate) -> String {
    let object = describe_object(template.object);
    if palisade_core::pod_templates(template.object).len() > 1 {
        format!("{object} ({})", template.path)
    } else {
        object
    }
}

/// A finding of `rule` at its default severity about `object`, pointing at `at`
/// (the object itself when `at` is `None` or has no position). The rule's fix
/// section is the remediation unless the caller sets a more specific one.
pub fn finding(rule: &Rule, object: &Object, at: Option<&Node>, message: String) -> Finding {
    finding_at(rule, rule.severity, object, at, message)
}

/// [`finding`] at a severity other than the rule's default.
pub fn finding_at(
    rule: &Rule,
    severity: Severity,
    object: &Object,
    at: Option<&Node>,
    message: String,
) -> Finding {
    Finding::new(
        rule.id,
        severity,
        message,
        &object.locate(at),
        Some(object.reference().clone()),
    )
}
