//! The whole flow, from a study file to the output folder; and `check`, which stops after loading.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use crate::equity::analysis::{self, Equity};
use crate::error::{Error, Result, Warnings};
use crate::measures::{self, HomeMeasures};
use crate::neighbourhoods::{self, NeighbourhoodFigures};
use crate::output::{self, table::Table, ExtraColumns, Staging};
use crate::progress::Progress;
use crate::reach::{self, Distances};
use crate::scene::{self, Scene};
use crate::study::Study;

/// How a run is asked for.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides `[study] output`.
    pub out: Option<PathBuf>,
    pub quiet: bool,
}

/// What a run computed, for library users and for the CLI's summary.
pub struct RunResult {
    pub study: Study,
    pub scene: Scene,
    pub distances: Distances,
    pub measures: HomeMeasures,
    pub figures: Vec<NeighbourhoodFigures>,
    pub study_area: NeighbourhoodFigures,
    pub neighbourhood_table: Table,
    pub equity: Option<Equity>,
    pub meeting_places: Vec<analysis::MeetingPlace>,
    pub sites: Option<crate::sites::plan::SitePlan>,
    pub warnings: Vec<String>,
    /// Seconds per stage, in order.
    pub timings: Vec<(String, f64)>,
    pub out_dir: PathBuf,
    pub files: Vec<PathBuf>,
}

struct Clock {
    start: Instant,
    stages: Vec<(String, f64)>,
}

impl Clock {
    fn new() -> Self {
        Clock {
            start: Instant::now(),
            stages: Vec::new(),
        }
    }

    fn lap(&mut self, name: &str) {
        // What a stage freed goes back to the system before the next one allocates.
        crate::memory::give_back();
        let now = Instant::now();
        self.stages
            .push((name.to_string(), (now - self.start).as_secs_f64()));
        self.start = now;
    }
}

/// Runs the whole study and writes every output.
pub fn run_study(study_path: &Path, opts: &RunOptions) -> Result<RunResult> {
    let progress = if opts.quiet {
        Progress::hidden()
    } else {
        Progress::new(false)
    };
    let warnings = Warnings::new();
    let mut clock = Clock::new();
    let study = Study::load(study_path)?;
    let out_dir = study.output_dir(opts.out.as_deref());
    // Fail on an unwritable output folder before the work, not after.
    let mut staging = Staging::new(&out_dir)?;

    if let Some(sum) = study
        .file
        .score
        .as_ref()
        .map(|s| s.weights.values().sum::<f64>())
        .filter(|s| (s - 1.0).abs() > 1e-9)
    {
        warnings.push(format!(
            "[score] weights sum to {sum}, not 1; they were normalised (divided by {sum})"
        ));
    }
    let bar = progress.stage("loading layers");
    let scene = scene::build(&study, &warnings)?;
    bar.finish_and_clear();
    clock.lap("load");

    let bar = progress.stage("straight-line distances");
    let straight = reach::straight_distances(&scene);
    bar.finish_and_clear();
    clock.lap("straight_line");
    let bar = progress.stage("network distances");
    let (network, network_report) = match reach::network_distances(&study, &scene, &straight)? {
        Some((d, r)) => (Some(d), Some(r)),
        None => (None, None),
    };
    bar.finish_and_clear();
    if let Some(r) = &network_report {
        clock.lap("network");
        if r.attach.homes_not_attached > 0 {
            warnings.push(format!(
                "network: {} of {} homes are farther than the attach limit from any walkable way; they have no network distance",
                r.attach.homes_not_attached,
                scene.homes.len()
            ));
        }
    }
    let distances = Distances { straight, network };

    let bar = progress.stage("measures");
    let mut measures = measures::home_scores(&study, &scene, &distances);
    clock.lap("scores");
    measures.play_m2_per_child = measures::play_space::play_m2_per_child(&study, &scene)?;
    clock.lap("e2sfca");
    let mut figures = neighbourhoods::aggregate(&study, &scene, &distances, &measures);
    add_play_area(&study, &scene, &mut figures, &warnings)?;
    let study_area = neighbourhoods::study_area(&study, &scene, &distances, &measures);
    bar.finish_and_clear();
    clock.lap("neighbourhoods");

    let bar = progress.stage("equity");
    let equity = analysis::analyse(&study, &scene, &figures, &distances, &measures)?;
    let deprivation_weight = study
        .file
        .priority
        .as_ref()
        .and_then(|p| p.deprivation_weight)
        .unwrap_or(1.0);
    analysis::rank_priority(
        &mut figures,
        equity.as_ref().map(|e| e.quintile.as_slice()),
        deprivation_weight,
    );
    clock.lap("equity");
    let meeting = equity
        .as_ref()
        .map(|e| analysis::meeting_places(&study, &scene, &e.quintile));
    bar.finish_and_clear();
    clock.lap("meeting_places");

    let bar = progress.stage("choosing sites");
    let sites = crate::sites::plan::plan(
        &study,
        &scene,
        &distances,
        equity.as_ref().map(|e| e.quintile.as_slice()),
        &warnings,
    )?;
    bar.finish_and_clear();
    clock.lap("sites");

    let bar = progress.stage("rasters");
    let rasters = measures::rasters::raster_columns(&study, &scene)?;
    bar.finish_and_clear();
    if !study.file.rasters.is_empty() {
        clock.lap("rasters");
    }

    let bar = progress.stage("writing outputs");
    let mut extra = raster_neighbourhood_columns(&rasters);
    extra.append(equity_columns(
        &scene,
        &figures,
        equity.as_ref(),
        meeting.as_ref().map(|m| m.1.as_slice()),
    ));
    let home_extra = ExtraColumns {
        columns: rasters.homes.iter().map(|(n, _)| n.clone()).collect(),
        // No row of cells at all without raster columns: a million empty rows are 24 MB.
        cells: if rasters.homes.is_empty() {
            Vec::new()
        } else {
            (0..scene.homes.len())
                .map(|h| {
                    rasters
                        .homes
                        .iter()
                        .map(|(_, v)| crate::output::table::Cell::Num(v[h], 3))
                        .collect()
                })
                .collect()
        },
    };
    let table = output::neighbourhood_table(&study, &scene, &figures, &extra);
    if let Some(e) = &equity {
        output::stage_csv(&mut staging, "equity.csv", &e.table)?;
    }
    if let Some(plan) = &sites {
        let t = output::sites_table(plan);
        output::stage_csv(&mut staging, "sites.csv", &t)?;
        output::stage_csv(&mut staging, "cba.csv", &output::cba_table(plan))?;
        let name = "sites.geojson";
        let path = staging.final_path(name);
        let mut w = staging.create(name)?;
        output::write_sites_geojson(&mut w, &scene.crs, &t, plan)?;
        output::atomic::finish(w, &path)?;
    }
    if let Some((places, _)) = &meeting {
        output::stage_csv(
            &mut staging,
            "meeting_places.csv",
            &analysis::meeting_table(places),
        )?;
    }
    output::stage_csv(&mut staging, "neighbourhoods.csv", &table)?;
    {
        let name = "neighbourhoods.geojson";
        let path = staging.final_path(name);
        let mut w = staging.create(name)?;
        output::write_neighbourhoods_geojson(&mut w, &scene, &table)?;
        output::atomic::finish(w, &path)?;
    }
    {
        let name = "homes.csv";
        let path = staging.final_path(name);
        let mut w = staging.create(name)?;
        output::write_homes_csv(&mut w, &scene, &distances, &measures, &home_extra)
            .map_err(|e| Error::io(&path, e))?;
        output::atomic::finish(w, &path)?;
    }
    clock.lap("outputs");
    let warnings = warnings.to_vec();
    let report = output::report::ReportInput {
        study: &study,
        scene: &scene,
        distances: &distances,
        measures: &measures,
        figures: &figures,
        study_area: &study_area,
        table: &table,
        equity: equity.as_ref(),
        meeting_places: meeting.as_ref().map(|m| m.0.as_slice()).unwrap_or(&[]),
        sites: sites.as_ref(),
        warnings: &warnings,
    };
    staging.write("report.html", output::report::render(&report).as_bytes())?;
    staging.write("summary.md", output::markdown::summary(&report).as_bytes())?;
    let mut run_json = run_json(&study, &scene, &study_area, &warnings, &clock.stages);
    if let Some(r) = &network_report {
        run_json["network"] = serde_json::to_value(r).map_err(|e| Error::Other(e.to_string()))?;
    }
    staging.write(
        "run.json",
        serde_json::to_string_pretty(&run_json)
            .map_err(|e| Error::Other(e.to_string()))?
            .as_bytes(),
    )?;
    let files = staging.commit()?;
    bar.finish_and_clear();
    Ok(RunResult {
        study,
        scene,
        distances,
        measures,
        figures,
        study_area,
        neighbourhood_table: table,
        equity,
        meeting_places: meeting.map(|m| m.0).unwrap_or_default(),
        sites,
        warnings,
        timings: clock.stages,
        out_dir,
        files,
    })
}

/// Play area and its share of the base area, per neighbourhood.
fn add_play_area(
    study: &Study,
    scene: &Scene,
    figures: &mut [NeighbourhoodFigures],
    warnings: &Warnings,
) -> Result<()> {
    let cfg = study.file.play_area.as_ref();
    let kind = cfg
        .and_then(|p| p.kind.clone())
        .or_else(|| scene.kind("playground").map(|k| k.kind.clone()));
    let Some(kind) = kind.and_then(|k| scene.kind(&k)) else {
        return Ok(());
    };
    let areas = measures::play_area::play_area(&scene.neighbourhoods, &kind.items);
    let base = cfg
        .and_then(|p| p.base.clone())
        .unwrap_or_else(|| "neighbourhood".into());
    let mut missing_base = 0;
    for ((f, nb), area) in figures.iter_mut().zip(&scene.neighbourhoods).zip(areas) {
        f.play_area_m2 = Some(area);
        let base_m2 = if base == "neighbourhood" {
            Some(nb.area_m2)
        } else {
            match crate::layers::attributes::number_value(&nb.props, &base) {
                Ok(crate::layers::attributes::Number::Value(v)) => Some(v),
                Ok(_) => {
                    missing_base += 1;
                    None
                }
                Err(m) => {
                    return Err(Error::study(
                        &study.path,
                        format!("[play_area] base: neighbourhood {}: {m}", nb.id),
                    ))
                }
            }
        };
        f.play_area_share = base_m2.filter(|b| *b > 0.0).map(|b| area / b);
    }
    if missing_base > 0 {
        warnings.push(format!(
            "[play_area] base \"{base}\": {missing_base} neighbourhood(s) have no value; their play area share is empty"
        ));
    }
    Ok(())
}

/// The `[[rasters]]` columns of `neighbourhoods.csv`.
fn raster_neighbourhood_columns(r: &measures::rasters::RasterColumns) -> ExtraColumns {
    use crate::output::table::Cell;
    let n = r
        .neighbourhoods
        .first()
        .map(|c| c.1.len())
        .or_else(|| r.neighbourhood_flags.first().map(|c| c.1.len()))
        .unwrap_or(0);
    let mut columns: Vec<String> = r.neighbourhoods.iter().map(|c| c.0.clone()).collect();
    columns.extend(r.neighbourhood_flags.iter().map(|c| c.0.clone()));
    let cells = (0..n)
        .map(|i| {
            let mut row: Vec<Cell> = r
                .neighbourhoods
                .iter()
                .map(|c| Cell::Num(c.1[i], 6))
                .collect();
            row.extend(r.neighbourhood_flags.iter().map(|c| {
                Cell::text(match c.1[i] {
                    Some(true) => "pass",
                    Some(false) => "fail",
                    None => "",
                })
            }));
            row
        })
        .collect();
    ExtraColumns { columns, cells }
}

/// The equity columns of `neighbourhoods.csv`: quintile, double disadvantage, best meeting mix.
fn equity_columns(
    scene: &Scene,
    figures: &[NeighbourhoodFigures],
    equity: Option<&Equity>,
    best_mix: Option<&[f64]>,
) -> ExtraColumns {
    use crate::output::table::Cell;
    let Some(e) = equity else {
        return ExtraColumns::default();
    };
    let groups = neighbourhoods::homes_by_neighbourhood(scene);
    let cells = (0..figures.len())
        .map(|n| {
            let mix = best_mix.and_then(|b| {
                crate::measures::score::weighted_mean(
                    groups[n]
                        .iter()
                        .map(|&h| (b[h], scene.homes.total_children(h))),
                )
            });
            vec![
                Cell::Num(e.quintile[n].map(f64::from), 0),
                Cell::Num(e.score_quintile[n].map(f64::from), 0),
                Cell::text(if e.double_disadvantage[n] {
                    "true"
                } else {
                    "false"
                }),
                Cell::share(mix),
            ]
        })
        .collect();
    ExtraColumns {
        columns: vec![
            "equity_quintile".into(),
            "score_quintile".into(),
            "double_disadvantage".into(),
            "best_meeting_mix".into(),
        ],
        cells,
    }
}

fn run_json(
    study: &Study,
    scene: &Scene,
    area: &NeighbourhoodFigures,
    warnings: &[String],
    timings: &[(String, f64)],
) -> serde_json::Value {
    let norms: serde_json::Map<String, serde_json::Value> = study
        .norms
        .kinds
        .iter()
        .map(|(k, t)| {
            (
                k.clone(),
                json!({
                    "bands": t.bands.iter().map(|b| json!({"band": b.label, "metres": b.metres, "children_band": scene.bands[b.children_band], "share": b.share})).collect::<Vec<_>>(),
                    "source": t.source,
                }),
            )
        })
        .collect();
    json!({
        "tool": "kindscape",
        "version": env!("CARGO_PKG_VERSION"),
        "study": {"name": study.file.study.name, "file": study.path},
        "working_crs": scene.crs.to_string(),
        "bands": scene.bands,
        "norms": {"preset": study.norms.preset, "kinds": norms},
        "inputs": scene.inputs,
        "counts": {
            "neighbourhoods": scene.neighbourhoods.len(),
            "homes": scene.homes.len(),
            "homes_outside_neighbourhoods": scene.homes.neighbourhood.iter().filter(|n| n.is_none()).count(),
            "homes_with_estimated_children": scene.homes.estimated.iter().filter(|e| **e).count(),
            "children": area.children,
            "amenities": scene.amenities.iter().map(|k| (k.kind.clone(), k.items.len())).collect::<std::collections::BTreeMap<_, _>>(),
        },
        "timings_s": timings.iter().map(|(s, t)| json!({"stage": s, "seconds": (t * 1000.0).round() / 1000.0})).collect::<Vec<_>>(),
        "warnings": warnings,
    })
}

/// What `check` found.
pub struct CheckReport {
    pub study: Study,
    pub scene: Scene,
    pub warnings: Vec<String>,
}

/// Loads and validates every layer; writes nothing.
pub fn check_study(study_path: &Path) -> Result<CheckReport> {
    let warnings = Warnings::new();
    let study = Study::load(study_path)?;
    let scene = scene::build(&study, &warnings)?;
    Ok(CheckReport {
        study,
        scene,
        warnings: warnings.to_vec(),
    })
}
