//! `palisade certs`: a private CA and a server certificate for the webhook's
//! Service, for clusters without cert-manager. The CA certificate, base64-encoded,
//! is the `caBundle` of the ValidatingWebhookConfiguration.

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use time::{Duration, OffsetDateTime};

/// What to put in the server certificate.
#[derive(Clone, Debug)]
pub struct CertRequest {
    /// The Service's name and namespace: the API server connects to
    /// `<service>.<namespace>.svc`.
    pub service: String,
    pub namespace: String,
    /// More DNS names or IP addresses (`localhost`, `127.0.0.1` for a local trial).
    pub extra_names: Vec<String>,
    pub valid_days: u32,
}

/// PEM texts of the generated files.
#[derive(Clone, Debug)]
pub struct GeneratedCerts {
    pub ca_cert: String,
    pub ca_key: String,
    pub server_cert: String,
    pub server_key: String,
}

impl GeneratedCerts {
    /// The `caBundle` value: the CA certificate's PEM, base64-encoded.
    pub fn ca_bundle(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.ca_cert.as_bytes())
    }
}

/// Generates a CA and a server certificate signed by it (ECDSA P-256).
pub fn generate(request: &CertRequest) -> Result<GeneratedCerts, rcgen::Error> {
    let now = OffsetDateTime::now_utc();
    // A little slack before "now": clocks in a cluster are not exactly in step.
    let not_before = now - Duration::hours(1);
    let not_after = now + Duration::days(i64::from(request.valid_days.max(1)));

    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name
        .push(DnType::CommonName, "palisade webhook CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = not_before;
    ca.not_after = not_after;
    let ca_key = KeyPair::generate()?;
    let ca_key_pem = ca_key.serialize_pem();
    let issuer = CertifiedIssuer::self_signed(ca, ca_key)?;

    let (server_cert, server_key) = server_pair(request, &issuer, not_before, not_after)?;
    Ok(GeneratedCerts {
        ca_cert: issuer.pem(),
        ca_key: ca_key_pem,
        server_cert,
        server_key,
    })
}

/// A new server certificate signed by an existing CA (PEM texts), so that the
/// `caBundle` already in the cluster stays valid across a renewal.
pub fn renew(
    ca_cert: &str,
    ca_key: &str,
    request: &CertRequest,
) -> Result<GeneratedCerts, rcgen::Error> {
    let key = KeyPair::from_pem(ca_key)?;
    let issuer = rcgen::Issuer::from_ca_cert_pem(ca_cert, key)?;
    let now = OffsetDateTime::now_utc();
    let not_after = now + Duration::days(i64::from(request.valid_days.max(1)));
    let (server_cert, server_key) =
        server_pair(request, &issuer, now - Duration::hours(1), not_after)?;
    Ok(GeneratedCerts {
        ca_cert: ca_cert.to_owned(),
        ca_key: ca_key.to_owned(),
        server_cert,
        server_key,
    })
}

/// The server certificate and key (PEM) for the Service's names.
fn server_pair(
    request: &CertRequest,
    issuer: &rcgen::Issuer<'_, impl rcgen::SigningKey>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<(String, String), rcgen::Error> {
    let service = &request.service;
    let namespace = &request.namespace;
    let mut names = vec![
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
        format!("{service}.{namespace}"),
    ];
    names.extend(request.extra_names.iter().cloned());
    let mut server = CertificateParams::new(names.clone())?;
    server
        .distinguished_name
        .push(DnType::CommonName, names[0].clone());
    server.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.not_before = not_before;
    server.not_after = not_after;
    let server_key = KeyPair::generate()?;
    let server_cert = server.signed_by(&server_key, issuer)?;
    Ok((server_cert.pem(), server_key.serialize_pem()))
}

/// A client certificate signed by a CA made in the same call, for tests of
/// client-certificate verification and for trying `--client-ca` locally.
pub fn generate_client(common_name: &str) -> Result<GeneratedCerts, rcgen::Error> {
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name
        .push(DnType::CommonName, "palisade client CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca_key = KeyPair::generate()?;
    let ca_key_pem = ca_key.serialize_pem();
    let issuer = CertifiedIssuer::self_signed(ca, ca_key)?;
    let mut client = CertificateParams::new(Vec::<String>::new())?;
    client
        .distinguished_name
        .push(DnType::CommonName, common_name);
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let key = KeyPair::generate()?;
    let cert = client.signed_by(&key, &issuer)?;
    Ok(GeneratedCerts {
        ca_cert: issuer.pem(),
        ca_key: ca_key_pem,
        server_cert: cert.pem(),
        server_key: key.serialize_pem(),
    })
}
