//! The walkable ways of a walk network as read: nodes in the working CRS and the lines through
//! them, from an .osm.pbf or from GeoJSON LineStrings. Turning them into a graph to walk on is
//! the work of [`crate::reach::network`] ([`WalkWays::build`]).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use geo::{Coord, Geometry, LineString};
use rayon::prelude::*;

use super::crs::Transformer;
use super::{osm, Feature, Layer, Properties};
use crate::error::{Error, Result};

/// Nodes and the lines through them, collected as read (or by hand); [`WalkWays::build`] makes the
/// compact graph. Each line's consecutive nodes become straight edges whose length is their
/// distance in the working CRS.
///
/// ```
/// use geo::Coord;
/// use kindscape::layers::walk::WalkWays;
///
/// let mut b = WalkWays::new();
/// let a = b.add_node(Coord { x: 0.0, y: 0.0 }, false);
/// let c = b.add_node(Coord { x: 30.0, y: 40.0 }, false);
/// b.add_line(&[a, c], "footway", false);
/// let net = b.build().unwrap();
/// assert_eq!(net.stats().total_km, 0.05);
/// ```
#[derive(Debug, Default)]
pub struct WalkWays {
    /// The file the ways were read from, named in errors (none when built by hand).
    pub(crate) source: Option<PathBuf>,
    pub(crate) coords: Vec<Coord>,
    pub(crate) crossing: Vec<bool>,
    /// How many line positions use each node (saturating).
    pub(crate) uses: Vec<u8>,
    pub(crate) line_end: Vec<bool>,
    pub(crate) edges: Vec<[u32; 2]>,
    pub(crate) edge_class: Vec<u16>,
    pub(crate) edge_bridge_or_tunnel: Vec<bool>,
    pub(crate) classes: Vec<String>,
    class_index: HashMap<String, u16>,
    /// Per edge, its way's name in `names` ([`NO_NAME`] for none).
    pub(crate) edge_name: Vec<u32>,
    /// Each distinct way name once.
    pub(crate) names: Vec<String>,
    name_index: HashMap<String, u32>,
    seen: HashSet<(u32, u32, u16)>,
    pub(crate) cut_ways: usize,
    pub(crate) walk_rule_lines: Option<WalkRuleLines>,
    /// Roads nobody may walk along (a trunk without foot=yes, foot=no), kept only as the
    /// directions in which they leave the walkable nodes they touch: a road too busy to walk
    /// along still parts the streets on either side where its class is a barrier.
    /// (node, class in `blocked_classes`, a point along the road from the node).
    pub(crate) blocked: Vec<(u32, u16, Coord)>,
    pub(crate) blocked_classes: Vec<String>,
    blocked_class_index: HashMap<String, u16>,
}

pub use crate::study::Walkable;

/// In [`WalkWays`]' names per edge: a way without a name.
pub(crate) const NO_NAME: u32 = u32::MAX;

/// How many lines of a GeoJSON network were taken and refused, and why (`run.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WalkRuleLines {
    /// `[network] walkable`: "osm" (the walk rules) or "all".
    pub walkable: &'static str,
    pub taken: usize,
    pub refused: usize,
    /// Lines refused, per walk rule.
    pub refused_by: RefusedBy,
    /// With `walkable = "all"`: lines taken with no class attribute, walked because the study
    /// says every line is, with nothing on the line itself to say so.
    pub taken_without_class: usize,
    /// Features without geometry (null, or no coordinates): skipped, in neither count above.
    pub without_geometry: usize,
}

/// Lines refused by each rule of [`osm::walk_refusal`], named as [`osm::WalkRefusal::name`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RefusedBy {
    pub no_highway: usize,
    pub not_a_walkway: usize,
    pub motorway_or_trunk_without_foot: usize,
    pub foot_no: usize,
    pub access_private: usize,
    pub access_no: usize,
    pub area: usize,
}

impl RefusedBy {
    /// The rules that refused lines, with their counts: "2 foot_no, 1 access_private".
    pub fn describe(&self) -> String {
        let counts = [
            ("no_highway", self.no_highway),
            ("not_a_walkway", self.not_a_walkway),
            (
                "motorway_or_trunk_without_foot",
                self.motorway_or_trunk_without_foot,
            ),
            ("foot_no", self.foot_no),
            ("access_private", self.access_private),
            ("access_no", self.access_no),
            ("area", self.area),
        ];
        counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(rule, n)| format!("{n} {rule}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn count(&mut self, why: osm::WalkRefusal) {
        use osm::WalkRefusal::*;
        *match why {
            NoHighway => &mut self.no_highway,
            NotAWalkway => &mut self.not_a_walkway,
            MotorRoad => &mut self.motorway_or_trunk_without_foot,
            FootNo => &mut self.foot_no,
            AccessPrivate => &mut self.access_private,
            AccessNo => &mut self.access_no,
            Area => &mut self.area,
        } += 1;
    }
}

impl WalkWays {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node at `coord` (working CRS); `crossing` marks a place where a barrier road may be
    /// crossed. Returns its id.
    pub fn add_node(&mut self, coord: Coord, crossing: bool) -> u32 {
        self.coords.push(coord);
        self.crossing.push(crossing);
        self.uses.push(0);
        self.line_end.push(false);
        (self.coords.len() - 1) as u32
    }

    /// Room for `nodes` more nodes and `edges` more edges: a network of a few hundred thousand
    /// lines spent a fifth of its reading growing and rehashing its edge set.
    fn reserve(&mut self, nodes: usize, edges: usize) {
        self.coords.reserve(nodes);
        self.crossing.reserve(nodes);
        self.uses.reserve(nodes);
        self.line_end.reserve(nodes);
        self.seen.reserve(edges);
        self.edges.reserve(edges);
        self.edge_class.reserve(edges);
        self.edge_name.reserve(edges);
        self.edge_bridge_or_tunnel.reserve(edges);
    }

    /// Marks a node as a crossing.
    pub fn set_crossing(&mut self, node: u32) {
        self.crossing[node as usize] = true;
    }

    /// Adds a line through `nodes` (ids from [`add_node`](Self::add_node)) with its highway class.
    /// Repeated consecutive nodes are skipped.
    pub fn add_line(&mut self, nodes: &[u32], highway: &str, bridge_or_tunnel: bool) {
        self.add_named_line(nodes, highway, bridge_or_tunnel, None);
    }

    /// [`add_line`](Self::add_line) for a way with a name (a street's), which
    /// [`WalkNetwork::nearest_street`](crate::reach::network::WalkNetwork::nearest_street)
    /// gives back. An empty name is none.
    pub fn add_named_line(
        &mut self,
        nodes: &[u32],
        highway: &str,
        bridge_or_tunnel: bool,
        name: Option<&str>,
    ) {
        if nodes.len() < 2 {
            return;
        }
        let name = match name.filter(|n| !n.is_empty()) {
            None => NO_NAME,
            Some(n) => match self.name_index.get(n) {
                Some(&i) => i,
                None => {
                    let i = self.names.len() as u32;
                    self.names.push(n.to_string());
                    self.name_index.insert(n.to_string(), i);
                    i
                }
            },
        };
        let class = match self.class_index.get(highway) {
            Some(&c) => c,
            None => {
                let c = self.classes.len() as u16;
                self.classes.push(highway.to_string());
                self.class_index.insert(highway.to_string(), c);
                c
            }
        };
        for &n in nodes {
            self.uses[n as usize] = self.uses[n as usize].saturating_add(1);
        }
        if let (Some(&first), Some(&last)) = (nodes.first(), nodes.last()) {
            self.line_end[first as usize] = true;
            self.line_end[last as usize] = true;
        }
        for w in nodes.windows(2) {
            // Edges are straight, so a second edge between the same two nodes with the same class
            // is the same stretch of pavement (overlapping ways, both directions in a GeoJSON).
            let key = (w[0].min(w[1]), w[0].max(w[1]), class);
            if w[0] != w[1] && self.seen.insert(key) {
                self.edges.push([w[0], w[1]]);
                self.edge_class.push(class);
                self.edge_name.push(name);
                self.edge_bridge_or_tunnel.push(bridge_or_tunnel);
            }
        }
    }

    /// Adds a road that may not be walked along (see [`osm::walk_refusal`]) through `nodes`: no
    /// edge, but where its class is a barrier it parts the streets meeting at its nodes as a
    /// walkable barrier road does, crossed only at a crossing node.
    pub fn add_unwalkable_line(&mut self, nodes: &[u32], highway: &str) {
        for w in nodes.windows(2) {
            if w[0] != w[1] {
                let (a, b) = (self.coords[w[0] as usize], self.coords[w[1] as usize]);
                self.add_blocked_step(w[0], highway, b);
                self.add_blocked_step(w[1], highway, a);
            }
        }
    }

    /// An unwalkable road leaves `node` towards `toward`.
    pub(crate) fn add_blocked_step(&mut self, node: u32, highway: &str, toward: Coord) {
        let class = match self.blocked_class_index.get(highway) {
            Some(&c) => c,
            None => {
                let c = self.blocked_classes.len() as u16;
                self.blocked_classes.push(highway.to_string());
                self.blocked_class_index.insert(highway.to_string(), c);
                c
            }
        };
        self.blocked.push((node, class, toward));
    }

    /// The distinct edges collected so far.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }
}

impl WalkWays {
    /// The walkable ways of an .osm.pbf (see [`osm::is_walkable`]), moved into the working CRS by
    /// `to_working` (a transformer from WGS84).
    pub fn from_osm(path: &Path, to_working: &Transformer) -> Result<WalkWays> {
        let ways = osm::read_walk_ways(path)?;
        let coords: Vec<Coord> = ways
            .node_coords
            .par_iter()
            .map(|&c| to_working.coord(c))
            .collect::<std::result::Result<_, String>>()
            .map_err(|m| Error::layer(path, m))?;
        let mut b = WalkWays::new();
        b.source = Some(path.to_path_buf());
        for (c, &crossing) in coords.into_iter().zip(&ways.node_crossing) {
            b.add_node(c, crossing);
        }
        for w in &ways.ways {
            b.add_named_line(&w.nodes, &w.highway, w.bridge_or_tunnel, w.name.as_deref());
        }
        for (node, highway, toward) in &ways.blocked {
            let toward = to_working
                .coord(*toward)
                .map_err(|m| Error::layer(path, m))?;
            b.add_blocked_step(*node, highway, toward);
        }
        b.cut_ways = ways.cut_ways;
        Ok(b)
    }

    /// A network from LineStrings (or MultiLineStrings) already in the metric working CRS, with
    /// the road class in `highway_attr`.
    ///
    /// Nodes are identified by the `u` and `v` attributes (OSM node ids at each line's ends, as
    /// osmnx writes them) when every line has them; interior vertices are then the line's own.
    /// Otherwise vertices with exactly equal coordinates are one node. A line's `name` attribute
    /// (the OSM tag, as osmnx writes it; of a list the first) names its way. Lines tagged
    /// highway=crossing or footway=crossing make their nodes (for split edges: their end nodes)
    /// crossings; `bridge` or
    /// `tunnel` attributes (other than "no") set the bridge/tunnel flag.
    pub fn from_layer(layer: &Layer, highway_attr: &str, walkable: Walkable) -> Result<WalkWays> {
        let path = &layer.path;
        if layer.crs.is_geographic() {
            return Err(Error::layer(
                path,
                format!(
                    "the walk network is in {} (degrees); reproject it into the metric working CRS first",
                    layer.crs
                ),
            ));
        }
        if walkable == Walkable::OsmRules {
            layer.require_attribute(
                highway_attr,
                "the road class of the walk network, [network] highway; or set [network] walkable = \"all\" to walk every line",
            )?;
        }
        let mut lines: Vec<(&Feature, Vec<&LineString>)> = Vec::new();
        let mut unwalkable: Vec<(&Feature, Vec<&LineString>)> = Vec::new();
        let mut refused = 0;
        let mut refused_by = RefusedBy::default();
        let mut without_class = 0;
        let mut without_geometry = 0;
        for f in &layer.features {
            let parts = match &f.geometry {
                None => {
                    without_geometry += 1;
                    continue;
                }
                Some(Geometry::LineString(l)) => vec![l],
                Some(Geometry::MultiLineString(m)) => m.0.iter().collect(),
                Some(other) => {
                    return Err(Error::feature(
                        path,
                        f.index,
                        format!(
                            "the walk network must be LineStrings; this feature is a {}",
                            geometry_name(other)
                        ),
                    ))
                }
            };
            if parts.iter().all(|l| l.0.is_empty()) {
                without_geometry += 1;
                continue;
            }
            if walkable == Walkable::OsmRules {
                let tags: Vec<(&str, String)> = [
                    ("highway", highway_attr),
                    ("foot", "foot"),
                    ("access", "access"),
                    ("area", "area"),
                ]
                .into_iter()
                .filter_map(|(tag, attr)| Some((tag, attribute_text(f.props.get(attr))?)))
                .collect();
                // The .osm.pbf reader's rule, on the line's attributes as tags; but a
                // highway=crossing line is walked: a GeoJSON network has no node tags, so such
                // edges are where its crossings come from (README, limits of the model).
                let refusal =
                    osm::walk_refusal(tags.iter().map(|(k, v)| (*k, v.as_str()))).filter(|&why| {
                        why != osm::WalkRefusal::NotAWalkway
                            || attribute_text(f.props.get(highway_attr)).as_deref()
                                != Some("crossing")
                    });
                if let Some(why) = refusal {
                    refused += 1;
                    refused_by.count(why);
                    if osm::parts_sides(why) {
                        unwalkable.push((f, parts));
                    }
                    continue;
                }
            } else if attribute_text(f.props.get(highway_attr)).is_none() {
                without_class += 1;
            }
            lines.push((f, parts));
        }
        let use_uv = !lines.is_empty()
            && lines.iter().all(|(f, parts)| {
                parts.len() == 1
                    && ["u", "v"]
                        .iter()
                        .all(|k| f.props.get(*k).is_some_and(|v| !v.is_null()))
            });

        #[derive(Hash, PartialEq, Eq)]
        enum Key {
            Id(String),
            At(u64, u64),
        }
        // Vertex `i` of a line of `n`: its node, by the `u`/`v` ids at a line's ends when every
        // line has them (an osmnx export), else by its position; `None`: a node of its own.
        let key_of = |props: &Properties, i: usize, n: usize, c: Coord| {
            if use_uv {
                match i {
                    0 => attribute_text(props.get("u")).map(Key::Id),
                    _ if i == n - 1 => attribute_text(props.get("v")).map(Key::Id),
                    _ => None,
                }
            } else {
                Some(Key::At(c.x.to_bits(), c.y.to_bits()))
            }
        };
        let mut b = WalkWays::new();
        b.source = Some(path.clone());
        b.walk_rule_lines = Some(WalkRuleLines {
            walkable: match walkable {
                Walkable::OsmRules => "osm",
                Walkable::All => "all",
            },
            taken: lines.len(),
            refused,
            refused_by,
            taken_without_class: without_class,
            without_geometry,
        });
        // Every vertex a node and every segment an edge at most: presized for that.
        let vertices: usize = lines
            .iter()
            .flat_map(|(_, parts)| parts.iter().map(|l| l.0.len()))
            .sum();
        let segments = vertices.saturating_sub(lines.len());
        b.reserve(vertices, segments);
        let mut ids: HashMap<Key, u32> = HashMap::with_capacity(vertices);
        let mut node_for = |b: &mut WalkWays, key: Option<Key>, c: Coord| -> u32 {
            match key {
                None => b.add_node(c, false),
                Some(k) => *ids.entry(k).or_insert_with(|| b.add_node(c, false)),
            }
        };
        for (f, parts) in &lines {
            let highway = attribute_text(f.props.get(highway_attr)).unwrap_or_default();
            let name = attribute_text(f.props.get("name"));
            let crossing = highway == "crossing"
                || attribute_text(f.props.get("footway")).as_deref() == Some("crossing");
            let bridge_or_tunnel = ["bridge", "tunnel"].iter().any(|k| {
                attribute_text(f.props.get(*k))
                    .is_some_and(|v| !matches!(v.as_str(), "no" | "false" | ""))
            });
            for line in parts {
                let n = line.0.len();
                let mut nodes = Vec::with_capacity(n);
                for (i, &c) in line.0.iter().enumerate() {
                    nodes.push(node_for(&mut b, key_of(&f.props, i, n, c), c));
                }
                if crossing {
                    // Every node, as for OSM crossing ways: split edges make that their ends.
                    for &n in &nodes {
                        b.set_crossing(n);
                    }
                }
                b.add_named_line(&nodes, &highway, bridge_or_tunnel, name.as_deref());
            }
        }
        // Only where they touch a walkable node: their other nodes part nothing.
        for (f, parts) in &unwalkable {
            let highway = attribute_text(f.props.get(highway_attr)).unwrap_or_default();
            for line in parts {
                let n = line.0.len();
                for (i, &c) in line.0.iter().enumerate() {
                    let Some(&node) = key_of(&f.props, i, n, c).and_then(|k| ids.get(&k)) else {
                        continue;
                    };
                    for j in [i.wrapping_sub(1), i + 1] {
                        if let Some(&t) = line.0.get(j).filter(|t| **t != c) {
                            b.add_blocked_step(node, &highway, t);
                        }
                    }
                }
            }
        }
        Ok(b)
    }
}

/// An attribute as text: strings as they are, numbers and booleans written out, a list by its
/// first element (osmnx writes merged ways' classes as lists).
fn attribute_text(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Array(a) => attribute_text(a.first()),
        _ => None,
    }
}

fn geometry_name(g: &Geometry) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::MultiLineString(_) => "MultiLineString",
    }
}
