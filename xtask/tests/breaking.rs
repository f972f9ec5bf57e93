//! The breaking-change corpus: `tests/breaking/<case>/{old,new}.json` are
//! exports of two tiny FastAPI apps that differ by one change each (made by
//! `tests/breaking/make_cases.py`), and `expected.txt` is what `cargo xtask
//! diff` reports between them, with the default `codegen.toml [breaking]`.
//! Refresh after an intended change with
//! `UPDATE_GOLDEN=1 cargo test -p xtask --test breaking` and review the diff.

use std::path::Path;

use xtask::breaking::report::Report;
use xtask::breaking::{BreakingConfig, compare};
use xtask::spec::Workspace;
use xtask::testing::assert_golden;

const CORPUS: &str = "xtask/tests/breaking";

fn read(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn corpus() {
    let root = Workspace::this().root.join(CORPUS);
    let mut cases: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("old.json").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 13, "{cases:?}");
    let files: Vec<_> = cases
        .iter()
        .map(|case| {
            let (old, new) = (read(&root.join(case).join("old.json")), read(&root.join(case).join("new.json")));
            let findings = compare(&old, &new, &Default::default(), &[]);
            let report = Report::new("old.json", "new.json", findings, &BreakingConfig::default());
            let mut text = String::new();
            report.render_text(&mut text);
            xtask::files::GeneratedFile { path: format!("{CORPUS}/{case}/expected.txt"), contents: text }
        })
        .collect();
    assert_golden(&files);
}

/// Each side compared with itself: nothing.
#[test]
fn every_export_equals_itself() {
    let root = Workspace::this().root.join(CORPUS);
    for entry in std::fs::read_dir(&root).unwrap().filter_map(|e| e.ok()) {
        for side in ["old.json", "new.json"] {
            let path = entry.path().join(side);
            if path.exists() {
                let doc = read(&path);
                assert_eq!(compare(&doc, &doc, &Default::default(), &[]), [], "{}", path.display());
            }
        }
    }
}
