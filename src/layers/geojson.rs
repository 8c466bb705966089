//! GeoJSON layers: features with geometry and attributes, with the CRS the file declares.

use std::path::Path;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use geojson::{GeoJson, GeometryValue, Position};

use rayon::prelude::*;

mod fast;
mod lean;
mod scan;

use super::attributes::Cell;
use super::columns::{Columns, Scalars};
use super::crs::Crs;
use super::{CrsSource, Feature, Layer, Properties};
use crate::error::{Error, Result};
use scan::Pages;

/// Reads a GeoJSON file (a FeatureCollection, a Feature or a bare Geometry).
///
/// The CRS is `crs_override` if given, else the legacy `crs` member, else WGS84 (RFC 7946).
/// Coordinates that cannot be in that CRS are an error that suggests the fix.
pub fn read(path: &Path, crs_override: Option<&str>) -> Result<Layer> {
    let bytes = read_bytes(path)?;
    parse(&bytes, path, crs_override)
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if let Ok(meta) = std::fs::metadata(path) {
        check_memory(path, meta.len(), crate::memory::budget())?;
    }
    std::fs::read(path).map_err(|e| Error::io(path, format!("cannot read: {e}")))
}

/// A layer read whole takes several times its GeoJSON text: the text itself, the parsed
/// attributes and geometries. The 8 M-home synthetic city, its homes read whole, peaked at
/// 5.4 GB for 1.27 GB of GeoJSON: about 4 bytes of memory per byte of file. (The homes layer
/// is now streamed by [`read_in_chunks`], which needs no such check.)
const MEMORY_PER_FILE_BYTE: u64 = 4;

/// Fails early, with a message, when a layer cannot fit in the memory that is free, rather
/// than letting the machine thrash.
fn check_memory(path: &Path, file_bytes: u64, available: Option<u64>) -> Result<()> {
    let Some(available) = available else {
        return Ok(());
    };
    let needed = file_bytes.saturating_mul(MEMORY_PER_FILE_BYTE);
    if needed > available {
        const GB: f64 = 1e9;
        return Err(Error::layer(
            path,
            format!(
                "this layer is {:.1} GB; loading it needs about {:.1} GB of memory but only {:.1} GB is free. Cut it to the study area (e.g. ogr2ogr -clipsrc), or run on a larger machine",
                file_bytes as f64 / GB,
                needed as f64 / GB,
                available as f64 / GB
            ),
        ));
    }
    Ok(())
}

/// Parses GeoJSON bytes as if they were the file at `path`.
pub fn parse(bytes: &[u8], path: &Path, crs_override: Option<&str>) -> Result<Layer> {
    let mut features = Vec::new();
    let mut layer = read_in_chunks_from(bytes, path, crs_override, usize::MAX, None, |chunk| {
        features.extend(chunk.features);
        Ok(())
    })?;
    layer.features = features;
    Ok(layer)
}

/// Reads a layer in chunks of at most `chunk` features, in file order, handing each to `f` as a
/// [`Layer`] (features keep their index in the file) and returning the layer without features.
/// Each chunk's coordinates are checked as [`read`] checks them, the whole-layer check once
/// at the end.
///
/// A layer of millions of homes costs several hundred bytes per feature as [`Feature`]s
/// (attribute maps); read this way, only one chunk of them is held at a time.
pub fn read_in_chunks(
    path: &Path,
    crs_override: Option<&str>,
    chunk: usize,
    keep: Option<&[String]>,
    f: impl FnMut(Layer) -> Result<()> + Send,
) -> Result<Layer> {
    let file =
        std::fs::File::open(path).map_err(|e| Error::io(path, format!("cannot read: {e}")))?;
    // The file is mapped rather than read: scanned and parsed from the page cache without a
    // copy, read once (a layer of 1 M homes is 145 MB of text, of 8 M 1.2 GB). Its pages are
    // mapped in a piece at a time and given back after each piece is scanned and each chunk
    // parsed (they stay in the page cache), so the file is never resident whole.
    // SAFETY: the map is only read. Were the file cut short by another program while it is
    // read, the process would get SIGBUS, as any program reading a mapped file does.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => read_text(Text::mapped(&map), path, crs_override, chunk, keep, f),
        // Not a file that can be mapped (a pipe, some network file systems): read whole.
        Err(_) => read_in_chunks_from(&read_bytes(path)?, path, crs_override, chunk, keep, f),
    }
}

/// The byte-order mark some tools put before UTF-8 text.
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

fn read_in_chunks_from(
    bytes: &[u8],
    path: &Path,
    crs_override: Option<&str>,
    chunk: usize,
    keep: Option<&[String]>,
    f: impl FnMut(Layer) -> Result<()> + Send,
) -> Result<Layer> {
    let text = Text { bytes, map: None };
    read_text(text, path, crs_override, chunk, keep, f)
}

/// A layer's text: read into memory, or mapped from its file.
#[derive(Clone, Copy)]
struct Text<'a> {
    bytes: &'a [u8],
    map: Option<&'a memmap2::Mmap>,
}

impl<'a> Text<'a> {
    fn mapped(map: &'a memmap2::Mmap) -> Self {
        Text {
            bytes: map,
            map: Some(map),
        }
    }
}

impl scan::Pages for Text<'_> {
    /// Maps the pages of `part` (a part of the mapped text) in one call. A page fault for
    /// each 4 KB page cost an eighth of the load's CPU time (64 000 faults for 1 M homes).
    fn load(&self, part: &[u8]) {
        #[cfg(target_os = "linux")]
        if self.map.is_some() && !part.is_empty() {
            // SAFETY: sysconf only reads a setting.
            let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0);
            if page == 0 {
                return;
            }
            let start = part.as_ptr() as usize;
            let aligned = start - start % page;
            // SAFETY: the range lies in the mapping (which starts on a page), and reading
            // pages in changes no memory. An older kernel without the advice refuses it,
            // and the pages are then faulted in as they are read.
            unsafe {
                libc::madvise(
                    aligned as *mut libc::c_void,
                    part.len() + (start - aligned),
                    libc::MADV_POPULATE_READ,
                );
            }
        }
    }

    /// Gives the pages of `part` (a part of the mapped text) back: they stay in the page
    /// cache, and are read from there again if touched.
    fn release(&self, part: &[u8]) {
        #[cfg(unix)]
        if let Some(map) = self.map {
            let offset = part.as_ptr() as usize - map.as_ptr() as usize;
            // Only a hint to the kernel: if it is not taken, the pages stay mapped.
            let _ = map.advise_range(memmap2::Advice::DontNeed, offset, part.len());
        }
    }
}

fn read_text(
    text: Text,
    path: &Path,
    crs_override: Option<&str>,
    chunk: usize,
    keep: Option<&[String]>,
    f: impl FnMut(Layer) -> Result<()> + Send,
) -> Result<Layer> {
    // A UTF-8 byte-order mark (written by some Windows tools) is allowed.
    let bytes = text.bytes.strip_prefix(UTF8_BOM).unwrap_or(text.bytes);
    // The fast path: features found by a structural scan and parsed in parallel. Anything it
    // does not understand (or a feature serde rejects) goes to the whole-document parse, whose
    // errors name the line and column.
    match scan::collection(bytes, &text) {
        Some(collection) => {
            let pending = Pending::scanned(collection, Text { bytes, ..text });
            chunks(pending, path, crs_override, chunk, keep, bytes, f)
        }
        None => {
            if text.map.is_some() {
                let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                check_memory(path, len, crate::memory::budget())?;
            }
            from_document(bytes, path, crs_override, chunk, keep, f)
        }
    }
}

/// The whole document through serde, handed out in chunks as the scanned path hands them.
fn from_document(
    bytes: &[u8],
    path: &Path,
    crs_override: Option<&str>,
    chunk: usize,
    keep: Option<&[String]>,
    f: impl FnMut(Layer) -> Result<()> + Send,
) -> Result<Layer> {
    let (features, crs_member) = parse_document(bytes, path)?;
    let pending = Pending::Parsed {
        features,
        crs_member,
    };
    chunks(pending, path, crs_override, chunk, keep, bytes, f)
}

/// Hands out the pending features in chunks, each checked as [`read`] checks a layer.
/// `document` is the whole text, parsed again for the message of a feature serde rejects.
fn chunks(
    mut pending: Pending,
    path: &Path,
    crs_override: Option<&str>,
    chunk: usize,
    keep: Option<&[String]>,
    document: &[u8],
    f: impl FnMut(Layer) -> Result<()> + Send,
) -> Result<Layer> {
    let crs_member = pending.crs_member();
    let (crs, crs_source) = super::layer_crs(
        path,
        crs_override,
        || match crs_member {
            Some(m) => legacy_crs(&m).map(Some).map_err(|e| Error::layer(path, e)),
            None => Ok(None),
        },
        || Ok((Crs::wgs84(), CrsSource::Rfc7946)),
    )?;
    let header = Layer {
        path: path.to_path_buf(),
        crs,
        crs_source,
        features: Vec::new(),
        columns: Default::default(),
    };
    let mut sink = super::Chunks::new(header, f);
    let chunk = chunk.max(1);
    // Pipelined: the next chunk is parsed while this one is checked and handed on, so that
    // the sequential parts of either leave no core idle. A chunk's error still comes before
    // any error of the chunks after it.
    let mut next = pending.next(path, 0, chunk, keep, document)?;
    let mut index = 0;
    while let Some((features, columns)) = next {
        index += features.len();
        let (pushed, read) = rayon::join(
            || sink.push_columns(features, columns),
            || pending.next(path, index, chunk, keep, document),
        );
        pushed?;
        next = read?;
    }
    sink.finish()
}

/// Features still to hand out: places in a scanned text to parse, or already parsed.
enum Pending<'a> {
    Scanned {
        text: Text<'a>,
        crs: Option<Vec<u8>>,
        ranges: Vec<scan::Span>,
    },
    Parsed {
        features: std::vec::IntoIter<geojson::Feature>,
        crs_member: Option<serde_json::Value>,
    },
}

impl<'a> Pending<'a> {
    fn scanned(collection: scan::Scanned, text: Text<'a>) -> Self {
        Pending::Scanned {
            text,
            crs: collection.crs,
            ranges: collection.features,
        }
    }

    /// The legacy `crs` member, if the document has one.
    fn crs_member(&self) -> Option<serde_json::Value> {
        match self {
            Pending::Scanned { crs, .. } => {
                crs.as_deref().and_then(|b| serde_json::from_slice(b).ok())
            }
            Pending::Parsed { crs_member, .. } => crs_member.clone(),
        }
    }

    /// The next chunk of converted features, starting at file index `first`; with `keep`, a
    /// scanned text's kept attributes come as columns (the features' maps left empty).
    fn next(
        &mut self,
        path: &Path,
        first: usize,
        chunk: usize,
        keep: Option<&[String]>,
        document: &[u8],
    ) -> Result<Option<(Vec<Feature>, Columns)>> {
        let out = match self {
            Pending::Scanned { text, ranges, .. } => {
                let rest = ranges.len() - first;
                if rest == 0 {
                    return Ok(None);
                }
                let spans = &ranges[first..first + rest.min(chunk)];
                let b = text.bytes;
                let part = &b[spans[0].start()..spans[spans.len() - 1].end()];
                text.load(part);
                let read = match keep {
                    Some(keep) => parse_kept(b, spans, first, path, keep, document),
                    None => parse_features(b, spans, first, path, None, document)
                        .map(|features| (features, Columns::default())),
                };
                text.release(part);
                read?
            }
            Pending::Parsed { features, .. } => {
                let features: Vec<geojson::Feature> = features.by_ref().take(chunk).collect();
                if features.is_empty() {
                    return Ok(None);
                }
                let features = features
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| feature(f, first + i, path))
                    .collect::<Result<Vec<_>>>()?;
                (features, Columns::default())
            }
        };
        Ok(Some(out))
    }
}

/// Parses the features at `spans` of `b` in parallel, their attributes in `keep` as columns:
/// a homes layer of millions of features needs a few attributes of each, and a map with its
/// keys and strings built and freed per feature cost as much as the parsing. The features the
/// fast path leaves to the lean one (or to the geojson crate) are read as [`parse_features`]
/// reads them and their kept values moved into the columns.
fn parse_kept(
    b: &[u8],
    spans: &[scan::Span],
    first: usize,
    path: &Path,
    keep: &[String],
    document: &[u8],
) -> Result<(Vec<Feature>, Columns)> {
    // Batches of features parsed on one thread, their columns appended in file order after
    // (small in the tests, so that their chunks are several batches).
    const BATCH: usize = if cfg!(test) { 3 } else { 2048 };
    let batches = spans
        .par_chunks(BATCH)
        .enumerate()
        .map_init(lean::Coordinates::default, |scratch, (n, batch)| {
            let mut features = Vec::with_capacity(batch.len());
            let mut columns = vec![Scalars::default(); keep.len()];
            let mut slots = vec![None; keep.len()];
            for (k, span) in batch.iter().enumerate() {
                let index = first + n * BATCH + k;
                let text = &b[span.start()..span.end()];
                match fast::feature_kept(text, index, keep, scratch, &mut slots) {
                    Some(f) => {
                        for (column, slot) in columns.iter_mut().zip(&slots) {
                            column.push(match slot {
                                None => Cell::Missing,
                                Some(fast::Kept::Text(t)) => Cell::Text((*t).into()),
                                Some(fast::Kept::Value(v)) => Cell::of(Some(v)),
                            });
                        }
                        features.push(f);
                    }
                    None => {
                        let mut f = slow_feature(text, index, path, Some(keep), document)?;
                        for (column, name) in columns.iter_mut().zip(keep) {
                            column.push(Cell::of(f.props.get(name)));
                        }
                        f.props = Properties::new();
                        features.push(f);
                    }
                }
            }
            Ok((features, columns))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut features = Vec::with_capacity(spans.len());
    let mut columns = vec![Scalars::default(); keep.len()];
    for (batch, batch_columns) in batches {
        features.extend(batch);
        for (column, part) in columns.iter_mut().zip(batch_columns) {
            column.append(part);
        }
    }
    let mut out = Columns::default();
    for (name, column) in keep.iter().zip(columns) {
        out.push(name.clone(), std::sync::Arc::new(column));
    }
    Ok((features, out))
}

/// Parses the features at `spans` of `b` in parallel; on a feature serde rejects, the whole
/// `document` is parsed for a message with its line and column.
fn parse_features(
    b: &[u8],
    spans: &[scan::Span],
    first: usize,
    path: &Path,
    keep: Option<&[String]>,
    document: &[u8],
) -> Result<Vec<Feature>> {
    spans
        .par_iter()
        .enumerate()
        .map_init(lean::Coordinates::default, |scratch, (i, span)| {
            let text = &b[span.start()..span.end()];
            one_feature(text, first + i, path, keep, document, scratch)
        })
        .collect()
}

/// One feature's text read by the fast path, else as [`slow_feature`] reads it.
fn one_feature(
    text: &[u8],
    index: usize,
    path: &Path,
    keep: Option<&[String]>,
    document: &[u8],
    scratch: &mut lean::Coordinates,
) -> Result<Feature> {
    match fast::feature(text, index, keep, scratch) {
        Some(f) => Ok(f),
        None => slow_feature(text, index, path, keep, document),
    }
}

/// A feature the fast path left: read by the lean path, else the geojson crate; on a feature
/// serde rejects, the whole `document` is parsed for a message with its line and column.
fn slow_feature(
    text: &[u8],
    index: usize,
    path: &Path,
    keep: Option<&[String]>,
    document: &[u8],
) -> Result<Feature> {
    match lean::feature(text, index, keep) {
        Some(f) => Ok(f),
        None => match serde_json::from_slice::<geojson::Feature>(text) {
            Ok(f) => feature(f, index, path),
            Err(e) => match empty_point(text, index, keep) {
                Some(f) => Ok(f),
                None => Err(parse_document(document, path).err().unwrap_or_else(|| {
                    Error::feature(path, index, format!("not a GeoJSON feature ({e})"))
                })),
            },
        },
    }
}

/// A feature whose Point has no position (`"coordinates": []`), which the geojson crate
/// rejects: RFC 7946 (3.1) lets an empty geometry be read as a null one, so it is a feature
/// without geometry, skipped with the warning every layer gives for those.
fn empty_point(text: &[u8], index: usize, keep: Option<&[String]>) -> Option<Feature> {
    let mut f: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(text).ok()?;
    let g = f.get("geometry")?;
    let empty = g.get("type")?.as_str()? == "Point" && g.get("coordinates")?.as_array()?.is_empty();
    if !empty {
        return None;
    }
    let mut props = match f.remove("properties") {
        Some(serde_json::Value::Object(p)) => p,
        _ => Default::default(),
    };
    if let Some(keep) = keep {
        props.retain(|k, _| keep.contains(k));
    }
    Some(Feature {
        index,
        geometry: None,
        props,
        id: f.get("id").and_then(|id| match id {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(super::attributes::number_to_id(n)),
            _ => None,
        }),
    })
}

/// The whole document through serde: the features and the legacy `crs` member.
fn parse_document(
    bytes: &[u8],
    path: &Path,
) -> Result<(
    std::vec::IntoIter<geojson::Feature>,
    Option<serde_json::Value>,
)> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let gj: GeoJson = serde_json::from_slice(bytes).map_err(|e| {
        // Another format under a GeoJSON name gets a message saying what it looks like.
        let head = &bytes[..bytes.len().min(512)];
        if let Some(other) = super::format::not_geojson(path, head) {
            return other;
        }
        if super::format::is_feature_per_line(bytes) {
            let seq = super::format::Sniffed::GeoJsonSeq;
            return super::format::mismatch(path, seq, seq.advice());
        }
        Error::layer(
            path,
            format!(
                "not valid GeoJSON ({e}); kindscape reads GeoJSON FeatureCollections, one per file"
            ),
        )
    })?;
    Ok(match gj {
        GeoJson::FeatureCollection(fc) => {
            let crs = fc
                .foreign_members
                .as_ref()
                .and_then(|m| m.get("crs"))
                .cloned();
            (fc.features.into_iter(), crs)
        }
        GeoJson::Feature(f) => (vec![f].into_iter(), None),
        GeoJson::Geometry(g) => (vec![geojson::Feature::from(g)].into_iter(), None),
    })
}

fn feature(f: geojson::Feature, index: usize, path: &Path) -> Result<Feature> {
    let geometry = match &f.geometry {
        Some(g) => Some(convert(&g.value).map_err(|m| Error::feature(path, index, m))?),
        None => None,
    };
    Ok(Feature {
        index,
        geometry,
        props: f.properties.unwrap_or_default(),
        id: f.id.map(|id| match id {
            geojson::feature::Id::String(s) => s,
            geojson::feature::Id::Number(n) => super::attributes::number_to_id(&n),
        }),
    })
}

/// The legacy (GeoJSON 2008) `crs` member: `{"type":"name","properties":{"name":"EPSG:28992"}}`
/// or `{"type":"EPSG","properties":{"code":28992}}`.
fn legacy_crs(member: &serde_json::Value) -> std::result::Result<Crs, String> {
    let props = member.get("properties");
    if let Some(name) = props.and_then(|p| p.get("name")).and_then(|n| n.as_str()) {
        return Crs::parse(name).map_err(|e| format!("the file's `crs` member: {e}"));
    }
    if let Some(code) = props.and_then(|p| p.get("code")).and_then(|c| c.as_u64()) {
        return Crs::from_epsg(code as u32).map_err(|e| format!("the file's `crs` member: {e}"));
    }
    if member.is_null() {
        return Ok(Crs::wgs84());
    }
    Err(format!(
        "the file's `crs` member {member} is not understood; give the layer's CRS with a `crs = \"EPSG:...\"` key in the study file"
    ))
}

// The geojson crate's own conversion indexes positions without checking their length (a
// position with one number panics), so the conversion is written here with errors instead.
fn coord(p: &Position) -> std::result::Result<Coord, String> {
    let s = p.as_slice();
    if s.len() < 2 {
        return Err(format!("a position needs at least 2 numbers, found {s:?}"));
    }
    Ok(Coord { x: s[0], y: s[1] })
}

fn line(ps: &[Position]) -> std::result::Result<LineString, String> {
    ps.iter()
        .map(coord)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map(LineString::new)
}

fn polygon(rings: &[Vec<Position>]) -> std::result::Result<Polygon, String> {
    let mut it = rings.iter();
    let exterior = match it.next() {
        Some(r) => line(r)?,
        None => LineString::new(vec![]),
    };
    let interiors = it
        .map(|r| line(r))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

fn convert(value: &GeometryValue) -> std::result::Result<Geometry, String> {
    Ok(match value {
        GeometryValue::Point { coordinates } => Geometry::Point(Point(coord(coordinates)?)),
        GeometryValue::MultiPoint { coordinates } => Geometry::MultiPoint(MultiPoint(
            coordinates
                .iter()
                .map(|p| coord(p).map(Point))
                .collect::<std::result::Result<_, _>>()?,
        )),
        GeometryValue::LineString { coordinates } => Geometry::LineString(line(coordinates)?),
        GeometryValue::MultiLineString { coordinates } => {
            Geometry::MultiLineString(MultiLineString(
                coordinates
                    .iter()
                    .map(|l| line(l))
                    .collect::<std::result::Result<_, _>>()?,
            ))
        }
        GeometryValue::Polygon { coordinates } => Geometry::Polygon(polygon(coordinates)?),
        GeometryValue::MultiPolygon { coordinates } => Geometry::MultiPolygon(MultiPolygon(
            coordinates
                .iter()
                .map(|p| polygon(p))
                .collect::<std::result::Result<_, _>>()?,
        )),
        GeometryValue::GeometryCollection { geometries } => {
            Geometry::GeometryCollection(geo::GeometryCollection(
                geometries
                    .iter()
                    .map(|g| convert(&g.value))
                    .collect::<std::result::Result<_, _>>()?,
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layer_too_large_for_memory_fails_early() {
        // 3 GB of GeoJSON needs about 12 GB; with 8 GB free it is refused, with 16 GB it is not.
        let e = check_memory(Path::new("big.geojson"), 3_000_000_000, Some(8_000_000_000))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("big.geojson: this layer is 3.0 GB; loading it needs about 12.0 GB"),
            "{e}"
        );
        assert!(check_memory(
            Path::new("big.geojson"),
            3_000_000_000,
            Some(16_000_000_000)
        )
        .is_ok());
        assert!(check_memory(Path::new("x"), u64::MAX, None).is_ok());
        assert!(crate::memory::budget().is_some_and(|m| m > 0));
    }

    fn layer(text: &str) -> Result<Layer> {
        parse(text.as_bytes(), Path::new("t.geojson"), None)
    }

    #[test]
    fn reads_legacy_crs_member_and_properties() {
        let l = layer(
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},
            "features":[{"type":"Feature","properties":{"code":"007","n":1.0},"geometry":{"type":"Point","coordinates":[155000,463000,3]}}]}"#,
        )
        .unwrap();
        assert_eq!(l.crs.epsg, Some(28992));
        assert_eq!(l.features.len(), 1);
        assert_eq!(l.features[0].props["code"], "007");
        assert!(matches!(l.features[0].geometry, Some(Geometry::Point(_))));
    }

    #[test]
    fn projected_coordinates_without_crs_are_an_error_with_a_hint() {
        let e = layer(r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[155000,463000]}}]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.geojson") && e.contains("EPSG:28992"), "{e}");
    }

    #[test]
    fn short_positions_and_broken_json_are_errors() {
        let e = layer(r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[5]}}]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.geojson") && e.contains("two or more"), "{e}");
        assert!(layer("{ not json")
            .unwrap_err()
            .to_string()
            .contains("not valid GeoJSON"));
    }
}
