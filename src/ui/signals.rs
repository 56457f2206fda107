//! Signals while the app owns the terminal. A handler only records which signal came; the app
//! loop acts on it between two draws: SIGTERM, SIGHUP, SIGINT and SIGQUIT save what is in flight
//! and end the app with the terminal restored; SIGTSTP hands the terminal back and stops;
//! SIGCONT (after `fg`) takes the terminal again and redraws everything.
//!
//! A second ending signal that arrives before the loop has acted on the first (the loop is
//! blocked) ends the process at once, as the signal would without the app.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ratatui::crossterm::event;
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// What the loop should do about the signals that came since it last asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    None,
    /// End the app: the signal's number (the exit status is 128 + it).
    End(i32),
    /// Suspend to the shell (Ctrl-Z typed at a terminal not in raw mode, or `kill -TSTP`).
    Stop,
    /// Resumed after a stop the app did not see coming (SIGSTOP): take the terminal again.
    Resumed,
}

/// The signals the app handles, registered for as long as this value lives.
pub struct Signals {
    #[cfg(unix)]
    ids: Vec<signal_hook::SigId>,
    end: Arc<AtomicUsize>,
    ending: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    resumed: Arc<AtomicBool>,
}

/// The signals that end the app.
#[cfg(unix)]
pub const ENDING: [i32; 4] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGQUIT,
];

impl Signals {
    /// Registers the handlers.
    pub fn register() -> io::Result<Signals> {
        let mut signals = Signals {
            #[cfg(unix)]
            ids: Vec::new(),
            end: Arc::new(AtomicUsize::new(0)),
            ending: Arc::new(AtomicBool::new(false)),
            stop: Arc::new(AtomicBool::new(false)),
            resumed: Arc::new(AtomicBool::new(false)),
        };
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGCONT, SIGTSTP};
            use signal_hook::flag;
            for sig in ENDING {
                // Registered before the flag is set, so it only fires for a second signal.
                signals.ids.push(flag::register_conditional_shutdown(
                    sig,
                    128 + sig,
                    Arc::clone(&signals.ending),
                )?);
                signals
                    .ids
                    .push(flag::register(sig, Arc::clone(&signals.ending))?);
                signals.ids.push(flag::register_usize(
                    sig,
                    Arc::clone(&signals.end),
                    sig as usize,
                )?);
            }
            signals
                .ids
                .push(flag::register(SIGTSTP, Arc::clone(&signals.stop))?);
            signals
                .ids
                .push(flag::register(SIGCONT, Arc::clone(&signals.resumed))?);
        }
        Ok(signals)
    }

    /// The signal to act on now, if any; an ending signal wins over the others.
    pub fn take(&self) -> Pending {
        let end = self.end.load(Ordering::SeqCst);
        if end != 0 {
            return Pending::End(i32::try_from(end).unwrap_or(i32::MAX));
        }
        if self.stop.swap(false, Ordering::SeqCst) {
            self.resumed.store(false, Ordering::SeqCst);
            return Pending::Stop;
        }
        if self.resumed.swap(false, Ordering::SeqCst) {
            return Pending::Resumed;
        }
        Pending::None
    }

    /// Whether a signal that ends the app has arrived, as a check that can be handed to code
    /// that cannot see these signals (a wait for a lock gives up when the app must end).
    pub fn ending_check(&self) -> impl Fn() -> bool + Send + 'static {
        let end = Arc::clone(&self.end);
        move || end.load(Ordering::SeqCst) != 0
    }

    /// Marks a resume as seen (after the app stopped itself and came back).
    pub fn clear_resumed(&self) {
        self.resumed.store(false, Ordering::SeqCst);
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        #[cfg(unix)]
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Gives the terminal back as it was before the app: mouse reporting and bracketed paste off,
/// the main screen, the cursor shown, raw mode off. Errors are ignored (the terminal may be gone).
pub fn release_terminal() {
    let _ = execute!(
        io::stdout(),
        event::DisableMouseCapture,
        event::DisableBracketedPaste,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Takes the terminal for the app: raw mode, the alternate screen, mouse reporting, bracketed
/// paste. Raw mode is set again even if the app believes it is on: a shell may have reset the
/// terminal while the app was stopped.
pub fn claim_terminal() -> io::Result<()> {
    let _ = disable_raw_mode();
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        event::EnableMouseCapture,
        event::EnableBracketedPaste
    )
}

/// Hands the terminal back and stops the process as Ctrl-Z does in a shell; returns once the
/// shell resumed it (`fg`), with the terminal taken again.
pub fn suspend() -> io::Result<()> {
    release_terminal();
    #[cfg(unix)]
    signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP)?;
    claim_terminal()
}
