//! The contract stub of the Humm configuration API's SaaS-association
//! operations: `contract-stub`'s engine, which serves any spec, on this
//! workspace's `openapi.json` (carried in the binary), with the seed's
//! hand-written handlers ([`handlers`]) and fixtures ([`fixtures`]). It
//! answers as FastAPI does: pydantic's 422s, Starlette's 404 and 405, the
//! bearer check's 401 with `WWW-Authenticate`, every field of the response
//! model in its order. Test suites start it in-process with [`start`] or as
//! the `humm-config-stub` binary.
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! let stub = humm_config_stub::start(humm_config_stub::StubOptions::default()).await?;
//! let client = humm_config_client::Client::with_bearer_token(&stub.url(), "any-token")?;
//! // ... drive the client ...
//! stub.stop().await?;
//! # Ok(())
//! # }
//! ```

pub mod fixtures;
pub mod handlers;

use std::net::SocketAddr;

use dropshot_codegen_runtime::security::{Policy, Rejection};
pub use humm_config_api::{openapi, types};

/// The spec this stub serves, and the settings it is generated with.
const SPEC: &str = include_str!("../../openapi.json");
const CONFIG: &str = include_str!("../../codegen.toml");

/// How to start a stub.
#[derive(Debug, Clone)]
pub struct StubOptions {
    /// Where to listen; port 0 picks a free port.
    pub bind: SocketAddr,
    /// The associations the store starts with.
    pub fixtures: Vec<types::SaasAssociationResponse>,
    /// The only bearer token accepted; any token when `None`.
    pub token: Option<String>,
    /// dropshot's log level (`error` keeps tests quiet; `info` logs each request).
    pub log_level: dropshot::ConfigLoggingLevel,
}

impl Default for StubOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            fixtures: fixtures::default_fixtures(),
            token: None,
            log_level: dropshot::ConfigLoggingLevel::Error,
        }
    }
}

/// A running stub.
pub struct RunningStub {
    inner: contract_stub::RunningStub,
}

impl RunningStub {
    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        self.inner.url()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local_addr()
    }

    /// The store, to assert state in tests.
    pub fn store(&self) -> Store<'_> {
        Store(self.inner.engine())
    }

    /// How each operation is answered (hand-written, stateful, example).
    pub fn describe(&self) -> Vec<String> {
        contract_stub::describe(self.inner.engine())
    }

    /// Stops accepting requests and waits for those in flight.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.inner.stop().await
    }
}

/// The associations a running stub holds.
pub struct Store<'a>(&'a dropshot_codegen_runtime::mock::Engine);

impl Store<'_> {
    /// Every association, in list order (by `created_at`, then `id`).
    pub fn snapshot(&self) -> Vec<types::SaasAssociationResponse> {
        let mut all: Vec<types::SaasAssociationResponse> = self.0.with_store(|store| {
            let Some(resource) = store.resource(handlers::ASSOCIATIONS) else { return Vec::new() };
            store.all(resource).into_iter().filter_map(|(_, item)| serde_json::from_value(item.clone()).ok()).collect()
        });
        all.sort_by_key(|a| (a.created_at, a.id));
        all
    }
}

/// The seed's spec, lowered and checked as `cargo xtask generate` does;
/// once per process (a test suite starts many stubs).
pub fn spec() -> anyhow::Result<contract_stub::Spec> {
    static LOWERED: std::sync::OnceLock<Result<contract_stub::Spec, String>> = std::sync::OnceLock::new();
    LOWERED
        .get_or_init(|| contract_stub::spec_from_str("openapi.json", SPEC, CONFIG).map_err(|e| e.to_string()))
        .clone()
        .map_err(anyhow::Error::msg)
}

/// Starts a stub in this process (inside a tokio runtime).
pub async fn start(options: StubOptions) -> anyhow::Result<RunningStub> {
    let spec = spec()?;
    let mut declared: Vec<&str> = spec.hand_written.iter().map(String::as_str).collect();
    let mut handled: Vec<&str> = handlers::overrides().iter().map(|(id, _)| *id).collect();
    declared.sort_unstable();
    handled.sort_unstable();
    anyhow::ensure!(
        declared == handled,
        "codegen.toml [stub] hand-written lists {declared:?}, but stub/src/handlers.rs handles {handled:?}"
    );
    let mut stub = contract_stub::Options::new(spec);
    stub.bind = options.bind;
    stub.log_level = options.log_level;
    stub.overrides = handlers::overrides().into_iter().map(|(id, h)| (id.to_string(), h)).collect();
    if let Some(token) = options.token {
        stub.policy = Some(
            Policy::default()
                .accept("HTTPBearer", [token])
                .reject_with("HTTPBearer", Rejection::new(401, "Invalid authentication credentials", Some("Bearer"))),
        );
    }
    let inner = contract_stub::start(stub).await?;
    // each association names its source in the path's terms too
    let items = options
        .fixtures
        .iter()
        .map(|a| {
            let mut item = serde_json::to_value(a)?;
            item["source_id"] = serde_json::json!(a.integration_source_id);
            Ok(item)
        })
        .collect::<Result<Vec<_>, serde_json::Error>>()?;
    inner
        .engine()
        .load_fixtures(&serde_json::json!({ handlers::ASSOCIATIONS: items }))
        .map_err(|e| anyhow::anyhow!("fixtures: {e}"))?;
    Ok(RunningStub { inner })
}
