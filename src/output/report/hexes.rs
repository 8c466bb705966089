//! The home-level layer of the gap map: homes binned into a hexagon grid, each hexagon holding
//! the children of its homes who live beyond the norm. Hexagons rather than a dot per home, so
//! that a town where nearly every home is outside the norm still shows where most children are,
//! and a city of a million homes draws a few thousand shapes.
//!
//! Pointy-top hexagons on axial coordinates anchored at the working CRS's origin, so a hexagon's
//! place does not depend on the study area. Written here because the binning is a few lines and
//! no georust crate does it.

use std::collections::BTreeMap;

use geo::{Coord, Rect};

use crate::measures::distribution::round_length;

/// One hexagon: its centre (working CRS) and the sum of its homes' values.
#[derive(Debug, Clone, PartialEq)]
pub struct Hex {
    pub centre: Coord,
    pub value: f64,
}

/// A hexagon grid: `width` is the distance between opposite sides, in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HexGrid {
    pub width: f64,
}

impl HexGrid {
    /// About 50 hexagons across the study area's longer side, a round width of at least 50 m.
    pub fn for_extent(extent: Rect) -> HexGrid {
        let span = extent.width().max(extent.height());
        HexGrid {
            width: round_length(span / 50.0).max(50.0),
        }
    }

    /// The circumradius (centre to corner).
    pub fn radius(&self) -> f64 {
        self.width / 3f64.sqrt()
    }

    /// The axial coordinates of the hexagon holding `c` (cube rounding).
    pub fn cell(&self, c: Coord) -> (i64, i64) {
        let r = self.radius();
        let q = (3f64.sqrt() / 3.0 * c.x - c.y / 3.0) / r;
        let s = (2.0 / 3.0 * c.y) / r;
        let (x, z) = (q, s);
        let y = -x - z;
        let (mut rx, ry, mut rz) = (x.round(), y.round(), z.round());
        let (dx, dy, dz) = ((rx - x).abs(), (ry - y).abs(), (rz - z).abs());
        if dx > dy && dx > dz {
            rx = -ry - rz;
        } else if dy <= dz {
            rz = -rx - ry;
        }
        (rx as i64, rz as i64)
    }

    /// The centre of hexagon `(q, r)`.
    pub fn centre(&self, (q, r): (i64, i64)) -> Coord {
        let radius = self.radius();
        Coord {
            x: radius * 3f64.sqrt() * (q as f64 + r as f64 / 2.0),
            y: radius * 1.5 * r as f64,
        }
    }

    /// The corners of the hexagon around `centre`, counter-clockwise from the lower right.
    pub fn corners(&self, centre: Coord) -> [Coord; 6] {
        let r = self.radius();
        std::array::from_fn(|i| {
            let a = std::f64::consts::PI / 180.0 * (60.0 * i as f64 - 30.0);
            Coord {
                x: centre.x + r * a.cos(),
                y: centre.y + r * a.sin(),
            }
        })
    }

    /// The hexagons whose homes' values sum above 0, in grid order (deterministic).
    pub fn bin(&self, coords: &[Coord], values: &[f64]) -> Vec<Hex> {
        let positive = coords
            .iter()
            .zip(values)
            .filter(|(_, v)| **v > 0.0)
            .map(|(c, v)| (*c, *v));
        self.bin_by(positive, |sum, v| *sum += v)
            .into_iter()
            .map(|(centre, value)| Hex { centre, value })
            .collect()
    }

    /// Per hexagon holding any of `items`, its centre and their values folded by `add` from
    /// `T::default()`, in grid order (deterministic).
    ///
    /// Each hexagon's values are folded in the items' order. The sums go into a table over the
    /// hexagons' bounding range when it is not much larger than the items (homes binned about
    /// 50 hexagons across: a million look-ups in an ordered map were most of the gap map's
    /// time), and into an ordered map otherwise; both give the same result.
    pub fn bin_by<V, T: Default>(
        &self,
        items: impl IntoIterator<Item = (Coord, V)>,
        add: impl Fn(&mut T, V),
    ) -> Vec<(Coord, T)> {
        // Sized for the most items there can be: the gap map's homes come through a filter,
        // and growing to a million cells by doubling copied them about twice.
        let items = items.into_iter();
        let mut cells: Vec<((i64, i64), V)> = Vec::with_capacity(items.size_hint().1.unwrap_or(0));
        cells.extend(items.map(|(c, v)| (self.cell(c), v)));
        let range = |axis: fn(&(i64, i64)) -> i64| {
            let lo = cells.iter().map(|(c, _)| axis(c)).min()?;
            let hi = cells.iter().map(|(c, _)| axis(c)).max()?;
            Some((lo, i128::from(hi) - i128::from(lo) + 1))
        };
        let (Some((q0, qs)), Some((r0, rs))) = (range(|c| c.0), range(|c| c.1)) else {
            return Vec::new();
        };
        if qs * rs > 4 * cells.len() as i128 + 4096 {
            let mut sums: BTreeMap<(i64, i64), T> = BTreeMap::new();
            for (cell, v) in cells {
                add(sums.entry(cell).or_default(), v);
            }
            return sums
                .into_iter()
                .map(|(cell, value)| (self.centre(cell), value))
                .collect();
        }
        // Row by row in q, then r: the ordered map's order.
        let (qs, rs) = (qs as usize, rs as usize);
        let mut sums: Vec<Option<T>> = std::iter::repeat_with(|| None).take(qs * rs).collect();
        for ((q, r), v) in cells {
            let at = (q - q0) as usize * rs + (r - r0) as usize;
            add(sums[at].get_or_insert_with(T::default), v);
        }
        sums.into_iter()
            .enumerate()
            .filter_map(|(at, sum)| {
                let cell = (q0 + (at / rs) as i64, r0 + (at % rs) as i64);
                sum.map(|value| (self.centre(cell), value))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn homes_fall_in_the_nearest_centre() {
        // Width 100 m: centres 100 m apart along x, rows 86.6 m apart, odd rows shifted 50 m.
        let g = HexGrid { width: 100.0 };
        assert_eq!(g.cell(c(0.0, 0.0)), (0, 0));
        assert_eq!(g.cell(c(49.0, 0.0)), (0, 0));
        assert_eq!(g.cell(c(51.0, 0.0)), (1, 0));
        let up = g.centre((0, 1));
        assert!((up.x - 50.0).abs() < 1e-9 && (up.y - 86.602_540_378).abs() < 1e-6);
        assert_eq!(g.cell(c(50.0, 80.0)), (0, 1));
        // Every corner is one radius (57.7 m) from the centre.
        for k in g.corners(c(0.0, 0.0)) {
            assert!(((k.x * k.x + k.y * k.y).sqrt() - 57.735_026_9).abs() < 1e-6);
        }
        // Brute force: every point belongs to the centre nearest to it.
        for i in 0..40 {
            for j in 0..40 {
                let p = c(i as f64 * 7.3 - 140.0, j as f64 * 6.1 - 120.0);
                let mine = g.centre(g.cell(p));
                let d = |q: Coord| (q.x - p.x).hypot(q.y - p.y);
                for dq in -2..=2 {
                    for dr in -2..=2 {
                        let (q, r) = g.cell(p);
                        assert!(d(mine) <= d(g.centre((q + dq, r + dr))) + 1e-9);
                    }
                }
            }
        }
    }

    #[test]
    fn sums_per_hexagon_leave_out_zeros() {
        let g = HexGrid { width: 100.0 };
        let hexes = g.bin(
            &[c(0.0, 0.0), c(10.0, 5.0), c(200.0, 0.0), c(400.0, 0.0)],
            &[1.5, 2.0, 3.0, 0.0],
        );
        assert_eq!(
            hexes,
            vec![
                Hex {
                    centre: c(0.0, 0.0),
                    value: 3.5
                },
                Hex {
                    centre: c(200.0, 0.0),
                    value: 3.0
                }
            ]
        );
        let r = Rect::new(c(0.0, 0.0), c(12_000.0, 3_000.0));
        assert_eq!(HexGrid::for_extent(r).width, 200.0);
    }

    /// The table and the ordered map (for hexagons spread far apart) give what a plain ordered
    /// map of every hexagon's values, folded in the items' order, gives.
    #[test]
    fn binning_agrees_with_an_ordered_map() {
        let g = HexGrid { width: 100.0 };
        let mut state = 11u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let dense: Vec<(Coord, f64)> = (0..5000)
            .map(|_| (c(next() * 3000.0 - 900.0, next() * 2000.0 - 700.0), next()))
            .collect();
        let mut sparse = dense[..20].to_vec();
        sparse.push((c(5e7, -3e7), 1.0));
        for items in [dense, sparse] {
            let mut expected: BTreeMap<(i64, i64), Vec<f64>> = BTreeMap::new();
            for (p, v) in &items {
                expected.entry(g.cell(*p)).or_default().push(*v);
            }
            let expected: Vec<(Coord, Vec<f64>)> = expected
                .into_iter()
                .map(|(cell, values)| (g.centre(cell), values))
                .collect();
            let got = g.bin_by(items, |list: &mut Vec<f64>, v| list.push(v));
            assert_eq!(got, expected);
        }
        assert!(g
            .bin_by(Vec::<(Coord, f64)>::new(), |s: &mut f64, v| *s += v)
            .is_empty());
    }
}
