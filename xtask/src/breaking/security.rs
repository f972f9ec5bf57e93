//! Authentication: what an operation's `security` and the document's
//! `securitySchemes` mean for clients and services.
//!
//! The client applies credentials per operation, as its spec's `security`
//! says (the first alternative whose schemes all have credentials; none when
//! the operation is public, see `client_ops`), so a change of an
//! operation's requirements is a wire change: a deployed client sends no
//! credentials to an operation that became protected (client wire), a new
//! client none to an old service that still protects it (server wire). A
//! scheme that changes how credentials travel (an API key's header, bearer
//! to basic) breaks both directions. OAuth2 scopes are not compared: a
//! token is opaque to the client, and which scopes it carries is the token
//! issuer's business. The server trait does not see security (the stub and
//! a real server check it), so no change here is server source; the
//! client's credential methods (`with_bearer`, `with_<api key scheme>`,
//! `password_token`, …) are client source when one disappears.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{CS, CW, Cx, SW, change};
use crate::pointer;

/// An operation's effective requirements (its own `security`, else the
/// document's) and where they are written: `None` when it is public (no
/// requirement, or an empty alternative). Each alternative is the set of
/// its scheme names.
fn requirements(doc: &Value, op: &Value, op_ptr: &str) -> (Option<Vec<BTreeSet<String>>>, String) {
    let (list, at) = match op.get("security") {
        Some(own) => (own, pointer::join(op_ptr, "security")),
        None => (doc.get("security").unwrap_or(&Value::Null), "/security".to_string()),
    };
    let alternatives: Vec<BTreeSet<String>> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|alternative| alternative.keys().cloned().collect())
        .collect();
    let public = alternatives.is_empty() || alternatives.iter().any(BTreeSet::is_empty);
    ((!public).then_some(alternatives), at)
}

/// A scheme as a client uses it: its object without annotations.
fn scheme(doc: &Value, name: &str) -> Option<Value> {
    let at = pointer::join("/components/securitySchemes", name);
    let (s, _) = super::shape::resolve(doc, doc.pointer(&at)?, &at);
    let mut s = s.as_object()?.clone();
    for annotation in ["description", "bearerFormat", "x-tokenName"] {
        s.remove(annotation);
    }
    if let Some(Value::String(scheme)) = s.get_mut("scheme") {
        *scheme = scheme.to_ascii_lowercase();
    }
    Some(Value::Object(s))
}

fn describe(s: &Option<Value>) -> String {
    let Some(s) = s else { return "undefined".into() };
    let field = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or("?");
    match field("type") {
        "apiKey" => format!("API key in {} `{}`", field("in"), field("name")),
        "http" => format!("HTTP {}", field("scheme")),
        other => other.to_string(),
    }
}

fn list(alternatives: &[&BTreeSet<String>]) -> String {
    let each: Vec<String> =
        alternatives.iter().map(|a| a.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" + ")).collect();
    each.join(", ")
}

impl<'a> Cx<'a> {
    /// The security requirements of one operation, old and new.
    pub(super) fn security(&mut self, (old, old_ptr): (&'a Value, &str), (new, new_ptr): (&'a Value, &str)) {
        let ((o, o_at), (n, n_at)) = (requirements(self.old, old, old_ptr), requirements(self.new, new, new_ptr));
        // a requirement written nowhere (a public operation) has no place
        let (o_at, n_at) =
            (self.old.pointer(&o_at).map(|_| o_at.as_str()), self.new.pointer(&n_at).map(|_| n_at.as_str()));
        match (o, n) {
            (None, None) => {}
            (None, Some(_)) => self.file(
                change("security-added", "operation now requires authentication", o_at, n_at)
                    .axes([CW])
                    .note("a deployed client sends no credentials to it, which the new service refuses"),
            ),
            (Some(_), None) => self.file(
                change("security-removed", "operation no longer requires authentication", o_at, n_at)
                    .axes([SW])
                    .note("a new client sends no credentials to it, which an old service refuses"),
            ),
            (Some(o), Some(n)) => {
                let used = |alts: &[BTreeSet<String>]| alts.iter().flatten().cloned().collect::<BTreeSet<String>>();
                for name in used(&o).intersection(&used(&n)) {
                    let (os, ns) = (scheme(self.old, name), scheme(self.new, name));
                    if os != ns {
                        let at = pointer::join("/components/securitySchemes", name);
                        self.file(
                            change(
                                "security-scheme-changed",
                                format!("security scheme `{name}` changed from {} to {}", describe(&os), describe(&ns)),
                                Some(&at),
                                Some(&at),
                            )
                            .axes([CW, SW])
                            .note("a deployed client sends its credentials as the old scheme says, which the new service refuses; a new client, as the new one says, to an old service"),
                        );
                    }
                }
                // an alternative taken away refuses deployed clients that
                // have only its credentials; one added, new clients
                let changes = [
                    (
                        &o,
                        &n,
                        "security-alternative-removed",
                        "no longer",
                        CW,
                        "a deployed client that has only these credentials is refused",
                    ),
                    (
                        &n,
                        &o,
                        "security-alternative-added",
                        "now",
                        SW,
                        "a new client that authenticates so is refused by an old service",
                    ),
                ];
                for (from, to, rule, state, axis, note) in changes {
                    let gone: Vec<&BTreeSet<String>> = from.iter().filter(|a| !to.contains(a)).collect();
                    if !gone.is_empty() {
                        let message = format!("authentication by {} {state} accepted", list(&gone));
                        self.file(change(rule, message, o_at, n_at).axes([axis]).note(note));
                    }
                }
            }
        }
    }

    /// The client's credential methods: one that disappears breaks calling
    /// code that calls it.
    pub(super) fn credential_methods(&mut self) {
        let (old, new) =
            (crate::client_ops::credential_methods(self.old), crate::client_ops::credential_methods(self.new));
        let mut by_scheme: std::collections::BTreeMap<&String, Vec<&String>> = Default::default();
        for (method, scheme) in &old {
            if !new.contains_key(method) {
                by_scheme.entry(scheme).or_default().push(method);
            }
        }
        for (scheme, methods) in by_scheme {
            let at = pointer::join("/components/securitySchemes", scheme);
            let names: Vec<String> = methods.iter().map(|m| format!("`{m}`")).collect();
            self.file(
                change(
                    "credential-method-removed",
                    format!(
                        "client credential method{} {} removed",
                        if names.len() == 1 { "" } else { "s" },
                        names.join(", ")
                    ),
                    Some(&at),
                    None,
                )
                .axes([CS])
                .note(format!("no scheme of the new spec gives it (security scheme `{scheme}`)")),
            );
        }
    }
}
