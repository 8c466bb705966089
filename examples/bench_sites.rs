//! Times site selection at city scale: 5 of 500 candidates over 1,000,000 demand points.
//!
//! Demand: a 1000 x 1000 grid of points 10 m apart (a 10 km square), 0-3 children each
//! (pseudo-random, seeded). Candidates: 500 seeded random points; each covers the grid points
//! within the radius (400 m, the 6-11 norm; 1000 m, the 12-17 norm). Run with
//! `cargo run --release --example bench_sites`.

use std::time::Instant;

use kindscape::sites::{select, CoverageProblem};

const SIDE: usize = 1000;
const SPACING: f64 = 10.0;

fn main() -> Result<(), kindscape::Error> {
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let weights: Vec<f64> = (0..SIDE * SIDE).map(|_| (next() % 4) as f64).collect();
    let extent = SIDE as f64 * SPACING;
    let candidates: Vec<(f64, f64)> = (0..500)
        .map(|_| {
            let x = (next() % 1_000_000) as f64 / 1e6 * extent;
            let y = (next() % 1_000_000) as f64 / 1e6 * extent;
            (x, y)
        })
        .collect();
    for radius in [400.0, 1000.0] {
        let covers: Vec<Vec<u32>> = candidates
            .iter()
            .map(|&(cx, cy)| within(cx, cy, radius))
            .collect();
        let entries: usize = covers.iter().map(Vec::len).sum();
        // A capacity that binds for half the candidates: the median weight a candidate reaches.
        let mut reach: Vec<f64> = covers
            .iter()
            .map(|c| c.iter().map(|&d| weights[d as usize]).sum())
            .collect();
        reach.sort_by(f64::total_cmp);
        for capacity in [None, Some(reach[reach.len() / 2])] {
            let problem = CoverageProblem::new(weights.clone(), covers.clone(), capacity)?;
            let start = Instant::now();
            let selection = select(&problem, 5);
            let seconds = start.elapsed().as_secs_f64();
            println!(
                "radius {radius} m, capacity {capacity:?}: {} demand points, 500 candidates, \
                 {entries} cover entries; 5 sites in {seconds:.3} s; chosen {:?}, covered {:.0}",
                problem.demand_count(),
                selection.chosen,
                selection.covered()
            );
        }
    }
    Ok(())
}

/// Grid points within `radius` of (cx, cy), in increasing index order.
fn within(cx: f64, cy: f64, radius: f64) -> Vec<u32> {
    let cell = |v: f64| ((v / SPACING).floor().max(0.0) as usize).min(SIDE - 1);
    let (row_lo, row_hi) = (cell(cy - radius), cell(cy + radius));
    let (col_lo, col_hi) = (cell(cx - radius), cell(cx + radius));
    let mut out = Vec::new();
    for row in row_lo..=row_hi {
        for col in col_lo..=col_hi {
            let (x, y) = (col as f64 * SPACING, row as f64 * SPACING);
            if (x - cx).hypot(y - cy) <= radius {
                out.push((row * SIDE + col) as u32);
            }
        }
    }
    out
}
