use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = iamdrill::cli::Cli::parse();
    match iamdrill::cli::run(cli) {
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
            eprintln!("iamdrill: {err:#}");
            ExitCode::from(2)
        }
    }
}
