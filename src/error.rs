//! Errors a user can act on, and the warnings a run collects along the way.
//!
//! Every error names the file, the feature or key, and what is wrong. User data never panics:
//! loaders return [`Error`] and the binary prints it and exits with status 1.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    /// The study file is malformed or inconsistent.
    #[error("{path}: {message}")]
    Study { path: PathBuf, message: String },
    /// A layer (or one of its features) is unusable.
    #[error("{path}: {}{message}", feature_prefix(*.feature))]
    Layer {
        path: PathBuf,
        feature: Option<usize>,
        message: String,
    },
    /// Anything else that stops a run (bad combination of inputs, nothing to compute).
    #[error("{0}")]
    Other(String),
    /// An error met after warnings were given: they may explain it (a feature skipped for want
    /// of a geometry is why a count falls short), so the CLI prints them before it.
    #[error("{error}")]
    AfterWarnings {
        /// Sorted, as at the end of a run.
        warnings: Vec<String>,
        error: Box<Error>,
    },
}

fn feature_prefix(feature: Option<usize>) -> String {
    match feature {
        Some(i) => format!("feature {i}: "),
        None => String::new(),
    }
}

impl Error {
    /// This error with the warnings gathered before it (itself when there are none).
    pub fn after_warnings(self, warnings: &Warnings) -> Self {
        if warnings.is_empty() || matches!(self, Error::AfterWarnings { .. }) {
            return self;
        }
        Error::AfterWarnings {
            warnings: warnings.to_vec(),
            error: Box::new(self),
        }
    }

    /// The warnings given before this error, sorted (none for most errors).
    pub fn warnings_before(&self) -> &[String] {
        match self {
            Error::AfterWarnings { warnings, .. } => warnings,
            _ => &[],
        }
    }

    pub fn io(path: impl AsRef<Path>, err: impl fmt::Display) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            message: err.to_string(),
        }
    }

    pub fn study(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error::Study {
            path: path.as_ref().to_path_buf(),
            message: message.into(),
        }
    }

    pub fn layer(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error::Layer {
            path: path.as_ref().to_path_buf(),
            feature: None,
            message: message.into(),
        }
    }

    pub fn feature(path: impl AsRef<Path>, feature: usize, message: impl Into<String>) -> Self {
        Error::Layer {
            path: path.as_ref().to_path_buf(),
            feature: Some(feature),
            message: message.into(),
        }
    }
}

impl Error {
    /// The same error with `context` (what the file was read for) before its message.
    pub fn within(self, context: &str) -> Self {
        let prefixed = |m: String| format!("{context}: {m}");
        match self {
            Error::Io { path, message } => Error::Io {
                path,
                message: prefixed(message),
            },
            Error::Study { path, message } => Error::Study {
                path,
                message: prefixed(message),
            },
            Error::Layer {
                path,
                feature,
                message,
            } => Error::Layer {
                path,
                feature,
                message: prefixed(message),
            },
            Error::Other(m) => Error::Other(prefixed(m)),
            Error::AfterWarnings { warnings, error } => Error::AfterWarnings {
                warnings,
                error: Box::new(error.within(context)),
            },
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A coordinate as a message shows it: `(150100, 4.6e11)`, each number by [`shown`].
pub fn shown_coord(x: f64, y: f64) -> String {
    format!("({}, {})", shown(x), shown(y))
}

/// A number as a message shows it. Rust's `{}` writes every digit of an `f64` (1e300 comes out
/// as 301 digits) and 0.1 + 0.2 as 0.30000000000000004; a user needs neither. Beyond a billion
/// and below 0.0001 it is written as `1.5e300`, else with its shortest exact digits when they
/// are few, or rounded to 6 decimals.
pub fn shown(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    if !(1e-4..1e9).contains(&x.abs()) {
        let s = format!("{x:.3e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let exact = format!("{x}");
    if exact.len() <= 12 {
        return exact;
    }
    let rounded = format!("{x:.6}");
    rounded
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// Warnings collected during a run: printed by the CLI and written to `run.json`.
///
/// Shared by reference across stages (and threads), so it uses interior mutability.
#[derive(Debug, Default)]
pub struct Warnings(Mutex<Vec<String>>);

impl Warnings {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&self, message: impl Into<String>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(message.into());
    }

    /// The warnings, sorted: the same list whatever the thread count or the order in which
    /// stages (or parallel readers) pushed them.
    pub fn to_vec(&self) -> Vec<String> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        all.sort();
        all
    }

    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_messages_are_short() {
        assert_eq!(shown(1e300), "1e300");
        assert_eq!(shown(-1.5e300), "-1.5e300");
        assert_eq!(shown(181_945_123_456.7), "1.819e11");
        assert_eq!(shown(2.5e-7), "2.5e-7");
        assert_eq!(shown(0.1 + 0.2), "0.3");
        assert_eq!(shown(150_100.0), "150100");
        assert_eq!(shown(52.1), "52.1");
        assert_eq!(shown(-4.25), "-4.25");
        assert_eq!(shown(123_456.123_456_789), "123456.123457");
        assert_eq!(shown(0.0), "0");
        assert_eq!(shown(f64::NAN), "NaN");
        assert_eq!(shown(f64::INFINITY), "inf");
    }

    #[test]
    fn warnings_come_out_sorted_whatever_the_order_pushed() {
        let w = Warnings::new();
        std::thread::scope(|s| {
            for m in ["c: third", "a: first", "b: second"] {
                let w = &w;
                s.spawn(move || w.push(m));
            }
        });
        w.push("a: also first");
        assert_eq!(
            w.to_vec(),
            ["a: also first", "a: first", "b: second", "c: third"]
        );
    }
}
