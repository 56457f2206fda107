use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match iamdrill::cmd::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return iamdrill::cmd::output::usage_error(&err),
    };
    match iamdrill::cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A reader that stops early (`iamdrill export … | head`) is not an error.
            let broken_pipe = err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            iamdrill::cmd::output::error(&format!("{err:#}"));
            ExitCode::from(2)
        }
    }
}
