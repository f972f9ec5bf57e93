//! The findings of [`super::compare`], judged against `codegen.toml
//! [breaking]` (which axes fail, which changes are accepted) and rendered:
//! as text in cargo's voice, as JSON for tools, as Markdown for a pull
//! request's comment.
//!
//! ```text
//! error: client source, client wire: response property `email` removed
//!   --> HEAD:openapi.json#/components/schemas/User/properties/email
//!   = reaches: read_user, list_users
//!   = id: response-property-removed@/components/schemas/User/properties/email
//! ```
//!
//! The level says what the change does to `check`: `error` breaks an axis
//! of `fail-on`, `warning` breaks only other axes, `note` breaks none (or
//! is accepted in `[breaking.ignore]`, with the reason shown).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Axis, BreakingConfig, Finding};

/// How `cargo xtask diff` writes its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Cargo's voice, for a terminal.
    #[default]
    Text,
    /// For tools.
    Json,
    /// For a pull request's comment.
    Markdown,
}

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Breaks an axis that fails the run.
    Error,
    /// Breaks only axes that do not fail the run.
    Warning,
    /// Breaks no axis, or is accepted in `[breaking.ignore]`.
    Note,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// A finding and, when `[breaking.ignore]` accepts it, the reason.
#[derive(Debug, Clone)]
pub struct Entry {
    pub finding: Finding,
    pub ignored: Option<String>,
    pub level: Level,
}

/// Every finding between two specs, judged.
#[derive(Debug, Clone)]
pub struct Report {
    /// How the old spec is named (`HEAD:openapi.json`).
    pub base: String,
    /// How the new one is named (`openapi.json`).
    pub spec: String,
    pub fail_on: Vec<Axis>,
    pub entries: Vec<Entry>,
}

impl Report {
    pub fn new(base: &str, spec: &str, findings: Vec<Finding>, config: &BreakingConfig) -> Self {
        let entries = findings
            .into_iter()
            .map(|finding| {
                let ignored = config.ignore.iter().find(|(key, _)| finding.matches(key)).map(|(_, why)| why.clone());
                let level = if ignored.is_some() || finding.axes.is_empty() {
                    Level::Note
                } else if finding.axes.iter().any(|a| config.fail_on.contains(a)) {
                    Level::Error
                } else {
                    Level::Warning
                };
                Entry { finding, ignored, level }
            })
            .collect();
        Self { base: base.into(), spec: spec.into(), fail_on: config.fail_on.clone(), entries }
    }

    fn count(&self, level: Level) -> usize {
        self.entries.iter().filter(|e| e.level == level).count()
    }

    /// How many findings break an axis of `fail-on` (and are not accepted).
    pub fn failing(&self) -> usize {
        self.count(Level::Error)
    }

    fn fail_on_list(&self) -> String {
        let axes: Vec<&str> = self.fail_on.iter().map(|a| a.code()).collect();
        if axes.is_empty() { "none".into() } else { axes.join(", ") }
    }

    /// One line: how many changes, of which kind.
    pub fn summary(&self) -> String {
        let n = self.entries.len();
        if n == 0 {
            return "no changes".into();
        }
        let mut parts = vec![format!("{} on a failing axis", self.failing())];
        let warnings = self.count(Level::Warning);
        if warnings > 0 {
            parts.push(format!("{warnings} breaking other axes"));
        }
        let ignored = self.entries.iter().filter(|e| e.ignored.is_some()).count();
        let compatible = self.count(Level::Note) - ignored;
        if compatible > 0 {
            parts.push(format!("{compatible} compatible"));
        }
        if ignored > 0 {
            parts.push(format!("{ignored} accepted in codegen.toml"));
        }
        format!("{n} change{}: {}", plural(n), parts.join(", "))
    }

    /// Text in cargo's voice, one block per finding, then the summary.
    pub fn render_text(&self, out: &mut String) {
        for entry in &self.entries {
            let f = &entry.finding;
            let axes = if f.axes.is_empty() {
                "compatible".to_string()
            } else {
                f.axes.iter().map(Axis::to_string).collect::<Vec<_>>().join(", ")
            };
            let accepted = if entry.ignored.is_some() { "accepted: " } else { "" };
            let _ = writeln!(out, "{}: {accepted}{axes}: {}", entry.level.word(), f.message);
            match (&f.old, &f.new) {
                (Some(old), Some(new)) if old == new => {
                    let _ = writeln!(out, "  --> {}#{new}", self.spec);
                }
                (old, new) => {
                    if let Some(new) = new {
                        let _ = writeln!(out, "  --> {}#{new}", self.spec);
                    }
                    if let Some(old) = old {
                        let arrow = if new.is_some() { ":::" } else { "-->" };
                        let _ = writeln!(out, "  {arrow} {}#{old}", self.base);
                    }
                }
            }
            if !f.operations.is_empty() {
                let names: Vec<&str> = f.operations.iter().map(|(_, name)| name.as_str()).collect();
                let _ = writeln!(out, "  = reaches: {}", names.join(", "));
            }
            if let Some(note) = &f.note {
                let _ = writeln!(out, "  = note: {note}");
            }
            if let Some(why) = &entry.ignored {
                let _ = writeln!(out, "  = accepted in codegen.toml [breaking.ignore]: {why}");
            }
            if !f.axes.is_empty() && entry.ignored.is_none() {
                let _ = writeln!(out, "  = id: {}", f.id());
            }
        }
        let _ = writeln!(out, "{:>12} {} with {}: {}", "Compared", self.spec, self.base, self.summary());
        let failing = self.failing();
        if failing > 0 {
            let _ = writeln!(
                out,
                "error: {failing} breaking change{} on a failing axis (fail-on: {}); make {} compatible, or accept {} under [breaking.ignore] in codegen.toml: \"<id>\" = \"<reason>\"",
                plural(failing),
                self.fail_on_list(),
                if failing == 1 { "it" } else { "them" },
                if failing == 1 { "it" } else { "each" },
            );
        }
    }

    /// The report as JSON.
    pub fn to_json(&self) -> Value {
        let findings: Vec<Value> = self
            .entries
            .iter()
            .map(|e| {
                let f = &e.finding;
                json!({
                    "id": f.id(),
                    "rule": f.rule,
                    "level": e.level.word(),
                    "axes": f.axes,
                    "message": f.message,
                    "old": f.old,
                    "new": f.new,
                    "operations": f.operations.iter().map(|(id, name)| json!({"operation_id": id, "name": name})).collect::<Vec<_>>(),
                    "note": f.note,
                    "accepted": e.ignored,
                })
            })
            .collect();
        json!({
            "base": self.base,
            "spec": self.spec,
            "fail_on": self.fail_on,
            "failing": self.failing(),
            "summary": self.summary(),
            "findings": findings,
        })
    }

    /// Markdown for a pull request's comment: a headline and one table row
    /// per finding.
    pub fn render_markdown(&self, out: &mut String) {
        let _ = writeln!(out, "### API changes: `{}` against `{}`\n", self.spec, self.base);
        let failing = self.failing();
        if failing > 0 {
            let _ = writeln!(
                out,
                "**{failing} breaking change{} on a failing axis** (fail-on: {}). {}.\n",
                plural(failing),
                self.fail_on_list(),
                capitalise(&self.summary())
            );
        } else {
            let _ = writeln!(out, "{} (fail-on: {}).\n", capitalise(&self.summary()), self.fail_on_list());
        }
        if self.entries.is_empty() {
            return;
        }
        let _ = writeln!(out, "| | change | breaks | where | reaches |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for e in &self.entries {
            let f = &e.finding;
            let level = match (e.level, &e.ignored) {
                (_, Some(_)) => "accepted",
                (Level::Error, _) => "**error**",
                (Level::Warning, _) => "warning",
                (Level::Note, _) => "compatible",
            };
            let mut change = cell(&f.message);
            if let Some(note) = &f.note {
                change.push_str(&format!("<br>{}", cell(note)));
            }
            if let Some(why) = &e.ignored {
                change.push_str(&format!("<br>accepted: {}", cell(why)));
            }
            let axes = if f.axes.is_empty() {
                "-".into()
            } else {
                f.axes.iter().map(Axis::to_string).collect::<Vec<_>>().join(", ")
            };
            let place = format!("`#{}`", f.pointer());
            let reaches: Vec<String> = f.operations.iter().map(|(_, name)| format!("`{name}`")).collect();
            let _ = writeln!(out, "| {level} | {change} | {axes} | {place} | {} |", reaches.join(", "));
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Text safe in a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &'static str, axes: Vec<Axis>) -> Finding {
        Finding {
            rule,
            message: format!("{rule} happened"),
            old: Some("/components/schemas/A/properties/x".into()),
            new: None,
            axes,
            note: None,
            operations: vec![("read_a_a_get".into(), "read_a".into()), ("list_as_get".into(), "list".into())],
        }
    }

    #[test]
    fn levels_follow_fail_on_and_ignore() {
        let mut config = BreakingConfig::default();
        let findings = vec![
            finding("a", vec![Axis::ClientWire]),
            finding("b", vec![Axis::ServerWire]),
            finding("c", vec![]),
            finding("d", vec![Axis::ClientSource]),
        ];
        config.ignore.insert("d@/components/schemas/A/properties/x".into(), "nobody calls it yet".into());
        let report = Report::new("HEAD:openapi.json", "openapi.json", findings, &config);
        let levels: Vec<Level> = report.entries.iter().map(|e| e.level).collect();
        assert_eq!(levels, [Level::Error, Level::Warning, Level::Note, Level::Note]);
        assert_eq!(report.failing(), 1);
        assert_eq!(
            report.summary(),
            "4 changes: 1 on a failing axis, 1 breaking other axes, 1 compatible, 1 accepted in codegen.toml"
        );
        let mut text = String::new();
        report.render_text(&mut text);
        assert!(
            text.starts_with(
                "error: client wire: a happened\n  --> HEAD:openapi.json#/components/schemas/A/properties/x\n  = reaches: read_a, list\n  = id: a@/components/schemas/A/properties/x\n"
            ),
            "{text}"
        );
        assert!(text.contains("note: accepted: client source: d happened\n"), "{text}");
        assert!(text.contains("  = accepted in codegen.toml [breaking.ignore]: nobody calls it yet\n"), "{text}");
        assert!(text.ends_with("on a failing axis (fail-on: client-source, client-wire); make it compatible, or accept it under [breaking.ignore] in codegen.toml: \"<id>\" = \"<reason>\"\n"), "{text}");

        // a pointer accepts it as well as the id
        config.ignore.clear();
        config.ignore.insert("#/components/schemas/A/properties/x".into(), "all of them".into());
        let report = Report::new("b", "s", vec![finding("a", vec![Axis::ClientWire])], &config);
        assert_eq!(report.failing(), 0);
    }

    #[test]
    fn json_and_markdown() {
        let report = Report::new(
            "HEAD:openapi.json",
            "openapi.json",
            vec![finding("a|b", vec![Axis::ClientWire])],
            &BreakingConfig::default(),
        );
        let json = report.to_json();
        assert_eq!(json["failing"], 1);
        assert_eq!(json["findings"][0]["axes"], json!(["client-wire"]));
        assert_eq!(json["findings"][0]["operations"][1]["name"], "list");
        let mut md = String::new();
        report.render_markdown(&mut md);
        assert!(md.contains("| **error** | a\\|b happened | client wire | `#/components/schemas/A/properties/x` | `read_a`, `list` |"), "{md}");
        let empty = Report::new("HEAD:openapi.json", "openapi.json", vec![], &BreakingConfig::default());
        let mut text = String::new();
        empty.render_text(&mut text);
        assert_eq!(text, "    Compared openapi.json with HEAD:openapi.json: no changes\n");
    }
}
