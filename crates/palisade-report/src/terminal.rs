//! What the output is written to: whether to colour it and how wide it is.

use std::io::IsTerminal;

/// The width of standard output when it is a terminal: `COLUMNS` when set (so
/// users and tests can choose), else the terminal's own size. `None` when the
/// output goes to a file or a pipe: then nothing is wrapped.
pub fn stdout_width() -> Option<usize> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
    {
        return Some(columns).filter(|&c| c > 0);
    }
    terminal_columns(&stdout)
}

#[cfg(unix)]
fn terminal_columns(stdout: &std::io::Stdout) -> Option<usize> {
    rustix::termios::tcgetwinsize(stdout)
        .ok()
        .map(|size| usize::from(size.ws_col))
        .filter(|&c| c > 0)
}

/// Elsewhere only `COLUMNS` tells the width.
#[cfg(not(unix))]
fn terminal_columns(_stdout: &std::io::Stdout) -> Option<usize> {
    None
}

/// ANSI styling that can be switched off.
#[derive(Clone, Copy, Debug)]
pub struct Paint {
    pub on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    pub fn severity(&self, severity: palisade_core::Severity, text: &str) -> String {
        use palisade_core::Severity;
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, text)
    }
}
