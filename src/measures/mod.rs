//! From distances to measures per home: scores per kind and combined, play space per child.

pub mod catchments;
mod concave_hull;
pub mod coverage;
pub mod distribution;
pub mod e2sfca;
pub mod gaps;
pub mod play_area;
pub mod play_space;
pub mod rasters;
pub mod score;

use rayon::prelude::*;

use crate::reach::Distances;
use crate::scene::Scene;
use crate::study::{Norms, ScoreSettings};

/// Measures per home.
#[derive(Debug, Clone)]
pub struct HomeMeasures {
    /// 0-100: the kinds' scores combined with the `[score]` weights.
    pub score: Vec<f64>,
    /// Square metres of play space per child (E2SFCA), when computed.
    pub play_m2_per_child: Option<Vec<f64>>,
}

/// Scores every home: per kind the children-weighted mean over its bands of the band score
/// (bands weigh equally in a home without children), then the kinds combined by weight.
pub fn home_scores(
    score_settings: &ScoreSettings,
    norms: &Norms,
    scene: &Scene,
    distances: &Distances,
) -> HomeMeasures {
    let weights = &score_settings.weights.value;
    let homes = &scene.homes;
    let norms: Vec<&[crate::study::BandNorm]> = scene
        .amenities
        .iter()
        .map(|kind| norms.kinds[&kind.kind].bands.as_slice())
        .collect();
    let kind_score = |k: usize, h: usize| -> f64 {
        let children = homes.children_of(h);
        let band_score = |b: usize, bn: &crate::study::BandNorm| {
            score::distance_score(distances.judged(k, b, bn, h), bn.metres)
        };
        score::weighted_mean(
            norms[k]
                .iter()
                .enumerate()
                .map(|(b, bn)| (band_score(b, bn), bn.children(children))),
        )
        .or_else(|| {
            score::weighted_mean(
                norms[k]
                    .iter()
                    .enumerate()
                    .map(|(b, bn)| (band_score(b, bn), bn.share)),
            )
        })
        .unwrap_or(0.0)
    };
    let score = (0..homes.len())
        .into_par_iter()
        .map(|h| {
            weights
                .iter()
                .enumerate()
                .map(|(k, (_, w))| kind_score(k, h) * w)
                .sum()
        })
        .collect();
    HomeMeasures {
        score,
        play_m2_per_child: None,
    }
}
