//! Coordinate reference systems and reprojection, in pure Rust (proj4rs).
//!
//! A [`Crs`] is parsed from what users and files write: `EPSG:28992`,
//! `urn:ogc:def:crs:EPSG::3067`, `OGC:CRS84`, `WGS84`, a bare code or a `+proj=` string.
//! [`Transformer`] moves coordinates between two of them; geographic coordinates are degrees on
//! the outside (proj4rs works in radians inside).

mod rounding;

use std::fmt;
use std::sync::Arc;

use geo::{Coord, Distance, Geodesic, Geometry, MapCoordsInPlace, Point, Rect};
use proj4rs::Proj;

use crate::error::shown_coord;
pub use rounding::Rounding;

/// A coordinate reference system.
#[derive(Clone)]
pub struct Crs {
    /// EPSG code when known.
    pub epsg: Option<u32>,
    /// How to write it (`EPSG:28992`, or the proj string).
    pub name: String,
    proj: Arc<Proj>,
}

impl fmt::Debug for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Crs({})", self.name)
    }
}

impl PartialEq for Crs {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Crs {
    /// WGS84 longitude/latitude in degrees (EPSG:4326, axis order lon, lat as in GeoJSON).
    pub fn wgs84() -> Crs {
        Self::from_epsg(4326).expect("EPSG:4326 is always defined")
    }

    /// A CRS from its EPSG code.
    pub fn from_epsg(code: u32) -> Result<Crs, String> {
        // Web Mercator has had several codes; proj4rs knows 3857.
        let code = match code {
            900913 | 3785 | 102100 | 102113 => 3857,
            c => c,
        };
        let proj = u16::try_from(code)
            .ok()
            .and_then(|c| Proj::from_epsg_code(c).ok())
            .ok_or_else(|| {
                format!("EPSG:{code} is not a CRS kindscape knows; give a +proj= string instead")
            })?;
        Ok(Crs {
            epsg: Some(code),
            name: format!("EPSG:{code}"),
            proj: Arc::new(proj),
        })
    }

    /// Parses `EPSG:28992`, `epsg:28992`, `urn:ogc:def:crs:EPSG::28992`,
    /// `http://www.opengis.net/def/crs/EPSG/0/28992`, `OGC:CRS84`, `WGS84`, `28992` or a
    /// `+proj=` string.
    pub fn parse(text: &str) -> Result<Crs, String> {
        let s = text.trim();
        if s.starts_with('+') {
            let proj = Proj::from_proj_string(s).map_err(|e| format!("CRS \"{s}\": {e}"))?;
            return Ok(Crs {
                epsg: None,
                name: s.to_string(),
                proj: Arc::new(proj),
            });
        }
        let upper = s.to_ascii_uppercase();
        if matches!(upper.as_str(), "WGS84" | "WGS 84" | "CRS84" | "OGC:CRS84")
            || upper.ends_with(":CRS84")
            || upper.ends_with("/CRS84")
        {
            return Ok(Self::wgs84());
        }
        let code = upper
            .rsplit([':', '/'])
            .find(|part| !part.is_empty())
            .and_then(|part| part.parse::<u32>().ok())
            .filter(|_| upper.contains("EPSG") || upper.chars().all(|c| c.is_ascii_digit()));
        match code {
            Some(c) => Self::from_epsg(c).map_err(|e| format!("CRS \"{s}\": {e}")),
            None => Err(format!(
                "CRS \"{s}\" is not understood; write it as EPSG:<code> (e.g. EPSG:28992) or a +proj= string"
            )),
        }
    }

    /// The UTM zone (WGS84, EPSG:326zz north / 327zz south) holding a longitude and latitude.
    pub fn utm_for(lon: f64, lat: f64) -> Crs {
        let zone = (((lon + 180.0) / 6.0).floor() as i64).clamp(0, 59) as u32 + 1;
        let code = if lat >= 0.0 {
            32600 + zone
        } else {
            32700 + zone
        };
        Self::from_epsg(code).expect("every UTM zone is defined")
    }

    /// The UTM zone's central meridian (degrees) when this is one of `utm_for`'s codes.
    pub fn utm_central_meridian(&self) -> Option<f64> {
        let zone = match self.epsg? {
            c @ 32601..=32660 => c - 32600,
            c @ 32701..=32760 => c - 32700,
            _ => return None,
        };
        Some(zone as f64 * 6.0 - 183.0)
    }

    /// How this CRS is written for a person: `EPSG:32631 (UTM zone 31N)` for UTM zones.
    pub fn described(&self) -> String {
        match self.epsg {
            Some(c @ 32601..=32660) => format!("{self} (UTM zone {}N)", c - 32600),
            Some(c @ 32701..=32760) => format!("{self} (UTM zone {}S)", c - 32700),
            _ => self.name.clone(),
        }
    }

    /// Metres per coordinate unit, from the definition's `+units=` or `+to_meter=`
    /// (1 for metres, 0.3048006 for US survey feet).
    pub fn metres_per_unit(&self) -> f64 {
        self.proj.to_meter()
    }

    /// The definition's unit in words, for messages (`US survey feet` for `+units=us-ft`).
    pub fn unit_words(&self) -> String {
        let per = self.metres_per_unit();
        match self.proj.units() {
            "us-ft" => "US survey feet".to_string(),
            "ft" => "feet".to_string(),
            "yd" | "us-yd" => "yards".to_string(),
            "mi" | "us-mi" => "miles".to_string(),
            "km" => "kilometres".to_string(),
            "cm" => "centimetres".to_string(),
            "link" | "us-ch" | "ch" => "chains or links".to_string(),
            _ => format!("units of {} m", crate::error::shown(per)),
        }
    }

    /// The worst relative error of a short distance measured on this CRS's plane near a place
    /// (degrees): 0 for a true scale, 0.63 for Web Mercator at 52 N. The plane distance is
    /// compared with the geodesic on WGS84 (geo's Karney geodesic) in four directions (east,
    /// north and both diagonals), so the direction-dependent scale of a non-conformal
    /// projection counts as well as a conformal one's. `None` when the place cannot be moved
    /// into this CRS.
    pub fn scale_error_at(&self, lon: f64, lat: f64) -> Option<f64> {
        // 0.001 degree is about 100 m: short enough that the scale is constant over it, long
        // enough that the rounding of coordinates of millions of metres does not show.
        const STEP: f64 = 1e-3;
        let to_plane = Crs::wgs84().to(self);
        let origin = to_plane.coord(Coord { x: lon, y: lat }).ok()?;
        let mut worst: f64 = 0.0;
        for (dx, dy) in [(1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, -1.0)] {
            let there = Coord {
                x: lon + dx * STEP,
                y: lat + dy * STEP,
            };
            let moved = to_plane.coord(there).ok()?;
            let plane = (moved.x - origin.x).hypot(moved.y - origin.y);
            let ground = Geodesic.distance(Point::new(lon, lat), Point(there));
            worst = worst.max((plane / ground - 1.0).abs());
        }
        Some(worst)
    }

    /// True for longitude/latitude systems (degrees).
    pub fn is_geographic(&self) -> bool {
        self.proj.is_latlong()
    }

    /// A transformer from this CRS to another.
    pub fn to(&self, target: &Crs) -> Transformer {
        Transformer {
            src: self.clone(),
            dst: target.clone(),
            identity: self == target,
        }
    }
}

/// Moves coordinates from one CRS to another.
#[derive(Clone, Debug)]
pub struct Transformer {
    src: Crs,
    dst: Crs,
    identity: bool,
}

impl Transformer {
    pub fn is_identity(&self) -> bool {
        self.identity
    }

    /// Transforms one coordinate (degrees for geographic systems).
    pub fn coord(&self, c: Coord) -> Result<Coord, String> {
        if self.identity {
            return Ok(c);
        }
        if !c.x.is_finite() || !c.y.is_finite() {
            return Err(format!(
                "coordinate {} is not a finite number",
                shown_coord(c.x, c.y)
            ));
        }
        let mut p = if self.src.is_geographic() {
            (c.x.to_radians(), c.y.to_radians(), 0.0)
        } else {
            (c.x, c.y, 0.0)
        };
        proj4rs::transform::transform(&self.src.proj, &self.dst.proj, &mut p).map_err(|e| {
            format!(
                "coordinate {} cannot be moved from {} to {}: {e}",
                shown_coord(c.x, c.y),
                self.src,
                self.dst
            )
        })?;
        let (x, y) = if self.dst.is_geographic() {
            (p.0.to_degrees(), p.1.to_degrees())
        } else {
            (p.0, p.1)
        };
        if !x.is_finite() || !y.is_finite() {
            return Err(format!(
                "coordinate {} has no place in {} (it came out as {})",
                shown_coord(c.x, c.y),
                self.dst,
                shown_coord(x, y)
            ));
        }
        Ok(Coord { x, y })
    }

    /// Moves `count` coordinates within `extent` and rounds them to `decimals`, as the GeoJSON
    /// outputs write them: the same values as rounding [`Self::coord`]'s, in a fraction of
    /// its time (see [`Rounding`]).
    pub fn rounding(&self, decimals: i32, extent: Rect, count: usize) -> Rounding {
        Rounding::new(self.clone(), decimals, extent, count)
    }

    /// Transforms every coordinate of a geometry in place.
    pub fn geometry(&self, g: &mut Geometry) -> Result<(), String> {
        if self.identity {
            return Ok(());
        }
        transform_in_place(g, &|c| self.coord(c))
    }
}

// Geometry's own `try_map_coords_in_place` recurses into GeometryCollections with a new closure
// type per level, which the compiler cannot instantiate; one `dyn` closure breaks the cycle.
type CoordFn<'a> = dyn Fn(Coord) -> Result<Coord, String> + 'a;

fn transform_in_place(g: &mut Geometry, f: &CoordFn) -> Result<(), String> {
    match g {
        Geometry::Point(x) => x.try_map_coords_in_place(f),
        Geometry::Line(x) => x.try_map_coords_in_place(f),
        Geometry::LineString(x) => x.try_map_coords_in_place(f),
        Geometry::Polygon(x) => x.try_map_coords_in_place(f),
        Geometry::MultiPoint(x) => x.try_map_coords_in_place(f),
        Geometry::MultiLineString(x) => x.try_map_coords_in_place(f),
        Geometry::MultiPolygon(x) => x.try_map_coords_in_place(f),
        Geometry::Rect(x) => x.try_map_coords_in_place(f),
        Geometry::Triangle(x) => x.try_map_coords_in_place(f),
        Geometry::GeometryCollection(c) => {
            c.0.iter_mut().try_for_each(|g| transform_in_place(g, f))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Coord, b: Coord, tol: f64) -> bool {
        (a.x - b.x).abs() <= tol && (a.y - b.y).abs() <= tol
    }

    #[test]
    fn parses_the_ways_files_write_a_crs() {
        for s in [
            "EPSG:28992",
            "epsg:28992",
            "urn:ogc:def:crs:EPSG::28992",
            "http://www.opengis.net/def/crs/EPSG/0/28992",
            "28992",
        ] {
            assert_eq!(Crs::parse(s).unwrap().epsg, Some(28992), "{s}");
        }
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84").unwrap().epsg,
            Some(4326)
        );
        assert_eq!(Crs::parse("EPSG:900913").unwrap().epsg, Some(3857));
        for code in [
            25832, 25833, 3035, 2154, 27700, 31370, 32631, 32735, 3006, 5514,
        ] {
            assert!(Crs::from_epsg(code).is_ok(), "EPSG:{code}");
        }
        assert!(Crs::parse("Amersfoort").is_err());
        assert!(Crs::wgs84().is_geographic());
        assert!(!Crs::parse("EPSG:3067").unwrap().is_geographic());
    }

    #[test]
    fn utm_zones() {
        assert_eq!(Crs::utm_for(24.94, 60.17).epsg, Some(32635));
        assert_eq!(Crs::utm_for(5.6, 52.3).epsg, Some(32631));
        assert_eq!(Crs::utm_for(-58.4, -34.6).epsg, Some(32721));
    }

    /// The Amersfoort reference point of RD New (155000, 463000): in WGS84 it is
    /// 52.15517440 N, 5.38720621 E (RDNAPTRANS, as published by the Dutch Kadaster/NSGI).
    #[test]
    fn rd_new_reference_point_within_a_metre() {
        let rd = Crs::parse("EPSG:28992").unwrap();
        let t = rd.to(&Crs::wgs84());
        let c = t
            .coord(Coord {
                x: 155000.0,
                y: 463000.0,
            })
            .unwrap();
        // 1e-5 degree is about 1.1 m of latitude and 0.7 m of longitude here.
        assert!(
            close(
                c,
                Coord {
                    x: 5.38720621,
                    y: 52.15517440
                },
                1e-5
            ),
            "{c:?}"
        );
        let back = Crs::wgs84().to(&rd).coord(c).unwrap();
        assert!(
            close(
                back,
                Coord {
                    x: 155000.0,
                    y: 463000.0
                },
                0.001
            ),
            "{back:?}"
        );
    }

    /// ETRS-TM35FIN is UTM zone 35 on GRS80: the central meridian 27 E on the equator maps to
    /// (500000, 0), and 1 degree of latitude north along it is 110574.4 m x 0.9996 (the
    /// meridian arc of GRS80 from 0 to 1 degree, from the series expansion).
    #[test]
    fn tm35fin_on_its_central_meridian() {
        let t = Crs::wgs84().to(&Crs::parse("EPSG:3067").unwrap());
        let c = t.coord(Coord { x: 27.0, y: 0.0 }).unwrap();
        assert!(
            close(
                c,
                Coord {
                    x: 500000.0,
                    y: 0.0
                },
                0.01
            ),
            "{c:?}"
        );
        let c = t.coord(Coord { x: 27.0, y: 1.0 }).unwrap();
        assert!((c.y - 110574.389 * 0.9996).abs() < 0.5, "{c:?}");
        // ETRS89 / UTM 32N (German and Danish data): central meridian 9 E.
        let t = Crs::wgs84().to(&Crs::parse("EPSG:25832").unwrap());
        let c = t.coord(Coord { x: 9.0, y: 1.0 }).unwrap();
        assert!(
            close(
                c,
                Coord {
                    x: 500000.0,
                    y: 110574.389 * 0.9996
                },
                0.5
            ),
            "{c:?}"
        );
    }

    #[test]
    fn web_mercator_known_values() {
        // x = R * lon in radians with R = 6378137: 1 degree = 111319.49 m on the equator.
        let t = Crs::wgs84().to(&Crs::parse("EPSG:3857").unwrap());
        let c = t.coord(Coord { x: 1.0, y: 0.0 }).unwrap();
        assert!(
            close(
                c,
                Coord {
                    x: 111319.4908,
                    y: 0.0
                },
                0.01
            ),
            "{c:?}"
        );
    }

    #[test]
    fn non_finite_is_an_error() {
        let t = Crs::wgs84().to(&Crs::parse("EPSG:28992").unwrap());
        assert!(t
            .coord(Coord {
                x: f64::NAN,
                y: 52.0
            })
            .is_err());
    }
}
