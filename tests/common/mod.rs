//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub mod browser;
pub mod geojson;
pub mod page;

/// The shared real data (`$KINDSCAPE_SHARED_DATA`, else `../shared/data` beside the repository).
///
/// `None` (with a message) when it is absent, unless `KINDSCAPE_REQUIRE_SHARED=1` (set by
/// `.ci/run`), which turns the skip into a failure so CI always runs these tests.
pub fn shared_data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KINDSCAPE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    if dir.join("harderwijk").is_dir() {
        return Some(dir);
    }
    if std::env::var("KINDSCAPE_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!(
            "KINDSCAPE_REQUIRE_SHARED=1 but the shared data is not at {}",
            dir.display()
        );
    }
    eprintln!(
        "skipped: the shared data is not at {} (set KINDSCAPE_SHARED_DATA)",
        dir.display()
    );
    None
}

/// Copies an example study into `dir`, pointing it at `data` and writing outputs to `dir/out`.
pub fn example_study(name: &str, data: &Path, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("output = ") {
            out.push_str("output = \"out\"\n");
        } else {
            out.push_str(&line.replace("../../shared/data", &data.display().to_string()));
            out.push('\n');
        }
    }
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    path
}

/// Writes the sample town into `dir/town`; returns that folder.
pub fn write_sample(dir: &Path) -> PathBuf {
    let town = dir.join("town");
    let status = kindscape().arg("sample").arg(&town).output().unwrap();
    assert!(status.status.success(), "{status:?}");
    town
}

/// Runs a study quietly into `out`, fails the test on an error, and returns stderr (warnings).
pub fn run_quiet(study: &Path, out: &Path) -> String {
    let o = kindscape()
        .arg("run")
        .arg(study)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{} failed: {stderr}", study.display());
    stderr
}

/// A CSV file as rows of column -> text.
pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

pub fn num(row: &HashMap<String, String>, col: &str) -> Option<f64> {
    let v = row.get(col).unwrap_or_else(|| panic!("no column {col}"));
    if v.is_empty() {
        None
    } else {
        Some(
            v.parse()
                .unwrap_or_else(|_| panic!("{col} = {v} is not a number")),
        )
    }
}

pub fn kindscape() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_kindscape"))
}

/// A rectangle as a multipolygon, corner `(x, y)`, width `w`, height `h`.
pub fn rectangle(x: f64, y: f64, w: f64, h: f64) -> geo::MultiPolygon {
    geo::MultiPolygon(vec![geo::Polygon::new(
        vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)].into(),
        vec![],
    )])
}

/// A scene built by hand, in RD New: one neighbourhood `area` holding every home, each home at
/// `(x, y)` with its children per band (home-major, `bands.len()` per home).
pub fn one_neighbourhood_scene(
    bands: &[&str],
    area: geo::MultiPolygon,
    homes: &[(f64, f64)],
    children: Vec<f64>,
    amenities: Vec<kindscape::scene::AmenityKind>,
) -> kindscape::scene::Scene {
    use geo::Area;
    use kindscape::scene::{Homes, Neighbourhood, Scene};
    assert_eq!(children.len(), homes.len() * bands.len());
    Scene {
        crs: kindscape::layers::crs::Crs::parse("EPSG:28992").unwrap(),
        bands: bands.iter().map(|b| b.to_string()).collect(),
        neighbourhoods: std::sync::Arc::new(vec![Neighbourhood {
            id: "A".into(),
            name: String::new(),
            population: None,
            children: vec![None; bands.len()],
            area_m2: area.unsigned_area(),
            geometry: area,
            kept: vec![],
            props: Default::default(),
        }]),
        homes: std::sync::Arc::new(Homes {
            ids: (0..homes.len()).map(|i| i.to_string()).collect(),
            coords: homes
                .iter()
                .map(|h| geo::Coord { x: h.0, y: h.1 })
                .collect(),
            neighbourhood: vec![Some(0); homes.len()],
            children,
            bands: bands.len(),
            estimated: vec![false; homes.len()],
        }),
        amenities,
        inputs: vec![],
        backdrop: Default::default(),
        off_limits: Default::default(),
    }
}

/// Every output compared byte for byte, after `renames` (cut name -> full name) are applied to
/// the second set. run.json, summary.md and report.html name the input files (path, name,
/// SHA-256), which differ by design: run.json is left out, and in the other two each input's
/// path, file name and hash become its file stem before comparing.
pub fn assert_same_outputs(reference: &Path, other: &Path, renames: &[(&str, &str)]) {
    assert_same_outputs_but(reference, other, renames, &[]);
}

/// As [`assert_same_outputs`]; in summary.md and report.html, lines holding any of `extra_inputs`
/// (inputs only the second run reads, such as a table) are left out too.
pub fn assert_same_outputs_but(
    reference: &Path,
    other: &Path,
    renames: &[(&str, &str)],
    extra_inputs: &[&str],
) {
    let mut names: Vec<_> = std::fs::read_dir(reference)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "run.json")
        .collect();
    names.sort();
    assert!(
        names.len() >= 6,
        "too few outputs in {}",
        reference.display()
    );
    let mut differ = Vec::new();
    for name in &names {
        let read = |dir: &Path| {
            std::fs::read(dir.join(name))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
        };
        let (mut want, mut got) = (read(reference), read(other));
        if name == "summary.md" || name == "report.html" {
            want = without_provenance(reference, want);
            got = without_lines(without_provenance(other, got), extra_inputs);
        }
        if !renames.is_empty() {
            let mut text = String::from_utf8(got).unwrap();
            for (cut, full) in renames {
                text = text.replace(cut, full);
            }
            got = text.into_bytes();
        }
        if want != got {
            let (w, g) = (
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got),
            );
            let first = w
                .lines()
                .zip(g.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("\n    - {a}\n    + {b}"))
                .unwrap_or_default();
            differ.push(format!("{name}{first}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} differ from {}: {}",
        other.display(),
        reference.display(),
        differ.join("\n")
    );
}

/// `text` with the study file's path and every input's path, file name, size and SHA-256 (from run.json) replaced by its
/// stem or a placeholder.
pub fn without_provenance(out: &Path, text: Vec<u8>) -> Vec<u8> {
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let mut text = String::from_utf8(text).unwrap();
    text = text.replace(run["study"]["file"].as_str().unwrap(), "study.toml");
    for input in run["inputs"].as_array().unwrap() {
        let path = Path::new(input["path"].as_str().unwrap());
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        text = text
            .replace(&path.display().to_string(), &stem)
            .replace(&file, &stem)
            .replace(input["sha256"].as_str().unwrap(), "sha256");
        // The report's provenance table gives each input's size, raw and with separators.
        let bytes = input["bytes"].as_u64().unwrap();
        let digits = bytes.to_string();
        let mut grouped = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(d);
        }
        text = text
            .replace(&format!("data-v=\"{bytes}\""), "data-v=\"size\"")
            .replace(&format!(">{grouped}<"), ">size<");
    }
    text.into_bytes()
}

/// `text` without the list items and table rows (`<li>...</li>`, `<tr>...</tr>`, in HTML) or
/// else the lines that hold any of `words`.
fn without_lines(text: Vec<u8>, words: &[&str]) -> Vec<u8> {
    let mut text = String::from_utf8(text).unwrap();
    for word in words {
        // The report's inline list of data sources names every input file, tables too.
        text = text.replace(&format!(", {word};"), ";");
        while let Some(at) = text.find(word) {
            let element = ["<tr", "<li"]
                .iter()
                .filter_map(|tag| text[..at].rfind(tag).map(|start| (start, *tag)))
                .max();
            let row = element.and_then(|(start, tag)| {
                let close = format!("</{}>", &tag[1..]);
                let end = at + text[at..].find(&close)? + close.len();
                (!text[start + 3..end].contains(tag)).then_some((start, end))
            });
            let (start, end) = row.unwrap_or_else(|| {
                let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
                (start, end)
            });
            text.replace_range(start..end, "");
        }
    }
    text.into_bytes()
}

/// A scene's distances in straight lines only (no network), as a run without `[network]` has
/// them: for the tests that call the decision stages directly.
pub fn straight_distances(
    study: &kindscape::study::Resolved,
    scene: &kindscape::scene::Scene,
) -> kindscape::reach::Distances {
    kindscape::reach::Distances {
        straight: kindscape::reach::straight_distances(scene),
        network: None,
        served: kindscape::reach::served_distances(&study.norms, scene, None).unwrap(),
        nearest: Vec::new(),
    }
}

/// splitmix64: a reproducible stream for the tests' random instances (the sample generator's
/// own is crate-private).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// In 0..n (with the small bias of a modulo, which the tests do not mind).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
