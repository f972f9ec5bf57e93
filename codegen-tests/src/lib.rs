//! The generator's golden outputs for the fixture specs in
//! `xtask/tests/fixtures/`, compiled here so that generated code is known to
//! build; `xtask/tests/golden.rs` checks that they are current.
//! `fastapi_server` is the server of the FastAPI app's own export
//! (`fastapi-app/openapi.json`). [`serve`]
//! serves one of them for the tests that call it.

#[rustfmt::skip]
pub mod evolving_client;
#[rustfmt::skip]
pub mod evolving_server;
#[rustfmt::skip]
pub mod fastapi_client;
#[rustfmt::skip]
pub mod fastapi_server;
#[rustfmt::skip]
pub mod forms_client;
#[rustfmt::skip]
pub mod forms_server;
#[rustfmt::skip]
pub mod headers_client;
#[rustfmt::skip]
pub mod headers_server;
#[rustfmt::skip]
pub mod inventory_client;
#[rustfmt::skip]
pub mod notes30_client;
#[rustfmt::skip]
pub mod raw_client;
#[rustfmt::skip]
pub mod raw_server;
#[rustfmt::skip]
pub mod inventory_server;
#[rustfmt::skip]
pub mod lowered_client;
#[rustfmt::skip]
pub mod lowered_server;
#[rustfmt::skip]
pub mod notes30_server;
#[rustfmt::skip]
pub mod server_features_client;
#[rustfmt::skip]
pub mod server_features_server;

/// A generated API served for real on 127.0.0.1 (port 0), with the version
/// policy its generated module gives, for the tests that call it.
pub fn serve(
    api: dropshot::ApiDescription<()>,
    version_policy: dropshot::VersionPolicy,
    name: &str,
) -> dropshot::HttpServer<()> {
    let log = dropshot::ConfigLogging::StderrTerminal { level: dropshot::ConfigLoggingLevel::Error }
        .to_logger(name)
        .expect("a terminal logger");
    let config = dropshot::ConfigDropshot {
        bind_address: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Default::default()
    };
    dropshot::ServerBuilder::new(api, (), log)
        .config(config)
        .version_policy(version_policy)
        .start()
        .expect("the server starts on 127.0.0.1")
}
