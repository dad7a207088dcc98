//! Findings: what is wrong (or worth knowing) about the certificates, with stable codes.
//!
//! Codes are part of the interface: the README documents each one, scripts match on them, and a code is
//! never renamed. New codes may be added.

use serde::Serialize;

use super::cert::Fingerprint;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// The lowercase word used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $sev:ident, $fix:literal; )*) => {
        /// A stable finding code. `as_str` gives the code users match on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable string form, e.g. `chain.incomplete`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// The severity the code has by default (before `--strict`).
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// One line on how to fix it.
            pub fn fix(self) -> &'static str {
                match self { $( Code::$variant => $fix, )* }
            }
        }
    };
}

codes! {
    /// A file or PEM block could not be decoded.
    InputMalformed = "input.malformed", Error,
        "Re-export the file from its source (PEM or DER); check it was not truncated or edited.";
    /// A file the user named held no certificate.
    InputNoCertificate = "input.no-certificate", Error,
        "Drop the certificate files themselves, not a CSR, a key or an empty file.";
    /// A private key was among the inputs; it is never exported.
    InputPrivateKey = "input.private-key", Warning,
        "Keep private keys out of what you share; Chainsmith ignored it and never writes it out.";
    /// A file in a folder that holds no certificate (a CSR, a serial or extensions file); left out.
    InputIgnored = "input.ignored", Info,
        "Nothing to do: files in a folder that hold no certificate (CSRs, openssl serial and extensions files, notes) are left out.";
    /// A symbolic link in a folder that was not followed (a loop, dangling, or not to a regular file).
    InputSkippedLink = "input.skipped-link", Warning,
        "Check the link: point it at the certificate file itself, or name the file directly.";
    /// A file could not be read (permissions, I/O error).
    InputUnreadable = "input.unreadable", Error,
        "Check the file's permissions, or copy it somewhere readable.";
    /// A file was too large to be a certificate file.
    InputTooLarge = "input.too-large", Error,
        "Certificate files are kilobytes; pick the right file (files over 10 MiB are refused).";
    /// No path from the leaf reaches a trust anchor.
    ChainIncomplete = "chain.incomplete", Error,
        "Add the missing issuer certificate (from your CA, or its AIA caIssuers URL); for a public root add --public-roots.";
    /// The path ends at a root the profile does not trust.
    ChainUntrustedRoot = "chain.untrusted-root", Error,
        "Use a chain that ends at a root the far end trusts, or pass that root with --roots.";
    /// A lone self-signed end-entity certificate.
    ChainSelfSignedLeaf = "chain.self-signed-leaf", Error,
        "Get the certificate issued by a CA the far end trusts, or install it as a trusted root there.";
    /// A certificate's named issuer is present but its signature does not verify.
    ChainBadSignature = "chain.bad-signature", Error,
        "The issuer with that name is not the one that signed it (a re-keyed or decoy CA): get the right issuer from the CA.";
    /// A certificate's signature cannot be verified with its issuer's key; it is not linked.
    ChainUnverifiableSignature = "chain.unverifiable-signature", Error,
        "Get the certificate reissued with a signature algorithm verifiers support (RSA PKCS#1 or PSS with SHA-256+, ECDSA, Ed25519) by an issuer with a usable key.";
    /// Several leaves and nothing to choose between them.
    ChainAmbiguousLeaf = "chain.ambiguous-leaf", Error,
        "Pin the leaf with --leaf FILE, or give --host so the leaf valid for it is chosen.";
    /// An earlier certificate for the same host or names, beside the newest one (a renewal folder).
    ChainPreviousLeaf = "chain.previous-leaf", Info,
        "Nothing to do if you are deploying the newest certificate; to use this one instead, pin it with --leaf FILE.";
    /// The input holds only CA certificates where a leaf is needed.
    ChainNoLeaf = "chain.no-leaf", Error,
        "Add the server (leaf) certificate; the input holds only CA certificates.";
    /// The profile needs the root in the bundle and it is not there.
    ChainRootMissing = "chain.root-missing", Error,
        "Add the root CA certificate to the input (this upload needs the whole CA chain, root included).";
    /// A certificate on no chosen path; left out.
    ChainUnrelated = "chain.unrelated", Warning,
        "Nothing to do if it is not needed; otherwise check you dropped the right files.";
    /// Path search hit its work budget.
    ChainSearchBudget = "chain.search-budget", Warning,
        "Remove unrelated certificates from the input (or pin the leaf) so the search can finish.";
    /// A missing issuer was fetched from the AIA caIssuers URL and verified.
    AiaFetched = "aia.fetched", Info,
        "Nothing to do: the fetched intermediate is in the chain (and the bundle); keep it with the leaf.";
    /// Fetching from the AIA caIssuers URL failed or gave nothing usable.
    AiaFetchFailed = "aia.fetch-failed", Warning,
        "Get the intermediate from your CA's website or support, and add the file.";
    /// The same certificate twice; kept once.
    ChainDuplicate = "chain.duplicate", Info,
        "Nothing to do: the copy is ignored.";
    /// The input was reordered.
    ChainOrder = "chain.order", Info,
        "Nothing to do: the bundle is written in the right order (leaf first).";
    /// Another valid path exists.
    ChainAlternatePath = "chain.alternate-path", Info,
        "Nothing to do unless the far end needs the other path (e.g. an older trust store).";
    /// The root was left out; the far end has it (public root).
    ChainRootOmitted = "chain.root-omitted", Info,
        "Nothing to do: clients carry public roots themselves.";
    /// Expired at the validation time.
    CertExpired = "cert.expired", Error,
        "Renew the certificate and replace it.";
    /// Not yet valid at the validation time.
    CertNotYetValid = "cert.not-yet-valid", Error,
        "Wait until its notBefore, or check the clock / the --at time.";
    /// Expires within the warning window.
    CertExpiringSoon = "cert.expiring-soon", Warning,
        "Plan the renewal before the date shown.";
    /// The outer signatureAlgorithm differs from the TBS signature field (RFC 5280 §4.1.1.2).
    CertSignatureAlgorithmMismatch = "cert.signature-algorithm-mismatch", Error,
        "Get the certificate reissued by its CA: as it is, openssl and webpki refuse it.";
    /// An issuer lacks basicConstraints CA:TRUE.
    CaNotCa = "ca.not-ca", Error,
        "The issuing certificate is not a CA certificate: get the real intermediate from the CA.";
    /// pathLenConstraint exceeded.
    CaPathLength = "ca.path-length", Error,
        "The chain has more intermediates than a CA allows: use the CA's intended, shorter path.";
    /// An issuer's keyUsage lacks keyCertSign.
    CaKeyUsage = "ca.key-usage", Error,
        "The issuer's key is not allowed to sign certificates: get the right intermediate from the CA.";
    /// The leaf is a CA certificate.
    LeafIsCa = "leaf.is-ca", Warning,
        "Use a server (end-entity) certificate as the leaf, not a CA certificate.";
    /// EKU present without serverAuth.
    LeafEkuServerAuthMissing = "leaf.eku-server-auth-missing", Error,
        "Request a certificate with Extended Key Usage serverAuth (TLS Web Server Authentication).";
    /// sip-mutual-tls: EKU lacks clientAuth.
    LeafEkuClientAuthMissing = "leaf.eku-client-auth-missing", Warning,
        "For mutual TLS the far end also checks clientAuth: use a private CA or a CA still issuing clientAuth, or have the far end accept serverAuth.";
    /// keyUsage present but unfit for TLS.
    LeafKeyUsage = "leaf.key-usage", Warning,
        "Request a certificate whose keyUsage includes digitalSignature (and keyEncipherment for RSA).";
    /// The host matches no SAN.
    NameMismatch = "name.mismatch", Error,
        "Use a certificate issued for this host name (or check the --host spelling).";
    /// The leaf has no subjectAltName.
    NameNoSan = "name.no-san", Error,
        "Reissue with the host names in subjectAltName; clients no longer read the Common Name.";
    /// A host name constraint from a CA was violated.
    NameConstraintViolation = "name.constraint-violation", Error,
        "A CA above forbids this name: the leaf must be issued under a CA allowed to issue it.";
    /// SHA-1 signature.
    AlgoSha1 = "algo.sha1", Error,
        "Reissue the certificate with a SHA-256 (or stronger) signature.";
    /// MD5 signature.
    AlgoMd5 = "algo.md5", Error,
        "Reissue the certificate with a SHA-256 (or stronger) signature.";
    /// RSA key < 2048 bits.
    KeyRsaWeak = "key.rsa-weak", Error,
        "Reissue with an RSA key of at least 2048 bits (or ECDSA P-256).";
    /// A public key no signature can be made or checked with.
    KeyInvalid = "key.invalid", Error,
        "The certificate's key is malformed: have the CA reissue it with a freshly generated RSA or ECDSA P-256/P-384 key.";
    /// RSA key above 8,192 bits.
    KeyRsaTooLarge = "key.rsa-too-large", Warning,
        "Most TLS stacks refuse RSA keys above 8,192 bits: reissue with a 2048-4096-bit RSA or an ECDSA key.";
    /// A private key among the inputs is the leaf's.
    KeyMatchesLeaf = "key.matches-leaf", Info,
        "Nothing to do: this is the leaf's key; keep it on the server, it is never put into a bundle or upload.";
    /// A private key among the inputs belongs to no certificate loaded, the leaf included.
    KeyDoesNotMatchLeaf = "key.does-not-match-leaf", Warning,
        "This key does not belong to the leaf: find the key made with the leaf's CSR (or get the certificate reissued for this key); a server with a mismatched pair fails every TLS handshake.";
    /// genesys-byoc-cloud with a non-RSA leaf key.
    ProfileKeyType = "profile.key-type", Error,
        "The far end negotiates RSA-authenticated cipher suites only (Genesys Cloud BYOC Cloud, Microsoft Teams Direct Routing): reissue the leaf with an RSA key.";
    /// rustls-webpki rejected the path.
    TrustRejected = "trust.rejected", Error,
        "A mainstream verifier refuses this chain for the reason given: fix that before deploying.";
    /// A CRL of its issuer lists the certificate.
    RevocationRevoked = "revocation.revoked", Error,
        "The CA has revoked this certificate: far ends that check revocation refuse it. Deploy a new certificate (and find out why it was revoked).";
    /// A CRL that names the certificate's issuer cannot be used.
    RevocationCrlInvalid = "revocation.crl-invalid", Warning,
        "This CRL cannot decide revocation (its signature, cRLNumber, scope, or its issuer's right to sign CRLs is wrong): get the CRL from the issuer's CRL distribution point.";
    /// The CRL used is past its nextUpdate.
    RevocationCrlExpired = "revocation.crl-expired", Warning,
        "The CRL is stale, so a recent revocation would be missed: download a current one from the CRL distribution point and give it with --crl.";
    /// A certificate names CRL distribution points and no usable CRL was given.
    RevocationUnknown = "revocation.unknown", Warning,
        "Revocation was not checked for this certificate: download its CRL from the URL named and give it with --crl.";
    /// A CRL was fetched from a certificate's CRL distribution point (`--fetch-crl`).
    RevocationCrlFetched = "revocation.crl-fetched", Info,
        "Nothing to do: the CRL is used if its issuer's signature on it verifies (see each certificate's revocation line).";
    /// Fetching a CRL distribution point failed or gave no CRL.
    RevocationCrlFetchFailed = "revocation.crl-fetch-failed", Warning,
        "Revocation of that certificate was not checked: download its CRL another way (a browser, the CA's site) and give it with --crl, or check the network path to the CA.";
    /// sip-mutual-tls: rustls-webpki rejects the chain as a TLS client certificate's.
    TrustClientRejected = "trust.client-rejected", Error,
        "The far end verifies this certificate as a client's when this side connects (SIP mutual TLS), and a mainstream verifier refuses it: usually the leaf or a CA above it lacks clientAuth. Use a certificate whose chain allows clientAuth (a private CA, or a CA still issuing it), or have the far end not require it.";
    /// teams-direct-routing: the SBC's trust store (`--sbc-trust`) lacks roots that Microsoft's SIP
    /// proxies chain to.
    TeamsSbcTrustMissing = "teams.sbc-trust-missing", Error,
        "Add the missing roots to the SBC's trusted root store (chainsmith teams-roots --output FILE writes all seven): with mutual TLS on, the SBC refuses a Microsoft SIP proxy whose chain ends at a root it lacks.";
    /// teams-direct-routing: the host is only in the leaf's Common Name.
    TeamsCnOnly = "teams.cn-only", Info,
        "Nothing to do for Teams, which accepts the FQDN in the Common Name; other TLS clients look only at the subjectAltName, so ask for it there at the next renewal.";
    /// A root's own trust settings (OpenSSL's `TRUSTED CERTIFICATE` form) refuse TLS servers.
    TrustAnchorRefused = "trust.anchor-refused", Error,
        "Its trust settings say this root must not vouch for TLS servers (rejected, or trusted for other purposes only), so it is not used as a trust anchor, as OpenSSL does: use a root trusted for serverAuth, or the root in plain CERTIFICATE form if you mean to trust it.";
    /// Only rustls-webpki's own policy (not RFC 5280) refuses the path.
    TrustRustlsPolicy = "trust.rustls-policy", Error,
        "RFC 5280 validation accepts this chain but far ends built on rustls refuse it: reissue to the usual shape if such a far end must accept it.";
    /// A live endpoint serves its chain in the wrong order.
    ServedOrder = "served.order", Error,
        "Put the leaf first in the server's certificate file, then each issuer in turn (or use `chainsmith build`).";
    /// A live endpoint does not send every intermediate.
    ServedIncomplete = "served.incomplete", Error,
        "Configure the server with the full chain (leaf + intermediates), not the leaf alone.";
    /// A live endpoint sends certificates that are not part of its chain.
    ServedExtra = "served.extra", Warning,
        "Remove the stray certificates from the server's certificate file.";
    /// A live endpoint serves another leaf than the bundle's.
    ServedStaleLeaf = "served.stale-leaf", Error,
        "Deploy the new certificate and reload the service; then probe again.";
    /// A live endpoint's intermediates differ from the bundle's.
    ServedIntermediatesDiffer = "served.intermediates-differ", Warning,
        "Deploy the bundle's intermediates with the leaf.";
    /// A live endpoint serves what the bundle holds.
    ServedMatchesBundle = "served.matches-bundle", Info,
        "Nothing to do.";
    /// An unknown critical extension (mainstream verifiers reject these, so an error in both modes).
    Rfc5280UnknownCriticalExtension = "rfc5280.unknown-critical-extension", Error,
        "Reissue without the critical extension; verifiers must reject what they do not understand.";
    /// nameConstraints in an end-entity certificate (RFC 5280 §4.2.1.10: CA certificates only).
    Rfc5280NameConstraintsEndEntity = "rfc5280.name-constraints-end-entity", Error,
        "Reissue the end-entity certificate without nameConstraints (only CA certificates may carry it).";
    /// A malformed nameConstraints extension.
    Rfc5280NameConstraintsMalformed = "rfc5280.name-constraints-malformed", Error,
        "Reissue the CA certificate with well-formed name constraints (dNSName without a leading period, at least one subtree).";
    /// nameConstraints not marked critical.
    Rfc5280NameConstraintsNotCritical = "rfc5280.name-constraints-not-critical", Warning,
        "Reissue the CA certificate with nameConstraints marked critical, so that every verifier applies them.";
    /// authorityKeyIdentifier marked critical.
    Rfc5280AkiCritical = "rfc5280.aki-critical", Warning,
        "Reissue with the authorityKeyIdentifier not marked critical.";
    /// subjectAltName criticality does not follow the subject (critical iff the subject is empty).
    Rfc5280SanCriticality = "rfc5280.san-criticality", Warning,
        "Reissue with subjectAltName critical when the subject is empty, and not critical otherwise.";
    /// keyCertSign asserted in a certificate that is not a CA.
    Rfc5280EeKeyCertSign = "rfc5280.ee-key-cert-sign", Warning,
        "Reissue without keyCertSign in keyUsage: only CA certificates may sign certificates.";
    /// A malformed authorityInfoAccess extension.
    Rfc5280AiaMalformed = "rfc5280.aia-malformed", Warning,
        "Reissue with a well-formed authorityInfoAccess; clients that fetch missing issuers cannot read it.";
    /// authorityKeyIdentifier missing on a non-root certificate.
    Rfc5280AkiMissing = "rfc5280.aki-missing", Warning,
        "Reissue with an authorityKeyIdentifier (every CA tool adds it by default).";
    /// subjectKeyIdentifier missing on a CA.
    Rfc5280SkiMissing = "rfc5280.ski-missing", Warning,
        "Reissue the CA certificate with a subjectKeyIdentifier.";
    /// A certificate is not valid DER (a BER form, a DEFAULT value encoded, …), in the field named.
    Rfc5280DerEncoding = "rfc5280.der-encoding", Warning,
        "RFC 5280 certificates are DER; strict verifiers (rustls-webpki, pyca) refuse this one while lenient ones accept it: have the CA reissue it correctly encoded.";
    /// AKI of a certificate differs from its issuer's SKI.
    Rfc5280AkiSkiMismatch = "rfc5280.aki-ski-mismatch", Warning,
        "The issuer in the chain is not the key the certificate names: use the matching intermediate.";
    /// Serial number zero.
    Rfc5280SerialZero = "rfc5280.serial-zero", Warning,
        "Reissue: serial numbers must be positive.";
    /// Serial number negative.
    Rfc5280SerialNegative = "rfc5280.serial-negative", Warning,
        "Reissue: serial numbers must be positive.";
    /// Serial number longer than 20 octets.
    Rfc5280SerialTooLong = "rfc5280.serial-too-long", Warning,
        "Reissue: serial numbers are at most 20 octets.";
    /// A CA certificate with an empty subject.
    Rfc5280CaEmptySubject = "rfc5280.ca-empty-subject", Warning,
        "Reissue the CA certificate with a subject name.";
    /// basicConstraints not critical on a CA.
    Rfc5280BasicConstraintsNotCritical = "rfc5280.basic-constraints-not-critical", Warning,
        "Reissue the CA certificate with basicConstraints marked critical.";
    /// basicConstraints absent on a root.
    Rfc5280RootBasicConstraintsMissing = "rfc5280.root-basic-constraints-missing", Warning,
        "Replace the (v1-style) root with one that carries basicConstraints CA:TRUE.";
    /// An end-entity certificate without EKU.
    CabfLeafEkuMissing = "cabf.leaf-eku-missing", Warning,
        "Reissue the leaf with Extended Key Usage serverAuth.";
    /// An end-entity certificate with anyExtendedKeyUsage.
    CabfLeafAnyEku = "cabf.leaf-any-eku", Warning,
        "Reissue the leaf with specific EKUs (serverAuth) instead of anyExtendedKeyUsage.";
    /// An end-entity certificate with a critical EKU.
    CabfLeafEkuCritical = "cabf.leaf-eku-critical", Warning,
        "Reissue the leaf with Extended Key Usage not marked critical.";
    /// EKU on a root.
    CabfRootEku = "cabf.root-eku", Warning,
        "Root certificates should not carry Extended Key Usage; some verifiers then restrict the whole chain.";
    /// DSA key.
    CabfKeyDsa = "cabf.key-dsa", Warning,
        "Reissue with an RSA or ECDSA key; DSA is not allowed for TLS certificates any more.";
    /// P-192 key.
    CabfKeyP192 = "cabf.key-p192", Warning,
        "Reissue with ECDSA P-256 or P-384.";
    /// RSA modulus not a multiple of 8 bits.
    CabfRsaModulus = "cabf.rsa-modulus", Warning,
        "Reissue with a standard RSA key size (2048, 3072, 4096 bits).";
    /// The Common Name is not one of the SANs, in the same form.
    CabfCnNotInSan = "cabf.cn-not-in-san", Warning,
        "Reissue with a Common Name copied from a subjectAltName (IP in canonical form, DNS in A-label form), or without a Common Name.";
    /// A root's authorityKeyIdentifier carries more than a keyIdentifier.
    CabfRootAkiIssuerSerial = "cabf.root-aki-issuer-serial", Warning,
        "Root certificates' authorityKeyIdentifier may carry only a keyIdentifier (no issuer name or serial).";
    /// A public-CA leaf valid for longer than the Baseline Requirements allowed when it was issued.
    CabfValidityTooLong = "cabf.validity-too-long", Warning,
        "Ask the CA for a certificate within the limit (200 days from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15); browsers and many TLS clients refuse longer ones.";
    /// A precertificate (CT poison extension) in the chain.
    CertPrecertificate = "cert.precertificate", Error,
        "This is the precertificate the CA logged to Certificate Transparency, not the certificate it issued: download the final certificate (the CA's portal, or crt.sh lists both) and use that.";
    /// A publicly-trusted certificate with an Ed25519/Ed448/P-224/unknown-curve key or an EdDSA signature.
    CabfKeyAlgorithm = "cabf.key-algorithm", Warning,
        "Public CAs issue RSA or ECDSA P-256/P-384/P-521 certificates signed with SHA-2 only: browsers and most TLS clients refuse others. Get one of those.";
    /// A subscriber certificate with an organizationalUnitName.
    CabfSubjectOu = "cabf.subject-ou", Warning,
        "Public CAs stopped putting organizational units in TLS certificates on 2022-09-01: a certificate issued since with one breaks the rules; ask the CA to reissue it.";
    /// A subject attribute badly encoded, too long, repeated, or only metadata.
    CabfSubjectEncoding = "cabf.subject-encoding", Warning,
        "The CA encoded the subject against the Baseline Requirements (the message says how): ask it to reissue the certificate.";
    /// Subject attributes out of the Baseline Requirements' order.
    CabfSubjectOrder = "cabf.subject-order", Warning,
        "The CA ordered the subject attributes against the Baseline Requirements: ask it to reissue the certificate.";
    /// A subject that does not fit the validation type the certificate asserts.
    CabfSubjectValidationType = "cabf.subject-validation-type", Warning,
        "The subject does not fit the validation level the certificate claims (DV, OV, IV, EV): ask the CA to reissue it.";
    /// certificatePolicies missing or not as the profile requires.
    CabfPolicies = "cabf.policies", Warning,
        "The certificate's policies are not as the Baseline Requirements require (the message says how): ask the CA to reissue it.";
    /// An ECDSA subscriber certificate whose keyUsage has keyAgreement (NOT RECOMMENDED).
    CabfLeafKeyAgreement = "cabf.leaf-key-agreement", Warning,
        "Nothing to do now: TLS does not use keyAgreement with ECDSA certificates; ask the CA to leave it out at the next issuance.";
    /// authorityInformationAccess missing, critical, or not http:// URLs.
    CabfAia = "cabf.aia", Warning,
        "The certificate's authority information access is not as the Baseline Requirements require: ask the CA to reissue it; clients may not find the issuer or revocation status.";
    /// cRLDistributionPoints missing, critical, or not one http:// URL.
    CabfCrldp = "cabf.crldp", Warning,
        "The certificate's CRL distribution point is not as the Baseline Requirements require: ask the CA to reissue it; clients may not find its revocation status.";
    /// A publicly-trusted CA certificate's keyUsage is missing, not critical, or lacks keyCertSign/cRLSign.
    CabfCaKeyUsage = "cabf.ca-key-usage", Warning,
        "The CA certificate's keyUsage breaks the Baseline Requirements: the CA must reissue its intermediate; use another issuing CA meanwhile if clients refuse it.";
    /// A subscriber certificate's EKU has e-mail, code-signing, time-stamping or OCSP-signing.
    CabfLeafEkuOther = "cabf.leaf-eku-other", Warning,
        "A TLS server certificate may carry serverAuth (and clientAuth) only: ask the CA to reissue it without the other purposes.";
    /// A subscriber certificate's keyUsage has bits its key type may not have.
    CabfLeafKeyUsage = "cabf.leaf-key-usage", Warning,
        "Ask the CA to reissue the certificate with digitalSignature (and keyEncipherment for RSA) only.";
    /// A dNSName SAN with an underscore.
    CabfDnsUnderscore = "cabf.dns-underscore", Warning,
        "Reissue without underscores in DNS names: they are not valid host names and public CAs may not issue them.";
    /// A wildcard on a public suffix (`*.co.uk`).
    CabfWildcardPublicSuffix = "cabf.wildcard-public-suffix", Warning,
        "Reissue without the wildcard on a public suffix; clients ignore such names.";
}

impl Code {
    /// The fix in the window's own words: where the command line names a flag, the window names its
    /// field, menu or button. Every other code's fix is the same on both faces.
    /// A "SHOULD NOT" of the rule it enforces: a warning even with `--strict`.
    pub fn advisory(self) -> bool {
        matches!(self, Self::CabfLeafKeyAgreement)
    }

    pub fn window_fix(self) -> &'static str {
        match self {
            Self::RevocationCrlExpired => {
                "The CRL is stale, so a recent revocation would be missed: download a current one from the CRL distribution point and add it beside the certificates."
            }
            Self::RevocationUnknown => {
                "Revocation was not checked for this certificate: download its CRL from the URL named and add it beside the certificates."
            }
            Self::ChainIncomplete => {
                "Add the missing issuer certificate with \"Add issuer file…\" (from your CA), or click \"Fetch missing issuer\"; for a public root choose \"The Mozilla set\" under Trust."
            }
            Self::ChainUntrustedRoot => {
                "Use a chain that ends at a root the far end trusts, or choose \"A roots file\" under Trust and pick a file holding that root."
            }
            Self::CertExpired => {
                "Get the renewed certificate from your CA and drop it here (or Open files…): in a folder with both, the newest is taken as the leaf. Already renewed? Check the Validation time field."
            }
            Self::ChainPreviousLeaf => {
                "Nothing to do if you are deploying the newest certificate; to use this one instead, click \"Use this one instead\" beside it under Left out."
            }
            Self::ChainAmbiguousLeaf => {
                "Type the host name in the Host name field (the leaf valid for it is chosen), or click \"Use as leaf\" on the right certificate."
            }
            Self::CertNotYetValid => {
                "Wait until its notBefore, or check the computer's clock and the Validation time field."
            }
            Self::NameMismatch => {
                "Use a certificate issued for this host name, or check the spelling in the Host name field."
            }
            Self::ServedOrder => {
                "Put the leaf first in the server's certificate file, then each issuer in turn: save the bundle from this window and install it."
            }
            Self::RevocationCrlFetchFailed => {
                "Revocation of that certificate was not checked: download its CRL another way (a browser, the CA's site) and add it beside the certificates, or check the network path to the CA."
            }
            Self::TeamsSbcTrustMissing => {
                "Add the missing roots to the SBC's trusted root store (\"Save Microsoft's roots…\" beside the SBC trust store writes all seven): with mutual TLS on, the SBC refuses a Microsoft SIP proxy whose chain ends at a root it lacks."
            }
            other => other.fix(),
        }
    }
}

/// Where a fix is read: the command line names flags, the window names its fields and buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Cli,
    Window,
}

/// One thing to tell the user about the certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    /// The certificate it concerns, if any.
    pub sha256: Option<Fingerprint>,
    pub message: String,
}

impl Finding {
    /// A finding with the code's default severity.
    pub fn new(code: Code, sha256: Option<Fingerprint>, message: impl Into<String>) -> Self {
        Self {
            severity: code.default_severity(),
            code,
            sha256,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_documents_every_code_with_its_severity() {
        let readme = include_str!("../../README.md");
        for code in Code::ALL {
            let row = format!(
                "| `{}` | {} |",
                code.as_str(),
                code.default_severity().as_str()
            );
            assert!(
                readme.contains(&row),
                "README.md lacks the row for {}",
                code.as_str()
            );
        }
    }

    #[test]
    fn window_fixes_speak_of_the_window_not_the_command_line() {
        for code in Code::ALL {
            let fix = code.window_fix();
            assert!(!fix.is_empty());
            // egui's bundled fonts have no "→" (U+2192): the window would draw a box.
            assert!(!fix.contains('→'), "{}: {fix}", code.as_str());
            for cli in ["--", "`chainsmith", "chainsmith build", "chainsmith check"] {
                assert!(
                    !fix.contains(cli),
                    "{}: the window fix speaks CLI: {fix}",
                    code.as_str()
                );
            }
        }
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.contains('.'), "{s} has no family");
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'),
                "{s}"
            );
            assert!(!code.fix().is_empty());
        }
    }
}
