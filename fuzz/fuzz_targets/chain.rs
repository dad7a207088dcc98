//! Chain building on sets of parsed certificates: the input picks certificates from a pool of related
//! ones (roots, a cross-sign, intermediates, leaves, an expired and an unrelated one), their order,
//! byte flips in them, and the check options.
#![no_main]

use std::sync::OnceLock;

use chainsmith::engine::{self, CheckOptions, HostName, Loaded, Profile};
use libfuzzer_sys::fuzz_target;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

fn params(cn: &str, ca: bool, sans: &[&str], years: (i32, i32)) -> CertificateParams {
    let mut p = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("params");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(years.0, 1, 1);
    p.not_after = rcgen::date_time_ymd(years.1, 1, 1);
    p.use_authority_key_identifier_extension = true;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    }
    p
}

fn pool() -> &'static Vec<Vec<u8>> {
    static POOL: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let k = |_: u8| KeyPair::generate().expect("key");
        let (root_key, root2_key, int_key, int2_key, leaf_key) = (k(0), k(1), k(2), k(3), k(4));
        let root_p = params("Fuzz Root", true, &[], (2020, 2040));
        let root = root_p.self_signed(&root_key).expect("root");
        let root_issuer = Issuer::from_params(&root_p, &root_key);
        let root2_p = params("Fuzz Root 2", true, &[], (2020, 2040));
        let root2 = root2_p.self_signed(&root2_key).expect("root2");
        let root2_issuer = Issuer::from_params(&root2_p, &root2_key);
        let int_p = params("Fuzz Intermediate", true, &[], (2021, 2035));
        let int = int_p.signed_by(&int_key, &root_issuer).expect("int");
        let int_cross = int_p.signed_by(&int_key, &root2_issuer).expect("cross");
        let int_issuer = Issuer::from_params(&int_p, &int_key);
        let int2_p = params("Fuzz Intermediate 2", true, &[], (2021, 2035));
        let int2 = int2_p.signed_by(&int2_key, &int_issuer).expect("int2");
        let int2_issuer = Issuer::from_params(&int2_p, &int2_key);
        let leaf = params("sbc.example.com", false, &["sbc.example.com", "*.example.com"], (2026, 2027))
            .signed_by(&leaf_key, &int_issuer)
            .expect("leaf");
        let expired = params("old.example.com", false, &["old.example.com"], (2019, 2020))
            .signed_by(&leaf_key, &int_issuer)
            .expect("expired");
        let deep = params("deep.example.com", false, &["deep.example.com"], (2026, 2027))
            .signed_by(&leaf_key, &int2_issuer)
            .expect("deep");
        let selfsigned = params("self.example.com", false, &["self.example.com"], (2026, 2027))
            .self_signed(&leaf_key)
            .expect("self");
        let unrelated_key = k(5);
        let unrelated = params("Unrelated CA", true, &[], (2020, 2040))
            .self_signed(&unrelated_key)
            .expect("unrelated");
        [root, root2, int, int_cross, int2, leaf, expired, deep, selfsigned, unrelated]
            .iter()
            .map(|c| c.der().to_vec())
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let pool = pool();
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut inputs = Loaded::default();
    let mut bytes = rest.iter();
    while let Some(&pick) = bytes.next() {
        let mut der = pool[(pick & 0x0f) as usize % pool.len()].clone();
        if pick & 0x80 != 0 {
            // Flip a byte: a broken signature, a bad length, a changed name.
            let at = bytes.next().copied().unwrap_or(0) as usize * 7 % der.len();
            der[at] ^= bytes.next().copied().unwrap_or(1) | 1;
        }
        inputs.extend(engine::load("fuzz", &der));
        if inputs.certificates.len() > 24 {
            break;
        }
    }
    let mut options = CheckOptions::new(1_780_272_000 + (flags as i64) * 86_400 * 30);
    options.host = HostName::parse(if flags & 1 == 0 { "sbc.example.com" } else { "a.example.com" }).ok();
    options.profile = match flags >> 1 & 3 {
        0 => Profile::TlsServer,
        1 => Profile::SipMutualTls,
        2 => Profile::GenesysByocCloud,
        _ => Profile::GenesysByocPremises,
    };
    options.strict = flags & 0x08 != 0;
    if flags & 0x10 != 0 {
        options.leaf = inputs.certificates.last().map(|c| c.sha256);
    }
    if flags & 0x20 != 0 {
        options.via = inputs.certificates.get(1).map(|c| c.sha256);
    }
    let report = engine::analyze(&inputs, None, &options);
    // The chain is a path: each certificate's issuer name is the next one's subject.
    for pair in report.chain.windows(2) {
        assert_eq!(pair[0].cert.issuer_key, pair[1].cert.subject_key);
    }
    let _ = report.to_json();
});
