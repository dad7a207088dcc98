//! Certificate parameters shared by the benchmarks.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SerialNumber,
};

/// 2026-01-01 .. 2027-01-01, AKI on; a CA (keyCertSign) or a serverAuth leaf with `sans`.
pub fn params(cn: &str, ca: bool, sans: Vec<String>) -> CertificateParams {
    let mut p = CertificateParams::new(sans).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(2026, 1, 1);
    p.not_after = rcgen::date_time_ymd(2027, 1, 1);
    p.use_authority_key_identifier_extension = true;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    }
    p
}

/// Root → intermediate → leaf for sbc.example.com, then `extra` leaves of 100 other intermediates
/// (a realistic messy pile: many CAs, many leaves), shuffled in after the real chain's root.
#[allow(dead_code)] // not every bench (each compiles this module) uses it
pub fn messy_pile(extra: usize) -> String {
    let BenchChain {
        root,
        root_params,
        root_key,
        intermediate,
        leaf,
    } = bench_chain();
    let root_issuer = Issuer::from_params(&root_params, &root_key);
    let mut pem = String::new();
    pem.push_str(&root);
    let other_key = KeyPair::generate().unwrap();
    let others: Vec<(CertificateParams, String)> = (0..100.min(extra))
        .map(|i| {
            let p = params(&format!("Other CA {i}"), true, vec![]);
            let cert = p.signed_by(&other_key, &root_issuer).unwrap().pem();
            (p, cert)
        })
        .collect();
    for (_, cert) in &others {
        pem.push_str(cert);
    }
    for i in 0..extra.saturating_sub(others.len()) {
        let (p, _) = &others[i % others.len()];
        let issuer = Issuer::from_params(p, &other_key);
        let mut lp = params(
            &format!("host{i}.example.net"),
            false,
            vec![format!("host{i}.example.net")],
        );
        lp.serial_number = Some(SerialNumber::from_slice(&(i as u64 + 1).to_be_bytes()));
        pem.push_str(&lp.signed_by(&other_key, &issuer).unwrap().pem());
    }
    pem.push_str(&leaf);
    pem.push_str(&intermediate);
    pem
}

/// Root → intermediate → leaf for sbc.example.com, as PEM, with the root's parameters and key.
pub struct BenchChain {
    pub root: String,
    pub root_params: CertificateParams,
    pub root_key: KeyPair,
    pub intermediate: String,
    pub leaf: String,
}

pub fn bench_chain() -> BenchChain {
    let root_key = KeyPair::generate().unwrap();
    let root_params = params("Bench Root", true, vec![]);
    let root = root_params.self_signed(&root_key).unwrap().pem();
    let root_issuer = Issuer::from_params(&root_params, &root_key);
    let int_key = KeyPair::generate().unwrap();
    let int_params = params("Bench Intermediate", true, vec![]);
    let intermediate = int_params.signed_by(&int_key, &root_issuer).unwrap().pem();
    let int_issuer = Issuer::from_params(&int_params, &int_key);
    let leaf = params("sbc.example.com", false, vec!["sbc.example.com".into()])
        .signed_by(&KeyPair::generate().unwrap(), &int_issuer)
        .unwrap()
        .pem();
    BenchChain {
        root,
        root_params,
        root_key,
        intermediate,
        leaf,
    }
}

/// The 3-certificate chain for sbc.example.com and `extra` unrelated self-signed CA certificates
/// (one key, distinct names), the chain last: a pile where nothing but the chain needs a signature
/// check.
#[allow(dead_code)] // not every bench (each compiles this module) uses it
pub fn self_signed_pile(extra: usize) -> String {
    let chain = bench_chain();
    let other_key = KeyPair::generate().unwrap();
    let mut pem = String::new();
    for i in 0..extra {
        let p = params(&format!("Unrelated Root CA {i}"), true, vec![]);
        pem.push_str(&p.self_signed(&other_key).unwrap().pem());
    }
    pem.push_str(&chain.leaf);
    pem.push_str(&chain.intermediate);
    pem.push_str(&chain.root);
    pem
}

/// `n` self-signed end-entity certificates that all carry one subject (one key, distinct serials): the
/// worst case for matching issuers by name, every certificate naming every other as a possible issuer.
#[allow(dead_code)] // not every bench (each compiles this module) uses it
pub fn same_subject_pile(n: usize) -> String {
    let key = KeyPair::generate().unwrap();
    let mut pem = String::new();
    for i in 0..n {
        let mut p = params("Same Name", false, vec!["same.example.com".into()]);
        p.serial_number = Some(SerialNumber::from_slice(&(i as u64 + 1).to_be_bytes()));
        pem.push_str(&p.self_signed(&key).unwrap().pem());
    }
    pem
}

/// A file of `bytes` bytes of empty `CERTIFICATE` blocks (each one malformed).
#[allow(dead_code)] // not every bench (each compiles this module) uses it
pub fn empty_blocks(bytes: usize) -> String {
    let block = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
    block.repeat(bytes / block.len())
}

/// Root → intermediate with name constraints (permitted: example.com and 192.0.2.0/24; excluded:
/// `excluded` subdomains) → a leaf with `n` DNS names under example.com, none excluded: a naive check
/// compares every name with every subtree.
#[allow(dead_code)] // not every bench (each compiles this module) uses it
pub fn constrained_sans(n: usize, excluded: usize) -> String {
    use rcgen::{GeneralSubtree, NameConstraints};
    let root_key = KeyPair::generate().unwrap();
    let root_params = params("Bench Root", true, vec![]);
    let root = root_params.self_signed(&root_key).unwrap().pem();
    let int_key = KeyPair::generate().unwrap();
    let mut int_params = params("Bench Constrained Intermediate", true, vec![]);
    int_params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("example.com".into()),
            GeneralSubtree::IpAddress(rcgen::CidrSubnet::V4([192, 0, 2, 0], [255, 255, 255, 0])),
        ],
        excluded_subtrees: (0..excluded)
            .map(|i| GeneralSubtree::DnsName(format!("forbidden{i}.example.com")))
            .collect(),
    });
    let intermediate = int_params
        .signed_by(&int_key, &Issuer::from_params(&root_params, &root_key))
        .unwrap()
        .pem();
    let mut sans = vec!["sbc.example.com".to_string()];
    sans.extend((1..n).map(|i| format!("host{i}.trunks.example.com")));
    let leaf = params("sbc.example.com", false, sans)
        .signed_by(
            &KeyPair::generate().unwrap(),
            &Issuer::from_params(&int_params, &int_key),
        )
        .unwrap()
        .pem();
    [leaf, intermediate, root].concat()
}
