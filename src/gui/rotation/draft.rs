//! The plan in the Rotation window as a draft: opened, checked as it is typed, made from the loaded chain, saved.

use super::*;

impl RotationPanel {
    /// Reads a plan file (on a worker), then puts it into the form and checks it.
    pub fn open_plan(&mut self, path: &Path) {
        // Definitions are read again for another plan (they may have changed on disk meanwhile).
        self.definitions.clear();
        let path = path.to_path_buf();
        self.plan_task = Some(Task::spawn("Reading the plan", &self.ctx, move || {
            let text = crate::files::read_small_text(&path).map_err(|e| e.to_string());
            (path, text)
        }));
    }

    /// Puts a plan file's text into the form and checks it.
    pub(super) fn opened_plan(&mut self, path: &Path, text: Result<String, String>) {
        match text {
            Ok(text) => match plan::draft(&text) {
                Ok(draft) => {
                    self.draft = draft;
                    self.plan_path = Some(path.to_path_buf());
                    self.last_run = None;
                    self.check_draft_text(&text);
                }
                Err(e) => {
                    self.plan_error = Some(format!("{}: {e}", crate::engine::text::path(path)));
                }
            },
            Err(e) => self.plan_error = Some(format!("{}: {e}", path.display())),
        }
    }

    /// The form's plan as TOML (what Save plan… writes).
    pub fn plan_text(&self) -> String {
        plan::to_toml(&self.draft)
    }

    /// Remembers where the plan was saved (its folder now anchors relative paths), writes a new
    /// plan's REST definition beside it (never over an existing file), and re-checks it.
    pub fn saved_as(&mut self, path: &Path) {
        self.plan_path = Some(path.to_path_buf());
        // A definition that could not be read is tried again (the admin may have just created it).
        self.definitions.retain(|_, read| read.is_ok());
        if let Some((name, target)) = self.rest_definition.take() {
            let file = path.parent().unwrap_or(Path::new(".")).join(&name);
            if !file.exists() {
                match crate::files::write_output(&file, target.to_json().as_bytes(), &[]) {
                    Ok(()) => {
                        self.definitions.insert(file.clone(), Ok(target.to_json()));
                    }
                    Err(e) => self.message = Some(format!("{}: not written: {e}", file.display())),
                }
            }
        }
        self.check_draft();
    }

    pub(super) fn check_draft(&mut self) {
        let text = self.plan_text();
        self.check_draft_text(&text);
    }

    /// Checks the plan as the command line would (relative paths from the plan's folder).
    pub(super) fn check_draft_text(&mut self, text: &str) {
        let path = self
            .plan_path
            .clone()
            .unwrap_or_else(|| PathBuf::from("unsaved plan.toml"));
        // Definitions come from the cache; one not read yet is read on a worker, then the plan is
        // checked again (meanwhile the plan says so, without an error).
        let missing = std::cell::RefCell::new(Vec::new());
        let read = |file: &Path| -> Result<String, String> {
            match self.definitions.get(file) {
                Some(known) => known.clone(),
                None => {
                    missing.borrow_mut().push(file.to_path_buf());
                    Err(READING.into())
                }
            }
        };
        let parsed = plan::parse_with(&path, text, &read);
        let missing = missing.into_inner();
        if !missing.is_empty() {
            if self.definitions_task.is_none() {
                self.definitions_task = Some(Task::spawn(
                    "Reading the REST definitions",
                    &self.ctx,
                    move || {
                        missing
                            .into_iter()
                            .map(|file| {
                                let text =
                                    crate::files::read_small_text(&file).map_err(|e| e.to_string());
                                (file, text)
                            })
                            .collect()
                    },
                ));
            }
            self.rotation = None;
            self.plan_error = Some(READING.into());
            return;
        }
        match parsed {
            Ok(rotation) => {
                let keep = self.rows.len() == rotation.targets.len()
                    && self
                        .rows
                        .iter()
                        .zip(&rotation.targets)
                        .all(|(r, t)| r.name == t.name);
                if !keep {
                    self.rows = rotation
                        .targets
                        .iter()
                        .map(|t| Row {
                            name: t.name.clone(),
                            kind: t.target.kind().into(),
                            ..Row::default()
                        })
                        .collect();
                }
                self.secrets.resize(rotation.targets.len(), String::new());
                self.rotation = Some(rotation);
                self.plan_error = None;
            }
            Err(e) => {
                self.rotation = None;
                self.plan_error = Some(form_error(&e));
            }
        }
    }

    /// A new plan: the loaded chain's files as the bundle, and a target for each target the Upload
    /// window holds (a Genesys organisation with a client id, a REST URL).
    pub fn new_plan(&mut self, seed: &Seed) {
        self.definitions.clear();
        let mut draft = Draft::default();
        draft.bundle.inputs = seed.inputs.clone();
        draft.bundle.host = Some(seed.host.clone()).filter(|h| !h.trim().is_empty());
        let u = seed.upload;
        if !u.client_id.trim().is_empty() {
            draft.targets.push(TargetSection {
                name: format!("Genesys {}", u.region),
                kind: Kind::Genesys,
                region: Some(u.region.clone()),
                client_id: Some(u.client_id.trim().into()),
                ca_name: Some(u.ca_name.trim().into()).filter(|n: &String| !n.is_empty()),
                ca_file: Some(u.ca_file.trim().into()).filter(|n: &String| !n.is_empty()),
                ..TargetSection::default()
            });
        }
        self.rest_definition = None;
        if u.rest.check().is_ok() {
            draft.targets.push(TargetSection {
                name: "REST target".into(),
                kind: Kind::Rest,
                definition: Some("rest-target.json".into()),
                ca_file: Some(u.ca_file.trim().into()).filter(|n: &String| !n.is_empty()),
                ..TargetSection::default()
            });
            self.rest_definition = Some(("rest-target.json".into(), u.rest.clone()));
            // Known before it is written beside the plan: the new plan checks out at once.
            self.definitions
                .insert(PathBuf::from("rest-target.json"), Ok(u.rest.to_json()));
        }
        self.draft = draft;
        self.plan_path = None;
        self.last_run = None;
        self.editing = true;
        self.message = Some(
            "A new plan from the loaded chain: check each target, then Save plan… (the REST target's definition is saved beside it)."
                .into(),
        );
        self.check_draft();
    }
}
