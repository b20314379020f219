//! `audit-policy.yaml`: an API-server audit policy (`audit.k8s.io/v1`
//! Policy, for `--audit-policy-file`) that records what an investigation
//! needs and never the contents of Secrets. Rules are matched in order, the
//! first match decides, so the noise comes first and the catch-all last.

use crate::yaml::{Doc, Y, map, s, strs};

fn resources(group: &str, names: &[&str]) -> Y {
    map([("group", s(group)), ("resources", strs(names))])
}

fn rule(level: &str, extra: Vec<(&str, Y)>) -> Y {
    let mut entries = vec![("level".to_owned(), s(level))];
    entries.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
    Y::Map(entries)
}

pub fn documents() -> Vec<Doc> {
    let rules = vec![
        // Noise: the kube-proxy's watches, health probes, events.
        rule(
            "None",
            vec![
                ("users", strs(["system:kube-proxy"])),
                ("verbs", strs(["watch"])),
                (
                    "resources",
                    Y::Seq(vec![
                        resources("", &["endpoints", "services", "services/status"]),
                        resources("discovery.k8s.io", &["endpointslices"]),
                    ]),
                ),
            ],
        ),
        rule(
            "None",
            vec![(
                "nonResourceURLs",
                strs(["/healthz*", "/livez*", "/readyz*", "/version"]),
            )],
        ),
        rule(
            "None",
            vec![(
                "resources",
                Y::Seq(vec![
                    resources("", &["events"]),
                    resources("events.k8s.io", &["events"]),
                ]),
            )],
        ),
        // Secrets and the like: who touched which one, never the content.
        rule(
            "Metadata",
            vec![(
                "resources",
                Y::Seq(vec![
                    resources("", &["secrets", "configmaps", "serviceaccounts/token"]),
                    resources("authentication.k8s.io", &["tokenreviews"]),
                ]),
            )],
        ),
        // A shell or a tunnel into a pod: who, where, and the command.
        rule(
            "Request",
            vec![(
                "resources",
                Y::Seq(vec![resources(
                    "",
                    &["pods/exec", "pods/attach", "pods/portforward", "pods/proxy"],
                )]),
            )],
        ),
        // Changes to who may do what, with the objects before and after.
        rule(
            "RequestResponse",
            vec![
                (
                    "verbs",
                    strs(["create", "update", "patch", "delete", "deletecollection"]),
                ),
                (
                    "resources",
                    Y::Seq(vec![map([("group", s("rbac.authorization.k8s.io"))])]),
                ),
            ],
        ),
        // Everything else: who did what to which object, when.
        rule("Metadata", Vec::new()),
    ];
    vec![Doc::new(
        &[
            "API-server audit policy (kube-apiserver --audit-policy-file). The first matching rule decides:",
            "  1-3. noise is dropped: kube-proxy's watches, health and version probes, events;",
            "  4. Secrets, ConfigMaps, token requests and TokenReviews at Metadata only, so their contents are never logged;",
            "  5. exec, attach, port-forward and proxy into pods with the request (the command run);",
            "  6. RBAC changes with request and response (the permissions before and after);",
            "  7. everything else at Metadata: who did what to which object.",
            "RequestReceived is omitted: every request is still recorded when its response starts or completes.",
        ],
        map([
            ("apiVersion", s("audit.k8s.io/v1")),
            ("kind", s("Policy")),
            ("omitStages", strs(["RequestReceived"])),
            ("rules", Y::Seq(rules)),
        ]),
    )]
}
