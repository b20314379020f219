//! Fixing one file: plan each object's changes from its findings, turn them
//! into text edits, apply them to the original text, and accept the result
//! only if reading it again gives the same objects with exactly the planned
//! changes. An object whose edits do not pass is left as it was, with a note;
//! the rest of the file is still fixed.

use std::sync::Arc;

use palisade_core::{Finding, Node, Object, ObjectRef, Pos};
use palisade_load::{FileLoad, Limits, LoadError, load_bytes};

use crate::default_deny::NewPolicy;
use crate::edits::{Edit, apply, edit_for, indent_step};
use crate::fixers::{FIXERS, Planner, fixer};
use crate::patch::{Patch, same_data};
use crate::render::Style;
use crate::safety::unsafe_reason;
use crate::sites::{Request, object_of, sites};
use crate::text::Text;

/// How to fix.
#[derive(Clone, Copy, Debug, Default)]
pub struct FixOptions {
    /// Also replace explicit insecure values (see [`crate::fixers`]).
    pub unsafe_edits: bool,
}

/// A fix written into the file: which rule, on which object, at which line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Applied {
    pub rule: String,
    pub object: ObjectRef,
    pub line: u32,
}

/// What fixing one file gave.
#[derive(Clone, Debug)]
pub struct FileFix {
    pub file: Arc<str>,
    /// The file's bytes as read.
    pub original: Vec<u8>,
    /// The new bytes; equal to `original` when nothing was fixed (always so
    /// for a file that is not UTF-8, which is never edited).
    pub fixed: Vec<u8>,
    pub applied: Vec<Applied>,
    /// What was left and why, each `file:line: rule: reason`.
    pub notes: Vec<String>,
}

impl FileFix {
    pub fn changed(&self) -> bool {
        self.fixed != self.original
    }

    /// The fixed text (lossy for a file that is not UTF-8, which is never changed).
    pub fn fixed_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.fixed)
    }

    /// The unified diff of the fix (`--diff`), empty when nothing changed.
    pub fn diff(&self) -> String {
        if !self.changed() {
            return String::new();
        }
        crate::unified_diff(
            &self.file,
            &String::from_utf8_lossy(&self.original),
            &self.fixed_text(),
        )
    }

    /// A file left as it was, with nothing to say about it.
    pub fn untouched(file: Arc<str>, bytes: &[u8]) -> FileFix {
        FileFix {
            file,
            original: bytes.to_vec(),
            fixed: bytes.to_vec(),
            applied: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn unchanged(file: Arc<str>, original: Vec<u8>, note: String) -> FileFix {
        FileFix {
            file,
            fixed: original.clone(),
            original,
            applied: Vec::new(),
            notes: vec![note],
        }
    }
}

/// Fix requests, each with the index of the object it is about.
type Requests = Vec<(usize, Request)>;

/// Why part of a fix was left: the rule, the position and the reason.
type Left = (&'static str, Pos, String);

/// One object's planned fix.
struct ObjectFix {
    index: usize,
    expected: Node,
    edits: Vec<Edit>,
}

/// Fixes `bytes` (the file `file`) for the findings of this file whose rules
/// have a fixer, and appends `policies`. A file the loader refuses is an
/// error; a file that cannot be edited safely comes back unchanged with a note.
pub fn fix_file(
    file: Arc<str>,
    bytes: &[u8],
    findings: &[&Finding],
    policies: &[NewPolicy],
    options: FixOptions,
) -> Result<FileFix, LoadError> {
    let name = file.clone();
    let requests = |objects: &[Object]| -> Requests {
        findings
            .iter()
            .filter(|f| f.location.as_ref().is_some_and(|l| *l.file == *name))
            .filter_map(|f| {
                let fixer = fixer(&f.rule).filter(|x| options.unsafe_edits || !x.unsafe_only)?;
                let at = f
                    .location
                    .as_ref()
                    .map(|l| Pos::new(l.line, l.column))
                    .filter(Pos::is_known);
                Some((object_of(f, objects)?, Request { fixer, at }))
            })
            .collect()
    };
    fix_with(file, bytes, &requests, policies, options)
}

/// Applies the fixers of `rules` (every fixer when empty) everywhere they
/// find something to change, whatever was reported: for tests and the fuzz
/// target, which have no analyzers to run.
pub fn fix_everything(
    file: Arc<str>,
    bytes: &[u8],
    rules: &[&str],
    options: FixOptions,
) -> Result<FileFix, LoadError> {
    let requests = |objects: &[Object]| -> Requests {
        (0..objects.len())
            .flat_map(|i| {
                FIXERS
                    .iter()
                    .filter(|f| options.unsafe_edits || !f.unsafe_only)
                    .filter(|f| rules.is_empty() || rules.contains(&f.rule))
                    .map(move |&fixer| (i, Request { fixer, at: None }))
            })
            .collect()
    };
    fix_with(file, bytes, &requests, &[], options)
}

fn fix_with(
    file: Arc<str>,
    bytes: &[u8],
    requests: &dyn Fn(&[Object]) -> Requests,
    policies: &[NewPolicy],
    options: FixOptions,
) -> Result<FileFix, LoadError> {
    let limits = Limits::default();
    let load = load_bytes(file.clone(), bytes, &limits)?;
    let Ok(src) = std::str::from_utf8(bytes) else {
        return Ok(FileFix::unchanged(
            file.clone(),
            bytes.to_vec(),
            format!("{file}:1: not edited: the file is not UTF-8"),
        ));
    };
    let text = match Text::new(src) {
        Ok(text) => text,
        Err(why) => {
            return Ok(FileFix::unchanged(
                file.clone(),
                bytes.to_vec(),
                format!("{file}:1: not edited: {why}"),
            ));
        }
    };
    let json = src.trim_start().starts_with('{');
    let requests = requests(&load.objects);
    let mut notes = Vec::new();
    let mut applied = Vec::new();
    let mut planned = Vec::new();
    for (index, object) in load.objects.iter().enumerate() {
        let mine: Vec<Request> = requests
            .iter()
            .filter(|(i, _)| *i == index)
            .map(|(_, r)| *r)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let note = |pos: Pos, rule: &str, why: &str| format!("{file}:{}: {rule}: {why}", pos.line);
        if let Some((pos, why)) = unsafe_reason(object, &load.findings) {
            for rule in rules_of(&mine) {
                notes.push(note(pos, rule, &format!("not fixed: {why}")));
            }
            continue;
        }
        let (patch, rules, left) = plan_object(object, &mine, options);
        for (rule, pos, why) in left {
            notes.push(note(pos, rule, &why));
        }
        if patch.is_empty() {
            continue;
        }
        let style = Style {
            json,
            step: indent_step(object.root()),
            eol: text.eol,
        };
        let built = patch
            .apply_to(object.root())
            .ok_or_else(|| "the planned change does not fit the object".to_owned())
            .and_then(|expected| {
                let edits = patch
                    .changes
                    .iter()
                    .map(|c| edit_for(c, object.root(), &text, style))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(ObjectFix {
                    index,
                    expected,
                    edits,
                })
            });
        match built {
            Ok(fix) => {
                planned.push(fix);
                applied.extend(rules.iter().map(|rule| Applied {
                    rule: (*rule).to_owned(),
                    object: object.reference().clone(),
                    line: object.source().pos.line,
                }));
            }
            Err(why) => {
                for rule in &rules {
                    notes.push(note(
                        object.source().pos,
                        rule,
                        &format!("not fixed: {why}"),
                    ));
                }
            }
        }
    }
    let appended: Vec<Edit> = policies
        .iter()
        .map(|p| Edit {
            start: src.len(),
            end: src.len(),
            text: p.render(src, json, text.eol),
            depth: 0,
        })
        .collect();
    let check = Check {
        file: &file,
        src,
        load: &load,
        limits: &limits,
        policies,
    };
    let (fixed, kept) = match check.try_all(&planned, &appended) {
        Some(fixed) => (fixed, planned.iter().map(|p| p.index).collect::<Vec<_>>()),
        None => {
            // Find the objects whose edits break the reading, keep the others.
            let good: Vec<&ObjectFix> = planned
                .iter()
                .filter(|p| check.try_all(std::slice::from_ref(*p), &[]).is_some())
                .collect();
            for bad in planned
                .iter()
                .filter(|p| !good.iter().any(|g| g.index == p.index))
            {
                let object = &load.objects[bad.index];
                notes.push(format!(
                    "{file}:{}: not fixed: the edit would change how {} {} is read (an unusual layout); fix it by hand",
                    object.source().pos.line,
                    object.kind(),
                    object.name()
                ));
            }
            let owned: Vec<ObjectFix> = good
                .iter()
                .map(|g| ObjectFix {
                    index: g.index,
                    expected: g.expected.clone(),
                    edits: g.edits.clone(),
                })
                .collect();
            match check.try_all(&owned, &appended) {
                Some(fixed) => (fixed, owned.iter().map(|p| p.index).collect()),
                None => {
                    notes.push(format!("{file}:1: not fixed: the combined edits do not read back as planned; fix it by hand"));
                    (src.to_owned(), Vec::new())
                }
            }
        }
    };
    applied.retain(|a| {
        load.objects.iter().enumerate().any(|(i, o)| {
            kept.contains(&i) && o.reference() == &a.object && o.source().pos.line == a.line
        })
    });
    if fixed != src {
        for policy in policies {
            for rule in policy.rules() {
                applied.push(Applied {
                    rule: (*rule).to_owned(),
                    object: ObjectRef {
                        api_version: "v1".into(),
                        kind: "Namespace".into(),
                        namespace: None,
                        name: policy.namespace.as_str().into(),
                    },
                    line: policy.at.line,
                });
            }
        }
    }
    notes.dedup();
    Ok(FileFix {
        file,
        original: bytes.to_vec(),
        fixed: fixed.into_bytes(),
        applied,
        notes,
    })
}

/// The distinct rules of some requests, in order.
fn rules_of(requests: &[Request]) -> Vec<&'static str> {
    let mut rules: Vec<&'static str> = requests.iter().map(|r| r.fixer.rule).collect();
    rules.dedup();
    rules.sort();
    rules.dedup();
    rules
}

/// One object's merged patch, the rules whose fixes changed it and left
/// nothing behind (for every finding of the rule on the object), and what was
/// left.
fn plan_object(
    object: &Object,
    requests: &[Request],
    options: FixOptions,
) -> (Patch, Vec<&'static str>, Vec<Left>) {
    let mut patch = Patch::default();
    let mut changed = Vec::new();
    let mut incomplete = Vec::new();
    let mut left = Vec::new();
    for request in requests {
        let rule = request.fixer.rule;
        let before = patch.clone();
        let mut planner = Planner {
            root: object.root(),
            patch: &mut patch,
            left: Vec::new(),
            unsafe_edits: options.unsafe_edits,
        };
        let sites = sites(object, *request);
        for site in &sites {
            (request.fixer.fix)(site, &mut planner);
        }
        let Planner { left: reasons, .. } = planner;
        // A fix that left something behind is not counted as done, though its
        // edits (more hardening) are still written.
        if !reasons.is_empty() || sites.is_empty() {
            incomplete.push(rule);
        }
        left.extend(reasons.into_iter().map(|(pos, why)| (rule, pos, why)));
        if patch != before && !changed.contains(&rule) {
            changed.push(rule);
        }
    }
    changed.retain(|rule| !incomplete.contains(rule));
    (patch, changed, left)
}

/// Reading an edited text back and comparing it with the plan.
struct Check<'a> {
    file: &'a Arc<str>,
    src: &'a str,
    load: &'a FileLoad,
    limits: &'a Limits,
    policies: &'a [NewPolicy],
}

impl Check<'_> {
    /// The edited text when it reads as the original objects with `fixes`
    /// applied (and the policies after them when `appended` is not empty).
    fn try_all(&self, fixes: &[ObjectFix], appended: &[Edit]) -> Option<String> {
        let mut edits: Vec<Edit> = fixes.iter().flat_map(|f| f.edits.iter().cloned()).collect();
        edits.extend(appended.iter().cloned());
        if edits.is_empty() {
            return Some(self.src.to_owned());
        }
        let text = apply(self.src, &mut edits).ok()?;
        let again = load_bytes(self.file.clone(), text.as_bytes(), self.limits).ok()?;
        let originals = self.load.objects.len();
        let added: Vec<Node> = if appended.is_empty() {
            Vec::new()
        } else {
            self.policies.iter().map(NewPolicy::node).collect()
        };
        if again.objects.len() != originals + added.len() {
            return None;
        }
        let same_objects = self.load.objects.iter().enumerate().all(|(i, original)| {
            let expected = fixes
                .iter()
                .find(|f| f.index == i)
                .map_or(original.root(), |f| &f.expected);
            same_data(again.objects[i].root(), expected)
        });
        let same_added = added
            .iter()
            .zip(&again.objects[originals..])
            .all(|(want, got)| same_data(got.root(), want));
        (same_objects && same_added).then_some(text)
    }
}
