//! Shapefile layers: the `.shp` with its `.dbf` (attributes), `.prj` (the CRS, or the layer's
//! `crs` key) and `.cpg` (the text encoding of the `.dbf`; without one, the `.dbf`'s own code
//! page mark). Attributes come out as the GeoJSON reader gives them.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dbase::FieldValue;
use geo::Geometry;

use super::attributes::Cell;
use super::columns::{Columns, Scalars};
use super::format::{Sniffed, VectorSource};
use super::{Chunks, Feature, Layer, Properties};
use crate::error::{Error, Result};

/// Reads the layer in chunks of at most `chunk` features (see [`super::format::read_in_chunks`]).
pub fn read_in_chunks(
    source: VectorSource,
    chunk: usize,
    keep: Option<&[String]>,
    f: impl FnMut(Layer) -> Result<()>,
) -> Result<Layer> {
    let path = source.path;
    let head = super::format::head(path);
    if head.is_empty() {
        std::fs::File::open(path).map_err(|e| Error::io(path, format!("cannot read: {e}")))?;
        return Err(Error::layer(path, "the file is empty"));
    }
    match super::format::sniff(&head) {
        Some(Sniffed::Shapefile) => {}
        Some(Sniffed::Zip) => {
            return Err(super::format::mismatch(
                path,
                Sniffed::Zip,
                "a zipped Shapefile must be unzipped first; give the .shp inside, with its .dbf, .prj and .cpg beside it",
            ))
        }
        Some(other) => return Err(super::format::mismatch(path, other, other.advice())),
        None => {
            return Err(Error::layer(
                path,
                "not a Shapefile: a .shp starts with the file code 9994; export it again",
            ))
        }
    }
    let dbf = sidecar(path, "dbf").ok_or_else(|| {
        Error::layer(
            path,
            format!(
                "the Shapefile has no .dbf beside it ({}); its attributes are in that file: copy it next to the .shp",
                path.with_extension("dbf").display()
            ),
        )
    })?;
    let (crs, crs_source) = super::layer_crs(
        path,
        source.crs,
        || match sidecar(path, "prj") {
            Some(prj) => {
                let wkt = std::fs::read_to_string(&prj)
                    .map_err(|e| Error::io(&prj, format!("cannot read: {e}")))?;
                super::prj::crs_from_wkt(&wkt)
                    .map(Some)
                    .map_err(|e| Error::layer(&prj, e))
            }
            None => Ok(None),
        },
        || {
            Err(Error::layer(
                path,
                format!(
                    "the Shapefile has no .prj beside it ({}), so its CRS is unknown: the layer needs a `crs` key, e.g. crs = \"EPSG:28992\"",
                    path.with_extension("prj").display()
                ),
            ))
        },
    )?;
    let mut shapes = Shapes::open(path)?;
    let decimals = numeric_decimals(&dbf)?;
    // `strict_utf8`: no encoding named anywhere, so the text is read as UTF-8, strictly.
    let (encoding, strict_utf8) = encoding(path, &dbf)?;
    let dbf_file =
        std::fs::File::open(&dbf).map_err(|e| Error::io(&dbf, format!("cannot read: {e}")))?;
    let builder = match encoding {
        Some(e) => dbase::ReaderBuilder::new().with_encoding(e),
        None => dbase::ReaderBuilder::new(),
    };
    let mut records = builder
        .build(BufReader::new(dbf_file))
        .map_err(|e| Error::layer(&dbf, format!("not a readable .dbf file: {e}")))?;

    let header = Layer {
        path: path.to_path_buf(),
        crs,
        crs_source,
        features: Vec::new(),
        columns: Default::default(),
    };
    let mut sink = Chunks::new(header, f);
    let chunk = chunk.clamp(1, 1 << 20);
    // Only the kept fields are read (the others skipped by their width), and the last of
    // fields sharing a name, which an attribute map would keep.
    let names: Vec<String> = records
        .fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let read: Vec<bool> = names
        .iter()
        .enumerate()
        .map(|(i, name)| keep.is_none_or(|k| k.contains(name)) && !names[i + 1..].contains(name))
        .collect();
    let integer: Vec<bool> = names
        .iter()
        .map(|name| decimals.iter().any(|(n, d)| n == name && *d == 0))
        .collect();
    // With `keep`, the kept fields come as columns, one per field read.
    let mut columns: Vec<(usize, Scalars)> = match keep {
        Some(_) => (0..names.len())
            .filter(|i| read[*i])
            .map(|i| (i, Scalars::default()))
            .collect(),
        None => Vec::new(),
    };
    let columnar = keep.is_some();
    let chunk_of = |columns: &mut Vec<(usize, Scalars)>| {
        let mut out = Columns::default();
        for (i, scalars) in columns.iter_mut() {
            out.push(names[*i].clone(), Arc::new(std::mem::take(scalars)));
        }
        out
    };
    READ_FIELDS.set(read);
    let mut features = Vec::with_capacity(chunk.min(1 << 14));
    let mut record_iter = records.iter_records_as::<ReadFields>();
    while let Some((index, shape)) = shapes.next_shape()? {
        let record = match record_iter.next() {
            Some(r) => r.map_err(|e| {
                let m = if strict_utf8 && matches!(e.kind(), dbase::ErrorKind::StringDecodeError(_)) {
                    "the record's text is not UTF-8, and the .dbf names no encoding (no .cpg beside it, no code page mark in it); add a .cpg file holding the encoding, e.g. ISO-8859-1 or 1252, or save the layer as UTF-8".to_string()
                } else {
                    format!("the record cannot be read: {e}")
                };
                Error::feature(&dbf, index, m)
            })?,
            None => {
                return Err(Error::layer(
                    &dbf,
                    format!("the .dbf has fewer records ({index}) than the .shp has shapes; the two files do not belong together"),
                ))
            }
        };
        let mut props = Properties::new();
        if columnar {
            for ((_, scalars), (i, value)) in columns.iter_mut().zip(record.0) {
                scalars.push(attribute(value, integer[i]));
            }
        } else {
            for (i, value) in record.0 {
                if let Some(v) = attribute(value, integer[i]).to_value() {
                    props.insert(names[i].clone(), v);
                }
            }
        }
        features.push(Feature {
            index,
            geometry: geometry(shape).map_err(|m| Error::feature(path, index, m))?,
            props,
            id: None,
        });
        if features.len() == chunk {
            sink.push_columns(std::mem::take(&mut features), chunk_of(&mut columns))?;
        }
    }
    if !features.is_empty() {
        sink.push_columns(features, chunk_of(&mut columns))?;
    }
    sink.finish()
}

/// The shapes of a `.shp`, record after record as the format lays them out (the `.shx` is not
/// needed). Records are framed here and each is decoded by the shapefile crate from its own
/// bytes: the crate's own iterator trusts the part and point counts of a record when it
/// reserves memory (it checks them against the record's length after a cast that can wrap, and
/// reserves a part's points from the difference of its start indices unchecked; a 600-byte file
/// asked for 17 GB, found by fuzzing), and it loses its place after a record whose length is
/// not what its type reads. Here a record must lie in the file and its counts must fit in it.
struct Shapes<'a> {
    path: &'a Path,
    file: BufReader<std::fs::File>,
    /// Where the next record starts.
    pos: u64,
    /// Where the header says the records end.
    end: u64,
    file_len: u64,
    index: usize,
}

impl<'a> Shapes<'a> {
    fn open(path: &'a Path) -> Result<Shapes<'a>> {
        let io = |e: std::io::Error| Error::io(path, format!("cannot read: {e}"));
        let file_len = std::fs::metadata(path).map_err(io)?.len();
        let mut file = BufReader::new(std::fs::File::open(path).map_err(io)?);
        let header = shapefile::header::Header::read_from(&mut file)
            .map_err(|e| Error::layer(path, format!("not a readable Shapefile: {e}")))?;
        Ok(Shapes {
            path,
            file,
            pos: 100,
            end: u64::from(header.file_length.unsigned_abs()) * 2,
            file_len,
            index: 0,
        })
    }

    /// The next shape with its 0-based index, `None` after the last record.
    fn next_shape(&mut self) -> Result<Option<(usize, shapefile::Shape)>> {
        if self.pos >= self.end {
            return Ok(None);
        }
        let index = self.index;
        let fail = |m: String| Error::feature(self.path, index, m);
        let left = self.file_len.saturating_sub(self.pos + 8);
        let mut head = [0u8; 8];
        if self.pos + 8 > self.file_len || self.file.read_exact(&mut head).is_err() {
            return Err(fail(format!(
                "the .shp ends before this shape's record: its header says the file holds {} bytes, but it has {}; the file is cut short",
                self.end, self.file_len
            )));
        }
        // The content length, in 16-bit words, after the record number.
        let words = i32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        let Ok(words) = u32::try_from(words) else {
            return Err(fail(format!(
                "the shape's record declares a negative length ({words}); the .shp is corrupt"
            )));
        };
        let content = u64::from(words) * 2;
        if content > left {
            return Err(fail(format!(
                "the shape's record declares {content} bytes, more than the {left} left in the file; the .shp is cut short or corrupt"
            )));
        }
        let size = i32::try_from(content).map_err(|_| {
            fail(format!(
                "the shape's record declares {content} bytes, more than a Shapefile record can hold; the .shp is corrupt"
            ))
        })?;
        let mut record = vec![0u8; content as usize];
        self.file
            .read_exact(&mut record)
            .map_err(|e| fail(format!("the shape cannot be read: {e}")))?;
        self.pos += 8 + content;
        self.index += 1;
        check_counts(&record).map_err(fail)?;
        let shape = <shapefile::Shape as shapefile::record::ReadableShape>::read_from(
            &mut std::io::Cursor::new(&record[..]),
            size,
        )
        .map_err(|e| fail(format!("the shape cannot be read: {e}")))?;
        Ok(Some((index, shape)))
    }
}

/// Checks the part and point counts of a multipoint or multi-part shape, and its part starts,
/// against the bytes of its record (`record`: its content, from the shape type on).
fn check_counts(record: &[u8]) -> std::result::Result<(), String> {
    let le = |at: usize| {
        record
            .get(at..at + 4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (parts, points, fixed) = match le(0) {
        // MultiPoint (M, Z): type, box, point count, points.
        Some(8 | 18 | 28) => (Some(0), le(36), 40),
        // PolyLine, Polygon (M, Z), MultiPatch: type, box, part and point counts, part starts
        // (and a MultiPatch's part types), points.
        Some(3 | 5 | 13 | 15 | 23 | 25 | 31) => (le(36), le(40), 44),
        _ => return Ok(()),
    };
    let (Some(parts), Some(points)) = (parts, points) else {
        return Err(format!(
            "the shape's record holds {} bytes, fewer than the {fixed} its type needs before its points; the .shp is corrupt",
            record.len()
        ));
    };
    let declares = format!("the shape declares {parts} part(s) and {points} point(s)");
    let (Ok(p), Ok(n)) = (u64::try_from(parts), u64::try_from(points)) else {
        return Err(format!("{declares}; the .shp is corrupt"));
    };
    if fixed + 4 * p + 16 * n > record.len() as u64 {
        return Err(format!(
            "{declares}, more than its record of {} bytes can hold; the .shp is corrupt",
            record.len()
        ));
    }
    let mut previous = 0;
    for k in 0..p as usize {
        let first = le(fixed as usize + 4 * k).unwrap_or(0);
        if first < previous || first > points {
            return Err(format!(
                "the shape's part {k} starts at point {first}, outside its {points} point(s) or before the part ahead of it; the .shp is corrupt"
            ));
        }
        previous = first;
    }
    Ok(())
}

/// The file beside `path` with extension `ext` (either case), if it exists.
fn sidecar(path: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_string(), ext.to_ascii_uppercase()]
        .into_iter()
        .map(|e| path.with_extension(e))
        .find(|p| p.is_file())
}

/// A shape as a geometry; a null shape has none.
fn geometry(shape: shapefile::Shape) -> std::result::Result<Option<Geometry>, String> {
    match shape {
        shapefile::Shape::NullShape => Ok(None),
        shapefile::Shape::Multipatch(_) => {
            Err("the shape is a Multipatch (3D surfaces), which kindscape does not read".into())
        }
        shape => Geometry::try_from(shape)
            .map(Some)
            .map_err(|e| format!("the shape cannot be read: {e}")),
    }
}

/// A `.dbf` value as the attribute value GeoJSON would hold. Numeric fields with no decimals
/// are integers (as GDAL reads them), the others reals.
fn attribute(value: FieldValue, integer: bool) -> Cell<'static> {
    let real = |r: f64| {
        if integer && r.fract() == 0.0 && r.abs() < 9.0e15 {
            Cell::Number((r as i64).into())
        } else {
            serde_json::Number::from_f64(r).map_or(Cell::Null, Cell::Number)
        }
    };
    let text = |s: String| Cell::Text(Cow::Owned(s));
    match value {
        FieldValue::Character(s) => s.map_or(Cell::Null, text),
        FieldValue::Memo(s) => text(s),
        FieldValue::Numeric(n) => n.map_or(Cell::Null, real),
        FieldValue::Float(n) => n.map_or(Cell::Null, |f| real(f64::from(f))),
        FieldValue::Double(d) | FieldValue::Currency(d) => real(d),
        FieldValue::Integer(i) => Cell::Number(i.into()),
        FieldValue::Logical(b) => b.map_or(Cell::Null, Cell::Bool),
        FieldValue::Date(d) => d.map_or(Cell::Null, |d| {
            text(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }),
        FieldValue::DateTime(t) => {
            let (d, c) = (t.date(), t.time());
            text(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                d.year(),
                d.month(),
                d.day(),
                c.hours(),
                c.minutes(),
                c.seconds()
            ))
        }
    }
}

thread_local! {
    /// Which fields of the `.dbf` a [`ReadFields`] record reads, by position: dbase builds a
    /// record with a function that is handed no state, so the list is set here, on the thread
    /// that reads the records, before they are read.
    static READ_FIELDS: RefCell<Vec<bool>> = const { RefCell::new(Vec::new()) };
}

/// A `.dbf` record's fields that [`READ_FIELDS`] asks for, with their positions; the others
/// are skipped by their width, not decoded (a buildings layer may carry dozens).
struct ReadFields(Vec<(usize, FieldValue)>);

impl dbase::ReadableRecord for ReadFields {
    fn read_using<S, M>(
        fields: &mut dbase::FieldIterator<S, M>,
    ) -> std::result::Result<Self, dbase::FieldError>
    where
        S: std::io::Read + std::io::Seek,
        M: std::io::Read + std::io::Seek,
    {
        READ_FIELDS.with_borrow(|read| {
            let mut out = Vec::new();
            for (i, wanted) in read.iter().enumerate() {
                if *wanted {
                    out.push((i, fields.read_next_field()?.value));
                } else {
                    fields.skip_next_field()?;
                }
            }
            Ok(ReadFields(out))
        })
    }
}

/// The decimal count of each numeric field, read from the `.dbf` header by hand: dbase keeps
/// it private, and it is what tells an integer field (`N(10,0)`) from a real one.
fn numeric_decimals(dbf: &Path) -> Result<Vec<(String, u8)>> {
    let mut head = Vec::new();
    std::fs::File::open(dbf)
        .and_then(|f| f.take(32 + 32 * 255 + 1).read_to_end(&mut head))
        .map_err(|e| Error::io(dbf, format!("cannot read: {e}")))?;
    if head.len() < 32 {
        return Err(Error::layer(
            dbf,
            "not a .dbf file: it is shorter than its header",
        ));
    }
    let mut out = Vec::new();
    for descriptor in head[32..].chunks_exact(32) {
        if descriptor[0] == 0x0d {
            break;
        }
        let name_end = descriptor[..11].iter().position(|b| *b == 0).unwrap_or(11);
        let name = String::from_utf8_lossy(&descriptor[..name_end])
            .trim()
            .to_string();
        if matches!(descriptor[11], b'N' | b'F') {
            out.push((name, descriptor[17]));
        }
    }
    Ok(out)
}

/// The `.dbf`'s text encoding from the `.cpg` beside it. Without one, `None` when the `.dbf`'s
/// code page mark (its language driver byte) names one, which dbase then uses; when it names
/// none either, strict UTF-8: dbase would read the text as UTF-8 with every other byte turned
/// into U+FFFD, names and ids silently broken.
fn encoding(path: &Path, dbf: &Path) -> Result<(Option<dbase::encoding::DynEncoding>, bool)> {
    let Some(cpg) = sidecar(path, "cpg") else {
        let mut head = Vec::new();
        std::fs::File::open(dbf)
            .and_then(|f| f.take(30).read_to_end(&mut head))
            .map_err(|e| Error::io(dbf, format!("cannot read: {e}")))?;
        let mark = head.get(29).copied().unwrap_or(0);
        // 0x57 is what ArcGIS writes for its "ANSI" code page, Windows-1252 in western
        // settings; dbase does not know the mark and would read UTF-8.
        if mark == 0x57 {
            return Ok((
                Some(dbase::encoding::EncodingRs::from(encoding_rs::WINDOWS_1252).into()),
                false,
            ));
        }
        let known = !matches!(
            dbase::CodePageMark::from(mark),
            dbase::CodePageMark::Undefined | dbase::CodePageMark::Invalid
        );
        return Ok(((!known).then(|| dbase::Unicode.into()), !known));
    };
    let mut label = String::new();
    std::fs::File::open(&cpg)
        .and_then(|f| f.take(256).read_to_string(&mut label))
        .map_err(|e| Error::io(&cpg, format!("cannot read: {e}")))?;
    let label = label.trim().trim_start_matches('\u{feff}');
    encoding_for(label)
        .map(|e| (Some(dbase::encoding::EncodingRs::from(e).into()), false))
        .ok_or_else(|| {
        Error::layer(
            &cpg,
            format!("the text encoding \"{label}\" is not known; write UTF-8, ISO-8859-1 or 1252 in the .cpg, or convert the .dbf to UTF-8"),
        )
    })
}

/// An encoding by the labels `.cpg` files hold: WHATWG names ("UTF-8", "ISO-8859-1",
/// "windows-1252") and the bare code page numbers Esri writes ("1252", "65001", "88591").
fn encoding_for(label: &str) -> Option<&'static encoding_rs::Encoding> {
    let key: String = label
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    let key = key.strip_prefix("ANSI").unwrap_or(&key);
    match key {
        "65001" | "UTF8" => Some(encoding_rs::UTF_8),
        // ISO-8859-1 is decoded as windows-1252, its superset (as WHATWG does): the two agree
        // on every printable Latin-1 character.
        "88591" | "ISO88591" | "28591" | "1252" | "CP1252" | "WINDOWS1252" | "LATIN1" => {
            Some(encoding_rs::WINDOWS_1252)
        }
        _ if !key.is_empty() && key.chars().all(|c| c.is_ascii_digit()) => {
            encoding_rs::Encoding::for_label(format!("windows-{key}").as_bytes())
        }
        _ => encoding_rs::Encoding::for_label(label.trim().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpg_labels_name_encodings() {
        assert_eq!(encoding_for("UTF-8"), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_for("utf8"), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_for("ISO-8859-1"), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_for("ISO 8859-1"), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_for("88591"), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_for("1252"), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_for("ANSI 1251"), Some(encoding_rs::WINDOWS_1251));
        assert_eq!(encoding_for("klingon"), None);
        // Latin-1 bytes: "Hierdén" with é = 0xE9.
        let (text, _, bad) = encoding_for("ISO-8859-1").unwrap().decode(b"Hierd\xe9n");
        assert_eq!((text.as_ref(), bad), ("Hierdén", false));
    }

    #[test]
    fn numeric_fields_without_decimals_are_integers() {
        assert_eq!(
            attribute(FieldValue::Numeric(Some(12.0)), true)
                .to_value()
                .unwrap(),
            serde_json::Value::from(12)
        );
        assert_eq!(
            attribute(FieldValue::Numeric(Some(12.0)), false)
                .to_value()
                .unwrap(),
            serde_json::Value::from(12.0)
        );
        assert_eq!(
            attribute(FieldValue::Numeric(Some(2.5)), false)
                .to_value()
                .unwrap(),
            serde_json::Value::from(2.5)
        );
        assert_eq!(
            attribute(FieldValue::Numeric(None), true)
                .to_value()
                .unwrap(),
            serde_json::Value::Null
        );
        assert_eq!(
            attribute(FieldValue::Character(Some("0012".into())), false)
                .to_value()
                .unwrap(),
            serde_json::Value::from("0012")
        );
        assert_eq!(
            attribute(FieldValue::Logical(Some(true)), false)
                .to_value()
                .unwrap(),
            serde_json::Value::Bool(true)
        );
    }
}
