//! `client/src/generated.rs`: the progenitor client.
//!
//! progenitor reads the lowered 3.0.3 document after three adjustments that
//! only concern it (the spec itself, and the server, keep the original):
//!
//! - **Names.** Each operationId is replaced by its Rust name
//!   ([`crate::names`]), since progenitor names methods after operationIds.
//! - **One error type per operation.** progenitor asserts that all error
//!   responses of an operation share one body type. FastAPI's don't: 401 and
//!   404 carry `{"detail": "..."}`, 422 carries `HTTPValidationError`. Where
//!   they differ, the error responses are pointed at a synthesised component
//!   whose `oneOf` lists every body (named after its members, e.g.
//!   `HTTPErrorDetailOrHTTPValidationError`), so typify makes an untagged enum
//!   and every documented status comes back typed instead of as
//!   `UnexpectedResponse`.
//! - **Titles of inline bodies** are dropped, as for the server
//!   ([`crate::spec::drop_inline_body_titles`]), so that types are named
//!   after the operation (`BulkUpdateSaasAssociationStatusResponse`), not
//!   after FastAPI's route-derived titles.
//!
//! After progenitor, two changes to its output: in request bodies, an
//! optional nullable property without a default becomes `Option<Option<T>>`
//! ([`absent_or_null`]), so that "left out" and "sent as null" stay apart;
//! and the types that responses decode into read what a newer service says
//! (an enum value into a catch-all variant, unknown properties ignored:
//! [`crate::forward_compat`]).
//!
//! The token stream is formatted with prettyplease (pinned through
//! `Cargo.lock`) so that the output is byte for byte reproducible.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use serde_json::{Value, json};

use crate::diag::{Problem, ProblemKind as Kind};
use crate::spec::{Spec, parse_openapi};

/// The generated client module, formatted, with its header; or the problem
/// (its file left for the caller to name) that prevents it.
pub fn generate(spec: &Spec) -> Result<String, Problem> {
    let mut types = TypesPart::default();
    let rest = generate_split(spec, |part| types = part)?;
    Ok(assemble(spec, &format_types(spec, &types)?, &rest))
}

/// What [`generate_split`] hands over for [`format_types`]: the items up to
/// and including the `types` module, as source text, and the names that the
/// operations' responses decode into ([`crate::forward_compat`]).
#[derive(Debug, Default)]
pub struct TypesPart {
    pub source: String,
    pub response_roots: BTreeSet<String>,
}

/// Runs progenitor and formats its output after the `types` module (the
/// `Client`, its operation builders). The items up to and including the
/// `types` module, which holds most of the types, are handed to `types` as
/// source text as soon as they are known (with the response types that the
/// builders name), for [`format_types`] to format, on another thread if the
/// caller wants: syn's values cannot cross threads, text can. [`assemble`]
/// joins the two.
///
/// Formatting the two parts apart gives the same text as formatting them
/// together: prettyplease ends every top-level item with its own line break
/// and keeps nothing from one item to the next (a test below compares the
/// two; the golden and drift tests compare the joined file with the
/// committed one).
pub fn generate_split(spec: &Spec, types: impl FnOnce(TypesPart)) -> Result<String, Problem> {
    let (tokens, plan) = progenitor_tokens(spec)?;
    let (head, after) = split_after_types(tokens);
    // what client_ops adds to `types` goes in a second `mod types`, which
    // format_types merges into progenitor's
    let extra = plan.types;
    let source =
        if extra.is_empty() { head.to_string() } else { quote::quote!(#head mod types { #extra }).to_string() };
    let mut rest = after;
    rest.extend(plan.rest);
    if rest.is_empty() {
        types(TypesPart { source, response_roots: BTreeSet::new() });
        return Ok(String::new());
    }
    let parsed = crate::parse_tokens(rest);
    let response_roots = parsed.as_ref().map(crate::forward_compat::response_roots).unwrap_or_default();
    types(TypesPart { source, response_roots });
    let mut file = parsed?;
    merge_modules(&mut file.items, "builder");
    credentials_default(&mut file.items);
    mark_deprecated(&mut file.items, spec);
    syn::visit_mut::visit_file_mut(&mut MethodsReqwestLacks, &mut file);
    Ok(prettyplease::unparse(&file))
}

/// progenitor (0.15) sends an operation with the `reqwest::Client` method
/// of its HTTP method's name, and reqwest has none for OPTIONS and TRACE
/// (the test `progenitor_still_calls_a_method_reqwest_lacks` shows when this
/// can go): `client.options(url)` becomes
/// `client.request(::reqwest::Method::OPTIONS, url)`.
struct MethodsReqwestLacks;

impl syn::visit_mut::VisitMut for MethodsReqwestLacks {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        syn::visit_mut::visit_expr_method_call_mut(self, call);
        let constant = match call.method.to_string().as_str() {
            "options" => quote::format_ident!("OPTIONS"),
            "trace" => quote::format_ident!("TRACE"),
            _ => return,
        };
        let on_client = matches!(&*call.receiver, syn::Expr::Field(f) if matches!(&f.member, syn::Member::Named(m) if m == "client"));
        if on_client && call.args.len() == 1 {
            let url = call.args.first().cloned();
            call.method = quote::format_ident!("request");
            call.args = syn::parse_quote!(::reqwest::Method::#constant, #url);
        }
    }
}

/// `#[deprecated]` on the `Client` method of every operation the spec marks
/// `deprecated` (FastAPI's `deprecated=True`), so that calling code hears of
/// it from the compiler.
fn mark_deprecated(items: &mut [syn::Item], spec: &Spec) {
    let deprecated: BTreeSet<&str> = spec
        .operations
        .iter()
        .filter(|op| spec.lowered.pointer(&format!("{}/deprecated", op.pointer)) == Some(&Value::Bool(true)))
        .map(|op| op.name.as_str())
        .collect();
    if deprecated.is_empty() {
        return;
    }
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        let is_client = matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if imp.trait_.is_some() || !is_client {
            continue;
        }
        for member in &mut imp.items {
            if let syn::ImplItem::Fn(f) = member
                && deprecated.contains(f.sig.ident.to_string().as_str())
            {
                f.attrs.push(syn::parse_quote!(#[deprecated(note = "the service marks this operation deprecated")]));
            }
        }
    }
}

/// Formats what [`generate_split`] handed over: the `types` module, with
/// optional fields of request bodies that may be null made
/// [`absent_or_null`], and response types made lenient
/// ([`crate::forward_compat`]).
pub fn format_types(spec: &Spec, part: &TypesPart) -> Result<String, Problem> {
    let mut file = syn::parse_file(&part.source).map_err(|e| crate::unparsable_output(&e))?;
    let first = file.items.iter().position(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"));
    let extra: Vec<syn::Item> = match first {
        Some(first) => {
            let later: Vec<usize> = (first + 1..file.items.len())
                .filter(|&i| matches!(&file.items[i], syn::Item::Mod(m) if m.ident == "types"))
                .collect();
            later
                .into_iter()
                .rev()
                .filter_map(|i| match file.items.remove(i) {
                    syn::Item::Mod(m) => m.content.map(|(_, items)| items),
                    _ => None,
                })
                .flatten()
                .collect()
        }
        None => Vec::new(),
    };
    absent_or_null::apply(&mut file, &absent_or_null::fields(spec));
    if let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) {
        types.extend(extra);
        crate::forward_compat::apply(types, &part.response_roots, &strict_enums(spec));
    }
    Ok(prettyplease::unparse(&file))
}

/// The Rust names of the enums that `[client] strict-enums` keeps exact
/// (typify names a component after its key, in upper camel case).
fn strict_enums(spec: &Spec) -> BTreeSet<String> {
    spec.config.client.strict_enums.iter().map(|name| name.to_upper_camel_case()).collect()
}

/// progenitor's output, unformatted, and what [`crate::client_ops`] adds.
fn progenitor_tokens(spec: &Spec) -> Result<(proc_macro2::TokenStream, crate::client_ops::Plan), Problem> {
    let (doc, plan) = prepared_input(spec);
    let openapi = parse_openapi(&doc)?;
    let mut settings = GenerationSettings::new();
    settings.with_interface(InterfaceStyle::Builder).with_tag(TagStyle::Merged);
    if plan.credentials {
        settings.with_inner_type(quote::quote!(Credentials));
    }
    let mut generator = Generator::new(&settings);
    crate::quietly(|| generator.generate_tokens(&openapi))
        .map_err(|panic| {
            Problem::new(Kind::GeneratorBug, "", format!("progenitor cannot generate the client yet ({panic})"))
        })?
        .map_err(|e| Problem::new(Kind::ClientGenerator, "", format!("progenitor could not generate the client: {e}")))
        .map(|tokens| (tokens, plan))
}

/// Moves the items of every later top-level `mod name { .. }` into the first
/// one: [`crate::client_ops`] emits its builders in a `mod builder` of its
/// own, which becomes part of progenitor's (whose `use` items they rely on).
fn merge_modules(items: &mut Vec<syn::Item>, name: &str) {
    let is_it = |item: &syn::Item| matches!(item, syn::Item::Mod(m) if m.ident == name && m.content.is_some());
    let Some(first) = items.iter().position(is_it) else { return };
    let mut moved = Vec::new();
    let mut i = first + 1;
    while i < items.len() {
        if is_it(&items[i]) {
            if let syn::Item::Mod(m) = items.remove(i) {
                moved.extend(m.content.map(|(_, items)| items).unwrap_or_default());
            }
        } else {
            i += 1;
        }
    }
    if let syn::Item::Mod(m) = &mut items[first]
        && let Some((_, content)) = &mut m.content
    {
        content.extend(moved);
    }
}

/// With an inner type (the `Credentials` of [`crate::client_ops`]),
/// progenitor's `Client::new` and `new_with_client` take it as a last
/// argument; they keep their usual signatures instead, and start with empty
/// credentials (`Client::with_credentials` sets them).
fn credentials_default(items: &mut [syn::Item]) {
    use syn::visit_mut::VisitMut;
    struct DropInnerArgument;
    impl VisitMut for DropInnerArgument {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            if let syn::Expr::Path(p) = &*call.func
                && p.path.segments.last().is_some_and(|s| s.ident == "new_with_client")
            {
                let kept: Vec<syn::Expr> = call
                    .args
                    .iter()
                    .filter(|a| !matches!(a, syn::Expr::Path(p) if p.path.is_ident("inner")))
                    .cloned()
                    .collect();
                call.args = kept.into_iter().collect();
            }
            syn::visit_mut::visit_expr_call_mut(self, call);
        }
    }
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client")) {
            continue;
        }
        for member in &mut imp.items {
            let syn::ImplItem::Fn(f) = member else { continue };
            if f.sig.ident != "new" && f.sig.ident != "new_with_client" {
                continue;
            }
            let before = f.sig.inputs.len();
            let inputs: Vec<syn::FnArg> = f
                .sig
                .inputs
                .iter()
                .filter(|a| !matches!(a, syn::FnArg::Typed(t) if matches!(&*t.pat, syn::Pat::Ident(i) if i.ident == "inner")))
                .cloned()
                .collect();
            if inputs.len() == before {
                continue;
            }
            f.sig.inputs = inputs.into_iter().collect();
            if f.sig.ident == "new_with_client" {
                f.block.stmts.insert(0, syn::parse_quote!(let inner = ::std::default::Default::default();));
            } else {
                DropInnerArgument.visit_block_mut(&mut f.block);
            }
        }
    }
}

/// The generated file from its two formatted parts.
pub fn assemble(spec: &Spec, types: &str, rest: &str) -> String {
    crate::with_header(spec, "//", &format!("{INNER_ATTRIBUTES}\n{types}{rest}"))
}

/// progenitor's top-level items up to `mod types { .. }`, and those after it
/// (all of them in the first part if there is no such module).
fn split_after_types(tokens: proc_macro2::TokenStream) -> (proc_macro2::TokenStream, proc_macro2::TokenStream) {
    use proc_macro2::{Delimiter, TokenTree};
    let is = |tree: &TokenTree, word: &str| matches!(tree, TokenTree::Ident(i) if i == word);
    let mut head: Vec<TokenTree> = tokens.into_iter().collect();
    let cut = head
        .windows(3)
        .position(|w| {
            is(&w[0], "mod")
                && is(&w[1], "types")
                && matches!(&w[2], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
        })
        .map_or(head.len(), |i| i + 3);
    let tail = head.split_off(cut);
    (head.into_iter().collect(), tail.into_iter().collect())
}

/// Lints are silenced in generated code only.
const INNER_ATTRIBUTES: &str = "#![allow(clippy::all, clippy::pedantic, clippy::nursery, clippy::restriction, missing_docs, rust_2018_idioms, unused_qualifications, unused_lifetimes, unused_imports, unused_comparisons, dead_code, unreachable_pub, rustdoc::all)]\n";

/// The document progenitor reads (see the module docs).
pub fn progenitor_input(spec: &Spec) -> Value {
    prepared_input(spec).0
}

/// The document progenitor reads, and what [`crate::client_ops`] generates
/// for the operations it took out of it.
fn prepared_input(spec: &Spec) -> (Value, crate::client_ops::Plan) {
    let mut doc = spec.lowered.clone();
    for op in &spec.operations {
        if let Some(o) = doc.pointer_mut(&op.pointer) {
            o["operationId"] = json!(op.name);
        }
    }
    crate::spec::drop_inline_body_titles(&mut doc, spec);
    json_without_schema_as_any(&mut doc, spec);
    combine_error_bodies(&mut doc, spec);
    optional_headers_without_null(&mut doc, spec);
    raw_bodies_as_progenitor_reads_them(&mut doc, spec);
    crate::spec::drop_clashing_titles(&mut doc);
    let plan = crate::client_ops::prepare(&mut doc, spec);
    (doc, plan)
}

/// A JSON media type without a `schema` (FastAPI's `responses={200:
/// {"content": {"application/json": {"example": ...}}}}`) is any JSON
/// value, which is what `{}` says; progenitor has no case for a missing
/// schema (`todo!("media type encoding, no schema")`).
fn json_without_schema_as_any(doc: &mut Value, spec: &Spec) {
    // the places that hold a `content` map: each operation's request body
    // and responses, and those under `components`
    let mut holders: Vec<String> = Vec::new();
    for op in &spec.operations {
        holders.push(format!("{}/requestBody", op.pointer));
        let responses = format!("{}/responses", op.pointer);
        let codes = doc.pointer(&responses).and_then(Value::as_object).into_iter().flat_map(|r| r.keys());
        holders.extend(codes.map(|code| crate::pointer::join(&responses, code)));
    }
    for kind in ["/components/responses", "/components/requestBodies"] {
        let names = doc.pointer(kind).and_then(Value::as_object).into_iter().flat_map(|m| m.keys());
        holders.extend(names.map(|name| crate::pointer::join(kind, name)));
    }
    for holder in holders {
        let Some(content) = doc.pointer_mut(&format!("{holder}/content")).and_then(Value::as_object_mut) else {
            continue;
        };
        for (media, m) in content.iter_mut() {
            let json = media == "application/json" || media.starts_with("application/json;");
            if let Some(m) = m.as_object_mut()
                && json
                && !m.contains_key("schema")
            {
                m.insert("schema".into(), json!({}));
            }
        }
    }
}

/// progenitor takes a text or binary body only when its schema is exactly
/// `{"type": "string"}` (`format: binary` for bytes); FastAPI's carry
/// constraints (`maxLength`) that progenitor refuses. The builder takes a
/// `String` or bytes either way; the constraints are the service's to check.
fn raw_bodies_as_progenitor_reads_them(doc: &mut Value, spec: &Spec) {
    for op in &spec.operations {
        let Some(content) =
            doc.pointer_mut(&format!("{}/requestBody/content", op.pointer)).and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (media, m) in content.iter_mut() {
            let schema = match media.as_str() {
                "text/plain" => json!({"type": "string"}),
                "application/octet-stream" => json!({"type": "string", "format": "binary"}),
                _ => continue,
            };
            m["schema"] = schema;
        }
    }
}

/// FastAPI exports an optional header (`str | None = Header(None)`) as
/// nullable; progenitor then takes an `Option<Option<T>>` that it cannot
/// send. A header cannot carry null on the wire: leaving it out is its null.
/// So optional header parameters lose `nullable` here, and the builder takes
/// a plain value, or nothing.
fn optional_headers_without_null(doc: &mut Value, spec: &Spec) {
    for op in &spec.operations {
        let pointers: Vec<String> = crate::spec::parameters(doc, &op.pointer)
            .into_iter()
            .filter(|(_, p)| p["in"] == "header" && p.get("required") != Some(&Value::Bool(true)))
            .map(|(pointer, _)| pointer)
            .collect();
        for pointer in pointers {
            if let Some(Value::Object(schema)) = doc.pointer_mut(&format!("{pointer}/schema")) {
                schema.shift_remove("nullable");
            }
        }
    }
}

fn is_error_status(code: &str) -> bool {
    code.starts_with('4') || code.starts_with('5') || code == "default"
}

/// An error response without a JSON body (FastAPI's `responses={404:
/// {"description": "Not found"}}`) beside one with a body: progenitor
/// asserts that every error of an operation decodes into one type, and
/// "nothing" is not the body's type. The client does not list it: that
/// status comes back as `Error::UnexpectedResponse`, still an error, with
/// its status and whatever body it has.
fn drop_bodiless_errors(doc: &mut Value, responses_ptr: &str, lowered: &Value) {
    let Some(responses) = doc.pointer_mut(responses_ptr).and_then(Value::as_object_mut) else { return };
    responses.retain(|code, response| {
        !is_error_status(code)
            || crate::spec::resolve(lowered, response).pointer("/content/application~1json/schema").is_some()
    });
}

fn combine_error_bodies(doc: &mut Value, spec: &Spec) {
    let mut added: BTreeMap<String, Value> = BTreeMap::new();
    for op in &spec.operations {
        let responses_ptr = format!("{}/responses", op.pointer);
        let Some(responses) = doc.pointer(&responses_ptr).and_then(Value::as_object) else { continue };
        let mut bodies: Vec<Value> = Vec::new();
        for (code, response) in responses {
            if !is_error_status(code) {
                continue;
            }
            let response = crate::spec::resolve(&spec.lowered, response);
            if let Some(schema) = response.pointer("/content/application~1json/schema")
                && !bodies.contains(schema)
            {
                bodies.push(schema.clone());
            }
        }
        if !bodies.is_empty() {
            drop_bodiless_errors(doc, &responses_ptr, &spec.lowered);
        }
        if bodies.len() < 2 {
            continue;
        }
        let member_names: Option<Vec<&str>> =
            bodies.iter().map(|b| b.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())).collect();
        let mut name = match member_names {
            Some(names) => names.join("Or"),
            None => format!("{}Error", op.name.to_upper_camel_case()),
        };
        let combined = json!({
            "description": "One of the error bodies that the API documents; which one follows from the status.",
            "oneOf": bodies,
        });
        let existing = doc.pointer("/components/schemas").and_then(Value::as_object);
        let mut n = 2;
        let base = name.clone();
        while existing.is_some_and(|s| s.contains_key(&name))
            || added.get(&name).is_some_and(|v| v["oneOf"] != combined["oneOf"])
        {
            name = format!("{base}{n}");
            n += 1;
        }
        added.entry(name.clone()).or_insert(combined);
        let reference = json!({ "$ref": format!("#{}", crate::pointer::join("/components/schemas", &name)) });
        let Some(responses) = doc.pointer_mut(&responses_ptr).and_then(Value::as_object_mut) else { continue };
        for (code, response) in responses.iter_mut() {
            if !is_error_status(code) {
                continue;
            }
            if response.get("$ref").is_some() {
                // inline a referenced response, so that only this operation's
                // copy points at the combined body
                *response = crate::spec::resolve(&spec.lowered, response).clone();
            }
            if let Some(schema) = response.pointer_mut("/content/application~1json/schema") {
                *schema = reference.clone();
            }
        }
    }
    if added.is_empty() {
        return;
    }
    let schemas = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| json!({})))
        .and_then(|c| c.as_object_mut())
        .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut);
    if let Some(schemas) = schemas {
        schemas.extend(added);
    }
}

/// Request-body properties that can be left out *or* sent as `null`.
///
/// A FastAPI service that updates with `exclude_unset` leaves a field that
/// was left out unchanged and clears one sent as `null`; typify maps both to
/// one `Option<T>`. For such properties (optional, nullable, no default, in a
/// schema used as a request body) the generated field becomes
/// `Option<Option<T>>` with serde's "double option" pattern: `None` is left
/// out, `Some(None)` is sent as `null`, `Some(Some(v))` is sent as `v`. The
/// builder keeps its setters: calling `.score(0.5)` sends `0.5`,
/// `.score(None::<f64>)` sends `null`, not calling it leaves `score` out.
pub mod absent_or_null {
    use std::collections::{BTreeMap, BTreeSet};

    use heck::ToUpperCamelCase;
    use quote::quote;
    use serde_json::Value;
    use syn::visit_mut::VisitMut;

    use crate::spec::{Spec, resolve};

    /// Rust type name → wire names of its absent-or-null properties.
    pub fn fields(spec: &Spec) -> BTreeMap<String, BTreeSet<String>> {
        let doc = &spec.lowered;
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for op in &spec.operations {
            let Some(body) = doc.pointer(&format!("{}/requestBody", op.pointer)) else { continue };
            let Some(schema) = resolve(doc, body).pointer("/content/application~1json/schema") else { continue };
            let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) else {
                continue;
            };
            let schema = resolve(doc, schema);
            let required: BTreeSet<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else { continue };
            for (property, p) in properties {
                let nullable = p.get("nullable") == Some(&Value::Bool(true));
                if nullable && p.get("default").is_none() && !required.contains(property.as_str()) {
                    out.entry(name.to_upper_camel_case()).or_default().insert(property.clone());
                }
            }
        }
        out
    }

    /// Rewrites the `types` module of progenitor's output.
    pub fn apply(file: &mut syn::File, fields: &BTreeMap<String, BTreeSet<String>>) {
        if fields.is_empty() {
            return;
        }
        let Some(types) = module(&mut file.items, "types") else { return };
        let mut changed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for item in types.iter_mut() {
            if let syn::Item::Struct(s) = item
                && let Some(wire) = fields.get(&s.ident.to_string())
            {
                for field in s.fields.iter_mut() {
                    if wire.contains(&wire_name(field)) {
                        rewrite_type_field(field);
                        if let Some(ident) = &field.ident {
                            changed.entry(s.ident.to_string()).or_default().insert(ident.to_string());
                        }
                    }
                }
            }
        }
        if let Some(builder) = module(types, "builder") {
            for item in builder.iter_mut() {
                match item {
                    syn::Item::Struct(s) => {
                        if let Some(idents) = changed.get(&s.ident.to_string()) {
                            for field in s.fields.iter_mut() {
                                if field.ident.as_ref().is_some_and(|i| idents.contains(&i.to_string())) {
                                    let ty = &field.ty;
                                    // Result<Option<T>, String> → Result<Option<Option<T>>, String>
                                    if let Some(inner) = first_generic(ty) {
                                        field.ty = syn::parse_quote!(::std::result::Result<::std::option::Option<#inner>, ::std::string::String>);
                                    }
                                }
                            }
                        }
                    }
                    syn::Item::Impl(imp) if imp.trait_.is_none() => {
                        let syn::Type::Path(self_ty) = &*imp.self_ty else { continue };
                        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
                        let Some(idents) = changed.get(&name) else { continue };
                        for member in imp.items.iter_mut() {
                            if let syn::ImplItem::Fn(f) = member
                                && idents.contains(&f.sig.ident.to_string())
                            {
                                WrapInSome.visit_block_mut(&mut f.block);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        types.push(syn::parse_quote! {
            /// serde's "double option": `None` is left out (with
            /// `skip_serializing_if`), `Some(None)` is `null`.
            pub mod double_option {
                pub fn serialize<S, T>(value: &::std::option::Option<::std::option::Option<T>>, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
                where
                    S: ::serde::Serializer,
                    T: ::serde::Serialize,
                {
                    match value {
                        ::std::option::Option::Some(inner) => ::serde::Serialize::serialize(inner, serializer),
                        ::std::option::Option::None => serializer.serialize_none(),
                    }
                }

                pub fn deserialize<'de, D, T>(deserializer: D) -> ::std::result::Result<::std::option::Option<::std::option::Option<T>>, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                    T: ::serde::Deserialize<'de>,
                {
                    <::std::option::Option<T> as ::serde::Deserialize>::deserialize(deserializer).map(::std::option::Option::Some)
                }
            }
        });
    }

    fn module<'a>(items: &'a mut [syn::Item], name: &str) -> Option<&'a mut Vec<syn::Item>> {
        items.iter_mut().find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
    }

    /// The serde `rename` of a field, else its identifier.
    fn wire_name(field: &syn::Field) -> String {
        let mut name = field.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    name = value.value();
                } else if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
        }
        name
    }

    fn rewrite_type_field(field: &mut syn::Field) {
        let rename =
            field.ident.as_ref().map(|i| i.to_string()).filter(|i| *i != wire_name(field)).map(|_| wire_name(field));
        field.attrs.retain(|a| !a.path().is_ident("serde"));
        let rename = rename.map(|r| quote!(rename = #r,));
        field.attrs.push(syn::parse_quote!(#[doc = "`None`: left out; `Some(None)`: sent as `null`."]));
        field.attrs.push(syn::parse_quote!(#[serde(#rename default, with = "double_option", skip_serializing_if = "::std::option::Option::is_none")]));
        let ty = field.ty.clone();
        field.ty = syn::parse_quote!(::std::option::Option<#ty>);
    }

    fn first_generic(ty: &syn::Type) -> Option<syn::Type> {
        let syn::Type::Path(p) = ty else { return None };
        let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else { return None };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
    }

    /// `value.try_into()` → `value.try_into().map(Some)` in a setter.
    struct WrapInSome;

    impl VisitMut for WrapInSome {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            if let syn::Expr::MethodCall(call) = expr
                && call.method == "try_into"
                && call.args.is_empty()
            {
                let inner = call.clone();
                *expr = syn::parse_quote!(#inner.map(::std::option::Option::Some));
                return;
            }
            syn::visit_mut::visit_expr_mut(self, expr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Config;

    /// The whole output formatted in one piece, as before the split.
    fn in_one_piece(spec: &Spec) -> String {
        let (tokens, plan) = progenitor_tokens(spec).unwrap();
        let rest = plan.rest;
        let mut file = crate::parse_tokens(quote::quote!(#tokens #rest)).unwrap();
        absent_or_null::apply(&mut file, &absent_or_null::fields(spec));
        let extra = crate::parse_tokens(plan.types).unwrap();
        if let Some(syn::Item::Mod(types)) =
            file.items.iter_mut().find(|i| matches!(i, syn::Item::Mod(m) if m.ident == "types"))
        {
            types.content.as_mut().unwrap().1.extend(extra.items);
        }
        let roots = crate::forward_compat::response_roots(&file);
        if let Some(syn::Item::Mod(types)) =
            file.items.iter_mut().find(|i| matches!(i, syn::Item::Mod(m) if m.ident == "types"))
        {
            crate::forward_compat::apply(&mut types.content.as_mut().unwrap().1, &roots, &strict_enums(spec));
        }
        merge_modules(&mut file.items, "builder");
        credentials_default(&mut file.items);
        mark_deprecated(&mut file.items, spec);
        syn::visit_mut::visit_file_mut(&mut MethodsReqwestLacks, &mut file);
        assemble(spec, &prettyplease::unparse(&file), "")
    }

    /// Upstream: progenitor calls `reqwest::Client::options`, which does not
    /// exist. When this fails, `MethodsReqwestLacks` can go.
    #[test]
    fn progenitor_still_calls_a_method_reqwest_lacks() {
        let text = serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {
            "options": {"operationId": "preflight", "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {}}}}}}}}})
        .to_string();
        let spec = Spec::from_str("openapi.json", &text, Config::default()).unwrap();
        let (tokens, _) = progenitor_tokens(&spec).unwrap();
        assert!(tokens.to_string().contains(". options (url)"), "{tokens}");
        let generated = generate(&spec).unwrap();
        assert!(generated.contains(".request(::reqwest::Method::OPTIONS, url)") && !generated.contains(".options("));
    }

    #[test]
    fn formatting_in_two_parts_gives_the_text_of_one() {
        let root = crate::spec::Workspace::this().root;
        for path in [
            "openapi.json",
            "xtask/tests/fixtures/inventory.json",
            "xtask/tests/fixtures/notes30.json",
            "fastapi-app/openapi.json",
        ] {
            let text = std::fs::read_to_string(root.join(path)).unwrap();
            let spec = Spec::from_str(path, &text, Config::default()).unwrap();
            let mut handed = None;
            let rest = generate_split(&spec, |types| handed = Some(types)).unwrap();
            let types = handed.expect("the part up to `mod types` is handed over");
            assert!(rest.contains("struct Client"), "{path}: the Client is in the second part");
            assert!(!types.source.contains("pub struct Client {"), "{path}: the Client is not in the first part");
            assert_eq!(generate(&spec).unwrap(), in_one_piece(&spec), "{path}");
        }
    }
}
