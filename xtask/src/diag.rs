//! Diagnostics: what the generator reports, as values, and the one place
//! they are rendered as text.
//!
//! - A [`Problem`] is why a spec (or `codegen.toml`) cannot be generated
//!   from: its [`Place`] (file, JSON pointer or line and column, operation),
//!   its [`ProblemKind`], what is wrong and what to do.
//! - A [`Note`] is a decision the lowering made that a reader should know of
//!   (what was lowered, and what was lost on the way): its place, its
//!   [`NoteKind`] and what it says.
//! - [`ExitCode`] names the exit codes of `cargo xtask`.
//!
//! Modules raise problems and notes where they find them, with the pointer
//! they know; the loader ([`crate::spec::Spec::load`]) fills in the file for
//! those raised by modules that do not know it (the lowering, the naming
//! rule, the generators). Tests compare kinds and places; the wording is
//! checked by golden files (`xtask/tests/bad-specs.txt`,
//! `xtask/tests/cli/`).
//!
//! Rendering (the `Display` impls here, and nowhere else):
//!
//! ```text
//! openapi.json: /paths/~1items/post/requestBody: `create_item` takes a body of type `multipart/form-data`; take a JSON body in the service [request-body-media-type]
//! openapi.json: line 6, column 53: not valid JSON (trailing comma at line 6 column 53); export the spec again with `app.openapi()` [not-json]
//! openapi.json: /info/summary: `info.summary` is 3.1-only; dropped [dropped-31-only]
//! ```
//!
//! that is `file: place: message; fix [code]`, the root pointer shown as
//! `/`, the place left out when there is none. A list of problems
//! ([`write_problems`]) opens with `<file> cannot be generated from (N
//! problems):` and puts each problem on its own indented line.

use std::fmt;

use crate::pointer;

/// Where a problem or a note is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Place {
    /// The file name shown in messages (`openapi.json`, `codegen.toml`);
    /// empty until the loader fills it in.
    pub file: String,
    /// RFC 6901 pointer into the input document; `""` is the root.
    pub pointer: Option<String>,
    /// Line and column (1-based), for text that is not JSON.
    pub line_column: Option<(usize, usize)>,
    /// The operationId, when the problem belongs to one operation.
    pub operation: Option<String>,
}

impl Place {
    /// A place in the document, by JSON pointer (the file is filled in later).
    pub fn pointer(pointer: impl Into<String>) -> Self {
        Self { pointer: Some(pointer.into()), ..Self::default() }
    }

    /// A place in text that is not JSON (the file is filled in later).
    pub fn line_column(line: usize, column: usize) -> Self {
        Self { line_column: Some((line, column)), ..Self::default() }
    }

    /// A whole file.
    pub fn file(file: impl Into<String>) -> Self {
        Self { file: file.into(), ..Self::default() }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if !self.file.is_empty() {
            parts.push(self.file.clone());
        }
        if let Some(pointer) = &self.pointer {
            parts.push(pointer::display(pointer).to_string());
        } else if let Some((line, column)) = self.line_column {
            parts.push(format!("line {line}, column {column}"));
        }
        write!(f, "{}", parts.join(": "))
    }
}

/// Declares a kind enum with one stable kebab-case code per variant, and
/// `ALL`, the list of its variants (so that tests can check the codes).
macro_rules! kinds {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[doc = $doc:literal])* $variant:ident => $code:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl $name {
            /// Every kind, in declaration order.
            pub const ALL: &[$name] = &[$($name::$variant),*];

            /// The stable kebab-case code shown in the rendered text.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

kinds! {
    /// Every kind of problem the generator reports.
    pub enum ProblemKind {
        // ---- the files ----
        /// A file cannot be read.
        Unreadable => "unreadable",
        /// `openapi.json` is empty.
        EmptyFile => "empty-file",
        /// `openapi.json` is not JSON (YAML, a trailing comma, ...).
        NotJson => "not-json",
        /// The input nests deeper than the reader or the lowering accepts.
        TooDeep => "too-deep",
        /// `codegen.toml` does not parse, or a setting in it is not usable.
        Config => "config",

        // ---- the document ----
        /// `openapi` (or `swagger`) is missing or names a version other than 3.0/3.1.
        Version => "version",
        /// The document, `paths`, a path item, an operation, a schema, ... is not an object.
        NotAnObject => "not-an-object",
        /// A keyword's value has the wrong JSON type (`$ref` not a string, `type` a number, ...).
        WrongType => "wrong-type",
        /// The document has no `paths`.
        MissingPaths => "missing-paths",
        /// Non-empty `components.pathItems` (3.1-only).
        ComponentsPathItems => "components-path-items",
        /// A security scheme of type `mutualTLS` (3.1-only).
        MutualTls => "mutual-tls",

        // ---- schemas ----
        /// A JSON Schema 2020-12 keyword with no 3.0 equivalent (`$dynamicRef`, `if`, `$defs`, ...).
        Unsupported31Keyword => "unsupported-keyword",
        /// A schema that no value can match (`false`, `type: []`, a `const` outside its `enum`).
        NoValidValue => "no-valid-value",
        /// A multi-type `type` array beside keywords that cannot be distributed over its types.
        MultiTypeArray => "multi-type-array",
        /// A nullable union whose one member and the outer schema set a keyword differently.
        UnionMergeClash => "union-merge-clash",

        // ---- references ----
        /// A local `$ref` whose target does not exist.
        DanglingReference => "dangling-reference",
        /// A `$ref` into another document.
        ExternalReference => "external-reference",
        /// A `$ref` whose fragment is not a JSON pointer (`#anchor`).
        NonPointerReference => "non-pointer-reference",
        /// A `$ref` with malformed percent-encoding.
        BadPercentEncoding => "bad-percent-encoding",
        /// A `$ref` into a schema the lowering rewrote away.
        ReferenceIntoRewrittenSchema => "reference-into-rewritten-schema",
        /// `$ref`s that lead back to where they started without going into a property or an item.
        ReferenceLoop => "reference-loop",
        /// A path item given by `$ref`.
        PathItemReference => "path-item-reference",

        // ---- operations and their names ----
        /// An operation without an operationId.
        MissingOperationId => "missing-operation-id",
        /// An operationId used by two operations.
        DuplicateOperationId => "duplicate-operation-id",
        /// Two operations that map to one Rust name.
        NameCollision => "name-collision",
        /// A `[names]` override that is not a snake_case Rust identifier.
        InvalidNameOverride => "invalid-name-override",
        /// A `[names]` override for an operation the spec does not have.
        StaleNameOverride => "stale-name-override",
        /// A `[skip]` entry for an operation the spec does not have.
        StaleSkip => "stale-skip",
        /// A `[client] strict-enums` entry that names no string enum schema of the spec.
        StrictEnum => "strict-enum",
        /// A path that is not a path template (`items/{id}` without its leading `/`).
        PathTemplate => "path-template",
        /// Path parameters and the path template disagree.
        PathParameter => "path-parameter",
        /// A path parameter without `required: true`.
        PathParameterNotRequired => "path-parameter-not-required",
        /// A parameter in a header or a cookie (or nowhere): only path and query parameters are generated.
        ParameterLocation => "parameter-location",
        /// A parameter described by `content` instead of `schema`.
        ParameterContent => "parameter-content",
        /// Two parameters of one operation with one name.
        SameParameterName => "same-parameter-name",
        /// A request body that is not `application/json`.
        RequestBodyMediaType => "request-body-media-type",
        /// A request body without `content`.
        RequestBodyWithoutContent => "request-body-without-content",
        /// Not exactly one 2xx response.
        SuccessResponses => "success-responses",
        /// A success status the server generator does not support (206, 200 with a non-JSON body, ...).
        UnsupportedStatus => "unsupported-status",
        /// Two paths that name one path segment differently (dropshot's router needs one name).
        RouteVariableNames => "route-variable-names",

        // ---- the generators ----
        /// The lowered document is not what `openapiv3` reads as OpenAPI 3.0.
        NotOpenApi30AfterLowering => "not-openapi-30-after-lowering",
        /// typify cannot generate a type for a schema.
        UnsupportedSchema => "unsupported-schema",
        /// progenitor refused the spec.
        ClientGenerator => "client-generator",
        /// A generator (progenitor, typify, ours) failed where no check foresaw it: the operations it fails on are left out.
        GeneratorBug => "generator-bug",
    }
}

kinds! {
    /// Every kind of decision the lowering reports in a [`Note`].
    pub enum NoteKind {
        /// A 3.1-only field with nothing in it that 3.0 needs (`jsonSchemaDialect`, `info.summary`, empty `webhooks`, ...) was dropped.
        Dropped31Only => "dropped-31-only",
        /// Siblings of a non-schema `$ref` (`description`, `summary`) were dropped.
        ReferenceSiblings => "reference-siblings-dropped",
        /// A path parameter declared nullable was lowered as non-nullable.
        NullablePathParameter => "nullable-path-parameter",
        /// Schema `examples` were lowered to one `example`, or dropped.
        Examples => "examples-dropped",
        /// An exclusive bound implied by an inclusive one was dropped.
        ImpliedBound => "implied-bound-dropped",
        /// `contentEncoding`/`contentMediaType` that map to no `format` were dropped.
        ContentKeyword => "content-keyword-dropped",
        /// A tuple (`prefixItems`) was lowered to an array of the union of its items.
        Tuple => "tuple-lowered",
        /// `propertyNames` was dropped: the keys stay strings.
        PropertyNames => "property-names-dropped",
        /// A schema that allows only null was lowered to a nullable schema of any type.
        NullOnly => "null-only-lowered",
        /// `"type": null` (JSON's null) was read as the null type.
        NullTypeValue => "null-type-value",
        /// `nullable`, no 3.1 keyword, was found in a 3.1 document and ignored.
        NullableIn31 => "nullable-ignored",
        /// A repeated or missing operationId was given one of its own.
        OperationIdRenamed => "operation-id-renamed",
        /// A path variable no parameter declares was declared as a string.
        PathVariableDeclared => "path-variable-declared",
        /// A request body offered in several media types is generated as one.
        RequestMediaTypeChosen => "request-media-type-chosen",
        /// An optional `deepObject` query parameter was left out of the generated code.
        DeepObjectDropped => "deep-object-parameter-dropped",
        /// `patternProperties` was lowered to `additionalProperties`: the keys' pattern is lost.
        PatternProperties => "pattern-properties-lowered",
        /// A Python-syntax `pattern` was translated to the ECMAScript syntax.
        PythonPattern => "pattern-translated",
        /// An operation left out of both generated crates because `codegen.toml` `[skip]` names it.
        Skipped => "skipped-on-request",
        /// An operation (or a component) left out of both generated crates, automatically, because it cannot be generated yet.
        LeftOut => "left-out",
    }
}

/// Why a spec (or `codegen.toml`) cannot be generated from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    /// Boxed, so that a `Result<_, Problem>` stays small (clippy's
    /// `result_large_err`); read and write it as if it were not.
    pub place: Box<Place>,
    pub kind: ProblemKind,
    /// What is wrong: lowercase, no trailing period.
    pub message: String,
    /// What to do: lowercase, no trailing period.
    pub fix: Option<String>,
}

impl Problem {
    /// A problem at a JSON pointer into the input (`""` is the root).
    pub fn new(kind: ProblemKind, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self { place: Box::new(Place::pointer(pointer)), kind, message: message.into(), fix: None }
    }

    /// A problem at a line and column of text that is not JSON.
    pub fn at_line(kind: ProblemKind, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self { place: Box::new(Place::line_column(line, column)), kind, message: message.into(), fix: None }
    }

    /// A problem with a whole file (`codegen.toml`, an unreadable file).
    pub fn in_file(kind: ProblemKind, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self { place: Box::new(Place::file(file)), kind, message: message.into(), fix: None }
    }

    /// What to do about it.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// The operation it belongs to.
    pub fn operation(mut self, operation_id: impl Into<String>) -> Self {
        self.place.operation = Some(operation_id.into());
        self
    }

    /// The file, unless one is set already (the loader names the spec for
    /// the modules that do not know it).
    pub fn default_file(mut self, file: &str) -> Self {
        if self.place.file.is_empty() {
            self.place.file = file.to_string();
        }
        self
    }

    /// The pointer, or `None` for a problem placed otherwise.
    pub fn pointer(&self) -> Option<&str> {
        self.place.pointer.as_deref()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = self.place.to_string();
        if !place.is_empty() {
            write!(f, "{place}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(fix) = &self.fix {
            write!(f, "; {fix}")?;
        }
        write!(f, " [{}]", self.kind.code())
    }
}

/// Writes a list of problems with `file` as what cannot be generated from:
/// the text of [`crate::spec::SpecError`].
pub fn write_problems(f: &mut impl fmt::Write, file: &str, problems: &[Problem]) -> fmt::Result {
    let n = problems.len();
    write!(f, "{file} cannot be generated from ({n} problem{}):", if n == 1 { "" } else { "s" })?;
    for problem in problems {
        write!(f, "\n  {problem}")?;
    }
    Ok(())
}

/// A decision the lowering made that a reader should know of: what was
/// lowered, and what was lost on the way.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Note {
    /// Where in the input (the pointer is always set).
    pub place: Place,
    pub kind: NoteKind,
    /// What was lowered and what was lost, e.g. "path parameter declared
    /// nullable; a path segment cannot be null, lowered as non-nullable".
    pub message: String,
}

impl Note {
    pub fn new(kind: NoteKind, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self { place: Place::pointer(pointer), kind, message: message.into() }
    }

    /// The file, unless one is set already.
    pub fn default_file(mut self, file: &str) -> Self {
        if self.place.file.is_empty() {
            self.place.file = file.to_string();
        }
        self
    }

    pub fn pointer(&self) -> &str {
        self.place.pointer.as_deref().unwrap_or_default()
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} [{}]", self.place, self.message, self.kind.code())
    }
}

/// The exit codes of `cargo xtask`, defined here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitCode {
    /// 0: every generated file is fresh or was written; `lower` printed the document.
    Success = 0,
    /// 1: `check` found a generated file stale or missing, or the server's
    /// own OpenAPI document differs from the spec (or the server does not build).
    Stale = 1,
    /// 2: the spec or `codegen.toml` cannot be generated from (each
    /// [`Problem`] is printed). clap also exits 2 on a usage error.
    CannotGenerate = 2,
    /// 3: anything else: I/O, a generator thread that could not start or panicked,
    /// a `--base` revision or `--base-file` that cannot be read.
    Other = 3,
    /// 4: `diff` (or `check`, when nothing is stale) found a change that
    /// breaks an axis of `codegen.toml [breaking] fail-on` and is not
    /// accepted in `[breaking.ignore]`.
    Breaking = 4,
}

impl ExitCode {
    /// The process's exit status.
    pub const fn code(self) -> u8 {
        self as u8
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        Self::from(code.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut codes: Vec<&str> = ProblemKind::ALL.iter().map(|k| k.code()).collect();
        codes.extend(NoteKind::ALL.iter().map(|k| k.code()));
        for code in &codes {
            assert!(
                !code.is_empty()
                    && code
                        .split('-')
                        .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
                "{code}"
            );
        }
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "a code is used twice");
    }

    #[test]
    fn renders_file_place_message_fix_and_code() {
        let p = Problem::new(ProblemKind::RequestBodyMediaType, "/paths/~1items/post/requestBody", "takes a form")
            .fix("take a JSON body in the service")
            .operation("create_item")
            .default_file("openapi.json");
        assert_eq!(
            p.to_string(),
            "openapi.json: /paths/~1items/post/requestBody: takes a form; take a JSON body in the service [request-body-media-type]"
        );
        assert_eq!(p.place.operation.as_deref(), Some("create_item"));
        let root = Problem::new(ProblemKind::EmptyFile, "", "the file is empty").default_file("a.json");
        assert_eq!(root.to_string(), "a.json: /: the file is empty [empty-file]");
        let line = Problem::at_line(ProblemKind::NotJson, 2, 14, "not valid JSON");
        assert_eq!(line.to_string(), "line 2, column 14: not valid JSON [not-json]");
        let file =
            Problem::in_file(ProblemKind::Config, "codegen.toml", "[names] is wrong").default_file("openapi.json");
        assert_eq!(file.to_string(), "codegen.toml: [names] is wrong [config]");
    }

    #[test]
    fn renders_lists_and_notes() {
        let problems = [
            Problem::new(ProblemKind::MutualTls, "/webhooks", "no webhooks").default_file("spec.json"),
            Problem::new(ProblemKind::Version, "/openapi", "no version").fix("add one").default_file("spec.json"),
        ];
        let mut text = String::new();
        write_problems(&mut text, "spec.json", &problems[..1]).unwrap();
        assert_eq!(
            text,
            "spec.json cannot be generated from (1 problem):\n  spec.json: /webhooks: no webhooks [mutual-tls]"
        );
        let mut text = String::new();
        write_problems(&mut text, "spec.json", &problems).unwrap();
        assert!(text.starts_with("spec.json cannot be generated from (2 problems):\n  spec.json: /webhooks"), "{text}");
        assert!(text.ends_with("\n  spec.json: /openapi: no version; add one [version]"), "{text}");

        let note = Note::new(NoteKind::Dropped31Only, "/info/summary", "`info.summary` is 3.1-only; dropped")
            .default_file("openapi.json");
        assert_eq!(
            note.to_string(),
            "openapi.json: /info/summary: `info.summary` is 3.1-only; dropped [dropped-31-only]"
        );
    }

    #[test]
    fn exit_codes() {
        let codes: Vec<u8> =
            [ExitCode::Success, ExitCode::Stale, ExitCode::CannotGenerate, ExitCode::Other, ExitCode::Breaking]
                .map(ExitCode::code)
                .into();
        assert_eq!(codes, [0, 1, 2, 3, 4]);
    }
}
