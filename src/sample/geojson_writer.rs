//! A streaming GeoJSON FeatureCollection writer.
//!
//! The `geojson` crate builds a whole `FeatureCollection` in memory before serialising it; a
//! synthetic city of 8 M homes would need gigabytes for that. This writer emits one feature at a
//! time into a `BufWriter`, with coordinates at a fixed number of decimals (so the files are small
//! and byte-identical across platforms) and properties through serde_json.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use geo::Coord;
use serde::Serialize;

use crate::error::{Error, Result};

/// A geometry to write, borrowing its coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape<'a> {
    Point(Coord),
    LineString(&'a [Coord]),
    /// One closed exterior ring (first coordinate repeated last).
    Polygon(&'a [Coord]),
}

/// Writes a FeatureCollection feature by feature, into a `.part` file that [`finish`] renames,
/// so a failed run never leaves a truncated layer behind.
///
/// [`finish`]: GeoJsonWriter::finish
pub(crate) struct GeoJsonWriter {
    path: PathBuf,
    part: PathBuf,
    out: BufWriter<File>,
    decimals: usize,
    features: usize,
    buf: String,
}

impl GeoJsonWriter {
    /// Creates `path` and writes the collection's header. `crs_urn` adds the legacy (GeoJSON
    /// 2008) `crs` member that Dutch data in RD New carries; `None` means RFC 7946 WGS84.
    pub(crate) fn create(path: &Path, crs_urn: Option<&str>, decimals: usize) -> Result<Self> {
        let mut part = path.as_os_str().to_owned();
        part.push(".part");
        let part = PathBuf::from(part);
        let file =
            File::create(&part).map_err(|e| Error::io(&part, format!("cannot create: {e}")))?;
        let mut w = GeoJsonWriter {
            path: path.to_path_buf(),
            part,
            out: BufWriter::with_capacity(1 << 20, file),
            decimals,
            features: 0,
            buf: String::with_capacity(256),
        };
        let header = match crs_urn {
            Some(urn) => format!(
                "{{\"type\":\"FeatureCollection\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":{}}}}},\"features\":[",
                serde_json::Value::String(urn.to_string())
            ),
            None => "{\"type\":\"FeatureCollection\",\"features\":[".to_string(),
        };
        w.write(header.as_bytes())?;
        Ok(w)
    }

    /// Appends one feature.
    pub(crate) fn feature(&mut self, shape: Shape<'_>, properties: &impl Serialize) -> Result<()> {
        use std::fmt::Write as _;
        self.buf.clear();
        self.buf
            .push_str(if self.features == 0 { "\n" } else { ",\n" });
        self.buf.push_str("{\"type\":\"Feature\",\"geometry\":");
        let d = self.decimals;
        let coords = |buf: &mut String, cs: &[Coord]| {
            buf.push('[');
            for (i, c) in cs.iter().enumerate() {
                if i > 0 {
                    buf.push(',');
                }
                // Writing into a String cannot fail.
                let _ = write!(buf, "[{:.d$},{:.d$}]", c.x, c.y);
            }
            buf.push(']');
        };
        match shape {
            Shape::Point(c) => {
                let _ = write!(
                    self.buf,
                    "{{\"type\":\"Point\",\"coordinates\":[{:.d$},{:.d$}]}}",
                    c.x, c.y
                );
            }
            Shape::LineString(cs) => {
                self.buf
                    .push_str("{\"type\":\"LineString\",\"coordinates\":");
                coords(&mut self.buf, cs);
                self.buf.push('}');
            }
            Shape::Polygon(ring) => {
                self.buf.push_str("{\"type\":\"Polygon\",\"coordinates\":[");
                coords(&mut self.buf, ring);
                self.buf.push_str("]}");
            }
        }
        self.buf.push_str(",\"properties\":");
        let props = serde_json::to_string(properties).map_err(|e| {
            Error::io(
                &self.path,
                format!("cannot serialise feature {}: {e}", self.features),
            )
        })?;
        self.buf.push_str(&props);
        self.buf.push('}');
        self.features += 1;
        let bytes = std::mem::take(&mut self.buf);
        let result = self.write(bytes.as_bytes());
        self.buf = bytes;
        result
    }

    /// Closes the collection and flushes; returns the number of features written.
    pub(crate) fn finish(mut self) -> Result<usize> {
        self.write(b"\n]}\n")?;
        self.out
            .flush()
            .map_err(|e| Error::io(&self.part, format!("cannot write: {e}")))?;
        drop(self.out);
        std::fs::rename(&self.part, &self.path).map_err(|e| {
            Error::io(
                &self.path,
                format!("cannot move {} into place: {e}", self.part.display()),
            )
        })?;
        Ok(self.features)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io(&self.part, format!("cannot write: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_valid_collection_with_a_legacy_crs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.geojson");
        let mut w = GeoJsonWriter::create(&path, Some("urn:ogc:def:crs:EPSG::28992"), 2).unwrap();
        let line = [Coord { x: 1.0, y: 2.0 }, Coord { x: 3.125, y: 4.0 }];
        let ring = [
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 1.0, y: 0.0 },
            Coord { x: 0.0, y: 1.0 },
            Coord { x: 0.0, y: 0.0 },
        ];
        w.feature(
            Shape::Point(Coord { x: 0.004, y: -1.5 }),
            &serde_json::json!({"id": "a"}),
        )
        .unwrap();
        w.feature(
            Shape::LineString(&line),
            &serde_json::json!({"highway": "primary"}),
        )
        .unwrap();
        w.feature(Shape::Polygon(&ring), &serde_json::json!({}))
            .unwrap();
        assert_eq!(w.finish().unwrap(), 3);
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v["crs"]["properties"]["name"],
            "urn:ogc:def:crs:EPSG::28992"
        );
        let f = v["features"].as_array().unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(
            f[0]["geometry"]["coordinates"],
            serde_json::json!([0.0, -1.5])
        );
        // 3.125 is exact in binary, so the round-half-to-even of the formatter decides: 3.12.
        assert_eq!(
            f[1]["geometry"]["coordinates"][1][0],
            serde_json::json!(3.12)
        );
        assert_eq!(f[1]["properties"]["highway"], "primary");
        assert_eq!(f[2]["geometry"]["type"], "Polygon");
    }

    #[test]
    fn empty_collection_without_crs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.geojson");
        let w = GeoJsonWriter::create(&path, None, 7).unwrap();
        assert_eq!(w.finish().unwrap(), 0);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(v.get("crs").is_none());
        assert_eq!(v["features"].as_array().unwrap().len(), 0);
    }
}
