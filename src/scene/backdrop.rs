//! What the report's maps draw under the figures so that a reader finds their way: streets from
//! the walking network, and water and green areas from the study's OpenStreetMap extract. None of
//! it enters a measure; a study without a network or an extract has an empty backdrop.

use std::path::Path;

use geo::{Coord, Geometry, LineString, MultiPolygon};

use super::{AmenityGeometry, AmenityKind};
use crate::error::Result;
use crate::layers::crs::Crs;
use crate::layers::walk::WalkWays;
use crate::layers::{self, Feature};
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
    /// extract, the polygons of a `green_space` or `park` amenity kind are the green.
    pub fn of_study(
        study: &Resolved,
        walk: Option<&WalkWays>,
        amenities: &[AmenityKind],
        crs: &Crs,
    ) -> Result<Backdrop> {
        let streets = walk.map(streets).unwrap_or_default();
        let (water, mut green) = match study_extract(study) {
            Some(path) => osm_areas(&study.input_path(&path), crs)?,
            None => (Vec::new(), Vec::new()),
        };
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
        Ok(Backdrop {
            streets,
            water,
            green,
        })
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

/// Water and green areas of an extract, in the working CRS.
fn osm_areas(path: &Path, crs: &Crs) -> Result<(Vec<MultiPolygon>, Vec<MultiPolygon>)> {
    let tags: Vec<String> = WATER_TAGS
        .iter()
        .chain(&GREEN_TAGS)
        .map(|t| t.to_string())
        .collect();
    let mut layer = layers::osm::read_amenities(path, &tags)?.layer;
    layer.reproject(crs)?;
    let (mut water, mut green) = (Vec::new(), Vec::new());
    for f in &layer.features {
        let mp = match &f.geometry {
            Some(Geometry::Polygon(p)) => MultiPolygon(vec![p.clone()]),
            Some(Geometry::MultiPolygon(mp)) => mp.clone(),
            _ => continue,
        };
        if is_water(f) {
            water.push(mp);
        } else {
            green.push(mp);
        }
    }
    Ok((water, green))
}

fn is_water(f: &Feature) -> bool {
    WATER_TAGS.iter().any(|t| {
        let (k, v) = t.split_once('=').expect("tags are key=value");
        f.props.get(k).and_then(|x| x.as_str()) == Some(v)
    })
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
