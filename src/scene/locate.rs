//! Which neighbourhood holds each point: the first in file order whose polygon holds it, boundary
//! included (the documented rule for overlapping neighbourhoods).
//!
//! The exact test (`geo`'s point-in-polygon, on robust orientation predicates) walks every ring
//! edge of a candidate polygon, so a city of detailed boundaries pays thousands of edges per
//! home. Most homes, though, lie in a grid cell that no ring edge touches: inside such a cell
//! nothing can change from one point to the next, and nothing changes either from it to a
//! neighbouring untouched cell (no edge comes between them). So untouched cells joined side to
//! side form regions, and a region's answer is the exact answer for the first point found in
//! it, which every other point of the region takes (one edge walk per region, where one per
//! cell was one for about every other home). Only cells that an edge touches test their points
//! one by one. The answers are the exact test's, not an approximation.
//!
//! No crate offers this: `geo`'s `PreparedGeometry` speeds up `relate`, not point location, and
//! an R-tree of the polygons' boxes (what the exact test uses to find candidates) still leaves
//! the edge walk per point.

use std::sync::atomic::{AtomicU32, Ordering};

use geo::{BoundingRect, Coord, Intersects, Point, Rect};
use rayon::prelude::*;
use rstar::{primitives::GeomWithData, primitives::Rectangle, RTree};

use super::neighbourhoods::Neighbourhood;

/// Finds, for each point, the first neighbourhood (in file order) whose polygon holds it,
/// boundary included; `None` outside every neighbourhood (and for a point that is not finite).
pub fn assign_neighbourhoods(
    points: &[Coord],
    neighbourhoods: &[Neighbourhood],
) -> Vec<Option<u32>> {
    let exact = Exact::new(neighbourhoods);
    // A handful of points is not worth a grid.
    match Grid::new(neighbourhoods, points.len() / POINTS_PER_CELL) {
        Some(grid) if points.len() >= GRID_FROM_POINTS => {
            points.par_iter().map(|&c| grid.locate(c, &exact)).collect()
        }
        _ => points.par_iter().map(|&c| exact.locate(c)).collect(),
    }
}

/// Points below which every point is tested exactly.
const GRID_FROM_POINTS: usize = 4096;
/// About this many points per grid cell, when they spread like the neighbourhoods.
const POINTS_PER_CELL: usize = 2;
/// Cells along the grid's longer side, at most: 4 M cells, 20 MB.
const MAX_CELLS_PER_SIDE: usize = 2048;
/// How far, in cells, a ring edge's cells are widened against rounding.
const PAD: f64 = 1e-3;

/// The exact test: candidates from an R-tree of the polygons' boxes, then point-in-polygon.
struct Exact<'a> {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
    neighbourhoods: &'a [Neighbourhood],
}

impl<'a> Exact<'a> {
    fn new(neighbourhoods: &'a [Neighbourhood]) -> Self {
        let boxes = neighbourhoods
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                n.geometry.bounding_rect().map(|r| {
                    GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        i as u32,
                    )
                })
            })
            .collect();
        Exact {
            tree: RTree::bulk_load(boxes),
            neighbourhoods,
        }
    }

    fn locate(&self, c: Coord) -> Option<u32> {
        self.tree
            .locate_all_at_point(&[c.x, c.y])
            .map(|b| b.data)
            .filter(|&i| {
                self.neighbourhoods[i as usize]
                    .geometry
                    .intersects(&Point(c))
            })
            .min()
    }
}

/// A region's answer not yet known.
const UNKNOWN: u32 = u32::MAX;
/// In [`Grid::region`]: a cell that a ring edge touches.
const TOUCHED: u32 = u32::MAX;
/// A cell outside every neighbourhood.
const OUTSIDE: u32 = u32::MAX - 1;

/// Cells over the neighbourhoods' extent: which ones a ring edge touches, the region of each
/// untouched cell, and the answer of each region once one of its points has been located.
struct Grid {
    extent: Rect,
    /// Cell size.
    size: f64,
    columns: usize,
    rows: usize,
    /// Per cell, row by row: its region, or [`TOUCHED`].
    region: Vec<u32>,
    /// Per region.
    answers: Vec<AtomicU32>,
}

impl Grid {
    /// A grid of about `cells` cells, or `None` when there is nothing to gain (no
    /// neighbourhoods, too many of them to name in a cell, an extent with no area).
    fn new(neighbourhoods: &[Neighbourhood], cells: usize) -> Option<Grid> {
        if neighbourhoods.len() >= OUTSIDE as usize {
            return None;
        }
        let extent = crate::layers::union_rect(
            neighbourhoods
                .iter()
                .filter_map(|n| n.geometry.bounding_rect()),
        )?;
        let (width, height) = (extent.width(), extent.height());
        let magnitude = [extent.min(), extent.max()]
            .iter()
            .map(|c| c.x.abs().max(c.y.abs()))
            .fold(0.0, f64::max);
        let size = (width * height / cells.max(1) as f64)
            .sqrt()
            .max(width.max(height) / MAX_CELLS_PER_SIDE as f64);
        // The padding of `touch` must stay far above the rounding of coordinates of this
        // magnitude (a few ulps, about 1e-15 of it): cells of at least a millionth of it.
        if !(size.is_finite() && size > magnitude * 1e-6) {
            return None;
        }
        let columns = ((width / size) as usize + 1).min(MAX_CELLS_PER_SIDE + 1);
        let rows = ((height / size) as usize + 1).min(MAX_CELLS_PER_SIDE + 1);
        let mut grid = Grid {
            extent,
            size,
            columns,
            rows,
            region: vec![0; columns * rows],
            answers: Vec::new(),
        };
        for n in neighbourhoods {
            for polygon in &n.geometry.0 {
                for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    for line in ring.lines() {
                        grid.touch(line.start, line.end);
                    }
                }
            }
        }
        let regions = grid.join_regions();
        grid.answers = (0..regions).map(|_| AtomicU32::new(UNKNOWN)).collect();
        Some(grid)
    }

    /// Numbers the regions of untouched cells (joined side to side) from 0, cell by cell;
    /// returns how many there are.
    fn join_regions(&mut self) -> usize {
        const UNSEEN: u32 = u32::MAX - 1;
        for r in self.region.iter_mut().filter(|r| **r != TOUCHED) {
            *r = UNSEEN;
        }
        let (columns, rows) = (self.columns, self.rows);
        let mut regions = 0;
        let mut stack = Vec::new();
        for start in 0..self.region.len() {
            if self.region[start] != UNSEEN {
                continue;
            }
            // At most 2049 x 2049 cells: far below the two numbers kept for marks.
            let id = regions as u32;
            regions += 1;
            self.region[start] = id;
            stack.push(start);
            while let Some(cell) = stack.pop() {
                let (row, column) = (cell / columns, cell % columns);
                let sides = [
                    (column > 0).then(|| cell - 1),
                    (column + 1 < columns).then(|| cell + 1),
                    (row > 0).then(|| cell - columns),
                    (row + 1 < rows).then(|| cell + columns),
                ];
                for next in sides.into_iter().flatten() {
                    if self.region[next] == UNSEEN {
                        self.region[next] = id;
                        stack.push(next);
                    }
                }
            }
        }
        regions
    }

    /// The column of `x`, a monotonic function: every point of a segment lies in the columns
    /// between its ends' columns.
    fn column(&self, x: f64) -> usize {
        (((x - self.extent.min().x) / self.size) as usize).min(self.columns - 1)
    }

    fn row(&self, y: f64) -> usize {
        (((y - self.extent.min().y) / self.size) as usize).min(self.rows - 1)
    }

    /// Marks every cell that the segment `a`-`b` may touch: column by column, the rows the
    /// segment spans over that column. Every bound is widened by `pad`, far above the rounding
    /// of this arithmetic and of [`Grid::column`] (see [`Grid::new`]), so no cell is left out.
    fn touch(&mut self, a: Coord, b: Coord) {
        let (left, right) = if a.x <= b.x { (a, b) } else { (b, a) };
        let (low, high) = (a.y.min(b.y), a.y.max(b.y));
        let pad = self.size * PAD;
        let y_at = |x: f64| {
            let t = ((x - left.x) / (right.x - left.x)).clamp(0.0, 1.0);
            (left.y + t * (right.y - left.y)).clamp(low, high)
        };
        let origin = self.extent.min().x;
        for column in self.column(left.x - pad)..=self.column(right.x + pad) {
            let (y0, y1) = if right.x - left.x > pad {
                let from = (origin + column as f64 * self.size - pad).max(left.x);
                let to = (origin + (column + 1) as f64 * self.size + pad).min(right.x);
                let (y0, y1) = (y_at(from), y_at(to));
                (y0.min(y1), y0.max(y1))
            } else {
                // (Nearly) vertical: the whole span, over one or two columns.
                (low, high)
            };
            for row in self.row(y0 - pad)..=self.row(y1 + pad) {
                self.region[row * self.columns + column] = TOUCHED;
            }
        }
    }

    fn locate(&self, c: Coord, exact: &Exact) -> Option<u32> {
        let outside = !(c.x >= self.extent.min().x
            && c.x <= self.extent.max().x
            && c.y >= self.extent.min().y
            && c.y <= self.extent.max().y);
        if outside {
            // Beyond every polygon's box (or not a number): in none of them.
            return None;
        }
        let cell = self.row(c.y) * self.columns + self.column(c.x);
        let region = self.region[cell];
        if region == TOUCHED {
            return exact.locate(c);
        }
        let answer = match self.answers[region as usize].load(Ordering::Relaxed) {
            UNKNOWN => {
                let found = exact.locate(c);
                // Threads that race here store the same answer.
                self.answers[region as usize].store(found.unwrap_or(OUTSIDE), Ordering::Relaxed);
                return found;
            }
            known => known,
        };
        (answer != OUTSIDE).then_some(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, MultiPolygon, Polygon};
    use proptest::prelude::*;

    fn neighbourhood(polygons: Vec<Polygon>) -> Neighbourhood {
        Neighbourhood {
            id: String::new(),
            name: String::new(),
            population: None,
            children: Vec::new(),
            area_m2: 0.0,
            geometry: MultiPolygon(polygons),
            kept: Vec::new(),
            props: Default::default(),
        }
    }

    fn located_by_grid(
        points: &[Coord],
        hoods: &[Neighbourhood],
        cells: usize,
    ) -> Vec<Option<u32>> {
        let exact = Exact::new(hoods);
        let grid = Grid::new(hoods, cells).expect("a grid");
        points.iter().map(|&c| grid.locate(c, &exact)).collect()
    }

    /// A star-shaped ring around `centre`: `radii` at evenly spread angles.
    fn star(centre: (f64, f64), radii: &[f64], turn: f64) -> LineString {
        let n = radii.len() as f64;
        radii
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let a = turn + std::f64::consts::TAU * i as f64 / n;
                (centre.0 + r * a.cos(), centre.1 + r * a.sin())
            })
            .collect::<Vec<_>>()
            .into()
    }

    #[test]
    fn by_hand_overlaps_holes_and_boundaries() {
        let square = |x0: f64, y0: f64, side: f64| -> LineString {
            vec![
                (x0, y0),
                (x0 + side, y0),
                (x0 + side, y0 + side),
                (x0, y0 + side),
                (x0, y0),
            ]
            .into()
        };
        // 0: a 100 m square with a 20 m hole; 1: overlaps 0's right half; 2: far away.
        let hoods = vec![
            neighbourhood(vec![Polygon::new(
                square(0.0, 0.0, 100.0),
                vec![square(40.0, 40.0, 20.0)],
            )]),
            neighbourhood(vec![Polygon::new(square(50.0, 0.0, 100.0), vec![])]),
            neighbourhood(vec![Polygon::new(square(1000.0, 1000.0, 10.0), vec![])]),
        ];
        let points = [
            Coord { x: 10.0, y: 10.0 },   // 0
            Coord { x: 45.0, y: 50.0 },   // in 0's hole: none
            Coord { x: 55.0, y: 50.0 },   // in 0's hole, inside 1: 1
            Coord { x: 70.0, y: 10.0 },   // both: the first, 0
            Coord { x: 120.0, y: 10.0 },  // 1
            Coord { x: 0.0, y: 0.0 },     // 0's corner: 0
            Coord { x: 40.0, y: 50.0 },   // the hole's edge: 0
            Coord { x: 150.0, y: 100.0 }, // 1's corner: 1
            Coord { x: 500.0, y: 500.0 }, // inside the extent, in none
            Coord {
                x: 1005.0,
                y: 1010.0,
            },
            Coord { x: -1.0, y: 0.0 },
            Coord {
                x: f64::NAN,
                y: 3.0,
            },
        ];
        let want = [
            Some(0),
            None,
            Some(1),
            Some(0),
            Some(1),
            Some(0),
            Some(0),
            Some(1),
            None,
            Some(2),
            None,
            None,
        ];
        for cells in [1, 7, 100, 10_000, 1 << 22] {
            // Twice: the second pass reads the answers the first stored.
            for _ in 0..2 {
                assert_eq!(
                    located_by_grid(&points, &hoods, cells),
                    want,
                    "{cells} cells"
                );
            }
        }
        let many: Vec<Coord> = points
            .iter()
            .cycle()
            .take(GRID_FROM_POINTS * 2)
            .copied()
            .collect();
        let got = assign_neighbourhoods(&many, &hoods);
        assert!(got.iter().zip(want.iter().cycle()).all(|(g, w)| g == w));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The grid gives the exact test's answer for every point: random stars (overlapping,
        /// some with holes), points anywhere, on vertices, on edges' midpoints and on the
        /// grid's own cell lines.
        #[test]
        fn grid_equals_the_exact_test(
            stars in prop::collection::vec(
                ((0.0..1000.0f64, 0.0..1000.0f64), prop::collection::vec(5.0..400.0f64, 3..40),
                 0.0..6.3f64, any::<bool>()),
                1..8),
            free in prop::collection::vec((-100.0..1100.0f64, -100.0..1100.0f64), 0..300),
            cells in 1usize..5000,
        ) {
            let hoods: Vec<Neighbourhood> = stars
                .iter()
                .map(|(centre, radii, turn, hole)| {
                    let outer = star(*centre, radii, *turn);
                    let holes = match hole {
                        true => vec![star(*centre, &[2.0, 3.0, 2.5, 4.0], *turn)],
                        false => vec![],
                    };
                    neighbourhood(vec![Polygon::new(outer, holes)])
                })
                .collect();
            let mut points: Vec<Coord> = free.iter().map(|&(x, y)| Coord { x, y }).collect();
            for n in &hoods {
                for line in n.geometry.0[0].exterior().lines() {
                    points.push(line.start);
                    points.push(Coord {
                        x: (line.start.x + line.end.x) / 2.0,
                        y: (line.start.y + line.end.y) / 2.0,
                    });
                }
            }
            let exact = Exact::new(&hoods);
            let grid = Grid::new(&hoods, cells).expect("a grid");
            for i in 0..grid.columns.min(50) {
                for j in 0..grid.rows.min(50) {
                    points.push(Coord {
                        x: grid.extent.min().x + i as f64 * grid.size,
                        y: grid.extent.min().y + j as f64 * grid.size,
                    });
                }
            }
            let want: Vec<Option<u32>> = points.iter().map(|&c| exact.locate(c)).collect();
            for pass in 0..2 {
                let got: Vec<Option<u32>> = points.iter().map(|&c| grid.locate(c, &exact)).collect();
                prop_assert_eq!(&got, &want, "pass {}", pass);
            }
            // Some cells must have been answered without an edge walk, or this tests nothing.
            let untouched = grid.region.iter().filter(|r| **r != TOUCHED).count();
            prop_assert!(untouched > 0 || grid.columns * grid.rows < 64);
        }
    }
}
