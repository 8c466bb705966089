//! Many coordinates moved and rounded to a fixed number of decimals, as the GeoJSON outputs
//! write them: interpolated on a grid of exactly moved points, and moved exactly wherever the
//! interpolation could round otherwise.
//!
//! proj4rs takes about a microsecond per coordinate (RD New to WGS84 iterates twice: the
//! inverse Gauss sphere and the geocentric latitude), and a catchment layer has hundreds of
//! thousands of vertices. A CRS change is smooth over a city: bicubic (4 x 4 Lagrange)
//! interpolation between points 1 km apart is within 1e-13 degree of proj4rs (about 1e-6 of the
//! 7th decimal; the rounding of the sums, not the interpolation, sets it). Rounding only differs
//! when the value lies within that distance of a tie, so a coordinate whose interpolated value
//! is within [`TIE_GUARD`] of one is moved exactly: the result is proj4rs' rounded, bit for bit.
//! Each grid cell is checked against proj4rs at three points before it is used, and one that
//! misses by more than [`CHECKED`] (or touches a point proj4rs cannot move) is left to proj4rs.

use geo::{Coord, Rect};
use rayon::prelude::*;

use super::Transformer;

/// How close to a rounding tie (in units of the last decimal kept) an interpolated value may
/// come before the coordinate is moved exactly: 100 times [`CHECKED`].
const TIE_GUARD: f64 = 1e-3;
/// The largest difference from proj4rs a cell may show at its checks, in units of the last
/// decimal kept (1e-12 degree for 7 decimals).
const CHECKED: f64 = 1e-5;
/// Grid spacing in metres of a projected source (0.01 degree for a geographic one).
const STEP_M: f64 = 1000.0;
/// A grid is laid only when it has at most one node per this many coordinates, so that it
/// never costs more than a small share of moving every coordinate exactly.
const COORDS_PER_NODE: usize = 16;

/// Moves coordinates and rounds them: [`Rounding::coord`] is `transformer.coord(c)` with each
/// axis rounded as `(v * 10^decimals).round() / 10^decimals`.
pub struct Rounding {
    exact: Transformer,
    scale: f64,
    grid: Option<Grid>,
}

impl Rounding {
    /// For coordinates within `extent` (`count` of them, which sizes the grid).
    pub(super) fn new(exact: Transformer, decimals: i32, extent: Rect, count: usize) -> Rounding {
        let scale = 10f64.powi(decimals);
        let grid = if exact.is_identity() {
            None
        } else {
            Grid::lay(&exact, scale, extent, count / COORDS_PER_NODE)
        };
        Rounding { exact, scale, grid }
    }

    /// The coordinate moved and rounded; an error exactly when [`Transformer::coord`] fails.
    pub fn coord(&self, c: Coord) -> Result<Coord, String> {
        if let Some(near) = self.grid.as_ref().and_then(|g| g.at(c)) {
            let (x, y) = (near.x * self.scale, near.y * self.scale);
            if clear_of_tie(x) && clear_of_tie(y) {
                return Ok(Coord {
                    x: x.round() / self.scale,
                    y: y.round() / self.scale,
                });
            }
        }
        self.exact.coord(c).map(|c| self.round(c))
    }

    fn round(&self, c: Coord) -> Coord {
        Coord {
            x: (c.x * self.scale).round() / self.scale,
            y: (c.y * self.scale).round() / self.scale,
        }
    }
}

/// True when a value scaled to units of the last decimal is not within [`TIE_GUARD`] of a
/// half, where `round` turns.
fn clear_of_tie(scaled: f64) -> bool {
    (scaled - scaled.floor() - 0.5).abs() > TIE_GUARD
}

/// Exactly moved nodes `step` apart from `origin`, row by row, and which cells interpolate.
struct Grid {
    origin: Coord,
    step: f64,
    columns: usize,
    rows: usize,
    /// Moved nodes (NaN where proj4rs failed).
    nodes: Vec<Coord>,
    /// Per cell, by its lower left node: its 4 x 4 nodes exist and it passed its checks.
    usable: Vec<bool>,
}

impl Grid {
    /// `None` when the extent would need more than `max_nodes` nodes.
    fn lay(exact: &Transformer, scale: f64, extent: Rect, max_nodes: usize) -> Option<Grid> {
        let step = if exact.src.is_geographic() {
            0.01
        } else {
            STEP_M / exact.src.metres_per_unit()
        };
        let (min, max) = (extent.min(), extent.max());
        if !(min.x.is_finite() && min.y.is_finite() && max.x.is_finite() && max.y.is_finite()) {
            return None;
        }
        // One node of margin below and two above the cells holding the extent: each cell
        // interpolates from the nodes one before to two after its lower left corner.
        let first = |v: f64| (v / step).floor() - 1.0;
        let span = |lo: f64, hi: f64| (hi / step).floor() - (lo / step).floor() + 4.0;
        let (columns, rows) = (span(min.x, max.x), span(min.y, max.y));
        if columns * rows > max_nodes as f64 {
            return None;
        }
        let (columns, rows) = (columns as usize, rows as usize);
        let origin = Coord {
            x: first(min.x) * step,
            y: first(min.y) * step,
        };
        let at = |i: usize, j: usize| Coord {
            x: origin.x + i as f64 * step,
            y: origin.y + j as f64 * step,
        };
        let nan = Coord {
            x: f64::NAN,
            y: f64::NAN,
        };
        let nodes: Vec<Coord> = (0..rows * columns)
            .into_par_iter()
            .map(|n| exact.coord(at(n % columns, n / columns)).unwrap_or(nan))
            .collect();
        let mut grid = Grid {
            origin,
            step,
            columns,
            rows,
            nodes,
            usable: Vec::new(),
        };
        grid.mark_usable(exact, scale);
        Some(grid)
    }

    fn mark_usable(&mut self, exact: &Transformer, scale: f64) {
        let (columns, rows) = (self.columns, self.rows);
        self.usable = (0..rows * columns)
            .into_par_iter()
            .map(|n| {
                let (i, j) = (n % columns, n / columns);
                let inside = i >= 1 && j >= 1 && i + 3 <= columns && j + 3 <= rows;
                inside && self.passes_checks(exact, scale, i, j)
            })
            .collect();
    }

    /// The cell's 16 nodes were moved, and at the middle of the cell and of its lower and left
    /// edges (where the interpolation of each axis errs most) it is within [`CHECKED`].
    fn passes_checks(&self, exact: &Transformer, scale: f64, i: usize, j: usize) -> bool {
        let stencil_moved = (j - 1..j + 3)
            .all(|r| (i - 1..i + 3).all(|k| self.nodes[r * self.columns + k].x.is_finite()));
        stencil_moved
            && [(0.5, 0.5), (0.5, 0.0), (0.0, 0.5)].iter().all(|&(u, v)| {
                let c = Coord {
                    x: self.origin.x + (i as f64 + u) * self.step,
                    y: self.origin.y + (j as f64 + v) * self.step,
                };
                let near = self.interpolate(i, j, u, v);
                exact.coord(c).is_ok_and(|e| {
                    ((near.x - e.x) * scale).abs() <= CHECKED
                        && ((near.y - e.y) * scale).abs() <= CHECKED
                })
            })
    }

    /// The interpolated value at `c`, when it lies in a usable cell.
    fn at(&self, c: Coord) -> Option<Coord> {
        let fx = (c.x - self.origin.x) / self.step;
        let fy = (c.y - self.origin.y) / self.step;
        // Written so that NaN fails too.
        if !(fx >= 0.0 && fy >= 0.0 && fx < self.columns as f64 && fy < self.rows as f64) {
            return None;
        }
        let (i, j) = (fx.floor(), fy.floor());
        let (iu, ju) = (i as usize, j as usize);
        self.usable[ju * self.columns + iu].then(|| self.interpolate(iu, ju, fx - i, fy - j))
    }

    /// Bicubic Lagrange interpolation in cell `(i, j)` at `(u, v)` in [0, 1).
    fn interpolate(&self, i: usize, j: usize, u: f64, v: f64) -> Coord {
        let (wu, wv) = (cubic_weights(u), cubic_weights(v));
        let mut sum = Coord { x: 0.0, y: 0.0 };
        for (r, w_row) in wv.iter().enumerate() {
            let first = (j + r - 1) * self.columns + i - 1;
            let mut row = Coord { x: 0.0, y: 0.0 };
            for (node, w) in self.nodes[first..first + 4].iter().zip(&wu) {
                row.x += w * node.x;
                row.y += w * node.y;
            }
            sum.x += w_row * row.x;
            sum.y += w_row * row.y;
        }
        sum
    }
}

/// The Lagrange weights of the nodes at -1, 0, 1 and 2 for a point at `u`.
fn cubic_weights(u: f64) -> [f64; 4] {
    let (a, b, c, d) = (u + 1.0, u, u - 1.0, u - 2.0);
    [
        -b * c * d / 6.0,
        a * c * d / 2.0,
        -a * b * d / 2.0,
        a * b * c / 6.0,
    ]
}

#[cfg(test)]
mod tests {
    use super::super::Crs;
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn rounded(t: &Transformer, c: Coord, decimals: i32) -> Result<Coord, String> {
        let f = 10f64.powi(decimals);
        t.coord(c).map(|c| Coord {
            x: (c.x * f).round() / f,
            y: (c.y * f).round() / f,
        })
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })
    }

    /// The Lagrange weights reproduce a cubic exactly (here with small integers, exact in
    /// binary): the interpolation is of the fourth order, as the error bound assumes.
    #[test]
    fn cubic_weights_reproduce_cubics() {
        for u in [0.0, 0.25, 0.5, 0.75] {
            let w = cubic_weights(u);
            let f = |x: f64| 2.0 * x * x * x - x * x + 3.0 * x - 5.0;
            let at_nodes: f64 = w
                .iter()
                .zip([-1.0, 0.0, 1.0, 2.0])
                .map(|(w, x)| w * f(x))
                .sum();
            assert!(
                (at_nodes - f(u)).abs() < 1e-12,
                "{u}: {at_nodes} vs {}",
                f(u)
            );
        }
    }

    /// A grid over the Netherlands in RD New: its interpolated WGS84 values are within 1e-12
    /// degree of proj4rs (10 000 times less than the guard), and a city's cells all pass.
    #[test]
    fn rd_new_interpolation_is_near_proj4rs() {
        let (t, r) = netherlands(7);
        let grid = r.grid.as_ref().expect("a grid over the Netherlands");
        let mut worst: f64 = 0.0;
        let mut state = 7u64;
        for _ in 0..20_000 {
            let mut next = || {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 11) as f64 / (1u64 << 53) as f64
            };
            let c = Coord {
                x: 280_000.0 * next(),
                y: 300_000.0 + 320_000.0 * next(),
            };
            let near = grid.at(c).expect("every cell of the Netherlands is usable");
            let e = t.coord(c).unwrap();
            worst = worst.max((near.x - e.x).abs()).max((near.y - e.y).abs());
        }
        assert!(worst < 1e-12, "{worst:e}");
    }

    /// The grids of the proptests, laid once (a grid over the Netherlands is 90 000 nodes).
    fn netherlands(decimals: i32) -> &'static (Transformer, Rounding) {
        static GRIDS: [OnceLock<(Transformer, Rounding)>; 2] = [OnceLock::new(), OnceLock::new()];
        GRIDS[usize::from(decimals == 7)].get_or_init(|| {
            let t = Crs::from_epsg(28992).unwrap().to(&Crs::wgs84());
            let extent = rect(0.0, 300_000.0, 280_000.0, 620_000.0);
            (t.clone(), Rounding::new(t, decimals, extent, usize::MAX))
        })
    }

    fn helsinki() -> &'static (Transformer, Rounding) {
        static GRID: OnceLock<(Transformer, Rounding)> = OnceLock::new();
        GRID.get_or_init(|| {
            let t = Crs::from_epsg(3067).unwrap().to(&Crs::wgs84());
            let extent = rect(370_000.0, 6_660_000.0, 410_000.0, 6_690_000.0);
            (t.clone(), Rounding::new(t, 7, extent, usize::MAX))
        })
    }

    fn to_rd_new() -> &'static (Transformer, Rounding) {
        static GRID: OnceLock<(Transformer, Rounding)> = OnceLock::new();
        GRID.get_or_init(|| {
            let t = Crs::wgs84().to(&Crs::from_epsg(28992).unwrap());
            (
                t.clone(),
                Rounding::new(t, 2, rect(4.0, 51.0, 6.0, 53.0), usize::MAX),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Rounded to 7 decimals, every coordinate in the Netherlands (RD New) is proj4rs'
        /// rounded value bit for bit; the same for 2 decimals (about 1 km).
        #[test]
        fn rd_new_to_wgs84_rounds_as_proj4rs(
            x in 0.0f64..280_000.0,
            y in 300_000.0f64..620_000.0,
            decimals in prop::sample::select(vec![2, 7]),
        ) {
            let (t, r) = netherlands(decimals);
            prop_assert!(r.grid.is_some());
            let c = Coord { x, y };
            let (a, b) = (r.coord(c).unwrap(), rounded(t, c, decimals).unwrap());
            prop_assert_eq!((a.x.to_bits(), a.y.to_bits()), (b.x.to_bits(), b.y.to_bits()));
        }

        /// The same for Helsinki in ETRS-TM35FIN (EPSG:3067) and for WGS84 to RD New (a
        /// geographic source, the grid in degrees, rounded to centimetres).
        #[test]
        fn other_pipelines_round_as_proj4rs(u in 0.0f64..1.0, v in 0.0f64..1.0) {
            let (tm, r) = helsinki();
            let c = Coord { x: 370_000.0 + 40_000.0 * u, y: 6_660_000.0 + 30_000.0 * v };
            let (a, b) = (r.coord(c).unwrap(), rounded(tm, c, 7).unwrap());
            prop_assert_eq!((a.x.to_bits(), a.y.to_bits()), (b.x.to_bits(), b.y.to_bits()));
            let (to_rd, r) = to_rd_new();
            prop_assert!(r.grid.is_some());
            let c = Coord { x: 4.0 + 2.0 * u, y: 51.0 + 2.0 * v };
            let (a, b) = (r.coord(c).unwrap(), rounded(to_rd, c, 2).unwrap());
            prop_assert_eq!((a.x.to_bits(), a.y.to_bits()), (b.x.to_bits(), b.y.to_bits()));
        }
    }

    /// Where the interpolation would round the other way: values within the guard of a tie go
    /// to proj4rs. Near every tie of a dense line of points the results agree with proj4rs,
    /// and some of those points were within the guard (so the exact path was taken).
    #[test]
    fn values_near_a_tie_are_moved_exactly() {
        let t = Crs::from_epsg(28992).unwrap().to(&Crs::wgs84());
        let r = Rounding::new(
            t.clone(),
            7,
            rect(150_000.0, 460_000.0, 160_000.0, 470_000.0),
            usize::MAX,
        );
        let grid = r.grid.as_ref().unwrap();
        let mut guarded = 0;
        for k in 0..200_000 {
            let c = Coord {
                x: 150_000.0 + k as f64 * 0.05,
                y: 460_000.0 + k as f64 * 0.0137,
            };
            let near = grid.at(c).unwrap();
            if !(clear_of_tie(near.x * 1e7) && clear_of_tie(near.y * 1e7)) {
                guarded += 1;
            }
            assert_eq!(r.coord(c).unwrap(), rounded(&t, c, 7).unwrap(), "{c:?}");
        }
        assert!(guarded > 100, "{guarded}");
    }

    /// Outside the grid and for non-finite input the result (and the error) is proj4rs'.
    #[test]
    fn falls_back_outside_the_grid() {
        let t = Crs::from_epsg(28992).unwrap().to(&Crs::wgs84());
        let extent = rect(150_000.0, 460_000.0, 152_000.0, 462_000.0);
        let r = Rounding::new(t.clone(), 7, extent, usize::MAX);
        let far = Coord {
            x: 100_000.0,
            y: 400_000.0,
        };
        assert_eq!(r.coord(far), rounded(&t, far, 7));
        let nan = Coord {
            x: f64::NAN,
            y: 460_500.0,
        };
        assert_eq!(r.coord(nan), rounded(&t, nan, 7));
        assert!(r.coord(nan).is_err());
        let few = Rounding::new(t.clone(), 7, extent, 10);
        assert!(few.grid.is_none());
    }

    /// A node proj4rs could not move makes the 16 cells that interpolate from it unusable,
    /// and only those; their coordinates are still proj4rs' rounded.
    #[test]
    fn a_failed_node_takes_out_the_cells_around_it() {
        let t = Crs::from_epsg(28992).unwrap().to(&Crs::wgs84());
        let extent = rect(150_000.0, 460_000.0, 160_000.0, 470_000.0);
        let mut r = Rounding::new(t.clone(), 7, extent, usize::MAX);
        let grid = r.grid.as_mut().unwrap();
        let (i, j) = (5, 6);
        grid.nodes[j * grid.columns + i] = Coord {
            x: f64::NAN,
            y: f64::NAN,
        };
        grid.mark_usable(&t, 1e7);
        for cj in 0..grid.rows {
            for ci in 0..grid.columns {
                let inside = ci >= 1 && cj >= 1 && ci + 3 <= grid.columns && cj + 3 <= grid.rows;
                // Cell (ci, cj) interpolates from nodes ci - 1 ..= ci + 2, cj - 1 ..= cj + 2.
                let touches = ci <= i + 1 && ci + 2 >= i && cj <= j + 1 && cj + 2 >= j;
                assert_eq!(
                    grid.usable[cj * grid.columns + ci],
                    inside && !touches,
                    "{ci} {cj}"
                );
            }
        }
        let origin = grid.origin;
        let c = Coord {
            x: origin.x + 5_300.0,
            y: origin.y + 6_700.0,
        };
        assert!(r.grid.as_ref().unwrap().at(c).is_none());
        assert_eq!(r.coord(c), rounded(&t, c, 7));
    }

    /// Web Mercator near the North Pole: proj4rs refuses the nodes at 90 degrees and the map
    /// bends too fast for a 0.01-degree grid, so no cell there is used and the results and the
    /// errors are proj4rs'.
    #[test]
    fn a_pipeline_that_fails_or_bends_is_left_to_proj4rs() {
        let merc = Crs::wgs84().to(&Crs::from_epsg(3857).unwrap());
        let r = Rounding::new(merc.clone(), 2, rect(0.0, 89.5, 0.05, 89.98), usize::MAX);
        let grid = r.grid.as_ref().unwrap();
        assert!(grid.nodes.iter().any(|n| n.x.is_nan()));
        assert!(!grid.usable.iter().any(|u| *u));
        assert!(r.coord(Coord { x: 0.02, y: 90.005 }).is_err());
        for c in [
            Coord { x: 0.02, y: 89.6 },
            Coord { x: 0.02, y: 89.975 },
            Coord { x: 0.02, y: 90.005 },
        ] {
            assert_eq!(r.coord(c), rounded(&merc, c, 2), "{c:?}");
        }
    }
}
