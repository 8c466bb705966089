//! The `kindscape` command: parses arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    },
    /// Load and validate every layer; print counts, CRS, extents and warnings. Writes nothing.
    Check { study: PathBuf },
    /// Write the sample town (layers and study file) to DIR.
    Sample {
        dir: PathBuf,
        /// Number of homes (a synthetic city of any size for benchmarks).
        #[arg(long)]
        homes: Option<usize>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            study,
            out,
            quiet,
            threads,
        } => {
            if let Some(n) = threads {
                let _ = rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .build_global();
            }
            kindscape::run::run_study(&study, &kindscape::run::RunOptions { out, quiet }).map(|r| {
                if !quiet {
                    print!("{}", kindscape::output::summary::run_summary(&r));
                }
            })
        }
        Command::Check { study } => kindscape::run::check_study(&study)
            .map(|c| print!("{}", kindscape::output::summary::check_summary(&c))),
        Command::Sample { dir, homes, seed } => kindscape::sample::run_cli(&dir, homes, seed),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
