//! A progress line on stderr for long commands (only when stderr is a terminal).
//!
//! A thread redraws it five times a second from shared counters (bytes of the input read, values
//! done), so any command can show one: `import  [#####·····]  45%  1,230,000 values  12.3 s`.
//! Nothing is drawn for commands that end within a second. [`Ticker::finish`] leaves the last
//! line; dropping the ticker without it (a failure) clears the line, so the error that follows
//! starts on a clean line. With `--progress json` the same counters go to stderr as JSON lines,
//! terminal or not, for programs that drive the command.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const WIDTH: usize = 30;

/// What the line shows.
#[derive(Clone, Debug)]
pub struct Counters {
    /// Bytes of the input (compressed) read so far, or written so far for an export.
    pub bytes: Arc<AtomicU64>,
    /// The input's size, when known: the line then shows a bar and a percentage.
    pub size: Option<u64>,
    /// Values done, when the command counts them.
    pub values: Option<Arc<AtomicU64>>,
}

/// How progress is shown (`--progress`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// A progress line when stderr is a terminal, nothing otherwise.
    Auto,
    /// JSON lines on stderr, for programs that drive the command: `{"phase":"import",
    /// "bytes":…,"size":…,"values":…,"elapsedMs":…}` when it starts, at each phase, every
    /// half second, and a last line with `"phase":"done"` (or `"failed"`).
    Json,
    /// Nothing.
    Off,
}

static MODE: AtomicU8 = AtomicU8::new(0);

/// Sets how every ticker of this process shows progress (`--progress`).
pub fn set_mode(mode: ProgressMode) {
    MODE.store(
        match mode {
            ProgressMode::Auto => 0,
            ProgressMode::Json => 1,
            ProgressMode::Off => 2,
        },
        Ordering::Relaxed,
    );
}

fn mode() -> ProgressMode {
    match MODE.load(Ordering::Relaxed) {
        1 => ProgressMode::Json,
        2 => ProgressMode::Off,
        _ => ProgressMode::Auto,
    }
}

enum Message {
    Phase(&'static str),
    Stop(bool),
}

/// The thread drawing the progress line (or writing JSON lines); see the module docs.
pub struct Ticker {
    stop: Option<mpsc::Sender<Message>>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    /// Starts drawing `label` and `counters` when stderr is a terminal (JSON lines with
    /// `--progress json`; nothing with `--progress off` or when stderr is not a terminal).
    pub fn start(label: &'static str, counters: Counters) -> Ticker {
        let json = match mode() {
            ProgressMode::Json => true,
            ProgressMode::Auto if std::io::stderr().is_terminal() => false,
            _ => {
                return Ticker {
                    stop: None,
                    thread: None,
                }
            }
        };
        let (stop, stopped) = mpsc::channel::<Message>();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut phase = label;
            let mut drawn = false;
            let mut wait = if json {
                json_line(phase, &counters, started.elapsed());
                Duration::from_millis(500)
            } else {
                Duration::from_secs(1)
            };
            loop {
                match stopped.recv_timeout(wait) {
                    Err(RecvTimeoutError::Timeout) if json => {
                        json_line(phase, &counters, started.elapsed());
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        draw(phase, &counters, started, false);
                        drawn = true;
                        wait = Duration::from_millis(200);
                    }
                    Ok(Message::Phase(next)) => {
                        if next != phase {
                            phase = next;
                            if json {
                                json_line(phase, &counters, started.elapsed());
                            }
                        }
                    }
                    Ok(Message::Stop(keep)) => {
                        if json {
                            let last = if keep { "done" } else { "failed" };
                            json_line(last, &counters, started.elapsed());
                        } else if drawn {
                            if keep {
                                draw(phase, &counters, started, true);
                            } else {
                                clear();
                            }
                        }
                        return;
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        });
        Ticker {
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Names the phase the command is in now (`read`, `check`, `write`, …).
    pub fn phase(&self, phase: &'static str) {
        if let Some(stop) = &self.stop {
            let _ = stop.send(Message::Phase(phase));
        }
    }

    /// A handle that names phases from elsewhere (a library's progress callback).
    pub fn handle(&self) -> PhaseHandle {
        PhaseHandle(self.stop.clone())
    }

    /// Ends the line, leaving its last state on the terminal (the command succeeded).
    pub fn finish(mut self) {
        self.end(true);
    }

    fn end(&mut self, keep: bool) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(Message::Stop(keep));
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Names the phase of a [`Ticker`] from a progress callback that must own what it uses.
#[derive(Clone)]
pub struct PhaseHandle(Option<mpsc::Sender<Message>>);

impl PhaseHandle {
    /// Names the phase the command is in now (a repeat of the current phase changes nothing).
    pub fn phase(&self, phase: &'static str) {
        if let Some(stop) = &self.0 {
            let _ = stop.send(Message::Phase(phase));
        }
    }

    /// A callback for a library's progress events: `items` counts the items done, the phase is
    /// the event's.
    pub fn events(self, items: Arc<AtomicU64>) -> impl FnMut(dxf2_model::Progress) {
        move |p: dxf2_model::Progress| {
            items.store(p.done, Ordering::Relaxed);
            self.phase(p.phase.name());
        }
    }
}

/// One JSON progress line on stderr.
fn json_line(phase: &str, counters: &Counters, elapsed: Duration) {
    let opt = |v: Option<u64>| v.map_or("null".to_owned(), |v| v.to_string());
    // Phase first: the fields in a fixed order, for people reading along too.
    let line = format!(
        "{{\"phase\":{},\"bytes\":{},\"size\":{},\"values\":{},\"elapsedMs\":{}}}",
        serde_json::Value::from(phase),
        counters.bytes.load(Ordering::Relaxed),
        opt(counters.size),
        opt(counters.values.as_ref().map(|v| v.load(Ordering::Relaxed))),
        elapsed.as_millis()
    );
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
    let _ = err.flush();
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.end(false);
    }
}

/// The line for `counters` at `now`.
fn line(label: &str, counters: &Counters, elapsed: Duration, done: bool) -> String {
    let bytes = counters.bytes.load(Ordering::Relaxed);
    let mut line = String::with_capacity(100);
    line.push_str(label);
    line.push_str("  ");
    let fraction = match (counters.size, done) {
        (Some(_), true) => Some(1.0),
        (Some(size), false) if size > 0 => Some((bytes as f64 / size as f64).min(1.0)),
        _ => None,
    };
    if let Some(f) = fraction {
        let filled = ((f * WIDTH as f64) as usize).min(WIDTH);
        line.push('[');
        line.push_str(&"#".repeat(filled));
        line.push_str(&"·".repeat(WIDTH - filled));
        line.push_str(&format!("] {:>3.0}%  ", f * 100.0));
    } else {
        line.push_str(&format!(
            "{}  ",
            dxf2_model::limits::human_bytes(bytes as usize)
        ));
    }
    if let Some(values) = &counters.values {
        line.push_str(&format!(
            "{} values  ",
            thousands(values.load(Ordering::Relaxed))
        ));
    }
    line.push_str(&format!("{:.1} s", elapsed.as_secs_f64()));
    line
}

fn draw(label: &str, counters: &Counters, started: Instant, done: bool) {
    let text = line(label, counters, started.elapsed(), done);
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{text}\x1b[K");
    if done {
        let _ = writeln!(err);
    }
    let _ = err.flush();
}

fn clear() {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[K");
    let _ = err.flush();
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn lines() {
        let counters = Counters {
            bytes: Arc::new(AtomicU64::new(50)),
            size: Some(100),
            values: Some(Arc::new(AtomicU64::new(1_230_000))),
        };
        let text = line("import", &counters, Duration::from_millis(12_300), false);
        assert!(text.starts_with("import  [###############"), "{text}");
        assert!(text.ends_with("]  50%  1,230,000 values  12.3 s"), "{text}");
        let done = line("import", &counters, Duration::from_secs(1), true);
        assert!(done.contains("100%"), "{done}");
        let no_size = Counters {
            size: None,
            values: None,
            ..counters
        };
        assert!(line("export", &no_size, Duration::from_secs(2), false).ends_with("2.0 s"));
    }

    #[test]
    fn a_ticker_off_a_terminal_draws_nothing_and_ends() {
        let counters = Counters {
            bytes: Arc::new(AtomicU64::new(0)),
            size: None,
            values: None,
        };
        // Tests run with stderr captured: not a terminal.
        Ticker::start("convert", counters).finish();
    }
}
