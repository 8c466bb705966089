//! Raster cells as points (population grids as homes) and raster values at points (noise at the
//! front door).

use geo::Coord;
use rayon::prelude::*;

use super::Raster;
use crate::error::{Error, Result};
use crate::layers::crs::Transformer;

/// One point per non-empty cell (value > 0, not nodata, finite), at the cell's centre moved into
/// the working CRS, with the cell's value: a population grid read as homes weighted by their
/// inhabitants. Cells come row by row from the top left.
///
/// ```
/// use std::path::PathBuf;
/// use kindscape::layers::crs::Crs;
/// use kindscape::layers::raster::{cells_as_points, Raster};
///
/// let rd = Crs::from_epsg(28992).unwrap();
/// let grid = Raster {
///     path: PathBuf::from("pop.tif"),
///     width: 2,
///     height: 2,
///     bands: 1,
///     band: 1,
///     geotransform: [170000.0, 100.0, 0.0, 485000.0, 0.0, -100.0],
///     epsg: Some(28992),
///     crs: Some(rd.clone()),
///     nodata: Some(-99999.0),
///     data: vec![12.0, 0.0, -99999.0, 3.0],
/// };
/// let homes = cells_as_points(&grid, &rd.to(&rd)).unwrap();
/// assert_eq!(homes.len(), 2);
/// assert_eq!((homes[0].0.x, homes[0].0.y, homes[0].1), (170050.0, 484950.0, 12.0));
/// assert_eq!((homes[1].0.x, homes[1].0.y, homes[1].1), (170150.0, 484850.0, 3.0));
/// ```
pub fn cells_as_points(r: &Raster, to_working: &Transformer) -> Result<Vec<(Coord, f64)>> {
    cells_where(r, to_working, |v| v > 0.0)
}

/// Like [`cells_as_points`], with the cells to keep chosen by `keep` among the valid ones (not
/// nodata, finite). A CBS grid that keeps its suppression code -99997 as a value can yield those
/// squares too (`|v| v > 0.0 || v == -99997.0`), so their children can be estimated.
pub fn cells_where(
    r: &Raster,
    to_working: &Transformer,
    keep: impl Fn(f64) -> bool + Sync,
) -> Result<Vec<(Coord, f64)>> {
    r.data
        .par_iter()
        .enumerate()
        .filter_map(|(i, &v)| {
            let (col, row) = (i % r.width, i / r.width);
            // NaN is a float grid's usual empty cell; an infinity is a broken value, which
            // would make every sum it enters infinite.
            if v.is_infinite() && r.nodata != Some(v) {
                return Some(Err(Error::layer(
                    &r.path,
                    format!("cell (column {col}, row {row}) = {v}: not a finite value; mark empty cells with the raster's nodata value"),
                )));
            }
            (r.is_valid(v) && keep(v)).then(|| {
                to_working
                    .coord(r.cell_centre(col, row))
                    .map(|c| (c, v))
                    .map_err(|m| {
                        Error::layer(&r.path, format!("cell (column {col}, row {row}): {m}"))
                    })
            })
        })
        .collect()
}

/// The value of the cell under each point (given in the working CRS; `from_working` moves it into
/// the raster's CRS): `None` off the grid, on an empty cell, or where the point cannot be moved.
pub fn sample(r: &Raster, from_working: &Transformer, points: &[Coord]) -> Vec<Option<f64>> {
    points
        .par_iter()
        .map(|&p| {
            let q = from_working.coord(p).ok()?;
            let (col, row) = r.cell_at(q)?;
            r.value(col, row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::layers::crs::Crs;

    fn grid(crs: Crs) -> Raster {
        Raster {
            path: PathBuf::from("g.tif"),
            width: 3,
            height: 2,
            bands: 1,
            band: 1,
            geotransform: [155000.0, 100.0, 0.0, 463000.0, 0.0, -100.0],
            epsg: crs.epsg,
            crs: Some(crs),
            nodata: Some(-1.0),
            data: vec![5.0, -1.0, f64::NAN, 0.0, 2.5, -99997.0],
        }
    }

    #[test]
    fn an_infinite_cell_is_an_error_naming_it() {
        let rd = Crs::parse("EPSG:28992").unwrap();
        let mut r = grid(rd.clone());
        r.data[4] = f64::INFINITY;
        let e = cells_as_points(&r, &rd.to(&rd)).unwrap_err().to_string();
        assert!(
            e.contains("g.tif") && e.contains("cell (column 1, row 1) = inf"),
            "{e}"
        );
        // As the nodata value it is an empty cell.
        r.nodata = Some(f64::INFINITY);
        assert_eq!(cells_as_points(&r, &rd.to(&rd)).unwrap().len(), 1);
    }

    #[test]
    fn only_positive_valid_cells_become_points() {
        let rd = Crs::parse("EPSG:28992").unwrap();
        let r = grid(rd.clone());
        let pts = cells_as_points(&r, &rd.to(&rd)).unwrap();
        assert_eq!(
            pts,
            vec![
                (
                    Coord {
                        x: 155050.0,
                        y: 462950.0
                    },
                    5.0
                ),
                (
                    Coord {
                        x: 155150.0,
                        y: 462850.0
                    },
                    2.5
                )
            ]
        );
        let with_suppressed = cells_where(&r, &rd.to(&rd), |v| v > 0.0 || v == -99997.0).unwrap();
        assert_eq!(with_suppressed.len(), 3);
        assert_eq!(with_suppressed[2].1, -99997.0);
    }

    #[test]
    fn centres_are_reprojected() {
        // The Amersfoort reference point (155000, 463000) is 52.15517440 N, 5.38720621 E; a cell
        // centre 50 m east and 50 m south of it moves by about that much in degrees.
        let rd = Crs::parse("EPSG:28992").unwrap();
        let r = grid(rd.clone());
        let pts = cells_as_points(&r, &rd.to(&Crs::wgs84())).unwrap();
        let (c, _) = pts[0];
        let m_per_deg_lat = 111_257.0;
        let m_per_deg_lon = m_per_deg_lat * 52.155f64.to_radians().cos();
        assert!(
            (c.x - (5.38720621 + 50.0 / m_per_deg_lon)).abs() < 2e-5,
            "{c:?}"
        );
        assert!(
            (c.y - (52.15517440 - 50.0 / m_per_deg_lat)).abs() < 2e-5,
            "{c:?}"
        );
    }

    #[test]
    fn sampling_picks_the_cell_under_each_point() {
        let rd = Crs::parse("EPSG:28992").unwrap();
        let r = grid(rd.clone());
        let pts = [
            Coord {
                x: 155001.0,
                y: 462999.0,
            }, // cell (0, 0)
            Coord {
                x: 155299.0,
                y: 462801.0,
            }, // cell (2, 1): -99997 is a value
            Coord {
                x: 155150.0,
                y: 462950.0,
            }, // cell (1, 0): nodata
            Coord {
                x: 155250.0,
                y: 462950.0,
            }, // cell (2, 0): NaN
            Coord {
                x: 155350.0,
                y: 462950.0,
            }, // east of the grid
        ];
        assert_eq!(
            sample(&r, &rd.to(&rd), &pts),
            vec![Some(5.0), Some(-99997.0), None, None, None]
        );
        // The same points given in WGS84 land in the same cells.
        let to_wgs = rd.to(&Crs::wgs84());
        let lonlat: Vec<Coord> = pts.iter().map(|&p| to_wgs.coord(p).unwrap()).collect();
        assert_eq!(
            sample(&r, &Crs::wgs84().to(&rd), &lonlat),
            vec![Some(5.0), Some(-99997.0), None, None, None]
        );
    }
}
