//! The same data in each format gives byte-identical outputs: the Harderwijk and Helsinki
//! studies run from GeoPackage and Shapefile copies of their GeoJSON layers (made by
//! `scripts/make_format_copies.sh` with GDAL's ogr2ogr) write the same files as the GeoJSON
//! runs, `run.json` aside (it records the input files, which differ by design).
//!
//! What a Shapefile cannot hold is spelled out rather than hidden:
//! - field names are cut to 10 characters (GDAL renames clashes `_1`, `_2`, ...): the Shapefile
//!   studies name the cut fields, and the columns named after kept attributes (and the equity
//!   attribute) are renamed back in their outputs before comparing;
//! - it has no boolean type (GDAL writes 0/1): Helsinki's homes filter reads `residentia = 1`;
//! - it holds one geometry type: Helsinki's playgrounds, libraries and community centres mix
//!   points and polygons, so the Shapefile study reads those three from the GeoPackage.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The copies, or `None` (with a message) when ogr2ogr or the shared data is missing, unless
/// `KINDSCAPE_REQUIRE_SHARED=1`, which makes a missing ogr2ogr a failure as well.
fn copies(dir: &Path) -> Option<PathBuf> {
    let data = common::shared_data_dir()?;
    if Command::new("ogr2ogr").arg("--version").output().is_err() {
        if std::env::var("KINDSCAPE_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
            panic!("KINDSCAPE_REQUIRE_SHARED=1 but ogr2ogr is not installed (apt-get install gdal-bin)");
        }
        eprintln!("skipped: ogr2ogr is not installed (apt-get install gdal-bin)");
        return None;
    }
    let out = dir.join("copies");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/make_format_copies.sh");
    let status = Command::new("bash")
        .arg(script)
        .arg(&data)
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "make_format_copies.sh failed");
    Some(out)
}

/// Rewrites a GeoJSON study to read its layers from the copies: a GeoPackage (with its
/// `layer` key) or, with `shapefile`, the Shapefile where there is one. `fields` renames quoted
/// attribute names.
fn study_from(
    geojson_study: &Path,
    data: &Path,
    copies: &Path,
    name: &str,
    shapefile: bool,
    fields: &[(&str, &str)],
) -> PathBuf {
    let text = std::fs::read_to_string(geojson_study).unwrap();
    let prefix = format!("path = \"{}/", data.display());
    let mut out = String::new();
    for line in text.lines() {
        let Some(rel) = line
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".geojson\""))
        else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let shp = copies.join("shp").join(format!("{rel}.shp"));
        let gpkg = copies.join("gpkg").join(format!("{rel}.gpkg"));
        if shapefile && shp.exists() {
            out.push_str(&format!("path = \"{}\"\n", shp.display()));
        } else {
            assert!(gpkg.exists(), "no copy of {rel}");
            let layer = Path::new(rel).file_name().unwrap().to_string_lossy();
            out.push_str(&format!(
                "path = \"{}\"\nlayer = \"{layer}\"\n",
                gpkg.display()
            ));
        }
    }
    for (old, new) in fields {
        out = out.replace(&format!("\"{old}\""), &format!("\"{new}\""));
    }
    // In a folder of its own under the same file name: the report names the study file.
    let dir = geojson_study.with_file_name(name);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(geojson_study.file_name().unwrap());
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn harderwijk_from_geopackage_and_shapefile_equals_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(copies) = copies(tmp.path()) else {
        return;
    };
    let data = common::shared_data_dir().unwrap();
    let geojson = common::example_study("harderwijk.toml", &data, tmp.path());
    let out = |name: &str| tmp.path().join(name);
    common::run_quiet(&geojson, &out("out-geojson"));

    let gpkg = study_from(&geojson, &data, &copies, "harderwijk-gpkg", false, &[]);
    common::run_quiet(&gpkg, &out("out-gpkg"));
    common::assert_same_outputs(&out("out-geojson"), &out("out-gpkg"), &[]);

    let fields = [
        ("aantal_inwoners", "aantal_inw"),
        ("calc_children_0_tot_15_est", "calc_child"),
        ("bevolkingsdichtheid", "bevolkings"),
        ("gem_huishouden_grootte", "gem_huisho"),
        ("aantal_inwoners_0_tot_15_jaar", "aantal_i_1"),
    ];
    let shp = study_from(&geojson, &data, &copies, "harderwijk-shp", true, &fields);
    common::run_quiet(&shp, &out("out-shp"));
    let renames = [
        ("bevolkings", "bevolkingsdichtheid"),
        ("gem_huisho", "gem_huishouden_grootte"),
    ];
    common::assert_same_outputs(&out("out-geojson"), &out("out-shp"), &renames);
}

#[test]
fn helsinki_from_geopackage_and_shapefile_equals_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(copies) = copies(tmp.path()) else {
        return;
    };
    let data = common::shared_data_dir().unwrap();
    let geojson = common::example_study("helsinki.toml", &data, tmp.path());
    let out = |name: &str| tmp.path().join(name);
    common::run_quiet(&geojson, &out("out-geojson"));

    let gpkg = study_from(&geojson, &data, &copies, "helsinki-gpkg", false, &[]);
    common::run_quiet(&gpkg, &out("out-gpkg"));
    common::assert_same_outputs(&out("out-geojson"), &out("out-gpkg"), &[]);

    let fields = [
        ("postal_code", "postal_cod"),
        ("Inhabitants, total (HE)", "Inhabita_3"),
        ("0-2 years (HE)", "0-2 years"),
        ("3-6 years (HE)", "3-6 years"),
        ("7-12 years (HE)", "7-12 years"),
        ("13-15 years (HE)", "13-15 year"),
        ("Median income of inhabitants", "Median i_1"),
        ("calc_share_low_income_households", "calc_sha_1"),
    ];
    let shp = study_from(&geojson, &data, &copies, "helsinki-shp", true, &fields);
    // No boolean type in a .dbf: GDAL writes `residential` as 0/1.
    let text = std::fs::read_to_string(&shp).unwrap().replace(
        "filter = { residential = true }",
        "filter = { residentia = 1 }",
    );
    assert!(text.contains("residentia = 1"));
    std::fs::write(&shp, text).unwrap();
    common::run_quiet(&shp, &out("out-shp"));
    let renames = [
        ("Median i_1", "Median income of inhabitants"),
        ("calc_sha_1", "calc_share_low_income_households"),
    ];
    common::assert_same_outputs(&out("out-geojson"), &out("out-shp"), &renames);
}
