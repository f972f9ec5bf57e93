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
//!   (FastAPI's models say `id` where the path says `item_id`), else the
//!   collection's noun with `_id` (`/collections/{id}` whose items say
//!   `collection_id`); when the
//!   create body carries that property (`POST /pets` with a `name`, read at
//!   `/pets/{name}`), the client chose the id, else the stub assigns it: the
//!   next integer for an integer property, else a UUID;
//! - paths with a literal beside the variable (`/items/{item_id}/image`,
//!   `/users/me`) are not item paths: they answer from examples;
//! - the paths are not enough, the shapes must agree: an operation takes a
//!   role only when its documented success is what that role answers (a
//!   create, read, replace or update answers an object with properties, a
//!   list an array of such objects or a page object holding one), so a
//!   `POST /keys` answering the new key as a string, or a `GET /keys`
//!   answering names, answers from examples instead (and a resource left
//!   with no create, list or read holds nothing: all its operations do); a
//!   delete answers what its own response documents.
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

impl Override {
    /// What `codegen.toml [stub.resources]` writes: `stateless`, or a role
    /// and a collection path (`update /items`); `None` for anything else.
    pub fn parse(text: &str) -> Option<Override> {
        match text.split_once(' ') {
            None if text == "stateless" => Some(Override::Stateless),
            Some((role, collection)) => {
                Some(Override::Role { collection: collection.trim().to_string(), role: Role::parse(role)? })
            }
            None => None,
        }
    }
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The operations of a path item: (method, operationId).
fn operations_of(item: &Value) -> Vec<(&'static str, &str)> {
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
        // `/boards/` is the collection `/boards` (Starlette tells them
        // apart, FastAPI services use either beside `/boards/{board_id}`)
        let mut segments = template::segments(collection);
        if segments.len() > 1 && segments.last() == Some(&"") {
            segments.pop();
        }
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
    // the shapes must agree with the roles (see the module's documentation)
    let ops: BTreeMap<&str, &Value> = paths
        .values()
        .flat_map(|item| {
            METHODS
                .into_iter()
                .filter_map(move |m| item.get(m))
                .filter_map(|op| op.get("operationId").and_then(Value::as_str).map(|id| (id, op)))
        })
        .collect();
    out.operations.retain(|id, binding| {
        let Some(schema) = ops.get(id.as_str()).and_then(|op| success_schema(doc, op)) else { return true };
        match binding.role {
            Role::Create | Role::Read | Role::Replace | Role::Update => is_item(doc, schema),
            Role::List => is_list(doc, schema),
            Role::Delete => true,
        }
    });
    // a resource whose create, list and read all answer something else
    // holds nothing: its other operations answer from examples too
    let holding: std::collections::BTreeSet<usize> = out
        .operations
        .values()
        .filter(|b| matches!(b.role, Role::Create | Role::List | Role::Read))
        .map(|b| b.resource)
        .collect();
    out.operations.retain(|_, b| holding.contains(&b.resource));
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

/// The schema of an operation's first documented success, if it has a body.
pub fn success_schema<'d>(doc: &'d Value, op: &'d Value) -> Option<&'d Value> {
    let responses = op.get("responses").and_then(Value::as_object)?;
    let (_, response) = responses.iter().find(|(code, _)| code.starts_with('2'))?;
    let response = resolve(doc, response);
    response.get("content").and_then(Value::as_object)?.values().next()?.get("schema")
}

/// Follows `$ref`s (and a lone `allOf` member) to the schema itself.
pub(crate) fn resolve<'d>(doc: &'d Value, mut schema: &'d Value) -> &'d Value {
    for _ in 0..32 {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            match crate::validate::resolve_pointer(doc, r) {
                Some(target) => schema = target,
                None => return schema,
            }
        } else if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            schema = only;
        } else {
            return schema;
        }
    }
    schema
}

/// An object with properties, or a union of such (`Cat | Dog`): what a
/// stored item is.
fn is_item(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    if schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty()) {
        return true;
    }
    let members = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array);
    members.is_some_and(|members| !members.is_empty() && members.iter().all(|m| is_item(doc, m)))
}

/// An array of items, or a page object whose array property holds items.
fn is_list(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    let array_of_items = |s: &Value| {
        let s = resolve(doc, s);
        s.get("type").and_then(Value::as_str) == Some("array") && s.get("items").is_some_and(|i| is_item(doc, i))
    };
    array_of_items(schema)
        || schema.get("properties").and_then(Value::as_object).is_some_and(|p| {
            p.values()
                .filter(|s| resolve(doc, s).get("type").and_then(Value::as_str) == Some("array"))
                .any(array_of_items)
        })
}

/// Why a stored item cannot be reached: FastAPI's 404 either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// A parent resource has no item with the id in the path.
    Parent,
    /// The resource has no item with this id.
    Item,
}

/// The items of every resource, kept per parent ids, in the order they were
/// created (a list answers in that order, as a Python dict keeps it).
#[derive(Debug, Clone, Default)]
pub struct Store {
    resources: Vec<Resource>,
    /// (resource, parent ids) → id → item.
    items: BTreeMap<(usize, Vec<String>), serde_json::Map<String, Value>>,
}

impl Store {
    /// An empty store for these resources.
    pub fn new(resources: &Resources) -> Self {
        Self { resources: resources.resources.clone(), items: BTreeMap::new() }
    }

    /// The index of the resource whose collection path this is.
    pub fn resource(&self, collection: &str) -> Option<usize> {
        self.resources.iter().position(|r| r.collection == collection)
    }

    /// Every item of `resource`, under every parent: (parent ids, item).
    pub fn all(&self, resource: usize) -> Vec<(&[String], &Value)> {
        self.items
            .range((resource, Vec::new())..)
            .take_while(|((r, _), _)| *r == resource)
            .flat_map(|((_, parents), items)| items.values().map(move |item| (parents.as_slice(), item)))
            .collect()
    }

    /// Whether every parent of `resource` named by `parents` exists.
    pub fn parents_exist(&self, resource: usize, parents: &[String]) -> bool {
        let Some(parent) = self.resources.get(resource).and_then(|r| r.parent) else { return true };
        let depth = self.resources[parent].parent_params.len();
        let (Some(own), Some(id)) = (parents.get(..depth), parents.get(depth)) else { return false };
        self.parents_exist(parent, own)
            && self.items.get(&(parent, own.to_vec())).is_some_and(|items| items.contains_key(id))
    }

    fn items(&self, resource: usize, parents: &[String]) -> Result<Option<&serde_json::Map<String, Value>>, Missing> {
        if !self.parents_exist(resource, parents) {
            return Err(Missing::Parent);
        }
        Ok(self.items.get(&(resource, parents.to_vec())))
    }

    fn items_mut(
        &mut self,
        resource: usize,
        parents: &[String],
    ) -> Result<&mut serde_json::Map<String, Value>, Missing> {
        if !self.parents_exist(resource, parents) {
            return Err(Missing::Parent);
        }
        Ok(self.items.entry((resource, parents.to_vec())).or_default())
    }

    /// Every item under `parents`, oldest first.
    pub fn list(&self, resource: usize, parents: &[String]) -> Result<Vec<&Value>, Missing> {
        Ok(self.items(resource, parents)?.map(|items| items.values().collect()).unwrap_or_default())
    }

    /// How many items `resource` holds under `parents` (0 when the parents are missing).
    pub fn count(&self, resource: usize, parents: &[String]) -> usize {
        self.items(resource, parents).ok().flatten().map_or(0, serde_json::Map::len)
    }

    /// The item with this id.
    pub fn read(&self, resource: usize, parents: &[String], id: &str) -> Result<&Value, Missing> {
        self.items(resource, parents)?.and_then(|items| items.get(id)).ok_or(Missing::Item)
    }

    /// Stores `item` under `id`, replacing one that is there (a replace, or
    /// a create with a client-chosen id); a new id goes last.
    pub fn put(&mut self, resource: usize, parents: &[String], id: String, item: Value) -> Result<(), Missing> {
        self.items_mut(resource, parents)?.insert(id, item);
        Ok(())
    }

    /// Removes the item, and everything stored under it in child resources.
    pub fn delete(&mut self, resource: usize, parents: &[String], id: &str) -> Result<Value, Missing> {
        let removed = self.items_mut(resource, parents)?.shift_remove(id).ok_or(Missing::Item)?;
        let mut prefix = parents.to_vec();
        prefix.push(id.to_string());
        let descends = |mut r: usize| loop {
            match self.resources[r].parent {
                Some(p) if p == resource => return true,
                Some(p) => r = p,
                None => return false,
            }
        };
        let gone: Vec<(usize, Vec<String>)> =
            self.items.keys().filter(|(r, p)| p.starts_with(&prefix) && descends(*r)).cloned().collect();
        for key in gone {
            self.items.remove(&key);
        }
        Ok(removed)
    }

    /// Forgets every item.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn corrections_are_read_as_codegen_toml_writes_them() {
        assert_eq!(Override::parse("stateless"), Some(Override::Stateless));
        assert_eq!(
            Override::parse("update /items/{item_id}/notes"),
            Some(Override::Role { collection: "/items/{item_id}/notes".into(), role: Role::Update })
        );
        assert_eq!(Override::parse("archive /items"), None);
        assert_eq!(Override::parse("stateful"), None);
    }

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
    fn the_store_keeps_items_per_parent_in_creation_order() {
        let r = recognise(&doc(), &BTreeMap::new());
        let mut store = Store::new(&r);
        let (items, notes) = (0, 1);
        let p = |ids: &[&str]| ids.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert_eq!(store.list(items, &[]).unwrap(), Vec::<&Value>::new());
        store.put(items, &[], "b".into(), json!({"id": "b"})).unwrap();
        store.put(items, &[], "a".into(), json!({"id": "a"})).unwrap();
        store.put(items, &[], "c".into(), json!({"id": "c"})).unwrap();
        store.put(items, &[], "b".into(), json!({"id": "b", "v": 2})).unwrap();
        let ids = |store: &Store| store.list(items, &[]).unwrap().iter().map(|v| v["id"].clone()).collect::<Vec<_>>();
        assert_eq!(ids(&store), [json!("b"), json!("a"), json!("c")], "a replaced item keeps its place");
        assert_eq!(store.read(items, &[], "b").unwrap(), &json!({"id": "b", "v": 2}));
        assert_eq!(store.read(items, &[], "z"), Err(Missing::Item));
        // children need their parent
        assert_eq!(store.put(notes, &p(&["z"]), "1".into(), json!({"id": 1})), Err(Missing::Parent));
        assert_eq!(store.list(notes, &p(&["z"])), Err(Missing::Parent));
        store.put(notes, &p(&["a"]), "1".into(), json!({"id": 1})).unwrap();
        store.put(notes, &p(&["c"]), "1".into(), json!({"id": 1, "on": "c"})).unwrap();
        assert_eq!(store.count(notes, &p(&["a"])), 1);
        assert_eq!(store.read(notes, &p(&["c"]), "1").unwrap()["on"], "c");
        // deleting keeps the order of the rest and drops the children
        store.delete(items, &[], "a").unwrap();
        assert_eq!(ids(&store), [json!("b"), json!("c")]);
        assert_eq!(store.read(notes, &p(&["a"]), "1"), Err(Missing::Parent));
        assert_eq!(store.count(notes, &p(&["c"])), 1);
        assert_eq!(store.delete(items, &[], "a"), Err(Missing::Item));
        // an unrelated resource under the same id string stays
        let links = 3;
        store.put(links, &p(&["c"]), "9".into(), json!({"id": 9})).unwrap();
        store.delete(items, &[], "c").unwrap();
        assert_eq!(store.count(links, &p(&["c"])), 1);
        assert_eq!(store.list(notes, &p(&["c"])), Err(Missing::Parent));
        assert_eq!(store.resource("/items/{item_id}/notes"), Some(notes));
        assert_eq!(store.resource("/nowhere"), None);
        let everywhere: Vec<(Vec<String>, Value)> =
            store.all(links).into_iter().map(|(p, v)| (p.to_vec(), v.clone())).collect();
        assert_eq!(everywhere, [(p(&["c"]), json!({"id": 9}))]);
        store.clear();
        assert_eq!(store.count(items, &[]), 0);
    }

    #[test]
    fn role_names_round_trip() {
        for role in [Role::Create, Role::List, Role::Read, Role::Replace, Role::Update, Role::Delete] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("upsert"), None);
    }
}
