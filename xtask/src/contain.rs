//! Containment: what one operation does never refuses the whole spec.
//!
//! A problem found in a valid export (by the lowering, the checks of
//! [`crate::spec`], or a generator) belongs to a place: an operation, a
//! path (all of its operations), or a component (every operation that
//! reaches it through `$ref`s). [`culprits`] finds those operations and
//! components; the caller leaves them out of the document and tries again,
//! and each left-out operation gets a [`Note`] naming it, the construct and
//! the reason ([`left_out_note`]), and the run ends with a count ("241 of
//! 243 operations generated").
//!
//! Only problems of the document itself that belong to no operation (the
//! document is not OpenAPI, has no `paths`, is not JSON) and problems of
//! `codegen.toml`, which its owner fixes, still refuse the spec.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diag::{Note, NoteKind, Problem};
use crate::pointer;
use crate::spec::METHODS;

/// What [`culprits`] found to leave out.
#[derive(Debug, Default)]
pub struct Culprits {
    /// Operation pointers (`/paths/~1items/get`), each with the problems
    /// that leave it out.
    pub operations: BTreeMap<String, Vec<Problem>>,
    /// Component pointers (`/components/schemas/Item`) to remove: the broken
    /// ones, with their problems, and every component that reaches them
    /// (with none).
    pub components: BTreeMap<String, Vec<Problem>>,
}

impl Culprits {
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.components.is_empty()
    }
}

/// The operations and components that `problems` (all of `file`, the
/// document `doc`) leave out; `Err` with the problems that belong to no
/// operation or component, which refuse the spec.
pub fn culprits(doc: &Value, file: &str, problems: Vec<Problem>) -> Result<Culprits, Vec<Problem>> {
    let mut found = Culprits::default();
    let mut refusing = Vec::new();
    let mut broken_components: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
    let ops = operations(doc);
    for problem in problems {
        let own = problem.place.file.is_empty() || problem.place.file == file;
        let by_id = problem
            .place
            .operation
            .as_deref()
            .and_then(|id| ops.iter().find(|(_, op_id)| op_id.as_deref() == Some(id)).map(|(p, _)| p.clone()));
        let at = problem.pointer().map(str::to_string);
        match (own, at.as_deref().and_then(|p| place_of(p, &ops)), by_id) {
            (false, _, _) => refusing.push(problem),
            (true, Some(Place::Operations(list)), _) if !list.is_empty() => {
                for op in list {
                    found.operations.entry(op).or_default().push(problem.clone());
                }
            }
            (true, Some(Place::Component(c)), _) => broken_components.entry(c).or_default().push(problem),
            (true, _, Some(op)) => found.operations.entry(op).or_default().push(problem),
            _ => refusing.push(problem),
        }
    }
    if !refusing.is_empty() {
        return Err(refusing);
    }
    if broken_components.is_empty() {
        return Ok(found);
    }
    // every component that reaches a broken one goes too, and with them
    // every operation that reaches any of them
    let graph = Graph::of(doc);
    for (component, problems) in &broken_components {
        for user in graph.components_reaching(component) {
            found.components.entry(user).or_default();
        }
        found.components.insert(component.clone(), problems.clone());
        // a security scheme is named by requirements, not referenced
        let scheme = component.strip_prefix("/components/securitySchemes/").map(pointer::unescape);
        for (op, _) in &ops {
            let named = scheme.as_deref().is_some_and(|name| requires_scheme(doc, op, name));
            if named || graph.reaches(&graph.refs_of(op), component) {
                found.operations.entry(op.clone()).or_default().extend(problems.iter().cloned());
            }
        }
    }
    Ok(found)
}

/// Removes the culprits from `doc`: each operation (and a path item left
/// without any), each component.
pub fn remove(doc: &mut Value, culprits: &Culprits) {
    remove_operations(doc, culprits.operations.keys().map(String::as_str));
    for component in culprits.components.keys() {
        let Some((kind, name)) = component.rsplit_once('/') else { continue };
        if let Some(map) = doc.pointer_mut(kind).and_then(Value::as_object_mut) {
            map.shift_remove(&pointer::unescape(name));
        }
    }
}

/// Removes the operations at `pointers` from `doc`, and each path item
/// they leave without an operation.
pub fn remove_operations<'p>(doc: &mut Value, pointers: impl IntoIterator<Item = &'p str>) {
    let mut touched = BTreeSet::new();
    for op in pointers {
        let Some((item, method)) = op.rsplit_once('/') else { continue };
        if let Some(map) = doc.pointer_mut(item).and_then(Value::as_object_mut) {
            map.shift_remove(method);
            touched.insert(pointer::unescape(item.strip_prefix("/paths/").unwrap_or(item)));
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        paths.retain(|path, item| {
            !touched.contains(path) || item.as_object().is_none_or(|i| METHODS.iter().any(|m| i.contains_key(*m)))
        });
    }
}

/// Removes the schemas, parameters, request bodies, responses, headers and
/// examples of `components` that no operation reaches (security schemes,
/// named rather than referenced, stay).
pub fn prune_unreachable(doc: &mut Value) {
    let graph = Graph::of(doc);
    let mut reached = BTreeSet::new();
    let mut stack: Vec<String> = Vec::new();
    if let Some(paths) = doc.get("paths") {
        collect_refs(paths, &mut reached);
        stack.extend(reached.iter().cloned());
    }
    while let Some(c) = stack.pop() {
        for next in graph.edges.get(&c).into_iter().flatten() {
            if reached.insert(next.clone()) {
                stack.push(next.clone());
            }
        }
    }
    drop(graph);
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else { return };
    for kind in ["schemas", "parameters", "requestBodies", "responses", "headers", "examples"] {
        let Some(map) = components.get_mut(kind).and_then(Value::as_object_mut) else { continue };
        let prefix = format!("/components/{kind}/");
        map.retain(|name, _| reached.contains(&format!("{prefix}{}", pointer::escape(name))));
    }
}

/// The note of an operation left out for `problems` (the first one's
/// construct and reason; how many more there are).
pub fn left_out_note(op_pointer: &str, operation_id: Option<&str>, problems: &[Problem]) -> Note {
    let name = operation_id.map(|id| format!("`{id}`")).unwrap_or_else(|| format!("the operation at {op_pointer}"));
    let message = format!("{name} left out of the client and the server{}", reason(problems));
    Note::new(NoteKind::LeftOut, op_pointer.to_string(), message)
}

/// The note of a component removed for `problems`, its own or those of a
/// component it uses (empty: it uses a removed one).
pub fn removed_component_note(component: &str, problems: &[Problem]) -> Note {
    let name = pointer::unescape(component.rsplit('/').next().unwrap_or(component));
    let message = if problems.is_empty() {
        format!("`{name}` left out: it uses a schema that was left out")
    } else {
        format!("`{name}` left out{}", reason(problems))
    };
    Note::new(NoteKind::LeftOut, component.to_string(), message)
}

/// `: <the first problem> [kind] at <pointer> (and N more)`.
fn reason(problems: &[Problem]) -> String {
    let Some(first) = problems.first() else { return String::new() };
    let at = first.pointer().map(|p| format!(" at {}", pointer::display(p))).unwrap_or_default();
    let fix = first.fix.as_deref().map(|fix| format!("; {}", one_line(fix))).unwrap_or_default();
    let mut out = format!(": {}{fix} [{}]{at}", one_line(&first.message), first.kind.code());
    if problems.len() > 1 {
        out.push_str(&format!(" (and {} more)", problems.len() - 1));
    }
    out
}

/// A message on one line, at most 300 characters: a generator's panic can
/// carry a multi-line dump of its input.
pub fn one_line(message: &str) -> String {
    let flat = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// The components of `before` that `after` no longer has.
pub fn missing_components(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(components) = before.get("components").and_then(Value::as_object) else { return out };
    for (kind, map) in components {
        for name in map.as_object().into_iter().flat_map(|m| m.keys()) {
            let at = format!("/components/{}/{}", pointer::escape(kind), pointer::escape(name));
            if after.pointer(&at).is_none() {
                out.push(name.clone());
            }
        }
    }
    out
}

/// How many components `doc` has, of every kind.
pub fn component_count(doc: &Value) -> usize {
    doc.get("components")
        .and_then(Value::as_object)
        .map(|c| c.values().filter_map(Value::as_object).map(|m| m.len()).sum())
        .unwrap_or(0)
}

/// Every operation of `doc`: its pointer and operationId.
pub fn operations(doc: &Value) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else { return out };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for method in METHODS {
            if let Some(op) = item.get(method) {
                let id = op.get("operationId").and_then(Value::as_str).map(str::to_string);
                out.push((pointer::join(&pointer::join("/paths", path), method), id));
            }
        }
    }
    out
}

enum Place {
    Operations(Vec<String>),
    Component(String),
}

/// Whether the operation at `op` requires the security scheme `name` (in
/// its own `security`, or else the document's).
fn requires_scheme(doc: &Value, op: &str, name: &str) -> bool {
    let own = doc.pointer(&format!("{op}/security"));
    let security = own.or_else(|| doc.get("security")).and_then(Value::as_array);
    security.into_iter().flatten().any(|requirement| requirement.get(name).is_some())
}

/// What a pointer into the document belongs to.
fn place_of(at: &str, ops: &[(String, Option<String>)]) -> Option<Place> {
    let tokens: Vec<&str> = at.split('/').skip(1).collect();
    match tokens.as_slice() {
        ["paths", path, method, ..] if METHODS.contains(method) => {
            Some(Place::Operations(vec![format!("/paths/{path}/{method}")]))
        }
        ["paths", path, ..] => {
            let item = format!("/paths/{path}/");
            Some(Place::Operations(ops.iter().filter(|(p, _)| p.starts_with(&item)).map(|(p, _)| p.clone()).collect()))
        }
        ["components", kind, name, ..] => Some(Place::Component(format!("/components/{kind}/{name}"))),
        _ => None,
    }
}

/// The `$ref` edges between components, and from any place to them.
struct Graph<'a> {
    doc: &'a Value,
    /// component → the components it references directly
    edges: BTreeMap<String, BTreeSet<String>>,
}

impl<'a> Graph<'a> {
    fn of(doc: &'a Value) -> Self {
        let mut edges = BTreeMap::new();
        if let Some(components) = doc.get("components").and_then(Value::as_object) {
            for (kind, map) in components {
                let Some(map) = map.as_object() else { continue };
                for (name, value) in map {
                    let from = format!("/components/{}/{}", pointer::escape(kind), pointer::escape(name));
                    let mut to = BTreeSet::new();
                    collect_refs(value, &mut to);
                    edges.insert(from, to);
                }
            }
        }
        Graph { doc, edges }
    }

    /// The components referenced directly below the pointer `at`.
    fn refs_of(&self, at: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if let Some(value) = self.doc.pointer(at) {
            collect_refs(value, &mut out);
        }
        // the path item's own parameters apply to its operations
        if let Some((item, _)) = at.rsplit_once('/')
            && let Some(params) = self.doc.pointer(&format!("{item}/parameters"))
        {
            collect_refs(params, &mut out);
        }
        out
    }

    /// Whether any of `from` is, or reaches, `target`.
    fn reaches(&self, from: &BTreeSet<String>, target: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = from.iter().map(String::as_str).collect();
        while let Some(c) = stack.pop() {
            if c == target {
                return true;
            }
            if seen.insert(c) {
                stack.extend(self.edges.get(c).into_iter().flatten().map(String::as_str));
            }
        }
        false
    }

    /// The components that reach `target` (not `target` itself).
    fn components_reaching(&self, target: &str) -> Vec<String> {
        self.edges
            .iter()
            .filter(|(c, to)| c.as_str() != target && self.reaches(to, target))
            .map(|(c, _)| c.clone())
            .collect()
    }
}

/// The component pointers (`/components/schemas/X`) of every local `$ref`
/// below `value`.
fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(pointer::local_target) {
                let tokens: Vec<&str> = target.split('/').skip(1).take(3).collect();
                if let ["components", kind, name] = tokens.as_slice() {
                    out.insert(format!("/components/{kind}/{name}"));
                }
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::diag::ProblemKind as Kind;

    fn doc() -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": {
                "/a": {
                    "get": {"operationId": "a", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}},
                    "post": {"operationId": "b", "responses": {"200": {"description": ""}}}
                },
                "/c": {"get": {"operationId": "c", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/C"}}}}}}}
            },
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "object"},
                "C": {"type": "object"}
            }}
        })
    }

    #[test]
    fn a_broken_component_takes_its_users_and_nothing_else() {
        let doc = doc();
        let problem = Problem::new(Kind::Unsupported31Keyword, "/components/schemas/B/properties/x/if", "no");
        let found = culprits(&doc, "openapi.json", vec![problem]).unwrap();
        assert_eq!(found.operations.keys().collect::<Vec<_>>(), ["/paths/~1a/get"]);
        assert_eq!(found.components.keys().collect::<Vec<_>>(), ["/components/schemas/A", "/components/schemas/B"]);
        let mut pruned = doc;
        remove(&mut pruned, &found);
        assert!(pruned.pointer("/paths/~1a/get").is_none());
        assert!(pruned.pointer("/paths/~1a/post").is_some());
        assert!(pruned.pointer("/components/schemas/C").is_some());
        assert!(pruned.pointer("/components/schemas/A").is_none());
    }

    #[test]
    fn a_path_problem_takes_every_operation_of_the_path_and_an_empty_path_item_goes() {
        let doc = doc();
        let problem = Problem::new(Kind::RouteVariableNames, "/paths/~1c", "names");
        let found = culprits(&doc, "openapi.json", vec![problem]).unwrap();
        assert_eq!(found.operations.keys().collect::<Vec<_>>(), ["/paths/~1c/get"]);
        let mut pruned = doc;
        remove(&mut pruned, &found);
        assert!(pruned.pointer("/paths/~1c").is_none());
    }

    #[test]
    fn problems_of_the_document_or_of_codegen_toml_still_refuse() {
        let doc = doc();
        let version = Problem::new(Kind::Version, "/openapi", "found 2.0");
        assert!(culprits(&doc, "openapi.json", vec![version]).is_err());
        let config = Problem::in_file(Kind::StaleSkip, "codegen.toml", "stale");
        assert!(culprits(&doc, "openapi.json", vec![config]).is_err());
    }

    #[test]
    fn a_problem_named_by_operation_only_takes_that_operation() {
        let doc = doc();
        let problem = Problem::new(Kind::GeneratorBug, "", "panicked").operation("b");
        let found = culprits(&doc, "openapi.json", vec![problem]).unwrap();
        assert_eq!(found.operations.keys().collect::<Vec<_>>(), ["/paths/~1a/post"]);
        let note = left_out_note("/paths/~1a/post", Some("b"), &found.operations["/paths/~1a/post"]);
        assert_eq!(note.kind, NoteKind::LeftOut);
        assert!(note.message.starts_with("`b` left out of the client and the server: panicked"), "{note}");
    }
}
