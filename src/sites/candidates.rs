//! Which demand points a candidate site would bring within reach, by straight-line distance.
//!
//! Each demand point (a home and age band) carries its own radius, its band's norm, so one
//! candidate reaches toddlers within 100 m and teenagers within 1000 m of it. Network reach is
//! computed by the caller from its own shortest paths; this is the straight-line case, via an
//! rstar index of the demand points.

use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::RTree;

/// For each candidate, the demand points within their own radius of it (distance <= radius),
/// sorted: the `covers` of a [`super::CoverageProblem`]. Points with a zero weight can be left
/// out by the caller beforehand; this function does not look at weights.
///
/// ```
/// use kindscape::sites::candidates::covers_within;
/// let homes = [[0.0, 0.0], [300.0, 0.0], [300.0, 0.0]];
/// let radius = [100.0, 400.0, 100.0]; // the same home: 6-11 and 0-5 band
/// let covers = covers_within(&homes, &radius, &[[250.0, 0.0], [0.0, 50.0]]);
/// assert_eq!(covers, vec![vec![1, 2], vec![0, 1]]);
/// ```
///
/// # Panics
/// If `demand_xy` and `demand_radius` differ in length (a programming error).
pub fn covers_within(
    demand_xy: &[[f64; 2]],
    demand_radius: &[f64],
    candidates_xy: &[[f64; 2]],
) -> Vec<Vec<u32>> {
    assert_eq!(
        demand_xy.len(),
        demand_radius.len(),
        "one radius per demand point"
    );
    let max_radius = demand_radius
        .iter()
        .copied()
        .filter(|r| r.is_finite())
        .fold(0.0, f64::max);
    let tree = RTree::bulk_load(
        demand_xy
            .iter()
            .enumerate()
            .map(|(i, &xy)| GeomWithData::new(xy, i as u32))
            .collect(),
    );
    candidates_xy
        .par_iter()
        .map(|&[cx, cy]| {
            let mut reached: Vec<u32> = tree
                .locate_within_distance([cx, cy], max_radius * max_radius)
                .filter(|p| {
                    let [x, y] = *p.geom();
                    (x - cx).hypot(y - cy) <= demand_radius[p.data as usize]
                })
                .map(|p| p.data)
                .collect();
            // The tree's order depends on its layout; the solver needs increasing indices.
            reached.sort_unstable();
            reached
        })
        .collect()
}
