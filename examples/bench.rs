//! Whole-run benchmark: time per stage and peak memory of `kindscape run` on synthetic cities.
//!
//! ```text
//! cargo run --release --example bench -- [--homes 10000,100000,1000000,8000000] [--quick]
//!     [--threads N] [--cache DIR] [--report FILE]
//! ```
//!
//! For each size the synthetic city of `kindscape sample --homes N` (seed 42) is written once
//! into the cache folder (default `target/bench-cities/h<N>`) and reused afterwards. Each size
//! then runs in a child process of this binary, so that every size has its own peak memory
//! (VmHWM from /proc/self/status, read right after the run, before the kernels). The child runs
//! the whole flow through [`kindscape::run::run_study`] (outputs written, as a user's run would),
//! so the stage timings are the ones `run.json` reports; it then times two kernels that are
//! inside larger stages: building the walk graph from its GeoJSON layer (part of `load`) and
//! straight-line nearest distances alone (index build + queries, 4 kinds).
//!
//! The table (Markdown, stages as rows, sizes as columns) is printed and written to `--report`
//! (default `target/bench/bench.md`). `--quick` runs the 10 000-home city only: CI uses it as a
//! smoke test, never as a timed test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use kindscape::reach::network::WalkNetwork;
use kindscape::run::{run_study, RunOptions};
use kindscape::sample::{write_sample, SampleOptions, STUDY_FILE};

/// Marks a cache folder whose city was written completely.
const COMPLETE: &str = ".bench-complete";

/// What a child process measured for one size.
#[derive(Debug, Serialize, Deserialize)]
struct SizeResult {
    homes: usize,
    threads: usize,
    /// Seconds to write the city, when this run wrote it.
    generated_s: Option<f64>,
    /// `run.json` stages, in order.
    stages: Vec<(String, f64)>,
    peak_mb: f64,
    /// CPU seconds of the run (user + system, all threads): on a shared machine the wall-clock
    /// stages include waiting for the CPU; this does not.
    cpu_s: f64,
    /// Kernels timed after the run.
    kernels: Vec<(String, f64)>,
    street_nodes: usize,
    street_edges: usize,
    amenities: Vec<(String, usize)>,
    input_mb: f64,
}

struct Args {
    sizes: Vec<usize>,
    threads: Option<usize>,
    cache: PathBuf,
    report: PathBuf,
    child: Option<usize>,
}

fn usage() -> ! {
    eprintln!(
        "usage: bench [--homes N[,N...]] [--quick] [--threads N] [--cache DIR] [--report FILE]"
    );
    std::process::exit(2)
}

fn parse_count(s: &str) -> usize {
    let s = s.replace('_', "");
    s.parse::<usize>()
        .ok()
        .or_else(|| s.parse::<f64>().ok().map(|f| f as usize))
        .filter(|n| *n > 0)
        .unwrap_or_else(|| {
            eprintln!("bench: not a positive count: {s}");
            usage()
        })
}

fn parse_args() -> Args {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let mut a = Args {
        sizes: vec![10_000, 100_000, 1_000_000],
        threads: None,
        cache: target.join("bench-cities"),
        report: target.join("bench").join("bench.md"),
        child: None,
    };
    let mut quick = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--homes" => a.sizes = value().split(',').map(parse_count).collect(),
            "--quick" => quick = true,
            "--threads" => a.threads = Some(parse_count(&value())),
            "--cache" => a.cache = PathBuf::from(value()),
            "--report" => a.report = PathBuf::from(value()),
            "--child" => a.child = Some(parse_count(&value())),
            // `cargo bench` passes this to every bench target.
            "--bench" => {}
            _ => usage(),
        }
    }
    if quick {
        a.sizes = vec![10_000];
    }
    a
}

fn main() {
    let args = parse_args();
    let result = match args.child {
        Some(homes) => child(&args, homes),
        None => parent(&args),
    };
    if let Err(e) = result {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

fn city_dir(cache: &Path, homes: usize) -> PathBuf {
    cache.join(format!("h{homes}"))
}

/// Writes the city unless a complete copy is cached; returns the seconds spent writing it.
fn ensure_city(cache: &Path, homes: usize) -> AnyResult<Option<f64>> {
    let dir = city_dir(cache, homes);
    if dir.join(COMPLETE).is_file() && dir.join(STUDY_FILE).is_file() {
        return Ok(None);
    }
    eprintln!("bench: writing the {homes}-home city to {}", dir.display());
    let t = Instant::now();
    write_sample(
        &dir,
        &SampleOptions {
            homes,
            ..SampleOptions::default()
        },
    )?;
    std::fs::write(dir.join(COMPLETE), b"")?;
    Ok(Some(t.elapsed().as_secs_f64()))
}

fn parent(args: &Args) -> AnyResult<()> {
    let exe = std::env::current_exe()?;
    let mut results = Vec::new();
    for &homes in &args.sizes {
        let generated_s = ensure_city(&args.cache, homes)?;
        eprintln!("bench: running {homes} homes");
        let mut cmd = Command::new(&exe);
        cmd.arg("--child")
            .arg(homes.to_string())
            .arg("--cache")
            .arg(&args.cache);
        if let Some(n) = args.threads {
            cmd.arg("--threads").arg(n.to_string());
        }
        let out = cmd.output()?;
        if !out.status.success() {
            return Err(format!(
                "the {homes}-home run failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("BENCH "))
            .ok_or("the child printed no result")?;
        let mut r: SizeResult = serde_json::from_str(line)?;
        r.generated_s = generated_s;
        eprintln!(
            "bench: {homes} homes: {:.2} s, {:.0} MB peak",
            r.stages.iter().map(|s| s.1).sum::<f64>(),
            r.peak_mb
        );
        results.push(r);
    }
    let table = markdown(&results);
    println!("{table}");
    if let Some(dir) = args.report.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.report, &table)?;
    eprintln!("bench: table written to {}", args.report.display());
    Ok(())
}

fn child(args: &Args, homes: usize) -> AnyResult<()> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    let dir = city_dir(&args.cache, homes);
    let study = dir.join(STUDY_FILE);
    let run = run_study(
        &study,
        &RunOptions {
            out: Some(dir.join("out")),
            quiet: true,
        },
    )?;
    let peak_mb = vm_hwm_mb()?;
    let cpu_s = cpu_seconds()?;

    let mut kernels = Vec::new();
    let walk = kindscape::scene::read_vector(&dir.join("walk.geojson"), None)?;
    let t = Instant::now();
    let net = WalkNetwork::from_layer(&walk, "highway")?;
    kernels.push((
        "walk graph from its GeoJSON layer (in load)".to_string(),
        t.elapsed().as_secs_f64(),
    ));
    let t = Instant::now();
    let straight = kindscape::reach::straight_distances(&run.scene);
    kernels.push((
        "straight-line nearest, 4 kinds (in straight line)".to_string(),
        t.elapsed().as_secs_f64(),
    ));
    if straight != run.distances.straight {
        return Err("the straight-line kernel disagrees with the run".into());
    }

    let input_mb = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "geojson"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len() as f64)
        .sum::<f64>()
        / 1e6;
    let result = SizeResult {
        homes,
        threads: rayon::current_num_threads(),
        generated_s: None,
        stages: run.timings.clone(),
        peak_mb,
        cpu_s,
        kernels,
        street_nodes: net.node_count(),
        street_edges: net.edge_count(),
        amenities: run
            .scene
            .amenities
            .iter()
            .map(|k| (k.kind.clone(), k.items.len()))
            .collect(),
        input_mb,
    };
    println!("BENCH {}", serde_json::to_string(&result)?);
    Ok(())
}

/// The process's peak resident memory, from /proc/self/status (Linux).
fn vm_hwm_mb() -> AnyResult<f64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(kb / 1024.0)
}

/// User + system CPU time of this process, from /proc/self/stat (clock ticks of 1/100 s).
fn cpu_seconds() -> AnyResult<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat
        .rsplit_once(')')
        .map(|r| r.1)
        .ok_or("bad /proc/self/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> AnyResult<f64> {
        Ok(fields
            .get(i)
            .ok_or("short /proc/self/stat")?
            .parse::<f64>()?)
    };
    // utime and stime are fields 14 and 15 of the line, 11 and 12 after the name.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

fn seconds(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.2}")
    } else {
        format!("{s:.1}")
    }
}

fn markdown(results: &[SizeResult]) -> String {
    let mut t = String::new();
    let header: Vec<String> = results
        .iter()
        .map(|r| format!("{} homes", r.homes))
        .collect();
    t += &format!("| stage (seconds) | {} |\n", header.join(" | "));
    t += &format!("|---|{}\n", "---:|".repeat(results.len()));
    let row = |t: &mut String, name: &str, cells: Vec<String>| {
        *t += &format!("| {name} | {} |\n", cells.join(" | "));
    };
    // Stage names in first-seen order over all sizes.
    let mut names: Vec<&str> = Vec::new();
    for r in results {
        for (s, _) in &r.stages {
            if !names.contains(&s.as_str()) {
                names.push(s);
            }
        }
    }
    let stage = |r: &SizeResult, name: &str| {
        r.stages
            .iter()
            .find(|s| s.0 == name)
            .map_or("-".into(), |s| seconds(s.1))
    };
    for name in &names {
        row(
            &mut t,
            name,
            results.iter().map(|r| stage(r, name)).collect(),
        );
    }
    row(
        &mut t,
        "**total**",
        results
            .iter()
            .map(|r| format!("**{}**", seconds(r.stages.iter().map(|s| s.1).sum())))
            .collect(),
    );
    row(
        &mut t,
        "CPU seconds (user + system, all threads)",
        results.iter().map(|r| seconds(r.cpu_s)).collect(),
    );
    row(
        &mut t,
        "**peak memory (MB)**",
        results
            .iter()
            .map(|r| format!("**{:.0}**", r.peak_mb))
            .collect(),
    );
    let mut kernel_names: Vec<&str> = Vec::new();
    for r in results {
        for (s, _) in &r.kernels {
            if !kernel_names.contains(&s.as_str()) {
                kernel_names.push(s);
            }
        }
    }
    for name in kernel_names {
        row(
            &mut t,
            &format!("kernel: {name}"),
            results
                .iter()
                .map(|r| {
                    r.kernels
                        .iter()
                        .find(|k| k.0 == name)
                        .map_or("-".into(), |k| seconds(k.1))
                })
                .collect(),
        );
    }
    row(
        &mut t,
        "input GeoJSON (MB)",
        results
            .iter()
            .map(|r| format!("{:.0}", r.input_mb))
            .collect(),
    );
    row(
        &mut t,
        "street graph nodes / edges",
        results
            .iter()
            .map(|r| format!("{} / {}", r.street_nodes, r.street_edges))
            .collect(),
    );
    let mut kinds: Vec<&str> = Vec::new();
    for r in results {
        for (k, _) in &r.amenities {
            if !kinds.contains(&k.as_str()) {
                kinds.push(k);
            }
        }
    }
    for kind in kinds {
        row(
            &mut t,
            &format!("amenities: {kind}"),
            results
                .iter()
                .map(|r| {
                    r.amenities
                        .iter()
                        .find(|a| a.0 == kind)
                        .map_or("-".into(), |a| a.1.to_string())
                })
                .collect(),
        );
    }
    row(
        &mut t,
        "threads",
        results.iter().map(|r| r.threads.to_string()).collect(),
    );
    row(
        &mut t,
        "city written in (s, once, cached)",
        results
            .iter()
            .map(|r| r.generated_s.map_or("cached".into(), seconds))
            .collect(),
    );
    t
}
