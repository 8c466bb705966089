//! Play space per child (E2SFCA) for the scene: which homes reach which playgrounds, per band.

use geo::Coord;
use rayon::prelude::*;

use super::e2sfca::{self, Band, Decay, Reach};
use crate::error::Result;
use crate::reach::straight::AmenityIndex;
use crate::scene::{Amenity, Scene};
use crate::study::{self, Study};

/// Every (home, amenity) pair within `radius`, straight line, ordered by home then amenity.
pub fn pairs_within(homes: &[Coord], items: &[Amenity], radius: f64) -> Vec<Reach> {
    let index = AmenityIndex::new(items);
    homes
        .par_iter()
        .enumerate()
        .map(|(home, c)| {
            index
                .within(*c, radius)
                .into_iter()
                .map(|(facility, distance)| Reach {
                    home,
                    facility: facility as usize,
                    distance,
                })
                .collect::<Vec<_>>()
        })
        .flatten()
        .collect()
}

/// Square metres of play space per child for every home (children-weighted over its bands),
/// with the `[catchment]` kind's capacity as supply and each band's norm as its catchment.
///
/// Distances are straight lines: a catchment needs every facility in reach of a home, not only
/// the nearest, which the network stage does not give.
pub fn play_m2_per_child(study: &Study, scene: &Scene) -> Result<Option<Vec<f64>>> {
    let cfg = study.file.catchment.as_ref();
    let kind = cfg
        .and_then(|c| c.kind.clone())
        .or_else(|| study.focus_kind())
        .unwrap_or_default();
    let Some(amenities) = scene.kind(&kind) else {
        return Ok(None);
    };
    let decay = match cfg.and_then(|c| c.decay).unwrap_or_default() {
        study::Decay::Step => Decay::Step,
        study::Decay::Gaussian => Decay::Gaussian,
    };
    let norms = &study.norms.kinds[&kind].bands;
    let homes = &scene.homes;
    let supply: Vec<f64> = amenities.items.iter().map(|a| a.capacity).collect();
    let all_pairs = pairs_within(
        &homes.coords,
        &amenities.items,
        norms.iter().map(|b| b.metres).fold(0.0, f64::max),
    );
    let children: Vec<Vec<f64>> = norms
        .iter()
        .map(|bn| {
            (0..homes.len())
                .map(|h| homes.children_of(h)[bn.children_band] * bn.share)
                .collect()
        })
        .collect();
    let reach: Vec<Vec<Reach>> = norms
        .iter()
        .map(|bn| {
            all_pairs
                .iter()
                .filter(|r| r.distance <= bn.metres)
                .cloned()
                .collect()
        })
        .collect();
    let bands: Vec<Band> = norms
        .iter()
        .enumerate()
        .map(|(i, bn)| Band {
            name: &bn.label,
            children: &children[i],
            catchment_m: bn.metres,
            reach: &reach[i],
        })
        .collect();
    let space = e2sfca::e2sfca(&supply, &bands, decay)?;
    // A home without children still has play space within reach: its bands' mean.
    let per_home = space
        .per_child_all_bands(&bands)
        .into_iter()
        .enumerate()
        .map(|(h, v)| {
            v.unwrap_or_else(|| {
                space.per_child.iter().map(|b| b[h]).sum::<f64>() / bands.len().max(1) as f64
            })
        })
        .collect();
    Ok(Some(per_home))
}
