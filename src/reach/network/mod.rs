//! Walking distance as a child walks: the walk network, where homes and amenities join it, and
//! network distances per amenity kind and age band, with busy roads as barriers.
//!
//! # The graph
//!
//! [`WalkNetwork`] holds every vertex of every walkable line as a node (junctions and shape
//! points alike), so each edge is one straight segment whose length is its Euclidean length in
//! the working CRS. Adjacency is kept as compact CSR arrays (`u32` node ids, `f64` lengths).
//! It is built from an .osm.pbf ([`WalkNetwork::from_osm`], walk rules in
//! [`crate::layers::osm::is_walkable`]) or from GeoJSON LineStrings with a highway attribute
//! ([`WalkNetwork::from_layer`], the same walk rules on the lines' attributes unless the study
//! walks every line), or by hand ([`NetworkBuilder`]); reading the ways belongs to
//! [`crate::layers::walk`], building the graph from them to this module.
//!
//! Each edge also keeps its way's name (an index into one table of distinct names, 4 bytes per
//! edge, nothing when no way has a name), for [`WalkNetwork::nearest_street`].
//!
//! # Joining the network
//!
//! A home (a point) joins the nearest edge by perpendicular projection (an R-tree over the
//! segments; ties go to the lowest edge id); the straight attach distance is added to the path.
//! An amenity joins at several points: a point amenity at itself; a polygon at every vertex of
//! every ring (exterior and holes), at points dividing each side evenly into pieces no longer
//! than the spacing (25 m by default), and at its entrances: every point where a walkable edge
//! crosses or touches its boundary joins that edge there, at offset 0 (an OSM `entrance` or
//! `barrier=gate` node on the boundary is a vertex of it, and on a way a touching point). A
//! boundary point on the network joins every edge through it; the other points each join the
//! nearest edge the same way as a home. A point on a barrier road (the boundary shares the
//! road's nodes, runs along it or crosses it) joins the sidewalk on the polygon's side: inside
//! an edge each side the interior borders there (both where the boundary crosses the road), at
//! a node each of the node's sectors (below) the interior opens into, so a park at the corner of
//! a junction is reached from its own corner only; a point beside the road, like a home, its own
//! side. Identical join points are kept once, and the ways a side crosses are searched piece by
//! piece along it, so the work per polygon grows with its boundary's length. Points farther than
//! `attach_limit_m` from every edge do not join; homes that do not join get no network distance
//! and are counted. A home inside a polygon
//! amenity still walks to its boundary here; distance 0 inside belongs to the straight-line
//! stage.
//!
//! # Barriers: the sided graph
//!
//! Per age band, `[network.barriers]` names road classes (a class also covers its `_link`
//! ramps) that a child may walk along but cross only where crossing is marked. kindscape models
//! this with a *sided* graph, built once per distinct barrier set:
//!
//! * Around a node touched by k >= 2 barrier edges, those edges cut the plane into k angular
//!   sectors; the node is split into one copy per sector. A straight barrier road thus gets a left
//!   and a right copy of each node: its two sidewalks.
//! * Each barrier edge becomes two edges of the same length: its left sidewalk joins the sectors
//!   on its left at both ends, its right sidewalk those on its right.
//! * Every other edge joins the sector its first segment points into at each end: a side street
//!   belongs to the side of the main road it leaves from.
//! * A crossing node is not split: a node tagged highway=crossing (unless crossing=no) or
//!   highway=traffic_signals, or any node of a crossing way (footway=crossing, highway=crossing,
//!   ...; in GeoJSON, the end nodes of edges so tagged).
//! * A node touched by one barrier edge (a barrier road's dead end) is not split: a child may walk
//!   around the end of a road.
//! * A home or amenity that joins a barrier edge beside it joins the sidewalk on its own side.
//! * A road nobody may walk along (a trunk or motorway without foot=yes, a road with foot=no or
//!   access=no) is no edge, but where its class is a barrier it splits the nodes of walkable
//!   ways it meets as a barrier edge does, with no sidewalk along it: the busier road blocks at
//!   least as much as a walkable one, crossed only at a crossing node, a bridge or a tunnel.
//! * Bridges and tunnels need no rule of their own: in OSM a footbridge or underpass shares no
//!   node with the road it passes, so it joins the two sides by itself; the bridge/tunnel flag
//!   is kept per edge for reporting.
//!
//! Limits: crossing is possible only where OSM shares a node; a crossing tagged only on a
//! separately drawn sidewalk (no shared node with the road) does not connect the sides unless
//! the crossing way touches the road. Intersections without crossing or signal tags cannot be
//! crossed, although a child may in fact cross a quiet junction there. Crossings are taken as
//! zero-length (the width of the road is not walked). Road classes are judged only by the
//! `highway` tag, not by traffic or speed. Dual carriageways are two barriers with a median
//! between them, crossed at the crossings drawn on each.
//!
//! # Distances
//!
//! Per amenity kind and barrier set, one multi-source Dijkstra (a binary heap over the CSR
//! arrays, stopping at `max_distance`; a street cut into many pieces is a chain of degree-2
//! nodes, walked piece by piece without the heap, see `chains`) from every amenity attach
//! point gives each home its
//! distance: the best of reaching its edge's two ends plus the way along the edge, or walking
//! along the shared edge straight to an amenity attach point on the same edge and side. Each
//! node also carries which amenity its distance came from (a `u32` label per node, the seeds
//! labelled by their amenity): the search orders (distance, amenity) pairs, so of amenities
//! equally near the lowest index is named (`K_nearest_id`), in any seed order.
//! [`nearest_distances`] runs every kind and band in parallel (rayon); each result is computed by
//! one thread in a fixed order, so results do not depend on the thread count.

mod attach;
mod build;
mod chains;
mod dijkstra;
mod distances;
mod edge_grid;
mod radix;
mod sided;
#[cfg(test)]
mod tests;
mod within;

use geo::Coord;
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

/// Building a network by hand: the walkable ways, collected, then
/// [`WalkWays::build`](crate::layers::walk::WalkWays::build).
pub use crate::layers::walk::WalkWays as NetworkBuilder;
pub use crate::layers::walk::{RefusedBy, WalkRuleLines, Walkable};
pub use attach::boundary_points;
pub use distances::{
    nearest_distances, AttachStats, KindAttachStats, KindTargets, NetworkConfig, NetworkDistances,
    SidedGraphStats,
};
pub use sided::{is_osm_highway, osm_highway_values};
pub use within::{FacilityJoin, NetworkReach, ReachScratch, Reached, Searches};

type Segment = GeomWithData<Line<[f64; 2]>, u32>;

/// The walkable ways as a compact undirected graph in the working CRS (metres).
#[derive(Debug, Clone)]
pub struct WalkNetwork {
    coords: Vec<Coord>,
    crossing: Vec<bool>,
    /// Ends of input lines and nodes shared by several lines (the junction graph's vertices).
    vertex: Vec<bool>,
    edges: Vec<[u32; 2]>,
    edge_len: Vec<f64>,
    edge_class: Vec<u16>,
    classes: Vec<String>,
    edge_bridge_or_tunnel: Vec<bool>,
    /// Per edge, its way's name in `names` (`NO_NAME` for none); empty when no way has a name.
    edge_name: Vec<u32>,
    /// Each distinct way name once.
    names: Vec<String>,
    /// CSR adjacency: for node v, `adj[adj_offsets[v]..adj_offsets[v + 1]]` holds (other node, edge).
    adj_offsets: Vec<u32>,
    adj: Vec<(u32, u32)>,
    segments: RTree<Segment>,
    cut_ways: usize,
    walk_rule_lines: Option<WalkRuleLines>,
    /// Roads nobody may walk along, as the directions (angles) in which they leave the nodes of
    /// the walkable ways: (node, class in `blocked_classes`, angle), sorted. Not edges; where
    /// their class is a barrier they split nodes as barrier edges do (see `sided`).
    blocked: Vec<(u32, u16, f64)>,
    blocked_classes: Vec<String>,
}

/// Size and connectivity of a walk network.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NetworkStats {
    /// Graph nodes: every vertex of every line, shape points included.
    pub nodes: usize,
    /// Junction-graph vertices: ends of lines and nodes shared by several lines (what osmnx and
    /// the GeoJSON `u`/`v` attributes count).
    pub vertices: usize,
    /// Edges (straight segments).
    pub edges: usize,
    pub total_km: f64,
    pub components: usize,
    pub largest_component_nodes: usize,
    pub largest_component_vertices: usize,
    /// Edges on a bridge or in a tunnel.
    pub bridge_or_tunnel_edges: usize,
    /// Walkable OSM ways cut at the extract's edge (0 for GeoJSON networks).
    pub cut_ways: usize,
    /// A GeoJSON network: its lines taken, refused by each walk rule, and taken without a class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub walk_rule_lines: Option<WalkRuleLines>,
}

impl WalkNetwork {
    /// Number of graph nodes.
    pub fn node_count(&self) -> usize {
        self.coords.len()
    }

    /// Number of edges (straight segments).
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// A node's position in the working CRS.
    pub fn node_coord(&self, node: u32) -> Coord {
        self.coords[node as usize]
    }

    /// The highway classes present, in order of first appearance.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The name of the nearest named way to `c` within `max_m` metres (of named ways equally
    /// near, the one drawn first), or `None`: the street a place is on, for lists a planner
    /// reads. Ways without a name (most footpaths) are passed over.
    ///
    /// Searches the network's own segment index rather than one of named segments only, so
    /// that names cost 4 bytes per edge and nothing more; the search stops at `max_m`.
    ///
    /// ```
    /// use geo::Coord;
    /// use kindscape::reach::network::NetworkBuilder;
    /// let mut b = NetworkBuilder::new();
    /// let (a, c, d) = (
    ///     b.add_node(Coord { x: 0.0, y: 0.0 }, false),
    ///     b.add_node(Coord { x: 100.0, y: 0.0 }, false),
    ///     b.add_node(Coord { x: 0.0, y: 50.0 }, false),
    /// );
    /// b.add_named_line(&[a, c], "residential", false, Some("Kerkstraat"));
    /// b.add_line(&[a, d], "footway", false);
    /// let net = b.build().unwrap();
    /// // The footway is nearer, but has no name.
    /// assert_eq!(net.nearest_street(Coord { x: 5.0, y: 20.0 }, 100.0), Some("Kerkstraat"));
    /// assert_eq!(net.nearest_street(Coord { x: 5.0, y: 20.0 }, 10.0), None);
    /// ```
    pub fn nearest_street(&self, c: Coord, max_m: f64) -> Option<&str> {
        if self.edge_name.is_empty() || !(c.x.is_finite() && c.y.is_finite()) {
            return None;
        }
        let max2 = max_m * max_m;
        let mut found: Option<(f64, u32)> = None;
        for (seg, d2) in self
            .segments
            .nearest_neighbor_iter_with_distance_2(&[c.x, c.y])
        {
            // Segments within a micrometre of the nearest named one count as tied, as where
            // homes join the network (see `attach::attach_point`).
            if d2 > max2 || found.is_some_and(|(d, _)| d2.sqrt() > d + 1e-6) {
                break;
            }
            if self.edge_name[seg.data as usize] == crate::layers::walk::NO_NAME {
                continue;
            }
            match found {
                Some((_, e)) if e <= seg.data => {}
                Some((d, _)) => found = Some((d, seg.data)),
                None => found = Some((d2.sqrt(), seg.data)),
            }
        }
        let (_, edge) = found?;
        Some(&self.names[self.edge_name[edge as usize] as usize])
    }

    /// Size, length and connected components.
    pub fn stats(&self) -> NetworkStats {
        let component = self.components();
        let mut nodes_in = vec![0usize; self.coords.len()];
        let mut vertices_in = vec![0usize; self.coords.len()];
        for (v, &c) in component.iter().enumerate() {
            nodes_in[c as usize] += 1;
            vertices_in[c as usize] += usize::from(self.vertex[v]);
        }
        let largest = (0..nodes_in.len()).max_by_key(|&c| (nodes_in[c], std::cmp::Reverse(c)));
        NetworkStats {
            nodes: self.coords.len(),
            vertices: self.vertex.iter().filter(|v| **v).count(),
            edges: self.edges.len(),
            total_km: self.edge_len.iter().sum::<f64>() / 1000.0,
            components: nodes_in.iter().filter(|n| **n > 0).count(),
            largest_component_nodes: largest.map_or(0, |c| nodes_in[c]),
            largest_component_vertices: largest.map_or(0, |c| vertices_in[c]),
            bridge_or_tunnel_edges: self.edge_bridge_or_tunnel.iter().filter(|b| **b).count(),
            cut_ways: self.cut_ways,
            walk_rule_lines: self.walk_rule_lines,
        }
    }

    /// For `kindscape check`: how many of `homes` join the network within `attach_limit_m`, and
    /// how many of those join the largest connected component.
    pub fn homes_in_largest_component(
        &self,
        homes: &[Coord],
        attach_limit_m: f64,
    ) -> (usize, usize) {
        let component = self.components();
        let mut size = vec![0usize; self.coords.len()];
        for &c in &component {
            size[c as usize] += 1;
        }
        let Some(largest) = (0..size.len()).max_by_key(|&c| (size[c], std::cmp::Reverse(c))) else {
            return (0, 0);
        };
        let mut attached = 0;
        let mut in_largest = 0;
        for &h in homes {
            if let Some(a) = attach::attach_point(self, h, attach_limit_m) {
                attached += 1;
                let [u, _] = self.edges[a.edge as usize];
                in_largest += usize::from(component[u as usize] as usize == largest);
            }
        }
        (attached, in_largest)
    }

    /// The component label of each node (the smallest node id in its component).
    fn components(&self) -> Vec<u32> {
        let mut parent: Vec<u32> = (0..self.coords.len() as u32).collect();
        fn find(parent: &mut [u32], mut v: u32) -> u32 {
            while parent[v as usize] != v {
                let grand = parent[parent[v as usize] as usize];
                parent[v as usize] = grand;
                v = grand;
            }
            v
        }
        for &[a, b] in &self.edges {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
                parent[hi as usize] = lo;
            }
        }
        (0..self.coords.len() as u32)
            .map(|v| find(&mut parent, v))
            .collect()
    }
}
