//! `palisade certs`: a CA and a server certificate for the webhook, for clusters
//! without cert-manager. Prints the `caBundle` for the ValidatingWebhookConfiguration.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use palisade_webhook::certs::{CertRequest, generate};

use crate::cli::GlobalArgs;
use crate::output::Output;
use crate::{CliError, Outcome};

#[derive(Args, Debug)]
pub struct CertsArgs {
    /// Directory for ca.crt, ca.key, tls.crt and tls.key (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// The webhook's Service name.
    #[arg(long, default_value = "palisade-webhook")]
    pub service: String,
    /// The webhook's namespace.
    #[arg(long, default_value = "palisade-system")]
    pub namespace: String,
    /// More DNS names or IP addresses for the server certificate (repeatable).
    #[arg(long = "dns", value_name = "NAME")]
    pub extra_names: Vec<String>,
    /// Add localhost and 127.0.0.1, for a local trial.
    #[arg(long)]
    pub local: bool,
    /// Days the certificates are valid.
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

const FILES: [&str; 4] = ["ca.crt", "ca.key", "tls.crt", "tls.key"];

pub fn run(args: &CertsArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    if !args.force {
        let existing: Vec<String> = FILES
            .iter()
            .map(|f| args.out_dir.join(f))
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(CliError::Usage(format!(
                "{} already exist; pass --force to replace them",
                existing.join(", ")
            )));
        }
    }
    let mut extra_names = args.extra_names.clone();
    if args.local {
        extra_names.extend(["localhost".to_owned(), "127.0.0.1".to_owned()]);
    }
    let generated = generate(&CertRequest {
        service: args.service.clone(),
        namespace: args.namespace.clone(),
        extra_names,
        valid_days: args.days,
    })
    .map_err(|e| CliError::Usage(format!("generating certificates: {e}")))?;
    std::fs::create_dir_all(&args.out_dir)?;
    let contents = [
        &generated.ca_cert,
        &generated.ca_key,
        &generated.server_cert,
        &generated.server_key,
    ];
    for (file, text) in FILES.iter().zip(contents) {
        write_atomically(
            &args.out_dir.join(file),
            text.as_bytes(),
            file.ends_with(".key"),
        )?;
    }
    let mut output = Output::new(global);
    output.text(&format!(
        "wrote {} in {}\ncaBundle: {}\n",
        FILES.join(", "),
        args.out_dir.display(),
        generated.ca_bundle()
    ))?;
    output.finish()?;
    Ok(Outcome::Clean)
}

/// Writes a sibling temporary file and renames it over `path`, so a reader never
/// sees half a key; private keys are readable by the owner only.
fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    let mut file = options.open(&temporary)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(error) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    Ok(())
}
