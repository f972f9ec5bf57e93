//! The seed's hand-written handlers: the part of this stub a team replaces.
//!
//! Everything else (routing, FastAPI's validation and 422s, the bearer
//! check, the store, every field of the response model in its order) is
//! `contract-stub`'s engine, which serves any spec. These three operations
//! override its defaults where the service's documented behaviour is more
//! than the path convention says:
//!
//! - **List** filters by `from_object_id`, `to_object_id`, `status` and
//!   `type` (which names `relationship_type`), ordered by `created_at`, then
//!   `id`. The six scope parameters (`organization_id`, `resource_id`, …) are
//!   validated and otherwise ignored: they scope authorisation in the real
//!   service, which a stub does not model.
//! - **Update** is the engine's: the fields sent are merged (`null` clears a
//!   field whose response schema allows `null`, a field left out stays) and
//!   `updated_at` moves to now; only its 404 says what the service says.
//! - **Bulk status** is all or nothing: every id must exist under the source,
//!   or the answer is 404 naming the first unknown id and nothing changes.
//!   Each id is changed once, in the order sent; `score` and `evidence`
//!   change when sent. Its answer is `{"updated": n, "association_ids": [...]}`.

use std::sync::Arc;

use dropshot_codegen_runtime::mock::{Answer, Call, Handler, Reply, key_of as text};
use dropshot_codegen_runtime::resources::Store;
use serde_json::{Value, json};

/// The associations' collection path in the spec.
pub const ASSOCIATIONS: &str = "/api/integration-sources/{source_id}/saas-associations";

/// operationId → handler.
pub fn overrides() -> Vec<(&'static str, Handler)> {
    vec![
        ("list_saas_associations_api_integration_sources__source_id__saas_associations_get", Arc::new(list)),
        (
            "update_saas_association_api_integration_sources__source_id__saas_associations__association_id__put",
            Arc::new(update),
        ),
        (
            "bulk_update_saas_association_status_api_integration_sources__source_id__saas_associations_bulk_status_post",
            Arc::new(bulk_status),
        ),
    ]
}

fn not_found(association: &str, source: &str) -> Reply {
    Reply::Answer(Answer::detail(
        404,
        &format!("SaaS association {association} not found in integration source {source}"),
    ))
}

fn list(call: &Call<'_>, store: &mut Store) -> Reply {
    let Some(resource) = store.resource(ASSOCIATIONS) else { return Reply::Default };
    let source = text(call.params.get("source_id"));
    let wanted = |param: &str, property: &str, item: &Value| match call.params.get(param) {
        None | Some(Value::Null) => true,
        Some(value) => item.get(property) == Some(value),
    };
    let mut found: Vec<Value> = store
        .list(resource, std::slice::from_ref(&source))
        .unwrap_or_default()
        .into_iter()
        .filter(|a| {
            wanted("from_object_id", "from_object_id", a)
                && wanted("to_object_id", "to_object_id", a)
                && wanted("status", "status", a)
                && wanted("type", "relationship_type", a)
        })
        .cloned()
        .collect();
    // RFC 3339 UTC timestamps of one form sort as text
    found.sort_by(|a, b| {
        (text(a.get("created_at")), text(a.get("id"))).cmp(&(text(b.get("created_at")), text(b.get("id"))))
    });
    // stored items are in the response's form already
    Reply::Answer(Answer::json(200, &Value::Array(found)))
}

fn update(call: &Call<'_>, store: &mut Store) -> Reply {
    let Some(resource) = store.resource(ASSOCIATIONS) else { return Reply::Default };
    let (source, association) = (text(call.params.get("source_id")), text(call.params.get("association_id")));
    match store.read(resource, std::slice::from_ref(&source), &association) {
        Ok(_) => Reply::Default,
        Err(_) => not_found(&association, &source),
    }
}

fn bulk_status(call: &Call<'_>, store: &mut Store) -> Reply {
    let Some(resource) = store.resource(ASSOCIATIONS) else { return Reply::Default };
    let source = text(call.params.get("source_id"));
    let parents = std::slice::from_ref(&source);
    let ids: Vec<String> =
        call.body["association_ids"].as_array().into_iter().flatten().map(|v| text(Some(v))).collect();
    if let Some(missing) = ids.iter().find(|id| store.read(resource, parents, id).is_err()) {
        return not_found(missing, &source);
    }
    // each id once, in the order sent
    let mut seen = std::collections::BTreeSet::new();
    let ids: Vec<String> = ids.into_iter().filter(|id| seen.insert(id.clone())).collect();
    let sent = |key: &str| call.sent.iter().any(|s| s == key);
    let now = dropshot_codegen_runtime::mock::now();
    for id in &ids {
        let Ok(mut association) = store.read(resource, parents, id).cloned() else { continue };
        association["status"] = call.body["status"].clone();
        for key in ["score", "evidence"] {
            if sent(key) {
                association[key] = call.body[key].clone();
            }
        }
        association["updated_at"] = json!(now);
        let _ = store.put(resource, parents, id.clone(), association);
    }
    Reply::Answer(Answer::json(200, &json!({"updated": ids.len(), "association_ids": ids})))
}
