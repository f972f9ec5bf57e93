//! `generate` and `check`: every generated file, computed in memory, then
//! written or compared through [`crate::files::ensure`].
//!
//! The report speaks cargo's language: one status word per file, right
//! aligned (`Fresh`, `Written`, `Stale`, `Missing`), a unified diff per stale
//! file, and a summary line saying what to run. The lowering's notes are
//! handed to the caller ([`run_noting`]), which prints them apart from the
//! report (`cargo xtask` on stderr).

use std::fmt::Write as _;

use crate::diag::{ExitCode, Note, Problem};
use crate::files::{self, GeneratedFile, Mode, Status};
use crate::spec::{SpecError, Workspace};

/// Why a run failed; each maps to its own [`ExitCode`].
#[derive(Debug)]
pub enum Failure {
    /// Check mode: generated files differ from the spec ([`ExitCode::Stale`]).
    Stale,
    /// The spec (or `codegen.toml`) cannot be generated from
    /// ([`ExitCode::CannotGenerate`]).
    Spec(SpecError),
    /// Anything else: I/O, a generator thread that panicked ([`ExitCode::Other`]).
    Other(String),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Stale => ExitCode::Stale,
            Failure::Spec(_) => ExitCode::CannotGenerate,
            Failure::Other(_) => ExitCode::Other,
        }
    }
}

/// Every file the xtask generates, in memory; nothing is written.
pub fn generate_all(ws: &Workspace) -> Result<Vec<GeneratedFile>, Failure> {
    generate_all_noting(ws, &mut Vec::new())
}

/// [`generate_all`], handing the lowering's notes to `notes` once the spec
/// is loaded (also when a generator then fails).
///
/// Two threads share the work, which on a large spec takes seconds on one:
/// the client's thread runs progenitor and formats its `types` module; this
/// thread generates the server, then formats the rest of the client, which
/// the client's thread hands over as text ([`crate::client::generate_split`]).
pub fn generate_all_noting(ws: &Workspace, notes: &mut Vec<Note>) -> Result<Vec<GeneratedFile>, Failure> {
    let spec = ws.load().map_err(Failure::Spec)?;
    notes.extend(spec.notes.iter().cloned());
    let spec_err = |problem: Problem| Failure::Spec(SpecError::new(&spec.file, [problem]));
    let settings = crate::server::ServerSettings { error_type: spec.config.server.error_type.clone() };
    let (client, server) = std::thread::scope(|scope| {
        let (hand_over, handed) = std::sync::mpsc::channel();
        let types = std::thread::Builder::new()
            .name("client".into())
            .stack_size(GENERATOR_STACK)
            .spawn_scoped(scope, || {
                crate::client::generate_split(&spec, move |rest| {
                    let _ = hand_over.send(rest);
                })
            })
            .map_err(|e| Failure::Other(format!("cannot start the client generator's thread: {e}")))?;
        let server = crate::server::generate(&spec, &settings);
        // Nothing arrives when progenitor failed: `types` then holds the error.
        let rest = handed.recv().ok().map(|source| crate::client::format_rest(&source));
        let types = types.join().map_err(|panic| {
            Failure::Other(format!(
                "the client generator panicked ({}); this is a generator bug",
                crate::panic_message(&*panic)
            ))
        })?;
        let client =
            types.and_then(|types| Ok(crate::client::assemble(&spec, &types, &rest.transpose()?.unwrap_or_default())));
        Ok::<_, Failure>((client, server))
    })?;
    Ok(vec![
        GeneratedFile { path: "client/src/generated.rs".into(), contents: client.map_err(spec_err)? },
        GeneratedFile { path: "server/src/generated.rs".into(), contents: server.map_err(spec_err)? },
    ])
}

/// The client generator's stack: as large as the main thread's, which the
/// server generator runs on (syn and typify recurse on deeply nested input).
const GENERATOR_STACK: usize = 8 << 20;

/// Runs generate (`Mode::Write`) or check (`Mode::Check`), writing the report
/// to `out`. Nothing is written to disk unless every file could be generated.
pub fn run(ws: &Workspace, mode: Mode, out: &mut String) -> Result<(), Failure> {
    run_noting(ws, mode, out, &mut Vec::new())
}

/// [`run`], handing the lowering's notes to `notes`.
pub fn run_noting(ws: &Workspace, mode: Mode, out: &mut String, notes: &mut Vec<Note>) -> Result<(), Failure> {
    let generated = generate_all_noting(ws, notes)?;
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

/// Builds and runs the committed server (`--print-openapi`) and compares
/// its document with the lowered spec ([`crate::roundtrip`]).
pub fn round_trip(ws: &Workspace, out: &mut String) -> Result<(), Failure> {
    let spec = ws.load().map_err(Failure::Spec)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .current_dir(&ws.root)
        .args(["run", "--quiet", "--package", "humm-config-stub", "--", "--print-openapi"])
        .output()
        .map_err(|e| Failure::Other(format!("cannot run cargo to build the server: {e}")))?;
    if !output.status.success() {
        let _ = writeln!(out, "{:>12} server: the server crate does not build or run", "Failed");
        out.push_str(&String::from_utf8_lossy(&output.stderr));
        let _ = writeln!(
            out,
            "error: the round-trip check needs a server that builds (run `cargo xtask generate` if generated code was edited)"
        );
        return Err(Failure::Stale);
    }
    let published: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| Failure::Other(format!("the server printed no OpenAPI document: {e}")))?;
    let report = crate::roundtrip::compare(&spec.lowered, &published);
    report.render(out);
    if report.differences.is_empty() {
        Ok(())
    } else {
        let n = report.differences.len();
        let _ = writeln!(
            out,
            "error: the server's own OpenAPI document differs from openapi.json in {n} place{} (run `cargo xtask generate` to update)",
            if n == 1 { "" } else { "s" }
        );
        Err(Failure::Stale)
    }
}
