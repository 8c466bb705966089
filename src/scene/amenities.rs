//! Amenities per kind: points and polygons, with area and capacity.

use geo::{Area, Coord, Geometry, MultiPolygon};

use super::outliers::StudyArea;
use super::polygons::{cleaning_warnings, shape, Cleaning, Shape};
use crate::error::{shown, Error, Result, Warnings};
use crate::layers::attributes::{self, Number};
use crate::layers::Layer;
use crate::study::{AmenitySection, Resolved};

#[derive(Debug, Clone)]
pub enum AmenityGeometry {
    Point(Coord),
    Polygon(MultiPolygon),
}

impl AmenityGeometry {
    /// As a `geo` geometry: the point, or the multipolygon.
    pub fn to_geometry(&self) -> Geometry {
        match self {
            AmenityGeometry::Point(c) => Geometry::Point(geo::Point(*c)),
            AmenityGeometry::Polygon(mp) => Geometry::MultiPolygon(mp.clone()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Amenity {
    pub geometry: AmenityGeometry,
    /// Polygon area, or `point_area_m2` for a point (0 when not set).
    pub area_m2: f64,
    /// Supply for play space per child: area, an attribute, or 1.
    pub capacity: f64,
    pub name: String,
    /// The layer file and the feature's index in it.
    pub source: String,
    pub index: usize,
}

impl Amenity {
    /// Amenities from any `geo` geometries in a metric CRS: points, or polygons (repaired when
    /// their rings cross, as when read from a layer); a multipoint of distinct points gives one
    /// amenity per point. A polygon's area is its own, a point's 0;
    /// every capacity is 1 and `index` is the geometry's position. Empty geometries are left
    /// out; a line is an error naming its position.
    ///
    /// ```
    /// use geo::{line_string, point, polygon, Geometry};
    /// use kindscape::scene::Amenity;
    /// let items = Amenity::from_geometries([
    ///     Geometry::from(point!(x: 0.0, y: 0.0)),
    ///     Geometry::from(polygon![(x: 0.0, y: 0.0), (x: 20.0, y: 0.0), (x: 20.0, y: 10.0)]),
    /// ])
    /// .unwrap();
    /// assert_eq!((items.len(), items[1].area_m2, items[1].index), (2, 100.0, 1));
    /// let street = Geometry::from(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0)]);
    /// assert!(Amenity::from_geometries([street]).is_err());
    /// ```
    pub fn from_geometries<G: Into<Geometry>>(
        geometries: impl IntoIterator<Item = G>,
    ) -> Result<Vec<Amenity>> {
        let mut cleaning = Cleaning::default();
        let mut out = Vec::new();
        for (index, g) in geometries.into_iter().enumerate() {
            let shapes = match shape(&g.into(), &mut cleaning) {
                Ok(Some(Shape::Point(c))) => vec![(AmenityGeometry::Point(c), 0.0)],
                // Several places as one geometry: each is an amenity, as when read from a layer.
                Ok(Some(Shape::Points(points))) => points
                    .into_iter()
                    .map(|c| (AmenityGeometry::Point(c), 0.0))
                    .collect(),
                Ok(Some(Shape::Polygon(mp))) => {
                    let area = mp.unsigned_area();
                    vec![(AmenityGeometry::Polygon(mp), area)]
                }
                Ok(None) => continue,
                Err(kind) => {
                    return Err(Error::Other(format!(
                        "geometry {index}: amenities must be points or polygons, found {kind}"
                    )))
                }
            };
            out.extend(shapes.into_iter().map(|(geometry, area_m2)| Amenity {
                geometry,
                area_m2,
                capacity: 1.0,
                name: String::new(),
                source: String::new(),
                index,
            }));
        }
        Ok(out)
    }

    /// A representative coordinate (the point, or the polygon's interior point) for maps and lists.
    pub fn anchor(&self) -> Coord {
        use geo::InteriorPoint;
        match &self.geometry {
            AmenityGeometry::Point(c) => *c,
            AmenityGeometry::Polygon(mp) => mp
                .interior_point()
                .map(|p| p.0)
                .unwrap_or(Coord { x: 0.0, y: 0.0 }),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AmenityKind {
    pub kind: String,
    pub items: Vec<Amenity>,
}

/// Builds the kinds from the `[[amenities]]` entries: `layers` holds the loaded layer of each
/// entry, in entry order, already in the working CRS.
pub(super) fn build(
    study: &Resolved,
    layers: Vec<Layer>,
    study_area: Option<&StudyArea>,
    warnings: &Warnings,
) -> Result<Vec<AmenityKind>> {
    let mut kinds: Vec<AmenityKind> = study
        .kinds
        .iter()
        .cloned()
        .map(|kind| AmenityKind {
            kind,
            items: Vec::new(),
        })
        .collect();
    for (entry, layer) in study.layers.amenities.iter().zip(layers) {
        let items = from_layer(study, entry, &layer, warnings)?;
        let far = study_area.and_then(|area| {
            area.warning(
                &format!("{} ({})", entry.kind, layer.path.display()),
                "feature(s)",
                items.iter().map(|a| (a.anchor(), a.index)),
                |i| format!("feature {i}"),
            )
        });
        if let Some(w) = far {
            warnings.push(w);
        }
        let k = kinds
            .iter_mut()
            .find(|k| k.kind == entry.kind)
            .expect("kinds come from the same entries");
        k.items.extend(items);
    }
    for k in &kinds {
        if k.items.is_empty() {
            warnings.push(format!(
                "amenity kind \"{}\" has no features after filtering: its coverage is 0 everywhere",
                k.kind
            ));
        }
    }
    Ok(kinds)
}

fn from_layer(
    study: &Resolved,
    entry: &AmenitySection,
    layer: &Layer,
    warnings: &Warnings,
) -> Result<Vec<Amenity>> {
    let path = &layer.path;
    let label = format!("{} ({})", entry.kind, path.display());
    let min_area = entry
        .min_area_m2
        .or_else(|| study.norms.preset_min_area(&entry.kind))
        .unwrap_or(0.0);
    let capacity_attr = match entry.capacity.as_deref() {
        None | Some("area") => None,
        Some(attr) => {
            layer.require_attribute(attr, "[[amenities]] capacity")?;
            Some(attr)
        }
    };
    if let Some(n) = &entry.name {
        layer.require_attribute(n, "[[amenities]] name")?;
    }
    let mut out = Vec::new();
    let mut cleaning = Cleaning::default();
    let mut too_small = 0usize;
    let mut points_without_area = 0usize;
    let mut no_capacity = 0usize;
    let (mut split_features, mut split_points) = (0usize, 0usize);
    for f in &layer.features {
        if let Some(filter) = &entry.filter {
            if !attributes::matches(&f.props, filter) {
                continue;
            }
        }
        let Some(g) = &f.geometry else { continue };
        let point_area = entry.point_area_m2.unwrap_or(0.0);
        let places: Vec<(AmenityGeometry, f64)> = match shape(g, &mut cleaning) {
            Ok(Some(Shape::Point(c))) => vec![(AmenityGeometry::Point(c), point_area)],
            // Several places drawn as one feature (three playgrounds of a park): each is an
            // amenity, as its centroid would be none of them.
            Ok(Some(Shape::Points(points))) => {
                split_features += 1;
                split_points += points.len();
                points
                    .into_iter()
                    .map(|c| (AmenityGeometry::Point(c), point_area))
                    .collect()
            }
            Ok(Some(Shape::Polygon(mp))) => {
                let a = mp.unsigned_area();
                vec![(AmenityGeometry::Polygon(mp), a)]
            }
            Ok(None) => continue,
            Err(kind) => {
                return Err(Error::feature(
                    path,
                    f.index,
                    format!("amenities must be points or polygons, found {kind}"),
                ))
            }
        };
        // A capacity attribute is the feature's: its points share it evenly.
        let share = 1.0 / places.len() as f64;
        let name = entry
            .name
            .as_ref()
            .map(|n| attributes::text_value(&f.props, n))
            .or_else(|| {
                f.props
                    .get("name")
                    .and_then(|v| v.as_str())
                    .map(String::from)
            })
            .unwrap_or_default();
        for (geometry, area) in places {
            let is_point = matches!(geometry, AmenityGeometry::Point(_));
            if is_point && entry.point_area_m2.is_none() && min_area > 0.0 {
                points_without_area += 1;
            }
            // A point without an assumed area cannot be judged against a minimum area: keep it.
            let judged = !is_point || entry.point_area_m2.is_some();
            if judged && area < min_area {
                too_small += 1;
                continue;
            }
            let capacity = match capacity_attr {
                None if entry.capacity.is_some() => area,
                None => 1.0,
                Some(attr) => match attributes::number_value(&f.props, attr)
                    .map_err(|m| Error::feature(path, f.index, m))?
                {
                    Number::Value(v) => v * share,
                    _ => {
                        no_capacity += 1;
                        0.0
                    }
                },
            };
            out.push(Amenity {
                geometry,
                area_m2: area,
                capacity,
                name: name.clone(),
                source: path.display().to_string(),
                index: f.index,
            });
        }
    }
    for w in cleaning_warnings(&label, &cleaning) {
        warnings.push(w);
    }
    if too_small > 0 {
        warnings.push(format!(
            "{label}: {too_small} feature(s) smaller than {} m2 were left out",
            shown(min_area)
        ));
    }
    if points_without_area > 0 {
        warnings.push(format!(
            "{label}: {points_without_area} point(s) have no known area and were kept despite min_area_m2 = {}; set point_area_m2 to judge them",
            shown(min_area)
        ));
    }
    if split_features > 0 {
        warnings.push(format!(
            "{label}: {split_features} MultiPoint feature(s) were taken as {split_points} separate amenities, one per point (a capacity attribute is shared evenly among a feature's points)"
        ));
    }
    if no_capacity > 0 {
        warnings.push(format!(
            "{label}: {no_capacity} feature(s) have no capacity value; counted as 0"
        ));
    }
    Ok(out)
}
