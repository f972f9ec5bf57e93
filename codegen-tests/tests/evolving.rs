//! The client of the `evolving` fixture (`xtask/tests/fixtures/evolving.json`
//! with `evolving.toml`) reads what a newer service answers and keeps what it
//! sends exact: each enum and closed model in each position a client meets
//! them, decoded with serde as the client decodes a response body.

use codegen_tests::evolving_client::types::{Document, DocumentCreate, Priority, Stage, Status, Visibility};
use serde_json::json;

fn newer_document() -> serde_json::Value {
    json!({
        "id": 7,
        "status": "ARCHIVED",
        "stage": "RETIRED",
        "visibility": "public",
        "history": ["SUGGESTED", "ARCHIVED"],
        "revision": 3
    })
}

#[test]
fn a_response_reads_new_values_and_new_properties() {
    let document: Document = serde_json::from_value(newer_document()).expect("a newer answer decodes");
    assert_eq!(document.status, Status::Unknown("ARCHIVED".to_string()));
    assert_eq!(document.history, [Status::Suggested, Status::Unknown("ARCHIVED".to_string())]);
    // the enum has a value `UNKNOWN` of its own, so the catch-all is named apart
    assert_eq!(document.stage, Stage::UnknownValue("RETIRED".to_string()));
    let known: Stage = serde_json::from_value(json!("UNKNOWN")).unwrap();
    assert_eq!(known, Stage::Unknown);
    assert_eq!(document.visibility, Visibility::Public);
    assert_eq!(document.note, None, "a missing optional property decodes too");
    // raw values go back out as they came; the unknown property is dropped
    let mut expected = newer_document();
    expected.as_object_mut().unwrap().remove("revision");
    assert_eq!(serde_json::to_value(&document).unwrap(), expected);
    assert_eq!(document.stage.to_string(), "RETIRED");
}

#[test]
fn a_strict_enum_refuses_a_new_value() {
    let mut body = newer_document();
    body["visibility"] = json!("internal");
    let e = serde_json::from_value::<Document>(body).unwrap_err();
    assert!(e.to_string().contains("unknown variant `internal`"), "{e}");
}

#[test]
fn what_is_only_sent_stays_exact() {
    // request-only: no catch-all, `Copy`, and unknown properties refused
    let priority: Priority = "high".parse().unwrap();
    let copied = priority;
    assert_eq!((priority, copied), (Priority::High, Priority::High));
    assert!(serde_json::from_value::<Priority>(json!("urgent")).is_err());
    let e = serde_json::from_value::<DocumentCreate>(json!({"title": "t", "priority": "low", "extra": 1})).unwrap_err();
    assert!(e.to_string().contains("unknown field `extra`"), "{e}");
    // a shared enum parses exactly, though it decodes leniently
    assert!("ARCHIVED".parse::<Status>().is_err());
    assert!(Status::try_from("APPROVED").is_ok());
}

#[test]
fn a_union_still_chooses_its_member_by_the_discriminator() {
    use codegen_tests::evolving_client::types::ListPetsResponseItem as Pet;
    let pets: Vec<Pet> = serde_json::from_value(json!([
        {"kind": "cat", "name": "Tom"},
        {"kind": "dog", "name": "Rex", "breed": "collie", "good_boy": true}
    ]))
    .unwrap();
    assert!(matches!(&pets[0], Pet::Cat(cat) if cat.name == "Tom"));
    assert!(matches!(&pets[1], Pet::Dog(dog) if dog.breed.as_deref() == Some("collie")));
    // a new kind of member is an error, never a cat
    assert!(serde_json::from_value::<Pet>(json!({"kind": "bird", "name": "Tweety"})).is_err());
}
