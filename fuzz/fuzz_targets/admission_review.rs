//! Fuzzes the webhook's request path without the network: decode an
//! AdmissionReview body, judge it with Pod Security over a few labelled
//! namespaces (pods supplied when a namespace update asks for them), and encode
//! the response. Any input must give a 400-style error or a well-formed
//! response for the same uid; never a panic, a hang or a stack overflow.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use palisade_admission::namespaces::StaticNamespaces;
use palisade_admission::{
    Admission, Context, PodSecurity, PodSecurityConfiguration, decode_request, encode_response,
};
use palisade_core::Node;

const CONFIG: &str = "apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults: {warn: baseline}
exemptions: {usernames: [admin], namespaces: [kube-system], runtimeClasses: [kata]}
";

struct World {
    admission: Admission,
    namespaces: StaticNamespaces,
    pods: Vec<Arc<Node>>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let config = PodSecurityConfiguration::from_bytes("config.yaml", CONFIG.as_bytes())
            .expect("the fuzz configuration is valid");
        let mut namespaces = StaticNamespaces::default();
        let label = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        namespaces.insert("ns", label(&[("pod-security.kubernetes.io/enforce", "restricted")]));
        namespaces.insert("b", label(&[("pod-security.kubernetes.io/enforce", "baseline"), ("pod-security.kubernetes.io/audit-version", "v1.20")]));
        namespaces.insert("bad", label(&[("pod-security.kubernetes.io/enforce", "Restricted")]));
        namespaces.insert("open", label(&[]));
        let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i", "securityContext": {"privileged": true}}]}});
        World {
            admission: Admission::new(vec![Arc::new(PodSecurity::new(config))]),
            namespaces,
            pods: vec![Arc::new(Node::from_json(&pod)); 3],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(request) = decode_request(data) else {
        return;
    };
    let world = world();
    let existing = Ok(world.pods.clone());
    let mut context = Context {
        namespaces: &world.namespaces,
        existing_pods: None,
        deadline: None,
    };
    let response = match world.admission.review(&request, &context) {
        Ok(response) => response,
        Err(_) => {
            context.existing_pods = Some(&existing);
            world
                .admission
                .review(&request, &context)
                .expect("a second call with pods decides")
        }
    };
    assert_eq!(response.uid, request.uid);
    assert_eq!(response.allowed, response.status.is_none());
    if !response.allowed {
        assert!(
            !response.warnings.iter().any(|w| w.starts_with("would violate PodSecurity")),
            "a denied request carries Pod Security warnings"
        );
    }
    let encoded: serde_json::Value =
        serde_json::from_slice(&encode_response(&response)).expect("the response is JSON");
    assert_eq!(encoded["response"]["uid"].as_str(), Some(request.uid.as_str()));
});
