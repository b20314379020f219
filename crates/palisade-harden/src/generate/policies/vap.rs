//! ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes
//! 1.30+): the API server enforces the rule itself, in CEL, with no webhook.
//! One policy and one binding (`validationActions: [Deny]`) per rule; the
//! binding's namespace selector carries the profile's scope.

use super::{Kind, PolicyFile, describe_scope, policy_name};
use crate::generate::network::NAMESPACE_NAME_LABEL;
use crate::profile::PolicyScope;
use crate::yaml::{Doc, Y, map, s, strs};

/// Every container of the Pod: regular, init and ephemeral.
const CONTAINERS: &str = "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : []) + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : [])";

/// Containers that may run as root, judged as MustRunAsNonRoot judges them:
/// the effective runAsUser (container, else Pod) must not be 0, and without
/// one the effective runAsNonRoot must be true.
const MAY_RUN_AS_ROOT: &str = "variables.containers.filter(c, !(
  (has(c.securityContext) && has(c.securityContext.runAsUser)) ? c.securityContext.runAsUser != 0 :
  (has(object.spec.securityContext) && has(object.spec.securityContext.runAsUser)) ? object.spec.securityContext.runAsUser != 0 :
  (has(c.securityContext) && has(c.securityContext.runAsNonRoot)) ? c.securityContext.runAsNonRoot :
  (has(object.spec.securityContext) && has(object.spec.securityContext.runAsNonRoot) && object.spec.securityContext.runAsNonRoot)
))
";

/// Containers (ephemeral ones cannot set resources) without a CPU or memory limit.
const UNLIMITED: &str = "(object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])).filter(c,
  !(has(c.resources) && has(c.resources.limits) && 'cpu' in c.resources.limits && 'memory' in c.resources.limits))
";

pub fn file(kind: Kind, scope: &PolicyScope) -> PolicyFile {
    let name = policy_name(kind);
    let (variables, expression, message, why) = match kind {
        Kind::RunAsNonRoot => (
            vec![
                map([("name", s("containers")), ("expression", s(CONTAINERS))]),
                map([
                    ("name", s("mayRunAsRoot")),
                    ("expression", Y::Block(MAY_RUN_AS_ROOT.to_owned())),
                ]),
            ],
            "size(variables.mayRunAsRoot) == 0",
            "'containers that may run as root (set runAsNonRoot: true or a non-zero runAsUser): ' + variables.mayRunAsRoot.map(c, c.name).join(', ')",
            "containers must not run as root",
        ),
        Kind::RequireLimits => (
            vec![map([
                ("name", s("unlimited")),
                ("expression", Y::Block(UNLIMITED.to_owned())),
            ])],
            "size(variables.unlimited) == 0",
            "'containers without a CPU or memory limit: ' + variables.unlimited.map(c, c.name).join(', ')",
            "every container declares CPU and memory limits",
        ),
    };
    // Pods only. Limits are set at creation (ephemeral containers cannot set
    // resources). The user can be set afterwards by an ephemeral container:
    // `kubectl debug` adds one with an UPDATE of the `pods/ephemeralcontainers`
    // subresource, which a rule on `pods` alone does not match.
    let (operations, resources): (&[&str], &[&str]) = match kind {
        Kind::RunAsNonRoot => (&["CREATE", "UPDATE"], &["pods", "pods/ephemeralcontainers"]),
        Kind::RequireLimits => (&["CREATE"], &["pods"]),
    };
    let policy = map([
        ("apiVersion", s("admissionregistration.k8s.io/v1")),
        ("kind", s("ValidatingAdmissionPolicy")),
        ("metadata", map([("name", s(name))])),
        (
            "spec",
            map([
                ("failurePolicy", s("Fail")),
                (
                    "matchConstraints",
                    map([(
                        "resourceRules",
                        Y::Seq(vec![map([
                            ("apiGroups", strs([""])),
                            ("apiVersions", strs(["v1"])),
                            ("operations", strs(operations)),
                            ("resources", strs(resources)),
                        ])]),
                    )]),
                ),
                ("variables", Y::Seq(variables)),
                (
                    "validations",
                    Y::Seq(vec![map([
                        ("expression", s(expression)),
                        ("messageExpression", s(message)),
                        ("reason", s("Forbidden")),
                    ])]),
                ),
            ]),
        ),
    ]);
    let mut binding_spec = vec![
        ("policyName".to_owned(), s(name)),
        ("validationActions".to_owned(), strs(["Deny"])),
    ];
    let selector = |operator: &str, values: &[String]| {
        map([(
            "namespaceSelector",
            map([(
                "matchExpressions",
                Y::Seq(vec![map([
                    ("key", s(NAMESPACE_NAME_LABEL)),
                    ("operator", s(operator)),
                    ("values", strs(values)),
                ])]),
            )]),
        )])
    };
    match scope {
        PolicyScope::All { excluded } if excluded.is_empty() => {}
        PolicyScope::All { excluded } => {
            binding_spec.push(("matchResources".to_owned(), selector("NotIn", excluded)));
        }
        PolicyScope::Namespaces(names) => {
            binding_spec.push(("matchResources".to_owned(), selector("In", names)));
        }
    }
    let binding = map([
        ("apiVersion", s("admissionregistration.k8s.io/v1")),
        ("kind", s("ValidatingAdmissionPolicyBinding")),
        ("metadata", map([("name", s(name))])),
        ("spec", Y::Map(binding_spec)),
    ]);
    PolicyFile {
        kind,
        file: format!("{name}.yaml"),
        docs: vec![
            Doc {
                comment: vec![format!(
                    "ValidatingAdmissionPolicy {name}: {why} (the API server checks it in CEL)."
                )],
                body: policy,
            },
            Doc {
                comment: vec![format!(
                    "ValidatingAdmissionPolicyBinding {name}: denies violating Pods in {}.",
                    describe_scope(scope)
                )],
                body: binding,
            },
        ],
        rejected_by: name.to_owned(),
        scope: scope.clone(),
    }
}
