//! The Kyverno policies of a scan or a webhook: ClusterPolicies, Policies,
//! ValidatingPolicies and PolicyExceptions read from objects, with the ones
//! that cannot be enforced kept as problems, and one review of a request
//! against all of them.

use std::collections::HashMap;

use palisade_core::{Object, SourceRef};

use crate::engine::{self, Admission, NoValues};
use crate::exception::{PolicyException, is_policy_exception};
use crate::policy::{FailureAction, KyvernoPolicy, is_kyverno_policy};
use crate::vpol::{ValidatingPolicy, VpolInput};
use crate::{ClusterObjects, Json, Status};

/// Whether Kyverno policy objects are among these kinds.
pub fn is_kyverno_object(object: &Object) -> bool {
    let api_version = object.api_version();
    let kyverno_group =
        api_version.starts_with("kyverno.io/") || api_version.starts_with("policies.kyverno.io/");
    kyverno_group
        && matches!(
            object.kind(),
            "ClusterPolicy" | "Policy" | "ValidatingPolicy" | "PolicyException"
        )
}

pub use palisade_core::policy_test::LoadProblem;

/// The loaded policies.
#[derive(Debug, Default)]
pub struct KyvernoSet {
    pub policies: Vec<KyvernoPolicy>,
    pub validating: Vec<ValidatingPolicy>,
    pub exceptions: Vec<PolicyException>,
    pub problems: Vec<LoadProblem>,
}

/// What one policy rule (or ValidatingPolicy) said about an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub policy: String,
    /// The rule name; `validate` for a ValidatingPolicy.
    pub rule: String,
    pub status: Status,
    pub message: String,
    /// Whether the failure refuses the request (`Enforce`, `Deny`).
    pub enforced: bool,
    /// Whether a failure is a warning to the client (ValidatingPolicy `Warn`).
    pub warns: bool,
    /// `policies.kyverno.io/severity` of the policy, if set.
    pub severity: Option<String>,
    /// Where in the object a pattern failed, when known.
    pub path: Option<String>,
}

/// The request a review judges.
pub struct ReviewRequest<'a> {
    pub object: Option<&'a Json>,
    pub old_object: Option<&'a Json>,
    pub operation: &'a str,
    pub namespace_labels: std::collections::BTreeMap<String, String>,
    pub namespace_object: Option<Json>,
    pub user: Option<crate::matching::UserInfo>,
    pub user_info: Option<Json>,
    /// Objects `configMap` context entries and CEL resource lookups read.
    pub cluster_objects: ClusterObjects,
}

impl<'a> ReviewRequest<'a> {
    /// A CREATE of `object` with no user: how a scan asks.
    pub fn create(
        object: &'a Json,
        namespace_labels: std::collections::BTreeMap<String, String>,
        namespace_object: Option<Json>,
        cluster_objects: ClusterObjects,
    ) -> ReviewRequest<'a> {
        ReviewRequest {
            object: Some(object),
            old_object: None,
            operation: "CREATE",
            namespace_labels,
            namespace_object,
            user: None,
            user_info: None,
            cluster_objects,
        }
    }
}

impl KyvernoSet {
    /// Reads every Kyverno object among `objects`; the rest are ignored.
    ///
    /// An object is identified as Kyverno identifies it, by kind, namespace
    /// and name: a second copy of one (a scan whose input also holds the
    /// `--policies` files) is read once, so its findings are not doubled; a
    /// second, different definition under the same name is a problem and the
    /// first definition is the one used, as a cluster holds only one.
    pub fn build<'a>(objects: impl IntoIterator<Item = &'a Object>) -> KyvernoSet {
        let mut set = KyvernoSet::default();
        let mut defined: HashMap<(String, String, String), (Json, SourceRef)> = HashMap::new();
        for object in objects {
            if !is_kyverno_object(object) {
                continue;
            }
            let json = object.root().to_json();
            let name = object.name().to_string();
            let identity = (
                object.kind().to_string(),
                object.namespace().unwrap_or("").to_string(),
                name.clone(),
            );
            if let Some((first, first_source)) = defined.get(&identity) {
                if *first != json {
                    set.problems.push(LoadProblem {
                        source: object.source().clone(),
                        message: format!(
                            "{} {name} is defined again with different content (first at {}{}); the first definition is used",
                            object.kind(),
                            first_source.file,
                            first_source.pos.place()
                        ),
                    });
                }
                continue;
            }
            defined.insert(identity, (json.clone(), object.source().clone()));
            let result = if is_kyverno_policy(&json) {
                KyvernoPolicy::parse(&json).map(|policy| {
                    for rule in &policy.unsupported_rules {
                        set.problems.push(LoadProblem {
                            source: object.source().clone(),
                            message: format!(
                                "{} {name}: rule {rule} mutates, generates or verifies images, which Palisade does not run",
                                object.kind()
                            ),
                        });
                    }
                    set.policies.push(policy);
                })
            } else if object.kind() == "ValidatingPolicy" {
                ValidatingPolicy::parse(&json).map(|p| set.validating.push(p))
            } else if is_policy_exception(&json) {
                PolicyException::parse(&json).map(|e| set.exceptions.push(e))
            } else {
                Ok(())
            };
            if let Err(message) = result {
                set.problems.push(LoadProblem {
                    source: object.source().clone(),
                    message: format!("{} {name}: {message}", object.kind()),
                });
            }
        }
        set
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty() && self.validating.is_empty()
    }

    /// Whether some policy could apply to an object of this kind: a cheap
    /// test before a request is converted, since most requests concern
    /// kinds no rule names. A rule block that names no kinds, and any
    /// ValidatingPolicy, may apply to everything.
    pub fn may_apply(&self, gvk: &crate::matching::Gvk) -> bool {
        !self.validating.is_empty()
            || self.policies.iter().flat_map(|p| &p.rules).any(|rule| {
                rule.matching.blocks().any(|block| {
                    let kinds = &block.resources.kinds;
                    kinds.is_empty() || kinds.iter().any(|k| crate::matching::kind_matches(k, gvk))
                })
            })
    }

    /// Every non-passing rule response for the request.
    pub fn review(&self, request: &ReviewRequest) -> Vec<Verdict> {
        let mut verdicts = Vec::new();
        let admission = Admission {
            object: request.object,
            old_object: request.old_object,
            info: crate::matching::RequestInfo {
                operation: request.operation.to_string(),
                namespace_labels: request.namespace_labels.clone(),
                user: request.user.clone(),
            },
            user_info: request.user_info.clone(),
            namespace_object: request.namespace_object.clone(),
            cluster_objects: request.cluster_objects.clone(),
            context_values: Vec::new(),
            exceptions: &self.exceptions,
        };
        let base = engine::BaseContext::default();
        for policy in &self.policies {
            let severity = policy
                .annotations
                .get("policies.kyverno.io/severity")
                .cloned();
            for response in engine::apply_with(policy, &admission, &NoValues, &base) {
                if matches!(response.outcome.status, Status::Pass | Status::Skip) {
                    continue;
                }
                verdicts.push(Verdict {
                    policy: policy.name.clone(),
                    rule: response.rule,
                    status: response.outcome.status,
                    message: response.outcome.message,
                    enforced: response.action == FailureAction::Enforce,
                    warns: false,
                    severity: severity.clone(),
                    path: response.outcome.path,
                });
            }
        }
        if let Some(object) = request.object.or(request.old_object) {
            let empty = Json::Null;
            for policy in &self.validating {
                let input = VpolInput {
                    object,
                    old_object: request.old_object,
                    operation: request.operation,
                    namespace_object: request.namespace_object.as_ref(),
                    user_info: request.user_info.as_ref(),
                    resources: &request.cluster_objects,
                    images: &empty,
                };
                let Some(outcome) = policy.evaluate(&input) else {
                    continue;
                };
                if matches!(outcome.status, Status::Pass | Status::Skip) {
                    continue;
                }
                let actions = policy.validation_actions();
                verdicts.push(Verdict {
                    policy: policy.name().to_string(),
                    rule: "validate".to_string(),
                    status: outcome.status,
                    message: outcome.message,
                    enforced: actions.is_empty() || actions.iter().any(|a| a == "Deny"),
                    warns: actions.iter().any(|a| a == "Warn"),
                    severity: None,
                    path: None,
                });
            }
        }
        verdicts
    }
}

/// Kyverno's message for a blocked request (`GetBlockedMessages`): the
/// resource, then the failing rules of the blocking policies as yaml.v2
/// writes a map of maps (sorted, long messages quoted and folded).
pub fn blocked_message(kind: &str, namespace: &str, name: &str, verdicts: &[&Verdict]) -> String {
    let mut failures: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, String>,
    > = std::collections::BTreeMap::new();
    for verdict in verdicts {
        failures
            .entry(verdict.policy.clone())
            .or_default()
            .insert(verdict.rule.clone(), verdict.message.clone());
    }
    format!(
        "\n\nresource {kind}/{namespace}/{name} was blocked due to the following policies \n\n{}",
        crate::go_yaml::marshal(&failures)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: require-team\nspec:\n  validationFailureAction: Enforce\n  rules:\n  - name: team-label\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n    validate:\n      message: Pods need a team label.\n      pattern:\n        metadata:\n          labels:\n            team: \"?*\"\n";

    fn objects(file: &str, yaml: &str) -> Vec<Object> {
        palisade_load::load_bytes(file.into(), yaml.as_bytes(), &Default::default())
            .map(|loaded| loaded.objects)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn unlabelled_pod() -> Json {
        serde_json::json!({"apiVersion": "v1", "kind": "Pod",
                           "metadata": {"name": "web", "namespace": "dev"},
                           "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    }

    fn review(set: &KyvernoSet, object: &Json) -> Vec<Verdict> {
        set.review(&ReviewRequest {
            object: Some(object),
            old_object: None,
            operation: "CREATE",
            namespace_labels: Default::default(),
            namespace_object: None,
            user: None,
            user_info: None,
            cluster_objects: ClusterObjects::default(),
        })
    }

    #[test]
    fn the_same_policy_read_twice_is_enforced_once() {
        // `scan . --policies policies/` reads the policy files twice.
        let first = objects("policies/team.yaml", POLICY);
        let again = objects("./policies/team.yaml", POLICY);
        let set = KyvernoSet::build(first.iter().chain(again.iter()));
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        assert_eq!(set.policies.len(), 1);
        assert_eq!(review(&set, &unlabelled_pod()).len(), 1);
    }

    #[test]
    fn a_different_policy_under_the_same_name_is_a_problem_and_the_first_wins() {
        let first = objects("a.yaml", POLICY);
        let audit = objects("b.yaml", &POLICY.replace("Enforce", "Audit"));
        let set = KyvernoSet::build(first.iter().chain(audit.iter()));
        assert_eq!(set.policies.len(), 1);
        assert_eq!(set.problems.len(), 1, "{:?}", set.problems);
        let problem = &set.problems[0];
        assert_eq!(problem.origin(), "b.yaml:1:1");
        assert_eq!(
            problem.message,
            "ClusterPolicy require-team is defined again with different content (first at a.yaml:1:1); the first definition is used"
        );
        let verdicts = review(&set, &unlabelled_pod());
        assert_eq!(verdicts.len(), 1);
        assert!(verdicts[0].enforced);
    }

    #[test]
    fn namespaced_policies_of_one_name_in_two_namespaces_are_two_policies() {
        let namespaced = POLICY.replace("kind: ClusterPolicy", "kind: Policy");
        let dev = objects(
            "dev.yaml",
            &namespaced.replace(
                "  name: require-team\n",
                "  name: require-team\n  namespace: dev\n",
            ),
        );
        let prod = objects(
            "prod.yaml",
            &namespaced.replace(
                "  name: require-team\n",
                "  name: require-team\n  namespace: prod\n",
            ),
        );
        let set = KyvernoSet::build(dev.iter().chain(prod.iter()));
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        assert_eq!(set.policies.len(), 2);
    }

    #[test]
    fn may_apply_names_the_kinds_a_rule_or_its_autogen_copies_match() {
        let policy = crate::policy::KyvernoPolicy::parse(&serde_json::json!({
            "apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy",
            "metadata": {"name": "p"},
            "spec": {"rules": [{"name": "r",
                "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                "validate": {"pattern": {"metadata": {"labels": {"a": "?*"}}}}}]}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let set = KyvernoSet {
            policies: vec![policy],
            ..KyvernoSet::default()
        };
        let gvk = |group: &str, kind: &str| crate::matching::Gvk {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
        };
        assert!(set.may_apply(&gvk("", "Pod")));
        assert!(set.may_apply(&gvk("apps", "Deployment")));
        assert!(set.may_apply(&gvk("batch", "CronJob")));
        assert!(!set.may_apply(&gvk("", "ConfigMap")));
    }
}
