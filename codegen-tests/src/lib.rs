//! The generator's golden outputs for the fixture specs in
//! `xtask/tests/fixtures/`, compiled here so that generated code is known to
//! build; `xtask/tests/golden.rs` checks that they are current.

pub mod inventory_client;
pub mod notes30_client;
pub mod inventory_server;
pub mod notes30_server;
