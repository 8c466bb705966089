//! GeoJSON layers: features with geometry and attributes, with the CRS the file declares.

use std::path::Path;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use geojson::{GeoJson, GeometryValue, Position};

use super::crs::Crs;
use super::{CrsSource, Feature, Layer};
use crate::error::{Error, Result};

/// Reads a GeoJSON file (a FeatureCollection, a Feature or a bare Geometry).
///
/// The CRS is `crs_override` if given, else the legacy `crs` member, else WGS84 (RFC 7946).
/// Coordinates that cannot be in that CRS are an error that suggests the fix.
pub fn read(path: &Path, crs_override: Option<&str>) -> Result<Layer> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, format!("cannot read: {e}")))?;
    parse(&bytes, path, crs_override)
}

/// Parses GeoJSON bytes as if they were the file at `path`.
pub fn parse(bytes: &[u8], path: &Path, crs_override: Option<&str>) -> Result<Layer> {
    let gj: GeoJson = serde_json::from_slice(bytes).map_err(|e| {
        Error::layer(
            path,
            format!("not valid GeoJSON ({e}); kindscape reads GeoJSON FeatureCollections, one per file"),
        )
    })?;
    let (features, crs_member) = match gj {
        GeoJson::FeatureCollection(fc) => {
            let crs = fc.foreign_members.as_ref().and_then(|m| m.get("crs")).cloned();
            (fc.features, crs)
        }
        GeoJson::Feature(f) => (vec![f], None),
        GeoJson::Geometry(g) => (vec![geojson::Feature::from(g)], None),
    };
    let (crs, source) = match crs_override {
        Some(s) => (
            Crs::parse(s).map_err(|e| Error::layer(path, format!("layer `crs` key: {e}")))?,
            CrsSource::StudyFile,
        ),
        None => match crs_member {
            Some(m) => (legacy_crs(&m).map_err(|e| Error::layer(path, e))?, CrsSource::File),
            None => (Crs::wgs84(), CrsSource::Rfc7946),
        },
    };
    let mut out = Vec::with_capacity(features.len());
    for (index, f) in features.into_iter().enumerate() {
        let geometry = match &f.geometry {
            Some(g) => Some(convert(&g.value).map_err(|m| Error::feature(path, index, m))?),
            None => None,
        };
        out.push(Feature {
            index,
            geometry,
            props: f.properties.unwrap_or_default(),
            id: f.id.map(|id| match id {
                geojson::feature::Id::String(s) => s,
                geojson::feature::Id::Number(n) => super::attributes::number_to_id(&n),
            }),
        });
    }
    let layer = Layer {
        path: path.to_path_buf(),
        crs,
        crs_source: source,
        features: out,
    };
    layer.check_coordinates()?;
    Ok(layer)
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
    ps.iter().map(coord).collect::<std::result::Result<Vec<_>, _>>().map(LineString::new)
}

fn polygon(rings: &[Vec<Position>]) -> std::result::Result<Polygon, String> {
    let mut it = rings.iter();
    let exterior = match it.next() {
        Some(r) => line(r)?,
        None => LineString::new(vec![]),
    };
    let interiors = it.map(|r| line(r)).collect::<std::result::Result<Vec<_>, _>>()?;
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
        GeometryValue::MultiLineString { coordinates } => Geometry::MultiLineString(MultiLineString(
            coordinates.iter().map(|l| line(l)).collect::<std::result::Result<_, _>>()?,
        )),
        GeometryValue::Polygon { coordinates } => Geometry::Polygon(polygon(coordinates)?),
        GeometryValue::MultiPolygon { coordinates } => Geometry::MultiPolygon(MultiPolygon(
            coordinates.iter().map(|p| polygon(p)).collect::<std::result::Result<_, _>>()?,
        )),
        GeometryValue::GeometryCollection { geometries } => Geometry::GeometryCollection(geo::GeometryCollection(
            geometries
                .iter()
                .map(|g| convert(&g.value))
                .collect::<std::result::Result<_, _>>()?,
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(layer("{ not json").unwrap_err().to_string().contains("not valid GeoJSON"));
    }
}
