//! Synthesized values are valid: for every response schema and every
//! component schema of the Coverage API's and the workspace's lowered
//! exports, the values of 50 seeds validate with the validator (which agrees
//! with FastAPI + pydantic) and come back unchanged, i.e. they are in
//! pydantic's dumped form. Also: examples first, determinism,
//! discriminators.

use std::path::PathBuf;

use dropshot_codegen_runtime::synth::Synth;
use dropshot_codegen_runtime::validate::Validator;
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn lowered(file: &str) -> Value {
    let raw: Value = serde_json::from_str(&std::fs::read_to_string(root().join(file)).unwrap()).unwrap();
    xtask::lower::lower(&raw).unwrap_or_else(|problems| panic!("{file} does not lower: {problems:?}")).doc
}

/// (where, schema) of every JSON response and every component schema.
fn schemas(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    if let Some(schema) = content.get("schema") {
                        out.push((format!("{method} {path} {status} {media}"), schema.clone()));
                    }
                }
            }
        }
    }
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        out.push((format!("#/components/schemas/{name}"), schema.clone()));
    }
    out
}

#[test]
fn synthesized_values_are_valid_and_dumped() {
    let mut total = 0;
    let mut failures = Vec::new();
    for file in ["fastapi-app/openapi.json", "openapi.json"] {
        let doc = lowered(file);
        let synth = Synth::new(&doc);
        let validator = Validator::new(&doc);
        let schemas = schemas(&doc);
        for (place, schema) in &schemas {
            for seed in 0..50 {
                total += 1;
                let value = synth.value(schema, seed);
                match validator.validate_value(schema, &value, &[json!("response")]) {
                    Ok(validated) if validated == value => {}
                    Ok(validated) => failures
                        .push(format!("{file} {place} seed {seed}: changed\n  ours: {value}\n  dumped: {validated}")),
                    Err(errors) => failures.push(format!(
                        "{file} {place} seed {seed}: invalid\n  ours: {value}\n  errors: {}",
                        serde_json::to_string(&errors).unwrap()
                    )),
                }
            }
        }
        println!("{file}: {} schemas", schemas.len());
    }
    println!("synth validity: {} of {total} values valid and unchanged", total - failures.len());
    assert!(
        failures.is_empty(),
        "{} of {total} values fail:\n{}",
        failures.len(),
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn same_seed_same_value_and_seeds_differ() {
    let doc = lowered("fastapi-app/openapi.json");
    let synth = Synth::new(&doc);
    for (place, schema) in schemas(&doc) {
        let values: Vec<Value> = (0..20).map(|seed| synth.value(&schema, seed)).collect();
        assert_eq!(values, (0..20).map(|seed| synth.value(&schema, seed)).collect::<Vec<_>>(), "{place}");
        let distinct: std::collections::BTreeSet<String> = values.iter().map(Value::to_string).collect();
        assert!(distinct.len() > 1 || is_constant(&schema, &doc), "{place}: one value for 20 seeds: {}", values[0]);
    }
}

/// A schema with a single possible value (`{"type": "null"}` and the like).
fn is_constant(schema: &Value, doc: &Value) -> bool {
    let resolved = schema.get("$ref").and_then(Value::as_str).and_then(|r| doc.pointer(&r[1..])).unwrap_or(schema);
    resolved.get("enum").and_then(Value::as_array).is_some_and(|v| v.len() == 1)
}

#[test]
fn examples_come_first() {
    let doc = json!({
        "paths": {"/pets": {"get": {"responses": {
            "200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Pet"},
                "examples": {"one": {"value": {"name": "Media"}}, "two": {"$ref": "#/components/examples/Two"}}
            }}},
            "404": {"content": {"application/json": {"schema": {"type": "string"}}}}
        }}}, "/plain": {"get": {"responses": {"204": {"description": "none"}}}}},
        "components": {
            "examples": {"Two": {"value": {"name": "Referenced"}}},
            "schemas": {
                "Pet": {"type": "object", "properties": {
                    "name": {"type": "string", "example": "Rex"},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "tags": {"type": "array", "items": {"type": "string", "examples": ["a", "b"]}, "minItems": 2}
                }},
                "Kind": {"type": "string", "enum": ["cat", "dog"], "example": "dog"},
                "Named": {"$ref": "#/components/schemas/Pet", "example": {"name": "Whole"}}
            }
        }
    });
    let synth = Synth::new(&doc);
    let pet = synth.value(&json!({"$ref": "#/components/schemas/Pet"}), 1);
    assert_eq!(pet["name"], "Rex");
    assert_eq!(pet["kind"], "dog");
    assert!(pet["tags"].as_array().unwrap().iter().all(|t| t == "a" || t == "b"));
    assert_eq!(synth.value(&json!({"$ref": "#/components/schemas/Named"}), 1), json!({"name": "Whole"}));
    assert_eq!(synth.value(&json!({"example": 5, "$ref": "#/components/schemas/Named"}), 1), json!(5));
    let media = &doc["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"];
    let seen: std::collections::BTreeSet<String> = (0..20)
        .map(|seed| synth.media_type_value(media, seed).unwrap()["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["Media", "Referenced"]);
    let response = synth.response("/pets", "GET", 3).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.content_type.as_deref(), Some("application/json"));
    assert!(response.body.is_some());
    let empty = synth.response("/plain", "get", 3).unwrap();
    assert_eq!((empty.status, empty.content_type, empty.body), (204, None, None));
}

#[test]
fn discriminators_pick_a_member_and_set_its_tag() {
    let doc = json!({"components": {"schemas": {
        "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "doggo": "#/components/schemas/Dog"}}},
        "Cat": {"type": "object", "required": ["kind", "lives"], "properties": {"kind": {"type": "string"}, "lives": {"type": "integer", "minimum": 0, "maximum": 9}}},
        "Dog": {"type": "object", "required": ["kind", "good"], "properties": {"kind": {"type": "string"}, "good": {"type": "boolean"}}}
    }}});
    let synth = Synth::new(&doc);
    let validator = Validator::new(&doc);
    let schema = json!({"$ref": "#/components/schemas/Pet"});
    let mut kinds = std::collections::BTreeSet::new();
    for seed in 0..30 {
        let pet = synth.value(&schema, seed);
        match pet["kind"].as_str().unwrap() {
            "cat" => assert!(pet.get("lives").is_some() && pet.get("good").is_none()),
            "doggo" => assert!(pet.get("good").is_some() && pet.get("lives").is_none()),
            other => panic!("tag {other}"),
        }
        kinds.insert(pet["kind"].as_str().unwrap().to_string());
        assert_eq!(validator.validate_value(&schema, &pet, &[]).unwrap(), pet);
    }
    assert_eq!(kinds.len(), 2);
}

#[test]
fn bounds_formats_and_recursion() {
    let doc = json!({"components": {"schemas": {
        "Node": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "parent": {"allOf": [{"$ref": "#/components/schemas/Node"}], "nullable": true}
        }}
    }}});
    let synth = Synth::new(&doc);
    let validator = Validator::new(&doc);
    let cases = [
        json!({"type": "integer", "minimum": 5, "exclusiveMaximum": true, "maximum": 8, "multipleOf": 2}),
        json!({"type": "integer", "exclusiveMinimum": 10, "exclusiveMaximum": 12}),
        json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 0.01}),
        json!({"type": "number", "multipleOf": 0.25, "minimum": -1.5, "maximum": -1}),
        json!({"anyOf": [{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 5}, {"type": "string"}]}),
        json!({"type": "string", "minLength": 20, "maxLength": 22}),
        json!({"type": "string", "format": "date-time"}),
        json!({"type": "string", "format": "date"}),
        json!({"type": "string", "format": "uuid"}),
        json!({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 3}, "minItems": 3, "maxItems": 4, "uniqueItems": true}),
        json!({"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}, "minItems": 2, "maxItems": 2}),
        json!({"type": "object", "additionalProperties": {"type": "string", "format": "uuid"}}),
        json!({"$ref": "#/components/schemas/Node"}),
    ];
    for schema in &cases {
        for seed in 0..50 {
            let value = synth.value(schema, seed);
            assert_eq!(validator.validate_value(schema, &value, &[]).as_ref(), Ok(&value), "{schema} seed {seed}");
        }
    }
    let depth = |v: &Value| -> usize {
        fn walk(v: &Value) -> usize {
            match v {
                Value::Object(m) => 1 + m.values().map(walk).max().unwrap_or(0),
                Value::Array(a) => a.iter().map(walk).max().unwrap_or(0),
                _ => 0,
            }
        }
        walk(v)
    };
    for seed in 0..50 {
        // models nested deeper than the limit have their optional fields ended
        assert!(depth(&synth.value(&json!({"$ref": "#/components/schemas/Node"}), seed)) <= 4);
        assert!(depth(&synth.with_max_depth(6).value(&json!({"$ref": "#/components/schemas/Node"}), seed)) <= 7);
    }
    assert!((0..50).any(|seed| depth(&synth.value(&json!({"$ref": "#/components/schemas/Node"}), seed)) >= 3));
    let datetimes: Vec<String> = (0..50).map(|s| synth.value(&cases[6], s).as_str().unwrap().to_string()).collect();
    assert!(datetimes.iter().any(|d| d.ends_with('Z') && d.contains('.')));
    assert!(datetimes.iter().any(|d| d.ends_with(":00") && !d.ends_with('Z')));
}

/// The exports of real services (`../shared/realworld`, read from there):
/// every JSON response's synthesized values, a few seeds each, are valid
/// by JSON Schema's rules too (a `oneOf` member each, patterns with
/// lookarounds), as schemathesis checks the stub's answers.
#[test]
fn synthesized_values_of_real_exports_are_valid() {
    let dir =
        std::env::var_os("REALWORLD_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("../shared/realworld"));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!(
            "{}: the exports of real services are read from there (REALWORLD_DIR names another folder)",
            dir.display()
        )
    };
    let mut files: Vec<PathBuf> =
        entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    let (mut total, mut failures) = (0, Vec::new());
    for file in files {
        let raw: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let doc = xtask::lower::lower(&raw).unwrap_or_else(|p| panic!("{}: {p:?}", file.display())).doc;
        let synth = Synth::new(&doc);
        let validator = Validator::new(&doc).exclusive();
        for (place, schema) in schemas(&doc).into_iter().filter(|(place, _)| !place.starts_with('#')) {
            for seed in 0..3 {
                total += 1;
                let value = synth.value(&schema, seed);
                if let Err(errors) = validator.validate_value(&schema, &value, &[]) {
                    let name = file.file_name().unwrap().to_string_lossy();
                    failures
                        .push(format!("{name} {place} seed {seed}: {}", serde_json::to_string(&errors[0]).unwrap()));
                }
            }
        }
    }
    println!("real exports: {} of {total} values valid", total - failures.len());
    assert!(
        failures.is_empty(),
        "{} of {total} fail:\n{}",
        failures.len(),
        failures.iter().take(15).cloned().collect::<Vec<_>>().join("\n")
    );
}
