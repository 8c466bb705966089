//! The scene: homes with children per age band, amenities per kind and neighbourhoods, all in
//! the working CRS. Built once from the study's layers; every later stage reads it.

mod amenities;
mod children;
mod homes;
mod neighbourhoods;
pub mod polygons;

use std::path::{Path, PathBuf};

use geo::{Coord, Rect};
use rayon::prelude::*;

use crate::error::{Error, Result, Warnings};
use crate::layers::crs::Crs;
use crate::layers::{self, Layer};
use crate::study::Study;

pub use amenities::{Amenity, AmenityGeometry, AmenityKind};
pub use homes::{assign_neighbourhoods, Homes};
pub use neighbourhoods::Neighbourhood;

/// Everything the measures need, in the working CRS.
#[derive(Debug)]
pub struct Scene {
    pub crs: Crs,
    /// Children bands, in study order.
    pub bands: Vec<String>,
    pub neighbourhoods: Vec<Neighbourhood>,
    pub homes: Homes,
    /// One entry per amenity kind, in study order.
    pub amenities: Vec<AmenityKind>,
    /// Every file read, for provenance.
    pub inputs: Vec<InputFile>,
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
        let mut all = self
            .neighbourhoods
            .iter()
            .filter_map(|n| n.geometry.bounding_rect());
        let first = all.next()?;
        Some(all.fold(first, |a, r| {
            Rect::new(
                Coord {
                    x: a.min().x.min(r.min().x),
                    y: a.min().y.min(r.min().y),
                },
                Coord {
                    x: a.max().x.max(r.max().x),
                    y: a.max().y.max(r.max().y),
                },
            )
        }))
    }
}

/// Reads a vector layer by its file type.
pub fn read_vector(path: &Path, crs: Option<&str>) -> Result<Layer> {
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
            "a raster cannot be used here; this layer must be GeoJSON",
        ));
    }
    layers::geojson::read(path, crs)
}

/// Hashes a file for provenance.
pub fn describe_input(role: &str, layer: &Layer) -> Result<InputFile> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(&layer.path).map_err(|e| Error::io(&layer.path, e))?;
    Ok(InputFile {
        role: role.to_string(),
        path: layer.path.clone(),
        bytes: bytes.len() as u64,
        sha256: format!("{:x}", Sha256::digest(&bytes)),
        crs: layer.crs.to_string(),
        features: layer.features.len(),
    })
}

/// Loads every layer of the study, picks the working CRS, reprojects and builds the scene.
pub fn build(study: &Study, warnings: &Warnings) -> Result<Scene> {
    let f = &study.file;
    // Load the vector layers in parallel: they are independent files.
    let nb_path = study.resolve(&f.neighbourhoods.path);
    let home_path = study.resolve(&f.homes.path);
    let mut jobs: Vec<(String, PathBuf, Option<String>)> = vec![
        (
            "neighbourhoods".into(),
            nb_path,
            f.neighbourhoods.crs.clone(),
        ),
        ("homes".into(), home_path, f.homes.crs.clone()),
    ];
    for a in &f.amenities {
        match (&a.path, &a.osm) {
            (Some(p), _) => jobs.push((
                format!("amenities: {}", a.kind),
                study.resolve(p),
                a.crs.clone(),
            )),
            (None, Some(o)) => {
                return Err(Error::study(
                    &study.path,
                    format!(
                    "[[amenities]] kind \"{}\": osm = \"{o}\" is not supported by this build yet",
                    a.kind
                ),
                ))
            }
            (None, None) => unreachable!("validated by Study::parse"),
        }
    }
    let loaded: Vec<Result<Layer>> = jobs
        .par_iter()
        .map(|(_, p, crs)| read_vector(p, crs.as_deref()))
        .collect();
    let mut layers: Vec<(String, Layer)> = Vec::with_capacity(loaded.len());
    for ((role, _, _), l) in jobs.into_iter().zip(loaded) {
        layers.push((role, l?));
    }

    let crs = working_crs(study, &layers[0].1)?;
    let mut inputs = Vec::new();
    let described: Vec<Result<InputFile>> = layers
        .par_iter()
        .map(|(role, l)| describe_input(role, l))
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
    let (_, nb_layer) = it
        .next()
        .expect("neighbourhoods layer is always loaded first");
    let (_, home_layer) = it.next().expect("homes layer is always loaded second");
    let amenity_layers: Vec<Layer> = it.map(|(_, l)| l).collect();

    let bands = study.bands();
    let neighbourhoods = neighbourhoods::build(study, &nb_layer, &bands, warnings)?;
    let homes = homes::build(study, &home_layer, &neighbourhoods, &bands, warnings)?;
    let amenities = amenities::build(study, amenity_layers, warnings)?;
    Ok(Scene {
        crs,
        bands,
        neighbourhoods,
        homes,
        amenities,
        inputs,
    })
}

/// The working CRS: the study's, or the UTM zone of the neighbourhoods' centre.
fn working_crs(study: &Study, neighbourhoods: &Layer) -> Result<Crs> {
    let given = study.file.study.crs.as_deref().unwrap_or("auto");
    if !given.eq_ignore_ascii_case("auto") {
        let crs = Crs::parse(given)
            .map_err(|e| Error::study(&study.path, format!("[study] crs: {e}")))?;
        if crs.is_geographic() {
            return Err(Error::study(
                &study.path,
                format!(
                    "[study] crs = \"{given}\" is in degrees; the working CRS must be in metres (e.g. EPSG:28992, EPSG:3067, or \"auto\" for UTM)"
                ),
            ));
        }
        return Ok(crs);
    }
    let rect = neighbourhoods.extent().ok_or_else(|| {
        Error::layer(
            &neighbourhoods.path,
            "the neighbourhoods layer has no geometry",
        )
    })?;
    let centre = rect.center();
    let t = neighbourhoods.crs.to(&Crs::wgs84());
    let c = t.coord(centre).map_err(|e| {
        Error::layer(
            &neighbourhoods.path,
            format!("cannot find the data's centre: {e}"),
        )
    })?;
    Ok(Crs::utm_for(c.x, c.y))
}
