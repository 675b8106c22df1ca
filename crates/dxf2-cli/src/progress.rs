//! A progress bar on stderr for long imports (only when stderr is a terminal).

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use import_engine::Progress;

const WIDTH: usize = 30;

/// Redraws at most a few times a second: `[#####·····]  45%  1,230,000 values  12.3 s`.
pub struct Bar {
    enabled: bool,
    consumed: Arc<AtomicU64>,
    size: Option<u64>,
    started: Instant,
    last_draw: Option<Instant>,
}

impl Bar {
    /// A bar over an input of `size` bytes whose consumption `consumed` counts.
    pub fn new(enabled: bool, consumed: Arc<AtomicU64>, size: Option<u64>) -> Bar {
        Bar {
            enabled,
            consumed,
            size,
            started: Instant::now(),
            last_draw: None,
        }
    }

    /// Takes a progress event from the engine.
    pub fn update(&mut self, p: Progress) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let done = p.total.is_some();
        let due = self
            .last_draw
            .is_none_or(|t| now.duration_since(t) >= Duration::from_millis(200));
        if !due && !done {
            return;
        }
        // Say nothing for imports that finish within a second.
        if self.last_draw.is_none()
            && done
            && now.duration_since(self.started) < Duration::from_secs(1)
        {
            return;
        }
        self.last_draw = Some(now);
        let fraction = match (self.size, done) {
            (_, true) => Some(1.0),
            (Some(size), false) if size > 0 => {
                Some((self.consumed.load(Ordering::Relaxed) as f64 / size as f64).min(1.0))
            }
            _ => None,
        };
        let mut line = String::with_capacity(80);
        if let Some(f) = fraction {
            let filled = ((f * WIDTH as f64) as usize).min(WIDTH);
            line.push('[');
            line.push_str(&"#".repeat(filled));
            line.push_str(&"·".repeat(WIDTH - filled));
            line.push_str(&format!("] {:>3.0}%  ", f * 100.0));
        }
        line.push_str(&format!(
            "{} values  {:.1} s",
            thousands(p.values_done),
            now.duration_since(self.started).as_secs_f64()
        ));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}   ");
        if done {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
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
}
