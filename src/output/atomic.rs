//! Atomic outputs: every file is written into a staging folder inside the output folder and
//! renamed into place only when the whole run has succeeded, so a failed or killed run leaves
//! the previous outputs as they were.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const STAGING_PREFIX: &str = ".kindscape-staging-";

/// A set of output files being written.
pub struct Staging {
    out_dir: PathBuf,
    stage: PathBuf,
    files: Vec<String>,
    committed: bool,
}

impl Staging {
    /// Prepares the output folder (created if needed) and a fresh staging folder in it. Staging
    /// folders left by killed runs are removed first.
    pub fn new(out_dir: &Path) -> Result<Staging> {
        fs::create_dir_all(out_dir)
            .map_err(|e| Error::io(out_dir, format!("cannot create the output folder: {e}")))?;
        if let Ok(entries) = fs::read_dir(out_dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(STAGING_PREFIX) {
                    let _ = fs::remove_dir_all(e.path());
                }
            }
        }
        let stage = out_dir.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        fs::create_dir_all(&stage).map_err(|e| {
            Error::io(
                out_dir,
                format!("the output folder is not writable ({e}); choose another with --out"),
            )
        })?;
        Ok(Staging {
            out_dir: out_dir.to_path_buf(),
            stage,
            files: Vec::new(),
            committed: false,
        })
    }

    /// Creates a file to be committed under `name`.
    pub fn create(&mut self, name: &str) -> Result<BufWriter<File>> {
        let path = self.stage.join(name);
        let f = File::create(&path).map_err(|e| Error::io(self.out_dir.join(name), e))?;
        self.files.push(name.to_string());
        Ok(BufWriter::with_capacity(1 << 20, f))
    }

    /// Writes a whole file at once.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut w = self.create(name)?;
        w.write_all(bytes)
            .map_err(|e| Error::io(self.out_dir.join(name), e))?;
        finish(w, &self.out_dir.join(name))
    }

    /// The final path of an output.
    pub fn final_path(&self, name: &str) -> PathBuf {
        self.out_dir.join(name)
    }

    /// Moves every staged file into the output folder.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut done = Vec::new();
        for name in &self.files {
            let to = self.out_dir.join(name);
            fs::rename(self.stage.join(name), &to).map_err(|e| Error::io(&to, e))?;
            done.push(to);
        }
        let _ = fs::remove_dir_all(&self.stage);
        self.committed = true;
        Ok(done)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.stage);
        }
    }
}

/// Flushes and syncs a staged file, naming it in any error.
pub fn finish(w: BufWriter<File>, name: &Path) -> Result<()> {
    let f = w.into_inner().map_err(|e| Error::io(name, e.error()))?;
    f.sync_all().map_err(|e| Error::io(name, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_leaves_earlier_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Staging::new(dir.path()).unwrap();
        s.write("a.csv", b"first").unwrap();
        s.commit().unwrap();
        {
            let mut s = Staging::new(dir.path()).unwrap();
            s.write("a.csv", b"second, never committed").unwrap();
            // Dropped without commit, as on an error.
        }
        assert_eq!(
            fs::read_to_string(dir.path().join("a.csv")).unwrap(),
            "first"
        );
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, vec!["a.csv"]);
    }
}
