//! The Genesys Cloud side of an upload: regions, the client-credentials token, EXTERNAL trunks with their
//! status, and the certificate authorities a BYOC Premises edge trusts.
//!
//! This file holds the regions and the reads; `trunks` the trunks, `change` the change.

mod change;
mod trunks;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Phase;
use super::http::Request;
use super::{GenesysTarget, Run, Session, UploadError};
pub(super) use change::apply;
pub use trunks::{BYOC_CLOUD_NOTHING_TO_UPLOAD, ConnectedStatus, Named, Trunk};

/// A Genesys Cloud region: its domain (`login.{domain}`, `api.{domain}`), AWS region and place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub domain: &'static str,
    pub aws: &'static str,
    pub place: &'static str,
}

/// Every region, as the public SDKs list them.
pub const REGIONS: &[Region] = &[
    Region {
        domain: "mypurecloud.com",
        aws: "us-east-1",
        place: "Americas (US East, Virginia)",
    },
    Region {
        domain: "use2.us-gov-pure.cloud",
        aws: "us-east-2",
        place: "Americas (US East 2, FedRAMP)",
    },
    Region {
        domain: "usw2.pure.cloud",
        aws: "us-west-2",
        place: "Americas (US West, Oregon)",
    },
    Region {
        domain: "cac1.pure.cloud",
        aws: "ca-central-1",
        place: "Americas (Canada, Montreal)",
    },
    Region {
        domain: "sae1.pure.cloud",
        aws: "sa-east-1",
        place: "Americas (Sao Paulo)",
    },
    Region {
        domain: "mxc1.pure.cloud",
        aws: "mx-central-1",
        place: "Americas (Mexico)",
    },
    Region {
        domain: "mypurecloud.ie",
        aws: "eu-west-1",
        place: "EMEA (Dublin)",
    },
    Region {
        domain: "euw2.pure.cloud",
        aws: "eu-west-2",
        place: "EMEA (London)",
    },
    Region {
        domain: "mypurecloud.de",
        aws: "eu-central-1",
        place: "EMEA (Frankfurt)",
    },
    Region {
        domain: "euc2.pure.cloud",
        aws: "eu-central-2",
        place: "EMEA (Zurich)",
    },
    Region {
        domain: "mec1.pure.cloud",
        aws: "me-central-1",
        place: "EMEA (UAE)",
    },
    Region {
        domain: "aps1.pure.cloud",
        aws: "ap-south-1",
        place: "Asia Pacific (Mumbai)",
    },
    Region {
        domain: "apne2.pure.cloud",
        aws: "ap-northeast-2",
        place: "Asia Pacific (Seoul)",
    },
    Region {
        domain: "mypurecloud.com.au",
        aws: "ap-southeast-2",
        place: "Asia Pacific (Sydney)",
    },
    Region {
        domain: "mypurecloud.jp",
        aws: "ap-northeast-1",
        place: "Asia Pacific (Tokyo)",
    },
    Region {
        domain: "apne3.pure.cloud",
        aws: "ap-northeast-3",
        place: "Asia Pacific (Osaka)",
    },
    Region {
        domain: "apse1.pure.cloud",
        aws: "ap-southeast-1",
        place: "Asia Pacific (Singapore)",
    },
];

/// The region for a domain or an AWS region name (`euw2.pure.cloud` or `eu-west-2`).
pub fn region(name: &str) -> Option<&'static Region> {
    let name = name.trim().to_ascii_lowercase();
    REGIONS.iter().find(|r| r.domain == name || r.aws == name)
}

/// The API path prefix of everything below.
const EDGES: &str = "/api/v2/telephony/providers/edges";

/// Every entity of a paged Genesys list (`path` with its query, without the page parameters): the
/// official SDK's `*EntityListing` models (`entities, pageSize, pageNumber, total, pageCount, …Uri`),
/// read page by page until `pageCount`.
fn all_pages(session: &mut Session, path: &str) -> Result<Vec<Value>, UploadError> {
    let mut all = Vec::new();
    let separator = if path.contains('?') { '&' } else { '?' };
    for page in 1..=MAX_PAGES {
        let url = format!(
            "{}{EDGES}{path}{separator}pageSize=100&pageNumber={page}",
            session.api_base
        );
        let body = session.call_json(&Request::get(url.clone()), &[])?;
        // A listing without its entities is not "an empty list": what the organisation holds must
        // come from an answer understood whole.
        let Some(entities) = body["entities"].as_array().cloned() else {
            return Err(UploadError::Unexpected(format!(
                "GET {url}: the answer is not a list (no \"entities\")"
            )));
        };
        let count = entities.len();
        all.extend(entities);
        let pages = body["pageCount"].as_u64().unwrap_or(1);
        if count == 0 || page as u64 >= pages {
            return Ok(all);
        }
    }
    Err(UploadError::Unexpected(format!(
        "{path}: the list has more than {MAX_PAGES} pages of 100; Chainsmith reads no further, so it cannot know the whole list"
    )))
}

/// Pages read at most from a list (100 entries each).
const MAX_PAGES: usize = 50;

/// The certificate authorities, every page.
pub fn list_authorities(session: &mut Session) -> Result<Vec<Value>, UploadError> {
    all_pages(session, "/certificateauthorities")
}

/// The EXTERNAL trunks, every page.
pub fn list_trunks(session: &mut Session) -> Result<Vec<Trunk>, UploadError> {
    all_pages(session, "/trunks?trunkType=EXTERNAL")?
        .into_iter()
        .map(|entity| {
            serde_json::from_value(entity).map_err(|e| {
                UploadError::Unexpected(format!("a trunk in the list is not understood: {e}"))
            })
        })
        .collect()
}

/// One trunk.
pub fn trunk(session: &mut Session, id: &str) -> Result<Trunk, UploadError> {
    let url = format!("{}{EDGES}/trunks/{}", session.api_base, segment(id));
    let body = session.call_json(&Request::get(url), &[])?;
    serde_json::from_value(body)
        .map_err(|e| UploadError::Unexpected(format!("trunk {id} is not understood: {e}")))
}

/// The certificate authority named `name` (exact match), read whole. `None` only when the whole list
/// was read and none has that name; two of that name, or one listed that cannot then be read, is an
/// error (which one would a rollback restore?).
pub fn find_authority(session: &mut Session, name: &str) -> Result<Option<Value>, UploadError> {
    let named: Vec<Value> = list_authorities(session)?
        .into_iter()
        .filter(|ca| ca["name"].as_str() == Some(name))
        .collect();
    let found = match named.as_slice() {
        [] => return Ok(None),
        [one] => one,
        _ => {
            return Err(UploadError::Refused(format!(
                "the organisation holds {} certificate authorities named \"{}\"; rename or remove the extra ones first",
                named.len(),
                crate::engine::text::escaped(name)
            )));
        }
    };
    let Some(id) = found["id"].as_str() else {
        return Err(UploadError::Unexpected(format!(
            "the certificate authority \"{}\" is listed without an id",
            crate::engine::text::escaped(name)
        )));
    };
    match get_authority(session, id)? {
        Some(ca) => Ok(Some(ca)),
        None => Err(UploadError::Unexpected(format!(
            "certificate authority {id} is listed but answers 404 when read; try again"
        ))),
    }
}

/// One certificate authority (`None`: it does not exist, as a 404 says). An answer that is not a
/// certificate authority holding a readable certificate is an error.
pub fn get_authority(session: &mut Session, id: &str) -> Result<Option<Value>, UploadError> {
    let url = authority_url(&session.api_base, id);
    let response = session.call(&Request::get(url.clone()), &[404])?;
    if response.status == 404 {
        return Ok(None);
    }
    let ca = response
        .json()
        .ok_or_else(|| UploadError::Unexpected(format!("GET {url}: the answer is not JSON")))?;
    match ca["certificate"].as_str() {
        Some(pem) if !super::fingerprints(pem).is_empty() => Ok(Some(ca)),
        Some(_) => Err(UploadError::Unexpected(format!(
            "GET {url}: its \"certificate\" is not a PEM certificate Chainsmith can read"
        ))),
        None => Err(UploadError::Unexpected(format!(
            "GET {url}: the answer is not a certificate authority (no \"certificate\")"
        ))),
    }
}

fn authority_url(api_base: &str, id: &str) -> String {
    format!("{api_base}{EDGES}/certificateauthorities/{}", segment(id))
}

/// A path segment, percent-encoded.
fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The body of a create or update (the official SDK model `DomainCertificateAuthority`). A new
/// authority is REMOTE for SIP; an update keeps the `type` and `services` the authority has, so a
/// rotation changes the certificate and nothing else.
fn authority_body(
    name: &str,
    description: &str,
    pem: &str,
    version: Option<u64>,
    current: Option<&Value>,
) -> Value {
    let kept = |field: &str, default: Value| {
        current
            .map(|c| c[field].clone())
            .filter(|v| !v.is_null())
            .unwrap_or(default)
    };
    let mut body = json!({
        "name": name,
        "description": description,
        "type": kept("type", json!("REMOTE")),
        "services": kept("services", json!(["SIP"])),
        "certificate": pem,
    });
    if let Some(version) = version {
        body["version"] = json!(version);
    }
    body
}

/// The requests an upload would send after the token (for `--dry-run`).
pub fn planned(target: &GenesysTarget, pem: &str) -> Vec<Request> {
    let mut out = Vec::new();
    for trunk in target.trunks() {
        out.push(Request::get(format!(
            "{}{EDGES}/trunks/{}",
            target.api_base,
            segment(trunk)
        )));
    }
    out.push(Request::get(format!(
        "{}{EDGES}/certificateauthorities?pageSize=100&pageNumber=1",
        target.api_base
    )));
    out.push(Request::json(
        reqwest::Method::POST,
        format!("{}{EDGES}/certificateauthorities", target.api_base),
        &authority_body(&target.ca_name, &target.description, pem, None, None),
    ));
    out.push(Request::json(
        reqwest::Method::PUT,
        format!(
            "{}{EDGES}/certificateauthorities/{{id}}  (instead of the POST, when \"{}\" exists)",
            target.api_base,
            crate::engine::text::escape(&target.ca_name)
        ),
        &{
            let mut body = authority_body(&target.ca_name, &target.description, pem, None, None);
            body["version"] = json!("<its current version>");
            body
        },
    ));
    out
}

/// Runs the Genesys steps after authentication.
/// The PEM the certificate authority named in `target` holds now (`None`: there is none).
pub(super) fn current(
    run: &mut Run,
    target: &GenesysTarget,
) -> Result<Option<String>, UploadError> {
    let current = find_authority(&mut run.session, &target.ca_name)?;
    if let Some(id) = current.as_ref().and_then(|ca| ca["id"].as_str()) {
        run.ids
            .insert("certificateAuthorityId".into(), id.to_string());
    }
    Ok(current
        .as_ref()
        .and_then(|ca| ca["certificate"].as_str())
        .map(String::from))
}
