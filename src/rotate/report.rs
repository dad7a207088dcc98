//! The change-ticket report of a rotation run (`rotate --report FILE.md|.html`): what was planned,
//! what each target held before and holds now (subjects, SHA-256, expiry), the timings, the
//! correlation ids, the backups, what the far ends serve, and how to undo it. One page an approver can
//! read, in Markdown or HTML from the same blocks.

use std::fmt::Write as _;
use std::path::Path;

use super::{Held, RunFile, Status};

/// The formats the report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

impl Format {
    /// `.html` / `.htm`: HTML; anything else: Markdown.
    pub fn for_file_name(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".html") || lower.ends_with(".htm") {
            Self::Html
        } else {
            Self::Markdown
        }
    }
}

/// What the report is made from besides the run file.
#[derive(Debug, Clone)]
pub struct Context {
    /// The bundle's verdict, in one line.
    pub verdict: String,
    /// The bundle's certificates, leaf first.
    pub bundle: Vec<Held>,
    /// When the report was made (Unix seconds) and by what (`Chainsmith 0.1.0`).
    pub generated_at: i64,
    pub generator: String,
}

enum Block {
    Heading(u8, String),
    Para(String),
    Table(Vec<&'static str>, Vec<Vec<String>>),
}

/// A value from a plan, a run file or a server (names, paths, ids), shown as
/// [`crate::engine::text::escape`] shows it. The engine's texts (subjects, the verdict, findings)
/// and the errors are shown already; the blocks hold shown text, and the renderers only make it
/// inert for Markdown or HTML, so nothing is escaped twice.
fn shown(value: &str) -> String {
    crate::engine::text::escaped(value)
}

fn short(sha256: &str) -> String {
    sha256.get(..16).unwrap_or(sha256).to_string()
}

fn certificates(held: &[Held]) -> String {
    if held.is_empty() {
        return "nothing".into();
    }
    held.iter()
        .map(|h| {
            format!(
                "{} (SHA-256 {}…, until {})",
                h.subject,
                short(&h.sha256),
                h.not_after.get(..10).unwrap_or(&h.not_after)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn outcome(run: &RunFile) -> String {
    match run.exit_code() {
        0 => "every target holds what was meant for it".into(),
        4 => "a target changed but did not read back as sent: check it now, or roll back".into(),
        _ => {
            let pending = run
                .targets
                .iter()
                .filter(|t| !t.status.is_good() && t.status != Status::RolledBack)
                .count();
            format!("{pending} target(s) not done: see below; running the plan again resumes")
        }
    }
}

fn blocks(run: &RunFile, run_path: &Path, ctx: &Context) -> Vec<Block> {
    let mut out = Vec::new();
    summary(&mut out, run, run_path, ctx);
    bundle(&mut out, ctx);
    targets(&mut out, run);
    far_ends(&mut out, run);
    to_undo(&mut out, run, run_path);
    out
}

/// The title and the run's facts: plan, times, outcome, run file, who made the report.
fn summary(out: &mut Vec<Block>, run: &RunFile, run_path: &Path, ctx: &Context) {
    let title = if run.action == "rollback" {
        format!(
            "Certificate rotation rolled back: {}",
            shown(&run.plan_name)
        )
    } else {
        format!("Certificate rotation: {}", shown(&run.plan_name))
    };
    out.push(Block::Heading(1, title));
    out.push(Block::Table(
        vec!["", ""],
        vec![
            vec!["Plan".into(), shown(&run.plan)],
            vec!["Started".into(), run.started.clone()],
            vec![
                "Finished".into(),
                run.finished
                    .clone()
                    .unwrap_or_else(|| "not finished".into()),
            ],
            vec!["Outcome".into(), outcome(run)],
            vec!["Run file".into(), crate::engine::text::path(run_path)],
            vec![
                "Report".into(),
                format!(
                    "{}, {}",
                    ctx.generator,
                    crate::engine::report::rfc3339(ctx.generated_at)
                ),
            ],
        ],
    ));
}

/// The bundle: its verdict and its certificates.
fn bundle(out: &mut Vec<Block>, ctx: &Context) {
    out.push(Block::Heading(2, "The bundle".into()));
    out.push(Block::Para(ctx.verdict.clone()));
    out.push(Block::Table(
        vec!["#", "Subject", "SHA-256", "Valid until"],
        ctx.bundle
            .iter()
            .enumerate()
            .map(|(i, h)| {
                vec![
                    (i + 1).to_string(),
                    h.subject.clone(),
                    h.sha256.clone(),
                    h.not_after.clone(),
                ]
            })
            .collect(),
    ));
}

/// Every target: a table of results, then each with what it held before and holds now.
fn targets(out: &mut Vec<Block>, run: &RunFile) {
    out.push(Block::Heading(2, "Targets".into()));
    out.push(Block::Table(
        vec![
            "#",
            "Target",
            "Kind",
            "Result",
            "Seconds",
            "Correlation ids",
        ],
        run.targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                vec![
                    (i + 1).to_string(),
                    shown(&t.name),
                    shown(&t.kind),
                    t.status_words(),
                    format!("{:.1}", t.seconds),
                    shown(&t.correlation_ids.join(", ")),
                ]
            })
            .collect(),
    ));
    for (i, t) in run.targets.iter().enumerate() {
        out.push(Block::Heading(3, format!("{}. {}", i + 1, shown(&t.name))));
        let mut rows = vec![
            vec!["Result".into(), t.status_words()],
            vec!["Held before".into(), certificates(&t.before)],
            vec![
                "Holds now".into(),
                if t.after.is_empty()
                    && matches!(t.status, Status::Differs | Status::ChangedUnverified)
                {
                    "unknown: it did not read back as sent".into()
                } else {
                    certificates(&t.after)
                },
            ],
        ];
        if let Some(backup) = &t.backup {
            rows.push(vec!["Backup".into(), shown(backup)]);
        }
        if let Some(error) = &t.error {
            rows.push(vec!["Error".into(), error.clone()]);
        }
        out.push(Block::Table(vec!["", ""], rows));
    }
}

/// What the far ends serve, when the plan names endpoints to probe.
fn far_ends(out: &mut Vec<Block>, run: &RunFile) {
    if !run.verify.is_empty() {
        out.push(Block::Heading(2, "What the far ends serve".into()));
        let rows = run
            .verify
            .iter()
            .map(|v| {
                let found = match &v.error {
                    Some(e) => format!("not probed: {e}"),
                    None => v
                        .findings
                        .iter()
                        .map(|f| {
                            format!(
                                "{} {}: {}",
                                f["severity"].as_str().unwrap_or_default(),
                                f["code"].as_str().unwrap_or_default(),
                                f["message"].as_str().unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                };
                vec![
                    shown(&v.endpoint),
                    v.served
                        .iter()
                        .map(|s| short(s))
                        .collect::<Vec<_>>()
                        .join(", "),
                    found,
                ]
            })
            .collect();
        out.push(Block::Table(
            vec!["Endpoint", "Served (SHA-256)", "Findings"],
            rows,
        ));
    }
}

/// How to undo a rotation that changed something.
fn to_undo(out: &mut Vec<Block>, run: &RunFile, run_path: &Path) {
    if run.action == "apply" && run.targets.iter().any(|t| t.was_changed()) {
        out.push(Block::Heading(2, "To undo".into()));
        out.push(Block::Para(format!(
            "chainsmith rotate --rollback \"{}\" puts every changed target back from its backup, last first.",
            crate::engine::text::path(run_path)
        )));
    }
}

/// Markdown: see [`crate::engine::text::markdown_shown`] (text stays text, in a cell or a
/// paragraph).
fn md(text: &str) -> String {
    crate::engine::text::markdown_shown(text)
}

fn to_markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "{} {}\n", "#".repeat(*level as usize), md(text));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "{}\n", md(text));
            }
            Block::Table(headers, rows) => {
                let _ = writeln!(out, "| {} |", headers.join(" | "));
                let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// HTML: every (shown) text's `& < > "` as entities (and [`crate::engine::text::line_safe`]).
fn html_text(text: &str) -> String {
    crate::engine::text::line_safe(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn to_html(blocks: &[Block]) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading(1, t) => Some(html_text(t)),
            _ => None,
        })
        .unwrap_or_default();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:64em;margin:2em auto;color:#222}}\
         table{{border-collapse:collapse;margin:0.5em 0 1.5em}}td,th{{border:1px solid #ccc;padding:0.3em 0.6em;\
         text-align:left;vertical-align:top}}th{{background:#f3f3f3}}</style>\n</head>\n<body>\n"
    );
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "<h{level}>{}</h{level}>", html_text(text));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "<p>{}</p>", html_text(text));
            }
            Block::Table(headers, rows) => {
                out.push_str("<table>\n");
                if headers.iter().any(|h| !h.is_empty()) {
                    let cells: String = headers.iter().map(|h| format!("<th>{h}</th>")).collect();
                    let _ = writeln!(out, "<tr>{cells}</tr>");
                }
                for row in rows {
                    let cells: String = row
                        .iter()
                        .map(|c| format!("<td>{}</td>", html_text(c)))
                        .collect();
                    let _ = writeln!(out, "<tr>{cells}</tr>");
                }
                out.push_str("</table>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The report of `run` (read from `run_path`) in `format`.
pub fn render(run: &RunFile, run_path: &Path, ctx: &Context, format: Format) -> String {
    let blocks = blocks(run, run_path, ctx);
    match format {
        Format::Markdown => to_markdown(&blocks),
        Format::Html => to_html(&blocks),
    }
}
