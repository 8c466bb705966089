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

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
