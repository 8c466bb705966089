//! The `kindscape` command: parses arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kindscape::output::summary;

/// How child-friendly is a city? Distances from every home to play, read, meet and be outside.
#[derive(Parser)]
#[command(name = "kindscape", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole study and write every output.
    Run {
        /// The study file (TOML).
        study: PathBuf,
        /// Output folder (overrides [study] output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// No progress and no summary.
        #[arg(long, short)]
        quiet: bool,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Language of the report, summary.md and this summary (overrides [study] language).
        #[arg(long, value_parser = ["en", "nl"])]
        lang: Option<String>,
        /// Also print the report to report.pdf with headless Chromium (chromium, chromium-browser
        /// or google-chrome on PATH, or $KINDSCAPE_CHROMIUM); without one, a warning.
        #[arg(long)]
        pdf: bool,
    },
    /// Load and validate every layer; print counts, CRS, extents and warnings. Writes nothing.
    Check {
        study: PathBuf,
        /// Language of the summary (overrides [study] language).
        #[arg(long, value_parser = ["en", "nl"])]
        lang: Option<String>,
    },
    /// Split a study into region studies (GeoParquet layers; not in a `--no-default-features` build).
    Split {
        study: PathBuf,
        /// One region per value of this neighbourhood attribute.
        #[arg(long, conflicts_with = "tiles", required_unless_present = "tiles")]
        by: Option<String>,
        /// This many regions of about equal homes, cut from the neighbourhoods' centroids.
        #[arg(long)]
        tiles: Option<usize>,
        /// The folder the region studies are written to (new or empty).
        #[arg(long)]
        out: PathBuf,
    },
    /// Put the outputs of the regions of one split back together (DIR: a region folder, or the
    /// folder `split` wrote).
    Merge {
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The output folder.
        #[arg(long)]
        out: PathBuf,
        /// The split study (for run.json and the output folder's checks).
        #[arg(long)]
        study: Option<PathBuf>,
    },
    /// Write the sample town (layers and study file) to DIR.
    Sample {
        dir: PathBuf,
        /// Number of homes (a synthetic city of any size for benchmarks).
        #[arg(long)]
        homes: Option<usize>,
        /// Seed of the layout (default: the committed sample town's).
        #[arg(long)]
        seed: Option<u64>,
        /// Also write the town as OpenStreetMap (.osm.pbf) with a study file that reads it.
        #[arg(long)]
        osm: bool,
        /// Replace files of the sample's names in a folder that does not hold an earlier sample.
        #[arg(long)]
        force: bool,
        /// Cut the streets into pieces of at most METRES (a network as dense as OpenStreetMap's, for benchmarks).
        #[arg(long, value_name = "METRES")]
        street_pieces: Option<u32>,
    },
}

/// The most `--threads` a run may ask for: 4 per available core, at least 16 (so the same
/// `--threads 4` works on a one-core machine as on a large one).
fn thread_limit() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (4 * cores).max(16)
}

#[cfg(feature = "parquet")]
fn split(
    study: &std::path::Path,
    by: Option<String>,
    tiles: Option<usize>,
    out: &std::path::Path,
) -> kindscape::Result<()> {
    use kindscape::regions::split::{split, Partition};
    let partition = match (by, tiles) {
        (Some(a), _) => Partition::By(a),
        (None, Some(n)) => Partition::Tiles(n),
        (None, None) => unreachable!("clap requires --by or --tiles"),
    };
    let s = split(study, &partition, out)?;
    eprint!("{}", summary::sorted_warnings(&s.warnings));
    for (name, nbs, own, carried) in &s.regions {
        println!("{name}: {nbs} neighbourhoods, {own} homes (with the halo {carried})");
    }
    println!(
        "Wrote {} region studies to {}; run each (`kindscape run {}/<region>/study.toml`), then `kindscape merge {} --out OUT`",
        s.regions.len(),
        s.out.display(),
        s.out.display(),
        s.out.display()
    );
    Ok(())
}

#[cfg(not(feature = "parquet"))]
fn split(
    study: &std::path::Path,
    _by: Option<String>,
    _tiles: Option<usize>,
    _out: &std::path::Path,
) -> kindscape::Result<()> {
    Err(kindscape::Error::study(
        study,
        "split writes each region's layers as GeoParquet, which needs a kindscape built with the `parquet` feature, and this one was built without it: rebuild with `cargo install --path . --features parquet`",
    ))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // DESIGN.md: a user error exits 1; clap would exit 2 on a bad option.
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Run {
            study,
            out,
            quiet,
            threads,
            lang,
            pdf,
        } => {
            if let Some(n) = threads {
                let limit = thread_limit();
                if n > limit {
                    eprintln!("error: --threads {n}: at most {limit} (4 per available core); more only adds overhead");
                    return ExitCode::FAILURE;
                }
                let _ = rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .build_global();
            }
            let options = kindscape::run::RunOptions {
                out,
                quiet,
                language: lang
                    .as_deref()
                    .and_then(kindscape::study::Language::from_code),
                pdf,
            };
            kindscape::run::run_study(&study, &options).map(|r| {
                eprint!("{}", summary::sorted_warnings(&r.results.warnings));
                if !quiet {
                    print!("{}", summary::run_summary(&r.view(), &r.written));
                }
                // The outputs are committed and nothing in the results holds a file or a lock:
                // freeing millions of values one by one just before the process ends would be
                // wasted time, as the system takes the whole memory back at exit anyway.
                std::mem::forget(r);
            })
        }
        Command::Check { study, lang } => kindscape::run::check_study(&study).map(|c| {
            eprint!("{}", summary::sorted_warnings(&c.warnings));
            let language = lang
                .as_deref()
                .and_then(kindscape::study::Language::from_code)
                .unwrap_or(c.study.language.value);
            print!(
                "{}",
                summary::check_summary(
                    &c.study,
                    &c.scene,
                    c.network.as_ref(),
                    &c.warnings,
                    language
                )
            )
        }),
        Command::Split {
            study,
            by,
            tiles,
            out,
        } => split(&study, by, tiles, &out),
        Command::Merge { dirs, out, study } => {
            let options = kindscape::regions::merge::MergeOptions { out, study };
            kindscape::regions::merge::merge(&dirs, &options).map(|m| {
                println!(
                    "Merged {} regions: {} homes, {} neighbourhoods, {} files in {}",
                    m.regions,
                    m.homes,
                    m.neighbourhoods,
                    m.files.len(),
                    m.out_dir.display()
                );
                println!(
                    "Study-wide quintiles, inequality indices and priority ranks are computed from all regions; {}.",
                    kindscape::regions::merge::PER_REGION_NOTE
                );
            })
        }
        Command::Sample {
            dir,
            homes,
            seed,
            osm,
            force,
            street_pieces,
        } => {
            let defaults = kindscape::sample::SampleOptions::default();
            let opts = kindscape::sample::SampleOptions {
                homes: homes.unwrap_or(defaults.homes),
                seed: seed.unwrap_or(defaults.seed),
                osm_pbf: osm,
                force,
                street_piece_m: street_pieces,
                ..defaults
            };
            kindscape::sample::write_sample(&dir, &opts).map(|s| {
                println!(
                    "Wrote {} homes, {} neighbourhoods, {} playgrounds, {} green spaces, {} libraries, {} community centres, {} walkable edges to {}",
                    s.homes, s.neighbourhoods, s.playgrounds, s.green_spaces, s.libraries, s.community_centres, s.network_edges, dir.display()
                );
                println!("Run it with: kindscape run {}", s.study.display());
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for w in e.warnings_before() {
                eprintln!("warning: {w}");
            }
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
