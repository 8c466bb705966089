//! The whole flow, from a study file to the output folder; and `check`, which stops after loading.
//!
//! [`load`] reads the layers, [`compute`] turns them into [`Results`] without touching a file,
//! and [`write`] writes every output from them. [`run_study`] is the three in a row, with the
//! command line's progress display and memory policy around them.

mod compute;

use std::path::{Path, PathBuf};

pub use compute::{compute, load, Inputs, Observer, Results, Timer, Unobserved};

use crate::error::{Result, Warnings};
use crate::output::files::{write_outputs, write_record};
use crate::output::pdf::Chromium;
use crate::output::{OutputOptions, RunView, Writer, Written};
use crate::progress::Progress;
use crate::scene::Scene;
use crate::study::{Language, Resolved};

/// How a run is asked for.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides `[study] output`.
    pub out: Option<PathBuf>,
    pub quiet: bool,
    /// Overrides `[study] language`.
    pub language: Option<Language>,
    /// Also print `report.pdf`, as `[study] formats = ["pdf"]` does.
    pub pdf: bool,
}

/// What a run computed and wrote, for library users and for the CLI's summary.
pub struct RunResult {
    pub study: Resolved,
    pub results: Results,
    pub written: Written,
}

impl RunResult {
    /// The results as the outputs read them.
    pub fn view(&self) -> RunView<'_> {
        self.results.view(&self.study)
    }
}

/// The command line's observer: a spinner per stage, timings, and freed memory given back to
/// the system after each stage, before the next one allocates.
struct Cli {
    progress: Progress,
    bar: Option<indicatif::ProgressBar>,
    timer: Timer,
}

impl Cli {
    fn finish_bar(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Cli {
    fn begin(&mut self, message: &str) {
        self.finish_bar();
        self.bar = Some(self.progress.stage(message));
    }

    fn end(&mut self, stage: &str) {
        crate::memory::give_back();
        self.timer.end(stage);
    }
}

/// Runs the whole study and writes every output.
pub fn run_study(study_path: &Path, opts: &RunOptions) -> Result<RunResult> {
    let mut cli = Cli {
        progress: Progress::new(opts.quiet),
        bar: None,
        timer: Timer::default(),
    };
    let study = Resolved::load(study_path)?;
    let warnings = Warnings::new();
    let pdf = if opts.pdf || study.pdf {
        // No browser is no reason to lose the run: the other outputs are written, and said so.
        Chromium::find().map_err(|why| warnings.push(why)).ok()
    } else {
        None
    };
    let output = OutputOptions {
        out_dir: study.output_dir(opts.out.as_deref()),
        language: opts.language.unwrap_or(study.language.value),
        pdf,
    };
    // Fail on an output folder that is unwritable, holds an input or is in use before the work.
    let writer = Writer::open(&output, &study)?;
    cli.begin("loading layers");
    let inputs = load(&study, &warnings).map_err(|e| e.after_warnings(&warnings))?;
    cli.end("load");
    let results = compute(&study, inputs, warnings, &mut cli)?;
    cli.begin("writing outputs");
    let written = write_to(&study, &results, writer, &mut cli)?;
    cli.finish_bar();
    Ok(RunResult {
        study,
        results,
        written,
    })
}

/// Writes every output file of `results` into `options.out_dir`, all or none.
pub fn write(study: &Resolved, results: &Results, options: &OutputOptions) -> Result<Written> {
    write_to(
        study,
        results,
        Writer::open(options, study)?,
        &mut Timer::default(),
    )
}

fn write_to(
    study: &Resolved,
    results: &Results,
    writer: Writer,
    observer: &mut impl TimedObserver,
) -> Result<Written> {
    let view = results.view(study);
    write_outputs(&view, &writer)?;
    observer.end("outputs");
    let timings = observer.timings().to_vec();
    write_record(&view, &timings, &writer)?;
    let out_dir = writer.out_dir().to_path_buf();
    let language = writer.language();
    Ok(Written {
        out_dir,
        files: writer.commit()?,
        timings,
        language,
    })
}

/// An observer that keeps the timings `run.json` lists.
trait TimedObserver: Observer {
    fn timings(&self) -> &[(String, f64)];
}

impl TimedObserver for Timer {
    fn timings(&self) -> &[(String, f64)] {
        &self.stages
    }
}

impl TimedObserver for Cli {
    fn timings(&self) -> &[(String, f64)] {
        &self.timer.stages
    }
}

/// What `check` found.
pub struct CheckReport {
    pub study: Resolved,
    pub scene: Scene,
    pub network: Option<crate::reach::network::WalkNetwork>,
    pub warnings: Vec<String>,
}

/// Loads and validates every layer; writes nothing.
pub fn check_study(study_path: &Path) -> Result<CheckReport> {
    let warnings = Warnings::new();
    let study = Resolved::load(study_path)?;
    // As `run` does before loading: an output folder it would refuse is an error here too.
    crate::output::folder::check_before_run(&study.output_dir(None), &study.inputs, &study.path)?;
    let inputs = load(&study, &warnings).map_err(|e| e.after_warnings(&warnings))?;
    Ok(CheckReport {
        study,
        scene: inputs.scene,
        network: inputs.network,
        warnings: warnings.to_vec(),
    })
}
