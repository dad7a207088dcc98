//! "Check revocation": the CRLs the chain's certificates name, fetched on a worker (never on the UI
//! thread) when the toggle is on, then used by every check until the inputs are cleared.

use std::collections::HashSet;
use std::sync::Arc;

use super::*;
use crate::crldp::{self, CrlNote};
use crate::engine::revocation::Crl;

/// What one fetch brings back: the CRLs read and a note per URL.
type Fetched = (Vec<Arc<Crl>>, Vec<CrlNote>);

/// What was fetched, what is being fetched, and which URLs were already asked.
#[derive(Default)]
pub(super) struct RevocationFetch {
    pub crls: Vec<Arc<Crl>>,
    pub notes: Vec<CrlNote>,
    /// URLs asked (answered or not): never asked again while the toggle stays on.
    tried: HashSet<String>,
    task: Option<Task<Fetched>>,
}

impl RevocationFetch {
    pub fn is_busy(&self) -> bool {
        self.task.is_some()
    }

    pub fn label(&self) -> Option<String> {
        self.task.as_ref().map(|t| t.label.clone())
    }

    /// Forgets the URLs asked, so that turning the toggle on again retries the ones that failed.
    pub fn forget_tries(&mut self) {
        self.tried.clear();
    }

    /// Starts fetching when a certificate of `report`'s chain names a CRL distribution point not
    /// asked yet and its issuer has no CRL among `known` or the fetched ones.
    pub fn start_if_needed(&mut self, ctx: &egui::Context, report: &Report, known: &[Arc<Crl>]) {
        if self.task.is_some() {
            return;
        }
        let mut known = known.to_vec();
        known.extend(self.crls.iter().cloned());
        let wanted: Vec<String> = crldp::needing_crl(report, &known)
            .flat_map(crldp::fetchable)
            .filter(|u| !self.tried.contains(*u))
            .cloned()
            .collect();
        if wanted.is_empty() {
            return;
        }
        self.tried.extend(wanted);
        let report = report.clone();
        self.task = Some(Task::spawn("Fetching CRLs", ctx, move || {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            crldp::fetch_for(&report, &known, &crldp::CrlFetchOptions::new(now))
        }));
    }

    /// The finished fetch, if any: what to say in the toast.
    pub fn poll(&mut self) -> Option<String> {
        let (crls, notes) = self.task.as_ref()?.try_result()?;
        self.task = None;
        let problems: Vec<String> = notes
            .iter()
            .filter_map(|n| n.problem.as_ref().map(|p| format!("{}: {p}", n.named_by)))
            .collect();
        let fetched = notes.iter().filter(|n| n.problem.is_none()).count();
        self.crls.extend(crls);
        self.notes.extend(notes);
        Some(if problems.is_empty() {
            format!("Fetched {fetched} CRL(s)")
        } else {
            format!("Fetched {fetched} CRL(s); {}", problems.join("; "))
        })
    }
}

/// The revocation line of a certificate's card.
pub(super) fn ui_revocation_line(ui: &mut egui::Ui, revocation: &engine::revocation::Revocation) {
    use engine::revocation::Revocation;
    let visuals = ui.visuals();
    let (icon, color) = match revocation {
        Revocation::Good { .. } => ("✔", Color32::from_rgb(0x2f, 0x9e, 0x44)),
        Revocation::Revoked { .. } => ("✖", visuals.error_fg_color),
        Revocation::Unknown { .. } => ("⚠", visuals.warn_fg_color),
        Revocation::NoCrl | Revocation::NotChecked => ("·", visuals.weak_text_color()),
    };
    ui.add(
        egui::Label::new(
            RichText::new(format!(
                "{icon} Revocation: {}",
                drawable(&revocation.words())
            ))
            .color(color),
        )
        .wrap(),
    );
}
