//! A set of compiled templates and their constraints, ready to review objects:
//! what `scan` and the webhook load once and share across threads.
//!
//! Building never fails as a whole: a template that does not compile, a
//! constraint that fails its schema or has no template, are each kept as a
//! [`LoadProblem`] naming the file and line, and the rest is used. Callers
//! report the problems (scan as findings, serve by refusing to start), so a
//! broken policy is never silently missing.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use palisade_core::{Node, Object};
use rayon::prelude::*;
use regorus::Value;

use crate::constraint::{Action, Constraint, is_constraint};
use crate::evaluate::{CompiledTemplate, EnginePreference, Subject, evaluate, parameters_value};
use crate::rego::Violation;
use crate::review::Review;
use crate::template::{Template, is_template, origin_of};

/// From this many candidate constraints on, one review evaluates them in
/// parallel. Below it, the cost of splitting the work is comparable to the
/// evaluations themselves (a simple template takes a few microseconds).
const PARALLEL_CANDIDATES: usize = 8;

pub use palisade_core::policy_test::LoadProblem;

/// Whether a constraint's `match.kinds` admits one of the objects (cheap,
/// checked before anything else).
fn kinds_may_match<'n>(bound: &Bound, mut objects: impl Iterator<Item = &'n Node>) -> bool {
    objects.any(|o| {
        let api_version = o.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let (group, _) = crate::review::split_api_version(api_version);
        let kind = o.get("kind").and_then(Node::as_str).unwrap_or("");
        bound.constraint.matcher.kind_matches(group, kind)
    })
}

/// A template compiled, or why it was refused.
type Compiled = Result<Arc<CompiledTemplate>, String>;

/// A constraint with its compiled template and its parameters as a value.
struct Bound {
    template: Arc<CompiledTemplate>,
    constraint: Constraint,
    parameters: Value,
}

/// One result of one constraint on one review.
#[derive(Clone, Debug)]
pub struct PolicyResult<'s> {
    pub constraint: &'s Constraint,
    /// The actions at the enforcement point asked for.
    pub actions: Vec<Action>,
    pub violation: Violation,
}

/// Templates and constraints, compiled.
#[derive(Default)]
pub struct PolicySet {
    bound: Vec<Bound>,
    pub problems: Vec<LoadProblem>,
    pub engine: EnginePreference,
    templates: usize,
}

impl PolicySet {
    /// Compiles the templates among `objects` and binds the constraints to
    /// them. `inventory` makes the `data.inventory` document; it is called
    /// only if some template reads the inventory (most do not, and building it
    /// copies every scanned object).
    pub fn build<'o>(
        objects: impl IntoIterator<Item = &'o Object>,
        inventory: impl FnOnce() -> Value,
        engine: EnginePreference,
    ) -> PolicySet {
        let mut set = PolicySet {
            engine,
            ..PolicySet::default()
        };
        let mut templates: HashMap<String, (&Object, Compiled)> = HashMap::new();
        let mut constraints = Vec::new();
        let mut inventory = Some(inventory);
        let mut document: Option<Value> = None;
        for object in objects {
            if is_template(object) {
                let compiled = Template::from_object(object)
                    .map_err(|e| e.message)
                    .and_then(|t| {
                        let data = if t.reads_inventory() {
                            document
                                .get_or_insert_with(|| {
                                    inventory
                                        .take()
                                        .map_or_else(Value::new_object, |make| make())
                                })
                                .clone()
                        } else {
                            Value::new_object()
                        };
                        CompiledTemplate::compile(t, data)
                    })
                    .map(Arc::new);
                let kind = object
                    .root()
                    .path(&["spec", "crd", "spec", "names", "kind"])
                    .and_then(|k| k.as_str())
                    .unwrap_or(object.name())
                    .to_owned();
                if let Some((earlier, _)) = templates.get(&kind) {
                    let earlier = origin_of(earlier);
                    set.problems.push(LoadProblem::new(
                        object,
                        format!(
                            "a second ConstraintTemplate for kind {kind} (the first is at {earlier}); this one is used"
                        ),
                    ));
                }
                templates.insert(kind, (object, compiled));
            } else if is_constraint(object) {
                constraints.push(object);
            }
        }
        for (object, compiled) in templates.values() {
            match compiled {
                Ok(_) => set.templates += 1,
                Err(message) => set.problems.push(LoadProblem::new(
                    object,
                    format!("ConstraintTemplate refused: {message}"),
                )),
            }
        }
        for object in constraints {
            let problem = |message: String| LoadProblem::new(object, message);
            let constraint = match Constraint::from_object(object) {
                Ok(c) => c,
                Err(e) => {
                    set.problems.push(problem(e.message));
                    continue;
                }
            };
            let template = match templates.get(&constraint.kind) {
                None => {
                    set.problems.push(problem(format!(
                        "{} {:?}: no ConstraintTemplate defines kind {}",
                        constraint.kind, constraint.name, constraint.kind
                    )));
                    continue;
                }
                Some((_, Err(_))) => {
                    set.problems.push(problem(format!(
                        "{} {:?}: its ConstraintTemplate was refused, so it is not enforced",
                        constraint.kind, constraint.name
                    )));
                    continue;
                }
                Some((_, Ok(template))) => template.clone(),
            };
            if let Err(e) = template
                .template
                .check_parameters(constraint.parameters.as_ref())
            {
                set.problems.push(problem(format!(
                    "{} {:?}: {e}",
                    constraint.kind, constraint.name
                )));
                continue;
            }
            let parameters = parameters_value(&constraint);
            set.bound.push(Bound {
                template,
                constraint,
                parameters,
            });
        }
        set.bound.sort_by(|a, b| {
            (&a.constraint.kind, &a.constraint.name).cmp(&(&b.constraint.kind, &b.constraint.name))
        });
        set
    }

    /// Compiled templates.
    pub fn templates(&self) -> usize {
        self.templates
    }

    /// Constraints in force.
    pub fn constraints(&self) -> impl Iterator<Item = &Constraint> {
        self.bound.iter().map(|b| &b.constraint)
    }

    pub fn is_empty(&self) -> bool {
        self.bound.is_empty()
    }

    /// Whether any constraint's kinds can match one of these objects: a
    /// caller can skip building a review when none can.
    pub fn may_apply<'n>(&self, objects: impl Iterator<Item = &'n Node> + Clone) -> bool {
        self.bound
            .iter()
            .any(|b| kinds_may_match(b, objects.clone()))
    }

    /// The results of every constraint enforced at `point` on a review.
    /// Constraints whose kinds cannot match are skipped before any other work.
    pub fn review<'s>(
        &'s self,
        review: &Review<'_>,
        namespace_labels: Option<&BTreeMap<String, String>>,
        point: &str,
        deadline: Option<Instant>,
    ) -> Vec<PolicyResult<'s>> {
        let candidates: Vec<(&'s Bound, Vec<Action>)> = self
            .bound
            .iter()
            .filter(|b| kinds_may_match(b, review.objects()))
            .map(|b| (b, b.constraint.actions_at(point)))
            .filter(|(_, actions)| !actions.is_empty())
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        let review_value = review.to_rego();
        let subject = Subject {
            review,
            value: &review_value,
            namespace_labels,
            deadline,
            engine: self.engine,
        };
        let one = |candidate: &(&'s Bound, Vec<Action>)| -> Vec<PolicyResult<'s>> {
            let (bound, actions) = (candidate.0, &candidate.1);
            evaluate(
                &bound.template,
                &bound.constraint,
                &bound.parameters,
                &subject,
            )
            .into_iter()
            .map(|violation| PolicyResult {
                constraint: &bound.constraint,
                actions: actions.clone(),
                violation,
            })
            .collect()
        };
        // Constraints are independent, so with many of them one review's
        // evaluations are spread over rayon's threads (a single admission
        // request otherwise runs on one core). Results keep constraint order
        // either way: `collect` on an indexed parallel iterator is ordered.
        // Under a scan that already reviews objects in parallel, the extra
        // tasks are stolen only by idle threads. With one thread there is
        // nothing to gain, so the plain loop avoids rayon's bookkeeping.
        if candidates.len() >= PARALLEL_CANDIDATES && rayon::current_num_threads() > 1 {
            candidates.par_iter().flat_map_iter(one).collect()
        } else {
            candidates.iter().flat_map(one).collect()
        }
    }
}
