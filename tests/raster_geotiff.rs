//! The pure-Rust GeoTIFF reader against GDAL's own reading of the same files
//! (tests/fixtures/rasters/gdal_reading.json, written by scripts/raster_fixtures.py), the
//! zonal statistics against numpy + OGR/GEOS (zonal_expected.json), and the shared data.

use geo::{Geometry, MultiPolygon};
use kindscape::layers::crs::Crs;
use kindscape::layers::raster::{
    cells_as_points, cells_where, sample, zonal_stats, Raster, Statistic,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

mod raster_support;

use raster_support::{fixtures, helsinki_elevation, json, shared_data};

/// SHA-256 of every value as little-endian f64, NaN written as one canonical NaN (as the script).
fn digest(data: &[f64]) -> String {
    let mut h = Sha256::new();
    for v in data {
        let bits = if v.is_nan() {
            0x7ff8_0000_0000_0000
        } else {
            v.to_bits()
        };
        h.update(bits.to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal but for the last bit: serde_json's default float parser (without its `float_roundtrip`
/// feature) can be one unit in the last place off what Python wrote. Exactness of every value is
/// checked by the SHA-256 instead.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.to_bits() as i64 - b.to_bits() as i64).abs() <= 1
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Compares one band as the Rust reader has it with GDAL's reading of it.
fn assert_matches_gdal(name: &str, file: &Value, r: &Raster, expected: &Value) {
    let size = &file["size"];
    assert_eq!(
        (r.width as u64, r.height as u64),
        (size[0].as_u64().unwrap(), size[1].as_u64().unwrap()),
        "{name}"
    );
    assert_eq!(r.bands as u64, file["bands"].as_u64().unwrap(), "{name}");
    let gt: Vec<f64> = file["geotransform"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(r.geotransform.to_vec(), gt, "{name}: geotransform");
    assert_eq!(r.epsg.map(u64::from), file["epsg"].as_u64(), "{name}: EPSG");
    match &expected["nodata"] {
        Value::Null => assert_eq!(r.nodata, None, "{name}"),
        Value::String(s) if s == "nan" => assert!(r.nodata.is_some_and(f64::is_nan), "{name}"),
        v => assert_eq!(r.nodata, v.as_f64(), "{name}: nodata"),
    }
    for p in expected["probes"].as_array().unwrap() {
        let (c, row) = (
            p["col"].as_u64().unwrap() as usize,
            p["row"].as_u64().unwrap() as usize,
        );
        let got = r.data[row * r.width + c];
        match p["value"].as_f64() {
            Some(v) => assert!(
                same(got, v),
                "{name}: cell ({c}, {row}) is {got}, GDAL reads {v}"
            ),
            None => assert!(
                got.is_nan(),
                "{name}: cell ({c}, {row}) should be NaN, is {got}"
            ),
        }
    }
    let valid: Vec<f64> = r.data.iter().copied().filter(|&v| r.is_valid(v)).collect();
    assert_eq!(
        valid.len() as u64,
        expected["valid_count"].as_u64().unwrap(),
        "{name}: valid cells"
    );
    assert!(
        close(valid.iter().sum(), expected["valid_sum"].as_f64().unwrap()),
        "{name}: sum"
    );
    if let Some(min) = expected["valid_min"].as_f64() {
        assert!(
            same(valid.iter().copied().fold(f64::INFINITY, f64::min), min),
            "{name}: min"
        );
        let max = expected["valid_max"].as_f64().unwrap();
        assert!(
            same(valid.iter().copied().fold(f64::NEG_INFINITY, f64::max), max),
            "{name}: max"
        );
    }
    assert_eq!(
        digest(&r.data),
        expected["sha256_f64"].as_str().unwrap(),
        "{name}: every value"
    );
}

#[test]
fn geotiff_reader_reads_what_gdal_reads() {
    let reading = json("gdal_reading.json");
    let files = reading["files"].as_object().unwrap();
    assert_eq!(files.len(), 18);
    let mut checked = 0;
    for (name, file) in files {
        let path = fixtures().join(name);
        for expected in file["band_values"].as_array().unwrap() {
            let band = expected["band"].as_u64().unwrap() as u32;
            let read = Raster::read_geotiff(&path, band);
            if file["interleave"] == "BAND" && file["bands"].as_u64() > Some(1) {
                let e = read.unwrap_err().to_string();
                assert!(
                    e.contains("PlanarConfiguration=2") && e.contains(name.as_str()),
                    "{e}"
                );
                continue;
            }
            let r = read.unwrap_or_else(|e| panic!("{name} band {band}: {e}"));
            assert_eq!(r.band, band);
            assert_matches_gdal(name, file, &r, expected);
            checked += 1;
        }
    }
    assert_eq!(
        checked, 20,
        "bands compared (all but the band-interleaved file)"
    );
}

#[test]
fn crs_from_the_geokeys() {
    let read = |name: &str| Raster::read_geotiff(&fixtures().join(name), 1).unwrap();
    assert_eq!(read("byte_striped.tif").crs.unwrap().epsg, Some(28992));
    assert_eq!(
        read("int16_lzw_pred2_nodata.tif").crs.unwrap().epsg,
        Some(3067)
    );
    assert!(read("float64_geographic.tif").crs.unwrap().is_geographic());
    assert_eq!(read("web_mercator_cog.tif").crs.unwrap().epsg, Some(3857));
    let no_crs = read("no_crs.tif");
    assert!(no_crs.crs.is_none() && no_crs.epsg.is_none());
    let e = no_crs.require_crs(None).unwrap_err().to_string();
    assert!(
        e.contains("no_crs.tif: the raster has no CRS; add crs = "),
        "{e}"
    );
    assert_eq!(
        no_crs.require_crs(Some("EPSG:28992")).unwrap().epsg,
        Some(28992)
    );
}

#[test]
fn bad_files_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let not_tiff = dir.path().join("not.tif");
    std::fs::write(&not_tiff, b"this is not a tiff at all").unwrap();
    let e = Raster::read_geotiff(&not_tiff, 1).unwrap_err().to_string();
    assert!(
        e.contains("not.tif") && e.contains("not a readable GeoTIFF"),
        "{e}"
    );
    // A truncated GeoTIFF: the header and directory survive, the pixels do not.
    let bytes = std::fs::read(fixtures().join("float32_tiled_deflate_pred3.tif")).unwrap();
    let cut = dir.path().join("cut.tif");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(Raster::read_geotiff(&cut, 1).is_err());
    let missing = dir.path().join("missing.tif");
    assert!(Raster::read_geotiff(&missing, 1)
        .unwrap_err()
        .to_string()
        .contains("missing.tif"));
    let e = Raster::read_geotiff(&fixtures().join("rgb_pixel_interleaved.tif"), 4)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("band 4 does not exist: the raster has 3 bands"),
        "{e}"
    );
    assert!(Raster::read_geotiff(&fixtures().join("byte_striped.tif"), 0).is_err());
}

#[test]
fn population_grid_cells_as_homes() {
    let reading = json("gdal_reading.json");
    let file = &reading["files"]["harderwijk_cbs100m_2020.tif"];
    let rd = Crs::from_epsg(28992).unwrap();
    for band in [1u32, 2] {
        let r =
            Raster::read_geotiff(&fixtures().join("harderwijk_cbs100m_2020.tif"), band).unwrap();
        let expected = &file["band_values"][band as usize - 1];
        let homes = cells_as_points(&r, &r.require_crs(None).unwrap().to(&rd)).unwrap();
        assert_eq!(
            homes.len() as u64,
            expected["positive_count"].as_u64().unwrap()
        );
        let total: f64 = homes.iter().map(|h| h.1).sum();
        assert_eq!(total, expected["positive_sum"].as_f64().unwrap());
        // Every centre is the middle of a CBS square: x = ...50, y = ...50.
        assert!(homes
            .iter()
            .all(|(c, _)| c.x.rem_euclid(100.0) == 50.0 && c.y.rem_euclid(100.0) == 50.0));
    }
    // Every CBS square is a valid cell (984), of which the children count hides in 437: the
    // figures in DESIGN.md.
    let r = Raster::read_geotiff(&fixtures().join("harderwijk_cbs100m_2020.tif"), 1).unwrap();
    let squares = cells_where(&r, &rd.to(&rd), |_| true).unwrap();
    assert_eq!(squares.len(), 984);
    assert_eq!(squares.iter().filter(|s| s.1 == -99997.0).count(), 437);
}

#[test]
fn sampling_the_fixture_at_cell_centres_gives_the_cells() {
    let r = Raster::read_geotiff(&fixtures().join("rotated.tif"), 1).unwrap();
    let crs = r.require_crs(None).unwrap();
    let centres: Vec<_> = (0..r.height)
        .flat_map(|row| (0..r.width).map(move |col| (col, row)))
        .map(|(c, row)| r.cell_centre(c, row))
        .collect();
    let got = sample(&r, &crs.to(&crs), &centres);
    let want: Vec<Option<f64>> = r.data.iter().map(|&v| r.is_valid(v).then_some(v)).collect();
    assert_eq!(got, want);
}

fn multipolygon(g: Geometry) -> MultiPolygon {
    match g {
        Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        Geometry::MultiPolygon(m) => m,
        other => panic!("zone is not a polygon: {other:?}"),
    }
}

fn assert_zonal(r: &Raster, zones: &[MultiPolygon], expected: &[Value], threshold: f64) {
    let rd = Crs::from_epsg(28992).unwrap();
    let t = r.require_crs(None).unwrap().to(&rd);
    let stats = [
        ("count", Statistic::Count),
        ("sum", Statistic::Sum),
        ("mean", Statistic::Mean),
        ("min", Statistic::Min),
        ("max", Statistic::Max),
        ("share_above", Statistic::ShareAbove(threshold)),
    ];
    for (key, stat) in stats {
        let got = zonal_stats(r, &t, zones, stat);
        for (z, e) in expected.iter().enumerate() {
            let id = &e["id"];
            match e[key].as_f64() {
                Some(v) => assert!(
                    got[z].is_some_and(|g| close(g, v)),
                    "{id} {key}: {:?} != {v}",
                    got[z]
                ),
                None => assert_eq!(got[z], None, "{id} {key}"),
            }
        }
    }
}

#[test]
fn zonal_statistics_match_numpy_and_geos_on_synthetic_zones() {
    let expected = json("zonal_expected.json");
    let r =
        Raster::read_geotiff(&fixtures().join(expected["raster"].as_str().unwrap()), 1).unwrap();
    let zones: Vec<MultiPolygon> = expected["synthetic_zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| {
            let g: geojson::Geometry = serde_json::from_value(z["geometry"].clone()).unwrap();
            multipolygon(Geometry::try_from(g).unwrap())
        })
        .collect();
    let threshold = expected["threshold"].as_f64().unwrap();
    assert_zonal(
        &r,
        &zones,
        expected["synthetic"].as_array().unwrap(),
        threshold,
    );
}

#[test]
fn zonal_statistics_match_numpy_and_geos_on_harderwijk_wijken() {
    let Some(shared) = shared_data() else { return };
    let expected = json("zonal_expected.json");
    let r =
        Raster::read_geotiff(&fixtures().join(expected["raster"].as_str().unwrap()), 1).unwrap();
    let layer =
        kindscape::layers::geojson::read(&shared.join(expected["zones"].as_str().unwrap()), None)
            .unwrap();
    let zones: Vec<MultiPolygon> = layer
        .features
        .into_iter()
        .map(|f| multipolygon(f.geometry.unwrap()))
        .collect();
    let wijken = expected["wijken"].as_array().unwrap();
    assert_eq!(zones.len(), wijken.len());
    assert_zonal(&r, &zones, wijken, expected["threshold"].as_f64().unwrap());
}

#[test]
fn helsinki_elevation_loads() {
    let Some(shared) = shared_data() else { return };
    let r = Raster::read_geotiff(&helsinki_elevation(&shared), 1).unwrap();
    assert_eq!((r.width, r.height, r.bands), (274, 210, 1));
    assert_eq!(r.epsg, Some(4326));
    assert!(r.require_crs(None).unwrap().is_geographic());
    // gdalinfo -json on the file, which prints 16 decimal places.
    let gdalinfo = [
        24.910366425,
        0.0000151525364964,
        0.0,
        60.169540772,
        0.0,
        -0.0000151036095238,
    ];
    for (got, want) in r.geotransform.iter().zip(gdalinfo) {
        assert!((got - want).abs() <= 1e-14, "{:?}", r.geotransform);
    }
    // GDAL 3.6 through Python (ReadAsArray, math.fsum): no nodata, 57540 cells, min -1.0000000116860974e-07,
    // max 10.98795223236084, sum 230001.21325712258; cells (0, 0) = 0 and (137, 100) = 5.468503952026367.
    assert_eq!(r.nodata, None);
    assert_eq!(r.data.len(), 57540);
    assert_eq!(
        r.data.iter().copied().fold(f64::INFINITY, f64::min),
        -1.0000000116860974e-07
    );
    assert_eq!(
        r.data.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        10.98795223236084
    );
    assert!((r.data.iter().sum::<f64>() - 230001.21325712258).abs() < 1e-6);
    assert_eq!(
        (r.data[0], r.data[100 * 274 + 137]),
        (0.0, 5.468503952026367)
    );
}

/// The rasterised CBS grid as homes holds the same places and values as the grid itself: every
/// square's centroid (GeoJSON, EPSG:28992) with its children count, suppressed ones included.
#[test]
fn rasterised_cbs_grid_equals_the_geojson_squares() {
    let Some(shared) = shared_data() else { return };
    let grid =
        shared.join("harderwijk/population/cbs_vierkant100m_2020_harderwijk_epsg28992.geojson");
    let layer = kindscape::layers::geojson::read(&grid, None).unwrap();
    let key = |x: f64, y: f64, v: f64| {
        (
            (x * 1000.0).round() as i64,
            (y * 1000.0).round() as i64,
            v as i64,
        )
    };
    let mut from_geojson: Vec<_> = layer
        .features
        .iter()
        .map(|f| {
            let c = geo::Centroid::centroid(f.geometry.as_ref().unwrap()).unwrap();
            let v = f.props["aantal_inwoners_0_tot_15_jaar"].as_f64().unwrap();
            key(c.x(), c.y(), v)
        })
        .collect();
    let r = Raster::read_geotiff(&fixtures().join("harderwijk_cbs100m_2020.tif"), 1).unwrap();
    let rd = r.require_crs(None).unwrap();
    let mut from_raster: Vec<_> = cells_where(&r, &rd.to(&rd), |_| true)
        .unwrap()
        .into_iter()
        .map(|(c, v)| key(c.x, c.y, v))
        .collect();
    from_geojson.sort_unstable();
    from_raster.sort_unstable();
    assert_eq!(from_geojson.len(), 984);
    assert_eq!(from_raster, from_geojson);
}

/// Zones in WGS84 (the wijken as CBS publishes them in EPSG:4326), cell centres reprojected from
/// RD New: the same cells fall in the same wijken as in RD New.
#[test]
fn zonal_statistics_with_reprojected_cell_centres() {
    let Some(shared) = shared_data() else { return };
    let expected = json("zonal_expected.json");
    let r =
        Raster::read_geotiff(&fixtures().join(expected["raster"].as_str().unwrap()), 1).unwrap();
    let path = shared.join("harderwijk/neighbourhoods/cbs_wijken_2024_harderwijk_epsg4326.geojson");
    let layer = kindscape::layers::geojson::read(&path, None).unwrap();
    let zones: Vec<MultiPolygon> = layer
        .features
        .into_iter()
        .map(|f| multipolygon(f.geometry.unwrap()))
        .collect();
    let to_wgs84 = r.require_crs(None).unwrap().to(&Crs::wgs84());
    let got = zonal_stats(&r, &to_wgs84, &zones, Statistic::Sum);
    let want: Vec<Option<f64>> = expected["wijken"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["sum"].as_f64())
        .collect();
    assert_eq!(got, want);
}

/// `bytes` (a little-endian classic TIFF) with the first IFD's SHORT tag `tag` set to `value`.
fn with_short_tag(mut bytes: Vec<u8>, tag: u16, value: u16) -> Vec<u8> {
    assert_eq!(&bytes[..4], b"II*\0", "a little-endian classic TIFF");
    let ifd = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let entries = u16::from_le_bytes(bytes[ifd..ifd + 2].try_into().unwrap()) as usize;
    let entry = (0..entries)
        .map(|i| ifd + 2 + 12 * i)
        .find(|&e| u16::from_le_bytes(bytes[e..e + 2].try_into().unwrap()) == tag)
        .expect("tag present");
    bytes[entry + 8..entry + 10].copy_from_slice(&value.to_le_bytes());
    bytes
}

/// A one-band file marked band-interleaved is the same as pixel-interleaved; a file whose
/// directory lies about its layout is an error, never a panic.
#[test]
fn odd_layouts_read_or_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read(fixtures().join("byte_striped.tif")).unwrap();
    let want = Raster::read_geotiff(&fixtures().join("byte_striped.tif"), 1).unwrap();
    let planar = dir.path().join("planar_one_band.tif");
    std::fs::write(&planar, with_short_tag(original.clone(), 284, 2)).unwrap();
    let got = Raster::read_geotiff(&planar, 1).unwrap();
    assert_eq!(got.data, want.data);
    // Directories that lie: 3 samples per pixel on 1, an unknown planar configuration, 12-bit
    // samples, floating-point bytes, an unknown compression.
    for (tag, value) in [(277, 3), (284, 7), (258, 12), (339, 3), (259, 9)] {
        let path = dir.path().join(format!("tag_{tag}_{value}.tif"));
        std::fs::write(&path, with_short_tag(original.clone(), tag, value)).unwrap();
        let result = std::panic::catch_unwind(|| Raster::read_geotiff(&path, 1));
        let message = result
            .unwrap_or_else(|_| panic!("tag {tag} = {value} panicked"))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(&format!("tag_{tag}_{value}.tif: ")),
            "{message}"
        );
    }
}
