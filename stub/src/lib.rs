//! The contract stub of the Humm configuration API's SaaS-association
//! operations: [`StubImpl`] implements the generated trait [`HummConfigApi`]
//! (from `humm-config-api`) over an in-memory store ([`stub`]), answering
//! FastAPI's error shapes ([`ApiError`], from `dropshot-codegen-runtime`).
//! Test suites start it in-process with [`start`] or as the
//! `humm-config-stub` binary.
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
pub mod front;
pub mod stub;

use std::net::SocketAddr;

pub use dropshot_codegen_runtime::ApiError;
pub use humm_config_api::{HummConfigApi, openapi, types};
pub use stub::{Store, StubImpl, StubState};

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

/// A running stub; dropping it without [`RunningStub::stop`] leaves the
/// server running until the runtime ends.
pub struct RunningStub {
    server: dropshot::HttpServer<StubState>,
    front: front::Front,
}

impl RunningStub {
    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.front.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.front.addr
    }

    /// The store, to assert state in tests.
    pub fn store(&self) -> &Store {
        &self.server.app_private().store
    }

    /// Stops accepting requests and waits for those in flight.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.front.stop().await;
        self.server.close().await.map_err(|e| anyhow::anyhow!("stopping the stub: {e}"))
    }
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
pub async fn start(options: StubOptions) -> anyhow::Result<RunningStub> {
    let api = humm_config_api::humm_config_api_mod::api_description::<StubImpl>()
        .map_err(|e| anyhow::anyhow!("the generated API does not register: {e}"))?;
    let log = logger(&options.log_level);
    let context = StubState { store: Store::new(options.fixtures), token: options.token };
    // dropshot listens privately; the front (see [`front`]) takes the
    // public address and adds what dropshot cannot say
    let front_listener = tokio::net::TcpListener::bind(options.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", options.bind))?;
    // the body limit is each endpoint's own, from codegen.toml. The stub's
    // handlers never await once they start changing the store, so they may
    // run on the connection's task (dropshot spawns a task per request
    // otherwise, which cost a tenth of the throughput).
    let config = dropshot::ConfigDropshot {
        bind_address: SocketAddr::from(([127, 0, 0, 1], 0)),
        default_handler_task_mode: dropshot::HandlerTaskMode::CancelOnDisconnect,
        ..Default::default()
    };
    let server = dropshot::ServerBuilder::new(api, context, log)
        .config(config)
        .version_policy(humm_config_api::version_policy())
        .start()
        .map_err(|e| anyhow::anyhow!("cannot start the stub: {e}"))?;
    let front = front::serve(front_listener, server.local_addr())?;
    Ok(RunningStub { server, front })
}
