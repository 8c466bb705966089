//! The sample town and the synthetic benchmark cities: `kindscape sample DIR [--homes N]`.
//!
//! A new user needs a working example before their own data, and benchmarks need data of any
//! size that anyone can regenerate. [`write_sample`] writes a deterministic synthetic town (by
//! default 3000 homes in six neighbourhoods; up to millions of homes for benchmarks) as GeoJSON
//! layers, optionally the same content as an OpenStreetMap `.osm.pbf`, and a study file that runs
//! on them. The same seed always gives byte-identical files, on every platform.
//!
//! ```
//! use kindscape::sample::{write_sample, SampleOptions};
//! let dir = tempfile::tempdir()?;
//! let summary = write_sample(dir.path(), &SampleOptions::default())?;
//! assert_eq!((summary.homes, summary.neighbourhoods), (3000, 6));
//! println!("run: kindscape run {}", summary.study.display());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod city;
mod geojson_writer;
mod osm_pbf_writer;
mod rng;
mod study_file;

use std::path::{Path, PathBuf};

use geo::{Coord, Rect};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::layers::crs::{Crs, Transformer};
use city::{City, Footprint};
use geojson_writer::{GeoJsonWriter, Shape};

/// Homes in the sample town.
pub const TOWN_HOMES: usize = 3000;
/// The largest town [`write_sample`] makes: ten times the Netherlands' 8 M homes.
pub const MAX_HOMES: usize = 100_000_000;
/// The seed of the committed sample town.
pub const TOWN_SEED: u64 = 42;
/// The study file written next to the layers.
pub const STUDY_FILE: &str = "sample-town.toml";
/// The study file that reads the network and amenities from the .osm.pbf instead.
pub const OSM_STUDY_FILE: &str = "sample-town-osm.toml";
/// The OpenStreetMap extract of the town.
pub const OSM_FILE: &str = "town.osm.pbf";

/// The legacy GeoJSON `crs` member value for RD New, as Dutch open data writes it.
const RD_URN: &str = "urn:ogc:def:crs:EPSG::28992";
/// 0.01 m in RD New; 1e-7 degree (about 1 cm) in WGS84.
const RD_DECIMALS: usize = 2;
const WGS84_DECIMALS: usize = 7;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    /// Number of homes, exactly (default [`TOWN_HOMES`]). The town grows with it: blocks of
    /// about 26 homes, neighbourhoods of about 5000 residents (at least 6), one playground per
    /// about 150 children, one library per 20k and one community centre per 10k residents.
    pub homes: usize,
    /// Seed of the pseudo-random layout (default [`TOWN_SEED`]).
    pub seed: u64,
    /// Also write [`OSM_FILE`] and [`OSM_STUDY_FILE`].
    pub osm_pbf: bool,
    /// The study file's `[study] output`, relative to the study file (default `"out"`).
    pub output: Option<String>,
    /// Replace files of the sample's names even in a folder that does not hold a sample.
    pub force: bool,
    /// Cut the streets into pieces of at most this many metres (vertices added along each
    /// line, in `walk.geojson` and the .osm.pbf alike): a network as dense as an OpenStreetMap
    /// extract, for benchmarks. `None`: one segment per street (two at a bend).
    pub street_piece_m: Option<u32>,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            homes: TOWN_HOMES,
            seed: TOWN_SEED,
            osm_pbf: false,
            output: None,
            force: false,
            street_piece_m: None,
        }
    }
}

/// What was written.
#[derive(Debug, Clone)]
pub struct SampleSummary {
    /// The study file (GeoJSON layers).
    pub study: PathBuf,
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
    pub neighbourhoods: usize,
    pub homes: usize,
    pub inhabitants: u64,
    /// Children aged 0-17.
    pub children: u64,
    /// Playgrounds, points and polygons together.
    pub playgrounds: usize,
    /// Of which mapped as polygons.
    pub playground_polygons: usize,
    pub green_spaces: usize,
    pub libraries: usize,
    pub community_centres: usize,
    /// Edges of `walk.geojson` (split at every intersection).
    pub network_edges: usize,
    /// Distinct end points of the network's edges (intersections, dead ends, crossing ends).
    pub network_nodes: usize,
    /// Marked crossings over barrier roads.
    pub crossings: usize,
    /// The town's extent in RD New (EPSG:28992) metres.
    pub extent: Rect,
}

/// Writes the sample town (or a synthetic city of `opts.homes` homes) into `dir`, which is
/// created if needed: `neighbourhoods.geojson`, `homes.geojson`, `playgrounds.geojson`,
/// `green_spaces.geojson` (WGS84), `libraries.geojson`, `community_centres.geojson`,
/// `walk.geojson`, the study file [`STUDY_FILE`], and with `osm_pbf` also [`OSM_FILE`] and
/// [`OSM_STUDY_FILE`]. Existing files of those names are replaced only in a folder that holds
/// an earlier sample (its study file says so), or with `force`: a user's own `homes.geojson` is
/// never written over by accident.
pub fn write_sample(dir: &Path, opts: &SampleOptions) -> Result<SampleSummary> {
    if opts.homes == 0 {
        return Err(Error::Other(
            "a sample town needs at least 1 home (--homes)".into(),
        ));
    }
    if opts.homes > MAX_HOMES {
        return Err(Error::Other(format!(
            "--homes {}: at most {MAX_HOMES} homes (ten times the Netherlands' 8 M)",
            opts.homes
        )));
    }
    crate::memory::check_fits(
        &format!("a town of {} homes", opts.homes),
        (opts.homes as u64).saturating_mul(MEMORY_PER_SAMPLE_HOME),
    )
    .map_err(|m| Error::Other(format!("--homes {}: {m}", opts.homes)))?;
    if opts.street_piece_m == Some(0) {
        return Err(Error::Other(
            "--street-pieces 0: a street piece must be at least 1 m long".into(),
        ));
    }
    check_disk(dir, opts)?;
    if !opts.force {
        refuse_foreign_files(dir)?;
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(dir, format!("cannot create the folder: {e}")))?;
    let mut city = City::generate(opts.homes as u64, opts.seed);
    if let Some(piece) = opts.street_piece_m {
        city.cut_streets(f64::from(piece));
    }
    let to_wgs84 = Crs::from_epsg(28992)
        .map_err(Error::Other)?
        .to(&Crs::wgs84());
    let mut files = Vec::new();

    let path = dir.join("neighbourhoods.geojson");
    write_neighbourhoods(&city, &path)?;
    files.push(path);
    let path = dir.join("homes.geojson");
    write_homes(&city, &path)?;
    files.push(path);
    let path = dir.join("playgrounds.geojson");
    write_amenities(
        &city,
        &city.playgrounds,
        &path,
        ("leisure", "playground"),
        None,
    )?;
    files.push(path);
    let path = dir.join("green_spaces.geojson");
    write_amenities(
        &city,
        &city.parks,
        &path,
        ("leisure", "park"),
        Some(&to_wgs84),
    )?;
    files.push(path);
    let path = dir.join("libraries.geojson");
    write_amenities(&city, &city.libraries, &path, ("amenity", "library"), None)?;
    files.push(path);
    let path = dir.join("community_centres.geojson");
    write_amenities(
        &city,
        &city.community_centres,
        &path,
        ("amenity", "community_centre"),
        None,
    )?;
    files.push(path);
    let path = dir.join("walk.geojson");
    write_network(&city, &path)?;
    files.push(path);

    let name = if opts.homes == TOWN_HOMES {
        "Sample Town".to_string()
    } else {
        format!("Synthetic City ({} homes)", opts.homes)
    };
    let output = opts.output.clone().unwrap_or_else(|| "out".to_string());
    let mut text = study_file::StudyText {
        name: &name,
        homes: opts.homes as u64,
        seed: opts.seed,
        output: &output,
        osm: None,
    };
    let study = dir.join(STUDY_FILE);
    write_text(&study, &study_file::study_toml(&text))?;
    files.push(study.clone());
    if opts.osm_pbf {
        let path = dir.join(OSM_FILE);
        osm_pbf_writer::write_city(&city, &path, &to_wgs84)?;
        files.push(path);
        text.osm = Some(OSM_FILE);
        let path = dir.join(OSM_STUDY_FILE);
        write_text(&path, &study_file::study_toml(&text))?;
        files.push(path);
    }

    let (min, max) = city.extent();
    let mut endpoints: Vec<u32> = city
        .edges
        .iter()
        .flat_map(|e| [e.nodes[0], e.nodes[e.nodes.len() - 1]])
        .collect();
    endpoints.sort_unstable();
    endpoints.dedup();
    Ok(SampleSummary {
        study,
        files,
        neighbourhoods: city.neighbourhoods.len(),
        homes: opts.homes,
        inhabitants: city.inhabitants(),
        children: city.children(),
        playgrounds: city.playgrounds.len(),
        playground_polygons: city
            .playgrounds
            .iter()
            .filter(|p| matches!(p.footprint, Footprint::Polygon(_)))
            .count(),
        green_spaces: city.parks.len(),
        libraries: city.libraries.len(),
        community_centres: city.community_centres.len(),
        network_edges: city.edges.len(),
        network_nodes: endpoints.len(),
        crossings: city.crossings.len(),
        extent: Rect::new(min, max),
    })
}

/// Memory per home while a synthetic town is made and written: the layers are streamed, and
/// `sample --homes 2000000` peaks at 24 MB (`/usr/bin/time -f %M`), about 8 bytes per home.
const MEMORY_PER_SAMPLE_HOME: u64 = 16;
/// Disk per home of the GeoJSON layers: 2 M homes take 304 MB (`du -sh`), about 152 bytes.
const DISK_PER_SAMPLE_HOME: u64 = 160;

/// Refuses a town whose layers would not fit on the disk that holds `dir`.
fn check_disk(dir: &Path, opts: &SampleOptions) -> Result<()> {
    let Some(free) = free_disk(dir) else {
        return Ok(());
    };
    let needed = (opts.homes as u64).saturating_mul(DISK_PER_SAMPLE_HOME);
    if needed <= free {
        return Ok(());
    }
    Err(Error::io(
        dir,
        format!(
            "--homes {}: the layers would take about {} of disk, more than the {} free there",
            opts.homes,
            crate::memory::human_bytes(needed),
            crate::memory::human_bytes(free)
        ),
    ))
}

/// Bytes free for this user on the filesystem of `path` (or of its nearest existing parent).
#[cfg(unix)]
fn free_disk(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let existing = path.ancestors().find(|p| p.exists())?;
    let existing = if existing.as_os_str().is_empty() {
        Path::new(".")
    } else {
        existing
    };
    let c = std::ffi::CString::new(existing.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs writes into the zeroed struct it is given; the path is NUL-terminated.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

#[cfg(not(unix))]
fn free_disk(_: &Path) -> Option<u64> {
    None
}

/// Every file name [`write_sample`] may write.
const SAMPLE_FILES: &[&str] = &[
    "neighbourhoods.geojson",
    "homes.geojson",
    "playgrounds.geojson",
    "green_spaces.geojson",
    "libraries.geojson",
    "community_centres.geojson",
    "walk.geojson",
    STUDY_FILE,
    OSM_FILE,
    OSM_STUDY_FILE,
];

/// Refuses a folder where the sample would replace files that are not an earlier sample's.
fn refuse_foreign_files(dir: &Path) -> Result<()> {
    let earlier_sample = std::fs::read_to_string(dir.join(STUDY_FILE)).is_ok_and(|t| {
        t.lines()
            .next()
            .is_some_and(|l| l.contains("made by `kindscape sample`"))
    });
    if earlier_sample {
        return Ok(());
    }
    let taken: Vec<&str> = SAMPLE_FILES
        .iter()
        .copied()
        .filter(|n| dir.join(n).symlink_metadata().is_ok())
        .collect();
    if taken.is_empty() {
        return Ok(());
    }
    Err(Error::io(
        dir,
        format!(
            "already holds {}, which is not an earlier sample (no {STUDY_FILE} made by `kindscape sample`); choose an empty or new folder, or pass --force to replace {}",
            taken.join(", "),
            if taken.len() == 1 { "it" } else { "them" }
        ),
    ))
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io(path, format!("cannot write: {e}")))
}

#[derive(Serialize)]
struct NeighbourhoodProps<'a> {
    code: &'a str,
    name: &'a str,
    inhabitants: u64,
    age_0_5: u64,
    age_6_11: u64,
    age_12_17: u64,
    mean_income: f64,
    low_income_share: f64,
}

fn write_neighbourhoods(city: &City, path: &Path) -> Result<()> {
    let mut w = GeoJsonWriter::create(path, Some(RD_URN), RD_DECIMALS)?;
    for (k, n) in city.neighbourhoods.iter().enumerate() {
        let ring = city.neighbourhood_ring(k);
        let props = NeighbourhoodProps {
            code: &n.code,
            name: &n.name,
            inhabitants: n.inhabitants,
            age_0_5: n.children[0],
            age_6_11: n.children[1],
            age_12_17: n.children[2],
            mean_income: n.mean_income,
            low_income_share: n.low_income_share,
        };
        w.feature(Shape::Polygon(&ring), &props)?;
    }
    w.finish().map(|_| ())
}

#[derive(Serialize)]
struct HomeProps<'a> {
    home_id: &'a str,
    /// The code of the neighbourhood the home lies in, as address registers carry it.
    neighbourhood: &'a str,
}

fn write_homes(city: &City, path: &Path) -> Result<()> {
    let mut w = GeoJsonWriter::create(path, Some(RD_URN), RD_DECIMALS)?;
    let mut buf = Vec::new();
    for (cell_index, cell) in city.cells.iter().enumerate() {
        city.homes_in_cell(cell_index, &mut buf);
        let neighbourhood = &city.neighbourhoods[cell.neighbourhood as usize].code;
        for (n, &p) in buf.iter().enumerate() {
            let id = city.home_id(cell.first_home + n as u64);
            w.feature(
                Shape::Point(p),
                &HomeProps {
                    home_id: &id,
                    neighbourhood,
                },
            )?;
        }
    }
    w.finish().map(|_| ())
}

/// Writes amenities in RD New, or in WGS84 when `to_wgs84` is given, with their OSM tag as an
/// attribute (`leisure`: `playground`, ...).
fn write_amenities(
    city: &City,
    amenities: &[city::Amenity],
    path: &Path,
    tag: (&str, &str),
    to_wgs84: Option<&Transformer>,
) -> Result<()> {
    let mut w = match to_wgs84 {
        Some(_) => GeoJsonWriter::create(path, None, WGS84_DECIMALS)?,
        None => GeoJsonWriter::create(path, Some(RD_URN), RD_DECIMALS)?,
    };
    let project = |c: Coord| -> Result<Coord> {
        match to_wgs84 {
            Some(t) => t.coord(c).map_err(|m| Error::io(path, m)),
            None => Ok(c),
        }
    };
    for a in amenities {
        let mut props = serde_json::Map::new();
        props.insert("id".into(), a.id.clone().into());
        props.insert("name".into(), a.name.clone().into());
        props.insert(tag.0.into(), tag.1.into());
        props.insert(
            "neighbourhood".into(),
            city.neighbourhoods[a.neighbourhood as usize]
                .code
                .clone()
                .into(),
        );
        match &a.footprint {
            Footprint::Point(c) => w.feature(Shape::Point(project(*c)?), &props)?,
            Footprint::Polygon(ring) => {
                let ring = ring
                    .iter()
                    .map(|&c| project(c))
                    .collect::<Result<Vec<_>>>()?;
                w.feature(Shape::Polygon(&ring), &props)?
            }
        }
    }
    w.finish().map(|_| ())
}

#[derive(Serialize)]
struct EdgeProps {
    highway: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    footway: Option<&'static str>,
}

fn write_network(city: &City, path: &Path) -> Result<()> {
    let mut w = GeoJsonWriter::create(path, Some(RD_URN), RD_DECIMALS)?;
    let mut line = Vec::new();
    for e in &city.edges {
        line.clear();
        line.extend(e.nodes.iter().map(|&n| city.nodes[n as usize]));
        let props = EdgeProps {
            highway: e.highway.as_str(),
            footway: e.crossing.then_some("crossing"),
        };
        w.feature(Shape::LineString(&line), &props)?;
    }
    w.finish().map(|_| ())
}
