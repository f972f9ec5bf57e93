//! `generate` and `check`: every generated file, computed in memory, then
//! written or compared through [`crate::files::ensure`].
//!
//! The report speaks cargo's language: one status word per file, right
//! aligned (`Fresh`, `Written`, `Stale`, `Missing`), a unified diff per stale
//! file, and a summary line saying what to run. The lowering's notes are
//! handed to the caller ([`run_noting`]), which prints them apart from the
//! report (`cargo xtask` on stderr).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::breaking::base::{self, Base, Source};
use crate::breaking::report::{Format, Report};
use crate::diag::{ExitCode, Note, NoteKind, Problem};
use crate::files::{self, GeneratedFile, Mode, Status};
use crate::spec::{Config, Spec, SpecError, Workspace};

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
    /// A change breaks an axis that `codegen.toml [breaking]` fails on
    /// ([`ExitCode::Breaking`]).
    Breaking,
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Stale => ExitCode::Stale,
            Failure::Spec(_) => ExitCode::CannotGenerate,
            Failure::Other(_) => ExitCode::Other,
            Failure::Breaking => ExitCode::Breaking,
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
/// the client's thread runs progenitor and formats what follows its `types`
/// module (the `Client` and the builders); this thread generates the server,
/// then formats the client's `types` module, which the client's thread hands
/// over as text ([`crate::client::generate_split`]). Each then does about
/// half of the work.
pub fn generate_all_noting(ws: &Workspace, notes: &mut Vec<Note>) -> Result<Vec<GeneratedFile>, Failure> {
    generate_contained(&mut load_noting(ws, notes)?, notes)
}

/// The spec, its notes handed to `notes`.
fn load_noting(ws: &Workspace, notes: &mut Vec<Note>) -> Result<Spec, Failure> {
    let spec = ws.load().map_err(Failure::Spec)?;
    notes.extend(spec.notes.iter().cloned());
    Ok(spec)
}

/// Every file generated from `spec`, leaving out of `spec` (with a note in
/// `notes` each) the operations that a generator fails on
/// ([`crate::contain`]): a failure that names its place leaves out what
/// is there; one that does not (a panic inside progenitor or typify) is
/// traced to the operations that fail alone ([`isolate`]), to schemas no
/// operation uses, or to operations that fail together ([`together`]).
/// Only a failure that no operation explains refuses the spec.
pub fn generate_contained(spec: &mut Spec, notes: &mut Vec<Note>) -> Result<Vec<GeneratedFile>, Failure> {
    let mut problem = match generate_spec(spec) {
        Ok(files) => return Ok(files),
        Err(problem) => problem,
    };
    loop {
        let found = match crate::contain::culprits(&spec.lowered, &spec.file, vec![problem.clone()]) {
            Ok(found) if !found.operations.is_empty() => {
                found.operations.into_iter().map(|(op, mut why)| (op, why.remove(0))).collect()
            }
            _ => isolate(spec),
        };
        if found.is_empty() {
            // no operation fails alone: perhaps a component that no
            // operation uses (a service's schemas exported for other
            // clients), which the client needs no type for
            let all = spec.restricted(spec.operations.iter().map(|op| op.pointer.as_str()));
            let unused = crate::contain::missing_components(&spec.lowered, &all.lowered);
            if !unused.is_empty()
                && let Ok(files) = generate_spec(&all)
            {
                let message = format!(
                    "{} schema{} that no operation uses left out, since a generator fails on {}: {} [{}]",
                    unused.len(),
                    if unused.len() == 1 { "" } else { "s" },
                    if unused.len() == 1 { "it" } else { "one of them" },
                    crate::contain::one_line(&problem.message),
                    problem.kind.code()
                );
                notes.push(Note::new(NoteKind::LeftOut, "/components", message).default_file(&spec.file));
                *spec = all;
                return Ok(files);
            }
        }
        let found = if found.is_empty() { together(spec, &problem) } else { found };
        if found.is_empty() {
            return Err(refusal(spec, problem));
        }
        let ids: BTreeMap<&str, &str> =
            spec.operations.iter().map(|op| (op.pointer.as_str(), op.operation_id.as_str())).collect();
        for (op, why) in &found {
            let note = crate::contain::left_out_note(op, ids.get(op.as_str()).copied(), std::slice::from_ref(why));
            notes.push(note.default_file(&spec.file));
        }
        *spec = spec.without(found.keys().map(String::as_str));
        match generate_spec(spec) {
            Ok(files) => return Ok(files),
            Err(next) => problem = next,
        }
    }
}

/// The operations that fail alone, each with its problem: the spec's
/// operations are halved until each failing half is one operation, each
/// half generated with only the components it reaches. A failure that
/// needs two operations together is not found here.
fn isolate(spec: &Spec) -> BTreeMap<String, Problem> {
    fn halve(spec: &Spec, ops: &[&crate::spec::Operation], found: &mut BTreeMap<String, Problem>) {
        if ops.is_empty() {
            return;
        }
        let Err(problem) = generate_spec(&spec.restricted(ops.iter().map(|op| op.pointer.as_str()))) else { return };
        if let [op] = ops {
            found.insert(op.pointer.clone(), problem);
            return;
        }
        let (a, b) = ops.split_at(ops.len() / 2);
        halve(spec, a, found);
        halve(spec, b, found);
    }
    let mut found = BTreeMap::new();
    let ops: Vec<&crate::spec::Operation> = spec.operations.iter().collect();
    halve(spec, &ops, &mut found);
    found
}

/// The operations a failure needs together (no one fails alone), found by
/// removing them: the shortest prefix of the operations whose removal lets
/// the rest (with the components it reaches) generate ends with one of
/// them; it is left out, the others are put back, and so on while the rest
/// fails (at most 16 rounds of log2(operations) generations).
fn together(spec: &Spec, problem: &Problem) -> BTreeMap<String, Problem> {
    let ops: Vec<&str> = spec.operations.iter().map(|op| op.pointer.as_str()).collect();
    let mut found: BTreeMap<String, Problem> = BTreeMap::new();
    // the rest with only the components it reaches: a schema that fails
    // beside another (typify names them alike) goes with its users
    let generates = |removed: &[&str], found: &BTreeMap<String, Problem>| {
        let gone: std::collections::BTreeSet<&str> =
            removed.iter().copied().chain(found.keys().map(String::as_str)).collect();
        generate_spec(&spec.restricted(ops.iter().copied().filter(|op| !gone.contains(op)))).is_ok()
    };
    for _ in 0..16 {
        if generates(&[], &found) {
            return found;
        }
        if !generates(&ops, &found) {
            break;
        }
        let (mut lo, mut hi) = (0, ops.len());
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if generates(&ops[..mid], &found) { hi = mid } else { lo = mid }
        }
        found.insert(ops[hi - 1].to_string(), problem.clone());
    }
    BTreeMap::new()
}

/// What a generator's failure that no operation explains tells the user.
fn refusal(spec: &Spec, mut problem: Problem) -> Failure {
    if let Some(id) = &problem.place.operation {
        let hint = crate::spec::skip_hint(id);
        problem.fix = Some(match problem.fix.take() {
            Some(fix) => format!("{fix}, {hint}"),
            None => hint,
        });
    }
    Failure::Spec(SpecError::new(&spec.file, [problem]))
}

/// Every file generated from a loaded spec (see [`generate_all_noting`]),
/// or the first generator's problem.
fn generate_spec(spec: &Spec) -> Result<Vec<GeneratedFile>, Problem> {
    let other = |message: String| Problem::new(crate::diag::ProblemKind::GeneratorBug, "", message);
    let (client, server) = std::thread::scope(|scope| {
        let (hand_over, handed) = std::sync::mpsc::channel();
        let rest = std::thread::Builder::new()
            .name("client".into())
            .stack_size(GENERATOR_STACK)
            .spawn_scoped(scope, || {
                crate::client::generate_split(spec, move |types| {
                    let _ = hand_over.send(types);
                })
            })
            .map_err(|e| other(format!("cannot start the client generator's thread: {e}")))?;
        let server = crate::server::generate(spec);
        // Nothing arrives when progenitor failed: `rest` then holds the error.
        let types = handed.recv().ok().map(|part| crate::client::format_types(spec, &part));
        let rest = rest
            .join()
            .map_err(|panic| other(format!("the client generator panicked ({})", crate::panic_message(&*panic))))?;
        let client =
            rest.and_then(|rest| Ok(crate::client::assemble(spec, &types.transpose()?.unwrap_or_default(), &rest)));
        Ok::<_, Problem>((client, server))
    })?;
    Ok(vec![
        GeneratedFile { path: spec.config.client.output.clone(), contents: client? },
        GeneratedFile { path: spec.config.server.output.clone(), contents: server? },
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
    ensure_all(ws, &mut load_noting(ws, notes)?, mode, out, notes)
}

/// Writes or checks every file generated from `spec`, reporting to `out`.
fn ensure_all(
    ws: &Workspace,
    spec: &mut Spec,
    mode: Mode,
    out: &mut String,
    notes: &mut Vec<Note>,
) -> Result<(), Failure> {
    let generated = generate_contained(spec, notes)?;
    let generated_ops = spec.operations.len();
    if generated_ops < spec.operations_in_export {
        let n = spec.operations_in_export;
        let left = n - generated_ops;
        let _ = writeln!(out, "{:>12} {generated_ops} of {n} operations ({left} left out: see the notes)", "Generated");
    }
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

/// `cargo xtask check`: the generated files against the committed ones
/// ([`run`] in check mode), then, unless the spec cannot be generated from,
/// the round trip against `published`, the document of the committed API
/// (or why there is none, printed as `Skipped`). Every difference of either
/// kind is reported before the run fails.
pub fn check(
    ws: &Workspace,
    published: Result<&serde_json::Value, &str>,
    out: &mut String,
    notes: &mut Vec<Note>,
) -> Result<(), Failure> {
    let mut spec = load_noting(ws, notes)?;
    let result = ensure_all(ws, &mut spec, Mode::Check, out, notes);
    if matches!(result, Err(Failure::Spec(_))) {
        return result;
    }
    let round_trip = match published {
        Ok(published) => compare_documents(&spec, published, out),
        Err(why) => {
            let _ = writeln!(out, "{:>12} round-trip: {why}", "Skipped");
            Ok(())
        }
    };
    stub_report(&spec, out);
    let breaking = match breaking_report(ws, &spec.config, &Source::default()) {
        Ok(Compared::Nothing(why)) => {
            let _ = writeln!(out, "{:>12} breaking changes: {why}", "Skipped");
            Ok(())
        }
        Ok(Compared::Report(report)) => {
            report.render_text(out);
            if report.failing() > 0 { Err(Failure::Breaking) } else { Ok(()) }
        }
        Err(failure) => Err(failure),
    };
    // a stale file is what to fix first: it wins the exit code
    result.and(round_trip).and(breaking)
}

/// `cargo xtask diff`: what changed from the spec of `source` to the
/// working `openapi.json`, judged by `codegen.toml [breaking]` and written
/// to `out` in `format`; fails when a change breaks an axis of `fail-on`.
/// Nothing to compare with (no git repository, no `openapi.json` at `HEAD`)
/// is a note, and no failure.
pub fn diff(ws: &Workspace, source: &Source, format: Format, out: &mut String) -> Result<(), Failure> {
    let config = ws.config().map_err(Failure::Spec)?;
    let report = match breaking_report(ws, &config, source)? {
        Compared::Nothing(why) => {
            match format {
                Format::Text => {
                    let _ = writeln!(out, "note: {why}; nothing to compare");
                }
                Format::Json => {
                    let _ = writeln!(out, "{}", serde_json::json!({"skipped": why}));
                }
                Format::Markdown => {
                    let _ = writeln!(out, "### API changes\n\nNothing to compare: {why}.");
                }
            }
            return Ok(());
        }
        Compared::Report(report) => report,
    };
    match format {
        Format::Text => report.render_text(out),
        Format::Json => {
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&report.to_json()).unwrap_or_default());
        }
        Format::Markdown => report.render_markdown(out),
    }
    if report.failing() > 0 { Err(Failure::Breaking) } else { Ok(()) }
}

/// What comparing the working spec with an older one gave.
enum Compared {
    /// Nothing to compare with, and why.
    Nothing(String),
    Report(Report),
}

/// The breaking-change report of the working spec against `source`.
fn breaking_report(ws: &Workspace, config: &Config, source: &Source) -> Result<Compared, Failure> {
    let spec_file = "openapi.json";
    let (label, old) = match base::load(&ws.root, spec_file, source).map_err(Failure::Other)? {
        Base::Found { label, doc } => (label, doc),
        Base::Missing(why) => return Ok(Compared::Nothing(why)),
    };
    let text =
        std::fs::read_to_string(ws.spec_path()).map_err(|e| Failure::Other(format!("cannot read {spec_file}: {e}")))?;
    let new = crate::spec::parse_document(spec_file, &text).map_err(Failure::Spec)?;
    let findings = crate::breaking::compare(&old, &new, &config.names, &config.client.strict_enums);
    Ok(Compared::Report(Report::new(&label, spec_file, findings, &config.breaking)))
}

/// How the stub answers each operation: by hand (`[stub] hand-written`),
/// from its store by the path convention, or from the spec's examples.
fn stub_report(spec: &Spec, out: &mut String) {
    use dropshot_codegen_runtime::mock::Source;
    use dropshot_codegen_runtime::resources::{Override, recognise};
    let corrections =
        spec.config.stub.resources.iter().filter_map(|(id, text)| Some((id.clone(), Override::parse(text)?))).collect();
    let resources = recognise(&spec.lowered, &corrections);
    for op in &spec.operations {
        let hand_written = spec.config.stub.hand_written.contains(&op.operation_id);
        let how = match Source::of(&resources, &op.operation_id, hand_written) {
            Source::HandWritten => "hand-written".to_string(),
            Source::Stateful { collection, role } => format!("stateful ({} {collection})", role.as_str()),
            Source::Example => "example".to_string(),
        };
        let _ = writeln!(out, "{:>12} {} {}: {how}", "Stub", op.method.to_uppercase(), op.path);
    }
}

/// Compares the document the committed API publishes (`published`: what
/// dropshot derives from the generated trait, read in-process) with the
/// lowered spec ([`crate::roundtrip`]). A spec that gained or lost an
/// operation shows as a difference of the documents, whatever the code.
fn compare_documents(spec: &Spec, published: &serde_json::Value, out: &mut String) -> Result<(), Failure> {
    let report = crate::roundtrip::compare(&spec.lowered, published);
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

#[cfg(test)]
mod stub_report_tests {
    use super::*;
    use crate::spec::Config;

    #[test]
    fn every_operation_says_how_the_stub_answers_it() {
        let root = Workspace::this().root;
        let text = std::fs::read_to_string(root.join("fastapi-app/openapi.json")).unwrap();
        let mut config = Config::default();
        config.stub.hand_written = vec!["health_health_get".into()];
        config.stub.resources.insert("read_job_jobs__job_id__get".into(), "stateless".into());
        let spec = Spec::from_str("openapi.json", &text, config).unwrap();
        let mut out = String::new();
        stub_report(&spec, &mut out);
        assert_eq!(out.lines().count(), 38, "{out}");
        assert!(out.contains("        Stub POST /items: stateful (create /items)\n"), "{out}");
        assert!(
            out.contains(
                "        Stub DELETE /items/{item_id}/notes/{note_id}: stateful (delete /items/{item_id}/notes)\n"
            ),
            "{out}"
        );
        assert!(out.contains("        Stub GET /health: hand-written\n"), "{out}");
        assert!(out.contains("        Stub GET /jobs/{job_id}: example\n"), "{out}");
        assert!(out.contains("        Stub GET /trees/sample: example\n"), "{out}");
    }
}
