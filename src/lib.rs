//! iamdrill: AWS IAM and security interview drills in the terminal.

pub mod cli;
pub mod compile;
pub mod config;
pub mod deck;
pub mod ecosystem;
pub mod logging;
pub mod mock;
pub mod paths;
pub mod policy;
pub mod search;
pub mod srs;
pub mod store;
pub mod ui;

/// mimalloc: the policy engine and the deck loader allocate many small strings, and it
/// serves those faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
