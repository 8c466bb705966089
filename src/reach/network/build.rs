//! Building a [`WalkNetwork`] from the walkable ways as read ([`WalkWays`]), from an .osm.pbf,
//! or from GeoJSON LineStrings.

use std::path::Path;

use geo::Coord;
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

use super::WalkNetwork;
use crate::error::{Error, Result};
use crate::layers::crs::Transformer;
use crate::layers::walk::{WalkWays, Walkable};
use crate::layers::Layer;

impl WalkWays {
    /// Builds the graph. Errors on a non-finite coordinate or more nodes than `u32` can count.
    pub fn build(self) -> Result<WalkNetwork> {
        let source = self.source.clone();
        self.build_graph().map_err(|e| match source {
            Some(path) => Error::layer(path, e.to_string()),
            None => e,
        })
    }

    fn build_graph(self) -> Result<WalkNetwork> {
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
        let mut blocked: Vec<(u32, u16, f64)> = self
            .blocked
            .iter()
            .map(|&(v, class, t)| {
                let here = self.coords[v as usize];
                (v, class, (t.y - here.y).atan2(t.x - here.x))
            })
            .filter(|b| b.2.is_finite())
            .collect();
        blocked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.total_cmp(&b.2)));
        blocked.dedup();
        // A network without names keeps no per-edge name at all.
        let edge_name = if self.names.is_empty() {
            Vec::new()
        } else {
            self.edge_name
        };
        Ok(WalkNetwork {
            coords: self.coords,
            edge_name,
            names: self.names,
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
            blocked,
            blocked_classes: self.blocked_classes,
        })
    }
}

pub(super) fn distance(a: Coord, b: Coord) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

impl WalkNetwork {
    /// The walkable ways of an .osm.pbf (see [`crate::layers::osm::is_walkable`]), moved into the
    /// working CRS by `to_working` (a transformer from WGS84).
    pub fn from_osm(path: &Path, to_working: &Transformer) -> Result<WalkNetwork> {
        WalkWays::from_osm(path, to_working)?.build()
    }

    /// A network from LineStrings (or MultiLineStrings) already in the metric working CRS, with
    /// the road class in `highway_attr` (see [`WalkWays::from_layer`]).
    pub fn from_layer(
        layer: &Layer,
        highway_attr: &str,
        walkable: Walkable,
    ) -> Result<WalkNetwork> {
        WalkWays::from_layer(layer, highway_attr, walkable)?.build()
    }
}
