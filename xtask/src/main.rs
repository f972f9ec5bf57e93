//! `cargo xtask`: generates the client and server crates from `openapi.json`
//! and checks that what is committed agrees with it.
//!
//! `XTASK_ROOT=<dir>` makes the tasks act on another copy of the workspace.
//!
//! Every task prints the lowering's notes on stderr (`note: ...`), problems
//! as `error: ...` (both rendered by `xtask::diag`), and exits with one of
//! the codes of [`xtask::diag::ExitCode`].

use std::io::Write as _;

use clap::{Parser, Subcommand};

/// mimalloc: generation allocates and frees millions of small tokens and
/// syntax nodes, and glibc's allocator took about a fifth of the time.
/// Generation touches a few hundred MB once. With transparent huge pages
/// each first touch zeroes 2 MB, and on a 1 MB spec the kernel's page
/// zeroing took as long as the generation itself; 4 KB pages halved it.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)] // the workspace denies unsafe code; this call is the one exception
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes
    // nothing but this process's paging.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use xtask::breaking::base::Source;
use xtask::breaking::report::Format;
use xtask::codegen::{self, Failure};
use xtask::diag::{ExitCode, Note};
use xtask::files::Mode;
use xtask::spec::Workspace;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Generates and checks the code derived from openapi.json",
    bin_name = "cargo xtask"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate every derived file from openapi.json (writes only what changed)
    Generate,
    /// Check that the committed generated files and the server's own OpenAPI match openapi.json (writes nothing)
    Check,
    /// Print the OpenAPI 3.0.3 document that the generators read, and the lowering's notes
    Lower,
    /// Report what changed in openapi.json since a git revision (HEAD by default), and what it breaks
    Diff {
        /// The git revision whose openapi.json is the old spec
        #[arg(long, value_name = "REV", conflicts_with = "base_file")]
        base: Option<String>,
        /// A file holding the old spec
        #[arg(long, value_name = "PATH")]
        base_file: Option<std::path::PathBuf>,
        /// How to write the report
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    /// cargo's voice
    Text,
    /// for tools
    Json,
    /// for a pull request's comment
    Markdown,
}

fn main() -> std::process::ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    // XTASK_ROOT points the tasks at another copy of the workspace (the
    // benchmarks generate a large spec in a scratch copy)
    let ws = std::env::var_os("XTASK_ROOT").map(Workspace::new).unwrap_or_else(Workspace::this);
    let result = match cli.task {
        Task::Generate => report(&ws, Mode::Write),
        Task::Check => report(&ws, Mode::Check),
        Task::Lower => lower(&ws),
        Task::Diff { base, base_file, format } => {
            let source = match (base, base_file) {
                (_, Some(path)) => Source::File(path),
                (Some(rev), None) => Source::Rev { rev, explicit: true },
                (None, None) => Source::default(),
            };
            let format = match format {
                DiffFormat::Text => Format::Text,
                DiffFormat::Json => Format::Json,
                DiffFormat::Markdown => Format::Markdown,
            };
            diff(&ws, &source, format)
        }
    };
    result.err().unwrap_or(ExitCode::Success).into()
}

/// The lowering's notes, on stderr.
fn print_notes(notes: &[Note]) {
    for note in notes {
        eprintln!("note: {note}");
    }
}

fn report(ws: &Workspace, mode: Mode) -> Result<(), ExitCode> {
    let mut out = String::new();
    let mut notes = Vec::new();
    let result = match mode {
        Mode::Write => codegen::run_noting(ws, mode, &mut out, &mut notes),
        Mode::Check => codegen::check(ws, published_document().as_ref().map_err(|why| *why), &mut out, &mut notes),
    };
    print_notes(&notes);
    print!("{out}");
    let _ = std::io::stdout().flush();
    match result {
        Ok(()) => Ok(()),
        Err(failure) => {
            match &failure {
                Failure::Stale | Failure::Breaking => {}
                Failure::Spec(e) => eprintln!("error: {e}"),
                Failure::Other(e) => eprintln!("error: {e}"),
            }
            Err(failure.exit_code())
        }
    }
}

/// The document of the API crate linked into this binary (in-process, as
/// dropshot derives it from the generated trait), or why there is none.
fn published_document() -> Result<serde_json::Value, &'static str> {
    if std::env::var_os("XTASK_ROOT").is_some() {
        return Err("XTASK_ROOT names another workspace, and this binary links this workspace's API");
    }
    #[cfg(feature = "round-trip")]
    return Ok(humm_config_api::openapi());
    #[cfg(not(feature = "round-trip"))]
    Err("xtask was built without its `round-trip` feature")
}

fn diff(ws: &Workspace, source: &Source, format: Format) -> Result<(), ExitCode> {
    let mut out = String::new();
    let result = codegen::diff(ws, source, format, &mut out);
    print!("{out}");
    let _ = std::io::stdout().flush();
    result.map_err(|failure| {
        match &failure {
            Failure::Spec(e) => eprintln!("error: {e}"),
            Failure::Other(e) => eprintln!("error: {e}"),
            Failure::Stale | Failure::Breaking => {}
        }
        failure.exit_code()
    })
}

fn lower(ws: &Workspace) -> Result<(), ExitCode> {
    match ws.load() {
        Ok(spec) => {
            print_notes(&spec.notes);
            println!("{}", serde_json::to_string_pretty(&spec.lowered).unwrap_or_default());
            Ok(())
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(Failure::Spec(e).exit_code())
        }
    }
}
