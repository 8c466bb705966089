//! With the `gdal` feature: every fixture read through GDAL and through the pure-Rust GeoTIFF
//! reader gives the same raster, bit for bit. Run with `cargo test --features gdal --test
//! raster_gdal` (needs `apt-get install -y --no-install-recommends pkg-config libgdal-dev`).
#![cfg(feature = "gdal")]

mod raster_support;

use std::path::PathBuf;

use kindscape::layers::raster::Raster;
use raster_support::{fixtures, helsinki_elevation, shared_data};

fn tifs() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tif"))
        .collect();
    paths.sort();
    paths
}

/// Same values, NaN equal to NaN.
fn same_values(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
fn gdal_and_the_geotiff_reader_agree_on_every_fixture() {
    let paths = tifs();
    assert_eq!(paths.len(), 18);
    let mut compared = 0;
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy();
        let first = Raster::read_gdal(path, 1).unwrap_or_else(|e| panic!("{e}"));
        for band in 1..=first.bands as u32 {
            let g = Raster::read_gdal(path, band).unwrap();
            let t = match Raster::read_geotiff(path, band) {
                Ok(t) => t,
                // The one layout the pure-Rust reader refuses, with a message naming the way out.
                Err(e) if name == "two_bands_planar.tif" => {
                    assert!(e.to_string().contains("--features gdal"), "{e}");
                    continue;
                }
                Err(e) => panic!("{e}"),
            };
            assert_eq!(
                (g.width, g.height, g.bands, g.band),
                (t.width, t.height, t.bands, t.band),
                "{name}"
            );
            assert_eq!(
                g.geotransform, t.geotransform,
                "{name} band {band}: geotransform"
            );
            assert_eq!(g.epsg, t.epsg, "{name}: EPSG");
            assert_eq!(g.crs, t.crs, "{name}: CRS");
            assert!(
                g.nodata == t.nodata
                    || g.nodata.is_some_and(f64::is_nan) && t.nodata.is_some_and(f64::is_nan),
                "{name}: nodata {:?} vs {:?}",
                g.nodata,
                t.nodata
            );
            assert!(
                same_values(&g.data, &t.data),
                "{name} band {band}: values differ"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 20);
}

#[test]
fn read_goes_through_gdal_and_opens_band_interleaved_files() {
    let path = fixtures().join("two_bands_planar.tif");
    let band2 = Raster::read(&path, 2).unwrap();
    let band1 = Raster::read(&path, 1).unwrap();
    // The script wrote band 2 as band 1 halved (integer division, rounding down).
    assert!(band1
        .data
        .iter()
        .zip(&band2.data)
        .all(|(a, b)| (a / 2.0).floor() == *b));
    let e = Raster::read(&path, 3).unwrap_err().to_string();
    assert!(
        e.contains("band 3 does not exist: the raster has 2 bands"),
        "{e}"
    );
    let e = Raster::read(&fixtures().join("missing.tif"), 1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.tif"), "{e}");
}

#[test]
fn gdal_and_the_geotiff_reader_agree_on_the_helsinki_elevation() {
    let Some(shared) = shared_data() else { return };
    let path = helsinki_elevation(&shared);
    let g = Raster::read_gdal(&path, 1).unwrap();
    let t = Raster::read_geotiff(&path, 1).unwrap();
    assert_eq!((g.width, g.height, g.epsg), (274, 210, Some(4326)));
    assert_eq!((g.geotransform, g.nodata), (t.geotransform, t.nodata));
    assert!(same_values(&g.data, &t.data));
}
