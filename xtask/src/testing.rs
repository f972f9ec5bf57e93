//! What the workspace's tests share: scratch copies of the workspace and the
//! one golden-file assertion. Public so that the tests of every crate (the
//! xtask's own, the API's round trip, `codegen-tests`) use the same helpers;
//! hidden from the docs because it is no part of the generator.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::files::{self, GeneratedFile, Mode, Status};
use crate::spec::Workspace;

/// A directory under the system's temporary directory, removed when the
/// value is dropped, so also when the test that made it panics.
#[derive(Debug)]
pub struct Scratch {
    root: PathBuf,
}

impl Scratch {
    /// An empty directory, unique to this process and call.
    pub fn new(name: &str) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("xtask-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("cannot create {}: {e}", root.display()));
        Self { root }
    }

    /// A scratch copy of `entries` (files or directories, relative to the
    /// workspace root) of this workspace.
    pub fn copy_of(name: &str, entries: &[&str]) -> Self {
        let scratch = Self::new(name);
        let from = Workspace::this().root;
        for entry in entries {
            copy(&from.join(entry), &scratch.root.join(entry));
        }
        scratch
    }

    /// What a generation reads and writes: the spec, `codegen.toml` and
    /// every generated file that `codegen.toml` names.
    pub fn generator_inputs(name: &str) -> Self {
        let outputs = generated_files();
        let mut entries = vec!["openapi.json", "codegen.toml"];
        entries.extend(outputs.iter().map(String::as_str));
        Self::copy_of(name, &entries)
    }

    /// Everything cargo needs to build the workspace (no `target/`).
    pub fn whole_workspace(name: &str) -> Self {
        let from = Workspace::this().root;
        let mut entries: Vec<String> = ["Cargo.toml", "Cargo.lock", "openapi.json", "codegen.toml", ".cargo"]
            .into_iter()
            .map(String::from)
            .collect();
        entries.extend(workspace_members(&from));
        let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
        Self::copy_of(name, &entries)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn workspace(&self) -> Workspace {
        Workspace::new(&self.root)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The generated files of this workspace, as `codegen.toml` names them.
pub fn generated_files() -> Vec<String> {
    let ws = Workspace::this();
    let config = ws.config().unwrap_or_else(|e| panic!("{e}"));
    config.generated_files().iter().map(|p| p.to_string()).collect()
}

/// The member folders of the workspace's `Cargo.toml`.
fn workspace_members(root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_else(|e| panic!("Cargo.toml: {e}"));
    let manifest: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("Cargo.toml: {e}"));
    manifest
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(toml::Value::as_array)
        .map(|members| members.iter().filter_map(|m| m.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

/// Copies a file or a directory tree.
pub fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
        for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
            let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", from.display()));
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else if from.exists() {
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("{} → {}: {e}", from.display(), to.display()));
    }
}

/// The one golden-file assertion: each file's contents must equal the
/// committed file (paths relative to the workspace root). With
/// `UPDATE_GOLDEN=1` in the environment the files are written instead,
/// through the same write path as generated code. Every difference is
/// reported at once.
pub fn assert_golden(files: &[GeneratedFile]) {
    let mode = if std::env::var_os("UPDATE_GOLDEN").is_some() { Mode::Write } else { Mode::Check };
    let root = Workspace::this().root;
    let mut report = String::new();
    for file in files {
        match files::ensure(&root, file, mode).unwrap_or_else(|e| panic!("{e}")) {
            Status::Fresh | Status::Written => {}
            Status::Missing => report.push_str(&format!("missing golden file {}\n", file.path)),
            Status::Stale { diff } => report.push_str(&diff),
        }
    }
    assert!(report.is_empty(), "golden files differ (refresh with UPDATE_GOLDEN=1 if intended):\n{report}");
}

/// [`assert_golden`] for one file.
pub fn assert_golden_file(path: &str, contents: String) {
    assert_golden(&[GeneratedFile { path: path.into(), contents }]);
}

/// A server a test starts (uvicorn with a FastAPI app, a stub), run under
/// `scripts/supervise`: the supervisor holds the read end of a pipe whose
/// write end only this value holds, and ends the server's whole process
/// group when the pipe closes. So the server ends when the value is dropped
/// (on a panic too) and also when the test process dies without dropping
/// it (Ctrl-C, a kill), which no `Drop` could promise.
#[derive(Debug)]
pub struct Service {
    child: std::process::Child,
    /// Dropped first: its end of file tells the supervisor to stop.
    stdin: Option<std::process::ChildStdin>,
    log: PathBuf,
}

impl Service {
    /// Runs `program args...` from the workspace root under the supervisor,
    /// its output (both streams) in `log`.
    pub fn start(program: &str, args: &[&str], log: PathBuf) -> Service {
        use std::process::{Command, Stdio};
        let root = Workspace::this().root;
        let file = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let mut child = Command::new("python3")
            .arg(root.join("scripts/supervise"))
            .arg(program)
            .args(args)
            .current_dir(&root)
            .stdin(Stdio::piped())
            .stdout(file.try_clone().unwrap_or_else(|e| panic!("{}: {e}", log.display())))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start scripts/supervise {program}: {e}"));
        let stdin = child.stdin.take();
        Service { child, stdin, log }
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Panics, with the log, when the server has exited.
    pub fn assert_running(&mut self, what: &str) {
        if let Some(status) = self.child.try_wait().unwrap_or_else(|e| panic!("{what}: {e}")) {
            panic!("{what} exited ({status}):\n{}", self.log());
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // end of file: the supervisor ends the group (SIGTERM, then SIGKILL after 5 s)
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
