//! The Genesys Cloud side of an upload: regions, the client-credentials token, EXTERNAL trunks with their
//! status, and the certificate authorities a BYOC Premises edge trusts.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Phase;
use super::http::Request;

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

/// An EXTERNAL trunk and its status (read-only). Mirrors the official SDK model `Trunk`
/// (PureCloudPlatformClientV2 `models/trunk.py`: `id, name, version, state, trunkType, edge,
/// trunkBase, trunkMetabase, edgeGroup, inService, enabled, connectedStatus, …, selfUri`): the fields
/// Chainsmith reads. `trunkMetabase` is a top-level field there; `trunkBase` is a plain reference.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Trunk {
    pub id: String,
    pub name: String,
    pub state: Option<String>,
    /// `EXTERNAL`, `PHONE` or `EDGE`.
    pub trunk_type: Option<String>,
    pub in_service: Option<bool>,
    pub enabled: Option<bool>,
    pub edge_group: Option<Named>,
    pub trunk_base: Option<Named>,
    pub trunk_metabase: Option<Named>,
    pub connected_status: Option<ConnectedStatus>,
    pub self_uri: Option<String>,
}

/// A reference to another entity. Mirrors the official SDK's `DomainEntityRef` (`id, name, selfUri`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Named {
    pub id: String,
    pub name: Option<String>,
    pub self_uri: Option<String>,
}

/// Whether the trunk is connected. Mirrors the official SDK model `TrunkConnectedStatus`
/// (`connected, connectedStateTime`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectedStatus {
    pub connected: Option<bool>,
    pub connected_state_time: Option<String>,
}

impl Trunk {
    /// BYOC Cloud trunks run on Genesys's own edges: their top-level `trunkMetabase` is a `pcv_byoc`
    /// one (`external_sip_pcv_byoc_carrier.json`), whatever edge group the trunk shows. They trust public
    /// CAs and take no certificate upload. Only when the API sends no metabase at all (the model allows
    /// it to be absent) does a trunk without an edge group count as BYOC Cloud.
    pub fn is_byoc_cloud(&self) -> bool {
        match &self.trunk_metabase {
            Some(metabase) => {
                let id = metabase.id.to_ascii_lowercase();
                id.contains("pcv_byoc") || id.contains("byoc_carrier")
            }
            None => self.edge_group.is_none(),
        }
    }

    /// The trunk type as the API names it, or "unknown".
    pub fn kind(&self) -> &str {
        self.trunk_type.as_deref().unwrap_or("unknown")
    }

    /// The pre-flight checklist: (passed, line).
    pub fn checklist(&self) -> Vec<(bool, String)> {
        let state = self.state.as_deref().unwrap_or("unknown");
        let mut lines = vec![
            (
                state.eq_ignore_ascii_case("active"),
                format!("trunk state: {state}"),
            ),
            (
                self.in_service == Some(true),
                format!("in service: {}", yes_no(self.in_service)),
            ),
            (
                self.connected_status.as_ref().and_then(|c| c.connected) == Some(true),
                format!(
                    "connected: {}{}",
                    yes_no(self.connected_status.as_ref().and_then(|c| c.connected)),
                    self.connected_status
                        .as_ref()
                        .and_then(|c| c.connected_state_time.as_deref())
                        .map(|t| format!(" (since {t})"))
                        .unwrap_or_default()
                ),
            ),
        ];
        lines.push(match &self.edge_group {
            Some(group) => (
                true,
                format!("edge group: {}", group.name.as_deref().unwrap_or(&group.id)),
            ),
            None => (true, "edge group: none (BYOC Cloud)".to_string()),
        });
        lines
    }
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

/// Why a BYOC Cloud trunk gets no upload.
pub const BYOC_CLOUD_NOTHING_TO_UPLOAD: &str = "this is a BYOC Cloud trunk: Genesys Cloud's edges trust the public CAs, and there is no certificate to upload for it. Check the carrier's chain instead (chainsmith probe HOST:5061 --profile genesys-byoc-cloud).";

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

pub(super) fn apply(
    run: &mut Run,
    target: &GenesysTarget,
    wanted: Option<&str>,
) -> Result<(), UploadError> {
    preflight_trunks(run, target)?;
    run.started(Phase::ReadCurrent);
    let current = find_authority(&mut run.session, &target.ca_name).map_err(|e| match e {
        UploadError::Refused(_) => e,
        e => e.reading(&format!(
            "certificate authority \"{}\" at {}",
            crate::engine::text::escaped(&target.ca_name),
            target.api_base
        )),
    })?;
    let current_pem = current
        .as_ref()
        .and_then(|ca| ca["certificate"].as_str())
        .map(String::from);
    if let Some(id) = current.as_ref().and_then(|ca| ca["id"].as_str()) {
        run.ids
            .insert("certificateAuthorityId".into(), id.to_string());
    }
    run.done(
        Phase::ReadCurrent,
        match &current {
            Some(ca) => format!(
                "certificate authority \"{}\" exists (version {})",
                crate::engine::text::escape(&target.ca_name),
                ca["version"].as_u64().unwrap_or(0)
            ),
            None => format!(
                "no certificate authority named \"{}\" yet",
                crate::engine::text::escape(&target.ca_name)
            ),
        },
    );
    if run.already_held(current_pem.as_deref()) {
        return Ok(());
    }
    run.back_up(
        current.clone().unwrap_or(Value::Null),
        current_pem.as_deref(),
    )?;

    run.started(Phase::Upload);
    let after = put_authority(run, target, current.as_ref(), wanted)?;
    verify_authority(run, after, wanted)
}

/// Each trunk the target names is read and must be a BYOC Premises trunk (BYOC Cloud has nothing to
/// upload); its checklist goes into the run's notes, its id and name into the record.
fn preflight_trunks(run: &mut Run, target: &GenesysTarget) -> Result<(), UploadError> {
    for (n, id) in target.trunks().enumerate() {
        run.started(Phase::Preflight);
        let trunk = trunk(&mut run.session, id)?;
        // trunkId, then trunkId2, trunkId3… when a plan names several.
        let suffix = if n == 0 {
            String::new()
        } else {
            (n + 1).to_string()
        };
        run.ids.insert(format!("trunkId{suffix}"), trunk.id.clone());
        run.ids
            .insert(format!("trunkName{suffix}"), trunk.name.clone());
        for (ok, line) in trunk.checklist() {
            run.note(if ok {
                format!("ok: {}", crate::engine::text::escape(&line))
            } else {
                format!("warning: {}", crate::engine::text::escape(&line))
            });
        }
        if trunk.is_byoc_cloud() {
            return Err(UploadError::Refused(format!(
                "trunk \"{}\": {BYOC_CLOUD_NOTHING_TO_UPLOAD}",
                crate::engine::text::escape(&trunk.name)
            )));
        }
        run.done(
            Phase::Preflight,
            format!(
                "trunk \"{}\" is a BYOC Premises trunk",
                crate::engine::text::escape(&trunk.name)
            ),
        );
    }

    Ok(())
}

/// The change: delete, create or update the certificate authority; its id afterwards (`None` when
/// nothing was there and nothing is to be).
fn put_authority(
    run: &mut Run,
    target: &GenesysTarget,
    current: Option<&Value>,
    wanted: Option<&str>,
) -> Result<Option<String>, UploadError> {
    let api_base = run.session.api_base.clone();
    Ok(match (current, wanted) {
        (None, None) => {
            run.done(Phase::Upload, "nothing to remove: it does not exist".into());
            None
        }
        (Some(ca), None) => {
            let id = ca["id"].as_str().unwrap_or_default().to_string();
            run.change(
                &Request {
                    method: reqwest::Method::DELETE,
                    ..Request::get(authority_url(&api_base, &id))
                },
                &[],
            )?;
            run.done(Phase::Upload, format!("deleted certificate authority {id}"));
            Some(id)
        }
        (None, Some(pem)) => {
            let request = Request::json(
                reqwest::Method::POST,
                format!("{api_base}{EDGES}/certificateauthorities"),
                &authority_body(&target.ca_name, &target.description, pem, None, None),
            );
            let created = run.change(&request, &[])?.json().ok_or_else(|| {
                UploadError::Unexpected("the created certificate authority is not JSON".into())
            })?;
            let id = created["id"].as_str().unwrap_or_default().to_string();
            run.ids.insert("certificateAuthorityId".into(), id.clone());
            run.done(Phase::Upload, format!("created certificate authority {id}"));
            Some(id)
        }
        (Some(ca), Some(pem)) => {
            let id = ca["id"].as_str().unwrap_or_default().to_string();
            update_authority(run, target, &api_base, ca, pem)?;
            Some(id)
        }
    })
}

/// Updates the certificate authority `ca` to hold `pem`: with the version read, and on a 409 (the
/// server holds another version than was read) once more after reading it again.
fn update_authority(
    run: &mut Run,
    target: &GenesysTarget,
    api_base: &str,
    ca: &Value,
    pem: &str,
) -> Result<(), UploadError> {
    let id = ca["id"].as_str().unwrap_or_default().to_string();
    let mut version = ca["version"].as_u64();
    let mut held = ca.clone();
    let mut retried = false;
    loop {
        let request = Request::json(
            reqwest::Method::PUT,
            authority_url(api_base, &id),
            &authority_body(
                &target.ca_name,
                &target.description,
                pem,
                version,
                Some(&held),
            ),
        );
        let response = run.change(&request, &[409])?;
        if response.status != 409 {
            let v = response.json().and_then(|v| v["version"].as_u64());
            run.done(
                Phase::Upload,
                format!(
                    "updated certificate authority {id} (now version {})",
                    v.unwrap_or(0)
                ),
            );
            break;
        }
        if retried {
            return Err(UploadError::conflict(
                &response,
                "again after re-reading it",
            ));
        }
        retried = true;
        run.note(format!(
            "the server holds another version of {id} than we read ({}); re-reading it and retrying once",
            crate::engine::text::escape(&response.message())
        ));
        let fresh = get_authority(&mut run.session, &id)?;
        version = fresh.as_ref().and_then(|ca| ca["version"].as_u64());
        if let Some(fresh) = fresh {
            held = fresh;
        }
    }
    Ok(())
}

/// The read-back: the certificate authority holds exactly what was sent (or is gone, for a
/// rollback to nothing), and Genesys Cloud's own view marks none of it invalid.
fn verify_authority(
    run: &mut Run,
    after: Option<String>,
    wanted: Option<&str>,
) -> Result<(), UploadError> {
    run.started(Phase::Verify);
    let Some(id) = after else {
        run.verified("nothing was there and nothing is".into());
        return Ok(());
    };
    let now = get_authority(&mut run.session, &id)?;
    let now_pem = now.as_ref().and_then(|ca| ca["certificate"].as_str());
    run.compare(wanted, now_pem)?;
    if wanted.is_none() {
        run.verified(format!(
            "certificate authority {id} is gone, as it was absent before"
        ));
        return Ok(());
    }
    if let Some(ca) = &now {
        let details = ca["certificateDetails"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut bad = Vec::new();
        for d in &details {
            let text = |key: &str| d[key].as_str().unwrap_or("?").to_string();
            let view = super::ServerView {
                subject: text("subject"),
                issuer: text("issuer"),
                expires: text("expirationDate"),
                valid: d["valid"].as_bool(),
                signature_valid: d["signatureValid"].as_bool(),
                expired: d["expired"].as_bool(),
            };
            if view.is_bad() {
                bad.push(view.line());
            }
            run.details.push(view);
        }
        if !bad.is_empty() {
            return Err(UploadError::Differs(format!(
                "Genesys Cloud marks {} certificate(s) we sent as not valid: {}",
                bad.len(),
                crate::engine::text::escape(&bad.join("; "))
            )));
        }
    }
    run.verified(format!(
        "certificate authority {id} holds exactly the {} certificate(s) sent",
        run.payload_count()
    ));
    Ok(())
}

use super::{GenesysTarget, Run, Session, UploadError};
