//! Chainsmith: order, check and bundle TLS certificate chains for SIP trunks.
//!
//! [`engine`] is pure (bytes and time in, report out); [`cli`] is the command line around it.

pub mod aia;
pub mod cli;
pub mod console;
pub mod crldp;
pub mod engine;
pub mod fault;
pub mod fetch;
pub mod files;
#[cfg(feature = "gui")]
pub mod gui;
pub mod holders;
pub mod places;
pub mod prefs;
pub mod probe;
pub mod probe_check;
pub mod proxy;
pub mod rotate;
pub mod sandbox;
pub mod tls;
pub mod upload;
