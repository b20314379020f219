//! Snapshot tests of full messages for representative failing pods at
//! `restricted:latest` and `baseline:latest`. Review changes with
//! `cargo insta review` (or `INSTA_UPDATE=always`) before accepting.

use palisade_core::Node;
use palisade_pss::{LevelVersion, evaluate};
use serde_json::{Value, json};

/// `{"policy": {"id": "reason (detail)", ...}}` for both levels at latest.
fn report(pod: &Value) -> Value {
    let node = Node::from_json(pod);
    let spec = node.get("spec").expect("spec");
    let mut out = serde_json::Map::new();
    for policy in ["baseline:latest", "restricted:latest"] {
        let (level, version) = policy.split_once(':').expect("policy");
        let lv = LevelVersion {
            level: level.parse().expect("level"),
            version: version.parse().expect("version"),
        };
        let failures: Vec<Value> = evaluate(node.get("metadata"), spec, lv)
            .iter()
            .map(|f| json!({"id": f.id, "message": f.message()}))
            .collect();
        out.insert(policy.to_owned(), Value::Array(failures));
    }
    Value::Object(out)
}

#[test]
fn minimal_pod() {
    insta::assert_json_snapshot!(report(
        &json!({"spec": {"containers": [{"name": "app", "image": "nginx"}]}})
    ));
}

#[test]
fn everything_wrong() {
    let pod = json!({
        "metadata": {"annotations": {
            "container.apparmor.security.beta.kubernetes.io/app": "unconfined",
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined"
        }},
        "spec": {
            "hostNetwork": true, "hostPID": true, "hostIPC": true,
            "securityContext": {
                "runAsUser": 0, "runAsNonRoot": false,
                "seLinuxOptions": {"type": "spc_t", "user": "system_u"},
                "seccompProfile": {"type": "Unconfined"},
                "sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "net.ipv4.tcp_rmem", "value": "1"}],
                "windowsOptions": {"hostProcess": true},
                "appArmorProfile": {"type": "Unconfined"}
            },
            "volumes": [
                {"name": "root", "hostPath": {"path": "/"}},
                {"name": "share", "nfs": {"server": "nfs", "path": "/"}},
                {"name": "scratch"}
            ],
            "initContainers": [{"name": "init", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}, "procMount": "Unmasked"}}],
            "containers": [{
                "name": "app",
                "ports": [{"containerPort": 80, "hostPort": 80}, {"containerPort": 9000, "hostPort": 9000}],
                "livenessProbe": {"httpGet": {"host": "169.254.169.254", "port": 80}},
                "securityContext": {"privileged": true, "allowPrivilegeEscalation": true, "runAsUser": 0,
                    "seLinuxOptions": {"role": "sysadm_r"}}
            }],
            "ephemeralContainers": [{"name": "debug", "securityContext": {"capabilities": {"add": ["NET_RAW"], "drop": ["ALL"]}}}]
        }
    });
    insta::assert_json_snapshot!(report(&pod));
}

#[test]
fn windows_host_process_pod() {
    let pod = json!({"spec": {
        "os": {"name": "windows"},
        "hostNetwork": true,
        "securityContext": {"windowsOptions": {"hostProcess": true, "runAsUserName": "NT AUTHORITY\\SYSTEM"}},
        "containers": [{"name": "w", "securityContext": {"windowsOptions": {"hostProcess": true}}}]
    }});
    insta::assert_json_snapshot!(report(&pod));
}

#[test]
fn nearly_hardened_pod() {
    let pod = json!({"spec": {
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {"name": "a", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "CHOWN"]}}},
            {"name": "b", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["all"]}, "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}}
        ],
        "volumes": [{"name": "c", "configMap": {"name": "x"}}, {"name": "g", "gitRepo": {"repository": "r"}}]
    }});
    insta::assert_json_snapshot!(report(&pod));
}

#[test]
fn user_namespace_pod() {
    let pod = json!({"spec": {
        "hostUsers": false,
        "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "u", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "procMount": "Unmasked"}}]
    }});
    insta::assert_json_snapshot!(report(&pod));
}
