//! Inventory indexing and pod-template extraction for every workload kind.

use std::sync::Arc;

use palisade_core::{Inventory, Node, Object, Pos, SourceRef, pod_templates};
use serde_json::{Value, json};

fn object(json: Value) -> Object {
    Object::new(
        Node::from_json(&json),
        SourceRef {
            file: Arc::from("test.yaml"),
            pos: Pos::new(1, 1),
        },
    )
}

/// A pod template whose single container is named `marker`, so a test can tell
/// which template was found.
fn template(marker: &str) -> Value {
    json!({"metadata": {"annotations": {"a": marker}}, "spec": {"containers": [{"name": marker}]}})
}

fn found(obj: &Object) -> Vec<(String, String)> {
    pod_templates(obj)
        .into_iter()
        .map(|t| {
            let name = t
                .spec
                .path(&["containers"])
                .and_then(|c| c.items().next())
                .and_then(|c| c.get("name"))
                .and_then(Node::as_str)
                .unwrap_or("?")
                .to_owned();
            (t.path, name)
        })
        .collect()
}

#[test]
fn built_in_workloads_yield_their_template() {
    let cases = [
        ("apps/v1", "Deployment"),
        ("apps/v1", "ReplicaSet"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("batch/v1", "Job"),
        ("v1", "ReplicationController"),
    ];
    for (api_version, kind) in cases {
        let obj = object(
            json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "w"},
                                "spec": {"template": template(kind)}}),
        );
        assert_eq!(
            found(&obj),
            [("spec.template".to_owned(), kind.to_owned())],
            "{kind}"
        );
    }
}

#[test]
fn pod_yields_itself_with_its_own_metadata() {
    let obj = object(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"x": "y"}},
                            "spec": {"containers": [{"name": "c"}]}}),
    );
    let templates = pod_templates(&obj);
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].path, "");
    assert_eq!(
        templates[0]
            .metadata
            .and_then(|m| m.path(&["annotations", "x"]))
            .and_then(Node::as_str),
        Some("y")
    );
}

#[test]
fn cronjob_template_is_nested_in_the_job_template() {
    let obj = object(
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template("cron")}}}}),
    );
    assert_eq!(
        found(&obj),
        [(
            "spec.jobTemplate.spec.template".to_owned(),
            "cron".to_owned()
        )]
    );
}

#[test]
fn pod_template_object_keeps_its_template_at_the_top() {
    let obj = object(
        json!({"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"}, "template": template("pt")}),
    );
    assert_eq!(found(&obj), [("template".to_owned(), "pt".to_owned())]);
}

#[test]
fn custom_resources_with_several_templates_yield_each() {
    let jobset = object(
        json!({"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet", "metadata": {"name": "j"},
        "spec": {"replicatedJobs": [
            {"name": "a", "template": {"spec": {"template": template("first")}}},
            {"name": "b", "template": {"spec": {"template": template("second")}}}]}}),
    );
    assert_eq!(
        found(&jobset),
        [
            (
                "spec.replicatedJobs[0].template.spec.template".to_owned(),
                "first".to_owned()
            ),
            (
                "spec.replicatedJobs[1].template.spec.template".to_owned(),
                "second".to_owned()
            ),
        ]
    );

    let lws = object(
        json!({"apiVersion": "leaderworkerset.x-k8s.io/v1", "kind": "LeaderWorkerSet", "metadata": {"name": "l"},
        "spec": {"leaderWorkerTemplate": {"leaderTemplate": template("leader"), "workerTemplate": template("worker")}}}),
    );
    assert_eq!(
        found(&lws).into_iter().map(|(_, n)| n).collect::<Vec<_>>(),
        ["leader", "worker"]
    );

    let ray = object(
        json!({"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "r"},
        "spec": {"rayClusterConfig": {"headGroupSpec": {"template": template("head")},
                                      "workerGroupSpecs": [{"template": template("w0")}, {"template": template("w1")}]}}}),
    );
    assert_eq!(
        found(&ray).into_iter().map(|(_, n)| n).collect::<Vec<_>>(),
        ["head", "w0", "w1"]
    );

    let pytorch = object(
        json!({"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "t"},
        "spec": {"pytorchReplicaSpecs": {"Master": {"template": template("master")}, "Worker": {"template": template("worker")}}}}),
    );
    assert_eq!(
        found(&pytorch),
        [
            (
                "spec.pytorchReplicaSpecs.Master.template".to_owned(),
                "master".to_owned()
            ),
            (
                "spec.pytorchReplicaSpecs.Worker.template".to_owned(),
                "worker".to_owned()
            ),
        ]
    );
}

#[test]
fn rollouts_and_knative_services_are_workloads() {
    for (api_version, kind) in [
        ("argoproj.io/v1alpha1", "Rollout"),
        ("serving.knative.dev/v1", "Service"),
    ] {
        let obj = object(
            json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"},
                                "spec": {"template": template(kind)}}),
        );
        assert_eq!(found(&obj).len(), 1, "{kind}");
    }
}

#[test]
fn unknown_kinds_are_workloads_only_when_their_template_has_containers() {
    let custom = object(
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                               "spec": {"template": template("custom")}}),
    );
    assert_eq!(
        found(&custom),
        [("spec.template".to_owned(), "custom".to_owned())]
    );

    let not_a_pod = object(
        json!({"apiVersion": "example.com/v1", "kind": "Mailer", "metadata": {"name": "m"},
                                  "spec": {"template": {"spec": {"subject": "hello"}}}}),
    );
    assert!(found(&not_a_pod).is_empty());

    // The core Service kind has no template, and a same-named kind of another group
    // must not borrow Knative's path.
    let service = object(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": []}}),
    );
    assert!(found(&service).is_empty());
}

#[test]
fn workloads_without_a_spec_mapping_yield_nothing() {
    let broken = object(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                               "spec": {"template": {"spec": "oops"}}}),
    );
    assert!(found(&broken).is_empty());
}

#[test]
fn namespaces_come_from_objects_and_references_with_the_implicit_label() {
    let inventory = Inventory::new(vec![
        object(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod",
            "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}),
        ),
        object(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "dev"}}),
        ),
        object(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "prod"}}),
        ),
    ]);
    let prod = inventory.namespace("prod").expect("prod is defined");
    assert_eq!(
        prod.label("pod-security.kubernetes.io/enforce"),
        Some("restricted")
    );
    assert_eq!(prod.label("kubernetes.io/metadata.name"), Some("prod"));
    assert_eq!(prod.object, Some(0));
    let dev = inventory.namespace("dev").expect("dev is referenced");
    assert_eq!(dev.object, None);
    assert_eq!(dev.label("kubernetes.io/metadata.name"), Some("dev"));
    assert_eq!(
        inventory
            .namespaces()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>(),
        ["dev", "prod"]
    );
    assert_eq!(inventory.of_kind("ConfigMap").count(), 2);
    assert!(inventory.get("ConfigMap", Some("dev"), "c").is_some());
    assert!(inventory.get("ConfigMap", None, "c").is_none());
}
