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
