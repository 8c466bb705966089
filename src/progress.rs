//! Progress on a terminal, silence when piped or with `--quiet`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Shows one spinner per stage on stderr when it is a terminal.
#[derive(Debug, Clone)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Enabled only on a terminal and without `quiet`.
    pub fn new(quiet: bool) -> Self {
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// Never shows anything (library use, tests).
    pub fn hidden() -> Self {
        Progress { enabled: false }
    }

    /// A spinner for a stage; finish it with [`ProgressBar::finish_and_clear`].
    pub fn stage(&self, message: &str) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}
