//! `generate` and `check`: every generated file, computed in memory, then
//! written or compared through [`crate::files::ensure`].
//!
//! The report speaks cargo's language: one status word per file, right
//! aligned (`Fresh`, `Written`, `Stale`, `Missing`), a unified diff per stale
//! file, and a summary line saying what to run.

use std::fmt::Write as _;

use crate::files::{self, GeneratedFile, Mode, Status};
use crate::spec::{SpecError, Workspace};

/// Why a run failed; each maps to its own exit code.
#[derive(Debug)]
pub enum Failure {
    /// Check mode: generated files differ from the spec (exit 1).
    Stale,
    /// The spec (or `codegen.toml`) cannot be generated from (exit 2).
    Spec(SpecError),
    /// Anything else: I/O, a generator bug (exit 3).
    Other(String),
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Stale => 1,
            Failure::Spec(_) => 2,
            Failure::Other(_) => 3,
        }
    }
}

/// Every file the xtask generates, in memory; nothing is written.
pub fn generate_all(ws: &Workspace) -> Result<Vec<GeneratedFile>, Failure> {
    let spec = ws.load().map_err(Failure::Spec)?;
    let spec_err = |problem: String| Failure::Spec(SpecError { file: spec.file.clone(), problems: vec![problem] });
    let client = crate::client::generate(&spec).map_err(spec_err)?;
    let settings = crate::server::ServerSettings { error_type: spec.config.server.error_type.clone() };
    let server = crate::server::generate(&spec, &settings).map_err(spec_err)?;
    Ok(vec![
        GeneratedFile { path: "client/src/generated.rs".into(), contents: client },
        GeneratedFile { path: "server/src/generated.rs".into(), contents: server },
    ])
}

/// Runs generate (`Mode::Write`) or check (`Mode::Check`), writing the report
/// to `out`. Nothing is written to disk unless every file could be generated.
pub fn run(ws: &Workspace, mode: Mode, out: &mut String) -> Result<(), Failure> {
    let generated = generate_all(ws)?;
    let mut stale = Vec::new();
    for file in &generated {
        let status = files::ensure(&ws.root, file, mode).map_err(|e| Failure::Other(e.to_string()))?;
        let word = match &status {
            Status::Fresh => "Fresh",
            Status::Written => "Written",
            Status::Stale { .. } => "Stale",
            Status::Missing => "Missing",
        };
        let _ = writeln!(out, "{word:>12} {}", file.path);
        match status {
            Status::Stale { diff } => {
                out.push_str(&diff);
                stale.push(file.path.clone());
            }
            Status::Missing => stale.push(file.path.clone()),
            Status::Fresh | Status::Written => {}
        }
    }
    if stale.is_empty() {
        return Ok(());
    }
    let n = stale.len();
    let _ = writeln!(
        out,
        "error: {n} generated file{} out of date with openapi.json: {} (run `cargo xtask generate` to update)",
        if n == 1 { " is" } else { "s are" },
        stale.join(", ")
    );
    Err(Failure::Stale)
}
