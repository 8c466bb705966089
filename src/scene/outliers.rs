//! Points far outside the study area: coordinates a typo, a swapped axis or a wrong CRS put
//! thousands of kilometres away. Such a point is never a home's neighbour, but as the only
//! library of a layer it makes every distance to a library absurd; as a home it hides in the
//! count of homes outside every neighbourhood. A warning names it.

use geo::{BoundingRect, Coord, Rect};

use super::neighbourhoods::Neighbourhood;
use crate::error::shown;
use crate::layers;

/// A point is far when it lies farther from the neighbourhoods' bounding box than ten times
/// the box's longer side, and at least this far: amenities a few kilometres past a town's edge,
/// or a region's file for one town, are ordinary, while no walking norm is 100 km.
const FAR_AT_LEAST_M: f64 = 100_000.0;
const FAR_TIMES_EXTENT: f64 = 10.0;

/// The neighbourhoods' bounding box and the distance from it beyond which a point is far.
pub struct StudyArea {
    rect: Rect,
    far_m: f64,
}

impl StudyArea {
    pub fn of(neighbourhoods: &[Neighbourhood]) -> Option<StudyArea> {
        let rect = layers::union_rect(
            neighbourhoods
                .iter()
                .filter_map(|n| n.geometry.bounding_rect()),
        )?;
        let side = rect.width().max(rect.height());
        Some(StudyArea {
            rect,
            far_m: (FAR_TIMES_EXTENT * side).max(FAR_AT_LEAST_M),
        })
    }

    /// Metres from the bounding box (0 inside it).
    pub fn distance_outside(&self, c: Coord) -> f64 {
        let dx = (self.rect.min().x - c.x)
            .max(c.x - self.rect.max().x)
            .max(0.0);
        let dy = (self.rect.min().y - c.y)
            .max(c.y - self.rect.max().y)
            .max(0.0);
        dx.hypot(dy)
    }

    /// The far points among `points` (each with a number to name it by): how many, and the
    /// farthest with its distance.
    pub fn far(&self, points: impl Iterator<Item = (Coord, usize)>) -> Option<(usize, f64, usize)> {
        let mut count = 0;
        let mut farthest: Option<(f64, usize)> = None;
        for (c, which) in points {
            let d = self.distance_outside(c);
            // NaN never is: reprojection refuses non-finite coordinates before this.
            if d > self.far_m {
                count += 1;
                if farthest.is_none_or(|(f, _)| d > f) {
                    farthest = Some((d, which));
                }
            }
        }
        farthest.map(|(d, which)| (count, d, which))
    }

    /// The warning for far points of a layer, if any; `name` says which point a number is.
    pub fn warning(
        &self,
        layer: &str,
        what: &str,
        points: impl Iterator<Item = (Coord, usize)>,
        name: impl Fn(usize) -> String,
    ) -> Option<String> {
        let (count, d, which) = self.far(points)?;
        Some(format!(
            "{layer}: {count} {what} lie far outside the study area, more than {} km from the neighbourhoods (the farthest, {}, is {} km away); check their coordinates and CRS",
            shown((self.far_m / 1000.0).round()),
            name(which),
            shown((d / 1000.0).round())
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

    fn neighbourhood(x: f64, y: f64, side: f64) -> Neighbourhood {
        Neighbourhood {
            id: "A".into(),
            name: "a".into(),
            population: None,
            children: vec![],
            area_m2: side * side,
            geometry: MultiPolygon(vec![
                polygon![(x: x, y: y), (x: x + side, y: y), (x: x + side, y: y + side), (x: x, y: y + side)],
            ]),
            kept: vec![],
            props: Default::default(),
        }
    }

    #[test]
    fn far_is_ten_extents_and_at_least_100_km() {
        // A 2 km town: far begins 100 km out.
        let town = StudyArea::of(&[neighbourhood(0.0, 0.0, 2000.0)]).unwrap();
        assert_eq!(
            town.distance_outside(Coord {
                x: 1000.0,
                y: 1000.0
            }),
            0.0
        );
        // 3-4-5: 30 km east and 40 km north of the top-right corner is 50 km out.
        assert_eq!(
            town.distance_outside(Coord {
                x: 32_000.0,
                y: 42_000.0
            }),
            50_000.0
        );
        let points = [
            (
                Coord {
                    x: 101_000.0 + 2000.0,
                    y: 0.0,
                },
                1,
            ),
            (
                Coord {
                    x: 99_000.0 + 2000.0,
                    y: 0.0,
                },
                2,
            ),
            (
                Coord {
                    x: 1000.0,
                    y: -181_945_000.0,
                },
                3,
            ),
        ];
        let (count, d, which) = town.far(points.into_iter()).unwrap();
        assert_eq!((count, which), (2, 3));
        assert_eq!(d, 181_945_000.0);
        let w = town
            .warning("playground", "feature(s)", points.into_iter(), |i| {
                format!("feature {i}")
            })
            .unwrap();
        assert!(w.contains("2 feature(s) lie far outside"), "{w}");
        assert!(w.contains("more than 100 km"), "{w}");
        assert!(w.contains("feature 3, is 181945 km away"), "{w}");
        // A 50 km region: far begins 500 km out.
        let region = StudyArea::of(&[neighbourhood(0.0, 0.0, 50_000.0)]).unwrap();
        assert!(region
            .far(
                [(
                    Coord {
                        x: 540_000.0,
                        y: 0.0
                    },
                    0
                )]
                .into_iter()
            )
            .is_none());
        assert!(region
            .far(
                [(
                    Coord {
                        x: 560_000.0,
                        y: 0.0
                    },
                    0
                )]
                .into_iter()
            )
            .is_some());
    }
}
