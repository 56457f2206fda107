use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = iamdrill::cli::Cli::parse();
    match iamdrill::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("iamdrill: {err:#}");
            ExitCode::from(2)
        }
    }
}
