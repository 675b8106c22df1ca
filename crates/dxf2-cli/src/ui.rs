//! How the command speaks on stderr: one style for every message, the same as clap's own
//! (`error: …`, `warning: …`, `note: …`, `hint: …`, the label coloured when stderr is a terminal
//! and `NO_COLOR` is unset), and telling a closed pipe from a real write failure.

use std::io::{IsTerminal, Write};

/// The kind of a message, which is its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The command failed.
    Error,
    /// Something the user should look at; the command went on.
    Warning,
    /// A fact DHIS2 would not have said (a dry run, a file without values, …).
    Note,
    /// What to do about the message before it.
    Hint,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
            Level::Hint => "hint",
        }
    }

    /// The ANSI colour of the label (as clap colours `error:` and `tip:`).
    fn colour(self) -> &'static str {
        match self {
            Level::Error => "\x1b[1;31m",
            Level::Warning => "\x1b[1;33m",
            Level::Note => "\x1b[1;36m",
            Level::Hint => "\x1b[1;32m",
        }
    }
}

/// Whether stderr gets colours: a terminal, and `NO_COLOR` unset (<https://no-color.org>).
fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints `message` on stderr with its label (`error: …`); every line after the first is
/// indented under it.
pub fn say(level: Level, message: &str) {
    let label = level.label();
    let mut err = std::io::stderr().lock();
    let _ = if colour() {
        writeln!(err, "{}{label}:\x1b[0m {message}", level.colour())
    } else {
        writeln!(err, "{label}: {message}")
    };
}

/// `error: …` on stderr.
pub fn error(message: &str) {
    say(Level::Error, message);
}

/// `warning: …` on stderr.
pub fn warning(message: &str) {
    say(Level::Warning, message);
}

/// `note: …` on stderr.
pub fn note(message: &str) {
    say(Level::Note, message);
}

/// `hint: …` on stderr.
pub fn hint(message: &str) {
    say(Level::Hint, message);
}

/// Whether `error` (or an error it wraps) is a write to a pipe whose reader has gone (`dxf2 … |
/// head`): not a failure of the command, which then ends quietly.
pub fn is_broken_pipe(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return true;
            }
        }
        current = e.source();
    }
    // Codecs that keep only the text of an I/O error.
    error.to_string().contains("Broken pipe (os error 32)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipes_are_recognised_through_wrappers() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&pipe));
        let wrapped = dxf2_io::Error::new("<stdout>", dxf2_io::ErrorKind::Io(pipe));
        assert!(is_broken_pipe(&wrapped));
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(!is_broken_pipe(&full));
    }
}
