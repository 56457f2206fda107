//! `iamdrill config example|show|check` and `iamdrill paths`: they run without a valid
//! configuration, since they are how a broken one is found and fixed.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use color_eyre::Result;

use super::output::{self, emit, print_json, usage};
use crate::context::Paths;
use crate::context::config::{Config, example};

/// `iamdrill config`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  iamdrill config example > \"$(iamdrill paths --json | jq -r .config)\"\n  iamdrill config show --json\n  iamdrill config check ./config.yaml"
)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented configuration file with every key and its default.
    Example,
    /// Print the effective configuration (defaults merged with the file).
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a configuration file (default: the one in the configuration directory).
    Check {
        /// The file to check.
        file: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(paths: &Paths, args: ConfigArgs) -> Result<ExitCode> {
    match args.command {
        ConfigCommand::Example => {
            emit(&example())?;
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Show { json } => match Config::load_or_default(&paths.config) {
            Ok(config) => {
                if json {
                    print_json(&config)?;
                } else {
                    emit(&output::clean(&serde_yaml::to_string(&config)?))?;
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(p) => usage(p),
        },
        ConfigCommand::Check { file, json } => {
            let path = file.unwrap_or_else(|| paths.config.clone());
            let shown = output::clean(&path.display().to_string());
            let missing = matches!(std::fs::symlink_metadata(&path),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound);
            if missing {
                if json {
                    print_json(
                        &serde_json::json!({"file": shown, "ok": true, "exists": false, "problems": []}),
                    )?;
                } else {
                    emit(&format!("{shown}: no config file, defaults in use\n"))?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            let result = Config::load_all(&path);
            let problems: &[crate::deck::load::Problem] = match &result {
                Ok(_) => &[],
                Err(problems) => problems,
            };
            if json {
                let problems: Vec<serde_json::Value> = problems
                    .iter()
                    .map(|p| {
                        serde_json::json!({"file": p.file, "line": p.line, "column": p.column, "message": p.message})
                    })
                    .collect();
                print_json(
                    &serde_json::json!({"file": shown, "ok": result.is_ok(), "exists": true, "problems": problems}),
                )?;
            } else if problems.is_empty() {
                emit(&format!("{shown}: ok\n"))?;
            } else {
                for p in problems {
                    output::say(p);
                }
                output::say(&output::count(problems.len() as u64, "problem", "problems"));
            }
            Ok(if result.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// `iamdrill paths [--json]`.
pub fn run_paths(p: &Paths, json: bool) -> Result<ExitCode> {
    if json {
        print_json(p)?;
    } else {
        let show = |path: &std::path::Path| output::clean(&path.display().to_string());
        emit(&format!(
            "data:     {}\ndatabase: {}\nbackups:  {}\nconfig:   {}\ndecks:    {}\nstate:    {}\nlog:      {}\n",
            show(&p.data),
            show(&p.database),
            show(&p.backups),
            show(&p.config),
            show(&p.decks),
            show(&p.state),
            show(&p.log)
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
