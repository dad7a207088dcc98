//! The plan file as TOML has it: its sections and keys (unknown keys refused), and the draft the
//! Rotation window edits and writes back.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PlanFile {
    pub(super) bundle: Spanned<BundleSection>,
    #[serde(default, rename = "target")]
    pub(super) targets: Vec<Spanned<TargetSection>>,
    #[serde(default)]
    pub(super) verify: Vec<Spanned<VerifySection>>,
}

/// `[bundle]` as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BundleSection {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roots: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public_roots: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_warning_days: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_root: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A target's kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Genesys,
    Rest,
    #[serde(rename = "audiocodes")]
    AudioCodes,
    Files,
}

/// A `[[target]]` as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSection {
    pub name: String,
    pub kind: Kind,
    // Genesys Cloud (every `upload --target genesys` option by its long name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trunk: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trunks: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_base: Option<String>,
    // REST: a saved definition (`upload --save-target`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    // AudioCodes (`upload --target audiocodes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<crate::upload::audiocodes::Job>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_roots: Option<crate::upload::audiocodes::TrustedRoots>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_rollback: Option<crate::upload::audiocodes::KeyRollback>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leaf_only: bool,
    /// A trust-store job's CA certificate files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust: Vec<String>,
    // Files (`upload --target files`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_list: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reload_expect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_hosts: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    // Any target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
    // Both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pin_sha256: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<String>,
}

/// A `[[verify]]` as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySection {
    pub endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// A plan as written in the file, for the window's form: edited, then saved with [`to_toml`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub bundle: BundleSection,
    #[serde(default, rename = "target")]
    pub targets: Vec<TargetSection>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verify: Vec<VerifySection>,
}

/// The draft as a plan file (TOML), as [`parse`] reads it back.
pub fn to_toml(draft: &Draft) -> String {
    // The sections are plain data (strings, numbers, booleans, lists): serializing cannot fail.
    toml::to_string(draft).unwrap_or_default()
}

/// A plan file's text as a draft, for editing (checked with [`parse`] before use).
pub fn draft(text: &str) -> Result<Draft, String> {
    toml::from_str(text).map_err(|e| e.message().to_string())
}
