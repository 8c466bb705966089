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
}

fn feature_prefix(feature: Option<usize>) -> String {
    match feature {
        Some(i) => format!("feature {i}: "),
        None => String::new(),
    }
}

impl Error {
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

pub type Result<T, E = Error> = std::result::Result<T, E>;

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

    pub fn to_vec(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
