//! Distances from every home to the nearest amenity of each kind: straight line always, over the
//! walking network (per age band, with barriers) when the study has a `[network]`.

pub mod network;
pub mod straight;

use crate::scene::Scene;

/// Distances per kind (and per band over the network), in metres.
#[derive(Debug, Clone)]
pub struct Distances {
    /// `[kind][home]`; `f64::INFINITY` when the kind has no amenity.
    pub straight: Vec<Vec<f64>>,
    /// `[kind][band][home]`; `f64::INFINITY` when unreachable within `max_distance`.
    pub network: Option<Vec<Vec<Vec<f64>>>>,
}

impl Distances {
    /// The distance that counts for a band: over the network when there is one.
    pub fn for_band(&self, kind: usize, band: usize, home: usize) -> f64 {
        match &self.network {
            Some(n) => n[kind][band][home],
            None => self.straight[kind][home],
        }
    }

    pub fn has_network(&self) -> bool {
        self.network.is_some()
    }
}

/// Straight-line distances for every kind of the scene.
pub fn straight_distances(scene: &Scene) -> Vec<Vec<f64>> {
    scene
        .amenities
        .iter()
        .map(|k| straight::nearest_distances(&scene.homes.coords, &k.items))
        .collect()
}
