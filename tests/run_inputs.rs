//! `run.json`'s `inputs` list every file the run read, with its size and SHA-256 (README:
//! "records every input file"): the layers, and also the neighbourhoods' CSV table, the
//! `[sites] candidates` and the `[[rasters]]`. The digests are checked against `sha256sum`.

mod common;

use common::*;

#[test]
fn every_file_read_is_in_run_json_with_size_and_digest() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/run_inputs");
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(&fixture).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let out = dir.path().join("out");
    run_quiet(&dir.path().join("study.toml"), &out);
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let inputs = run["inputs"].as_array().unwrap();
    for (file, role) in [
        ("nbh.geojson", "neighbourhoods"),
        ("kern.csv", "table: neighbourhoods"),
        ("homes.geojson", "homes"),
        ("play.geojson", "amenities: playground"),
        ("cand.geojson", "candidates"),
        ("canopy.tif", "raster: canopy"),
    ] {
        let path = dir.path().join(file);
        let listed: Vec<&serde_json::Value> = inputs
            .iter()
            .filter(|i| i["path"].as_str().unwrap().ends_with(file))
            .collect();
        assert_eq!(listed.len(), 1, "{file}: {inputs:?}");
        let i = listed[0];
        assert_eq!(i["role"], role, "{file}");
        assert_eq!(
            i["bytes"].as_u64(),
            Some(std::fs::metadata(&path).unwrap().len()),
            "{file}"
        );
        let sum = std::process::Command::new("sha256sum")
            .arg(&path)
            .output()
            .unwrap();
        let sum = String::from_utf8(sum.stdout).unwrap();
        assert_eq!(
            i["sha256"].as_str(),
            sum.split_whitespace().next(),
            "{file}"
        );
    }
    assert_eq!(inputs.len(), 6, "{inputs:?}");
    let candidates = inputs.iter().find(|i| i["role"] == "candidates").unwrap();
    assert_eq!(candidates["features"], 3);
}
