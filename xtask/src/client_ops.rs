//! What the client takes beyond progenitor: operations progenitor cannot
//! generate, and authentication.
//!
//! ## Operations generated here
//!
//! progenitor refuses cookie parameters, has no multipart bodies, panics when
//! an operation's success responses are of different kinds, and gives a
//! `ByteStream` for every non-JSON response. An operation with any of
//!
//! - a cookie parameter,
//! - a `multipart/form-data` body,
//! - more than one success status (`2XX`), or
//! - a text success response (`text/*` other than `text/event-stream`)
//!
//! is taken out of progenitor's input and its builder is generated here, in
//! progenitor's style, so that callers see one client: `Client::<op>()`
//! returns `builder::<Op>`, with one setter per parameter (and per multipart
//! field), each taking `impl TryInto<T>` as progenitor's do, and `send()`
//! returns `Result<ResponseValue<T>, Error<E>>` with progenitor_client's
//! types, running the same `ClientHooks` (so authentication applies too).
//!
//! **Types.** Every type these builders name comes from progenitor's `types`
//! module: a `$ref` is the component's typify name; scalars map to the Rust
//! types typify uses (`String`, `i64`, `f64`, `bool`, `uuid::Uuid`, chrono);
//! any other inline schema (an inline enum or object) is hoisted into
//! `components/schemas` of progenitor's input as `<Op><Field>` (a number
//! appended if taken) so that typify generates it. Validation keywords of
//! scalars (`minLength`, `minimum`, …) are the service's to check, as for
//! progenitor's header parameters.
//!
//! **Responses.** JSON is decoded into its type, `text/*` is read into a
//! `String`, anything else (binary, `text/event-stream`) is a `ByteStream`,
//! and a response without content is `()`. An operation with several
//! success statuses returns `ResponseValue<types::<Op>Response>`, an enum
//! with one variant per status, named after its reason phrase (`Ok`,
//! `Created`, `NoContent`, else `Status<code>`), holding that status's body.
//! Error statuses are `Error::ErrorResponse` with the (combined) error body,
//! as progenitor's.
//!
//! **Multipart.** A field of `format: binary` (what the lowering makes of
//! FastAPI's `contentMediaType: application/octet-stream`) takes a
//! [`FilePart`](#) (bytes or a `reqwest::Body` stream, with a file name and a
//! content type; the file name defaults to the field's name, since Starlette
//! only treats a part with a file name as a file); an array of them takes
//! several (`impl IntoIterator<Item = FilePart>`). Other fields go as text
//! parts: strings as they are, numbers, booleans and string enums by their
//! `Display`, arrays as one part per element, objects as JSON. `FilePart`
//! is emitted into the generated file only when a spec has a file field, as
//! every generated file is compiled in more than one crate.
//!
//! **Cookies.** Cookie parameters go as one `Cookie` header
//! (`name=value; …`), the value by its `Display`, unencoded; an optional one
//! is left out when not set.
//!
//! ## Authentication
//!
//! When the spec has `components/securitySchemes`, the client carries a
//! `Credentials` value (progenitor's `inner` type; `Client::new` and
//! `new_with_client` keep their signatures, with empty credentials), and an
//! `impl ClientHooks for Client` whose `pre` hook applies them to every
//! request, progenitor's and ours alike, according to the operation's
//! `security` (or the document's): the first alternative whose schemes all
//! have credentials is applied; when none has, the request goes without
//! (and the service answers its 401). The hook finds the operation by the
//! `operation_id` of progenitor's `OperationInfo`, which is the Rust name.
//!
//! - HTTP bearer, OAuth2 (any flow) and OpenID Connect: one bearer token,
//!   `Authorization: Bearer …` (`with_bearer`);
//! - HTTP basic: `Authorization: Basic …` (`with_basic(user, password)`);
//! - API keys, in a header, the query or a cookie, under the spec's name:
//!   `with_api_key(key)` sets every API-key scheme, `with_<scheme>(key)` one
//!   (`with_api_key_cookie`, after the scheme's name in snake case).
//!
//! Each `with_…` returns a clone of the client (a `reqwest::Client` is an
//! `Arc`), so credentials are set per client or per request alike:
//! `client.with_bearer(t).read_user_me().send()`. For an OAuth2 password
//! flow, `password_token(username, password, scope)` posts the url-encoded
//! form (`grant_type=password`) to the flow's `tokenUrl` (relative to the
//! base URL) and returns the token response, and
//! `with_password_login(username, password)` returns a client with that
//! bearer token (with a scheme-named suffix when a spec has several such
//! flows).

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Value, json};

use crate::spec::{Spec, resolve};

/// What [`prepare`] found: code for the `types` module and for after
/// progenitor's items.
#[derive(Default)]
pub struct Plan {
    /// Items appended to progenitor's `types` module.
    pub types: TokenStream,
    /// Items appended after progenitor's (a second `mod builder` is merged
    /// into progenitor's by [`crate::client::format_rest`]).
    pub rest: TokenStream,
    /// Whether the client carries `Credentials` as progenitor's inner type.
    pub credentials: bool,
}

/// Whether progenitor cannot take this operation (see the module docs).
fn is_custom(doc: &Value, op: &Value, params: &[(String, &Value)]) -> bool {
    if params.iter().any(|(_, p)| p["in"] == "cookie") {
        return true;
    }
    if let Some(body) = op.get("requestBody")
        && resolve(doc, body).pointer("/content/multipart~1form-data").is_some()
    {
        return true;
    }
    let successes = successes(doc, op);
    successes.len() > 1 || successes.iter().any(|(_, media, _)| media.as_deref().is_some_and(is_text))
}

fn is_text(media: &str) -> bool {
    media.starts_with("text/") && media != "text/event-stream"
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

/// Success statuses: (code, first media type, its schema).
fn successes(doc: &Value, op: &Value) -> Vec<(u16, Option<String>, Value)> {
    let mut out = Vec::new();
    let Some(responses) = op.get("responses").and_then(Value::as_object) else { return out };
    for (code, response) in responses {
        let Ok(code) = code.parse::<u16>() else { continue };
        if !(200..300).contains(&code) {
            continue;
        }
        let response = resolve(doc, response);
        let first = response.get("content").and_then(Value::as_object).and_then(|c| c.iter().next());
        match first {
            Some((media, m)) => out.push((code, Some(media.clone()), m.get("schema").cloned().unwrap_or(json!({})))),
            None => out.push((code, None, Value::Null)),
        }
    }
    out
}

/// The name typify gives a component.
fn typify_name(component: &str) -> String {
    let cleaned: String =
        component.replace('\'', "").chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '-' }).collect();
    let name = cleaned.to_upper_camel_case();
    if name.starts_with(|c: char| c.is_ascii_digit()) { format!("X{name}") } else { name }
}

fn ident(name: &str) -> Ident {
    let snake = crate::names::escape_keyword(&name.to_snake_case());
    syn::parse_str::<Ident>(&snake).unwrap_or_else(|_| Ident::new_raw(&snake, Span::call_site()))
}

/// Rust types of schemas, hoisting what only typify can name.
struct Types<'a> {
    doc: &'a Value,
    taken: BTreeSet<String>,
    hoisted: BTreeMap<String, Value>,
}

impl Types<'_> {
    fn referenced(r: &str) -> TokenStream {
        let name = format_ident!("{}", typify_name(r.rsplit('/').next().unwrap_or(r)));
        quote!(types::#name)
    }

    fn rust(&mut self, schema: &Value, hint: &str) -> TokenStream {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            return Self::referenced(r);
        }
        if let Some([one]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
            && let Some(r) = one.get("$ref").and_then(Value::as_str)
        {
            return Self::referenced(r);
        }
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        let scalar = schema.get("enum").is_none();
        match schema.get("type").and_then(Value::as_str) {
            Some("string") if scalar => match format {
                "uuid" => quote!(::uuid::Uuid),
                "date-time" => quote!(::chrono::DateTime<::chrono::offset::Utc>),
                "date" => quote!(::chrono::naive::NaiveDate),
                _ => quote!(::std::string::String),
            },
            Some("integer") if scalar => match format {
                "int32" => quote!(i32),
                _ => quote!(i64),
            },
            Some("number") if scalar => quote!(f64),
            Some("boolean") if scalar => quote!(bool),
            Some("array") if schema.get("items").is_some() => {
                let inner = self.rust(&schema["items"], &format!("{hint}Item"));
                quote!(::std::vec::Vec<#inner>)
            }
            None if schema
                .as_object()
                .is_none_or(|o| o.keys().all(|k| k == "title" || k == "description" || k == "nullable")) =>
            {
                quote!(::serde_json::Value)
            }
            _ => self.hoist(schema, hint),
        }
    }

    fn hoist(&mut self, schema: &Value, hint: &str) -> TokenStream {
        let base = typify_name(hint);
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        let mut schema = schema.clone();
        if let Some(o) = schema.as_object_mut() {
            // optional is `Option` already; the type itself is not nullable
            o.shift_remove("nullable");
        }
        self.hoisted.insert(name.clone(), schema);
        let ident = format_ident!("{}", name);
        quote!(types::#ident)
    }

    fn is_object(&self, schema: &Value) -> bool {
        let mut s = schema;
        if let Some([one]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            s = one;
        }
        let s = resolve(self.doc, s);
        s.get("type").and_then(Value::as_str).is_none_or(|t| t == "object")
            && s.get("enum").is_none()
            && (s.get("properties").is_some()
                || s.get("additionalProperties").is_some()
                || s.get("oneOf").is_some()
                || s.get("anyOf").is_some())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    Path,
    Query,
    Header,
    Cookie,
}

struct Param {
    wire: String,
    ident: Ident,
    place: In,
    required: bool,
    ty: TokenStream,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    File,
    Files,
    Text,
    Json,
    TextEach,
    JsonEach,
}

struct Field {
    wire: String,
    ident: Ident,
    required: bool,
    kind: FieldKind,
    /// The setter's type (a `Vec` for arrays; `FilePart` for files).
    ty: TokenStream,
}

enum Body {
    Json(TokenStream),
    Form(TokenStream),
    Text(String),
    Binary(String),
    Multipart(Vec<Field>),
}

#[derive(Clone)]
enum Payload {
    Json(TokenStream),
    Text,
    Stream,
    Empty,
}

impl Payload {
    fn ty(&self) -> TokenStream {
        match self {
            Payload::Json(t) => t.clone(),
            Payload::Text => quote!(::std::string::String),
            Payload::Stream => quote!(ByteStream),
            Payload::Empty => quote!(()),
        }
    }
}

struct Success {
    code: u16,
    payload: Payload,
    variant: Ident,
}

struct CustomOp {
    name: String,
    operation_id: String,
    method: String,
    path: String,
    doc: String,
    params: Vec<Param>,
    body: Option<(Body, bool)>,
    successes: Vec<Success>,
    accept: Vec<String>,
    errors: Vec<u16>,
    error_ty: TokenStream,
    /// `types::<Op>Response`, when there are several successes.
    response_enum: Option<Ident>,
}

fn reason(code: u16) -> String {
    let known = match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        208 => "AlreadyReported",
        226 => "ImUsed",
        _ => "",
    };
    if known.is_empty() { format!("Status{code}") } else { known.to_string() }
}

fn payload(types: &mut Types<'_>, media: Option<&str>, schema: &Value, hint: &str) -> Payload {
    match media {
        None => Payload::Empty,
        Some(m) if is_json(m) => Payload::Json(types.rust(schema, hint)),
        Some(m) if is_text(m) => Payload::Text,
        Some(_) => Payload::Stream,
    }
}

fn analyse(types: &mut Types<'_>, spec_op: &crate::spec::Operation, op: &Value) -> CustomOp {
    let doc = types.doc;
    let camel = spec_op.name.to_upper_camel_case();
    let mut params = Vec::new();
    for (_, p) in crate::spec::parameters(doc, &spec_op.pointer) {
        let p = resolve(doc, p);
        let wire = p["name"].as_str().unwrap_or_default().to_string();
        let place = match p["in"].as_str() {
            Some("path") => In::Path,
            Some("query") => In::Query,
            Some("header") => In::Header,
            Some("cookie") => In::Cookie,
            _ => continue,
        };
        let ty = types.rust(p.get("schema").unwrap_or(&Value::Null), &format!("{camel}{}", wire.to_upper_camel_case()));
        params.push(Param {
            ident: ident(&wire),
            wire,
            place,
            required: place == In::Path || p.get("required") == Some(&Value::Bool(true)),
            ty,
        });
    }
    let body = op.get("requestBody").map(|b| resolve(doc, b)).and_then(|b| {
        let required = b.get("required") == Some(&Value::Bool(true));
        let (media, m) = b.get("content").and_then(Value::as_object)?.iter().next()?;
        let schema = m.get("schema").cloned().unwrap_or(json!({}));
        let body = if is_json(media) {
            Body::Json(types.rust(&schema, &format!("{camel}Body")))
        } else if media == "application/x-www-form-urlencoded" {
            Body::Form(types.rust(&schema, &format!("{camel}Body")))
        } else if media == "multipart/form-data" {
            Body::Multipart(fields(types, &schema, &camel))
        } else if media.starts_with("text/") {
            Body::Text(media.clone())
        } else {
            Body::Binary(media.clone())
        };
        Some((body, required))
    });
    let mut successes_out = Vec::new();
    let mut accept = Vec::new();
    let found = successes(doc, op);
    let several = found.len() > 1;
    for (code, media, schema) in &found {
        let hint = if several { format!("{camel}Response{code}") } else { format!("{camel}Response") };
        if let Some(m) = media
            && !accept.contains(m)
        {
            accept.push(m.clone());
        }
        successes_out.push(Success {
            code: *code,
            payload: payload(types, media.as_deref(), schema, &hint),
            variant: format_ident!("{}", reason(*code)),
        });
    }
    let mut errors = Vec::new();
    let mut error_ty = quote!(());
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        for (code, response) in responses {
            let Ok(n) = code.parse::<u16>() else { continue };
            if n < 400 {
                continue;
            }
            errors.push(n);
            if let Some(schema) = resolve(doc, response).pointer("/content/application~1json/schema") {
                error_ty = types.rust(schema, &format!("{camel}Error"));
            }
        }
    }
    let response_enum = several.then(|| {
        let base = format!("{camel}Response");
        let mut name = base.clone();
        let mut n = 2;
        while types.taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        types.taken.insert(name.clone());
        format_ident!("{}", name)
    });
    let summary = op.get("summary").and_then(Value::as_str);
    let description = op.get("description").and_then(Value::as_str);
    let doc_text = [summary, description].into_iter().flatten().collect::<Vec<_>>().join("\n\n");
    CustomOp {
        name: spec_op.name.clone(),
        operation_id: spec_op.name.clone(),
        method: spec_op.method.to_lowercase(),
        path: spec_op.path.clone(),
        doc: doc_text,
        params,
        body,
        successes: successes_out,
        accept,
        errors,
        error_ty,
        response_enum,
    }
}

fn is_binary(doc: &Value, schema: &Value) -> bool {
    let s = resolve(doc, schema);
    s.get("type").and_then(Value::as_str) == Some("string")
        && (s.get("format").and_then(Value::as_str) == Some("binary")
            || s.get("contentMediaType").and_then(Value::as_str).is_some())
}

fn fields(types: &mut Types<'_>, schema: &Value, camel: &str) -> Vec<Field> {
    let doc = types.doc;
    let schema = resolve(doc, schema).clone();
    let required: BTreeSet<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return Vec::new() };
    let mut out = Vec::new();
    for (wire, p) in properties {
        let p = resolve(doc, p);
        let hint = format!("{camel}{}", wire.to_upper_camel_case());
        // a reference with siblings (`allOf: [$ref]`) is what it refers to
        let shape = match p.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            Some([one]) => resolve(doc, one),
            _ => p,
        };
        let items = shape.get("items").filter(|_| shape.get("type").and_then(Value::as_str) == Some("array"));
        let (kind, ty) = if is_binary(doc, p) {
            (FieldKind::File, quote!(super::FilePart))
        } else if let Some(items) = items {
            if is_binary(doc, items) {
                (FieldKind::Files, quote!(::std::vec::Vec<super::FilePart>))
            } else {
                let kind = if types.is_object(items) { FieldKind::JsonEach } else { FieldKind::TextEach };
                (kind, types.rust(p, &hint))
            }
        } else {
            let kind = if types.is_object(p) { FieldKind::Json } else { FieldKind::Text };
            (kind, types.rust(p, &hint))
        };
        out.push(Field {
            ident: ident(wire),
            wire: wire.clone(),
            required: required.contains(wire.as_str()),
            kind,
            ty,
        });
    }
    out
}

// ---------------------------------------------------------------- security

#[derive(Clone, PartialEq, Eq)]
enum Scheme {
    Bearer,
    Basic,
    ApiKey { location: String, name: String },
    Unsupported,
}

struct Security {
    /// scheme name → what it is
    schemes: BTreeMap<String, Scheme>,
    /// OAuth2 schemes with a password flow: scheme name → tokenUrl
    password_flows: BTreeMap<String, String>,
}

fn read_security(doc: &Value) -> Security {
    let mut schemes = BTreeMap::new();
    let mut password_flows = BTreeMap::new();
    if let Some(all) = doc.pointer("/components/securitySchemes").and_then(Value::as_object) {
        for (name, s) in all {
            let s = resolve(doc, s);
            let scheme = match (s["type"].as_str(), s["scheme"].as_str().map(str::to_ascii_lowercase).as_deref()) {
                (Some("http"), Some("bearer")) | (Some("oauth2" | "openIdConnect"), _) => Scheme::Bearer,
                (Some("http"), Some("basic")) => Scheme::Basic,
                (Some("apiKey"), _) => Scheme::ApiKey {
                    location: s["in"].as_str().unwrap_or("header").to_string(),
                    name: s["name"].as_str().unwrap_or_default().to_string(),
                },
                _ => Scheme::Unsupported,
            };
            if let Some(url) = s.pointer("/flows/password/tokenUrl").and_then(Value::as_str) {
                password_flows.insert(name.clone(), url.to_string());
            }
            schemes.insert(name.clone(), scheme);
        }
    }
    Security { schemes, password_flows }
}

/// What the password-flow methods of scheme `name` end with: nothing when
/// the spec has one such flow, else `_<scheme>`.
fn password_suffix(security: &Security, name: &str) -> String {
    if security.password_flows.len() > 1 { format!("_{}", name.to_snake_case()) } else { String::new() }
}

/// The client's credential methods (`with_bearer`, `with_<api key
/// scheme>`, `password_token`, …), each with the security scheme it comes
/// from (the first, for one that several give): what `cargo xtask diff`
/// compares, since calling code names them.
pub(crate) fn credential_methods(doc: &Value) -> BTreeMap<String, String> {
    let security = read_security(doc);
    let mut out = BTreeMap::new();
    for (name, scheme) in &security.schemes {
        let methods = match scheme {
            Scheme::Bearer => vec!["bearer".to_string(), "with_bearer".to_string()],
            Scheme::Basic => vec!["basic".to_string(), "with_basic".to_string()],
            Scheme::ApiKey { .. } => {
                let m = scheme_method(name);
                vec!["api_key".to_string(), "with_api_key".to_string(), format!("with_{m}"), m]
            }
            Scheme::Unsupported => vec![],
        };
        for m in methods {
            out.entry(m).or_insert_with(|| name.clone());
        }
    }
    for name in security.password_flows.keys() {
        let suffix = password_suffix(&security, name);
        for m in [format!("password_token{suffix}"), format!("with_password_login{suffix}")] {
            out.entry(m).or_insert_with(|| name.clone());
        }
    }
    out
}

fn scheme_method(name: &str) -> String {
    let snake = name.to_snake_case();
    match snake.as_str() {
        "new" | "bearer" | "basic" | "api_key" | "apply" | "credentials" => format!("{snake}_scheme"),
        _ => snake,
    }
}

fn scheme_tokens(name: &str, scheme: &Scheme) -> TokenStream {
    match scheme {
        Scheme::Bearer => quote!(support::Scheme::Bearer),
        Scheme::Basic => quote!(support::Scheme::Basic),
        Scheme::ApiKey { location, name: key_name } => {
            let place = match location.as_str() {
                "query" => quote!(support::KeyIn::Query),
                "cookie" => quote!(support::KeyIn::Cookie),
                _ => quote!(support::KeyIn::Header),
            };
            quote!(support::Scheme::ApiKey(#name, #place, #key_name))
        }
        Scheme::Unsupported => quote!(support::Scheme::Unsupported),
    }
}

fn security_code(doc: &Value, spec: &Spec, security: &Security) -> TokenStream {
    let global = doc.get("security");
    let mut arms = Vec::new();
    for op in &spec.operations {
        let requirements = doc.pointer(&format!("{}/security", op.pointer)).or(global);
        let Some(requirements) = requirements.and_then(Value::as_array) else { continue };
        let alternatives: Vec<TokenStream> = requirements
            .iter()
            .filter_map(Value::as_object)
            .map(|r| {
                let schemes = r.keys().map(|name| {
                    security.schemes.get(name).map_or(quote!(support::Scheme::Unsupported), |s| scheme_tokens(name, s))
                });
                quote!(&[#(#schemes),*])
            })
            .collect();
        if alternatives.is_empty() {
            continue;
        }
        let id = &op.name;
        arms.push(quote!(#id => &[#(#alternatives),*],));
    }
    let schemes = &security.schemes;
    let bearer = schemes.values().any(|s| *s == Scheme::Bearer);
    let basic = schemes.values().any(|s| *s == Scheme::Basic);
    let api_keys: Vec<(&String, String)> = schemes
        .iter()
        .filter(|(_, s)| matches!(s, Scheme::ApiKey { .. }))
        .map(|(name, _)| (name, scheme_method(name)))
        .collect();
    let bearer_setters = bearer.then(|| {
        (
            quote! {
                /// The token of every bearer scheme (HTTP bearer, OAuth2, OpenID Connect).
                pub fn bearer(mut self, token: impl Into<::std::string::String>) -> Self {
                    self.bearer = Some(token.into());
                    self
                }
            },
            quote! {
                /// A clone of this client that sends `Authorization: Bearer <token>` where the spec asks for a bearer token.
                pub fn with_bearer(&self, token: impl Into<::std::string::String>) -> Self {
                    self.with_credentials(self.inner.clone().bearer(token))
                }
            },
        )
    });
    let basic_setters = basic.then(|| {
        (
            quote! {
                /// HTTP basic credentials.
                pub fn basic(mut self, username: impl Into<::std::string::String>, password: impl Into<::std::string::String>) -> Self {
                    self.basic = Some((username.into(), password.into()));
                    self
                }
            },
            quote! {
                /// A clone of this client that sends HTTP basic credentials where the spec asks for them.
                pub fn with_basic(&self, username: impl Into<::std::string::String>, password: impl Into<::std::string::String>) -> Self {
                    self.with_credentials(self.inner.clone().basic(username, password))
                }
            },
        )
    });
    let (mut cred_keys, mut client_keys) = (Vec::new(), Vec::new());
    if !api_keys.is_empty() {
        let names = api_keys.iter().map(|(n, _)| n.as_str());
        cred_keys.push(quote! {
            /// The key of every API-key scheme.
            pub fn api_key(mut self, key: impl Into<::std::string::String>) -> Self {
                let key = key.into();
                for scheme in [#(#names),*] {
                    self.api_keys.insert(scheme, key.clone());
                }
                self
            }
        });
        client_keys.push(quote! {
            /// A clone of this client that sends `key` for every API-key scheme.
            pub fn with_api_key(&self, key: impl Into<::std::string::String>) -> Self {
                self.with_credentials(self.inner.clone().api_key(key))
            }
        });
        for (name, method) in &api_keys {
            let m = format_ident!("{}", method);
            let with = format_ident!("with_{}", method);
            let Some(Scheme::ApiKey { location, name: key_name }) = schemes.get(*name) else { continue };
            let doc = format!("The key of the `{name}` scheme (`{key_name}` in the {location}).");
            cred_keys.push(quote! {
                #[doc = #doc]
                pub fn #m(mut self, key: impl Into<::std::string::String>) -> Self {
                    self.api_keys.insert(#name, key.into());
                    self
                }
            });
            let doc =
                format!("A clone of this client with the key of the `{name}` scheme (`{key_name}` in the {location}).");
            client_keys.push(quote! {
                #[doc = #doc]
                pub fn #with(&self, key: impl Into<::std::string::String>) -> Self {
                    self.with_credentials(self.inner.clone().#m(key))
                }
            });
        }
    }
    let flows = security.password_flows.iter().map(|(name, url)| {
        let suffix = password_suffix(security, name);
        let token = format_ident!("password_token{}", suffix);
        let login = format_ident!("with_password_login{}", suffix);
        let doc = format!(
            "OAuth2 password flow of `{name}`: posts `grant_type=password`, `username`, `password` and `scope` (if any), url-encoded, to `{url}` (relative to the base URL) and returns the token response."
        );
        quote! {
            #[doc = #doc]
            pub async fn #token(
                &self,
                username: &str,
                password: &str,
                scope: Option<&str>,
            ) -> Result<ResponseValue<OAuth2Token>, Error<::serde_json::Value>> {
                let url = support::token_url(&self.baseurl, #url);
                let mut form = vec![("grant_type", "password"), ("username", username), ("password", password)];
                if let Some(scope) = scope {
                    form.push(("scope", scope));
                }
                let request = self
                    .client
                    .post(url)
                    .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                    .form_urlencoded(&form)?
                    .build()?;
                let response = self.client.execute(request).await?;
                if response.status().is_success() {
                    ResponseValue::from_response(response).await
                } else if response.status().is_client_error() {
                    Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
                } else {
                    Err(Error::UnexpectedResponse(response))
                }
            }

            /// A clone of this client with the bearer token that the password flow gives for `username` and `password`.
            pub async fn #login(&self, username: &str, password: &str) -> Result<Self, Error<::serde_json::Value>> {
                let token = self.#token(username, password, None).await?.into_inner();
                Ok(self.with_bearer(token.access_token))
            }
        }
    });
    let flows: Vec<TokenStream> = flows.collect();
    let token_type = (!flows.is_empty()).then(|| {
        quote! {
            /// An OAuth2 token response (RFC 6749, 5.1).
            #[derive(Clone, Debug, ::serde::Deserialize, ::serde::Serialize)]
            pub struct OAuth2Token {
                pub access_token: ::std::string::String,
                pub token_type: ::std::string::String,
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub expires_in: Option<u64>,
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub refresh_token: Option<::std::string::String>,
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub scope: Option<::std::string::String>,
            }
        }
    });
    let (cred_bearer, client_bearer) = bearer_setters.unzip();
    let (cred_basic, client_basic) = basic_setters.unzip();
    quote! {
        /// Credentials for the spec's security schemes; set them on a client
        /// with `Client::with_credentials` (or `with_bearer`, `with_basic`,
        /// `with_api_key`, …), which return a cheap clone, so they serve per
        /// client and per request alike. Each request gets the credentials
        /// its operation's `security` asks for.
        #[derive(Clone, Default)]
        pub struct Credentials {
            bearer: Option<::std::string::String>,
            basic: Option<(::std::string::String, ::std::string::String)>,
            api_keys: ::std::collections::BTreeMap<&'static str, ::std::string::String>,
        }

        impl ::std::fmt::Debug for Credentials {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Credentials")
                    .field("bearer", &self.bearer.as_ref().map(|_| "…"))
                    .field("basic", &self.basic.as_ref().map(|(user, _)| user))
                    .field("api_keys", &self.api_keys.keys().collect::<::std::vec::Vec<_>>())
                    .finish()
            }
        }

        impl Credentials {
            /// No credentials.
            pub fn new() -> Self {
                Self::default()
            }
            #cred_bearer
            #cred_basic
            #(#cred_keys)*

            fn has(&self, scheme: &support::Scheme) -> bool {
                match scheme {
                    support::Scheme::Bearer => self.bearer.is_some(),
                    support::Scheme::Basic => self.basic.is_some(),
                    support::Scheme::ApiKey(name, _, _) => self.api_keys.contains_key(name),
                    support::Scheme::Unsupported => false,
                }
            }

            /// Applies the first alternative of `requirements` whose schemes all have credentials.
            fn apply(&self, requirements: &[&[support::Scheme]], request: &mut ::reqwest::Request) -> Result<(), ::std::string::String> {
                let Some(chosen) = requirements.iter().find(|r| !r.is_empty() && r.iter().all(|s| self.has(s))) else {
                    return Ok(());
                };
                for scheme in chosen.iter() {
                    match scheme {
                        support::Scheme::Bearer => {
                            let token = self.bearer.as_deref().unwrap_or_default();
                            support::set_authorization(request, &format!("Bearer {token}"))?;
                        }
                        support::Scheme::Basic => {
                            let (user, password) = self.basic.clone().unwrap_or_default();
                            let encoded = support::base64(format!("{user}:{password}").as_bytes());
                            support::set_authorization(request, &format!("Basic {encoded}"))?;
                        }
                        support::Scheme::ApiKey(name, place, key_name) => {
                            let key = self.api_keys.get(name).map(::std::string::String::as_str).unwrap_or_default();
                            match place {
                                support::KeyIn::Header => {
                                    let header = ::reqwest::header::HeaderName::from_bytes(key_name.as_bytes()).map_err(|e| e.to_string())?;
                                    let mut value = ::reqwest::header::HeaderValue::from_str(key).map_err(|e| e.to_string())?;
                                    value.set_sensitive(true);
                                    request.headers_mut().insert(header, value);
                                }
                                support::KeyIn::Query => {
                                    request.url_mut().query_pairs_mut().append_pair(key_name, key);
                                }
                                support::KeyIn::Cookie => {
                                    support::add_cookie(request.headers_mut(), key_name, key)?;
                                }
                            }
                        }
                        support::Scheme::Unsupported => {}
                    }
                }
                Ok(())
            }
        }

        #token_type

        impl Client {
            /// The credentials this client sends.
            pub fn credentials(&self) -> &Credentials {
                &self.inner
            }

            /// A clone of this client (sharing its connection pool) that sends `credentials`.
            pub fn with_credentials(&self, credentials: Credentials) -> Self {
                Self { baseurl: self.baseurl.clone(), client: self.client.clone(), inner: credentials }
            }
            #client_bearer
            #client_basic
            #(#client_keys)*
            #(#flows)*
        }

        impl ClientHooks<Credentials> for Client {
            async fn pre<E>(&self, request: &mut ::reqwest::Request, info: &OperationInfo) -> Result<(), Error<E>> {
                self.inner.apply(support::security(info.operation_id), request).map_err(Error::InvalidRequest)
            }
        }

        mod security_table {
            use super::support;
            /// The security requirements of each operation, by its Rust name.
            pub(crate) fn security(operation_id: &str) -> &'static [&'static [support::Scheme]] {
                match operation_id {
                    #(#arms)*
                    _ => &[],
                }
            }
        }
    }
}

const SUPPORT_AUTH: &str = r#"
    #[derive(Clone, Copy, Debug)]
    pub(crate) enum KeyIn { Header, Query, Cookie }

    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Scheme {
        Bearer,
        Basic,
        /// scheme name, where, the key's name
        ApiKey(&'static str, KeyIn, &'static str),
        Unsupported,
    }

    pub(crate) use super::security_table::security;

    pub(crate) fn set_authorization(request: &mut ::reqwest::Request, value: &str) -> Result<(), ::std::string::String> {
        let mut value = ::reqwest::header::HeaderValue::from_str(value).map_err(|e| e.to_string())?;
        value.set_sensitive(true);
        request.headers_mut().insert(::reqwest::header::AUTHORIZATION, value);
        Ok(())
    }

    pub(crate) fn base64(input: &[u8]) -> ::std::string::String {
        const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = ::std::string::String::with_capacity(input.len().div_ceil(3) * 4);
        for chunk in input.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// `token_url` relative to the base URL, unless it is absolute.
    pub(crate) fn token_url(baseurl: &str, token_url: &str) -> ::std::string::String {
        if token_url.contains("://") {
            token_url.to_string()
        } else {
            format!("{}/{}", baseurl.trim_end_matches('/'), token_url.trim_start_matches('/'))
        }
    }
"#;

const SUPPORT_COOKIE: &str = r#"
    /// Adds `name=value` to the request's one `Cookie` header.
    pub(crate) fn add_cookie(headers: &mut ::reqwest::header::HeaderMap, name: &str, value: &str) -> Result<(), ::std::string::String> {
        let pair = format!("{name}={value}");
        let joined = match headers.get(::reqwest::header::COOKIE).and_then(|v| v.to_str().ok()) {
            Some(existing) if !existing.is_empty() => format!("{existing}; {pair}"),
            _ => pair,
        };
        let value = ::reqwest::header::HeaderValue::from_str(&joined).map_err(|e| e.to_string())?;
        headers.insert(::reqwest::header::COOKIE, value);
        Ok(())
    }
"#;

const FILE_PART: &str = r#"
/// A file of a multipart body: bytes or a stream, with a file name and a
/// content type (`application/octet-stream` unless set; the file name is the
/// field's name unless set, since a part without one is not a file to most
/// servers).
#[derive(Debug)]
pub struct FilePart {
    body: FileBody,
    file_name: Option<::std::string::String>,
    content_type: Option<::std::string::String>,
}

#[derive(Debug)]
enum FileBody {
    Bytes(::std::vec::Vec<u8>),
    Stream(::reqwest::Body),
}

impl FilePart {
    /// A file from bytes in memory.
    pub fn bytes(data: impl Into<::std::vec::Vec<u8>>) -> Self {
        Self { body: FileBody::Bytes(data.into()), file_name: None, content_type: None }
    }

    /// A file streamed from a `reqwest::Body` (e.g. `reqwest::Body::wrap_stream(stream)`).
    pub fn stream(body: impl Into<::reqwest::Body>) -> Self {
        Self { body: FileBody::Stream(body.into()), file_name: None, content_type: None }
    }

    /// The part's file name.
    pub fn file_name(mut self, file_name: impl Into<::std::string::String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The part's content type (a MIME type).
    pub fn content_type(mut self, content_type: impl Into<::std::string::String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    pub(crate) fn into_part(self, field: &str) -> Result<::reqwest::multipart::Part, ::std::string::String> {
        let part = match self.body {
            FileBody::Bytes(bytes) => ::reqwest::multipart::Part::bytes(bytes),
            FileBody::Stream(body) => ::reqwest::multipart::Part::stream(body),
        };
        let part = part.file_name(self.file_name.unwrap_or_else(|| field.to_string()));
        part.mime_str(self.content_type.as_deref().unwrap_or("application/octet-stream"))
            .map_err(|e| format!("content type of `{field}`: {e}"))
    }
}
"#;

/// Adjusts progenitor's input (hoists schemas, removes the operations taken
/// here) and returns the code for them and for authentication.
pub fn prepare(doc: &mut Value, spec: &Spec) -> Plan {
    let security = read_security(doc);
    let taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|s| s.keys().map(|k| typify_name(k)))
        .collect();
    let mut types = Types { doc: &*doc, taken, hoisted: BTreeMap::new() };
    let mut custom = Vec::new();
    for op in &spec.operations {
        let Some(o) = doc.pointer(&op.pointer) else { continue };
        let params = crate::spec::parameters(doc, &op.pointer);
        if is_custom(doc, o, &params) {
            custom.push(analyse(&mut types, op, o));
        }
    }
    let hoisted = std::mem::take(&mut types.hoisted);
    let auth = (!security.schemes.is_empty()).then(|| security_code(doc, spec, &security));
    // progenitor's input: without these operations, with the hoisted schemas
    let handled = spec.operations.iter().filter(|op| custom.iter().any(|c| c.name == op.name));
    crate::contain::remove_operations(doc, handled.map(|op| op.pointer.as_str()));
    if !hoisted.is_empty()
        && let Some(schemas) = doc
            .as_object_mut()
            .map(|d| d.entry("components").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
            .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
    {
        schemas.extend(hoisted);
    }
    emit(&custom, auth)
}

fn emit(custom: &[CustomOp], auth: Option<TokenStream>) -> Plan {
    let credentials = auth.is_some();
    let uses_files = custom.iter().any(|c| {
        matches!(&c.body, Some((Body::Multipart(f), _)) if f.iter().any(|f| matches!(f.kind, FieldKind::File | FieldKind::Files)))
    });
    let uses_cookies = credentials || custom.iter().any(|c| c.params.iter().any(|p| p.place == In::Cookie));
    let mut support = String::new();
    if credentials {
        support.push_str(SUPPORT_AUTH);
    }
    if uses_cookies {
        support.push_str(SUPPORT_COOKIE);
    }
    let support: TokenStream = if support.is_empty() {
        TokenStream::new()
    } else {
        let inner: TokenStream = support.parse().expect("support code parses");
        quote! {
            /// Support code of the generated client.
            #[allow(dead_code)]
            mod support {
                #inner
            }
        }
    };
    let file_part: TokenStream =
        if uses_files { FILE_PART.parse().expect("FilePart parses") } else { TokenStream::new() };
    let enums: Vec<TokenStream> = custom.iter().filter_map(response_enum).collect();
    let methods = custom.iter().map(|c| {
        let m = format_ident!("{}", c.name);
        let s = format_ident!("{}", c.name.to_upper_camel_case());
        let doc = format!("{}\n\nSends a `{}` request to `{}`", c.doc, c.method.to_uppercase(), c.path);
        quote! {
            #[doc = #doc]
            pub fn #m(&self) -> builder::#s<'_> {
                builder::#s::new(self)
            }
        }
    });
    let builders = custom.iter().map(builder);
    let ops = (!custom.is_empty()).then(|| {
        quote! {
            impl Client {
                #(#methods)*
            }

            /// Builders of the operations that the generator (not progenitor) takes; merged into progenitor's.
            pub mod builder {
                #(#builders)*
            }
        }
    });
    Plan {
        types: quote!(#(#enums)*),
        rest: quote! {
            #file_part
            #auth
            #support
            #ops
        },
        credentials,
    }
}

fn response_enum(c: &CustomOp) -> Option<TokenStream> {
    let name = c.response_enum.as_ref()?;
    let variants = c.successes.iter().map(|s| {
        let v = &s.variant;
        let doc = format!("{} {}", s.code, s.variant);
        match &s.payload {
            Payload::Empty => quote!(#[doc = #doc] #v),
            Payload::Stream => quote!(#[doc = #doc] #v(::progenitor_client::ByteStream)),
            p => {
                let ty = p.ty();
                let ty = in_types_module(ty);
                quote!(#[doc = #doc] #v(#ty))
            }
        }
    });
    let debug_arms = c.successes.iter().map(|s| {
        let v = &s.variant;
        let text = v.to_string();
        match &s.payload {
            Payload::Empty => quote!(Self::#v => f.write_str(#text),),
            Payload::Stream => {
                let text = format!("{v}(ByteStream)");
                quote!(Self::#v(_) => f.write_str(#text),)
            }
            _ => quote!(Self::#v(value) => f.debug_tuple(#text).field(value).finish(),),
        }
    });
    let doc = format!("The success responses of `{}`, one variant per status.", c.name);
    Some(quote! {
        #[doc = #doc]
        pub enum #name {
            #(#variants),*
        }

        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#debug_arms)*
                }
            }
        }
    })
}

/// `types::X` as seen from inside the `types` module.
fn in_types_module(ty: TokenStream) -> TokenStream {
    let text = ty.to_string().replace("types ::", "super :: types ::");
    text.parse().unwrap_or(ty)
}

fn builder(c: &CustomOp) -> TokenStream {
    let name = format_ident!("{}", c.name.to_upper_camel_case());
    let mut fields = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut idents = Vec::new();
    let mut push = |ident: &Ident, ty: &TokenStream, required: bool, list: bool| {
        let ty_text = ty.to_string();
        let msg_missing = format!("{ident} was not initialized");
        let msg_conv = format!("conversion to `{ty_text}` for {ident} failed");
        idents.push(ident.clone());
        if list {
            // files: several FileParts
            fields.push(quote!(#ident: Result<#ty, String>));
            if required {
                inits.push(quote!(#ident: Err(#msg_missing.to_string())));
            } else {
                inits.push(quote!(#ident: Ok(::std::vec::Vec::new())));
            }
            setters.push(quote! {
                pub fn #ident(mut self, files: impl IntoIterator<Item = super::FilePart>) -> Self {
                    self.#ident = Ok(files.into_iter().collect());
                    self
                }
            });
        } else if required {
            fields.push(quote!(#ident: Result<#ty, String>));
            inits.push(quote!(#ident: Err(#msg_missing.to_string())));
            setters.push(quote! {
                pub fn #ident<V>(mut self, value: V) -> Self
                where
                    V: std::convert::TryInto<#ty>,
                {
                    self.#ident = value.try_into().map_err(|_| #msg_conv.to_string());
                    self
                }
            });
        } else {
            fields.push(quote!(#ident: Result<Option<#ty>, String>));
            inits.push(quote!(#ident: Ok(None)));
            setters.push(quote! {
                pub fn #ident<V>(mut self, value: V) -> Self
                where
                    V: std::convert::TryInto<#ty>,
                {
                    self.#ident = value.try_into().map(Some).map_err(|_| #msg_conv.to_string());
                    self
                }
            });
        }
    };
    for p in &c.params {
        push(&p.ident, &p.ty, p.required, false);
    }
    let mut body_code = quote!();
    match &c.body {
        None => {}
        Some((Body::Json(ty), required)) | Some((Body::Form(ty), required)) => {
            let body = format_ident!("body");
            push(&body, ty, *required, false);
            let form = matches!(c.body, Some((Body::Form(_), _)));
            let send = if form { quote!(builder.form_urlencoded(&body)?) } else { quote!(builder.json(&body)) };
            body_code = if *required {
                quote!(let builder = #send;)
            } else {
                quote!(let builder = match body { Some(body) => #send, None => builder };)
            };
        }
        Some((Body::Text(media), required)) | Some((Body::Binary(media), required)) => {
            let body = format_ident!("body");
            let ty = if matches!(c.body, Some((Body::Text(_), _))) {
                quote!(::std::string::String)
            } else {
                quote!(::std::vec::Vec<u8>)
            };
            push(&body, &ty, *required, false);
            let send = quote! {
                builder
                    .header(::reqwest::header::CONTENT_TYPE, ::reqwest::header::HeaderValue::from_static(#media))
                    .body(body)
            };
            body_code = if *required {
                quote!(let builder = #send;)
            } else {
                quote!(let builder = match body { Some(body) => #send, None => builder };)
            };
        }
        Some((Body::Multipart(form_fields), _)) => {
            let mut parts = Vec::new();
            for f in form_fields {
                let list = f.kind == FieldKind::Files;
                push(&f.ident, &f.ty, f.required, list);
                let ident = &f.ident;
                let wire = &f.wire;
                let add = match f.kind {
                    FieldKind::File => {
                        quote!(form = form.part(#wire, value.into_part(#wire).map_err(Error::InvalidRequest)?);)
                    }
                    FieldKind::Files => quote! {
                        for file in value {
                            form = form.part(#wire, file.into_part(#wire).map_err(Error::InvalidRequest)?);
                        }
                    },
                    FieldKind::Text => quote!(form = form.text(#wire, value.to_string());),
                    FieldKind::Json => quote! {
                        form = form.text(#wire, ::serde_json::to_string(&value).map_err(|e| Error::InvalidRequest(e.to_string()))?);
                    },
                    FieldKind::TextEach => quote! {
                        for v in value.iter() {
                            form = form.text(#wire, v.to_string());
                        }
                    },
                    FieldKind::JsonEach => quote! {
                        for v in value.iter() {
                            form = form.text(#wire, ::serde_json::to_string(&v).map_err(|e| Error::InvalidRequest(e.to_string()))?);
                        }
                    },
                };
                if f.required || list {
                    parts.push(quote!({ let value = #ident; #add }));
                } else {
                    parts.push(quote!(if let Some(value) = #ident { #add }));
                }
            }
            body_code = quote! {
                let mut form = ::reqwest::multipart::Form::new();
                #(#parts)*
                let builder = builder.multipart(form);
            };
        }
    }
    // url
    let mut fmt = String::from("{}");
    let mut args = vec![quote!(client.baseurl)];
    let mut rest = c.path.as_str();
    while let Some(open) = rest.find('{') {
        fmt.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        let close = rest[open..].find('}').map_or(rest.len(), |i| open + i);
        let wire = &rest[open + 1..close];
        let ident = c.params.iter().find(|p| p.place == In::Path && p.wire == wire).map(|p| p.ident.clone());
        fmt.push_str("{}");
        match ident {
            Some(i) => args.push(quote!(encode_path(&#i.to_string()))),
            None => args.push(quote!(#wire)),
        }
        rest = &rest[(close + 1).min(rest.len())..];
    }
    fmt.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    let headers = c.params.iter().filter(|p| p.place == In::Header).map(|p| {
        let (wire, ident) = (p.wire.to_lowercase(), &p.ident);
        if p.required {
            quote!(header_map.append(#wire, #ident.to_string().try_into()?);)
        } else {
            quote!(if let Some(value) = #ident { header_map.append(#wire, value.to_string().try_into()?); })
        }
    });
    let cookies = c.params.iter().filter(|p| p.place == In::Cookie).map(|p| {
        let (wire, ident) = (&p.wire, &p.ident);
        if p.required {
            quote!(super::support::add_cookie(&mut header_map, #wire, &#ident.to_string()).map_err(Error::InvalidRequest)?;)
        } else {
            quote!(if let Some(value) = #ident { super::support::add_cookie(&mut header_map, #wire, &value.to_string()).map_err(Error::InvalidRequest)?; })
        }
    });
    let queries = c.params.iter().filter(|p| p.place == In::Query).map(|p| {
        let (wire, ident) = (&p.wire, &p.ident);
        quote!(.query(&progenitor_client::QueryParam::new(#wire, &#ident)))
    });
    let method = format_ident!("{}", c.method);
    let accept = (!c.accept.is_empty()).then(|| {
        let accept = c.accept.join(", ");
        quote!(.header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static(#accept)))
    });
    let operation_id = &c.operation_id;
    let error_ty = &c.error_ty;
    let (ok_ty, arms) = match &c.response_enum {
        None => {
            let s = &c.successes[0];
            let code = s.code;
            let decode = match &s.payload {
                Payload::Json(_) => quote!(ResponseValue::from_response(response).await),
                Payload::Text => quote! {{
                    let status = response.status();
                    let headers = response.headers().clone();
                    let text = response.text().await.map_err(Error::ResponseBodyError)?;
                    Ok(ResponseValue::new(text, status, headers))
                }},
                Payload::Stream => quote!(Ok(ResponseValue::stream(response))),
                Payload::Empty => quote!(Ok(ResponseValue::empty(response))),
            };
            (s.payload.ty(), vec![quote!(#code => #decode,)])
        }
        Some(e) => {
            let arms = c
                .successes
                .iter()
                .map(|s| {
                    let code = s.code;
                    let v = &s.variant;
                    let value = match &s.payload {
                        Payload::Json(ty) => {
                            quote!(types::#e::#v(ResponseValue::<#ty>::from_response(response).await?.into_inner()))
                        }
                        Payload::Text => {
                            quote!(types::#e::#v(response.text().await.map_err(Error::ResponseBodyError)?))
                        }
                        Payload::Stream => quote!(types::#e::#v(ResponseValue::stream(response).into_inner())),
                        Payload::Empty => quote!(types::#e::#v),
                    };
                    quote! {
                        #code => {
                            let status = response.status();
                            let headers = response.headers().clone();
                            Ok(ResponseValue::new(#value, status, headers))
                        }
                    }
                })
                .collect();
            (quote!(types::#e), arms)
        }
    };
    let error_arms = c.errors.iter().map(|code| {
        if error_ty.to_string() == "()" {
            quote!(#code => Err(Error::ErrorResponse(ResponseValue::empty(response))),)
        } else {
            quote!(#code => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),)
        }
    });
    // the request's URL, named apart from a parameter called `url`
    let url = if idents.iter().any(|i| i == "url") { format_ident!("__url") } else { format_ident!("url") };
    let send_doc = format!("Sends a `{}` request to `{}`", c.method.to_uppercase(), c.path);
    let unpack = idents.iter().map(|i| quote!(let #i = #i.map_err(Error::InvalidRequest)?;));
    let n_headers = c.params.iter().filter(|p| p.place == In::Header).count() + 2;
    quote! {
        #[derive(Debug)]
        pub struct #name<'a> {
            client: &'a super::Client,
            #(#fields,)*
        }

        impl<'a> #name<'a> {
            pub fn new(client: &'a super::Client) -> Self {
                Self {
                    client,
                    #(#inits,)*
                }
            }

            #(#setters)*

            #[doc = #send_doc]
            pub async fn send(self) -> Result<ResponseValue<#ok_ty>, Error<#error_ty>> {
                let Self { client, #(#idents),* } = self;
                #(#unpack)*
                let #url = format!(#fmt, #(#args),*);
                #[allow(unused_mut)]
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(#n_headers);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                #(#headers)*
                #(#cookies)*
                let builder = client
                    .client
                    .#method(#url)
                    #accept
                    .headers(header_map)
                    #(#queries)*;
                #body_code
                #[allow(unused_mut)]
                let mut request = builder.build()?;
                let info = OperationInfo { operation_id: #operation_id };
                client.pre(&mut request, &info).await?;
                let result = client.exec(request, &info).await;
                client.post(&result, &info).await?;
                let response = result?;
                match response.status().as_u16() {
                    #(#arms)*
                    #(#error_arms)*
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_typify() {
        assert_eq!(typify_name("Body_upload_file_files_post"), "BodyUploadFileFilesPost");
        assert_eq!(typify_name("Item-Input"), "ItemInput");
        assert_eq!(typify_name("HTTPValidationError"), "HttpValidationError");
        assert_eq!(reason(204), "NoContent");
        assert_eq!(reason(299), "Status299");
    }

    #[test]
    fn which_operations_progenitor_cannot_take() {
        let doc = json!({});
        let ok = |code: &str, content: Value| json!({"responses": {code: {"description": "", "content": content}}});
        let json_only = ok("200", json!({"application/json": {"schema": {"type": "object"}}}));
        assert!(!is_custom(&doc, &json_only, &[]));
        let events = ok("200", json!({"text/event-stream": {"schema": {"type": "string"}}}));
        assert!(!is_custom(&doc, &events, &[]), "an event stream stays progenitor's ByteStream");
        let html = ok("200", json!({"text/html": {"schema": {"type": "string"}}}));
        assert!(is_custom(&doc, &html, &[]));
        let two = json!({"responses": {"200": {"description": ""}, "204": {"description": ""}}});
        assert!(is_custom(&doc, &two, &[]));
        let multipart = json!({"requestBody": {"content": {"multipart/form-data": {"schema": {}}}}, "responses": {}});
        assert!(is_custom(&doc, &multipart, &[]));
        let cookie = json!({"name": "s", "in": "cookie"});
        assert!(is_custom(&doc, &json_only, &[("/p".to_string(), &cookie)]));
    }

    #[test]
    fn inline_schemas_are_hoisted_scalars_are_not() {
        let doc = json!({"components": {"schemas": {"Theme": {"type": "string", "enum": ["a"]}}}});
        let mut types = Types { doc: &doc, taken: BTreeSet::from(["OpMode".to_string()]), hoisted: BTreeMap::new() };
        let text = |t: TokenStream| t.to_string().replace(' ', "");
        assert_eq!(text(types.rust(&json!({"type": "string", "minLength": 1}), "OpName")), "::std::string::String");
        assert_eq!(
            text(types.rust(&json!({"allOf": [{"$ref": "#/components/schemas/Theme"}]}), "OpT")),
            "types::Theme"
        );
        assert_eq!(text(types.rust(&json!({"type": "string", "enum": ["x", "y"]}), "OpMode")), "types::OpMode2");
        assert_eq!(types.hoisted.keys().collect::<Vec<_>>(), ["OpMode2"]);
    }
}
