//! GeoJSON layers: features with geometry and attributes, with the CRS the file declares.

use std::path::Path;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use geojson::{GeoJson, GeometryValue, Position};

use rayon::prelude::*;

use super::crs::Crs;
use super::{CrsSource, Feature, Layer};
use crate::error::{Error, Result};

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
        check_memory(path, meta.len(), available_memory())?;
    }
    std::fs::read(path).map_err(|e| Error::io(path, format!("cannot read: {e}")))
}

/// Loaded features take several times their GeoJSON text: the text itself, the parsed
/// attributes and geometries. The 8 M-home synthetic city peaks at 5.4 GB for 1.27 GB of
/// GeoJSON (docs/PERFORMANCE.md): about 4 bytes of memory per byte of file.
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

/// Memory the system can still give (Linux `MemAvailable`); `None` elsewhere.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Parses GeoJSON bytes as if they were the file at `path`.
pub fn parse(bytes: &[u8], path: &Path, crs_override: Option<&str>) -> Result<Layer> {
    let mut features = Vec::new();
    let mut layer = read_in_chunks_from(bytes, path, crs_override, usize::MAX, |chunk| {
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
    f: impl FnMut(Layer) -> Result<()>,
) -> Result<Layer> {
    let io = |e: std::io::Error| Error::io(path, format!("cannot read: {e}"));
    // The file is scanned through a window, then its features are read back a chunk at a time,
    // so it is never held whole: a layer of 1 M homes is 145 MB of text.
    let file = std::fs::File::open(path).map_err(io)?;
    match scan::stream(file).map_err(io)? {
        Some((collection, file)) => {
            let crs_member = match &collection.crs {
                Some(bytes) => serde_json::from_slice::<serde_json::Value>(bytes).ok(),
                None => None,
            };
            let pending = Pending::Stream {
                file,
                ranges: collection.features,
                buf: Vec::new(),
            };
            chunks(pending, crs_member, path, crs_override, chunk, f)
        }
        None => {
            let bytes = read_bytes(path)?;
            read_in_chunks_from(&bytes, path, crs_override, chunk, f)
        }
    }
}

fn read_in_chunks_from(
    bytes: &[u8],
    path: &Path,
    crs_override: Option<&str>,
    chunk: usize,
    f: impl FnMut(Layer) -> Result<()>,
) -> Result<Layer> {
    // The fast path: features found by a structural scan and parsed in parallel. Anything it
    // does not understand (or a feature serde rejects) goes to the whole-document parse, whose
    // errors name the line and column.
    let scanned = scan::feature_collection(bytes).and_then(|fc| {
        let crs_member = match fc.crs {
            Some(r) => Some(serde_json::from_slice::<serde_json::Value>(&bytes[r]).ok()?),
            None => None,
        };
        Some((crs_member, fc.features))
    });
    let (crs_member, pending) = match scanned {
        Some((crs, ranges)) => (crs, Pending::Ranges { bytes, ranges }),
        None => {
            let (features, crs) = parse_document(bytes, path)?;
            (crs, Pending::Parsed(features))
        }
    };
    chunks(pending, crs_member, path, crs_override, chunk, f)
}

/// Hands out the pending features in chunks, each checked as [`read`] checks a layer.
fn chunks(
    mut pending: Pending,
    crs_member: Option<serde_json::Value>,
    path: &Path,
    crs_override: Option<&str>,
    chunk: usize,
    mut f: impl FnMut(Layer) -> Result<()>,
) -> Result<Layer> {
    let (crs, source) = match crs_override {
        Some(s) => (
            Crs::parse(s).map_err(|e| Error::layer(path, format!("layer `crs` key: {e}")))?,
            CrsSource::StudyFile,
        ),
        None => match crs_member {
            Some(m) => (
                legacy_crs(&m).map_err(|e| Error::layer(path, e))?,
                CrsSource::File,
            ),
            None => (Crs::wgs84(), CrsSource::Rfc7946),
        },
    };
    let empty = Layer {
        path: path.to_path_buf(),
        crs,
        crs_source: source,
        features: Vec::new(),
    };
    let (mut any, mut all_degrees) = (false, true);
    let chunk = chunk.max(1);
    let mut index = 0;
    while let Some(features) = pending.next(path, index, chunk)? {
        index += features.len();
        let layer = Layer {
            features,
            ..empty.clone()
        };
        let (a, d) = layer.check_each_coordinate()?;
        any |= a;
        all_degrees &= d;
        f(layer)?;
    }
    empty.check_not_all_degrees(any, all_degrees)?;
    Ok(empty)
}

/// Features still to hand out: byte ranges to parse (in memory or in the file), or already
/// parsed.
enum Pending<'a> {
    Ranges {
        bytes: &'a [u8],
        ranges: Vec<std::ops::Range<usize>>,
    },
    Stream {
        file: std::fs::File,
        ranges: Vec<scan::Span>,
        buf: Vec<u8>,
    },
    Parsed(std::vec::IntoIter<geojson::Feature>),
}

impl Pending<'_> {
    /// The next chunk of converted features, starting at file index `first`.
    fn next(&mut self, path: &Path, first: usize, chunk: usize) -> Result<Option<Vec<Feature>>> {
        let out = match self {
            Pending::Ranges { bytes, ranges } => {
                let rest = ranges.len() - first;
                if rest == 0 {
                    return Ok(None);
                }
                let bytes: &[u8] = bytes;
                let pieces = ranges[first..first + rest.min(chunk)]
                    .iter()
                    .map(|r| &bytes[r.clone()]);
                parse_features(pieces, first, path, || Ok(bytes.to_vec()))?
            }
            Pending::Stream { file, ranges, buf } => {
                let rest = ranges.len() - first;
                if rest == 0 {
                    return Ok(None);
                }
                let spans = &ranges[first..first + rest.min(chunk)];
                let start = spans[0].start();
                let end = spans[spans.len() - 1].end();
                read_span(file, start, end, buf)
                    .map_err(|e| Error::io(path, format!("cannot read: {e}")))?;
                let buf: &[u8] = buf;
                let pieces = spans.iter().map(|s| {
                    let from = (s.start() - start) as usize;
                    &buf[from..from + s.len()]
                });
                parse_features(pieces, first, path, || {
                    std::fs::read(path).map_err(|e| Error::io(path, format!("cannot read: {e}")))
                })?
            }
            Pending::Parsed(it) => {
                let features: Vec<geojson::Feature> = it.by_ref().take(chunk).collect();
                if features.is_empty() {
                    return Ok(None);
                }
                features
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| feature(f, first + i, path))
                    .collect::<Result<Vec<_>>>()?
            }
        };
        Ok(Some(out))
    }
}

/// Parses features from their texts in parallel; on a feature serde rejects, the whole
/// document (read by `document`) is parsed for a message with its line and column.
fn parse_features<'b>(
    pieces: impl Iterator<Item = &'b [u8]>,
    first: usize,
    path: &Path,
    document: impl Fn() -> Result<Vec<u8>> + Sync,
) -> Result<Vec<Feature>> {
    let pieces: Vec<&[u8]> = pieces.collect();
    pieces
        .par_iter()
        .enumerate()
        .map(
            |(i, text)| match serde_json::from_slice::<geojson::Feature>(text) {
                Ok(f) => feature(f, first + i, path),
                Err(e) => Err(document()
                    .and_then(|bytes| parse_document(&bytes, path).map(|_| ()))
                    .err()
                    .unwrap_or_else(|| {
                        Error::feature(path, first + i, format!("not a GeoJSON feature ({e})"))
                    })),
            },
        )
        .collect()
}

/// Reads bytes `start..end` of the file into `buf`.
fn read_span(
    file: &mut std::fs::File,
    start: u64,
    end: u64,
    buf: &mut Vec<u8>,
) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    buf.clear();
    buf.resize((end - start) as usize, 0);
    file.seek(SeekFrom::Start(start))?;
    file.read_exact(buf)
}

/// The whole document through serde: the features and the legacy `crs` member.
fn parse_document(
    bytes: &[u8],
    path: &Path,
) -> Result<(
    std::vec::IntoIter<geojson::Feature>,
    Option<serde_json::Value>,
)> {
    let gj: GeoJson = serde_json::from_slice(bytes).map_err(|e| {
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

/// A structural scan of a FeatureCollection: where its features and its `crs` member are, so
/// that the features can be parsed in parallel (serde_json parses one document on one thread;
/// a 1.2 GB file of 8 M homes took most of a minute that way). Only strings, escapes and
/// nesting are followed; serde_json still validates every piece. `None` for anything else (a
/// Feature, a bare Geometry, a syntax error), which then takes the whole-document path.
mod scan {
    use std::fs::File;
    use std::io::{self, Read};
    use std::ops::Range;

    pub(super) struct Collection {
        pub crs: Option<Range<usize>>,
        pub features: Vec<Range<usize>>,
    }

    pub(super) fn feature_collection(b: &[u8]) -> Option<Collection> {
        let mut i = ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i = ws(b, i + 1);
        let (mut crs, mut features, mut kind) = (None, None, None);
        if b.get(i) == Some(&b'}') {
            return None;
        }
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let key_end = string_end(b, i)?;
            let key = &b[i + 1..key_end - 1];
            i = ws(b, key_end);
            if b.get(i) != Some(&b':') {
                return None;
            }
            let start = ws(b, i + 1);
            let end = value_end(b, start)?;
            let slot = match key {
                b"crs" => &mut crs,
                b"features" => &mut features,
                b"type" => &mut kind,
                _ => &mut None,
            };
            if slot.replace(start..end).is_some() {
                return None; // a duplicate member: let serde decide
            }
            i = ws(b, end);
            match b.get(i) {
                Some(b',') => i = ws(b, i + 1),
                Some(b'}') => break,
                _ => return None,
            }
        }
        if ws(b, i + 1) != b.len() || &b[kind?] != b"\"FeatureCollection\"" {
            return None;
        }
        let features = features?;
        Some(Collection {
            crs,
            features: elements(b, features)?,
        })
    }

    /// Where one feature's text lies in the file: start and length packed in 8 bytes (a
    /// country's homes layer has millions of features).
    #[derive(Clone, Copy, Debug)]
    pub(super) struct Span(u64);

    impl Span {
        const LEN_BITS: u32 = 24;

        /// `None` beyond 1 TB into the file or for a feature of 16 MB or more (such a file
        /// is read whole instead).
        fn new(start: u64, len: usize) -> Option<Span> {
            let len = u64::try_from(len)
                .ok()
                .filter(|l| *l < 1 << Self::LEN_BITS)?;
            (start < 1 << (64 - Self::LEN_BITS)).then_some(Span(start << Self::LEN_BITS | len))
        }

        pub(super) fn start(self) -> u64 {
            self.0 >> Self::LEN_BITS
        }

        pub(super) fn len(self) -> usize {
            (self.0 & ((1 << Self::LEN_BITS) - 1)) as usize
        }

        pub(super) fn end(self) -> u64 {
            self.start() + self.len() as u64
        }
    }

    /// A FeatureCollection scanned from a file: its `crs` member's text and its features' places.
    pub(super) struct Streamed {
        pub crs: Option<Vec<u8>>,
        pub features: Vec<Span>,
    }

    /// Bytes read from the file at a time.
    const BLOCK: usize = 4 << 20;

    /// A window on a file read front to back: `buf` holds the file from offset `base`.
    struct Window {
        file: File,
        block: usize,
        buf: Vec<u8>,
        base: u64,
        eof: bool,
    }

    impl Window {
        /// Appends the next block (a larger one when a single value outgrows the window);
        /// false at the end of the file.
        fn more(&mut self) -> io::Result<bool> {
            if self.eof {
                return Ok(false);
            }
            let old = self.buf.len();
            let want = if old < 2 * self.block {
                self.block
            } else {
                old
            };
            self.buf.resize(old + want, 0);
            let mut filled = old;
            while filled < self.buf.len() {
                match self.file.read(&mut self.buf[filled..]) {
                    Ok(0) => {
                        self.eof = true;
                        break;
                    }
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            self.buf.truncate(filled);
            Ok(filled > old)
        }

        /// Forgets the bytes before `i`.
        fn consume(&mut self, i: usize) {
            self.buf.drain(..i);
            self.base += i as u64;
        }

        /// The byte at `i`, reading on as needed; `None` past the end of the file.
        fn at(&mut self, i: usize) -> io::Result<Option<u8>> {
            while self.buf.len() <= i && self.more()? {}
            Ok(self.buf.get(i).copied())
        }

        /// `end(buf)` once its answer no longer runs into the end of the window (or the file
        /// has ended): the scan functions stop at the window's end as at the end of a file.
        fn complete(&mut self, end: impl Fn(&[u8]) -> Option<usize>) -> io::Result<Option<usize>> {
            loop {
                match end(&self.buf) {
                    Some(e) if e < self.buf.len() || self.eof => return Ok(Some(e)),
                    None if self.eof => return Ok(None),
                    _ => {
                        self.more()?;
                    }
                }
            }
        }

        fn ws(&mut self, i: usize) -> io::Result<usize> {
            Ok(self.complete(|b| Some(ws(b, i)))?.unwrap_or(i))
        }
    }

    /// [`feature_collection`] through a window on the file, so that a file of any size is
    /// scanned in a few MB; hands the file back for reading the features. `None` where
    /// [`feature_collection`] would say `None`, and for a feature of 16 MB or more.
    pub(super) fn stream(file: File) -> io::Result<Option<(Streamed, File)>> {
        stream_in_blocks(file, BLOCK)
    }

    fn stream_in_blocks(file: File, block: usize) -> io::Result<Option<(Streamed, File)>> {
        let mut w = Window {
            file,
            block,
            buf: Vec::new(),
            base: 0,
            eof: false,
        };
        let mut i = w.ws(0)?;
        if w.at(i)? != Some(b'{') {
            return Ok(None);
        }
        i = w.ws(i + 1)?;
        if w.at(i)? == Some(b'}') {
            return Ok(None);
        }
        let (mut crs, mut kind, mut features) = (None, None, None);
        loop {
            if w.at(i)? != Some(b'"') {
                return Ok(None);
            }
            let Some(key_end) = w.complete(|b| string_end(b, i))? else {
                return Ok(None);
            };
            let key = w.buf[i + 1..key_end - 1].to_vec();
            i = w.ws(key_end)?;
            if w.at(i)? != Some(b':') {
                return Ok(None);
            }
            let start = w.ws(i + 1)?;
            let end = if key == b"features" {
                let Some((spans, end)) = stream_elements(&mut w, start)? else {
                    return Ok(None);
                };
                if features.replace(spans).is_some() {
                    return Ok(None); // a duplicate member: let serde decide
                }
                end
            } else {
                let Some(end) = w.complete(|b| value_end(b, start))? else {
                    return Ok(None);
                };
                let slot = match key.as_slice() {
                    b"crs" => &mut crs,
                    b"type" => &mut kind,
                    _ => &mut None,
                };
                if slot.replace(w.buf[start..end].to_vec()).is_some() {
                    return Ok(None);
                }
                end
            };
            i = w.ws(end)?;
            match w.at(i)? {
                Some(b',') => i = w.ws(i + 1)?,
                Some(b'}') => break,
                _ => return Ok(None),
            }
            w.consume(i);
            i = 0;
        }
        if w.ws(i + 1)? != w.buf.len() || kind.as_deref() != Some(b"\"FeatureCollection\"") {
            return Ok(None);
        }
        let Some(features) = features else {
            return Ok(None);
        };
        Ok(Some((Streamed { crs, features }, w.file)))
    }

    /// The places of an array's elements, the array starting at `i`; and the window index
    /// after the array (the window moves on while the elements are read).
    fn stream_elements(w: &mut Window, mut i: usize) -> io::Result<Option<(Vec<Span>, usize)>> {
        if w.at(i)? != Some(b'[') {
            return Ok(None);
        }
        let mut out = Vec::new();
        i = w.ws(i + 1)?;
        if w.at(i)? == Some(b']') {
            return Ok(Some((out, i + 1)));
        }
        loop {
            if i >= w.block / 2 {
                w.consume(i);
                i = 0;
            }
            let Some(end) = w.complete(|b| value_end(b, i))? else {
                return Ok(None);
            };
            let Some(span) = Span::new(w.base + i as u64, end - i) else {
                return Ok(None);
            };
            out.push(span);
            i = w.ws(end)?;
            match w.at(i)? {
                Some(b',') => i = w.ws(i + 1)?,
                Some(b']') => return Ok(Some((out, i + 1))),
                _ => return Ok(None),
            }
        }
    }

    /// The byte ranges of an array's elements.
    fn elements(b: &[u8], array: Range<usize>) -> Option<Vec<Range<usize>>> {
        let mut i = array.start;
        if b.get(i) != Some(&b'[') {
            return None;
        }
        let mut out = Vec::new();
        i = ws(b, i + 1);
        if b.get(i) == Some(&b']') {
            return (i + 1 == array.end).then_some(out);
        }
        loop {
            let end = value_end(b, i)?;
            out.push(i..end);
            i = ws(b, end);
            match b.get(i) {
                Some(b',') => i = ws(b, i + 1),
                Some(b']') => return (i + 1 == array.end).then_some(out),
                _ => return None,
            }
        }
    }

    fn ws(b: &[u8], mut i: usize) -> usize {
        while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            i += 1;
        }
        i
    }

    /// `i` at an opening quote; the index after the closing one.
    fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
        i += 1;
        loop {
            match b.get(i)? {
                b'"' => return Some(i + 1),
                b'\\' => i += 2,
                _ => i += 1,
            }
        }
    }

    /// `i` at the start of a value; the index after it.
    fn value_end(b: &[u8], mut i: usize) -> Option<usize> {
        match b.get(i)? {
            b'"' => string_end(b, i),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match b.get(i)? {
                        b'"' => {
                            i = string_end(b, i)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(i + 1);
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => {
                let start = i;
                while !matches!(
                    b.get(i),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                ) {
                    i += 1;
                }
                (i > start).then_some(i)
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use proptest::prelude::*;

        /// A scan's `crs` member text and feature ranges.
        type Scanned = Option<(Option<Vec<u8>>, Vec<Range<usize>>)>;

        /// The streamed scan of `text` in blocks of `block` bytes, as (crs, feature ranges).
        fn streamed(text: &str, block: usize) -> Scanned {
            let path = std::env::temp_dir().join(format!(
                "kindscape-scan-{}-{block}-{}.geojson",
                std::process::id(),
                text.len()
            ));
            std::fs::write(&path, text).unwrap();
            let out = stream_in_blocks(File::open(&path).unwrap(), block).unwrap();
            std::fs::remove_file(&path).unwrap();
            out.map(|(s, _)| {
                let ranges = s
                    .features
                    .iter()
                    .map(|f| f.start() as usize..f.end() as usize)
                    .collect();
                (s.crs, ranges)
            })
        }

        fn whole(text: &str) -> Scanned {
            let b = text.as_bytes();
            feature_collection(b).map(|c| (c.crs.map(|r| b[r].to_vec()), c.features))
        }

        fn feature() -> impl Strategy<Value = String> {
            // Strings with brackets, escaped quotes and backslashes, numbers, nesting.
            (
                "[a-z{}\\[\\], ]{0,6}",
                any::<bool>(),
                -1e6f64..1e6,
                0usize..3,
            )
                .prop_map(|(name, escape, x, ws)| {
                    let name = if escape {
                        format!("{name}\\\"\\\\")
                    } else {
                        name
                    };
                    let pad = " \n\t".repeat(ws);
                    format!(
                        "{{{pad}\"type\":\"Feature\",\"properties\":{{\"n\":\"{name}\",\"v\":[1,{{\"a\":[]}}]}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{x},{x}]}}{pad}}}"
                    )
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn streamed_scan_equals_whole_scan(
                features in proptest::collection::vec(feature(), 0..12),
                crs_first in any::<bool>(),
                with_crs in any::<bool>(),
                block in 1usize..64,
                ws in 0usize..3,
            ) {
                let pad = " \r\n".repeat(ws);
                let crs = r#""crs":{"type":"name","properties":{"name":"EPSG:28992"}}"#;
                let body = format!("\"features\":[{pad}{}{pad}]", features.join(&format!("{pad},{pad}")));
                let members = match (with_crs, crs_first) {
                    (false, _) => vec![r#""type":"FeatureCollection""#.to_string(), body],
                    (true, true) => vec![crs.to_string(), r#""type":"FeatureCollection""#.to_string(), body],
                    (true, false) => vec![r#""type":"FeatureCollection""#.to_string(), body, crs.to_string()],
                };
                let text = format!("{pad}{{{pad}{}{pad}}}{pad}", members.join(&format!("{pad},{pad}")));
                let expected = whole(&text);
                prop_assert!(expected.is_some());
                prop_assert_eq!(streamed(&text, block), expected);
                // Truncated or broken documents: both say no (the whole parse reports them).
                let cut = &text[..text.len() * 2 / 3];
                prop_assert_eq!(streamed(cut, block).is_some(), whole(cut).is_some());
            }
        }

        #[test]
        fn not_a_collection_and_duplicates_are_left_to_serde() {
            for text in [
                r#"{"type":"Feature","properties":{},"geometry":null}"#,
                r#"{"type":"FeatureCollection","features":[],"features":[]}"#,
                r#"{"type":"FeatureCollection","features":[{}]} x"#,
                r#"{"type":"FeatureCollection","features":[{}"#,
                "",
                "{}",
            ] {
                assert!(streamed(text, 3).is_none(), "{text}");
                assert!(whole(text).is_none(), "{text}");
            }
        }
    }
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
        assert!(available_memory().is_some_and(|m| m > 0));
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
