//! Every expectation of a file, decided against one input: the dispatch to
//! the RBAC, NetworkPolicy and admission deciders, built once per run.

use palisade_admission::Admission;
use palisade_core::Inventory;
use palisade_netpol::{ControllerSpec, Engine};
use palisade_rbac::{Defaults, Discovery, Policy};

use crate::cluster::AdmissionCluster;
use crate::model::{Check, Expectation, Expectations};
use crate::network::Network;
use crate::outcome::Outcome;

/// What the expectations are checked against.
pub struct Setup<'a> {
    /// The input, placed in namespaces, with declared namespaces.
    pub inventory: &'a Inventory,
    /// Which of the API server's default RBAC objects join the input.
    pub defaults: Defaults,
    /// Pod Security and the policies, as `palisade admit` builds them.
    pub admission: &'a Admission,
    /// Namespaces and pods for admission.
    pub cluster: &'a AdmissionCluster,
    /// `--ingress-controller NS/SELECTOR`.
    pub controller: Option<&'a ControllerSpec>,
}

/// Decides every expectation. An error (an unknown endpoint or resource type)
/// stops the run: each message names the file and line of the expectation.
pub fn evaluate(expectations: &Expectations, setup: &Setup) -> Result<Vec<Outcome>, Vec<String>> {
    let policy = Policy::with_defaults(setup.inventory, setup.defaults);
    let flows = expectations.items.iter().filter_map(|e| match &e.check {
        Check::Network { flow, .. } => Some(flow),
        _ => None,
    });
    let network = Network::build(setup.inventory, flows, setup.controller).map_err(|e| vec![e])?;
    let engine = Engine::new(&network.model);
    let discovery = Discovery::new(policy.custom_resources());
    let deciders = Deciders {
        setup,
        policy: &policy,
        network: &network,
        engine: &engine,
        discovery: &discovery,
    };
    let mut outcomes = Vec::new();
    let mut errors = Vec::new();
    for (index, expectation) in expectations.items.iter().enumerate() {
        match deciders.decide(index, expectation) {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(outcomes)
    } else {
        Err(errors)
    }
}

/// The engines of one run.
struct Deciders<'a> {
    setup: &'a Setup<'a>,
    policy: &'a Policy,
    network: &'a Network,
    engine: &'a Engine<'a>,
    discovery: &'a Discovery,
}

impl Deciders<'_> {
    fn decide(&self, index: usize, expectation: &Expectation) -> Result<Outcome, String> {
        let location = expectation.at.origin();
        let at = |e: String| {
            if e.starts_with(&*expectation.at.file) {
                e
            } else {
                format!("{location}: {e}")
            }
        };
        let (passed, explanation, details) = match &expectation.check {
            Check::Access {
                expect_allowed,
                question,
            } => {
                let (passed, text) =
                    crate::access::access(self.policy, question, *expect_allowed).map_err(at)?;
                (passed, text, Vec::new())
            }
            Check::Only { subject, rules } => {
                crate::access::only(self.policy, subject, rules).map_err(at)?
            }
            Check::Network { expect_reach, flow } => self
                .network
                .decide(self.engine, flow, *expect_reach)
                .map_err(at)?,
            Check::Admission {
                expect_admitted,
                case,
            } => {
                let uid = format!("palisade-test-{}", index + 1);
                let (passed, text) = crate::admission::decide(
                    self.setup.admission,
                    self.setup.cluster,
                    self.discovery,
                    case,
                    *expect_admitted,
                    uid,
                )
                .map_err(at)?;
                (passed, text, Vec::new())
            }
        };
        Ok(Outcome {
            name: expectation.name.clone(),
            kind: expectation.check.kind(),
            passed,
            explanation,
            details,
            location,
        })
    }
}
