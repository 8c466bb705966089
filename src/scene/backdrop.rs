//! What the report's maps draw under the figures so that a reader finds their way: streets from
//! the walking network, and water and green areas from the study's OpenStreetMap extract. None of
//! it enters a measure; a study without a network or an extract has an empty backdrop.
//!
//! The same read of the extract gives the ground where a generated site cannot go
//! ([`OffLimits`]: water, buildings, private land), when the study generates sites.

use std::path::Path;

use geo::{Coord, Geometry, LineString, MultiPolygon};

use super::off_limits::{OffLimits, PRIVATE_LANDUSE};
use super::{AmenityGeometry, AmenityKind};
use crate::error::Result;
use crate::layers::crs::Crs;
use crate::layers::walk::WalkWays;
use crate::layers::{self};
use crate::study::Resolved;

/// Streets, water and green in the working CRS.
#[derive(Debug, Clone, Default)]
pub struct Backdrop {
    pub streets: Vec<LineString>,
    pub water: Vec<MultiPolygon>,
    pub green: Vec<MultiPolygon>,
}

/// Highway classes that are paths rather than streets: a council map without them reads like a
/// street map, and a city's footways would double the report's size.
const PATH_CLASSES: [&str; 10] = [
    "footway",
    "path",
    "steps",
    "cycleway",
    "bridleway",
    "corridor",
    "platform",
    "track",
    "elevator",
    "via_ferrata",
];

/// Amenity kinds whose polygons are green space.
const GREEN_KINDS: [&str; 2] = ["green_space", "park"];

/// The OpenStreetMap tags read as water; any other area read is green.
const WATER_TAGS: [&str; 4] = [
    "natural=water",
    "waterway=riverbank",
    "landuse=reservoir",
    "landuse=basin",
];
const GREEN_TAGS: [&str; 7] = [
    "leisure=park",
    "landuse=grass",
    "landuse=forest",
    "natural=wood",
    "landuse=meadow",
    "landuse=recreation_ground",
    "leisure=garden",
];

impl Backdrop {
    /// The backdrop of a study: streets from its walk ways, water and green from the first
    /// `.osm.pbf` it reads (network, amenities, homes or neighbourhoods); without green in an
    /// extract, the polygons of a `green_space` or `park` amenity kind are the green. With
    /// `off_limits`, the same read also gives the ground where a generated site cannot go.
    pub fn of_study(
        study: &Resolved,
        walk: Option<&WalkWays>,
        amenities: &[AmenityKind],
        crs: &Crs,
        off_limits: bool,
    ) -> Result<(Backdrop, OffLimits)> {
        let streets = walk.map(streets).unwrap_or_default();
        let (areas, mut closed) = match study_extract(study) {
            Some(given) => {
                let path = study.input_path(&given);
                let areas = osm_areas(&path, crs, off_limits)?;
                let closed = OffLimits {
                    mapped_by: off_limits.then_some(path),
                    ..Default::default()
                };
                (areas, closed)
            }
            None => (Vec::new(), OffLimits::default()),
        };
        let (mut water, mut green) = (Vec::new(), Vec::new());
        for (flags, mp) in areas {
            // Of an area both water and a building (a covered reservoir), water is said first.
            let kept_out = if !off_limits {
                None
            } else if flags & WATER != 0 {
                Some(&mut closed.water)
            } else if flags & BUILDING != 0 {
                Some(&mut closed.buildings)
            } else if flags & PRIVATE != 0 {
                Some(&mut closed.private)
            } else {
                None
            };
            match (flags & WATER != 0, flags & GREEN != 0) {
                (true, _) => {
                    kept_out.into_iter().for_each(|v| v.push(mp.clone()));
                    water.push(mp);
                }
                (false, true) => {
                    kept_out.into_iter().for_each(|v| v.push(mp.clone()));
                    green.push(mp);
                }
                (false, false) => {
                    if let Some(v) = kept_out {
                        v.push(mp);
                    }
                }
            }
        }
        if green.is_empty() {
            green = amenities
                .iter()
                .filter(|k| GREEN_KINDS.contains(&k.kind.as_str()))
                .flat_map(|k| &k.items)
                .filter_map(|a| match &a.geometry {
                    AmenityGeometry::Polygon(mp) => Some(mp.clone()),
                    AmenityGeometry::Point(_) => None,
                })
                .collect();
        }
        Ok((
            Backdrop {
                streets,
                water,
                green,
            },
            closed,
        ))
    }
}

/// The study's OpenStreetMap extract, if any layer is read from one.
fn study_extract(study: &Resolved) -> Option<String> {
    let f = &study.layers;
    f.network
        .as_ref()
        .and_then(|n| n.osm.clone())
        .or_else(|| f.amenities.iter().find_map(|a| a.osm.clone()))
        .or_else(|| f.homes.osm.clone())
        .or_else(|| f.neighbourhoods.osm.clone())
}

/// The ways that are streets, as lines: consecutive edges of one class that share a node are
/// one line (a way's edges are stored in order), so that a street is one polyline.
pub fn streets(ways: &WalkWays) -> Vec<LineString> {
    let mut lines = Vec::new();
    let mut line: Vec<Coord> = Vec::new();
    let mut last: Option<(u32, u16)> = None;
    for (edge, &class) in ways.edges.iter().zip(&ways.edge_class) {
        if PATH_CLASSES.contains(&ways.classes[class as usize].as_str()) {
            continue;
        }
        if last != Some((edge[0], class)) && line.len() >= 2 {
            lines.push(LineString(std::mem::take(&mut line)));
        }
        if last != Some((edge[0], class)) {
            line.clear();
            line.push(ways.coords[edge[0] as usize]);
        }
        line.push(ways.coords[edge[1] as usize]);
        last = Some((edge[1], class));
    }
    if line.len() >= 2 {
        lines.push(LineString(line));
    }
    lines
}

/// What an area of the extract is, as flags: it may be green and private at once.
const WATER: u8 = 1;
const GREEN: u8 = 2;
const BUILDING: u8 = 4;
const PRIVATE: u8 = 8;

/// The areas of an extract that are water or green, and with `off_limits` also buildings and
/// private land, each with its flags, in the working CRS (in the extract's order).
fn osm_areas(path: &Path, crs: &Crs, off_limits: bool) -> Result<Vec<(u8, MultiPolygon)>> {
    let tagged = |tags: &[(&str, &str)], list: &[&str]| {
        list.iter().any(|t| {
            let (k, v) = t.split_once('=').expect("tags are key=value");
            tags.contains(&(k, v))
        })
    };
    let classify = |tags: &[(&str, &str)]| -> u8 {
        let mut flags = 0;
        if tagged(tags, &WATER_TAGS) {
            flags |= WATER;
        }
        if tagged(tags, &GREEN_TAGS) {
            flags |= GREEN;
        }
        if off_limits {
            if tags.iter().any(|&(k, v)| k == "building" && v != "no") {
                flags |= BUILDING;
            }
            if is_private_land(tags) {
                flags |= PRIVATE;
            }
        }
        flags
    };
    let mut areas = layers::osm::read_areas(path, classify)?;
    let to_working = Crs::wgs84().to(crs);
    let mut failed = None;
    for (_, mp) in &mut areas {
        let mut g = Geometry::MultiPolygon(std::mem::replace(mp, MultiPolygon(Vec::new())));
        if let Err(m) = to_working.geometry(&mut g) {
            failed.get_or_insert(m);
        }
        if let Geometry::MultiPolygon(moved) = g {
            *mp = moved;
        }
    }
    match failed {
        Some(m) => Err(crate::error::Error::layer(path, m)),
        None => Ok(areas),
    }
}

/// Land the public cannot use, as far as OpenStreetMap says: an area tagged `access=private` or
/// `access=no` (a closed road is a line, not an area, unless `area=yes`), or a `landuse` of
/// [`PRIVATE_LANDUSE`].
fn is_private_land(tags: &[(&str, &str)]) -> bool {
    let value = |key: &str| tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let closed = matches!(value("access"), Some("private" | "no"));
    let a_line = value("highway").is_some() && value("area") != Some("yes");
    (closed && !a_line) || value("landuse").is_some_and(|l| PRIVATE_LANDUSE.contains(&l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_way_is_one_line_and_paths_are_left_out() {
        let mut w = WalkWays::new();
        let n: Vec<u32> = (0..5)
            .map(|i| {
                w.add_node(
                    Coord {
                        x: i as f64,
                        y: 0.0,
                    },
                    false,
                )
            })
            .collect();
        w.add_line(&n[0..3], "residential", false);
        w.add_line(&n[2..4], "footway", false);
        w.add_line(&n[3..5], "primary", false);
        let s = streets(&w);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].0.len(), 3);
        assert_eq!(
            s[1].0,
            vec![Coord { x: 3.0, y: 0.0 }, Coord { x: 4.0, y: 0.0 }]
        );
    }
}
