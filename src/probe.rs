//! The live probe: connect to a TLS endpoint (SIPS is direct TLS on 5061), capture the chain exactly as
//! served — without trusting it — and record what was negotiated. Judging the chain is the engine's job.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, aws_lc_rs};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme, SupportedCipherSuite};

/// Default SIPS port (RFC 3261: SIP over TLS, direct TLS, no STARTTLS).
pub const DEFAULT_PORT: u16 = 5061;

/// Splits `HOST[:PORT]`, `[IPV6]:PORT` or a bare IPv6 address; the port defaults to 5061.
pub fn split_target(target: &str) -> Option<(String, u16)> {
    if let Some(rest) = target.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => DEFAULT_PORT,
            None => return None,
        };
        return (!host.is_empty()).then(|| (host.to_string(), port));
    }
    if target.matches(':').count() > 1 {
        return Some((target.to_string(), DEFAULT_PORT)); // a bare IPv6 address
    }
    match target.split_once(':') {
        Some((host, port)) if !host.is_empty() => Some((host.to_string(), port.parse().ok()?)),
        Some(_) => None,
        None if target.trim().is_empty() => None,
        None => Some((target.to_string(), DEFAULT_PORT)),
    }
}

/// What to connect to and how.
#[derive(Clone)]
pub struct ProbeOptions {
    pub host: String,
    pub port: u16,
    /// The SNI to send (default: `host`, unless it is an IP address).
    pub sni: Option<String>,
    pub timeout: Duration,
    /// Client certificate chain and key, for endpoints that demand mutual TLS.
    pub client_auth: Option<(Vec<CertificateDer<'static>>, Arc<PrivateKeyDer<'static>>)>,
    /// Offer only these suites (TLS 1.2 only when set); `None`: rustls's defaults, TLS 1.3 and 1.2.
    pub only_suites: Option<Vec<SupportedCipherSuite>>,
}

impl std::fmt::Debug for ProbeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client key is never printed.
        f.debug_struct("ProbeOptions")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("sni", &self.sni)
            .field("timeout", &self.timeout)
            .field(
                "client_auth",
                &self.client_auth.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// What the endpoint did.
#[derive(Debug, Clone)]
pub struct Probe {
    pub address: SocketAddr,
    /// The certificates exactly as served, in order (DER).
    pub served: Vec<Vec<u8>>,
    pub protocol_version: Option<String>,
    pub cipher_suite: Option<String>,
    pub client_certificate_requested: bool,
    /// The handshake failed after the chain was received (e.g. a client certificate was required).
    pub handshake_error: Option<String>,
    /// The server name sent (SNI); `None` when the name was an IP address, for which TLS sends none
    /// (RFC 6066 §3), so a server with several certificates answers with its default one.
    pub sni_sent: Option<String>,
}

impl Probe {
    /// "SNI sent: NAME", or why none was sent, for the result shown to the admin.
    pub fn sni_words(&self) -> String {
        match &self.sni_sent {
            Some(name) => format!("SNI sent: {}", crate::engine::text::escape(name)),
            None => "SNI sent: none (the name is an IP address; the server answers with its default certificate)".into(),
        }
    }
}

/// Why there is nothing to judge. The text shows the host, address and reasons escaped
/// ([`shown`]): they come from the command line and the far end.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("{}: cannot resolve the name: {}", shown(.host), shown(.why))]
    Resolve { host: String, why: String },
    #[error("{}: cannot connect: {}", shown(.address), shown(.why))]
    Connect { address: String, why: String },
    #[error("{}: no answer within {seconds} s", shown(.address))]
    Timeout { address: String, seconds: u64 },
    #[error("{}: the endpoint does not speak TLS here ({})", shown(.address), shown(.why))]
    NotTls { address: String, why: String },
    #[error("{}: the TLS handshake failed before any certificate was sent: {}", shown(.address), shown(.why))]
    Handshake { address: String, why: String },
    #[error("invalid SNI name \"{}\"", shown(.0))]
    BadSni(String),
    #[error("the client certificate or key cannot be used: {0}")]
    ClientAuth(String),
}

fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    crate::engine::text::escape(text)
}

/// Connects, handshakes, and returns what was served.
pub fn probe(options: &ProbeOptions) -> Result<Probe, ProbeError> {
    let target = format!(
        "{}:{}",
        options.host.trim_start_matches('[').trim_end_matches(']'),
        options.port
    );
    let addresses: Vec<SocketAddr> = match target.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            return Err(ProbeError::Resolve {
                host: options.host.clone(),
                why: e.to_string(),
            });
        }
    };
    let mut last_error = None;
    for address in addresses {
        match probe_address(options, address) {
            Ok(p) => return Ok(p),
            Err(e @ (ProbeError::Connect { .. } | ProbeError::Timeout { .. })) => {
                last_error = Some(e)
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or(ProbeError::Resolve {
        host: options.host.clone(),
        why: "no address".into(),
    }))
}

fn provider(options: &ProbeOptions) -> CryptoProvider {
    let mut provider = aws_lc_rs::default_provider();
    if let Some(suites) = &options.only_suites {
        provider.cipher_suites = suites.clone();
    }
    provider
}

fn probe_address(options: &ProbeOptions, address: SocketAddr) -> Result<Probe, ProbeError> {
    let shown = address.to_string();
    let timeout_error = || ProbeError::Timeout {
        address: shown.clone(),
        seconds: options.timeout.as_secs().max(1),
    };
    let mut socket =
        TcpStream::connect_timeout(&address, options.timeout).map_err(|e| match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => timeout_error(),
            _ => ProbeError::Connect {
                address: shown.clone(),
                why: e.to_string(),
            },
        })?;
    let _ = socket.set_read_timeout(Some(options.timeout));
    let _ = socket.set_write_timeout(Some(options.timeout));

    let provider = Arc::new(provider(options));
    let recorder = Arc::new(danger_RecordingVerifier {
        provider: provider.clone(),
        served: Mutex::new(None),
    });
    let client_certs = Arc::new(ClientCertRecorder::new(options, &provider)?);
    let versions: &[&rustls::SupportedProtocolVersion] = if options.only_suites.is_some() {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| ProbeError::Handshake {
            address: shown.clone(),
            why: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_client_cert_resolver(client_certs.clone());
    let sni_text = options.sni.clone().unwrap_or_else(|| options.host.clone());
    let sni_text = sni_text
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let server_name =
        ServerName::try_from(sni_text.clone()).map_err(|_| ProbeError::BadSni(sni_text.clone()))?;
    let sni_sent = matches!(server_name, ServerName::DnsName(_)).then_some(sni_text);
    let mut connection =
        rustls::ClientConnection::new(Arc::new(config), server_name).map_err(|e| {
            ProbeError::Handshake {
                address: shown.clone(),
                why: e.to_string(),
            }
        })?;

    let handshake_error = handshake(&mut connection, &mut socket, &client_certs, options.timeout);
    let served = recorder.served.lock().map(|s| s.clone()).unwrap_or(None);
    let Some(served) = served else {
        let timeout = timeout_error();
        return Err(nothing_served(handshake_error, shown, timeout));
    };
    connection.send_close_notify();
    let _ = connection.complete_io(&mut socket);
    let _ = socket.flush();
    Ok(Probe {
        address,
        served,
        protocol_version: connection.protocol_version().map(|v| format!("{v:?}")),
        cipher_suite: connection
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite())),
        client_certificate_requested: client_certs.requested(),
        handshake_error: handshake_error.map(|e| e.to_string()),
        sni_sent,
    })
}

/// Completes the handshake on `socket`; the error that ended it, if one did. TLS 1.3 servers reject
/// a missing client certificate only after the client's Finished: when one was asked for, a little
/// is read (bounded by the timeout) so that alert is seen.
fn handshake(
    connection: &mut rustls::ClientConnection,
    socket: &mut TcpStream,
    client_certs: &ClientCertRecorder,
    timeout: Duration,
) -> Option<std::io::Error> {
    let mut handshake_error = None;
    while connection.is_handshaking() {
        if let Err(e) = connection.complete_io(socket) {
            handshake_error = Some(e);
            break;
        }
    }
    if handshake_error.is_none() && client_certs.requested() {
        let _ = socket.set_read_timeout(Some(Duration::from_millis(500).min(timeout)));
        match connection.complete_io(socket) {
            Err(e)
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                handshake_error = Some(e)
            }
            _ => {
                let mut scratch = [0u8; 1];
                if let Err(e) = connection.reader().read(&mut scratch)
                    && e.kind() != std::io::ErrorKind::WouldBlock
                {
                    handshake_error = Some(e);
                }
            }
        }
    }
    handshake_error
}

/// Why nothing was served, in the admin's words: a timeout, not TLS, the endpoint hanging up, or
/// the handshake's own error.
fn nothing_served(
    handshake_error: Option<std::io::Error>,
    shown: String,
    timeout: ProbeError,
) -> ProbeError {
    let e = handshake_error.unwrap_or_else(|| std::io::Error::other("no certificate was sent"));
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => timeout,
        std::io::ErrorKind::InvalidData => ProbeError::NotTls {
            address: shown,
            why: e.to_string(),
        },
        // Which of these a peer that hangs up produces depends on timing (EOF on read, reset, or a
        // broken pipe when the ClientHello is written): all mean the same to the admin.
        std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::ConnectionReset
        | std::io::ErrorKind::ConnectionAborted
        | std::io::ErrorKind::BrokenPipe
        | std::io::ErrorKind::NotConnected => ProbeError::Handshake {
            address: shown,
            why: format!("the endpoint closed the connection ({e})"),
        },
        _ => ProbeError::Handshake {
            address: shown,
            why: e.to_string(),
        },
    }
}

/// Accepts any server certificate and records the chain as served. Named `danger_` (as rustls names
/// such things) because it trusts nothing and verifies no chain: the engine judges the recorded chain.
/// Handshake signatures are still verified, so the server did prove it holds the leaf's key.
#[allow(non_camel_case_types)]
#[derive(Debug)]
struct danger_RecordingVerifier {
    provider: Arc<CryptoProvider>,
    served: Mutex<Option<Vec<Vec<u8>>>>,
}

impl ServerCertVerifier for danger_RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.to_vec()];
        chain.extend(intermediates.iter().map(|c| c.to_vec()));
        if let Ok(mut served) = self.served.lock() {
            *served = Some(chain);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Offers the configured client certificate (if any) and records whether the server asked for one.
#[derive(Debug)]
struct ClientCertRecorder {
    key: Option<Arc<CertifiedKey>>,
    requested: Mutex<bool>,
}

impl ClientCertRecorder {
    fn new(options: &ProbeOptions, provider: &CryptoProvider) -> Result<Self, ProbeError> {
        let key = match &options.client_auth {
            None => None,
            Some((certs, key)) => {
                let signing_key = provider
                    .key_provider
                    .load_private_key(key.clone_key())
                    .map_err(|e| ProbeError::ClientAuth(e.to_string()))?;
                Some(Arc::new(CertifiedKey::new(certs.clone(), signing_key)))
            }
        };
        Ok(Self {
            key,
            requested: Mutex::new(false),
        })
    }

    fn requested(&self) -> bool {
        self.requested.lock().map(|r| *r).unwrap_or(false)
    }
}

impl ResolvesClientCert for ClientCertRecorder {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        if let Ok(mut requested) = self.requested.lock() {
            *requested = true;
        }
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        true // always consulted, so a CertificateRequest is noticed even without a certificate
    }
}

/// The TLS 1.2 suites Genesys Cloud publishes for BYOC Cloud SIP TLS (RSA-authenticated ECDHE with
/// AES-GCM), with the rustls suite that offers each one, if any.
pub fn genesys_byoc_cloud_suites() -> Vec<(&'static str, Option<SupportedCipherSuite>)> {
    use aws_lc_rs::cipher_suite as cs;
    vec![
        (
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            Some(cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
        ),
        (
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            Some(cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_table() {
        let table: &[(&str, Option<(&str, u16)>)] = &[
            ("sbc.example.com", Some(("sbc.example.com", 5061))),
            ("sbc.example.com:5062", Some(("sbc.example.com", 5062))),
            ("192.0.2.1:443", Some(("192.0.2.1", 443))),
            ("[2001:db8::1]:5061", Some(("2001:db8::1", 5061))),
            ("[2001:db8::1]", Some(("2001:db8::1", 5061))),
            ("2001:db8::1", Some(("2001:db8::1", 5061))),
            ("sbc:port", None),
            (":5061", None),
            ("", None),
            ("[]:5061", None),
        ];
        for (input, expected) in table {
            assert_eq!(
                split_target(input),
                expected.map(|(h, p)| (h.to_string(), p)),
                "{input}"
            );
        }
    }
}
