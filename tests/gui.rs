//! The real app driven headless by egui_kittest: drops, paste, host changes, saving, preferences.
#![cfg(feature = "gui")]

mod common;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use chainsmith::gui::App;
use chainsmith::gui::app::Preferences;
use chainsmith::gui::picker::{PickRequest, Picked, Picker};
use common::*;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT as _;
use egui_kittest::kittest::Queryable as _;

/// Answers dialogs from a queue instead of opening them; records what was asked.
#[derive(Clone, Default)]
struct FakePicker {
    answers: Arc<Mutex<VecDeque<Vec<PathBuf>>>>,
    asked: Arc<Mutex<Vec<PickRequest>>>,
    /// The folder each dialog was asked to start in.
    starts: Arc<Mutex<Vec<Option<PathBuf>>>>,
    /// Keep the dialog open (never answer), as a person still choosing would.
    hold: Arc<Mutex<bool>>,
    /// Answer as rfd does where no dialog program exists (no portal, no zenity).
    unavailable: Arc<Mutex<bool>>,
}

impl Picker for FakePicker {
    fn pick(
        &self,
        request: PickRequest,
        start: Option<PathBuf>,
        ctx: &egui::Context,
        reply: Sender<Picked>,
    ) {
        self.asked.lock().unwrap().push(request.clone());
        self.starts.lock().unwrap().push(start);
        if *self.hold.lock().unwrap() {
            return;
        }
        if *self.unavailable.lock().unwrap() {
            let _ = reply.send(Picked {
                request,
                paths: Vec::new(),
                unavailable: Some("No file dialog is available here".into()),
            });
            ctx.request_repaint();
            return;
        }
        let paths = self.answers.lock().unwrap().pop_front().unwrap_or_default();
        let _ = reply.send(Picked {
            request,
            paths,
            unavailable: None,
        });
        ctx.request_repaint();
    }
}

/// A dropped file that exists only as bytes (as on the web, or from another app).
#[derive(Debug)]
struct DroppedBytes {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl egui::DroppedFile for DroppedBytes {
    fn path(&self) -> &Path {
        &self.path
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        Ok(self.bytes.clone())
    }
}

fn harness(picker: FakePicker) -> Harness<'static, App> {
    let mut app = App::new(None, Box::new(picker));
    app.fixed_now = Some(AT);
    Harness::builder()
        .with_size([1280.0, 820.0])
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
}

fn drop_bytes(harness: &mut Harness<'_, App>, files: &[(&str, Vec<u8>)]) {
    for (name, bytes) in files {
        harness
            .input_mut()
            .dropped_files
            .push(Arc::new(DroppedBytes {
                path: PathBuf::from(format!("/nonexistent/dropped/{name}")),
                bytes: bytes.clone(),
            }));
    }
    harness.run();
}

/// Steps until the worker thread has delivered (bounded).
fn wait_for_load(harness: &mut Harness<'_, App>) {
    for _ in 0..500 {
        harness.step();
        if !harness.state().is_loading() {
            harness.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the load did not finish");
}

/// Steps frames until `done` holds, failing the test (naming `what`) after 10 s: never a silent
/// fall-through, never a bare sleep.
fn wait_until(
    harness: &mut Harness<'_, App>,
    what: &str,
    done: impl Fn(&Harness<'_, App>) -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done(harness) {
        assert!(
            std::time::Instant::now() < deadline,
            "waited 10 s for {what}"
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Loads `paths` as the admin would (Open…), waits for the worker, and sets the host name.
fn load_with_host(harness: &mut Harness<'_, App>, paths: Vec<PathBuf>, host: &str) {
    harness
        .state_mut()
        .load_paths(&egui::Context::default(), paths);
    wait_for_load(harness);
    set_host(harness, host);
}

fn set_host(harness: &mut Harness<'_, App>, host: &str) {
    harness.get_by_label("Host name").focus();
    harness.get_by_label("Host name").type_text(host);
    harness.run();
    assert_eq!(harness.state().prefs.host, host);
}

fn y_of(harness: &Harness<'_, App>, label: &str) -> f32 {
    harness.get_by_label(label).rect().min.y
}

#[test]
fn dropped_files_show_cards_in_chain_order_with_roles() {
    let c = chain(Alg::P256);
    let mut harness = harness(FakePicker::default());
    assert_eq!(
        harness.get_all_by_label("Open files…").count(),
        2,
        "toolbar and drop zone"
    );
    drop_bytes(
        &mut harness,
        &[
            ("root.pem", c.root.pem().into_bytes()),
            ("leaf.pem", c.leaf.pem().into_bytes()),
            ("int.der", c.intermediate.der.clone()),
        ],
    );
    let report = harness.state().report().expect("a report");
    assert_eq!(
        order(report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    let (leaf, int, root) = (
        y_of(&harness, "LEAF"),
        y_of(&harness, "INTERMEDIATE"),
        y_of(&harness, "ROOT"),
    );
    assert!(
        leaf < int && int < root,
        "cards top-down leaf → intermediate → root: {leaf} {int} {root}"
    );
    assert!(harness.query_all_by_label("sbc.example.com").count() >= 1);
    assert_eq!(
        harness
            .query_all_by_label_contains("signature verified")
            .count(),
        2,
        "two verified links"
    );
}

#[test]
fn wrong_host_shows_the_mismatch_and_saving_asks_first_and_matches_the_cli() {
    let c = chain(Alg::Rsa2048);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("from-window.pem");
    let picker = FakePicker::default();
    picker.answers.lock().unwrap().push_back(vec![out.clone()]);
    let mut harness = harness(picker.clone());
    drop_bytes(
        &mut harness,
        &[(
            "chain.pem",
            (c.root.pem() + &c.intermediate.pem() + &c.leaf.pem()).into_bytes(),
        )],
    );
    set_host(&mut harness, "wrong.example.com");
    assert!(
        harness.query_by_label("name.mismatch").is_some(),
        "the finding is listed"
    );
    // The fix speaks of the window's field, not of a flag.
    assert!(
        harness
            .query_by_label("Fix: Use a certificate issued for this host name, or check the spelling in the Host name field.")
            .is_some()
    );
    assert!(harness.query_by_label_contains("--host").is_none());
    // The banner names the problem: the leaf's names against the host name.
    assert!(
        harness
            .query_by_label(
                "✖ Not ready — the leaf is for sbc.example.com, 192.0.2.10, not wrong.example.com"
            )
            .is_some()
    );

    harness.get_by_label("Save bundle…").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Save a bundle with problems?")
            .is_some()
    );
    assert!(
        picker.asked.lock().unwrap().is_empty(),
        "no dialog before the confirmation"
    );
    harness.get_by_label("Save anyway").click();
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    assert!(matches!(
        picker.asked.lock().unwrap().as_slice(),
        [PickRequest::SaveBundle(_)]
    ));
    let written = std::fs::read(&out).expect("the bundle was written");

    // The same inputs through `chainsmith build`: byte-identical.
    std::fs::write(
        dir.path().join("chain.pem"),
        c.root.pem() + &c.intermediate.pem() + &c.leaf.pem(),
    )
    .unwrap();
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args([
            "build",
            "chain.pem",
            "--host",
            "wrong.example.com",
            "--at=2026-06-01T00:00:00Z",
            "--force",
            "-o",
            "-",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(written, cli.stdout);
}

#[test]
fn a_malformed_drop_shows_its_error_while_the_good_files_load() {
    let c = chain(Alg::P256);
    let mut harness = harness(FakePicker::default());
    drop_bytes(
        &mut harness,
        &[
            (
                "broken.pem",
                b"-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"
                    .to_vec(),
            ),
            (
                "chain.pem",
                (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
            ),
        ],
    );
    assert!(harness.query_by_label("input.malformed").is_some());
    assert!(
        harness
            .query_all_by_label_contains("broken.pem: line 1")
            .count()
            >= 1
    );
    assert_eq!(harness.state().report().unwrap().chain.len(), 3);
}

#[test]
fn paste_loads_pem_text() {
    let c = chain(Alg::P256);
    let mut harness = harness(FakePicker::default());
    harness.input_mut().events.push(egui::Event::Paste(
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    ));
    harness.run();
    let report = harness.state().report().expect("pasted text loaded");
    assert_eq!(report.chain.len(), 3);
    assert_eq!(report.chain[0].cert.source, "pasted text");

    // The Paste button opens a text box for the same thing.
    let mut harness = self::harness(FakePicker::default());
    harness.get_all_by_label("Paste").next().unwrap().click();
    harness.run();
    harness.get_by_label("PEM text").focus();
    harness.get_by_label("PEM text").type_text(&c.leaf.pem());
    harness.run();
    harness.get_by_label("Load pasted text").click();
    harness.run();
    assert_eq!(harness.state().report().unwrap().chain.len(), 1);
}

#[test]
fn open_folder_loads_on_a_worker_and_remove_takes_a_certificate_out() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leaf.pem"), c.leaf.pem()).unwrap();
    std::fs::write(dir.path().join("int.cer"), &c.intermediate.der).unwrap();
    std::fs::write(dir.path().join("root.crt"), c.root.pem()).unwrap();
    let stray = root("Stray Root", Alg::P256);
    std::fs::write(dir.path().join("stray.pem"), stray.pem()).unwrap();
    let picker = FakePicker::default();
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![dir.path().to_path_buf()]);
    let mut harness = harness(picker);
    harness
        .get_all_by_label("Open folder…")
        .next()
        .unwrap()
        .click();
    harness.step();
    wait_for_load(&mut harness);
    let report = harness.state().report().unwrap();
    assert_eq!(report.chain.len(), 3);
    assert!(
        harness
            .query_by_label_contains("Left out of the bundle (1)")
            .is_some()
    );
    assert_eq!(
        harness.query_all_by_label("chain.unrelated").count(),
        2,
        "a finding and the left-out row"
    );

    // Remove the stray certificate from the "left out" list.
    harness.get_all_by_label("Remove").last().unwrap().click();
    harness.run();
    assert!(harness.state().report().unwrap().excluded.is_empty());
    assert_eq!(harness.query_all_by_label("chain.unrelated").count(), 0);
}

#[test]
fn keys_and_leftovers_in_a_folder_are_listed_with_remove_and_the_leafs_key_is_recognised() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    std::fs::write(d.join("key.pem"), c.leaf.key.serialize_pem()).unwrap();
    std::fs::write(d.join("old.key"), key(Alg::P256).serialize_pem()).unwrap();
    let csr = rcgen::CertificateParams::new(vec!["sbc.example.com".into()])
        .unwrap()
        .serialize_request(&c.leaf.key)
        .unwrap()
        .pem()
        .unwrap();
    std::fs::write(d.join("sbc.csr"), csr).unwrap();
    let picker = FakePicker::default();
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![d.to_path_buf()]);
    let mut harness = harness(picker);
    set_host(&mut harness, "sbc.example.com");
    harness
        .get_all_by_label("Open folder…")
        .next()
        .unwrap()
        .click();
    harness.step();
    wait_for_load(&mut harness);
    let report = harness.state().report().unwrap();
    assert!(report.passed(), "{:?}", report.findings);
    assert!(
        harness
            .query_by_label_contains("Left out of the bundle (3)")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("private key: the leaf's (never bundled)")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("private key that does NOT match the leaf (never bundled)")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("a certificate signing request, not a certificate")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("key.does-not-match-leaf")
            .is_some()
    );

    // Remove the stray key: its warnings go, the leaf's key stays recognised.
    let row = y_of(
        &harness,
        "private key that does NOT match the leaf (never bundled)",
    );
    harness
        .get_all_by_label("Remove")
        .find(|b| (b.rect().min.y - row).abs() < 6.0)
        .expect("a Remove button on the stray key's row")
        .click();
    harness.run();
    let report = harness.state().report().unwrap();
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(!codes.contains(&"key.does-not-match-leaf"), "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == "input.private-key").count(),
        1,
        "{codes:?}"
    );
    assert!(codes.contains(&"key.matches-leaf"), "{codes:?}");
    assert!(
        harness
            .query_by_label_contains("Left out of the bundle (2)")
            .is_some()
    );
}

#[test]
fn sample_chain_in_one_click() {
    let mut harness = harness(FakePicker::default());
    harness
        .get_all_by_label("Load sample chain")
        .next()
        .unwrap()
        .click();
    harness.run();
    let report = harness.state().report().unwrap();
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(report.chain.len(), 3);
    assert!(
        harness
            .query_by_label(
                "✔ Ready: bundle of 2 for sbc1.sample.chainsmith.example — leaf + 1 intermediate, root not included — valid until 2035-12-31"
            )
            .is_some(),
        "the banner says what the saved bundle holds"
    );
    // With the root included, the banner says so; the bundle written holds what it says.
    harness.state_mut().prefs.include_root = true;
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Ready: bundle of 3 for sbc1.sample.chainsmith.example — leaf + 1 intermediate + root — valid until")
            .is_some()
    );
    let bundle = harness.state().bundle_pem().unwrap();
    assert_eq!(bundle.matches("BEGIN CERTIFICATE").count(), 3);
}

#[test]
fn an_invalid_validation_time_is_named_and_nothing_is_judged_until_it_parses() {
    let mut harness = harness(FakePicker::default());
    harness
        .get_all_by_label("Load sample chain")
        .next()
        .unwrap()
        .click();
    harness.run();
    assert!(harness.state().report().is_some());
    harness.get_by_label("Validation time").focus();
    harness
        .get_by_label("Validation time")
        .type_text("2026-13-45");
    harness.run();
    assert!(
        harness.state().report().is_none(),
        "judged at a time that does not parse"
    );
    assert!(
        harness
            .query_by_label("✖ Not checked: the validation time \"2026-13-45\" is not a time")
            .is_some()
    );
    assert!(harness.query_by_label_contains("✔ Ready").is_none());
    // Corrected, the chain is judged at that time, and dates are worded from it.
    harness.state_mut().at_text = "2036-01-02".into();
    harness.run();
    let report = harness.state().report().unwrap();
    assert!(!report.passed());
    assert!(
        harness
            .query_by_label_contains("✖ expired 2 days before the validation time")
            .is_some()
    );
}

#[test]
fn where_the_chain_breaks_an_add_issuer_file_button_asks_for_the_file() {
    let c = chain(Alg::P256);
    let picker = FakePicker::default();
    let mut harness = harness(picker.clone());
    drop_bytes(&mut harness, &[("leaf.pem", c.leaf.pem().into_bytes())]);
    assert!(
        harness
            .query_all_by_label_contains("Fix: Add the missing issuer \"CN=Test Intermediate CA, O=Chainsmith Test\" with \"Add issuer file…\"")
            .count()
            > 0
    );
    assert!(harness.query_by_label_contains("--public-roots").is_none());
    harness.get_by_label("Add issuer file…").click();
    harness.run();
    assert_eq!(
        picker.asked.lock().unwrap().as_slice(),
        [PickRequest::Files]
    );
}

/// An in-memory eframe storage.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn preferences_round_trip_without_certificate_content() {
    let c = chain(Alg::P256);
    let mut app = App::new(None, Box::new(FakePicker::default()));
    app.load_bytes(vec![("leaf.pem".into(), c.leaf.pem().into_bytes())]);
    app.prefs = Preferences {
        host: "sbc9.carrier.example".into(),
        profile: "genesys-byoc-cloud".into(),
        trust: chainsmith::gui::app::Trust::Mozilla,
        roots_file: None,
        last_folder: Some(PathBuf::from("/srv/certs")),
        theme: chainsmith::gui::app::Theme::Dark,
        include_root: true,
        ca_only: false,
        expiry_warning_days: 45,
        strict: true,
        check_revocation: true,
        upload: chainsmith::gui::upload::UploadPrefs {
            client_id: "ops-client".into(),
            ..Default::default()
        },
    };
    let mut storage = MemoryStorage::default();
    eframe::App::save(&mut app, &mut storage);
    let stored: String = storage.0.values().cloned().collect();
    let body_line = c.leaf.pem().lines().nth(1).unwrap().to_string();
    assert!(
        !stored.contains(&body_line) && !stored.contains("BEGIN"),
        "no certificate content in preferences"
    );
    let restored = App::new(Some(&storage), Box::new(FakePicker::default()));
    assert_eq!(restored.prefs, app.prefs);
}

#[test]
fn changing_profile_or_time_rechecks_at_once() {
    let c = chain(Alg::P256);
    let mut harness = harness(FakePicker::default());
    drop_bytes(
        &mut harness,
        &[(
            "chain.pem",
            (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    assert!(harness.state().report().unwrap().passed());

    harness.get_by_label("Validation time").focus();
    harness
        .get_by_label("Validation time")
        .type_text("2027-02-01");
    harness.run();
    assert!(harness.query_by_label("cert.expired").is_some());

    harness.state_mut().at_text.clear();
    harness.state_mut().prefs.profile = "genesys-byoc-cloud".into();
    harness.run();
    let report = harness.state().report().unwrap();
    assert!(errors(report).contains(&"chain.untrusted-root"));
    assert!(errors(report).contains(&"profile.key-type"));
}

#[test]
fn pin_another_leaf_and_shortcuts() {
    let c = chain(Alg::P256);
    let other = c.intermediate.issue(
        leaf_params("other.example.com", &["other.example.com"]),
        Alg::P256,
    );
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("change-ticket.json");
    let picker = FakePicker::default();
    let mut harness = harness(picker.clone());
    drop_bytes(
        &mut harness,
        &[(
            "pile.pem",
            (c.leaf.pem() + &other.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    assert!(harness.query_all_by_label("chain.ambiguous-leaf").count() >= 1);
    // Pin the leaf that was left out.
    let left_out = harness.state().report().unwrap().excluded[0]
        .cert
        .sha256
        .hex();
    harness
        .get_all_by_label("Use as leaf")
        .next()
        .unwrap()
        .click();
    harness.run();
    let report = harness.state().report().unwrap();
    assert_eq!(report.chain[0].cert.sha256.hex(), left_out);
    assert!(!errors(report).contains(&"chain.ambiguous-leaf"));
    assert!(harness.query_by_label("Unpin the leaf").is_some());

    // Ctrl+O asks for files; Save report… writes JSON when the name says so.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.run();
    assert!(matches!(
        picker.asked.lock().unwrap().last(),
        Some(PickRequest::Files)
    ));
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![report_path.clone()]);
    harness.get_by_label("Report").click();
    harness.run();
    harness.get_by_label("Save report…").click();
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    assert_eq!(json["chain"][0]["sha256"], left_out);

    // Ctrl+S with a passing chain but no host name asks first: the names were not checked.
    assert!(
        harness
            .query_by_label_contains("Checked without a host name")
            .is_some(),
        "the banner says the names were not checked"
    );
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run();
    assert!(!matches!(
        picker.asked.lock().unwrap().last(),
        Some(PickRequest::SaveBundle(_))
    ));
    assert!(
        harness
            .query_by_label("Save without checking the names?")
            .is_some()
    );
    harness.get_by_label("Save anyway").click();
    harness.run();
    assert!(matches!(
        picker.asked.lock().unwrap().last(),
        Some(PickRequest::SaveBundle(_))
    ));
}

#[test]
fn keyboard_host_name_first_quick_shortcut_taps_one_dialog_at_a_time_in_the_loaded_folder() {
    use egui_kittest::kittest::NodeT as _;
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leaf.pem"), c.leaf.pem()).unwrap();
    std::fs::write(dir.path().join("int.pem"), c.intermediate.pem()).unwrap();
    let picker = FakePicker::default();
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![dir.path().to_path_buf()]);
    let mut harness = harness(picker.clone());
    // The Host name is focused at start and is the first Tab stop: Tab goes on to the Profile.
    harness.run();
    assert!(
        harness
            .get_by_label("Host name")
            .accesskit_node()
            .is_focused()
    );
    harness.key_press(egui::Key::Tab);
    harness.run();
    assert!(
        harness
            .get_by_label("Profile")
            .accesskit_node()
            .is_focused()
    );
    // No frame time in the status bar (only with CHAINSMITH_TIMING).
    assert!(harness.query_by_label_contains("frame ").is_none());

    harness
        .get_all_by_label("Open folder…")
        .next()
        .unwrap()
        .click();
    harness.step();
    wait_for_load(&mut harness);
    assert_eq!(harness.state().report().unwrap().chain.len(), 2);
    // Details opens, and Esc closes it.
    harness.get_all_by_label("Details").next().unwrap().click();
    harness.run();
    assert!(harness.query_by_label("Certificate details").is_some());
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Certificate details").is_none());

    // A quick Ctrl+O tap: the key event carries Ctrl, the modifier state already released.
    let tap = |harness: &mut Harness<'_, App>, key: egui::Key| {
        for pressed in [true, false] {
            harness.input_mut().events.push(egui::Event::Key {
                key,
                physical_key: None,
                pressed,
                repeat: false,
                modifiers: egui::Modifiers::COMMAND,
            });
        }
        harness.step();
    };
    *picker.hold.lock().unwrap() = true;
    tap(&mut harness, egui::Key::O);
    harness.run();
    assert_eq!(
        picker.asked.lock().unwrap().last(),
        Some(&PickRequest::Files),
        "the tap was seen"
    );
    // The dialog starts in the folder the certificates came from.
    let start = picker.starts.lock().unwrap().last().cloned().flatten();
    assert_eq!(
        start.map(|p| std::fs::canonicalize(p).unwrap()),
        Some(std::fs::canonicalize(dir.path()).unwrap())
    );
    // While that dialog is open, Ctrl+S opens no second one.
    let asked = picker.asked.lock().unwrap().len();
    tap(&mut harness, egui::Key::S);
    tap(&mut harness, egui::Key::S);
    harness.run();
    assert_eq!(picker.asked.lock().unwrap().len(), asked);
}

#[test]
fn a_big_folder_load_can_be_cancelled() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2000 {
        std::fs::write(dir.path().join(format!("cert-{i:04}.pem")), c.leaf.pem()).unwrap();
    }
    let ctx = egui::Context::default();
    let job = chainsmith::gui::jobs::LoadJob::spawn(
        chainsmith::gui::jobs::Target::Inputs,
        vec![dir.path().to_path_buf()],
        &ctx,
    );
    job.cancel();
    // Bounded: a cancelled load ends within seconds, whatever is left of the folder.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let loaded = loop {
        if let Some(l) = job.try_result() {
            break l;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the cancelled load did not end"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    assert!(job.is_cancelled());
    // Cancelled at once: it stopped well before the end of the folder (it reads one file at a time).
    assert!(
        loaded.certificates.len() < 1000,
        "cancelled after {} files",
        loaded.certificates.len()
    );
}

#[test]
fn roots_file_details_and_copy_bundle() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    let roots = dir.path().join("corp-roots.pem");
    std::fs::write(&roots, c.root.pem()).unwrap();
    let picker = FakePicker::default();
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![roots.clone()]);
    let mut harness = harness(picker.clone());
    // Leaf and intermediate only: incomplete until the roots file is trusted.
    drop_bytes(
        &mut harness,
        &[(
            "pair.pem",
            (c.leaf.pem() + &c.intermediate.pem()).into_bytes(),
        )],
    );
    assert!(errors(harness.state().report().unwrap()).contains(&"chain.incomplete"));
    harness.state_mut().prefs.trust = chainsmith::gui::app::Trust::RootsFile;
    harness.step();
    harness.get_by_label("Choose roots file…").click();
    harness.step();
    wait_for_load(&mut harness);
    let report = harness.state().report().unwrap();
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(
        order(report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    assert!(
        harness.query_all_by_label("corp-roots.pem").count() >= 2,
        "the chosen file is shown (button and root card)"
    );

    // Details: every extension and the PEM.
    harness.get_all_by_label("Details").next().unwrap().click();
    harness.run();
    assert!(harness.query_by_label("Certificate details").is_some());
    assert!(harness.query_by_label("Extensions").is_some());
    assert!(harness.query_by_label_contains("subjectAltName").is_some());
    assert!(harness.query_by_label("Copy PEM").is_some());

    // Copy bundle puts exactly the bundle on the clipboard.
    harness.get_by_label("Copy bundle").click();
    harness.step();
    assert_eq!(
        copied_texts(&harness),
        [c.leaf.pem() + &c.intermediate.pem()]
    );
}

#[test]
fn choose_the_alternate_path() {
    // Old Root ──► New Root (cross-sign); New Root (self-signed); New Root ──► Int ──► leaf.
    let old_root = root("Old Root", Alg::P256);
    let new_root = root("New Root", Alg::P256);
    let new_key = rcgen::KeyPair::try_from(new_root.key.serialize_der().as_slice()).unwrap();
    let cross = issue_with_key(ca_params("New Root"), new_key, Some(&old_root));
    let int = new_root.issue(ca_params("Test Intermediate CA"), Alg::P256);
    let leaf = int.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let pile: String = [&old_root, &cross, &leaf, &new_root, &int]
        .iter()
        .map(|c| c.pem())
        .collect();
    let mut harness = harness(FakePicker::default());
    drop_bytes(&mut harness, &[("pile.pem", pile.into_bytes())]);
    assert_eq!(harness.state().report().unwrap().chain.len(), 3);
    harness
        .get_all_by_label("Use this path")
        .next()
        .unwrap()
        .click();
    harness.run();
    let report = harness.state().report().unwrap();
    assert_eq!(
        order(report),
        [
            leaf.sha256(),
            int.sha256(),
            cross.sha256(),
            old_root.sha256()
        ]
    );
    harness.get_by_label("Back to the best path").click();
    harness.run();
    assert_eq!(harness.state().report().unwrap().chain.len(), 3);
}

#[test]
fn probe_window_shows_what_the_endpoint_serves_against_the_loaded_bundle() {
    let c = chain(Alg::P256);
    let mut params = leaf_params("localhost", &["localhost"]);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    let served_leaf = c.intermediate.issue(params, Alg::P256);
    // The endpoint serves only its (old) leaf; the window holds the new bundle.
    let port = serve_tls(
        vec![served_leaf.der.clone()],
        served_leaf.key.serialize_der(),
        None,
    );
    let mut harness = harness(FakePicker::default());
    drop_bytes(
        &mut harness,
        &[(
            "new.pem",
            (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    harness.get_by_label("Probe…").click();
    harness.run();
    // The window sits beside the inputs: the Host name field stays visible and usable.
    let window = harness
        .ctx
        .memory(|m| m.area_rect(egui::Id::unique("probe-window")))
        .expect("the Probe window is drawn");
    assert!(
        !window.intersects(harness.get_by_label("Host name").rect()),
        "the Probe window covers the Host name field"
    );
    harness.get_by_label("Endpoint").focus();
    harness
        .get_by_label("Endpoint")
        .type_text(&format!("localhost:{port}"));
    harness.run();
    harness.get_by_label("Probe").click();
    harness.step();
    wait_for_load(&mut harness);
    let outcome = harness.state().probe_outcome().expect("a probe result");
    let found = codes(&outcome.report);
    assert!(found.contains(&"served.incomplete"), "{found:?}");
    assert!(found.contains(&"served.stale-leaf"), "{found:?}");
    // Told apart by name, dates and SHA-256 (serials of one CA differ in a digit or two).
    let stale = &outcome
        .report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "served.stale-leaf")
        .unwrap()
        .message;
    assert!(
        stale.contains("valid 2026-01-01 to 2030-01-01 (SHA-256")
            && stale.contains("valid 2026-01-01 to 2027-01-01 (SHA-256")
            && !stale.contains("serial"),
        "{stale}"
    );
    // The banner leads with the served leaf's identity, and the stale leaf is the first finding.
    assert_eq!(found[0], "served.stale-leaf");
    assert!(
        harness
            .query_by_label_contains(
                "✖ The endpoint serves another certificate than the loaded leaf: \"localhost\" ("
            )
            .is_some()
    );
    assert!(harness.query_all_by_label("served.stale-leaf").count() >= 1);
}

/// Runs a probe from the open Probe window and waits for it.
fn probe_now(harness: &mut Harness<'_, App>) {
    harness.get_by_label("Probe").click();
    harness.step();
    wait_for_load(harness);
}

#[test]
fn probe_window_sends_the_host_name_as_sni_to_an_address_and_names_a_foreign_certificate() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    let (_server, port) = serve_two_certificates(
        dir.path(),
        "sbc.example.com",
        &c.leaf.pem(),
        &c.leaf.key.serialize_pem(),
    );
    let mut harness = harness(FakePicker::default());
    drop_bytes(
        &mut harness,
        &[(
            "new.pem",
            (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    set_host(&mut harness, "sbc.example.com");
    harness.get_by_label("Probe…").click();
    harness.run();
    // The endpoint starts as the host name; an address is typed instead.
    harness.state_mut().probe.target = format!("127.0.0.1:{port}");
    harness.run();
    assert_eq!(
        harness.get_by_label("SNI").accesskit_node().placeholder(),
        Some("sbc.example.com (the Host name)")
    );
    probe_now(&mut harness);
    assert!(
        harness
            .query_by_label("SNI sent: sbc.example.com")
            .is_some()
    );
    let report = &harness
        .state()
        .probe_outcome()
        .expect("a probe result")
        .report;
    assert_eq!(report.chain[0].cert.sha256.hex(), c.leaf.sha256());
    assert!(
        !codes(report).contains(&"served.stale-leaf"),
        "{:?}",
        codes(report)
    );

    // Another name asked for: the box answers with its old self-signed certificate, and says so.
    harness.get_by_label("SNI").focus();
    harness.get_by_label("SNI").type_text("voice.example.net");
    harness.run();
    probe_now(&mut harness);
    assert!(
        harness
            .query_by_label("SNI sent: voice.example.net")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("  #1 Old VPN Gateway (self-signed)")
            .is_some()
    );
    let found = codes(&harness.state().probe_outcome().unwrap().report);
    for code in [
        "served.stale-leaf",
        "name.mismatch",
        "chain.self-signed-leaf",
    ] {
        assert!(found.contains(&code), "{code}: {found:?}");
    }
    // The result can be copied, SNI included.
    harness.get_by_label("Copy result").click();
    harness.step();
    let copied = copied_texts(&harness);
    assert!(
        copied
            .iter()
            .any(|t| t.contains("SNI sent: voice.example.net") && t.contains("served.stale-leaf")),
        "{copied:?}"
    );

    // A failed probe keeps the form and says why in the window.
    harness.state_mut().probe.target = "127.0.0.1:1".into();
    harness.run();
    probe_now(&mut harness);
    assert!(
        harness
            .query_by_label_contains("✖ Probe failed: 127.0.0.1:1: cannot connect")
            .is_some()
    );
    assert!(harness.query_by_label("Endpoint").is_some());
    // Esc closes the window.
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Endpoint").is_none());
}

#[test]
fn fetch_missing_issuer_button_completes_the_chain() {
    let c = chain(Alg::P256);
    let port = serve_http(c.intermediate.der.clone());
    let url = format!("http://127.0.0.1:{port}/int.der");
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.custom_extensions.push(aia_ca_issuers(&url));
    let leaf = c.intermediate.issue(params, Alg::P256);
    let mut harness = harness(FakePicker::default());
    drop_bytes(
        &mut harness,
        &[
            ("leaf.pem", leaf.pem().into_bytes()),
            ("root.pem", c.root.pem().into_bytes()),
        ],
    );
    assert!(errors(harness.state().report().unwrap()).contains(&"chain.incomplete"));
    harness.get_by_label("Fetch missing issuer").click();
    harness.step();
    wait_for_load(&mut harness);
    let report = harness.state().report().unwrap();
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(report.chain[1].cert.source, format!("fetched from {url}"));
    assert!(
        harness
            .query_all_by_label(&format!("fetched from {url}"))
            .count()
            >= 1,
        "marked on its card"
    );
}

#[test]
fn a_restored_roots_file_preference_is_loaded_and_applied() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    let roots = dir.path().join("corp-roots.pem");
    std::fs::write(&roots, c.root.pem()).unwrap();
    let mut storage = MemoryStorage::default();
    let mut app = App::new(None, Box::new(FakePicker::default()));
    app.prefs.trust = chainsmith::gui::app::Trust::RootsFile;
    app.prefs.roots_file = Some(roots);
    eframe::App::save(&mut app, &mut storage);

    let mut app = App::new(Some(&storage), Box::new(FakePicker::default()));
    app.fixed_now = Some(AT);
    app.load_bytes(vec![(
        "pair.pem".into(),
        (c.leaf.pem() + &c.intermediate.pem()).into_bytes(),
    )]);
    let mut harness = Harness::builder()
        .with_size([1280.0, 820.0])
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    harness.step();
    wait_for_load(&mut harness);
    let report = harness.state().report().unwrap();
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(
        order(report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
}

/// Runs frames until the upload worker is done.
fn wait_for_upload(harness: &mut Harness<'_, App>) {
    for _ in 0..600 {
        harness.step();
        if !harness.state().upload.is_busy() {
            harness.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the upload did not finish");
}

#[test]
fn upload_window_rehearses_a_rotation_against_the_sandbox() {
    let c = chain(Alg::P256);
    let data = tempfile::tempdir().unwrap();
    let mut harness = harness(FakePicker::default());
    harness.state_mut().upload.data_dir = data.path().to_path_buf();
    harness.state_mut().prefs.host = "sbc.example.com".into();
    drop_bytes(
        &mut harness,
        &[(
            "chain.pem",
            (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    harness.get_by_label("Upload…").click();
    harness.run();
    harness.get_by_label("Sandbox (local rehearsal)").click();
    // The sandbox starts on a worker (a spinner meanwhile: step, not run).
    harness.step();
    wait_for_upload(&mut harness);
    assert!(harness.state().upload.sandbox.is_some());

    // The trunk picker lists the trunks with their status; choosing a BYOC Cloud trunk blocks the upload.
    harness.get_by_label("Load trunks").click();
    harness.step();
    wait_for_upload(&mut harness);
    assert_eq!(harness.state().upload.trunks.len(), 4);
    harness.get_by_label("Certificate authority name").focus();
    harness
        .get_by_label("Certificate authority name")
        .type_text("Carrier A CAs");
    harness.run();
    harness.state_mut().upload.trunk = Some("trunk-cloud-1".into());
    harness.run();
    assert!(
        harness
            .query_by_label_contains("BYOC Cloud trunk")
            .is_some()
    );
    assert!(upload_disabled(&harness));
    harness.state_mut().upload.trunk = Some("trunk-premises-1".into());
    harness.run();
    assert!(
        harness
            .query_by_label_contains("edge group: London Edge Group")
            .is_some()
    );

    // The confirmation names where it goes before anything is sent.
    harness.get_by_label("Upload").click();
    harness.run();
    for line in [
        "Target: the local sandbox — a rehearsal; nothing is sent to Genesys Cloud",
        "Certificate authority: \"Carrier A CAs\"",
        "Trunk: \"Carrier A - Premises\" (trunk-premises-1)",
    ] {
        assert!(harness.query_by_label(line).is_some(), "{line}");
    }
    assert!(harness.query_by_label("Certificates: 2").is_some());
    // Each by name and expiry first, the SHA-256 prefix after.
    let listed = harness
        .query_all_by_label_contains("  · CN=Test Intermediate CA")
        .next()
        .map(|n| {
            let node = n.accesskit_node();
            node.label().or_else(|| node.value()).unwrap_or_default()
        })
        .unwrap_or_default();
    assert!(
        listed.contains(", until ") && listed.contains("(SHA-256 "),
        "{listed}"
    );
    harness.get_by_label("Upload now").click();
    harness.step();
    wait_for_upload(&mut harness);
    let upload = &harness.state().upload;
    let finished = upload.finished.as_ref().expect("finished");
    assert_eq!(finished.error, None, "{:?}", upload.notes);
    assert_eq!(finished.record.result, "verified");
    assert!(finished.record.rehearsal);
    assert!(
        harness
            .query_by_label(
                "✔ Uploaded and verified — rehearsal: nothing was sent to Genesys Cloud"
            )
            .is_some()
    );
    assert!(
        harness
            .query_by_label("Rehearsal — nothing was sent to Genesys Cloud")
            .is_some()
    );
    // The server's view, as a table.
    assert!(
        harness
            .query_by_label("What the server says it now holds")
            .is_some()
    );
    assert!(harness.query_by_label("Signature").is_some());
    assert!(harness.query_by_label_contains("Backup: ").is_some());
    let backup = finished.record.backup.clone().unwrap();
    assert!(Path::new(&backup).starts_with(data.path()));
    assert_eq!(
        finished.record.bundle,
        vec![c.intermediate.sha256(), c.root.sha256()]
    );
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 1);
    assert!(audit.contains("\"rehearsal\":true"), "{audit}");
    assert!(!audit.contains(chainsmith::sandbox::CLIENT_SECRET));
    // The window's audit log shows the entry (read on a worker after the run).
    harness.get_by_label("Audit log").scroll_to_me();
    harness.run();
    harness.get_by_label("Audit log").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains(
                "upload (rehearsal — nothing was sent to Genesys Cloud) https://127.0.0.1:"
            )
            .is_some()
    );
    // The change-ticket table is what is copied: the entry, and no secret or token.
    harness
        .get_by_label("Copy as Markdown (change ticket)")
        .scroll_to_me();
    harness.run();
    harness
        .get_by_label("Copy as Markdown (change ticket)")
        .click();
    harness.step();
    let copied = copied_texts(&harness);
    assert_eq!(copied.len(), 1, "{copied:?}");
    let table = &copied[0];
    assert!(table.starts_with('|'), "{table}");
    assert_eq!(table.lines().count(), 3, "header, rule, one entry: {table}");
    assert!(
        table.contains("verified")
            && table.contains("trunk-premises-1")
            && table.contains("upload (rehearsal — nothing was sent to Genesys Cloud)"),
        "{table}"
    );
    let mut secrets = vec![chainsmith::sandbox::CLIENT_SECRET.to_string()];
    secrets.extend(
        harness
            .state()
            .upload
            .sandbox
            .as_ref()
            .unwrap()
            .issued_tokens(),
    );
    assert!(secrets.len() > 1, "tokens were issued");
    for secret in &secrets {
        assert!(!table.contains(secret.as_str()), "a secret was copied");
        assert!(
            !audit.contains(secret.as_str()),
            "a secret is in the audit log"
        );
    }

    // "Roll back…" on the entry puts the backup back, after a confirmation, with its own entry —
    // to the sandbox the rehearsal went to, even with the Genesys Cloud tab selected now.
    harness.get_by_label("Genesys Cloud").scroll_to_me();
    harness.run();
    harness.get_by_label("Genesys Cloud").click();
    harness.run();
    harness.get_by_label("Roll back…").scroll_to_me();
    harness.run();
    let opener = harness.get_by_label("Roll back…").rect();
    harness.get_by_label("Roll back…").click();
    // The backup is read on a worker; then the confirmation names where it goes and what it sends
    // (here: nothing was there before, so what is there is deleted).
    wait_until(&mut harness, "the rollback's confirmation", |h| {
        h.query_by_label("Put this backup back?").is_some()
    });
    harness.run();
    assert!(harness.query_by_label("Put this backup back?").is_some());
    assert!(
        harness
            .query_by_label_contains(
                "Where: the local sandbox — a rehearsal; nothing goes to a live system (Genesys Cloud organisation at https://127.0.0.1:"
            )
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("It held nothing then: the certificate authority \"")
            .is_some(),
        "what rolling back to nothing deletes is named"
    );
    assert!(
        !harness
            .get_by_label("Roll back now")
            .rect()
            .intersects(opener)
    );
    harness.get_by_label("Roll back now").click();
    harness.step();
    wait_for_upload(&mut harness);
    let finished = harness.state().upload.finished.as_ref().expect("finished");
    assert_eq!(finished.record.action, "rollback");
    assert_eq!(finished.record.result, "verified", "{:?}", finished.error);
    assert_eq!(
        finished.record.rollback_of.as_deref(),
        Some(backup.as_str())
    );
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 2);

    // Another target: the rehearsal's green result is gone.
    harness.get_by_label("REST endpoint").scroll_to_me();
    harness.run();
    harness.get_by_label("REST endpoint").click();
    harness.run();
    assert!(harness.state().upload.finished.is_none());
    assert!(harness.query_by_label_contains("and verified").is_none());
    // Esc closes the window.
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(!harness.state().upload.open);
}

/// The window with `c` dropped (for sbc.example.com) and the Upload window open on "REST endpoint".
fn rest_upload_window(c: &Chain) -> Harness<'static, App> {
    let mut harness = harness(FakePicker::default());
    harness.state_mut().prefs.host = "sbc.example.com".into();
    drop_bytes(
        &mut harness,
        &[(
            "chain.pem",
            (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    harness.get_by_label("Upload…").click();
    harness.run();
    harness.get_by_label("REST endpoint").click();
    harness.run();
    harness
}

/// What the last frame put on the clipboard.
fn copied_texts(harness: &Harness<'_, App>) -> Vec<String> {
    harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn upload_with_errors_needs_a_confirmation_that_lists_them() {
    let c = chain(Alg::P256);
    let data = tempfile::tempdir().unwrap();
    // The leaf is not valid for this host: an error finding.
    let mut harness = upload_on_sandbox(&c, "other.example.org", "Broken", data.path());
    assert!(upload_disabled(&harness));
    harness.get_by_label("Upload anyway…").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Upload a chain with errors?")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("✖ name.mismatch: ")
            .is_some()
    );
    harness.get_by_label("Don't upload").click();
    harness.run();
    assert!(harness.state().upload.finished.is_none());
    assert_eq!(
        harness.state().upload.sandbox.as_ref().unwrap().requests(),
        0
    );
    // Confirmed: it goes.
    harness.get_by_label("Upload anyway…").click();
    harness.run();
    harness.get_by_label("Upload with these errors").click();
    harness.step();
    wait_for_upload(&mut harness);
    let finished = harness.state().upload.finished.as_ref().expect("finished");
    assert_eq!(finished.record.result, "verified");
    assert!(harness.state().upload.sandbox.as_ref().unwrap().requests() > 0);
    // The audit log records what was overridden.
    assert_eq!(finished.record.forced, vec!["name.mismatch".to_string()]);
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap();
    assert!(audit.contains("\"forced\":[\"name.mismatch\"]"), "{audit}");
    let entries = chainsmith::upload::records::read_audit(data.path());
    assert!(
        chainsmith::upload::records::audit_markdown(&entries).contains(
            "upload (rehearsal — nothing was sent to Genesys Cloud) (forced past name.mismatch)"
        )
    );
}

/// Makes the window's sandbox answer the next matching requests with `fault`.
fn inject(harness: &Harness<'_, App>, fault: chainsmith::sandbox::Fault) {
    harness
        .state()
        .upload
        .sandbox
        .as_ref()
        .expect("the sandbox is running")
        .inject(fault);
}

/// Clicks Upload and confirms in the dialog that names the destination.
fn click_upload(harness: &mut Harness<'_, App>) {
    harness.get_by_label("Upload").click();
    harness.run();
    harness.get_by_label("Upload now").click();
    harness.step();
}

fn upload_disabled(harness: &Harness<'_, App>) -> bool {
    use egui_kittest::kittest::NodeT as _;
    harness
        .get_by_label("Upload")
        .accesskit_node()
        .is_disabled()
}

#[test]
fn upload_window_sends_to_a_rest_endpoint_with_oauth() {
    let c = chain(Alg::P256);
    let server = chainsmith::sandbox::start(0, vec![]).unwrap();
    let data = tempfile::tempdir().unwrap();
    let ca_file = data.path().join("api-ca.pem");
    std::fs::write(&ca_file, &server.certificate_pem).unwrap();
    let mut harness = rest_upload_window(&c);
    {
        let upload = &mut harness.state_mut().upload;
        upload.data_dir = data.path().join("data");
        let mut target = chainsmith::upload::RestTarget::new(&format!(
            "{}/trunk-api/trunks/{{trunk}}/certificate",
            server.base_url()
        ));
        target.params.insert("trunk".into(), "sbc-9".into());
        target.auth = chainsmith::upload::RestAuth::Oauth {
            token_url: format!("{}/oauth/token", server.base_url()),
            client_id: chainsmith::sandbox::CLIENT_ID.into(),
        };
        upload.prefs.rest = target;
        upload.prefs.ca_file = ca_file.display().to_string();
        upload.set_secret(chainsmith::sandbox::CLIENT_SECRET);
    }
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Will send 2 certificate(s) to https://127.0.0.1")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains(
                "/trunk-api/trunks/sbc-9/certificate: sbc.example.com, Test Intermediate CA"
            )
            .is_some()
    );
    click_upload(&mut harness);
    wait_for_upload(&mut harness);
    let finished = harness.state().upload.finished.as_ref().expect("finished");
    assert_eq!(finished.error, None);
    assert_eq!(
        finished.record.ids["url"],
        format!("{}/trunk-api/trunks/sbc-9/certificate", server.base_url())
    );
    assert_eq!(
        finished.record.bundle,
        vec![c.leaf.sha256(), c.intermediate.sha256()]
    );
    // The secret typed into the window is in no file written, nor in the saved preferences.
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    let stored: String = storage.0.values().cloned().collect();
    assert!(
        stored.contains("sbc-9"),
        "the target is remembered: {stored}"
    );
    assert!(!stored.contains(chainsmith::sandbox::CLIENT_SECRET));
    let audit = std::fs::read_to_string(data.path().join("data/audit.jsonl")).unwrap();
    assert!(!audit.contains(chainsmith::sandbox::CLIENT_SECRET));
    for token in server.issued_tokens() {
        assert!(!audit.contains(&token));
    }

    // An empty token URL is said in words (it said ": not a valid URL").
    harness.state_mut().upload.prefs.rest.auth = chainsmith::upload::RestAuth::Oauth {
        token_url: String::new(),
        client_id: chainsmith::sandbox::CLIENT_ID.into(),
    };
    harness.run();
    assert!(
        harness
            .query_by_label_contains("the token URL is empty: enter the OAuth token endpoint")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains(": not a valid URL")
            .is_none()
    );

    // Roll back… from the audit log: the endpoint held nothing before, so it is emptied, and the
    // read-back says so in words (it said "holds exactly the 0 certificate(s) sent").
    harness.state_mut().upload.prefs.rest.auth = chainsmith::upload::RestAuth::Oauth {
        token_url: format!("{}/oauth/token", server.base_url()),
        client_id: chainsmith::sandbox::CLIENT_ID.into(),
    };
    harness.run();
    // A secret typed for another target never goes with a rollback to this one: with the Genesys
    // tab chosen and a secret typed there, rolling back the REST entry looks for the REST target's
    // own secret (none here) instead of offering the Genesys one.
    harness.state_mut().upload.prefs.choice = chainsmith::gui::upload::TargetChoice::Genesys;
    harness.state_mut().upload.prefs.client_id = "ops-client".into();
    harness.state_mut().upload.prefs.ca_name = "Carrier A".into();
    harness.run();
    harness.state_mut().upload.set_secret("typed-for-genesys");
    harness.run();
    harness.get_by_label("Audit log").scroll_to_me();
    harness.run();
    harness.get_by_label("Audit log").click();
    harness.run();
    harness.get_by_label("Roll back…").scroll_to_me();
    harness.run();
    harness.get_by_label("Roll back…").click();
    wait_until(&mut harness, "the rollback's confirmation", |h| {
        h.query_by_label("Put this backup back?").is_some()
    });
    harness.run();
    harness.get_by_label("Roll back now").click();
    harness.step();
    wait_for_upload(&mut harness);
    let error = harness
        .state()
        .upload
        .finished
        .as_ref()
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert!(
        !error.contains("not the one used") && error.contains("no client secret"),
        "{error}"
    );
    // Back on the REST target, with its own secret typed.
    harness.state_mut().upload.prefs.choice = chainsmith::gui::upload::TargetChoice::Rest;
    harness.run();
    harness
        .state_mut()
        .upload
        .set_secret(chainsmith::sandbox::CLIENT_SECRET);
    harness.run();
    harness.get_by_label("Roll back…").scroll_to_me();
    harness.run();
    harness.get_by_label("Roll back…").click();
    wait_until(&mut harness, "the rollback's confirmation", |h| {
        h.query_by_label("Put this backup back?").is_some()
    });
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Where: LIVE — REST endpoint PUT https://127.0.0.1:")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("It held nothing then: the certificate there is deleted")
            .is_some()
    );
    harness.get_by_label("Roll back now").click();
    harness.step();
    wait_for_upload(&mut harness);
    let finished = harness.state().upload.finished.as_ref().expect("finished");
    assert_eq!(finished.record.result, "verified", "{:?}", finished.error);
    assert!(
        harness
            .query_by_label_contains("the endpoint holds no certificate, as the backup recorded")
            .is_some()
    );

    // Without credentials, the endpoint's 401 is said as such.
    harness.state_mut().upload.prefs.rest.auth = chainsmith::upload::RestAuth::None;
    harness.run();
    click_upload(&mut harness);
    wait_for_upload(&mut harness);
    assert!(
        harness
            .query_by_label_contains("asks for credentials (401) and none are configured")
            .is_some()
    );
}

#[test]
fn upload_can_be_cancelled_while_the_server_is_slow() {
    let c = chain(Alg::P256);
    let data = tempfile::tempdir().unwrap();
    let mut harness = upload_on_sandbox(&c, "sbc.example.com", "Slow", data.path());
    // The server asks to wait 30 s before the certificate authorities can be read.
    inject(
        &harness,
        chainsmith::sandbox::Fault {
            status: 429,
            retry_after: Some(30),
            path_contains: "GET /certificateauthorities".into(),
            ..Default::default()
        },
    );
    let started = std::time::Instant::now();
    click_upload(&mut harness);
    // Wait until it is waiting (the read-current step has started), then cancel.
    wait_until(&mut harness, "the read of the current holdings", |h| {
        h.state().upload.steps.iter().any(|(p, s)| {
            *p == chainsmith::upload::Phase::ReadCurrent
                && *s == chainsmith::gui::upload::StepState::Running
        })
    });
    harness.get_by_label("Cancel").click();
    wait_for_upload(&mut harness);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let finished = harness.state().upload.finished.as_ref().expect("finished");
    assert_eq!(finished.record.result, "cancelled");
    assert!(!finished.record.changed);
    assert!(
        harness
            .query_by_label("✖ Cancelled: nothing was changed")
            .is_some()
    );
}

/// A window with `c` dropped (checked for `host`), the Upload window open on the sandbox target with
/// `ca_name` typed, and backups/audit going to `data`.
fn upload_on_sandbox(c: &Chain, host: &str, ca_name: &str, data: &Path) -> Harness<'static, App> {
    upload_on_sandbox_with(FakePicker::default(), c, host, ca_name, data)
}

fn upload_on_sandbox_with(
    picker: FakePicker,
    c: &Chain,
    host: &str,
    ca_name: &str,
    data: &Path,
) -> Harness<'static, App> {
    let mut harness = harness(picker);
    harness.state_mut().upload.data_dir = data.to_path_buf();
    harness.state_mut().prefs.host = host.into();
    drop_bytes(
        &mut harness,
        &[(
            "chain.pem",
            (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    harness.get_by_label("Upload…").click();
    harness.run();
    harness.get_by_label("Sandbox (local rehearsal)").click();
    // The sandbox starts on a worker (a spinner meanwhile: step, not run).
    harness.step();
    wait_for_upload(&mut harness);
    harness.get_by_label("Certificate authority name").focus();
    harness
        .get_by_label("Certificate authority name")
        .type_text(ca_name);
    harness.run();
    harness
}

#[test]
fn a_failed_upload_says_whether_anything_was_changed() {
    let c = chain(Alg::P256);
    // A read-back that differs: the change may have been applied (exit code 4 on the CLI).
    let data = tempfile::tempdir().unwrap();
    let mut harness = upload_on_sandbox(&c, "sbc.example.com", "Differs", data.path());
    inject(
        &harness,
        chainsmith::sandbox::Fault {
            path_contains: "POST /certificateauthorities".into(),
            tamper: true,
            ..Default::default()
        },
    );
    click_upload(&mut harness);
    wait_for_upload(&mut harness);
    assert_eq!(
        harness.state().upload.finished.as_ref().unwrap().exit_code,
        4
    );
    assert!(
        harness
            .query_by_label_contains(
                "✖ The change may have been applied, but the read-back does not prove it:"
            )
            .is_some()
    );
    // The token refused (a 401 on every try): nothing was changed (exit code 3 on the CLI).
    let data = tempfile::tempdir().unwrap();
    let mut harness = upload_on_sandbox(&c, "sbc.example.com", "Refused", data.path());
    inject(
        &harness,
        chainsmith::sandbox::Fault {
            status: 403,
            path_contains: "GET /certificateauthorities".into(),
            ..Default::default()
        },
    );
    click_upload(&mut harness);
    wait_for_upload(&mut harness);
    let finished = harness.state().upload.finished.as_ref().unwrap();
    assert_eq!(finished.exit_code, 3, "{:?}", finished.error);
    assert!(
        harness
            .query_by_label_contains("✖ Failed — nothing was changed:")
            .is_some()
    );
    assert!(harness.query_by_label_contains("exit code").is_none());
}

#[test]
fn the_report_for_the_change_ticket_holds_the_bundle_the_probe_and_the_upload() {
    use chainsmith::engine::ticket::TicketFormat;
    let c = chain(Alg::P256);
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let bundle_path = out.path().join("sbc-bundle.pem");
    let picker = FakePicker::default();
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![bundle_path.clone()]);
    let mut harness =
        upload_on_sandbox_with(picker, &c, "sbc.example.com", "Carrier A CAs", data.path());
    click_upload(&mut harness);
    wait_for_upload(&mut harness);
    harness.key_press(egui::Key::Escape);
    harness.run();
    // The bundle saved through the window (a passing chain goes straight to the dialog).
    harness.get_by_label("Save bundle…").click();
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    assert!(bundle_path.exists());
    // A probe of an endpoint serving the chain.
    let port = serve_tls(
        vec![c.leaf.der.clone(), c.intermediate.der.clone()],
        c.leaf.key.serialize_der(),
        None,
    );
    harness.get_by_label("Probe…").click();
    harness.run();
    harness.state_mut().probe.target = format!("127.0.0.1:{port}");
    harness.run();
    probe_now(&mut harness);

    let md = harness.state().ticket(TicketFormat::Markdown).unwrap();
    let file_sha = chainsmith::engine::Fingerprint::of(&std::fs::read(&bundle_path).unwrap()).hex();
    for want in [
        format!(
            "Generated 2026-06-01T00:00:00Z by Chainsmith {}.",
            env!("CARGO_PKG_VERSION")
        ),
        format!("| Bundle | sbc-bundle.pem, 2 certificate(s), SHA-256 {file_sha} |"),
        "| # | role | in bundle | subject | issuer | not before | not after |".into(),
        "| 1 | leaf | yes | CN=sbc.example.com | CN=Test Intermediate CA, O=Chainsmith Test | 2026-01-01 | 2027-01-01 |".into(),
        "| 3 | root | no |".into(),
        "Leaf names (subjectAltName): sbc.example.com, 192.0.2.10".into(),
        "## Last probe".into(),
        "| SNI | SNI sent: sbc.example.com |".into(),
        "## Last upload".into(),
        "| Action | upload (rehearsal — nothing was sent to Genesys Cloud) |".into(),
        "| Result | verified |".into(),
    ] {
        assert!(md.contains(&want), "{want}\n---\n{md}");
    }
    let text = harness.state().ticket(TicketFormat::Text).unwrap();
    assert!(
        text.contains("1. [leaf, in bundle] CN=sbc.example.com"),
        "{text}"
    );
    assert!(text.contains("3. [root, not in bundle]"), "{text}");
    assert!(text.contains("Last upload:\n  Time: "), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&harness.state().ticket(TicketFormat::Json).unwrap()).unwrap();
    assert_eq!(json["generated_at"], "2026-06-01T00:00:00Z");
    assert_eq!(json["bundle"]["sha256"], file_sha);
    assert_eq!(json["chain"][0]["in_bundle"], true);
    assert_eq!(json["chain"][2]["in_bundle"], false);
    assert_eq!(json["sections"]["Last upload"]["Result"], "verified");
    assert!(
        json["sections"]["Last probe"]["Served"]
            .as_str()
            .unwrap()
            .starts_with("#1 sbc.example.com")
    );
}

#[test]
fn save_never_lands_on_a_file_the_certificates_came_from() {
    // server.pem holds the leaf and its private key; saving the bundle onto it would lose the key.
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.pem");
    let server_bytes = c.leaf.pem() + &c.leaf.key.serialize_pem();
    std::fs::write(&server, &server_bytes).unwrap();
    std::fs::write(
        dir.path().join("chain.pem"),
        c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let picker = FakePicker::default();
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![dir.path().to_path_buf()]);
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![server.clone()]);
    let mut harness = harness(picker);
    harness
        .get_all_by_label("Open folder…")
        .next()
        .unwrap()
        .click();
    harness.step();
    wait_for_load(&mut harness);
    set_host(&mut harness, "sbc.example.com");
    assert!(harness.state().report().unwrap().passed());
    harness.get_by_label("Save bundle…").click();
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    assert!(
        harness
            .query_by_label_contains("one of the inputs")
            .is_some(),
        "the window says why nothing was written"
    );
    assert_eq!(std::fs::read_to_string(&server).unwrap(), server_bytes);
}

#[test]
fn control_characters_in_a_certificate_show_as_visible_escapes() {
    let c = chain(Alg::P256);
    let mut params = leaf_params("x", &["sbc.example.com"]);
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "\u{1b}[2J\r\nPASS: all good\u{202e}\\x1b",
    );
    let leaf = c.intermediate.issue(params, Alg::P256);
    let mut harness = harness(FakePicker::default());
    drop_bytes(
        &mut harness,
        &[(
            "chain\\x1b.pem",
            (leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    // Escaped once: the ESC as `\x1b`, the literal backslash-x1b with its backslash doubled.
    assert!(
        harness
            .query_all_by_label_contains("\\x1b[2J\\x0d\\x0aPASS: all good\\u202e\\\\x1b")
            .next()
            .is_some(),
        "the leaf's name is shown with visible escapes"
    );
    assert!(
        harness
            .query_all_by_label_contains("\\\\x1b[2J")
            .next()
            .is_none(),
        "no name is escaped twice"
    );
    assert!(
        harness
            .query_all_by_label_contains("chain\\\\x1b.pem")
            .next()
            .is_some(),
        "the file name is shown escaped once"
    );
    assert!(
        harness
            .query_all_by_label_contains("\u{1b}")
            .next()
            .is_none(),
        "no raw escape character anywhere"
    );
    // The change-ticket report the window copies: the same name, escaped once, in text and in
    // Markdown (whose own escapes double every backslash shown).
    use chainsmith::engine::ticket::TicketFormat;
    let text = harness.state().ticket(TicketFormat::Text).unwrap();
    assert!(
        text.contains("\\x1b[2J\\x0d\\x0aPASS: all good\\u202e\\\\x1b"),
        "{text}"
    );
    assert!(
        !text.contains("\\\\x1b[2J") && !text.contains('\u{1b}'),
        "{text}"
    );
    let md = harness.state().ticket(TicketFormat::Markdown).unwrap();
    assert!(
        md.contains("\\\\x1b\\[2J\\\\x0d\\\\x0aPASS: all good\\\\u202e\\\\\\\\x1b"),
        "{md}"
    );
    assert!(!md.contains('\u{1b}'), "{md}");
}

#[test]
fn a_refused_self_signed_rest_endpoint_can_be_trusted_after_a_confirmation() {
    let c = chain(Alg::P256);
    let data = tempfile::tempdir().unwrap();
    // The SBC's management certificate, as `openssl req -x509` makes it (CA:TRUE).
    let served = common::openssl_self_signed(
        data.path(),
        "sbc",
        "/CN=SBC management",
        Some("IP:127.0.0.1"),
    );
    let fingerprint = chainsmith::engine::load("sbc.pem", &served).certificates[0]
        .sha256
        .hex();
    let server = chainsmith::sandbox::start_serving(
        0,
        vec![],
        Some(chainsmith::sandbox::Identity {
            chain_pem: served,
            key_pem: std::fs::read(data.path().join("sbc.key")).unwrap(),
        }),
    )
    .unwrap();
    let mut harness = rest_upload_window(&c);
    {
        let upload = &mut harness.state_mut().upload;
        upload.data_dir = data.path().join("data");
        let mut target = chainsmith::upload::RestTarget::new(&format!(
            "{}/trunk-api/trunks/sbc-3/certificate",
            server.base_url()
        ));
        target.auth = chainsmith::upload::RestAuth::Basic {
            username: chainsmith::sandbox::CLIENT_ID.into(),
        };
        upload.prefs.rest = target;
        upload.set_secret(chainsmith::sandbox::CLIENT_SECRET);
    }
    harness.run();
    click_upload(&mut harness);
    wait_for_upload(&mut harness);
    let finished = harness.state().upload.finished.as_ref().expect("finished");
    assert_eq!(finished.record.result, "failed");
    // The result says what the failure means: nothing was changed (no exit code to decode).
    assert!(
        harness
            .query_by_label_contains(
                "✖ Not sent: the server's certificate for 127.0.0.1 was refused; nothing was changed"
            )
            .is_some()
    );
    assert!(harness.query_by_label_contains("exit code").is_none());
    // What the server showed, in words: subject, issuer, expiry, SHA-256, and why.
    assert!(harness.query_by_label("CN=SBC management").is_some());
    assert!(harness.query_by_label(&fingerprint).is_some());
    assert!(harness.query_by_label("Valid until").is_some());
    assert!(
        harness
            .query_by_label_contains("Refused: it is a CA certificate")
            .is_some()
    );
    // Trusting needs a confirmation; "Don't trust it" changes nothing.
    harness
        .get_by_label("Trust this certificate for this target…")
        .scroll_to_me();
    harness.run();
    harness
        .get_by_label("Trust this certificate for this target…")
        .click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Compare the fingerprint")
            .is_some()
    );
    harness.get_by_label("Don't trust it").click();
    harness.run();
    assert!(harness.state().upload.prefs.rest.pins.is_empty());
    harness
        .get_by_label("Trust this certificate for this target…")
        .scroll_to_me();
    harness.run();
    harness
        .get_by_label("Trust this certificate for this target…")
        .click();
    harness.run();
    harness.get_by_label("Trust this certificate").click();
    harness.run();
    assert_eq!(
        harness.state().upload.prefs.rest.pins,
        vec![fingerprint.clone()]
    );
    assert!(harness.query_by_label("Trusted certificates").is_some());
    // Upload again: it goes through, and the pin is kept with the target's definition.
    click_upload(&mut harness);
    wait_for_upload(&mut harness);
    let finished = harness.state().upload.finished.as_ref().expect("finished");
    assert_eq!(finished.error, None);
    assert_eq!(finished.record.result, "verified");
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    let stored: String = storage.0.values().cloned().collect();
    assert!(stored.contains(&fingerprint), "the pin is remembered");
}

/// The app at 1024×700 (the smallest laptop screen an admin uses), fixed time, no files.
fn small_window() -> Harness<'static, App> {
    let mut app = App::new(None, Box::new(FakePicker::default()));
    app.fixed_now = Some(AT);
    Harness::builder()
        .with_size([1024.0, 700.0])
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
}

/// Nothing drawn on top of anything else: every pair of the named widgets is apart, and every
/// toolbar button is inside the window.
fn assert_no_overlap(harness: &Harness<'_, App>, labels: &[&str]) {
    let rects: Vec<(String, egui::Rect)> = labels
        .iter()
        .flat_map(|l| {
            harness
                .query_all_by_label(l)
                .map(|n| (l.to_string(), n.rect()))
                .collect::<Vec<_>>()
        })
        .collect();
    for (i, (a, ra)) in rects.iter().enumerate() {
        for (b, rb) in &rects[i + 1..] {
            assert!(
                !ra.shrink(0.5).intersects(rb.shrink(0.5)),
                "\"{a}\" {ra:?} overlaps \"{b}\" {rb:?}"
            );
        }
    }
    for button in [
        "Open files…",
        "Probe…",
        "Save bundle…",
        "Upload…",
        "Rotate…",
        "Report",
    ] {
        let r = harness.get_all_by_label(button).next().unwrap().rect();
        assert!(
            r.max.x <= 1024.0,
            "\"{button}\" is cut off at the right: {r:?}"
        );
    }
}

#[test]
fn at_1024_by_700_nothing_overlaps_empty_and_sample() {
    // Empty.
    let mut harness = small_window();
    harness.run();
    assert_no_overlap(
        &harness,
        &["Host name", "Profile", "Validation time", "Trust"],
    );
    harness.snapshot("empty-1024x700");

    // The sample chain: three cards, each with its status, name and buttons apart.
    harness
        .get_all_by_label("Load sample chain")
        .next()
        .unwrap()
        .click();
    harness.run();
    assert_no_overlap(
        &harness,
        &[
            "✔ OK",
            "Details",
            "Remove",
            "sbc1.sample.chainsmith.example",
            "Chainsmith Sample Issuing CA",
            "Chainsmith Sample Root CA",
        ],
    );
    harness.snapshot("sample-1024x700");
}

#[test]
fn at_1024_by_700_an_error_case_names_its_problem_without_overlaps() {
    // The sample's leaf alone (fixed bytes, so the picture is the same on every machine) checked
    // for another name: its issuer missing, the name wrong, and a stray key beside it.
    let mut harness = small_window();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample");
    drop_bytes(
        &mut harness,
        &[
            (
                "sbc1.sample.chainsmith.example.pem",
                std::fs::read(sample.join("sbc1.sample.chainsmith.example.pem")).unwrap(),
            ),
            ("old.key", key(Alg::P256).serialize_pem().into_bytes()),
        ],
    );
    set_host(&mut harness, "sbc1.carrier.example");
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_label_contains(
                "✖ Not ready — the leaf is for sbc1.sample.chainsmith.example, sbc2.sample.chainsmith.example, …, not sbc1.carrier.example (and "
            )
            .is_some()
    );
    assert_no_overlap(&harness, &["Details", "Remove", "Add issuer file…"]);
    harness.snapshot("errors-1024x700");
}

/// Steps until the Rotation window's worker is done (bounded).
fn wait_for_rotation(harness: &mut Harness<'_, App>) {
    for _ in 0..1000 {
        harness.step();
        if !harness.state().rotation.is_running() {
            harness.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the rotation worker did not finish");
}

/// Clicks `opener` in the Rotation window and waits (5 s at most) for the confirmation a worker prepares.
fn open_confirmation(harness: &mut Harness<'_, App>, opener: &str) {
    harness.get_by_label(opener).click();
    wait_until(harness, "the rotation's confirmation", |h| {
        h.state().rotation.confirm.is_some()
    });
    harness.run();
}

/// Clicks `opener` in the Rotation window, waits for its confirmation (prepared on a worker), checks
/// that it names each destination and the certificates sent and that its confirming button is not
/// where the opener was, then clicks `go`. Returns the confirmation's text.
fn confirm_rotation(harness: &mut Harness<'_, App>, opener: &str, go: &str) -> Vec<String> {
    let opened_at = harness.get_by_label(opener).rect();
    let writes_before = harness.state().rotation.is_running();
    assert!(!writes_before);
    open_confirmation(harness, opener);
    let confirm = harness
        .state()
        .rotation
        .confirm
        .clone()
        .unwrap_or_else(|| panic!("no confirmation: {:?}", harness.state().rotation.message));
    assert!(
        !harness.state().rotation.is_running(),
        "nothing runs before the confirmation"
    );
    let button = harness.get_by_label(go).rect();
    assert!(
        !button.intersects(opened_at),
        "the confirming button is not where {opener} was"
    );
    // Kept to be looked at: target/rotation-confirm-<opener>.png.
    if let Ok(image) = harness.render() {
        let _ = image.save(format!(
            "{}/target/rotation-confirm-{}.png",
            env!("CARGO_MANIFEST_DIR"),
            opener.split(' ').next().unwrap_or("x")
        ));
    }
    let lines: Vec<String> = confirm
        .targets
        .iter()
        .flat_map(|t| {
            [t.name.clone(), t.destination.clone(), t.backup.clone()]
                .into_iter()
                .chain(t.sends.iter().cloned())
        })
        .collect();
    harness.get_by_label(go).click();
    harness.step();
    lines
}

/// Write requests (not reads, not tokens) a sandbox received.
fn writes(handle: &chainsmith::sandbox::Handle) -> usize {
    handle
        .received()
        .iter()
        .filter(|r| r.method != "GET" && !r.path.contains("oauth"))
        .count()
}

#[test]
fn rotation_window_opens_a_plan_reads_status_applies_canary_first_and_rolls_back_all() {
    use chainsmith::rotate::Status;
    use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET};
    let eu = sandbox::start(0, vec![]).unwrap();
    let us = sandbox::start(0, vec![]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = chain(Alg::P256);
    std::fs::create_dir_all(dir.path().join("new-certs")).unwrap();
    std::fs::write(
        dir.path().join("new-certs/bundle.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    std::fs::write(dir.path().join("eu.pem"), &eu.certificate_pem).unwrap();
    std::fs::write(dir.path().join("us.pem"), &us.certificate_pem).unwrap();
    let target = |name: &str, h: &sandbox::Handle, ca: &str| {
        format!(
            "\n[[target]]\nname = \"{name}\"\nkind = \"genesys\"\napi_base = \"{b}\"\nlogin_base = \"{b}\"\nclient_id = \"{CLIENT_ID}\"\nca_name = \"Carrier A\"\nca_file = \"{ca}\"\n",
            b = h.base_url()
        )
    };
    let plan = dir.path().join("rotation.toml");
    std::fs::write(
        &plan,
        format!(
            "[bundle]\ninputs = [\"new-certs/\"]\nhost = \"sbc.example.com\"\nat = \"2026-06-01\"\n{}{}",
            target("EU org", &eu, "eu.pem"),
            target("US org", &us, "us.pem")
        ),
    )
    .unwrap();

    let picker = FakePicker::default();
    picker.answers.lock().unwrap().push_back(vec![plan.clone()]);
    let mut harness = harness(picker.clone());
    harness.state_mut().rotation.data_dir = dir.path().join("data");
    harness.get_by_label("Rotate…").click();
    harness.run();
    harness.get_by_label("Open plan…").click();
    harness.run();
    harness.run();
    assert_eq!(
        picker.asked.lock().unwrap().last(),
        Some(&PickRequest::OpenPlan)
    );
    // The plan file is read on a worker.
    wait_for_rotation(&mut harness);
    let names: Vec<String> = harness
        .state()
        .rotation
        .rows
        .iter()
        .map(|r| r.name.clone())
        .collect();
    assert_eq!(
        names,
        ["EU org", "US org"],
        "{:?}",
        harness.state().rotation.plan_error
    );
    // The secrets, typed (never saved).
    for name in ["EU org", "US org"] {
        harness.get_by_label(&format!("Secret for {name}")).focus();
        harness
            .get_by_label(&format!("Secret for {name}"))
            .type_text(CLIENT_SECRET);
    }
    harness.run();

    // Status: read, nothing sent; what each target receives, by name.
    harness.get_by_label("Status").click();
    wait_for_rotation(&mut harness);
    let rows = harness.state().rotation.rows.clone();
    assert!(
        rows.iter().all(|r| r.holds_bundle == Some(false)),
        "{rows:?}"
    );
    assert_eq!((writes(&eu), writes(&us)), (0, 0));
    assert!(
        rows[0].receives.contains("CA certificate")
            && rows[0].receives.contains("Test Intermediate CA"),
        "{rows:?}"
    );
    assert!(harness.query_all_by_label_contains("receives ").count() >= 2);
    // The dry run's request list opens.
    harness.get_by_label("Dry run").click();
    wait_for_rotation(&mut harness);
    let header = harness
        .query_all_by_label_contains(" request(s)")
        .next()
        .expect("the request list")
        .accesskit_node()
        .label()
        .unwrap_or_default();
    assert!(
        harness
            .query_all_by_label_contains("POST ")
            .next()
            .is_none()
    );
    harness.get_all_by_label(&header).next().unwrap().click();
    harness.run();
    assert!(
        harness
            .query_all_by_label_contains("POST ")
            .next()
            .is_some(),
        "the request list opened"
    );
    assert_eq!((writes(&eu), writes(&us)), (0, 0));

    // Apply: a confirmation names the canary's place and what it gets; Esc cancels it, sending
    // nothing; then the canary alone, and the window waits.
    open_confirmation(&mut harness, "Apply (canary first)");
    assert!(harness.query_by_label("Apply to the canary?").is_some());
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.state().rotation.confirm.is_none());
    assert!(
        harness.state().rotation.open,
        "Esc closed the confirmation, not the window"
    );
    assert_eq!((writes(&eu), writes(&us)), (0, 0));
    let said = confirm_rotation(&mut harness, "Apply (canary first)", "Write to EU org");
    assert!(
        said.iter().any(|l| l
            .contains(&format!("Genesys Cloud organisation at {}", eu.base_url()))
            && l.contains("certificate authority \"Carrier A\"")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|l| l.contains("CN=Test Intermediate CA")
                && l.contains(&c.intermediate.sha256()[..16])),
        "{said:?}"
    );
    assert!(!said.iter().any(|l| l.contains("US org")), "{said:?}");
    wait_for_rotation(&mut harness);
    let rows = harness.state().rotation.rows.clone();
    assert_eq!(rows[0].status, Some(Status::Verified), "{rows:?}");
    assert_eq!(rows[1].status, Some(Status::Pending), "{rows:?}");
    assert_eq!((writes(&eu), writes(&us)), (1, 0));
    // Kept to be looked at (the canary done, the window waiting): target/rotation-window.png.
    if let Ok(image) = harness.render() {
        let _ = image.save(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/rotation-window.png"
        ));
    }
    let said = confirm_rotation(
        &mut harness,
        "Continue with the remaining 1",
        "Write to 1 target(s)",
    );
    assert!(
        said.iter()
            .any(|l| l.contains(&format!("Genesys Cloud organisation at {}", us.base_url()))),
        "the continuation names the US org: {said:?}"
    );
    assert!(!said.iter().any(|l| l == "EU org"), "{said:?}");
    wait_for_rotation(&mut harness);
    let rows = harness.state().rotation.rows.clone();
    // The canary was changed by this run (before the pause): it says so after Continue too.
    assert_eq!(rows[0].status, Some(Status::Verified), "{rows:?}");
    assert_eq!(rows[1].status, Some(Status::Verified), "{rows:?}");
    assert!(
        harness
            .query_all_by_label_contains("✔ changed, verified")
            .count()
            >= 2
    );
    assert_eq!((writes(&eu), writes(&us)), (1, 1));
    assert!(
        rows[1]
            .holds
            .iter()
            .any(|h| h.sha256 == c.intermediate.sha256()),
        "{rows:?}"
    );

    // Roll back all: both orgs, the canary included, last first; they held nothing before, so the
    // confirmation says what this run put there is deleted.
    let said = confirm_rotation(&mut harness, "Roll back all", "Roll back 2 target(s)");
    assert!(
        said.iter().filter(|l| l.contains("is deleted")).count() == 2,
        "{said:?}"
    );
    wait_for_rotation(&mut harness);
    let rows = harness.state().rotation.rows.clone();
    assert!(
        rows.iter().all(|r| r.status == Some(Status::RolledBack)),
        "{rows:?} {:?}",
        harness.state().rotation.message
    );
    assert_eq!((writes(&eu), writes(&us)), (2, 2));
    // They held nothing before the rotation, and the table says so.
    assert!(rows.iter().all(|r| r.holds.is_empty()), "{rows:?}");

    // The report of the rollback, copied for the ticket.
    harness.get_by_label("Copy report").click();
    harness.step();
    let copied = harness
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        });
    let copied = copied.unwrap_or_default();
    assert!(
        copied.starts_with("# Certificate rotation rolled back: rotation"),
        "{copied}"
    );
    assert!(!copied.contains(CLIENT_SECRET));
}

#[test]
fn rotation_plan_from_the_loaded_chain_is_edited_and_saved_as_toml() {
    let dir = tempfile::tempdir().unwrap();
    let c = chain(Alg::P256);
    let file = dir.path().join("bundle.pem");
    std::fs::write(&file, c.leaf.pem() + &c.intermediate.pem()).unwrap();
    let saved = dir.path().join("rotation.toml");
    let picker = FakePicker::default();
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![saved.clone()]);
    let mut harness = harness(picker.clone());
    load_with_host(&mut harness, vec![file.clone()], "sbc.example.com");
    // The Upload window's Genesys target becomes the plan's first target.
    harness.state_mut().upload.prefs.client_id = "7c0d-client".into();
    harness.state_mut().upload.prefs.ca_name = "Carrier A".into();
    // …and its REST target the second, its definition written beside the plan.
    harness.state_mut().upload.prefs.rest =
        chainsmith::upload::RestTarget::new("https://sbc-london.example/api/certificate");
    harness.get_by_label("Rotate…").click();
    harness.run();
    harness
        .get_by_label("New plan from the loaded chain")
        .click();
    harness.run();
    // It opens clean: no error about the REST definition not written yet, no stale placeholder.
    harness.run_steps(5);
    assert_eq!(harness.state().rotation.plan_error, None);
    assert!(harness.query_by_label("✔ The plan checks out").is_some());
    assert!(
        harness
            .query_by_label_contains("Plan: not saved yet")
            .is_some()
    );
    assert!(harness.query_by_label_contains("No plan yet").is_none());
    assert!(harness.query_all_by_label("API base").count() >= 1);
    // The form: rename the target.
    let first = harness.get_all_by_label("Name").next().unwrap();
    first.focus();
    first.type_text(" (test first)");
    harness.run_steps(10);
    // An error names the form field, in a place that moves nothing under the pointer.
    let name_y = harness
        .get_all_by_label("Name")
        .next()
        .unwrap()
        .rect()
        .top();
    let secret_var = harness.get_all_by_label("Secret variable").next().unwrap();
    secret_var.focus();
    secret_var.type_text("1");
    harness.run_steps(5);
    let error = harness
        .state()
        .rotation
        .plan_error
        .clone()
        .unwrap_or_default();
    assert!(
        error.starts_with("Target \"Genesys euw2.pure.cloud (test first)\" · Secret variable:"),
        "{error}"
    );
    assert_eq!(
        harness
            .get_all_by_label("Name")
            .next()
            .unwrap()
            .rect()
            .top(),
        name_y,
        "an error line appearing moved the form"
    );
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(5);
    assert_eq!(harness.state().rotation.plan_error, None);
    // A third target: its missing client id is named as the form names it.
    harness.get_by_label("Add Genesys target").click();
    harness.run_steps(5);
    assert_eq!(
        harness.state().rotation.plan_error.as_deref(),
        Some("Target \"Target 3\" · Client id: the Genesys Cloud OAuth client id is needed")
    );
    // Switched to REST: the Genesys fields go with the kind (no "region is for kind = genesys").
    harness.get_all_by_label("REST").last().unwrap().click();
    harness.run_steps(5);
    let third = harness.state().rotation.draft.targets[2].clone();
    assert_eq!(
        (third.region, third.client_id, third.api_base),
        (None, None, None)
    );
    let error = harness
        .state()
        .rotation
        .plan_error
        .clone()
        .unwrap_or_default();
    assert!(
        error.starts_with("Target \"Target 3\" · Definition file:") && !error.contains("line "),
        "{error}"
    );
    harness.get_all_by_label("Remove").last().unwrap().click();
    harness.run_steps(5);
    assert_eq!(harness.state().rotation.plan_error, None);
    harness.get_by_label("Save plan…").click();
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    let text = std::fs::read_to_string(&saved).unwrap();
    let plan = chainsmith::rotate::plan::read(&saved).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(plan.bundle.inputs, std::slice::from_ref(&file), "{text}");
    assert_eq!(plan.bundle.host.as_deref(), Some("sbc.example.com"));
    assert_eq!(plan.targets.len(), 2, "{text}");
    assert_eq!(plan.targets[1].target.kind(), "rest");
    assert!(dir.path().join("rest-target.json").is_file());
    assert_eq!(plan.targets[0].name, "Genesys euw2.pure.cloud (test first)");
    match &plan.targets[0].target {
        chainsmith::upload::Target::Genesys(g) => {
            assert_eq!(g.client_id, "7c0d-client");
            assert_eq!(g.ca_name, "Carrier A");
            assert_eq!(g.api_base, "https://api.euw2.pure.cloud");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        harness.state().rotation.plan_path.as_deref(),
        Some(saved.as_path())
    );
    assert!(harness.state().rotation.plan_error.is_none());
}

#[test]
fn rotation_stop_ends_the_run_between_requests() {
    use chainsmith::rotate::Status;
    use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET, Fault};
    let eu = sandbox::start(0, vec![]).unwrap();
    let us = sandbox::start(0, vec![]).unwrap();
    // The upload's write is slow to answer: the admin presses Stop meanwhile.
    eu.inject(Fault {
        status: 0,
        delay_ms: 1500,
        path_contains: "POST /certificateauthorities".into(),
        ..Fault::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let c = chain(Alg::P256);
    std::fs::write(
        dir.path().join("bundle.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    std::fs::write(dir.path().join("eu.pem"), &eu.certificate_pem).unwrap();
    std::fs::write(dir.path().join("us.pem"), &us.certificate_pem).unwrap();
    let plan = dir.path().join("rotation.toml");
    std::fs::write(
        &plan,
        format!(
            "[bundle]\ninputs = [\"bundle.pem\"]\nhost = \"sbc.example.com\"\nat = \"2026-06-01\"\n\n[[target]]\nname = \"EU org\"\nkind = \"genesys\"\napi_base = \"{b}\"\nlogin_base = \"{b}\"\nclient_id = \"{CLIENT_ID}\"\nca_name = \"Carrier A\"\nca_file = \"eu.pem\"\n\n[[target]]\nname = \"US org\"\nkind = \"genesys\"\napi_base = \"{u}\"\nlogin_base = \"{u}\"\nclient_id = \"{CLIENT_ID}\"\nca_name = \"Carrier A\"\nca_file = \"us.pem\"\n",
            b = eu.base_url(),
            u = us.base_url()
        ),
    )
    .unwrap();
    let mut harness = harness(FakePicker::default());
    harness.state_mut().rotation.data_dir = dir.path().join("data");
    harness.state_mut().rotation.open = true;
    harness.state_mut().rotation.open_plan(&plan);
    wait_for_rotation(&mut harness);
    harness.get_by_label("Secret for EU org").focus();
    harness
        .get_by_label("Secret for EU org")
        .type_text(CLIENT_SECRET);
    harness.get_by_label("Secret for US org").focus();
    harness
        .get_by_label("Secret for US org")
        .type_text(CLIENT_SECRET);
    harness.run();
    confirm_rotation(&mut harness, "Apply (canary first)", "Write to EU org");
    // Stop while the write is at the server (it answers after 1.5 s): waited for, bounded, not slept.
    let write_sent = |eu: &sandbox::Handle| {
        eu.received()
            .iter()
            .any(|r| r.method == "POST" && r.path.contains("/certificateauthorities"))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !write_sent(&eu) {
        assert!(
            std::time::Instant::now() < deadline,
            "the write never reached the server: {:?}",
            eu.received()
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.step();
    assert!(harness.state().rotation.is_running());
    harness.get_by_label("Stop").click();
    wait_for_rotation(&mut harness);
    let rows = harness.state().rotation.rows.clone();
    assert_eq!(rows[0].status, Some(Status::Cancelled), "{rows:?}");
    // The target after it was not reached: cancelled too, shown as not reached (not as an error),
    // and nothing was sent to it.
    assert_eq!(rows[1].status, Some(Status::Cancelled), "{rows:?}");
    assert!(rows[1].error.is_none(), "{rows:?}");
    // The canary's write was sent and not read back: what it holds is not known, and the window
    // says what happened and what to do.
    assert!(
        rows[0].holds.is_empty() && rows[0].holds_bundle.is_none(),
        "{rows:?}"
    );
    assert!(
        harness
            .query_by_label_contains("Stopped after a change was sent")
            .is_some()
    );
    assert!(
        us.received()
            .iter()
            .all(|r| r.method == "GET" || r.path.contains("oauth")),
        "{:?}",
        us.received()
    );
    // The write had been sent: the read-back was not, and the run can be rolled back.
    let reads_after_write = eu
        .received()
        .iter()
        .skip_while(|r| r.method != "POST" || r.path.contains("oauth"))
        .skip(1)
        .count();
    assert_eq!(reads_after_write, 0, "{:?}", eu.received());
    assert!(
        !harness
            .get_by_label("Roll back all")
            .accesskit_node()
            .is_disabled()
    );
}

/// Save bundle… never lands on a file the admin loaded: not the private key listed under "Left
/// out", nor any other file of the loaded folder. (It replaced the key with the bundle before.)
#[test]
fn save_bundle_never_replaces_a_key_left_out_of_the_bundle() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("renewal");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("leaf.pem"), c.leaf.pem()).unwrap();
    std::fs::write(
        folder.join("chain.pem"),
        c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let key = folder.join("server.key");
    let key_pem = c.leaf.key.serialize_pem();
    std::fs::write(&key, &key_pem).unwrap();
    let notes = folder.join("notes.txt");
    std::fs::write(&notes, "renewal ticket 4711\n").unwrap();
    let picker = FakePicker::default();
    for target in [&key, &notes] {
        picker
            .answers
            .lock()
            .unwrap()
            .push_back(vec![target.to_path_buf()]);
    }
    let mut harness = harness(picker.clone());
    load_with_host(&mut harness, vec![folder.clone()], "sbc.example.com");
    for _ in 0..2 {
        harness.get_by_label("Save bundle…").click();
        harness.step();
        harness.step();
        wait_for_load(&mut harness);
    }
    assert_eq!(
        picker.asked.lock().unwrap().len(),
        2,
        "both saves were tried"
    );
    assert_eq!(
        std::fs::read_to_string(&key).unwrap(),
        key_pem,
        "the key is intact"
    );
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "renewal ticket 4711\n"
    );
    assert!(
        harness.query_by_label_contains("not saved").is_some(),
        "the refusal is said"
    );
}

/// A secret typed for one target never goes to another: changing the REST target's host, or the
/// kind of target, clears it (and says so). It was one field shared by every target before: a
/// Genesys client secret typed for one target was sent to a REST target's token URL.
#[test]
fn a_typed_secret_stays_with_the_target_it_was_typed_for() {
    let c = chain(Alg::P256);
    let mut harness = rest_upload_window(&c);
    {
        let upload = &mut harness.state_mut().upload;
        let mut target =
            chainsmith::upload::RestTarget::new("https://sbc-a.example.net/api/certificate");
        target.auth = chainsmith::upload::RestAuth::Basic {
            username: "ops".into(),
        };
        upload.prefs.rest = target;
    }
    harness.run();
    harness.state_mut().upload.set_secret("secret-for-sbc-a");
    harness.run();
    assert!(harness.state().upload.has_typed_secret());
    // Another path on the same API: the same target, the secret stays.
    harness.state_mut().upload.prefs.rest.url =
        "https://sbc-a.example.net/api/v2/certificate".into();
    harness.run();
    assert!(harness.state().upload.has_typed_secret());
    // Another host: cleared, and said.
    harness.state_mut().upload.prefs.rest.url = "https://sbc-b.example.net/api/certificate".into();
    harness.run();
    assert!(!harness.state().upload.has_typed_secret());
    assert!(
        harness
            .query_by_label_contains("The typed secret was cleared: the target changed")
            .is_some()
    );
    // Typed for the REST target, then the kind switched to Genesys Cloud: not carried across.
    harness.state_mut().upload.set_secret("secret-for-sbc-b");
    harness.run();
    harness.get_by_label("Genesys Cloud").scroll_to_me();
    harness.run();
    harness.get_by_label("Genesys Cloud").click();
    harness.run();
    assert!(!harness.state().upload.has_typed_secret());
}

/// A CRL dropped beside the chain is read and used: the revoked leaf's card and the findings say so,
/// and the status line counts the CRL.
#[test]
fn a_crl_dropped_beside_the_chain_is_used() {
    let c = chain(Alg::P256);
    let crl = test_crl(&c.intermediate, Some(&c.leaf), (2026, 7, 1));
    let mut harness = harness(FakePicker::default());
    harness.state_mut().prefs.host = "sbc.example.com".into();
    let pile = c.leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    drop_bytes(
        &mut harness,
        &[("chain.pem", pile.into_bytes()), ("issuing.crl", crl)],
    );
    wait_for_load(&mut harness);
    assert!(
        !harness
            .query_all_by_label_contains("is revoked")
            .collect::<Vec<_>>()
            .is_empty()
    );
    assert!(
        harness.query_by_label_contains("1 CRL(s)").is_some(),
        "the status line counts the CRL"
    );
}

/// "Check revocation": off, nothing is asked of the CA's server and no card has a revocation line; on,
/// the CRLs the chain names are fetched on a worker, the revoked leaf's card says so, the verdict
/// fails, and the choice is remembered in the preferences.
#[test]
fn the_revocation_toggle_fetches_the_crls_and_each_card_has_a_revocation_line() {
    let c = chain(Alg::P256);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec![format!("http://127.0.0.1:{port}/issuing.crl")],
    }];
    let leaf = c.intermediate.issue(params, Alg::P256);
    let crl = test_crl(&c.intermediate, Some(&leaf), (2026, 7, 1));
    let counter = asked.clone();
    std::thread::spawn(move || {
        use std::io::{Read as _, Write as _};
        for mut stream in listener.incoming().flatten() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut request = [0u8; 2048];
            let _ = stream.read(&mut request);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                crl.len()
            );
            let _ = stream.write_all(&crl);
        }
    });

    let mut harness = harness(FakePicker::default());
    harness.state_mut().prefs.host = "sbc.example.com".into();
    let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    drop_bytes(&mut harness, &[("chain.pem", pile.into_bytes())]);
    wait_for_load(&mut harness);
    assert!(harness.state().report().unwrap().passed());
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(
        harness
            .query_all_by_label_contains("Revocation:")
            .next()
            .is_none()
    );

    harness.get_by_label("Check revocation").click();
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    let report = harness.state().report().unwrap();
    assert!(
        errors(report).contains(&"revocation.revoked"),
        "{:?}",
        report.findings
    );
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(
        harness
            .query_by_label_contains("Revocation: REVOKED since 2026-04-01")
            .is_some(),
        "the leaf's card"
    );
    assert!(
        harness
            .query_by_label_contains("Revocation: unknown")
            .is_none()
    );
    assert!(
        harness
            .query_by_label_contains("Revocation: not checked: it names no CRL distribution point")
            .is_some(),
        "the intermediate's card"
    );
    assert!(harness.state().prefs.check_revocation);
    let ticket = harness
        .state()
        .ticket(chainsmith::engine::ticket::TicketFormat::Markdown)
        .unwrap();
    assert!(
        ticket.contains("Revocation (CRLs)") && ticket.contains("- #1: REVOKED since 2026-04-01"),
        "{ticket}"
    );
    // Frames go by: nothing more is asked.
    for _ in 0..5 {
        harness.step();
    }
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// The renewal folder: last year's leaf (still valid) beside this year's, for the same host. The
/// window takes the newest, says why the other is left out, offers "Use this one instead" on the old
/// one only; without a host name the banner is amber and says the names were not checked.
#[test]
fn the_renewal_folder_is_ready_with_the_newest_leaf_and_an_empty_host_is_amber() {
    let c = chain(Alg::P256);
    let mut old = leaf_params("sbc.example.com", &["sbc.example.com"]);
    old.not_before = rcgen::date_time_ymd(2025, 6, 1);
    old.not_after = rcgen::date_time_ymd(2026, 6, 20);
    let old = c.intermediate.issue(old, Alg::P256);
    let mut harness = harness(FakePicker::default());
    drop_bytes(
        &mut harness,
        &[
            ("sbc-2025.pem", old.pem().into_bytes()),
            ("sbc-2026.pem", c.leaf.pem().into_bytes()),
            ("int.pem", c.intermediate.pem().into_bytes()),
            ("root.pem", c.root.pem().into_bytes()),
        ],
    );
    wait_for_load(&mut harness);
    // No host name: the newest is chosen, and the banner is amber, not "Ready" alone.
    assert_eq!(
        harness.state().report().unwrap().chain[0].cert.sha256.hex(),
        c.leaf.sha256()
    );
    assert!(
        harness
            .query_by_label_contains("Checked without a host name — the names were not checked")
            .is_some()
    );
    set_host(&mut harness, "sbc.example.com");
    let report = harness.state().report().unwrap();
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(report.chain[0].cert.sha256.hex(), c.leaf.sha256());
    assert!(
        harness
            .query_by_label_contains("Checked without a host name")
            .is_none()
    );
    assert!(harness.query_by_label_contains("✔ Ready").is_some());
    assert!(harness.query_all_by_label("chain.previous-leaf").count() >= 1);
    assert!(
        harness.query_by_label("Use as leaf").is_none(),
        "no pin offered on a CA"
    );
    // "Use this one instead" is on the old certificate: following it pins the old one.
    harness.get_by_label("Use this one instead").click();
    harness.run();
    assert_eq!(
        harness.state().report().unwrap().chain[0].cert.sha256.hex(),
        old.sha256()
    );
}

/// Words in the window: the root beside an incomplete chain is not "nothing to do", and an expired
/// leaf's fix names what to do here.
#[test]
fn the_root_above_a_missing_intermediate_and_an_expired_leaf_say_what_to_do() {
    let c = chain(Alg::P256);
    let mut harness = harness(FakePicker::default());
    harness.state_mut().prefs.host = "sbc.example.com".into();
    drop_bytes(
        &mut harness,
        &[
            ("leaf.pem", c.leaf.pem().into_bytes()),
            ("root.pem", c.root.pem().into_bytes()),
        ],
    );
    wait_for_load(&mut harness);
    assert!(
        harness
            .query_by_label_contains("the chain stops below it, at \"sbc.example.com\"")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains(
                "with \"Add issuer file…\": then \"Test Root CA\" can complete the chain"
            )
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("Nothing to do if it is not needed")
            .is_none()
    );

    let mut old = leaf_params("sbc.example.com", &["sbc.example.com"]);
    old.not_before = rcgen::date_time_ymd(2025, 1, 1);
    old.not_after = rcgen::date_time_ymd(2025, 12, 31);
    let expired = c.intermediate.issue(old, Alg::P256);
    let mut harness = harness_with_chain(&expired, &c);
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Get the renewed certificate from your CA and drop it here")
            .is_some()
    );
}

fn harness_with_chain(leaf: &Cert, c: &Chain) -> Harness<'static, App> {
    let mut harness = harness(FakePicker::default());
    harness.state_mut().prefs.host = "sbc.example.com".into();
    drop_bytes(
        &mut harness,
        &[(
            "chain.pem",
            (leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    wait_for_load(&mut harness);
    harness
}

/// The label of the focused widget, if any.
fn focused_label(harness: &Harness<'_, App>) -> Option<String> {
    use egui_kittest::kittest::NodeT as _;
    harness
        .query_all(egui_kittest::kittest::By::new().predicate(|n| n.is_focused()))
        .next()
        .map(|n| n.accesskit_node().label().unwrap_or_default())
}

/// The rect of the focused widget, if any.
fn focused_rect(harness: &Harness<'_, App>) -> Option<egui::Rect> {
    harness
        .query_all(egui_kittest::kittest::By::new().predicate(|n| n.is_focused()))
        .next()
        .map(|n| n.rect())
}

/// The labels of the focused widget's ancestors (its window's title among them).
fn focused_ancestors(harness: &Harness<'_, App>) -> Vec<String> {
    use egui_kittest::kittest::NodeT as _;
    let Some(node) = harness
        .query_all(egui_kittest::kittest::By::new().predicate(|n| n.is_focused()))
        .next()
    else {
        return Vec::new();
    };
    let mut labels = Vec::new();
    let mut current = node.accesskit_node().parent();
    while let Some(n) = current {
        labels.push(n.label().unwrap_or_default());
        current = n.parent();
    }
    labels
}

/// Presses Tab until the widget labelled `label` has focus (at most 120 presses).
fn tab_to(harness: &mut Harness<'_, App>, label: &str) {
    for _ in 0..120 {
        if focused_label(harness).as_deref() == Some(label) {
            return;
        }
        harness.key_press(egui::Key::Tab);
        harness.run();
    }
    panic!("Tab never reached \"{label}\"");
}

fn press(harness: &mut Harness<'_, App>, key: egui::Key) {
    harness.key_press(key);
    harness.step();
    harness.step();
}

/// The main flow from the keyboard alone: Ctrl+O (the dialog answers with the files), the host name
/// typed in the field focused at start, the check, Ctrl+S, then Upload… by Tab and Enter: the window
/// takes focus, Tab stays inside it (40 presses never reach the main window), the sandbox rehearsal
/// and its confirmation (which opens on "Don't upload": Enter there cancels), Esc closes; the Rotation
/// window the same, and the save confirmation.
#[test]
fn the_main_flow_runs_from_the_keyboard_and_tab_stays_in_each_window() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let bundle = dir.path().join("bundle.pem");
    let picker = FakePicker::default();
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![dir.path().join("chain.pem")]);
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![bundle.clone()]);
    let mut harness = harness(picker.clone());
    harness.state_mut().upload.data_dir = dir.path().join("data");
    harness.run();
    assert_eq!(focused_label(&harness).as_deref(), Some("Host name"));
    harness
        .get_by_label("Host name")
        .type_text("sbc.example.com");
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.step();
    wait_for_load(&mut harness);
    assert!(harness.state().report().unwrap().passed());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    assert!(bundle.exists(), "Ctrl+S saved the bundle");

    // Upload…: Tab to it, Enter; focus moves into the window.
    tab_to(&mut harness, "Upload…");
    press(&mut harness, egui::Key::Enter);
    harness.run();
    assert!(harness.state().upload.open);
    let window = harness
        .ctx
        .memory(|m| m.area_rect(egui::Id::unique("upload-window")))
        .expect("the Upload window is drawn");
    let first = focused_label(&harness);
    assert!(first.is_some(), "focus entered the window");
    for _ in 0..40 {
        harness.key_press(egui::Key::Tab);
        harness.run();
        let rect = focused_rect(&harness).expect("something has focus");
        assert!(
            window.expand(2.0).contains_rect(rect),
            "Tab left the Upload window for {:?}",
            focused_label(&harness)
        );
    }
    // Shift+Tab from the first widget goes to the last one in the window, not behind it.
    tab_to(&mut harness, first.as_deref().unwrap());
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Tab);
    harness.run();
    harness.run();
    assert!(
        window
            .expand(2.0)
            .contains_rect(focused_rect(&harness).unwrap())
    );

    // The sandbox rehearsal, by keyboard.
    tab_to(&mut harness, "Sandbox (local rehearsal)");
    press(&mut harness, egui::Key::Space);
    wait_for_upload(&mut harness);
    tab_to(&mut harness, "Certificate authority name");
    harness
        .get_by_label("Certificate authority name")
        .type_text("Keyboard CA");
    harness.run();
    tab_to(&mut harness, "Upload");
    press(&mut harness, egui::Key::Enter);
    harness.run();
    assert!(harness.query_by_label("Upload this bundle?").is_some());
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some("Don't upload"),
        "the confirmation opens on the button that cancels"
    );
    tab_to(&mut harness, "Upload now");
    press(&mut harness, egui::Key::Enter);
    wait_for_upload(&mut harness);
    let finished = harness.state().upload.finished.as_ref().expect("finished");
    assert_eq!(finished.record.result, "verified", "{:?}", finished.error);
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(!harness.state().upload.open, "Esc closes the window");

    // The Rotation window: a plan from the loaded chain and its dry run, by keyboard; focus enters,
    // Tab stays, Esc closes. The plan's target: the sandbox's REST endpoint (the Upload window's REST
    // target, set up here as a saved preference would be).
    let (base, pem) = {
        let sandbox = harness
            .state()
            .upload
            .sandbox
            .as_ref()
            .expect("the sandbox runs");
        (sandbox.base_url(), sandbox.certificate_pem.clone())
    };
    std::fs::write(dir.path().join("api-ca.pem"), pem).unwrap();
    {
        let upload = &mut harness.state_mut().upload.prefs;
        upload.rest =
            chainsmith::upload::RestTarget::new(&format!("{base}/trunk-api/trunks/kb/certificate"));
        upload.ca_file = dir.path().join("api-ca.pem").display().to_string();
    }
    tab_to(&mut harness, "Rotate…");
    press(&mut harness, egui::Key::Enter);
    harness.run();
    tab_to(&mut harness, "New plan from the loaded chain");
    press(&mut harness, egui::Key::Enter);
    harness.run();
    wait_for_rotation(&mut harness);
    assert_eq!(harness.state().rotation.plan_error, None);
    tab_to(&mut harness, "Dry run");
    press(&mut harness, egui::Key::Enter);
    wait_for_rotation(&mut harness);
    let rows = harness.state().rotation.rows.clone();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].receives.starts_with("the bundle of 2"),
        "the dry run ran: {rows:?} {:?}",
        harness.state().rotation.message
    );
    for _ in 0..30 {
        harness.key_press(egui::Key::Tab);
        harness.run();
        // Inside the window's scrolled table a widget may lie beyond its visible rect: what counts
        // is that the window holds it.
        let ancestors = focused_ancestors(&harness);
        assert!(
            ancestors.iter().any(|a| a == "Rotation"),
            "Tab left the Rotation window for {:?} ({ancestors:?})",
            focused_label(&harness)
        );
    }
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Rotation").is_none());
}

/// File dialogs start in the folder the certificates came from (a pasted chain: the home folder, not
/// the working folder); with no dialog program, a path field takes its place, filled with that
/// folder and the suggested name, and saving through it writes the file.
#[test]
fn dialogs_start_in_the_inputs_folder_and_a_path_field_stands_in_for_a_missing_dialog() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leaf.pem"), c.leaf.pem()).unwrap();
    let picker = FakePicker::default();
    let mut harness = harness(picker.clone());
    harness.state_mut().prefs.host = "sbc.example.com".into();
    harness
        .state_mut()
        .load_paths(&egui::Context::default(), vec![dir.path().join("leaf.pem")]);
    wait_for_load(&mut harness);
    // "Add issuer file…" under the broken chain asks for files, starting in the leaf's folder.
    harness.get_by_label("Add issuer file…").click();
    harness.run();
    harness.run();
    let start = picker.starts.lock().unwrap().last().cloned().flatten();
    assert_eq!(
        start.map(|p| std::fs::canonicalize(p).unwrap()),
        Some(std::fs::canonicalize(dir.path()).unwrap())
    );

    // No dialog program: Save bundle… offers a path field, filled in.
    *picker.unavailable.lock().unwrap() = true;
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run();
    harness.run();
    if harness
        .query_by_label("Save a bundle with problems?")
        .is_some()
    {
        harness.get_by_label("Save anyway").click();
        harness.run();
        harness.run();
    }
    assert!(harness.query_by_label("Save to which file?").is_some());
    let field = harness.get_by_label("Path");
    let value = field.value().unwrap_or_default();
    assert!(
        value.ends_with("sbc.example.com-bundle.pem")
            && std::path::Path::new(&value)
                .parent()
                .map(|p| std::fs::canonicalize(p).unwrap())
                == Some(std::fs::canonicalize(dir.path()).unwrap()),
        "{value}"
    );
    harness.get_by_label("Save").click();
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    assert!(dir.path().join("sbc.example.com-bundle.pem").is_file());
    assert!(harness.query_by_label("Save to which file?").is_none());

    // A pasted chain has no folder: the dialog starts at home, not in the working folder.
    *picker.unavailable.lock().unwrap() = false;
    let mut harness = harness_with_paste(&picker, &c);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.run();
    let start = picker.starts.lock().unwrap().last().cloned().flatten();
    assert_eq!(start, std::env::home_dir());
}

fn harness_with_paste(picker: &FakePicker, c: &Chain) -> Harness<'static, App> {
    let mut harness = harness(picker.clone());
    harness
        .state_mut()
        .load_bytes(vec![("pasted text".into(), c.leaf.pem().into_bytes())]);
    harness.run();
    harness
}

/// One expiry rule: the card colours a date by the engine's own rule (the warning window is at most a
/// third of the certificate's lifetime), so a 12-day certificate with 10 days left is fine on the
/// card as in the findings.
#[test]
fn the_card_and_the_findings_share_one_expiry_rule() {
    let c = chain(Alg::P256);
    let mut p = leaf_params("sbc.example.com", &["sbc.example.com"]);
    // AT is 2026-06-01: 2 days old, 10 days left.
    p.not_before = rcgen::date_time_ymd(2026, 5, 30);
    p.not_after = rcgen::date_time_ymd(2026, 6, 11);
    let short = c.intermediate.issue(p, Alg::P256);
    let harness = harness_with_chain(&short, &c);
    let report = harness.state().report().unwrap();
    assert!(!codes(report).contains(&"cert.expiring-soon"));
    assert!(
        harness
            .query_by_label_contains("✔ expires in 10 days")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("⚠ expires in 10 days")
            .is_none()
    );
}

/// Teams Direct Routing in the window: the SBC's own root store is chosen and checked for Microsoft's
/// seven 2026 roots (the missing ones named), and the seven can be saved to install them.
#[test]
fn the_teams_profile_checks_the_sbc_trust_store_and_saves_microsofts_roots() {
    let c = chain(Alg::Rsa2048);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sbc-roots.pem");
    let five: String = chainsmith::engine::teams::SBC_TRUST_2026[..5]
        .iter()
        .map(|r| r.pem)
        .collect();
    std::fs::write(&store, five).unwrap();
    let saved = dir.path().join("teams-roots.pem");
    let picker = FakePicker::default();
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![store.clone()]);
    picker
        .answers
        .lock()
        .unwrap()
        .push_back(vec![saved.clone()]);
    let mut harness = harness(picker.clone());
    harness.state_mut().prefs.profile = "teams-direct-routing".into();
    let mut harness = {
        harness.state_mut().prefs.host = "sbc.example.com".into();
        drop_bytes(
            &mut harness,
            &[(
                "chain.pem",
                (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
            )],
        );
        wait_for_load(&mut harness);
        harness
    };
    assert!(!codes(harness.state().report().unwrap()).contains(&"teams.sbc-trust-missing"));
    harness.get_by_label("Choose the SBC's root store…").click();
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    let report = harness.state().report().unwrap();
    let missing = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "teams.sbc-trust-missing")
        .unwrap_or_else(|| panic!("{:?}", report.findings));
    assert!(
        missing.message.contains("2 of the 7"),
        "{}",
        missing.message
    );
    assert!(
        harness.query_by_label("sbc-roots.pem").is_some(),
        "the file chosen is named"
    );

    harness.get_by_label("Save Microsoft's roots…").click();
    harness.step();
    harness.step();
    wait_for_load(&mut harness);
    let written = std::fs::read_to_string(&saved).unwrap();
    assert_eq!(written.matches("BEGIN CERTIFICATE").count(), 7);
}

/// A CA file named in the Upload form is checked in the pre-flight (not after "Upload now"), and a
/// path pasted with quotes (Explorer's "Copy as path") is taken without them.
#[test]
fn the_upload_form_checks_its_ca_file_before_asking_and_takes_quoted_paths() {
    let c = chain(Alg::P256);
    let server = chainsmith::sandbox::start(0, vec![]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("api ca.pem");
    std::fs::write(&ca_file, &server.certificate_pem).unwrap();
    let mut harness = rest_upload_window(&c);
    {
        let upload = &mut harness.state_mut().upload;
        upload.prefs.rest = chainsmith::upload::RestTarget::new(&format!(
            "{}/trunk-api/trunks/sbc-9/certificate",
            server.base_url()
        ));
        upload.prefs.ca_file = dir.path().join("missing.pem").display().to_string();
    }
    harness.run();
    assert!(
        harness
            .query_by_label_contains("missing.pem: not found")
            .is_some()
    );
    assert!(upload_disabled(&harness), "nothing can be sent past it");
    harness.state_mut().upload.prefs.ca_file = format!("\"{}\"", ca_file.display());
    harness.run();
    assert!(harness.query_by_label_contains(": not found").is_none());
    assert!(!upload_disabled(&harness));
}

/// The AudioCodes form: the confirmation names the device, the context, the key and the previous
/// key; the run sends the key then the certificate to the sandbox's AudioCodes stand-in and proves
/// the change by probing the context it serves.
#[test]
fn upload_window_rotates_an_audiocodes_context_naming_device_and_keys() {
    use chainsmith::sandbox::audiocodes;
    let c = chain(Alg::P256);
    let old = chain(Alg::P256);
    let server = chainsmith::sandbox::start(0, vec![]).unwrap();
    server.audiocodes_install(
        audiocodes::SIP_CONTEXT,
        &(old.leaf.pem() + &old.intermediate.pem()),
        &old.leaf.key.serialize_pem(),
    );
    let data = tempfile::tempdir().unwrap();
    let ca_file = data.path().join("api-ca.pem");
    std::fs::write(&ca_file, &server.certificate_pem).unwrap();
    std::fs::write(data.path().join("new.key"), c.leaf.key.serialize_pem()).unwrap();
    std::fs::write(data.path().join("old.key"), old.leaf.key.serialize_pem()).unwrap();
    let mut harness = harness(FakePicker::default());
    harness.state_mut().prefs.host = "sbc.example.com".into();
    drop_bytes(
        &mut harness,
        &[(
            "chain.pem",
            (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        )],
    );
    harness.get_by_label("Upload…").click();
    harness.run();
    harness.get_by_label("AudioCodes SBC").click();
    harness.run();
    // Nothing named yet: the form says what is missing, and Upload stays off.
    assert!(upload_disabled(&harness));
    {
        let upload = &mut harness.state_mut().upload;
        upload.data_dir = data.path().join("data");
        let form = &mut upload.prefs.audiocodes;
        form.url = server.base_url();
        form.user = audiocodes::USER.into();
        form.context = audiocodes::SIP_CONTEXT.to_string();
        // Pasted with Explorer's quotes: taken without them.
        form.previous_key = format!("\"{}\"", data.path().join("old.key").display());
        upload.prefs.key_file = data.path().join("new.key").display().to_string();
        upload.prefs.verify = server.sip_address.to_string();
        upload.prefs.ca_file = ca_file.display().to_string();
        upload.set_secret(chainsmith::sandbox::CLIENT_SECRET);
    }
    harness.run();
    assert!(
        harness
            .query_by_label_contains("goes to this destination only")
            .is_some()
    );
    assert!(!upload_disabled(&harness));
    harness.get_by_label("Upload").click();
    harness.run();
    // The confirmation names the device, the context, the keys and the probe.
    for words in [
        "Target: LIVE — AudioCodes device https://127.0.0.1",
        "(user Admin), TLS context 1",
        "Private key: ",
        "Previous key: ",
        &format!("Then probes {}", server.sip_address),
    ] {
        assert!(
            harness.query_by_label_contains(words).is_some(),
            "the confirmation says {words}"
        );
    }
    harness.get_by_label("Upload now").click();
    harness.step();
    wait_for_upload(&mut harness);
    let finished = harness.state().upload.finished.as_ref().expect("finished");
    assert_eq!(finished.error, None);
    assert_eq!(finished.record.result, "verified");
    assert_eq!(
        openssl_served(&server.sip_address.to_string(), Some("sbc.example.com")),
        vec![c.leaf.sha256(), c.intermediate.sha256()]
    );
    let writes: Vec<String> = server
        .received()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| r.path)
        .collect();
    assert_eq!(
        writes,
        [
            "/api/v1/files/tls/1/privateKey",
            "/api/v1/files/tls/1/certificate",
            "/api/v1/actions/saveConfiguration"
        ]
    );
    // No key and no password in the saved preferences.
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    let stored: String = storage.0.values().cloned().collect();
    assert!(stored.contains("new.key"), "the key's path is remembered");
    assert!(!stored.contains("PRIVATE KEY"));
    assert!(!stored.contains(chainsmith::sandbox::CLIENT_SECRET));
}

/// Files that arrive while a load is under way (a second drop, a hand-over from "Open with") are
/// read after it: both loads end in the window, none cancelled.
#[test]
fn a_second_load_while_one_runs_is_queued_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let c = chain(Alg::P256);
    let many = dir.path().join("folder");
    std::fs::create_dir(&many).unwrap();
    for i in 0..200 {
        std::fs::write(many.join(format!("{i:03}-root.pem")), c.root.pem()).unwrap();
    }
    std::fs::write(many.join("int.pem"), c.intermediate.pem()).unwrap();
    std::fs::write(dir.path().join("leaf.pem"), c.leaf.pem()).unwrap();
    let mut harness = harness(FakePicker::default());
    let ctx = egui::Context::default();
    harness.state_mut().load_paths(&ctx, vec![many]);
    assert!(harness.state().is_loading());
    harness
        .state_mut()
        .load_paths(&ctx, vec![dir.path().join("leaf.pem")]);
    wait_until(&mut harness, "both loads", |h| !h.state().is_loading());
    harness.run();
    // The leaf (second load) chains to the intermediate and root (first load).
    let report = harness.state().report().expect("a report");
    assert_eq!(
        order(report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
}

/// When the first renderer could not start and the window fell back to the other, the status bar says
/// so, with the reason on hover; drawn the usual way it says nothing.
#[test]
fn the_status_bar_says_when_the_window_is_drawn_with_opengl() {
    use chainsmith::gui::{app::DrawnWith, renderer::Renderer};
    let mut harness = harness(FakePicker::default());
    assert!(harness.query_by_label("Drawn with OpenGL").is_none());
    assert!(harness.query_by_label("Drawn with wgpu").is_none());
    harness.state_mut().drawn_with = DrawnWith {
        renderer: Renderer::Wgpu,
        fallback: Some("EGL_NOT_INITIALIZED".to_string()),
    };
    harness.run();
    harness.get_by_label("Drawn with wgpu").hover();
    harness.run();
    assert!(
        harness
            .query_by_label_contains(
                "OpenGL could not be started, so the window is drawn with wgpu: EGL_NOT_INITIALIZED"
            )
            .is_some()
    );
    harness.state_mut().drawn_with = DrawnWith {
        renderer: Renderer::OpenGl,
        fallback: Some("Parent device is lost".to_string()),
    };
    harness.run();
    harness.get_by_label("Drawn with OpenGL").hover();
    harness.run();
    assert!(
        harness
            .query_by_label_contains(
                "could not be started, so the window is drawn with OpenGL: Parent device is lost"
            )
            .is_some()
    );
}
