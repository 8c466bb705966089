//! Distances from every home to the nearest amenity of each kind: straight line always, over the
//! walking network (per age band, with barriers) when the study has a `[network]`.

pub mod network;
pub mod straight;

use crate::scene::{Amenity, BandId, HomeId, KindId, Scene};
use crate::study::{BandNorm, Norms};

/// Distances per kind (and per band over the network), in metres.
#[derive(Debug, Clone)]
pub struct Distances {
    /// `[kind][home]` to the nearest amenity of any age; `f64::INFINITY` when the kind has none.
    pub straight: Vec<Vec<f64>>,
    /// `[kind][band][home]`, per band of `Norms::reach_bands` (the children bands, or the norm
    /// bands when children come in one field); `f64::INFINITY` when unreachable within
    /// `max_distance`.
    pub network: Option<PerBand>,
    /// Per kind (empty, or `None` for a kind, when every amenity serves every band): the
    /// distances per norm band to the nearest amenity serving it ([`served_distances`]).
    pub served: Vec<Option<ServedDistances>>,
    /// `[kind][home]`: the amenity (its index in the kind's items) at the distance the home
    /// reports, `homes.csv`'s `K_nearest_id` ([`nearest_amenities`]); [`NO_AMENITY`] when
    /// none is within reach.
    pub nearest: Vec<Vec<u32>>,
}

/// In [`Distances::nearest`]: no amenity of the kind within reach.
pub const NO_AMENITY: u32 = u32::MAX;

/// The distances of a kind whose amenities do not all serve every band, per norm band of the
/// kind (in its norm table's order) to the nearest amenity that serves the band.
#[derive(Debug, Clone)]
pub struct ServedDistances {
    /// `[norm band][home]`, straight line.
    pub straight: Vec<Vec<f64>>,
    /// `[norm band][home]` over the network (with the barriers of the band's children), when
    /// the study has one.
    pub network: Option<Vec<Vec<f64>>>,
}

impl Distances {
    /// The distance that judges norm band `norm` (`band`, at that position in the kind's norm
    /// table) of a kind: to the nearest amenity serving the band, over the network when there is
    /// one. For a kind whose amenities all serve every band it is [`Self::for_band`].
    pub fn judged(&self, kind: usize, norm: usize, band: &BandNorm, home: usize) -> f64 {
        self.judged_column(kind, norm, band)[home]
    }

    /// [`Self::judged`] of every home, by home: for loops over homes that look it up once.
    pub fn judged_column(&self, kind: usize, norm: usize, band: &BandNorm) -> &[f64] {
        match self.served.get(kind).and_then(Option::as_ref) {
            Some(s) => match &s.network {
                Some(n) => &n[norm],
                None => &s.straight[norm],
            },
            None => self.band_column(kind, band.reach_band),
        }
    }

    /// The straight-line distance that judges norm band `norm` of a kind (see [`Self::judged`]).
    pub fn judged_straight(&self, kind: usize, norm: usize, home: usize) -> f64 {
        self.judged_straight_column(kind, norm)[home]
    }

    /// [`Self::judged_straight`] of every home, by home.
    pub fn judged_straight_column(&self, kind: usize, norm: usize) -> &[f64] {
        match self.served.get(kind).and_then(Option::as_ref) {
            Some(s) => &s.straight[norm],
            None => &self.straight[kind],
        }
    }

    /// The distance that counts for a children band: over the network when there is one.
    pub fn get(&self, kind: KindId, band: BandId, home: HomeId) -> f64 {
        self.for_band(kind.0, band.0, home.0)
    }

    /// [`Self::get`] by plain positions, for the stages' inner loops.
    pub(crate) fn for_band(&self, kind: usize, band: usize, home: usize) -> f64 {
        self.band_column(kind, band)[home]
    }

    /// [`Self::for_band`] of every home, by home.
    fn band_column(&self, kind: usize, band: usize) -> &[f64] {
        match &self.network {
            Some(n) => &n[kind][band],
            None => &self.straight[kind],
        }
    }

    pub fn has_network(&self) -> bool {
        self.network.is_some()
    }

    /// The amenity of `kind` nearest to `home` ([`Self::nearest`]), by its index in the kind's
    /// items.
    pub fn nearest_amenity(&self, kind: usize, home: usize) -> Option<usize> {
        let i = *self.nearest.get(kind)?.get(home)?;
        (i != NO_AMENITY).then_some(i as usize)
    }
}

/// Straight-line distances for every kind of the scene.
pub fn straight_distances(scene: &Scene) -> Vec<Vec<f64>> {
    straight_nearest(scene).0
}

/// Straight-line distances `[kind][home]` for every kind of the scene, and the nearest amenity
/// of each (the lowest index of those equally near, [`NO_AMENITY`] for a kind without any).
pub fn straight_nearest(scene: &Scene) -> (Vec<Vec<f64>>, Vec<Vec<u32>>) {
    scene
        .amenities
        .iter()
        .map(|k| straight::nearest_amenities(&scene.homes.coords, &k.items))
        .unzip()
}

/// The amenity `K_nearest_id` names for each home, per kind: over the network when there is
/// one, the amenity at the home's `K_net_m` (the shortest distance over its bands; on a tie the
/// first band, in `Norms::reach_bands` order), else the straight-line nearest. A home inside a
/// polygon amenity (straight-line distance 0, network distance 0) names that polygon, as the
/// straight line does. Amenities of any age count, as in `K_m` and `K_net_m`: the distances
/// that judge a band whose amenities do not all serve it ([`ServedDistances`]) name none.
/// [`NO_AMENITY`] where the distance is infinite (nothing within reach).
pub fn nearest_amenities(
    straight: &[Vec<f64>],
    straight_nearest: Vec<Vec<u32>>,
    network: Option<(&PerBand, &[Vec<Vec<u32>>])>,
) -> Vec<Vec<u32>> {
    let Some((distances, nearest)) = network else {
        return straight_nearest;
    };
    straight_nearest
        .into_iter()
        .enumerate()
        .map(|(k, inside)| {
            (0..inside.len())
                .map(|h| {
                    if straight[k][h] == 0.0 {
                        return inside[h];
                    }
                    let mut best = (f64::INFINITY, NO_AMENITY);
                    for (d, n) in distances[k].iter().zip(&nearest[k]) {
                        if d[h] < best.0 {
                            best = (d[h], n[h]);
                        }
                    }
                    best.1
                })
                .collect()
        })
        .collect()
}

/// The amenities of a kind that serve each of its norm bands: per norm band, the index of its
/// set in the returned list of distinct sets (bands served by the same amenities share one).
fn serving_sets(kind: &crate::scene::AmenityKind, bands: usize) -> (Vec<usize>, Vec<Vec<Amenity>>) {
    let mut sets: Vec<Vec<bool>> = Vec::new();
    let set_of: Vec<usize> = (0..bands)
        .map(|b| {
            let set: Vec<bool> = (0..kind.items.len())
                .map(|j| kind.served.serves(j, b))
                .collect();
            sets.iter().position(|s| *s == set).unwrap_or_else(|| {
                sets.push(set);
                sets.len() - 1
            })
        })
        .collect();
    let items = sets
        .iter()
        .map(|set| {
            kind.items
                .iter()
                .zip(set)
                .filter(|(_, &serves)| serves)
                .map(|(a, _)| a.clone())
                .collect()
        })
        .collect();
    (set_of, items)
}

/// Per kind, the distances per norm band to the nearest amenity serving the band, for the kinds
/// whose amenities do not all serve every band; nothing for the others (their per-band distance
/// is the nearest amenity's, in [`Distances::straight`] and [`Distances::network`]).
///
/// Each distinct set of serving amenities is searched once: a straight-line index of its own,
/// and over the network one multi-source search per barrier set from its amenities only.
pub fn served_distances(
    norms: &Norms,
    scene: &Scene,
    network: Option<&network::NetworkReach>,
) -> crate::Result<Vec<Option<ServedDistances>>> {
    scene
        .amenities
        .iter()
        .map(|kind| served_distances_of(norms, scene, kind, network))
        .collect()
}

/// [`served_distances`] of one kind.
fn served_distances_of(
    norms: &Norms,
    scene: &Scene,
    kind: &crate::scene::AmenityKind,
    network: Option<&network::NetworkReach>,
) -> crate::Result<Option<ServedDistances>> {
    let bands = norms.get(&kind.kind).map_or(&[][..], |t| &t.bands[..]);
    if !kind.served.is_restricted() {
        return Ok(None);
    }
    let (set_of, sets) = serving_sets(kind, bands.len());
    let straight_of_set: Vec<Vec<f64>> = sets
        .iter()
        .map(|items| straight::nearest_distances(&scene.homes.coords, items))
        .collect();
    let straight = set_of.iter().map(|&s| straight_of_set[s].clone()).collect();
    let network = match network {
        Some(reach) => {
            let targets: Vec<network::KindTargets> = sets
                .iter()
                .map(|items| network::KindTargets::from_amenities(&kind.kind, items))
                .collect();
            let per_set = network_for(reach, &targets, &straight_of_set)?.distances;
            Some(
                bands
                    .iter()
                    .zip(&set_of)
                    .map(|(bn, &s)| per_set[s][bn.reach_band].clone())
                    .collect(),
            )
        }
        None => None,
    };
    Ok(Some(ServedDistances { straight, network }))
}

/// The distances of `scene`, a changed copy of the scene `base` was measured on: the kinds
/// `changed` names are searched again (straight line, over `network` when `base` has network
/// distances, and per served band), the others are `base`'s.
pub fn changed_distances(
    norms: &Norms,
    scene: &Scene,
    base: &Distances,
    changed: &[usize],
    network: Option<&network::NetworkReach>,
) -> crate::Result<Distances> {
    let mut distances = base.clone();
    let (straight, straight_nearest): (Vec<Vec<f64>>, Vec<Vec<u32>>) = changed
        .iter()
        .map(|&k| straight::nearest_amenities(&scene.homes.coords, &scene.amenities[k].items))
        .unzip();
    let searched = match (&distances.network, network) {
        (Some(_), Some(reach)) => {
            let targets: Vec<network::KindTargets> = changed
                .iter()
                .map(|&k| {
                    network::KindTargets::from_amenities(
                        &scene.amenities[k].kind,
                        &scene.amenities[k].items,
                    )
                })
                .collect();
            Some(network_for(reach, &targets, &straight)?)
        }
        _ => None,
    };
    let nearest = nearest_amenities(
        &straight,
        straight_nearest,
        searched
            .as_ref()
            .map(|s| (&s.distances, s.nearest.as_slice())),
    );
    for (i, &k) in changed.iter().enumerate() {
        distances.nearest[k] = nearest[i].clone();
    }
    if let (Some(per_kind), Some(s)) = (distances.network.as_mut(), searched) {
        for (&k, d) in changed.iter().zip(s.distances) {
            per_kind[k] = d;
        }
    }
    for (&k, d) in changed.iter().zip(straight) {
        distances.straight[k] = d;
    }
    for &k in changed {
        let served = served_distances_of(norms, scene, &scene.amenities[k], network)?;
        match distances.served.get_mut(k) {
            Some(s) => *s = served,
            None => {
                distances.served.resize(scene.amenities.len(), None);
                distances.served[k] = served;
            }
        }
    }
    Ok(distances)
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

/// What [`network_distances`] finds.
pub struct NetworkResult<'a> {
    /// `[kind][band][home]`, metres.
    pub distances: PerBand,
    /// `[kind][band][home]`: the amenity the search reached the home from (its index in the
    /// kind's items, the lowest of those equally near; [`NO_AMENITY`] where the distance is
    /// infinite). A home inside a polygon amenity, at 0, keeps the search's amenity here;
    /// [`nearest_amenities`] names the polygon.
    pub nearest: Vec<Vec<Vec<u32>>>,
    pub report: NetworkReport,
    /// The network prepared for searches from single facilities, for the stages that need every
    /// amenity within reach.
    pub reach: network::NetworkReach<'a>,
}

/// The warnings for the amenities (or candidate sites) `unattached` of `items`, indices into
/// `items` that are farther than `limit_m` from every walkable way: one per layer, with how
/// many and the first one's id, since such a place silently drops out of every network measure.
pub fn unattached_warnings(
    what: &str,
    items: &[Amenity],
    unattached: &[u32],
    limit_m: f64,
) -> Vec<String> {
    let mut layers: Vec<(&str, usize, &str)> = Vec::new();
    for &i in unattached {
        let a = &items[i as usize];
        match layers.iter_mut().find(|l| l.0 == a.source) {
            Some(l) => l.1 += 1,
            None => layers.push((&a.source, 1, &a.id)),
        }
    }
    layers
        .into_iter()
        .map(|(source, n, example)| {
            let of = items.iter().filter(|a| a.source == source).count();
            format!(
                "network: {n} of {of} {what} in {source} are farther than the attach limit ({} m) from any walkable way and take no part in the network distances (e.g. id \"{example}\")",
                crate::error::shown(limit_m)
            )
        })
        .collect()
}

/// Network distances per kind and band, when the scene has a walk network.
///
/// A home inside a polygon amenity is at 0, as in the straight-line stage, so the network
/// distance is never below the straight line.
pub fn network_distances<'a>(
    settings: Option<&crate::study::NetworkSettings>,
    scene: &'a Scene,
    network: Option<&'a network::WalkNetwork>,
    straight: &[Vec<f64>],
) -> crate::Result<Option<NetworkResult<'a>>> {
    let (Some(net), Some(cfg)) = (network, settings) else {
        return Ok(None);
    };
    let kinds: Vec<network::KindTargets> = scene
        .amenities
        .iter()
        .map(|k| network::KindTargets::from_amenities(&k.kind, &k.items))
        .collect();
    let config = network::NetworkConfig {
        max_distance: cfg.max_distance_m.value,
        attach_limit_m: cfg.attach_limit_m.value,
        ..network::NetworkConfig::default()
    };
    let reach = network::NetworkReach::new(net, &scene.homes.coords, &cfg.barriers, &config)?;
    let result = network_for(&reach, &kinds, straight)?;
    Ok(Some(NetworkResult {
        distances: result.distances,
        nearest: result.nearest,
        report: NetworkReport {
            graph: net.stats(),
            attach: result.attach,
            barrier_graphs: result.graphs,
        },
        reach,
    }))
}

/// Network distances `[target][children band][home]` to each of `targets`, with 0 for a home
/// inside a polygon (`straight[target][home] == 0`) and infinity for one out of reach.
fn network_for(
    reach: &network::NetworkReach,
    targets: &[network::KindTargets],
    straight: &[Vec<f64>],
) -> crate::Result<network::NetworkDistances> {
    let mut result = reach.nearest(targets)?;
    for (k, per_band) in result.distances.iter_mut().enumerate() {
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
    Ok(result)
}
