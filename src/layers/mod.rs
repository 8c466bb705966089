//! Loading layers: GeoJSON, GeoPackage, Shapefile and GeoParquet (the format follows the extension, see
//! [`format`]), and in their own modules OpenStreetMap and rasters, each with its CRS,
//! reprojected into the study's working CRS.

pub mod attributes;
pub mod columns;
pub mod crs;
pub mod format;
pub mod geojson;
#[cfg(feature = "parquet")]
pub mod geoparquet;
pub mod gpkg;
pub mod osm;
pub mod prj;
pub mod raster;
pub mod shp;
pub mod table;
pub mod walk;
pub mod wkb_reader;
pub mod wkt;

use std::path::PathBuf;

use geo::{BoundingRect, Coord, CoordsIter, Geometry, Rect};

use crate::error::{shown_coord, Error, Result};
use crs::{Crs, Transformer};

/// Attributes of a feature, as in the file.
pub type Properties = serde_json::Map<String, serde_json::Value>;

/// One feature of a layer.
#[derive(Debug, Clone)]
pub struct Feature {
    /// 0-based position in the file (what error messages call "feature N").
    pub index: usize,
    /// `None` for a feature with a null geometry.
    pub geometry: Option<Geometry>,
    pub props: Properties,
    /// The GeoJSON feature `id` member, if any.
    pub id: Option<String>,
}

/// Where a layer's CRS came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrsSource {
    /// The layer's `crs` key in the study file.
    StudyFile,
    /// The file itself (a legacy `crs` member, GeoTIFF keys).
    File,
    /// Nothing declared: WGS84, as RFC 7946 says.
    Rfc7946,
    /// A GeoParquet file whose metadata has no `crs`: OGC:CRS84, as the GeoParquet spec says.
    GeoParquetDefault,
}

/// A vector layer: features in `crs`.
#[derive(Debug, Clone)]
pub struct Layer {
    pub path: PathBuf,
    pub crs: Crs,
    pub crs_source: CrsSource,
    pub features: Vec<Feature>,
    /// The attributes column by column, for a chunk whose reader was asked for only some
    /// (`keep`); its features then carry empty attribute maps.
    pub columns: columns::Columns,
}

impl Layer {
    /// The bounding box of every coordinate, in the layer's CRS.
    pub fn extent(&self) -> Option<Rect> {
        union_rect(
            self.features
                .iter()
                .filter_map(|f| f.geometry.as_ref().and_then(|g| g.bounding_rect())),
        )
    }

    /// Checks that every coordinate is finite and can lie in the layer's CRS.
    pub fn check_coordinates(&self) -> Result<()> {
        let (any, all_degrees) = self.check_each_coordinate()?;
        self.check_not_all_degrees(any, all_degrees)
    }

    /// The per-coordinate part of [`Self::check_coordinates`]; returns whether the layer has
    /// any coordinate and whether all of them look like degrees, for
    /// [`Self::check_not_all_degrees`] (which a layer read in chunks calls once, at the end).
    pub fn check_each_coordinate(&self) -> Result<(bool, bool)> {
        let geographic = self.crs.is_geographic();
        let mut all_degrees = true;
        let mut any = false;
        for f in &self.features {
            let Some(g) = &f.geometry else { continue };
            for c in g.coords_iter() {
                any = true;
                if !c.x.is_finite() || !c.y.is_finite() {
                    return Err(Error::feature(
                        &self.path,
                        f.index,
                        format!(
                            "coordinate {} is not a finite number",
                            shown_coord(c.x, c.y)
                        ),
                    ));
                }
                if !geographic && (c.x.abs() > 1e8 || c.y.abs() > 1e8) {
                    return Err(Error::feature(
                        &self.path,
                        f.index,
                        format!(
                            "coordinate {} is not plausible in {}: no place on Earth is that far from the origin",
                            shown_coord(c.x, c.y),
                            self.crs
                        ),
                    ));
                }
                let degrees = c.x.abs() <= 180.0 && c.y.abs() <= 90.0;
                all_degrees &= degrees;
                if geographic && !degrees {
                    let hint = match self.crs_source {
                        CrsSource::Rfc7946 => format!(
                            "the file declares no CRS, so it is read as WGS84 longitude/latitude (RFC 7946); {}",
                            guess_crs(c)
                        ),
                        CrsSource::GeoParquetDefault => format!(
                            "the GeoParquet metadata declares no CRS, so it is read as OGC:CRS84 longitude/latitude (the GeoParquet default); {}",
                            guess_crs(c)
                        ),
                        _ => format!("the layer is declared as {} (longitude/latitude); {}", self.crs, guess_crs(c)),
                    };
                    return Err(Error::feature(
                        &self.path,
                        f.index,
                        format!(
                            "coordinate {} cannot be longitude/latitude: {hint}",
                            shown_coord(c.x, c.y)
                        ),
                    ));
                }
            }
        }
        Ok((any, all_degrees))
    }

    /// The whole-layer part of [`Self::check_coordinates`].
    pub fn check_not_all_degrees(&self, any: bool, all_degrees: bool) -> Result<()> {
        if any && !self.crs.is_geographic() && all_degrees {
            return Err(Error::layer(
                &self.path,
                format!(
                    "every coordinate looks like longitude/latitude in degrees, but the layer is declared as {}; remove the layer's `crs` (or the file's `crs` member) or set crs = \"EPSG:4326\"",
                    self.crs
                ),
            ));
        }
        Ok(())
    }

    /// Moves every geometry into `target`.
    pub fn reproject(&mut self, target: &Crs) -> Result<()> {
        let t: Transformer = self.crs.to(target);
        if t.is_identity() {
            return Ok(());
        }
        // In parallel: a homes layer in WGS84 has a million points to move. The first error
        // in file order is reported, whatever the thread count.
        use rayon::prelude::*;
        let path = &self.path;
        let failed = self
            .features
            .par_iter_mut()
            .map(|f| match &mut f.geometry {
                Some(g) => t.geometry(g).map_err(|m| (f.index, m)),
                None => Ok(()),
            })
            .filter_map(|r| r.err())
            .min_by_key(|(index, _)| *index);
        if let Some((index, m)) = failed {
            return Err(Error::feature(path, index, m));
        }
        self.crs = target.clone();
        Ok(())
    }

    /// Whether some feature has attribute `name`.
    pub fn has_attribute(&self, name: &str) -> bool {
        match self.columns.get(name) {
            Some(c) => (0..self.features.len()).any(|row| c.cell(row) != attributes::Cell::Missing),
            None => self.features.iter().any(|f| f.props.contains_key(name)),
        }
    }

    /// The attribute names of the first features (for error messages).
    pub fn attribute_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for f in self.features.iter().take(50) {
            for k in f.props.keys() {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        names
    }

    /// Errors unless some feature has attribute `name`; the message lists the attributes there are.
    pub fn require_attribute(&self, name: &str, role: &str) -> Result<()> {
        if self.features.is_empty() || self.features.iter().any(|f| f.props.contains_key(name)) {
            return Ok(());
        }
        let names = self.attribute_names();
        let close: Vec<&String> = names
            .iter()
            .filter(|n| {
                let (a, b) = (n.to_lowercase(), name.to_lowercase());
                a.contains(&b) || b.contains(&a) || edit_distance(&a, &b) <= 2
            })
            .collect();
        let hint = if close.is_empty() {
            String::new()
        } else {
            format!(
                " Did you mean {}?",
                close
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        };
        Err(Error::layer(
            &self.path,
            format!(
                "no feature has the attribute \"{name}\" ({role}). Attributes found: {}.{hint}",
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

/// Hands a layer's features to a callback in chunks, each chunk's coordinates checked as a
/// layer read whole is checked, and the whole-layer check done once at the end: what every
/// vector reader does with the features it reads.
pub(crate) struct Chunks<F> {
    header: Layer,
    any: bool,
    all_degrees: bool,
    f: F,
}

impl<F: FnMut(Layer) -> Result<()>> Chunks<F> {
    /// `header` is the layer without features (path and CRS).
    pub(crate) fn new(header: Layer, f: F) -> Self {
        Chunks {
            header,
            any: false,
            all_degrees: true,
            f,
        }
    }

    /// Checks and hands on one chunk of features whose attributes are `columns`.
    pub(crate) fn push_columns(
        &mut self,
        features: Vec<Feature>,
        columns: columns::Columns,
    ) -> Result<()> {
        let layer = Layer {
            features,
            columns,
            ..self.header.clone()
        };
        let (any, all_degrees) = layer.check_each_coordinate()?;
        self.any |= any;
        self.all_degrees &= all_degrees;
        (self.f)(layer)
    }

    /// The whole-layer check; returns the layer without features.
    pub(crate) fn finish(self) -> Result<Layer> {
        self.header
            .check_not_all_degrees(self.any, self.all_degrees)?;
        Ok(self.header)
    }
}

/// A layer's CRS: the study file's `crs` key when given, else what the file declares
/// (`declared`, read only when needed), else `missing` says what to do.
pub(crate) fn layer_crs(
    path: &std::path::Path,
    crs_key: Option<&str>,
    declared: impl FnOnce() -> Result<Option<Crs>>,
    missing: impl FnOnce() -> Result<(Crs, CrsSource)>,
) -> Result<(Crs, CrsSource)> {
    if let Some(s) = crs_key {
        let crs = Crs::parse(s).map_err(|e| Error::layer(path, format!("layer `crs` key: {e}")))?;
        return Ok((crs, CrsSource::StudyFile));
    }
    match declared()? {
        Some(crs) => Ok((crs, CrsSource::File)),
        None => missing(),
    }
}

/// The smallest rectangle holding all the given ones.
pub fn union_rect(rects: impl IntoIterator<Item = Rect>) -> Option<Rect> {
    rects.into_iter().reduce(|a, r| {
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
    })
}

/// Suggests a CRS for a coordinate that is not longitude/latitude.
pub fn guess_crs(c: Coord) -> String {
    if (-7000.0..=300000.0).contains(&c.x) && (289000.0..=629000.0).contains(&c.y) {
        "it looks like Dutch RD New: add crs = \"EPSG:28992\" to the layer in the study file".into()
    } else if (50000.0..=800000.0).contains(&c.x) && (6_600_000.0..=7_800_000.0).contains(&c.y) {
        "it looks like Finnish ETRS-TM35FIN: add crs = \"EPSG:3067\" to the layer in the study file"
            .into()
    } else if (100000.0..=900000.0).contains(&c.x) && c.y.abs() <= 9_400_000.0 {
        "it looks like a UTM zone: add crs = \"EPSG:326zz\" (zone zz) to the layer in the study file".into()
    } else if c.x.abs() <= 20_037_509.0 && c.y.abs() <= 20_048_967.0 {
        "it may be Web Mercator: add crs = \"EPSG:3857\" to the layer in the study file, or declare its CRS".into()
    } else {
        "these are not coordinates on Earth in any common CRS; check the file".into()
    }
}

/// Levenshtein distance, for "did you mean" hints on attribute names (a dozen lines; not worth
/// a crate).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            row[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(row[j] + 1);
        }
        prev = row;
    }
    prev[b.len()]
}
