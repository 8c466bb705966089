//! The output files of DESIGN.md's contract, each written atomically.

pub mod atomic;
pub mod catchments;
pub mod closures;
pub mod equity;
pub mod files;
pub mod folder;
#[cfg(feature = "parquet")]
pub mod geoparquet;
pub mod gpkg;
pub mod i18n;
pub mod markdown;
pub mod pdf;
pub mod region;
pub mod report;
pub mod scenarios;
pub mod summary;
pub mod table;

use std::io::Write;

use rayon::prelude::*;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::layers::crs::Crs;
use crate::measures::HomeMeasures;
use crate::neighbourhoods::NeighbourhoodFigures;
use crate::reach::Distances;
use crate::scene::Scene;
use crate::study::Resolved;
pub use atomic::Staging;
pub use files::{OutputOptions, RunView, Writer, Written};
use table::{Cell, Table};

/// Extra per-neighbourhood columns from later stages (raster statistics, equity), placed before
/// the kept attributes.
#[derive(Debug, Clone, Default)]
pub struct ExtraColumns {
    pub columns: Vec<String>,
    /// `[neighbourhood][column]`
    pub cells: Vec<Vec<Cell>>,
}

impl ExtraColumns {
    /// Appends another set of columns (rows line up by index; missing rows stay short).
    pub fn append(&mut self, other: ExtraColumns) {
        let width = self.columns.len();
        self.columns.extend(other.columns);
        let rows = self.cells.len().max(other.cells.len());
        self.cells.resize_with(rows, Vec::new);
        for (row, extra) in self.cells.iter_mut().zip(other.cells) {
            row.resize(width, Cell::Num(None, 0));
            row.extend(extra);
        }
    }
}

/// `neighbourhoods.csv` as a table (also the properties of `neighbourhoods.geojson`).
pub fn neighbourhood_table(
    study: &Resolved,
    scene: &Scene,
    figures: &[NeighbourhoodFigures],
    extra: &ExtraColumns,
) -> Table {
    let mut columns: Vec<String> = ["id", "name", "population", "children", "area_m2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for kind in &scene.amenities {
        let k = &kind.kind;
        let bands = &study.norms.kinds[k].bands;
        columns.push(format!("{k}_coverage"));
        columns.extend(bands.iter().map(|b| format!("{k}_coverage_{}", b.label)));
        columns.push(format!("{k}_net_coverage"));
        columns.extend(
            bands
                .iter()
                .map(|b| format!("{k}_net_coverage_{}", b.label)),
        );
        columns.push(format!("{k}_median_m"));
        columns.push(format!("{k}_p90_m"));
        columns.push(format!("{k}_detour"));
    }
    columns.extend(
        [
            "play_area_m2",
            "play_area_share",
            "play_m2_per_child",
            "score",
            "gap_children",
            "priority_rank",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    columns.extend(extra.columns.iter().cloned());
    columns.extend(study.layers.neighbourhoods.keep.iter().cloned());

    let rows = scene
        .neighbourhoods
        .iter()
        .zip(figures)
        .enumerate()
        .map(|(i, (nb, f))| {
            let mut row = vec![
                Cell::text(&nb.id),
                Cell::text(&nb.name),
                Cell::Num(nb.population, 3),
                Cell::Num(Some(f.children), 3),
                Cell::Num(Some(nb.area_m2), 1),
            ];
            for (k, kf) in f.kinds.iter().enumerate() {
                let n_bands = study.norms.kinds[&scene.amenities[k].kind].bands.len();
                row.push(Cell::share(kf.coverage));
                row.extend(kf.coverage_bands.iter().map(|c| Cell::share(*c)));
                row.push(Cell::share(kf.net_coverage));
                if kf.net_coverage_bands.is_empty() {
                    row.extend((0..n_bands).map(|_| Cell::share(None)));
                } else {
                    row.extend(kf.net_coverage_bands.iter().map(|c| Cell::share(*c)));
                }
                row.push(Cell::metres(kf.median_m));
                row.push(Cell::metres(kf.p90_m));
                row.push(Cell::Num(kf.detour, 3));
            }
            row.push(Cell::Num(f.play_area_m2, 1));
            row.push(Cell::share(f.play_area_share));
            row.push(Cell::Num(f.play_m2_per_child, 3));
            row.push(Cell::Num(f.score, 2));
            row.push(Cell::Num(Some(f.gap_children), 3));
            row.push(Cell::Num(f.priority_rank.map(|r| r as f64), 0));
            if let Some(cells) = extra.cells.get(i) {
                row.extend(cells.iter().cloned());
            }
            row.extend(nb.kept.iter().map(|v| Cell::Json(v.clone())));
            row
        })
        .collect();
    Table { columns, rows }
}

/// Writes `homes.csv`, streaming row by row.
pub fn write_homes_csv(
    w: impl Write,
    study: &Resolved,
    scene: &Scene,
    distances: &Distances,
    measures: &HomeMeasures,
    extra: &ExtraColumns,
) -> csv::Result<()> {
    let homes = &scene.homes;
    let mut out = csv::Writer::from_writer(w);
    let mut header: Vec<String> = ["home_id", "neighbourhood_id", "children", "x", "y"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let net_bands = &study.norms.reach_bands;
    let multi_band = distances.network.is_some() && net_bands.len() > 1;
    // Walking minutes for the kinds with a time norm: each band's distance at its own speed.
    let speeds: Vec<f64> = net_bands.iter().map(|b| study.speeds.of(b).m_s).collect();
    let timed: Vec<bool> = scene
        .amenities
        .iter()
        .map(|a| distances.network.is_some() && study.norms.kinds[&a.kind].has_time())
        .collect();
    for (kind, &timed) in scene.amenities.iter().zip(&timed) {
        header.push(format!("{}_m", kind.kind));
        header.push(format!("{}_net_m", kind.kind));
        if multi_band {
            header.extend(net_bands.iter().map(|b| format!("{}_net_m_{b}", kind.kind)));
        }
        if timed {
            header.push(format!("{}_net_min", kind.kind));
            if multi_band {
                header.extend(
                    net_bands
                        .iter()
                        .map(|b| format!("{}_net_min_{b}", kind.kind)),
                );
            }
        }
        header.push(format!("{}_nearest_id", kind.kind));
    }
    header.push("play_m2_per_child".into());
    header.push("score".into());
    header.extend(extra.columns.iter().cloned());
    out.write_record(&header)?;
    out.flush()?;
    let mut w = out.into_inner().map_err(|e| e.into_error())?;
    // Rows are formatted in parallel, a chunk of homes per buffer, and written in home order:
    // the bytes are those of one sequential writer, and at most a few chunks per thread are
    // held at once. Numbers never need quoting; text goes through `push_csv_field`.
    let row = |out: &mut Vec<u8>, h: usize| {
        let number = |out: &mut Vec<u8>, v: Option<f64>, decimals: usize| {
            out.push(b',');
            table::push_number(out, v, decimals);
        };
        table::push_csv_field(out, &homes.ids[h]);
        out.push(b',');
        if let Some(n) = homes.neighbourhood[h] {
            table::push_csv_field(out, &scene.neighbourhoods[n as usize].id);
        }
        number(out, Some(homes.total_children(h)), 3);
        number(out, Some(homes.coords[h].x), 2);
        number(out, Some(homes.coords[h].y), 2);
        for k in 0..scene.amenities.len() {
            number(out, Some(distances.straight[k][h]), 1);
            match &distances.network {
                Some(net) => {
                    // The home's own reach: the shortest over its bands (the least restricted).
                    let best = net[k].iter().map(|b| b[h]).fold(f64::INFINITY, f64::min);
                    number(out, Some(best), 1);
                    if multi_band {
                        for b in &net[k] {
                            number(out, Some(b[h]), 1);
                        }
                    }
                    if timed[k] {
                        let minutes = |b: usize| net[k][b][h] / speeds[b] / 60.0;
                        // The fewest minutes over the bands, as the distance is the shortest.
                        let best = (0..net[k].len()).map(minutes).fold(f64::INFINITY, f64::min);
                        number(out, Some(best), 2);
                        if multi_band {
                            for b in 0..net[k].len() {
                                number(out, Some(minutes(b)), 2);
                            }
                        }
                    }
                }
                None => out.push(b','),
            }
            out.push(b',');
            if let Some(i) = distances.nearest_amenity(k, h) {
                table::push_csv_field(out, &scene.amenities[k].items[i].id);
            }
        }
        number(out, measures.play_m2_per_child.as_ref().map(|p| p[h]), 3);
        number(out, Some(measures.score[h]), 2);
        if let Some(cells) = extra.cells.get(h) {
            for c in cells {
                out.push(b',');
                table::push_csv_field(out, &c.to_csv());
            }
        }
        out.push(b'\n');
    };
    const CHUNK: usize = 8192;
    let wave = CHUNK * 4 * rayon::current_num_threads().max(1);
    for start in (0..homes.len()).step_by(wave) {
        let end = (start + wave).min(homes.len());
        let chunks: Vec<Vec<u8>> = (start..end)
            .step_by(CHUNK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|first| {
                let mut out = Vec::new();
                for h in first..(first + CHUNK).min(end) {
                    row(&mut out, h);
                }
                out
            })
            .collect();
        for chunk in chunks {
            w.write_all(&chunk)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Writes a GeoJSON FeatureCollection in WGS84 of the neighbourhood polygons with the table's
/// properties.
pub fn write_neighbourhoods_geojson(w: impl Write, scene: &Scene, table: &Table) -> Result<()> {
    let shapes: Vec<&geo::MultiPolygon> =
        scene.neighbourhoods.iter().map(|n| &n.geometry).collect();
    write_wgs84_collection(w, &scene.crs, table, &shapes, |i| {
        format!("neighbourhood {}", scene.neighbourhoods[i].id)
    })
}

/// A FeatureCollection in WGS84 (coordinates to 7 decimals, about 1 cm): shape `i` with row `i`
/// of `table` as its properties; `what(i)` names it in an error.
///
/// Features are moved, rounded and serialised in parallel, then written in order: the bytes are
/// those of the whole collection serialised at once (the collection's own members come from
/// serde_json, around the features' text). Reprojecting with proj4rs is most of the cost, and a
/// catchment layer has thousands of polygons of a hundred vertices or more.
pub fn write_wgs84_collection(
    mut w: impl Write,
    crs: &Crs,
    table: &Table,
    shapes: &[&geo::MultiPolygon],
    what: impl Fn(usize) -> String + Sync,
) -> Result<()> {
    let to_wgs84 = crs.to(&Crs::wgs84());
    let features: Vec<Result<Vec<u8>>> = shapes
        .par_iter()
        .enumerate()
        .map(|(i, shape)| {
            let mut g = geo::Geometry::MultiPolygon((*shape).clone());
            to_wgs84
                .geometry(&mut g)
                .map_err(|e| Error::Other(format!("{}: {e}", what(i))))?;
            round_coords(&mut g, 7);
            let feature = json!({
                "type": "Feature",
                "properties": Value::Object(table.row_object(i)),
                "geometry": geojson::Geometry::from(&g),
            });
            serde_json::to_vec(&feature).map_err(|e| Error::Other(e.to_string()))
        })
        .collect();
    let shell = json!({"type": "FeatureCollection", "features": []}).to_string();
    let (head, tail) = shell
        .split_once(r#""features":[]"#)
        .ok_or_else(|| Error::Other(format!("unexpected FeatureCollection text {shell}")))?;
    let io = |e: std::io::Error| Error::Other(e.to_string());
    write!(w, r#"{head}"features":["#).map_err(io)?;
    for (i, feature) in features.into_iter().enumerate() {
        if i > 0 {
            w.write_all(b",").map_err(io)?;
        }
        w.write_all(&feature?).map_err(io)?;
    }
    write!(w, "]{tail}").map_err(io)
}

/// Rounds coordinates (7 decimals of a degree is about 1 cm).
pub fn round_coords(g: &mut geo::Geometry, decimals: i32) {
    use geo::MapCoordsInPlace;
    let f = 10f64.powi(decimals);
    g.map_coords_in_place(|c| geo::Coord {
        x: (c.x * f).round() / f,
        y: (c.y * f).round() / f,
    });
}

/// `sites.csv` (also the properties of `sites.geojson`).
pub fn sites_table(plan: &crate::sites::plan::SitePlan) -> Table {
    let mut columns: Vec<String> = ["rank", "x", "y", "new_children", "total_children"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    columns.extend(plan.band_labels.iter().map(|b| format!("new_children_{b}")));
    columns.extend(["name", "neighbourhood_id", "street"].map(String::from));
    // Each site's own appraisal (`cba.csv` repeats it with the total and the sensitivity).
    columns.extend(
        [
            "capex_eur",
            "maintenance_eur_per_year",
            "benefit_pv",
            "cost_pv",
            "npv",
            "bcr",
        ]
        .map(String::from),
    );
    let rows = plan
        .sites
        .iter()
        .zip(&plan.cba.sites)
        .map(|(s, a)| {
            let mut row = vec![
                Cell::Num(Some(s.rank as f64), 0),
                Cell::Num(Some(s.x), 2),
                Cell::Num(Some(s.y), 2),
                Cell::Num(Some(s.new_children), 2),
                Cell::Num(Some(s.total_children), 2),
            ];
            row.extend(s.new_by_band.iter().map(|v| Cell::Num(Some(*v), 2)));
            row.push(Cell::text(&s.name));
            row.push(Cell::text(
                s.neighbourhood_id.as_deref().unwrap_or_default(),
            ));
            row.push(Cell::text(s.street.as_deref().unwrap_or_default()));
            row.extend([
                Cell::Num(Some(s.capex_eur), 2),
                Cell::Num(Some(s.maintenance_eur_per_year), 2),
                Cell::Num(Some(a.benefit_pv), 2),
                Cell::Num(Some(a.cost_pv()), 2),
                Cell::Num(Some(a.npv), 2),
                Cell::Num(a.bcr, 4),
            ]);
            row
        })
        .collect();
    Table { columns, rows }
}

/// `cba.csv`: one row per site, a `total` row, then the sensitivity grid of the total.
pub fn cba_table(plan: &crate::sites::plan::SitePlan) -> Table {
    let columns: Vec<String> = [
        "site",
        "capex_pv",
        "maintenance_pv",
        "benefit_pv",
        "npv",
        "bcr",
        "benefit_factor",
        "cost_factor",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let row = |name: String, a: &crate::cba::Appraisal, b: Option<f64>, c: Option<f64>| {
        vec![
            Cell::Text(name),
            Cell::Num(Some(a.capex_pv), 2),
            Cell::Num(Some(a.maintenance_pv), 2),
            Cell::Num(Some(a.benefit_pv), 2),
            Cell::Num(Some(a.npv), 2),
            Cell::Num(a.bcr, 4),
            Cell::Num(b, 2),
            Cell::Num(c, 2),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = plan
        .cba
        .sites
        .iter()
        .enumerate()
        .map(|(i, a)| row((i + 1).to_string(), a, None, None))
        .collect();
    rows.push(row("total".into(), &plan.cba.total, Some(1.0), Some(1.0)));
    for s in &plan.cba.sensitivity {
        rows.push(row(
            format!("total, {}", s.name),
            &s.appraisal,
            Some(s.benefit_factor),
            Some(s.cost_factor),
        ));
    }
    Table { columns, rows }
}

/// `sites.geojson`: the chosen sites as WGS84 points with the table's properties.
pub fn write_sites_geojson(
    w: impl Write,
    crs: &Crs,
    table: &Table,
    plan: &crate::sites::plan::SitePlan,
) -> Result<()> {
    let t = crs.to(&Crs::wgs84());
    let mut features = Vec::new();
    for (i, s) in plan.sites.iter().enumerate() {
        let c = t
            .coord(geo::Coord { x: s.x, y: s.y })
            .map_err(|e| Error::Other(format!("site {}: {e}", s.rank)))?;
        features.push(json!({
            "type": "Feature",
            "properties": Value::Object(table.row_object(i)),
            "geometry": {"type": "Point", "coordinates": [(c.x * 1e7).round() / 1e7, (c.y * 1e7).round() / 1e7]},
        }));
    }
    serde_json::to_writer(
        w,
        &json!({"type": "FeatureCollection", "features": features}),
    )
    .map_err(|e| Error::Other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The collection written feature by feature is byte for byte the collection built whole
    /// and serialised at once (how it was written before).
    #[test]
    fn a_collection_written_in_parallel_is_the_collection_serialised_whole() {
        let crs = Crs::from_epsg(28992).unwrap();
        let square = |x: f64, y: f64, d: f64| -> geo::MultiPolygon {
            geo::MultiPolygon(vec![geo::Polygon::new(
                geo::LineString::from(vec![(x, y), (x + d, y), (x + d, y + d), (x, y)]),
                vec![],
            )])
        };
        let shapes: Vec<geo::MultiPolygon> = (0..40)
            .map(|i| square(150000.0 + 37.3 * i as f64, 460000.0 - 11.1 * i as f64, 5.5))
            .collect();
        let table = Table {
            columns: vec!["id".into(), "n".into(), "name".into()],
            rows: (0..40)
                .map(|i| {
                    vec![
                        Cell::Text(format!("a{i}")),
                        Cell::Num(Some(i as f64 / 3.0), 2),
                        Cell::Text("é \"q\"".into()),
                    ]
                })
                .collect(),
        };
        let refs: Vec<&geo::MultiPolygon> = shapes.iter().collect();
        let mut written = Vec::new();
        write_wgs84_collection(&mut written, &crs, &table, &refs, |i| format!("shape {i}"))
            .unwrap();

        let to_wgs84 = crs.to(&Crs::wgs84());
        let features: Vec<Value> = shapes
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut g = geo::Geometry::MultiPolygon(s.clone());
                to_wgs84.geometry(&mut g).unwrap();
                round_coords(&mut g, 7);
                json!({
                    "type": "Feature",
                    "properties": Value::Object(table.row_object(i)),
                    "geometry": geojson::Geometry::from(&g),
                })
            })
            .collect();
        let whole = serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features}))
            .unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            String::from_utf8(whole).unwrap()
        );

        let mut empty = Vec::new();
        write_wgs84_collection(&mut empty, &crs, &table, &[], |i| format!("shape {i}")).unwrap();
        assert_eq!(empty, br#"{"features":[],"type":"FeatureCollection"}"#);
    }
}
