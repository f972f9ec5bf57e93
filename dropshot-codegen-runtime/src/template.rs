//! OpenAPI path templates (`/items/{item_id}/notes`): the one parser of them,
//! used by the generator when it lays out routes and by generated servers
//! when they match a request's path.

/// The segments of a template or a request path, without the leading `/`
/// (`/items/{item_id}` → `["items", "{item_id}"]`).
pub fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

/// The variable a segment names (`{item_id}` → `item_id`), if it is one.
pub fn variable(segment: &str) -> Option<&str> {
    segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
}

/// The variables of a template, in order.
pub fn variables(template: &str) -> Vec<&str> {
    segments(template).into_iter().filter_map(variable).collect()
}

/// Whether the request path `path` fits `template`; if so, which of the
/// template's segments are literal (a literal match beats a variable one).
pub fn matches(template: &str, path: &str) -> Option<Vec<bool>> {
    matches_segments(&segments(template), &segments(path))
}

/// [`matches`] on segments split already (a server that matches every
/// request against every template splits each template once).
pub fn matches_segments<T: AsRef<str>>(parts: &[T], given: &[&str]) -> Option<Vec<bool>> {
    if parts.len() != given.len() {
        return None;
    }
    parts
        .iter()
        .zip(given)
        .map(|(part, segment)| match variable(part.as_ref()) {
            Some(_) => Some(false),
            None => (part.as_ref() == *segment).then_some(true),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_and_match() {
        assert_eq!(segments("/items/{item_id}/notes"), ["items", "{item_id}", "notes"]);
        assert_eq!(variables("/a/{b}/c/{d}"), ["b", "d"]);
        assert_eq!(variable("{x}"), Some("x"));
        assert_eq!(variable("x"), None);
        assert_eq!(matches("/items/{id}", "/items/42"), Some(vec![true, false]));
        assert_eq!(matches("/items/me", "/items/me"), Some(vec![true, true]));
        assert_eq!(matches("/items/me", "/items/42"), None);
        assert_eq!(matches("/items/{id}", "/items/42/notes"), None);
    }
}
