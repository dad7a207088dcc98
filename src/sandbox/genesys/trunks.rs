//! The sandbox's Genesys trunks: four EXTERNAL trunks and an EDGE one, in the shape of the
//! official SDK model `Trunk`, listed with paging and the `trunkType` filter.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{EDGES, Paging, division, error_with, gate, not_found};
use crate::sandbox::Shared;

/// Trunks in the shape of the official SDK model `Trunk`: a top-level `trunkMetabase`, `trunkBase` as
/// a plain reference (`DomainEntityRef`), `trunkType`, `division`, dates and `selfUri`.
pub(crate) fn sample_trunks() -> Vec<Value> {
    let reference = |kind: &str, id: &str, name: &str| json!({"id": id, "name": name, "selfUri": format!("{EDGES}/{kind}/{id}")});
    let trunk = |id: &str,
                 name: &str,
                 trunk_type: &str,
                 in_service: bool,
                 edge_group: Option<(&str, &str)>,
                 base: (&str, &str),
                 metabase: (&str, &str),
                 connected: (bool, &str)| {
        let mut t = json!({
            "id": id, "name": name, "division": division(), "version": 3,
            "dateCreated": "2026-03-02T09:15:00.000Z", "dateModified": connected.1,
            "state": "active", "trunkType": trunk_type,
            "inService": in_service, "enabled": true,
            "trunkBase": reference("trunkbasesettings", base.0, base.1),
            "trunkMetabase": {"id": metabase.0, "name": metabase.1},
            "connectedStatus": {"connected": connected.0, "connectedStateTime": connected.1},
            "selfUri": format!("{EDGES}/trunks/{id}"),
        });
        if let Some((group, group_name)) = edge_group {
            t["edgeGroup"] = reference("edgegroups", group, group_name);
        }
        t
    };
    let generic = ("external_sip.json", "Generic SIP");
    let byoc = ("external_sip_pcv_byoc_carrier.json", "BYOC Carrier");
    vec![
        trunk(
            "trunk-premises-1",
            "Carrier A - Premises",
            "EXTERNAL",
            true,
            Some(("eg-1", "London Edge Group")),
            ("tb-1", "Carrier A SIP TLS"),
            generic,
            (true, "2026-11-20T09:00:00.000Z"),
        ),
        trunk(
            "trunk-cloud-1",
            "Carrier B - BYOC Cloud",
            "EXTERNAL",
            false,
            None,
            ("tb-2", "Carrier B BYOC Cloud"),
            byoc,
            (false, "2026-11-25T22:10:00.000Z"),
        ),
        trunk(
            "trunk-premises-2",
            "Carrier C - Premises (standby)",
            "EXTERNAL",
            false,
            Some(("eg-2", "Manchester Edge Group")),
            ("tb-3", "Carrier C SIP TLS"),
            generic,
            (false, "2026-11-26T07:45:00.000Z"),
        ),
        // A BYOC Cloud trunk that also shows an edge group: only the metabase says what it is.
        trunk(
            "trunk-cloud-2",
            "Carrier D - BYOC Cloud",
            "EXTERNAL",
            true,
            Some(("eg-3", "Cloud Edge Group")),
            ("tb-4", "Carrier D BYOC Cloud"),
            byoc,
            (true, "2026-11-27T08:00:00.000Z"),
        ),
        // An Edge-to-Edge trunk: what the trunkType=EXTERNAL filter leaves out.
        trunk(
            "trunk-edge-1",
            "London Edge - Manchester Edge",
            "EDGE",
            true,
            Some(("eg-1", "London Edge Group")),
            ("tb-5", "Edge to Edge"),
            ("edge_to_edge.json", "Edge to Edge"),
            (true, "2026-11-28T06:30:00.000Z"),
        ),
    ]
}

pub(crate) async fn trunks(
    State(state): State<Shared>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /trunks", true).await {
        return r;
    }
    let paging = match Paging::read(query.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut all = sample_trunks();
    for (k, v) in &paging.rest {
        if k == "trunkType" {
            if !["EXTERNAL", "PHONE", "EDGE"].contains(&v.as_str()) {
                return error_with(
                    StatusCode::BAD_REQUEST,
                    "bad.request",
                    "Invalid value {value} for {field}; allowed: EXTERNAL, PHONE, EDGE",
                    &[("value", v), ("field", "trunkType")],
                );
            }
            all.retain(|t| t["trunkType"] == v.as_str());
        }
    }
    Json(paging.listing(&format!("{EDGES}/trunks"), all)).into_response()
}

pub(crate) async fn trunk(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /trunks/", true).await {
        return r;
    }
    match sample_trunks().into_iter().find(|t| t["id"] == id) {
        Some(t) => Json(t).into_response(),
        None => not_found("Trunk"),
    }
}
