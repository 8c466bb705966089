//! Special files and sizes: a FIFO or a device as a layer, too many threads, homes or pairs for
//! the memory, a sample over a user's files; and warnings on stderr even with `--quiet`.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{example_study, kindscape, shared_data_dir};

fn sample(dir: &Path, args: &[&str]) -> Output {
    kindscape()
        .arg("sample")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Runs `cmd`, killing it after 20 s (a hang is a failure, not a stuck test run).
fn bounded(mut cmd: Command) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("still running after 20 s: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), start.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_as_a_layer_is_refused_at_once_by_run_and_check() {
    let dir = tempfile::tempdir().unwrap();
    assert!(sample(dir.path(), &[]).status.success());
    let study = dir.path().join("sample-town.toml");
    let text = std::fs::read_to_string(&study).unwrap();
    let fifo = dir.path().join("homes-pipe.geojson");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for (layer, what) in [
        ("homes-pipe.geojson", "a FIFO (named pipe)"),
        ("/dev/zero", "a character device"),
    ] {
        std::fs::write(
            &study,
            text.replace("path = \"homes.geojson\"", &format!("path = \"{layer}\"")),
        )
        .unwrap();
        for verb in ["run", "check"] {
            let mut cmd = kindscape();
            cmd.arg(verb).arg(&study);
            let (o, took) = bounded(cmd);
            assert_eq!(o.status.code(), Some(1), "{verb} {layer}");
            let msg = stderr(&o);
            assert!(
                msg.contains(&format!(
                    "{layer}: [homes] path is {what}, not a regular file"
                )),
                "{verb}: {msg}"
            );
            assert!(took < Duration::from_secs(5), "{verb} {layer}: {took:?}");
        }
    }
    // The study file itself.
    let (o, _) = bounded({
        let mut cmd = kindscape();
        cmd.arg("check").arg("/dev/zero");
        cmd
    });
    assert!(stderr(&o).contains("/dev/zero: the study file is a character device"));
}

/// DESIGN.md: a user error exits 1, a bad option as much as a bad file (clap's own code is 2);
/// asking for help is no error.
#[test]
fn bad_options_exit_1_and_help_exits_0() {
    for args in [
        &["run"][..],
        &["run", "study.toml", "--threads", "many"],
        &["run", "study.toml", "--lang", "fr"],
        &["frobnicate"],
    ] {
        let o = kindscape().args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error"), "{args:?}: {}", stderr(&o));
    }
    for args in [&["--help"][..], &["run", "--help"], &["--version"]] {
        let o = kindscape().args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(!o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn thread_and_sample_counts_are_bounded_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    assert!(sample(dir.path(), &[]).status.success());
    let (o, took) = bounded({
        let mut cmd = kindscape();
        cmd.args(["run", "--threads", "100000"])
            .arg(dir.path().join("sample-town.toml"));
        cmd
    });
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--threads 100000: at most "),
        "{}",
        stderr(&o)
    );
    assert!(took < Duration::from_secs(5));
    assert!(!dir.path().join("out").exists(), "refused before any work");
    let o = sample(&dir.path().join("huge"), &["--homes", "1000000000000"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--homes 1000000000000: at most 100000000 homes"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("huge").exists());
}

#[test]
fn sample_never_writes_over_a_users_files() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("homes.geojson");
    std::fs::write(&mine, "my own homes").unwrap();
    let o = sample(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let msg = stderr(&o);
    assert!(
        msg.contains("already holds homes.geojson, which is not an earlier sample"),
        "{msg}"
    );
    assert!(msg.contains("--force"), "{msg}");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my own homes");
    assert!(
        !dir.path().join("sample-town.toml").exists(),
        "nothing written"
    );
    // An unrelated file does not stop it, and an earlier sample is replaced.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("notes.txt"), "mine").unwrap();
    assert!(sample(other.path(), &[]).status.success());
    assert!(sample(other.path(), &["--homes", "500"]).status.success());
    assert!(
        std::fs::read_to_string(other.path().join("sample-town.toml"))
            .unwrap()
            .contains("500 homes")
    );
    assert_eq!(
        std::fs::read_to_string(other.path().join("notes.txt")).unwrap(),
        "mine"
    );
    // --force replaces the user's file.
    assert!(sample(dir.path(), &["--force"]).status.success());
    assert_ne!(std::fs::read_to_string(&mine).unwrap(), "my own homes");
}

/// A 100 km playground norm reaches every playground from every home: the pairs are counted
/// before the work and a study that would not fit is refused, saying how much it would take.
#[test]
fn a_catchment_whose_pairs_do_not_fit_is_refused_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let o = sample(dir.path(), &["--homes", "20000"]);
    assert!(o.status.success());
    // "Wrote 20000 homes, 9 neighbourhoods, 50 playgrounds, ..."
    let printed = String::from_utf8_lossy(&o.stdout).to_string();
    let playgrounds: usize = printed
        .split(", ")
        .find_map(|p| p.strip_suffix(" playgrounds"))
        .unwrap()
        .parse()
        .unwrap();
    let study = dir.path().join("sample-town.toml");
    let text = std::fs::read_to_string(&study).unwrap();
    let check = |limit: &str| {
        let mut cmd = kindscape();
        cmd.args(["check"])
            .arg(&study)
            .env("KINDSCAPE_MEMORY_LIMIT", limit)
            .env("RAYON_NUM_THREADS", "1");
        bounded(cmd).0
    };
    // The 1000 m norms of the preset fit in 32 MB.
    assert!(check("32M").status.success(), "{}", stderr(&check("32M")));
    std::fs::write(
        &study,
        text.replace(
            "preset = \"nl\"\n",
            "preset = \"nl\"\nplayground = { \"0-5\" = 100000, \"6-11\" = 100000, \"12-17\" = 100000 }\n",
        ),
    )
    .unwrap();
    let o = check("32M");
    assert_eq!(o.status.code(), Some(1));
    let msg = stderr(&o);
    // By hand: every home reaches all playgrounds; one thread has 32768 homes in flight, more
    // than the 20000 there are; a term is 16 bytes per pair and band, 3 bands:
    // 20000 x playgrounds x 16 x 3 bytes.
    let bytes = 20000.0 * playgrounds as f64 * 16.0 * 3.0;
    let mb = bytes / (1024.0 * 1024.0);
    let want = format!(
        "[norms] playground: the catchment of 100000 m reaches about {playgrounds} playground facilities per home; its pairs would need about {mb:.0} MB of memory, more than the 32 MB available"
    );
    assert!(msg.contains(&want), "{msg}\nwanted: {want}");
    assert!(check("4G").status.success(), "fits in 4 GB");
}

/// Warnings are printed on stderr even with `--quiet`, one per line and sorted, whatever the
/// order the stages met them in (run.json lists the same sorted list).
#[test]
fn warnings_reach_stderr_with_quiet_sorted() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = example_study("harderwijk.toml", &data, dir.path());
    let mut printed = Vec::new();
    for threads in ["1", "2"] {
        let o = kindscape()
            .args(["run", "--quiet", "--threads", threads])
            .arg(&study)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(o.stdout.is_empty(), "--quiet prints no summary");
        printed.push(stderr(&o));
    }
    assert_eq!(printed[0], printed[1]);
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/run.json")).unwrap())
            .unwrap();
    let in_stage_order: Vec<String> = run_json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    // Harderwijk meets its warnings out of order (homes before neighbourhoods); since
    // `Warnings::to_vec` sorts, run.json holds them sorted too, the same list as stderr.
    let mut sorted = in_stage_order.clone();
    sorted.sort();
    assert!(in_stage_order.len() >= 2);
    assert_eq!(sorted, in_stage_order, "run.json lists the warnings sorted");
    let lines: Vec<String> = printed[0]
        .lines()
        .map(|l| l.strip_prefix("warning: ").unwrap().to_string())
        .collect();
    assert_eq!(lines, sorted);
}
