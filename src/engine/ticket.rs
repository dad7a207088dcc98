//! The change-ticket report: the analysis plus what a ticket needs around it — when and by which
//! version it was made, what each certificate's place in the written bundle is, the bundle file and
//! its SHA-256, and the last probe and upload. In Markdown, plain text and JSON.
//!
//! Pure like the rest of the engine: the time, the version and the probe and upload summaries come
//! in from the caller ([`TicketContext`]).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::bundle::{self, BundleOptions};
use super::checks::date;
use super::finding::{Face, Severity};
use super::report::{Report, rfc3339};
use super::text::escape;

/// What the caller knows that the analysis does not.
#[derive(Debug, Clone, Default)]
pub struct TicketContext {
    /// When the report was made (Unix seconds).
    pub generated_at: i64,
    /// The program and its version, e.g. `Chainsmith 0.1.0`.
    pub generator: String,
    /// What the written bundle holds.
    pub bundle: BundleOptions,
    /// The bundle file last saved: its name and the SHA-256 of its bytes.
    pub bundle_file: Option<(String, String)>,
    /// More sections (the last probe, the last upload): a title and key/value rows, shown text
    /// (each value from outside [`escape`]d where the row was made).
    pub sections: Vec<(String, Vec<(String, String)>)>,
}

/// The formats a ticket report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketFormat {
    Markdown,
    Text,
    Json,
}

impl TicketFormat {
    /// The format a file name asks for: `.json`, `.txt`, else Markdown.
    pub fn for_file_name(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Self::Json
        } else if lower.ends_with(".txt") {
            Self::Text
        } else {
            Self::Markdown
        }
    }
}

/// The report in `format`.
pub fn render(report: &Report, ctx: &TicketContext, format: TicketFormat) -> String {
    match format {
        TicketFormat::Markdown => markdown(report, ctx),
        TicketFormat::Text => text(report, ctx),
        TicketFormat::Json => {
            // Serialising plain strings and numbers cannot fail.
            serde_json::to_string_pretty(&to_json(report, ctx)).unwrap_or_default() + "\n"
        }
    }
}

/// Whether each chain entry is in the written bundle.
fn in_bundle(report: &Report, options: BundleOptions) -> Vec<bool> {
    report
        .chain
        .iter()
        .map(|e| bundle::takes(e.role, options))
        .collect()
}

fn leaf_names(report: &Report) -> Option<String> {
    let leaf = report.leaf()?;
    let names: Vec<String> = leaf.cert.sans.iter().map(|s| s.to_string()).collect();
    Some(if names.is_empty() {
        "(no subjectAltName)".into()
    } else {
        names.join(", ")
    })
}

/// Text for a Markdown cell or line: see [`super::text::markdown`] (control characters, HTML and
/// Markdown syntax made inert). For the report's own text (names, messages, findings), escaped where
/// the engine made it.
fn md(shown: &str) -> String {
    super::text::markdown_shown(shown)
}

fn markdown(report: &Report, ctx: &TicketContext) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Chainsmith report\n");
    let _ = writeln!(
        out,
        "Generated {} by {}.\n",
        rfc3339(ctx.generated_at),
        super::text::markdown(&ctx.generator)
    );
    let _ = writeln!(out, "**{}**\n", md(&report.headline(ctx.bundle)));
    let _ = writeln!(out, "| | |\n|---|---|");
    for (key, value) in overview(report, ctx) {
        let _ = writeln!(out, "| {key} | {} |", md(&value));
    }
    let _ = writeln!(out, "\n## Chain (leaf first)\n");
    let _ = writeln!(
        out,
        "| # | role | in bundle | subject | issuer | not before | not after | key | SHA-256 | source |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    let taken = in_bundle(report, ctx.bundle);
    for (i, e) in report.chain.iter().enumerate() {
        let c = &e.cert;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | `{}` | {} |",
            i + 1,
            e.role.as_str(),
            if taken[i] { "yes" } else { "no" },
            md(&c.subject),
            md(&c.issuer),
            date(c.not_before),
            date(c.not_after),
            c.key,
            c.sha256.hex(),
            md(&c.source)
        );
    }
    if report.chain.iter().any(|e| e.revocation.is_some()) {
        let _ = writeln!(out, "\nRevocation (CRLs):\n");
        for (i, e) in report.chain.iter().enumerate() {
            if let Some(revocation) = &e.revocation {
                let _ = writeln!(out, "- #{}: {}", i + 1, md(&revocation.words()));
            }
        }
    }
    if let Some(names) = leaf_names(report) {
        let _ = writeln!(out, "\nLeaf names (subjectAltName): {}", md(&names));
    }
    let _ = writeln!(out, "\n## Findings\n");
    if report.findings.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for f in &report.findings {
        let _ = writeln!(
            out,
            "- **{}** `{}` {}",
            f.severity.as_str(),
            f.code.as_str(),
            md(&f.message)
        );
        if f.severity != Severity::Info {
            let _ = writeln!(out, "  - fix: {}", md(&report.fix(f, Face::Window)));
        }
    }
    if !report.excluded.is_empty() {
        let _ = writeln!(out, "\n## Left out of the bundle\n");
        for e in &report.excluded {
            let _ = writeln!(
                out,
                "- {} (`{}`, {}): `{}`",
                md(&e.cert.display_name()),
                e.cert.sha256.short(),
                md(&e.source),
                e.reason.as_str()
            );
        }
    }
    for (title, rows) in &ctx.sections {
        let _ = writeln!(out, "\n## {}\n", md(title));
        let _ = writeln!(out, "| | |\n|---|---|");
        for (key, value) in rows {
            let _ = writeln!(out, "| {} | {} |", md(key), md(value));
        }
    }
    out
}

/// The overview rows shared by the Markdown and text forms.
fn overview(report: &Report, ctx: &TicketContext) -> Vec<(&'static str, String)> {
    let anchor = match &report.anchor {
        super::report::AnchorKind::Certificate => "the root in the chain".to_string(),
        super::report::AnchorKind::Public(subject) => {
            format!("public root {subject} (not in the bundle)")
        }
        super::report::AnchorKind::Untrusted => "an untrusted root".to_string(),
        super::report::AnchorKind::None => "none reached".to_string(),
    };
    let taken = in_bundle(report, ctx.bundle);
    let count = taken.iter().filter(|t| **t).count();
    let bundle = match &ctx.bundle_file {
        Some((name, sha)) => format!(
            "{}, {count} certificate(s), SHA-256 {sha}",
            super::text::escape(name)
        ),
        None => format!("{count} certificate(s), not saved yet"),
    };
    vec![
        (
            "Host",
            report
                .host
                .as_deref()
                .map_or_else(|| "(none)".into(), |h| escape(h).into_owned()),
        ),
        ("Profile", report.profile.as_str().to_string()),
        ("Validation time", rfc3339(report.at)),
        ("Trust anchor", anchor),
        ("Bundle", bundle),
    ]
}

fn text(report: &Report, ctx: &TicketContext) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Chainsmith report, generated {} by {}",
        rfc3339(ctx.generated_at),
        escape(&ctx.generator)
    );
    let _ = writeln!(out, "{}\n", report.headline(ctx.bundle));
    for (key, value) in overview(report, ctx) {
        let _ = writeln!(out, "{key:<16} {value}");
    }
    let _ = writeln!(out, "\nChain (leaf first):");
    let taken = in_bundle(report, ctx.bundle);
    for (i, e) in report.chain.iter().enumerate() {
        let c = &e.cert;
        let _ = writeln!(
            out,
            "{}. [{}{}] {}\n     issuer   {}\n     valid    {} → {}\n     sha256   {}",
            i + 1,
            e.role.as_str(),
            if taken[i] {
                ", in bundle"
            } else {
                ", not in bundle"
            },
            c.subject,
            c.issuer,
            date(c.not_before),
            date(c.not_after),
            c.sha256.hex()
        );
        if let Some(revocation) = &e.revocation {
            let _ = writeln!(out, "     crl      {}", revocation.words());
        }
    }
    if let Some(names) = leaf_names(report) {
        let _ = writeln!(out, "Leaf names: {names}");
    }
    let _ = writeln!(out, "\nFindings:");
    if report.findings.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for f in &report.findings {
        let _ = writeln!(
            out,
            "  {} {} {}",
            f.severity.as_str(),
            f.code.as_str(),
            f.message
        );
        if f.severity != Severity::Info {
            let _ = writeln!(out, "     fix: {}", report.fix(f, Face::Window));
        }
    }
    for (title, rows) in &ctx.sections {
        let _ = writeln!(out, "\n{}:", super::text::line_safe(title));
        for (key, value) in rows {
            let _ = writeln!(
                out,
                "  {}: {}",
                super::text::line_safe(key),
                super::text::line_safe(value)
            );
        }
    }
    out
}

fn to_json(report: &Report, ctx: &TicketContext) -> Value {
    let mut json = report.to_json();
    let taken = in_bundle(report, ctx.bundle);
    if let Some(chain) = json["chain"].as_array_mut() {
        for (entry, taken) in chain.iter_mut().zip(taken.iter()) {
            entry["in_bundle"] = Value::Bool(*taken);
        }
    }
    json["generated_at"] = Value::String(rfc3339(ctx.generated_at));
    json["generator"] = Value::String(ctx.generator.clone());
    json["headline"] = Value::String(report.headline(ctx.bundle));
    json["bundle"] = json!({
        "file": ctx.bundle_file.as_ref().map(|(name, _)| name.clone()),
        "sha256": ctx.bundle_file.as_ref().map(|(_, sha)| sha.clone()),
        "certificates": taken.iter().filter(|t| **t).count(),
    });
    let sections: serde_json::Map<String, Value> = ctx
        .sections
        .iter()
        .map(|(title, rows)| {
            let rows: serde_json::Map<String, Value> = rows
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            (title.clone(), Value::Object(rows))
        })
        .collect();
    json["sections"] = Value::Object(sections);
    json
}
