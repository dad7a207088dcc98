//! EXTERNAL trunks as Genesys Cloud lists them: BYOC Premises or Cloud, their state, and the
//! checklist an admin reads before a change.

use super::*;

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

pub(super) fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

/// Why a BYOC Cloud trunk gets no upload.
pub const BYOC_CLOUD_NOTHING_TO_UPLOAD: &str = "this is a BYOC Cloud trunk: Genesys Cloud's edges trust the public CAs, and there is no certificate to upload for it. Check the carrier's chain instead (chainsmith probe HOST:5061 --profile genesys-byoc-cloud).";
