//! Every home within reach of one facility over the walk network: what play space per child
//! (E2SFCA), meeting places, site selection and catchments need, where the nearest-amenity
//! search of [`super::distances`] gives only the nearest.
//!
//! Each facility gets a Dijkstra bounded by the largest catchment, from its own join points, on
//! the sided graph of each barrier set in use (bands with the same barriers share one search).
//! A home's distance from it is computed exactly as in the nearest-amenity search (the same
//! function), so a facility's reach agrees with the homes' nearest distances.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use geo::{BoundingRect, Coord, Geometry, Intersects, Point};
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

use super::attach::{amenity_attaches, attach_point, Attach, Joins};
use super::dijkstra::{Scratch, Seed};
use super::distances::{barrier_graphs, home_distance, seeds_of, side_of, validate, NetworkConfig};
use super::edge_grid::EdgeGrid;
use super::radix::{self, RadixBuffers};
use super::sided::SidedGraph;
use super::WalkNetwork;
use crate::error::Result;

type HomePoint = GeomWithData<[f64; 2], u32>;

/// The walk network prepared for searches from single facilities: the sided graph of each
/// barrier set and where every home joins it.
pub struct NetworkReach<'a> {
    pub(super) net: &'a WalkNetwork,
    pub(super) cfg: NetworkConfig,
    homes: &'a [Coord],
    pub(super) home_attach: Vec<Option<Attach>>,
    /// The distinct barrier sets (each sorted), one graph each.
    pub(super) barrier_sets: Vec<Vec<String>>,
    pub(super) graphs: Vec<SidedGraph>,
    /// Per children band, its graph.
    pub(super) band_graph: Vec<usize>,
    /// Every home joined to the network, by edge, and per graph the sides with homes at
    /// each node.
    edge_homes: EdgeHomes,
    node_sides: Vec<NodeSides>,
    /// Per graph, each node's base node (a sided node is a copy of one).
    base_node: Vec<Vec<u32>>,
    /// Built on the first polygon (or point) facility that may hold homes: homes inside a
    /// facility are at 0 from it, as in the straight-line stage.
    home_tree: OnceLock<RTree<HomePoint>>,
}

/// What one search from a facility reached: the homes within its radius with their distance
/// (sorted by home), and the junctions and line ends with theirs (when asked for).
pub type Reached = (Vec<(u32, f64)>, Vec<(Coord, f64)>);

/// Where a facility joins the network, worked out once for all its searches.
pub struct FacilityJoin {
    joins: Joins,
    geometry: Geometry,
}

impl FacilityJoin {
    /// True when the facility joins the network anywhere (else nothing is within its reach
    /// over the network, save homes inside it).
    pub fn joins(&self) -> bool {
        !(self.joins.attaches.is_empty() && self.joins.nodes.is_empty())
    }
}

/// The homes on each base edge (CSR), and beside each entry its home's join: a search reads the
/// homes of an edge one after another rather than looking each up across all the homes.
struct EdgeHomes {
    offsets: Vec<u32>,
    homes: Vec<u32>,
    attach: Vec<Attach>,
}

/// Per node of one sided graph, the sides of edges with homes that meet at it (keys `edge * 2 +
/// side`, filed at both ends of the side), CSR: a search walks from the nodes it reached to the
/// homes on their edges without visiting a home twice.
type NodeSides = (Vec<u32>, Vec<u32>);

impl EdgeHomes {
    /// The homes of `home_attach` that are joined and `wanted`, filed by edge in home order.
    fn new(edges: usize, home_attach: &[Option<Attach>], wanted: impl Fn(u32) -> bool) -> Self {
        let joined = home_attach
            .iter()
            .enumerate()
            .filter_map(|(h, a)| a.map(|a| (h as u32, [a.edge, a.edge])))
            .filter(|&(h, _)| wanted(h));
        let (offsets, homes) = csr(edges, joined);
        let attach = homes
            .iter()
            .filter_map(|&h| home_attach[h as usize])
            .collect();
        EdgeHomes {
            offsets,
            homes,
            attach,
        }
    }

    /// The homes on edge `e` and their joins.
    fn on_edge(&self, e: usize) -> (&[u32], &[Attach]) {
        let range = self.offsets[e] as usize..self.offsets[e + 1] as usize;
        (&self.homes[range.clone()], &self.attach[range])
    }

    /// The sides of edges of `g` that carry these homes, filed at the nodes that end them.
    fn node_sides(&self, g: &SidedGraph) -> NodeSides {
        let sides_with_homes = (0..self.offsets.len() - 1).flat_map(|e| {
            let (_, on_edge) = self.on_edge(e);
            let has = |s: usize| on_edge.iter().any(|a| side_of(g, a).0 == s);
            [0, 1].into_iter().filter(move |&s| has(s)).map(move |s| {
                let ends = g.edge_ends[e];
                ((e * 2 + s) as u32, [ends[2 * s], ends[2 * s + 1]])
            })
        });
        csr(g.node_count, sides_with_homes)
    }
}

/// The homes one search may report, filed for its graph: all of [`NetworkReach`]'s, or those
/// of [`Searches::only_homes`] alone, so that a search never reads a home it would pass over.
struct Filing<'f> {
    homes: &'f EdgeHomes,
    sides: &'f NodeSides,
    /// Per home, whether it is reported (`None`: every home filed).
    wanted: Option<&'f [bool]>,
}

/// A search's wanted homes get a filing of their own when they are at most one home in this
/// many: a filing holds 36 bytes a home it files, and the homes it leaves out cost one check each.
const SPARSE: usize = 4;

/// The cells of a square grid (cells a search's radius across, and a metre more) that hold a
/// wanted home: a place is within the radius of a wanted home in a straight line only if a cell
/// at or next to its own holds one. The metre keeps a home whose walk, summed piece by piece,
/// rounds to the radius while the straight line rounds just past it.
struct Occupied {
    size: f64,
    cells: HashSet<(i64, i64)>,
}

impl Occupied {
    fn new(homes: &[Coord], radius: f64, wanted: impl Fn(u32) -> bool) -> Self {
        let size = radius + 1.0;
        let cells = homes
            .iter()
            .enumerate()
            .filter(|&(h, _)| wanted(h as u32))
            .map(|(_, c)| Self::cell(*c, size))
            .collect();
        Occupied { size, cells }
    }

    fn cell(c: Coord, size: f64) -> (i64, i64) {
        ((c.x / size).floor() as i64, (c.y / size).floor() as i64)
    }

    /// True when a wanted home may lie within the radius of `geometry` (of its bounding box).
    fn any_near(&self, geometry: &Geometry) -> bool {
        let Some(r) = geometry.bounding_rect() else {
            return false;
        };
        let grow = Coord {
            x: self.size,
            y: self.size,
        };
        let (x0, y0) = Self::cell(r.min() - grow, self.size);
        let (x1, y1) = Self::cell(r.max() + grow, self.size);
        (x0..=x1).any(|x| (y0..=y1).any(|y| self.cells.contains(&(x, y))))
    }
}

/// What [`NetworkReach::each_facility`] searches: (graph, radius) per search, and per band the
/// index of the search that serves it.
pub struct Searches {
    pub searches: Vec<(usize, f64)>,
    pub of_band: Vec<usize>,
    /// Per search, the radii of the bands it serves (increasing, each once): where a
    /// catchment's outline crosses an edge part-way.
    radii: Vec<Vec<f64>>,
    /// Per search, per home, whether the search reports it (`None`: every home).
    only: Option<Vec<Vec<bool>>>,
    /// The searches report the junctions reached too ([`NetworkReach::nodes_within`]).
    junctions: bool,
}

impl Searches {
    /// The same searches, reporting only the homes marked in `only` (per search, indexed by
    /// home): a caller that wants few of the homes in reach (site selection: the children
    /// outside the norm) is spared working out the distance of the others, and a search with
    /// none of them within its radius in a straight line is not run.
    pub fn only_homes(self, only: Vec<Vec<bool>>) -> Searches {
        assert_eq!(
            only.len(),
            self.searches.len(),
            "one list of homes per search"
        );
        Searches {
            only: Some(only),
            ..self
        }
    }

    /// The radii of the bands search `s` serves, increasing.
    pub fn radii(&self, s: usize) -> &[f64] {
        &self.radii[s]
    }

    /// The same searches, reporting the junctions reached too, for
    /// [`NetworkReach::each_facility_reached`]: what a catchment's outline needs.
    pub fn with_junctions(self) -> Searches {
        Searches {
            junctions: true,
            ..self
        }
    }
}

/// Per-thread working memory of [`NetworkReach::homes_within`].
pub struct ReachScratch {
    search: Scratch,
    sort: RadixBuffers,
}

impl<'a> NetworkReach<'a> {
    /// Joins the homes to the network and builds one sided graph per distinct barrier set of
    /// `band_barriers` (indexed by children band).
    pub fn new(
        net: &'a WalkNetwork,
        homes: &'a [Coord],
        band_barriers: &[Vec<String>],
        cfg: &NetworkConfig,
    ) -> Result<NetworkReach<'a>> {
        validate(net, cfg)?;
        let home_attach: Vec<Option<Attach>> = match EdgeGrid::new(net) {
            Some(grid) => homes
                .par_iter()
                .map_init(Vec::new, |found, &h| {
                    grid.attach(net, h, cfg.attach_limit_m, found)
                })
                .collect(),
            None => homes
                .par_iter()
                .map(|&h| attach_point(net, h, cfg.attach_limit_m))
                .collect(),
        };
        let (barrier_sets, band_graph, graphs) = barrier_graphs(net, band_barriers);
        let edge_homes = EdgeHomes::new(net.edges.len(), &home_attach, |_| true);
        let node_sides = graphs
            .par_iter()
            .map(|g| edge_homes.node_sides(g))
            .collect();
        let base_node = graphs
            .par_iter()
            .map(|g| {
                let mut base = vec![0u32; g.node_count];
                for (ends, [u, v]) in g.edge_ends.iter().zip(&net.edges) {
                    for (side, &n) in ends.iter().enumerate() {
                        base[n as usize] = if side % 2 == 0 { *u } else { *v };
                    }
                }
                base
            })
            .collect();
        Ok(NetworkReach {
            net,
            cfg: cfg.clone(),
            homes,
            home_attach,
            barrier_sets,
            graphs,
            band_graph,
            edge_homes,
            node_sides,
            base_node,
            home_tree: OnceLock::new(),
        })
    }

    /// The walk network searched.
    pub fn network(&self) -> &'a WalkNetwork {
        self.net
    }

    /// The street a place is on: the nearest named way within `[network] attach_limit_m`
    /// ([`WalkNetwork::nearest_street`]), the distance at which a place joins the network.
    pub fn nearest_street(&self, c: Coord) -> Option<&'a str> {
        self.net.nearest_street(c, self.cfg.attach_limit_m)
    }

    /// The graph a band walks (by its barriers): a band of `Norms::reach_bands`.
    pub fn graph_of_band(&self, band: usize) -> usize {
        self.band_graph[band]
    }

    /// The searches that serve bands given as (reach band, radius): one per graph in use,
    /// as far as the largest radius on it, and per band the index of its search.
    pub fn searches(&self, bands: impl Iterator<Item = (usize, f64)>) -> Searches {
        let mut searches: Vec<(usize, f64)> = Vec::new();
        let mut of_band = Vec::new();
        let mut radii: Vec<Vec<f64>> = Vec::new();
        for (band, radius) in bands {
            let graph = self.band_graph[band];
            let i = match searches.iter().position(|s| s.0 == graph) {
                Some(i) => i,
                None => {
                    searches.push((graph, 0.0));
                    radii.push(Vec::new());
                    searches.len() - 1
                }
            };
            searches[i].1 = searches[i].1.max(radius);
            radii[i].push(radius);
            of_band.push(i);
        }
        for r in &mut radii {
            r.sort_by(f64::total_cmp);
            r.dedup();
        }
        Searches {
            searches,
            of_band,
            radii,
            only: None,
            junctions: false,
        }
    }

    /// Runs `searches` from every facility: `map(j, reached)` gets facility `j`'s homes within
    /// reach per search ([`Self::homes_within`], only those of [`Searches::only_homes`] when it
    /// was given), in parallel over a few facilities per thread at
    /// a time, and `consume(j, result)` takes the results in facility order, so that sums it
    /// makes run in the same order whatever the thread count, and the homes reached are never
    /// all held at once.
    pub fn each_facility<T: Send>(
        &self,
        facilities: &[FacilityJoin],
        searches: &Searches,
        map: impl Fn(usize, Vec<Vec<(u32, f64)>>) -> T + Sync + Send,
        consume: impl FnMut(usize, T),
    ) {
        let every: Vec<usize> = (0..facilities.len()).collect();
        self.each_facility_of(facilities, &every, searches, map, consume);
    }

    /// [`Self::each_facility`] from the facilities `which` (indices into `facilities`) alone,
    /// in the order given.
    pub fn each_facility_of<T: Send>(
        &self,
        facilities: &[FacilityJoin],
        which: &[usize],
        searches: &Searches,
        map: impl Fn(usize, Vec<Vec<(u32, f64)>>) -> T + Sync + Send,
        consume: impl FnMut(usize, T),
    ) {
        let homes_only =
            |j, reached: Vec<Reached>| map(j, reached.into_iter().map(|r| r.0).collect());
        self.each_facility_reached_of(facilities, which, searches, homes_only, consume);
    }

    /// [`Self::each_facility`], `map` getting per search the junctions reached as well when
    /// the searches are [`Searches::with_junctions`].
    pub fn each_facility_reached<T: Send>(
        &self,
        facilities: &[FacilityJoin],
        searches: &Searches,
        map: impl Fn(usize, Vec<Reached>) -> T + Sync + Send,
        consume: impl FnMut(usize, T),
    ) {
        let every: Vec<usize> = (0..facilities.len()).collect();
        self.each_facility_reached_of(facilities, &every, searches, map, consume);
    }

    fn each_facility_reached_of<T: Send>(
        &self,
        facilities: &[FacilityJoin],
        which: &[usize],
        searches: &Searches,
        map: impl Fn(usize, Vec<Reached>) -> T + Sync + Send,
        mut consume: impl FnMut(usize, T),
    ) {
        // Few homes wanted (at most one in SPARSE): the search's graph gets a filing of those
        // alone (a pass over the homes per search, where every search from every facility would
        // pass over the others one by one), and the cells they lie in. Many wanted: the filing
        // of every home, each checked, costs less than a copy of most of it.
        let only_filed: Vec<Option<(EdgeHomes, NodeSides, Occupied)>> = match &searches.only {
            None => Vec::new(),
            Some(only) => searches
                .searches
                .par_iter()
                .zip(only)
                .map(|(&(g, radius), only)| {
                    let count = only.iter().filter(|&&w| w).count();
                    if count > only.len() / SPARSE {
                        return None;
                    }
                    let wanted = |h: u32| only[h as usize];
                    let homes = EdgeHomes::new(self.net.edges.len(), &self.home_attach, wanted);
                    let sides = homes.node_sides(&self.graphs[g]);
                    let occupied = Occupied::new(self.homes, radius, wanted);
                    Some((homes, sides, occupied))
                })
                .collect(),
        };
        let filed = |s: usize| only_filed.get(s).and_then(Option::as_ref);
        let filing = |s: usize| match filed(s) {
            Some((homes, sides, _)) => Filing {
                homes,
                sides,
                wanted: None,
            },
            None => Filing {
                wanted: searches.only.as_ref().map(|o| &o[s][..]),
                ..self.filing(searches.searches[s].0)
            },
        };
        // A walk is never shorter than the straight line: a search with no wanted home within
        // its radius of the facility in a straight line would report nothing.
        let may_reach = |s: usize, facility: &FacilityJoin| match filed(s) {
            Some((_, _, occupied)) => occupied.any_near(&facility.geometry),
            None => true,
        };
        let wave = 16 * rayon::current_num_threads().max(1);
        // Scratches outlive a wave: a fresh one costs a pass over every node and home, more
        // than a search on a dense graph.
        let pool: Mutex<Vec<ReachScratch>> = Mutex::new(Vec::new());
        for chunk in which.chunks(wave) {
            let results: Vec<T> = chunk
                .par_iter()
                .map_init(
                    || Pooled::take(&pool, || self.scratch()),
                    |scratch, &j| {
                        let scratch = scratch.get();
                        let junctions = searches.junctions;
                        let reached: Vec<Reached> = searches
                            .searches
                            .iter()
                            .enumerate()
                            .map(|(s, &(g, r))| {
                                if !may_reach(s, &facilities[j]) {
                                    return (Vec::new(), Vec::new());
                                }
                                let only = searches.only.as_ref().map(|o| &o[s][..]);
                                let filing = filing(s);
                                let facility = &facilities[j];
                                let ends = if junctions { searches.radii(s) } else { &[] };
                                self.reached(facility, g, r, filing, only, ends, scratch)
                            })
                            .collect();
                        map(j, reached)
                    },
                )
                .collect();
            for (&j, r) in chunk.iter().zip(results) {
                consume(j, r);
            }
        }
    }

    /// Working memory for one thread's searches.
    pub fn scratch(&self) -> ReachScratch {
        ReachScratch {
            search: Scratch::new(self.graphs.iter().map(|g| g.node_count).max().unwrap_or(0)),
            sort: RadixBuffers::default(),
        }
    }

    /// Where each facility joins the network ([`Self::join`]), in parallel.
    pub fn join_all(&self, geometries: impl IntoIterator<Item = Geometry>) -> Vec<FacilityJoin> {
        let geometries: Vec<Geometry> = geometries.into_iter().collect();
        geometries.par_iter().map(|g| self.join(g)).collect()
    }

    /// How far a place may be from every walkable way and still join the network, metres.
    pub fn attach_limit_m(&self) -> f64 {
        self.cfg.attach_limit_m
    }

    /// The facilities (their index) that do not join the network at all: farther than the
    /// attach limit from every walkable way.
    pub fn unattached(&self, geometries: impl IntoIterator<Item = Geometry>) -> Vec<u32> {
        let geometries: Vec<Geometry> = geometries.into_iter().collect();
        let limit = self.cfg.attach_limit_m;
        let spacing = self.cfg.boundary_spacing_m;
        (0..geometries.len() as u32)
            .into_par_iter()
            .filter(|&i| {
                amenity_attaches(self.net, &geometries[i as usize], spacing, limit).joined == 0
            })
            .collect()
    }

    /// Where a facility (a point, or a polygon joined along its boundary and at its entrances)
    /// joins the network.
    pub fn join(&self, geometry: &Geometry) -> FacilityJoin {
        let joined = amenity_attaches(
            self.net,
            geometry,
            self.cfg.boundary_spacing_m,
            self.cfg.attach_limit_m,
        );
        FacilityJoin {
            joins: joined.joins,
            geometry: geometry.clone(),
        }
    }

    /// Every home within `radius` metres of the facility over graph `graph`, with its
    /// distance, sorted by home. A home inside the facility (or at a point facility) is at 0.
    pub fn homes_within(
        &self,
        facility: &FacilityJoin,
        graph: usize,
        radius: f64,
        scratch: &mut ReachScratch,
    ) -> Vec<(u32, f64)> {
        self.reached(
            facility,
            graph,
            radius,
            self.filing(graph),
            None,
            &[],
            scratch,
        )
        .0
    }

    /// [`Self::homes_within`] and [`Self::nodes_within`] from one search: what a catchment
    /// needs (its children and its outline).
    pub fn homes_and_nodes_within(
        &self,
        facility: &FacilityJoin,
        graph: usize,
        radii: &[f64],
        scratch: &mut ReachScratch,
    ) -> Reached {
        let radius = radii.iter().copied().fold(0.0, f64::max);
        self.reached(
            facility,
            graph,
            radius,
            self.filing(graph),
            None,
            radii,
            scratch,
        )
    }

    /// Every home, filed for searches over graph `graph`.
    fn filing(&self, graph: usize) -> Filing<'_> {
        Filing {
            homes: &self.edge_homes,
            sides: &self.node_sides[graph],
            wanted: None,
        }
    }

    /// Where on the network the facility is reached from within `radius` over graph `graph`:
    /// the positions of the junctions and line ends reached, with their distance (for drawing
    /// its catchment; shape points add time, not reach).
    pub fn nodes_within(
        &self,
        facility: &FacilityJoin,
        graph: usize,
        radius: f64,
        scratch: &mut ReachScratch,
    ) -> Vec<(Coord, f64)> {
        if !facility.joins() {
            return Vec::new();
        }
        let g = &self.graphs[graph];
        let (seeds, _) = seeds_of(self.net, g, &facility.joins);
        scratch.search.run(g, &seeds, radius);
        let mut nodes = self.junctions_reached(graph, &seeds, radius, &mut scratch.search);
        nodes.extend(self.walks_ends(graph, &facility.joins, &[radius], &scratch.search));
        scratch.search.clear();
        nodes
    }

    /// One search from the facility: the homes within `radius` (those of `filing`, and inside
    /// the facility those of `only` when given) sorted by home, and with radii in `ends` the
    /// junctions reached and where the walks of each of those radii end part-way along an edge
    /// ([`Self::nodes_within`]).
    #[allow(clippy::too_many_arguments)]
    fn reached(
        &self,
        facility: &FacilityJoin,
        graph: usize,
        radius: f64,
        filing: Filing,
        only: Option<&[bool]>,
        ends: &[f64],
        scratch: &mut ReachScratch,
    ) -> Reached {
        let g = &self.graphs[graph];
        let wanted = |h: u32| only.is_none_or(|o| o[h as usize]);
        let mut found: Vec<(u32, f64)> = Vec::new();
        let mut junctions = Vec::new();
        if facility.joins() {
            let (seeds, on_edge) = seeds_of(self.net, g, &facility.joins);
            scratch.search.run(g, &seeds, radius);
            let search = &scratch.search;
            let reached = |v: u32| search.dist[v as usize].is_finite();
            let visit = |key: u32, found: &mut Vec<(u32, f64)>| {
                let (e, side) = ((key / 2) as usize, (key % 2) as usize);
                let (homes, attach) = filing.homes.on_edge(e);
                for (&h, a) in homes.iter().zip(attach) {
                    if side_of(g, a).0 != side || filing.wanted.is_some_and(|w| !w[h as usize]) {
                        continue;
                    }
                    let (d, _) =
                        home_distance(self.net, g, a, &on_edge, |v| (search.dist[v as usize], 0));
                    if d <= radius {
                        found.push((h, d));
                    }
                }
            };
            // A side is visited from the first of its ends, or from its second when the first
            // was not reached: once, whichever ends the search reached.
            let (side_offsets, sides) = filing.sides;
            for &v in &search.touched {
                let v = v as usize;
                for &key in &sides[side_offsets[v] as usize..side_offsets[v + 1] as usize] {
                    let (e, side) = ((key / 2) as usize, (key % 2) as usize);
                    let first = g.edge_ends[e][2 * side];
                    if first as usize == v || !reached(first) {
                        visit(key, &mut found);
                    }
                }
            }
            // Homes on a source's own edge are reached along it even when neither end is.
            let mut source_edges: Vec<u32> =
                facility.joins.attaches.iter().map(|s| s.edge).collect();
            source_edges.sort_unstable();
            source_edges.dedup();
            for e in source_edges {
                let ends = g.edge_ends[e as usize];
                for side in 0..1 + usize::from(g.is_barrier[e as usize]) {
                    if !reached(ends[2 * side]) && !reached(ends[2 * side + 1]) {
                        visit(e * 2 + side as u32, &mut found);
                    }
                }
            }
            if !ends.is_empty() {
                junctions = self.junctions_reached(graph, &seeds, radius, &mut scratch.search);
                junctions.extend(self.walks_ends(graph, &facility.joins, ends, &scratch.search));
            }
            scratch.search.clear();
        }
        // Each home is found at most once above (each side of an edge once), so sorting by home
        // alone gives the one order.
        radix::sort_by_key(&mut found, &mut scratch.sort);
        self.add_homes_inside(&facility.geometry, &wanted, &mut found);
        (found, junctions)
    }

    /// The junctions and line ends the last search (from `seeds` within `radius`) reached,
    /// with their distance, in the order a search one edge at a time reaches them (the
    /// catchment's outline depends on it).
    fn junctions_reached(
        &self,
        graph: usize,
        seeds: &[Seed],
        radius: f64,
        search: &mut Scratch,
    ) -> Vec<(Coord, f64)> {
        let base = &self.base_node[graph];
        let vertex = |v: u32| self.net.vertex[base[v as usize] as usize];
        search
            .in_search_order(&self.graphs[graph], seeds, radius, vertex)
            .into_iter()
            .map(|v| {
                (
                    self.net.coords[base[v as usize] as usize],
                    search.dist[v as usize],
                )
            })
            .collect()
    }

    /// Where the walks of each radius in `radii` end part-way along an edge, after the last
    /// search (from the facility's `joins`): on every edge leaving a node reached within the
    /// radius that the radius does not walk to its end, and along the facilities' own edges.
    /// Each point comes with its radius as its distance. Without them a catchment's outline
    /// would stop at the last junction and leave out the homes it counts further along a long
    /// street.
    fn walks_ends(
        &self,
        graph: usize,
        joins: &Joins,
        radii: &[f64],
        search: &Scratch,
    ) -> Vec<(Coord, f64)> {
        let g = &self.graphs[graph];
        let base = &self.base_node[graph];
        let at = |a: Coord, b: Coord, f: f64| Coord {
            x: a.x + (b.x - a.x) * f,
            y: a.y + (b.y - a.y) * f,
        };
        let Some(&max) = radii.last() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &v in &search.touched {
            let dv = search.dist[v as usize];
            if dv.is_nan() || dv > max {
                continue;
            }
            let a = self.net.coords[base[v as usize] as usize];
            for k in g.offsets[v as usize] as usize..g.offsets[v as usize + 1] as usize {
                let len = g.weights[k];
                let far = search.dist[g.targets[k] as usize];
                let b = self.net.coords[base[g.targets[k] as usize] as usize];
                // An edge whose far end is reached within the radius too lies between two
                // points of the outline already; its walk end would only crowd the hull, whose
                // cost grows with the points near its boundary.
                for &r in radii
                    .iter()
                    .filter(|&&r| dv <= r && dv + len > r && far > r)
                {
                    out.push((at(a, b, (r - dv) / len), r));
                }
            }
        }
        for s in &joins.attaches {
            let [p, q] = self.net.edges[s.edge as usize];
            let (a, b) = (self.net.coords[p as usize], self.net.coords[q as usize]);
            let len = self.net.edge_len[s.edge as usize];
            for &r in radii.iter().filter(|&&r| r >= s.offset) {
                let along = s.t * len;
                for end in [along - (r - s.offset), along + (r - s.offset)] {
                    if end > 0.0 && end < len {
                        out.push((at(a, b, end / len), r));
                    }
                }
            }
        }
        out
    }

    /// Puts the homes inside (or on) the facility's geometry (those `wanted`) at 0 in `found`
    /// (sorted by home, and kept so): a home inside is at 0 whatever its walk to the boundary.
    fn add_homes_inside(
        &self,
        geometry: &Geometry,
        wanted: &impl Fn(u32) -> bool,
        found: &mut Vec<(u32, f64)>,
    ) {
        let Some(r) = geometry.bounding_rect() else {
            return;
        };
        let tree = self.home_tree.get_or_init(|| {
            RTree::bulk_load(
                self.homes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| HomePoint::new([c.x, c.y], i as u32))
                    .collect(),
            )
        });
        let envelope = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        let walked = found.len();
        for p in tree.locate_in_envelope(&envelope) {
            let [x, y] = *p.geom();
            if wanted(p.data) && geometry.intersects(&Point::new(x, y)) {
                match found[..walked].binary_search_by_key(&p.data, |f| f.0) {
                    Ok(i) => found[i].1 = 0.0,
                    Err(_) => found.push((p.data, 0.0)),
                }
            }
        }
        if found.len() > walked {
            found.sort_unstable_by_key(|f| f.0);
        }
    }
}

/// A scratch borrowed from a pool, given back when dropped.
struct Pooled<'p> {
    scratch: Option<ReachScratch>,
    pool: &'p Mutex<Vec<ReachScratch>>,
}

impl<'p> Pooled<'p> {
    fn take(pool: &'p Mutex<Vec<ReachScratch>>, new: impl FnOnce() -> ReachScratch) -> Self {
        let kept = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        Pooled {
            scratch: Some(kept.unwrap_or_else(new)),
            pool,
        }
    }

    fn get(&mut self) -> &mut ReachScratch {
        self.scratch
            .as_mut()
            .expect("a pooled scratch is held until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.scratch.take() {
            self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(s);
        }
    }
}

/// A CSR index of `items` (value, keys) by their keys (two per item, the same twice to file
/// it once), values in the order given under each key.
fn csr(keys: usize, items: impl Iterator<Item = (u32, [u32; 2])> + Clone) -> (Vec<u32>, Vec<u32>) {
    let keys_of = |[k1, k2]: [u32; 2]| {
        if k1 == k2 {
            [Some(k1), None]
        } else {
            [Some(k1), Some(k2)]
        }
    };
    let mut offsets = vec![0u32; keys + 1];
    for (_, ks) in items.clone() {
        for k in keys_of(ks).into_iter().flatten() {
            offsets[k as usize + 1] += 1;
        }
    }
    for i in 0..keys {
        offsets[i + 1] += offsets[i];
    }
    let mut next = offsets.clone();
    let mut values = vec![0u32; offsets[keys] as usize];
    for (value, ks) in items {
        for k in keys_of(ks).into_iter().flatten() {
            values[next[k as usize] as usize] = value;
            next[k as usize] += 1;
        }
    }
    (offsets, values)
}
