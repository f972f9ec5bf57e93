//! The spec to compare the working `openapi.json` with: the one committed at
//! a git revision (`git show HEAD:./openapi.json` by default), or a file.
//!
//! A workspace that is not a git repository, a repository without commits,
//! or a `HEAD` without `openapi.json` has nothing to compare with: that is
//! [`Base::Missing`] with the reason, which `check` shows and skips, so
//! that a fresh repository never fails. A revision or a file that was asked
//! for by name and cannot be read is an error.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Where the old spec comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `openapi.json` at a git revision; `explicit` when the user named it
    /// (`--base`), so that failing to read it is an error and not a skip.
    Rev { rev: String, explicit: bool },
    /// A file (`--base-file`).
    File(PathBuf),
}

impl Default for Source {
    fn default() -> Self {
        Source::Rev { rev: "HEAD".into(), explicit: false }
    }
}

/// The old spec, or why there is none.
#[derive(Debug, Clone)]
pub enum Base {
    /// The document, and how messages name it (`HEAD:openapi.json`).
    Found { label: String, doc: Value },
    /// Nothing to compare with, and why (shown as a note).
    Missing(String),
}

/// Reads the old spec of the workspace at `root` (its spec file named
/// `spec_file`, relative to `root`).
pub fn load(root: &Path, spec_file: &str, source: &Source) -> Result<Base, String> {
    match source {
        Source::File(path) => {
            let label = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {label}: {e}"))?;
            let doc = serde_json::from_str(&text).map_err(|e| format!("{label} is not JSON ({e})"))?;
            Ok(Base::Found { label, doc })
        }
        Source::Rev { rev, explicit } => {
            let label = format!("{rev}:{spec_file}");
            let missing = |why: String| if *explicit { Err(why) } else { Ok(Base::Missing(why)) };
            let output = match Command::new("git")
                .current_dir(root)
                .args(["show", &format!("{rev}:./{spec_file}")])
                .env("GIT_OPTIONAL_LOCKS", "0")
                .env("LC_ALL", "C")
                .output()
            {
                Ok(output) => output,
                Err(e) => return missing(format!("cannot run git ({e}), so there is no {label} to compare with")),
            };
            if !output.status.success() {
                let stderr = String::from_utf8_lossy(&output.stderr);
                let why = if stderr.contains("not a git repository") {
                    "not a git repository, so there is no committed openapi.json to compare with".to_string()
                } else if stderr.contains("exists on disk, but not in") || stderr.contains("does not exist in") {
                    format!("{rev} has no {spec_file} to compare with")
                } else if stderr.contains("invalid object name") || stderr.contains("unknown revision") {
                    format!("no revision {rev} (a repository without commits?), so there is no {label} to compare with")
                } else {
                    format!("`git show {rev}:./{spec_file}` failed: {}", stderr.trim())
                };
                return missing(why);
            }
            match serde_json::from_slice(&output.stdout) {
                Ok(doc) => Ok(Base::Found { label, doc }),
                Err(e) => missing(format!("{label} is not JSON ({e}), so there is nothing to compare with")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;

    fn git(root: &Path, args: &[&str]) {
        let status = Command::new("git")
            .current_dir(root)
            .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .unwrap();
        assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
    }

    #[test]
    fn head_of_a_repository_and_the_reasons_there_is_none() {
        let scratch = Scratch::new("breaking-base");
        let root = scratch.root();
        let head = Source::default();
        let Base::Missing(why) = load(root, "openapi.json", &head).unwrap() else { panic!("found a base") };
        assert!(why.starts_with("not a git repository"), "{why}");

        git(root, &["init", "-q"]);
        let Base::Missing(why) = load(root, "openapi.json", &head).unwrap() else { panic!("found a base") };
        assert!(why.starts_with("no revision HEAD"), "{why}");

        std::fs::write(root.join("README"), "x").unwrap();
        git(root, &["add", "README"]);
        git(root, &["commit", "-q", "-m", "one"]);
        let Base::Missing(why) = load(root, "openapi.json", &head).unwrap() else { panic!("found a base") };
        assert_eq!(why, "HEAD has no openapi.json to compare with");

        std::fs::write(root.join("openapi.json"), r#"{"openapi": "3.1.0"}"#).unwrap();
        git(root, &["add", "openapi.json"]);
        git(root, &["commit", "-q", "-m", "two"]);
        let Base::Found { label, doc } = load(root, "openapi.json", &head).unwrap() else { panic!("no base") };
        assert_eq!(label, "HEAD:openapi.json");
        assert_eq!(doc["openapi"], "3.1.0");

        let named = Source::Rev { rev: "nope".into(), explicit: true };
        assert!(load(root, "openapi.json", &named).unwrap_err().starts_with("no revision nope"));
        let file = Source::File(root.join("missing.json"));
        assert!(load(root, "openapi.json", &file).unwrap_err().starts_with("cannot read "));
    }
}
