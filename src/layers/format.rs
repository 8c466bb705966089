//! Which reader a vector layer goes to: the format follows the extension (GeoJSON, GeoPackage,
//! Shapefile, GeoParquet), and a file whose content does not match its extension is named for
//! what it looks like, with what to do, instead of a parser's "expected value at line 1 column 1".

use std::io::Read;
use std::path::Path;

use super::{gpkg, shp, Layer};
use crate::error::{Error, Result};

/// The vector formats kindscape reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    GeoPackage,
    Shapefile,
    GeoParquet,
}

/// Where a vector layer is and what the study file says about it.
#[derive(Debug, Clone, Copy)]
pub struct VectorSource<'a> {
    pub path: &'a Path,
    /// The layer's `crs` key: overrides what the file declares.
    pub crs: Option<&'a str>,
    /// The layer's `layer` key: which table of a GeoPackage.
    pub layer: Option<&'a str>,
}

impl<'a> VectorSource<'a> {
    pub fn new(path: &'a Path, crs: Option<&'a str>, layer: Option<&'a str>) -> Self {
        VectorSource { path, crs, layer }
    }
}

/// Reads a vector layer whole, by its format.
pub fn read(source: VectorSource) -> Result<Layer> {
    let mut features = Vec::new();
    let mut layer = read_in_chunks(source, usize::MAX, None, |chunk| {
        features.extend(chunk.features);
        Ok(())
    })?;
    layer.features = features;
    Ok(layer)
}

/// Reads a vector layer in chunks of at most `chunk` features (see
/// [`super::geojson::read_in_chunks`]), keeping only the attributes in `keep` when given.
pub fn read_in_chunks(
    source: VectorSource,
    chunk: usize,
    keep: Option<&[String]>,
    f: impl FnMut(Layer) -> Result<()> + Send,
) -> Result<Layer> {
    let path = source.path;
    let format = format_of(path)?;
    if source.layer.is_some() && format != Format::GeoPackage {
        return Err(Error::layer(
            path,
            "the `layer` key picks a layer of a GeoPackage (.gpkg); this file has only one layer: remove the key",
        ));
    }
    match format {
        Format::GeoJson => super::geojson::read_in_chunks(path, source.crs, chunk, keep, f),
        Format::GeoPackage => gpkg::read_in_chunks(source, chunk, keep, f),
        Format::Shapefile => shp::read_in_chunks(source, chunk, keep, f),
        #[cfg(feature = "parquet")]
        Format::GeoParquet => super::geoparquet::read_in_chunks(source, chunk, keep, f),
        #[cfg(not(feature = "parquet"))]
        Format::GeoParquet => {
            let _ = (chunk, keep, f);
            Err(Error::layer(
                path,
                "this build of kindscape cannot read GeoParquet (.parquet): it was built without the `parquet` feature; rebuild with `cargo install --path . --features parquet` (or convert the layer to GeoPackage, e.g. in QGIS or GeoPandas)",
            ))
        }
    }
}

/// The format of a layer file: by its extension, and for an extension kindscape does not know,
/// by its content (a GeoJSON file may be called anything, as before).
pub fn format_of(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    Ok(match ext.as_str() {
        "gpkg" => Format::GeoPackage,
        "shp" => Format::Shapefile,
        "parquet" => Format::GeoParquet,
        "geojson" | "json" => Format::GeoJson,
        "zip" => {
            return Err(Error::layer(
                path,
                "a .zip archive (a zipped Shapefile?) cannot be read as it is: unzip it and give the .shp (with its .dbf, .prj and .cpg beside it)",
            ))
        }
        "dbf" | "shx" | "prj" | "cpg" => {
            return Err(Error::layer(
                path,
                format!("this is one part of a Shapefile (.{ext}): give the .shp; the .dbf, .prj and .cpg beside it are read with it"),
            ))
        }
        _ => match sniff(&head(path)) {
            Some(Sniffed::Json) | None => Format::GeoJson,
            Some(s) => return Err(mismatch(path, s, s.advice())),
        },
    })
}

/// The first bytes of a file (empty when it cannot be read: the reader then says why).
pub fn head(path: &Path) -> Vec<u8> {
    let mut buf = Vec::with_capacity(512);
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(512).read_to_end(&mut buf);
    }
    buf
}

/// What the first bytes of a file look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// "SQLite format 3": a GeoPackage or another SQLite database.
    Sqlite,
    /// A Shapefile's main file (file code 9994).
    Shapefile,
    /// A ZIP archive ("PK"): a zipped Shapefile, a zipped GeoPackage, an .xlsx.
    Zip,
    /// UTF-16 text (a byte-order mark, or every other byte NUL).
    Utf16,
    /// A GeoJSON Text Sequence (RFC 8142, record separators) or one feature per line.
    GeoJsonSeq,
    /// XML: OpenStreetMap XML, GML, KML.
    Xml,
    /// Apache Parquet ("PAR1"): GeoParquet or another Parquet file.
    Parquet,
    /// JSON (possibly after a UTF-8 byte-order mark).
    Json,
}

impl Sniffed {
    /// What the file looks like, for a message.
    pub fn describe(self) -> &'static str {
        match self {
            Sniffed::Sqlite => "a SQLite database (a GeoPackage?)",
            Sniffed::Shapefile => "a Shapefile's .shp",
            Sniffed::Zip => "a ZIP archive (a zipped Shapefile or GeoPackage?)",
            Sniffed::Utf16 => "UTF-16 text",
            Sniffed::GeoJsonSeq => "GeoJSONSeq (one GeoJSON feature per line or record)",
            Sniffed::Xml => "XML (OpenStreetMap XML, GML or KML?)",
            Sniffed::Parquet => "a Parquet file (GeoParquet?)",
            Sniffed::Json => "JSON",
        }
    }

    /// What to do about it.
    pub fn advice(self) -> &'static str {
        match self {
            Sniffed::Sqlite => "give it a .gpkg extension if it is a GeoPackage",
            Sniffed::Shapefile => "give it a .shp extension",
            Sniffed::Zip => "unzip it and give the file inside (the .shp, with its .dbf, .prj and .cpg beside it, or the .gpkg)",
            Sniffed::Utf16 => "save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8 in.geojson > out.geojson`)",
            Sniffed::GeoJsonSeq => "convert it to one FeatureCollection, e.g. `ogr2ogr -f GeoJSON out.geojson in.geojsons`",
            Sniffed::Xml => "convert it to GeoJSON or GeoPackage (e.g. with ogr2ogr); OpenStreetMap XML converts to .osm.pbf with `osmium cat in.osm -o out.osm.pbf`",
            Sniffed::Parquet => "give it a .parquet extension if it is GeoParquet",
            Sniffed::Json => "give it a .geojson extension if it is GeoJSON",
        }
    }
}

/// The error for a file whose content is not what its extension says.
pub fn mismatch(path: &Path, looks: Sniffed, advice: &str) -> Error {
    Error::layer(
        path,
        format!(
            "the extension and the content disagree: this file looks like {}; {advice}",
            looks.describe()
        ),
    )
}

/// Checks by its first bytes that the binary file at `path` is `expected`: an unreadable file is
/// an I/O error, an empty one says `empty`, one that looks like another format says so, and one
/// that looks like nothing known says `unknown`.
pub fn expect_content(path: &Path, expected: Sniffed, empty: &str, unknown: &str) -> Result<()> {
    let head = head(path);
    if head.is_empty() {
        std::fs::File::open(path).map_err(|e| Error::io(path, format!("cannot read: {e}")))?;
        return Err(Error::layer(path, empty));
    }
    match sniff(&head) {
        Some(s) if s == expected => Ok(()),
        Some(other) => Err(mismatch(path, other, other.advice())),
        None => Err(Error::layer(path, unknown)),
    }
}

/// The error for a GeoJSON file that looks like another format, if it does.
pub fn not_geojson(path: &Path, head: &[u8]) -> Option<Error> {
    match sniff(head)? {
        Sniffed::Json => None,
        s => Some(mismatch(path, s, s.advice())),
    }
}

/// Guesses a file's kind from its first bytes.
pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    if head.starts_with(b"SQLite format 3\0") {
        return Some(Sniffed::Sqlite);
    }
    if head.starts_with(&[0x00, 0x00, 0x27, 0x0a]) {
        return Some(Sniffed::Shapefile);
    }
    if head.starts_with(b"PAR1") {
        return Some(Sniffed::Parquet);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Sniffed::Zip);
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) || looks_utf16(head) {
        return Some(Sniffed::Utf16);
    }
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = &text[start..];
    match text[0] {
        0x1e => Some(Sniffed::GeoJsonSeq),
        b'<' => Some(Sniffed::Xml),
        b'{' | b'[' => Some(Sniffed::Json),
        _ => None,
    }
}

/// UTF-16 without a byte-order mark: ASCII text with a NUL beside every character.
fn looks_utf16(head: &[u8]) -> bool {
    let pairs = head.len() / 2;
    pairs >= 2
        && (0..pairs.min(32)).all(|i| {
            let (a, b) = (head[2 * i], head[2 * i + 1]);
            (a == 0) != (b == 0)
        })
}

/// Whether a text that failed to parse as one JSON document is newline-delimited GeoJSON:
/// its first line is a whole GeoJSON feature and another line follows.
pub fn is_feature_per_line(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let Some(first) = lines.next() else {
        return false;
    };
    let is_feature = serde_json::from_slice::<serde_json::Value>(first)
        .is_ok_and(|v| v.get("type").and_then(|t| t.as_str()) == Some("Feature"));
    is_feature && lines.next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_what_files_look_like() {
        assert_eq!(sniff(b"SQLite format 3\0\x10\0"), Some(Sniffed::Sqlite));
        assert_eq!(sniff(&[0, 0, 0x27, 0x0a, 0, 0]), Some(Sniffed::Shapefile));
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Sniffed::Zip));
        assert_eq!(sniff(b"PAR1\x15\x04"), Some(Sniffed::Parquet));
        assert_eq!(sniff(b"\xff\xfe{\0\"\0"), Some(Sniffed::Utf16));
        // UTF-16 big-endian without a byte-order mark.
        assert_eq!(sniff(b"\0{\0\"\0t\0y"), Some(Sniffed::Utf16));
        assert_eq!(
            sniff(b"\x1e{\"type\":\"Feature\"}"),
            Some(Sniffed::GeoJsonSeq)
        );
        assert_eq!(sniff(b"<?xml version='1.0'?><osm>"), Some(Sniffed::Xml));
        assert_eq!(sniff(b"\xef\xbb\xbf {\"type\""), Some(Sniffed::Json));
        assert_eq!(sniff(b"hello"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn one_feature_per_line_is_recognised() {
        let f = r#"{"type":"Feature","properties":{},"geometry":null}"#;
        assert!(is_feature_per_line(format!("{f}\n{f}\n").as_bytes()));
        assert!(!is_feature_per_line(format!("{f}\n").as_bytes()));
        assert!(!is_feature_per_line(b"{\"type\":\"FeatureCollection\"\n,}"));
    }

    #[test]
    fn extensions_pick_the_format() {
        assert_eq!(format_of(Path::new("a.GPKG")).unwrap(), Format::GeoPackage);
        assert_eq!(format_of(Path::new("a.shp")).unwrap(), Format::Shapefile);
        assert_eq!(format_of(Path::new("a.json")).unwrap(), Format::GeoJson);
        assert_eq!(
            format_of(Path::new("a.Parquet")).unwrap(),
            Format::GeoParquet
        );
        // A file that cannot be read goes to the GeoJSON reader, which says it cannot read it.
        assert_eq!(
            format_of(Path::new("/nonexistent.txt")).unwrap(),
            Format::GeoJson
        );
        let e = format_of(Path::new("a.zip")).unwrap_err().to_string();
        assert!(e.starts_with("a.zip: ") && e.contains("unzip"), "{e}");
        let e = format_of(Path::new("a.dbf")).unwrap_err().to_string();
        assert!(e.contains("give the .shp"), "{e}");
    }
}
