/// mimalloc rather than the system allocator: the front end builds and frees a tree of many
/// small nodes, and glibc's frees (chunk consolidation) were a quarter of `sqrtc check` on a
/// large policy (docs/performance.md, "Allocator").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sqrt_runtime::cli::main()
}
