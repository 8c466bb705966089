//! The common feature read straight from its bytes: member names and text values without
//! escapes, plain numbers, geometries other than collections. serde's visitors (the lean path)
//! cost more than the work itself on a homes file: half of the time went to matching member
//! names and building strings that are dropped at once.
//!
//! It is a faster path, not another reading: whatever it does not take exactly as serde_json
//! would (an escape, a number serde_json reads otherwise, a nested value in a member it reads,
//! anything unusual) makes it give up, and the lean path reads the feature. Values it skips are
//! still checked as serde_json checks them.

use geo::Geometry;
use serde_json::Value;

use super::lean::{simple_geometry, Coordinates, Token};
use crate::layers::{Feature, Properties};

/// The deepest coordinates the fast path reads: a MultiPolygon's positions are lists four deep;
/// a few more leave room for the odd file the geometry builder then names as wrong.
const MAX_COORDINATE_DEPTH: usize = 8;
/// The feature at `index` of a file, with the attributes in `keep` (all when `None`), or
/// `None` when the lean path should read it. `scratch` holds the coordinates while they are
/// read: one vector for all the features a thread reads rather than one per feature.
pub(super) fn feature(
    text: &[u8],
    index: usize,
    keep: Option<&[String]>,
    scratch: &mut Coordinates,
) -> Option<Feature> {
    let (feature, props) = feature_with(text, index, scratch, |p| p.properties(keep))?;
    Some(Feature {
        props: props.unwrap_or_default(),
        ..feature
    })
}

/// A kept attribute's value as the fast path found it: plain text borrowed from the file, or
/// any other value as serde_json reads it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kept<'b> {
    Text(&'b str),
    Value(Value),
}

/// The feature at `index` of a file without an attribute map: the value of each attribute in
/// `keep` goes to the same place of `slots` (`None` where the feature has none), as a map
/// holds it (the last of duplicate members). `None` when the lean path should read it; the
/// slots are then not to be read.
pub(super) fn feature_kept<'b>(
    text: &'b [u8],
    index: usize,
    keep: &[String],
    scratch: &mut Coordinates,
    slots: &mut [Option<Kept<'b>>],
) -> Option<Feature> {
    slots.iter_mut().for_each(|s| *s = None);
    let (feature, _) = feature_with(text, index, scratch, |p| p.kept(keep, slots))?;
    Some(feature)
}

/// A feature's members; its properties read by `properties` (not called for `null`).
fn feature_with<'b, P>(
    text: &'b [u8],
    index: usize,
    scratch: &mut Coordinates,
    mut properties: impl FnMut(&mut Parser<'b, '_>) -> Option<P>,
) -> Option<(Feature, Option<P>)> {
    let mut p = Parser {
        b: text,
        i: 0,
        coords: scratch,
    };
    let (mut kind, mut geometry, mut id, mut props) = (false, None, None, None);
    p.object(|p, key| {
        match key {
            b"type" => {
                if kind || p.plain_bytes()? != b"Feature" {
                    return None;
                }
                kind = true;
            }
            b"geometry" => set_once(&mut geometry, p.nullable(Parser::geometry)?)?,
            b"properties" => set_once(&mut props, p.nullable(&mut properties)?)?,
            b"id" => set_once(&mut id, p.id()?)?,
            _ => p.skip()?,
        }
        Some(())
    })?;
    p.ws();
    if !kind || p.i != text.len() {
        return None;
    }
    let feature = Feature {
        index,
        geometry: geometry.flatten(),
        props: Properties::new(),
        id: id.flatten(),
    };
    Some((feature, props.flatten()))
}

/// Fills a member once; a second one is left to the lean path (serde rejects it).
fn set_once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.replace(value).is_none().then_some(())
}

/// The bytes that end a plain string: its closing quote, or what makes it not plain (an escape,
/// a control character, which serde_json rejects).
const STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The powers of ten that are exact in an f64.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

struct Parser<'b, 's> {
    b: &'b [u8],
    i: usize,
    coords: &'s mut Coordinates,
}

/// The length of the plain text at the start of `s`, up to the first byte in `STRING_STOP`;
/// `None` when there is none. Eight bytes at a time: names and ids are most of a homes file.
fn plain_len(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `v` that is below `n`. Exact for the first such byte; the
    // borrow of the subtraction can only mark bytes after it.
    let below = |v: u64, n: u64| v.wrapping_sub(ONES * n) & !v & HIGH;
    let mut k = 0;
    while let Some(word) = s.get(k..k + 8) {
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        let stop = below(w, 0x20)
            | below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1);
        if stop != 0 {
            return Some(k + stop.trailing_zeros() as usize / 8);
        }
        k += 8;
    }
    s[k..]
        .iter()
        .position(|&c| STRING_STOP[c as usize])
        .map(|p| k + p)
}

impl<'b> Parser<'b, '_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }

    /// The next byte after white space, consumed when it is `c`.
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.b.get(self.i) == Some(&c);
        self.i += usize::from(hit);
        hit
    }

    /// An object, each member's value read by `member` (given the member's name).
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'b [u8]) -> Option<()>) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.plain_bytes()?;
            if !self.eat(b':') {
                return None;
            }
            self.ws();
            member(self, key)?;
            if self.eat(b'}') {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// `null` as `None`, anything else read by `read`.
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            return Some(None);
        }
        read(self).map(Some)
    }

    /// A string without escapes or control characters, as valid UTF-8 bytes (the position
    /// moves only past one).
    fn plain_bytes(&mut self) -> Option<&'b [u8]> {
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        let start = self.i + 1;
        let len = plain_len(&self.b[start..])?;
        let bytes = &self.b[start..start + len];
        if self.b[start + len] != b'"' || !(bytes.is_ascii() || std::str::from_utf8(bytes).is_ok())
        {
            return None;
        }
        self.i = start + len + 1;
        Some(bytes)
    }

    fn plain_string(&mut self) -> Option<&'b str> {
        std::str::from_utf8(self.plain_bytes()?).ok()
    }

    /// A number as serde_json reads it into a coordinate: the text's nearest `f64` (as
    /// serde_json's `float_roundtrip` reads it, and integers converted as it converts them).
    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        // The digits as an integer while they fit (fraction digits counted), for the exact
        // short cut below.
        let (mut mantissa, mut digit_count, mut fraction) = (0u64, 0u32, 0i32);
        let mut digits = |p: &mut Self, in_fraction: bool| {
            let from = p.i;
            while let Some(d) = p.b.get(p.i).filter(|c| c.is_ascii_digit()) {
                if digit_count < 19 {
                    mantissa = mantissa * 10 + u64::from(d - b'0');
                }
                digit_count += 1;
                fraction += i32::from(in_fraction);
                p.i += 1;
            }
            p.i > from
        };
        let negative = self.b.get(self.i) == Some(&b'-');
        self.i += usize::from(negative);
        if self.b.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else if !digits(self, false) {
            return None;
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self, true) {
                return None;
            }
        }
        let mut exponent = 0i32;
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            let sign = match self.b.get(self.i) {
                Some(b'-') => -1,
                Some(b'+') => 1,
                _ => 0,
            };
            self.i += usize::from(sign != 0);
            let from = self.i;
            while let Some(d) = self.b.get(self.i).filter(|c| c.is_ascii_digit()) {
                exponent = (exponent * 10 + i32::from(d - b'0')).min(100_000);
                self.i += 1;
            }
            if self.i == from {
                return None;
            }
            exponent *= if sign < 0 { -1 } else { 1 };
        }
        let text = &self.b[start..self.i];
        // serde_json reads `-0` as the integer 0 in some versions and -0.0 in others; and it
        // rejects what does not fit an f64.
        if text == b"-0" {
            return None;
        }
        // Clinger's fast path: a mantissa of at most 15 digits and a power of ten up to 1e22
        // are both exact in an f64, so one multiplication or division rounds correctly, to the
        // value a full parse gives. Coordinates written to the centimetre all take it.
        let scale = exponent - fraction;
        if digit_count <= 15 && (-22..=22).contains(&scale) {
            let m = mantissa as f64;
            let v = if scale < 0 {
                m / POWERS_OF_TEN[(-scale) as usize]
            } else {
                m * POWERS_OF_TEN[scale as usize]
            };
            return Some(if negative { -v } else { v });
        }
        let v: f64 = std::str::from_utf8(text).ok()?.parse().ok()?;
        v.is_finite().then_some(v)
    }

    fn geometry(&mut self) -> Option<Geometry> {
        let (mut kind, mut coordinates) = (None, None);
        self.object(|p, key| match key {
            b"type" => set_once(&mut kind, p.plain_bytes()?),
            b"coordinates" => {
                p.coords.0.clear();
                p.coordinates(0)?;
                set_once(&mut coordinates, ())
            }
            // A collection (and its members) is the lean path's.
            b"geometries" => None,
            _ => p.skip(),
        })?;
        coordinates?;
        simple_geometry(std::str::from_utf8(kind?).ok()?, self.coords)
    }

    /// Coordinates nested `depth` lists deep. A geometry's are at most four deep (a
    /// MultiPolygon's position); deeper ones are left to the lean path, whose serde_json
    /// stops at its recursion limit with an error: recursing here without a bound would let a
    /// file of brackets overflow the stack.
    fn coordinates(&mut self, depth: usize) -> Option<()> {
        if !self.eat(b'[') {
            let v = self.number()?;
            self.coords.0.push(Token::Number(v));
            return Some(());
        }
        if depth >= MAX_COORDINATE_DEPTH {
            return None;
        }
        let at = self.coords.open();
        let mut len = 0u32;
        if !self.eat(b']') {
            loop {
                self.ws();
                self.coordinates(depth + 1)?;
                len += 1;
                if self.eat(b']') {
                    break;
                }
                if !self.eat(b',') {
                    return None;
                }
            }
        }
        self.coords.close(at, len);
        Some(())
    }

    /// The `properties` object with the attributes in `keep`; text values are taken here, any
    /// other value kept is read by serde_json from its text.
    fn properties(&mut self, keep: Option<&[String]>) -> Option<Properties> {
        let mut out = Properties::new();
        self.object(|p, key| {
            if !keep.is_none_or(|keep| keep.iter().any(|k| k.as_bytes() == key)) {
                return p.skip();
            }
            let key = std::str::from_utf8(key).ok()?;
            let value = match p.plain_string() {
                Some(s) => Value::String(s.to_string()),
                None => serde_json::from_slice(p.value_text()?).ok()?,
            };
            out.insert(key.to_string(), value);
            Some(())
        })?;
        Some(out)
    }

    /// The `properties` object's members in `keep`, each into its place of `slots`; text values
    /// borrowed, any other value read by serde_json from its text (as [`Self::properties`]).
    fn kept(&mut self, keep: &[String], slots: &mut [Option<Kept<'b>>]) -> Option<()> {
        self.object(|p, key| {
            let Some(slot) = keep.iter().position(|k| k.as_bytes() == key) else {
                return p.skip();
            };
            let value = match p.plain_string() {
                Some(s) => Kept::Text(s),
                None => Kept::Value(serde_json::from_slice(p.value_text()?).ok()?),
            };
            slots[slot] = Some(value);
            Some(())
        })
    }

    /// The feature's `id`, as the lean path converts it.
    fn id(&mut self) -> Option<Option<String>> {
        if let Some(s) = self.plain_string() {
            return Some(Some(s.to_string()));
        }
        let id: Option<geojson::feature::Id> = serde_json::from_slice(self.value_text()?).ok()?;
        Some(id.map(|id| match id {
            geojson::feature::Id::String(s) => s,
            geojson::feature::Id::Number(n) => super::super::attributes::number_to_id(&n),
        }))
    }

    /// Passes over a value, checked as serde_json checks a value it ignores.
    fn skip(&mut self) -> Option<()> {
        if self.plain_bytes().is_some() {
            return Some(());
        }
        serde_json::from_slice::<serde::de::IgnoredAny>(self.value_text()?)
            .ok()
            .map(|_| ())
    }

    /// The text of the value here (the position moves past it), found by its structure alone.
    fn value_text(&mut self) -> Option<&'b [u8]> {
        let start = self.i;
        self.i = super::scan::value_end(self.b, start)?;
        Some(&self.b[start..self.i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The lean path's reading: the independent one (serde_json through visitors).
    fn lean(text: &str, keep: Option<&[String]>) -> Option<Feature> {
        super::super::lean::feature(text.as_bytes(), 5, keep)
    }

    /// The fast reading agrees with the lean one, or leaves the feature to it.
    fn agrees(text: &str, keep: Option<&[String]>) -> Result<bool, String> {
        let mut scratch = Coordinates::default();
        match (
            feature(text.as_bytes(), 5, keep, &mut scratch),
            lean(text, keep),
        ) {
            (Some(a), Some(b)) => {
                let same_numbers = format!("{:?}", a.geometry) == format!("{:?}", b.geometry);
                if a.index == b.index && same_numbers && a.props == b.props && a.id == b.id {
                    Ok(true)
                } else {
                    Err(format!("different features: {text}"))
                }
            }
            (Some(_), None) => Err(format!("the lean path rejects {text}")),
            (None, _) => Ok(false),
        }
    }

    #[test]
    fn the_common_feature_is_read_here() {
        let keep = ["home_id".to_string(), "n".to_string()];
        for text in [
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[140203.46,452641.95]},"properties":{"home_id":"H0000001","neighbourhood":"BU0001"}}"#,
            r#"{ "properties" : { "n" : 1.5e3 , "x" : [1, {"y": "\u00e9"}] } , "type" : "Feature", "id": 7, "geometry" : null }"#,
            r#"{"type":"Feature","id":"a","bbox":[0,0,1,1],"geometry":{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"type":"Polygon"},"properties":null}"#,
            // An escaped value is read by serde_json from its text.
            r#"{"type":"Feature","geometry":null,"properties":{"n":"x\"y\u00e9"}}"#,
            r#"{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[1,2,3],[4,5,6]],[[-7.25,8E-2],[9,10]]]},"properties":{"n":null,"home_id":true}}"#,
        ] {
            assert_eq!(agrees(text, Some(&keep)), Ok(true), "{text}");
            assert_eq!(agrees(text, None), Ok(true), "{text}");
        }
    }

    #[test]
    fn the_unusual_is_left_to_the_lean_path() {
        for text in [
            // Escaped names, where serde_json's reading differs from the bytes.
            r#"{"type":"Feature","geometry":null,"properties":{"a\u0062":"x"}}"#,
            r#"{"typ\u0065":"Feature","geometry":null,"properties":{}}"#,
            // Collections, `-0`, numbers out of range, duplicates, trailing text.
            r#"{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[]},"properties":{}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[-0,1]},"properties":{}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1e999,1]},"properties":{}}"#,
            r#"{"type":"Feature","type":"Feature","geometry":null,"properties":{}}"#,
            r#"{"type":"Feature","geometry":null,"properties":{}} x"#,
            // Broken: a skipped value that serde_json rejects is not passed over here.
            r#"{"type":"Feature","geometry":null,"properties":{},"other":[1,}"#,
            r#"{"type":"Feature","geometry":null,"properties":{"other":01}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1.,2]},"properties":{}}"#,
        ] {
            let mut scratch = Coordinates::default();
            assert!(
                feature(text.as_bytes(), 0, None, &mut scratch).is_none(),
                "{text}"
            );
        }
    }

    proptest! {
        #[test]
        fn plain_len_stops_where_the_table_stops(
            text in proptest::collection::vec(prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x21, 0x7eu8..=0xff, Just(b'a')], 0..40)
        ) {
            let bytewise = text.iter().position(|&c| STRING_STOP[c as usize]);
            prop_assert_eq!(plain_len(&text), bytewise);
        }
    }

    /// A number's text in one of the forms JSON allows.
    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<f64>()
                .prop_filter("finite", |v| v.is_finite())
                .prop_map(|v| format!("{v}")),
            any::<f64>()
                .prop_filter("finite", |v| v.is_finite())
                .prop_map(|v| format!("{v:e}")),
            any::<i64>().prop_map(|v| v.to_string()),
            any::<u64>().prop_map(|v| v.to_string()),
            "-?[1-9][0-9]{0,24}(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?",
            "-?0\\.[0-9]{1,20}",
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            number(),
            "\"[a-zA-Z0-9 é{}\\[\\],:]{0,8}\"",
            "\"[a-z]{0,3}\\\\[\"\\\\/nt][a-z]{0,3}\"",
            Just("null".to_string()),
            Just("true".to_string()),
            Just("[1,{\"a\":[]},\"]\"]".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn reads_as_the_lean_path_reads(
            xs in proptest::collection::vec((number(), number()), 1..5),
            kind in 0usize..4,
            props in proptest::collection::vec(("[a-c]{1,2}", value()), 0..4),
            id in proptest::option::of(value()),
            keep_some in any::<bool>(),
            ws in 0usize..2,
        ) {
            let pad = " \n".repeat(ws);
            let position = |(x, y): &(String, String)| format!("[{pad}{x},{pad}{y}{pad}]");
            let line = format!("[{}]", xs.iter().map(position).collect::<Vec<_>>().join(","));
            let (name, coordinates) = match kind {
                0 => ("Point", position(&xs[0])),
                1 => ("LineString", line),
                2 => ("Polygon", format!("[{line},{line}]")),
                _ => ("MultiPolygon", format!("[[{line}]]")),
            };
            let props = props
                .iter()
                .map(|(k, v)| format!("\"{k}\":{pad}{v}"))
                .collect::<Vec<_>>()
                .join(",");
            let id = id.map_or(String::new(), |v| format!(",\"id\":{v}"));
            let text = format!(
                r#"{{{pad}"type":"Feature",{pad}"geometry":{{"type":"{name}","coordinates":{coordinates}}},"properties":{{{props}}}{id}{pad}}}"#
            );
            let keep = ["a".to_string(), "bc".to_string()];
            let keep = keep_some.then_some(&keep[..]);
            let read_here = agrees(&text, keep).map_err(TestCaseError::fail)?;
            // Plain features are read here.
            let plain = !text.contains('\\') && !text.contains("-0,") && !text.contains("-0]")
                && !text.contains("-0 ");
            if plain && lean(&text, keep).is_some() {
                prop_assert!(read_here, "{}", text);
            }
        }
    }
}
