//! Atomic outputs: a run writes every file into a new folder beside the output folder and swaps
//! it in with one rename once the whole run has succeeded. A reader, or a run that is killed or
//! fails at any moment, sees either the whole previous set of outputs or the whole new one.
//!
//! For an output folder `out/city`, a run uses, beside it in `out/`:
//! * `.city.kindscape-lock`: locked (`flock`) for the whole run, holding the run's pid and start
//!   time, so a second run into the same folder refuses at once and names the first;
//! * `.city.kindscape-new-<pid>`: the new outputs, written and synced there;
//! * on Linux the new folder and `city` are exchanged in one `renameat2(RENAME_EXCHANGE)`, and the
//!   old set, now under the new folder's name, is removed. Elsewhere (or on a filesystem without
//!   the exchange) `city` is renamed to `.city.kindscape-old-<pid>` first; a kill between the two
//!   renames leaves the old set whole under that name, and the next run puts it back.
//!
//! Whatever a dead run left (its new or old folder) is cleaned by the next run into the same
//! folder, under the lock, so never a live run's.
//!
//! `KINDSCAPE_TEST_KILL_AT=<step>` aborts the process at that step (`wrote:<file>`, `staged`,
//! `exchanged`, `old-moved`, `renamed`), `KINDSCAPE_TEST_PAUSE_AT=<step>` pauses it there for 3 s,
//! and `KINDSCAPE_TEST_NO_EXCHANGE=1` takes the portable path; tests use them to kill a run at
//! every step of the commit and to start a second run while the first holds the lock.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::folder;
use crate::error::{Error, Result};
use crate::study::Input;

/// A set of output files being written.
pub struct Staging {
    /// The output folder as the user named it (for messages).
    out_dir: PathBuf,
    /// The output folder resolved (links and `..`), where the new set is swapped in.
    target: PathBuf,
    stage: PathBuf,
    /// The files created, in the order created (files are written side by side).
    files: Mutex<Vec<String>>,
    /// Held until the end of the run; closing it releases the lock.
    _lock: File,
    lock_path: PathBuf,
}

/// The names beside `target` that a run uses.
struct Siblings {
    lock: PathBuf,
    new_prefix: String,
    old_prefix: String,
}

fn siblings(target: &Path) -> Siblings {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let name = within_name_max(name);
    let parent = target.parent().unwrap_or(Path::new("/"));
    Siblings {
        lock: parent.join(format!(".{name}.kindscape-lock")),
        new_prefix: format!(".{name}.kindscape-new-"),
        old_prefix: format!(".{name}.kindscape-old-"),
    }
}

/// The longest folder name whose sibling names stay within the 255 bytes a file name may have
/// (NAME_MAX): a dot, the name, ".kindscape-new-" and a process id of up to 7 digits.
const LONGEST_WHOLE_NAME: usize = 200;

/// The output folder's name as its sibling names carry it: whole when short enough, else its
/// first bytes and a hash of the whole (SHA-256, the same in every run and version, so that a
/// later run finds what a killed one left).
fn within_name_max(name: String) -> String {
    if name.len() <= LONGEST_WHOLE_NAME {
        return name;
    }
    use sha2::{Digest, Sha256};
    let hash = format!("{:x}", Sha256::digest(name.as_bytes()));
    let mut cut = LONGEST_WHOLE_NAME - 40;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{}", &name[..cut], &hash[..16])
}

impl Staging {
    /// Checks the output folder against the study's inputs and its own contents, takes the lock
    /// and prepares a fresh folder for the new outputs, before any work.
    pub fn new(out_dir: &Path, inputs: &[Input], study: &Path) -> Result<Staging> {
        let target = folder::resolved(out_dir);
        folder::check_against_inputs(out_dir, &target, inputs, study)?;
        let parent = target
            .parent()
            .ok_or_else(|| Error::io(out_dir, "the output folder cannot be the root folder"))?;
        fs::create_dir_all(parent).map_err(|e| {
            Error::io(
                out_dir,
                format!("cannot create the output folder's parent: {e}"),
            )
        })?;
        let names = siblings(&target);
        let lock = lock(out_dir, &names.lock)?;
        // From here on, dropping the staging on an error releases and removes the lock.
        let staging = Staging {
            out_dir: out_dir.to_path_buf(),
            stage: parent.join(format!("{}{}", names.new_prefix, std::process::id())),
            target,
            files: Mutex::new(Vec::new()),
            _lock: lock,
            lock_path: names.lock.clone(),
        };
        clean_after_dead_runs(out_dir, &staging.target, &names)?;
        folder::check_contents(out_dir, &staging.target)?;
        fs::create_dir(&staging.stage).map_err(|e| {
            Error::io(
                out_dir,
                format!("the output folder is not writable ({e}); choose another with --out"),
            )
        })?;
        Ok(staging)
    }

    /// Creates a file to be committed under `name` (one of [`folder::OUTPUT_FILES`]); files may
    /// be created and written from several threads at once.
    pub fn create(&self, name: &str) -> Result<BufWriter<File>> {
        let path = self.create_path(name);
        let f = File::create(&path).map_err(|e| Error::io(self.out_dir.join(name), e))?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    }

    /// The staged path of a file to be committed under `name`, for writers that need a path
    /// (SQLite); the caller creates it.
    pub fn create_path(&self, name: &str) -> PathBuf {
        debug_assert!(folder::OUTPUT_FILES.contains(&name), "{name} is not listed");
        // A writer that panicked has left the list whole: a push is never half done.
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(name.to_string());
        self.stage.join(name)
    }

    /// Where a file already created under `name` is staged, for a writer that reads it.
    pub fn staged_path(&self, name: &str) -> PathBuf {
        self.stage.join(name)
    }

    /// Writes a whole file at once.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut w = self.create(name)?;
        w.write_all(bytes)
            .map_err(|e| Error::io(self.out_dir.join(name), e))?;
        finish(w, &self.out_dir.join(name))
    }

    /// The final path of an output.
    pub fn final_path(&self, name: &str) -> PathBuf {
        self.out_dir.join(name)
    }

    /// Swaps the new set of outputs in for the old one. Returns the files in the contract's
    /// order ([`folder::OUTPUT_FILES`]), whatever order they were written in.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        sync_dir(&self.stage);
        test_hook("staged");
        let err = |e: std::io::Error| {
            Error::io(
                &self.out_dir,
                format!("cannot put the new outputs in place: {e}"),
            )
        };
        if self.target.exists() {
            match exchange(&self.stage, &self.target) {
                Ok(()) => {
                    // The old set now sits under the staging name and is removed on drop.
                    test_hook("exchanged");
                }
                Err(_) => {
                    let names = siblings(&self.target);
                    let parent = self.target.parent().unwrap_or(Path::new("/"));
                    let old = parent.join(format!("{}{}", names.old_prefix, std::process::id()));
                    fs::rename(&self.target, &old).map_err(err)?;
                    test_hook("old-moved");
                    if let Err(e) = fs::rename(&self.stage, &self.target) {
                        let _ = fs::rename(&old, &self.target);
                        return Err(err(e));
                    }
                    test_hook("renamed");
                    let _ = fs::remove_dir_all(&old);
                }
            }
        } else {
            fs::rename(&self.stage, &self.target).map_err(err)?;
            test_hook("renamed");
        }
        if let Some(parent) = self.target.parent() {
            sync_dir(parent);
        }
        let _ = fs::remove_dir_all(&self.stage);
        let mut files =
            std::mem::take(self.files.get_mut().unwrap_or_else(PoisonError::into_inner));
        // A stable sort: names the list leaves out keep their order, after the listed ones.
        files.sort_by_key(|n| {
            folder::OUTPUT_FILES
                .iter()
                .position(|o| o == n)
                .unwrap_or(usize::MAX)
        });
        Ok(files.iter().map(|n| self.out_dir.join(n)).collect())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Uncommitted: the new outputs; committed by exchange: the old ones.
        let _ = fs::remove_dir_all(&self.stage);
        // Removed while still locked; a run that opened it meanwhile sees it was removed and
        // takes a new one (see `lock`).
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// Flushes and syncs a staged file, naming it in any error.
pub fn finish(w: BufWriter<File>, name: &Path) -> Result<()> {
    let f = w.into_inner().map_err(|e| Error::io(name, e.error()))?;
    f.sync_all().map_err(|e| Error::io(name, e))?;
    if let Some(file) = name.file_name() {
        test_hook(&format!("wrote:{}", file.to_string_lossy()));
    }
    Ok(())
}

/// Takes the output folder's lock, or says which run holds it. The lock file is removed by the
/// run that holds it when it ends, so a lock taken on a file that is no longer at `path` is
/// taken again on the new one.
fn lock(out_dir: &Path, path: &Path) -> Result<File> {
    for _ in 0..100 {
        let file = lock_once(out_dir, path)?;
        if same_file(&file, path) {
            return Ok(file);
        }
    }
    Err(Error::io(
        out_dir,
        format!(
            "cannot take the lock {} (it keeps being replaced)",
            path.display()
        ),
    ))
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

fn lock_once(out_dir: &Path, path: &Path) -> Result<File> {
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| {
            Error::io(
                out_dir,
                format!("the output folder is not writable ({e}); choose another with --out"),
            )
        })?;
    if !try_lock(&file) {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        let holder = holder.trim();
        let holder = if holder.is_empty() {
            "another kindscape run".to_string()
        } else {
            format!("another kindscape run ({holder})")
        };
        return Err(Error::io(
            out_dir,
            format!(
                "{holder} is writing this output folder; wait for it to finish or choose another folder with --out (lock: {})",
                path.display()
            ),
        ));
    }
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(
        file,
        "pid {}, started {}",
        std::process::id(),
        utc_time(started)
    );
    let _ = file.sync_all();
    Ok(file)
}

#[cfg(unix)]
fn try_lock(file: &File) -> bool {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor this function borrows; no memory is passed.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

#[cfg(not(unix))]
fn try_lock(file: &File) -> bool {
    file.try_lock().is_ok()
}

/// Removes what dead runs left beside the output folder (the lock is held, so no live run owns
/// any of it), and puts back an old set a run was killed with between its two renames.
fn clean_after_dead_runs(out_dir: &Path, target: &Path, names: &Siblings) -> Result<()> {
    let parent = target.parent().unwrap_or(Path::new("/"));
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    let mut olds = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with(&names.new_prefix) {
            let _ = fs::remove_dir_all(e.path());
        } else if name.starts_with(&names.old_prefix) {
            olds.push(e.path());
        }
    }
    for old in olds {
        if target.exists() {
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&old, target).map_err(|e| {
                Error::io(
                    out_dir,
                    format!(
                        "cannot restore the previous outputs from {} ({e})",
                        old.display()
                    ),
                )
            })?;
        }
    }
    Ok(())
}

/// Exchanges two folders in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    if std::env::var_os("KINDSCAPE_TEST_NO_EXCHANGE").is_some() {
        return Err(std::io::Error::from(std::io::ErrorKind::Unsupported));
    }
    let cstr = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (cstr(a)?, cstr(b)?);
    // SAFETY: two valid NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Makes a folder's entries durable (best effort: not every system syncs folders).
fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Aborts the process at `step`, or pauses it there for 3 s, when a test asks for it (see the
/// module's documentation).
fn test_hook(step: &str) {
    if std::env::var("KINDSCAPE_TEST_PAUSE_AT").is_ok_and(|s| s == step) {
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
    if std::env::var("KINDSCAPE_TEST_KILL_AT").is_ok_and(|s| s == step) {
        std::process::abort();
    }
}

/// `2026-12-01 16:35:03 UTC` from seconds since 1970 (the civil calendar from days, after
/// Howard Hinnant's `civil_from_days`; no date crate is needed for one line of a lock file).
fn utc_time(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    }

    fn stage(out: &Path) -> Staging {
        Staging::new(out, &[], Path::new("study.toml")).unwrap()
    }

    #[test]
    fn a_failed_run_leaves_earlier_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let s = stage(&out);
        s.write("homes.csv", b"first").unwrap();
        s.commit().unwrap();
        {
            let s = stage(&out);
            s.write("homes.csv", b"second, never committed").unwrap();
            // Dropped without commit, as on an error.
        }
        assert_eq!(fs::read_to_string(out.join("homes.csv")).unwrap(), "first");
        assert_eq!(names(&out), vec!["homes.csv"]);
        // Nothing is left beside the folder, not even the lock.
        assert_eq!(names(dir.path()), vec!["out"]);
    }

    /// Files written from several threads at once are all committed, listed in the contract's
    /// order whatever order they were written in.
    #[test]
    fn files_written_side_by_side_are_committed_in_the_contract_order() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let s = stage(&out);
        let written = ["run.json", "report.html", "homes.csv", "neighbourhoods.csv"];
        std::thread::scope(|scope| {
            for name in written {
                let s = &s;
                scope.spawn(move || s.write(name, name.as_bytes()).unwrap());
            }
        });
        let files = s.commit().unwrap();
        let listed: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(
            listed,
            ["neighbourhoods.csv", "homes.csv", "report.html", "run.json"]
        );
        for name in written {
            assert_eq!(fs::read_to_string(out.join(name)).unwrap(), name);
        }
    }

    #[test]
    fn an_output_folder_name_of_255_bytes_works_and_dead_runs_leftovers_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        // 255 bytes, the most a name may have: ASCII, and two-byte characters, whose cut must
        // fall between characters.
        for name in ["o".repeat(255), format!("{}o", "é".repeat(127))] {
            assert_eq!(name.len(), 255);
            let out = dir.path().join(&name);
            let sibling = siblings(&out);
            let longest = format!("{}{}", sibling.new_prefix, u32::MAX);
            assert!(longest.len() <= 255, "{}", longest.len());
            // A killed run's staging folder, which the next run removes.
            let dead = dir.path().join(format!("{}4194303", sibling.new_prefix));
            fs::create_dir(&dead).unwrap();
            for round in ["1", "2"] {
                let s = stage(&out);
                s.write("homes.csv", round.as_bytes()).unwrap();
                s.commit().unwrap();
            }
            assert_eq!(fs::read_to_string(out.join("homes.csv")).unwrap(), "2");
            assert!(!dead.exists());
            fs::remove_dir_all(&out).unwrap();
            assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
        }
    }

    #[test]
    fn a_commit_replaces_the_whole_set() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let s = stage(&out);
        s.write("homes.csv", b"1").unwrap();
        s.write("equity.csv", b"1").unwrap();
        s.commit().unwrap();
        let s = stage(&out);
        s.write("homes.csv", b"2").unwrap();
        s.commit().unwrap();
        // equity.csv of the first run is not left beside the second run's homes.csv.
        assert_eq!(names(&out), vec!["homes.csv"]);
        assert_eq!(fs::read_to_string(out.join("homes.csv")).unwrap(), "2");
        assert_eq!(names(dir.path()), vec!["out"]);
    }

    #[test]
    fn a_second_staging_of_the_same_folder_is_refused_and_names_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = stage(&out);
        // Another spelling of the same folder takes the same lock.
        let other = dir.path().join("x/../out");
        let msg = Staging::new(&other, &[], Path::new("s.toml"))
            .err()
            .unwrap()
            .to_string();
        let pid = std::process::id();
        assert!(
            msg.contains(&format!("another kindscape run (pid {pid}, started 20")),
            "{msg}"
        );
        assert!(msg.contains("is writing this output folder"), "{msg}");
        assert!(
            first.stage.is_dir(),
            "the first run's staging folder is untouched"
        );
        drop(first);
        assert!(Staging::new(&other, &[], Path::new("s.toml")).is_ok());
    }

    #[test]
    fn leftovers_of_dead_runs_are_cleaned_and_an_old_set_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let dead_new = dir.path().join(".out.kindscape-new-999999");
        let dead_old = dir.path().join(".out.kindscape-old-999999");
        fs::create_dir(&dead_new).unwrap();
        fs::create_dir(&dead_old).unwrap();
        fs::write(dead_old.join("homes.csv"), "old").unwrap();
        let s = stage(&out);
        assert!(!dead_new.exists() && !dead_old.exists());
        assert_eq!(fs::read_to_string(out.join("homes.csv")).unwrap(), "old");
        drop(s);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00 UTC");
        // 2000-02-29 12:34:56 UTC: 951827696 s (date -d @951827696 -u).
        assert_eq!(utc_time(951_827_696), "2000-02-29 12:34:56 UTC");
        assert_eq!(utc_time(1_798_761_599), "2026-12-31 23:59:59 UTC");
    }
}
