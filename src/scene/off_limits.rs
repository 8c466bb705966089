//! Where a generated site cannot go: water, buildings and private land, as the study's
//! OpenStreetMap extract maps them. A study without an extract knows none of them, and says so.

use std::path::PathBuf;

use geo::{BoundingRect, Contains, Coord, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// `landuse` values whose land the public cannot enter (barracks, railway yards, works,
/// building sites, tips, pits): a playground cannot be built there by a council.
pub const PRIVATE_LANDUSE: [&str; 6] = [
    "military",
    "railway",
    "industrial",
    "construction",
    "landfill",
    "quarry",
];

/// Water, buildings and private land, in the working CRS.
#[derive(Debug, Clone, Default)]
pub struct OffLimits {
    /// The extract they were read from; `None`: nothing is known (every list is empty).
    pub mapped_by: Option<PathBuf>,
    pub water: Vec<MultiPolygon>,
    pub buildings: Vec<MultiPolygon>,
    pub private: Vec<MultiPolygon>,
}

/// Why a point is off limits, in the order it is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffLimitsBy {
    Water,
    Building,
    Private,
}

/// The areas of [`OffLimits`] in one R-tree of bounding boxes, for many point queries.
pub struct OffLimitsIndex<'a> {
    areas: Vec<(&'a MultiPolygon, OffLimitsBy)>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

impl OffLimits {
    /// An index of every area, for [`OffLimitsIndex::judge`].
    pub fn index(&self) -> OffLimitsIndex<'_> {
        let areas: Vec<(&MultiPolygon, OffLimitsBy)> = [
            (&self.water, OffLimitsBy::Water),
            (&self.buildings, OffLimitsBy::Building),
            (&self.private, OffLimitsBy::Private),
        ]
        .into_iter()
        .flat_map(|(list, by)| list.iter().map(move |mp| (mp, by)))
        .collect();
        let boxes = areas
            .iter()
            .enumerate()
            .filter_map(|(i, (mp, _))| {
                mp.bounding_rect().map(|r| {
                    GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        i as u32,
                    )
                })
            })
            .collect();
        OffLimitsIndex {
            areas,
            tree: RTree::bulk_load(boxes),
        }
    }
}

impl OffLimitsIndex<'_> {
    /// Why `c` is off limits (strictly inside an area: a point on a building's wall or a lake's
    /// shore is not), water before buildings before private land; `None` where a site may go.
    pub fn judge(&self, c: Coord) -> Option<OffLimitsBy> {
        let p = Point(c);
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_point([c.x, c.y]))
            .filter(|b| self.areas[b.data as usize].0.contains(&p))
            .map(|b| self.areas[b.data as usize].1)
            .min_by_key(|by| *by as u8)
    }
}
