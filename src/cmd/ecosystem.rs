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
    /// Write `iamdrill.1` and one page per subcommand (`iamdrill-decks.1`, `iamdrill-cards-list.1`,
    /// …) into this directory instead of printing the main page.
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

/// Every man page: the main one first, then one per visible subcommand at any depth, each as
/// (file name, roff text). The main page's SEE ALSO names the others, so each must exist.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    fn collect(cmd: clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut text = Vec::new();
        man.render(&mut text)?;
        pages.push((man.get_filename(), text));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            collect(sub.clone(), pages)?;
        }
        Ok(())
    }
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    collect(cmd, &mut pages)?;
    Ok(pages)
}

pub fn run_completions(args: CompletionsArgs) -> color_eyre::Result<ExitCode> {
    super::output::emit(&String::from_utf8_lossy(&completions(args.shell)))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_man(args: ManArgs) -> color_eyre::Result<ExitCode> {
    match args.out {
        None => super::output::emit(&String::from_utf8_lossy(&man_page()?))?,
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(&dir) {
                super::output::error(&format_args!("cannot create {}: {e}", dir.display()));
                return Ok(ExitCode::from(2));
            }
            let mut written = String::new();
            for (name, text) in man_pages()? {
                let path = dir.join(name);
                if let Err(e) = std::fs::write(&path, &text) {
                    super::output::error(&format_args!("cannot write {}: {e}", path.display()));
                    return Ok(ExitCode::from(2));
                }
                written.push_str(&format!("{}\n", path.display()));
            }
            super::output::emit(&written)?;
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

    #[test]
    fn every_page_a_page_refers_to_is_generated() {
        let pages = man_pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[0], "iamdrill.1");
        for expected in [
            "iamdrill-decks.1",
            "iamdrill-decks-check.1",
            "iamdrill-cards-list.1",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        let mut references = 0;
        for (name, text) in &pages {
            let text = String::from_utf8(text.clone()).unwrap();
            assert!(text.contains(".SH NAME"), "{name} has no NAME section");
            for line in text.lines() {
                if let Some(page) = line.strip_suffix("(1)") {
                    let file = format!("{}.1", page.replace("\\-", "-"));
                    assert!(
                        names.contains(&file.as_str()),
                        "{name} refers to {file}, not generated"
                    );
                    references += 1;
                }
            }
        }
        assert!(references > 10, "only {references} references found");
    }
}
