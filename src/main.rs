fn main() -> std::process::ExitCode {
    chainsmith::cli::run()
}
