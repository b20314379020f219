//! Gatekeeper policies watched in the cluster (`palisade serve --watch-gatekeeper`).
//!
//! Gatekeeper keeps its policies as custom resources: ConstraintTemplates
//! (`templates.gatekeeper.sh/v1`) and, for each template, a CRD of the
//! template's kind in `constraints.gatekeeper.sh/v1beta1` (cluster-scoped,
//! plural = the kind in lowercase) holding its Constraints. This module
//! watches them with kube-rs reflectors, as Gatekeeper's own controllers do:
//!
//! - one reflector over ConstraintTemplates, as [`DynamicObject`]s (Palisade
//!   has no typed CRD structs and needs none: the objects become
//!   [`palisade_core::Object`]s, as files do);
//! - one reflector per template kind over that kind's Constraints, started
//!   when a template of the kind appears and stopped (its task aborted) when
//!   the last one goes;
//! - on any change, after the changes have settled (the debounce, 500 ms by
//!   default, so that applying a directory of policies costs one rebuild and
//!   not fifty), a new [`PolicySet`] is built from the file policies and the
//!   watched objects together, off the async threads (templates compile Rego),
//!   and swapped into the [`SharedPolicySet`] the admission policy reads.
//!   Requests in flight finish with the set they started with.
//!
//! A broken policy does not stop the others: a template that does not compile,
//! a constraint that fails its schema or has no template, is logged at `warn`
//! (once, when it first appears) and counted in `palisade_gatekeeper_load_problems`;
//! the rest is enforced. This differs from `--policies` files alone, where the
//! server refuses to start: a cluster's policies change under a running
//! server, and refusing one broken template must not drop every other one.
//!
//! Readiness: [`PolicyWatch::gate`] stays unset until the templates have been
//! listed, the constraints of every kind then present have been listed, and a
//! set built from those complete lists is in force, so the API server sends
//! nothing to a replica that would enforce only part of the policies. As with
//! the namespace cache, readiness is not withdrawn later when a watch fails:
//! the reflectors keep the last state they saw and retry with backoff.
//! A resource the API server does not serve (404: Gatekeeper's CRDs are not
//! installed, or a template's constraint CRD does not exist yet because
//! Gatekeeper refused the template) counts as listed and empty, so that it
//! cannot keep the webhook unready for ever; its watch keeps retrying and
//! picks the objects up once the CRD appears.
//!
//! Not done: `data.inventory` is empty (`{}`) for watched and file policies
//! alike in this mode. Gatekeeper fills it from its sync configuration
//! (`config.gatekeeper.sh` `Config` with `spec.sync.syncOnly`); Palisade does
//! not watch other kinds for it, so referential templates (unique ingress
//! hosts, ...) see no cluster objects.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures_util::StreamExt;
use kube::api::{ApiResource, DynamicObject};
use kube::runtime::reflector::{self, Store};
use kube::runtime::utils::Backoff;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, ResourceExt};
use palisade_core::node::Pos;
use palisade_core::{Node, Object, SourceRef};
use palisade_policy::admission::SharedPolicySet;
use palisade_policy::evaluate::EnginePreference;
use palisade_policy::policy_set::{LoadProblem, PolicySet};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::metrics::Metrics;
use crate::server::ReadyGate;

/// The group of ConstraintTemplates.
pub const TEMPLATE_GROUP: &str = "templates.gatekeeper.sh";
/// The group of every template's constraint kind.
pub const CONSTRAINT_GROUP: &str = "constraints.gatekeeper.sh";
/// The version of constraints read (Gatekeeper serves v1beta1 and v1alpha1
/// for every constraint CRD; v1beta1 is the one its documentation uses).
pub const CONSTRAINT_VERSION: &str = "v1beta1";

/// How the watch builds policy sets.
#[derive(Clone, Debug)]
pub struct PolicyWatchOptions {
    /// Which engine runs templates that carry both Rego and CEL.
    pub engine: EnginePreference,
    /// How long changes must be quiet before a rebuild. A steady stream of
    /// changes still rebuilds at least every ten debounce periods.
    pub debounce: Duration,
}

impl Default for PolicyWatchOptions {
    fn default() -> Self {
        PolicyWatchOptions {
            engine: EnginePreference::default(),
            debounce: Duration::from_millis(500),
        }
    }
}

/// The running watch. Dropping it stops every reflector.
pub struct PolicyWatch {
    ready: Arc<AtomicBool>,
    _controller: AbortOnDrop,
}

impl PolicyWatch {
    /// Starts watching templates and constraints through `client`, building
    /// sets from `files` (policy objects from `--policies`, used as they are)
    /// plus the watched objects, and swapping them into `set`.
    pub fn start(
        client: Client,
        files: Vec<Object>,
        set: SharedPolicySet,
        metrics: Arc<Metrics>,
        options: PolicyWatchOptions,
    ) -> PolicyWatch {
        let ready = Arc::new(AtomicBool::new(false));
        let controller = Controller {
            client,
            files: Arc::new(files),
            set,
            metrics,
            options,
            ready: Arc::clone(&ready),
            changed: Arc::new(Notify::new()),
            reported: HashSet::new(),
            odd_kinds: HashSet::new(),
        };
        PolicyWatch {
            ready,
            _controller: AbortOnDrop(tokio::spawn(controller.run())),
        }
    }

    /// True once a set built from complete lists is in force.
    pub fn ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The condition for the server's `/readyz`.
    pub fn gate(&self) -> ReadyGate {
        ReadyGate {
            waiting_for: "gatekeeper policies",
            ready: Arc::clone(&self.ready),
        }
    }
}

/// The `ApiResource` of ConstraintTemplates.
pub fn template_resource() -> ApiResource {
    ApiResource {
        group: TEMPLATE_GROUP.to_owned(),
        version: "v1".to_owned(),
        api_version: format!("{TEMPLATE_GROUP}/v1"),
        kind: "ConstraintTemplate".to_owned(),
        plural: "constrainttemplates".to_owned(),
    }
}

/// The `ApiResource` of the constraints of `kind`, or `None` when `kind`
/// cannot be a Kubernetes kind (it becomes a path segment of the URL, so it
/// is checked rather than trusted: Gatekeeper requires a kind made of letters
/// and digits too, and would have created no CRD for another).
pub fn constraint_resource(kind: &str) -> Option<ApiResource> {
    let valid = kind.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && kind.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then(|| ApiResource {
        group: CONSTRAINT_GROUP.to_owned(),
        version: CONSTRAINT_VERSION.to_owned(),
        api_version: format!("{CONSTRAINT_GROUP}/{CONSTRAINT_VERSION}"),
        kind: kind.to_owned(),
        plural: kind.to_ascii_lowercase(),
    })
}

/// The constraint kind a ConstraintTemplate defines, if it names one.
fn template_kind(template: &DynamicObject) -> Option<&str> {
    template
        .data
        .pointer("/spec/crd/spec/names/kind")
        .and_then(serde_json::Value::as_str)
        .filter(|kind| !kind.is_empty())
}

/// A watched object as Palisade's loader would have read it from a file named
/// `cluster:<Kind>/<name>` (the name policy problems are reported under).
/// `apiVersion` and `kind` are set from the resource watched: the API server
/// may leave them out of list items, and the object is of that resource.
pub fn to_object(object: &DynamicObject, resource: &ApiResource) -> Result<Object, String> {
    let name = object.name_any();
    let mut json = serde_json::to_value(object)
        .map_err(|e| format!("{} {name:?} could not be read: {e}", resource.kind))?;
    if let Some(fields) = json.as_object_mut() {
        fields.insert(
            "apiVersion".to_owned(),
            serde_json::Value::String(resource.api_version.clone()),
        );
        fields.insert(
            "kind".to_owned(),
            serde_json::Value::String(resource.kind.clone()),
        );
    }
    let source = SourceRef {
        file: format!("cluster:{}/{name}", resource.kind).into(),
        pos: Pos::default(),
    };
    Ok(Object::new(Node::from_json(&json), source))
}

/// Builds the set of `files` and `watched` objects, with an empty
/// `data.inventory` (see the module documentation).
pub fn build_policy_set(
    files: &[Object],
    watched: &[Object],
    engine: EnginePreference,
) -> PolicySet {
    PolicySet::build(
        files.iter().chain(watched),
        || palisade_policy::inventory::inventory(std::iter::empty()),
        engine,
    )
}

/// Puts `new` in force; requests already holding the old set keep it.
pub fn swap(set: &SharedPolicySet, new: PolicySet) {
    let new = Arc::new(new);
    // A poisoned lock only means a writer panicked mid-swap; the slot still
    // holds a whole set and is overwritten as a whole.
    match set.write() {
        Ok(mut slot) => *slot = new,
        Err(poisoned) => *poisoned.into_inner() = new,
    }
}

/// A fresh handle holding `set`.
pub fn shared(set: PolicySet) -> SharedPolicySet {
    Arc::new(RwLock::new(Arc::new(set)))
}

/// A spawned task that is aborted when this is dropped, so that stopping the
/// controller (or forgetting a kind) stops the reflectors it started.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// kube's default backoff (0.8 s doubling to 30 s, with jitter, starting over
/// after 120 s without errors), except that it is not reset by every `Ok`
/// event: the watcher emits `Init` before each relist, so with the default a
/// list that keeps failing (a constraint CRD Gatekeeper never created, RBAC
/// missing) is retried about every second for ever, by every replica.
#[derive(Default)]
struct PatientBackoff(watcher::DefaultBackoff);

impl Iterator for PatientBackoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        self.0.next()
    }
}

impl Backoff for PatientBackoff {
    fn reset(&mut self) {}
}

/// One reflector: its cache and whether its first list has completed.
struct Watched {
    resource: ApiResource,
    store: Store<DynamicObject>,
    synced: Arc<AtomicBool>,
    _task: AbortOnDrop,
}

impl Watched {
    /// Starts a reflector over every object of `resource` (cluster-wide),
    /// waking `changed` whenever its cache changes.
    fn start(client: Client, resource: ApiResource, changed: Arc<Notify>) -> Watched {
        let api: Api<DynamicObject> = Api::all_with(client, &resource);
        let writer = reflector::store::Writer::new(resource.clone());
        let store = writer.as_reader();
        // managedFields can be most of an object's size and no policy reads
        // them; the cache holds every template's full Rego already.
        let stream = reflector::reflector(
            writer,
            watcher(api, watcher::Config::default())
                .modify(|object: &mut DynamicObject| object.managed_fields_mut().clear())
                .backoff(PatientBackoff::default()),
        );
        let synced = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&synced);
        let what = format!("{}.{}", resource.plural, resource.group);
        let task = tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            while let Some(event) = stream.next().await {
                match event {
                    // The reflector replaces its cache with the list at
                    // InitDone; InitApply objects are only buffered until then.
                    Ok(watcher::Event::InitDone) => {
                        if !flag.swap(true, Ordering::AcqRel) {
                            tracing::debug!(resource = %what, "listed");
                        }
                        changed.notify_one();
                    }
                    Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_)) => {
                        changed.notify_one();
                    }
                    Ok(watcher::Event::Init | watcher::Event::InitApply(_)) => {}
                    Err(watcher::Error::InitialListFailed(kube::Error::Api(status)))
                        if status.is_not_found() =>
                    {
                        if !flag.swap(true, Ordering::AcqRel) {
                            tracing::warn!(
                                resource = %what,
                                "the API server does not serve this resource; treated as empty until it does"
                            );
                            changed.notify_one();
                        }
                    }
                    Err(error) => {
                        tracing::warn!(resource = %what, %error, "policy watch failed; retrying");
                    }
                }
            }
        });
        Watched {
            resource,
            store,
            synced,
            _task: AbortOnDrop(task),
        }
    }

    fn synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    /// The cached objects, converted; one that cannot be is logged and left out.
    fn objects(&self, into: &mut Vec<Object>) {
        for object in self.store.state() {
            match to_object(&object, &self.resource) {
                Ok(object) => into.push(object),
                Err(message) => tracing::warn!(%message, "a watched policy object was skipped"),
            }
        }
    }
}

struct Controller {
    client: Client,
    files: Arc<Vec<Object>>,
    set: SharedPolicySet,
    metrics: Arc<Metrics>,
    options: PolicyWatchOptions,
    ready: Arc<AtomicBool>,
    /// Woken by every reflector when its cache changes.
    changed: Arc<Notify>,
    /// Problems already logged, so that each is logged once while it lasts.
    reported: HashSet<(String, String)>,
    /// Template kinds already logged as unusable, for the same reason.
    odd_kinds: HashSet<String>,
}

impl Controller {
    async fn run(mut self) {
        let templates = Watched::start(
            self.client.clone(),
            template_resource(),
            Arc::clone(&self.changed),
        );
        let mut constraints: BTreeMap<String, Watched> = BTreeMap::new();
        loop {
            self.changed.notified().await;
            self.settle().await;

            let kinds: BTreeSet<String> = templates
                .store
                .state()
                .iter()
                .filter_map(|t| template_kind(t).map(str::to_owned))
                .collect();
            // Dropping a kind's Watched aborts its reflector.
            constraints.retain(|kind, _| kinds.contains(kind));
            for kind in &kinds {
                if constraints.contains_key(kind) {
                    continue;
                }
                match constraint_resource(kind) {
                    Some(resource) => {
                        let watched = Watched::start(
                            self.client.clone(),
                            resource,
                            Arc::clone(&self.changed),
                        );
                        constraints.insert(kind.clone(), watched);
                    }
                    None => {
                        if self.odd_kinds.insert(kind.clone()) {
                            tracing::warn!(
                                kind = %kind,
                                "a ConstraintTemplate names a kind that is not a valid Kubernetes kind; its constraints are not watched"
                            );
                        }
                    }
                }
            }
            // Whether the lists behind this build are complete: checked
            // before reading the caches, so that a list completing meanwhile
            // is read in full next time rather than counted complete now.
            let complete = templates.synced() && constraints.values().all(Watched::synced);

            let mut watched = Vec::new();
            templates.objects(&mut watched);
            for kind in constraints.values() {
                kind.objects(&mut watched);
            }
            if self.rebuild(watched).await && complete && !self.ready.swap(true, Ordering::AcqRel) {
                tracing::info!("Gatekeeper policies synced from the cluster");
            }
        }
    }

    /// Waits until no change has come for a debounce period (at most ten).
    async fn settle(&self) {
        let quiet = self.options.debounce;
        let limit = tokio::time::Instant::now() + quiet * 10;
        loop {
            let until = (tokio::time::Instant::now() + quiet).min(limit);
            tokio::select! {
                () = self.changed.notified() => {}
                () = tokio::time::sleep_until(until) => return,
            }
            if tokio::time::Instant::now() >= limit {
                return;
            }
        }
    }

    /// Builds and swaps in a new set; false when the build failed (panicked)
    /// and the previous set stays in force.
    async fn rebuild(&mut self, watched: Vec<Object>) -> bool {
        let files = Arc::clone(&self.files);
        let engine = self.options.engine;
        // Compiling Rego takes CPU time; it must not hold an async worker.
        let built =
            tokio::task::spawn_blocking(move || build_policy_set(&files, &watched, engine)).await;
        let set = match built {
            Ok(set) => set,
            Err(error) => {
                tracing::error!(%error, "rebuilding the Gatekeeper policies failed; the previous set stays in force");
                self.metrics.gatekeeper_rebuilt(false);
                return false;
            }
        };
        self.report(&set.problems);
        let constraints = set.constraints().count();
        self.metrics
            .set_gatekeeper_policies(set.templates(), constraints, set.problems.len());
        self.metrics.gatekeeper_rebuilt(true);
        tracing::info!(
            templates = set.templates(),
            constraints,
            problems = set.problems.len(),
            "Gatekeeper policies rebuilt"
        );
        swap(&self.set, set);
        true
    }

    /// Logs the problems not logged before; forgets those that are gone, so
    /// one that comes back is logged again.
    fn report(&mut self, problems: &[LoadProblem]) {
        let now: HashSet<(String, String)> = problems
            .iter()
            .map(|p| (p.origin(), p.message.clone()))
            .collect();
        for (origin, message) in &now {
            if !self.reported.contains(&(origin.clone(), message.clone())) {
                tracing::warn!(%origin, %message, "a Gatekeeper policy is not enforced");
            }
        }
        self.reported = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dynamic(json: serde_json::Value) -> DynamicObject {
        serde_json::from_value(json).expect("a DynamicObject")
    }

    #[tokio::test]
    async fn the_backoff_grows_through_the_resets_the_watcher_asks_for() {
        let mut backoff = PatientBackoff::default();
        let mut delays = Vec::new();
        for _ in 0..3 {
            delays.extend(backoff.next());
            // What the watcher's Init event before each relist triggers.
            backoff.reset();
        }
        // 0.8 s, 1.6 s, 3.2 s, each plus up to itself in jitter.
        assert!(delays[0] < Duration::from_millis(1600), "{delays:?}");
        assert!(delays[2] >= Duration::from_millis(3200), "{delays:?}");
    }

    #[test]
    fn constraint_resources_are_the_lowercase_kind_and_odd_kinds_are_refused() {
        let resource = constraint_resource("K8sRequiredLabels").expect("a valid kind");
        assert_eq!(resource.plural, "k8srequiredlabels");
        assert_eq!(resource.api_version, "constraints.gatekeeper.sh/v1beta1");
        assert_eq!(resource.kind, "K8sRequiredLabels");
        for odd in ["", "../namespaces", "Has Space", "9Lives", "k8s-labels"] {
            assert!(constraint_resource(odd).is_none(), "{odd:?}");
        }
    }

    #[test]
    fn watched_objects_get_their_type_and_a_cluster_source() {
        // List items may come without apiVersion and kind.
        let object = dynamic(json!({"metadata": {"name": "must-have-owner"}, "spec": {"x": 1}}));
        let resource = constraint_resource("K8sRequiredOwner").expect("kind");
        let object = to_object(&object, &resource).expect("converted");
        assert_eq!(object.kind(), "K8sRequiredOwner");
        assert_eq!(object.api_version(), "constraints.gatekeeper.sh/v1beta1");
        assert_eq!(object.name(), "must-have-owner");
        assert_eq!(
            &*object.source().file,
            "cluster:K8sRequiredOwner/must-have-owner"
        );
        assert_eq!(
            object.root().path(&["spec", "x"]).and_then(Node::as_i64),
            Some(1)
        );
        assert_eq!(
            template_kind(&dynamic(json!({"metadata": {"name": "t"},
                "spec": {"crd": {"spec": {"names": {"kind": "K8sX"}}}}}))),
            Some("K8sX")
        );
        assert_eq!(
            template_kind(&dynamic(json!({"metadata": {"name": "t"}}))),
            None
        );
    }

    #[test]
    fn a_broken_template_is_a_problem_and_the_rest_is_built() {
        let template = |kind: &str, rego: &str| {
            let object = dynamic(json!({"metadata": {"name": kind.to_ascii_lowercase()},
                "spec": {"crd": {"spec": {"names": {"kind": kind}}},
                         "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego": rego}]}}));
            to_object(&object, &template_resource()).expect("template")
        };
        let good = template(
            "K8sGood",
            "package k8sgood\nviolation[{\"msg\": \"no\"}] { input.review.object.kind == \"ConfigMap\" }\n",
        );
        let broken = template(
            "K8sBroken",
            "package k8sbroken\nviolation[{\"msg\": m}] { m := }\n",
        );
        let constraint = to_object(
            &dynamic(json!({"metadata": {"name": "c"},
                "spec": {"match": {"kinds": [{"apiGroups": [""], "kinds": ["ConfigMap"]}]}}})),
            &constraint_resource("K8sGood").expect("kind"),
        )
        .expect("constraint");
        let set = build_policy_set(&[constraint], &[good, broken], EnginePreference::Rego);
        assert_eq!(set.templates(), 1);
        assert_eq!(set.constraints().count(), 1);
        assert_eq!(set.problems.len(), 1, "{:?}", set.problems);
        assert_eq!(
            set.problems[0].origin(),
            "cluster:ConstraintTemplate/k8sbroken"
        );

        // The swap replaces what readers get next.
        let handle = shared(PolicySet::default());
        swap(&handle, set);
        let current = handle.read().map(|s| Arc::clone(&s)).expect("lock");
        assert_eq!(current.constraints().count(), 1);
    }
}
