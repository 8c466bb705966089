//! Whole-run benchmark: time per stage and peak memory of `kindscape run` on synthetic cities.
//!
//! ```text
//! cargo run --release --example bench -- [--homes 10000,100000,1000000,8000000] [--quick]
//!     [--threads N] [--cache DIR] [--report FILE] [--street-pieces M]
//!     [--geopandas PYTHON] [--pandana PYTHON] [--load-only [--formats geojson,gpkg,shp,parquet]]
//! ```
//!
//! For each size the synthetic city of `kindscape sample --homes N` (seed 42; with
//! `--street-pieces M` its streets cut into pieces of at most M metres) is written once into the
//! cache folder (default `target/bench-cities/h<N>`, `h<N>-p<M>`) and reused afterwards. Each size
//! then runs in a child process of this binary, so that every size has its own peak memory
//! (VmHWM from /proc/self/status, read right after the run, before the kernels). The child runs
//! the whole flow through [`kindscape::run::run_study`] (outputs written, as a user's run would),
//! so the stage timings are the ones `run.json` reports; it then times two kernels that are
//! inside larger stages: building the walk graph from its GeoJSON layer (part of `load`) and
//! straight-line nearest distances alone (index build + queries, 4 kinds). `--geopandas` and
//! `--pandana` run `scripts/bench_geopandas.py` and `scripts/bench_pandana.py` on the same city
//! in the same bench run, each in its own process after kindscape's.
//!
//! The table (Markdown, stages as rows, sizes as columns) is printed and written to `--report`
//! (default `target/bench/bench.md`). `--quick` runs the 10 000-home city only: CI uses it as a
//! smoke test, never as a timed test.
//!
//! `--load-only` times the homes layer alone, read as a study reads it (in chunks, its id kept)
//! from each format of `--formats`: the city's GeoJSON, and copies converted once by `ogr2ogr`
//! (GeoPackage, Shapefile) or geopandas (GeoParquet, with `--geopandas`; reading it needs the
//! bench built with `--features parquet`), cached in `<city>/load/`. The file is read once before it is timed, so the figures are of
//! parsing, not of the disk.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use kindscape::reach::network::{WalkNetwork, Walkable};
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
    /// The same city as a straight-line study (see [`STRAIGHT_STUDY`]), in its own process.
    straight: Option<StraightResult>,
    /// The same study with ten scenarios (see [`SCENARIO_STUDY`]), in its own process.
    #[serde(default)]
    scenarios: Option<StraightResult>,
    /// `scripts/bench_geopandas.py` on the same city, in the same bench run.
    geopandas: Option<GeopandasResult>,
    /// Seconds from the child's start to the end of the run (every output written).
    #[serde(default)]
    run_s: f64,
    /// `scripts/bench_pandana.py` on the same city, in the same bench run.
    #[serde(default)]
    pandana: Option<PandanaResult>,
}

/// What `scripts/bench_pandana.py` printed, and its process's wall time.
#[derive(Debug, Serialize, Deserialize)]
struct PandanaResult {
    /// Homes, amenities and the walk network read, network edges and nodes made.
    read_s: f64,
    /// `pandana.Network(...)`: the contraction hierarchy.
    network_s: f64,
    /// `set_pois` + `nearest_pois` for the 4 kinds, and the homes' nearest nodes.
    nearest_s: f64,
    /// CPU seconds (user + system, all threads): of the whole script, and of the hierarchy and
    /// `nearest_pois` alone.
    #[serde(default)]
    cpu_s: f64,
    #[serde(default)]
    network_nearest_cpu_s: f64,
    peak_mb: f64,
    nodes: usize,
    edges: usize,
    #[serde(default)]
    process_s: f64,
}

/// What `scripts/bench_geopandas.py` printed, and its process's wall time.
#[derive(Debug, Serialize, Deserialize)]
struct GeopandasResult {
    load_s: f64,
    compute_s: f64,
    write_s: f64,
    peak_mb: f64,
    #[serde(default)]
    process_s: f64,
}

/// A straight-line study's run: what geopandas' `sjoin_nearest` comparison measures, plus
/// everything `kindscape run` does with such a study.
#[derive(Debug, Serialize, Deserialize)]
struct StraightResult {
    stages: Vec<(String, f64)>,
    peak_mb: f64,
    cpu_s: f64,
    /// The child process from start to exit, measured by the parent: end to end.
    process_s: f64,
}

/// The sample city's study without the walk network, score weights, catchment, play area,
/// equity, sites and costs: homes, neighbourhoods and four amenity kinds with the Dutch norms.
const STRAIGHT_STUDY: &str = "straight-line.toml";

/// The sample city's study with [`SCENARIOS`] `[[scenarios]]` entries, each closing
/// [`CLOSED_PER_SCENARIO`] playgrounds spread over the city (issue 16: ten scenarios take less
/// than three times one run).
const SCENARIO_STUDY: &str = "scenarios.toml";
const SCENARIOS: usize = 10;
const CLOSED_PER_SCENARIO: usize = 10;

/// Writes [`SCENARIO_STUDY`] next to the city's study: its playgrounds get their `id`
/// attribute as `[[amenities]] id`, and scenario `i` removes every playground whose position in
/// the layer is `i` plus a multiple of the layer's length over [`CLOSED_PER_SCENARIO`].
fn write_scenario_study(dir: &Path) -> AnyResult<()> {
    let text = std::fs::read_to_string(dir.join(STUDY_FILE))?;
    let layer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("playgrounds.geojson"))?)?;
    let ids: Vec<String> = layer["features"]
        .as_array()
        .ok_or("playgrounds.geojson has no features")?
        .iter()
        .filter_map(|f| f["properties"]["id"].as_str().map(String::from))
        .collect();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("output = ") {
            out += "output = \"out-scenarios\"\n";
            continue;
        }
        out += line;
        out.push('\n');
        if line.starts_with("path = \"playgrounds.geojson\"") {
            out += "id = \"id\"\n";
        }
    }
    let step = (ids.len() / CLOSED_PER_SCENARIO).max(1);
    for i in 0..SCENARIOS {
        let closed: Vec<String> = (0..CLOSED_PER_SCENARIO)
            .filter_map(|j| ids.get(i + j * step))
            .map(|id| format!("\"{id}\""))
            .collect();
        out += &format!(
            "\n[[scenarios]]\nname = \"close {} playgrounds, set {}\"\nremove = {{ kind = \"playground\", ids = [{}] }}\n",
            closed.len(),
            i + 1,
            closed.join(", ")
        );
    }
    std::fs::write(dir.join(SCENARIO_STUDY), out)?;
    Ok(())
}

/// Sections of the sample study that a straight-line study leaves out.
const NOT_STRAIGHT: [&str; 7] = [
    "network",
    "score",
    "catchment",
    "play_area",
    "equity",
    "sites",
    "costs",
];

/// Writes [`STRAIGHT_STUDY`] next to the city's study, from its text.
fn write_straight_study(dir: &Path) -> AnyResult<()> {
    let text = std::fs::read_to_string(dir.join(STUDY_FILE))?;
    let mut keep = true;
    let mut out = String::new();
    for line in text.lines() {
        let header = line.trim_start();
        if header.starts_with('[') {
            let name = header.trim_start_matches('[');
            let name = name.split([']', '.']).next().unwrap_or("");
            keep = !NOT_STRAIGHT.contains(&name);
        }
        if line.starts_with("output = ") {
            out += "output = \"out-straight\"\n";
        } else if keep {
            out += line;
            out.push('\n');
        }
    }
    std::fs::write(dir.join(STRAIGHT_STUDY), out)?;
    Ok(())
}

struct Args {
    sizes: Vec<usize>,
    threads: Option<usize>,
    cache: PathBuf,
    report: PathBuf,
    child: Option<usize>,
    /// The child runs the straight-line study.
    straight: bool,
    /// The child runs the study with ten scenarios.
    scenarios: bool,
    /// A Python with geopandas: the baseline is measured on every city.
    geopandas: Option<PathBuf>,
    /// A Python with pandana: the network baseline is measured on every city.
    pandana: Option<PathBuf>,
    /// `kindscape sample --street-pieces`.
    street_pieces: Option<u32>,
    /// Time loading the homes layer alone, per format.
    load_only: bool,
    formats: Vec<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: bench [--homes N[,N...]] [--quick] [--threads N] [--cache DIR] [--report FILE] [--street-pieces M] [--geopandas PYTHON] [--pandana PYTHON] [--load-only [--formats geojson,gpkg,shp,parquet]]"
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
        straight: false,
        scenarios: false,
        geopandas: None,
        pandana: None,
        street_pieces: None,
        load_only: false,
        formats: LOAD_FORMATS.iter().map(|f| f.to_string()).collect(),
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
            "--straight" => a.straight = true,
            "--scenarios" => a.scenarios = true,
            "--geopandas" => a.geopandas = Some(PathBuf::from(value())),
            "--pandana" => a.pandana = Some(PathBuf::from(value())),
            "--street-pieces" => a.street_pieces = Some(parse_count(&value()) as u32),
            "--load-only" => a.load_only = true,
            "--formats" => {
                a.formats = value().split(',').map(str::to_string).collect();
                if let Some(f) = a
                    .formats
                    .iter()
                    .find(|f| !LOAD_FORMATS.contains(&f.as_str()))
                {
                    eprintln!(
                        "bench: unknown format {f}; formats: {}",
                        LOAD_FORMATS.join(",")
                    );
                    usage()
                }
            }
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
    let started = Instant::now();
    let args = parse_args();
    let result = match args.child {
        Some(homes) if args.straight => study_child(&args, homes, STRAIGHT_STUDY),
        Some(homes) if args.scenarios => study_child(&args, homes, SCENARIO_STUDY),
        Some(homes) => child(&args, homes, started),
        None if args.load_only => set_threads(&args).and_then(|()| load_only(&args)),
        None => parent(&args),
    };
    if let Err(e) = result {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

fn city_dir(args: &Args, homes: usize) -> PathBuf {
    match args.street_pieces {
        None => args.cache.join(format!("h{homes}")),
        Some(m) => args.cache.join(format!("h{homes}-p{m}")),
    }
}

/// Writes the city unless a complete copy is cached; returns the seconds spent writing it.
fn ensure_city(args: &Args, homes: usize) -> AnyResult<Option<f64>> {
    let dir = city_dir(args, homes);
    if dir.join(COMPLETE).is_file() && dir.join(STUDY_FILE).is_file() {
        return Ok(None);
    }
    eprintln!("bench: writing the {homes}-home city to {}", dir.display());
    let t = Instant::now();
    write_sample(
        &dir,
        &SampleOptions {
            homes,
            street_piece_m: args.street_pieces,
            ..SampleOptions::default()
        },
    )?;
    std::fs::write(dir.join(COMPLETE), b"")?;
    Ok(Some(t.elapsed().as_secs_f64()))
}

/// Runs a process to its end; returns its standard output and its wall time.
fn timed_output(cmd: &mut Command, what: &str) -> AnyResult<(String, f64)> {
    let t = Instant::now();
    let out = cmd.output()?;
    let wall = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok((String::from_utf8_lossy(&out.stdout).into_owned(), wall))
}

/// Runs this binary as a child for one size; returns its `BENCH` line and its wall time.
fn run_child(args: &Args, homes: usize, study: Option<&str>) -> AnyResult<(String, f64)> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.arg("--child")
        .arg(homes.to_string())
        .arg("--cache")
        .arg(&args.cache);
    if let Some(m) = args.street_pieces {
        cmd.arg("--street-pieces").arg(m.to_string());
    }
    match study {
        Some(STRAIGHT_STUDY) => {
            cmd.arg("--straight");
        }
        Some(_) => {
            cmd.arg("--scenarios");
        }
        None => {}
    }
    if let Some(n) = args.threads {
        cmd.arg("--threads").arg(n.to_string());
    }
    let (stdout, wall) = timed_output(&mut cmd, &format!("the {homes}-home run"))?;
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH "))
        .ok_or("the child printed no result")?;
    Ok((line.to_string(), wall))
}

fn parent(args: &Args) -> AnyResult<()> {
    let mut results = Vec::new();
    for &homes in &args.sizes {
        let generated_s = ensure_city(args, homes)?;
        write_straight_study(&city_dir(args, homes))?;
        write_scenario_study(&city_dir(args, homes))?;
        eprintln!("bench: running {homes} homes");
        let (line, _) = run_child(args, homes, None)?;
        let mut r: SizeResult = serde_json::from_str(&line)?;
        r.generated_s = generated_s;
        eprintln!(
            "bench: {homes} homes: {:.2} s, {:.0} MB peak",
            r.stages.iter().map(|s| s.1).sum::<f64>(),
            r.peak_mb
        );
        let (line, process_s) = run_child(args, homes, Some(STRAIGHT_STUDY))?;
        let mut s: StraightResult = serde_json::from_str(&line)?;
        s.process_s = process_s;
        eprintln!(
            "bench: {homes} homes, straight-line study: {:.2} s end to end, {:.0} MB peak",
            s.process_s, s.peak_mb
        );
        r.straight = Some(s);
        let (line, process_s) = run_child(args, homes, Some(SCENARIO_STUDY))?;
        let mut s: StraightResult = serde_json::from_str(&line)?;
        s.process_s = process_s;
        eprintln!(
            "bench: {homes} homes, {SCENARIOS} scenarios: {:.2} s, {:.0} MB peak",
            s.stages.iter().map(|s| s.1).sum::<f64>(),
            s.peak_mb
        );
        r.scenarios = Some(s);
        if let Some(python) = &args.geopandas {
            let g = run_geopandas(python, &city_dir(args, homes))?;
            eprintln!(
                "bench: {homes} homes, geopandas: {:.2} s end to end, {:.0} MB peak",
                g.process_s, g.peak_mb
            );
            r.geopandas = Some(g);
        }
        if let Some(python) = &args.pandana {
            let p = run_pandana(python, &city_dir(args, homes))?;
            eprintln!(
                "bench: {homes} homes, pandana: {:.2} s end to end ({:.2} s hierarchy + nearest), {:.0} MB peak",
                p.process_s,
                p.network_s + p.nearest_s,
                p.peak_mb
            );
            r.pandana = Some(p);
        }
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

/// Runs the geopandas baseline on one city.
fn run_geopandas(python: &Path, dir: &Path) -> AnyResult<GeopandasResult> {
    let (mut g, process_s) = run_baseline::<GeopandasResult>(
        python,
        dir,
        "scripts/bench_geopandas.py",
        "the geopandas baseline",
    )?;
    g.process_s = process_s;
    Ok(g)
}

/// Runs the pandana baseline on one city.
fn run_pandana(python: &Path, dir: &Path) -> AnyResult<PandanaResult> {
    let (mut p, process_s) = run_baseline::<PandanaResult>(
        python,
        dir,
        "scripts/bench_pandana.py",
        "the pandana baseline",
    )?;
    p.process_s = process_s;
    Ok(p)
}

/// Runs a baseline script on one city: its result is the last JSON object it prints, with the
/// whole process's seconds beside it.
fn run_baseline<T: serde::de::DeserializeOwned>(
    python: &Path,
    dir: &Path,
    script: &str,
    what: &str,
) -> AnyResult<(T, f64)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    let mut cmd = Command::new(python);
    cmd.arg(&script).arg(dir);
    let (stdout, process_s) = timed_output(&mut cmd, what)?;
    // pandana's C++ progress ("... 100% ") shares stdout with Python and ends without a newline,
    // so the result can start mid-line.
    let line = stdout
        .lines()
        .rev()
        .find_map(|l| l.find('{').map(|start| &l[start..]))
        .ok_or_else(|| format!("{what} printed no result"))?;
    Ok((serde_json::from_str(line)?, process_s))
}

fn set_threads(args: &Args) -> AnyResult<()> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    Ok(())
}

/// The straight-line study or the scenarios' alone: nothing after the run, so that the
/// parent's wall time of this process is the run end to end.
fn study_child(args: &Args, homes: usize, study: &str) -> AnyResult<()> {
    set_threads(args)?;
    let study = city_dir(args, homes).join(study);
    let run = run_study(
        &study,
        &RunOptions {
            out: None,
            quiet: true,
            language: None,
            pdf: false,
        },
    )?;
    let result = StraightResult {
        stages: run.written.timings.clone(),
        peak_mb: vm_hwm_mb()?,
        cpu_s: cpu_seconds()?,
        process_s: 0.0,
    };
    println!("BENCH {}", serde_json::to_string(&result)?);
    // Left to the exit, as `kindscape run` leaves it.
    std::mem::forget(run);
    Ok(())
}

fn child(args: &Args, homes: usize, started: Instant) -> AnyResult<()> {
    set_threads(args)?;
    let dir = city_dir(args, homes);
    let study = dir.join(STUDY_FILE);
    let run = run_study(
        &study,
        &RunOptions {
            out: Some(dir.join("out")),
            quiet: true,
            language: None,
            pdf: false,
        },
    )?;
    let run_s = started.elapsed().as_secs_f64();
    let peak_mb = vm_hwm_mb()?;
    let cpu_s = cpu_seconds()?;

    let mut kernels = Vec::new();
    let walk = kindscape::scene::read_vector(&dir.join("walk.geojson"), None, None)?;
    let t = Instant::now();
    let net = WalkNetwork::from_layer(&walk, "highway", Walkable::OsmRules)?;
    kernels.push((
        "walk graph from its GeoJSON layer (in load)".to_string(),
        t.elapsed().as_secs_f64(),
    ));
    let t = Instant::now();
    let straight = kindscape::reach::straight_distances(&run.results.scene);
    kernels.push((
        "straight-line nearest, 4 kinds (in straight line)".to_string(),
        t.elapsed().as_secs_f64(),
    ));
    if straight != run.results.distances.straight {
        return Err("the straight-line kernel disagrees with the run".into());
    }

    let input_mb = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "geojson"))
        // Followed through symbolic links: a city folder may be a copy made of links.
        .filter_map(|e| std::fs::metadata(e.path()).ok())
        .map(|m| m.len() as f64)
        .sum::<f64>()
        / 1e6;
    let result = SizeResult {
        homes,
        threads: rayon::current_num_threads(),
        generated_s: None,
        stages: run.written.timings.clone(),
        peak_mb,
        cpu_s,
        kernels,
        street_nodes: net.node_count(),
        street_edges: net.edge_count(),
        amenities: run
            .results
            .scene
            .amenities
            .iter()
            .map(|k| (k.kind.clone(), k.items.len()))
            .collect(),
        input_mb,
        straight: None,
        scenarios: None,
        geopandas: None,
        run_s,
        pandana: None,
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
    row(
        &mut t,
        "**whole run, from the process's start to every output written**",
        results
            .iter()
            .map(|r| format!("**{}**", seconds(r.run_s)))
            .collect(),
    );
    pandana_table(&mut t, results, &header);
    straight_table(&mut t, results, &header);
    scenario_table(&mut t, results, &header);
    t
}

/// One cell of the pandana table, from a size's run and its baseline.
type PandanaCell = dyn Fn(&SizeResult, &PandanaResult) -> String;

/// The whole network study against pandana's contraction hierarchy and `nearest_pois` on the
/// same city; ratio = pandana / kindscape.
fn pandana_table(t: &mut String, results: &[SizeResult], header: &[String]) {
    if results.iter().all(|r| r.pandana.is_none()) {
        return;
    }
    *t += "\nThe whole network study against pandana (`scripts/bench_pandana.py`: 4 kinds, one graph)\n\n";
    *t += &format!("| seconds | {} |\n", header.join(" | "));
    *t += &format!("|---|{}\n", "---:|".repeat(results.len()));
    let cell = |f: &PandanaCell| -> String {
        results
            .iter()
            .map(|r| r.pandana.as_ref().map_or("-".into(), |p| f(r, p)))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let rows: [(&str, &PandanaCell); 15] = [
        (
            "**kindscape: whole run (every stage, every output)**",
            &|r, _| format!("**{}**", seconds(r.run_s)),
        ),
        (
            "kindscape: CPU seconds (user + system, all threads)",
            &|r, _| seconds(r.cpu_s),
        ),
        ("kindscape: peak memory (MB)", &|r, _| {
            format!("{:.0}", r.peak_mb)
        }),
        ("pandana: read the layers, make nodes and edges", &|_, p| {
            seconds(p.read_s)
        }),
        ("pandana: Network (contraction hierarchy)", &|_, p| {
            seconds(p.network_s)
        }),
        (
            "pandana: set_pois + nearest_pois, 4 kinds; homes' nodes",
            &|_, p| seconds(p.nearest_s),
        ),
        ("**pandana: hierarchy + nearest_pois alone**", &|_, p| {
            format!("**{}**", seconds(p.network_s + p.nearest_s))
        }),
        ("pandana: hierarchy + nearest_pois, CPU seconds", &|_, p| {
            seconds(p.network_nearest_cpu_s)
        }),
        ("pandana: whole process, CPU seconds", &|_, p| {
            seconds(p.cpu_s)
        }),
        ("pandana: whole process, end to end", &|_, p| {
            seconds(p.process_s)
        }),
        ("pandana: peak memory (MB)", &|_, p| {
            format!("{:.0}", p.peak_mb)
        }),
        ("pandana: graph nodes / edges", &|_, p| {
            format!("{} / {}", p.nodes, p.edges)
        }),
        (
            "**ratio: pandana hierarchy + nearest_pois / kindscape whole run**",
            &|r, p| format!("**{:.1}x**", (p.network_s + p.nearest_s) / r.run_s),
        ),
        (
            "**ratio in CPU seconds: pandana hierarchy + nearest_pois / kindscape whole run**",
            &|r, p| format!("**{:.1}x**", p.network_nearest_cpu_s / r.cpu_s),
        ),
        (
            "ratio: pandana whole process / kindscape whole run",
            &|r, p| format!("{:.1}x", p.process_s / r.run_s),
        ),
    ];
    for (name, f) in rows {
        *t += &format!("| {name} | {} |\n", cell(f));
    }
}

/// The straight-line study per size, against geopandas' figures of issue 8 at 1 M homes.
/// The whole flow with [`SCENARIOS`] scenarios beside the same flow without them: both times
/// are the sums of `run.json`'s stages (the run from loading to the last output).
fn scenario_table(t: &mut String, results: &[SizeResult], header: &[String]) {
    if results.iter().all(|r| r.scenarios.is_none()) {
        return;
    }
    *t += &format!(
        "\nThe whole flow with {SCENARIOS} scenarios (`{SCENARIO_STUDY}`: each closes {CLOSED_PER_SCENARIO} playgrounds spread over the city)\n\n"
    );
    *t += &format!("| seconds | {} |\n", header.join(" | "));
    *t += &format!("|---|{}\n", "---:|".repeat(results.len()));
    let total = |stages: &[(String, f64)]| stages.iter().map(|s| s.1).sum::<f64>();
    let cell = |f: &dyn Fn(&SizeResult, &StraightResult) -> String| -> String {
        results
            .iter()
            .map(|r| r.scenarios.as_ref().map_or("-".into(), |s| f(r, s)))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    *t += &format!(
        "| one run (the whole flow above) | {} |\n",
        cell(&|r, _| seconds(total(&r.stages)))
    );
    *t += &format!(
        "| the same run with {SCENARIOS} scenarios | {} |\n",
        cell(&|_, s| seconds(total(&s.stages)))
    );
    *t += &format!(
        "| of which `scenarios` | {} |\n",
        cell(&|_, s| seconds(
            s.stages
                .iter()
                .filter(|x| x.0 == "scenarios")
                .map(|x| x.1)
                .sum()
        ))
    );
    *t += &format!(
        "| **ratio (with scenarios / one run; target < 3)** | {} |\n",
        cell(&|r, s| format!("**{:.2}x**", total(&s.stages) / total(&r.stages)))
    );
    *t += &format!(
        "| peak memory (MB): one run / with scenarios | {} |\n",
        cell(&|r, s| format!("{:.0} / {:.0}", r.peak_mb, s.peak_mb))
    );
}

fn straight_table(t: &mut String, results: &[SizeResult], header: &[String]) {
    let runs: Vec<Option<&StraightResult>> = results.iter().map(|r| r.straight.as_ref()).collect();
    if runs.iter().all(|r| r.is_none()) {
        return;
    }
    *t += &format!(
        "\nStraight-line study (`{STRAIGHT_STUDY}`: homes, neighbourhoods, 4 amenity kinds; no network)\n\n"
    );
    *t += &format!("| seconds | {} |\n", header.join(" | "));
    *t += &format!("|---|{}\n", "---:|".repeat(results.len()));
    let cell = |f: &dyn Fn(&StraightResult) -> String| -> String {
        runs.iter()
            .map(|r| r.map_or("-".into(), f))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let stage = |s: &StraightResult, name: &str| -> f64 {
        s.stages.iter().filter(|x| x.0 == name).map(|x| x.1).sum()
    };
    *t += &format!(
        "| load + straight line (the work of geopandas' load + sjoin_nearest) | {} |\n",
        cell(&|s| seconds(stage(s, "load") + stage(s, "straight_line")))
    );
    for name in [
        "load",
        "straight_line",
        "e2sfca",
        "neighbourhoods",
        "outputs",
    ] {
        *t += &format!("| {name} | {} |\n", cell(&|s| seconds(stage(s, name))));
    }
    *t += &format!(
        "| **whole process, end to end** | {} |\n",
        cell(&|s| format!("**{}**", seconds(s.process_s)))
    );
    *t += &format!(
        "| CPU seconds (user + system) | {} |\n",
        cell(&|s| seconds(s.cpu_s))
    );
    *t += &format!(
        "| **peak memory (MB)** | {} |\n",
        cell(&|s| format!("**{:.0}**", s.peak_mb))
    );
    if results.iter().all(|r| r.geopandas.is_none()) {
        return;
    }
    // The baseline, measured in this bench run on the same city; ratio = geopandas / kindscape.
    let both = |f: &dyn Fn(&StraightResult, &GeopandasResult) -> String| -> String {
        results
            .iter()
            .map(|r| match (&r.straight, &r.geopandas) {
                (Some(s), Some(g)) => f(s, g),
                _ => "-".into(),
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let gp = |f: &dyn Fn(&GeopandasResult) -> String| both(&|_, g| f(g));
    *t += &format!(
        "| geopandas: load (read_file + to_crs) | {} |\n",
        gp(&|g| seconds(g.load_s))
    );
    *t += &format!(
        "| geopandas: sjoin_nearest, 4 kinds | {} |\n",
        gp(&|g| seconds(g.compute_s))
    );
    *t += &format!(
        "| geopandas: write the distances (to_csv) | {} |\n",
        gp(&|g| seconds(g.write_s))
    );
    *t += &format!(
        "| geopandas: whole process, end to end | {} |\n",
        gp(&|g| seconds(g.process_s))
    );
    *t += &format!(
        "| geopandas: peak memory (MB) | {} |\n",
        gp(&|g| format!("{:.0}", g.peak_mb))
    );
    *t += &format!(
        "| **ratio: load + nearest (geopandas / kindscape)** | {} |\n",
        both(&|s, g| format!(
            "**{:.1}x**",
            (g.load_s + g.compute_s) / (stage(s, "load") + stage(s, "straight_line"))
        ))
    );
    *t += &format!(
        "| **ratio: whole process, end to end** | {} |\n",
        both(&|s, g| format!("**{:.1}x**", g.process_s / s.process_s))
    );
    *t += &format!(
        "| **memory: kindscape peak / geopandas peak** | {} |\n",
        both(&|s, g| format!("**{:.2}**", s.peak_mb / g.peak_mb))
    );
}

/// The formats `--load-only` can time, by their extension.
const LOAD_FORMATS: [&str; 4] = ["geojson", "gpkg", "shp", "parquet"];

/// One format's homes layer, loaded once.
struct LoadResult {
    format: String,
    /// `None` when the file could not be made here (the reason).
    measured: Result<LoadFigures, String>,
}

struct LoadFigures {
    file_mb: f64,
    homes: usize,
    seconds: f64,
    cpu_s: f64,
}

/// Times loading the homes layer alone, per size and format; prints and writes the table.
fn load_only(args: &Args) -> AnyResult<()> {
    let mut results: Vec<(usize, Vec<LoadResult>)> = Vec::new();
    for &homes in &args.sizes {
        ensure_city(args, homes)?;
        let dir = city_dir(args, homes);
        let mut row = Vec::new();
        for format in &args.formats {
            let measured = homes_file(&dir, format, args.geopandas.as_deref())
                .and_then(|path| time_load(&path).map_err(|e| e.to_string()));
            match &measured {
                Ok(m) => eprintln!(
                    "bench: {homes} homes, {format}: {:.2} s, {:.0} MB/s",
                    m.seconds,
                    m.file_mb / m.seconds
                ),
                Err(e) => eprintln!("bench: {homes} homes, {format}: not measured ({e})"),
            }
            row.push(LoadResult {
                format: format.clone(),
                measured,
            });
        }
        results.push((homes, row));
    }
    let mut table = load_table(&results);
    // Wall seconds on a shared machine mean little without the load they were measured under.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let minute = load.split_whitespace().next().unwrap_or("?");
        table += &format!(
            "\nLoad average (1 minute) at the end: {minute} on {} cores\n",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
    }
    println!("{table}");
    if let Some(dir) = args.report.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.report, &table)?;
    eprintln!("bench: table written to {}", args.report.display());
    Ok(())
}

/// The city's homes layer in `format`, converted once into `<city>/load/` (a copy is written
/// under a temporary name and renamed when complete).
fn homes_file(dir: &Path, format: &str, python: Option<&Path>) -> Result<PathBuf, String> {
    let geojson = dir.join("homes.geojson");
    if format == "geojson" {
        return Ok(geojson);
    }
    let out = dir.join("load");
    let path = out.join(format!("homes.{format}"));
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    eprintln!("bench: converting {} to {format}", geojson.display());
    match format {
        "parquet" => write_parquet_copy(python, &geojson, &path)?,
        _ => {
            // A Shapefile is several files: they are made in a folder of their own and moved.
            let scratch = out.join(format!("partial-{format}"));
            let _ = std::fs::remove_dir_all(&scratch);
            std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
            let driver = if format == "gpkg" {
                "GPKG"
            } else {
                "ESRI Shapefile"
            };
            let target = scratch.join(format!("homes.{format}"));
            let status = Command::new("ogr2ogr")
                .args(["-f", driver])
                .arg(&target)
                .arg(&geojson)
                .args(["-nln", "homes"])
                .status()
                .map_err(|e| format!("ogr2ogr (GDAL) is needed to convert the city: {e}"))?;
            if !status.success() {
                return Err(format!("ogr2ogr failed ({status})"));
            }
            for entry in std::fs::read_dir(&scratch).map_err(|e| e.to_string())? {
                let entry = entry.map_err(|e| e.to_string())?;
                std::fs::rename(entry.path(), out.join(entry.file_name()))
                    .map_err(|e| e.to_string())?;
            }
            std::fs::remove_dir_all(&scratch).map_err(|e| e.to_string())?;
        }
    }
    Ok(path)
}

/// Writes the homes as GeoParquet with geopandas (the `--geopandas` Python; GDAL 3.6 has no
/// Parquet driver), as a user's GeoParquet file would be made.
fn write_parquet_copy(python: Option<&Path>, geojson: &Path, path: &Path) -> Result<(), String> {
    let python = python.ok_or("pass --geopandas PYTHON to convert the city to GeoParquet")?;
    let partial = path.with_extension("partial");
    let status = Command::new(python)
        .args([
            "-c",
            "import sys, geopandas; geopandas.read_file(sys.argv[1]).to_parquet(sys.argv[2])",
        ])
        .arg(geojson)
        .arg(&partial)
        .status()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    if !status.success() {
        return Err(format!("geopandas could not write GeoParquet ({status})"));
    }
    std::fs::rename(&partial, path).map_err(|e| e.to_string())
}

/// Loads the homes layer as a study does (chunks of 16384 features, only the id kept), after
/// one untimed read of the file so that it is in the page cache.
fn time_load(path: &Path) -> AnyResult<LoadFigures> {
    use std::io::Read;
    // A Shapefile is all the files of its name (.shp, .shx, .dbf, .prj, .cpg).
    let parts: Vec<PathBuf> = if path.extension().is_some_and(|e| e == "shp") {
        let stem = path.file_stem().map(|s| s.to_owned());
        std::fs::read_dir(path.parent().ok_or("no folder")?)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_stem().map(|s| s.to_owned()) == stem)
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    let mut bytes = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    for part in &parts {
        let mut f = std::fs::File::open(part)?;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
        }
    }
    let file_mb = bytes as f64 / 1e6;
    let keep = ["home_id".to_string()];
    let cpu = cpu_seconds()?;
    let t = Instant::now();
    let mut homes = 0;
    kindscape::layers::format::read_in_chunks(
        kindscape::layers::format::VectorSource::new(path, None, None),
        1 << 14,
        Some(&keep),
        |chunk| {
            homes += chunk.features.len();
            Ok(())
        },
    )?;
    let seconds = t.elapsed().as_secs_f64();
    Ok(LoadFigures {
        file_mb,
        homes,
        seconds,
        cpu_s: cpu_seconds()? - cpu,
    })
}

fn load_table(results: &[(usize, Vec<LoadResult>)]) -> String {
    let mut t = String::from(
        "Loading the homes layer alone (read in chunks as a study reads it, the id kept; file in the page cache). MB per CPU s: the file's size over the CPU seconds of all threads, which a loaded machine does not inflate\n\n",
    );
    t += &format!(
        "| format | {} |\n",
        results
            .iter()
            .map(|(h, _)| format!("{h} homes: s (CPU s) | MB | MB/s | MB per CPU s | homes/s"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    t += &format!(
        "|---|{}\n",
        "---:|---:|---:|---:|---:|".repeat(results.len())
    );
    let formats: Vec<&str> = results
        .first()
        .map(|(_, r)| r.iter().map(|l| l.format.as_str()).collect())
        .unwrap_or_default();
    for format in formats {
        let cells: Vec<String> = results
            .iter()
            .map(
                |(_, row)| match row.iter().find(|l| l.format == format).map(|l| &l.measured) {
                    Some(Ok(m)) => format!(
                        "{} ({}) | {:.0} | **{:.0}** | {:.0} | {:.2} M",
                        seconds(m.seconds),
                        seconds(m.cpu_s),
                        m.file_mb,
                        m.file_mb / m.seconds,
                        // /proc counts CPU time in ticks of 10 ms.
                        m.file_mb / m.cpu_s.max(0.01),
                        m.homes as f64 / m.seconds / 1e6
                    ),
                    _ => "not measured | | | |".to_string(),
                },
            )
            .collect();
        t += &format!("| {format} | {} |\n", cells.join(" | "));
    }
    t
}
