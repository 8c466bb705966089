//! OpenStreetMap .osm.pbf files: amenities by tag, and the ways a child can walk on.
//!
//! Both readers decode the file's blocks in parallel (rayon) with the `osmpbf` crate and then sort
//! everything by OSM id, so the result never depends on the thread count. Nodes are kept compactly
//! (id plus fixed-point coordinates, 16 bytes each): a city extract of a few million nodes fits
//! easily, and a single pass is enough because PBF files store nodes before ways before relations.
//!
//! Extracts cut at a bounding box (osmium's default) keep ways that cross the edge but drop their
//! nodes outside it. Such ways cannot be drawn whole: amenity areas built from them are skipped
//! and counted ([`OsmAmenities::incomplete`]); walk ways are kept as the runs of nodes that are
//! present ([`OsmWalkWays::cut_ways`]).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use geo::{Contains, Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use osmpbf::{BlobDecode, BlobReader, Element, PrimitiveBlock, RelMemberType};
use rayon::prelude::*;

use super::crs::Crs;
use super::{CrsSource, Feature, Layer, Properties};
use crate::error::{Error, Result};

/// Amenities read from an .osm.pbf, with what could not be read.
#[derive(Debug, Clone)]
pub struct OsmAmenities {
    /// Points (tagged nodes), Polygons (closed ways) and MultiPolygons (multipolygon relations),
    /// in WGS84. Properties: every OSM tag, plus `osm_type` ("node", "way", "relation") and
    /// `osm_id` (a number). Feature ids are `"<osm_type>/<osm_id>"`; features are ordered nodes,
    /// ways, relations, each by id.
    pub layer: Layer,
    /// Matching ways and relations skipped because some of their nodes or member ways are not in
    /// the file (cut at the extract's edge), or their rings do not close. Worth a warning.
    pub incomplete: usize,
    /// Matching ways that are not areas (not closed, or tagged `area=no`): skipped, as an amenity
    /// here is a point or an area.
    pub not_areas: usize,
}

/// One `key=value` (or `key=*`) tag filter.
#[derive(Debug, Clone)]
struct TagFilter {
    key: String,
    value: Option<String>,
}

fn parse_tag_filters(path: &Path, tags: &[String]) -> Result<Vec<TagFilter>> {
    if tags.is_empty() {
        return Err(Error::layer(
            path,
            "no `tags` given for this OpenStreetMap layer; write e.g. tags = [\"leisure=playground\"]",
        ));
    }
    tags.iter()
        .map(|t| match t.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => Ok(TagFilter {
                key: k.trim().to_string(),
                value: (v.trim() != "*").then(|| v.trim().to_string()),
            }),
            _ => Err(Error::layer(
                path,
                format!("tag filter \"{t}\" is not of the form key=value or key=* (e.g. \"leisure=playground\")"),
            )),
        })
        .collect()
}

fn matches<'a>(
    filters: &[TagFilter],
    tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> bool {
    filters.iter().any(|f| {
        tags.clone()
            .any(|(k, v)| k == f.key && f.value.as_deref().is_none_or(|want| want == v))
    })
}

/// All nodes of a file: ids sorted, with coordinates in 1e-7 degrees (the PBF default
/// granularity, about 1 cm).
#[derive(Debug, Default)]
struct NodeTable {
    ids: Vec<i64>,
    lonlat: Vec<[i32; 2]>,
}

impl NodeTable {
    fn from_unsorted(mut rows: Vec<(i64, [i32; 2])>) -> Self {
        rows.sort_unstable_by_key(|r| r.0);
        rows.dedup_by_key(|r| r.0);
        let (ids, lonlat) = rows.into_iter().unzip();
        NodeTable { ids, lonlat }
    }

    fn index(&self, id: i64) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    fn coord(&self, i: usize) -> Coord {
        let [x, y] = self.lonlat[i];
        Coord {
            x: f64::from(x) * 1e-7,
            y: f64::from(y) * 1e-7,
        }
    }
}

/// Refuses, with what the file looks like, other formats under a `.pbf` name (an XML `.osm`
/// renamed, a GeoPackage): the PBF reader's own message for them is "blob header is too big".
/// (An empty file is refused below, once its blocks are read.)
fn check_looks_like_pbf(path: &Path) -> Result<()> {
    use super::format::{mismatch, sniff, Sniffed};
    let head = super::format::head(path);
    match sniff(&head) {
        Some(Sniffed::Xml) => Err(mismatch(
            path,
            Sniffed::Xml,
            "OpenStreetMap XML is not read: convert it to PBF with `osmium cat in.osm -o out.osm.pbf`",
        )),
        // `osm =` given what `path =` reads: the fix is the key, not the file.
        Some(Sniffed::Json) => Err(mismatch(
            path,
            Sniffed::Json,
            &format!(
                "`osm =` reads an .osm.pbf extract; give a GeoJSON file as `path = \"{}\"` instead",
                path.with_extension("")
                    .with_extension("geojson")
                    .file_name()
                    .map_or(String::new(), |n| n.to_string_lossy().into_owned())
            ),
        )),
        Some(other) => Err(mismatch(path, other, other.advice())),
        None => Ok(()),
    }
}

/// Decodes every data block of the file in parallel, keeping the file's block order.
fn scan_blocks<T: Send>(
    path: &Path,
    per_block: impl Fn(&PrimitiveBlock) -> T + Sync,
) -> Result<Vec<T>> {
    check_looks_like_pbf(path)?;
    let reader = BlobReader::from_path(path)
        .map_err(|e| Error::io(path, format!("cannot open the OpenStreetMap file: {e}")))?;
    let blobs = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::layer(path, format!("not a readable .osm.pbf file: {e}")))?;
    if blobs.is_empty() {
        // Without this an empty file reads as an extract without a single tagged feature or
        // walkable way, and the message would blame the tags.
        return Err(Error::layer(
            path,
            "the file holds no OpenStreetMap data (it is empty); export the extract again",
        ));
    }
    blobs
        .par_iter()
        .map(|blob| {
            // osmpbf panics on some malformed blocks (a relation member type other than node,
            // way or relation is unwrapped; found by fuzzing): such a block is an error naming
            // the file, never a panic.
            let decoded = catch_unwind(AssertUnwindSafe(|| match blob.decode() {
                Ok(BlobDecode::OsmData(block)) => Ok(Some(per_block(&block))),
                Ok(_) => Ok(None),
                Err(e) => Err(e.to_string()),
            }));
            match decoded {
                Ok(Ok(rows)) => Ok(rows),
                Ok(Err(e)) => Err(Error::layer(
                    path,
                    format!("a block of the .osm.pbf file cannot be decoded: {e}"),
                )),
                Err(_) => Err(Error::layer(
                    path,
                    "a block of the .osm.pbf file is malformed (the OSM reader failed on it); re-export the extract, e.g. with `osmium cat in.osm.pbf -o out.osm.pbf`",
                )),
            }
        })
        .collect::<Result<Vec<Option<T>>>>()
        .map(|v| v.into_iter().flatten().collect())
}

fn node_row(e: &Element) -> Option<(i64, [i32; 2])> {
    match e {
        Element::Node(n) => Some((n.id(), [n.decimicro_lon(), n.decimicro_lat()])),
        Element::DenseNode(n) => Some((n.id(), [n.decimicro_lon(), n.decimicro_lat()])),
        _ => None,
    }
}

fn tags_of<'a>(e: &Element<'a>) -> Vec<(&'a str, &'a str)> {
    match e {
        Element::Node(n) => n.tags().collect(),
        Element::DenseNode(n) => n.tags().collect(),
        Element::Way(w) => w.tags().collect(),
        Element::Relation(r) => r.tags().collect(),
    }
}

fn props_from(tags: &[(String, String)], osm_type: &str, id: i64) -> Properties {
    let mut p = Properties::new();
    for (k, v) in tags {
        p.insert(k.clone(), serde_json::Value::String(v.clone()));
    }
    p.insert(
        "osm_type".into(),
        serde_json::Value::String(osm_type.into()),
    );
    p.insert("osm_id".into(), serde_json::Value::from(id));
    p
}

type OwnedTags = Vec<(String, String)>;

fn owned(tags: &[(&str, &str)]) -> OwnedTags {
    tags.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct TaggedBlock<T> {
    nodes: Vec<(i64, [i32; 2])>,
    tagged_nodes: Vec<(i64, T)>,
    /// Every way's node refs: relations (stored after ways) may need any of them.
    ways: Vec<(i64, Vec<i64>)>,
    tagged_ways: Vec<(i64, T, bool)>,
    relations: Vec<RelationRow<T>>,
}

/// A multipolygon relation: id, what the caller keeps of it, member ways as (way id, role is
/// "inner").
type RelationRow<T> = (i64, T, Vec<(i64, bool)>);

/// What [`read_tagged`] found: each selected feature with its selection and shape, in the
/// order nodes, ways, relations, each by id.
struct Tagged<T> {
    features: Vec<(T, Geometry, &'static str, i64)>,
    incomplete: usize,
    not_areas: usize,
}

/// The features of an .osm.pbf that `select` picks from their tags (`Some`, with what the
/// caller keeps of them): nodes as Points (only with `with_nodes`), closed ways as Polygons
/// (unless `area=no`), and `type=multipolygon` (or `boundary`) relations assembled from their
/// member ways. Coordinates stay in WGS84.
fn read_tagged<T: Send>(
    path: &Path,
    with_nodes: bool,
    select: impl Fn(&[(&str, &str)]) -> Option<T> + Sync,
) -> Result<Tagged<T>> {
    let blocks = scan_blocks(path, |block| {
        let mut out = TaggedBlock {
            nodes: Vec::new(),
            tagged_nodes: Vec::new(),
            ways: Vec::new(),
            tagged_ways: Vec::new(),
            relations: Vec::new(),
        };
        for e in block.elements() {
            if let Some(row) = node_row(&e) {
                out.nodes.push(row);
                if with_nodes {
                    if let Some(kept) = select(&tags_of(&e)) {
                        out.tagged_nodes.push((row.0, kept));
                    }
                }
                continue;
            }
            match &e {
                Element::Way(w) => {
                    out.ways.push((w.id(), w.refs().collect()));
                    let t = tags_of(&e);
                    if let Some(kept) = select(&t) {
                        let area_no = t.iter().any(|&(k, v)| k == "area" && v == "no");
                        out.tagged_ways.push((w.id(), kept, area_no));
                    }
                }
                Element::Relation(r) => {
                    let t = tags_of(&e);
                    // Administrative boundaries are areas as multipolygons are, with the same roles.
                    let multipolygon = t
                        .iter()
                        .any(|&(k, v)| k == "type" && (v == "multipolygon" || v == "boundary"));
                    if !multipolygon {
                        continue;
                    }
                    if let Some(kept) = select(&t) {
                        let members = r
                            .members()
                            .filter(|m| m.member_type == RelMemberType::Way)
                            .map(|m| (m.member_id, m.role().unwrap_or("") == "inner"))
                            .collect();
                        out.relations.push((r.id(), kept, members));
                    }
                }
                _ => {}
            }
        }
        out
    })?;

    let mut rows = Vec::new();
    let mut tagged_nodes = Vec::new();
    let mut way_refs: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut tagged_ways = Vec::new();
    let mut relations = Vec::new();
    for b in blocks {
        rows.extend(b.nodes);
        tagged_nodes.extend(b.tagged_nodes);
        way_refs.extend(b.ways);
        tagged_ways.extend(b.tagged_ways);
        relations.extend(b.relations);
    }
    let nodes = NodeTable::from_unsorted(rows);
    tagged_nodes.sort_by_key(|r| r.0);
    tagged_ways.sort_by_key(|r| r.0);
    relations.sort_by_key(|r| r.0);

    let mut features = Vec::new();
    let mut incomplete = 0;
    let mut not_areas = 0;
    for (id, kept) in tagged_nodes {
        if let Some(i) = nodes.index(id) {
            features.push((kept, Geometry::Point(Point(nodes.coord(i))), "node", id));
        }
    }
    let coords_of = |refs: &[i64]| -> Option<Vec<Coord>> {
        refs.iter()
            .map(|r| nodes.index(*r).map(|i| nodes.coord(i)))
            .collect()
    };
    for (id, kept, area_no) in tagged_ways {
        let Some(refs) = way_refs.get(&id) else {
            continue;
        };
        let closed = refs.len() >= 4 && refs.first() == refs.last();
        match coords_of(refs) {
            None => incomplete += 1,
            Some(_) if !closed || area_no => not_areas += 1,
            Some(c) => features.push((
                kept,
                Geometry::Polygon(Polygon::new(LineString(c), vec![])),
                "way",
                id,
            )),
        }
    }
    for (id, kept, members) in relations {
        match assemble_multipolygon(&members, &way_refs, &nodes) {
            Some(mp) => features.push((kept, Geometry::MultiPolygon(mp), "relation", id)),
            None => incomplete += 1,
        }
    }
    Ok(Tagged {
        features,
        incomplete,
        not_areas,
    })
}

/// Reads the features of an .osm.pbf that carry any of `tags` (`"key=value"` or `"key=*"`):
/// nodes as Points, closed ways as Polygons (unless `area=no`), and `type=multipolygon`
/// relations assembled from their member ways into MultiPolygons. Coordinates stay in WGS84.
///
/// Ways and relations that are cut at the extract's edge are skipped and counted in
/// [`OsmAmenities::incomplete`], so the caller can warn that amenities near the edge may be
/// missing.
pub fn read_amenities(path: &Path, tags: &[String]) -> Result<OsmAmenities> {
    let filters = parse_tag_filters(path, tags)?;
    let tagged = read_tagged(path, true, |t| {
        matches(&filters, t.iter().copied()).then(|| owned(t))
    })?;
    let features = tagged
        .features
        .into_iter()
        .enumerate()
        .map(|(index, (tags, geometry, osm_type, id))| Feature {
            index,
            geometry: Some(geometry),
            props: props_from(&tags, osm_type, id),
            id: Some(format!("{osm_type}/{id}")),
        })
        .collect();
    Ok(OsmAmenities {
        layer: Layer {
            path: path.to_path_buf(),
            crs: Crs::wgs84(),
            crs_source: CrsSource::File,
            features,
            columns: Default::default(),
        },
        incomplete: tagged.incomplete,
        not_areas: tagged.not_areas,
    })
}

/// The areas of an .osm.pbf (closed ways and multipolygon relations, in WGS84) to which
/// `classify` gives a non-zero set of flags, with those flags; nothing of their tags is kept,
/// so that every building of a city can be read. Areas cut at the extract's edge are skipped.
pub fn read_areas(
    path: &Path,
    classify: impl Fn(&[(&str, &str)]) -> u8 + Sync,
) -> Result<Vec<(u8, MultiPolygon)>> {
    let tagged = read_tagged(path, false, |t| Some(classify(t)).filter(|&c| c != 0))?;
    Ok(tagged
        .features
        .into_iter()
        .filter_map(|(flags, geometry, _, _)| match geometry {
            Geometry::Polygon(p) => Some((flags, MultiPolygon(vec![p]))),
            Geometry::MultiPolygon(mp) => Some((flags, mp)),
            _ => None,
        })
        .collect())
}

/// Joins member ways end to end into closed rings, then puts each inner ring into the outer ring
/// that contains it. `None` when a member way or node is missing or a ring does not close.
fn assemble_multipolygon(
    members: &[(i64, bool)],
    way_refs: &HashMap<i64, Vec<i64>>,
    nodes: &NodeTable,
) -> Option<MultiPolygon> {
    let rings_of = |inner: bool| -> Option<Vec<Vec<i64>>> {
        let parts: Option<Vec<&Vec<i64>>> = members
            .iter()
            .filter(|m| m.1 == inner)
            .map(|m| way_refs.get(&m.0).filter(|r| r.len() >= 2))
            .collect();
        join_rings(parts?.into_iter().cloned().collect())
    };
    let to_ring = |ids: &[i64]| -> Option<LineString> {
        ids.iter()
            .map(|r| nodes.index(*r).map(|i| nodes.coord(i)))
            .collect::<Option<Vec<Coord>>>()
            .map(LineString)
    };
    let outers = rings_of(false)?;
    let inners = rings_of(true)?;
    if outers.is_empty() {
        return None;
    }
    let mut polygons: Vec<(Polygon, Vec<LineString>)> = outers
        .iter()
        .map(|r| to_ring(r).map(|ls| (Polygon::new(ls, vec![]), vec![])))
        .collect::<Option<_>>()?;
    for ring in &inners {
        let ls = to_ring(ring)?;
        let probe = Point(ls.0[0]);
        // An inner ring touching no outer ring is a mapping error; dropping it keeps the area.
        if let Some(p) = polygons
            .iter_mut()
            .find(|(outer, _)| outer.contains(&probe))
        {
            p.1.push(ls);
        }
    }
    Some(MultiPolygon(
        polygons
            .into_iter()
            .map(|(outer, holes)| Polygon::new(outer.into_inner().0, holes))
            .collect(),
    ))
}

/// Joins open node sequences sharing end nodes into closed rings (first id == last id).
fn join_rings(mut parts: Vec<Vec<i64>>) -> Option<Vec<Vec<i64>>> {
    let mut rings = Vec::new();
    while let Some(mut ring) = parts.pop() {
        while ring.first() != ring.last() || ring.len() < 4 {
            let end = *ring.last()?;
            let k = parts
                .iter()
                .position(|p| p.first() == Some(&end) || p.last() == Some(&end))?;
            let mut next = parts.swap_remove(k);
            if next.first() != Some(&end) {
                next.reverse();
            }
            ring.extend_from_slice(&next[1..]);
        }
        rings.push(ring);
    }
    Some(rings)
}

/// The walkable ways of an .osm.pbf and the nodes they use.
#[derive(Debug, Clone, Default)]
pub struct OsmWalkWays {
    /// OSM ids of the nodes used by the ways, sorted.
    pub node_ids: Vec<i64>,
    /// WGS84 longitude, latitude of each node.
    pub node_coords: Vec<Coord>,
    /// True for nodes tagged highway=crossing (unless crossing=no) or highway=traffic_signals,
    /// and for every node of a crossing way (footway=crossing, cycleway=crossing, path=crossing,
    /// highway=crossing): where a child may cross a barrier road.
    pub node_crossing: Vec<bool>,
    /// Walkable ways by id; a way cut at the extract's edge appears once per run of present nodes.
    pub ways: Vec<OsmWalkWay>,
    /// Walkable ways that had nodes missing from the file (cut at the extract's edge).
    pub cut_ways: usize,
    /// Roads that may not be walked along ([`parts_sides`]) where they touch the walkable ways:
    /// (index into `node_ids`, the road's `highway`, the WGS84 position of its next node from
    /// there), once per direction the road leaves the node in.
    pub blocked: Vec<(u32, String, Coord)>,
}

/// One walkable way.
#[derive(Debug, Clone)]
pub struct OsmWalkWay {
    pub id: i64,
    /// Indexes into [`OsmWalkWays::node_ids`], in way order (at least two).
    pub nodes: Vec<u32>,
    /// The `highway` value (e.g. "footway", "primary_link").
    pub highway: String,
    /// The `name` tag, when it has one.
    pub name: Option<String>,
    /// Tagged bridge=* or tunnel=* (other than "no").
    pub bridge_or_tunnel: bool,
}

/// Highway classes walkable unless foot=no (DESIGN.md, "Network distance"). The `_link` ramps of
/// primary, secondary and tertiary are the same roads and are included with them.
pub const WALKABLE: &[&str] = &[
    "footway",
    "path",
    "pedestrian",
    "living_street",
    "residential",
    "service",
    "unclassified",
    "tertiary",
    "tertiary_link",
    "secondary",
    "secondary_link",
    "primary",
    "primary_link",
    "steps",
    "cycleway",
    "track",
    // Not in the DESIGN list: indoor public walkways (shopping centres, metro stations), which
    // children use and the GeoJSON walk layers (osmnx-style) include.
    "corridor",
];

/// Highway classes walkable only with foot=yes (or designated/permissive).
pub const WALKABLE_WITH_FOOT: &[&str] = &["motorway", "motorway_link", "trunk", "trunk_link"];

/// Why the walk rule refuses a way: one name per rule, as `run.json` counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WalkRefusal {
    /// No highway tag (a GeoJSON line without the class attribute).
    NoHighway,
    /// A highway class nobody walks along (construction, proposed, raceway, bus_guideway, ...).
    NotAWalkway,
    /// motorway or trunk (and their links) without foot=yes/designated/permissive.
    MotorRoad,
    /// foot=no, foot=private or foot=use_sidepath.
    FootNo,
    /// access=private.
    AccessPrivate,
    /// access=no without a foot permission.
    AccessNo,
    /// area=yes: the outline of a square or yard.
    Area,
}

impl WalkRefusal {
    /// The rule's name in `run.json`.
    pub fn name(self) -> &'static str {
        match self {
            WalkRefusal::NoHighway => "no_highway",
            WalkRefusal::NotAWalkway => "not_a_walkway",
            WalkRefusal::MotorRoad => "motorway_or_trunk_without_foot",
            WalkRefusal::FootNo => "foot_no",
            WalkRefusal::AccessPrivate => "access_private",
            WalkRefusal::AccessNo => "access_no",
            WalkRefusal::Area => "area",
        }
    }
}

/// The walk rule of DESIGN.md: the listed classes unless foot=no; motorway and trunk only with an
/// explicit foot permission; never access=private (nor foot=private).
///
/// Three refinements of the same intent, which OSM tagging needs: foot=use_sidepath (walkers
/// must use the separately drawn sidewalk, which is itself in the network) counts as foot=no;
/// access=no counts as closed unless foot is explicitly permitted; and `area=yes` ways (squares,
/// yards) are outlines of areas, not lines anyone walks along. Indoor `corridor` ways are
/// walkable too (see [`WALKABLE`]).
pub fn is_walkable<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
    walk_refusal(tags).is_none()
}

/// The walk rule of [`is_walkable`], with the reason when it refuses a way (the first rule that
/// applies, in the order of [`WalkRefusal`]'s checks below).
pub fn walk_refusal<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Option<WalkRefusal> {
    let (mut highway, mut foot, mut access, mut area) = (None, None, None, None);
    for (k, v) in tags {
        match k {
            "highway" => highway = Some(v),
            "foot" => foot = Some(v),
            "access" => access = Some(v),
            "area" => area = Some(v),
            _ => {}
        }
    }
    let Some(highway) = highway else {
        return Some(WalkRefusal::NoHighway);
    };
    let foot_permitted = matches!(foot, Some("yes" | "designated" | "permissive"));
    if access == Some("private") {
        return Some(WalkRefusal::AccessPrivate);
    }
    if matches!(foot, Some("no" | "private" | "use_sidepath")) {
        return Some(WalkRefusal::FootNo);
    }
    if access == Some("no") && !foot_permitted {
        return Some(WalkRefusal::AccessNo);
    }
    if area == Some("yes") {
        return Some(WalkRefusal::Area);
    }
    if WALKABLE.contains(&highway) || (WALKABLE_WITH_FOOT.contains(&highway) && foot_permitted) {
        None
    } else if WALKABLE_WITH_FOOT.contains(&highway) {
        Some(WalkRefusal::MotorRoad)
    } else {
        Some(WalkRefusal::NotAWalkway)
    }
}

/// True when a way refused for `why` is still a road children would have to cross: a road too
/// busy to walk along (a trunk without foot=yes, foot=no, access=no) is no less a barrier than
/// one they may walk along, so where its class is a barrier it keeps parting the streets on
/// either side (DESIGN.md, barriers).
pub fn parts_sides(why: WalkRefusal) -> bool {
    matches!(
        why,
        WalkRefusal::MotorRoad | WalkRefusal::FootNo | WalkRefusal::AccessNo
    )
}

fn is_crossing_way(tags: &[(&str, &str)]) -> bool {
    tags.iter()
        .any(|&(k, v)| v == "crossing" && matches!(k, "highway" | "footway" | "cycleway" | "path"))
}

fn is_crossing_node(tags: &[(&str, &str)]) -> bool {
    let signals = tags
        .iter()
        .any(|&(k, v)| k == "highway" && v == "traffic_signals");
    let crossing = tags.iter().any(|&(k, v)| k == "highway" && v == "crossing");
    let refused = tags.iter().any(|&(k, v)| k == "crossing" && v == "no");
    signals || (crossing && !refused)
}

/// A walkable way as read: its id, node refs and tags of interest.
struct RawWalkWay {
    id: i64,
    refs: Vec<i64>,
    highway: String,
    name: Option<String>,
    bridge_or_tunnel: bool,
    crossing_way: bool,
}

#[derive(Default)]
struct WalkBlock {
    nodes: Vec<(i64, [i32; 2])>,
    crossing_nodes: Vec<i64>,
    ways: Vec<RawWalkWay>,
    /// Unwalkable roads ([`parts_sides`]): their `highway` and node refs.
    blocked: Vec<(String, Vec<i64>)>,
}

/// Reads the walkable ways of an .osm.pbf (see [`is_walkable`]) and the nodes they use.
pub fn read_walk_ways(path: &Path) -> Result<OsmWalkWays> {
    let blocks = scan_blocks(path, |block| {
        let mut out = WalkBlock::default();
        for e in block.elements() {
            if let Some(row) = node_row(&e) {
                out.nodes.push(row);
                let t = tags_of(&e);
                if !t.is_empty() && is_crossing_node(&t) {
                    out.crossing_nodes.push(row.0);
                }
            } else if let Element::Way(w) = &e {
                let t = tags_of(&e);
                let refusal = walk_refusal(t.iter().copied());
                if refusal.is_some_and(parts_sides) {
                    if let Some((_, highway)) = t.iter().find(|(k, _)| *k == "highway") {
                        out.blocked.push((highway.to_string(), w.refs().collect()));
                    }
                }
                if refusal.is_none() {
                    let highway = t
                        .iter()
                        .find(|(k, _)| *k == "highway")
                        .map(|(_, v)| v.to_string());
                    let bridge_or_tunnel = t
                        .iter()
                        .any(|&(k, v)| (k == "bridge" || k == "tunnel") && v != "no");
                    let name = t
                        .iter()
                        .find(|(k, _)| *k == "name")
                        .map(|(_, v)| v.to_string());
                    out.ways.push(RawWalkWay {
                        id: w.id(),
                        refs: w.refs().collect(),
                        highway: highway.unwrap_or_default(),
                        name,
                        bridge_or_tunnel,
                        crossing_way: is_crossing_way(&t),
                    });
                }
            }
        }
        out
    })?;
    let mut rows = Vec::new();
    let mut crossing_ids = Vec::new();
    let mut raw_ways = Vec::new();
    let mut blocked = Vec::new();
    for b in blocks {
        blocked.extend(b.blocked);
        rows.extend(b.nodes);
        crossing_ids.extend(b.crossing_nodes);
        raw_ways.extend(b.ways);
    }
    let all = NodeTable::from_unsorted(rows);
    crossing_ids.sort_unstable();
    raw_ways.sort_by_key(|w| w.id);

    // Keep only the nodes the ways use, renumbered in id order.
    let mut used = vec![false; all.ids.len()];
    let mut cut_ways = 0;
    // Each way's runs of present nodes, with the way.
    let mut runs: Vec<(Vec<usize>, usize)> = Vec::new();
    for (w, way) in raw_ways.iter_mut().enumerate() {
        let mut run = Vec::new();
        let mut cut = false;
        // The refs are not needed again: freed way by way, as the runs take their place.
        for r in std::mem::take(&mut way.refs) {
            match all.index(r) {
                Some(i) => {
                    if run.last() != Some(&i) {
                        run.push(i);
                    }
                }
                None => {
                    cut = true;
                    if run.len() >= 2 {
                        runs.push((std::mem::take(&mut run), w));
                    }
                    run.clear();
                }
            }
        }
        if run.len() >= 2 {
            runs.push((run, w));
        }
        cut_ways += usize::from(cut);
    }
    for r in &runs {
        for &i in &r.0 {
            used[i] = true;
        }
    }
    let mut new_index = vec![u32::MAX; all.ids.len()];
    let mut out = OsmWalkWays {
        cut_ways,
        ..Default::default()
    };
    for (i, _) in used.iter().enumerate().filter(|(_, u)| **u) {
        new_index[i] = out.node_ids.len() as u32;
        out.node_ids.push(all.ids[i]);
        out.node_coords.push(all.coord(i));
        out.node_crossing
            .push(crossing_ids.binary_search(&all.ids[i]).is_ok());
    }
    for (run, w) in runs {
        let way = &raw_ways[w];
        let nodes: Vec<u32> = run.iter().map(|&i| new_index[i]).collect();
        if way.crossing_way {
            for &n in &nodes {
                out.node_crossing[n as usize] = true;
            }
        }
        out.ways.push(OsmWalkWay {
            id: way.id,
            nodes,
            highway: way.highway.clone(),
            name: way.name.clone(),
            bridge_or_tunnel: way.bridge_or_tunnel,
        });
    }
    // In block order, which is file order: the same file gives the same list.
    for (highway, refs) in blocked {
        let at: Vec<Option<usize>> = refs.iter().map(|&r| all.index(r)).collect();
        for (i, &here) in at.iter().enumerate() {
            let Some(here) = here.filter(|&h| used[h]) else {
                continue;
            };
            for j in [i.wrapping_sub(1), i + 1] {
                if let Some(there) = at.get(j).copied().flatten().filter(|&t| t != here) {
                    out.blocked
                        .push((new_index[here], highway.clone(), all.coord(there)));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags<'a>(
        pairs: &'a [(&'static str, &'static str)],
    ) -> impl Iterator<Item = (&'static str, &'static str)> + Clone + 'a {
        pairs.iter().copied()
    }

    #[test]
    fn walk_rule_follows_the_design() {
        assert!(is_walkable(tags(&[("highway", "footway")])));
        assert!(!is_walkable(tags(&[
            ("highway", "footway"),
            ("foot", "no")
        ])));
        assert!(!is_walkable(tags(&[
            ("highway", "residential"),
            ("access", "private")
        ])));
        assert!(!is_walkable(tags(&[
            ("highway", "residential"),
            ("access", "private"),
            ("foot", "yes")
        ])));
        assert!(!is_walkable(tags(&[("highway", "motorway")])));
        assert!(is_walkable(tags(&[("highway", "trunk"), ("foot", "yes")])));
        assert!(!is_walkable(tags(&[("highway", "construction")])));
        assert!(!is_walkable(tags(&[("building", "yes")])));
        assert!(!is_walkable(tags(&[
            ("highway", "primary"),
            ("foot", "use_sidepath")
        ])));
        assert!(!is_walkable(tags(&[
            ("highway", "service"),
            ("access", "no")
        ])));
        assert!(is_walkable(tags(&[
            ("highway", "pedestrian"),
            ("access", "no"),
            ("foot", "yes")
        ])));
        assert!(!is_walkable(tags(&[
            ("highway", "pedestrian"),
            ("area", "yes")
        ])));
    }

    #[test]
    fn tag_filters() {
        let p = Path::new("x.osm.pbf");
        let f = parse_tag_filters(p, &["leisure=playground".into(), "amenity=*".into()]).unwrap();
        assert!(matches(&f, tags(&[("leisure", "playground")])));
        assert!(matches(&f, tags(&[("amenity", "library")])));
        assert!(!matches(&f, tags(&[("leisure", "park")])));
        assert!(parse_tag_filters(p, &["leisure".into()]).is_err());
        assert!(parse_tag_filters(p, &[]).is_err());
    }

    #[test]
    fn rings_join_reversed_parts() {
        let rings = join_rings(vec![vec![1, 2, 3], vec![1, 4, 3]]).unwrap();
        assert_eq!(rings.len(), 1);
        assert_eq!(rings[0].first(), rings[0].last());
        assert_eq!(rings[0].len(), 5);
        assert!(join_rings(vec![vec![1, 2, 3], vec![3, 4]]).is_none());
    }
}
