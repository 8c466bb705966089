//! Raster layers: population grids as homes, land cover, canopy or noise per neighbourhood, and
//! values sampled at homes.
//!
//! [`Raster::read`] loads one band of a raster with its geotransform, CRS and nodata value. The
//! default build reads GeoTIFF in pure Rust ([`geotiff`]), so kindscape needs no system library;
//! with the cargo feature `gdal`, every format GDAL knows is read through GDAL instead (the
//! GeoTIFF reader stays available as [`Raster::read_geotiff`], so the two can be compared).
//!
//! The functions that use a raster take a [`Transformer`](crate::layers::crs::Transformer) between the raster's CRS and the
//! working CRS: [`cells_as_points`] (one point per non-empty cell), [`zonal_stats`] (a statistic
//! per zone, cells assigned by their centre) and [`sample`] (the value under each point).

mod cells;
#[cfg(feature = "gdal")]
pub mod gdal_reader;
pub mod geotiff;
mod zonal;

use std::path::{Path, PathBuf};

use geo::Coord;

use crate::error::{Error, Result};
use crate::layers::crs::Crs;

pub use cells::{cells_as_points, cells_where, sample};
pub use zonal::{zonal_stats, Statistic};

/// One band of a raster, with what is needed to place its cells on the map.
#[derive(Debug, Clone)]
pub struct Raster {
    /// The file it came from (for error messages).
    pub path: PathBuf,
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// How many bands the file has.
    pub bands: usize,
    /// The band held in `data` (1-based, as GDAL counts).
    pub band: u32,
    /// GDAL order: `x = gt[0] + col gt[1] + row gt[2]`, `y = gt[3] + col gt[4] + row gt[5]`, for the
    /// top-left corner of cell (col, row); `[0, 1, 0, 0, 0, 1]` when the file has none.
    pub geotransform: [f64; 6],
    /// The EPSG code the file declares, even when kindscape has no definition for it.
    pub epsg: Option<u32>,
    /// The file's CRS, when it declares one kindscape knows; see [`Raster::require_crs`].
    pub crs: Option<Crs>,
    /// Cells holding this value are empty.
    pub nodata: Option<f64>,
    /// Cell values row by row, `width * height` of them.
    pub data: Vec<f64>,
}

impl Raster {
    /// Reads band `band` (1-based) of a raster file: GeoTIFF in the default build, any format
    /// GDAL reads with the `gdal` feature.
    pub fn read(path: &Path, band: u32) -> Result<Raster> {
        #[cfg(feature = "gdal")]
        {
            Self::read_gdal(path, band)
        }
        #[cfg(not(feature = "gdal"))]
        {
            Self::read_geotiff(path, band)
        }
    }

    /// Reads band `band` (1-based) of a GeoTIFF with the pure-Rust reader, whatever the features.
    pub fn read_geotiff(path: &Path, band: u32) -> Result<Raster> {
        geotiff::read(path, band)
    }

    /// Reads band `band` (1-based) of any raster GDAL can open.
    #[cfg(feature = "gdal")]
    pub fn read_gdal(path: &Path, band: u32) -> Result<Raster> {
        gdal_reader::read(path, band)
    }

    /// The CRS to use for this raster: `override_crs` (the layer's `crs` key in the study file)
    /// when given, else the file's own; an error that says what to add when there is neither.
    pub fn require_crs(&self, override_crs: Option<&str>) -> Result<Crs> {
        if let Some(text) = override_crs {
            return Crs::parse(text).map_err(|m| Error::layer(&self.path, m));
        }
        if let Some(crs) = &self.crs {
            return Ok(crs.clone());
        }
        Err(Error::layer(
            &self.path,
            match self.epsg {
                Some(code) => format!(
                    "the raster declares EPSG:{code}, which kindscape has no definition for; add crs = \"+proj=...\" (its PROJ string) to the study file"
                ),
                None => "the raster has no CRS; add crs = \"EPSG:<code>\" (e.g. crs = \"EPSG:28992\") to the study file".to_string(),
            },
        ))
    }

    /// True for a value that counts: finite and not the nodata value.
    pub fn is_valid(&self, value: f64) -> bool {
        value.is_finite() && self.nodata != Some(value)
    }

    /// The value of a cell, `None` when it is empty (nodata or not finite) or off the grid.
    pub fn value(&self, col: usize, row: usize) -> Option<f64> {
        if col >= self.width || row >= self.height {
            return None;
        }
        let v = *self.data.get(row * self.width + col)?;
        self.is_valid(v).then_some(v)
    }

    /// The centre of a cell, in the raster's CRS.
    pub fn cell_centre(&self, col: usize, row: usize) -> Coord {
        let (c, r) = (col as f64 + 0.5, row as f64 + 0.5);
        let g = &self.geotransform;
        Coord {
            x: g[0] + c * g[1] + r * g[2],
            y: g[3] + c * g[4] + r * g[5],
        }
    }

    /// The cell holding a point of the raster's CRS (so the cell whose centre is nearest), if
    /// the point lies on the grid.
    pub fn cell_at(&self, p: Coord) -> Option<(usize, usize)> {
        let g = &self.geotransform;
        let det = g[1] * g[5] - g[2] * g[4];
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        let (dx, dy) = (p.x - g[0], p.y - g[3]);
        let col = ((g[5] * dx - g[2] * dy) / det).floor();
        let row = ((g[1] * dy - g[4] * dx) / det).floor();
        let on_grid =
            col >= 0.0 && row >= 0.0 && col < self.width as f64 && row < self.height as f64;
        on_grid.then_some((col as usize, row as usize))
    }
}

/// A Float32 raster's nodata as its cells hold it: GDAL compares Float32 cells with the nodata
/// value cast to Float32, so a value like -9999.9 (not exact in 32 bits) must be rounded the same
/// way to match.
fn nodata_as_f32(nodata: Option<f64>) -> Option<f64> {
    nodata.map(|n| if n.is_finite() { n as f32 as f64 } else { n })
}

/// Checks the band number against the bands the file has.
fn check_band(path: &Path, band: u32, bands: usize) -> Result<()> {
    if band == 0 || band as usize > bands {
        return Err(Error::layer(
            path,
            format!(
                "band {band} does not exist: the raster has {bands} band{} (numbered from 1)",
                if bands == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raster(gt: [f64; 6]) -> Raster {
        Raster {
            path: PathBuf::from("t.tif"),
            width: 4,
            height: 3,
            bands: 1,
            band: 1,
            geotransform: gt,
            epsg: None,
            crs: None,
            nodata: Some(-1.0),
            data: (0..12)
                .map(|i| if i == 5 { -1.0 } else { i as f64 })
                .collect(),
        }
    }

    #[test]
    fn cell_centres_and_back() {
        let r = raster([1000.0, 10.0, 0.0, 2000.0, 0.0, -10.0]);
        assert_eq!(
            r.cell_centre(0, 0),
            Coord {
                x: 1005.0,
                y: 1995.0
            }
        );
        assert_eq!(
            r.cell_centre(3, 2),
            Coord {
                x: 1035.0,
                y: 1975.0
            }
        );
        assert_eq!(
            r.cell_at(Coord {
                x: 1035.0,
                y: 1975.0
            }),
            Some((3, 2))
        );
        // Corners belong to the cell right and below them; the far edges are off the grid.
        assert_eq!(
            r.cell_at(Coord {
                x: 1000.0,
                y: 2000.0
            }),
            Some((0, 0))
        );
        assert_eq!(
            r.cell_at(Coord {
                x: 1040.0,
                y: 1990.0
            }),
            None
        );
        assert_eq!(
            r.cell_at(Coord {
                x: 999.9,
                y: 1990.0
            }),
            None
        );
        assert_eq!(
            r.cell_at(Coord {
                x: 1010.0,
                y: 1970.0
            }),
            None
        );
    }

    #[test]
    fn rotated_grid_round_trips() {
        let r = raster([1000.0, 8.0, 3.0, 2000.0, 2.0, -9.0]);
        for row in 0..3 {
            for col in 0..4 {
                assert_eq!(r.cell_at(r.cell_centre(col, row)), Some((col, row)));
            }
        }
        // Cell (1, 2) by hand: x = 1000 + 1.5*8 + 2.5*3, y = 2000 + 1.5*2 - 2.5*9.
        assert_eq!(
            r.cell_centre(1, 2),
            Coord {
                x: 1019.5,
                y: 1980.5
            }
        );
    }

    #[test]
    fn nodata_and_non_finite_are_empty() {
        let mut r = raster([0.0, 1.0, 0.0, 0.0, 0.0, -1.0]);
        assert_eq!(r.value(1, 1), None);
        assert_eq!(r.value(2, 1), Some(6.0));
        assert_eq!(r.value(4, 0), None);
        r.data[6] = f64::NAN;
        assert_eq!(r.value(2, 1), None);
    }

    #[test]
    fn require_crs_says_what_to_add() {
        let mut r = raster([0.0, 1.0, 0.0, 0.0, 0.0, -1.0]);
        let e = r.require_crs(None).unwrap_err().to_string();
        assert!(
            e.starts_with("t.tif: the raster has no CRS; add crs = "),
            "{e}"
        );
        assert_eq!(r.require_crs(Some("EPSG:28992")).unwrap().epsg, Some(28992));
        assert!(r.require_crs(Some("Amersfoort")).is_err());
        r.epsg = Some(2000);
        let e = r.require_crs(None).unwrap_err().to_string();
        assert!(e.contains("EPSG:2000"), "{e}");
        r.crs = Some(Crs::wgs84());
        assert_eq!(r.require_crs(None).unwrap().epsg, Some(4326));
    }

    #[test]
    fn float32_nodata_is_rounded_like_the_cells() {
        assert_eq!(nodata_as_f32(Some(-9999.9)), Some(-9999.9f32 as f64));
        assert!(nodata_as_f32(Some(f64::NAN)).is_some_and(f64::is_nan));
        assert_eq!(nodata_as_f32(None), None);
    }
}
