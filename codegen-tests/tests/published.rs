//! The generated servers publish every operation of their fixture spec at
//! its own path and method, including the ones routed at a variable's place.

use serde_json::Value;

fn operations(doc: &Value) -> Vec<(String, String, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                ops.push((method.to_uppercase(), path.clone(), id.to_string()));
            }
        }
    }
    ops.sort();
    ops
}

fn spec(name: &str) -> Value {
    let path = xtask::spec::Workspace::this().root.join(format!("xtask/tests/fixtures/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn inventory_publishes_every_operation_where_the_spec_has_it() {
    let published = codegen_tests::inventory_server::openapi();
    assert_eq!(operations(&published), operations(&spec("inventory")));
    // the literal sibling is not published at the variable's place
    assert!(published["paths"]["/items/{item_id}"].get("post").is_none());
}

#[test]
fn notes_publishes_every_operation_where_the_spec_has_it() {
    assert_eq!(operations(&codegen_tests::notes30_server::openapi()), operations(&spec("notes30")));
}
