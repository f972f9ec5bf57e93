//! Real FastAPI services: every export in `../shared/realworld/` (public
//! services' `openapi.json`, unchanged; `REALWORLD_DIR` names another
//! folder), read from there and never copied here, must generate: no
//! refusal, whatever its operations do ([`xtask::contain`]).
//!
//! What is left out of each, and why (the kind of the problem and its
//! place), is the golden file `tests/realworld.txt`, so that every shape
//! the generators learn to take shows as a shrinking diff and any
//! regression as a growing one (refresh with `UPDATE_GOLDEN=1 cargo test
//! -p xtask --test realworld` and review the diff). The goal is no line
//! under any export.

use std::path::PathBuf;
use std::sync::Mutex;

use xtask::diag::NoteKind;
use xtask::spec::{Config, Spec, Workspace};

fn corpus_dir() -> PathBuf {
    std::env::var_os("REALWORLD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Workspace::this().root.join("../shared/realworld"))
}

/// What one export gave: its section of the golden file, or why it failed.
fn generate(name: &str, text: &str) -> Result<String, String> {
    let mut spec = Spec::from_str("openapi.json", text, Config::default()).map_err(|e| format!("refused: {e}"))?;
    let mut notes = spec.notes.clone();
    xtask::quietly(|| xtask::codegen::generate_contained(&mut spec, &mut notes))
        .map_err(|panic| format!("panicked: {panic}"))?
        .map_err(|failure| format!("refused: {failure:?}"))?;
    let total = spec.operations_in_export;
    let generated = spec.operations.len();
    let mut section = format!("== {name}: {generated} of {total} operations generated\n");
    for note in notes.iter().filter(|n| n.kind == NoteKind::LeftOut) {
        section.push_str(&format!(
            "left out {} [{}]\n",
            xtask::pointer::display(note.pointer()),
            kind_of(&note.message)
        ));
    }
    Ok(section)
}

/// The kind of the first problem of a left-out note, which ends
/// `... [kind] at /pointer (and N more)` or `... [kind]` (its message, a
/// generator's panic, may hold brackets of its own).
fn kind_of(message: &str) -> &str {
    let head = match message.rfind("] at ") {
        Some(end) => &message[..end],
        None => message.trim_end_matches(|c: char| c != ']').trim_end_matches(']'),
    };
    head.rsplit_once(" [").map(|(_, kind)| kind).unwrap_or("?")
}

#[test]
fn every_real_export_generates_and_what_is_left_out_is_known() {
    let dir = corpus_dir();
    let mut exports: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!("{}: {e} (the exports of real services; REALWORLD_DIR names another folder)", dir.display())
        })
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    exports.sort();
    assert!(exports.len() >= 20, "{} holds only {} exports", dir.display(), exports.len());
    // two at a time: the machine has two cores, and the largest takes seconds
    let queue = Mutex::new(exports.iter().enumerate().collect::<Vec<_>>());
    let results = Mutex::new(vec![None; exports.len()]);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some((i, path)) = queue.lock().unwrap().pop() else { return };
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    let text = std::fs::read_to_string(path).unwrap();
                    let result = std::thread::scope(|inner| {
                        // the generators recurse on deep schemas: the main thread's stack
                        std::thread::Builder::new()
                            .stack_size(8 << 20)
                            .spawn_scoped(inner, || generate(&name, &text))
                            .unwrap()
                            .join()
                            .unwrap_or_else(|_| Err("panicked".to_string()))
                    });
                    results.lock().unwrap()[i] = Some(result);
                }
            });
        }
    });
    let mut golden = String::new();
    let mut failures = Vec::new();
    for (path, result) in exports.iter().zip(results.into_inner().unwrap()) {
        match result.expect("every export ran") {
            Ok(section) => golden.push_str(&section),
            Err(why) => failures.push(format!("{}: {why}", path.display())),
        }
    }
    assert!(failures.is_empty(), "exports that did not generate:\n{}", failures.join("\n"));
    xtask::testing::assert_golden_file("xtask/tests/realworld.txt", golden);
}
