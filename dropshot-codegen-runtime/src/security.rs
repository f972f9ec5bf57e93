//! An operation's security, enforced as a FastAPI 0.165 service enforces it:
//! the same reading of `Authorization`, API-key headers, query parameters
//! and cookies as FastAPI's security classes, and the same rejections
//! (status, `{"detail": ...}`, `WWW-Authenticate`).
//!
//! ```
//! use dropshot_codegen_runtime::security::{Parts, Policy, Security};
//! use serde_json::json;
//!
//! let doc = json!({
//!     "paths": {"/jobs": {"get": {"security": [{"HTTPBearer": []}]}}},
//!     "components": {"securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}}}
//! });
//! let security = Security::new(&doc, Policy::default().accept("HTTPBearer", ["s3cret"]));
//! let op = security.operation("/jobs", "get").unwrap();
//!
//! let mut headers = http::HeaderMap::new();
//! let rejection = op.check(&Parts::new(&headers, None)).unwrap_err();
//! assert_eq!((rejection.status, rejection.body()), (401, json!({"detail": "Not authenticated"})));
//! assert_eq!(rejection.www_authenticate.as_deref(), Some("Bearer"));
//!
//! headers.insert("authorization", "Bearer s3cret".parse().unwrap());
//! let access = op.check(&Parts::new(&headers, None)).unwrap();
//! assert_eq!(access.credentials[0].0, "HTTPBearer");
//! ```
//!
//! # Which schemes an operation requires
//!
//! OpenAPI's semantics ([`Semantics::OpenApi`], the default): the
//! operation's `security`, else the document's; each requirement object is
//! an alternative (OR), the schemes of one object are all required (AND), in
//! the object's order; the empty object `{}` makes credentials optional, and
//! `security: []` on an operation removes the document's requirement.
//!
//! FastAPI itself exports every security dependency of a route as an
//! alternative of its own (`[{"HTTPBearer": []}, {"APIKeyHeader": []}]`)
//! while it requires all of them; [`Semantics::FastApiDependencies`]
//! enforces such an export as FastAPI does: every scheme named anywhere,
//! in order.
//!
//! # How each scheme reads a request (FastAPI's classes)
//!
//! | scheme | FastAPI class | credential | refused by the class (401 `Not authenticated`) |
//! |---|---|---|---|
//! | `http` `bearer` | `HTTPBearer` | the token after `Bearer ` | no `Authorization`, no scheme or no token, a scheme other than `bearer` (any case); `WWW-Authenticate: Bearer` |
//! | `oauth2` (any flow) | `OAuth2PasswordBearer`, `OAuth2AuthorizationCodeBearer` | the token, possibly empty (`Bearer `) | no `Authorization`, a scheme other than `bearer`; `WWW-Authenticate: Bearer` |
//! | `http` `basic` | `HTTPBasic` | `user:password` | no `Authorization`, a scheme other than `basic`, not base64 as Python's `b64decode` reads it (noise ignored, padding checked), not ASCII, no `:`; `WWW-Authenticate: Basic` |
//! | `http` `digest` | `HTTPDigest` | what follows `Digest ` | as `HTTPBearer`; `WWW-Authenticate: Digest` |
//! | other `http` schemes | `HTTPBase` | what follows the scheme | no scheme or no credentials; `WWW-Authenticate` the scheme titled |
//! | `openIdConnect` | `OpenIdConnect` | the whole `Authorization` value | no `Authorization`; `WWW-Authenticate: Bearer` |
//! | `apiKey` in `header` | `APIKeyHeader` | the header (first one, any case of its name) | absent or empty; `WWW-Authenticate: APIKey` |
//! | `apiKey` in `query` | `APIKeyQuery` | the parameter (last one, decoded as Starlette decodes a query) | absent or empty; `WWW-Authenticate: APIKey` |
//! | `apiKey` in `cookie` | `APIKeyCookie` | the cookie (Starlette's cookie parser, the last one) | absent or empty; `WWW-Authenticate: APIKey` |
//!
//! # Which credentials are valid: the [`Policy`]
//!
//! A stub cannot know. By default every credential a FastAPI class lets
//! through is accepted, except an empty one (an OAuth2 `Bearer ` with no
//! token, a basic credential with no user name), which no service accepts.
//! [`Policy::accept`] names the credentials a scheme accepts (tokens, keys,
//! `user:password`); any other credential then gets the answer the
//! service's own check gives, which [`Policy::reject_with`] can set and
//! which is by default what the Coverage API (`fastapi-app/app.py`, written
//! as FastAPI's documentation writes these checks) answers:
//!
//! | scheme | refused by the service |
//! |---|---|
//! | bearer, OAuth2, OpenID Connect | 401 `Invalid token`, `WWW-Authenticate: Bearer` |
//! | basic | 401 `Incorrect username or password`, `WWW-Authenticate: Basic` |
//! | other `http` schemes | 401 `Invalid credentials`, `WWW-Authenticate` the scheme titled |
//! | API key in a header or the query | 401 `Invalid API key` |
//! | API key in a cookie | 401 `Invalid session` |
//!
//! When no alternative is satisfied, the answer is the first alternative's
//! that the service refused (the client tried it), else the first
//! alternative's; within an alternative, the first scheme that fails.
//! OAuth2 scopes are not checked (nothing tells a stub a token's scopes).
//!
//! `tests/security_agreement.rs` checks every answer against FastAPI's,
//! recorded by `tests/security/corpus.py` in `tests/security/golden.json`.
//!
//! # Performance
//!
//! [`Security::new`] reads the document once; a check reads only the
//! headers, the query and the cookies it needs, without copying them unless
//! they are percent-encoded or quoted.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Value, json};

/// An answer refusing a request: `status`, `{"detail": detail}`, and the
/// `WWW-Authenticate` header when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub detail: String,
    pub www_authenticate: Option<String>,
}

impl Rejection {
    pub fn new(status: u16, detail: impl Into<String>, www_authenticate: Option<&str>) -> Self {
        Self { status, detail: detail.into(), www_authenticate: www_authenticate.map(str::to_string) }
    }

    /// `{"detail": ...}`.
    pub fn body(&self) -> Value {
        json!({ "detail": self.detail })
    }

    /// The body as Starlette's `JSONResponse` writes it (compact).
    pub fn body_text(&self) -> String {
        self.body().to_string()
    }
}

/// A credential that a scheme read from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A bearer token (HTTP bearer, OAuth2).
    Token(String),
    /// An API key.
    ApiKey(String),
    /// HTTP basic.
    Basic { username: String, password: String },
    /// What follows the scheme of another HTTP scheme, or the whole
    /// `Authorization` value for OpenID Connect.
    Authorization(String),
}

impl Credential {
    /// The text [`Policy::accept`] compares: the token, the key,
    /// `user:password`, the credentials.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Self::Token(s) | Self::ApiKey(s) | Self::Authorization(s) => Cow::Borrowed(s),
            Self::Basic { username, password } => Cow::Owned(format!("{username}:{password}")),
        }
    }
}

/// A request that may go on, with the credentials of the alternative it
/// satisfied (by scheme name); empty when the operation needs none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Access {
    pub credentials: Vec<(String, Credential)>,
}

/// How an operation's requirement objects combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Semantics {
    /// OpenAPI's: alternatives (OR) of requirement objects (AND).
    #[default]
    OpenApi,
    /// FastAPI's enforcement of its own export: every scheme named, in order.
    FastApiDependencies,
}

/// Which credentials are valid, and what the service answers otherwise.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    accepted: HashMap<String, HashSet<String>>,
    refusals: HashMap<String, Rejection>,
    semantics: Semantics,
}

impl Policy {
    /// Scheme `scheme` (its name in `securitySchemes`) accepts these
    /// credentials only (tokens, keys, `user:password`); may be repeated.
    pub fn accept<I, S>(mut self, scheme: &str, credentials: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.accepted.entry(scheme.to_string()).or_default().extend(credentials.into_iter().map(Into::into));
        self
    }

    /// What the service answers for a credential of `scheme` it does not accept.
    pub fn reject_with(mut self, scheme: &str, rejection: Rejection) -> Self {
        self.refusals.insert(scheme.to_string(), rejection);
        self
    }

    pub fn semantics(mut self, semantics: Semantics) -> Self {
        self.semantics = semantics;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyLocation {
    Header,
    Query,
    Cookie,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Bearer,
    Basic,
    Digest,
    /// Another HTTP scheme (`HTTPBase`: no scheme check).
    Http,
    OAuth2,
    OpenIdConnect,
    ApiKey(KeyLocation, String),
}

/// One scheme of `securitySchemes`, ready to check.
#[derive(Debug)]
struct Scheme {
    name: String,
    kind: Kind,
    accepted: Option<HashSet<String>>,
    /// The class's own 401.
    missing: Rejection,
    /// The service's refusal.
    refused: Rejection,
}

#[derive(Clone, Copy)]
enum Failure<'s> {
    Missing(&'s Scheme),
    Refused(&'s Scheme),
}

impl Failure<'_> {
    fn rejection(&self) -> Rejection {
        match self {
            Self::Missing(s) => s.missing.clone(),
            Self::Refused(s) => s.refused.clone(),
        }
    }
}

impl Scheme {
    fn new(name: &str, definition: &Value, policy: &Policy) -> Option<Self> {
        let field = |k: &str| definition.get(k).and_then(Value::as_str).unwrap_or_default();
        let http_scheme = field("scheme").to_ascii_lowercase();
        let kind = match field("type") {
            "http" => match http_scheme.as_str() {
                "bearer" => Kind::Bearer,
                "basic" => Kind::Basic,
                "digest" => Kind::Digest,
                _ => Kind::Http,
            },
            "oauth2" => Kind::OAuth2,
            "openIdConnect" => Kind::OpenIdConnect,
            "apiKey" => {
                let location = match field("in") {
                    "header" => KeyLocation::Header,
                    "query" => KeyLocation::Query,
                    "cookie" => KeyLocation::Cookie,
                    _ => return None,
                };
                Kind::ApiKey(location, field("name").to_string())
            }
            _ => return None,
        };
        let titled = py_title(field("scheme"));
        let challenge = match kind {
            Kind::Bearer | Kind::OAuth2 | Kind::OpenIdConnect => "Bearer",
            Kind::Basic => "Basic",
            Kind::Digest | Kind::Http => titled.as_str(),
            Kind::ApiKey(..) => "APIKey",
        };
        let missing = Rejection::new(401, "Not authenticated", Some(challenge));
        let refused = policy.refusals.get(name).cloned().unwrap_or_else(|| match &kind {
            Kind::Bearer | Kind::OAuth2 | Kind::OpenIdConnect => Rejection::new(401, "Invalid token", Some("Bearer")),
            Kind::Basic => Rejection::new(401, "Incorrect username or password", Some("Basic")),
            Kind::Digest | Kind::Http => Rejection::new(401, "Invalid credentials", Some(challenge)),
            Kind::ApiKey(KeyLocation::Cookie, _) => Rejection::new(401, "Invalid session", None),
            Kind::ApiKey(..) => Rejection::new(401, "Invalid API key", None),
        });
        Some(Self { name: name.to_string(), kind, accepted: policy.accepted.get(name).cloned(), missing, refused })
    }

    /// The credential FastAPI's class reads, `None` when the class refuses.
    fn read(&self, request: &dyn RequestCredentials) -> Option<Credential> {
        let authorization = || request.header("authorization").filter(|v| !v.is_empty());
        match &self.kind {
            Kind::Bearer | Kind::Digest | Kind::Http => {
                let (scheme, credentials) = scheme_param(authorization()?);
                if scheme.is_empty() || credentials.is_empty() {
                    return None;
                }
                let wanted: &[u8] = match self.kind {
                    Kind::Bearer => b"bearer",
                    Kind::Digest => b"digest",
                    _ => scheme,
                };
                if !scheme.eq_ignore_ascii_case(wanted) {
                    return None;
                }
                let text = latin1(credentials);
                Some(if self.kind == Kind::Bearer { Credential::Token(text) } else { Credential::Authorization(text) })
            }
            Kind::OAuth2 => {
                let (scheme, token) = scheme_param(authorization()?);
                scheme.eq_ignore_ascii_case(b"bearer").then(|| Credential::Token(latin1(token)))
            }
            Kind::OpenIdConnect => Some(Credential::Authorization(latin1(authorization()?))),
            Kind::Basic => {
                let (scheme, param) = scheme_param(authorization()?);
                if !scheme.eq_ignore_ascii_case(b"basic") {
                    return None;
                }
                let decoded = py_b64decode(param)?;
                if !decoded.is_ascii() {
                    return None;
                }
                let text = String::from_utf8(decoded).ok()?;
                let (username, password) = text.split_once(':')?;
                Some(Credential::Basic { username: username.to_string(), password: password.to_string() })
            }
            Kind::ApiKey(location, name) => {
                let key = match location {
                    KeyLocation::Header => request.header(name).map(latin1),
                    KeyLocation::Query => request.query(name).map(Cow::into_owned),
                    KeyLocation::Cookie => request.cookie(name).map(Cow::into_owned),
                }?;
                (!key.is_empty()).then_some(Credential::ApiKey(key))
            }
        }
    }

    fn check(&self, request: &dyn RequestCredentials) -> Result<Credential, Failure<'_>> {
        let credential = self.read(request).ok_or(Failure::Missing(self))?;
        let valid = match &self.accepted {
            Some(accepted) => accepted.contains(credential.text().as_ref()),
            None => match &credential {
                Credential::Basic { username, .. } => !username.is_empty(),
                other => !other.text().is_empty(),
            },
        };
        if valid { Ok(credential) } else { Err(Failure::Refused(self)) }
    }
}

/// What an operation requires: alternatives of schemes.
#[derive(Debug, Clone)]
pub struct OperationSecurity {
    alternatives: Vec<Vec<Arc<Scheme>>>,
}

impl OperationSecurity {
    /// Whether the operation requires nothing.
    pub fn is_open(&self) -> bool {
        self.alternatives.is_empty() || self.alternatives.iter().any(Vec::is_empty)
    }

    /// Lets the request go on, or answers as FastAPI would.
    pub fn check(&self, request: &dyn RequestCredentials) -> Result<Access, Rejection> {
        if self.alternatives.is_empty() {
            return Ok(Access::default());
        }
        let mut first: Option<Failure<'_>> = None;
        let mut refused: Option<Failure<'_>> = None;
        for alternative in &self.alternatives {
            let mut credentials = Vec::with_capacity(alternative.len());
            let mut failure = None;
            for scheme in alternative {
                match scheme.check(request) {
                    Ok(c) => credentials.push((scheme.name.clone(), c)),
                    Err(f) => {
                        failure = Some(f);
                        break;
                    }
                }
            }
            match failure {
                None => return Ok(Access { credentials }),
                Some(f) => {
                    if refused.is_none()
                        && let Failure::Refused(_) = f
                    {
                        refused = Some(f);
                    }
                    if first.is_none() {
                        first = Some(f);
                    }
                }
            }
        }
        let failure = refused.or(first).expect("an alternative failed");
        Err(failure.rejection())
    }
}

/// The security of every operation of a document, under one [`Policy`].
#[derive(Debug, Clone)]
pub struct Security {
    /// path template → (lowercase method, security)
    operations: HashMap<String, Vec<(String, OperationSecurity)>>,
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl Security {
    /// Reads `securitySchemes` and every operation's requirements. A
    /// requirement naming an undefined scheme is left out (it cannot be
    /// checked); an alternative left empty so is not.
    pub fn new(doc: &Value, policy: Policy) -> Self {
        let mut schemes: HashMap<&str, Arc<Scheme>> = HashMap::new();
        if let Some(defined) = doc.pointer("/components/securitySchemes").and_then(Value::as_object) {
            for (name, definition) in defined {
                let definition = match definition.get("$ref").and_then(Value::as_str) {
                    Some(r) => r.strip_prefix('#').and_then(|p| doc.pointer(p)).unwrap_or(definition),
                    None => definition,
                };
                if let Some(scheme) = Scheme::new(name, definition, &policy) {
                    schemes.insert(name, Arc::new(scheme));
                }
            }
        }
        let global = doc.get("security");
        let mut operations: HashMap<String, Vec<(String, OperationSecurity)>> = HashMap::new();
        for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
            for method in METHODS {
                let Some(operation) = item.get(method) else { continue };
                let requirements = operation.get("security").or(global);
                let mut alternatives: Vec<Vec<Arc<Scheme>>> = Vec::new();
                for requirement in requirements.and_then(Value::as_array).into_iter().flatten() {
                    let Some(names) = requirement.as_object() else { continue };
                    let alternative: Vec<Arc<Scheme>> =
                        names.keys().filter_map(|name| schemes.get(name.as_str()).cloned()).collect();
                    if alternative.is_empty() && !names.is_empty() {
                        continue;
                    }
                    alternatives.push(alternative);
                }
                if policy.semantics == Semantics::FastApiDependencies {
                    let mut all: Vec<Arc<Scheme>> = Vec::new();
                    for scheme in alternatives.into_iter().flatten() {
                        if !all.iter().any(|s| s.name == scheme.name) {
                            all.push(scheme);
                        }
                    }
                    alternatives = if all.is_empty() { Vec::new() } else { vec![all] };
                }
                operations
                    .entry(path.clone())
                    .or_default()
                    .push((method.to_string(), OperationSecurity { alternatives }));
            }
        }
        Self { operations }
    }

    /// The security of the operation at `path` (the spec's template) and
    /// `method` (any case).
    pub fn operation(&self, path: &str, method: &str) -> Option<&OperationSecurity> {
        self.operations.get(path)?.iter().find(|(m, _)| m.eq_ignore_ascii_case(method)).map(|(_, s)| s)
    }

    /// The security of the operation at a JSON pointer
    /// (`/paths/~1jobs~1{job_id}/get`).
    pub fn operation_at(&self, pointer: &str) -> Option<&OperationSecurity> {
        let rest = pointer.strip_prefix("/paths/")?;
        let (path, method) = rest.rsplit_once('/')?;
        self.operation(&path.replace("~1", "/").replace("~0", "~"), method)
    }

    /// [`OperationSecurity::check`] for the operation at `path` and
    /// `method`; an unknown operation requires nothing.
    pub fn check(&self, path: &str, method: &str, request: &dyn RequestCredentials) -> Result<Access, Rejection> {
        self.operation(path, method).map_or_else(|| Ok(Access::default()), |op| op.check(request))
    }
}

/// Where a check finds credentials, read as Starlette reads a request.
pub trait RequestCredentials {
    /// The first header of that name (any case), as bytes.
    fn header(&self, name: &str) -> Option<&[u8]>;
    /// The last query parameter of that name, decoded.
    fn query(&self, name: &str) -> Option<Cow<'_, str>>;
    /// The last cookie of that name in the first `Cookie` header.
    fn cookie(&self, name: &str) -> Option<Cow<'_, str>>;
}

/// A request's headers and raw query string (without `?`).
#[derive(Debug, Clone, Copy)]
pub struct Parts<'a> {
    pub headers: &'a http::HeaderMap,
    pub query: Option<&'a str>,
}

impl<'a> Parts<'a> {
    pub fn new(headers: &'a http::HeaderMap, query: Option<&'a str>) -> Self {
        Self { headers, query }
    }
}

impl RequestCredentials for Parts<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.get(name).map(http::HeaderValue::as_bytes)
    }

    fn query(&self, name: &str) -> Option<Cow<'_, str>> {
        query_param(self.query?, name)
    }

    fn cookie(&self, name: &str) -> Option<Cow<'_, str>> {
        cookie(self.header("cookie")?, name)
    }
}

// ---- Python's and Starlette's readings --------------------------------------

/// Python's `str.isspace` for a Latin-1 character (Starlette decodes header
/// values as Latin-1).
fn py_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' ' | 0x85 | 0xa0)
}

fn py_strip(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s
        && py_space(*first)
    {
        s = rest;
    }
    while let [rest @ .., last] = s
        && py_space(*last)
    {
        s = rest;
    }
    s
}

/// FastAPI's `get_authorization_scheme_param`: split at the first space,
/// the parameter stripped.
fn scheme_param(value: &[u8]) -> (&[u8], &[u8]) {
    match value.iter().position(|&b| b == b' ') {
        Some(i) => (&value[..i], py_strip(&value[i + 1..])),
        None => (value, &[]),
    }
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Python's `str.title()` for a scheme name (`digest` → `Digest`).
fn py_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous_cased = false;
    for c in s.chars() {
        if previous_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        previous_cased = c.is_alphabetic();
    }
    out
}

/// Python's `base64.b64decode(s)` (not validating), as CPython 3.11's
/// `binascii.a2b_base64` reads it: characters outside the alphabet are
/// skipped, a complete padding ends the data, a wrong length fails. `None`
/// where Python raises (also for a non-ASCII string).
fn py_b64decode(input: &[u8]) -> Option<Vec<u8>> {
    if !input.is_ascii() {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut quad = 0u8;
    let mut left = 0u32;
    let mut pads = 0u8;
    for &c in input {
        if c == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    return Some(out);
                }
            }
            continue;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        let v = u32::from(v);
        pads = 0;
        match quad {
            0 => {
                left = v;
                quad = 1;
            }
            1 => {
                out.push(((left << 2) | (v >> 4)) as u8);
                left = v & 0x0f;
                quad = 2;
            }
            2 => {
                out.push(((left << 4) | (v >> 2)) as u8);
                left = v & 0x03;
                quad = 3;
            }
            _ => {
                out.push(((left << 6) | v) as u8);
                left = 0;
                quad = 0;
            }
        }
    }
    (quad == 0).then_some(out)
}

/// The last value of query parameter `name`, as Starlette reads the query:
/// Python's `parse_qsl(..., keep_blank_values=True)` of the Latin-1 text.
pub fn query_param<'q>(query: &'q str, name: &str) -> Option<Cow<'q, str>> {
    let mut found = None;
    for pair in query.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if py_unquote_plus(key) == name {
            found = Some(value);
        }
    }
    found.map(py_unquote_plus)
}

/// Python's `unquote(s.replace('+', ' '))`: percent-escapes decoded as
/// UTF-8 (invalid sequences replaced), other characters kept.
fn py_unquote_plus(s: &str) -> Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut run: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && let Some(byte) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
            && s.as_bytes()[i + 1].is_ascii_hexdigit()
        {
            run.push(byte);
            i += 3;
            continue;
        }
        if !run.is_empty() {
            out.push_str(&String::from_utf8_lossy(&run));
            run.clear();
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        out.push(if c == '+' { ' ' } else { c });
        i += c.len_utf8();
    }
    if !run.is_empty() {
        out.push_str(&String::from_utf8_lossy(&run));
    }
    Cow::Owned(out)
}

/// The last cookie `name` of a `Cookie` header, as Starlette's
/// `cookie_parser` reads it (chunks split at `;`, name and value stripped,
/// a quoted value unquoted as Python's `http.cookies` does).
pub fn cookie<'h>(header: &'h [u8], name: &str) -> Option<Cow<'h, str>> {
    let mut found = None;
    for chunk in header.split(|&b| b == b';') {
        let (key, value) = match chunk.iter().position(|&b| b == b'=') {
            Some(i) => (&chunk[..i], &chunk[i + 1..]),
            None => (&b""[..], chunk),
        };
        let (key, value) = (py_strip(key), py_strip(value));
        if (!key.is_empty() || !value.is_empty()) && key == name.as_bytes() {
            found = Some(value);
        }
    }
    found.map(unquote_cookie)
}

fn unquote_cookie(value: &[u8]) -> Cow<'_, str> {
    let [b'"', inner @ .., b'"'] = value else {
        return match std::str::from_utf8(value) {
            Ok(s) if value.is_ascii() => Cow::Borrowed(s),
            _ => Cow::Owned(latin1(value)),
        };
    };
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        if inner[i] == b'\\' && i + 1 < inner.len() {
            let octal = inner
                .get(i + 1..i + 4)
                .filter(|d| matches!(d[0], b'0'..=b'3') && matches!(d[1], b'0'..=b'7') && matches!(d[2], b'0'..=b'7'));
            if let Some(d) = octal {
                out.push(char::from((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0')));
                i += 4;
                continue;
            }
            if inner[i + 1] != b'\n' {
                out.push(char::from(inner[i + 1]));
                i += 2;
                continue;
            }
        }
        out.push(char::from(inner[i]));
        i += 1;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_python_reads_it() {
        assert_eq!(py_b64decode(b"YWxpY2U6c2VjcmV0").unwrap(), b"alice:secret");
        assert_eq!(py_b64decode(b"YWxp*Y2U6c2VjcmV0").unwrap(), b"alice:secret");
        assert_eq!(py_b64decode(b"Ym9iOmh1bnRlcjI").as_deref(), None);
        assert_eq!(py_b64decode(b"Ym9iOmh1bnRlcjI=QUFB").unwrap(), b"bob:hunter2");
        assert_eq!(py_b64decode(b"YWxpY2U6c2VjcmV0A"), None);
        assert_eq!(py_b64decode(b"").unwrap(), b"");
        assert_eq!(py_b64decode(b"Og==").unwrap(), b":");
    }

    #[test]
    fn queries_and_cookies_as_starlette_reads_them() {
        assert_eq!(query_param("a=1&a=2", "a").as_deref(), Some("2"));
        assert_eq!(query_param("a", "a").as_deref(), Some(""));
        assert_eq!(query_param("x+y=%C3%A9+%zz", "x y").as_deref(), Some("é %zz"));
        assert_eq!(query_param("b=1", "a"), None);
        assert_eq!(cookie(b"a=1; b=\"x\\073y\\\"\"", "b").as_deref(), Some("x;y\""));
        assert_eq!(cookie(b" b = 2 ;", "b").as_deref(), Some("2"));
        assert_eq!(cookie(b"b", "").as_deref(), Some("b"));
    }

    #[test]
    fn titles() {
        assert_eq!(py_title("digest"), "Digest");
        assert_eq!(py_title("NEGOTIATE"), "Negotiate");
    }

    fn parts(headers: &[(&str, &str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (k, v) in headers {
            map.append(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        map
    }

    #[test]
    fn operation_security_overrides_the_documents() {
        let doc = json!({
            "security": [{"Key": []}],
            "paths": {"/a": {"get": {}, "post": {"security": []}, "put": {"security": [{"Nope": []}]}}},
            "components": {"securitySchemes": {"Key": {"type": "apiKey", "in": "header", "name": "k"}}}
        });
        let security = Security::new(&doc, Policy::default());
        let none = parts(&[]);
        let request = Parts::new(&none, None);
        assert_eq!(security.check("/a", "GET", &request).unwrap_err().www_authenticate.as_deref(), Some("APIKey"));
        assert!(security.check("/a", "post", &request).is_ok());
        // an undefined scheme cannot be checked: left out
        assert!(security.check("/a", "put", &request).is_ok());
        assert!(security.operation_at("/paths/~1a/get").is_some_and(|op| !op.is_open()));
        let key = parts(&[("K", "anything")]);
        let access = security.check("/a", "get", &Parts::new(&key, None)).unwrap();
        assert_eq!(access.credentials, vec![("Key".to_string(), Credential::ApiKey("anything".into()))]);
    }

    #[test]
    fn by_default_any_non_empty_credential_is_accepted() {
        let doc = json!({
            "paths": {"/o": {"get": {"security": [{"O": []}]}}, "/b": {"get": {"security": [{"B": []}]}}},
            "components": {"securitySchemes": {
                "O": {"type": "oauth2", "flows": {"password": {"tokenUrl": "t", "scopes": {}}}},
                "B": {"type": "http", "scheme": "basic"}
            }}
        });
        let security = Security::new(&doc, Policy::default());
        let check = |path: &str, auth: &str| {
            let h = parts(&[("authorization", auth)]);
            security.check(path, "get", &Parts::new(&h, None)).map_err(|r| r.detail)
        };
        assert!(check("/o", "Bearer x").is_ok());
        assert_eq!(check("/o", "Bearer ").unwrap_err(), "Invalid token");
        assert!(check("/b", "Basic YTo=").is_ok());
        assert_eq!(check("/b", "Basic Og==").unwrap_err(), "Incorrect username or password");
        let custom = Security::new(
            &doc,
            Policy::default().accept("O", ["t1"]).reject_with("O", Rejection::new(403, "Forbidden", None)),
        );
        let h = parts(&[("authorization", "Bearer t2")]);
        let r = custom.check("/o", "get", &Parts::new(&h, None)).unwrap_err();
        assert_eq!((r.status, r.body_text(), r.www_authenticate), (403, r#"{"detail":"Forbidden"}"#.into(), None));
    }
}
