//! `report.pdf`: `report.html` printed by a headless Chromium, where one is installed.
//!
//! No Rust crate lays out HTML and CSS for print, so kindscape asks the browser the council
//! would print with anyway. The browser runs in a process group of its own with a throwaway
//! profile and a time limit; on a failure or a hang the whole group is stopped and the run fails
//! before anything is committed, so the output folder keeps its previous set whole.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The environment variable that names the browser, before the search on `PATH`.
pub const CHROMIUM_VAR: &str = "KINDSCAPE_CHROMIUM";

/// The environment variable that sets the time limit, in seconds.
pub const TIMEOUT_VAR: &str = "KINDSCAPE_PDF_TIMEOUT";

/// The names a Chromium goes by on `PATH`, in the order they are tried.
const NAMES: [&str; 5] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
];

/// How long printing may take unless `KINDSCAPE_PDF_TIMEOUT` says otherwise: the Helsinki
/// report prints in a few seconds, so two minutes only ever cut off a browser that hangs.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// A Chromium to print with.
#[derive(Debug, Clone)]
pub struct Chromium {
    pub path: PathBuf,
    pub timeout: Duration,
}

impl Chromium {
    /// `$KINDSCAPE_CHROMIUM`, else the first Chromium on `PATH`; `Err` says why there is none,
    /// as the warning a run prints when it writes no `report.pdf`.
    pub fn find() -> std::result::Result<Chromium, String> {
        let timeout = match std::env::var(TIMEOUT_VAR) {
            Ok(v) => match v.trim().parse::<f64>() {
                Ok(s) if s > 0.0 && s.is_finite() => Duration::from_secs_f64(s),
                _ => {
                    return Err(format!(
                        "{TIMEOUT_VAR}={v:?} is not a number of seconds above 0; report.pdf is not written"
                    ))
                }
            },
            Err(_) => DEFAULT_TIMEOUT,
        };
        if let Some(named) = std::env::var_os(CHROMIUM_VAR).filter(|v| !v.is_empty()) {
            let path = PathBuf::from(&named);
            return if is_executable(&path) {
                Ok(Chromium { path, timeout })
            } else {
                Err(format!(
                    "{CHROMIUM_VAR}={} is not an executable file; report.pdf is not written",
                    path.display()
                ))
            };
        }
        let dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        NAMES
            .iter()
            .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
            .find(|p| is_executable(p))
            .map(|path| Chromium { path, timeout })
            .ok_or_else(|| {
                format!(
                    "--pdf: no Chromium found ({} on PATH, or {CHROMIUM_VAR}); report.pdf is not written. Install Chromium or Chrome, or print report.html from a browser (it has an A4 print layout)",
                    NAMES.join(", ")
                )
            })
    }

    /// Prints `html` to `pdf`; `shown` is the PDF's final path, for messages.
    pub fn print(&self, html: &Path, pdf: &Path, shown: &Path) -> Result<()> {
        let fail =
            |what: String| Error::io(shown, format!("Chromium ({}) {what}", self.path.display()));
        let profile = tempfile::Builder::new()
            .prefix("kindscape-chromium-")
            .tempdir()
            .map_err(|e| Error::io(shown, format!("cannot create Chromium's profile: {e}")))?;
        // A file, not a pipe: a browser helper that outlives the browser cannot block the run.
        let log_path = profile.path().join("stderr.log");
        let log = File::create(&log_path)
            .map_err(|e| Error::io(shown, format!("cannot create Chromium's log: {e}")))?;
        let mut cmd = Command::new(&self.path);
        cmd.args([
            "--headless",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            // The footer with the file's path and the date: the report has its own.
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(html))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
        if running_as_root() {
            // Chromium refuses to run as root inside its sandbox; the page is our own file.
            cmd.arg("--no-sandbox");
        }
        own_process_group(&mut cmd);
        let mut child = cmd
            .spawn()
            .map_err(|e| fail(format!("cannot be started: {e}")))?;
        let status = wait(&mut child, self.timeout);
        // The renderer and other helpers go with the browser, whatever happened.
        stop_group(&mut child);
        let status = status.map_err(|e| fail(format!("could not be waited for: {e}")))?;
        let Some(status) = status else {
            return Err(fail(format!(
                "did not finish printing report.html within {} s and was stopped; the output folder is unchanged. Set {TIMEOUT_VAR} (seconds) to wait longer, or run without --pdf",
                self.timeout.as_secs_f64()
            )));
        };
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if !status.success() {
            return Err(fail(format!(
                "failed ({status}); the output folder is unchanged. Its last messages: {}",
                last_lines(&log, 5)
            )));
        }
        let bytes = std::fs::read(pdf).unwrap_or_default();
        if !is_pdf(&bytes) {
            return Err(fail(format!(
                "exited without writing a whole PDF ({} bytes); the output folder is unchanged. Its last messages: {}",
                bytes.len(),
                last_lines(&log, 5)
            )));
        }
        Ok(())
    }
}

/// A PDF from its header to its end-of-file marker (a browser stopped halfway leaves neither).
fn is_pdf(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(64)..];
    bytes.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// The last `n` non-empty lines of a log, on one line.
fn last_lines(log: &str, n: usize) -> String {
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    let shown = lines[lines.len().saturating_sub(n)..].join(" | ");
    if shown.is_empty() {
        "(none)".into()
    } else {
        shown
    }
}

/// `file://` and the absolute path, percent-encoded where a URL needs it.
fn file_url(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut url = String::from("file://");
    for b in absolute.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Waits for the child up to `timeout`; `None` when it is still running then.
fn wait(child: &mut Child, timeout: Duration) -> std::io::Result<Option<std::process::ExitStatus>> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if start.elapsed() >= timeout {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(unix)]
fn running_as_root() -> bool {
    // SAFETY: geteuid has no arguments and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}

#[cfg(unix)]
fn own_process_group(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_: &mut Command) {}

/// Stops the browser and every process it started (its group), and reaps the browser.
#[cfg(unix)]
fn stop_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: a signal to the process group this run created for the browser.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.wait();
}

#[cfg(not(unix))]
fn stop_group(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/r#1é.html")),
            "file:///tmp/a%20b/r%231%C3%A9.html"
        );
    }

    #[test]
    fn a_pdf_needs_its_header_and_end() {
        assert!(is_pdf(b"%PDF-1.4\n...\n%%EOF\n"));
        assert!(!is_pdf(b"%PDF-1.4\n... cut off"));
        assert!(!is_pdf(b"<html>%%EOF"));
        assert!(!is_pdf(b""));
    }

    #[test]
    fn last_lines_keeps_the_end() {
        assert_eq!(last_lines("a\n\nb\nc\n", 2), "b | c");
        assert_eq!(last_lines("", 2), "(none)");
    }
}
