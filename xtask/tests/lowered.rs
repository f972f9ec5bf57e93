//! Specs with constructs that were refused once (`tests/lowered-specs/`):
//! each generates, where OpenAPI 3.0, progenitor or dropshot cannot hold it
//! exactly with a note naming the place, what was kept and what was lost. A
//! spec is refused only when it is broken (`tests/bad-specs/`).

use xtask::codegen;
use xtask::diag::NoteKind;
use xtask::testing::Scratch;

/// Every file and the notes (kind, pointer) it must get.
const EXPECTED: &[(&str, &[(NoteKind, &str)])] = &[
    ("const_null.json", &[(NoteKind::NullOnly, "/components/schemas/Item/properties/nothing")]),
    // once refused, now generated as they are
    ("cookie_parameter.json", &[]),
    ("form_body.json", &[]),
    ("header_parameter.json", &[]),
    ("multipart_body.json", &[]),
    ("null_only_type.json", &[(NoteKind::NullOnly, "/components/schemas/Item/properties/nothing")]),
    ("partial_content_206.json", &[]),
    ("prefix_items.json", &[(NoteKind::Tuple, "/components/schemas/Item/properties/point")]),
    ("several_success_responses.json", &[]),
];

#[test]
fn every_lowered_spec_generates_with_its_notes() {
    let dir = xtask::spec::Workspace::this().root.join("xtask/tests/lowered-specs");
    let mut files: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    let listed: Vec<&str> = EXPECTED.iter().map(|(name, _)| *name).collect();
    assert_eq!(files, listed, "every file of tests/lowered-specs needs a line in EXPECTED");
    for (name, expected) in EXPECTED {
        let scratch = Scratch::generator_inputs(&format!("lowered-{name}"));
        std::fs::copy(dir.join(name), scratch.root().join("openapi.json")).unwrap();
        let mut notes = Vec::new();
        let files = xtask::quietly(|| codegen::generate_all_noting(&scratch.workspace(), &mut notes))
            .unwrap_or_else(|panic| panic!("{name}: panicked: {panic}"))
            .unwrap_or_else(|failure| panic!("{name}: refused: {failure:?}"));
        assert_eq!(files.len(), 2, "{name}");
        let found: Vec<(NoteKind, &str)> = notes.iter().map(|n| (n.kind, n.pointer())).collect();
        for note in *expected {
            assert!(found.contains(note), "{name}: no {note:?} in {found:?}");
        }
    }
}
