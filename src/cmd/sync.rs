//! `iamdrill sync [DIR]`, `sync --status`: progress on every machine through a folder another
//! program syncs (see the README's "Sync between machines").

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use color_eyre::Result;

use super::output::{clean, emit, print_json, usage, warn};
use crate::context::Context;
use crate::context::clock::format_rfc3339;
use crate::store::{SyncReport, SyncStatus};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The shared folder (default: `sync_dir` in the configuration).
    pub dir: Option<PathBuf>,
    /// Show the machines seen, their latest events and what is waiting; changes nothing.
    #[arg(long)]
    pub status: bool,
    /// Give this database a new device id: for a copy of another machine's database, which
    /// would otherwise write under that machine's id.
    #[arg(long, conflicts_with = "status")]
    pub new_device_id: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `iamdrill sync`.
pub fn run(ctx: &Context, args: SyncArgs) -> Result<ExitCode> {
    let dir = args.dir.clone().or_else(|| ctx.sync_dir());
    let mut store = ctx.open_store()?;
    if args.new_device_id {
        let id = store.new_device_id()?;
        if args.json {
            print_json(&serde_json::json!({ "device": id.as_str() }))?;
        } else {
            emit(&format!(
                "This database is now device {id}: its events from now on go to its own file; the history so far stays under the old id.\n"
            ))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.status {
        let status = store.sync_status(dir.as_deref())?;
        if args.json {
            print_json(&status)?;
        } else {
            emit(&status_text(&status))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(dir) = dir else {
        return usage(
            "no sync folder: name one (`iamdrill sync DIR`) or set `sync_dir` in config.yaml \
             (see `iamdrill config example`)",
        );
    };
    let report = store.sync_folder(&dir, &ctx.device_name(), ctx.clock.now_ms())?;
    for p in &report.problems {
        warn(p);
    }
    if args.json {
        print_json(&report)?;
    } else {
        emit(&report_text(&report, &dir))?;
    }
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn report_text(r: &SyncReport, dir: &std::path::Path) -> String {
    let events = if r.written == 1 { "event" } else { "events" };
    format!(
        "Synced with {}: wrote {} {events}; took {}; {} {} replayed.\n",
        clean(&dir.display().to_string()),
        r.written,
        clean(&r.summary()),
        r.cards_replayed,
        if r.cards_replayed == 1 {
            "card"
        } else {
            "cards"
        },
    )
}

fn status_text(s: &SyncStatus) -> String {
    let mut out = String::new();
    match &s.folder {
        Some(dir) => out.push_str(&format!("Folder: {}\n", clean(&dir.display().to_string()))),
        None => out.push_str("Folder: none (set `sync_dir` in config.yaml or name one)\n"),
    }
    match &s.last_sync {
        Some(r) => out.push_str(&format!(
            "Last sync: {} ({})\n",
            format_rfc3339(r.at),
            clean(&r.summary())
        )),
        None => out.push_str("Last sync: never\n"),
    }
    out.push_str(&format!(
        "\n{:<18} {:<24} {:<22} {:>8} {:>8}\n",
        "DEVICE", "NAME", "LAST EVENT", "EVENTS", "PENDING"
    ));
    for d in &s.devices {
        let name = d.name.as_deref().map(clean).unwrap_or_else(|| "-".into());
        let name = if d.this_device {
            format!("{name} (this one)")
        } else {
            name
        };
        let name: String = name.chars().take(24).collect();
        out.push_str(&format!(
            "{:<18} {:<24} {:<22} {:>8} {:>8}\n",
            d.id,
            name,
            d.last_event_at.map_or("-".to_string(), format_rfc3339),
            d.events,
            d.pending
        ));
    }
    for p in &s.problems {
        out.push_str(&format!("problem: {}\n", clean(p)));
    }
    out
}
