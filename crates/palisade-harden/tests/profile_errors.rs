//! The profile reader's errors: each names the file, line and column of the
//! value at fault, and says what is wrong.

use palisade_harden::read_profile;

fn error_of(text: &str) -> String {
    match read_profile("p.yaml", text.as_bytes()) {
        Ok(profile) => panic!("accepted: {profile:?}"),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str = "apiVersion: palisade.dev/v1alpha1\nkind: HardeningProfile\n";

#[test]
fn an_unknown_field_is_an_error_at_its_key() {
    let text = format!("{HEAD}namespaces:\n  - name: dev\n    podSecurty: {{enforce: baseline}}\n");
    let message = error_of(&text);
    assert!(
        message.starts_with("p.yaml:5:5: unknown field `podSecurty`"),
        "{message}"
    );
}

#[test]
fn a_wildcard_verb_is_refused_where_it_stands() {
    let text = format!(
        "{HEAD}namespaces: [{{name: dev}}]\naccess:\n  - subjects: [group:devs]\n    namespaces: [dev]\n    verbs: [get, \"*\"]\n    resources: [pods]\n"
    );
    let message = error_of(&text);
    assert!(
        message.starts_with("p.yaml:7:18: verb \"*\": wildcards are not allowed"),
        "{message}"
    );
}

#[test]
fn an_unknown_resource_is_refused_with_a_hint() {
    let text = format!(
        "{HEAD}namespaces: [{{name: dev}}]\naccess:\n  - subjects: [group:devs]\n    namespaces: [dev]\n    verbs: [get]\n    resources:\n      - pods\n      - widgets\n"
    );
    let message = error_of(&text);
    assert!(
        message.starts_with("p.yaml:10:9: resource \"widgets\" is not a built-in resource"),
        "{message}"
    );
}

#[test]
fn an_unknown_verb_and_a_wrong_level_are_refused() {
    let verb = error_of(&format!(
        "{HEAD}namespaces: [{{name: dev}}]\naccess:\n  - subjects: [group:devs]\n    namespaces: [dev]\n    verbs: [read]\n    resources: [pods]\n"
    ));
    assert!(verb.contains("unknown verb \"read\""), "{verb}");
    let level = error_of(&format!(
        "{HEAD}namespaces:\n  - name: dev\n    podSecurity: {{enforce: strict}}\n"
    ));
    assert!(level.starts_with("p.yaml:5:"), "{level}");
    assert!(
        level.contains("unknown Pod Security level \"strict\""),
        "{level}"
    );
}

#[test]
fn grants_and_flows_must_name_profile_namespaces() {
    let grant = error_of(&format!(
        "{HEAD}namespaces: [{{name: dev}}]\naccess:\n  - subjects: [group:devs]\n    namespaces: [prod]\n    verbs: [get]\n    resources: [pods]\n"
    ));
    assert!(
        grant.contains("\"prod\" is not one of the profile's namespaces"),
        "{grant}"
    );
    let flow = error_of(&format!(
        "{HEAD}namespaces: [{{name: dev}}]\nnetwork:\n  allow:\n    - from: ingress-controller\n      to: {{namespace: dev}}\n      ports: [{{port: 80}}]\n"
    ));
    assert!(flow.contains("needs network.ingressController"), "{flow}");
}

#[test]
fn a_repeated_key_and_a_wrong_kind_are_errors() {
    let repeated = error_of(&format!("{HEAD}namespaces: []\nnamespaces: []\n"));
    assert!(repeated.starts_with("p.yaml:4:"), "{repeated}");
    let kind = error_of("apiVersion: palisade.dev/v1alpha1\nkind: Profile\n");
    assert!(
        kind.starts_with("p.yaml:2:1: kind must be HardeningProfile"),
        "{kind}"
    );
}

#[test]
fn defaults_fill_audit_warn_version_and_default_deny() {
    let profile = read_profile(
        "p.yaml",
        format!("{HEAD}namespaces:\n  - name: dev\n    podSecurity: {{enforce: baseline}}\n")
            .as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ps = profile.namespaces[0]
        .pod_security
        .clone()
        .unwrap_or_else(|| panic!("no pss"));
    assert_eq!(
        (ps.audit, ps.warn, ps.version.as_str()),
        (ps.enforce, ps.enforce, "latest")
    );
    assert!(profile.network.default_deny);
}

/// A grant of a CI service account that accepts the risks in `risks` (the
/// YAML of the list items, indented for line 10 on).
fn accepting(risks: &str) -> String {
    format!(
        "{HEAD}namespaces: [{{name: dev}}]\naccess:\n  - subjects: [serviceAccount:dev/ci]\n    namespaces: [dev]\n    verbs: [create]\n    resources: [pods]\n    acceptedRisks:\n{risks}"
    )
}

#[test]
fn an_accepted_risk_names_a_rule_of_the_rbac_analysis() {
    let typo = error_of(&accepting(
        "      - rule: rbac/wl-create-podz\n        reason: CI creates pods\n",
    ));
    assert!(
        typo.starts_with(
            "p.yaml:10:9: acceptedRisks: \"rbac/wl-create-podz\" is not a rule of the RBAC analysis"
        ),
        "{typo}"
    );
    // A prefix would accept every rule below it: only whole ids.
    let prefix = error_of(&accepting(
        "      - rule: rbac\n        reason: all of it\n",
    ));
    assert!(
        prefix.starts_with("p.yaml:10:9: acceptedRisks: \"rbac\" is not a rule"),
        "{prefix}"
    );
    // Another analyzer's rule is not an RBAC risk of the grant.
    let other = error_of(&accepting(
        "      - rule: pss/runAsNonRoot\n        reason: not RBAC\n",
    ));
    assert!(
        other.contains("is not a rule of the RBAC analysis"),
        "{other}"
    );
    // A validation rule is reported on objects harden never writes wrong.
    let validation = error_of(&accepting(
        "      - rule: rbac/missing-role\n        reason: nothing to accept\n",
    ));
    assert!(
        validation.starts_with(
            "p.yaml:10:9: acceptedRisks: \"rbac/missing-role\" is not reported on a grant's binding"
        ),
        "{validation}"
    );
}

#[test]
fn an_accepted_risk_needs_a_reason() {
    let missing = error_of(&accepting("      - rule: rbac/wl-create-pods\n"));
    assert!(missing.starts_with("p.yaml:10:"), "{missing}");
    assert!(
        missing.contains("\"rbac/wl-create-pods\" needs a reason"),
        "{missing}"
    );
    let blank = error_of(&accepting(
        "      - rule: rbac/wl-create-pods\n        reason: \"  \"\n",
    ));
    assert!(
        blank.starts_with("p.yaml:11:9: acceptedRisks: \"rbac/wl-create-pods\" needs a reason"),
        "{blank}"
    );
    // An expiry alone is no reason, and an expiry must be a date.
    let only_date = error_of(&accepting(
        "      - rule: rbac/wl-create-pods\n        reason: \"expires=2027-01-31\"\n",
    ));
    assert!(only_date.contains("needs a reason"), "{only_date}");
    let bad_date = error_of(&accepting(
        "      - rule: rbac/wl-create-pods\n        reason: \"CI; expires=next year\"\n",
    ));
    assert!(
        bad_date.starts_with("p.yaml:11:9: acceptedRisks: expiry date \"next year\""),
        "{bad_date}"
    );
    let twice = error_of(&accepting(
        "      - rule: rbac/wl-create-pods\n        reason: CI\n      - rule: rbac/wl-create-pods\n        reason: again\n",
    ));
    assert!(
        twice.starts_with("p.yaml:12:9: rule \"rbac/wl-create-pods\" is accepted twice"),
        "{twice}"
    );
}

#[test]
fn accepted_risks_are_read_with_their_reasons() {
    let text = accepting(
        "      - rule: rbac/wl-create-pods\n        reason: \"CI creates pods; expires=2027-01-31\"\n",
    );
    let profile = read_profile("p.yaml", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let risks = &profile.access[0].accepted_risks;
    assert_eq!(risks.len(), 1);
    assert_eq!(risks[0].rule, "rbac/wl-create-pods");
    assert_eq!(risks[0].reason, "CI creates pods; expires=2027-01-31");
}

/// A grant with this name, in namespace dev.
fn grant_named(name: &str) -> String {
    format!(
        "{HEAD}namespaces: [{{name: dev}}]\naccess:\n  - name: \"{name}\"\n    subjects: [group:devs]\n    namespaces: [dev]\n    verbs: [get]\n    resources: [pods]\n"
    )
}

#[test]
fn a_grant_may_not_take_the_name_of_a_bootstrap_role_or_a_system_name() {
    for name in ["cluster-admin", "admin", "edit", "view", "system:masters"] {
        let message = error_of(&grant_named(name));
        assert!(message.starts_with("p.yaml:5:5: grant name"), "{message}");
        assert!(
            message.contains("bootstrap") || message.contains("reserved"),
            "{message}"
        );
    }
    assert!(read_profile("p.yaml", grant_named("team-view").as_bytes()).is_ok());
}

/// A profile with namespaces dev and web, default-deny, and these flows.
fn flows(allow: &str) -> String {
    format!("{HEAD}namespaces: [{{name: dev}}, {{name: web}}]\nnetwork:\n  allow:\n{allow}")
}

#[test]
fn a_flow_whose_policy_takes_the_dns_policys_name_is_refused() {
    let message = error_of(&flows(
        "    - name: dns-egress\n      from: {namespace: web}\n      to: {namespace: dev}\n      ports: [{port: 80}]\n",
    ));
    assert!(
        message.starts_with("p.yaml:6:7: flow \"dns-egress\""),
        "{message}"
    );
    assert!(
        message.contains("\"allow-dns-egress\" in namespace dev"),
        "{message}"
    );
    assert!(message.contains("DNS egress policy"), "{message}");
}

#[test]
fn two_flows_whose_policies_share_a_name_are_refused_naming_both() {
    // x's egress policy in web is allow-x-egress; so is x-egress's ingress policy there.
    let message = error_of(&flows(
        "    - name: x\n      from: {namespace: web}\n      to: {namespace: dev}\n      ports: [{port: 80}]\n    - name: x-egress\n      from: {namespace: dev}\n      to: {namespace: web}\n      ports: [{port: 80}]\n",
    ));
    assert!(
        message.starts_with("p.yaml:10:7: flow \"x-egress\""),
        "{message}"
    );
    assert!(
        message.contains("\"allow-x-egress\" in namespace web"),
        "{message}"
    );
    assert!(
        message.contains("the egress policy of flow \"x\""),
        "{message}"
    );
    // Without default-deny there is no egress policy, so no collision.
    let text = flows(
        "    - name: x\n      from: {namespace: web}\n      to: {namespace: dev}\n      ports: [{port: 80}]\n    - name: x-egress\n      from: {namespace: dev}\n      to: {namespace: web}\n      ports: [{port: 80}]\n",
    )
    .replace("network:\n", "network:\n  defaultDeny: false\n");
    assert!(read_profile("p.yaml", text.as_bytes()).is_ok());
}

#[test]
fn namespace_labels_and_pod_selectors_follow_kubernetes_label_rules() {
    let bad_key = error_of(&format!(
        "{HEAD}namespaces:\n  - name: dev\n    labels: {{\"team name\": web}}\n"
    ));
    assert!(
        bad_key.starts_with("p.yaml:5:14: label key \"team name\" is not valid"),
        "{bad_key}"
    );
    let long = "a".repeat(64);
    let bad_value = error_of(&format!(
        "{HEAD}namespaces:\n  - name: dev\n    labels: {{team: {long}}}\n"
    ));
    assert!(
        bad_value.starts_with("p.yaml:5:14: label team: value"),
        "{bad_value}"
    );
    let selector = error_of(&format!(
        "{HEAD}namespaces: [{{name: dev}}]\nnetwork:\n  allow:\n    - from: {{namespace: dev, podSelector: {{app: \"-web\"}}}}\n      to: {{namespace: dev}}\n      ports: [{{port: 80}}]\n"
    ));
    assert!(
        selector.starts_with("p.yaml:6:44: label app: value \"-web\" is not valid"),
        "{selector}"
    );
    // Valid keys with a prefix and empty values are accepted.
    let good = format!(
        "{HEAD}namespaces:\n  - name: dev\n    labels: {{example.com/team: web, empty: \"\"}}\n"
    );
    assert!(read_profile("p.yaml", good.as_bytes()).is_ok());
}

#[test]
fn control_characters_are_refused_in_subjects_resources_and_verbs() {
    let grant = |subject: &str, verb: &str, resource: &str| {
        format!(
            "{HEAD}namespaces: [{{name: dev}}]\naccess:\n  - subjects: [\"{subject}\"]\n    namespaces: [dev]\n    verbs: [\"{verb}\"]\n    resources: [\"{resource}\"]\n"
        )
    };
    let subject = error_of(&grant("group:devs\\n# x", "get", "pods"));
    assert!(
        subject
            .starts_with("p.yaml:5:16: subject \"group:devs\\n# x\" contains a control character"),
        "{subject}"
    );
    // A custom resource's verbs are not checked against the known verbs, and
    // its group is free text: both still must be one line.
    let verb = error_of(&grant("group:devs", "get\\u2028x", "widgets.example.com"));
    assert!(verb.starts_with("p.yaml:7:13: verb"), "{verb}");
    assert!(verb.contains("control character"), "{verb}");
    let resource = error_of(&grant("group:devs", "get", "widgets.example.com\\tx"));
    assert!(resource.starts_with("p.yaml:8:17: resource"), "{resource}");
    assert!(resource.contains("control character"), "{resource}");
}
