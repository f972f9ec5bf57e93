//! The one path through which every generated file is written or checked.
//!
//! As in rust-analyzer's `ensure_file_contents`: generation computes the
//! whole contents in memory; [`ensure`] then either writes them (atomically,
//! through a temporary file and a rename, and only when they changed) or, in
//! check mode, compares them with what is on disk and never writes.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use similar::TextDiff;

/// A file that the xtask owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root, with `/` separators.
    pub path: String,
    pub contents: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// On disk and equal to the generated contents.
    Fresh,
    /// Written in write mode (it was stale or missing).
    Written,
    /// Check mode: differs from the generated contents; a unified diff from
    /// the committed file to the generated one.
    Stale { diff: String },
    /// Check mode: not on disk at all.
    Missing,
}

/// Makes `file` under `root` hold its generated contents (write mode), or
/// says whether it does (check mode).
pub fn ensure(root: &Path, file: &GeneratedFile, mode: Mode) -> io::Result<Status> {
    let path = root.join(&file.path);
    let current = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", file.path))),
    };
    if current.as_deref() == Some(file.contents.as_bytes()) {
        return Ok(Status::Fresh);
    }
    match mode {
        Mode::Check => Ok(match current {
            None => Status::Missing,
            Some(bytes) => {
                Status::Stale { diff: unified_diff(&file.path, &String::from_utf8_lossy(&bytes), &file.contents) }
            }
        }),
        Mode::Write => {
            write_atomically(&path, file.contents.as_bytes())
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.path)))?;
            Ok(Status::Written)
        }
    }
}

fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".xtask.tmp");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// A unified diff from the file on disk to the generated contents.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let _ = write!(
        out,
        "{}",
        diff.unified_diff().context_radius(3).header(&format!("{path} (on disk)"), &format!("{path} (generated)"))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_never_writes_and_write_only_when_changed() {
        let scratch = crate::testing::Scratch::new("files-modes");
        let root = scratch.root();
        let file = GeneratedFile { path: "a/b.rs".into(), contents: "one\ntwo\n".into() };
        assert_eq!(ensure(root, &file, Mode::Check).unwrap(), Status::Missing);
        assert!(!root.join("a/b.rs").exists());
        assert_eq!(ensure(root, &file, Mode::Write).unwrap(), Status::Written);
        assert_eq!(std::fs::read_to_string(root.join("a/b.rs")).unwrap(), "one\ntwo\n");
        let before = std::fs::metadata(root.join("a/b.rs")).unwrap().modified().unwrap();
        assert_eq!(ensure(root, &file, Mode::Write).unwrap(), Status::Fresh);
        assert_eq!(std::fs::metadata(root.join("a/b.rs")).unwrap().modified().unwrap(), before);

        std::fs::write(root.join("a/b.rs"), "one\nTWO\n").unwrap();
        let Status::Stale { diff } = ensure(root, &file, Mode::Check).unwrap() else { panic!("not stale") };
        assert!(diff.contains("--- a/b.rs (on disk)\n+++ a/b.rs (generated)\n"), "{diff}");
        assert!(diff.contains("-TWO\n+two\n"), "{diff}");
        assert_eq!(std::fs::read_to_string(root.join("a/b.rs")).unwrap(), "one\nTWO\n");
        assert!(!root.join("a/b.rs.xtask.tmp").exists());
    }
}
