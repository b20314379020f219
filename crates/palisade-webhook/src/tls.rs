//! TLS with certificates that reload while the server runs.
//!
//! The server certificate lives behind an atomic pointer that the TLS resolver
//! reads on every handshake. A reload task re-reads the certificate and key files
//! on a fixed interval and swaps in a new pair only when the files changed, parse,
//! and the key matches the certificate; otherwise the old pair keeps serving and
//! the failure is logged and counted. Polling by content (rather than watching
//! inodes) is what survives a Kubernetes Secret volume update, which swaps a
//! `..data` symlink instead of writing the files. Handshakes in flight keep the
//! pair they started with, so a rotation fails no request. The client CA file
//! (`--client-ca`) is polled the same way; a change rebuilds the configuration
//! that new connections take ([`TlsConfig`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::metrics::Metrics;

/// A certificate and key that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct TlsError {
    pub path: String,
    pub message: String,
}

fn tls_error(path: &Path, message: impl fmt::Display) -> TlsError {
    TlsError {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// The crypto provider used everywhere: ring (one stack; no C toolchain needed).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificate files and the pair currently served.
pub struct CertStore {
    cert_path: PathBuf,
    key_path: PathBuf,
    current: ArcSwap<Loaded>,
    provider: Arc<CryptoProvider>,
}

struct Loaded {
    key: Arc<CertifiedKey>,
    /// The file contents the pair was made from, to notice a change.
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
    /// The leaf's notAfter, seconds since the epoch.
    not_after: i64,
}

impl fmt::Debug for CertStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertStore")
            .field("cert", &self.cert_path)
            .field("key", &self.key_path)
            .finish()
    }
}

impl CertStore {
    /// Loads the pair; an error here stops the server from starting.
    pub fn open(cert_path: &Path, key_path: &Path) -> Result<Arc<Self>, TlsError> {
        let provider = provider();
        let loaded = load_pair(cert_path, key_path, &provider)?;
        Ok(Arc::new(CertStore {
            cert_path: cert_path.to_owned(),
            key_path: key_path.to_owned(),
            current: ArcSwap::from_pointee(loaded),
            provider,
        }))
    }

    /// Seconds since the epoch at which the served certificate expires.
    pub fn not_after(&self) -> i64 {
        self.current.load().not_after
    }

    /// Re-reads the files; swaps when they changed and form a valid pair.
    /// Returns whether a new pair is now served.
    pub fn reload(&self) -> Result<bool, TlsError> {
        let cert_pem = read(&self.cert_path)?;
        let key_pem = read(&self.key_path)?;
        let current = self.current.load();
        if cert_pem == current.cert_pem && key_pem == current.key_pem {
            return Ok(false);
        }
        let loaded = build(
            &self.cert_path,
            &self.key_path,
            cert_pem,
            key_pem,
            &self.provider,
        )?;
        self.current.store(Arc::new(loaded));
        Ok(true)
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.current.load().key))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| tls_error(path, e))
}

fn load_pair(cert: &Path, key: &Path, provider: &CryptoProvider) -> Result<Loaded, TlsError> {
    build(cert, key, read(cert)?, read(key)?, provider)
}

fn build(
    cert_path: &Path,
    key_path: &Path,
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
    provider: &CryptoProvider,
) -> Result<Loaded, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| tls_error(cert_path, format!("not a PEM certificate chain: {e}")))?;
    let Some(leaf) = chain.first() else {
        return Err(tls_error(cert_path, "no certificate in the file"));
    };
    let not_after = not_after(leaf).map_err(|e| tls_error(cert_path, e))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| tls_error(key_path, format!("not a PEM private key: {e}")))?;
    // from_der also checks that the key belongs to the certificate.
    let certified = CertifiedKey::from_der(chain, key, provider).map_err(|e| {
        tls_error(
            key_path,
            format!("unusable with {}: {e}", cert_path.display()),
        )
    })?;
    Ok(Loaded {
        key: Arc::new(certified),
        cert_pem,
        key_pem,
        not_after,
    })
}

/// The certificate's notAfter as seconds since the epoch.
pub fn not_after(cert: &CertificateDer<'_>) -> Result<i64, String> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref())
        .map_err(|e| format!("not an X.509 certificate: {e}"))?;
    Ok(parsed.validity().not_after.timestamp())
}

/// The rustls server configuration, rebuilt when the client CA file changes
/// (the server certificate changes inside [`CertStore`] without a rebuild).
/// Each new connection takes the configuration current when it arrives;
/// connections already open keep theirs.
pub struct TlsConfig {
    certs: Arc<CertStore>,
    client_ca: Option<ClientCa>,
    current: ArcSwap<ServerConfig>,
}

struct ClientCa {
    path: PathBuf,
    pem: std::sync::Mutex<Vec<u8>>,
}

/// The configuration: TLS 1.2 and 1.3, HTTP/1.1 and h2 by ALPN, session
/// resumption, and client certificates verified against `client_ca` when given
/// (then a client without a valid certificate is refused in the handshake).
pub fn server_config(
    certs: Arc<CertStore>,
    client_ca: Option<&Path>,
) -> Result<Arc<TlsConfig>, TlsError> {
    let client_ca = match client_ca {
        None => None,
        Some(path) => Some(ClientCa {
            path: path.to_owned(),
            pem: std::sync::Mutex::new(read(path)?),
        }),
    };
    let pem = client_ca.as_ref().map(|ca| {
        (
            ca.path.as_path(),
            ca.pem.lock().map(|p| p.clone()).unwrap_or_default(),
        )
    });
    let config = build_config(&certs, pem.as_ref().map(|(p, b)| (*p, b.as_slice())))?;
    Ok(Arc::new(TlsConfig {
        certs,
        client_ca,
        current: ArcSwap::from_pointee(config),
    }))
}

impl TlsConfig {
    /// The configuration for a new connection.
    pub fn current(&self) -> Arc<ServerConfig> {
        self.current.load_full()
    }

    pub fn certs(&self) -> &Arc<CertStore> {
        &self.certs
    }

    /// Re-reads the client CA file; rebuilds and swaps the configuration when
    /// it changed and holds usable certificates. Returns whether it swapped.
    pub fn reload_client_ca(&self) -> Result<bool, TlsError> {
        let Some(ca) = &self.client_ca else {
            return Ok(false);
        };
        let pem = read(&ca.path)?;
        let Ok(mut held) = ca.pem.lock() else {
            return Ok(false);
        };
        if *held == pem {
            return Ok(false);
        }
        let config = build_config(&self.certs, Some((&ca.path, &pem)))?;
        self.current.store(Arc::new(config));
        *held = pem;
        Ok(true)
    }

    /// Reloads the server certificate and the client CA every `interval` until
    /// the process ends; a failed reload keeps what is served and is counted.
    pub fn spawn_reloader(self: &Arc<Self>, interval: Duration, metrics: Arc<Metrics>) {
        let tls = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let store = &tls.certs;
                match store.reload() {
                    Ok(true) => {
                        metrics.cert_reloaded(true, store.not_after());
                        tracing::info!(
                            cert = %store.cert_path.display(),
                            not_after = store.not_after(),
                            "serving a new certificate"
                        );
                    }
                    Ok(false) => {}
                    Err(error) => {
                        metrics.cert_reloaded(false, store.not_after());
                        tracing::warn!(%error, "certificate reload failed; the previous certificate is still served");
                    }
                }
                match tls.reload_client_ca() {
                    Ok(true) => tracing::info!("verifying clients against a new client CA"),
                    Ok(false) => {}
                    Err(error) => {
                        tracing::warn!(%error, "client CA reload failed; the previous CA is still used");
                    }
                }
            }
        });
    }
}

fn build_config(
    certs: &Arc<CertStore>,
    client_ca: Option<(&Path, &[u8])>,
) -> Result<ServerConfig, TlsError> {
    let provider = provider();
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| tls_error(Path::new("<tls>"), e))?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some((path, pem)) => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert =
                    cert.map_err(|e| tls_error(path, format!("not a PEM certificate: {e}")))?;
                roots.add(cert).map_err(|e| tls_error(path, e))?;
            }
            if roots.is_empty() {
                return Err(tls_error(path, "no CA certificate in the file"));
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| tls_error(path, e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_cert_resolver(Arc::clone(certs) as Arc<dyn ResolvesServerCert>);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.ticketer =
        rustls::crypto::ring::Ticketer::new().map_err(|e| tls_error(Path::new("<tls>"), e))?;
    Ok(config)
}
