//! Writes the town as an OpenStreetMap `.osm.pbf`, so benchmarks and the OSM loader can be run
//! on exactly the content of the GeoJSON layers.
//!
//! No Rust crate writes PBF (`osmpbf` only reads), so this is a small protobuf encoder for the
//! three messages needed (HeaderBlock, PrimitiveBlock with DenseNodes, Ways), following
//! <https://wiki.openstreetmap.org/wiki/PBF_Format>. Blobs are stored uncompressed (`raw`), which
//! every reader must accept: the bytes then depend on nothing but the content (a zlib stream
//! changes with the compressor's version), and no compression crate is needed.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use geo::Coord;
use rayon::prelude::*;

use super::city::{Amenity, City, Footprint};
use crate::error::{Error, Result};
use crate::layers::crs::Transformer;

/// Entities per block; the format recommends at most 8000.
const BLOCK: usize = 8000;

/// A protobuf message being encoded.
#[derive(Default)]
struct Message(Vec<u8>);

impl Message {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn key(&mut self, field: u32, wire_type: u8) {
        self.varint(((field as u64) << 3) | wire_type as u64);
    }

    fn uint(&mut self, field: u32, v: u64) {
        self.key(field, 0);
        self.varint(v);
    }

    fn sint(&mut self, field: u32, v: i64) {
        self.key(field, 0);
        self.varint(zigzag(v));
    }

    fn bytes(&mut self, field: u32, b: &[u8]) {
        self.key(field, 2);
        self.varint(b.len() as u64);
        self.0.extend_from_slice(b);
    }

    fn packed_uint(&mut self, field: u32, values: impl Iterator<Item = u64>) {
        let mut inner = Message::default();
        values.for_each(|v| inner.varint(v));
        self.bytes(field, &inner.0);
    }

    /// Packed sint64, delta-coded as DenseNodes and way refs require.
    fn packed_delta(&mut self, field: u32, values: impl Iterator<Item = i64>) {
        let mut inner = Message::default();
        let mut last = 0i64;
        for v in values {
            inner.varint(zigzag(v - last));
            last = v;
        }
        self.bytes(field, &inner.0);
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The strings of one block; index 0 is the empty string by the format's convention.
struct StringTable {
    index: HashMap<String, u32>,
    strings: Vec<String>,
}

impl StringTable {
    fn new() -> Self {
        StringTable {
            index: HashMap::new(),
            strings: vec![String::new()],
        }
    }

    /// Indices follow first use, so the table's order never depends on hashing.
    fn id(&mut self, s: &str) -> u64 {
        if let Some(&i) = self.index.get(s) {
            return i as u64;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i as u64
    }

    fn encode(&self) -> Vec<u8> {
        let mut m = Message::default();
        for s in &self.strings {
            m.bytes(1, s.as_bytes());
        }
        m.0
    }
}

type Tags = Vec<(&'static str, String)>;
/// A fixed tag, key and value.
type Tag = (&'static str, &'static str);

/// A node waiting for its block, in RD New.
struct PendingNode {
    id: i64,
    at: Coord,
    tags: Tags,
}

struct PendingWay {
    id: i64,
    refs: Vec<i64>,
    tags: Tags,
}

struct PbfWriter<'a> {
    path: PathBuf,
    out: BufWriter<File>,
    to_wgs84: &'a Transformer,
    nodes: Vec<PendingNode>,
    ways: Vec<PendingWay>,
}

impl<'a> PbfWriter<'a> {
    fn create(path: &Path, to_wgs84: &'a Transformer, extent_rd: [Coord; 2]) -> Result<Self> {
        let file =
            File::create(path).map_err(|e| Error::io(path, format!("cannot create: {e}")))?;
        let mut w = PbfWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 20, file),
            to_wgs84,
            nodes: Vec::with_capacity(BLOCK),
            ways: Vec::new(),
        };
        let corners = extent_rd
            .iter()
            .map(|&c| w.wgs84(c))
            .collect::<Result<Vec<_>>>()?;
        let nano = |d: f64| (d * 1e9).round() as i64;
        let mut bbox = Message::default();
        bbox.sint(1, nano(corners[0].x.min(corners[1].x)));
        bbox.sint(2, nano(corners[0].x.max(corners[1].x)));
        bbox.sint(3, nano(corners[0].y.max(corners[1].y)));
        bbox.sint(4, nano(corners[0].y.min(corners[1].y)));
        let mut header = Message::default();
        header.bytes(1, &bbox.0);
        header.bytes(4, b"OsmSchema-V0.6");
        header.bytes(4, b"DenseNodes");
        header.bytes(5, b"Sort.Type_then_ID");
        header.bytes(16, b"kindscape");
        w.blob("OSMHeader", &header.0)?;
        Ok(w)
    }

    fn wgs84(&self, c: Coord) -> Result<Coord> {
        self.to_wgs84.coord(c).map_err(|m| Error::io(&self.path, m))
    }

    fn node(&mut self, id: i64, at: Coord, tags: Tags) -> Result<()> {
        self.nodes.push(PendingNode { id, at, tags });
        if self.nodes.len() >= BLOCK {
            self.flush_nodes()?;
        }
        Ok(())
    }

    fn way(&mut self, id: i64, refs: Vec<i64>, tags: Tags) -> Result<()> {
        self.flush_nodes()?;
        self.ways.push(PendingWay { id, refs, tags });
        if self.ways.len() >= BLOCK {
            self.flush_ways()?;
        }
        Ok(())
    }

    fn flush_nodes(&mut self) -> Result<()> {
        if self.nodes.is_empty() {
            return Ok(());
        }
        let nodes = std::mem::take(&mut self.nodes);
        // Reprojection dominates the cost; each coordinate is independent, so threads cannot
        // change the result.
        let lonlat = nodes
            .par_iter()
            .map(|n| {
                self.wgs84(n.at)
                    .map(|c| ((c.y * 1e7).round() as i64, (c.x * 1e7).round() as i64))
            })
            .collect::<Result<Vec<(i64, i64)>>>()?;
        let mut strings = StringTable::new();
        let mut keys_vals = Vec::new();
        for n in &nodes {
            for (k, v) in &n.tags {
                keys_vals.push(strings.id(k));
                keys_vals.push(strings.id(v));
            }
            keys_vals.push(0);
        }
        let mut dense = Message::default();
        dense.packed_delta(1, nodes.iter().map(|n| n.id));
        dense.packed_delta(8, lonlat.iter().map(|l| l.0));
        dense.packed_delta(9, lonlat.iter().map(|l| l.1));
        dense.packed_uint(10, keys_vals.into_iter());
        let mut group = Message::default();
        group.bytes(2, &dense.0);
        self.block(&strings, &group.0)?;
        self.nodes = nodes;
        self.nodes.clear();
        Ok(())
    }

    fn flush_ways(&mut self) -> Result<()> {
        if self.ways.is_empty() {
            return Ok(());
        }
        let mut strings = StringTable::new();
        let mut group = Message::default();
        for w in &self.ways {
            let mut way = Message::default();
            way.uint(1, w.id as u64);
            let keys: Vec<u64> = w.tags.iter().map(|(k, _)| strings.id(k)).collect();
            let vals: Vec<u64> = w.tags.iter().map(|(_, v)| strings.id(v)).collect();
            way.packed_uint(2, keys.into_iter());
            way.packed_uint(3, vals.into_iter());
            way.packed_delta(8, w.refs.iter().copied());
            group.bytes(3, &way.0);
        }
        self.block(&strings, &group.0)?;
        self.ways.clear();
        Ok(())
    }

    fn block(&mut self, strings: &StringTable, group: &[u8]) -> Result<()> {
        let mut block = Message::default();
        block.bytes(1, &strings.encode());
        block.bytes(2, group);
        self.blob("OSMData", &block.0)
    }

    fn blob(&mut self, kind: &str, data: &[u8]) -> Result<()> {
        let mut blob = Message::default();
        blob.bytes(1, data);
        let mut header = Message::default();
        header.bytes(1, kind.as_bytes());
        header.uint(3, blob.0.len() as u64);
        let path = &self.path;
        let write = |out: &mut BufWriter<File>, b: &[u8]| {
            out.write_all(b)
                .map_err(|e| Error::io(path, format!("cannot write: {e}")))
        };
        write(&mut self.out, &(header.0.len() as u32).to_be_bytes())?;
        write(&mut self.out, &header.0)?;
        write(&mut self.out, &blob.0)
    }

    fn finish(mut self) -> Result<()> {
        self.flush_nodes()?;
        self.flush_ways()?;
        self.out
            .flush()
            .map_err(|e| Error::io(&self.path, format!("cannot write: {e}")))
    }
}

fn tags(pairs: &[Tag]) -> Tags {
    pairs.iter().map(|&(k, v)| (k, v.to_string())).collect()
}

/// Writes `city` as OSM: street corners and crossings (tagged highway=crossing), homes (nodes
/// tagged building=house with their id in `ref`), point amenities as tagged nodes, polygon
/// amenities as closed ways, and one way per network edge with its highway tag (crossings also
/// footway=crossing). Ids are 1.. per entity type, nodes and ways each in ascending order.
pub(crate) fn write_city(city: &City, path: &Path, to_wgs84: &Transformer) -> Result<()> {
    let (min, max) = city.extent();
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let mut w = PbfWriter::create(&part, to_wgs84, [min, max])?;

    let mut is_crossing = vec![false; city.nodes.len()];
    for &n in &city.crossings {
        is_crossing[n as usize] = true;
    }
    for (i, &c) in city.nodes.iter().enumerate() {
        let t = if is_crossing[i] {
            tags(&[
                ("highway", "crossing"),
                ("crossing", "uncontrolled"),
                ("crossing:markings", "zebra"),
            ])
        } else {
            Vec::new()
        };
        w.node(i as i64 + 1, c, t)?;
    }
    let mut next_node = city.nodes.len() as i64 + 1;
    let mut buf = Vec::new();
    for (cell_index, cell) in city.cells.iter().enumerate() {
        city.homes_in_cell(cell_index, &mut buf);
        for (n, &p) in buf.iter().enumerate() {
            let id = city.home_id(cell.first_home + n as u64);
            w.node(
                next_node,
                p,
                vec![("building", "house".to_string()), ("ref", id)],
            )?;
            next_node += 1;
        }
    }
    let layers: [(&[Amenity], &[Tag]); 4] = [
        (&city.parks, &[("leisure", "park")]),
        (&city.playgrounds, &[("leisure", "playground")]),
        (&city.libraries, &[("amenity", "library")]),
        (
            &city.community_centres,
            &[("amenity", "community_centre"), ("building", "yes")],
        ),
    ];
    let amenity_tags = |a: &Amenity, kind: &[Tag]| {
        let mut t = tags(kind);
        t.push(("name", a.name.clone()));
        t.push(("ref", a.id.clone()));
        t
    };
    let mut areas: Vec<(Vec<i64>, Tags)> = Vec::new();
    for (amenities, kind) in layers {
        for a in amenities {
            match &a.footprint {
                Footprint::Point(c) => {
                    w.node(next_node, *c, amenity_tags(a, kind))?;
                    next_node += 1;
                }
                Footprint::Polygon(ring) => {
                    let open = &ring[..ring.len() - 1];
                    let mut refs = Vec::with_capacity(ring.len());
                    for &c in open {
                        w.node(next_node, c, Vec::new())?;
                        refs.push(next_node);
                        next_node += 1;
                    }
                    refs.push(refs[0]);
                    areas.push((refs, amenity_tags(a, kind)));
                }
            }
        }
    }
    let mut next_way = 1i64;
    for e in &city.edges {
        let mut t = tags(&[("highway", e.highway.as_str())]);
        if e.crossing {
            t.push(("footway", "crossing".to_string()));
        }
        w.way(next_way, e.nodes.iter().map(|&n| n as i64 + 1).collect(), t)?;
        next_way += 1;
    }
    for (refs, t) in areas {
        w.way(next_way, refs, t)?;
        next_way += 1;
    }
    w.finish()?;
    std::fs::rename(&part, path).map_err(|e| {
        Error::io(
            path,
            format!("cannot move {} into place: {e}", part.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from the protobuf encoding guide: 150 is `96 01`; zigzag maps 0, -1, 1, -2 to
    /// 0, 1, 2, 3 and -2147483648 to 4294967295.
    #[test]
    fn varint_and_zigzag_match_the_protobuf_guide() {
        let mut m = Message::default();
        m.varint(150);
        assert_eq!(m.0, vec![0x96, 0x01]);
        assert_eq!(
            [0, -1, 1, -2, -2147483648].map(zigzag),
            [0, 1, 2, 3, 4294967295]
        );
        let mut m = Message::default();
        m.uint(1, 150);
        assert_eq!(m.0, vec![0x08, 0x96, 0x01]);
        let mut m = Message::default();
        m.bytes(2, b"testing");
        assert_eq!(m.0, [&[0x12u8, 0x07][..], b"testing"].concat());
    }

    /// The same small network as an .osm.pbf and as GeoJSON lines with the same tags: both
    /// readers apply one walk rule, so they walk the same ways and give the same distances, and
    /// neither walks the motorway, the foot=no path or the private service road.
    ///
    /// A primary road runs along y = 0 with a marked crossing at x = 200; residential streets
    /// go north and south from (0, 0) to (0, +-100); a trunk with foot=yes runs west from
    /// (0, -100) to (-300, -100). Three shortcuts from (0, -100) straight to (0, 100) are
    /// refused. The playground is at (0, 110); home A at (0, -110), home C at (-300, -110).
    #[test]
    fn geojson_and_osm_pbf_walk_the_same_ways() {
        use crate::layers::crs::Crs;
        use crate::layers::{CrsSource, Feature, Layer};
        use crate::reach::network::{
            nearest_distances, KindTargets, NetworkConfig, WalkNetwork, Walkable,
        };
        use geo::{Geometry, LineString, Point};

        let working = Crs::parse("EPSG:32635").unwrap();
        let to_wgs84 = working.to(&Crs::wgs84());
        let to_working = Crs::wgs84().to(&working);
        // Near Helsinki, in UTM 35N.
        let (x0, y0) = (385000.0, 6672000.0);
        let at = |x: f64, y: f64| Coord {
            x: x0 + x,
            y: y0 + y,
        };
        let points = [
            (-400.0, 0.0),
            (0.0, 0.0),
            (200.0, 0.0),
            (400.0, 0.0),
            (0.0, 100.0),
            (0.0, -100.0),
            (200.0, -10.0),
            (200.0, 10.0),
            (-300.0, -100.0),
        ];
        let ways: Vec<(Vec<usize>, Vec<Tag>)> = vec![
            (vec![0, 1, 2, 3], vec![("highway", "primary")]),
            (vec![1, 4], vec![("highway", "residential")]),
            (vec![1, 5], vec![("highway", "residential")]),
            (
                vec![6, 2, 7],
                vec![("highway", "footway"), ("footway", "crossing")],
            ),
            (vec![5, 8], vec![("highway", "trunk"), ("foot", "yes")]),
            (vec![5, 4], vec![("highway", "motorway")]),
            (vec![5, 4], vec![("highway", "footway"), ("foot", "no")]),
            (
                vec![5, 4],
                vec![("highway", "service"), ("access", "private")],
            ),
        ];

        let dir = tempfile::tempdir().unwrap();
        let pbf = dir.path().join("walk.osm.pbf");
        let coords: Vec<Coord> = points.iter().map(|&(x, y)| at(x, y)).collect();
        let mut w =
            PbfWriter::create(&pbf, &to_wgs84, [at(-500.0, -200.0), at(500.0, 200.0)]).unwrap();
        for (i, &c) in coords.iter().enumerate() {
            w.node(i as i64 + 1, c, Vec::new()).unwrap();
        }
        for (i, (nodes, t)) in ways.iter().enumerate() {
            let refs = nodes.iter().map(|&n| n as i64 + 1).collect();
            w.way(i as i64 + 1, refs, tags(t)).unwrap();
        }
        w.finish().unwrap();
        let from_pbf = WalkNetwork::from_osm(&pbf, &to_working).unwrap();

        // The GeoJSON lines at the coordinates the .osm.pbf stores (1e-7 degrees).
        let stored: Vec<Coord> = coords
            .iter()
            .map(|&c| {
                let g = to_wgs84.coord(c).unwrap();
                let round = |v: f64| (v * 1e7).round() / 1e7;
                to_working
                    .coord(Coord {
                        x: round(g.x),
                        y: round(g.y),
                    })
                    .unwrap()
            })
            .collect();
        let features = ways
            .iter()
            .enumerate()
            .map(|(index, (nodes, t))| {
                let mut props = serde_json::Map::new();
                for (k, v) in t {
                    props.insert(k.to_string(), serde_json::Value::String(v.to_string()));
                }
                Feature {
                    index,
                    geometry: Some(Geometry::LineString(LineString(
                        nodes.iter().map(|&n| stored[n]).collect(),
                    ))),
                    props,
                    id: None,
                }
            })
            .collect();
        let layer = Layer {
            path: "walk.geojson".into(),
            crs: working.clone(),
            crs_source: CrsSource::StudyFile,
            features,
            columns: Default::default(),
        };
        let from_geojson = WalkNetwork::from_layer(&layer, "highway", Walkable::OsmRules).unwrap();
        let rules = from_geojson.stats().walk_rule_lines.unwrap();
        assert_eq!((rules.taken, rules.refused), (5, 3));
        let by = rules.refused_by;
        assert_eq!(
            (
                by.motorway_or_trunk_without_foot,
                by.foot_no,
                by.access_private
            ),
            (1, 1, 1)
        );
        // The same graph: nodes, edges and length.
        let (a, b) = (from_pbf.stats(), from_geojson.stats());
        assert_eq!((a.nodes, a.edges), (b.nodes, b.edges));
        assert!((a.total_km - b.total_km).abs() < 1e-9);

        let homes = [stored[5], stored[8]].map(|c| Coord {
            x: c.x,
            y: c.y - 10.0,
        });
        let kinds = [KindTargets {
            kind: "playground".into(),
            geometries: vec![Geometry::Point(Point(Coord {
                x: stored[4].x,
                y: stored[4].y + 10.0,
            }))],
        }];
        let bands = [vec![], vec!["primary".to_string()]];
        let cfg = NetworkConfig::default();
        let d_pbf = nearest_distances(&from_pbf, &homes, &kinds, &bands, &cfg).unwrap();
        let d_geojson = nearest_distances(&from_geojson, &homes, &kinds, &bands, &cfg).unwrap();
        for band in 0..2 {
            for h in 0..2 {
                let (p, g) = (d_pbf.distances[0][band][h], d_geojson.distances[0][band][h]);
                assert!((p - g).abs() < 1e-6, "band {band} home {h}: {p} vs {g}");
            }
        }
        // By hand (the refused shortcuts would make A 220 m in band 1). No barrier: A 10 + 100
        // + 100 + 10 = 220, C 10 + 300 + 210 = 520; primary a barrier, crossed only at x = 200:
        // A 10 + 100 + 200 + 200 + 100 + 10 = 620, C 300 more = 920.
        let d = &d_geojson.distances[0];
        for (got, want) in [
            (d[0][0], 220.0),
            (d[0][1], 520.0),
            (d[1][0], 620.0),
            (d[1][1], 920.0),
        ] {
            assert!((got - want).abs() < 0.05, "{got} vs {want}");
        }
    }
}
