//! Test helpers: certificates generated with rcgen, and the engine called the way the CLI calls it.
#![allow(dead_code)]

use std::io::Read as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use chainsmith::engine::{self, CheckOptions, Loaded, Report};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};

/// 2026-06-01T00:00:00Z: inside the default validity of generated certificates.
pub const AT: i64 = 1_780_272_000;

/// Key algorithms used by the scenarios.
#[derive(Debug, Clone, Copy)]
pub enum Alg {
    P256,
    P384,
    P521,
    Ed25519,
    Rsa2048,
}

pub fn key(alg: Alg) -> KeyPair {
    match alg {
        Alg::P256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
        Alg::P384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
        Alg::P521 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512),
        Alg::Ed25519 => KeyPair::generate_for(&rcgen::PKCS_ED25519),
        Alg::Rsa2048 => {
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        }
    }
    .expect("key generation")
}

/// A generated certificate with its key and parameters (so it can issue others).
pub struct Cert {
    pub params: CertificateParams,
    pub key: KeyPair,
    pub der: Vec<u8>,
}

impl Cert {
    pub fn pem(&self) -> String {
        chainsmith::engine::pem::encode("CERTIFICATE", &self.der)
    }

    pub fn sha256(&self) -> String {
        chainsmith::engine::Fingerprint::of(&self.der).hex()
    }

    /// Issues a certificate from `params` with a fresh key of `alg`.
    pub fn issue(&self, params: CertificateParams, alg: Alg) -> Cert {
        issue_with_key(params, key(alg), Some(self))
    }
}

pub fn issue_with_key(params: CertificateParams, key: KeyPair, issuer: Option<&Cert>) -> Cert {
    let cert = match issuer {
        Some(issuer) => {
            let signer = Issuer::from_params(&issuer.params, &issuer.key);
            params.signed_by(&key, &signer).expect("sign")
        }
        None => params.self_signed(&key).expect("self-sign"),
    };
    Cert {
        der: cert.der().to_vec(),
        params,
        key,
    }
}

/// CA parameters: CA:TRUE (critical), keyCertSign + cRLSign, AKI, 2026-01-01 .. 2036-01-01.
pub fn ca_params(cn: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Chainsmith Test");
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.use_authority_key_identifier_extension = true;
    params.not_before = date_time_ymd(2026, 1, 1);
    params.not_after = date_time_ymd(2036, 1, 1);
    params
}

/// Leaf parameters: the SANs, serverAuth + clientAuth, digitalSignature + keyEncipherment, AKI,
/// 2026-01-01 .. 2027-01-01.
pub fn leaf_params(cn: &str, sans: &[&str]) -> CertificateParams {
    let mut params = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("params");
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.use_authority_key_identifier_extension = true;
    params.not_before = date_time_ymd(2026, 1, 1);
    params.not_after = date_time_ymd(2027, 1, 1);
    params
}

pub fn root(cn: &str, alg: Alg) -> Cert {
    issue_with_key(ca_params(cn), key(alg), None)
}

/// A complete chain: root → intermediate → leaf for `sbc.example.com`.
pub struct Chain {
    pub root: Cert,
    pub intermediate: Cert,
    pub leaf: Cert,
}

pub fn chain(alg: Alg) -> Chain {
    let root = root("Test Root CA", alg);
    let intermediate = root.issue(ca_params("Test Intermediate CA"), alg);
    let leaf = intermediate.issue(
        leaf_params("sbc.example.com", &["sbc.example.com", "192.0.2.10"]),
        alg,
    );
    Chain {
        root,
        intermediate,
        leaf,
    }
}

/// Loads named inputs through the engine's loader.
pub fn load(inputs: &[(&str, &[u8])]) -> Loaded {
    let mut loaded = Loaded::default();
    for (name, bytes) in inputs {
        loaded.extend(engine::load(name, bytes));
    }
    loaded
}

/// Options at [`AT`] for `host`.
pub fn options(host: Option<&str>) -> CheckOptions {
    let mut options = CheckOptions::new(AT);
    options.host = host.map(|h| engine::HostName::parse(h).expect("host"));
    options
}

pub fn analyze(inputs: &[(&str, &[u8])], options: &CheckOptions) -> Report {
    engine::analyze(&load(inputs), None, options)
}

/// The codes of the report's findings.
pub fn codes(report: &Report) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.code.as_str()).collect()
}

/// The codes of error findings.
pub fn errors(report: &Report) -> Vec<&'static str> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == engine::Severity::Error)
        .map(|f| f.code.as_str())
        .collect()
}

/// The chain's fingerprints, leaf first, as hex.
pub fn order(report: &Report) -> Vec<String> {
    report.chain.iter().map(|e| e.cert.sha256.hex()).collect()
}

/// The real-world fixtures: `tests/fixtures/real-world` (or `CHAINSMITH_FIXTURES`), or a loud failure saying
/// where they are expected.
pub fn fixtures() -> PathBuf {
    let dir = std::env::var_os("CHAINSMITH_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-world")
        });
    assert!(
        dir.join("README.md").is_file(),
        "the real-world fixtures are expected at {} (set CHAINSMITH_FIXTURES to their folder)",
        dir.display()
    );
    dir
}

/// Parses an RFC 3339 time to Unix seconds.
pub fn at(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .expect("time")
        .unix_timestamp()
}

/// AuthorityInfoAccess with one caIssuers URI.
pub fn aia_ca_issuers(url: &str) -> rcgen::CustomExtension {
    let oid = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    let mut uri = vec![0x86, url.len() as u8];
    uri.extend_from_slice(url.as_bytes());
    let desc = der_seq(&[&oid[..], &uri].concat());
    rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], der_seq(&desc))
}

/// extKeyUsage SEQUENCE { serverAuth, anyExtendedKeyUsage }.
pub fn eku_der() -> Vec<u8> {
    der_seq(&[
        0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01, 0x06, 0x04, 0x55, 0x1d, 0x25,
        0x00,
    ])
}

pub fn der_seq(content: &[u8]) -> Vec<u8> {
    der(0x30, content)
}

pub fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// A degenerate PKCS#7 SignedData holding `certs` (what `openssl crl2pkcs7 -nocrl` writes).
pub fn pkcs7(certs: &[&[u8]]) -> Vec<u8> {
    let signed_data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    let data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    let certificates = der(0xa0, &certs.concat());
    let signed_data = der_seq(
        &[
            &[0x02, 0x01, 0x01][..],
            &der(0x31, &[]),
            &der_seq(&data_oid),
            &certificates,
            &der(0x31, &[]),
        ]
        .concat(),
    );
    der_seq(&[&signed_data_oid[..], &der(0xa0, &signed_data)].concat())
}

/// Serves `chain` (in the given order) with `key` for every connection, on a loopback port.
pub fn serve_tls(chain: Vec<Vec<u8>>, key_der: Vec<u8>, client_ca: Option<Vec<u8>>) -> u16 {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .unwrap();
    let certs: Vec<CertificateDer<'static>> = chain.into_iter().map(CertificateDer::from).collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der));
    // A resolver rather than `with_single_cert`, which refuses a chain whose first certificate is not
    // the key's: the misordered server must be able to exist.
    let signing_key = provider.key_provider.load_private_key(key).unwrap();
    let resolver = Arc::new(ServeAsGiven(Arc::new(rustls::sign::CertifiedKey::new(
        certs,
        signing_key,
    ))));
    let config = match client_ca {
        None => builder.with_no_client_auth().with_cert_resolver(resolver),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(CertificateDer::from(ca)).unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder
                .with_client_cert_verifier(verifier)
                .with_cert_resolver(resolver)
        }
    };
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let config = config.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::Stream::new(&mut conn, &mut stream);
                let mut buf = [0u8; 64];
                let _ = tls.read(&mut buf); // handshake, then wait for the client's close
            });
        }
    });
    port
}

#[derive(Debug)]
pub struct ServeAsGiven(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for ServeAsGiven {
    fn resolve(
        &self,
        _: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// A loopback HTTP server answering every request with `body` (200, Content-Length); returns its port.
pub fn serve_http(body: Vec<u8>) -> u16 {
    use std::io::Write as _;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    port
}

/// An HTTPS client that trusts exactly the sandbox's own certificate.
pub fn sandbox_client(handle: &chainsmith::sandbox::Handle) -> reqwest::blocking::Client {
    let root = reqwest::Certificate::from_pem(handle.certificate_pem.as_bytes()).unwrap();
    reqwest::blocking::Client::builder()
        .tls_certs_only([root])
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Splits DER contents into its top-level TLVs (whole, header included). Test data only: panics on
/// malformed input.
pub fn tlvs(mut content: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (header, len) = match content[1] {
            n if n < 0x80 => (2, n as usize),
            0x81 => (3, content[2] as usize),
            0x82 => (4, (content[2] as usize) << 8 | content[3] as usize),
            other => panic!("length form {other:#x} not used in test certificates"),
        };
        out.push(content[..header + len].to_vec());
        content = &content[header + len..];
    }
    out
}

/// The contents of one TLV (its header removed).
pub fn tlv_content(tlv: &[u8]) -> Vec<u8> {
    let header = match tlv[1] {
        n if n < 0x80 => 2,
        0x81 => 3,
        _ => 4,
    };
    tlv[header..].to_vec()
}

/// Rebuilds a certificate: `edit` changes the TBSCertificate's fields (version, serial, signature
/// algorithm, issuer, validity, subject, SPKI, extensions), `algorithm` replaces the signature
/// AlgorithmIdentifier (in the TBS and outside it), and `signer` signs the result (`None`: keep the old
/// signature bytes, which then no longer match).
pub fn rebuild(
    cert_der: &[u8],
    edit: impl FnOnce(&mut Vec<Vec<u8>>),
    algorithm: Option<Vec<u8>>,
    signer: Option<&KeyPair>,
) -> Vec<u8> {
    use rcgen::SigningKey as _;
    let outer = tlvs(&tlv_content(cert_der));
    let mut fields = tlvs(&tlv_content(&outer[0]));
    edit(&mut fields);
    let algorithm = algorithm.unwrap_or_else(|| outer[1].clone());
    fields[2] = algorithm.clone();
    let tbs = der_seq(&fields.concat());
    let signature = match signer {
        Some(key) => {
            let mut bits = vec![0u8];
            bits.extend(key.sign(&tbs).expect("sign"));
            der(0x03, &bits)
        }
        None => outer[2].clone(),
    };
    der_seq(&[tbs, algorithm, signature].concat())
}

/// AlgorithmIdentifier SEQUENCE { oid (DER bytes of the OID, tag included), params }.
pub fn algorithm_id(oid: &[u8], params: &[u8]) -> Vec<u8> {
    der_seq(&[oid, params].concat())
}

/// Runs the `openssl` binary (a peer nobody here wrote; .ci/run installs it) in `dir`; panics with
/// its error output when it fails.
pub fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl binary is needed by this test (.ci/run installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `openssl verify` (a peer nobody here wrote) run in `dir` at [`AT`]: `target` against `root` as the
/// only trust anchor with `untrusted` beside it (file names in `dir`), `flags` before them. `Ok`, or
/// openssl's output.
pub fn openssl_verify_in(
    dir: &std::path::Path,
    root: &str,
    untrusted: &str,
    target: &str,
    flags: &[&str],
) -> Result<(), String> {
    let at = AT.to_string();
    let out = std::process::Command::new("openssl")
        .arg("verify")
        .args(flags)
        .args([
            "-attime",
            &at,
            "-CAfile",
            root,
            "-untrusted",
            untrusted,
            target,
        ])
        .current_dir(dir)
        .output()
        .expect("the openssl binary is needed by this test (.ci/run installs it)");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr))
    }
}

/// A self-signed certificate and key made by `openssl req -x509` (ECDSA P-256, CA:TRUE as openssl
/// makes them) in `dir` as `NAME.pem` and `NAME.key`, with `san` as its subjectAltName if given.
/// Returns the certificate (PEM).
pub fn openssl_self_signed(
    dir: &std::path::Path,
    name: &str,
    subject: &str,
    san: Option<&str>,
) -> Vec<u8> {
    let (pem, key) = (format!("{name}.pem"), format!("{name}.key"));
    let mut args = vec![
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &pem,
        "-days",
        "30",
        "-subj",
        subject,
    ];
    let ext;
    if let Some(san) = san {
        ext = format!("subjectAltName={san}");
        args.extend(["-addext", &ext]);
    }
    openssl(dir, &args);
    std::fs::read(dir.join(&pem)).unwrap()
}

/// Runs the built `chainsmith` binary in `dir`.
pub fn chainsmith<A: AsRef<std::ffi::OsStr>>(
    args: &[A],
    dir: &std::path::Path,
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run chainsmith")
}

/// A public key given as raw SubjectPublicKeyInfo contents, to put keys no library would make (an EC
/// point off its curve, an RSA exponent of 1, a 9,216-bit modulus) into rcgen-made certificates.
pub struct RawKey {
    pub bytes: Vec<u8>,
    pub alg: &'static rcgen::SignatureAlgorithm,
}

impl rcgen::PublicKeyData for RawKey {
    fn der_bytes(&self) -> &[u8] {
        &self.bytes
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg
    }
}

/// The unprivileged account `.ci/run` creates, so that a mode-000 file is really unreadable although CI
/// runs as root (root reads any file).
pub const UNPRIVILEGED: &str = "chainsmith-test";

/// Runs a copy of the `chainsmith` binary in `dir` as an unprivileged user (through `runuser` when the
/// tests run as root), so file permissions apply. `dir` and what the run reads must be readable by
/// that user; this makes `dir` itself world-readable.
#[cfg(unix)]
pub fn chainsmith_unprivileged(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt as _;
    let bin = dir.join(".chainsmith-unprivileged");
    std::fs::copy(env!("CARGO_BIN_EXE_chainsmith"), &bin).unwrap();
    for (path, mode) in [(dir, 0o755), (bin.as_path(), 0o755)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let mut command = if root {
        // An unprivileged account every Debian has (`nobody`), or the one of an older .ci/run.
        let user = ["nobody", "daemon", UNPRIVILEGED]
            .into_iter()
            .find(|u| {
                std::process::Command::new("id")
                    .arg(u)
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .expect("running as root: this test needs an unprivileged account such as nobody");
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", user, "--"]).arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    command.args(args).current_dir(dir).output().unwrap()
}

/// An `openssl s_server` process (a TLS peer nobody here wrote), killed when dropped.
pub struct OpensslServer(pub std::process::Child);

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `openssl s_server -accept PORT ARGS… -quiet` in `dir` on a free loopback port and waits
/// until it accepts connections.
pub fn openssl_s_server(dir: &std::path::Path, args: &[&str]) -> (OpensslServer, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = OpensslServer(
        std::process::Command::new("openssl")
            .args(["s_server", "-accept", &port.to_string()])
            .args(args)
            .arg("-quiet")
            .current_dir(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the openssl binary is needed by this test (.ci/run installs it)"),
    );
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (server, port)
}

/// `openssl s_server` answering with a default self-signed certificate ("Old VPN Gateway", for
/// vpn.example.net) unless the client asks for `sni` by name, for which it serves `leaf` (PEM
/// certificate and key): a box that hosts several services, met through its IP address.
pub fn serve_two_certificates(
    dir: &std::path::Path,
    sni: &str,
    leaf_pem: &str,
    leaf_key_pem: &str,
) -> (OpensslServer, u16) {
    openssl_self_signed(
        dir,
        "vpn",
        "/CN=Old VPN Gateway",
        Some("DNS:vpn.example.net"),
    );
    std::fs::write(dir.join("sni-leaf.pem"), leaf_pem).unwrap();
    std::fs::write(dir.join("sni-leaf.key"), leaf_key_pem).unwrap();
    openssl_s_server(
        dir,
        &[
            "-cert",
            "vpn.pem",
            "-key",
            "vpn.key",
            "-servername",
            sni,
            "-cert2",
            "sni-leaf.pem",
            "-key2",
            "sni-leaf.key",
        ],
    )
}

/// Every file under `dir`, recursively (nothing when it does not exist): what a program wrote there.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The extensions of a leaf that follows the Baseline Requirements' subscriber profile (BR 2.0
/// §7.1.2.7) for sbc.example.com: domain validated, ECDSA, an OCSP and a caIssuers URL, a CRL.
pub const BR_LEAF_EXT: &str = "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:sbc.example.com
certificatePolicies=2.23.140.1.2.1
authorityInfoAccess=OCSP;URI:http://ocsp.ca.example.com,caIssuers;URI:http://ca.example.com/int.crt
crlDistributionPoints=URI:http://ca.example.com/int.crl
authorityKeyIdentifier=keyid:always
";

/// The extensions of an intermediate that follows the subordinate CA profile (BR §7.1.2.10).
pub const BR_CA_EXT: &str = "basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,digitalSignature,keyCertSign,cRLSign
extendedKeyUsage=serverAuth,clientAuth
certificatePolicies=2.23.140.1.2.1
authorityInfoAccess=caIssuers;URI:http://ca.example.com/root.crt
crlDistributionPoints=URI:http://ca.example.com/root.crl
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
";

/// A chain made with openssl (a peer nobody here wrote) in `dir`: `root.pem`, `int.pem` (the
/// subordinate CA profile, or `int_ext`), `leaf.pem` (subject `subject`, extensions `leaf_ext`, a
/// `leaf_key` key: "ec", "rsa" or "ed25519"), issued now for 40 days. The intermediate asserts the
/// CA/B Forum DV policy, so the Baseline Requirements profiles apply although the root is private.
pub fn br_chain(
    dir: &std::path::Path,
    subject: &str,
    leaf_ext: &str,
    leaf_key: &str,
    int_ext: Option<&str>,
) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-days",
            "3650",
            "-subj",
            "/C=US/O=Example CA/CN=Example Root",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let issue = |name: &str, key: &str, subject: &str, ext: &str, ca: &str| {
        std::fs::write(dir.join(format!("{name}.ext")), format!("[v3]\n{ext}")).unwrap();
        let key_file = format!("{name}.key");
        let mut args = vec!["req", "-new", "-nodes", "-keyout", &key_file];
        match key {
            "rsa" => args.extend(["-newkey", "rsa:2048"]),
            "ed25519" => args.extend(["-newkey", "ed25519"]),
            _ => args.extend(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]),
        }
        let csr = format!("{name}.csr");
        args.extend(["-out", &csr, "-subj", subject]);
        openssl(dir, &args);
        let (pem, ext_file, ca_pem, ca_key) = (
            format!("{name}.pem"),
            format!("{name}.ext"),
            format!("{ca}.pem"),
            format!("{ca}.key"),
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_pem,
                "-CAkey",
                &ca_key,
                "-out",
                &pem,
                "-days",
                "40",
                "-extfile",
                &ext_file,
                "-extensions",
                "v3",
                "-sha256",
            ],
        );
    };
    issue(
        "int",
        "ec",
        "/C=US/O=Example CA/CN=Example TLS CA",
        int_ext.unwrap_or(BR_CA_EXT),
        "root",
    );
    issue("leaf", leaf_key, subject, leaf_ext, "int");
}

/// A DER CRL of `issuer` (this update 2026-05-01, next update `next`) listing `revoked` if given.
pub fn test_crl(issuer: &Cert, revoked: Option<&Cert>, next: (i32, u8, u8)) -> Vec<u8> {
    let params = rcgen::CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2026, 5, 1),
        next_update: rcgen::date_time_ymd(next.0, next.1, next.2),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .map(|c| rcgen::RevokedCertParams {
                serial_number: rcgen::SerialNumber::from_slice(
                    &chainsmith::engine::cert::Certificate::from_der(&c.der, "x", false)
                        .unwrap()
                        .serial,
                ),
                revocation_time: rcgen::date_time_ymd(2026, 4, 1),
                reason_code: None,
                invalidity_date: None,
            })
            .into_iter()
            .collect(),
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    };
    let signer = rcgen::Issuer::from_params(&issuer.params, &issuer.key);
    params.signed_by(&signer).unwrap().der().to_vec()
}

/// The certificates of a PEM file as `openssl` reads them (an independent reader): each one's subject
/// line (`openssl pkcs7 -print_certs`), in file order.
pub fn openssl_subjects(file: &std::path::Path) -> Vec<String> {
    let p7 = std::process::Command::new("openssl")
        .args(["crl2pkcs7", "-nocrl", "-certfile"])
        .arg(file)
        .output()
        .expect("the openssl binary is needed by this test (.ci/run installs it)");
    assert!(
        p7.status.success(),
        "{}",
        String::from_utf8_lossy(&p7.stderr)
    );
    let mut child = std::process::Command::new("openssl")
        .args(["pkcs7", "-print_certs", "-noout"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(&p7.stdout).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("subject=").map(|s| s.trim().to_string()))
        .collect()
}

/// SHA-256 of the first certificate of a PEM file, lower-case hex, as `openssl x509` computes it.
pub fn openssl_sha256(file: &std::path::Path) -> String {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .replace(':', "")
        .to_ascii_lowercase()
}

/// The chain an endpoint serves, as `openssl s_client -showcerts` sees it (an independent client):
/// each certificate's SHA-256, leaf first; empty when the handshake failed. `sni` is sent as the
/// server name.
pub fn openssl_served(address: &str, sni: Option<&str>) -> Vec<String> {
    let mut command = std::process::Command::new("openssl");
    command.args(["s_client", "-connect", address, "-showcerts"]);
    match sni {
        Some(name) => command.args(["-servername", name]),
        None => command.arg("-noservername"),
    };
    let out = command
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the openssl binary is needed by this test (.ci/run installs it)");
    pem::parse_many(&out.stdout)
        .unwrap_or_default()
        .iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| chainsmith::engine::Fingerprint::of(b.contents()).hex())
        .collect()
}

/// A forward proxy: answers each CONNECT with 200 (or `refuse`) and tunnels to `upstream`, whatever
/// host was asked (the host name is the test's, not resolvable). Records the request lines.
pub struct Proxy {
    pub port: u16,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start(upstream: std::net::SocketAddr, refuse: bool) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || tunnel(client, upstream, refuse, &log));
            }
        });
        Self { port, seen }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn tunnel(
    mut client: std::net::TcpStream,
    upstream: std::net::SocketAddr,
    refuse: bool,
    log: &std::sync::Mutex<Vec<String>>,
) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match std::io::Read::read(&mut client, &mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let first = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    log.lock().unwrap().push(first);
    if refuse {
        let _ = std::io::Write::write_all(
            &mut client,
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
        );
        return;
    }
    let Ok(server) = std::net::TcpStream::connect(upstream) else {
        return;
    };
    let _ = std::io::Write::write_all(&mut client, b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(std::net::Shutdown::Write);
    });
    let (mut s3, mut c3) = (server, client);
    let _ = std::io::copy(&mut s3, &mut c3);
    let _ = c3.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
}

/// A sandbox serving a certificate for `api.corp.test` (a name only the proxy "resolves"), and its
/// CA in `dir/corp-ca.pem`.
pub fn corp_sandbox(dir: &std::path::Path) -> chainsmith::sandbox::Handle {
    let ca = root("Corp Test CA", Alg::P256);
    let leaf = ca.issue(leaf_params("api.corp.test", &["api.corp.test"]), Alg::P256);
    std::fs::write(dir.join("corp-ca.pem"), ca.pem()).unwrap();
    chainsmith::sandbox::start_serving(
        0,
        vec![],
        Some(chainsmith::sandbox::Identity {
            chain_pem: leaf.pem().into_bytes(),
            key_pem: leaf.key.serialize_pem().into_bytes(),
        }),
    )
    .unwrap()
}

/// A private X display (Xvfb, which names its display itself with `-displayfd`), stopped when
/// dropped: for the real window's tests (tests/window.rs, and Wine's in tests/windows.rs).
pub struct Xvfb {
    child: std::process::Child,
    pub display: String,
}

impl Xvfb {
    /// A display of `screen` (`WIDTHxHEIGHTxDEPTH`).
    pub fn start(screen: &str) -> Self {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                screen,
                "-nolisten",
                "tcp",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("Xvfb is installed (README: What cargo test needs)");
        let mut display = String::new();
        std::io::BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut display)
            .expect("Xvfb names its display");
        assert!(!display.trim().is_empty(), "Xvfb named no display");
        Self {
            child,
            display: format!(":{}", display.trim()),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines `child` writes to its standard error (piped), as they come, read on a thread.
pub fn stderr_lines(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead as _;
    let stderr = child.stderr.take().expect("standard error piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    rx
}
