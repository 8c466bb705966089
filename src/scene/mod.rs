//! The scene: homes with children per age band, amenities per kind and neighbourhoods, all in
//! the working CRS. Built once from the study's layers; every later stage reads it.

mod amenities;
pub mod backdrop;
mod children;
mod homes;
mod ids;
mod locate;
mod neighbourhoods;
pub mod off_limits;
mod outliers;
pub mod polygons;
pub mod scenarios;
mod working_crs;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use geo::Rect;
use rayon::prelude::*;

use crate::error::{Error, Result, Warnings};
use crate::layers::crs::Crs;
use crate::layers::walk::WalkWays;
use crate::layers::{self, Layer};
use crate::study::Resolved;
use crate::study::Walkable;

pub use amenities::{Amenity, AmenityGeometry, AmenityKind, ServedBands};
pub use backdrop::Backdrop;
pub use homes::{feature_homes, Homes};
pub use ids::{BandId, HomeId, Ids, KindId};
pub use locate::assign_neighbourhoods;
pub use neighbourhoods::Neighbourhood;
pub use off_limits::OffLimits;

/// Everything the measures need, in the working CRS.
pub struct Scene {
    pub crs: Crs,
    /// Children bands, in study order.
    pub bands: Vec<String>,
    /// Shared with the scenarios' scenes (see [`scenarios::ScenarioDelta::apply`]).
    pub neighbourhoods: Arc<Vec<Neighbourhood>>,
    pub homes: Arc<Homes>,
    /// One entry per amenity kind, in study order.
    pub amenities: Vec<AmenityKind>,
    /// Every file read, for provenance.
    pub inputs: Vec<InputFile>,
    /// Streets, water and green for the report's maps.
    pub backdrop: Backdrop,
    /// Where a generated site cannot go (read only when the study generates sites).
    pub off_limits: OffLimits,
}

/// A file the run read: path, size and SHA-256, so a result can be traced to its data.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InputFile {
    pub role: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
    pub crs: String,
    pub features: usize,
}

impl Scene {
    pub fn kind(&self, kind: &str) -> Option<&AmenityKind> {
        self.amenities.iter().find(|k| k.kind == kind)
    }

    /// The bounding box of the neighbourhoods (working CRS).
    pub fn extent(&self) -> Option<Rect> {
        use geo::BoundingRect;
        layers::union_rect(
            self.neighbourhoods
                .iter()
                .filter_map(|n| n.geometry.bounding_rect()),
        )
    }
}

/// Reads a vector layer by its file type; `layer` picks a layer of a GeoPackage.
pub fn read_vector(path: &Path, crs: Option<&str>, layer: Option<&str>) -> Result<Layer> {
    let name = path.to_string_lossy().to_lowercase();
    if name.ends_with(".pbf") || name.ends_with(".osm") {
        return Err(Error::layer(
            path,
            "this is OpenStreetMap data: give it as `osm = \"...\"` with `tags = [...]`, not as `path`",
        ));
    }
    if name.ends_with(".tif") || name.ends_with(".tiff") {
        return Err(Error::layer(
            path,
            "a raster cannot be used here; this layer must be GeoJSON, GeoPackage or Shapefile",
        ));
    }
    layers::format::read(layers::format::VectorSource::new(path, crs, layer))
}

/// Hashes a file for provenance.
pub fn describe_input(role: &str, path: &Path, crs: &str, features: usize) -> Result<InputFile> {
    Ok(input_file(role, path, crs, features, file_digest(path)?))
}

/// The size and SHA-256 of a file, read as a stream: a homes file of a country is over a
/// gigabyte.
pub(crate) fn file_digest(path: &Path) -> Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

pub(crate) fn input_file(
    role: &str,
    path: &Path,
    crs: &str,
    features: usize,
    (bytes, sha256): (u64, String),
) -> InputFile {
    InputFile {
        role: role.to_string(),
        path: path.to_path_buf(),
        bytes,
        sha256,
        crs: crs.to_string(),
        features,
    }
}

/// One layer to load.
enum Source {
    /// A path, its `crs` key and its `layer` key.
    Vector(PathBuf, Option<String>, Option<String>),
    Osm(PathBuf, Vec<String>),
    /// The administrative boundaries of one `admin_level` of an .osm.pbf (neighbourhoods).
    OsmBoundaries(PathBuf, u8),
    /// A population grid: one point per non-empty cell at its centre, with the cell value.
    Raster {
        path: PathBuf,
        band: u32,
        crs: Option<String>,
        field: String,
    },
}

/// Whether a path names a raster.
pub fn is_raster(path: &Path) -> bool {
    let name = path.to_string_lossy().to_lowercase();
    name.ends_with(".tif")
        || name.ends_with(".tiff")
        || name.ends_with(".vrt")
        || name.ends_with(".asc")
}

fn homes_source(study: &Resolved) -> Source {
    let h = &study.layers.homes;
    let path = match (&h.path, &h.osm) {
        (None, Some(osm)) => return Source::Osm(study.input_path(osm), h.tags.clone()),
        (Some(p), _) => study.input_path(p),
        (None, None) => unreachable!("validated by Resolved::new"),
    };
    if is_raster(&path) {
        Source::Raster {
            path,
            band: h.band.unwrap_or(1),
            crs: h.crs.clone(),
            field: raster_homes_field(study),
        }
    } else {
        Source::Vector(path, h.crs.clone(), h.layer.clone())
    }
}

/// The attribute a raster cell's value is given as a home: the `[homes] children` field when
/// it is one field, else "children".
pub(crate) fn raster_homes_field(study: &Resolved) -> String {
    match &study.layers.homes.children {
        Some(crate::study::ChildrenSpec::One(f)) => f.clone(),
        _ => "children".into(),
    }
}

/// A population raster as a layer of points (in the raster's CRS), one per cell that is not
/// empty: positive counts, and negative ones (suppressed sentinels, estimated later).
fn raster_points(path: &Path, band: u32, crs: Option<&str>, field: &str) -> Result<Layer> {
    let r = layers::raster::Raster::read(path, band)?;
    let crs = r.require_crs(crs)?;
    let identity = crs.to(&crs);
    // Every non-empty cell becomes a home: refuse a grid whose homes do not fit before they are
    // made (a small compressed file may hold millions of populated cells).
    let keep = |v: f64| v != 0.0;
    let homes = r.data.iter().filter(|&&v| r.is_valid(v) && keep(v)).count();
    crate::memory::check_homes(homes).map_err(|m| Error::layer(path, format!("as homes: {m}")))?;
    let cells = layers::raster::cells_where(&r, &identity, keep)?;
    let features = cells
        .into_iter()
        .enumerate()
        .map(|(i, (c, v))| {
            let mut props = layers::Properties::new();
            props.insert(field.to_string(), serde_json::json!(v));
            layers::Feature {
                index: i,
                geometry: Some(geo::Geometry::Point(geo::Point(c))),
                props,
                id: None,
            }
        })
        .collect();
    Ok(Layer {
        path: path.to_path_buf(),
        crs,
        crs_source: layers::CrsSource::File,
        features,
        columns: Default::default(),
    })
}

fn load(source: &Source, warnings: &Warnings) -> Result<Layer> {
    match source {
        Source::Vector(path, crs, layer) => read_vector(path, crs.as_deref(), layer.as_deref()),
        Source::Raster {
            path,
            band,
            crs,
            field,
        } => raster_points(path, *band, crs.as_deref(), field),
        Source::Osm(path, tags) => {
            let osm = layers::osm::read_amenities(path, tags)?;
            if osm.incomplete > 0 {
                warnings.push(format!(
                    "{}: {} feature(s) tagged {} are cut at the extract's edge (or their rings do not close) and were skipped",
                    path.display(),
                    osm.incomplete,
                    tags.join(" / ")
                ));
            }
            if osm.layer.features.is_empty() {
                warnings.push(format!(
                    "{}: no feature is tagged {}",
                    path.display(),
                    tags.join(" / ")
                ));
            }
            Ok(osm.layer)
        }
        Source::OsmBoundaries(path, level) => {
            let mut layer = load(
                &Source::Osm(path.clone(), vec![format!("admin_level={level}")]),
                warnings,
            )?;
            // Nodes and other boundaries carry admin_level too (an admin centre, a postal code).
            layer.features.retain(|f| {
                f.props.get("boundary").and_then(|b| b.as_str()) == Some("administrative")
                    && matches!(
                        f.geometry,
                        Some(geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_))
                    )
            });
            for (i, f) in layer.features.iter_mut().enumerate() {
                f.index = i;
                if !f.props.contains_key("ref") {
                    let id = f.props.get("osm_id").cloned().unwrap_or_default();
                    f.props
                        .insert("ref".into(), serde_json::Value::String(id.to_string()));
                }
            }
            if layer.features.is_empty() {
                return Err(Error::layer(
                    path,
                    format!("[neighbourhoods] osm: no complete administrative boundary at admin_level = {level}; check the level (10 is a city district in most countries) and that the extract holds the whole area"),
                ));
            }
            Ok(layer)
        }
    }
}

/// What loading gives: the scene, the walkable ways of `[network]` and the scenarios' changes.
pub struct Loaded {
    pub scene: Scene,
    pub walk: Option<WalkWays>,
    /// One per `[[scenarios]]` entry, in order.
    pub scenarios: Vec<scenarios::ScenarioDelta>,
}

/// Loads every layer of the study, picks the working CRS, reprojects and builds the scene; with
/// the walkable ways of `[network]`, read and in the working CRS (the graph is built in
/// [`crate::reach::network`], a later stage), and the layers the scenarios add, read once here.
pub fn build(study: &Resolved, warnings: &Warnings) -> Result<Loaded> {
    let f = &study.layers;
    // GeoJSON homes are read last and in chunks (see `homes::load`); other sources whole.
    let homes_source = homes_source(study);
    let streamed_homes = match &homes_source {
        Source::Vector(path, crs, layer) => Some((path.clone(), crs.clone(), layer.clone())),
        _ => None,
    };
    // Load the layers in parallel: they are independent files.
    let neighbourhoods_source = match (&f.neighbourhoods.osm, f.neighbourhoods.admin_level) {
        (Some(osm), Some(level)) => Source::OsmBoundaries(study.input_path(osm), level),
        _ => Source::Vector(
            study.input_path(&f.neighbourhoods.path),
            f.neighbourhoods.crs.clone(),
            f.neighbourhoods.layer.clone(),
        ),
    };
    let mut jobs: Vec<(String, Source)> = vec![("neighbourhoods".into(), neighbourhoods_source)];
    if streamed_homes.is_none() {
        jobs.push(("homes".into(), homes_source));
    }
    for a in &f.amenities {
        let source = amenity_source(study, a);
        jobs.push((format!("amenities: {}", a.kind), source));
    }
    let amenity_jobs = f.amenities.len();
    for sc in &study.scenarios {
        for (a, _) in &sc.add {
            jobs.push((
                format!("scenario: \"{}\" ({})", sc.name, a.kind),
                amenity_source(study, a),
            ));
        }
    }
    let loaded: Vec<Result<Layer>> = jobs.par_iter().map(|(_, s)| load(s, warnings)).collect();
    let mut layers: Vec<(String, Layer)> = Vec::with_capacity(loaded.len());
    for ((role, _), l) in jobs.into_iter().zip(loaded) {
        let l = match role.strip_prefix("scenario: ") {
            Some(what) => l.map_err(|e| e.within(&format!("[[scenarios]] {what} add")))?,
            None => l?,
        };
        layers.push((role, l));
    }

    let crs = working_crs::working_crs(study, &layers[0].1, warnings)?;
    let mut inputs = Vec::new();
    let described: Vec<Result<InputFile>> = layers
        .par_iter()
        .map(|(role, l)| describe_input(role, &l.path, &l.crs.to_string(), l.features.len()))
        .collect();
    for d in described {
        inputs.push(d?);
    }
    let reprojected: Vec<Result<()>> = layers
        .par_iter_mut()
        .map(|(_, l)| l.reproject(&crs))
        .collect();
    for r in reprojected {
        r?;
    }
    let mut it = layers.into_iter();
    let (_, mut nb_layer) = it
        .next()
        .expect("neighbourhoods layer is always loaded first");
    neighbourhoods::add_attributes(study, &mut nb_layer, warnings)?;
    let home_layer = match streamed_homes {
        Some(_) => None,
        None => Some(
            it.next()
                .expect("homes layer is loaded second unless streamed")
                .1,
        ),
    };
    let amenity_layers: Vec<Layer> = it.by_ref().take(amenity_jobs).map(|(_, l)| l).collect();
    let mut added_layers = it.map(|(_, l)| l);
    let walk = match &f.network {
        Some(cfg) => {
            let (ways, input) = read_walk_ways(study, cfg, &crs)?;
            if let Some(l) = ways.walk_rule_lines.filter(|l| l.without_geometry > 0) {
                warnings.push(format!(
                    "network ({}): {} feature(s) without geometry were skipped",
                    input.path.display(),
                    l.without_geometry
                ));
            }
            inputs.push(input);
            Some(ways)
        }
        None => None,
    };

    let bands = study.bands.clone();
    let neighbourhoods = neighbourhoods::build(study, &nb_layer, &bands, warnings)?;
    // The homes come last and in chunks: millions of features are never all held at once.
    let homes = match (&streamed_homes, &home_layer) {
        (Some((path, crs_override, layer)), _) => {
            let (homes, input) = homes::load(
                study,
                layers::format::VectorSource::new(path, crs_override.as_deref(), layer.as_deref()),
                &crs,
                &neighbourhoods,
                &bands,
                warnings,
            )?;
            inputs.insert(1.min(inputs.len()), input);
            homes
        }
        (None, Some(layer)) => homes::from_layer(study, layer, &neighbourhoods, &bands, warnings)?,
        (None, None) => unreachable!("the homes layer is loaded when not streamed"),
    };
    let study_area = outliers::StudyArea::of(&neighbourhoods);
    let amenities = amenities::build(study, amenity_layers, study_area.as_ref(), warnings)?;
    let generates_sites = study.sites.as_ref().is_some_and(|s| s.candidates.is_none());
    let (backdrop, off_limits) =
        Backdrop::of_study(study, walk.as_ref(), &amenities, &crs, generates_sites)?;
    let mut added = Vec::with_capacity(study.scenarios.len());
    for sc in &study.scenarios {
        let mut layers = Vec::with_capacity(sc.add.len());
        for (entry, ages) in &sc.add {
            let layer = added_layers
                .next()
                .expect("every added layer is loaded after the amenities");
            layers.push(
                amenities::layer_amenities(
                    study,
                    entry,
                    ages,
                    &layer,
                    study_area.as_ref(),
                    warnings,
                )
                .map_err(|e| e.within(&format!("[[scenarios]] \"{}\" add", sc.name)))?,
            );
        }
        added.push(layers);
    }
    let scenarios = scenarios::resolve(study, &amenities, added, warnings)?;
    let scene = Scene {
        crs,
        bands,
        neighbourhoods: Arc::new(neighbourhoods),
        homes: Arc::new(homes),
        amenities,
        inputs,
        backdrop,
        off_limits,
    };
    check_references(study, &scene)?;
    Ok(Loaded {
        scene,
        walk,
        scenarios,
    })
}

/// Where an amenity layer (an `[[amenities]]` entry, or a layer a scenario adds) is read from.
fn amenity_source(study: &Resolved, a: &crate::study::AmenitySection) -> Source {
    match (&a.path, &a.osm) {
        (Some(p), _) => Source::Vector(study.input_path(p), a.crs.clone(), a.layer.clone()),
        (None, Some(o)) => Source::Osm(study.input_path(o), a.tags.clone()),
        (None, None) => unreachable!("validated by Resolved::new"),
    }
}

/// The study's references that only the loaded layers can answer, checked before anything is
/// computed (so that `check` finds them as `run` does).
fn check_references(study: &Resolved, scene: &Scene) -> Result<()> {
    if let Some(e) = &study.equity {
        if !scene
            .neighbourhoods
            .iter()
            .any(|n| n.props.contains_key(&e.by))
        {
            return Err(Error::study(
                &study.path,
                format!(
                    "[equity] by = \"{}\": no neighbourhood has that attribute ({})",
                    e.by,
                    e.neighbourhoods_path.display()
                ),
            ));
        }
    }
    if let Some(c) = &study.closures {
        check_closures(c, scene)?;
    }
    Ok(())
}

/// `[closures] keep` names amenities of the kind, and `count` asks no more closures than there
/// are amenities that may close.
fn check_closures(c: &crate::study::ClosuresSettings, scene: &Scene) -> Result<()> {
    let kind = &c.kind.value;
    let items = scene.kind(kind).map_or(&[][..], |k| &k.items[..]);
    let err = |m: String| Err(Error::study(&c.study_file, m));
    if let Some(id) = c.keep.iter().find(|id| !items.iter().any(|a| &a.id == *id)) {
        return err(format!(
            "[closures] keep: no {kind} has the id \"{id}\" (of {} {kind} amenities; ids are the `[[amenities]] id` attribute, else each feature's own id)",
            items.len()
        ));
    }
    if let crate::study::ClosureTarget::Count(n) = c.target {
        let closable = items.iter().filter(|a| !c.keep.contains(&a.id)).count();
        if n > closable {
            return err(format!(
                "[closures] count = {n}: only {closable} {kind} amenities may close ({} in all, {} kept open by `keep`)",
                items.len(),
                items.len() - closable
            ));
        }
    }
    Ok(())
}

/// The walkable ways of `[network]`, in the working CRS.
fn read_walk_ways(
    study: &Resolved,
    cfg: &crate::study::NetworkSection,
    crs: &Crs,
) -> Result<(WalkWays, InputFile)> {
    match (&cfg.osm, &cfg.path) {
        (Some(osm), _) => {
            let path = study.input_path(osm);
            let ways = WalkWays::from_osm(&path, &Crs::wgs84().to(crs))?;
            if ways.edge_count() == 0 {
                return Err(Error::layer(
                    &path,
                    "[network] osm: the extract has no walkable way (highway=footway, path, residential, ...); give an extract of the study area with its streets",
                ));
            }
            let input = describe_input("network", &path, "EPSG:4326", ways.edge_count())?;
            Ok((ways, input))
        }
        (None, Some(p)) => {
            let path = study.input_path(p);
            let mut layer = read_vector(&path, cfg.crs.as_deref(), cfg.layer.as_deref())?;
            let input = describe_input(
                "network",
                &path,
                &layer.crs.to_string(),
                layer.features.len(),
            )?;
            layer.reproject(crs)?;
            let attr = cfg.highway.as_deref().unwrap_or("highway");
            let walkable = study
                .network
                .as_ref()
                .map_or(Walkable::default(), |n| n.walkable.value);
            let ways = WalkWays::from_layer(&layer, attr, walkable)?;
            if ways.edge_count() == 0 {
                let why = match ways.walk_rule_lines {
                    Some(l) if l.refused > 0 => format!(
                        " ({} lines refused by the walk rules: {})",
                        l.refused,
                        l.refused_by.describe()
                    ),
                    _ => String::new(),
                };
                return Err(Error::layer(
                    &path,
                    format!("[network] path: the layer has no line to walk on (it needs LineStrings of the streets and paths){why}"),
                ));
            }
            Ok((ways, input))
        }
        (None, None) => Err(Error::study(&study.path, "[network]: give `osm` or `path`")),
    }
}
