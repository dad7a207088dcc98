//! `cargo bench --bench gui`: CPU time of one window frame with 1,000 certificates loaded
//! (egui_kittest harness, no GPU: our UI code plus egui's layout and tessellation).

use chainsmith::gui::App;
use chainsmith::gui::picker::{PickRequest, Picked, Picker};
use eframe::egui;
use egui_kittest::Harness;
use rcgen::{Issuer, KeyPair, SerialNumber};

mod support;

use support::params;

fn main() {
    divan::main();
}

struct NoDialogs;

impl Picker for NoDialogs {
    fn pick(
        &self,
        request: PickRequest,
        _: Option<std::path::PathBuf>,
        _: &egui::Context,
        reply: std::sync::mpsc::Sender<Picked>,
    ) {
        let _ = reply.send(Picked {
            request,
            paths: vec![],
            unavailable: None,
        });
    }
}

/// The real chain for sbc.example.com plus 997 leaves of another CA: 1,000 certificates.
fn pile() -> String {
    let key = KeyPair::generate().unwrap();
    let root_params = params("Bench Root", true, vec![]);
    let root = root_params.self_signed(&key).unwrap();
    let root_issuer = Issuer::from_params(&root_params, &key);
    let int_params = params("Bench Intermediate", true, vec![]);
    let int = int_params.signed_by(&key, &root_issuer).unwrap();
    let int_issuer = Issuer::from_params(&int_params, &key);
    let leaf = params("sbc.example.com", false, vec!["sbc.example.com".into()])
        .signed_by(&key, &int_issuer)
        .unwrap();
    let other_params = params("Other CA", true, vec![]);
    let other_issuer = Issuer::from_params(&other_params, &key);
    let mut pem = root.pem() + &int.pem() + &leaf.pem();
    for i in 0..997u32 {
        let mut p = params(
            &format!("host{i}.example.net"),
            false,
            vec![format!("host{i}.example.net")],
        );
        p.serial_number = Some(SerialNumber::from_slice(&(i + 1).to_be_bytes()));
        pem.push_str(&p.signed_by(&key, &other_issuer).unwrap().pem());
    }
    pem
}

#[divan::bench(sample_count = 50)]
fn frame_with_1000_certificates(bencher: divan::Bencher) {
    let mut app = App::new(None, Box::new(NoDialogs));
    app.fixed_now = Some(1_780_272_000);
    app.prefs.host = "sbc.example.com".into();
    app.load_bytes(vec![("pile.pem".into(), pile().into_bytes())]);
    let mut harness = Harness::builder()
        .with_size([1280.0, 820.0])
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    harness.run_steps(3); // the analysis runs once, on the first frame; frames after it are measured
    assert_eq!(
        harness.state().report().map(|r| r.excluded.len()),
        Some(997)
    );
    bencher.bench_local(|| harness.step());
}
