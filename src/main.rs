use std::process::ExitCode;

fn main() -> ExitCode {
    gateway::app::main()
}
