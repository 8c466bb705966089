//! Every output file of a run, written through one [`Writer`] from a [`RunView`] of what was
//! computed (output knows the results, never how the run produced them).

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use super::atomic::{self, Staging};
use super::i18n;
use super::pdf::Chromium;
use super::table::{Cell, Table};
use super::{gpkg, markdown, report, ExtraColumns};
use crate::equity::analysis::{Equity, MeetingPlace};
use crate::error::{Error, Result};
use crate::measures::catchments::Catchments;
use crate::measures::rasters::RasterColumns;
use crate::measures::HomeMeasures;
use crate::neighbourhoods::coverage::CoverageRow;
use crate::neighbourhoods::{self, NeighbourhoodFigures};
use crate::reach::{Distances, NetworkReport};
use crate::scene::Scene;
use crate::sites::closures::ClosurePlan;
use crate::sites::plan::SitePlan;
use crate::study::{Language, Resolved};

/// What a run computed, borrowed: everything the output files are drawn from.
#[derive(Clone, Copy)]
pub struct RunView<'a> {
    pub study: &'a Resolved,
    pub scene: &'a Scene,
    pub distances: &'a Distances,
    pub measures: &'a HomeMeasures,
    /// Per neighbourhood, in scene order (with priority ranks).
    pub figures: &'a [NeighbourhoodFigures],
    pub study_area: &'a NeighbourhoodFigures,
    /// The study area's coverage per kind and band.
    pub coverage: &'a [CoverageRow],
    pub equity: Option<&'a Equity>,
    pub meeting_places: &'a [MeetingPlace],
    /// Per home, the best meeting mix within reach (with `meeting_places`).
    pub best_meeting_mix: Option<&'a [f64]>,
    pub sites: Option<&'a SitePlan>,
    pub closures: Option<&'a ClosurePlan>,
    pub catchments: Option<&'a Catchments>,
    pub rasters: &'a RasterColumns,
    pub network: Option<&'a NetworkReport>,
    /// One per `[[scenarios]]` entry.
    pub scenarios: &'a [crate::scenarios::ScenarioOutcome],
    pub warnings: &'a [String],
}

/// Where the outputs go.
#[derive(Debug, Clone)]
pub struct OutputOptions {
    pub out_dir: PathBuf,
    /// The language of `report.html`, `summary.md` and the terminal summary.
    pub language: Language,
    /// The browser that prints `report.pdf`; none writes no PDF.
    pub pdf: Option<Chromium>,
}

/// What writing left behind.
#[derive(Debug, Clone)]
pub struct Written {
    pub out_dir: PathBuf,
    /// Every file, in the contract's order (see [`super::folder::OUTPUT_FILES`]).
    pub files: Vec<PathBuf>,
    /// Seconds per stage as in `run.json`: the computing stages, then `outputs`.
    pub timings: Vec<(String, f64)>,
    /// The language the documents were written in.
    pub language: Language,
}

/// The one path by which an output file is written: staged, flushed and synced, committed
/// with the others only when all are written. Files may be written from several threads at once.
pub struct Writer {
    staging: Staging,
    out_dir: PathBuf,
    language: Language,
    pdf: Option<Chromium>,
}

impl Writer {
    /// Prepares the output folder; fails here, before any work, when it is not writable, holds
    /// one of the study's inputs or another run is writing it.
    pub fn open(options: &OutputOptions, study: &Resolved) -> Result<Writer> {
        Ok(Writer {
            staging: Staging::new(&options.out_dir, &study.inputs, &study.path)?,
            out_dir: options.out_dir.clone(),
            language: options.language,
            pdf: options.pdf.clone(),
        })
    }

    /// Writes the file `name` with `fill`; a failure is reported against the file's final path.
    pub fn file<E: fmt::Display>(
        &self,
        name: &str,
        fill: impl FnOnce(&mut BufWriter<File>) -> std::result::Result<(), E>,
    ) -> Result<()> {
        let path = self.staging.final_path(name);
        let mut w = self.staging.create(name)?;
        fill(&mut w).map_err(|e| Error::io(&path, e))?;
        atomic::finish(w, &path)
    }

    /// Writes the file `name` through `fill`, which is given the staged path (for writers that
    /// open a path themselves, as SQLite does); the file is synced like every other.
    pub fn file_at(&self, name: &str, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        let path = self.staging.create_path(name);
        fill(&path)?;
        let f = File::open(&path).map_err(|e| Error::io(self.staging.final_path(name), e))?;
        f.sync_all()
            .map_err(|e| Error::io(self.staging.final_path(name), e))
    }

    /// Moves every file into the output folder.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        self.staging.commit()
    }

    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    pub fn language(&self) -> Language {
        self.language
    }
}

/// The writing of one output file (or of a few that share their work), run beside the others.
type Job<'a> = Box<dyn FnOnce() -> Result<()> + Send + 'a>;

/// Every output file but `report.pdf` and `run.json` (see [`write_record`]): the tables, the
/// maps, `report.html` and `summary.md`.
///
/// The files are independent, so they are written side by side: each spends part of its time
/// alone on one core (serialising, writing and syncing in file order), which another file's
/// work now fills. The bytes of each file are those of writing it alone; the first failure in
/// the order below is the one reported.
pub fn write_outputs(view: &RunView, writer: &Writer) -> Result<()> {
    let table = neighbourhoods_table(view);
    let report = report_input(view, &table, writer.language());
    let mut jobs = data_jobs(view, &table, writer);
    jobs.push(Box::new(|| {
        writer.file("report.html", |w| {
            w.write_all(report::render(&report).as_bytes())
        })
    }));
    jobs.push(Box::new(|| {
        writer.file("summary.md", |w| {
            w.write_all(markdown::summary(&report).as_bytes())
        })
    }));
    side_by_side(jobs)
}

/// Runs every job, each its own rayon task (a job's own parallel work shares the same threads).
fn side_by_side(jobs: Vec<Job>) -> Result<()> {
    use rayon::prelude::*;
    let results: Vec<Result<()>> = jobs
        .into_par_iter()
        .with_max_len(1)
        .map(|job| job())
        .collect();
    results.into_iter().collect()
}

/// `neighbourhoods.csv` as a table, which the maps and the documents quote.
fn neighbourhoods_table(view: &RunView) -> Table {
    let scene = view.scene;
    let mut extra = raster_neighbourhood_columns(view.rasters);
    extra.append(equity_columns(
        scene,
        view.figures,
        view.equity,
        view.best_meeting_mix,
    ));
    super::neighbourhood_table(view.study, scene, view.figures, &extra)
}

/// The tables and maps, CSV and GeoJSON (and the GeoPackage and GeoParquet copies), as jobs,
/// the largest (`homes.csv`, `catchments.geojson`) first.
fn data_jobs<'a>(view: &'a RunView, table: &'a Table, writer: &'a Writer) -> Vec<Job<'a>> {
    let scene = view.scene;
    let mut jobs: Vec<Job> = vec![Box::new(move || write_homes(view, table, writer))];
    if let Some(c) = view.catchments {
        jobs.push(Box::new(move || {
            let t = super::catchments::catchment_table(scene, c);
            writer.file("catchments.geojson", |w| {
                super::catchments::write_catchments_geojson(w, &scene.crs, &t, c)
            })
        }));
    }
    jobs.push(Box::new(move || {
        writer.file("neighbourhoods.geojson", |w| {
            super::write_neighbourhoods_geojson(w, scene, table)
        })
    }));
    jobs.push(Box::new(move || {
        writer.file("neighbourhoods.csv", |w| table.write_csv(w))
    }));
    if let Some(e) = view.equity {
        jobs.push(Box::new(move || {
            let kinds = scene.amenities.iter().map(|k| k.kind.as_str());
            let t = super::equity::equity_table(e, kinds);
            writer.file("equity.csv", |w| t.write_csv(w))
        }));
    }
    if let Some(plan) = view.sites {
        jobs.push(Box::new(move || {
            let t = super::sites_table(plan);
            writer.file("sites.csv", |w| t.write_csv(w))?;
            writer.file("cba.csv", |w| super::cba_table(plan).write_csv(w))?;
            writer.file("sites.geojson", |w| {
                super::write_sites_geojson(w, &scene.crs, &t, plan)
            })
        }));
    }
    if let Some(plan) = view.closures {
        jobs.push(Box::new(move || {
            writer.file("closures.csv", |w| {
                super::closures::closures_table(scene, plan).write_csv(w)
            })?;
            writer.file("closures_by_neighbourhood.csv", |w| {
                super::closures::by_neighbourhood_table(scene, plan).write_csv(w)
            })
        }));
    }
    if view.best_meeting_mix.is_some() {
        jobs.push(Box::new(move || {
            writer.file("meeting_places.csv", |w| {
                super::equity::meeting_table(view.meeting_places).write_csv(w)
            })
        }));
    }
    if !view.scenarios.is_empty() {
        jobs.push(Box::new(move || {
            let t = super::scenarios::scenarios_table(
                scene,
                view.figures,
                view.study_area,
                view.equity.map(|e| e.indices.as_slice()),
                view.scenarios,
            );
            writer.file("scenarios.csv", |w| t.write_csv(w))
        }));
    }
    if view.study.region.is_some() {
        jobs.push(Box::new(move || write_region_figures(view, writer)));
    }
    jobs
}

/// `homes.csv`, and the homes layers of the GeoPackage and GeoParquet files when asked for.
fn write_homes(view: &RunView, table: &Table, writer: &Writer) -> Result<()> {
    let home_extra = raster_home_columns(view.rasters, view.scene.homes.len());
    let homes_csv = |w: &mut (dyn Write + Send)| {
        super::write_homes_csv(
            w,
            view.study,
            view.scene,
            view.distances,
            view.measures,
            &home_extra,
        )
    };
    if view.study.geopackage || view.study.geoparquet {
        // Formatted once: the same bytes make homes.csv and the homes layer of the GeoPackage
        // and of the GeoParquet file.
        let mut bytes = Vec::new();
        homes_csv(&mut bytes).map_err(|e| Error::Other(format!("homes.csv: {e}")))?;
        writer.file("homes.csv", |w| w.write_all(&bytes))?;
        #[cfg(feature = "parquet")]
        if view.study.geoparquet {
            write_geoparquet(view, table, &bytes, writer)?;
        }
        if view.study.geopackage {
            write_geopackage(view, table, bytes, writer)?;
        }
        Ok(())
    } else {
        writer.file("homes.csv", |w| homes_csv(w))
    }
}

/// A region's full-precision figures for `kindscape merge` (see [`super::region`]).
fn write_region_figures(view: &RunView, writer: &Writer) -> Result<()> {
    let scene = view.scene;
    let kinds: Vec<&str> = scene.amenities.iter().map(|k| k.kind.as_str()).collect();
    let homes = crate::equity::analysis::HomeOutcomes::of(
        &view.study.norms,
        scene,
        view.distances,
        view.measures,
        None,
    );
    writer.file(super::region::HOMES_FILE, |w| {
        super::region::write_homes(w, &kinds, &homes)
    })?;
    let values = super::region::NeighbourhoodValues {
        children: view.figures.iter().map(|f| f.children).collect(),
        score: view.figures.iter().map(|f| f.score).collect(),
        gap_children: view.figures.iter().map(|f| f.gap_children).collect(),
        value: view.equity.map(|e| e.value.clone()).unwrap_or_default(),
    };
    writer.file(super::region::NEIGHBOURHOODS_FILE, |w| {
        super::region::write_neighbourhoods(w, &values)
    })
}

/// `kindscape.gpkg`: homes, neighbourhoods and sites as layers, from the same CSV text.
fn write_geopackage(
    view: &RunView,
    table: &Table,
    homes_csv: Vec<u8>,
    writer: &Writer,
) -> Result<()> {
    let scene = view.scene;
    let csv_of = |t: &Table| -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        t.write_csv(&mut bytes)
            .map_err(|e| Error::Other(format!("kindscape.gpkg: {e}")))?;
        Ok(bytes)
    };
    let mut layers = vec![
        gpkg::GpkgLayer {
            name: "homes",
            geometry_type: "POINT",
            csv: homes_csv,
            geometries: scene
                .homes
                .coords
                .iter()
                .map(|c| geo::Geometry::Point(geo::Point(*c)))
                .collect(),
        },
        gpkg::GpkgLayer {
            name: "neighbourhoods",
            geometry_type: "MULTIPOLYGON",
            csv: csv_of(table)?,
            geometries: scene
                .neighbourhoods
                .iter()
                .map(|n| geo::Geometry::MultiPolygon(n.geometry.clone()))
                .collect(),
        },
    ];
    if let Some(plan) = view.sites {
        layers.push(gpkg::GpkgLayer {
            name: "sites",
            geometry_type: "POINT",
            csv: csv_of(&super::sites_table(plan))?,
            geometries: plan
                .sites
                .iter()
                .map(|s| geo::Geometry::Point(geo::Point::new(s.x, s.y)))
                .collect(),
        });
    }
    if let Some(c) = view.catchments {
        layers.push(gpkg::GpkgLayer {
            name: "catchments",
            geometry_type: "MULTIPOLYGON",
            csv: csv_of(&super::catchments::catchment_table(scene, c))?,
            geometries: c
                .items
                .iter()
                .map(|c| geo::Geometry::MultiPolygon(c.area.clone()))
                .collect(),
        });
    }
    writer.file_at("kindscape.gpkg", |path| {
        gpkg::write(path, &scene.crs, &layers)
    })
}

/// `homes.parquet` and `neighbourhoods.parquet`, from the same CSV text, with the geometries
/// moved to OGC:CRS84 (see [`geoparquet`]).
#[cfg(feature = "parquet")]
fn write_geoparquet(
    view: &RunView,
    table: &Table,
    homes_csv: &[u8],
    writer: &Writer,
) -> Result<()> {
    use super::geoparquet::{self, GeoParquetTable};
    use rayon::prelude::*;
    let scene = view.scene;
    let to_crs84 = scene.crs.to(&crate::layers::crs::Crs::wgs84());
    let homes = scene
        .homes
        .coords
        .par_iter()
        .enumerate()
        .map(|(h, c)| {
            to_crs84
                .coord(*c)
                .map(|c| geo::Geometry::Point(geo::Point(c)))
                .map_err(|e| {
                    Error::Other(format!("homes.parquet: home {}: {e}", &scene.homes.ids[h]))
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let neighbourhoods = scene
        .neighbourhoods
        .iter()
        .map(|n| {
            let mut g = geo::Geometry::MultiPolygon(n.geometry.clone());
            to_crs84.geometry(&mut g).map_err(|e| {
                Error::Other(format!(
                    "neighbourhoods.parquet: neighbourhood {}: {e}",
                    n.id
                ))
            })?;
            Ok(g)
        })
        .collect::<Result<Vec<_>>>()?;
    let homes = GeoParquetTable {
        csv: homes_csv,
        kinds: geoparquet::homes_kinds(homes_csv),
        geometries: homes,
        geometry_type: "Point",
    };
    writer.file("homes.parquet", |w| geoparquet::write(w, &homes))?;
    let mut csv = Vec::new();
    table
        .write_csv(&mut csv)
        .map_err(|e| Error::Other(format!("neighbourhoods.parquet: {e}")))?;
    let neighbourhoods = GeoParquetTable {
        csv: &csv,
        kinds: geoparquet::table_kinds(table),
        geometries: neighbourhoods,
        geometry_type: "MultiPolygon",
    };
    writer.file("neighbourhoods.parquet", |w| {
        geoparquet::write(w, &neighbourhoods)
    })
}

/// What `report.html` and `summary.md` are drawn from.
fn report_input<'a>(
    view: &RunView<'a>,
    table: &'a Table,
    language: Language,
) -> report::ReportInput<'a> {
    report::ReportInput {
        study: view.study,
        scene: view.scene,
        distances: view.distances,
        measures: view.measures,
        figures: view.figures,
        study_area: view.study_area,
        coverage: view.coverage,
        texts: i18n::texts_of_scene(language, view.scene),
        table,
        equity: view.equity,
        meeting_places: view.meeting_places,
        sites: view.sites,
        catchments: view.catchments,
        closures: view.closures,
        scenarios: view.scenarios,
        warnings: view.warnings,
    }
}

/// After [`write_outputs`]: `report.pdf` (printed from `report.html`) when a browser is given,
/// and `run.json`, the last, with `timings` (the full list).
pub fn write_record(view: &RunView, timings: &[(String, f64)], writer: &Writer) -> Result<()> {
    if let Some(chromium) = writer.pdf.clone() {
        let html = writer.staging.staged_path("report.html");
        let shown = writer.staging.final_path("report.pdf");
        writer.file_at("report.pdf", |pdf| chromium.print(&html, pdf, &shown))?;
    }
    let mut run_json = run_json(view, timings);
    if let Some(r) = view.network {
        run_json["network"] = serde_json::to_value(r).map_err(|e| Error::Other(e.to_string()))?;
    }
    if let Some(p) = view.sites {
        run_json["sites"] = json!({"candidates": p.candidates, "generated": p.generated});
    }
    let text = serde_json::to_string_pretty(&run_json).map_err(|e| Error::Other(e.to_string()))?;
    writer.file("run.json", |w| w.write_all(text.as_bytes()))
}

/// The `[[rasters]]` columns of `neighbourhoods.csv`.
fn raster_neighbourhood_columns(r: &RasterColumns) -> ExtraColumns {
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

/// The `[[rasters]]` columns of `homes.csv` (values sampled at the home).
fn raster_home_columns(r: &RasterColumns, homes: usize) -> ExtraColumns {
    ExtraColumns {
        columns: r.homes.iter().map(|(n, _)| n.clone()).collect(),
        // No row of cells at all without raster columns: a million empty rows are 24 MB.
        cells: if r.homes.is_empty() {
            Vec::new()
        } else {
            (0..homes)
                .map(|h| r.homes.iter().map(|(_, v)| Cell::Num(v[h], 3)).collect())
                .collect()
        },
    }
}

/// The equity columns of `neighbourhoods.csv`: quintile, double disadvantage, best meeting mix.
fn equity_columns(
    scene: &Scene,
    figures: &[NeighbourhoodFigures],
    equity: Option<&Equity>,
    best_mix: Option<&[f64]>,
) -> ExtraColumns {
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
        columns: crate::study::output_columns::EQUITY
            .iter()
            .map(|c| c.to_string())
            .collect(),
        cells,
    }
}

fn run_json(view: &RunView, timings: &[(String, f64)]) -> serde_json::Value {
    let (study, scene) = (view.study, view.scene);
    let norms: serde_json::Map<String, serde_json::Value> = study
        .norms
        .kinds
        .iter()
        .map(|(k, t)| {
            (
                k.clone(),
                json!({
                    "bands": t.bands.iter().map(|b| {
                        let mut band = json!({"band": b.label, "metres": b.metres, "children_band": scene.bands[b.children_band], "share": b.share});
                        if let Some(min) = b.minutes {
                            band["minutes"] = json!(min);
                            band["speed_m_s"] = json!(study.speeds.of(&b.label).m_s);
                        }
                        band
                    }).collect::<Vec<_>>(),
                    "source": t.source,
                }),
            )
        })
        .collect();
    json!({
        "tool": "kindscape",
        "version": env!("CARGO_PKG_VERSION"),
        "study": {"name": study.name, "file": study.path},
        "working_crs": scene.crs.to_string(),
        "bands": scene.bands,
        "norms": {"preset": study.norms.preset, "kinds": norms},
        "inputs": scene.inputs,
        "counts": {
            "neighbourhoods": scene.neighbourhoods.len(),
            "homes": scene.homes.len(),
            "homes_outside_neighbourhoods": scene.homes.neighbourhood.iter().filter(|n| n.is_none()).count(),
            "homes_with_estimated_children": scene.homes.estimated.iter().filter(|e| **e).count(),
            "children": view.study_area.children,
            "amenities": scene.amenities.iter().map(|k| (k.kind.clone(), k.items.len())).collect::<std::collections::BTreeMap<_, _>>(),
        },
        "timings_s": timings.iter().map(|(s, t)| json!({"stage": s, "seconds": (t * 1000.0).round() / 1000.0})).collect::<Vec<_>>(),
        "warnings": view.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Every job runs, and the failure reported is the first in the jobs' order, not the first
    /// in time: the slow first failure wins over a quick later one.
    #[test]
    fn side_by_side_runs_every_job_and_reports_the_first_failure_in_order() {
        let ran = AtomicUsize::new(0);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let result = pool.install(|| {
            let ran = &ran;
            let jobs: Vec<Job> = vec![
                Box::new(move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }),
                Box::new(move || {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    ran.fetch_add(1, Ordering::SeqCst);
                    Err(Error::Other("second".into()))
                }),
                Box::new(move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                    Err(Error::Other("third".into()))
                }),
                Box::new(move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }),
            ];
            side_by_side(jobs)
        });
        assert_eq!(result.unwrap_err().to_string(), "second");
        assert_eq!(ran.load(Ordering::SeqCst), 4);
        assert!(side_by_side(Vec::new()).is_ok());
    }
}
