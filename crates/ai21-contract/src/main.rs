//! The `ai21-contract` command line; everything but the entry point is in the library.

/// mimalloc rather than the system allocator: checking records is allocation heavy (every
/// payload becomes a tree of small maps), and mimalloc is faster at it and scales better
/// across threads (see the comment on the dependency in `Cargo.toml`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ai21_contract::main()
}
