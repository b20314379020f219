//! What the exposure checks share: Services and Ingresses of the input, how a
//! cloud marks a load balancer internal, and Ingress backends in both API
//! versions.

use std::collections::HashMap;

use palisade_core::{Inventory, Node, Object, PodTemplate, string_entries};

use crate::resources::support::{WorkloadNamespaces, may_share_namespace};

/// The input's Services by name, and the namespaces that have any: an
/// Ingress or StatefulSet looks its Service up instead of walking them all.
pub(crate) struct ServiceIndex<'a> {
    by_name: HashMap<&'a str, Vec<&'a Object>>,
    namespaces: WorkloadNamespaces<'a>,
}

impl<'a> ServiceIndex<'a> {
    pub(crate) fn new(inventory: &'a Inventory) -> ServiceIndex<'a> {
        let mut by_name: HashMap<&'a str, Vec<&'a Object>> = HashMap::new();
        for service in services(inventory) {
            by_name.entry(service.name()).or_default().push(service);
        }
        ServiceIndex {
            by_name,
            namespaces: WorkloadNamespaces::of(services(inventory)),
        }
    }

    /// True when the input has a Service that may be in `namespace`.
    pub(crate) fn any_in(&self, namespace: Option<&str>) -> bool {
        self.namespaces.may_hold(namespace)
    }

    /// The Services named `name` that may be in `namespace`.
    pub(crate) fn named(&self, name: &str, namespace: Option<&str>) -> Vec<&'a Object> {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|s| may_share_namespace(s.namespace(), namespace))
            .collect()
    }
}

/// Core `Service` objects.
pub(crate) fn services(inventory: &Inventory) -> impl Iterator<Item = &Object> {
    inventory
        .of_kind("Service")
        .filter(|s| s.group().is_empty())
}

/// `networking.k8s.io` and `extensions` `Ingress` objects.
pub(crate) fn ingresses(inventory: &Inventory) -> impl Iterator<Item = &Object> {
    inventory
        .of_kind("Ingress")
        .filter(|i| matches!(i.group(), "networking.k8s.io" | "extensions"))
}

/// `spec.type`, `ClusterIP` when absent.
pub(crate) fn service_type(service: &Object) -> &str {
    service
        .root()
        .path(&["spec", "type"])
        .and_then(Node::as_str)
        .unwrap_or("ClusterIP")
}

/// Annotations with which the cloud providers' controllers create a load
/// balancer reachable only from the private network, and the value that does.
const INTERNAL: &[(&str, &str)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "internal",
    ),
    ("networking.gke.io/load-balancer-type", "internal"),
    ("cloud.google.com/load-balancer-type", "internal"),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        "true",
    ),
];

/// True when an annotation makes the load balancer internal.
pub(crate) fn is_internal_load_balancer(service: &Object) -> bool {
    service.annotations().any(|(key, value)| {
        INTERNAL
            .iter()
            .any(|(k, v)| *k == key && value.eq_ignore_ascii_case(v))
    })
}

/// How a backend names its Service port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PortRef<'a> {
    Number(i64),
    Name(&'a str),
}

/// One Service backend of an Ingress.
pub(crate) struct Backend<'a> {
    /// The backend mapping, for locations.
    pub node: &'a Node,
    pub service: &'a str,
    pub port: Option<PortRef<'a>>,
}

/// Every Service backend of an Ingress: the default backend and every path's,
/// in `networking.k8s.io/v1` shape (`service: {name, port: {number|name}}`)
/// or the older `serviceName`/`servicePort`. Resource backends are skipped.
pub(crate) fn backends(ingress: &Object) -> Vec<Backend<'_>> {
    let spec = ingress.root().get("spec");
    let mut nodes: Vec<&Node> = Vec::new();
    for key in ["defaultBackend", "backend"] {
        nodes.extend(spec.and_then(|s| s.get(key)));
    }
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
            nodes.extend(path.get("backend"));
        }
    }
    nodes
        .into_iter()
        .filter_map(|node| {
            if let Some(service) = node.get("service") {
                let name = service.get("name").and_then(Node::as_str)?;
                let port = service.get("port").and_then(|p| {
                    p.get("number")
                        .and_then(Node::as_i64)
                        .map(PortRef::Number)
                        .or_else(|| p.get("name").and_then(Node::as_str).map(PortRef::Name))
                });
                return Some(Backend {
                    node,
                    service: name,
                    port,
                });
            }
            let name = node.get("serviceName").and_then(Node::as_str)?;
            let port = node.get("servicePort").and_then(|p| {
                p.as_i64()
                    .map(PortRef::Number)
                    .or_else(|| p.as_str().map(PortRef::Name))
            });
            Some(Backend {
                node,
                service: name,
                port,
            })
        })
        .collect()
}

/// The input's pod templates indexed by label, so that finding what a
/// Service selects costs the templates carrying one of its labels, not every
/// template of the input (a scan of ten copies of a repository has ten times
/// the Services and ten times the templates).
pub(crate) struct TemplateIndex<'t, 'a> {
    templates: &'t [PodTemplate<'a>],
    /// Each template's labels, borrowed from the tree.
    labels: Vec<HashMap<&'a str, &'a str>>,
    /// Templates by one `key=value` label they carry.
    by_label: HashMap<(&'a str, &'a str), Vec<usize>>,
}

impl<'t, 'a> TemplateIndex<'t, 'a> {
    pub(crate) fn new(templates: &'t [PodTemplate<'a>]) -> TemplateIndex<'t, 'a> {
        let labels: Vec<HashMap<&'a str, &'a str>> = templates
            .iter()
            .map(|t| string_entries(t.metadata.and_then(|m| m.get("labels"))).collect())
            .collect();
        let mut by_label: HashMap<(&'a str, &'a str), Vec<usize>> = HashMap::new();
        for (i, template_labels) in labels.iter().enumerate() {
            for (k, v) in template_labels {
                by_label.entry((*k, *v)).or_default().push(i);
            }
        }
        TemplateIndex {
            templates,
            labels,
            by_label,
        }
    }

    /// The pod templates of the input a Service's `spec.selector` selects (a
    /// namespace the Service may share, every selector label present with its
    /// value, counting the labels controllers add to the pods they create), or
    /// `None` for a Service without selector (its endpoints are managed by hand)
    /// or of type `ExternalName`.
    pub(crate) fn selected(&self, service: &Object) -> Option<Vec<&'t PodTemplate<'a>>> {
        Some(self.selecting(service)?.collect())
    }

    /// Whether the Service selects any pod template of the input (`None` as
    /// for [`TemplateIndex::selected`]); stops at the first one.
    pub(crate) fn selects_any(&self, service: &Object) -> Option<bool> {
        Some(self.selecting(service)?.next().is_some())
    }

    fn selecting<'s>(
        &'s self,
        service: &'s Object,
    ) -> Option<impl Iterator<Item = &'t PodTemplate<'a>> + 's> {
        if service_type(service) == "ExternalName" {
            return None;
        }
        let selector: Vec<(&str, &str)> =
            string_entries(service.root().path(&["spec", "selector"])).collect();
        if selector.is_empty() {
            return None;
        }
        // A label the template itself must carry narrows the candidates; a
        // selector made only of labels controllers add is checked against all.
        let candidates: Box<dyn Iterator<Item = usize> + 's> = match selector
            .iter()
            .find(|(k, _)| !CONTROLLER_LABEL_KEYS.contains(k))
        {
            Some(pivot) => Box::new(
                self.by_label
                    .get(pivot)
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .copied(),
            ),
            None => Box::new(0..self.templates.len()),
        };
        Some(candidates.filter_map(move |i| {
            let template = self.templates.get(i)?;
            let labels = self.labels.get(i)?;
            let selected = may_share_namespace(template.object.namespace(), service.namespace())
                && selector.iter().all(|(k, v)| {
                    labels.get(k) == Some(v) || controller_label(template.object, k, v)
                });
            selected.then_some(template)
        }))
    }
}

/// Every label key [`controller_label`] knows.
const CONTROLLER_LABEL_KEYS: &[&str] = &[
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-revision-hash",
    "pod-template-generation",
    "pod-template-hash",
    "job-name",
    "batch.kubernetes.io/job-name",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
];

/// Labels a controller puts on the pods it creates, which the template does
/// not carry: a Service may select one pod of a StatefulSet by
/// `statefulset.kubernetes.io/pod-name`, or a Job's pods by `job-name`.
fn controller_label(object: &Object, key: &str, value: &str) -> bool {
    // Most selector keys are not controller labels: skip the object's kind and
    // group, read for every candidate pair otherwise.
    if !CONTROLLER_LABEL_KEYS.contains(&key) {
        return false;
    }
    let ordinal_of = |text: &str| {
        text.strip_prefix(object.name())
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    match (object.group(), object.kind(), key) {
        ("apps", "StatefulSet", "statefulset.kubernetes.io/pod-name") => ordinal_of(value),
        ("apps", "StatefulSet", "apps.kubernetes.io/pod-index") => {
            !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
        }
        ("apps", "StatefulSet" | "DaemonSet", "controller-revision-hash") => true,
        ("apps", "DaemonSet", "pod-template-generation") => true,
        ("apps", "Deployment" | "ReplicaSet", "pod-template-hash") => true,
        ("batch", "Job", "job-name" | "batch.kubernetes.io/job-name") => value == object.name(),
        ("batch", "Job", "controller-uid" | "batch.kubernetes.io/controller-uid") => true,
        _ => false,
    }
}
