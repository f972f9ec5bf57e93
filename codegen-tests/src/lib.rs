//! The generator's golden outputs for the fixture specs in
//! `xtask/tests/fixtures/`, compiled here so that generated code is known to
//! build; `xtask/tests/golden.rs` checks that they are current.

#[rustfmt::skip]
pub mod headers_client;
#[rustfmt::skip]
pub mod headers_server;
#[rustfmt::skip]
pub mod inventory_client;
#[rustfmt::skip]
pub mod notes30_client;
#[rustfmt::skip]
pub mod inventory_server;
#[rustfmt::skip]
pub mod lowered_client;
#[rustfmt::skip]
pub mod lowered_server;
#[rustfmt::skip]
pub mod notes30_server;
