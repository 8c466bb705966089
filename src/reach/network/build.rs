//! Building a [`WalkNetwork`]: by hand, from an .osm.pbf, or from GeoJSON LineStrings.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use geo::{Coord, Geometry, LineString};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

use super::WalkNetwork;
use crate::error::{Error, Result};
use crate::layers::crs::Transformer;
use crate::layers::{osm, Feature, Layer};

/// Collects nodes and lines, then builds the compact graph. Each line's consecutive nodes become
/// straight edges whose length is their distance in the working CRS.
///
/// ```
/// use geo::Coord;
/// use kindscape::reach::network::NetworkBuilder;
///
/// let mut b = NetworkBuilder::new();
/// let a = b.add_node(Coord { x: 0.0, y: 0.0 }, false);
/// let c = b.add_node(Coord { x: 30.0, y: 40.0 }, false);
/// b.add_line(&[a, c], "footway", false);
/// let net = b.build().unwrap();
/// assert_eq!(net.stats().total_km, 0.05);
/// ```
#[derive(Debug, Default)]
pub struct NetworkBuilder {
    coords: Vec<Coord>,
    crossing: Vec<bool>,
    /// How many line positions use each node (saturating).
    uses: Vec<u8>,
    line_end: Vec<bool>,
    edges: Vec<[u32; 2]>,
    edge_class: Vec<u16>,
    edge_bridge_or_tunnel: Vec<bool>,
    classes: Vec<String>,
    class_index: HashMap<String, u16>,
    seen: HashSet<(u32, u32, u16)>,
    cut_ways: usize,
    walk_rule_lines: Option<WalkRuleLines>,
}

/// Which lines of a GeoJSON network are walked (`[network] walkable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Walkable {
    /// The .osm.pbf reader's walk rules ([`osm::is_walkable`]) on each line's class, `foot`,
    /// `access` and `area` attributes; the class attribute is required.
    #[default]
    OsmRules,
    /// Every line, whatever its attributes (`walkable = "all"`); the class, when given, still
    /// names barrier roads.
    All,
}

/// How many lines of a GeoJSON network the walk rules took and refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WalkRuleLines {
    pub taken: usize,
    pub refused: usize,
}

impl NetworkBuilder {
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

    /// Marks a node as a crossing.
    pub fn set_crossing(&mut self, node: u32) {
        self.crossing[node as usize] = true;
    }

    /// Adds a line through `nodes` (ids from [`add_node`](Self::add_node)) with its highway class.
    /// Repeated consecutive nodes are skipped.
    pub fn add_line(&mut self, nodes: &[u32], highway: &str, bridge_or_tunnel: bool) {
        if nodes.len() < 2 {
            return;
        }
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
                self.edge_bridge_or_tunnel.push(bridge_or_tunnel);
            }
        }
    }

    /// Builds the graph. Errors on a non-finite coordinate or more nodes than `u32` can count.
    pub fn build(self) -> Result<WalkNetwork> {
        if self.coords.len() >= u32::MAX as usize || self.edges.len() >= u32::MAX as usize {
            return Err(Error::Other(format!(
                "the walk network is too large ({} nodes, {} edges)",
                self.coords.len(),
                self.edges.len()
            )));
        }
        if let Some(c) = self
            .coords
            .iter()
            .find(|c| !c.x.is_finite() || !c.y.is_finite())
        {
            return Err(Error::Other(format!(
                "the walk network has a node at {}, not a finite coordinate",
                crate::error::shown_coord(c.x, c.y)
            )));
        }
        let n = self.coords.len();
        let edge_len: Vec<f64> = self
            .edges
            .iter()
            .map(|&[a, b]| distance(self.coords[a as usize], self.coords[b as usize]))
            .collect();
        let mut adj_offsets = vec![0u32; n + 1];
        for &[a, b] in &self.edges {
            adj_offsets[a as usize + 1] += 1;
            adj_offsets[b as usize + 1] += 1;
        }
        for i in 0..n {
            adj_offsets[i + 1] += adj_offsets[i];
        }
        let mut fill = adj_offsets.clone();
        let mut adj = vec![(0u32, 0u32); adj_offsets[n] as usize];
        for (e, &[a, b]) in self.edges.iter().enumerate() {
            adj[fill[a as usize] as usize] = (b, e as u32);
            fill[a as usize] += 1;
            adj[fill[b as usize] as usize] = (a, e as u32);
            fill[b as usize] += 1;
        }
        let segments = RTree::bulk_load(
            self.edges
                .iter()
                .enumerate()
                .map(|(e, &[a, b])| {
                    let (p, q) = (self.coords[a as usize], self.coords[b as usize]);
                    GeomWithData::new(Line::new([p.x, p.y], [q.x, q.y]), e as u32)
                })
                .collect(),
        );
        let vertex = self
            .uses
            .iter()
            .zip(&self.line_end)
            .map(|(&u, &end)| u > 0 && (end || u >= 2))
            .collect();
        Ok(WalkNetwork {
            coords: self.coords,
            crossing: self.crossing,
            vertex,
            edges: self.edges,
            edge_len,
            edge_class: self.edge_class,
            classes: self.classes,
            edge_bridge_or_tunnel: self.edge_bridge_or_tunnel,
            adj_offsets,
            adj,
            segments,
            cut_ways: self.cut_ways,
            walk_rule_lines: self.walk_rule_lines,
        })
    }
}

pub(super) fn distance(a: Coord, b: Coord) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

impl WalkNetwork {
    /// The walkable ways of an .osm.pbf (see [`osm::is_walkable`]), moved into the working CRS by
    /// `to_working` (a transformer from WGS84).
    pub fn from_osm(path: &Path, to_working: &Transformer) -> Result<WalkNetwork> {
        let ways = osm::read_walk_ways(path)?;
        let coords: Vec<Coord> = ways
            .node_coords
            .par_iter()
            .map(|&c| to_working.coord(c))
            .collect::<std::result::Result<_, String>>()
            .map_err(|m| Error::layer(path, m))?;
        let mut b = NetworkBuilder::new();
        for (c, &crossing) in coords.into_iter().zip(&ways.node_crossing) {
            b.add_node(c, crossing);
        }
        for w in &ways.ways {
            b.add_line(&w.nodes, &w.highway, w.bridge_or_tunnel);
        }
        b.cut_ways = ways.cut_ways;
        b.build().map_err(|e| Error::layer(path, e.to_string()))
    }

    /// A network from LineStrings (or MultiLineStrings) already in the metric working CRS, with
    /// the road class in `highway_attr`. With [`Walkable::OsmRules`] a line is walked when the
    /// .osm.pbf reader would walk an OSM way with its class, `foot`, `access` and `area`
    /// attributes as tags (one rule for both readers: [`osm::is_walkable`]); with
    /// [`Walkable::All`] every line is.
    ///
    /// Nodes are identified by the `u` and `v` attributes (OSM node ids at each line's ends, as
    /// osmnx writes them) when every line has them; interior vertices are then the line's own.
    /// Otherwise vertices with exactly equal coordinates are one node. Lines tagged
    /// highway=crossing or footway=crossing make their nodes (for split edges: their end nodes)
    /// crossings; `bridge` or
    /// `tunnel` attributes (other than "no") set the bridge/tunnel flag.
    pub fn from_layer(
        layer: &Layer,
        highway_attr: &str,
        walkable: Walkable,
    ) -> Result<WalkNetwork> {
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
        let mut refused = 0;
        for f in &layer.features {
            let parts = match &f.geometry {
                None => continue,
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
                if !osm::is_walkable(tags.iter().map(|(k, v)| (*k, v.as_str()))) {
                    refused += 1;
                    continue;
                }
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
        let mut b = NetworkBuilder::new();
        b.walk_rule_lines = (walkable == Walkable::OsmRules).then_some(WalkRuleLines {
            taken: lines.len(),
            refused,
        });
        let mut ids: HashMap<Key, u32> = HashMap::new();
        let mut node_for = |b: &mut NetworkBuilder, key: Option<Key>, c: Coord| -> u32 {
            match key {
                None => b.add_node(c, false),
                Some(k) => *ids.entry(k).or_insert_with(|| b.add_node(c, false)),
            }
        };
        for (f, parts) in &lines {
            let highway = attribute_text(f.props.get(highway_attr)).unwrap_or_default();
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
                    let key = if use_uv {
                        match i {
                            0 => attribute_text(f.props.get("u")).map(Key::Id),
                            _ if i == n - 1 => attribute_text(f.props.get("v")).map(Key::Id),
                            _ => None,
                        }
                    } else {
                        Some(Key::At(c.x.to_bits(), c.y.to_bits()))
                    };
                    nodes.push(node_for(&mut b, key, c));
                }
                if crossing {
                    // Every node, as for OSM crossing ways: split edges make that their ends.
                    for &n in &nodes {
                        b.set_crossing(n);
                    }
                }
                b.add_line(&nodes, &highway, bridge_or_tunnel);
            }
        }
        b.build().map_err(|e| Error::layer(path, e.to_string()))
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
