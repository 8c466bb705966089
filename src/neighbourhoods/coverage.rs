//! The study area's coverage per kind and age band, and the few figures the report and
//! `summary.md` lead with: computed here once so the two never disagree.

use super::NeighbourhoodFigures;
use crate::reach::Distances;
use crate::scene::Scene;
use crate::study::Norms;

/// One line of the coverage table: a kind over all its bands (`band` = None), or one band.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRow {
    pub kind: String,
    pub band: Option<String>,
    /// The band's norm in metres (None on a kind's all-bands line).
    pub norm_m: Option<f64>,
    /// Children judged against this line's norm(s).
    pub children: f64,
    /// Share within the norm, straight line.
    pub coverage: Option<f64>,
    /// Share within the norm over the walking network (None without a network).
    pub net_coverage: Option<f64>,
    /// Children outside the norm, by the distance that counts (network when there is one).
    pub outside: f64,
    /// Children-weighted median and 90th percentile distance (all-bands line only).
    pub median_m: Option<f64>,
    pub p90_m: Option<f64>,
}

impl CoverageRow {
    /// The coverage that counts: over the network when there is one.
    pub fn effective(&self) -> Option<f64> {
        self.net_coverage.or(self.coverage)
    }

    /// Share of this line's children outside the norm (0 without children).
    pub fn outside_share(&self) -> f64 {
        self.outside / self.children.max(1e-9)
    }
}

/// Children per children band over the homes inside some neighbourhood (the study area).
pub fn band_children(scene: &Scene) -> Vec<f64> {
    let homes = &scene.homes;
    let mut out = vec![0.0; scene.bands.len()];
    for h in 0..homes.len() {
        if homes.neighbourhood[h].is_some() {
            for (b, c) in homes.children_of(h).iter().enumerate() {
                if let Some(o) = out.get_mut(b) {
                    *o += c;
                }
            }
        }
    }
    out
}

/// The study area's coverage: per kind a line over all bands, then one per band.
pub fn study_area_coverage(
    norms: &Norms,
    scene: &Scene,
    distances: &Distances,
    study_area: &NeighbourhoodFigures,
) -> Vec<CoverageRow> {
    let per_band = band_children(scene);
    let network = distances.has_network();
    let mut rows = Vec::new();
    for (k, kind) in scene.amenities.iter().enumerate() {
        let Some(norms) = norms.get(&kind.kind) else {
            continue;
        };
        let Some(f) = study_area.kinds.get(k) else {
            continue;
        };
        let band_rows: Vec<CoverageRow> = norms
            .bands
            .iter()
            .enumerate()
            .map(|(i, bn)| {
                let children = per_band.get(bn.children_band).copied().unwrap_or(0.0) * bn.share;
                let row = CoverageRow {
                    kind: kind.kind.clone(),
                    band: Some(bn.label.clone()),
                    norm_m: Some(bn.metres),
                    children,
                    coverage: f.coverage_bands.get(i).copied().flatten(),
                    net_coverage: if network {
                        f.net_coverage_bands.get(i).copied().flatten()
                    } else {
                        None
                    },
                    outside: 0.0,
                    median_m: None,
                    p90_m: None,
                };
                let outside = children * (1.0 - row.effective().unwrap_or(1.0));
                CoverageRow { outside, ..row }
            })
            .collect();
        rows.push(CoverageRow {
            kind: kind.kind.clone(),
            band: None,
            norm_m: None,
            children: band_rows.iter().map(|r| r.children).sum(),
            coverage: f.coverage,
            net_coverage: if network { f.net_coverage } else { None },
            outside: band_rows.iter().map(|r| r.outside).sum(),
            median_m: f.median_m,
            p90_m: f.p90_m,
        });
        rows.extend(band_rows);
    }
    rows
}

/// The kinds' all-bands lines with children, largest share outside the norm first.
pub fn kinds_by_gap(coverage: &[CoverageRow]) -> Vec<&CoverageRow> {
    let mut kinds: Vec<&CoverageRow> = coverage
        .iter()
        .filter(|r| r.band.is_none() && r.children > 0.0)
        .collect();
    kinds.sort_by(|a, b| {
        b.outside_share()
            .total_cmp(&a.outside_share())
            .then(a.kind.cmp(&b.kind))
    });
    kinds
}

/// The `n` neighbourhoods with most children outside the focus kind's norm (more than half a
/// child), largest first: `(neighbourhood index, children)`.
pub fn largest_gaps(figures: &[NeighbourhoodFigures], n: usize) -> Vec<(usize, f64)> {
    let mut gaps: Vec<(usize, f64)> = figures
        .iter()
        .enumerate()
        .filter(|(_, f)| f.gap_children > 0.5)
        .map(|(i, f)| (i, f.gap_children))
        .collect();
    gaps.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    gaps.truncate(n);
    gaps
}

/// Of the neighbourhoods with a known play-area share, how many fall below `norm`:
/// `(below, known)`; None when no neighbourhood has one.
pub fn play_area_below(figures: &[NeighbourhoodFigures], norm: f64) -> Option<(usize, usize)> {
    let known: Vec<f64> = figures.iter().filter_map(|f| f.play_area_share).collect();
    (!known.is_empty()).then(|| (known.iter().filter(|s| **s < norm).count(), known.len()))
}

/// Neighbourhoods in priority order (rank 1 first); those without a gap have no rank.
pub fn priority_order(figures: &[NeighbourhoodFigures]) -> Vec<usize> {
    let mut ranked: Vec<usize> = (0..figures.len())
        .filter(|i| figures[*i].priority_rank.is_some())
        .collect();
    ranked.sort_by_key(|i| figures[*i].priority_rank);
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(gap: f64, share: Option<f64>, rank: Option<usize>) -> NeighbourhoodFigures {
        NeighbourhoodFigures {
            gap_children: gap,
            play_area_share: share,
            priority_rank: rank,
            ..Default::default()
        }
    }

    #[test]
    fn largest_gaps_skip_half_a_child_and_break_ties_by_index() {
        let f = [
            with(3.0, None, None),
            with(0.4, None, None),
            with(7.0, None, None),
            with(3.0, None, None),
        ];
        assert_eq!(largest_gaps(&f, 3), vec![(2, 7.0), (0, 3.0), (3, 3.0)]);
        assert_eq!(largest_gaps(&f, 1), vec![(2, 7.0)]);
    }

    #[test]
    fn play_area_counts_only_known_shares() {
        let f = [
            with(0.0, Some(0.01), None),
            with(0.0, None, None),
            with(0.0, Some(0.05), None),
        ];
        assert_eq!(play_area_below(&f, 0.03), Some((1, 2)));
        assert_eq!(play_area_below(&f[1..2], 0.03), None);
    }

    #[test]
    fn priority_order_follows_rank() {
        let f = [
            with(1.0, None, Some(2)),
            with(0.0, None, None),
            with(5.0, None, Some(1)),
        ];
        assert_eq!(priority_order(&f), vec![2, 0]);
    }

    #[test]
    fn kinds_by_gap_orders_by_share_outside() {
        let row = |kind: &str, children: f64, outside: f64| CoverageRow {
            kind: kind.into(),
            band: None,
            norm_m: None,
            children,
            coverage: None,
            net_coverage: None,
            outside,
            median_m: None,
            p90_m: None,
        };
        let rows = [
            row("library", 100.0, 10.0),
            row("playground", 50.0, 25.0),
            row("green_space", 0.0, 0.0),
        ];
        let kinds: Vec<&str> = kinds_by_gap(&rows)
            .iter()
            .map(|r| r.kind.as_str())
            .collect();
        assert_eq!(kinds, vec!["playground", "library"]);
    }
}
