//! `palisade admit`: the webhook's decision, offline. Reads AdmissionReview
//! requests (or plain objects, wrapped in a CREATE review), the namespaces they
//! need, and prints the AdmissionReview responses the webhook would send.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use palisade_admission::namespaces::{Labels, StaticNamespaces};
use palisade_admission::{
    Admission, Context, ExistingPods, PodSecurityConfiguration, ResponseReview, decode_request,
};
use palisade_core::Node;

use crate::cli::{GlobalArgs, InputArgs};
use crate::inputs;
use crate::output::Output;
use crate::{CliError, Outcome};

#[derive(Args, Debug)]
pub struct AdmitArgs {
    /// AdmissionReview requests, or objects to wrap in one, plus Namespace (and Pod) objects: -f PATH (repeatable).
    #[command(flatten)]
    pub input: InputArgs,
    /// PodSecurityConfiguration (or AdmissionConfiguration) with defaults and exemptions.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A namespace and its labels, when its Namespace object is not in the input: NS=key=value,key=value (repeatable).
    #[arg(long = "namespace-labels", value_name = "NS=LABELS", value_parser = crate::inputs::parse_namespace_labels)]
    pub namespace_labels: Vec<(String, Labels)>,
    /// Namespace of wrapped objects that name none.
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
    /// User named in wrapped requests (exemptions by username match it).
    #[arg(long = "as", value_name = "USER", default_value = "")]
    pub user: String,
    #[command(flatten)]
    pub admission: crate::commands::policy::AdmissionPolicyArgs,
}

pub fn run(args: &AdmitArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let loaded = inputs::load(&[], &args.input)?;
    let roots: Vec<&Node> = loaded.objects.iter().map(|o| o.root()).collect();
    let policies = crate::commands::policy::load_policies(
        &args.admission.policies,
        &roots,
        args.admission.policy_engine,
    )?;
    let admission =
        crate::commands::serve::admission(load_config(args.config.as_deref())?, false, policies);

    let mut namespaces = StaticNamespaces::default();
    let mut pods: HashMap<String, Vec<Arc<Node>>> = HashMap::new();
    let mut reviews = Vec::new();
    let mut others = Vec::new();
    for root in &roots {
        let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
        let api_version = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        if kind == "AdmissionReview" {
            reviews.push(serde_json::to_vec(root).map_err(|e| CliError::Usage(e.to_string()))?);
            continue;
        }
        if namespaces.insert_object(root) {
            others.push(*root);
            continue;
        }
        if kind == "Pod" && api_version == "v1" {
            let namespace = root
                .path(&["metadata", "namespace"])
                .and_then(Node::as_str)
                .unwrap_or(&args.namespace);
            pods.entry(namespace.to_owned())
                .or_default()
                .push(Arc::new((*root).clone()));
        }
        others.push(*root);
    }
    for (name, labels) in &args.namespace_labels {
        namespaces.insert(name, labels.clone());
    }
    let mut requests = reviews
        .iter()
        .map(|body| decode_request(body).map_err(|e| CliError::Usage(e.0)))
        .collect::<Result<Vec<_>, _>>()?;
    if requests.is_empty() {
        // Wrap the objects under test, as the API server would send them
        // (the request `palisade test` and `simulate` build); Namespaces are
        // context unless they are all there is.
        let only_namespaces = others
            .iter()
            .all(|o| o.get("kind").and_then(Node::as_str) == Some("Namespace"));
        let discovery = palisade_rbac::Discovery::new(&[]);
        let user = palisade_rbac::UserInfo {
            name: args.user.clone(),
            groups: Vec::new(),
        };
        for (index, object) in others.iter().enumerate() {
            let is_namespace = object.get("kind").and_then(Node::as_str) == Some("Namespace");
            if only_namespaces || !is_namespace {
                let write = palisade_intent::cluster::Write {
                    object,
                    old: None,
                    operation: "CREATE",
                    default_namespace: &args.namespace,
                    user: &user,
                    uid: format!("palisade-admit-{}", index + 1),
                };
                let request = palisade_intent::cluster::request_for(&write, &discovery)
                    .map_err(CliError::Usage)?;
                requests.push(request);
            }
        }
    }
    if requests.is_empty() {
        return Err(CliError::Usage(
            "nothing to admit: give an AdmissionReview or an object with -f".to_owned(),
        ));
    }
    let mut responses = Vec::with_capacity(requests.len());
    let mut denied = false;
    for request in &requests {
        let response = review(&admission, request, &namespaces, &pods);
        denied |= !response.allowed;
        responses.push(response);
    }
    // One review prints as itself, several as a List, in the wire format's field order.
    let reviews: Vec<ResponseReview> = responses.iter().map(ResponseReview::new).collect();
    let text = match reviews.as_slice() {
        [one] => serde_json::to_string_pretty(one),
        items => serde_json::to_string_pretty(&List {
            api_version: "v1",
            kind: "List",
            items,
        }),
    }
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut output = Output::new(global);
    output.text(&(text + "\n"))?;
    output.finish()?;
    Ok(if denied {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

#[derive(serde::Serialize)]
struct List<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    items: &'a [ResponseReview<'a>],
}

/// One request through admission, listing a namespace's pods when a policy asks.
fn review(
    admission: &Admission,
    request: &palisade_admission::Request,
    namespaces: &StaticNamespaces,
    pods: &HashMap<String, Vec<Arc<Node>>>,
) -> palisade_admission::Response {
    let mut existing: Option<ExistingPods> = None;
    loop {
        let context = Context {
            namespaces,
            existing_pods: existing.as_ref(),
            deadline: None,
        };
        match admission.review(request, &context) {
            Ok(response) => return response,
            // Asked only once: with the pods, review always answers.
            Err(namespace) => {
                existing = Some(Ok(pods.get(&namespace).cloned().unwrap_or_default()));
            }
        }
    }
}

/// Reads `--config`, or the defaults (everything privileged, no exemptions).
pub fn load_config(path: Option<&Path>) -> Result<PodSecurityConfiguration, CliError> {
    let Some(path) = path else {
        return Ok(PodSecurityConfiguration::default());
    };
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Input(vec![format!("{}: {e}", path.display())]))?;
    PodSecurityConfiguration::from_bytes(&path.display().to_string(), &bytes)
        .map_err(|e| CliError::Input(vec![e.to_string()]))
}
