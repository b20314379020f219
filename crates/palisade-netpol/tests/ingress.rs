//! The ingress controller as a peer: Ingress/Route → Service → workload
//! resolution (ports included) and the policies that then apply, as np-guard
//! models them.

use palisade_core::Inventory;
use palisade_load::{Limits, load_bytes};
use palisade_netpol::ingress::{self, ControllerSpec};
use palisade_netpol::{
    ConnSet, Controller, Endpoint, Engine, Model, Protocol, connlist, reach_with,
};

const APP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: admin, containerPort: 9090}, {name: udp, containerPort: 5000, protocol: UDP}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, ports: [{containerPort: 7000}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: nginx, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
  template:
    metadata: {labels: {app.kubernetes.io/name: ingress-nginx}}
    spec: {containers: [{name: c}]}
"#;

fn model_of(extra: &str) -> Model {
    let text = format!("{APP}\n---\n{extra}");
    let load = load_bytes("test.yaml".into(), text.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    Model::from_inventory(&Inventory::new(load.objects))
}

fn tcp(ports: &[u16]) -> ConnSet {
    let mut out = ConnSet::none();
    for &p in ports {
        out.add(&ConnSet::single(Protocol::Tcp, p));
    }
    out
}

/// What the Ingress/Route objects expose, by workload id.
fn exposed(extra: &str) -> Vec<(String, ConnSet)> {
    let model = model_of(extra);
    ingress::exposed(&model)
        .into_iter()
        .map(|e| (model.workloads[e.workload].id(), e.conn))
        .collect()
}

const WEB_SERVICE: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
    - {name: public, port: 80, targetPort: http}
    - {name: metrics, port: 9999, targetPort: 9090}
"#;

#[test]
fn a_named_target_port_resolves_on_the_workload() {
    let found = exposed(&format!(
        "{WEB_SERVICE}\n---\n{}",
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
"#
    ));
    assert_eq!(
        found,
        vec![("shop/web[Deployment]".to_owned(), tcp(&[8080]))]
    );
}

#[test]
fn the_default_backend_counts_and_a_port_name_picks_the_service_port() {
    let found = exposed(&format!(
        "{WEB_SERVICE}\n---\n{}",
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {name: metrics}}}
"#
    ));
    assert_eq!(
        found,
        vec![("shop/web[Deployment]".to_owned(), tcp(&[9090]))]
    );
}

#[test]
fn a_route_without_port_exposes_every_service_port_and_alternate_backends() {
    let found = exposed(&format!(
        "{WEB_SERVICE}\n---\n{}",
        r#"
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 7000}]
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: shop}
spec:
  to: {kind: Service, name: web}
  alternateBackends: [{kind: Service, name: api}]
"#
    ));
    assert_eq!(
        found,
        vec![
            ("shop/web[Deployment]".to_owned(), tcp(&[8080, 9090])),
            ("shop/api[Deployment]".to_owned(), tcp(&[7000])),
        ]
    );
}

#[test]
fn a_missing_service_or_undeclared_port_exposes_nothing() {
    // The Service is in another namespace, the second backend names no
    // Service that exists, and the third asks for a port the pods do not declare.
    let found = exposed(
        r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: elsewhere}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 7777}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  rules:
    - http:
        paths:
          - {path: /a, pathType: Prefix, backend: {service: {name: nope, port: {number: 80}}}}
          - {path: /b, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
          - {path: /c, pathType: Prefix, backend: {resource: {kind: Bucket, name: b}}}
"#,
    );
    assert_eq!(found, Vec::new());
}

#[test]
fn a_service_without_selector_selects_nothing() {
    let found = exposed(
        r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec: {defaultBackend: {service: {name: web, port: {number: 8080}}}}
"#,
    );
    assert_eq!(found, Vec::new());
}

const INGRESS: &str = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec: {defaultBackend: {service: {name: web, port: {name: public}}}}
"#;

/// Only the ingress-nginx namespace may reach the web pods.
const FROM_NGINX_ONLY: &str = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-nginx, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
"#;

fn controller_line(model: &Model, controller: &Controller) -> Option<ConnSet> {
    let engine = Engine::new(model);
    ingress::controller_conns(&engine, controller)
        .into_iter()
        .find(|c| model.workloads[c.workload].name == "web")
        .map(|c| c.conn)
        .filter(|c| !c.is_empty())
}

#[test]
fn the_stand_in_is_subject_to_the_backend_ingress_policies() {
    let open = model_of(&format!("{WEB_SERVICE}\n---\n{INGRESS}"));
    assert_eq!(
        controller_line(&open, &Controller::Abstract),
        Some(tcp(&[8080]))
    );
    // The stand-in has no labels and lives in ingress-controller-ns: a policy
    // admitting only ingress-nginx keeps it out.
    let closed = model_of(&format!(
        "{WEB_SERVICE}\n---\n{INGRESS}\n---\n{FROM_NGINX_ONLY}"
    ));
    assert_eq!(controller_line(&closed, &Controller::Abstract), None);
    // A policy admitting every namespace lets it in, on the exposed port only.
    let any_ns = model_of(&format!(
        "{WEB_SERVICE}\n---\n{INGRESS}\n---\n{}",
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-anywhere, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 8080}, {port: 9090}]}]
"#
    ));
    assert_eq!(
        controller_line(&any_ns, &Controller::Abstract),
        Some(tcp(&[8080]))
    );
    let text = format!("{APP}\n---\n{WEB_SERVICE}\n---\n{INGRESS}");
    let load = load_bytes("t.yaml".into(), text.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<String> = connlist(&Inventory::new(load.objects))
        .iter()
        .map(|r| r.to_string())
        .collect();
    assert_eq!(
        lines.last().map(String::as_str),
        Some("{ingress-controller} => shop/web[Deployment] : TCP 8080")
    );
}

#[test]
fn named_controller_pods_replace_the_stand_in() {
    let model = model_of(&format!(
        "{WEB_SERVICE}\n---\n{INGRESS}\n---\n{FROM_NGINX_ONLY}"
    ));
    let spec = ControllerSpec::parse("ingress-nginx/app.kubernetes.io/name=ingress-nginx")
        .unwrap_or_else(|e| panic!("{e}"));
    let controller = spec.controller(&model);
    assert!(matches!(&controller, Controller::Pods(p) if p.len() == 1));
    assert_eq!(controller_line(&model, &controller), Some(tcp(&[8080])));
    // The controller's own egress policies apply too.
    let egress_denied = model_of(&format!(
        "{WEB_SERVICE}\n---\n{INGRESS}\n---\n{FROM_NGINX_ONLY}\n---\n{}",
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: ingress-nginx}
spec: {podSelector: {}, policyTypes: [Egress]}
"#
    ));
    let controller = spec.controller(&egress_denied);
    assert_eq!(controller_line(&egress_denied, &controller), None);
    let engine = Engine::new(&egress_denied);
    let web = egress_denied
        .find_workload("shop/web")
        .unwrap_or_else(|| panic!("web"));
    let answer = reach_with(
        &engine,
        Endpoint::IngressController,
        Endpoint::Workload(web),
        Some((Protocol::Tcp, 8080)),
        &controller,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!answer.allowed);
    assert_eq!(
        answer.egress.map(|v| v.isolating),
        Some(vec!["ingress-nginx/deny-egress".to_owned()])
    );
    // A selector that matches nothing falls back to the stand-in.
    let none = ControllerSpec::parse("ingress-nginx/app=other").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(none.controller(&model), Controller::Abstract);
}

#[test]
fn controller_specs_are_checked() {
    for bad in ["", "ingress-nginx", "/app=x", "ns/", "ns/a b=c", "ns/a,,b"] {
        assert!(ControllerSpec::parse(bad).is_err(), "{bad:?}");
    }
    let spec =
        ControllerSpec::parse("ns/a=b,c!=d,e,!f,g in (h,i)").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.namespace, "ns");
    assert_eq!(spec.selector.requirements.len(), 5);
}
