//! `[study] formats = ["gpkg"]`: `kindscape.gpkg` holds homes, neighbourhoods and sites with the
//! CSVs' columns and values, read back by kindscape's own GeoPackage reader and, where GDAL is
//! installed (CI installs it), by `ogrinfo`.

mod common;

use std::path::Path;
use std::process::Command;

use kindscape::layers::format::{read, VectorSource};

fn sample_town_with_gpkg(dir: &Path) -> std::path::PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("layers/sample-town");
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let study = dir.join("sample-town.toml");
    let text = std::fs::read_to_string(&study).unwrap();
    let text = text.replacen("[study]\n", "[study]\nformats = [\"gpkg\"]\n", 1);
    assert!(text.contains("formats"));
    std::fs::write(&study, text).unwrap();
    study
}

#[test]
fn the_geopackage_holds_the_csv_tables_with_their_geometries() {
    let tmp = tempfile::tempdir().unwrap();
    let study = sample_town_with_gpkg(tmp.path());
    let out = tmp.path().join("out");
    let o = common::kindscape()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&study)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let gpkg = out.join("kindscape.gpkg");
    for (layer, csv, id) in [
        ("homes", "homes.csv", "home_id"),
        ("neighbourhoods", "neighbourhoods.csv", "id"),
        ("sites", "sites.csv", "rank"),
    ] {
        let rows = common::read_csv(&out.join(csv));
        let l = read(VectorSource::new(&gpkg, None, Some(layer))).unwrap();
        assert_eq!(l.features.len(), rows.len(), "{layer}");
        assert!(l.crs.epsg.is_some(), "{layer}: {}", l.crs);
        for (f, row) in l.features.iter().zip(&rows) {
            for (column, text) in row {
                let got = &f.props[column];
                let same = match got {
                    serde_json::Value::Null => text.is_empty(),
                    serde_json::Value::String(s) => s == text,
                    serde_json::Value::Number(n) => {
                        Some(n.as_f64().unwrap()) == text.parse::<f64>().ok()
                    }
                    _ => false,
                };
                assert!(
                    same,
                    "{layer} {}, {column}: {got} in the GeoPackage, {text:?} in {csv}",
                    row[id]
                );
            }
            // Points lie at the CSV's x and y (homes and sites carry them).
            let coord = |c: &str| row.get(c).and_then(|v| v.parse::<f64>().ok());
            if let (Some(x), Some(y), Some(geo::Geometry::Point(p))) =
                (coord("x"), coord("y"), f.geometry.as_ref())
            {
                assert!(
                    (p.x() - x).abs() <= 0.05 && (p.y() - y).abs() <= 0.05,
                    "{layer}"
                );
            }
        }
    }

    // GDAL's own reader, where it is installed (CI installs gdal-bin).
    let Ok(info) = Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(&gpkg)
        .output()
    else {
        if std::env::var("KINDSCAPE_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
            panic!("ogrinfo is not installed (apt-get install gdal-bin)");
        }
        eprintln!("skipped the GDAL check: ogrinfo is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    for layer in ["homes", "neighbourhoods", "sites"] {
        assert!(text.contains(&format!("Layer name: {layer}")), "{text}");
    }
    let homes = common::read_csv(&out.join("homes.csv")).len();
    assert!(text.contains(&format!("Feature Count: {homes}")), "{text}");
    assert!(text.contains("ID[\"EPSG\",28992]"), "{text}");
}

#[test]
fn a_layer_of_a_geopackage_serves_as_site_candidates() {
    let tmp = tempfile::tempdir().unwrap();
    let study = sample_town_with_gpkg(tmp.path());
    let first = tmp.path().join("out-first");
    let run = |study: &Path, out: &Path| {
        common::kindscape()
            .args(["run", "--quiet", "--out"])
            .arg(out)
            .arg(study)
            .output()
            .unwrap()
    };
    let o = run(&study, &first);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::copy(first.join("kindscape.gpkg"), tmp.path().join("plan.gpkg")).unwrap();

    // The chosen sites, offered again as the only candidates: the same sites come back.
    let text = std::fs::read_to_string(&study).unwrap();
    let with = |extra: &str| {
        let t = text.replacen(
            "[sites]\n",
            &format!("[sites]\ncandidates = \"plan.gpkg\"\n{extra}"),
            1,
        );
        assert_ne!(t, text, "the sample town has a [sites] section");
        let p = tmp.path().join("again.toml");
        std::fs::write(&p, t).unwrap();
        p
    };
    // Without `layer`, the GeoPackage's layers are listed.
    let o = run(&with(""), &tmp.path().join("out-none"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("homes") && stderr.contains("neighbourhoods") && stderr.contains("sites"),
        "{stderr}"
    );
    let again = tmp.path().join("out-again");
    let o = run(&with("layer = \"sites\"\n"), &again);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let coords = |dir: &Path| {
        let mut c: Vec<(String, String)> = common::read_csv(&dir.join("sites.csv"))
            .into_iter()
            .map(|r| (r["x"].clone(), r["y"].clone()))
            .collect();
        c.sort();
        c
    };
    assert_eq!(coords(&first), coords(&again));
}

/// A working CRS given as a `+proj=` string (RD New with the older datum shift, which has no EPSG
/// code) is written to `gpkg_spatial_ref_sys` as WKT, which GDAL reads as the same projection;
/// before, the definition was "undefined" and GDAL showed the layers without a CRS.
#[test]
fn a_proj_string_crs_is_written_as_wkt_that_gdal_reads() {
    const RD: &str = "+proj=sterea +lat_0=52.15616055555555 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +towgs84=565.417,50.3319,465.552,-0.398957,0.343988,-1.8774,4.0725 +units=m +no_defs";
    let tmp = tempfile::tempdir().unwrap();
    let study = sample_town_with_gpkg(tmp.path());
    let text = std::fs::read_to_string(&study).unwrap();
    let text = text.replacen("crs = \"EPSG:28992\"", &format!("crs = \"{RD}\""), 1);
    assert!(text.contains("+proj=sterea"));
    std::fs::write(&study, text).unwrap();
    let out = tmp.path().join("out");
    let stderr = common::run_quiet(&study, &out);
    assert!(
        !stderr.contains("kindscape.gpkg cannot say this CRS"),
        "{stderr}"
    );
    let gpkg = out.join("kindscape.gpkg");
    let db = rusqlite::Connection::open(&gpkg).unwrap();
    let (organization, definition): (String, String) = db
        .query_row(
            "SELECT organization, definition FROM gpkg_spatial_ref_sys WHERE srs_id = 100000",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(organization, "NONE");
    for part in [
        "PROJECTION[\"Oblique_Stereographic\"]",
        "PARAMETER[\"latitude_of_origin\",52.15616055555555]",
        "PARAMETER[\"central_meridian\",5.38763888888889]",
        "PARAMETER[\"scale_factor\",0.9999079]",
        "PARAMETER[\"false_easting\",155000]",
        "PARAMETER[\"false_northing\",463000]",
        "SPHEROID[\"Bessel 1841\",6377397.155,299.1528128]",
        "TOWGS84[565.417,50.3319,465.552,-0.398957,0.343988,-1.8774,4.0725]",
        "UNIT[\"metre\",1]",
    ] {
        assert!(definition.contains(part), "{part} not in {definition}");
    }
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    let layers = count("SELECT count(*) FROM gpkg_geometry_columns");
    assert!(layers >= 3, "homes, neighbourhoods and sites at least");
    assert_eq!(
        count("SELECT count(*) FROM gpkg_geometry_columns WHERE srs_id = 100000"),
        layers
    );

    let Ok(info) = Command::new("ogrinfo")
        .args(["-so"])
        .arg(&gpkg)
        .arg("homes")
        .output()
    else {
        if std::env::var("KINDSCAPE_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
            panic!("ogrinfo is not installed (apt-get install gdal-bin)");
        }
        eprintln!("skipped the GDAL check: ogrinfo is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(!text.contains("(unknown)"), "{text}");
    for part in [
        "Oblique Stereographic",
        "Bessel 1841",
        "155000",
        "0.9999079",
    ] {
        assert!(text.contains(part), "{part} not in {text}");
    }
}

// The WKT written for a `+proj=` working CRS (kindscape::layers::wkt).

/// The numbers of a WKT's `key[...]` terms by their first (quoted) word.
fn terms(wkt: &str, key: &str) -> Vec<(String, Vec<f64>)> {
    wkt.split(&format!("{key}[\""))
        .skip(1)
        .map(|rest| {
            let (name, rest) = rest.split_once('"').unwrap();
            let body = &rest[..rest.find(']').unwrap()];
            let numbers = body
                .split(',')
                .filter_map(|x| x.trim().parse::<f64>().ok())
                .collect();
            (name.to_string(), numbers)
        })
        .collect()
}

/// Every projection written here, checked against EPSG's own WKT (as GDAL writes it; copied from
/// the crs-definitions tables into tests/fixtures/epsg_wkt.json) for a CRS whose PROJ string
/// EPSG gives: the same projection, parameters, ellipsoid, datum shift and unit.
#[test]
fn the_wkt_of_epsg_proj_strings_matches_epsg() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/epsg_wkt.json");
    let epsg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    let defs = epsg["crs"].as_object().unwrap();
    assert_eq!(defs.len(), 13);
    for (code, def) in defs {
        let (proj4, wkt) = (def["proj4"].as_str().unwrap(), def["wkt"].as_str().unwrap());
        let ours =
            kindscape::layers::wkt::wkt_of_proj(proj4).unwrap_or_else(|| panic!("{code}: {proj4}"));
        for key in ["PROJECTION", "PARAMETER", "SPHEROID", "PRIMEM", "UNIT"] {
            let (a, b) = (terms(&ours, key), terms(wkt, key));
            let numbers = |t: &[(String, Vec<f64>)]| -> Vec<Vec<f64>> {
                t.iter().map(|x| x.1.clone()).collect()
            };
            assert_eq!(numbers(&a), numbers(&b), "{code} {key}: {ours}\n{wkt}");
            if key == "PROJECTION" || key == "PARAMETER" {
                let names = |t: &[(String, Vec<f64>)]| -> Vec<String> {
                    t.iter().map(|x| x.0.clone()).collect()
                };
                assert_eq!(names(&a), names(&b), "{code} {key}");
            }
        }
        let shift = |w: &str| {
            w.split("TOWGS84[")
                .nth(1)
                .map(|r| r.split(']').next().unwrap().to_string())
        };
        let numbers = |s: Option<String>| -> Option<Vec<f64>> {
            s.map(|s| s.split(',').map(|x| x.parse().unwrap()).collect())
        };
        assert_eq!(numbers(shift(&ours)), numbers(shift(wkt)), "{code} TOWGS84");
    }
}

#[test]
fn what_is_not_written_here_is_none() {
    for proj in [
        "+proj=robin +datum=WGS84",
        "+proj=tmerc +ellps=unknown_one",
        "+proj=tmerc +datum=WGS84 +pm=paris",
        "+proj=utm +zone=61 +datum=WGS84",
        "+proj=tmerc +lat_0=abc +datum=WGS84",
        "proj=tmerc",
    ] {
        assert_eq!(kindscape::layers::wkt::wkt_of_proj(proj), None, "{proj}");
    }
}
