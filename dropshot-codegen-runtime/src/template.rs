//! OpenAPI path templates (`/items/{item_id}/notes`): the one parser of them,
//! used by the generator when it lays out routes and by generated servers
//! and the stub when they match a request's path.
//!
//! A segment is literal text (`items`), one variable (`{item_id}`), or a
//! *compound* of both (`latest.{ext}`, `{minx},{miny},{maxx},{maxy}.{format}`),
//! which OpenAPI allows and FastAPI serves: Starlette turns each variable
//! into `[^/]+` and matches the path with a regular expression, greedily,
//! so `1.5,2.5,3.5,4.5.png` gives `maxy` `4.5` and `format` `png`.
//! [`capture`] matches a compound segment the same way.

use std::collections::HashSet;

/// The segments of a template or a request path, without the leading `/`
/// (`/items/{item_id}` → `["items", "{item_id}"]`).
pub fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

/// The variable a segment names (`{item_id}` → `item_id`), if it is exactly
/// one variable (not a compound like `{lon},{lat}`).
pub fn variable(segment: &str) -> Option<&str> {
    segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')).filter(|v| !v.contains(['{', '}']))
}

/// A piece of a segment: literal text or a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Variable(&'a str),
}

/// The pieces of a segment, in order (`latest.{ext}` → `latest.`, `{ext}`);
/// an unclosed `{` is text.
pub fn pieces(segment: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = segment;
    while !rest.is_empty() {
        let Some(open) = rest.find('{') else {
            out.push(Piece::Text(rest));
            break;
        };
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            out.push(Piece::Text(rest));
            break;
        };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        out.push(Piece::Variable(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    out
}

/// Whether a segment holds variables but is not exactly one: text beside a
/// variable, or several variables (`latest.{ext}`, `{lon},{lat}`).
pub fn is_compound(segment: &str) -> bool {
    variable(segment).is_none() && pieces(segment).iter().any(|p| matches!(p, Piece::Variable(_)))
}

/// Whether a segment is a variable or a compound (anything but literal text).
pub fn has_variables(segment: &str) -> bool {
    pieces(segment).iter().any(|p| matches!(p, Piece::Variable(_)))
}

/// The variables of a template, in order, compound segments' included.
pub fn variables(template: &str) -> Vec<&str> {
    segments(template)
        .into_iter()
        .flat_map(pieces)
        .filter_map(|p| match p {
            Piece::Variable(v) => Some(v),
            Piece::Text(_) => None,
        })
        .collect()
}

/// The values of a segment's variables in `given`, as Starlette matches
/// them: each variable at least one character, the earlier ones as long as
/// the rest still matches. `None` when `given` does not fit.
pub fn capture<'s, 'g>(segment: &'s str, given: &'g str) -> Option<Vec<(&'s str, &'g str)>> {
    let pieces = pieces(segment);
    // the texts must all be there, in order, before any split is tried
    let mut from = 0;
    for piece in &pieces {
        if let Piece::Text(text) = piece {
            from = from + given.get(from..)?.find(text)? + text.len();
        }
    }
    let mut out = Vec::new();
    let mut failed = HashSet::new();
    capture_from(&pieces, 0, given, 0, &mut out, &mut failed).then_some(out)
}

/// [`capture`] from piece `k` at byte `at`; `failed` remembers the states
/// that cannot match, so a long segment costs at most pieces × length².
fn capture_from<'s, 'g>(
    pieces: &[Piece<'s>],
    k: usize,
    given: &'g str,
    at: usize,
    out: &mut Vec<(&'s str, &'g str)>,
    failed: &mut HashSet<(usize, usize)>,
) -> bool {
    if failed.contains(&(k, at)) {
        return false;
    }
    let rest = &given[at..];
    let matched = match pieces.get(k) {
        None => rest.is_empty(),
        Some(Piece::Text(text)) => {
            rest.starts_with(text) && capture_from(pieces, k + 1, given, at + text.len(), out, failed)
        }
        Some(Piece::Variable(name)) => {
            // where this variable may end: before the next text, at the end
            // when it is last, anywhere otherwise; the longest first
            let ends: Vec<usize> = match pieces.get(k + 1) {
                Some(Piece::Text(text)) => rest.match_indices(text).map(|(i, _)| i).filter(|&i| i > 0).collect(),
                None => (!rest.is_empty()).then_some(rest.len()).into_iter().collect(),
                Some(Piece::Variable(_)) => (1..rest.len()).filter(|&i| rest.is_char_boundary(i)).collect(),
            };
            ends.into_iter().rev().any(|end| {
                out.push((name, &rest[..end]));
                let ok = capture_from(pieces, k + 1, given, at + end, out, failed);
                if !ok {
                    out.pop();
                }
                ok
            })
        }
    };
    if !matched {
        failed.insert((k, at));
    }
    matched
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
        .map(|(part, segment)| {
            let part = part.as_ref();
            if variable(part).is_some() {
                Some(false)
            } else if is_compound(part) {
                capture(part, segment).map(|_| false)
            } else {
                (part == *segment).then_some(true)
            }
        })
        .collect()
}

/// The variables of `template` with their text in the request path `path`
/// (not decoded), compound segments' included; `None` when it does not fit.
pub fn values<'t, 'p>(template: &'t str, path: &'p str) -> Option<Vec<(&'t str, &'p str)>> {
    let (parts, given) = (segments(template), segments(path));
    if parts.len() != given.len() {
        return None;
    }
    let mut out = Vec::new();
    for (part, segment) in parts.into_iter().zip(given) {
        if let Some(name) = variable(part) {
            out.push((name, segment));
        } else if is_compound(part) {
            out.extend(capture(part, segment)?);
        } else if part != segment {
            return None;
        }
    }
    Some(out)
}

/// Where a generated server's document describes a path with compound
/// segments, which dropshot cannot describe: each compound segment becomes
/// a literal that spells it, variables in parentheses, followed by one
/// segment per variable (`/p/{lon},{lat}` → `/p/(lon),(lat)/{lon}/{lat}`).
/// Unique per template; the published document is renamed back by
/// [`crate::restore_spec_paths`]. A path without one is itself.
pub fn described_at(path: &str) -> String {
    if !segments(path).iter().any(|s| is_compound(s)) {
        return path.to_string();
    }
    let mut out = String::new();
    for segment in segments(path) {
        out.push('/');
        if !is_compound(segment) {
            out.push_str(segment);
            continue;
        }
        let mut spelled = String::new();
        let mut variables = Vec::new();
        for piece in pieces(segment) {
            match piece {
                Piece::Text(text) => spelled.push_str(text),
                Piece::Variable(v) => {
                    spelled.push_str(&format!("({v})"));
                    variables.push(format!("{{{v}}}"));
                }
            }
        }
        out.push_str(&spelled);
        for v in variables {
            out.push('/');
            out.push_str(&v);
        }
    }
    out
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

    #[test]
    fn compound_segments_match_as_starlette_does() {
        let bbox = "{minx},{miny},{maxx},{maxy}.{format}";
        assert_eq!(variable(bbox), None);
        assert!(is_compound(bbox) && is_compound("latest.{ext}") && !is_compound("{x}") && !is_compound("x"));
        assert_eq!(variables("/bbox/{minx},{miny}.{format}/{z}"), ["minx", "miny", "format", "z"]);
        // greedy, as Python's `[^/]+`: floats keep their point, the format takes what is left
        assert_eq!(
            capture(bbox, "1.5,-2.5,3,4.5.png"),
            Some(vec![("minx", "1.5"), ("miny", "-2.5"), ("maxx", "3"), ("maxy", "4.5"), ("format", "png")])
        );
        assert_eq!(capture("{a}.{b}", "x.y.z"), Some(vec![("a", "x.y"), ("b", "z")]));
        assert_eq!(
            capture("{w}x{h}.{format}", "256x256.png"),
            Some(vec![("w", "256"), ("h", "256"), ("format", "png")])
        );
        assert_eq!(capture("latest.{ext}", "latest.jpg"), Some(vec![("ext", "jpg")]));
        // every variable takes at least one character, and the text must be there
        assert_eq!(capture("latest.{ext}", "latest."), None);
        assert_eq!(capture("{lon},{lat}", "1"), None);
        assert_eq!(capture("{lon},{lat}", ",1"), None);
        assert_eq!(matches("/point/{lon},{lat}", "/point/1,2"), Some(vec![true, false]));
        assert_eq!(matches("/point/{lon},{lat}", "/point/12"), None);
        assert_eq!(values("/p/{lon},{lat}/{z}", "/p/1,2/3"), Some(vec![("lon", "1"), ("lat", "2"), ("z", "3")]));
        assert_eq!(described_at("/p/{lon},{lat}/{z}/x.{f}"), "/p/(lon),(lat)/{lon}/{lat}/{z}/x.(f)/{f}");
        assert_eq!(described_at("/p/{z}"), "/p/{z}");
        // a long segment that does not fit is refused without trying every split
        let long = "1,".repeat(5000);
        assert_eq!(capture("{a},{b},{c},{d}.{e}", &long), None);
        assert_eq!(capture("{a},{b},{c},{d}.{e}", &format!("{long}.png")).map(|v| v[4]), Some(("e", "png")));
        assert_eq!(capture("{a},{b},{c},{d}.{e}", "1,2,3.png"), None);
    }
}
