//! `palisade serve`: run the validating admission webhook.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use palisade_admission::{Admission, FailurePolicy, PodSecurity, PodSecurityConfiguration};
use palisade_webhook::{
    Backend, CertStore, Metrics, PolicyWatch, PolicyWatchOptions, Server, ServerOptions,
    StaticBackend, tls,
};

use crate::cli::GlobalArgs;
use crate::commands::admit::load_config;
use crate::inputs;
use crate::{CliError, Outcome};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on for HTTPS.
    #[arg(long, env = "PALISADE_LISTEN", default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// PEM certificate chain of the server (reloaded when the file changes).
    #[arg(long, env = "PALISADE_TLS_CERT", value_name = "FILE")]
    pub tls_cert: PathBuf,
    /// PEM private key of the server (reloaded with the certificate).
    #[arg(long, env = "PALISADE_TLS_KEY", value_name = "FILE")]
    pub tls_key: PathBuf,
    /// Require client certificates signed by this PEM CA (the API server can present one).
    #[arg(long, env = "PALISADE_CLIENT_CA", value_name = "FILE")]
    pub client_ca: Option<PathBuf>,
    /// PodSecurityConfiguration (or the API server's AdmissionConfiguration): defaults and exemptions.
    #[arg(long, env = "PALISADE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A namespace and its labels, instead of or beside -f: NS=key=value,key=value (repeatable).
    #[arg(long = "namespace-labels", value_name = "NS=LABELS", value_parser = crate::inputs::parse_namespace_labels)]
    pub namespace_labels: Vec<(String, crate::inputs::Labels)>,
    /// Plain-HTTP address for /metrics, /healthz and /readyz (otherwise /metrics is on the HTTPS listener).
    #[arg(long, env = "PALISADE_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Largest request body accepted (bytes, or with a K/M/G suffix).
    #[arg(long, default_value = "8M", value_parser = inputs::parse_bytes)]
    pub max_body_bytes: u64,
    /// Connections open at once; more wait in the listen backlog.
    #[arg(long, default_value_t = 1024)]
    pub max_connections: usize,
    /// Requests judged at once; more wait until their deadline, then get 503.
    #[arg(long, default_value_t = 256)]
    pub max_in_flight: usize,
    /// Seconds a client has to send its request headers.
    #[arg(long, default_value_t = 10)]
    pub header_timeout_seconds: u64,
    /// Seconds requests are still answered after SIGTERM, with /readyz at 503, while endpoints move away.
    #[arg(long, env = "PALISADE_DRAIN_SECONDS", default_value_t = 5)]
    pub drain_seconds: u64,
    /// Seconds in-flight requests may take to finish after the drain.
    #[arg(long, default_value_t = 30)]
    pub shutdown_timeout_seconds: u64,
    /// Seconds between checks of the certificate, key and client CA files for changes.
    #[arg(long, default_value_t = 5)]
    pub cert_reload_seconds: u64,
    /// Allow requests that could not be judged (a policy error) instead of denying them.
    #[arg(long)]
    pub fail_open: bool,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Also log allowed requests (by default only denials are logged).
    #[arg(long)]
    pub log_allowed: bool,
    /// Namespace (and Pod) objects to use instead of watching the cluster: -f PATH (repeatable).
    #[command(flatten)]
    pub input: crate::cli::InputArgs,
    /// Gatekeeper ConstraintTemplates and Constraints, and
    /// ValidatingAdmissionPolicies with their bindings and params, to enforce
    /// after Pod Security (files or directories, repeatable); the server
    /// refuses to start if one cannot be enforced.
    #[arg(long = "policies", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Which engine runs templates that carry both Rego and CEL.
    #[arg(long, value_enum, default_value = "rego")]
    pub policy_engine: crate::commands::policy::EngineArg,
    /// Watch the cluster's Gatekeeper ConstraintTemplates and Constraints and
    /// enforce them (with any --policies files), rebuilding as they change.
    /// Cluster mode only (not with -f or --namespace-labels). A watched policy
    /// that cannot be enforced is logged and the rest enforced; data.inventory
    /// is empty in this mode.
    #[arg(long, env = "PALISADE_WATCH_GATEKEEPER")]
    pub watch_gatekeeper: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn run(args: &ServeArgs, _global: &GlobalArgs) -> Result<Outcome, CliError> {
    init_logging(args.log_format);
    let config = load_config(args.config.as_deref())?;
    let static_backend = if args.input.filenames.is_empty() && args.namespace_labels.is_empty() {
        None
    } else {
        Some(static_backend(args)?)
    };
    if args.watch_gatekeeper && static_backend.is_some() {
        // Without a cluster there is nothing to watch; failing here beats a
        // webhook that silently enforces only its files.
        return Err(CliError::Usage(
            "--watch-gatekeeper watches the cluster: it cannot be used with -f or --namespace-labels"
                .to_owned(),
        ));
    }
    // data.inventory: the objects given with -f (a cluster watch gives none yet).
    let inventory_objects = if args.input.filenames.is_empty() {
        Vec::new()
    } else {
        inputs::load(&[], &args.input)?.objects
    };
    let roots: Vec<&palisade_core::Node> = inventory_objects.iter().map(|o| o.root()).collect();
    let (mut policies, file_gatekeeper) = if args.watch_gatekeeper {
        crate::commands::policy::load_policies_for_watch(
            &args.policies,
            &roots,
            args.policy_engine,
        )?
    } else {
        let policies =
            crate::commands::policy::load_policies(&args.policies, &roots, args.policy_engine)?;
        (policies, Vec::new())
    };
    // With a watch, the Gatekeeper policy reads a handle the watch swaps new
    // sets into; until the first sync it holds what the files alone enforce
    // (and /readyz says not ready).
    let watched_set = args.watch_gatekeeper.then(|| {
        palisade_webhook::policy_watch::shared(policies.gatekeeper.take().unwrap_or_default())
    });
    let file_counts = policies
        .gatekeeper
        .as_ref()
        .map(|set| (set.templates(), set.constraints().count()));
    if let Some(set) = &policies.gatekeeper {
        tracing::info!(
            templates = set.templates(),
            constraints = set.constraints().count(),
            "Gatekeeper policies loaded"
        );
    }
    if policies.vap.is_some() {
        tracing::info!("ValidatingAdmissionPolicies loaded");
    }
    if let Some(set) = &policies.kyverno {
        tracing::info!(
            policies = set.policies.len(),
            validating_policies = set.validating.len(),
            exceptions = set.exceptions.len(),
            "Kyverno policies loaded"
        );
    }
    let admission = admission_with(config, args.fail_open, policies, watched_set.clone());
    let certs = CertStore::open(&args.tls_cert, &args.tls_key)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let tls_config = tls::server_config(certs, args.client_ca.as_deref())
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut options = ServerOptions {
        listen: args.listen,
        metrics_listen: args.metrics_listen,
        max_body_bytes: usize::try_from(args.max_body_bytes).unwrap_or(usize::MAX),
        max_connections: args.max_connections,
        max_in_flight: args.max_in_flight,
        header_timeout: Duration::from_secs(args.header_timeout_seconds),
        drain: Duration::from_secs(args.drain_seconds),
        shutdown_timeout: Duration::from_secs(args.shutdown_timeout_seconds),
        fail_open: args.fail_open,
        log_allowed: args.log_allowed,
        ..ServerOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let backend = match static_backend {
            Some(backend) => Backend::Static(backend),
            None => Backend::from_cluster().await.map_err(CliError::Usage)?,
        };
        let metrics = Arc::new(Metrics::new());
        if let Some((templates, constraints)) = file_counts {
            metrics.set_gatekeeper_policies(templates, constraints, 0);
        }
        // Kept alive for as long as the server runs: dropping it stops the watches.
        let _policy_watch = match (watched_set, backend.client()) {
            (Some(set), Some(client)) => {
                let watch = PolicyWatch::start(
                    client.clone(),
                    file_gatekeeper,
                    set,
                    Arc::clone(&metrics),
                    PolicyWatchOptions {
                        engine: args.policy_engine.into(),
                        ..PolicyWatchOptions::default()
                    },
                );
                options.ready_gates.push(watch.gate());
                tracing::info!(
                    "watching the cluster's Gatekeeper ConstraintTemplates and Constraints"
                );
                Some(watch)
            }
            _ => None,
        };
        tls_config.spawn_reloader(
            Duration::from_secs(args.cert_reload_seconds.max(1)),
            Arc::clone(&metrics),
        );
        let server = Server::bind(tls_config, admission, backend, metrics, options).await?;
        tracing::info!(
            listen = %server.local_addr()?,
            metrics = ?server.metrics_addr(),
            "serving admission reviews on POST /validate"
        );
        server.run(termination()).await?;
        Ok(Outcome::Clean)
    })
}

/// Pod Security, then ValidatingAdmissionPolicies and Gatekeeper constraints
/// if any (the order the API server runs in-process admission and webhooks),
/// failing open or closed as asked.
pub fn admission(
    config: PodSecurityConfiguration,
    fail_open: bool,
    policies: crate::commands::policy::LoadedPolicies,
) -> Admission {
    admission_with(config, fail_open, policies, None)
}

/// [`admission`], with the Gatekeeper policy reading `watched` (a handle a
/// policy watch swaps sets into) instead of the files' set when given.
pub fn admission_with(
    config: PodSecurityConfiguration,
    fail_open: bool,
    policies: crate::commands::policy::LoadedPolicies,
    watched: Option<palisade_policy::admission::SharedPolicySet>,
) -> Admission {
    let failure_policy = if fail_open {
        FailurePolicy::Ignore
    } else {
        FailurePolicy::Fail
    };
    let mut pod_security = PodSecurity::new(config);
    pod_security.failure_policy = failure_policy;
    let mut all: Vec<Arc<dyn palisade_admission::Policy>> = vec![Arc::new(pod_security)];
    if let Some(set) = policies.vap {
        let mut vap = palisade_policy::vap_admission::VapAdmission::new(set);
        vap.failure_policy = failure_policy;
        all.push(Arc::new(vap));
    }
    if let Some(set) = policies.kyverno {
        let mut kyverno = palisade_kyverno::admission::KyvernoAdmission::new(set);
        kyverno.failure_policy = failure_policy;
        all.push(Arc::new(kyverno));
    }
    let gatekeeper = match watched {
        Some(handle) => Some(palisade_policy::admission::GatekeeperAdmission::shared(
            handle,
        )),
        None => policies
            .gatekeeper
            .map(palisade_policy::admission::GatekeeperAdmission::new),
    };
    if let Some(mut gatekeeper) = gatekeeper {
        gatekeeper.failure_policy = failure_policy;
        all.push(Arc::new(gatekeeper));
    }
    Admission::new(all)
}

fn static_backend(args: &ServeArgs) -> Result<StaticBackend, CliError> {
    let mut backend = if args.input.filenames.is_empty() {
        StaticBackend::default()
    } else {
        let loaded = inputs::load(&[], &args.input)?;
        StaticBackend::from_objects(loaded.objects.iter().map(|o| o.root()))
    };
    for (name, labels) in &args.namespace_labels {
        backend.insert_namespace(name, labels.clone());
    }
    Ok(backend)
}

/// Resolves on SIGTERM (what the kubelet sends) or Ctrl-C.
async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PALISADE_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,hyper=warn,kube=warn,rustls=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
