//! What the lowering's notes promise, in the generated code of the `lowered`
//! fixture (`xtask/tests/fixtures/lowered.json`, FastAPI's shapes for
//! `tuple[float, float]`, `tuple[int, str]`, `dict[Color, int]`, `x: None` and
//! a Python-syntax pattern): the values FastAPI sends decode, and encode back
//! to the same JSON, on the client's side and on the server's.

use codegen_tests::{lowered_client, lowered_server};
use serde_json::json;

/// What the generated types send back: the same, less the `None` value,
/// which they leave out and FastAPI reads as its default, null.
fn sent() -> serde_json::Value {
    let mut sent = body();
    sent.as_object_mut().unwrap().remove("nothing");
    sent
}

fn body() -> serde_json::Value {
    json!({
        "name": "AB-12",
        "point": [1.5, -2.0],
        "label": [7, "seven"],
        "counts": {"red": 1, "blue": 2},
        "nothing": null
    })
}

#[test]
fn fastapi_bodies_round_trip_through_the_client_types() {
    let shape: lowered_client::types::Shape = serde_json::from_value(body()).unwrap();
    assert_eq!(shape.point, [1.5, -2.0]);
    assert_eq!(shape.counts["blue"], 2);
    assert_eq!(serde_json::to_value(&shape).unwrap(), sent());
}

#[test]
fn fastapi_bodies_round_trip_through_the_server_types() {
    let shape: lowered_server::types::Shape = serde_json::from_value(body()).unwrap();
    assert_eq!(serde_json::to_value(&shape).unwrap(), sent());
}

#[test]
fn the_translated_pattern_validates_as_python_did() {
    assert!("AB-12".parse::<lowered_client::types::Name>().is_ok());
    assert!("ab-12".parse::<lowered_client::types::Name>().is_err());
    assert!("ABC-12".parse::<lowered_server::types::Name>().is_err());
    // a tuple of the wrong length is refused, as pydantic refuses it
    let mut short = body();
    short["point"] = json!([1.0]);
    assert!(serde_json::from_value::<lowered_client::types::Shape>(short).is_err());
}
