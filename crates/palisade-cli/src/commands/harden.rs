//! `palisade harden`: a hardened baseline generated from a profile. The
//! generation is `palisade-harden`'s; this module reads the profile, and
//! either prints the files as one stream or writes them into a folder.
//!
//! Writing into a folder is safe to repeat: every file harden writes starts
//! with its mark, so a folder that holds only marked files is harden's own
//! and is updated in place (files of an earlier run that this run does not
//! write, such as another engine's policies, are removed). A folder holding
//! anything else is refused unless `--force`, so a typo in `-o` cannot
//! overwrite someone's manifests.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use palisade_harden::{GENERATED_MARK, GeneratedFile, PolicyEngine};

use crate::cli::GlobalArgs;
use crate::destinations::write_atomically;
use crate::output::Output;
use crate::{CliError, Outcome};

#[derive(Args, Debug)]
pub struct HardenArgs {
    /// The HardeningProfile (YAML) to generate from.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Write the files into this folder (created if missing) instead of
    /// printing them as one stream.
    #[arg(short = 'o', long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// The admission engine the cluster runs, for the profile's policies.
    #[arg(long, value_enum, default_value_t = EngineChoice::Gatekeeper)]
    pub policy_engine: EngineChoice,
    /// Write into DIR even when it holds files harden did not write.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// OPA Gatekeeper ConstraintTemplates and Constraints.
    Gatekeeper,
    /// Kyverno ClusterPolicies.
    Kyverno,
    /// ValidatingAdmissionPolicies with their bindings.
    Vap,
}

impl From<EngineChoice> for PolicyEngine {
    fn from(choice: EngineChoice) -> Self {
        match choice {
            EngineChoice::Gatekeeper => PolicyEngine::Gatekeeper,
            EngineChoice::Kyverno => PolicyEngine::Kyverno,
            EngineChoice::Vap => PolicyEngine::Vap,
        }
    }
}

pub fn run(args: &HardenArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let name = args.profile.display().to_string();
    let bytes =
        std::fs::read(&args.profile).map_err(|e| CliError::Input(vec![format!("{name}: {e}")]))?;
    let files = palisade_harden::harden(&name, &bytes, args.policy_engine.into())
        .map_err(|e| CliError::Input(vec![e.to_string()]))?;
    let mut output = Output::new(global);
    match &args.output_dir {
        None => output.text(&palisade_harden::stream(&files))?,
        Some(dir) => {
            write_folder(dir, &files, args.force)?;
            for file in &files {
                output.text(&format!("wrote {}\n", dir.join(&file.path).display()))?;
            }
        }
    }
    output.finish()?;
    Ok(Outcome::Clean)
}

/// Every regular file under `dir`, recursively, sorted.
fn files_under(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

fn written_by_harden(path: &Path) -> bool {
    use std::io::Read;
    let mut start = vec![0u8; GENERATED_MARK.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok_and(|()| start == GENERATED_MARK.as_bytes())
}

fn write_folder(dir: &Path, files: &[GeneratedFile], force: bool) -> Result<(), CliError> {
    let io_error =
        |path: &Path, e: std::io::Error| CliError::Input(vec![format!("{}: {e}", path.display())]);
    let existing = if dir.exists() {
        files_under(dir).map_err(|e| io_error(dir, e))?
    } else {
        Vec::new()
    };
    if !force && let Some(foreign) = existing.iter().find(|p| !written_by_harden(p)) {
        return Err(CliError::Usage(format!(
            "{} holds files palisade harden did not write ({}); choose another -o folder, or pass --force to write into it anyway",
            dir.display(),
            foreign.display()
        )));
    }
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        write_atomically(&path, file.text.as_bytes()).map_err(CliError::Io)?;
    }
    // Files of an earlier run that this one does not write (another engine's
    // policies, a grant removed from the profile) would otherwise stay in force.
    let current: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path)).collect();
    for stale in existing {
        if !current.contains(&stale) && written_by_harden(&stale) {
            std::fs::remove_file(&stale).map_err(|e| io_error(&stale, e))?;
        }
    }
    Ok(())
}
