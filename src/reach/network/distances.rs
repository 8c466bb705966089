//! Every home's network distance to the nearest amenity of each kind, per age band.

use geo::{Coord, Geometry};
use rayon::prelude::*;

use super::attach::{amenity_attaches, Attach, JoinPoints, Joins};
use super::dijkstra::{multi_source, Seed};
use super::sided::{self, SidedGraph};
use super::{NetworkReach, WalkNetwork};
use crate::error::{Error, Result};
use crate::scene::{Amenity, BandId, HomeId, KindId};

/// The amenities of one kind, in the working CRS.
#[derive(Debug, Clone)]
pub struct KindTargets {
    pub kind: String,
    /// Points, or (multi)polygons joined at points along their boundary.
    pub geometries: Vec<Geometry>,
}

impl KindTargets {
    /// The targets of amenities (points, or polygons joined along their boundary).
    pub fn from_amenities(kind: &str, items: &[Amenity]) -> KindTargets {
        KindTargets {
            kind: kind.to_string(),
            geometries: items.iter().map(|a| a.geometry.to_geometry()).collect(),
        }
    }
}

/// Settings of the network stage.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkConfig {
    /// Distances beyond this many metres are not searched (`[network] max_distance`).
    pub max_distance: f64,
    /// Homes and amenity points farther than this from every edge do not join the network.
    pub attach_limit_m: f64,
    /// Spacing of a polygon amenity's attach points along its boundary.
    pub boundary_spacing_m: f64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            max_distance: crate::study::DEFAULT_NETWORK_MAX_DISTANCE_M,
            attach_limit_m: crate::study::DEFAULT_ATTACH_LIMIT_M,
            boundary_spacing_m: 25.0,
        }
    }
}

/// How homes and amenities joined the network.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AttachStats {
    pub homes_attached: usize,
    /// Homes farther than `attach_limit_m` from every edge (their distances are NaN).
    pub homes_not_attached: usize,
    /// Straight distance from attached homes to their edge, metres (NaN without any).
    pub mean_attach_m: f64,
    pub median_attach_m: f64,
    pub p90_attach_m: f64,
    pub max_attach_m: f64,
    /// Per kind, in the order given.
    pub kinds: Vec<KindAttachStats>,
}

/// How the amenities of one kind joined the network.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KindAttachStats {
    pub kind: String,
    pub amenities: usize,
    /// Amenities with at least one attach point on the network.
    pub amenities_attached: usize,
    pub points: usize,
    pub points_attached: usize,
    /// The amenities (their index among the kind's targets) with no attach point: named in
    /// the run's warning, not in `run.json`'s counts.
    #[serde(skip)]
    pub unattached: Vec<u32>,
}

/// Size of the sided graph of one barrier set.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SidedGraphStats {
    /// The barrier classes, sorted (empty: the plain network).
    pub barriers: Vec<String>,
    pub nodes: usize,
    pub edges: usize,
    pub barrier_edges: usize,
    /// Barrier-road nodes that join the sides because they are crossings.
    pub crossing_nodes: usize,
}

/// The result of [`nearest_distances`].
#[derive(Debug, Clone)]
pub struct NetworkDistances {
    /// `[kind][band][home]`: metres, NaN when the home did not join the network or no amenity of
    /// the kind is within `max_distance`.
    pub distances: Vec<Vec<Vec<f64>>>,
    /// `[kind][band][home]`: the amenity (its index among the kind's targets) at that distance,
    /// the lowest index of those equally near; `u32::MAX` where the distance is NaN.
    pub nearest: Vec<Vec<Vec<u32>>>,
    pub attach: AttachStats,
    /// One per distinct barrier set.
    pub graphs: Vec<SidedGraphStats>,
    /// Per band, its index in `graphs`.
    pub band_graph: Vec<usize>,
}

impl NetworkDistances {
    /// The distance from `home` to the nearest amenity of `kind` for a child of `band`.
    pub fn get(&self, kind: KindId, band: BandId, home: HomeId) -> f64 {
        self.distances[kind.0][band.0][home.0]
    }
}

/// Network distance from every home to the nearest amenity of each kind, for each band's barrier
/// set (`band_barriers[b]`: highway classes a child of band b crosses only at crossings; empty
/// for none).
///
/// One sided graph is built per distinct barrier set and one multi-source Dijkstra runs per kind
/// and graph, all in parallel; bands with the same barrier set share the result.
///
/// ```
/// use geo::{Coord, Geometry, Point};
/// use kindscape::reach::network::{nearest_distances, KindTargets, NetworkBuilder, NetworkConfig};
///
/// let mut b = NetworkBuilder::new();
/// let a = b.add_node(Coord { x: 0.0, y: 0.0 }, false);
/// let c = b.add_node(Coord { x: 100.0, y: 0.0 }, false);
/// b.add_line(&[a, c], "footway", false);
/// let net = b.build().unwrap();
/// let homes = [Coord { x: 10.0, y: 5.0 }];
/// let kinds = [KindTargets { kind: "playground".into(), geometries: vec![Geometry::Point(Point::new(90.0, -3.0))] }];
/// let r = nearest_distances(&net, &homes, &kinds, &[vec![]], &NetworkConfig::default()).unwrap();
/// // 5 m to the path, 80 m along it, 3 m to the playground.
/// assert!((r.distances[0][0][0] - 88.0).abs() < 1e-9);
/// ```
pub fn nearest_distances(
    net: &WalkNetwork,
    homes: &[Coord],
    kinds: &[KindTargets],
    band_barriers: &[Vec<String>],
    cfg: &NetworkConfig,
) -> Result<NetworkDistances> {
    NetworkReach::new(net, homes, band_barriers, cfg)?.nearest(kinds)
}

/// Refuses settings no search can run with.
pub(crate) fn validate(net: &WalkNetwork, cfg: &NetworkConfig) -> Result<()> {
    if !(cfg.max_distance.is_finite() && cfg.max_distance > 0.0) {
        return Err(Error::Other(format!(
            "[network] max_distance must be a positive number of metres, not {}",
            crate::error::shown(cfg.max_distance)
        )));
    }
    if cfg.attach_limit_m.is_nan() || cfg.attach_limit_m < 0.0 {
        return Err(Error::Other(format!(
            "[network] attach_limit_m must be a number of metres >= 0, not {}",
            crate::error::shown(cfg.attach_limit_m)
        )));
    }
    if net.edges.is_empty() {
        return Err(Error::Other("the walk network has no walkable ways".into()));
    }

    Ok(())
}

impl NetworkReach<'_> {
    /// [`nearest_distances`] on the prepared network: per kind and band, every home's distance
    /// to the nearest amenity.
    pub fn nearest(&self, kinds: &[KindTargets]) -> Result<NetworkDistances> {
        let (net, cfg, home_attach) = (self.net, &self.cfg, &self.home_attach);
        let (graphs, band_graph) = (&self.graphs, &self.band_graph);
        let mut kind_stats = Vec::with_capacity(kinds.len());
        let mut kind_attach: Vec<Joins> = Vec::with_capacity(kinds.len());
        for k in kinds {
            let per_amenity: Vec<JoinPoints> = k
                .geometries
                .par_iter()
                .map(|g| amenity_attaches(net, g, cfg.boundary_spacing_m, cfg.attach_limit_m))
                .collect();
            kind_stats.push(KindAttachStats {
                kind: k.kind.clone(),
                amenities: per_amenity.len(),
                amenities_attached: per_amenity.iter().filter(|a| a.joined > 0).count(),
                points: per_amenity.iter().map(|a| a.points).sum(),
                points_attached: per_amenity.iter().map(|a| a.joined).sum(),
                unattached: (0..per_amenity.len() as u32)
                    .filter(|&i| per_amenity[i as usize].joined == 0)
                    .collect(),
            });
            let mut joins = Joins::default();
            for (i, mut a) in per_amenity.into_iter().enumerate() {
                joins.append_owned(&mut a.joins, i as u32);
            }
            kind_attach.push(joins);
        }

        let tasks: Vec<(usize, usize)> = (0..kinds.len())
            .flat_map(|k| (0..graphs.len()).map(move |g| (k, g)))
            .collect();
        let results: Vec<(Vec<f64>, Vec<u32>)> = tasks
            .par_iter()
            .map(|&(k, g)| {
                distances_for(
                    net,
                    &graphs[g],
                    &kind_attach[k],
                    home_attach,
                    cfg.max_distance,
                )
            })
            .collect();
        // Bands with the same barrier set share their graph's result.
        fn per_band<T: Clone>(
            results: &[T],
            kinds: usize,
            band_graph: &[usize],
            graphs: usize,
        ) -> Vec<Vec<T>> {
            (0..kinds)
                .map(|k| {
                    band_graph
                        .iter()
                        .map(|&g| results[k * graphs + g].clone())
                        .collect()
                })
                .collect()
        }
        let (distances, nearest): (Vec<Vec<f64>>, Vec<Vec<u32>>) = results.into_iter().unzip();
        let distances = per_band(&distances, kinds.len(), band_graph, graphs.len());
        let nearest = per_band(&nearest, kinds.len(), band_graph, graphs.len());

        let graph_stats = self
            .barrier_sets
            .iter()
            .zip(graphs)
            .map(|(s, g)| SidedGraphStats {
                barriers: s.clone(),
                nodes: g.node_count,
                edges: g.edge_count,
                barrier_edges: g.is_barrier.iter().filter(|b| **b).count(),
                crossing_nodes: g.crossing_nodes,
            })
            .collect();
        Ok(NetworkDistances {
            distances,
            nearest,
            attach: attach_stats(home_attach, kind_stats),
            graphs: graph_stats,
            band_graph: band_graph.clone(),
        })
    }
}

/// One sided graph per distinct barrier set (`band_barriers[b]` for band b), built in parallel:
/// the sets (each sorted), per band its index among them, and the graphs.
pub(crate) fn barrier_graphs(
    net: &WalkNetwork,
    band_barriers: &[Vec<String>],
) -> (Vec<Vec<String>>, Vec<usize>, Vec<SidedGraph>) {
    let mut sets: Vec<Vec<String>> = Vec::new();
    let band_graph: Vec<usize> = band_barriers
        .iter()
        .map(|b| {
            let mut set = b.clone();
            set.sort();
            set.dedup();
            match sets.iter().position(|s| *s == set) {
                Some(i) => i,
                None => {
                    sets.push(set);
                    sets.len() - 1
                }
            }
        })
        .collect();
    let graphs: Vec<SidedGraph> = sets.par_iter().map(|s| sided::build(net, s)).collect();
    (sets, band_graph, graphs)
}

/// Which side of its edge an attach point uses in `g`, and that side's two end nodes.
pub(crate) fn side_of(g: &SidedGraph, a: &Attach) -> (usize, u32, u32) {
    let side = usize::from(g.is_barrier[a.edge as usize] && !a.left);
    let ends = g.edge_ends[a.edge as usize];
    (side, ends[2 * side], ends[2 * side + 1])
}

/// A source by its (edge, side) key `edge * 2 + side`, its `t` along the edge, its offset and
/// the amenity it belongs to.
pub(crate) type SourceOnEdge = (u64, f64, f64, u32);

/// The sources of a search in `g`: Dijkstra seeds at both ends of each source's side of its
/// edge, labelled with the source's amenity, and the sources by (edge, side) for homes on the
/// same stretch of sidewalk, sorted.
pub(crate) fn seeds_of(
    net: &WalkNetwork,
    g: &SidedGraph,
    targets: &Joins,
) -> (Vec<Seed>, Vec<SourceOnEdge>) {
    let sources = &targets.attaches;
    let mut seeds = Vec::with_capacity(2 * sources.len() + targets.nodes.len());
    let mut copies = Vec::new();
    for (i, n) in targets.nodes.iter().enumerate() {
        copies.clear();
        sided::facing(net, g, n.node, n.wedge, &mut copies);
        let owner = targets.node_owner(i);
        seeds.extend(copies.iter().map(|&c| (c, n.offset, owner)));
    }
    let mut on_edge: Vec<SourceOnEdge> = Vec::with_capacity(sources.len());
    for (i, s) in sources.iter().enumerate() {
        let (side, a, b) = side_of(g, s);
        let len = net.edge_len[s.edge as usize];
        let owner = targets.attach_owner(i);
        seeds.push((a, s.offset + s.t * len, owner));
        seeds.push((b, s.offset + (1.0 - s.t) * len, owner));
        on_edge.push((u64::from(s.edge) * 2 + side as u64, s.t, s.offset, owner));
    }
    on_edge.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then(x.1.total_cmp(&y.1))
            .then(x.2.total_cmp(&y.2))
            .then(x.3.cmp(&y.3))
    });
    (seeds, on_edge)
}

/// A home's distance from the search's sources and the amenity it walks to: through either end
/// of its side of its edge (`reach` gives a node's distance and the amenity it came from), or
/// straight along the edge to a source on the same side. Of equally near amenities, the lowest.
pub(crate) fn home_distance(
    net: &WalkNetwork,
    g: &SidedGraph,
    h: &Attach,
    on_edge: &[SourceOnEdge],
    reach: impl Fn(u32) -> (f64, u32),
) -> (f64, u32) {
    let (side, a, b) = side_of(g, h);
    let len = net.edge_len[h.edge as usize];
    let nearer = |x: (f64, u32), y: (f64, u32)| {
        if y.0 < x.0 || (y.0 == x.0 && y.1 < x.1) {
            y
        } else {
            x
        }
    };
    let (da, la) = reach(a);
    let (db, lb) = reach(b);
    let mut best = nearer(
        (da + h.offset + h.t * len, la),
        (db + h.offset + (1.0 - h.t) * len, lb),
    );
    let key = u64::from(h.edge) * 2 + side as u64;
    let start = on_edge.partition_point(|s| s.0 < key);
    for s in on_edge[start..].iter().take_while(|s| s.0 == key) {
        best = nearer(best, (h.offset + (h.t - s.1).abs() * len + s.2, s.3));
    }
    (to_micrometre(best.0), best.1)
}

/// A walk without its float noise. Positions along an edge are fractions of its length, so a
/// walk of exactly 100 m comes out as 100.00000000000001 and would miss a norm of 100 m that the
/// same straight line meets. A distance within a millionth of a millionth of itself of a whole
/// micrometre is taken as that: float noise is some 1e-14 of the distance, and a true distance
/// moves by less than 1e-12 of itself (the straight line stays below every walk). Every distance
/// the stages judge against a norm (the nearest, and every home a facility reaches) comes from
/// here.
fn to_micrometre(d: f64) -> f64 {
    let rounded = (d * 1e6).round() / 1e6;
    if (d - rounded).abs() <= 1e-12 * d.abs() {
        rounded
    } else {
        d
    }
}

pub(crate) fn distances_for(
    net: &WalkNetwork,
    g: &SidedGraph,
    targets: &Joins,
    homes: &[Option<Attach>],
    max_distance: f64,
) -> (Vec<f64>, Vec<u32>) {
    let (seeds, on_edge) = seeds_of(net, g, targets);
    let (dist, label) = multi_source(g, &seeds, max_distance);
    homes
        .par_iter()
        .map(|h| {
            let Some(h) = h else {
                return (f64::NAN, u32::MAX);
            };
            let (best, amenity) = home_distance(net, g, h, &on_edge, |v| {
                (dist[v as usize], label[v as usize])
            });
            if best <= max_distance {
                (best, amenity)
            } else {
                (f64::NAN, u32::MAX)
            }
        })
        .unzip()
}

fn attach_stats(homes: &[Option<Attach>], kinds: Vec<KindAttachStats>) -> AttachStats {
    let mut d: Vec<f64> = homes.iter().flatten().map(|a| a.offset).collect();
    d.sort_by(f64::total_cmp);
    let n = d.len();
    let quantile = |q: f64| -> f64 {
        if n == 0 {
            return f64::NAN;
        }
        // Linear interpolation between order statistics (numpy's default).
        let pos = q * (n - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        d[lo] + (d[hi] - d[lo]) * (pos - lo as f64)
    };
    AttachStats {
        homes_attached: n,
        homes_not_attached: homes.len() - n,
        mean_attach_m: if n == 0 {
            f64::NAN
        } else {
            d.iter().sum::<f64>() / n as f64
        },
        median_attach_m: quantile(0.5),
        p90_attach_m: quantile(0.9),
        max_attach_m: d.last().copied().unwrap_or(f64::NAN),
        kinds,
    }
}
