//! What each target holds now (`--status`): its certificates and whether they are the bundle.

use super::*;

/// One certificate a target holds, for `--status` and the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub subject: String,
    /// The name people know it by (its Common Name, else the subject), escaped. Absent from run files
    /// written before it existed.
    #[serde(default)]
    pub name: String,
    pub sha256: String,
    pub not_after: String,
}

impl Held {
    /// `cert` as a holding: escaped subject and name, SHA-256, expiry.
    pub fn of(cert: &engine::Certificate) -> Self {
        Self {
            // The engine's names are escaped already (`engine::text`).
            subject: cert.subject.clone(),
            name: cert.display_name(),
            sha256: cert.sha256.hex(),
            not_after: engine::report::rfc3339(cert.not_after),
        }
    }

    /// The name to show: the Common Name, else (an older run file) the subject.
    pub fn shown_name(&self) -> &str {
        if self.name.is_empty() {
            &self.subject
        } else {
            &self.name
        }
    }
}

/// What a target holds now (`--status`, `--dry-run`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetStatus {
    pub name: String,
    pub kind: String,
    pub certificates: Vec<Held>,
    /// It already holds exactly what a run would send it.
    pub holds_bundle: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `--dry-run`: every request a run would send (credentials redacted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub would_send: Vec<String>,
}

/// The certificates in `pem`, described.
pub fn held(pem: Option<&str>) -> Vec<Held> {
    let Some(pem) = pem else { return Vec::new() };
    engine::load("held", pem.as_bytes())
        .certificates
        .iter()
        .map(|c| Held::of(c))
        .collect()
}

/// Reads what `plan`'s target holds and compares it with what it would be sent. Sends no change.
pub fn status_of(name: &str, plan: &Plan, secrets: &Secrets, dry_run: bool) -> TargetStatus {
    let would_send = if dry_run {
        upload::dry_run(plan).unwrap_or_else(|e| vec![e.to_string()])
    } else {
        Vec::new()
    };
    match upload::holdings(plan, secrets, Arc::new(AtomicBool::new(false))) {
        Ok(Holdings {
            pem, fingerprints, ..
        }) => TargetStatus {
            name: name.to_string(),
            kind: plan.target.kind().to_string(),
            certificates: held(pem.as_deref()),
            holds_bundle: fingerprints == plan.payload.fingerprints,
            error: None,
            would_send,
        },
        Err(e) => TargetStatus {
            name: name.to_string(),
            kind: plan.target.kind().to_string(),
            certificates: Vec::new(),
            holds_bundle: false,
            error: Some(e.to_string()),
            would_send,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::Held;

    /// The window names a certificate by its Common Name, and by its subject when an older run
    /// file recorded none.
    #[test]
    fn a_held_certificate_is_named_by_its_common_name_else_its_subject() {
        let mut held = Held {
            subject: "CN=Carrier A Root, O=Carrier A".into(),
            name: "Carrier A Root".into(),
            sha256: "ab".repeat(32),
            not_after: "2036-01-01T00:00:00Z".into(),
        };
        assert_eq!(held.shown_name(), "Carrier A Root");
        held.name.clear();
        assert_eq!(held.shown_name(), "CN=Carrier A Root, O=Carrier A");
    }
}
