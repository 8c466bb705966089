//! The sided graph of one barrier set (see the module documentation of
//! [`super`](crate::reach::network)): barrier-road nodes split into angular sectors, barrier
//! edges doubled into a left and a right sidewalk.

use std::f64::consts::TAU;

use super::attach::opens_into;
use super::chains::Chains;
use super::WalkNetwork;

/// A graph to run Dijkstra on, with the map from base edges to its nodes.
#[derive(Debug, Clone)]
pub(crate) struct SidedGraph {
    pub offsets: Vec<u32>,
    pub targets: Vec<u32>,
    pub weights: Vec<f64>,
    /// Per base edge: [first node, second node] of its left side, then of its right side (the
    /// same pair twice for edges that are not barriers).
    pub edge_ends: Vec<[u32; 4]>,
    pub is_barrier: Vec<bool>,
    /// Per class of the unwalkable roads (`WalkNetwork::blocked_classes`): a barrier here.
    pub blocked_is_barrier: Vec<bool>,
    pub node_count: usize,
    pub edge_count: usize,
    /// Barrier nodes left whole because they are crossings.
    pub crossing_nodes: usize,
    /// The chains of degree-2 nodes, which the search walks without its heap.
    pub chains: Chains,
    /// The shortest edge (infinite without edges).
    pub min_weight: f64,
}

/// The OSM `highway` values of ways (OSM wiki, "Key:highway"): a barrier class outside these and
/// outside the network's own classes is a typo, not a class this network happens to lack.
const OSM_HIGHWAY_VALUES: [&str; 31] = [
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "motorway_link",
    "trunk_link",
    "primary_link",
    "secondary_link",
    "tertiary_link",
    "living_street",
    "service",
    "pedestrian",
    "track",
    "bus_guideway",
    "escape",
    "raceway",
    "road",
    "busway",
    "footway",
    "bridleway",
    "steps",
    "corridor",
    "path",
    "via_ferrata",
    "cycleway",
    "platform",
    "elevator",
    "construction",
];

/// True when `value` is an OSM `highway` value of ways.
pub fn is_osm_highway(value: &str) -> bool {
    OSM_HIGHWAY_VALUES.contains(&value)
}

/// The OSM `highway` values of ways, for "did you mean" hints.
pub fn osm_highway_values() -> &'static [&'static str] {
    &OSM_HIGHWAY_VALUES
}

/// True when a highway class is one of `barriers`, directly or as its `_link` ramp.
pub(crate) fn is_barrier_class(class: &str, barriers: &[String]) -> bool {
    let base = class.strip_suffix("_link").unwrap_or(class);
    barriers.iter().any(|b| b == class || b == base)
}

/// The barriers around node `v`, sorted by angle as `build` and `facing` both number sectors:
/// (angle, edge, which end of it is `v`), an unwalkable road's direction with edge `u32::MAX`.
fn barriers_around(
    net: &WalkNetwork,
    is_barrier: &[bool],
    blocked_is_barrier: &[bool],
    v: usize,
    around: &mut Vec<(f64, u32, usize)>,
) {
    let here = net.coords[v];
    let incident = &net.adj[net.adj_offsets[v] as usize..net.adj_offsets[v + 1] as usize];
    around.clear();
    around.extend(
        incident
            .iter()
            .filter(|(_, e)| is_barrier[*e as usize])
            .map(|&(o, e)| {
                let c = net.coords[o as usize];
                let end = usize::from(net.edges[e as usize][0] as usize != v);
                ((c.y - here.y).atan2(c.x - here.x), e, end)
            }),
    );
    if blocked_is_barrier.iter().any(|b| *b) {
        let from = net.blocked.partition_point(|b| (b.0 as usize) < v);
        around.extend(
            net.blocked[from..]
                .iter()
                .take_while(|b| b.0 as usize == v)
                .filter(|b| blocked_is_barrier[b.1 as usize])
                .map(|b| (b.2, u32::MAX, 0)),
        );
    }
    around.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
}

pub(crate) fn build(net: &WalkNetwork, barriers: &[String]) -> SidedGraph {
    let class_is_barrier: Vec<bool> = net
        .classes
        .iter()
        .map(|c| is_barrier_class(c, barriers))
        .collect();
    let is_barrier: Vec<bool> = net
        .edge_class
        .iter()
        .map(|&c| class_is_barrier[c as usize])
        .collect();
    let n = net.coords.len();
    let m = net.edges.len();

    // Sector ids for each end of each edge: for barrier edges the sector counter-clockwise and
    // clockwise of it; for other edges the sector it points into (stored in both).
    let mut ccw = vec![[0u32; 2]; m];
    let mut cw = vec![[0u32; 2]; m];
    let mut next_id: u32 = 0;
    let mut crossing_nodes = 0;
    let mut around: Vec<(f64, u32, usize)> = Vec::new();
    let mut angles: Vec<f64> = Vec::new();
    let blocked_is_barrier: Vec<bool> = net
        .blocked_classes
        .iter()
        .map(|c| is_barrier_class(c, barriers))
        .collect();
    for v in 0..n {
        let here = net.coords[v];
        let incident = &net.adj[net.adj_offsets[v] as usize..net.adj_offsets[v + 1] as usize];
        let end_of = |e: u32| usize::from(net.edges[e as usize][0] as usize != v);
        let angle_to = |other: u32| {
            let c = net.coords[other as usize];
            (c.y - here.y).atan2(c.x - here.x)
        };
        barriers_around(net, &is_barrier, &blocked_is_barrier, v, &mut around);
        let k = around.len();
        let split = k >= 2 && !net.crossing[v];
        if k >= 2 && net.crossing[v] {
            crossing_nodes += 1;
        }
        let base = next_id;
        next_id += if split { k as u32 } else { 1 };
        if !split {
            for &(_, e) in incident {
                let end = end_of(e);
                ccw[e as usize][end] = base;
                cw[e as usize][end] = base;
            }
            continue;
        }
        angles.clear();
        angles.extend(around.iter().map(|a| a.0));
        // Sector j spans from barrier j counter-clockwise to barrier j + 1.
        for (j, &(_, e, end)) in around.iter().enumerate() {
            if e != u32::MAX {
                ccw[e as usize][end] = base + j as u32;
                cw[e as usize][end] = base + ((j + k - 1) % k) as u32;
            }
        }
        for &(o, e) in incident.iter().filter(|(_, e)| !is_barrier[*e as usize]) {
            let phi = angle_to(o);
            let after = angles.partition_point(|&a| a <= phi);
            let sector = if after == 0 { k - 1 } else { after - 1 };
            let end = end_of(e);
            ccw[e as usize][end] = base + sector as u32;
            cw[e as usize][end] = base + sector as u32;
        }
    }

    let mut edge_ends = Vec::with_capacity(m);
    let mut pairs: Vec<([u32; 2], f64)> = Vec::with_capacity(m);
    for e in 0..m {
        let len = net.edge_len[e];
        if is_barrier[e] {
            // Walking from the first node to the second, the left side is counter-clockwise of
            // the edge at its first node and clockwise of it at its second.
            let left = [ccw[e][0], cw[e][1]];
            let right = [cw[e][0], ccw[e][1]];
            pairs.push((left, len));
            if right != left {
                pairs.push((right, len));
            }
            edge_ends.push([left[0], left[1], right[0], right[1]]);
        } else {
            let pair = [ccw[e][0], ccw[e][1]];
            pairs.push((pair, len));
            edge_ends.push([pair[0], pair[1], pair[0], pair[1]]);
        }
    }

    let node_count = next_id as usize;
    let mut offsets = vec![0u32; node_count + 1];
    for &([a, b], _) in &pairs {
        offsets[a as usize + 1] += 1;
        offsets[b as usize + 1] += 1;
    }
    for i in 0..node_count {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut targets = vec![0u32; offsets[node_count] as usize];
    let mut weights = vec![0f64; offsets[node_count] as usize];
    for &([a, b], len) in &pairs {
        for (from, to) in [(a, b), (b, a)] {
            let slot = fill[from as usize] as usize;
            targets[slot] = to;
            weights[slot] = len;
            fill[from as usize] += 1;
        }
    }
    let min_weight = weights.iter().copied().fold(f64::INFINITY, f64::min);
    let mut g = SidedGraph {
        offsets,
        targets,
        weights,
        edge_ends,
        is_barrier,
        blocked_is_barrier,
        node_count,
        edge_count: pairs.len(),
        crossing_nodes,
        chains: Chains::default(),
        min_weight,
    };
    g.chains = Chains::build(&g);
    g
}

/// Pushes the copies of `node` in `g` that the directions `wedge` (start angle, sweep
/// counter-clockwise; `None`: every direction) open into: a node split at barrier roads is
/// reached only from the sectors, between two of them, that the wedge enters, so a park at the
/// corner of a junction is reached from its own corner and not from across a road.
pub(crate) fn facing(
    net: &WalkNetwork,
    g: &SidedGraph,
    node: u32,
    wedge: Option<(f64, f64)>,
    out: &mut Vec<u32>,
) {
    let v = node as usize;
    let here = net.coords[v];
    let incident = &net.adj[net.adj_offsets[v] as usize..net.adj_offsets[v + 1] as usize];
    let end_of = |e: u32| usize::from(net.edges[e as usize][0] as usize != v);
    // The copy counter-clockwise of an edge at this node: its left side at its first node, its
    // right side at its second (see `build`).
    let ccw_copy = |e: u32| g.edge_ends[e as usize][if end_of(e) == 0 { 0 } else { 3 }];
    // The copy clockwise of it: its right side at its first node, its left at its second.
    let cw_copy = |e: u32| g.edge_ends[e as usize][if end_of(e) == 0 { 2 } else { 1 }];
    let mut around = Vec::new();
    barriers_around(net, &g.is_barrier, &g.blocked_is_barrier, v, &mut around);
    if around.len() < 2 || net.crossing[v] {
        out.extend(incident.first().map(|&(_, e)| ccw_copy(e)));
        return;
    }
    let k = around.len();
    for j in 0..k {
        let (start, e, _) = around[j];
        let (end, next, _) = around[(j + 1) % k];
        let sweep = if j + 1 < k {
            end - start
        } else {
            end + TAU - start
        };
        if !opens_into(start, sweep, wedge) {
            continue;
        }
        // The sector's copy, found through an edge that ends in it; an unwalkable road has
        // none, and a sector between two of them with no street in it leads nowhere.
        let copy = if e != u32::MAX {
            Some(ccw_copy(e))
        } else if next != u32::MAX {
            Some(cw_copy(next))
        } else {
            incident
                .iter()
                .filter(|(_, e)| !g.is_barrier[*e as usize])
                .find(|&&(o, _)| {
                    let c = net.coords[o as usize];
                    let phi = (c.y - here.y).atan2(c.x - here.x);
                    let after = around.partition_point(|a| a.0 <= phi);
                    (if after == 0 { k - 1 } else { after - 1 }) == j
                })
                .map(|&(_, e)| g.edge_ends[e as usize][end_of(e)])
        };
        out.extend(copy);
    }
}
