//! Microsoft Teams Direct Routing: the roots an SBC with mutual TLS must trust, and what its trust store
//! lacks. The certificates are embedded (public data; sources in `assets/teams/README.md`); roots are
//! matched by SHA-256, never by name, because vendor trust stores spell the names differently.

use std::sync::{Arc, OnceLock};

use super::cert::Certificate;
use super::finding::{Code, Finding};
use super::{CheckOptions, Profile};

/// A root Microsoft's SIP proxies chain to.
#[derive(Debug)]
pub struct TeamsRoot {
    /// The Common Name as written in the certificate.
    pub name: &'static str,
    /// SHA-256 of the DER, upper-case hex.
    pub sha256: &'static str,
    pub pem: &'static str,
}

/// The seven roots an SBC with mutual TLS on its Teams interface must trust from 2026 (Microsoft
/// message MC1213773, December 2025; see `assets/teams/README.md`).
pub const SBC_TRUST_2026: [TeamsRoot; 7] = [
    TeamsRoot {
        name: "DigiCert Global Root CA",
        sha256: "4348A0E9444C78CB265E058D5E8944B4D84F9662BD26DB257F8934A443C70161",
        pem: include_str!("../../assets/teams/DigiCert_Global_Root_CA.pem"),
    },
    TeamsRoot {
        name: "DigiCert Global Root G2",
        sha256: "CB3CCBB76031E5E0138F8DD39A23F9DE47FFC35E43C1144CEA27D46A5AB1CB5F",
        pem: include_str!("../../assets/teams/DigiCert_Global_Root_G2.pem"),
    },
    TeamsRoot {
        name: "DigiCert Global Root G3",
        sha256: "31AD6648F8104138C738F39EA4320133393E3A18CC02296EF97C2AC9EF6731D0",
        pem: include_str!("../../assets/teams/DigiCert_Global_Root_G3.pem"),
    },
    TeamsRoot {
        name: "DigiCert TLS ECC P384 Root G5",
        sha256: "018E13F0772532CF809BD1B17281867283FC48C6E13BE9C69812854A490C1B05",
        pem: include_str!("../../assets/teams/DigiCert_TLS_ECC_P384_Root_G5.pem"),
    },
    TeamsRoot {
        name: "DigiCert TLS RSA4096 Root G5",
        sha256: "371A00DC0533B3721A7EEB40E8419E70799D2B0A0F2C1D80693165F7CEC4AD75",
        pem: include_str!("../../assets/teams/DigiCert_TLS_RSA4096_Root_G5.pem"),
    },
    TeamsRoot {
        name: "Microsoft ECC Root Certificate Authority 2017",
        sha256: "358DF39D764AF9E1B766E9C972DF352EE15CFAC227AF6AD1D70E8E4A6EDCBA02",
        pem: include_str!("../../assets/teams/Microsoft_ECC_Root_Certificate_Authority_2017.pem"),
    },
    TeamsRoot {
        name: "Microsoft RSA Root Certificate Authority 2017",
        sha256: "C741F70F4B2A8D88BF2E71C14122EF53EF10EBA0CFA5E64CFA20F418853073E0",
        pem: include_str!("../../assets/teams/Microsoft_RSA_Root_Certificate_Authority_2017.pem"),
    },
];

/// The roots of [`SBC_TRUST_2026`], parsed once.
pub fn roots() -> &'static [Arc<Certificate>] {
    static ROOTS: OnceLock<Vec<Arc<Certificate>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        SBC_TRUST_2026
            .iter()
            .flat_map(|root| super::load::load(root.name, root.pem.as_bytes()).certificates)
            .collect()
    })
}

/// The roots of [`SBC_TRUST_2026`] that `store` does not hold (compared by SHA-256).
pub fn missing_from(store: &[Arc<Certificate>]) -> Vec<&'static TeamsRoot> {
    SBC_TRUST_2026
        .iter()
        .filter(|root| {
            !store
                .iter()
                .any(|cert| hex_upper(&cert.sha256.0) == root.sha256)
        })
        .collect()
}

/// `teams.sbc-trust-missing`: with the Teams profile and an SBC trust store given, the roots of
/// [`SBC_TRUST_2026`] it lacks, by name and SHA-256 prefix.
pub(crate) fn sbc_trust_findings(options: &CheckOptions) -> Vec<Finding> {
    let Some(store) = options
        .sbc_trust
        .as_ref()
        .filter(|_| options.profile == Profile::TeamsDirectRouting)
    else {
        return Vec::new();
    };
    let missing = missing_from(store);
    if missing.is_empty() {
        return Vec::new();
    }
    let names: Vec<String> = missing
        .iter()
        .map(|root| format!("{} (SHA-256 {}…)", root.name, &root.sha256[..16]))
        .collect();
    vec![Finding::new(
        Code::TeamsSbcTrustMissing,
        None,
        format!(
            "the SBC's trust store lacks {} of the {} roots Microsoft's SIP proxies chain to from 2026: {}",
            missing.len(),
            SBC_TRUST_2026.len(),
            names.join(", ")
        ),
    )]
}

/// All seven roots as one PEM bundle, in the order of [`SBC_TRUST_2026`].
pub fn bundle() -> String {
    SBC_TRUST_2026.iter().map(|root| root.pem).collect()
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_root_is_the_certificate_its_sha256_names() {
        for root in &SBC_TRUST_2026 {
            let loaded = crate::engine::load::load("root.pem", root.pem.as_bytes());
            assert_eq!(loaded.certificates.len(), 1, "{}", root.name);
            let cert = &loaded.certificates[0];
            assert_eq!(hex_upper(&cert.sha256.0), root.sha256, "{}", root.name);
            assert_eq!(cert.subject_common_name.as_deref(), Some(root.name));
            assert!(cert.is_ca() && cert.is_self_issued(), "{}", root.name);
        }
        assert_eq!(missing_from(&[]).len(), 7);
        assert_eq!(roots().len(), 7);
        assert!(missing_from(roots()).is_empty());
    }
}
