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
