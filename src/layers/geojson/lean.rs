//! A lean reading of one GeoJSON feature, straight into kindscape's [`Feature`].
//!
//! The geojson crate's `Feature` and `Geometry` keep their foreign members with
//! `#[serde(flatten)]`, which makes serde buffer every feature whole before reading its fields,
//! and its positions are one `Vec` each: reading a million homes spent most of its time there.
//! This reads only what kindscape uses (geometry, properties, id) in one pass. It is a fast
//! path only: a feature it does not take as it is (anything unusual or wrong) is read again by
//! the geojson crate, whose errors the messages are built on.

use std::fmt;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::layers::{Feature, Properties};

/// The parts of a feature kindscape uses.
struct LeanFeature {
    geometry: Option<LeanGeometry>,
    id: Option<geojson::feature::Id>,
    properties: Option<Properties>,
}

/// Reads a feature, keeping only the attributes in `keep` (all when `None`): a homes layer
/// may carry dozens of attributes per building of which kindscape reads two or three.
struct FeatureSeed<'k> {
    keep: Option<&'k [String]>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Member {
    Type,
    Geometry,
    Id,
    Properties,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
enum FeatureTag {
    Feature,
}

/// Fills a member once; a second time is an error, as serde's derive makes it.
fn set_once<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), E> {
    match slot.replace(value) {
        Some(_) => Err(E::duplicate_field(name)),
        None => Ok(()),
    }
}

impl<'de> DeserializeSeed<'de> for FeatureSeed<'_> {
    type Value = LeanFeature;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<LeanFeature, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FeatureSeed<'_> {
    type Value = LeanFeature;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON feature")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LeanFeature, A::Error> {
        let (mut kind, mut geometry, mut id, mut properties) = (None, None, None, None);
        while let Some(member) = map.next_key::<Member>()? {
            match member {
                Member::Type => set_once(&mut kind, map.next_value::<FeatureTag>()?, "type")?,
                Member::Geometry => set_once(&mut geometry, map.next_value()?, "geometry")?,
                Member::Id => set_once(&mut id, map.next_value()?, "id")?,
                Member::Properties => set_once(
                    &mut properties,
                    map.next_value_seed(PropertiesSeed { keep: self.keep })?,
                    "properties",
                )?,
                Member::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        kind.ok_or_else(|| de::Error::missing_field("type"))?;
        Ok(LeanFeature {
            geometry: geometry.flatten(),
            id: id.flatten(),
            properties: properties.flatten(),
        })
    }
}

/// A feature's `properties` (an object or null), with only the attributes in `keep`.
struct PropertiesSeed<'k> {
    keep: Option<&'k [String]>,
}

impl<'de> DeserializeSeed<'de> for PropertiesSeed<'_> {
    type Value = Option<Properties>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Properties>, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for PropertiesSeed<'_> {
    type Value = Option<Properties>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object or null")
    }

    fn visit_none<E>(self) -> Result<Option<Properties>, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Option<Properties>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<Properties>, D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Properties>, A::Error> {
        let mut out = Properties::new();
        while let Some(key) = map.next_key::<Key>()? {
            if self
                .keep
                .is_none_or(|keep| keep.iter().any(|k| *k == *key.0))
            {
                let value = map.next_value()?;
                out.insert(key.0.into_owned(), value);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(Some(out))
    }
}

/// An attribute name, borrowed from the text unless it holds escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an attribute name")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[derive(Deserialize)]
struct LeanGeometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    coordinates: Option<Coordinates>,
    #[serde(default)]
    geometries: Option<Vec<LeanGeometry>>,
}

/// Coordinates of any depth, numbers and arrays only, flattened in document order: a list is
/// its length followed by its elements. One vector per geometry rather than one per position.
#[derive(Default)]
pub(super) struct Coordinates(pub(super) Vec<Token>);

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Token {
    Number(f64),
    List(u32),
}

impl Coordinates {
    /// Opens a list whose length [`Self::close`] fills in; returns its place.
    pub(super) fn open(&mut self) -> usize {
        self.0.push(Token::List(0));
        self.0.len() - 1
    }

    pub(super) fn close(&mut self, at: usize, len: u32) {
        self.0[at] = Token::List(len);
    }
}

impl<'de> Deserialize<'de> for Coordinates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut out = Coordinates(Vec::with_capacity(8));
        TokensSeed(&mut out).deserialize(d)?;
        Ok(out)
    }
}

/// Appends one value (a number or an array) to the coordinates.
struct TokensSeed<'c>(&'c mut Coordinates);

impl<'de> DeserializeSeed<'de> for TokensSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TokensSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or an array")
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.0 .0.push(Token::Number(v));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.0 .0.push(Token::Number(v as f64));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0 .0.push(Token::Number(v as f64));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let at = self.0.open();
        let mut len = 0u32;
        while seq.next_element_seed(TokensSeed(&mut *self.0))?.is_some() {
            len += 1;
        }
        self.0.close(at, len);
        Ok(())
    }
}

/// The feature at `index` of a file, with the attributes in `keep` (all when `None`), or
/// `None` when the geojson crate should read it.
pub(super) fn feature(text: &[u8], index: usize, keep: Option<&[String]>) -> Option<Feature> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let f = FeatureSeed { keep }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    let geometry = match f.geometry {
        Some(g) => Some(geometry(&g)?),
        None => None,
    };
    Some(Feature {
        index,
        geometry,
        props: f.properties.unwrap_or_default(),
        id: f.id.map(|id| match id {
            geojson::feature::Id::String(s) => s,
            geojson::feature::Id::Number(n) => super::super::attributes::number_to_id(&n),
        }),
    })
}

/// Reads flattened coordinates front to back.
struct Cursor<'t> {
    tokens: &'t [Token],
    at: usize,
}

impl Cursor<'_> {
    /// The length of a non-empty array. The geojson crate tells a geometry's depth from its
    /// first elements and rejects some empty ones: those are left to it.
    fn list(&mut self) -> Option<usize> {
        match self.tokens.get(self.at)? {
            Token::List(n) if *n > 0 => {
                self.at += 1;
                Some(*n as usize)
            }
            _ => None,
        }
    }

    /// A position: two or more numbers, of which x and y are used.
    fn position(&mut self) -> Option<Coord> {
        let n = self.list()?;
        if n < 2 {
            return None;
        }
        let numbers = self.tokens.get(self.at..self.at + n)?;
        if !numbers.iter().all(|t| matches!(t, Token::Number(_))) {
            return None;
        }
        self.at += n;
        match numbers {
            [Token::Number(x), Token::Number(y), ..] => Some(Coord { x: *x, y: *y }),
            _ => None,
        }
    }

    fn many<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.list()?;
        (0..n).map(|_| item(self)).collect()
    }

    fn line(&mut self) -> Option<LineString> {
        self.many(Self::position).map(LineString::new)
    }

    fn polygon(&mut self) -> Option<Polygon> {
        let mut rings = self.many(Self::line)?.into_iter();
        let exterior = rings.next()?;
        Some(Polygon::new(exterior, rings.collect()))
    }
}

/// A geometry of type `kind` (not a collection) from its coordinates, or `None` when the
/// geojson crate should read it.
pub(super) fn simple_geometry(kind: &str, coordinates: &Coordinates) -> Option<Geometry> {
    let mut c = Cursor {
        tokens: &coordinates.0,
        at: 0,
    };
    let g = match kind {
        "Point" => Geometry::Point(Point(c.position()?)),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint(c.many(|c| c.position().map(Point))?)),
        "LineString" => Geometry::LineString(c.line()?),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(c.many(Cursor::line)?)),
        "Polygon" => Geometry::Polygon(c.polygon()?),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(c.many(Cursor::polygon)?)),
        _ => return None,
    };
    (c.at == coordinates.0.len()).then_some(g)
}

fn geometry(g: &LeanGeometry) -> Option<Geometry> {
    if g.kind == "GeometryCollection" {
        let parts = g.geometries.as_ref()?;
        return parts
            .iter()
            .map(geometry)
            .collect::<Option<Vec<_>>>()
            .map(|v| Geometry::GeometryCollection(geo::GeometryCollection(v)));
    }
    simple_geometry(&g.kind, g.coordinates.as_ref()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The geojson crate's reading of the same text, converted as kindscape converts it.
    fn reference(text: &str) -> Option<Feature> {
        let f: geojson::Feature = serde_json::from_str(text).ok()?;
        super::super::feature(f, 7, std::path::Path::new("t.geojson")).ok()
    }

    /// Whether the lean reading agrees with the geojson crate's: the same feature, or `None`
    /// (the crate reads it then); never a feature the crate rejects.
    fn agrees(text: &str) -> Result<bool, String> {
        match (feature(text.as_bytes(), 7, None), reference(text)) {
            (Some(a), Some(b)) => {
                if a.index == b.index
                    && a.geometry == b.geometry
                    && a.props == b.props
                    && a.id == b.id
                {
                    Ok(true)
                } else {
                    Err(format!("different features: {text}"))
                }
            }
            (Some(_), None) => Err(format!("the geojson crate rejects {text}")),
            (None, _) => Ok(false),
        }
    }

    #[test]
    fn every_geometry_type_reads_as_the_geojson_crate_reads_it() {
        let geometries = [
            r#"{"type":"Point","coordinates":[1.5,-2,3]}"#,
            r#"{"type":"MultiPoint","coordinates":[[1,2],[3,4e2]]}"#,
            r#"{"type":"LineString","coordinates":[[1,2],[3,4]]}"#,
            r#"{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[1,2],[1,1]]]}"#,
            r#"{"type":"Polygon","coordinates":[]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]],"bbox":[0,0,1,1]}"#,
            r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}"#,
        ];
        for g in geometries {
            for (id, props) in [
                ("", r#"{"a":"007","b":1.50,"c":null,"d":{"e":[1]}}"#),
                (r#","id":12"#, "{}"),
                (r#","id":"x""#, "null"),
            ] {
                let text = format!(
                    r#"{{"type":"Feature","geometry":{g},"properties":{props}{id},"foreign":1}}"#
                );
                let read_lean = agrees(&text).unwrap();
                // Empty parts are left to the geojson crate; everything else is read here.
                assert_eq!(read_lean, !g.contains("[]"), "{text}");
            }
        }
    }

    #[test]
    fn only_the_attributes_asked_for_are_kept() {
        let text = r#"{"properties":{"b":[1,{"x":2}],"a\u0062c":"0\"7","a":1.5},"type":"Feature","geometry":null,"bbox":[1]}"#;
        let keep = ["abc".to_string(), "a".to_string(), "missing".to_string()];
        let lean = feature(text.as_bytes(), 3, Some(&keep)).unwrap();
        let mut expected = reference(text).unwrap().props;
        expected.remove("b");
        assert_eq!(lean.props, expected);
        assert_eq!(lean.props["abc"], "0\"7");
        assert!(lean.geometry.is_none());
    }

    #[test]
    fn unusual_or_wrong_features_are_left_to_the_geojson_crate() {
        for text in [
            r#"{"geometry":null,"properties":{}}"#,
            r#"{"type":"Point","coordinates":[1,2]}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[5]},"properties":{}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":["1",2]},"properties":{}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point"},"properties":{}}"#,
            r#"{"type":"Feature","geometry":{"type":"Circle","coordinates":[1,2]},"properties":{}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[1,2]},"properties":{}}"#,
            r#"{"type":"Feature","geometry":null,"properties":[1]}"#,
            r#"{"type":"Feature","geometry":null,"properties":{},"id":{}}"#,
            r#"{"type":"Feature","geometry":null,"properties":{},"type":"Feature"}"#,
        ] {
            assert!(feature(text.as_bytes(), 0, None).is_none(), "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn random_polygons_and_attributes_read_alike(
            rings in proptest::collection::vec(
                proptest::collection::vec((-1e7f64..1e7, -1e7f64..1e7), 0..6), 0..3),
            name in "[a-zA-Z0-9 \\\\\"é]{0,8}",
            value in proptest::option::of(-1e9f64..1e9),
            multi in any::<bool>(),
        ) {
            let rings: Vec<String> = rings
                .iter()
                .map(|r| format!("[{}]", r.iter().map(|(x, y)| format!("[{x},{y}]")).collect::<Vec<_>>().join(",")))
                .collect();
            let polygon = format!("[{}]", rings.join(","));
            let g = if multi {
                format!(r#"{{"type":"MultiPolygon","coordinates":[{polygon},{polygon}]}}"#)
            } else {
                format!(r#"{{"type":"Polygon","coordinates":{polygon}}}"#)
            };
            let props = serde_json::json!({ "name": name, "value": value }).to_string();
            let text = format!(r#"{{"type":"Feature","properties":{props},"geometry":{g}}}"#);
            let read_lean = agrees(&text).map_err(TestCaseError::fail)?;
            prop_assert_eq!(read_lean, !text.contains("[]"), "{}", text);
        }
    }
}
