//! Which operations of a spec form a stateful resource, by the shape of
//! their paths: the convention the contract stub keeps state by.
//!
//! A **resource** is a collection path `C` whose last segment is a literal
//! (`/items`, `/items/{item_id}/notes`), with a `POST C` or a `GET C`, and
//! one item path `C/{id}` (one variable segment more) with a `GET`, `PUT`,
//! `PATCH` or `DELETE`. Its operations and their roles:
//!
//! | operation | role |
//! |---|---|
//! | `POST C` | [`Role::Create`]: the item is stored under a new id |
//! | `GET C` | [`Role::List`]: the stored items, in the order they were created |
//! | `GET C/{id}` | [`Role::Read`] (404 `{"detail": "Not Found"}` when absent) |
//! | `PUT C/{id}` | [`Role::Replace`] |
//! | `PATCH C/{id}` | [`Role::Update`]: merges the fields sent, as FastAPI's `exclude_unset` does |
//! | `DELETE C/{id}` | [`Role::Delete`]: the next read is a 404 |
//!
//! Decisions where the paths are ambiguous:
//!
//! - a collection without an item path is not a resource (`POST /files`,
//!   `POST /auth/token`, `POST /items/validate`): nothing names a stored item;
//! - a resource without a create (`GET C` and `PUT C/{id}` only) holds what
//!   the fixtures load into it;
//! - a resource nested under another one's item path (`/items/{item_id}/notes`
//!   under `/items/{item_id}`) is kept per parent id, and a parent that does
//!   not exist is a 404 for every operation of the child;
//! - the id: the item path's variable (`{note_id}`) names it; the stored
//!   item's id property is the response property of that name, else `id`
//!   (FastAPI's models say `id` where the path says `item_id`); when the
//!   create body carries that property (`POST /pets` with a `name`, read at
//!   `/pets/{name}`), the client chose the id, else the stub assigns it: the
//!   next integer for an integer property, else a UUID;
//! - paths with a literal beside the variable (`/items/{item_id}/image`,
//!   `/users/me`) are not item paths: they answer from examples.
//!
//! `codegen.toml` corrects the convention per operation (see the stub's
//! documentation); [`recognise`] takes those corrections as `overrides`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::template;

/// What an operation does to its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Create,
    List,
    Read,
    Replace,
    Update,
    Delete,
}

impl Role {
    /// The role's name in `codegen.toml` and in the stub's start-up lines.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Create => "create",
            Role::List => "list",
            Role::Read => "read",
            Role::Replace => "replace",
            Role::Update => "update",
            Role::Delete => "delete",
        }
    }

    /// A role from its name.
    pub fn parse(name: &str) -> Option<Role> {
        [Role::Create, Role::List, Role::Read, Role::Replace, Role::Update, Role::Delete]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

/// One resource: a collection and its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The collection path (`/items/{item_id}/notes`).
    pub collection: String,
    /// The item path (`/items/{item_id}/notes/{note_id}`).
    pub item: String,
    /// The item path's own variable (`note_id`).
    pub id_param: String,
    /// The variables of the collection path, outermost first (`["item_id"]`).
    pub parent_params: Vec<String>,
    /// The resource whose item path is this one's collection's prefix.
    pub parent: Option<usize>,
}

/// An operation's part in a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// Index into [`Resources::resources`].
    pub resource: usize,
    pub role: Role,
}

/// Every resource of a spec, and the operations bound to them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resources {
    pub resources: Vec<Resource>,
    /// operationId → its part.
    pub operations: BTreeMap<String, Binding>,
}

impl Resources {
    /// The part of `operation_id`, if it has one.
    pub fn binding(&self, operation_id: &str) -> Option<Binding> {
        self.operations.get(operation_id).copied()
    }
}

/// A correction of the convention for one operation (`codegen.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// Not part of any resource: it answers from examples.
    Stateless,
    /// This role in the resource whose collection path is given.
    Role { collection: String, role: Role },
}

/// The operations of a path item: (method, operationId).
fn operations_of(item: &Value) -> Vec<(&'static str, &str)> {
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    METHODS
        .into_iter()
        .filter_map(|m| item.get(m).and_then(|op| op.get("operationId")).and_then(Value::as_str).map(|id| (m, id)))
        .collect()
}

/// The resources of a lowered OpenAPI document by the convention of this
/// module, corrected by `overrides` (operationId → correction).
pub fn recognise(doc: &Value, overrides: &BTreeMap<String, Override>) -> Resources {
    let empty = serde_json::Map::new();
    let paths = doc.get("paths").and_then(Value::as_object).unwrap_or(&empty);
    let mut out = Resources::default();
    for (collection, item) in paths {
        let segments = template::segments(collection);
        if segments.last().is_none_or(|s| template::variable(s).is_some()) {
            continue;
        }
        let collection_ops = operations_of(item);
        if !collection_ops.iter().any(|(m, _)| matches!(*m, "post" | "get")) {
            continue;
        }
        // the item path: one variable segment more, the only such sibling
        let items: Vec<(&String, &Value)> = paths
            .iter()
            .filter(|(p, _)| {
                let s = template::segments(p);
                s.len() == segments.len() + 1
                    && s[..segments.len()] == segments[..]
                    && s.last().is_some_and(|last| template::variable(last).is_some())
            })
            .collect();
        let [(item_path, item_ops)] = items.as_slice() else { continue };
        if !operations_of(item_ops).iter().any(|(m, _)| matches!(*m, "get" | "put" | "patch" | "delete")) {
            continue;
        }
        let id_param =
            template::segments(item_path).last().and_then(|s| template::variable(s)).unwrap_or_default().to_string();
        let parent_params =
            segments.iter().filter_map(|s| template::variable(s)).map(str::to_string).collect::<Vec<_>>();
        out.resources.push(Resource {
            collection: collection.clone(),
            item: (*item_path).clone(),
            id_param,
            parent_params,
            parent: None,
        });
    }
    // parents: the resource whose item path is the longest prefix of the collection
    let parents: Vec<Option<usize>> = out
        .resources
        .iter()
        .map(|r| {
            let segments = template::segments(&r.collection);
            out.resources
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    let ps = template::segments(&p.item);
                    ps.len() < segments.len() && segments[..ps.len()] == ps[..]
                })
                .max_by_key(|(_, p)| template::segments(&p.item).len())
                .map(|(i, _)| i)
        })
        .collect();
    for (r, parent) in out.resources.iter_mut().zip(parents) {
        r.parent = parent;
    }
    for (index, r) in out.resources.iter().enumerate() {
        for (method, id) in paths.get(&r.collection).map(operations_of).unwrap_or_default() {
            let role = match method {
                "post" => Role::Create,
                "get" => Role::List,
                _ => continue,
            };
            out.operations.insert(id.to_string(), Binding { resource: index, role });
        }
        for (method, id) in paths.get(&r.item).map(operations_of).unwrap_or_default() {
            let role = match method {
                "get" => Role::Read,
                "put" => Role::Replace,
                "patch" => Role::Update,
                "delete" => Role::Delete,
                _ => continue,
            };
            out.operations.insert(id.to_string(), Binding { resource: index, role });
        }
    }
    for (id, correction) in overrides {
        match correction {
            Override::Stateless => {
                out.operations.remove(id);
            }
            Override::Role { collection, role } => {
                if let Some(index) = out.resources.iter().position(|r| &r.collection == collection) {
                    out.operations.insert(id.clone(), Binding { resource: index, role: *role });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(id: &str) -> Value {
        json!({"operationId": id, "responses": {"200": {"description": "ok"}}})
    }

    fn doc() -> Value {
        json!({"paths": {
            "/items": {"get": op("list_items"), "post": op("create_item")},
            "/items/validate": {"post": op("validate_item")},
            "/items/{item_id}": {"get": op("read_item"), "put": op("replace_item"), "patch": op("update_item"), "delete": op("delete_item")},
            "/items/{item_id}/image": {"get": op("read_image")},
            "/items/{item_id}/notes": {"get": op("list_notes"), "post": op("create_note")},
            "/items/{item_id}/notes/{note_id}": {"get": op("read_note"), "delete": op("delete_note")},
            "/files": {"post": op("upload")},
            "/jobs": {"post": op("submit_job")},
            "/jobs/{job_id}": {"get": op("read_job")},
            "/sources/{source_id}/links": {"get": op("list_links")},
            "/sources/{source_id}/links/{link_id}": {"put": op("update_link")},
            "/sources/{source_id}/links/bulk": {"post": op("bulk_links")},
            "/users/me": {"get": op("me")},
            "/users/{user_id}": {"get": op("read_user")}
        }})
    }

    #[test]
    fn collections_with_item_paths_are_resources() {
        let r = recognise(&doc(), &BTreeMap::new());
        let collections: Vec<&str> = r.resources.iter().map(|r| r.collection.as_str()).collect();
        assert_eq!(collections, ["/items", "/items/{item_id}/notes", "/jobs", "/sources/{source_id}/links"]);
        let notes = &r.resources[1];
        assert_eq!(notes.item, "/items/{item_id}/notes/{note_id}");
        assert_eq!(notes.id_param, "note_id");
        assert_eq!(notes.parent_params, ["item_id"]);
        assert_eq!(notes.parent, Some(0));
        assert_eq!(r.resources[0].parent, None);
        let role = |id: &str| r.binding(id).map(|b| (r.resources[b.resource].collection.as_str(), b.role));
        assert_eq!(role("create_item"), Some(("/items", Role::Create)));
        assert_eq!(role("list_items"), Some(("/items", Role::List)));
        assert_eq!(role("read_item"), Some(("/items", Role::Read)));
        assert_eq!(role("replace_item"), Some(("/items", Role::Replace)));
        assert_eq!(role("update_item"), Some(("/items", Role::Update)));
        assert_eq!(role("delete_item"), Some(("/items", Role::Delete)));
        assert_eq!(role("create_note"), Some(("/items/{item_id}/notes", Role::Create)));
        assert_eq!(role("delete_note"), Some(("/items/{item_id}/notes", Role::Delete)));
        assert_eq!(role("submit_job"), Some(("/jobs", Role::Create)));
        assert_eq!(role("read_job"), Some(("/jobs", Role::Read)));
        // no create: fixtures fill it
        assert_eq!(role("list_links"), Some(("/sources/{source_id}/links", Role::List)));
        assert_eq!(role("update_link"), Some(("/sources/{source_id}/links", Role::Replace)));
        assert_eq!(r.resources[3].parent, None, "a path variable without a resource is no parent");
        for stateless in ["validate_item", "read_image", "upload", "me", "read_user", "bulk_links"] {
            assert_eq!(role(stateless), None, "{stateless}");
        }
    }

    #[test]
    fn overrides_correct_the_convention() {
        let overrides = BTreeMap::from([
            ("read_job".to_string(), Override::Stateless),
            ("validate_item".to_string(), Override::Role { collection: "/items".into(), role: Role::List }),
            ("ghost".to_string(), Override::Role { collection: "/nowhere".into(), role: Role::Read }),
        ]);
        let r = recognise(&doc(), &overrides);
        assert_eq!(r.binding("read_job"), None);
        assert_eq!(r.binding("validate_item"), Some(Binding { resource: 0, role: Role::List }));
        assert_eq!(r.binding("ghost"), None);
    }

    #[test]
    fn role_names_round_trip() {
        for role in [Role::Create, Role::List, Role::Read, Role::Replace, Role::Update, Role::Delete] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("upsert"), None);
    }
}
