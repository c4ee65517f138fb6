fn main() -> std::process::ExitCode {
    sqrt_runtime::cli::main()
}
