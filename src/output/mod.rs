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
    use crate::study::output_columns as names;
    let mut columns: Vec<String> = names::LEADING.iter().map(|s| s.to_string()).collect();
    for kind in &scene.amenities {
        let bands = &study.norms.kinds[&kind.kind].bands;
        columns.extend(names::kind_columns(
            &kind.kind,
            bands.iter().map(|b| b.label.as_str()),
        ));
    }
    columns.extend(names::TRAILING.iter().map(|s| s.to_string()));
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
    w: impl Write + Send,
    study: &Resolved,
    scene: &Scene,
    distances: &Distances,
    measures: &HomeMeasures,
    extra: &ExtraColumns,
) -> csv::Result<()> {
    let homes = &scene.homes;
    let mut out = csv::Writer::from_writer(w);
    use crate::study::output_columns as names;
    let mut header: Vec<String> = names::HOME_LEADING.iter().map(|s| s.to_string()).collect();
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
        header.extend(names::home_kind_columns(
            &kind.kind, net_bands, multi_band, timed,
        ));
    }
    header.extend(names::HOME_TRAILING.iter().map(|s| s.to_string()));
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
    // Each chunk's buffer is sized once from the first row (a quarter more, for longer ids
    // and numbers): growing it by doubling copied every chunk about twice.
    let row_bytes = if homes.is_empty() {
        0
    } else {
        let mut first = Vec::new();
        row(&mut first, 0);
        first.len() + first.len() / 4
    };
    write_rows(&mut w, homes.len(), CHUNK, wave, row_bytes, row)?;
    w.flush()?;
    Ok(())
}

/// Rows `0..n` formatted by `row` in parallel, `chunk` rows to a buffer (of `row_bytes` a row),
/// and written in row order: the bytes of one sequential writer. At most `wave` rows are
/// formatted at once, and each wave is written while the next one is formatted: writing (the
/// kernel's copy into the page cache, a fifth of `homes.csv`'s time) runs on one thread and
/// would otherwise leave the other core waiting.
fn write_rows(
    w: &mut (impl Write + Send),
    n: usize,
    chunk: usize,
    wave: usize,
    row_bytes: usize,
    row: impl Fn(&mut Vec<u8>, usize) + Sync,
) -> std::io::Result<()> {
    let (chunk, wave) = (chunk.max(1), wave.max(1));
    let format_wave = |start: usize| -> Vec<Vec<u8>> {
        let end = (start + wave).min(n);
        (start..end)
            .step_by(chunk)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|first| {
                let mut out = Vec::with_capacity(row_bytes * chunk.min(end - first));
                for h in first..(first + chunk).min(end) {
                    row(&mut out, h);
                }
                out
            })
            .collect()
    };
    let mut ready: Vec<Vec<u8>> = Vec::new();
    for start in (0..n).step_by(wave) {
        let (written, next) = rayon::join(
            || ready.iter().try_for_each(|part| w.write_all(part)),
            || format_wave(start),
        );
        written?;
        ready = next;
    }
    ready.iter().try_for_each(|part| w.write_all(part))
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
/// those of the whole collection serialised at once by serde_json from geojson's geometry (the
/// collection's own members come from serde_json, around the features' text). A catchment
/// layer has hundreds of thousands of vertices, so they are moved on a grid
/// ([`Transformer::rounding`](crate::layers::crs::Transformer::rounding)) and written straight
/// into the feature's text, with no geometry or JSON value built per vertex.
pub fn write_wgs84_collection(
    mut w: impl Write,
    crs: &Crs,
    table: &Table,
    shapes: &[&geo::MultiPolygon],
    what: impl Fn(usize) -> String + Sync,
) -> Result<()> {
    use geo::{BoundingRect, CoordsIter};
    // Without a single vertex any extent will do.
    let extent = crate::layers::union_rect(shapes.iter().filter_map(|s| s.bounding_rect()))
        .unwrap_or(geo::Rect::new(geo::Coord::zero(), geo::Coord::zero()));
    let count = shapes.iter().map(|s| s.coords_count()).sum();
    let to_wgs84 = crs.to(&Crs::wgs84()).rounding(7, extent, count);
    let features: Vec<Result<Vec<u8>>> = shapes
        .par_iter()
        .enumerate()
        .map(|(i, shape)| {
            let mut text = Vec::with_capacity(256 + 24 * shape.coords_count());
            push_multipolygon_feature(&mut text, shape, &to_wgs84, &table.row_object(i))
                .map_err(|e| Error::Other(format!("{}: {e}", what(i))))?;
            Ok(text)
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

/// One Feature as serde_json writes `{"type": "Feature", "properties": .., "geometry":
/// geojson::Geometry::from(..)}`: keys in serde_json's sorted order, a polygon with an empty
/// exterior as `[]` (as geojson converts it), each number through serde_json's own formatter.
fn push_multipolygon_feature(
    out: &mut Vec<u8>,
    shape: &geo::MultiPolygon,
    to_wgs84: &crate::layers::crs::Rounding,
    properties: &serde_json::Map<String, Value>,
) -> std::result::Result<(), String> {
    out.extend_from_slice(br#"{"geometry":{"coordinates":["#);
    for (p, polygon) in shape.0.iter().enumerate() {
        if p > 0 {
            out.push(b',');
        }
        out.push(b'[');
        if !polygon.exterior().0.is_empty() {
            for (r, ring) in std::iter::once(polygon.exterior())
                .chain(polygon.interiors())
                .enumerate()
            {
                if r > 0 {
                    out.push(b',');
                }
                out.push(b'[');
                for (k, c) in ring.0.iter().enumerate() {
                    let c = to_wgs84.coord(*c)?;
                    out.extend_from_slice(if k > 0 { b",[" } else { b"[" });
                    push_json(out, &c.x)?;
                    out.push(b',');
                    push_json(out, &c.y)?;
                    out.push(b']');
                }
                out.push(b']');
            }
        }
        out.push(b']');
    }
    out.extend_from_slice(br#"],"type":"MultiPolygon"},"properties":"#);
    push_json(out, properties)?;
    out.extend_from_slice(br#","type":"Feature"}"#);
    Ok(())
}

fn push_json(out: &mut Vec<u8>, value: &impl serde::Serialize) -> std::result::Result<(), String> {
    serde_json::to_writer(out, value).map_err(|e| e.to_string())
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
    use geo::MapCoordsInPlace;

    /// Rows formatted in chunks and waves, each wave written while the next is formatted, are
    /// the rows written one after another, whatever the sizes (waves not a multiple of chunks,
    /// a last wave and chunk shorter, one row, none).
    #[test]
    fn rows_written_in_waves_are_the_rows_in_order() {
        let row = |out: &mut Vec<u8>, h: usize| {
            out.extend_from_slice(format!("{h},{}\n", "x".repeat(h % 5)).as_bytes());
        };
        for n in [0, 1, 2, 7, 100, 1001] {
            let mut expected = Vec::new();
            for h in 0..n {
                row(&mut expected, h);
            }
            for (chunk, wave) in [(1, 1), (3, 7), (7, 3), (10, 40), (4096, 4096), (0, 0)] {
                let mut written = Vec::new();
                write_rows(&mut written, n, chunk, wave, 4, row).unwrap();
                assert_eq!(
                    written, expected,
                    "{n} rows, chunks of {chunk}, waves of {wave}"
                );
            }
        }
    }

    /// A writer that fails part of the way: its error comes back, and nothing of a later wave
    /// is written after the failure.
    #[test]
    fn rows_stop_at_the_first_write_error() {
        struct FailsAfter(usize, Vec<u8>);
        impl Write for FailsAfter {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if self.1.len() + buf.len() > self.0 {
                    return Err(std::io::Error::other("disk full"));
                }
                self.1.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let row =
            |out: &mut Vec<u8>, h: usize| out.extend_from_slice(format!("{h:04}\n").as_bytes());
        // Rows of 5 bytes, chunks of 2 rows: the 6th chunk (rows 10 and 11) is refused.
        let mut w = FailsAfter(50, Vec::new());
        let err = write_rows(&mut w, 100, 2, 6, 5, row).unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(w.1.len(), 50);
        assert!(w.1.ends_with(b"0009\n"));
    }

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
        // Squares, then circles of 400 vertices (enough for the coordinates to be moved on a
        // grid), one with a hole and a second part, and an empty shape.
        let circle = |x: f64, y: f64, r: f64| -> geo::LineString {
            (0..=400)
                .map(|k| {
                    let a = (k % 400) as f64 * std::f64::consts::TAU / 400.0;
                    (x + r * a.cos(), y + r * a.sin())
                })
                .collect()
        };
        let mut shapes: Vec<geo::MultiPolygon> = (0..36)
            .map(|i| square(150000.0 + 37.3 * i as f64, 460000.0 - 11.1 * i as f64, 5.5))
            .collect();
        shapes.push(geo::MultiPolygon(vec![geo::Polygon::new(
            circle(150100.0, 460100.0, 300.0),
            vec![],
        )]));
        shapes.push(geo::MultiPolygon(vec![
            geo::Polygon::new(
                circle(151000.0, 460000.0, 250.0),
                vec![circle(151000.0, 460000.0, 120.0)],
            ),
            square(151400.0, 460200.0, 20.0).0.remove(0),
        ]));
        shapes.push(geo::MultiPolygon(vec![geo::Polygon::new(
            circle(150500.0, 459700.0, 800.0),
            vec![],
        )]));
        shapes.push(geo::MultiPolygon(Vec::new()));
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
                g.map_coords_in_place(|c| geo::Coord {
                    x: (c.x * 1e7).round() / 1e7,
                    y: (c.y * 1e7).round() / 1e7,
                });
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
