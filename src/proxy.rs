//! Which proxy a request goes through. Decided here, not inside reqwest, so that Chainsmith can say
//! which proxy it used (progress, errors, the audit log) and read the settings the way Windows and
//! curl do:
//!
//! - this machine (`localhost`, 127.0.0.0/8, `::1`) is never reached through a proxy;
//! - `--proxy URL` (or the window's setting) names one; `--proxy none` goes direct;
//! - otherwise the environment, as curl reads it: `HTTPS_PROXY` / `https_proxy` for https,
//!   `HTTP_PROXY` / `http_proxy` for http, `ALL_PROXY` for both, and `NO_PROXY` (a comma list of
//!   host names, `.domain` suffixes, `*`, IP addresses and CIDR ranges);
//! - and on Windows, when the environment names none, the user's Internet Settings: `ProxyEnable`,
//!   `ProxyServer` (one `host:port`, or the per-protocol form Group Policy writes,
//!   `http=proxy:3128;https=proxy:3129`) and `ProxyOverride` (`;`-separated, `*` wildcards, and
//!   `<local>`: every host name without a dot).

use serde::{Deserialize, Serialize};

/// What the admin chose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProxyChoice {
    /// The environment, else (Windows) the Internet Settings.
    #[default]
    System,
    /// Always direct.
    None,
    /// This proxy (`http://host:port`), `NO_PROXY` still honoured.
    Url(String),
}

impl ProxyChoice {
    /// `--proxy` as typed: `none`, `system` (or empty), or a proxy URL (`http://` added when no
    /// scheme is given, as curl does).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "" | "system" => return Ok(Self::System),
            "none" | "direct" => return Ok(Self::None),
            _ => {}
        }
        let url = with_scheme(t);
        let parsed = reqwest::Url::parse(&url).map_err(|_| {
            format!("--proxy {t}: not a proxy URL (http://proxy.corp:3128) or none")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(format!(
                "--proxy {t}: an http:// or https:// proxy is needed (http://proxy.corp:3128)"
            ));
        }
        Ok(Self::Url(url))
    }
}

/// A proxy as named in a setting: `http://` added when it has no scheme.
fn with_scheme(text: &str) -> String {
    if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    }
}

/// The settings a choice resolves to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pub http: Option<String>,
    pub https: Option<String>,
    /// Hosts that go direct (`NO_PROXY`, `ProxyOverride`).
    pub bypass: Vec<String>,
    /// `<local>`: host names without a dot go direct.
    pub local: bool,
}

impl Settings {
    /// The settings of `choice` on this machine now.
    pub fn of(choice: &ProxyChoice) -> Self {
        match choice {
            ProxyChoice::None => Self::default(),
            ProxyChoice::Url(url) => Self {
                http: Some(url.clone()),
                https: Some(url.clone()),
                bypass: no_proxy_env(),
                local: false,
            },
            ProxyChoice::System => {
                let from_env = env_settings();
                if from_env.http.is_some() || from_env.https.is_some() {
                    return from_env;
                }
                #[cfg(windows)]
                if let Some(registry) = windows::internet_settings() {
                    return registry;
                }
                from_env
            }
        }
    }

    /// The proxy for `url` (`None`: direct).
    pub fn for_url(&self, url: &reqwest::Url) -> Option<String> {
        if crate::upload::http::is_loopback(url) || self.bypassed(url) {
            return None;
        }
        match url.scheme() {
            "https" => self.https.clone(),
            "http" => self.http.clone(),
            _ => None,
        }
    }

    fn bypassed(&self, url: &reqwest::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let ip: Option<std::net::IpAddr> = host.parse().ok();
        if self.local && ip.is_none() && !host.contains('.') {
            return true;
        }
        self.bypass
            .iter()
            .any(|entry| bypass_matches(entry, &host, ip))
    }
}

/// Whether one `NO_PROXY` / `ProxyOverride` entry covers `host`.
pub fn bypass_matches(entry: &str, host: &str, ip: Option<std::net::IpAddr>) -> bool {
    let entry = entry.trim().to_ascii_lowercase();
    // A port in the entry (`proxy.corp:8080`) is not compared: a host is bypassed on every port.
    let entry = match entry.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            h.to_string()
        }
        _ => entry,
    };
    let entry = entry.trim_start_matches('[').trim_end_matches(']');
    if entry.is_empty() {
        return false;
    }
    if entry == "*" {
        return true;
    }
    if let (Some(ip), Some((net, bits))) = (ip, entry.split_once('/')) {
        return cidr_contains(net, bits, ip);
    }
    if entry.contains('*') {
        return wildcard(entry, host);
    }
    let domain = entry.trim_start_matches('.');
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// `*` matching any run of characters (Windows' ProxyOverride syntax).
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

fn cidr_contains(net: &str, bits: &str, ip: std::net::IpAddr) -> bool {
    let (Ok(net), Ok(bits)) = (net.parse::<std::net::IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (net, ip) {
        (std::net::IpAddr::V4(n), std::net::IpAddr::V4(i)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(n) & mask == u32::from(i) & mask
        }
        (std::net::IpAddr::V6(n), std::net::IpAddr::V6(i)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| std::env::var(n).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
}

fn no_proxy_env() -> Vec<String> {
    env(&["NO_PROXY", "no_proxy"])
        .map(|v| split_list(&v))
        .unwrap_or_default()
}

fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', ' '])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(String::from)
        .collect()
}

fn env_settings() -> Settings {
    let all = env(&["ALL_PROXY", "all_proxy"]);
    Settings {
        https: env(&["HTTPS_PROXY", "https_proxy"])
            .or_else(|| all.clone())
            .map(|p| with_scheme(&p)),
        http: env(&["HTTP_PROXY", "http_proxy"])
            .or(all)
            .map(|p| with_scheme(&p)),
        bypass: no_proxy_env(),
        local: false,
    }
}

/// `ProxyServer` and `ProxyOverride` as Windows stores them, read into settings: one proxy for all, or
/// the per-protocol form (`http=a:80;https=b:443;ftp=…`, other protocols ignored).
pub fn from_internet_settings(server: &str, overrides: &str) -> Settings {
    let mut settings = Settings::default();
    if server.contains('=') {
        for part in server.split(';') {
            if let Some((protocol, proxy)) = part.split_once('=') {
                let proxy = proxy.trim();
                if proxy.is_empty() {
                    continue;
                }
                match protocol.trim().to_ascii_lowercase().as_str() {
                    "http" => settings.http = Some(with_scheme(proxy)),
                    "https" => settings.https = Some(with_scheme(proxy)),
                    _ => {}
                }
            }
        }
    } else if !server.trim().is_empty() {
        let proxy = with_scheme(server.trim());
        settings.http = Some(proxy.clone());
        settings.https = Some(proxy);
    }
    for entry in split_list(overrides) {
        if entry.eq_ignore_ascii_case("<local>") {
            settings.local = true;
        } else {
            settings.bypass.push(entry);
        }
    }
    settings
}

/// The proxy's `host:port`, for messages ("via proxy proxy.corp:3128"): never its credentials.
pub fn shown(proxy: &str) -> String {
    match reqwest::Url::parse(proxy) {
        Ok(u) => format!(
            "{}{}",
            u.host_str().unwrap_or_default(),
            u.port_or_known_default()
                .map(|p| format!(":{p}"))
                .unwrap_or_default()
        ),
        Err(_) => crate::engine::text::escaped(proxy),
    }
}

#[cfg(windows)]
mod windows {
    use super::Settings;

    /// The current user's Internet Settings, when a proxy is enabled there.
    pub fn internet_settings() -> Option<Settings> {
        let key = windows_registry::CURRENT_USER
            .open(r"Software\Microsoft\Windows\CurrentVersion\Internet Settings")
            .ok()?;
        if key.get_u32("ProxyEnable").ok()? == 0 {
            return None;
        }
        let server = key.get_string("ProxyServer").ok()?;
        let overrides = key.get_string("ProxyOverride").unwrap_or_default();
        Some(super::from_internet_settings(&server, &overrides))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(u: &str) -> reqwest::Url {
        reqwest::Url::parse(u).unwrap()
    }

    #[test]
    fn the_per_protocol_form_and_local_are_read_as_windows_means_them() {
        let s = from_internet_settings(
            "http=proxy.corp:3128;https=secure.corp:3129;ftp=ftp.corp:21",
            "*.internal.corp;10.*;<local>",
        );
        assert_eq!(s.http.as_deref(), Some("http://proxy.corp:3128"));
        assert_eq!(s.https.as_deref(), Some("http://secure.corp:3129"));
        assert!(s.local);
        assert_eq!(
            s.for_url(&url("https://api.mypurecloud.com/")).as_deref(),
            Some("http://secure.corp:3129")
        );
        assert_eq!(s.for_url(&url("https://sbc1.internal.corp/")), None);
        assert_eq!(s.for_url(&url("https://10.1.2.3/")), None);
        assert_eq!(
            s.for_url(&url("https://sbc-mgmt/")),
            None,
            "<local>: no dot"
        );
        assert_eq!(s.for_url(&url("https://127.0.0.1:8443/")), None, "loopback");
        assert_eq!(s.for_url(&url("http://[::1]:8443/")), None, "loopback");
        let one = from_internet_settings("proxy.corp:8080", "");
        assert_eq!(
            one.for_url(&url("http://carrier.example/")).as_deref(),
            Some("http://proxy.corp:8080")
        );
    }

    #[test]
    fn no_proxy_entries_as_curl_reads_them() {
        let ip = |t: &str| t.parse().ok();
        assert!(bypass_matches(".example.com", "sbc.example.com", None));
        assert!(bypass_matches("example.com", "example.com", None));
        assert!(bypass_matches("example.com", "a.b.example.com", None));
        assert!(!bypass_matches("example.com", "badexample.com", None));
        assert!(bypass_matches("*", "anything", None));
        assert!(bypass_matches(
            "192.168.0.0/16",
            "192.168.7.9",
            ip("192.168.7.9")
        ));
        assert!(!bypass_matches(
            "192.168.0.0/16",
            "192.169.0.1",
            ip("192.169.0.1")
        ));
        assert!(bypass_matches("fd00::/8", "fd12::1", ip("fd12::1")));
        assert!(bypass_matches("proxy.corp:8080", "proxy.corp", None));
    }

    #[test]
    fn choices_as_typed() {
        assert_eq!(ProxyChoice::parse("").unwrap(), ProxyChoice::System);
        assert_eq!(ProxyChoice::parse("NONE").unwrap(), ProxyChoice::None);
        assert_eq!(
            ProxyChoice::parse("proxy.corp:3128").unwrap(),
            ProxyChoice::Url("http://proxy.corp:3128".into())
        );
        assert!(ProxyChoice::parse("ftp://x").is_err());
        assert_eq!(shown("http://user:pw@proxy.corp:3128"), "proxy.corp:3128");
    }
}
