//! iamdrill: AWS IAM and security interview drills in the terminal.
//!
//! Layers, lowest first (ARCHITECTURE.md): the domain (`deck`, `compile`, `srs`, `mock`,
//! `policy`, `search`), the `store`, the `context`, and the two front ends, `cmd` and `ui`.

pub mod cmd;
pub mod compile;
pub mod context;
pub mod deck;
pub mod mock;
pub mod policy;
pub mod search;
pub mod srs;
pub mod store;
pub mod sync;
pub mod ui;

/// mimalloc: the policy engine and the deck loader allocate many small strings, and it
/// serves those faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
