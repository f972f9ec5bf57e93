//! JSON pointers (RFC 6901), the one way every module names a place in a
//! document: building them from keys, reading the `#/...` fragment of a
//! `$ref`, and showing them in messages.
//!
//! A pointer is a `String` such as `/paths/~1items~1{id}/get`; `""` is the
//! whole document, shown as `/` ([`display`]).

/// Escapes one reference token: `~` → `~0`, `/` → `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`]: `~1` → `/`, `~0` → `~` (in that order, as RFC 6901
/// says, so that `~01` is `~1`).
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// `pointer` with one more token, escaped.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape(token))
}

/// A pointer as messages show it: the root (`""`) is `/`.
pub fn display(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// Decodes the `%XX` escapes a URI fragment may use (a `$ref` such as
/// `#/paths/~1a~1%7Bid%7D`); `None` if malformed.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The pointer that a local `$ref` (`#/...`, percent-encoding allowed)
/// names; `None` for an external or malformed reference.
pub fn local_target(reference: &str) -> Option<String> {
    reference.strip_prefix('#').and_then(percent_decode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_unescapes_tokens() {
        assert_eq!(escape("/api/x/{id}"), "~1api~1x~1{id}");
        assert_eq!(escape("a~b/c"), "a~0b~1c");
        assert_eq!(escape("~1"), "~01");
        for token in ["/api/x/{id}", "a~b/c", "~1", "~01", ""] {
            assert_eq!(unescape(&escape(token)), token);
        }
    }

    #[test]
    fn joins_and_displays() {
        assert_eq!(join("", "paths"), "/paths");
        assert_eq!(join("/paths", "/items"), "/paths/~1items");
        assert_eq!(display(""), "/");
        assert_eq!(display("/paths"), "/paths");
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("/paths/~1a~1%7Bid%7D").as_deref(), Some("/paths/~1a~1{id}"));
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%ff"), None);
        assert_eq!(percent_decode("/%4"), None);
        assert_eq!(local_target("#/components/schemas/A").as_deref(), Some("/components/schemas/A"));
        assert_eq!(local_target("other.json#/A"), None);
    }
}
