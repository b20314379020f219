//! Each rule of the `schema` analyzer on small manifests, as snapshots of
//! `line:column rule severity message` lines: the field paths, the positions
//! (at the offending value or key) and the severities are what is asserted.

use palisade_core::{Analyzer, Inventory, Options};
use palisade_load::{Limits, load_bytes};
use palisade_schema::{SchemaValidation, VERSION_OPTION};

fn findings(yaml: &str, version: Option<&str>) -> String {
    let load = load_bytes("test.yaml".into(), yaml.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("test input does not load: {e}"));
    let inventory = Inventory::new(load.objects);
    let mut options = Options::default();
    if let Some(version) = version {
        options.set(VERSION_OPTION, version);
    }
    SchemaValidation
        .check_options(&options)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut found = SchemaValidation.analyze(&inventory, &options);
    found.sort_by_key(|f| f.line_column());
    let lines: Vec<String> = found
        .iter()
        .map(|f| {
            let (line, column) = f.line_column().unwrap_or_default();
            format!("{line}:{column} {} {} {}", f.rule, f.severity, f.message)
        })
        .collect();
    lines.join("\n")
}

const POD_HEAD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n";

#[test]
fn type_mismatch() {
    let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    tier: 1
spec:
  replicas: "3"
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: "true"
      containers:
      - name: 123
        image: nginx
        securityContext:
          privileged: "true"
          capabilities:
            add: NET_ADMIN
        ports:
        - containerPort: 80.5
---
apiVersion: v1
kind: Pod
metadata:
  name: oops
spec:
  containers: "oops"
"#;
    insta::assert_snapshot!(findings(yaml, None));
}

#[test]
fn unknown_field() {
    let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      containers: []
    spec:
      hostNetwrok: true
      containers:
      - name: app
        image: nginx
        imagePullPolicy: Always
        securityContext:
          runAsNonroot: true
          RunAsUser: 1000
        resources:
          limit:
            cpu: 1
"#;
    insta::assert_snapshot!(findings(yaml, None));
}

#[test]
fn required_missing() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - image: nginx
  - name: null
    image: nginx
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
subjects:
- kind: User
  name: alice
"#;
    insta::assert_snapshot!(findings(yaml, None));
}

#[test]
fn invalid_value() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata:
  name: p
  creationTimestamp: yesterday
spec:
  containers:
  - name: app
    image: nginx
    resources:
      limits:
        cpu: 2 cores
        memory: 512Mi
      requests:
        cpu: 0.5
    ports:
    - containerPort: 3000000000
---
apiVersion: v1
kind: Secret
metadata:
  name: s
data:
  good: aGVsbG8=
  bad: not base64!
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - port: 80
    targetPort: 1.5
  - port: 81
    targetPort: http
"#;
    insta::assert_snapshot!(findings(yaml, None));
}

#[test]
fn null_means_absent_and_valid_manifests_pass() {
    let yaml = format!(
        "{POD_HEAD}  nodeSelector: null\n  containers:\n  - name: app\n    image: nginx\n    args: null\n    securityContext:\n      privileged: false\n      runAsUser: 1e3\n    resources:\n      limits: {{cpu: 500m, memory: 1Gi}}\n"
    );
    assert_eq!(findings(&yaml, None), "");
}

#[test]
fn custom_resources_against_their_crd() {
    let yaml = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: string, enum: [small, large]}
              replicas: {type: integer, format: int32}
              port: {x-kubernetes-int-or-string: true}
              note: {type: string, nullable: true}
              config:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  level: {type: integer}
              labels:
                type: object
                additionalProperties: {type: string}
              template:
                type: object
                x-kubernetes-embedded-resource: true
                properties:
                  spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v0
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: good
spec:
  size: small
  port: http
  note: null
  config: {level: 3, anything: [1, 2]}
  labels: {a: b}
  template:
    apiVersion: v1
    kind: Pod
    metadata: {name: inner}
    spec: {whatever: true}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: bad
  lables: {a: b}
spec:
  size: medium
  replicas: "2"
  port: 1.5
  config: {level: high}
  labels: {a: 1}
  colour: red
  template:
    kind: Pod
    extra: 1
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: missing
spec: {}
---
apiVersion: example.com/v0
kind: Widget
metadata:
  name: not-served
spec: {anything: 1}
---
apiVersion: other.example.com/v1
kind: Gadget
metadata:
  name: no-crd
spec: {anything: 1}
"#;
    insta::assert_snapshot!(findings(yaml, None));
}

#[test]
fn the_version_decides_which_fields_exist() {
    // Container resizePolicy arrived in Kubernetes v1.27.
    let yaml = format!(
        "{POD_HEAD}  containers:\n  - name: app\n    image: nginx\n    resizePolicy:\n    - resourceName: cpu\n      restartPolicy: NotRequired\n"
    );
    let old = findings(&yaml, Some("v1.26"));
    assert!(
        old.contains(r#"unknown field "spec.containers[0].resizePolicy""#),
        "{old}"
    );
    assert_eq!(findings(&yaml, Some("v1.27")), "");
    assert_eq!(findings(&yaml, None), "");
}

#[test]
fn a_version_without_a_schema_is_refused() {
    let mut options = Options::default();
    options.set(VERSION_OPTION, "v1.20");
    let error = SchemaValidation.check_options(&options).unwrap_err();
    assert!(
        error.contains("no embedded schema for Kubernetes v1.20"),
        "{error}"
    );
    assert!(error.contains("v1.25 to v1.37"), "{error}");
}

#[test]
fn the_deepest_input_the_loader_accepts_does_not_exhaust_the_stack() {
    // A CRD nested to the loader's depth limit: JSONSchemaProps is recursive,
    // so the built-in walk follows it all the way down, and so does the CRD
    // conversion and the walk of a matching custom resource.
    let depth = 480;
    let mut schema = String::from("{type: string}");
    // The leaf has the wrong type: the finding proves the walk reached it.
    let mut object = String::from("1");
    for _ in 0..depth {
        schema = format!("{{type: object, properties: {{a: {schema}}}}}");
        object = format!("{{a: {object}}}");
    }
    let yaml = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {{name: deep.example.com}}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {{kind: Deep, plural: deeps}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {{type: object, properties: {{spec: {schema}}}}}\n---\napiVersion: example.com/v1\nkind: Deep\nmetadata: {{name: d}}\nspec: {object}\n"
    );
    let found = findings(&yaml, None);
    assert!(
        found.contains("schema/type-mismatch")
            && found.contains(".a.a.a\": got number 1, expected string"),
        "{found}"
    );
}
