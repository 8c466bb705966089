//! Distances from every home to the nearest amenity of each kind: straight line always, over the
//! walking network (per age band, with barriers) when the study has a `[network]`.

pub mod network;
pub mod straight;

use crate::scene::{BandId, HomeId, KindId, Scene};

/// Distances per kind (and per band over the network), in metres.
#[derive(Debug, Clone)]
pub struct Distances {
    /// `[kind][home]`; `f64::INFINITY` when the kind has no amenity.
    pub straight: Vec<Vec<f64>>,
    /// `[kind][band][home]`, per band of `Norms::reach_bands` (the children bands, or the norm
    /// bands when children come in one field); `f64::INFINITY` when unreachable within
    /// `max_distance`.
    pub network: Option<PerBand>,
}

impl Distances {
    /// The distance that counts for a children band: over the network when there is one.
    pub fn get(&self, kind: KindId, band: BandId, home: HomeId) -> f64 {
        self.for_band(kind.0, band.0, home.0)
    }

    /// [`Self::get`] by plain positions, for the stages' inner loops.
    pub(crate) fn for_band(&self, kind: usize, band: usize, home: usize) -> f64 {
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

/// Distances `[kind][band][home]`.
pub type PerBand = Vec<Vec<Vec<f64>>>;

/// What the network stage reports in `run.json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NetworkReport {
    pub graph: network::NetworkStats,
    pub attach: network::AttachStats,
    pub barrier_graphs: Vec<network::SidedGraphStats>,
}

/// Network distances per kind and band, when the scene has a walk network.
///
/// A home inside a polygon amenity is at 0, as in the straight-line stage, so the network
/// distance is never below the straight line.
///
/// Also returns the network prepared for searches from single facilities, for the stages that
/// need every amenity within reach.
pub fn network_distances<'a>(
    settings: Option<&crate::study::NetworkSettings>,
    scene: &'a Scene,
    network: Option<&'a network::WalkNetwork>,
    straight: &[Vec<f64>],
) -> crate::Result<Option<(PerBand, NetworkReport, network::NetworkReach<'a>)>> {
    let (Some(net), Some(cfg)) = (network, settings) else {
        return Ok(None);
    };
    let config = network::NetworkConfig {
        max_distance: cfg.max_distance_m.value,
        attach_limit_m: cfg.attach_limit_m.value,
        ..network::NetworkConfig::default()
    };
    let kinds: Vec<network::KindTargets> = scene
        .amenities
        .iter()
        .map(|k| network::KindTargets::from_amenities(&k.kind, &k.items))
        .collect();
    let reach = network::NetworkReach::new(net, &scene.homes.coords, &cfg.barriers, &config)?;
    let result = reach.nearest(&kinds)?;
    let mut distances = result.distances;
    for (k, per_band) in distances.iter_mut().enumerate() {
        for band in per_band.iter_mut() {
            for (h, d) in band.iter_mut().enumerate() {
                if straight[k][h] == 0.0 {
                    *d = 0.0;
                } else if d.is_nan() {
                    *d = f64::INFINITY;
                }
            }
        }
    }
    Ok(Some((
        distances,
        NetworkReport {
            graph: net.stats(),
            attach: result.attach,
            barrier_graphs: result.graphs,
        },
        reach,
    )))
}
