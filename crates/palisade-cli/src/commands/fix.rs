//! `palisade fix`: scan the input with the analyzers whose rules have a fixer,
//! fix what they report (`palisade-fix` decides the edits), scan the result
//! again to confirm, and write the files in place, print a diff, or print the
//! fixed stream.
//!
//! Exit status: 0 when no finding of a selected fixable rule is left after
//! fixing (or there was none), 1 when some are left for a person (each named
//! in a note on standard error), 2 for usage and input errors. `--diff` and
//! `--stdout` report the same status for the fix they show.

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use palisade_core::{Finding, Object, ObjectRef, Options, Registry};
use palisade_fix::{FileFix, FixOptions, default_deny, fix_file, fixable_rules};
use palisade_load::{Input, Limits, load_bytes, load_inputs};
use palisade_pss::analyzer::{LEVEL_OPTION, VERSION_OPTION};

use crate::cli::{FixArgs, GlobalArgs};
use crate::output::Output;
use crate::registry::registry;
use crate::suppress::{Prepared, SuppressArgs};
use crate::{CliError, Outcome};

/// The name standard input goes by in messages.
const STDIN: &str = "<stdin>";

pub fn run(args: &FixArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let registry = registry();
    let selected = selected_rules(&args.rules, &registry)?;
    let reading_stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if args.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(CliError::Usage(
            "standard input (-) can be read only once".to_owned(),
        ));
    }
    // What scan would not report (annotations, config exemptions, baseline) is
    // not fixed either.
    let suppress = Prepared::new(
        &SuppressArgs {
            config: args.config.clone(),
            no_config: args.no_config,
            baseline: args.baseline.clone(),
            ..SuppressArgs::default()
        },
        args.paths.first().map(|p| p.as_path()),
        &registry,
    )?;
    let files = read_inputs(args)?;
    let findings = scan(&registry, &files.objects(), &selected, &suppress)?;

    let options = FixOptions {
        unsafe_edits: args.unsafe_edits,
    };
    let mut notes = Vec::new();
    let by_file: Vec<(Arc<str>, &[Object])> = files
        .files
        .iter()
        .map(|f| (f.name.clone(), f.objects.as_slice()))
        .collect();
    let finding_refs: Vec<&Finding> = findings.iter().collect();
    let policies = default_deny::plan(&finding_refs, &by_file, &mut notes);
    let mut fixes: Vec<FileFix> = Vec::new();
    for file in &files.files {
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.location.as_ref().is_some_and(|l| *l.file == *file.name))
            .collect();
        let new_policies = policies.get(&file.name).map_or(&[][..], Vec::as_slice);
        if mine.is_empty() && new_policies.is_empty() {
            fixes.push(FileFix::untouched(file.name.clone(), &file.bytes));
            continue;
        }
        let fix = fix_file(file.name.clone(), &file.bytes, &mine, new_policies, options)
            .map_err(|e| CliError::Input(vec![e.to_string()]))?;
        fixes.push(fix);
    }

    // Scan the result: what is still reported was not fixed, whatever was written.
    let mut after_objects = Vec::new();
    for fix in &fixes {
        let load = load_bytes(fix.file.clone(), &fix.fixed, &Limits::default())
            .map_err(|e| CliError::Input(vec![format!("after fixing: {e}")]))?;
        after_objects.extend(load.objects);
    }
    let after = scan(&registry, &after_objects, &selected, &suppress)?;
    let still: HashSet<(&str, Option<&ObjectRef>)> = after
        .iter()
        .map(|f| (f.rule.as_str(), f.object.as_ref()))
        .collect();
    let mut fixed_count = 0;
    for fix in &mut fixes {
        let file = fix.file.clone();
        fix.applied.retain(|a| {
            let gone = !still.contains(&(a.rule.as_str(), Some(&a.object)));
            if !gone {
                notes.push(format!(
                    "{file}:{}: {}: still reported after fixing {} {}; see the notes above",
                    a.line, a.rule, a.object.kind, a.object.name
                ));
            }
            gone
        });
        fixed_count += fix.applied.len();
        notes.extend(fix.notes.iter().cloned());
    }

    let mut out = Output::new(global);
    let to_stdout = args.stdout || (reading_stdin && !args.diff);
    if args.diff {
        for fix in fixes.iter().filter(|f| f.changed()) {
            out.text(&fix.diff())?;
        }
    } else if to_stdout {
        for (i, fix) in fixes.iter().enumerate() {
            if i > 0 {
                out.text("---\n")?;
            }
            out.writer().write_all(&fix.fixed)?;
            if !fix.fixed.is_empty() && !fix.fixed.ends_with(b"\n") {
                out.text("\n")?;
            }
        }
    } else {
        for fix in fixes.iter().filter(|f| f.changed()) {
            palisade_fix::write_atomically(Path::new(&*fix.file), &fix.fixed).map_err(|e| {
                CliError::Input(vec![format!("{}: writing the fixed file: {e}", fix.file)])
            })?;
        }
    }
    out.finish()?;

    let left: Vec<&Finding> = after.iter().collect();
    if !global.quiet {
        let mut stderr = std::io::stderr().lock();
        for note in &notes {
            writeln!(stderr, "note: {note}")?;
        }
        let changed = fixes.iter().filter(|f| f.changed()).count();
        let verb = if args.diff || to_stdout {
            "would fix"
        } else {
            "fixed"
        };
        writeln!(
            stderr,
            "{verb} {fixed_count} finding{} in {changed} file{}; {} left to fix by hand",
            plural(fixed_count),
            plural(changed),
            left.len()
        )?;
    }
    Ok(if left.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The fixable rules to fix: `--rules` (ids, or prefixes ending in `*`), or
/// every fixable rule the registry has on by default.
fn selected_rules(wanted: &[String], registry: &Registry) -> Result<Vec<&'static str>, CliError> {
    let fixable: Vec<&'static str> = fixable_rules().collect();
    if wanted.is_empty() {
        return Ok(fixable
            .into_iter()
            .filter(|id| registry.rule(id).is_some_and(|r| r.enabled_by_default))
            .collect());
    }
    let mut selected = Vec::new();
    for entry in wanted.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        let matching: Vec<&'static str> = fixable
            .iter()
            .copied()
            .filter(|id| match entry.strip_suffix('*') {
                Some(prefix) => id.starts_with(prefix),
                None => *id == entry,
            })
            .collect();
        if matching.is_empty() {
            return Err(CliError::Usage(format!(
                "--rules: {entry:?} names no rule fix can satisfy: expected one of {}",
                fixable.join(", ")
            )));
        }
        selected.extend(matching);
    }
    selected.sort_unstable();
    selected.dedup();
    Ok(selected)
}

/// The findings of the selected fixable rules on `objects`, from the
/// analyzers that own those rules (as `scan` runs them by default:
/// Pod Security at restricted, latest version).
fn scan(
    registry: &Registry,
    objects: &[Object],
    selected: &[&str],
    suppress: &Prepared,
) -> Result<Vec<Finding>, CliError> {
    let mut options = Options::default();
    options
        .set(LEVEL_OPTION, "restricted")
        .set(VERSION_OPTION, "latest");
    let inventory = palisade_core::Inventory::with_reading_notes(objects.to_vec(), Vec::new());
    let findings: Vec<Finding> = registry
        .analyzers()
        .filter(|a| {
            selected
                .iter()
                .any(|r| r.split_once('/').is_some_and(|(name, _)| name == a.name()))
        })
        .flat_map(|a| a.analyze(&inventory, &options))
        .filter(|f| selected.contains(&f.rule.as_str()))
        .collect();
    suppress.unsuppressed(findings, &inventory, registry)
}

/// One input file: its name in messages, its bytes, and its objects.
struct InputFile {
    name: Arc<str>,
    bytes: Vec<u8>,
    objects: Vec<Object>,
}

struct InputFiles {
    files: Vec<InputFile>,
}

impl InputFiles {
    fn objects(&self) -> Vec<Object> {
        self.files
            .iter()
            .flat_map(|f| f.objects.iter().cloned())
            .collect()
    }
}

/// Reads every input: files and directories through the loader (which walks
/// directories as `scan` does), then each file's bytes for editing; standard
/// input once. Any file the loader refuses is an input error.
fn read_inputs(args: &FixArgs) -> Result<InputFiles, CliError> {
    let paths: Vec<Input> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .map(|p| Input::Path(p.clone()))
        .collect();
    let limits = Limits::default();
    let mut files = Vec::new();
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::Input(vec![format!("{STDIN}: {e}")]))?;
        let load = load_bytes(STDIN.into(), &bytes, &limits)
            .map_err(|e| CliError::Input(vec![e.to_string()]))?;
        files.push(InputFile {
            name: STDIN.into(),
            bytes,
            objects: load.objects,
        });
    }
    let loaded = load_inputs(&paths, &limits);
    if let Some(message) = loaded.run_error {
        return Err(CliError::Input(vec![message]));
    }
    if !loaded.errors.is_empty() {
        return Err(CliError::Input(
            loaded.errors.iter().map(ToString::to_string).collect(),
        ));
    }
    let mut by_name: BTreeMap<Arc<str>, Vec<Object>> = BTreeMap::new();
    let mut order = Vec::new();
    for object in loaded.objects {
        let name = object.source().file.clone();
        if !by_name.contains_key(&name) {
            order.push(name.clone());
        }
        by_name.entry(name).or_default().push(object);
    }
    for name in order {
        let bytes = std::fs::read(Path::new(&*name))
            .map_err(|e| CliError::Input(vec![format!("{name}: {e}")]))?;
        let objects = by_name.remove(&name).unwrap_or_default();
        files.push(InputFile {
            name,
            bytes,
            objects,
        });
    }
    if files.is_empty() {
        return Err(CliError::Input(vec![
            "no Kubernetes object found in the input".to_owned(),
        ]));
    }
    Ok(InputFiles { files })
}
