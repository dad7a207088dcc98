//! One run against one target as it goes: progress events, the journal before each change, the backup, the comparison after.

use super::*;

/// The state of one run, shared by the target steps.
pub struct Run<'a> {
    pub session: Session,
    pub ids: BTreeMap<String, String>,
    pub details: Vec<ServerView>,
    pub(super) notes: Vec<String>,
    pub(super) changed: bool,
    /// The target already held exactly the payload: nothing was written.
    pub(super) unchanged: bool,
    pub(super) backup: Option<PathBuf>,
    pub(super) verified: Option<String>,
    pub(super) plan: &'a Plan,
    pub(super) events: &'a mut dyn FnMut(Event),
    pub(super) journal: &'a mut Journal<'a>,
    pub(super) started_at: i64,
    /// The binding of the secret used, for the backup.
    pub(super) secret_binding: Option<String>,
}

impl<'a> Run<'a> {
    pub(super) fn new(
        conn: http::Connection,
        plan: &'a Plan,
        events: &'a mut dyn FnMut(Event),
        journal: &'a mut Journal<'a>,
        started_at: i64,
    ) -> Self {
        Self {
            session: Session::new(conn, String::new()),
            ids: BTreeMap::new(),
            details: Vec::new(),
            notes: Vec::new(),
            changed: false,
            unchanged: false,
            backup: None,
            verified: None,
            plan,
            events,
            journal,
            started_at,
            secret_binding: None,
        }
    }

    pub fn started(&mut self, phase: Phase) {
        (self.events)(Event::Started(phase));
    }

    pub fn done(&mut self, phase: Phase, text: String) {
        (self.events)(Event::Done(phase, text));
    }

    pub fn note(&mut self, text: String) {
        self.notes.push(text.clone());
        (self.events)(Event::Note(text));
    }

    /// Sends a request that changes the server. The run counts as "changed" when it was accepted, or
    /// when it was sent and no answer came (it may have been applied), not when no connection was
    /// made: that decides between exit codes 3 and 4.
    pub fn change(&mut self, request: &Request, accept: &[u16]) -> Result<Response, UploadError> {
        if self.backup.is_none() {
            // The rule of every change: its backup exists first.
            return Err(UploadError::Unexpected(
                "a change was about to be sent with no backup; nothing was sent".into(),
            ));
        }
        (self.journal)(&Step::Sending)?;
        crate::fault::point("after-intent");
        let answer = self.session.call(request, accept);
        crate::fault::point("after-write");
        match &answer {
            Ok(r) if r.is_success() => self.changed = true,
            Err(UploadError::Http(
                HttpError::Timeout { .. }
                | HttpError::Connect { sent: true, .. }
                | HttpError::Incomplete { sent: true, .. },
            )) => {
                self.changed = true;
            }
            _ => {}
        }
        answer
    }

    /// With [`Plan::unchanged_if_held`]: whether the server already holds exactly the payload (same
    /// certificates, same order), in which case the run ends here as `unchanged`.
    pub fn already_held(&mut self, current_pem: Option<&str>) -> bool {
        let wanted = &self.plan.payload.fingerprints;
        let held = current_pem.map(fingerprints).unwrap_or_default();
        if !self.plan.unchanged_if_held || self.plan.rollback_of.is_some() || *wanted != held {
            return false;
        }
        self.unchanged = true;
        self.done(
            Phase::Upload,
            format!(
                "it already holds exactly the {} certificate(s): nothing sent",
                wanted.len()
            ),
        );
        true
    }

    /// Whether the run changes only trusted roots: what the endpoint serves is not its business.
    pub(super) fn trust_only(&self) -> bool {
        self.plan.target.trust_only()
    }

    /// A change that is not an HTTP request (a file written) is about to be made: its backup must
    /// exist, and the journal records it first.
    pub fn before_change(&mut self) -> Result<(), UploadError> {
        if self.backup.is_none() {
            return Err(UploadError::Unexpected(
                "a change was about to be made with no backup; nothing was changed".into(),
            ));
        }
        (self.journal)(&Step::Sending)?;
        crate::fault::point("after-intent");
        Ok(())
    }

    /// A change other than an HTTP request was made.
    pub fn mark_changed(&mut self) {
        self.changed = true;
        crate::fault::point("after-write");
    }

    /// What was changed was put back, byte for byte, before the run ended: the target is as it was.
    pub fn restored(&mut self) {
        self.changed = false;
    }

    pub fn payload_count(&self) -> usize {
        self.plan.payload.fingerprints.len()
    }

    /// Writes the backup file. Must be called before the first change.
    pub fn back_up(
        &mut self,
        current: Value,
        current_pem: Option<&str>,
    ) -> Result<(), UploadError> {
        self.started(Phase::BackUp);
        crate::fault::point("before-backup");
        let backup = records::Backup {
            chainsmith_backup: 1,
            time: engine::report::rfc3339(self.started_at),
            target: self.plan.target.clone(),
            region: region_of(&self.plan.target),
            ids: self.ids.clone(),
            certificate: current_pem.map(String::from),
            fingerprints: current_pem.map(fingerprints).unwrap_or_default(),
            current,
            secret_binding: self.secret_binding.clone(),
            verify: self.plan.verify.clone(),
        };
        let path = records::write_backup(&self.plan.data_dir, &backup, self.started_at)?;
        (self.journal)(&Step::BackedUp(path.clone()))?;
        crate::fault::point("after-backup");
        self.done(
            Phase::BackUp,
            format!("saved {}", crate::engine::text::path(&path)),
        );
        self.backup = Some(path);
        Ok(())
    }

    /// Compares what the server holds with what was sent.
    pub fn compare(&mut self, wanted: Option<&str>, now: Option<&str>) -> Result<(), UploadError> {
        let want = wanted.map(fingerprints).unwrap_or_default();
        let have = now.map(fingerprints).unwrap_or_default();
        if want == have {
            return Ok(());
        }
        let short = |v: &[String]| {
            v.iter()
                .map(|f| f.get(..16).unwrap_or(f).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Err(UploadError::Differs(format!(
            "sent {} certificate(s) [{}], the server holds {} [{}]",
            want.len(),
            short(&want),
            have.len(),
            short(&have)
        )))
    }

    pub fn verified(&mut self, text: String) {
        self.done(Phase::Verify, text.clone());
        self.verified = Some(text);
    }
}
