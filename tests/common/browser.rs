//! Headless Chromium and poppler's `pdftotext` for the report's tests: each skips with a message
//! where the program is missing, and fails instead when `KINDSCAPE_REQUIRE_CHROMIUM=1` (CI
//! installs both: scripts/install_chromium.sh and .ci/run's apt line).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium's path, or `None` with a message; a failure instead when
/// `KINDSCAPE_REQUIRE_CHROMIUM=1` (CI installs it with scripts/install_chromium.sh).
pub fn chromium() -> Option<&'static str> {
    if Path::new(CHROMIUM).exists() {
        return Some(CHROMIUM);
    }
    if std::env::var("KINDSCAPE_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1") {
        panic!(
            "KINDSCAPE_REQUIRE_CHROMIUM=1 but {CHROMIUM} is missing (scripts/install_chromium.sh)"
        );
    }
    eprintln!("skipped: {CHROMIUM} is not installed (scripts/install_chromium.sh installs it)");
    None
}

/// Runs headless chromium on a file with extra arguments; returns stdout and stderr.
pub fn run_chromium(bin: &str, profile: &Path, page: &Path, extra: &[String]) -> (String, String) {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("chromium starts");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("chromium did not finish within 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (out.join().unwrap(), err.join().unwrap())
}

/// Runs `script` in `report` (a report.html's text) in headless chromium, from a copy in `dir`,
/// and returns what the script left in the body's `data-probe` attribute; fails on any console
/// message. `extra` adds chromium arguments (a window size).
pub fn run_probe(bin: &str, dir: &Path, report: &str, script: &str, extra: &[&str]) -> String {
    let page = dir.join("probe.html");
    let tag = format!("<script>\n{script}\n</script></body>");
    std::fs::write(&page, report.replace("</body>", &tag)).unwrap();
    let args: Vec<String> = std::iter::once("--dump-dom")
        .chain(extra.iter().copied())
        .map(String::from)
        .collect();
    let (dom, stderr) = run_chromium(bin, &dir.join("profile"), &page, &args);
    let errors = console_messages(&stderr, "probe.html");
    assert!(errors.is_empty(), "console: {errors:#?}");
    let at = dom.find("data-probe=\"").expect("the probe ran") + "data-probe=\"".len();
    dom[at..at + dom[at..].find('"').unwrap()].to_string()
}

/// Console messages of the page: the report logs nothing, so any is an error (chromium logs
/// console.log, console.error and uncaught exceptions alike as `INFO:CONSOLE`).
pub fn console_messages(stderr: &str, page: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| (l.contains(":CONSOLE") && l.contains(page)) || l.contains("Uncaught"))
        .map(String::from)
        .collect()
}

/// Whether the tests must not skip for a missing browser or PDF tool.
fn required() -> bool {
    std::env::var("KINDSCAPE_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1")
}

/// Whether poppler's `pdftotext` and `pdfinfo` run; `false` with a message (a failure instead
/// when required).
pub fn poppler() -> bool {
    let runs = |p: &str| Command::new(p).arg("-v").output().is_ok();
    if runs("pdftotext") && runs("pdfinfo") {
        return true;
    }
    if required() {
        panic!("KINDSCAPE_REQUIRE_CHROMIUM=1 but pdftotext or pdfinfo is missing (apt-get install poppler-utils)");
    }
    eprintln!("skipped: pdftotext is not installed (apt-get install poppler-utils)");
    false
}

/// The text of a PDF in the order it is drawn (`pdftotext -raw`), so a table cell's lines stay
/// together and a header row reads left to right.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-raw")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext {}: {out:?}", pdf.display());
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A PDF's page count and first page's size in points, from `pdfinfo`.
pub fn pdf_pages(pdf: &Path) -> (usize, f64, f64) {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    assert!(out.status.success(), "pdfinfo {}: {out:?}", pdf.display());
    let info = String::from_utf8_lossy(&out.stdout).to_string();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("pdfinfo gives no {name}: {info}"))
            .trim()
            .to_string()
    };
    let pages = field("Pages:").parse().unwrap();
    let size = field("Page size:");
    let mut numbers = size
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok());
    (pages, numbers.next().unwrap(), numbers.next().unwrap())
}
