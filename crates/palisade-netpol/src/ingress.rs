//! The ingress controller as a peer, as np-guard models it.
//!
//! Ingress (`networking.k8s.io/v1`) and OpenShift Route (`route.openshift.io/v1`)
//! objects name Services; a Service's `selector` picks workloads of its own
//! namespace, and its ports say which container port traffic lands on. The
//! controller that serves those objects therefore opens connections to those
//! workloads, on those ports, and the policies still decide:
//!
//! * **Backends.** An Ingress names a Service (and a port, by number or name)
//!   in `spec.defaultBackend.service` and in every
//!   `spec.rules[*].http.paths[*].backend.service`; a Route in `spec.to` and
//!   `spec.alternateBackends[*]` (kind `Service` or no kind), with one
//!   `spec.port.targetPort` for all of them. Only Services of the object's own
//!   namespace are looked up; a missing one is skipped.
//! * **Service to workloads.** A Service without `selector` selects nothing (np-guard
//!   ignores it); otherwise its `selector` is matched against the workloads of
//!   its namespace (an empty one selects them all).
//! * **Ports.** With no port named by the object, every Service port counts;
//!   otherwise the first Service port whose `name` equals the asked name, whose
//!   `port` equals the asked number, or whose `targetPort` equals what was asked.
//!   A Service port lands on its `targetPort` (its `port` when absent); a named
//!   target port resolves on the workload's container ports and must be TCP.
//!   The port must be one the workload declares (np-guard counts every declared
//!   container port, whatever its protocol). The result is TCP only.
//! * **Policies.** The controller is np-guard's stand-in pod
//!   ([`crate::engine::StandIn`]): no labels, in `ingress-controller-ns`. The
//!   connection is the ports above intersected with what the stand-in's egress
//!   and the backend's ingress allow, through every tier. An empty result is
//!   left out. With [`Controller::Pods`] the user's own controller workloads
//!   replace the stand-in (see [`Controller`]).

use std::collections::BTreeMap;

use palisade_core::{Inventory, Node, Object, ObjectRef};

use crate::conn::{ConnSet, Protocol};
use crate::engine::{Engine, Peer};
use crate::model::{Model, Workload};
use palisade_core::LabelSelector as Selector;

/// np-guard's name for the ingress controller peer in connection lists.
pub const PEER_NAME: &str = "{ingress-controller}";

/// A port as an Ingress, Route or Service names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef {
    Number(i64),
    Name(String),
}

/// A Service port: its `name`, `port` and `targetPort`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: i64,
    pub target: Option<PortRef>,
}

impl ServicePort {
    /// The port the traffic lands on in the pod: `targetPort`, else `port`.
    fn access(&self) -> PortRef {
        self.target.clone().unwrap_or(PortRef::Number(self.port))
    }

    /// Whether this Service port is the one asked for (np-guard's test: name,
    /// number, or target port equal to what the object asked).
    fn answers(&self, asked: &PortRef) -> bool {
        match asked {
            PortRef::Name(n) => {
                self.name.as_deref() == Some(n.as_str())
                    || self.target.as_ref() == Some(asked)
                    || self.port == 0
            }
            PortRef::Number(n) => self.port == *n || self.target.as_ref() == Some(asked),
        }
    }
}

/// A Service as the ingress analysis needs it.
#[derive(Clone, Debug)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    /// `None`: no `selector` (np-guard ignores such a Service).
    pub selector: Option<BTreeMap<String, String>>,
    pub ports: Vec<ServicePort>,
}

/// One backend of an Ingress or Route: a Service of its namespace and the
/// port asked of it (`None`: every port of the Service).
#[derive(Clone, Debug)]
pub struct Backend {
    pub service: String,
    pub port: Option<PortRef>,
}

/// An Ingress or a Route.
#[derive(Clone, Debug)]
pub struct Route {
    /// `Ingress` or `Route`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub backends: Vec<Backend>,
    pub object: ObjectRef,
}

impl Route {
    /// `Ingress ns/name` or `Route ns/name`.
    pub fn id(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// What the Ingress and Route objects expose of one workload.
#[derive(Clone, Debug, PartialEq)]
pub struct Exposed {
    /// Index into `Model::workloads`.
    pub workload: usize,
    /// TCP ports the objects send traffic to.
    pub conn: ConnSet,
    /// The objects that do (`Ingress ns/name`, `Route ns/name`), sorted.
    pub via: Vec<String>,
}

pub(crate) fn collect(inventory: &Inventory, model: &mut Model) {
    for object in inventory.objects() {
        match (object.group(), object.kind()) {
            ("", "Service") => model.services.push(service(object)),
            ("networking.k8s.io", "Ingress") => model.routes.push(Route {
                kind: "Ingress".to_owned(),
                namespace: namespace(object),
                name: object.name().to_owned(),
                backends: ingress_backends(object.root()),
                object: object.reference().clone(),
            }),
            ("route.openshift.io", "Route") => model.routes.push(Route {
                kind: "Route".to_owned(),
                namespace: namespace(object),
                name: object.name().to_owned(),
                backends: route_backends(object.root()),
                object: object.reference().clone(),
            }),
            _ => {}
        }
    }
}

fn namespace(object: &Object) -> String {
    object.namespace().unwrap_or("default").to_owned()
}

fn port_ref(node: Option<&Node>) -> Option<PortRef> {
    let node = node?;
    if let Some(n) = node.as_i64() {
        return Some(PortRef::Number(n));
    }
    node.as_str()
        .filter(|s| !s.is_empty())
        .map(|s| PortRef::Name(s.to_owned()))
}

fn service(object: &Object) -> Service {
    let spec = object.root().get("spec");
    let selector = spec
        .and_then(|s| s.get("selector"))
        .filter(|n| n.as_map().is_some())
        .map(|n| {
            palisade_core::string_entries(Some(n))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        });
    let ports = spec
        .and_then(|s| s.get("ports"))
        .into_iter()
        .flat_map(Node::items)
        .map(|p| ServicePort {
            name: p
                .get("name")
                .and_then(Node::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            port: p.get("port").and_then(Node::as_i64).unwrap_or(0),
            target: port_ref(p.get("targetPort")).filter(|t| *t != PortRef::Number(0)),
        })
        .collect();
    Service {
        namespace: namespace(object),
        name: object.name().to_owned(),
        selector,
        ports,
    }
}

/// An `IngressServiceBackend`: `name` and `port.name` or `port.number`.
fn ingress_service(backend: Option<&Node>) -> Option<Backend> {
    let service = backend?.get("service")?;
    let name = service.get("name").and_then(Node::as_str)?.to_owned();
    let port = service.get("port");
    let port = port_ref(port.and_then(|p| p.get("name")))
        .or_else(|| port_ref(port.and_then(|p| p.get("number"))))
        .filter(|p| *p != PortRef::Number(0));
    Some(Backend {
        service: name,
        port,
    })
}

fn ingress_backends(root: &Node) -> Vec<Backend> {
    let spec = root.get("spec");
    let mut out: Vec<Backend> = ingress_service(spec.and_then(|s| s.get("defaultBackend")))
        .into_iter()
        .collect();
    for rule in spec
        .and_then(|s| s.get("rules"))
        .into_iter()
        .flat_map(Node::items)
    {
        for path in rule
            .path(&["http", "paths"])
            .into_iter()
            .flat_map(Node::items)
        {
            out.extend(ingress_service(path.get("backend")));
        }
    }
    out
}

fn route_backends(root: &Node) -> Vec<Backend> {
    let spec = root.get("spec");
    let port = port_ref(spec.and_then(|s| s.path(&["port", "targetPort"])))
        .filter(|p| *p != PortRef::Number(0));
    let service = |target: &Node| {
        let kind = target.get("kind").and_then(Node::as_str).unwrap_or("");
        if !kind.is_empty() && kind != "Service" {
            return None;
        }
        Some(Backend {
            service: target.get("name").and_then(Node::as_str)?.to_owned(),
            port: port.clone(),
        })
    };
    spec.and_then(|s| s.get("to"))
        .into_iter()
        .chain(
            spec.and_then(|s| s.get("alternateBackends"))
                .into_iter()
                .flat_map(Node::items),
        )
        .filter_map(service)
        .collect()
}

/// The workloads a Service selects (indices into `Model::workloads`).
fn selected(model: &Model, service: &Service) -> Vec<usize> {
    let Some(selector) = &service.selector else {
        return Vec::new();
    };
    model
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            w.namespace == service.namespace
                && selector.iter().all(|(k, v)| w.labels.get(k) == Some(v))
        })
        .map(|(i, _)| i)
        .collect()
}

/// The TCP ports of `workload` that `backend` reaches through `service`.
fn backend_ports(workload: &Workload, service: &Service, asked: Option<&PortRef>) -> ConnSet {
    let access: Vec<PortRef> = match asked {
        None => service.ports.iter().map(ServicePort::access).collect(),
        Some(asked) => service
            .ports
            .iter()
            .find(|p| p.answers(asked))
            .map(ServicePort::access)
            .into_iter()
            .collect(),
    };
    let mut out = ConnSet::none();
    for port in access {
        let number = match port {
            PortRef::Number(n) => u16::try_from(n).ok(),
            PortRef::Name(name) => workload
                .ports
                .iter()
                .find(|p| p.name.as_deref() == Some(name.as_str()))
                .filter(|p| p.protocol == Protocol::Tcp)
                .map(|p| p.number),
        };
        if let Some(n) = number
            && workload.ports.iter().any(|p| p.number == n)
        {
            out.add(&ConnSet::single(Protocol::Tcp, n));
        }
    }
    out
}

/// Every workload the Ingress and Route objects send traffic to, with the
/// ports, before any policy is consulted. Sorted by workload index.
pub fn exposed(model: &Model) -> Vec<Exposed> {
    let mut by_workload: BTreeMap<usize, (ConnSet, Vec<String>)> = BTreeMap::new();
    for route in &model.routes {
        for backend in &route.backends {
            let Some(service) = model
                .services
                .iter()
                .find(|s| s.namespace == route.namespace && s.name == backend.service)
            else {
                continue;
            };
            for w in selected(model, service) {
                let Some(workload) = model.workloads.get(w) else {
                    continue;
                };
                let conn = backend_ports(workload, service, backend.port.as_ref());
                let entry = by_workload.entry(w).or_default();
                entry.0.add(&conn);
                if !conn.is_empty() && !entry.1.contains(&route.id()) {
                    entry.1.push(route.id());
                }
            }
        }
    }
    by_workload
        .into_iter()
        .filter(|(_, (conn, _))| !conn.is_empty())
        .map(|(workload, (conn, mut via))| {
            via.sort();
            Exposed {
                workload,
                conn,
                via,
            }
        })
        .collect()
}

/// Who the ingress controller is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Controller {
    /// np-guard's stand-in pod (no labels, namespace `ingress-controller-ns`).
    Abstract,
    /// The user's controller workloads (indices into `Model::workloads`): the
    /// connection to a backend is what any of them may open to it (each one's
    /// egress and the backend's ingress), within the exposed ports.
    Pods(Vec<usize>),
}

/// `--ingress-controller NS/SELECTOR`: the controller's namespace and a label
/// selector in kubectl's `-l` grammar (`k=v`, `k==v`, `k!=v`, `k`, `!k`,
/// comma-separated; `k in (a,b)` and `k notin (a,b)` too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerSpec {
    pub namespace: String,
    pub selector: Selector,
}

impl ControllerSpec {
    pub fn parse(text: &str) -> Result<ControllerSpec, String> {
        let (namespace, selector) = text.split_once('/').ok_or_else(|| {
            format!("{text:?} is not NAMESPACE/SELECTOR (e.g. ingress-nginx/app.kubernetes.io/name=ingress-nginx)")
        })?;
        if namespace.is_empty() {
            return Err(format!("{text:?} names no namespace"));
        }
        Ok(ControllerSpec {
            namespace: namespace.to_owned(),
            selector: parse_selector(selector)?,
        })
    }

    /// The controller this names in `model`: its workloads, or np-guard's
    /// stand-in when none of the input's workloads match.
    pub fn controller(&self, model: &Model) -> Controller {
        let pods = self.resolve(model);
        if pods.is_empty() {
            Controller::Abstract
        } else {
            Controller::Pods(pods)
        }
    }

    /// The workloads of the input this names, in model order.
    pub fn resolve(&self, model: &Model) -> Vec<usize> {
        model
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.namespace == self.namespace && self.selector.matches(&w.labels))
            .map(|(i, _)| i)
            .collect()
    }
}

/// kubectl's `-l` selector grammar, without set-based syntax inside values.
fn parse_selector(text: &str) -> Result<Selector, String> {
    use palisade_core::selector::{Operator, Requirement};
    let mut requirements = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        // One requirement ends at a comma outside parentheses.
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let part = rest[..end].trim();
        rest = rest.get(end + 1..).unwrap_or("").trim();
        if part.is_empty() {
            return Err(format!("empty requirement in selector {text:?}"));
        }
        let requirement = if let Some(key) = part.strip_prefix('!') {
            Requirement {
                key: key.trim().to_owned(),
                operator: Operator::DoesNotExist,
                values: Vec::new(),
            }
        } else if let Some((k, v)) = part.split_once("!=") {
            Requirement {
                key: k.trim().to_owned(),
                operator: Operator::NotIn,
                values: vec![v.trim().to_owned()],
            }
        } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
            Requirement {
                key: k.trim().to_owned(),
                operator: Operator::In,
                values: vec![v.trim().to_owned()],
            }
        } else if let Some((k, op, v)) = set_based(part) {
            Requirement {
                key: k,
                operator: op,
                values: v,
            }
        } else {
            Requirement {
                key: part.to_owned(),
                operator: Operator::Exists,
                values: Vec::new(),
            }
        };
        if requirement.key.is_empty() || requirement.key.contains([' ', '(', ')', '=', '!']) {
            return Err(format!("bad requirement {part:?} in selector {text:?}"));
        }
        requirements.push(requirement);
    }
    if requirements.is_empty() {
        return Err("the controller selector is empty".to_owned());
    }
    Ok(Selector { requirements })
}

/// `key in (a,b)` / `key notin (a,b)`.
fn set_based(part: &str) -> Option<(String, palisade_core::selector::Operator, Vec<String>)> {
    use palisade_core::selector::Operator;
    let open = part.find('(')?;
    let inner = part.get(open + 1..)?.strip_suffix(')')?;
    let mut head = part[..open].split_whitespace();
    let key = head.next()?.to_owned();
    let op = match head.next()? {
        "in" => Operator::In,
        "notin" => Operator::NotIn,
        _ => return None,
    };
    if head.next().is_some() {
        return None;
    }
    let values = inner.split(',').map(|v| v.trim().to_owned()).collect();
    Some((key, op, values))
}

/// One backend as the controller reaches it, after the policies.
#[derive(Clone, Debug, PartialEq)]
pub struct ControllerConn {
    pub workload: usize,
    /// What the Ingress/Route objects expose (before policies).
    pub exposed: ConnSet,
    /// What the controller may open: `exposed` within what the policies allow.
    pub conn: ConnSet,
    pub via: Vec<String>,
}

/// What the policies allow from the controller to workload `w`.
pub fn policy_allowed(engine: &Engine, controller: &Controller, w: usize) -> ConnSet {
    let Some(&dst) = engine.class_of.get(w) else {
        return ConnSet::none();
    };
    match controller {
        Controller::Abstract => engine.conn(Peer::IngressController, Peer::Class(dst)),
        Controller::Pods(pods) => {
            let mut out = ConnSet::none();
            for &c in pods.iter().filter(|&&c| c != w) {
                if let Some(&src) = engine.class_of.get(c) {
                    out.add(&engine.conn(Peer::Class(src), Peer::Class(dst)));
                }
            }
            out
        }
    }
}

/// Every backend with the controller's allowed connection (empty ones
/// included; a connection list leaves them out).
pub fn controller_conns(engine: &Engine, controller: &Controller) -> Vec<ControllerConn> {
    exposed(engine.model)
        .into_iter()
        .map(|e| {
            let allowed = policy_allowed(engine, controller, e.workload);
            ControllerConn {
                workload: e.workload,
                conn: e.conn.intersect(&allowed),
                exposed: e.conn,
                via: e.via,
            }
        })
        .collect()
}
