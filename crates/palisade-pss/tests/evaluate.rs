//! Whole-evaluator tests: check selection across versions, message order, the
//! SPEC §5 full messages, and cases the upstream fixtures do not cover.

use palisade_core::Node;
use palisade_pss::{
    CheckFailure, LATEST_MINOR, Level, LevelVersion, Version, aggregate_message, checks,
    checks_for, evaluate, reasons_message,
};
use serde_json::{Value, json};

fn lv(s: &str) -> LevelVersion {
    let (level, version) = s.split_once(':').expect("level:version");
    LevelVersion {
        level: level.parse().expect("level"),
        version: version.parse().expect("version"),
    }
}

fn eval(pod: &Value, policy: &str) -> Vec<CheckFailure> {
    let node = Node::from_json(pod);
    let spec = node.get("spec").expect("spec");
    evaluate(node.get("metadata"), spec, lv(policy))
}

fn message(pod: &Value, policy: &str) -> String {
    aggregate_message(&eval(pod, policy))
}

fn ids(pod: &Value, policy: &str) -> Vec<&'static str> {
    eval(pod, policy).iter().map(|f| f.id).collect()
}

fn nginx() -> Value {
    json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})
}

/// A pod that passes restricted at every version.
fn hardened() -> Value {
    json!({"spec": {
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "app", "securityContext": {
            "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]
    }})
}

fn with_spec(mut pod: Value, pointer: &str, value: Value) -> Value {
    let mut parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let last = parts.pop().expect("non-empty pointer");
    let mut cur = &mut pod;
    for p in parts {
        cur = if let Ok(i) = p.parse::<usize>() {
            &mut cur[i]
        } else {
            let map = cur.as_object_mut().expect("object");
            map.entry(p).or_insert_with(|| json!({}))
        };
    }
    cur[last] = value;
    pod
}

#[test]
fn spec_5_nginx_at_restricted_latest() {
    assert_eq!(
        message(&nginx(), "restricted:latest"),
        r#"allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
    );
    assert_eq!(
        reasons_message(&eval(&nginx(), "restricted:latest")),
        "allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile"
    );
}

#[test]
fn spec_5_nginx_at_restricted_v1_18() {
    assert_eq!(
        message(&nginx(), "restricted:v1.18"),
        r#"allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true)"#
    );
}

fn spec_5_host_pod() -> Value {
    json!({"spec": {
        "hostNetwork": true,
        "hostPID": true,
        "volumes": [{"name": "data", "hostPath": {"path": "/data"}}],
        "initContainers": [{"name": "init", "securityContext": {"capabilities": {"add": ["NET_ADMIN", "SYS_TIME"]}}}],
        "containers": [
            {"name": "app", "ports": [{"containerPort": 8080, "hostPort": 8080}, {"containerPort": 10443, "hostPort": 10443}],
             "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}}},
            {"name": "side", "securityContext": {"privileged": true}}
        ]
    }})
}

#[test]
fn spec_5_host_pod_at_baseline_latest() {
    assert_eq!(
        message(&spec_5_host_pod(), "baseline:latest"),
        r#"non-default capabilities (containers "init", "app" must not include "NET_ADMIN", "SYS_ADMIN", "SYS_TIME" in securityContext.capabilities.add), host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "data"), hostPort (container "app" uses hostPorts 10443, 8080), privileged (containers "app", "side" must not set securityContext.privileged=true)"#
    );
}

#[test]
fn spec_5_host_pod_at_restricted_latest_baseline_group_first() {
    assert_eq!(
        message(&spec_5_host_pod(), "restricted:latest"),
        r#"host namespaces (hostNetwork=true, hostPID=true), hostPort (container "app" uses hostPorts 10443, 8080), privileged (containers "app", "side" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (containers "init", "app", "side" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (containers "init", "app", "side" must set securityContext.capabilities.drop=["ALL"]; containers "init", "app" must not include "NET_ADMIN", "SYS_ADMIN", "SYS_TIME" in securityContext.capabilities.add), restricted volume types (volume "data" uses restricted volume type "hostPath"), runAsNonRoot != true (pod or containers "init", "app", "side" must set securityContext.runAsNonRoot=true), seccompProfile (pod or containers "init", "app", "side" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
    );
}

#[test]
fn spec_5_sysctl_runasuser_pod() {
    let pod = json!({"spec": {
        "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "Unconfined"},
            "sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "net.core.somaxconn", "value": "1"}]},
        "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false, "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]}}}]
    }});
    assert_eq!(
        message(&pod, "restricted:latest"),
        r#"forbidden sysctls (kernel.msgmax, net.core.somaxconn), runAsNonRoot != true (container "a" must not set securityContext.runAsNonRoot=false), runAsUser=0 (pod must not set runAsUser=0), seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")"#
    );
}

#[test]
fn hardened_pod_passes_everywhere_and_privileged_runs_nothing() {
    for minor in 0..=LATEST_MINOR + 3 {
        for level in ["baseline", "restricted"] {
            let policy = format!("{level}:v1.{minor}");
            assert_eq!(message(&hardened(), &policy), "", "{policy}");
        }
    }
    assert!(eval(&spec_5_host_pod(), "privileged:latest").is_empty());
    assert!(eval(&spec_5_host_pod(), "privileged:v1.0").is_empty());
}

#[test]
fn allow_privilege_escalation_starts_at_v1_8() {
    let pod = with_spec(
        hardened(),
        "/spec/containers/0/securityContext/allowPrivilegeEscalation",
        json!(true),
    );
    assert!(eval(&pod, "restricted:v1.7").is_empty());
    assert_eq!(ids(&pod, "restricted:v1.8"), ["allowPrivilegeEscalation"]);
    assert!(eval(&pod, "baseline:latest").is_empty());
}

#[test]
fn seccomp_annotations_until_v1_18_fields_from_v1_19() {
    let annotated = json!({
        "metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}},
        "spec": hardened()["spec"].clone()
    });
    assert_eq!(
        message(&annotated, "baseline:v1.18"),
        r#"seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")"#
    );
    assert_eq!(
        ids(&annotated, "restricted:v1.18"),
        ["seccompProfile_baseline"]
    );
    assert!(eval(&annotated, "baseline:v1.19").is_empty());
    assert!(eval(&annotated, "restricted:v1.19").is_empty());

    let field = with_spec(
        hardened(),
        "/spec/securityContext/seccompProfile/type",
        json!("Unconfined"),
    );
    assert!(eval(&field, "baseline:v1.18").is_empty());
    assert!(eval(&field, "restricted:v1.18").is_empty());
    assert_eq!(ids(&field, "baseline:v1.19"), ["seccompProfile_baseline"]);
    assert_eq!(
        ids(&field, "restricted:v1.19"),
        ["seccompProfile_restricted"]
    );
}

#[test]
fn capabilities_switch_at_v1_22() {
    let pod = json!({"spec": {
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"add": ["CHOWN"]}}}]
    }});
    // CHOWN is a default capability: fine for baseline, and no drop ALL needed before v1.22.
    assert!(eval(&pod, "restricted:v1.21").is_empty());
    assert_eq!(
        message(&pod, "restricted:v1.22"),
        r#"unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]; container "a" must not include "CHOWN" in securityContext.capabilities.add)"#
    );
    let raw = with_spec(
        pod,
        "/spec/containers/0/securityContext/capabilities/add",
        json!(["NET_RAW"]),
    );
    assert_eq!(ids(&raw, "restricted:v1.21"), ["capabilities_baseline"]);
    assert_eq!(ids(&raw, "restricted:v1.22"), ["capabilities_restricted"]);
}

#[test]
fn run_as_user_starts_at_v1_23() {
    let pod = with_spec(
        hardened(),
        "/spec/containers/0/securityContext/runAsUser",
        json!(0),
    );
    assert!(eval(&pod, "restricted:v1.22").is_empty());
    assert_eq!(
        message(&pod, "restricted:v1.23"),
        r#"runAsUser=0 (container "app" must not set runAsUser=0)"#
    );
}

#[test]
fn container_engine_t_allowed_from_v1_31() {
    let pod = with_spec(
        hardened(),
        "/spec/securityContext/seLinuxOptions",
        json!({"type": "container_engine_t"}),
    );
    assert_eq!(
        message(&pod, "baseline:v1.30"),
        r#"seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "container_engine_t")"#
    );
    assert!(eval(&pod, "baseline:v1.31").is_empty());
    assert!(eval(&pod, "restricted:latest").is_empty());
}

#[test]
fn sysctl_allow_list_per_version() {
    let cases: [(&str, u32); 9] = [
        ("net.ipv4.ip_unprivileged_port_start", 0),
        ("net.ipv4.ip_local_reserved_ports", 27),
        ("net.ipv4.tcp_keepalive_time", 29),
        ("net.ipv4.tcp_fin_timeout", 29),
        ("net.ipv4.tcp_keepalive_intvl", 29),
        ("net.ipv4.tcp_keepalive_probes", 29),
        ("net.ipv4.tcp_rmem", 32),
        ("net.ipv4.tcp_wmem", 32),
        ("net.ipv4.tcp_slow_start_after_idle", 37),
    ];
    let minors = [0, 26, 27, 28, 29, 31, 32, 36, 37, 99];
    for (name, since) in cases
        .into_iter()
        .chain([("net.ipv4.tcp_notsent_lowat", 37)])
    {
        let pod = with_spec(
            hardened(),
            "/spec/securityContext/sysctls",
            json!([{"name": name, "value": "1"}]),
        );
        for minor in minors {
            let got = message(&pod, &format!("baseline:v1.{minor}"));
            if minor >= since {
                assert_eq!(got, "", "{name} at v1.{minor}");
            } else {
                assert_eq!(
                    got,
                    format!("forbidden sysctls ({name})"),
                    "{name} at v1.{minor}"
                );
            }
        }
        assert_eq!(message(&pod, "baseline:latest"), "", "{name} at latest");
    }
}

#[test]
fn future_version_behaves_as_latest_but_prints_itself() {
    let policy = lv("restricted:v1.99");
    assert_eq!(policy.to_string(), "restricted:v1.99");
    assert_eq!(lv("restricted:latest").to_string(), "restricted:latest");
    for pod in [nginx(), spec_5_host_pod()] {
        assert_eq!(
            eval(&pod, "restricted:v1.99"),
            eval(&pod, "restricted:latest")
        );
        assert_eq!(eval(&pod, "baseline:v1.99"), eval(&pod, "baseline:latest"));
    }
    let ids_99: Vec<_> = checks_for(policy).map(|c| c.id).collect();
    let ids_latest: Vec<_> = checks_for(lv("restricted:latest")).map(|c| c.id).collect();
    assert_eq!(ids_99, ids_latest);
}

fn windows_pod() -> Value {
    json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "w"}]}})
}

#[test]
fn windows_relaxations_from_v1_25_only() {
    assert_eq!(
        ids(&windows_pod(), "restricted:v1.24"),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted"
        ]
    );
    // runAsNonRoot still applies to Windows pods.
    assert_eq!(ids(&windows_pod(), "restricted:v1.25"), ["runAsNonRoot"]);
    assert_eq!(ids(&windows_pod(), "restricted:latest"), ["runAsNonRoot"]);
    let host_process = with_spec(
        windows_pod(),
        "/spec/securityContext",
        json!({"runAsNonRoot": true, "windowsOptions": {"hostProcess": true}}),
    );
    assert_eq!(
        ids(&host_process, "restricted:latest"),
        ["windowsHostProcess"]
    );
}

fn userns_pod() -> Value {
    json!({"spec": {"hostUsers": false,
        "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "u", "securityContext": {"allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]}, "procMount": "Unmasked"}}]}})
}

#[test]
fn user_namespace_relaxations_from_v1_35() {
    assert_eq!(ids(&userns_pod(), "baseline:v1.34"), ["procMount"]);
    assert!(eval(&userns_pod(), "baseline:v1.35").is_empty());
    assert_eq!(
        ids(&userns_pod(), "restricted:v1.34"),
        ["procMount", "runAsNonRoot", "runAsUser"]
    );
    // procMount_restricted keeps the strict rule; runAsNonRoot and runAsUser relax.
    assert_eq!(
        message(&userns_pod(), "restricted:v1.35"),
        r#"procMount (container "u" must not set securityContext.procMount to "Unmasked")"#
    );
    assert_eq!(
        ids(&userns_pod(), "restricted:latest"),
        ["procMount_restricted"]
    );
    let host_users = with_spec(userns_pod(), "/spec/hostUsers", json!(true));
    assert_eq!(
        ids(&host_users, "restricted:latest"),
        ["procMount_restricted", "runAsNonRoot", "runAsUser"]
    );
}

#[test]
fn ephemeral_containers_are_checked() {
    let pod = with_spec(
        hardened(),
        "/spec/ephemeralContainers",
        json!([{"name": "debugger"}]),
    );
    assert_eq!(
        message(&pod, "restricted:latest"),
        r#"allowPrivilegeEscalation != false (container "debugger" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "debugger" must set securityContext.capabilities.drop=["ALL"])"#
    );
    let privileged = with_spec(
        hardened(),
        "/spec/ephemeralContainers",
        json!([{"name": "debugger", "securityContext": {"privileged": true, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]),
    );
    assert_eq!(ids(&privileged, "baseline:latest"), ["privileged"]);
}

#[test]
fn apparmor_fields_apply_at_every_version() {
    let pod = with_spec(
        hardened(),
        "/spec/containers/0/securityContext/appArmorProfile",
        json!({"type": "Unconfined"}),
    );
    for policy in [
        "baseline:v1.0",
        "baseline:latest",
        "restricted:v1.0",
        "restricted:latest",
    ] {
        assert_eq!(
            message(&pod, policy),
            r#"forbidden AppArmor profile (container "app" must not set AppArmor profile type to "Unconfined")"#,
            "{policy}"
        );
    }
}

#[test]
fn pluralisation_singular_and_plural() {
    let one = with_spec(
        hardened(),
        "/spec/volumes",
        json!([{"name": "a", "hostPath": {"path": "/"}}]),
    );
    assert_eq!(
        message(&one, "baseline:latest"),
        r#"hostPath volumes (volume "a")"#
    );
    let two = with_spec(
        hardened(),
        "/spec/volumes",
        json!([{"name": "a", "hostPath": {"path": "/"}}, {"name": "b", "nfs": {"server": "s", "path": "/"}}]),
    );
    assert_eq!(
        message(&two, "restricted:latest"),
        r#"restricted volume types (volumes "a", "b" use restricted volume types "hostPath", "nfs")"#
    );
}

#[test]
fn annotation_values_are_go_quoted_in_apparmor_messages() {
    let pod = json!({
        "metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "un\"con\nfined\u{7f}\u{200b}é"}},
        "spec": hardened()["spec"].clone()
    });
    assert_eq!(
        message(&pod, "baseline:latest"),
        "forbidden AppArmor profile (annotation must not set AppArmor profile type to \"container.apparmor.security.beta.kubernetes.io/app=\"un\\\"con\\nfined\\x7f\\u200bé\"\")"
    );
}

#[test]
fn wrong_types_do_not_panic_and_read_as_absent() {
    let odd = [
        json!({"spec": "not a map"}),
        json!({"spec": {"containers": "x", "initContainers": 3, "volumes": {"a": 1}}}),
        json!({"spec": {"containers": [null, 1, "c", [], {"name": 5, "securityContext": "x"}]}}),
        json!({"spec": {"securityContext": [], "hostNetwork": "true", "os": "windows"}}),
        json!({"metadata": "x", "spec": {"securityContext": {"sysctls": [1, {"name": 2}], "seccompProfile": "x"}}}),
        json!({"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/a": 1}}, "spec": {}}),
    ];
    for pod in &odd {
        for policy in [
            "baseline:v1.0",
            "baseline:latest",
            "restricted:v1.0",
            "restricted:v1.18",
            "restricted:latest",
        ] {
            let _ = eval(pod, policy);
        }
    }
    // A container with a non-string name is still a container, named "".
    let pod =
        json!({"spec": {"containers": [{"name": 5, "securityContext": {"privileged": true}}]}});
    assert_eq!(
        message(&pod, "baseline:latest"),
        r#"privileged (container "" must not set securityContext.privileged=true)"#
    );
    // A sysctl without a name is forbidden with an empty name, hence an empty
    // detail, and the message is the bare reason.
    let pod = json!({"spec": {"securityContext": {"sysctls": [{"value": "1"}]}}});
    let failures = eval(&pod, "baseline:latest");
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].detail, "");
    assert_eq!(aggregate_message(&failures), "forbidden sysctls");
}

#[test]
fn positions_point_at_the_offending_value() {
    use palisade_core::{Key, Map, Pos, Value as V};
    let at = |line| Pos::new(line, 5);
    let mut sc = Map::new();
    sc.insert(
        Key {
            name: "privileged".into(),
            pos: at(9),
        },
        Node::new(V::Bool(true), at(9)),
    );
    let mut container = Map::new();
    container.insert(
        Key {
            name: "name".into(),
            pos: at(7),
        },
        Node::new(V::String("c".into()), at(7)),
    );
    container.insert(
        Key {
            name: "securityContext".into(),
            pos: at(8),
        },
        Node::new(V::Map(sc), at(8)),
    );
    let mut spec = Map::new();
    spec.insert(
        Key {
            name: "containers".into(),
            pos: at(6),
        },
        Node::new(
            V::Seq(vec![Node::new(V::Map(container), at(7))].into()),
            at(6),
        ),
    );
    let spec = Node::new(V::Map(spec), at(5));
    let failures = evaluate(None, &spec, lv("restricted:latest"));
    let privileged = failures
        .iter()
        .find(|f| f.id == "privileged")
        .expect("privileged fails");
    assert_eq!(privileged.pos, Some(at(9)));
    let ape = failures
        .iter()
        .find(|f| f.id == "allowPrivilegeEscalation")
        .expect("APE fails");
    assert_eq!(
        ape.pos,
        Some(at(8)),
        "missing field points at the securityContext"
    );
}

#[test]
fn check_catalogue_is_complete() {
    let all = checks();
    assert_eq!(all.len(), 19);
    for check in all {
        assert!(
            !check.title().is_empty() && !check.remediation().is_empty(),
            "{}",
            check.id
        );
        assert_eq!(check.rule.id, format!("pss/{}", check.id));
        assert!(
            check.rule.docs().is_complete(),
            "{} has all four doc sections",
            check.id
        );
    }
    let since = |id: &str| palisade_pss::check(id).map(|c| (c.level, c.since()));
    assert_eq!(
        since("hostProbesAndHostLifecycle"),
        Some((Level::Baseline, Version::Minor(34)))
    );
    assert_eq!(
        since("allowPrivilegeEscalation"),
        Some((Level::Restricted, Version::Minor(8)))
    );
    assert_eq!(
        since("procMount_restricted"),
        Some((Level::Restricted, Version::Minor(35)))
    );
    assert_eq!(
        since("runAsNonRoot"),
        Some((Level::Restricted, Version::Minor(0)))
    );
    assert_eq!(since("nope"), None);
}

#[test]
fn level_parsing() {
    assert_eq!("privileged".parse::<Level>(), Ok(Level::Privileged));
    assert_eq!("baseline".parse::<Level>(), Ok(Level::Baseline));
    assert_eq!("restricted".parse::<Level>(), Ok(Level::Restricted));
    for bad in [
        "",
        "Baseline",
        "RESTRICTED",
        "restricted ",
        "unknown",
        "priv",
    ] {
        assert_eq!(
            bad.parse::<Level>(),
            Err("must be one of privileged, baseline, restricted".to_owned()),
            "{bad:?}"
        );
    }
    assert!(Level::Privileged < Level::Baseline && Level::Baseline < Level::Restricted);
}

#[test]
fn version_parsing() {
    assert_eq!("latest".parse::<Version>(), Ok(Version::Latest));
    assert_eq!("v1.0".parse::<Version>(), Ok(Version::Minor(0)));
    assert_eq!("v1.22".parse::<Version>(), Ok(Version::Minor(22)));
    assert_eq!("v1.10000".parse::<Version>(), Ok(Version::Minor(10000)));
    for bad in [
        "",
        "foo",
        "v1",
        "1.1",
        "v2.0",
        "v1.01",
        "V1.2",
        "v1.2.3",
        "Latest",
        "v1.",
        "v1.-1",
        "v1.+2",
        "v1.99999999999999999999",
        " v1.2",
    ] {
        assert_eq!(
            bad.parse::<Version>(),
            Err("must be \"latest\" or \"v1.x\"".to_owned()),
            "{bad:?}"
        );
    }
    assert_eq!(Version::Minor(29).to_string(), "v1.29");
    assert_eq!(
        LevelVersion {
            level: Level::Baseline,
            version: Version::Minor(29)
        }
        .to_string(),
        "baseline:v1.29"
    );
}
