#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    pluralis::cli::main()
}
