//! The `schema` analyzer over the shared corpus of real manifests (upstream
//! projects' own files, which their users apply): it must report nothing,
//! except the reports listed in [`REAL_ERRORS`], each a real error of that
//! manifest checked by hand. Without the shared data the test says it is
//! skipped; with `PALISADE_REQUIRE_CONFORMANCE=1` (CI) it fails.

use std::collections::BTreeSet;

use palisade_core::{Analyzer, Inventory, Options};
use palisade_load::{Input, InputOptions, Limits, load_inputs_with};
use palisade_schema::SchemaValidation;

/// `file:line rule`, then why it is a real error of the manifest.
const REAL_ERRORS: &[(&str, &str)] = &[
    (
        "kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:40 schema/invalid-value",
        "a template: FILESTORE_CAPACITY is replaced before apply; as written the quantity is refused",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:24 schema/required-missing",
        "uses modelSource and resources, which the InferenceModel v1alpha2 CRD beside it does not declare, and omits its required modelName and poolRef",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:24 schema/unknown-field",
        "uses modelSource and resources, which the InferenceModel v1alpha2 CRD beside it does not declare, and omits its required modelName and poolRef",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:28 schema/unknown-field",
        "uses modelSource and resources, which the InferenceModel v1alpha2 CRD beside it does not declare, and omits its required modelName and poolRef",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model.yaml:24 schema/required-missing",
        "uses modelSource and resources, which the InferenceModel v1alpha2 CRD beside it does not declare, and omits its required modelName and poolRef",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model.yaml:24 schema/unknown-field",
        "uses modelSource and resources, which the InferenceModel v1alpha2 CRD beside it does not declare, and omits its required modelName and poolRef",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model.yaml:28 schema/unknown-field",
        "uses modelSource and resources, which the InferenceModel v1alpha2 CRD beside it does not declare, and omits its required modelName and poolRef",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:40 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:52 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:80 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:81 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:83 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:86 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:88 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:89 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:92 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:94 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml:95 schema/type-mismatch",
        "a template: ${VAR:-default} placeholders stand where integers go",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-2b-bitsandbytes-nf4/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-2b-bitsandbytes/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-2b-parallel/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-7b-bitsandbytes-nf4/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-7b-bitsandbytes/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-7b-token/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-2b-awq/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-2b-parallel/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-7b-awq/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-7b-kvcache/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-7b-token/patch.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/autoscaling/custom-compute-classes/reservations/deployment-gpu.yaml:39 schema/invalid-value",
        "a template: ${ACCELERATOR_QUANTITY} is not a quantity until substituted",
    ),
    (
        "kubernetes-engine-samples/autoscaling/custom-compute-classes/reservations/deployment-gpu.yaml:43 schema/invalid-value",
        "a template: ${ACCELERATOR_QUANTITY} is not a quantity until substituted",
    ),
    (
        "kubernetes-engine-samples/databases/redis-enterprise-operator/manifests/01-basic-cluster/webhook.yaml:40 schema/invalid-value",
        "caBundle: \"CRT\" is a placeholder, not base64 PEM data",
    ),
    (
        "kubernetes-engine-samples/networking/sctp/sctp-deployment.yaml:33 schema/type-mismatch",
        "a template: the literal PORT stands where a port number goes",
    ),
    (
        "kubernetes-engine-samples/networking/sctp/sctp-deployment.yaml:45 schema/type-mismatch",
        "a template: the literal PORT stands where a port number goes",
    ),
    (
        "kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/arm/add_arm_support.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/arm/add_arm_support.yaml:22 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/multiarch/add_multiarch_support.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/multiarch/add_multiarch_support.yaml:22 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/multiarch/increase_replicas.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/x86_increase_replicas/increase_replicas.yaml:20 schema/required-missing",
        "a kustomize patch, not a complete object: alone it lacks required fields",
    ),
    (
        "kubernetes-examples/_archived/volumes/fibre_channel/fc.yaml:17 schema/type-mismatch",
        "a template: \"<ADD LUN ID Here>\" stands where the LUN number goes",
    ),
    (
        "kubernetes-examples/_archived/volumes/rbd/rbd.yaml:25 schema/unknown-field",
        "imageformat and imagefeatures are RBD StorageClass parameters, not rbd volume fields (archived example)",
    ),
    (
        "kubernetes-examples/_archived/volumes/rbd/rbd.yaml:26 schema/unknown-field",
        "imageformat and imagefeatures are RBD StorageClass parameters, not rbd volume fields (archived example)",
    ),
    (
        "kubernetes-examples/_archived/volumes/scaleio/pod.yaml:17 schema/unknown-field",
        "protectionDoamin is a typo of protectionDomain (archived example)",
    ),
    (
        "kubernetes-examples/_archived/volumes/storageos/storageos-pod.yaml:35 schema/unknown-field",
        "pool is not a field of the storageos volume source (archived example)",
    ),
    (
        "kubernetes-examples/_archived/volumes/storageos/storageos-pv.yaml:22 schema/unknown-field",
        "the storageos persistent volume source takes secretRef, not secretName (archived example)",
    ),
    (
        "microservices-demo/kustomize/components/without-loadgenerator/delete-loadgenerator.patch.yaml:1 schema/required-missing",
        "a kustomize `$patch: delete` directive, not an object",
    ),
    (
        "microservices-demo/kustomize/components/without-loadgenerator/delete-loadgenerator.patch.yaml:5 schema/unknown-field",
        "a kustomize `$patch: delete` directive, not an object",
    ),
    (
        "prometheus-operator/example/alertmanager-crd-conversion/patch.json:11 schema/required-missing",
        "a patch of the CRD's conversion settings, not a complete CRD",
    ),
    (
        "prometheus-operator/example/user-guides/scrapeclass/scrapeclass-example-podmonitor.yaml:4 schema/required-missing",
        "omits spec.selector, which the monitoring.coreos.com/v1 CRD in the corpus requires",
    ),
    (
        "prometheus-operator/example/user-guides/scrapeclass/scrapeclass-example-servicemonitor.yaml:6 schema/required-missing",
        "omits spec.selector, which the monitoring.coreos.com/v1 CRD in the corpus requires",
    ),
    (
        "argo-cd/manifests/base/application-controller-deployment/argocd-application-controller-statefulset.yaml:6 schema/required-missing",
        "a kustomize strategic-merge patch (an overlay of the base manifest), not a complete object: alone it lacks required fields",
    ),
    (
        "argo-cd/manifests/ha/base/controller-deployment/argocd-application-controller-statefulset.yaml:6 schema/required-missing",
        "a kustomize strategic-merge patch (an overlay of the base manifest), not a complete object: alone it lacks required fields",
    ),
    (
        "argo-cd/manifests/ha/base/controller-deployment/argocd-repo-server-deployment.yaml:6 schema/required-missing",
        "a kustomize strategic-merge patch (an overlay of the base manifest), not a complete object: alone it lacks required fields",
    ),
    (
        "argo-cd/manifests/ha/base/controller-deployment/argocd-server-deployment.yaml:6 schema/required-missing",
        "a kustomize strategic-merge patch (an overlay of the base manifest), not a complete object: alone it lacks required fields",
    ),
    (
        "argo-cd/manifests/ha/base/overlays/argocd-application-controller-statefulset.yaml:6 schema/required-missing",
        "a kustomize strategic-merge patch (an overlay of the base manifest), not a complete object: alone it lacks required fields",
    ),
    (
        "argo-cd/manifests/ha/base/overlays/argocd-repo-server-deployment.yaml:6 schema/required-missing",
        "a kustomize strategic-merge patch (an overlay of the base manifest), not a complete object: alone it lacks required fields",
    ),
    (
        "argo-cd/manifests/ha/base/overlays/argocd-server-deployment.yaml:6 schema/required-missing",
        "a kustomize strategic-merge patch (an overlay of the base manifest), not a complete object: alone it lacks required fields",
    ),
    (
        "istio/samples/security/spire-trust-domain-federation/cluster-federated-trust-domain.yaml:6 schema/unknown-field",
        "className is not declared by the ClusterFederatedTrustDomain CRD in the corpus (spire-quickstart.yaml), an older SPIRE CRD",
    ),
    (
        "kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:23 schema/invalid-value",
        "a template: FILESTORE_CAPACITY is replaced before apply; as written the quantity is refused",
    ),
];

#[test]
fn the_corpus_has_no_schema_errors_but_the_known_real_ones() {
    let Some(corpus) =
        palisade_core::shared_data::shared_dir(env!("CARGO_MANIFEST_DIR"), "corpus", "index.jsonl")
    else {
        return;
    };
    // File by file, as the allow-list was written: the corpus is a snapshot of
    // some files of several repositories, and many of its kustomizations cannot
    // render (the CLI's corpus test reads it with --no-render for the same reason).
    let raw = InputOptions {
        raw: true,
        ..InputOptions::default()
    };
    let loaded = load_inputs_with(&[Input::Path(corpus.clone())], &Limits::default(), &raw);
    assert!(loaded.objects.len() > 2000, "the corpus loads");
    let inventory = Inventory::new(loaded.objects);
    let findings = SchemaValidation.analyze(&inventory, &Options::default());
    let prefix = format!("{}/", corpus.display());
    let reported: BTreeSet<String> = findings
        .iter()
        .map(|f| {
            let location = f.location.as_ref().map_or(String::new(), |l| {
                format!(
                    "{}:{}",
                    l.file.strip_prefix(&prefix).unwrap_or(&l.file),
                    l.line
                )
            });
            format!("{location} {}", f.rule)
        })
        .collect();
    let expected: BTreeSet<String> = REAL_ERRORS.iter().map(|(at, _)| (*at).to_owned()).collect();
    let unexpected: Vec<String> = findings
        .iter()
        .filter(|f| {
            let location = f.location.as_ref().map_or(String::new(), |l| {
                format!(
                    "{}:{}",
                    l.file.strip_prefix(&prefix).unwrap_or(&l.file),
                    l.line
                )
            });
            !expected.contains(&format!("{location} {}", f.rule))
        })
        .map(|f| {
            format!(
                "{} {} {} {}",
                f.location.as_ref().map_or(String::new(), |l| l.to_string()),
                f.rule,
                f.severity,
                f.message
            )
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected schema findings:\n{}",
        unexpected.join("\n")
    );
    let missing: Vec<&String> = expected.difference(&reported).collect();
    assert!(
        missing.is_empty(),
        "listed real errors no longer reported: {missing:#?}"
    );
}
