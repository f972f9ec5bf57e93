//! Rust names for operations.
//!
//! FastAPI's default operationId is `{function}{path}_{method}` with every
//! non-word character of the function name and path replaced by `_`
//! (`fastapi.utils.generate_unique_id`). The function name is what the
//! service's authors chose, so it is what a Rust user should call:
//!
//! 1. an entry in the override table (`[names]` in `codegen.toml`, keyed by
//!    operationId) wins;
//! 2. otherwise, when the operationId ends with FastAPI's route suffix for
//!    this path and method, the suffix is cut off
//!    (`update_saas_association_api_integration_sources__source_id__saas_associations__association_id__put`
//!    → `update_saas_association`);
//! 3. otherwise the operationId is used as it is (a hand-written
//!    `operation_id=` in FastAPI, or another framework's ids);
//! 4. the result is converted to snake_case, and a Rust keyword gets a
//!    trailing `_` (`type` → `type_`), as typify and progenitor do for fields.
//!
//! When route suffixes are cut off from two operations' ids and the names
//! they leave are the same (one function mounted under two prefixes, as
//! `/v1` and `/v2` routers do), each of those operations keeps its whole
//! operationId instead (`read_item_v2_items_item_id_get`): FastAPI's ids are
//! unique, and the rule stays predictable; `[names]` can pick shorter ones.
//! Two operations that still map to one name (`getItem` and `get_item`, or
//! an override) are a [`Problem`] naming both, since one of them would
//! silently shadow the other in the client and the trait.
//! Overrides that are not identifiers, or name no operation, are problems
//! placed in `codegen.toml`.

use std::collections::BTreeMap;

use heck::ToSnakeCase;

use crate::diag::{Problem, ProblemKind as Kind};

/// The file that holds the override table.
const CONFIG_FILE: &str = "codegen.toml";

/// One operation as seen by the naming rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRef {
    pub operation_id: String,
    pub path: String,
    pub method: String,
    /// JSON pointer of the operation object in the spec.
    pub pointer: String,
}

/// FastAPI's route suffix of an operationId for `path` and `method`.
pub fn fastapi_suffix(path: &str, method: &str) -> String {
    let path: String = path.chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' }).collect();
    format!("{path}_{}", method.to_ascii_lowercase())
}

/// The Rust method name for an operation, without the override table.
pub fn rust_name(operation_id: &str, path: &str, method: &str) -> String {
    let suffix = fastapi_suffix(path, method);
    let base = match operation_id.strip_suffix(suffix.as_str()) {
        Some(stem) if !stem.trim_matches('_').is_empty() => stem,
        _ => operation_id,
    };
    escape_keyword(&base.to_snake_case())
}

/// Appends `_` to Rust keywords (strict and reserved), the convention typify
/// and progenitor follow for identifiers taken from a spec.
pub fn escape_keyword(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
        "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
        "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct",
        "super", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where",
        "while", "yield",
    ];
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("_{name}")
    } else {
        name.to_string()
    }
}

/// Names every operation; the map goes from operationId to Rust name.
///
/// `overrides` maps operationIds to names chosen by hand; an override that
/// names no operation of the spec is an error too, since it is stale.
pub fn assign(
    operations: &[OperationRef],
    overrides: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Vec<Problem>> {
    let mut errors = Vec::new();
    let mut by_name: BTreeMap<String, &OperationRef> = BTreeMap::new();
    let mut names = BTreeMap::new();
    // how many operations each name would go to, overrides included
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for op in operations {
        let name = overrides.get(&op.operation_id).cloned();
        *uses.entry(name.unwrap_or_else(|| rust_name(&op.operation_id, &op.path, &op.method))).or_default() += 1;
    }
    for op in operations {
        let name = match overrides.get(&op.operation_id) {
            Some(name) => {
                if syn_ident_ok(name) {
                    name.clone()
                } else {
                    let message =
                        format!("[names] \"{}\" = \"{name}\" is not a snake_case Rust identifier", op.operation_id);
                    errors.push(
                        Problem::in_file(Kind::InvalidNameOverride, CONFIG_FILE, message)
                            .fix("pick another name")
                            .operation(&op.operation_id),
                    );
                    continue;
                }
            }
            None => {
                let short = rust_name(&op.operation_id, &op.path, &op.method);
                if uses[&short] > 1 { escape_keyword(&op.operation_id.to_snake_case()) } else { short }
            }
        };
        if let Some(other) = by_name.get(&name) {
            let message = format!(
                "operations `{}` ({} {}) and `{}` ({} {}) both map to the Rust name `{name}`",
                other.operation_id,
                other.method.to_uppercase(),
                other.path,
                op.operation_id,
                op.method.to_uppercase(),
                op.path,
            );
            errors.push(
                Problem::new(Kind::NameCollision, &op.pointer, message)
                    .fix("give one of them another name under [names] in codegen.toml")
                    .operation(&op.operation_id),
            );
            continue;
        }
        by_name.insert(name.clone(), op);
        names.insert(op.operation_id.clone(), name);
    }
    for id in overrides.keys() {
        if !operations.iter().any(|op| &op.operation_id == id) {
            let message = format!("[names] names operation `{id}`, which the spec does not have");
            errors.push(Problem::in_file(Kind::StaleNameOverride, CONFIG_FILE, message).fix("remove the entry"));
        }
    }
    if errors.is_empty() { Ok(names) } else { Err(errors) }
}

fn syn_ident_ok(name: &str) -> bool {
    name.to_snake_case() == name && escape_keyword(name) == name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str, path: &str, method: &str) -> OperationRef {
        OperationRef {
            operation_id: id.into(),
            path: path.into(),
            method: method.into(),
            pointer: format!("{}/{method}", crate::pointer::join("/paths", path)),
        }
    }

    #[test]
    fn strips_fastapi_route_suffix() {
        assert_eq!(
            rust_name(
                "update_saas_association_api_integration_sources__source_id__saas_associations__association_id__put",
                "/api/integration-sources/{source_id}/saas-associations/{association_id}",
                "put"
            ),
            "update_saas_association"
        );
        assert_eq!(
            rust_name(
                "list_saas_associations_api_integration_sources__source_id__saas_associations_get",
                "/api/integration-sources/{source_id}/saas-associations",
                "get"
            ),
            "list_saas_associations"
        );
        assert_eq!(
            rust_name(
                "bulk_update_saas_association_status_api_integration_sources__source_id__saas_associations_bulk_status_post",
                "/api/integration-sources/{source_id}/saas-associations/bulk-status",
                "post"
            ),
            "bulk_update_saas_association_status"
        );
    }

    #[test]
    fn keeps_ids_that_are_not_fastapi_defaults() {
        assert_eq!(rust_name("getUserById", "/users/{id}", "get"), "get_user_by_id");
        assert_eq!(rust_name("read_root", "/", "get"), "read_root");
        // the suffix alone is not a name: keep the whole id
        assert_eq!(rust_name("_users_get", "/users", "get"), "users_get");
    }

    #[test]
    fn root_path_suffix() {
        assert_eq!(fastapi_suffix("/", "GET"), "__get");
        assert_eq!(rust_name("read_root__get", "/", "get"), "read_root");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(rust_name("type_items_get", "/items", "get"), "type_");
        assert_eq!(escape_keyword("match"), "match_");
        assert_eq!(escape_keyword("types"), "types");
        assert_eq!(escape_keyword("2fa"), "_2fa");
    }

    #[test]
    fn one_function_under_two_prefixes_keeps_its_whole_ids() {
        let ops = [
            op("list_items_items_get", "/items", "get"),
            op("list_items_v2_items_get", "/v2/items", "get"),
            op("read_item_items__item_id__get", "/items/{item_id}", "get"),
        ];
        let names = assign(&ops, &BTreeMap::new()).unwrap();
        assert_eq!(names["list_items_items_get"], "list_items_items_get");
        assert_eq!(names["list_items_v2_items_get"], "list_items_v2_items_get");
        assert_eq!(names["read_item_items__item_id__get"], "read_item", "a name nobody shares stays short");
        // an override that takes a derived name: the derived one keeps its id
        let overrides = BTreeMap::from([("list_items_v2_items_get".to_string(), "read_item".to_string())]);
        let names = assign(&ops, &overrides).unwrap();
        assert_eq!(names["read_item_items__item_id__get"], "read_item_items_item_id_get");
        assert_eq!(names["list_items_items_get"], "list_items");
    }

    #[test]
    fn collisions_that_remain_name_both_operations() {
        let ops = [op("getItem", "/items/{id}", "get"), op("get_item", "/v2/items/{id}", "get")];
        let errors = assign(&ops, &BTreeMap::new()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind, Kind::NameCollision);
        assert_eq!(errors[0].pointer(), Some("/paths/~1v2~1items~1{id}/get"));
        assert_eq!(errors[0].place.operation.as_deref(), Some("get_item"));
        // both operations and the name they share are named
        assert!(errors[0].message.contains("`getItem` (GET /items/{id})"), "{}", errors[0]);
        assert!(errors[0].message.contains("`get_item` (GET /v2/items/{id})"), "{}", errors[0]);
        assert!(errors[0].message.contains("`get_item`"), "{}", errors[0]);
    }

    #[test]
    fn overrides_resolve_collisions() {
        let ops = [op("list_items_items_get", "/items", "get"), op("list_items_v2_items_get", "/v2/items", "get")];
        let overrides = BTreeMap::from([("list_items_v2_items_get".to_string(), "list_items_v2".to_string())]);
        let names = assign(&ops, &overrides).unwrap();
        assert_eq!(names["list_items_items_get"], "list_items");
        assert_eq!(names["list_items_v2_items_get"], "list_items_v2");
    }

    #[test]
    fn stale_or_bad_overrides_are_errors() {
        let ops = [op("list_items_items_get", "/items", "get")];
        let overrides = BTreeMap::from([("gone".to_string(), "x".to_string())]);
        let errors = assign(&ops, &overrides).unwrap_err();
        assert_eq!(errors[0].kind, Kind::StaleNameOverride);
        assert_eq!(errors[0].place.file, "codegen.toml");
        assert!(errors[0].message.contains("`gone`"), "{errors:?}");
        let overrides = BTreeMap::from([("list_items_items_get".to_string(), "ListItems".to_string())]);
        let errors = assign(&ops, &overrides).unwrap_err();
        assert_eq!(errors[0].kind, Kind::InvalidNameOverride);
        assert_eq!(errors[0].place.file, "codegen.toml");
        assert_eq!(errors[0].place.operation.as_deref(), Some("list_items_items_get"));
    }
}
