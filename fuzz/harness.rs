//! What each fuzz target runs, shared with `tests/fuzz_regressions.rs` so that the committed
//! reproducers replay exactly the code the fuzzer exercised, on stable Rust and without
//! libFuzzer.
//!
//! Each function panics when the code under test breaks a promise (a panic inside it, or an error
//! that does not name the file); otherwise it returns the error message, if any.

#![allow(dead_code)]

use std::path::Path;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use kindscape::layers::crs::Crs;
use kindscape::layers::raster::{cells_as_points, Raster};
use kindscape::layers::{CrsSource, Feature, Layer};
use kindscape::scene::polygons::{shape, Cleaning};

/// The path the study target pretends its text came from.
pub const STUDY_PATH: &str = "fuzz.toml";
/// The path the geojson target pretends its bytes came from.
pub const GEOJSON_PATH: &str = "fuzz.geojson";

fn must_name(err: impl std::fmt::Display, path: &str) -> String {
    let msg = err.to_string();
    assert!(
        msg.contains(path),
        "error does not name the file {path}: {msg}"
    );
    msg
}

/// Parses `text` as a study file and resolves it (every setting checked, every default filled).
pub fn study(text: &str) -> Option<String> {
    match kindscape::study::Resolved::parse(text, Path::new(STUDY_PATH)) {
        Ok(_) => None,
        Err(e) => Some(must_name(e, STUDY_PATH)),
    }
}

/// Loads `bytes` as a GeoJSON layer, moves it into EPSG:28992 and cleans every geometry the
/// way the scene does.
pub fn geojson(bytes: &[u8]) -> Option<String> {
    let mut layer = match kindscape::layers::geojson::parse(bytes, Path::new(GEOJSON_PATH), None) {
        Ok(l) => l,
        Err(e) => return Some(must_name(e, GEOJSON_PATH)),
    };
    clean_in_rd(&mut layer, GEOJSON_PATH)
}

fn rd() -> Crs {
    Crs::from_epsg(28992).expect("EPSG:28992 is built in")
}

/// What the scene does with a loaded layer: move it into the working CRS and clean every
/// geometry (repairing invalid polygons).
fn clean_in_rd(layer: &mut Layer, path: &str) -> Option<String> {
    if let Err(e) = layer.reproject(&rd()) {
        return Some(must_name(e, path));
    }
    let mut cleaning = Cleaning::default();
    for g in layer.features.iter().filter_map(|f| f.geometry.as_ref()) {
        let _ = shape(g, &mut cleaning);
    }
    None
}

/// A file holding `bytes`, removed when dropped: the OSM and raster readers take a path. The
/// name is unique per process and call, so tests running in parallel do not share one.
struct TempFile(PathBuf);

impl TempFile {
    fn new(bytes: &[u8], extension: &str) -> TempFile {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "kindscape-fuzz-{}-{n}.{extension}",
            std::process::id()
        ));
        std::fs::write(&path, bytes).expect("the temporary folder is writable");
        TempFile(path)
    }

    fn name(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        // A read-only SQLite connection to a file in WAL mode leaves its -wal and -shm behind.
        for suffix in ["-wal", "-shm"] {
            let mut sidecar = self.0.clone().into_os_string();
            sidecar.push(suffix);
            let _ = std::fs::remove_file(sidecar);
        }
    }
}

/// The tags the OSM target asks for: a key=value, a key=* and the multipolygon relations the
/// seeds hold.
pub const OSM_TAGS: [&str; 3] = ["leisure=playground", "leisure=park", "amenity=*"];

/// Reads `bytes` as an .osm.pbf twice, as the run does: amenities by tag (then moved into
/// EPSG:28992 and cleaned) and the walkable ways.
pub fn osm_pbf(bytes: &[u8]) -> Option<String> {
    let file = TempFile::new(bytes, "osm.pbf");
    let path = file.name();
    let tags: Vec<String> = OSM_TAGS.iter().map(|t| t.to_string()).collect();
    let mut errors = Vec::new();
    match kindscape::layers::osm::read_amenities(&file.0, &tags) {
        Ok(mut amenities) => errors.extend(clean_in_rd(&mut amenities.layer, &path)),
        Err(e) => errors.push(must_name(e, &path)),
    }
    match kindscape::layers::osm::read_walk_ways(&file.0) {
        Ok(walk) => {
            let n = walk.node_ids.len();
            assert!(walk.node_coords.len() == n && walk.node_crossing.len() == n);
            for w in &walk.ways {
                assert!(w.nodes.len() >= 2 && w.nodes.iter().all(|&i| (i as usize) < n));
            }
        }
        Err(e) => errors.push(must_name(e, &path)),
    }
    (!errors.is_empty()).then(|| errors.join("\n"))
}

/// Reads band 1 of `bytes` as a GeoTIFF and, when it declares a CRS kindscape knows, turns its
/// cells into points in EPSG:28992 (homes from a population grid).
pub fn geotiff(bytes: &[u8]) -> Option<String> {
    let file = TempFile::new(bytes, "tif");
    let path = file.name();
    let raster = match Raster::read_geotiff(&file.0, 1) {
        Ok(r) => r,
        Err(e) => return Some(must_name(e, &path)),
    };
    assert_eq!(raster.data.len(), raster.width * raster.height);
    let crs = match raster.require_crs(None) {
        Ok(c) => c,
        Err(e) => return Some(must_name(e, &path)),
    };
    cells_as_points(&raster, &crs.to(&rd()))
        .err()
        .map(|e| must_name(e, &path))
}

/// The OSM and GeoTIFF readers guard the crates they use with `catch_unwind` and turn their
/// panics into an error naming the file; polygon cleaning (`shape`) guards geo's validity check
/// and repair the same way, counting a polygon geo panics on as unrepairable. libFuzzer's panic
/// hook aborts on every panic, caught or not, so their targets and those of the vector layers
/// (whose polygons are cleaned) put the default hook back: a panic that escapes still aborts
/// (libfuzzer-sys catches it around the target), and caught ones are only printed to the log,
/// where `grep -c panicked` counts them.
pub fn keep_caught_panics_alive() {
    static DEFAULT_HOOK: std::sync::Once = std::sync::Once::new();
    DEFAULT_HOOK.call_once(|| {
        let _ = std::panic::take_hook();
    });
}

/// The path the gpkg_wkb target pretends its blob came from.
pub const GPKG_BLOB_PATH: &str = "fuzz.gpkg";

/// Decodes `bytes` as one GeoPackage geometry blob (header, then WKB), checks its coordinates as
/// the GeoPackage reader checks every feature it decodes (finite, plausible in EPSG:28992), and
/// cleans the geometry the way the scene does.
pub fn gpkg_wkb(bytes: &[u8]) -> Option<String> {
    let geometry = match kindscape::layers::gpkg::geometry(bytes) {
        Ok(g) => g,
        // The blob decoder has no file: its message is checked for being non-empty instead.
        Err(e) => {
            assert!(!e.is_empty());
            return Some(e);
        }
    };
    // What `read_in_chunks` does with each chunk before handing it on: a geometry the layer
    // check refuses never reaches `shape`.
    let layer = Layer {
        path: PathBuf::from(GPKG_BLOB_PATH),
        crs: rd(),
        crs_source: CrsSource::File,
        features: vec![Feature {
            index: 0,
            geometry,
            props: Default::default(),
            id: None,
        }],
        columns: Default::default(),
    };
    if let Err(e) = layer.check_each_coordinate() {
        return Some(must_name(e, GPKG_BLOB_PATH));
    }
    let mut cleaning = Cleaning::default();
    if let Some(g) = &layer.features[0].geometry {
        let _ = shape(g, &mut cleaning);
    }
    None
}

/// Reads `bytes` written to a temporary `.gpkg` as a layer (the only one, no `layer` key), moves
/// it into EPSG:28992 and cleans it.
pub fn gpkg(bytes: &[u8]) -> Option<String> {
    let file = TempFile::new(bytes, "gpkg");
    let path = file.name();
    let source = kindscape::layers::format::VectorSource::new(&file.0, None, None);
    match kindscape::layers::format::read(source) {
        Ok(mut layer) => clean_in_rd(&mut layer, &path),
        Err(e) => Some(must_name(e, &path)),
    }
}

/// Splits the input into a Shapefile's `.shp` and `.dbf` (the first 4 bytes, little-endian,
/// give the `.shp` part's length), writes them beside an RD New `.prj` and a UTF-8 `.cpg`, and
/// reads the layer, moved into EPSG:28992 and cleaned.
pub fn shapefile(bytes: &[u8]) -> Option<String> {
    let (shp, dbf) = split_shapefile(bytes);
    let file = TempFile::new(shp, "shp");
    let path = file.name();
    let sidecars = [
        (file.0.with_extension("dbf"), dbf.to_vec()),
        (
            file.0.with_extension("prj"),
            b"PROJCS[\"RD_New\",GEOGCS[\"GCS_Amersfoort\"]]".to_vec(),
        ),
        (file.0.with_extension("cpg"), b"UTF-8".to_vec()),
    ];
    for (p, b) in &sidecars {
        std::fs::write(p, b).expect("the temporary folder is writable");
    }
    let source = kindscape::layers::format::VectorSource::new(&file.0, None, None);
    let outcome = match kindscape::layers::format::read(source) {
        Ok(mut layer) => clean_in_rd(&mut layer, &path),
        Err(e) => {
            // Errors about the .dbf name the .dbf, which shares the .shp's stem.
            let stem = path.trim_end_matches(".shp");
            Some(must_name(e, stem))
        }
    };
    for (p, _) in &sidecars {
        let _ = std::fs::remove_file(p);
    }
    outcome
}

/// The `.shp` and `.dbf` parts of a shapefile target input.
pub fn split_shapefile(bytes: &[u8]) -> (&[u8], &[u8]) {
    if bytes.len() < 4 {
        return (bytes, &[]);
    }
    let n = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let rest = &bytes[4..];
    rest.split_at(n.min(rest.len()))
}
