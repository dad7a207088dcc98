//! `--fetch-missing` against a loopback HTTP server: DER and PKCS#7 answers, a slow one, a huge one,
//! a wrong certificate, and the cache.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::time::Duration;

use chainsmith::aia::{self, FetchOptions};
use chainsmith::engine;
use common::*;

/// Path → answer body.
type Routes = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

/// Answers GET /PATH from a fixed table; counts requests per path.
struct Server {
    port: u16,
    hits: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// What it answers, by path: may grow after it started.
    routes: Routes,
}

fn serve(routes: Vec<(&'static str, Vec<u8>)>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = hits.clone();
    let table: Routes = std::sync::Arc::new(std::sync::Mutex::new(
        routes
            .into_iter()
            .map(|(p, b)| (p.to_string(), b))
            .collect::<Vec<_>>(),
    ));
    let routes = table.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let routes = routes.clone();
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                log.lock().unwrap().push(path.clone());
                let mut stream = stream;
                if path == "/slow" {
                    std::thread::sleep(Duration::from_secs(5));
                }
                let found = routes
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map(|(_, b)| b.clone());
                match found {
                    Some(body) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(&body);
                    }
                    None => {
                        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    }
                }
            });
        }
    });
    Server {
        port,
        hits,
        routes: table,
    }
}

/// A leaf under `issuer` that names `url` as its issuer's location.
fn leaf_pointing_at_issuer(issuer: &Cert, url: &str) -> common::Cert {
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.custom_extensions.push(aia_ca_issuers(url));
    issuer.issue(params, Alg::P256)
}

/// The usual chain, but the leaf names `url` as its issuer's location.
fn leaf_pointing_at(c: &Chain, url: &str) -> common::Cert {
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.custom_extensions.push(aia_ca_issuers(url));
    c.intermediate.issue(params, Alg::P256)
}

fn fetch_options(cache: Option<&std::path::Path>) -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_secs(1),
        cache_dir: cache.map(|p| p.to_path_buf()),
    }
}

#[test]
fn der_and_pkcs7_answers_complete_the_chain_and_are_cached() {
    let c = chain(Alg::P256);
    let stranger = root("Unrelated CA", Alg::P256);
    let server = serve(vec![
        ("/int.der", c.intermediate.der.clone()),
        ("/int.p7c", pkcs7(&[&stranger.der, &c.intermediate.der])),
    ]);
    let cache = tempfile::tempdir().unwrap();
    for path in ["/int.der", "/int.p7c"] {
        let url = format!("http://127.0.0.1:{}{path}", server.port);
        let leaf = leaf_pointing_at(&c, &url);
        let inputs = load(&[
            ("leaf.pem", leaf.pem().as_bytes()),
            ("root.pem", c.root.pem().as_bytes()),
        ]);
        assert!(
            errors(&engine::analyze(&inputs, None, &options(None))).contains(&"chain.incomplete")
        );
        let (report, _, notes) = aia::analyze_fetching(
            &inputs,
            None,
            &options(None),
            &fetch_options(Some(cache.path())),
        );
        assert!(report.passed(), "{path}: {:?} {notes:?}", report.findings);
        assert_eq!(
            order(&report),
            [leaf.sha256(), c.intermediate.sha256(), c.root.sha256()],
            "{path}"
        );
        assert_eq!(report.chain[1].cert.source, format!("fetched from {url}"));
        assert_eq!(notes.len(), 1);
        assert!(!notes[0].from_cache);
        // Second time: from the cache, no request.
        let before = server.hits.lock().unwrap().len();
        let (report, _, notes) = aia::analyze_fetching(
            &inputs,
            None,
            &options(None),
            &fetch_options(Some(cache.path())),
        );
        assert!(report.passed());
        assert!(notes[0].from_cache);
        assert_eq!(server.hits.lock().unwrap().len(), before);
    }
}

#[test]
fn a_stale_cached_answer_is_fetched_again() {
    let c = chain(Alg::P256);
    let server = serve(vec![("/int.der", c.intermediate.der.clone())]);
    let url = format!("http://127.0.0.1:{}/int.der", server.port);
    let cache = tempfile::tempdir().unwrap();
    // The cache holds what the URL served before (another CA's certificate, say after a port reuse).
    let stale = root("Some Earlier CA", Alg::P256);
    std::fs::write(
        cache
            .path()
            .join(chainsmith::engine::Fingerprint::of(url.as_bytes()).hex()),
        &stale.der,
    )
    .unwrap();
    let leaf = leaf_pointing_at(&c, &url);
    let inputs = load(&[
        ("leaf.pem", leaf.pem().as_bytes()),
        ("root.pem", c.root.pem().as_bytes()),
    ]);
    let (report, _, notes) = aia::analyze_fetching(
        &inputs,
        None,
        &options(None),
        &fetch_options(Some(cache.path())),
    );
    assert!(report.passed(), "{:?} {notes:?}", report.findings);
    assert!(!notes[0].from_cache);
    assert_eq!(server.hits.lock().unwrap().len(), 1);
    // The cache now holds the fresh answer.
    let (_, _, notes) = aia::analyze_fetching(
        &inputs,
        None,
        &options(None),
        &fetch_options(Some(cache.path())),
    );
    assert!(notes[0].from_cache && notes[0].added.is_some(), "{notes:?}");
}

#[test]
fn slow_huge_missing_and_wrong_answers_add_nothing() {
    let c = chain(Alg::P256);
    let wrong = root("Wrong CA", Alg::P256).issue(ca_params("Test Intermediate CA"), Alg::P256);
    let server = serve(vec![
        ("/huge", vec![0x30; 2 * 1024 * 1024]),
        ("/wrong", wrong.der.clone()),
    ]);
    for (path, expect) in [
        ("/slow", "no answer in time"),
        ("/huge", "larger than"),
        ("/missing", "404"),
        ("/wrong", "no certificate that signed"),
    ] {
        let url = format!("http://127.0.0.1:{}{path}", server.port);
        let leaf = leaf_pointing_at(&c, &url);
        let inputs = load(&[
            ("leaf.pem", leaf.pem().as_bytes()),
            ("root.pem", c.root.pem().as_bytes()),
        ]);
        let started = std::time::Instant::now();
        let (report, pile, notes) =
            aia::analyze_fetching(&inputs, None, &options(None), &fetch_options(None));
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{path} took {:?}",
            started.elapsed()
        );
        assert!(errors(&report).contains(&"chain.incomplete"), "{path}");
        assert_eq!(pile.certificates.len(), 2, "{path}: nothing added");
        // The code, not only the words: aia.fetch-failed, a warning.
        let report = aia::with_fetch_notes(report, &notes);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.code.as_str() == "aia.fetch-failed"
                    && f.severity == engine::Severity::Warning),
            "{path}: {:?}",
            report.findings
        );
        let problem = notes[0].problem.as_deref().unwrap_or_default();
        assert!(problem.contains(expect), "{path}: {problem}");
    }
}

#[test]
fn cli_fetch_missing_builds_the_complete_bundle() {
    let c = chain(Alg::P256);
    let server = serve(vec![("/int.der", c.intermediate.der.clone())]);
    let url = format!("http://127.0.0.1:{}/int.der", server.port);
    let leaf = leaf_pointing_at(&c, &url);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leaf.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.path().join("root.pem"), c.root.pem()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args([
            "build",
            "leaf.pem",
            "root.pem",
            "--fetch-missing",
            "--at=2026-06-01T00:00:00Z",
            "-o",
            "-",
            "--json",
        ])
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        leaf.pem() + &c.intermediate.pem()
    );
    let report: serde_json::Value = serde_json::from_slice(
        &out.stderr[..out.stderr.iter().rposition(|b| *b == b'}').unwrap() + 1],
    )
    .unwrap();
    assert_eq!(report["chain"][1]["source"], format!("fetched from {url}"));
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "aia.fetched")
    );
    assert!(
        dir.path()
            .join("cache/chainsmith/aia")
            .read_dir()
            .unwrap()
            .next()
            .is_some(),
        "cached in the user's cache folder"
    );
}

/// An https:// caIssuers URL whose server's certificate is not trusted (the sandbox's self-signed
/// one): the note says why in words, and there is no Debug text.
#[test]
fn an_untrusted_https_issuer_url_says_why_in_words() {
    let c = chain(Alg::P256);
    let server = chainsmith::sandbox::start(0, vec![]).unwrap();
    let url = format!("{}/int.der", server.base_url());
    let leaf = leaf_pointing_at(&c, &url);
    let inputs = load(&[
        ("leaf.pem", leaf.pem().as_bytes()),
        ("root.pem", c.root.pem().as_bytes()),
    ]);
    let (report, pile, notes) =
        aia::analyze_fetching(&inputs, None, &options(None), &fetch_options(None));
    assert!(errors(&report).contains(&"chain.incomplete"));
    assert_eq!(pile.certificates.len(), 2);
    let problem = notes[0].problem.as_deref().unwrap_or_default();
    assert!(
        problem.contains("was not issued by a CA this computer trusts"),
        "{problem}"
    );
    assert!(problem.contains("as a file instead"), "{problem}");
    assert!(!problem.contains("UnknownIssuer"), "{problem}");
    assert_eq!(server.requests(), 0);
}

/// A chain five intermediates deep, each naming its issuer's URL: four are fetched, then the limit
/// stops the fetching, and says so.
#[test]
fn fetching_stops_after_four_issuers_and_says_so() {
    // The server first (the URLs need its port), the certificates after.
    let server = serve(Vec::new());
    let url = |n: usize| format!("http://127.0.0.1:{}/i{n}.der", server.port);
    let root = root("Deep Root", Alg::P256);
    // i5 is signed by the root, i4 by i5, …, i1 by i2; each names where its issuer is.
    let mut chain: Vec<Cert> = Vec::new();
    for depth in (1..=5).rev() {
        let mut params = ca_params(&format!("Deep Intermediate {depth}"));
        if depth < 5 {
            params
                .custom_extensions
                .push(aia_ca_issuers(&url(depth + 1)));
        }
        let issuer = chain.last().unwrap_or(&root);
        let cert = issuer.issue(params, Alg::P256);
        server
            .routes
            .lock()
            .unwrap()
            .push((format!("/i{depth}.der"), cert.der.clone()));
        chain.push(cert);
    }
    let i1 = chain.last().unwrap();
    let leaf = leaf_pointing_at_issuer(i1, &url(1));
    let inputs = load(&[
        ("leaf.pem", leaf.pem().as_bytes()),
        ("root.pem", root.pem().as_bytes()),
    ]);
    let (report, pile, notes) =
        aia::analyze_fetching(&inputs, None, &options(None), &fetch_options(None));
    assert_eq!(pile.certificates.len(), 2 + aia::MAX_HOPS, "four fetched");
    assert_eq!(server.hits.lock().unwrap().len(), aia::MAX_HOPS);
    assert!(errors(&report).contains(&"chain.incomplete"));
    let last = notes.last().unwrap();
    assert_eq!(last.url, url(5));
    assert!(
        last.problem
            .as_deref()
            .unwrap_or_default()
            .contains("the limit"),
        "{:?}",
        last.problem
    );
    let report = aia::with_fetch_notes(report, &notes);
    let failed: Vec<&engine::Finding> = report
        .findings
        .iter()
        .filter(|f| f.code.as_str() == "aia.fetch-failed")
        .collect();
    assert_eq!(failed.len(), 1, "{:?}", report.findings);
    assert_eq!(failed[0].severity, engine::Severity::Warning);
    assert_eq!(
        report
            .findings
            .iter()
            .filter(|f| f.code.as_str() == "aia.fetched")
            .count(),
        aia::MAX_HOPS
    );
}
