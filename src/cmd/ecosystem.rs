//! Shell completions and the man page, generated from the command-line definition.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, ValueEnum};

/// Shells that completions can be generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// `iamdrill completions`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  iamdrill completions bash > ~/.local/share/bash-completion/completions/iamdrill\n  iamdrill completions zsh > \"${fpath[1]}/_iamdrill\"\n  iamdrill completions fish > ~/.config/fish/completions/iamdrill.fish"
)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `iamdrill man`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  iamdrill man | man -l -\n  iamdrill man --out /usr/local/share/man/man1"
)]
pub struct ManArgs {
    /// Write `iamdrill.1` into this directory instead of printing it.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    let name = "iamdrill";
    match shell {
        Shell::Bash => {
            clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, name, &mut out)
        }
        Shell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, name, &mut out),
        Shell::Fish => {
            clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, name, &mut out)
        }
        Shell::Powershell => {
            clap_complete::generate(clap_complete::Shell::PowerShell, &mut cmd, name, &mut out)
        }
    }
    out
}

/// The roff man page.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    Ok(out)
}

pub fn run_completions(args: CompletionsArgs) -> color_eyre::Result<ExitCode> {
    super::output::emit(&String::from_utf8_lossy(&completions(args.shell)))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_man(args: ManArgs) -> color_eyre::Result<ExitCode> {
    let page = man_page()?;
    match args.out {
        None => super::output::emit(&String::from_utf8_lossy(&page))?,
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(&dir) {
                super::output::error(&format_args!("cannot create {}: {e}", dir.display()));
                return Ok(ExitCode::from(2));
            }
            let path = dir.join("iamdrill.1");
            if let Err(e) = std::fs::write(&path, &page) {
                super::output::error(&format_args!("cannot write {}: {e}", path.display()));
                return Ok(ExitCode::from(2));
            }
            super::output::emit(&format!("{}\n", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_generates() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell] {
            let text = String::from_utf8(completions(shell)).unwrap();
            for sub in ["decks", "compile", "config", "completions", "paths"] {
                assert!(text.contains(sub), "{shell:?} lacks {sub}");
            }
        }
    }

    #[test]
    fn man_page_has_sections() {
        let text = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(text.contains(".SH NAME"), "{text}");
        assert!(text.contains(".SH SYNOPSIS"), "{text}");
        assert!(text.contains("iamdrill"));
    }
}
