//! OpenSSL's TRUSTED CERTIFICATE settings (trusted and rejected purposes) carried with a root.

/// OpenSSL's trust settings (`X509_CERT_AUX`: `openssl x509 -addtrust/-addreject -trustout`), the form
/// of distributions' trust bundles: the purposes (EKU OIDs) a root is trusted for, and those it is
/// rejected for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustSettings {
    pub trusted: Vec<String>,
    pub rejected: Vec<String>,
}

/// id-kp-serverAuth, id-kp-clientAuth and anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
pub const OID_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";

pub const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

pub(super) const OID_ANY_EKU: &str = "2.5.29.37.0";

impl TrustSettings {
    /// Why these settings do not let the root anchor a chain for `purpose` (an EKU OID), as OpenSSL
    /// decides (`obj_trust`): rejected for it or for any purpose; or trusted for a list of purposes
    /// that has neither it nor any purpose. `None`: it may.
    pub fn refuses(&self, purpose: &str) -> Option<String> {
        let named = |oid: &String| oid == purpose || oid == OID_ANY_EKU;
        if let Some(oid) = self.rejected.iter().find(|o| named(o)) {
            return Some(format!(
                "its trust settings reject it for {}",
                purpose_name(oid)
            ));
        }
        if !self.trusted.is_empty() && !self.trusted.iter().any(named) {
            let list: Vec<&str> = self.trusted.iter().map(|o| purpose_name(o)).collect();
            return Some(format!(
                "its trust settings trust it only for {}",
                list.join(", ")
            ));
        }
        None
    }

    /// Reads `X509_CERT_AUX ::= SEQUENCE { trust SEQUENCE OF OID OPTIONAL, reject [0] IMPLICIT
    /// SEQUENCE OF OID OPTIONAL, alias UTF8String OPTIONAL, keyid OCTET STRING OPTIONAL, other [1] …}`
    /// (OpenSSL's crypto/x509/x_x509a.c). By hand on asn1-rs: no crate decodes this OpenSSL structure.
    pub(super) fn from_der(aux: &[u8]) -> Result<Self, String> {
        use x509_parser::asn1_rs::{Any, Class, FromDer, Oid};
        let bad = |e: x509_parser::asn1_rs::Err<x509_parser::asn1_rs::Error>| e.to_string();
        let (rest, seq) = Any::from_der(aux).map_err(bad)?;
        if !rest.is_empty() || seq.header.tag().0 != 16 {
            return Err("they are not one DER SEQUENCE".into());
        }
        let oids = |mut data: &[u8]| -> Result<Vec<String>, String> {
            let mut out = Vec::new();
            while !data.is_empty() {
                let (rest, oid) = Oid::from_der(data).map_err(bad)?;
                out.push(oid.to_id_string());
                data = rest;
            }
            Ok(out)
        };
        let mut settings = TrustSettings::default();
        let mut data = seq.data;
        while !data.is_empty() {
            let (rest, item) = Any::from_der(data).map_err(bad)?;
            match (item.header.class(), item.header.tag().0) {
                (Class::Universal, 16) => settings.trusted = oids(item.data)?,
                (Class::ContextSpecific, 0) => settings.rejected = oids(item.data)?,
                _ => {} // alias, keyid, other: not about trust for a purpose
            }
            data = rest;
        }
        Ok(settings)
    }
}

/// A purpose OID in words.
pub(super) fn purpose_name(oid: &str) -> &str {
    match oid {
        OID_SERVER_AUTH => "TLS server authentication (serverAuth)",
        OID_CLIENT_AUTH => "TLS client authentication (clientAuth)",
        OID_ANY_EKU => "any purpose",
        "1.3.6.1.5.5.7.3.3" => "code signing",
        "1.3.6.1.5.5.7.3.4" => "e-mail protection",
        "1.3.6.1.5.5.7.3.8" => "time stamping",
        "1.3.6.1.5.5.7.3.9" => "OCSP signing",
        other => other,
    }
}
