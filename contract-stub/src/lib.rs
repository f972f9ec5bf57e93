//! The contract stub for any spec: every operation of `openapi.json` served
//! by [`dropshot_codegen_runtime::mock`]'s engine with no code written for
//! the spec. It reads the spec at start-up (lowered and checked as
//! `cargo xtask generate` does, with `codegen.toml`'s `[skip]`), so a new
//! export needs no regeneration to be served.
//!
//! - requests are routed and validated as FastAPI does (404/405/422 with
//!   Starlette's and pydantic's bodies);
//! - collections and their items keep state ([`dropshot_codegen_runtime::resources`]:
//!   a created item is listed and read back, a PATCH merges what was sent, a
//!   delete makes the next read a 404), and fixtures load into any resource;
//! - every other operation answers the spec's example, or a value made from
//!   its response schema, the same for the same request;
//! - hand-written overrides ([`Overrides`]) answer the operations they name
//!   instead; the start-up lines say how each operation is answered.
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! let spec = contract_stub::load_spec(None, None)?;
//! let stub = contract_stub::start(contract_stub::Options::new(spec)).await?;
//! println!("{}", stub.url());
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use dropshot_codegen_runtime::mock::{Engine, Handler, Source};
use dropshot_codegen_runtime::resources::Override;
use serde_json::Value;

/// Hand-written answers, by operationId: the part of the stub a team writes.
pub type Overrides = BTreeMap<String, Handler>;

/// The lowered spec to serve and the corrections of the resource convention.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The lowered (3.0.3) document.
    pub doc: Arc<Value>,
    pub corrections: BTreeMap<String, Override>,
    /// `[server] request_body_max_bytes`: a larger body is a 413.
    pub body_limit: usize,
    /// `[stub] hand-written`: the operations the workspace's stub answers by hand.
    pub hand_written: Vec<String>,
}

/// Reads and lowers a spec as `cargo xtask generate` does: `spec` (the
/// workspace's `openapi.json` when `None`) with `config` (its
/// `codegen.toml`).
pub fn load_spec(spec: Option<&Path>, config: Option<&Path>) -> anyhow::Result<Spec> {
    let ws = xtask::spec::Workspace::this();
    let spec_path = spec.map(Path::to_path_buf).unwrap_or_else(|| ws.spec_path());
    let config_path = config.map(Path::to_path_buf).unwrap_or_else(|| match spec {
        Some(s) => s.with_file_name("codegen.toml"),
        None => ws.config_path(),
    });
    let spec = xtask::spec::Spec::load_for_serving(&spec_path, &config_path).map_err(|e| anyhow::anyhow!("{e}"))?;
    from_checked(spec)
}

/// A spec given as text (`file` names it in messages), with `codegen.toml`'s
/// text (empty for none): for a stub that carries its spec in the binary.
pub fn spec_from_str(file: &str, text: &str, config: &str) -> anyhow::Result<Spec> {
    let config: xtask::spec::Config =
        toml::from_str(config).map_err(|e| anyhow::anyhow!("codegen.toml: {}", e.message()))?;
    let spec = xtask::spec::Spec::for_serving(file, text, config).map_err(|e| anyhow::anyhow!("{e}"))?;
    from_checked(spec)
}

fn from_checked(spec: xtask::spec::Spec) -> anyhow::Result<Spec> {
    let mut corrections = BTreeMap::new();
    for (id, text) in &spec.config.stub.resources {
        let Some(correction) = Override::parse(text) else {
            anyhow::bail!(
                "codegen.toml: [stub.resources] {id} = {text:?}: expected \"stateless\" or \"<create|list|read|replace|update|delete> <collection path>\""
            )
        };
        if spec.operation(id).is_none() {
            anyhow::bail!("codegen.toml: [stub.resources] names operation `{id}`, which the spec does not have");
        }
        corrections.insert(id.clone(), correction);
    }
    Ok(Spec {
        doc: spec.lowered.into(),
        corrections,
        body_limit: spec.config.server.request_body_max_bytes,
        hand_written: spec.config.stub.hand_written,
    })
}

/// The `--log-level` flag of the stub binaries: error, warn, info (each
/// request) or debug.
pub fn log_level(name: &str) -> anyhow::Result<dropshot::ConfigLoggingLevel> {
    Ok(match name {
        "error" => dropshot::ConfigLoggingLevel::Error,
        "warn" => dropshot::ConfigLoggingLevel::Warn,
        "info" => dropshot::ConfigLoggingLevel::Info,
        "debug" => dropshot::ConfigLoggingLevel::Debug,
        other => anyhow::bail!("--log-level {other}: expected error, warn, info or debug"),
    })
}

/// Credentials the stub accepts, by kind; none of a kind accepts any
/// well-formed one.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// Bearer tokens of HTTP bearer, OAuth2 and OpenID Connect schemes.
    pub tokens: Vec<String>,
    /// Keys of every API key scheme (header, query or cookie).
    pub api_keys: Vec<String>,
    /// `user:password` pairs of HTTP basic schemes.
    pub basic: Vec<String>,
}

/// A policy accepting only the given credentials for every scheme of their
/// kind in the spec; others get the answer of the service's own check.
pub fn policy(doc: &Value, credentials: &Credentials) -> dropshot_codegen_runtime::security::Policy {
    let mut policy = dropshot_codegen_runtime::security::Policy::default();
    let schemes = doc.pointer("/components/securitySchemes").and_then(Value::as_object).into_iter().flatten();
    for (name, scheme) in schemes {
        let accepted = match (scheme["type"].as_str(), scheme["scheme"].as_str().map(str::to_ascii_lowercase)) {
            (Some("http"), Some(s)) if s == "basic" => &credentials.basic,
            (Some("http"), _) | (Some("oauth2" | "openIdConnect"), _) => &credentials.tokens,
            (Some("apiKey"), _) => &credentials.api_keys,
            _ => continue,
        };
        if !accepted.is_empty() {
            policy = policy.accept(name, accepted.iter().cloned());
        }
    }
    policy
}

/// How to start a stub.
pub struct Options {
    pub spec: Spec,
    /// Where to listen; port 0 picks a free port.
    pub bind: SocketAddr,
    /// Fixtures: collection path → items (see [`Engine::load_fixtures`]).
    pub fixtures: Option<Value>,
    pub overrides: Overrides,
    /// Which credentials are accepted (any well-formed one when `None`).
    pub policy: Option<dropshot_codegen_runtime::security::Policy>,
    pub log_level: dropshot::ConfigLoggingLevel,
}

impl Options {
    /// Defaults: 127.0.0.1 on a free port, no fixtures, no overrides, quiet.
    pub fn new(spec: Spec) -> Self {
        Self {
            spec,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            fixtures: None,
            overrides: Overrides::new(),
            policy: None,
            log_level: dropshot::ConfigLoggingLevel::Error,
        }
    }
}

/// A running stub.
pub struct RunningStub {
    server: dropshot::HttpServer<Arc<Engine>>,
}

impl RunningStub {
    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.local_addr())
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// The engine, to look at its store or reset it.
    pub fn engine(&self) -> &Engine {
        self.server.app_private()
    }

    /// Stops accepting requests and waits for those in flight.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.server.close().await.map_err(|e| anyhow::anyhow!("stopping the stub: {e}"))
    }
}

/// The engine for `options`, fixtures loaded and overrides registered.
pub fn engine(options: Options) -> anyhow::Result<Engine> {
    let mut engine = Engine::new(options.spec.doc, &options.spec.corrections).with_body_limit(options.spec.body_limit);
    if let Some(policy) = options.policy {
        engine = engine.with_policy(policy);
    }
    for (id, handler) in options.overrides {
        if !engine.sources().iter().any(|(op, _)| op == &id) {
            anyhow::bail!("an override names operation `{id}`, which the spec does not have");
        }
        engine = engine.with_override(&id, handler);
    }
    if let Some(fixtures) = &options.fixtures {
        engine.load_fixtures(fixtures).map_err(|e| anyhow::anyhow!("fixtures: {e}"))?;
    }
    Ok(engine)
}

/// dropshot's own terminal logger, with the level filter moved in front of
/// the async channel: dropshot's filters on the logging thread, so every
/// request's "request completed" record crossed threads only to be dropped
/// there, which cost more CPU than the request itself.
fn logger(level: &dropshot::ConfigLoggingLevel) -> slog::Logger {
    use slog::Drain as _;
    let decorator = slog_term::TermDecorator::new().build();
    let drain = slog_term::FullFormat::new(decorator).build().fuse();
    let drain = slog_async::Async::new(drain).chan_size(1024).build().fuse();
    slog::Logger::root(slog::LevelFilter::new(drain, slog::Level::from(level)).fuse(), slog::o!())
}

/// Starts a stub in this process (inside a tokio runtime).
pub async fn start(options: Options) -> anyhow::Result<RunningStub> {
    let bind = options.bind;
    let log = logger(&options.log_level);
    let engine = Arc::new(engine(options)?);
    let config = dropshot::ConfigDropshot {
        bind_address: bind,
        default_handler_task_mode: dropshot::HandlerTaskMode::CancelOnDisconnect,
        ..Default::default()
    };
    let server = dropshot::ServerBuilder::new(dropshot_codegen_runtime::mock::api_description(), engine, log)
        .config(config)
        .start()
        .map_err(|e| anyhow::anyhow!("cannot start the stub on {bind}: {e}"))?;
    Ok(RunningStub { server })
}

/// One line per operation: how it is answered.
pub fn describe(engine: &Engine) -> Vec<String> {
    engine
        .sources()
        .into_iter()
        .map(|(id, source)| match source {
            Source::HandWritten => format!("  hand-written  {id}"),
            Source::Stateful { collection, role } => format!("  stateful      {id} ({} {collection})", role.as_str()),
            Source::Example => format!("  example       {id}"),
        })
        .chain(engine.notes().iter().map(|note| format!("note: {note}")))
        .collect()
}
