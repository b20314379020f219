//! The suppression pass: after the analyzers, decide for each finding whether
//! a suppression covers it, and report the suppressions that are wrong,
//! expired, forbidden or unused.
//!
//! Order, first match wins: `ignore-paths`, annotations (unless strict mode
//! forbids them for the finding's rule), config exemptions, baseline entries.
//! Severity overrides apply first, so a shown suppressed finding carries the
//! severity it would have. Expired suppressions suppress nothing. Everything
//! here is pure: today's date and the working directory are parameters.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use palisade_core::{
    Finding, Inventory, Node, Object, Pos, Registry, Rule, SourceRef, Suppression, pod_templates,
};

use crate::annotation::{self, Annotation, CONTAINER_PREFIX, PREFIX, dotted};
use crate::baseline::Baseline;
use crate::config::{Config, Exemption, Strict};
use crate::expiry::is_expired;
use crate::rule_pattern;
use crate::rules::{expired, not_allowed, unused};
use crate::scope::{Layout, ObjectIndex};

/// Where suppressions come from, and the facts the pass needs.
pub struct Sources<'a> {
    pub config: Option<&'a Config>,
    pub baseline: Option<&'a Baseline>,
    /// `--strict`, or the config's `strict`.
    pub strict: &'a Strict,
    pub today: Date,
    /// The working directory, against which relative paths resolve.
    pub cwd: &'a Path,
}

/// What the pass decided.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings no suppression covers.
    pub kept: Vec<Finding>,
    /// Findings a suppression covers, each with `suppression` set.
    pub suppressed: Vec<Finding>,
    /// Findings about the suppressions themselves (`suppress/*`).
    pub notes: Vec<Finding>,
}

/// Runs the pass. `reported` says whether the run reports a rule id (its
/// selection): suppressions only of rules it does not report are not called
/// unused, and notes of rules it does not report are dropped.
pub fn apply(
    findings: Vec<Finding>,
    inventory: &Inventory,
    registry: &Registry,
    sources: &Sources<'_>,
    reported: &dyn Fn(&str) -> bool,
) -> Outcome {
    let objects = inventory.objects();
    let index = ObjectIndex::new(inventory);
    let mut layouts: HashMap<usize, Layout<'_>> = HashMap::new();
    let mut read = annotation::Read::default();
    for (i, object) in objects.iter().enumerate() {
        if has_suppression_annotations(object) {
            let layout = Layout::of(object);
            annotation::read(i, &layout, registry, &mut read);
            layouts.insert(i, layout);
        }
    }
    let mut by_object: HashMap<usize, Vec<usize>> = HashMap::new();
    for (a, annotation) in read.annotations.iter().enumerate() {
        by_object.entry(annotation.object).or_default().push(a);
    }
    let exemptions: &[Exemption] = sources.config.map_or(&[], |c| c.exemptions.as_slice());
    let entries = sources.baseline.map_or(&[][..], |b| b.entries.as_slice());
    let ignore_paths = sources
        .config
        .map_or(&[][..], |c| c.ignore_paths.as_slice());
    let mut state = Used {
        annotations: vec![false; read.annotations.len()],
        blocked: vec![false; read.annotations.len()],
        exemptions: vec![false; exemptions.len()],
        entries: vec![false; entries.len()],
        ignore_paths: vec![false; ignore_paths.len()],
    };
    let mut path_cache: HashMap<Arc<str>, Option<usize>> = HashMap::new();
    let mut outcome = Outcome::default();
    for mut finding in findings {
        if let Some(config) = sources.config {
            override_severity(config, &mut finding);
        }
        let object = finding
            .object
            .as_ref()
            .and_then(|o| index.find(o, finding.location.as_ref()));
        let suppression =
            ignored_path(sources, ignore_paths, &finding, &mut path_cache, &mut state)
                .or_else(|| {
                    let on_object = object.and_then(|i| by_object.get(&i))?;
                    let at = located(object, &mut layouts, objects, &finding);
                    by_annotation(
                        &read.annotations,
                        on_object,
                        &at,
                        &finding,
                        sources,
                        &mut state,
                    )
                })
                .or_else(|| {
                    let needs_place = exemptions.iter().any(|e| e.container.is_some());
                    let at = if needs_place {
                        located(object, &mut layouts, objects, &finding)
                    } else {
                        Located::default()
                    };
                    by_exemption(exemptions, &at, &finding, sources, &mut state)
                })
                .or_else(|| {
                    let i = entries.iter().position(|e| e.matches(&finding))?;
                    if let Some(used) = state.entries.get_mut(i) {
                        *used = true;
                    }
                    let file = sources
                        .baseline
                        .map(|b| b.file.display().to_string())
                        .unwrap_or_default();
                    Some(Suppression {
                        by: "baseline",
                        at: file,
                        reason: "accepted in the baseline".to_owned(),
                    })
                });
        match suppression {
            Some(suppression) => {
                finding.suppression = Some(suppression);
                outcome.suppressed.push(finding);
            }
            None => outcome.kept.push(finding),
        }
    }
    let found = Found {
        read: &read,
        objects,
        exemptions,
        entries,
        ignore_paths,
        state: &state,
    };
    notes(&found, sources, registry, reported, &mut outcome);
    outcome
}

/// Which suppressions matched a finding.
struct Used {
    annotations: Vec<bool>,
    /// Annotations strict mode kept from suppressing a finding they cover.
    blocked: Vec<bool>,
    exemptions: Vec<bool>,
    entries: Vec<bool>,
    ignore_paths: Vec<bool>,
}

/// A finding's template and container, owned.
#[derive(Clone, Debug, Default)]
struct Located {
    template: Option<usize>,
    container: Option<String>,
    /// The template's other containers.
    others: Vec<String>,
}

impl Located {
    /// True when the finding is about `container` alone. Pod Security reports
    /// one finding per check naming every offending container
    /// (`containers "app", "sidecar" must ...`), located at the first: a
    /// suppression for one container must not hide the others, so a message
    /// that quotes another container's name is about several.
    fn only_container(&self, container: &str, message: &str) -> bool {
        self.container.as_deref() == Some(container)
            && !self
                .others
                .iter()
                .any(|other| message.contains(&format!("\"{other}\"")))
    }
}

fn located<'a>(
    object: Option<usize>,
    layouts: &mut HashMap<usize, Layout<'a>>,
    objects: &'a [Object],
    finding: &Finding,
) -> Located {
    let Some((i, object)) = object.and_then(|i| Some((i, objects.get(i)?))) else {
        return Located::default();
    };
    let layout = layouts.entry(i).or_insert_with(|| Layout::of(object));
    let place = layout.place(finding.location.as_ref());
    let others = place
        .template
        .and_then(|t| layout.templates.get(t))
        .map(|t| {
            t.containers
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| Some(*name) != place.container)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Located {
        template: place.template,
        container: place.container.map(str::to_owned),
        others,
    }
}

fn override_severity(config: &Config, finding: &mut Finding) {
    // The last entry that matches wins, so a specific id written after a prefix refines it.
    if let Some(o) = config
        .severity
        .iter()
        .rev()
        .find(|o| rule_pattern::matches(&o.pattern, &finding.rule))
    {
        finding.severity = o.severity;
    }
}

fn ignored_path(
    sources: &Sources<'_>,
    ignore_paths: &[crate::config::IgnorePath],
    finding: &Finding,
    cache: &mut HashMap<Arc<str>, Option<usize>>,
    state: &mut Used,
) -> Option<Suppression> {
    let config = sources.config?;
    let file = finding.location.as_ref()?.file.clone();
    let hit = *cache.entry(file.clone()).or_insert_with(|| {
        let relative = crate::paths::relative(sources.cwd, config.folder(), Path::new(&*file))?;
        ignore_paths.iter().position(|p| p.glob.is_match(&relative))
    });
    let i = hit?;
    let ignore = ignore_paths.get(i)?;
    if let Some(used) = state.ignore_paths.get_mut(i) {
        *used = true;
    }
    Some(Suppression {
        by: "config",
        at: format!("{}:{}", config.file.display(), ignore.line),
        reason: format!("the file matches ignore-paths {:?}", ignore.glob.text),
    })
}

fn by_annotation(
    annotations: &[Annotation],
    on_object: &[usize],
    at: &Located,
    finding: &Finding,
    sources: &Sources<'_>,
    state: &mut Used,
) -> Option<Suppression> {
    let forbidden = sources.strict.forbids(&finding.rule);
    for &a in on_object {
        let Some(annotation) = annotations.get(a) else {
            continue;
        };
        let in_scope = annotation.template.is_none_or(|t| at.template == Some(t))
            && annotation
                .container
                .as_ref()
                .is_none_or(|c| at.only_container(c, &finding.message));
        if !in_scope
            || !annotation.covers_rule(&finding.rule)
            || is_expired(annotation.expires, sources.today)
        {
            continue;
        }
        if forbidden {
            if let Some(blocked) = state.blocked.get_mut(a) {
                *blocked = true;
            }
            continue;
        }
        if let Some(used) = state.annotations.get_mut(a) {
            *used = true;
        }
        return Some(Suppression {
            by: "annotation",
            at: format!("{} {}", annotation.at.origin(), annotation.key),
            reason: annotation.reason.clone(),
        });
    }
    None
}

fn by_exemption(
    exemptions: &[Exemption],
    at: &Located,
    finding: &Finding,
    sources: &Sources<'_>,
    state: &mut Used,
) -> Option<Suppression> {
    let config = sources.config?;
    let object = finding.object.as_ref();
    for (i, exemption) in exemptions.iter().enumerate() {
        let rule =
            rule_pattern::any_matches(exemption.rules.iter().map(String::as_str), &finding.rule);
        let kind = exemption
            .kind
            .as_ref()
            .is_none_or(|k| object.is_some_and(|o| o.kind == k));
        let namespace = exemption.namespace.as_ref().is_none_or(|g| {
            object.is_some_and(|o| g.is_match(o.namespace.as_deref().unwrap_or("")))
        });
        let name = exemption
            .name
            .as_ref()
            .is_none_or(|g| object.is_some_and(|o| g.is_match(&o.name)));
        let container = exemption.container.as_ref().is_none_or(|g| {
            at.container
                .as_deref()
                .is_some_and(|c| g.is_match(c) && at.only_container(c, &finding.message))
        });
        if !(rule && kind && namespace && name && container)
            || is_expired(exemption.expires, sources.today)
        {
            continue;
        }
        if let Some(used) = state.exemptions.get_mut(i) {
            *used = true;
        }
        return Some(Suppression {
            by: "config",
            at: format!("{}:{}", config.file.display(), exemption.line),
            reason: exemption.reason.clone(),
        });
    }
    None
}

/// True when an object or one of its pod templates carries an annotation of ours.
fn has_suppression_annotations(object: &Object) -> bool {
    let ours = |metadata: Option<&Node>| {
        palisade_core::string_entries(metadata.and_then(|m| m.get("annotations")))
            .any(|(key, _)| key.starts_with(PREFIX) || key.starts_with(CONTAINER_PREFIX))
            || metadata
                .and_then(|m| m.get("annotations"))
                .and_then(Node::as_map)
                .is_some_and(|m| {
                    m.keys()
                        .any(|k| k.starts_with(PREFIX) || k.starts_with(CONTAINER_PREFIX))
                })
    };
    ours(object.metadata()) || pod_templates(object).iter().any(|t| ours(t.metadata))
}

/// True when the run reports some registered rule that `covers` accepts
/// (family rules, whose ids end in `*`, are offered as their prefix).
fn judged(
    registry: &Registry,
    reported: &dyn Fn(&str) -> bool,
    covers: impl Fn(&str) -> bool,
) -> bool {
    registry
        .rules()
        .any(|rule| reported(rule.id) && covers(rule.id))
}

fn note_at(
    rule: &Rule,
    message: String,
    at: &SourceRef,
    object: Option<palisade_core::ObjectRef>,
) -> Finding {
    Finding::new(rule.id, rule.severity, message, at, object)
}

/// Every suppression of the run and which of them matched.
struct Found<'a> {
    read: &'a annotation::Read,
    objects: &'a [Object],
    exemptions: &'a [Exemption],
    entries: &'a [crate::baseline::Entry],
    ignore_paths: &'a [crate::config::IgnorePath],
    state: &'a Used,
}

/// The findings about suppressions: problems, expired, forbidden, unused.
fn notes(
    found: &Found<'_>,
    sources: &Sources<'_>,
    registry: &Registry,
    reported: &dyn Fn(&str) -> bool,
    outcome: &mut Outcome,
) {
    let Found {
        read,
        objects,
        exemptions,
        entries,
        ignore_paths,
        state,
    } = *found;
    let mut notes: Vec<Finding> = read.problems.clone();
    let config_at = |line: u64| {
        sources.config.map(|c| SourceRef {
            file: Arc::from(c.file.display().to_string()),
            pos: Pos::new(u32::try_from(line).unwrap_or(u32::MAX), 1),
        })
    };
    for (a, annotation) in read.annotations.iter().enumerate() {
        let object = objects
            .get(annotation.object)
            .map(|o| o.reference().clone());
        let flag = |v: &Vec<bool>| v.get(a).copied().unwrap_or(false);
        if let Some(day) = annotation
            .expires
            .filter(|_| is_expired(annotation.expires, sources.today))
        {
            notes.push(note_at(
                &expired::RULE,
                format!(
                    "annotation {:?} expired on {day} and no longer suppresses anything (reason given: {})",
                    annotation.key, annotation.reason
                ),
                &annotation.at,
                object,
            ));
        } else if *sources.strict == Strict::All || flag(&state.blocked) {
            notes.push(note_at(
                &not_allowed::RULE,
                format!(
                    "annotation {:?} is ignored: strict mode does not let annotations suppress {}; exempt the finding in .palisade.yaml or a baseline instead",
                    annotation.key,
                    if *sources.strict == Strict::All { "findings".to_owned() } else { format!("the findings of {}", annotation.name) }
                ),
                &annotation.at,
                object,
            ));
        } else if !flag(&state.annotations)
            && judged(registry, reported, |id| {
                family_or(
                    id,
                    |id| annotation.covers_rule(id),
                    |family| annotation.name.starts_with(&dotted(family)),
                )
            })
        {
            notes.push(note_at(
                &unused::RULE,
                format!(
                    "annotation {:?} suppresses no finding; remove it if the problem is gone",
                    annotation.key
                ),
                &annotation.at,
                object,
            ));
        }
    }
    for (i, exemption) in exemptions.iter().enumerate() {
        let Some(at) = config_at(exemption.line) else {
            continue;
        };
        let rules = exemption.rules.join(", ");
        if let Some(day) = exemption
            .expires
            .filter(|_| is_expired(exemption.expires, sources.today))
        {
            notes.push(note_at(
                &expired::RULE,
                format!(
                    "exemptions[{i}] ({rules}) expired on {day} and no longer suppresses anything"
                ),
                &at,
                None,
            ));
        } else if !state.exemptions.get(i).copied().unwrap_or(false)
            && judged(registry, reported, |id| {
                exemption.rules.iter().any(|p| {
                    family_or(
                        id,
                        |id| rule_pattern::matches(p, id),
                        |family| p.starts_with(family),
                    )
                })
            })
        {
            notes.push(note_at(
                &unused::RULE,
                format!(
                    "exemptions[{i}] ({rules}) matches no finding; remove it if the problem is gone"
                ),
                &at,
                None,
            ));
        }
    }
    for (i, ignore) in ignore_paths.iter().enumerate() {
        if state.ignore_paths.get(i).copied().unwrap_or(false) {
            continue;
        }
        if let Some(at) = config_at(ignore.line) {
            notes.push(note_at(
                &unused::RULE,
                format!("ignore-paths {:?} matches the file of no finding; remove it if the problem is gone", ignore.glob.text),
                &at,
                None,
            ));
        }
    }
    if let Some(baseline) = sources.baseline {
        for (i, entry) in entries.iter().enumerate() {
            if state.entries.get(i).copied().unwrap_or(false) || !reported(&entry.rule) {
                continue;
            }
            notes.push(Finding::unlocated(
                unused::RULE.id,
                unused::RULE.severity,
                format!(
                    "baseline {}: the entry for {} matches no finding; rewrite the baseline with --write-baseline",
                    baseline.file.display(),
                    entry.describe()
                ),
                None,
            ));
        }
    }
    outcome
        .notes
        .extend(notes.into_iter().filter(|n| reported(&n.rule)));
}

/// `plain(id)` for an ordinary rule id; `family(prefix)` for a family id
/// (`policy/*` offers `policy/`).
fn family_or(id: &str, plain: impl Fn(&str) -> bool, family: impl Fn(&str) -> bool) -> bool {
    match id.strip_suffix('*') {
        Some(prefix) => family(prefix),
        None => plain(id),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_core::{Analyzer, Options, Severity};

    use super::*;

    static PRIVILEGED: Rule = palisade_core::rule! { id: "pss/privileged", title: "t" };

    struct Demo;

    impl Analyzer for Demo {
        fn name(&self) -> &'static str {
            "pss"
        }
        fn description(&self) -> &'static str {
            "demo"
        }
        fn rules(&self) -> Vec<&'static Rule> {
            vec![&PRIVILEGED]
        }
        fn analyze(&self, _: &Inventory, _: &Options) -> Vec<Finding> {
            Vec::new()
        }
    }

    const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    ignore.palisade.dev/pss.privileged: \"CNI agent; expires=2027-01-31\"
spec:
  containers:
  - name: a
    image: a
";

    fn run(today: &str) -> Outcome {
        let load =
            palisade_load::load_bytes(Arc::from("p.yaml"), POD.as_bytes(), &Default::default())
                .unwrap_or_else(|e| panic!("{e:?}"));
        let inventory = Inventory::new(load.objects);
        let object = inventory.objects().first().map(|o| o.reference().clone());
        let finding = Finding::new(
            "pss/privileged",
            Severity::Critical,
            "privileged (container \"a\" must not set securityContext.privileged=true)",
            &SourceRef {
                file: Arc::from("p.yaml"),
                pos: Pos::new(9, 5),
            },
            object,
        );
        let registry = Registry::new(vec![Box::new(Demo), Box::new(crate::SuppressionChecks)]);
        let sources = Sources {
            config: None,
            baseline: None,
            strict: &Strict::Off,
            today: crate::expiry::parse_date(today).unwrap_or_else(|e| panic!("{e}")),
            cwd: Path::new("/"),
        };
        apply(vec![finding], &inventory, &registry, &sources, &|_| true)
    }

    #[test]
    fn an_annotation_suppresses_until_its_expiry_day_and_is_reported_after() {
        let before = run("2027-01-31");
        assert_eq!((before.kept.len(), before.suppressed.len()), (0, 1));
        assert!(before.notes.is_empty(), "{:?}", before.notes);
        let after = run("2027-02-01");
        assert_eq!((after.kept.len(), after.suppressed.len()), (1, 0));
        let rules: Vec<&str> = after.notes.iter().map(|n| n.rule.as_str()).collect();
        assert_eq!(rules, ["suppress/expired"]);
        assert_eq!(after.notes[0].line_column(), Some((6, 5)));
    }
}
