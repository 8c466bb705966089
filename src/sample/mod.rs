//! The sample town (in progress).
use std::path::Path;

/// Writes the sample town to `dir`.
pub fn run_cli(_dir: &Path, _homes: Option<usize>, _seed: u64) -> crate::Result<()> {
    Err(crate::Error::Other(
        "the sample generator is not merged yet".into(),
    ))
}
