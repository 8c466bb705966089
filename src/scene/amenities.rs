//! Amenities per kind: points and polygons, with area and capacity.

use geo::{Area, Coord, Geometry, MultiPolygon};

use super::outliers::StudyArea;
use super::polygons::{cleaning_warnings, shape, Cleaning, Shape};
use crate::error::{shown, Error, Result, Warnings};
use crate::layers::attributes::{self, Number};
use crate::layers::Layer;
use crate::study::ages::{norm_band_years, osm_ages, parse_ages, Years};
use crate::study::{AmenityAges, AmenitySection, BandNorm, NumberFormat, Resolved};

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
    /// The `[[amenities]] id` attribute's value; without one, the feature's own id (a GeoJSON
    /// feature `id`, OpenStreetMap's "way/123"), else its position in its layer.
    pub id: String,
    pub name: String,
    /// The layer file and the feature's index in it.
    pub source: String,
    pub index: usize,
    /// The attributes a `[[scenarios]] remove.where` selects on, and only those (most studies
    /// keep none).
    pub attributes: crate::layers::Properties,
    /// How many amenities its feature became: 1, or a MultiPoint's n points. A feature's own
    /// amounts (capacity, upkeep) are the feature's, so each part holds 1/n of them.
    pub parts: usize,
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
            let parts = shapes.len();
            out.extend(shapes.into_iter().map(|(geometry, area_m2)| Amenity {
                geometry,
                area_m2,
                capacity: 1.0,
                id: index.to_string(),
                name: String::new(),
                source: String::new(),
                index,
                attributes: Default::default(),
                parts,
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
    /// Which of the kind's norm bands each item serves.
    pub served: ServedBands,
}

/// Which norm bands (of the kind's norm table, in its order) each amenity of a kind serves: bit
/// `b` of an amenity's mask is norm band `b`. Nothing is held when every amenity serves every
/// band, the case of a study without `ages` or `bands`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServedBands(Option<Vec<u64>>);

impl ServedBands {
    /// Every amenity serves every band.
    pub fn every() -> ServedBands {
        ServedBands(None)
    }

    /// Per amenity, the years it serves (`None`: every band), judged against each norm band;
    /// `every()` when all of them serve all bands.
    pub fn from_years(ages: &[Option<Years>], norm_bands: &[BandNorm]) -> ServedBands {
        let all = mask_of(norm_bands.len());
        let masks: Vec<u64> = ages
            .iter()
            .map(|a| match a {
                None => all,
                Some(years) => norm_bands
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| norm_band_years(b).is_none_or(|band| years.serves(band)))
                    .fold(0, |m, (i, _)| m | 1 << i),
            })
            .collect();
        ServedBands::from_masks(masks, norm_bands.len())
    }

    /// Per amenity, its mask of norm bands (of `bands` norm bands in all).
    pub fn from_masks(masks: Vec<u64>, bands: usize) -> ServedBands {
        let all = mask_of(bands);
        if masks.iter().all(|&m| m & all == all) {
            ServedBands(None)
        } else {
            ServedBands(Some(masks))
        }
    }

    /// Whether some amenity serves only some bands.
    pub fn is_restricted(&self) -> bool {
        self.0.is_some()
    }

    /// Whether amenity `item` serves norm band `band`.
    pub fn serves(&self, item: usize, band: usize) -> bool {
        self.0.as_ref().is_none_or(|m| m[item] >> band & 1 == 1)
    }

    /// Amenity `item`'s mask of the `bands` norm bands.
    pub fn mask(&self, item: usize, bands: usize) -> u64 {
        self.0.as_ref().map_or(mask_of(bands), |m| m[item])
    }
}

fn mask_of(bands: usize) -> u64 {
    if bands >= 64 {
        u64::MAX
    } else {
        (1u64 << bands) - 1
    }
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
            served: ServedBands::every(),
        })
        .collect();
    let mut ages: Vec<Vec<Option<Years>>> = vec![Vec::new(); kinds.len()];
    for ((entry, layer), entry_ages) in study
        .layers
        .amenities
        .iter()
        .zip(layers)
        .zip(&study.amenity_ages)
    {
        let (items, item_ages) =
            layer_amenities(study, entry, entry_ages, &layer, study_area, warnings)?;
        let k = kinds
            .iter()
            .position(|k| k.kind == entry.kind)
            .expect("kinds come from the same entries");
        kinds[k].items.extend(items);
        ages[k].extend(item_ages);
    }
    for (k, ages) in kinds.iter_mut().zip(&ages) {
        let norm_bands = study.norms.get(&k.kind).map_or(&[][..], |t| &t.bands[..]);
        k.served = ServedBands::from_years(ages, norm_bands);
        // Ages that overlap no band by half its years leave the feature serving nobody: most
        // likely a value written otherwise than meant, so it is said rather than dropped.
        let serving_none: Vec<&Amenity> = k
            .items
            .iter()
            .enumerate()
            .filter(|(i, _)| !norm_bands.is_empty() && k.served.mask(*i, norm_bands.len()) == 0)
            .map(|(_, a)| a)
            .collect();
        if let Some(first) = serving_none.first() {
            warnings.push(format!(
                "{} ({}): {} feature(s) serve no band of the study by their ages (first: feature {}), so they count for no child",
                k.kind,
                first.source,
                serving_none.len(),
                first.index
            ));
        }
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

/// The amenities of one layer (an `[[amenities]]` entry's, or one a scenario adds), each with
/// the years it serves (`None`: every band); a warning names features far from the study area.
pub(super) fn layer_amenities(
    study: &Resolved,
    entry: &AmenitySection,
    entry_ages: &AmenityAges,
    layer: &Layer,
    study_area: Option<&StudyArea>,
    warnings: &Warnings,
) -> Result<(Vec<Amenity>, Vec<Option<Years>>)> {
    let (items, item_ages) = from_layer(study, entry, entry_ages, layer, warnings)?;
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
    Ok((items, item_ages))
}

/// The amenities of one entry's layer, each with the years it serves (`None`: every band).
fn from_layer(
    study: &Resolved,
    entry: &AmenitySection,
    entry_ages: &AmenityAges,
    layer: &Layer,
    warnings: &Warnings,
) -> Result<(Vec<Amenity>, Vec<Option<Years>>)> {
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
    if let Some(attr) = &entry.id {
        layer.require_attribute(attr, "[[amenities]] id")?;
    }
    if let AmenityAges::Attribute(attr) = entry_ages {
        layer.require_attribute(attr, "[[amenities]] ages")?;
    }
    for key in entry.filter.iter().flat_map(|f| f.keys()) {
        layer.require_attribute(key, "[[amenities]] filter")?;
    }
    let selected_on = study.kept_attributes(&entry.kind);
    let converted;
    let layer = match (&entry.decimal, &entry.thousands) {
        (None, None) => layer,
        (decimal, thousands) => {
            // Checked when the study was resolved.
            let format = NumberFormat::from_keys(decimal.as_deref(), thousands.as_deref())
                .map_err(|m| Error::layer(path, m))?;
            // The amounts read as numbers: the capacity, and the upkeep a closure saves. Other
            // kept attributes (what `remove.where` matches) stay the text they were.
            let upkeep = study
                .closures
                .as_ref()
                .filter(|c| c.kind.value == entry.kind)
                .and_then(|c| c.costs.maintenance_attribute.as_deref());
            let numeric: Vec<&str> = capacity_attr.into_iter().chain(upkeep).collect();
            let mut copy = layer.clone();
            crate::layers::table::read_numbers(&mut copy, &numeric, &format)?;
            converted = copy;
            &converted
        }
    };
    let mut out = Vec::new();
    let mut out_ages = Vec::new();
    let mut osm_age_tags = OsmAgeTags::default();
    let mut cleaning = Cleaning::default();
    let mut too_small = 0usize;
    let mut points_without_area = 0usize;
    let mut no_capacity = 0usize;
    let mut null_geometry = 0usize;
    let (mut split_features, mut split_points) = (0usize, 0usize);
    for f in &layer.features {
        if let Some(filter) = &entry.filter {
            if !attributes::matches(&f.props, filter) {
                continue;
            }
        }
        let Some(g) = &f.geometry else {
            null_geometry += 1;
            continue;
        };
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
        let ages = match entry_ages {
            AmenityAges::Every => None,
            AmenityAges::Bands(years) => Some(*years),
            AmenityAges::Attribute(attr) => {
                if let Some(v @ serde_json::Value::Array(_)) = f.props.get(attr.as_str()) {
                    return Err(Error::feature(
                        path,
                        f.index,
                        format!("attribute \"{attr}\" (ages) is a list, {v}: write the ages as one text, e.g. \"0-5;6-11\""),
                    ));
                }
                let value = attributes::text_value(&f.props, attr);
                parse_ages(&value).map_err(|m| {
                    Error::feature(path, f.index, format!("attribute \"{attr}\" (ages): {m}"))
                })?
            }
            AmenityAges::OsmTags => osm_age_tags.read(&f.props),
        };
        // A capacity attribute is the feature's: its points share it evenly.
        let parts = places.len();
        let share = 1.0 / parts as f64;
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
        let id = match &entry.id {
            Some(attr) => attributes::id_value(&f.props, attr)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| {
                    Error::feature(path, f.index, format!("attribute \"{attr}\" (id) is empty"))
                })?,
            None => f.id.clone().unwrap_or_else(|| f.index.to_string()),
        };
        let attributes: crate::layers::Properties = selected_on
            .iter()
            .filter_map(|k| f.props.get(k).map(|v| (k.clone(), v.clone())))
            .collect();
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
                id: id.clone(),
                name: name.clone(),
                source: path.display().to_string(),
                index: f.index,
                attributes: attributes.clone(),
                parts,
            });
            out_ages.push(ages);
        }
    }
    if let Some(w) = osm_age_tags.warning(&label) {
        warnings.push(w);
    }
    for w in cleaning_warnings(&label, &cleaning) {
        warnings.push(w);
    }
    if null_geometry > 0 {
        warnings.push(format!(
            "{label}: {null_geometry} feature(s) without geometry were skipped"
        ));
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
            "{label}: {split_features} MultiPoint feature(s) were taken as {split_points} separate amenities, one per point (a capacity or upkeep attribute is the feature's, shared evenly among its points)"
        ));
    }
    if no_capacity > 0 {
        warnings.push(format!(
            "{label}: {no_capacity} feature(s) have no capacity value; counted as 0"
        ));
    }
    Ok((out, out_ages))
}

/// OpenStreetMap's `min_age` / `max_age` on the features of one layer. A value that is not an
/// age is OpenStreetMap's, not the planner's, to fix: the feature serves every band and the
/// layer gets one warning with the count and the first example.
#[derive(Default)]
struct OsmAgeTags {
    bad: usize,
    first_bad: Option<String>,
}

impl OsmAgeTags {
    fn read(&mut self, props: &crate::layers::Properties) -> Option<Years> {
        let tag = |k: &str| props.get(k).and_then(|v| v.as_str());
        let (min, max) = (tag("min_age"), tag("max_age"));
        match osm_ages(min, max) {
            Ok(years) => years,
            Err(m) => {
                self.bad += 1;
                if self.first_bad.is_none() {
                    let id = props
                        .get("osm_id")
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    let kind = tag("osm_type").unwrap_or("feature");
                    self.first_bad = Some(format!("{kind}/{id}: {m}"));
                }
                None
            }
        }
    }

    fn warning(&self, label: &str) -> Option<String> {
        self.first_bad.as_ref().map(|first| {
            format!(
                "{label}: {} feature(s) have a min_age / max_age that is not an age range; they serve every band (first: {first})",
                self.bad
            )
        })
    }
}
