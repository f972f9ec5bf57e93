//! The round-trip check as a test: the document dropshot derives from the
//! generated trait equals the lowered spec (up to the named allowances), and
//! a change on either side is caught at its JSON pointer.

#![cfg(feature = "round-trip")]

use serde_json::json;
use xtask::roundtrip::compare;
use xtask::spec::Workspace;

fn lowered() -> serde_json::Value {
    Workspace::this().load().unwrap_or_else(|e| panic!("{e}")).lowered
}

#[test]
fn the_server_publishes_the_spec() {
    let report = compare(&lowered(), &humm_config_api::openapi());
    assert_eq!(report.differences, vec![], "run `cargo xtask generate`");
    assert_eq!(report.operations, 3);
    let allowances: std::collections::BTreeSet<&str> = report.allowed.iter().map(|(n, _)| *n).collect();
    assert_eq!(allowances, ["error-responses", "security", "validation-keywords"].into());
    assert!(report.allowed.contains(&(
        "validation-keywords",
        "/paths/~1api~1integration-sources~1{source_id}~1saas-associations~1bulk-status/post/requestBody/content/application~1json/schema/properties/association_ids/minItems".into()
    )), "{:?}", report.allowed);
}

#[test]
fn a_parameter_changed_in_the_spec_is_caught() {
    let mut spec = lowered();
    let list = "/paths/~1api~1integration-sources~1{source_id}~1saas-associations/get/parameters";
    let params = spec.pointer_mut(list).unwrap().as_array_mut().unwrap();
    let from = params.iter_mut().find(|p| p["name"] == "from_object_id").unwrap();
    from["schema"] = json!({"type": "integer"});
    let report = compare(&spec, &humm_config_api::openapi());
    let pointers: Vec<&str> = report.differences.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        [format!("{list}/from_object_id/schema/format"), format!("{list}/from_object_id/schema/type")],
        "{report:?}"
    );
}

#[test]
fn a_type_changed_in_the_server_is_caught() {
    let mut published = humm_config_api::openapi();
    let schemas = published.pointer_mut("/components/schemas/SaasAssociationResponse/properties").unwrap();
    schemas["score"] = json!({"type": "string"});
    let report = compare(&lowered(), &published);
    assert!(!report.differences.is_empty());
    assert!(report.differences.iter().all(|(p, _)| p.contains("/properties/score/")), "{report:?}");
}
