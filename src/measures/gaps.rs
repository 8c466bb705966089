//! Per home, against the focus kind's norms: who lives beyond the norm, and how far children live
//! from the nearest amenity of a kind.

use super::distribution::{lower_weighted_quantiles, round_length};
use crate::reach::Distances;
use crate::scene::Scene;
use crate::study::{BandNorm, Norms};

/// Index of the focus kind (`[sites] kind`, else playground, else the first) in the scene.
pub fn focus_index(focus_kind: &str, scene: &Scene) -> Option<usize> {
    scene.amenities.iter().position(|a| a.kind == focus_kind)
}

/// Homes with children of some band farther from kind `k` than that band's norm (by the
/// distance that counts), in home order.
pub fn homes_outside_norm(
    norms: &Norms,
    scene: &Scene,
    distances: &Distances,
    k: usize,
) -> Vec<usize> {
    children_outside_norm(norms, scene, distances, k)
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0.0)
        .map(|(h, _)| h)
        .collect()
}

/// Per home, its children (each band's share counted) farther from kind `k` than their band's
/// norm; all 0 when the kind has no norm.
pub fn children_outside_norm(
    norms: &Norms,
    scene: &Scene,
    distances: &Distances,
    k: usize,
) -> Vec<f64> {
    let Some(norms) = norms.get(&scene.amenities[k].kind) else {
        return vec![0.0; scene.homes.len()];
    };
    (0..scene.homes.len())
        .map(|h| {
            let children = scene.homes.children_of(h);
            norms
                .bands
                .iter()
                .enumerate()
                .map(|(b, bn)| {
                    let c = children.get(bn.children_band).copied().unwrap_or(0.0) * bn.share;
                    if c > 0.0 && distances.judged(k, b, bn, h) > bn.metres {
                        c
                    } else {
                        0.0
                    }
                })
                .sum()
        })
        .collect()
}

/// `(distance to kind k, children of the band)` for every home inside some neighbourhood, in home
/// order: the children-weighted distribution a histogram draws.
pub fn children_by_distance(
    scene: &Scene,
    distances: &Distances,
    k: usize,
    norm: usize,
    band: &BandNorm,
) -> Vec<(f64, f64)> {
    (0..scene.homes.len())
        .filter(|h| scene.homes.neighbourhood[*h].is_some())
        .map(|h| {
            (
                distances.judged(k, norm, band, h),
                band.children(scene.homes.children_of(h)),
            )
        })
        .collect()
}

/// Children by distance for one age band, binned for a histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct DistanceHistogram {
    /// The band's norm in metres.
    pub norm: f64,
    /// Bin width in metres.
    pub bin: f64,
    /// Children per bin, from 0.
    pub counts: Vec<f64>,
    /// Children farther than the last bin.
    pub beyond: f64,
    /// Children with no amenity in reach at all (none of the kind, or none within the network's
    /// maximum distance).
    pub unreached: f64,
}

impl DistanceHistogram {
    /// Bins `(distance, children)` pairs. The range covers twice the norm or the children-
    /// weighted 95th percentile, whichever is larger, in about 20 round-width bins.
    pub fn new(norm: f64, mut pairs: Vec<(f64, f64)>) -> DistanceHistogram {
        let unreached: f64 = pairs
            .iter()
            .filter(|(d, w)| !d.is_finite() && *w > 0.0)
            .map(|p| p.1)
            .sum();
        pairs.retain(|(d, w)| d.is_finite() && *w > 0.0);
        let mut finite = pairs;
        let p95 = lower_weighted_quantiles(&mut finite, &[0.95])[0].unwrap_or(0.0);
        let span = (2.0 * norm).max(p95).max(1.0);
        let bin = round_length(span / 20.0);
        let n = ((span / bin).ceil() as usize).clamp(1, 60);
        let mut counts = vec![0.0; n];
        let mut beyond = 0.0;
        for (d, w) in finite {
            let i = (d / bin).floor() as usize;
            match counts.get_mut(i) {
                Some(c) => *c += w,
                None => beyond += w,
            }
        }
        DistanceHistogram {
            norm,
            bin,
            counts,
            beyond,
            unreached,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_by_hand() {
        // Norm 100 m: the range is 200 m (p95 is 150 m, below twice the norm) in bins of 10 m.
        let pairs = [
            (0.0, 1.0),
            (9.9, 2.0),
            (10.0, 3.0),
            (150.0, 4.0),
            (250.0, 0.5),
            (f64::INFINITY, 7.0),
            (50.0, 0.0),
        ];
        let h = DistanceHistogram::new(100.0, pairs.to_vec());
        assert_eq!(h.bin, 10.0);
        assert_eq!(h.counts.len(), 20);
        assert_eq!(h.counts[0], 3.0);
        assert_eq!(h.counts[1], 3.0);
        assert_eq!(h.counts[15], 4.0);
        assert_eq!(h.counts.iter().sum::<f64>(), 10.0);
        assert_eq!(h.beyond, 0.5);
        assert_eq!(h.unreached, 7.0);
    }

    #[test]
    fn range_grows_to_the_95th_percentile() {
        // One child every 10 m from 0 to 990 m: the 95th child is at 940 m.
        let pairs: Vec<(f64, f64)> = (0..100).map(|i| (i as f64 * 10.0, 1.0)).collect();
        let h = DistanceHistogram::new(100.0, pairs);
        // span = max(200, 940) = 940; 940 / 20 = 47 -> bin 20 m, 47 bins.
        assert_eq!(h.bin, 20.0);
        assert_eq!(h.counts.len(), 47);
        assert_eq!(h.beyond, 6.0); // 940..990 m: six homes at 940, 950, ..., 990
    }
}
