//! A progress line on standard error while `scan` reads and analyzes: a
//! spinner while the inputs are read, then a bar over the analyzers with the
//! files read and objects analyzed. It is drawn only when standard error is a
//! terminal and `--quiet` is not given, and cleared before the report is
//! written, so pipes, files, CI logs and tests see nothing of it.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::GlobalArgs;

/// How often the spinner moves while the inputs are read.
const TICK: Duration = Duration::from_millis(120);

/// The progress of one scan; does nothing when hidden.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A spinner for the reading phase, drawn only on an interactive stderr.
    pub fn start(global: &GlobalArgs) -> Progress {
        let shown = !global.quiet && std::io::stderr().is_terminal();
        Progress::with_target(if shown {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        })
    }

    fn with_target(target: ProgressDrawTarget) -> Progress {
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
            bar.set_style(style);
        }
        bar.set_message("reading inputs");
        bar.enable_steady_tick(TICK);
        Progress { bar }
    }

    /// Switches to a bar over `analyzers` once `files` are read into `objects`.
    pub fn analyzing(&self, files: usize, objects: usize, analyzers: usize) {
        self.bar.disable_steady_tick();
        self.bar
            .set_length(u64::try_from(analyzers).unwrap_or(u64::MAX));
        self.bar.set_position(0);
        if let Ok(style) =
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} analyzers: {msg}")
        {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar
            .set_prefix(format!("{files} files read, {objects} objects"));
    }

    /// Says which analyzer runs now.
    pub fn analyzer(&self, name: &'static str) {
        self.bar.set_message(name);
    }

    /// One analyzer is done.
    pub fn done_one(&self) {
        self.bar.inc(1);
    }

    /// Removes the line, before the report is written.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// True when nothing is drawn.
    #[cfg(test)]
    fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }
}

/// A scan that stops with an error clears the line too, so the error message
/// starts on a clean line.
impl Drop for Progress {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_progress_accepts_every_step() {
        let progress = Progress::with_target(ProgressDrawTarget::hidden());
        assert!(progress.is_hidden());
        progress.analyzing(3, 10, 2);
        progress.analyzer("pss");
        progress.done_one();
        progress.finish();
        assert!(progress.bar.is_finished());
    }
}
