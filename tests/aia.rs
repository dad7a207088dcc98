//! `--fetch-missing` against a loopback HTTP server: DER and PKCS#7 answers, a slow one, a huge one,
//! a wrong certificate, and the cache.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::time::Duration;

use chainsmith::aia::{self, FetchOptions};
use chainsmith::engine;
use common::*;

/// Answers GET /PATH from a fixed table; counts requests per path.
struct Server {
    port: u16,
    hits: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn serve(routes: Vec<(&'static str, Vec<u8>)>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = hits.clone();
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
                match routes.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(body);
                    }
                    None => {
                        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    }
                }
            });
        }
    });
    Server { port, hits }
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
