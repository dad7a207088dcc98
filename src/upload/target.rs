//! Where a bundle goes: the target kinds and what identifies each (for the keychain, backups and the audit log).

use super::*;

/// Where the bundle goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Target {
    Genesys(GenesysTarget),
    Rest(RestTarget),
    #[serde(rename = "audiocodes")]
    AudioCodes(AudioCodesTarget),
    Files(FilesTarget),
}

impl Target {
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Genesys(_) => "genesys",
            Target::Rest(_) => "rest",
            Target::AudioCodes(_) => "audiocodes",
            Target::Files(_) => "files",
        }
    }

    /// Whether the run changes only trusted CA certificates (an SBC's trusted roots, a CA list).
    pub fn trust_only(&self) -> bool {
        match self {
            Target::AudioCodes(a) => a.job == audiocodes::Job::TrustStore,
            Target::Files(f) => f.job == audiocodes::Job::TrustStore,
            _ => false,
        }
    }

    /// Whether it takes the leaf's private key (a device that serves the certificate itself).
    pub fn takes_key(&self) -> bool {
        matches!(self, Target::AudioCodes(_) | Target::Files(_)) && !self.trust_only()
    }

    /// What the target is, for locks, secret bindings and "the same target" between runs: kind and
    /// place (a Genesys organisation's API and OAuth client and the certificate authority's name; a
    /// REST target's upload URL). Holds no secret.
    pub fn identity(&self) -> String {
        match self {
            Target::Genesys(g) => format!(
                "genesys {} {} {} {}",
                g.api_base, g.login_base, g.client_id, g.ca_name
            ),
            Target::Rest(r) => format!(
                "rest {} {}",
                r.method.to_ascii_uppercase(),
                r.upload_url().unwrap_or_else(|_| r.url.clone())
            ),
            Target::AudioCodes(a) => format!(
                "audiocodes {} context {} {}",
                a.origin(),
                a.context,
                match a.job {
                    audiocodes::Job::Certificate => "certificate",
                    audiocodes::Job::TrustStore => "trust-store",
                }
            ),
            Target::Files(f) => f.identity(),
        }
    }

    /// Where its secret goes, for the window's typed secret (a secret typed for one never goes to
    /// another): a Genesys organisation's login and OAuth client; a REST target's token URL (OAuth) or
    /// its API's origin, with the user or client. Holds no secret.
    pub fn secret_identity(&self) -> String {
        match self {
            Target::Genesys(g) => format!("genesys {} {}", g.login_base, g.client_id),
            Target::Rest(r) => {
                let origin = |url: &str| {
                    reqwest::Url::parse(url)
                        .map(|u| u.origin().ascii_serialization())
                        .unwrap_or_else(|_| url.to_string())
                };
                match &r.auth {
                    RestAuth::None => format!("rest {} none", origin(&r.url)),
                    RestAuth::Bearer => format!("rest {} bearer", origin(&r.url)),
                    RestAuth::Basic { username } => {
                        format!("rest {} basic {username}", origin(&r.url))
                    }
                    RestAuth::Oauth {
                        token_url,
                        client_id,
                    } => format!("rest {token_url} oauth {client_id}"),
                }
            }
            Target::AudioCodes(a) => format!("audiocodes {} basic {}", a.origin(), a.user),
            Target::Files(f) => f.identity(),
        }
    }

    /// The keychain account its secret is filed under (no secret in it).
    pub fn keychain_account(&self) -> String {
        match self {
            Target::Genesys(g) => format!("genesys:{}:{}", g.login_base, g.client_id),
            Target::Rest(r) => r.keychain_account(),
            Target::AudioCodes(a) => format!("audiocodes:{}:{}", a.origin(), a.user),
            Target::Files(f) => f.identity(),
        }
    }
}

/// A Genesys Cloud organisation and the certificate authority to create or update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenesysTarget {
    /// The region's domain (`euw2.pure.cloud`), if the bases come from a region.
    pub region: Option<String>,
    /// `https://api.{domain}` (or the sandbox, a proxy).
    pub api_base: String,
    /// `https://login.{domain}`.
    pub login_base: String,
    pub client_id: String,
    /// The certificate authority's name: updated if it exists, else created.
    pub ca_name: String,
    #[serde(default)]
    pub description: String,
    /// The trunk this is for: checked before (status, BYOC Cloud or Premises).
    #[serde(default)]
    pub trunk: Option<String>,
    /// More trunks checked the same way (`--trunk` repeated, a plan's `trunks = [..]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_trunks: Vec<String>,
}

impl GenesysTarget {
    /// Every trunk to check before the upload.
    pub fn trunks(&self) -> impl Iterator<Item = &String> {
        self.trunk.iter().chain(self.other_trunks.iter())
    }

    /// Sets the trunks to check (the first is `trunk`).
    pub fn set_trunks(&mut self, trunks: &[String]) {
        self.trunk = trunks.first().cloned();
        self.other_trunks = trunks.iter().skip(1).cloned().collect();
    }

    /// A target whose bases come from `region` (domain or AWS name), unless given.
    pub fn new(
        region: Option<&str>,
        api_base: Option<&str>,
        login_base: Option<&str>,
        client_id: &str,
        ca_name: &str,
    ) -> Result<Self, UploadError> {
        let region = match region {
            Some(r) => Some(genesys::region(r).ok_or_else(|| {
                UploadError::Usage(format!(
                    "--region {}: not a Genesys Cloud region; use one of: {}",
                    crate::engine::text::escape(r),
                    genesys::REGIONS
                        .iter()
                        .map(|r| r.domain)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?),
            None => None,
        };
        let base = |given: Option<&str>, prefix: &str, flag: &str| match (given, region) {
            (Some(url), _) => {
                secret::refuse_credentials_in_url(flag, url).map_err(UploadError::Usage)?;
                Ok(url.trim_end_matches('/').to_string())
            }
            (None, Some(r)) => Ok(format!("https://{prefix}.{}", r.domain)),
            (None, None) => Err(UploadError::Usage(format!(
                "give --region (e.g. euw2.pure.cloud) or {flag}"
            ))),
        };
        Ok(Self {
            region: region.map(|r| r.domain.to_string()),
            api_base: base(api_base, "api", "--api-base")?,
            login_base: base(login_base, "login", "--login-base")?,
            client_id: client_id.to_string(),
            ca_name: ca_name.to_string(),
            description: "Uploaded by Chainsmith".into(),
            trunk: None,
            other_trunks: Vec::new(),
        })
    }
}

pub(super) fn region_of(target: &Target) -> Option<String> {
    match target {
        Target::Genesys(g) => g.region.clone(),
        Target::Rest(_) | Target::AudioCodes(_) | Target::Files(_) => None,
    }
}

/// Where a run went: the Genesys API base, or the REST URL with its `{placeholders}` filled in.
pub(super) fn endpoint_of(target: &Target) -> String {
    match target {
        Target::Genesys(g) => g.api_base.clone(),
        Target::Rest(r) => r.upload_url().unwrap_or_else(|_| r.url.clone()),
        Target::AudioCodes(a) => a.endpoint(),
        Target::Files(f) => f.endpoint(),
    }
}

/// The first URL a run of `target` reaches (its token endpoint or API), for naming the proxy.
pub(super) fn first_url(target: &Target) -> Option<String> {
    match target {
        Target::Genesys(g) => Some(g.login_base.clone()),
        Target::Rest(r) => Some(match &r.auth {
            RestAuth::Oauth { token_url, .. } => token_url.clone(),
            _ => r.upload_url().unwrap_or_else(|_| r.url.clone()),
        }),
        Target::AudioCodes(a) => Some(a.url.clone()),
        Target::Files(_) => None,
    }
}
