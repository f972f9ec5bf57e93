//! Links the contract-stub binary as a fixed-address (non-PIE) executable on Linux:
//! a position-independent one has its tens of thousands of relocations applied at every
//! start, a third of a cold start's page faults. The stub is a local test
//! tool, so the address-space randomisation this gives up is not needed.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bin=contract-stub=-no-pie");
    }
}
