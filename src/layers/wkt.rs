//! The WKT (OGC WKT 1, as GDAL writes it) of a working CRS given as a `+proj=` string, for the
//! GeoPackage's `gpkg_spatial_ref_sys`: GDAL and QGIS read a GeoPackage's CRS from its EPSG code
//! or from that WKT, never from a PROJ string. proj4rs reads PROJ strings but writes no WKT and
//! no maintained pure-Rust crate does, so the few projections a city study uses are written here:
//! Transverse Mercator (and UTM), the oblique and polar stereographics, Lambert conformal conic,
//! Lambert azimuthal and Albers equal-area, Mercator, and longitude/latitude.

/// The WKT of `proj` (a `+proj=` string), or `None` when it uses a projection, ellipsoid, datum,
/// prime meridian or unit not written here.
pub fn wkt_of_proj(proj: &str) -> Option<String> {
    let p = Params::parse(proj)?;
    let geogcs = geogcs(&p)?;
    let name = p.text("proj")?;
    if matches!(name, "longlat" | "latlong" | "lonlat" | "latlon") {
        return Some(geogcs);
    }
    let (lat_0, lon_0) = (p.num("lat_0", 0.0)?, p.num("lon_0", 0.0)?);
    let (x_0, y_0) = (p.num("x_0", 0.0)?, p.num("y_0", 0.0)?);
    let k = match p.get("k_0") {
        Some(_) => p.num("k_0", 1.0)?,
        None => p.num("k", 1.0)?,
    };
    let false_origin = [("false_easting", x_0), ("false_northing", y_0)];
    let (projection, mut parameters): (&str, Vec<(&str, f64)>) = match name {
        "tmerc" => (
            "Transverse_Mercator",
            vec![
                ("latitude_of_origin", lat_0),
                ("central_meridian", lon_0),
                ("scale_factor", k),
            ],
        ),
        "utm" => {
            let zone = p.num("zone", f64::NAN)?;
            if !(1.0..=60.0).contains(&zone) || zone.fract() != 0.0 {
                return None;
            }
            let south = p.get("south").is_some();
            return Some(projcs(
                &p,
                &geogcs,
                "Transverse_Mercator",
                &[
                    ("latitude_of_origin", 0.0),
                    ("central_meridian", zone * 6.0 - 183.0),
                    ("scale_factor", 0.9996),
                    ("false_easting", 500_000.0),
                    ("false_northing", if south { 10_000_000.0 } else { 0.0 }),
                ],
            ));
        }
        "sterea" => (
            "Oblique_Stereographic",
            vec![
                ("latitude_of_origin", lat_0),
                ("central_meridian", lon_0),
                ("scale_factor", k),
            ],
        ),
        "stere" if lat_0.abs() == 90.0 => (
            "Polar_Stereographic",
            vec![
                ("latitude_of_origin", p.num("lat_ts", lat_0)?),
                ("central_meridian", lon_0),
                ("scale_factor", k),
            ],
        ),
        "lcc" => {
            let lat_1 = p.num("lat_1", lat_0)?;
            match p.get("lat_2") {
                None if p.get("k_0").is_some() || p.get("k").is_some() => (
                    "Lambert_Conformal_Conic_1SP",
                    vec![
                        ("latitude_of_origin", lat_1),
                        ("central_meridian", lon_0),
                        ("scale_factor", k),
                    ],
                ),
                _ => (
                    "Lambert_Conformal_Conic_2SP",
                    vec![
                        ("standard_parallel_1", lat_1),
                        ("standard_parallel_2", p.num("lat_2", lat_1)?),
                        ("latitude_of_origin", lat_0),
                        ("central_meridian", lon_0),
                    ],
                ),
            }
        }
        "laea" => (
            "Lambert_Azimuthal_Equal_Area",
            vec![
                ("latitude_of_center", lat_0),
                ("longitude_of_center", lon_0),
            ],
        ),
        "aea" => {
            let lat_1 = p.num("lat_1", 0.0)?;
            (
                "Albers_Conic_Equal_Area",
                vec![
                    ("standard_parallel_1", lat_1),
                    ("standard_parallel_2", p.num("lat_2", lat_1)?),
                    ("latitude_of_center", lat_0),
                    ("longitude_of_center", lon_0),
                ],
            )
        }
        "merc" if p.get("lat_ts").is_some() => (
            "Mercator_2SP",
            vec![
                ("standard_parallel_1", p.num("lat_ts", 0.0)?),
                ("central_meridian", lon_0),
            ],
        ),
        "merc" => (
            "Mercator_1SP",
            vec![("central_meridian", lon_0), ("scale_factor", k)],
        ),
        _ => return None,
    };
    parameters.extend(false_origin);
    Some(projcs(&p, &geogcs, projection, &parameters))
}

/// A PROJ string's `+key=value` and `+flag` terms.
struct Params<'a>(Vec<(&'a str, Option<&'a str>)>);

impl<'a> Params<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let mut terms = Vec::new();
        for t in text.split_whitespace() {
            let t = t.strip_prefix('+')?;
            terms.push(match t.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (t, None),
            });
        }
        Some(Params(terms))
    }

    /// `Some(value)` for a term given (`Some("")` for a flag).
    fn get(&self, key: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|t| t.0 == key)
            .map(|t| t.1.unwrap_or(""))
    }

    fn text(&self, key: &str) -> Option<&'a str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// A number, `default` when the term is absent; `None` when it is no number.
    fn num(&self, key: &str, default: f64) -> Option<f64> {
        match self.get(key) {
            None => Some(default),
            Some(v) => v.parse().ok().filter(|x: &f64| x.is_finite()),
        }
    }
}

/// The ellipsoids PROJ names (`+ellps=`), with their semi-major axis and inverse flattening.
const ELLIPSOIDS: [(&str, &str, f64, f64); 8] = [
    ("WGS84", "WGS 84", 6_378_137.0, 298.257223563),
    ("GRS80", "GRS 1980", 6_378_137.0, 298.257222101),
    ("bessel", "Bessel 1841", 6_377_397.155, 299.1528128),
    ("intl", "International 1924", 6_378_388.0, 297.0),
    ("airy", "Airy 1830", 6_377_563.396, 299.3249646),
    ("clrk66", "Clarke 1866", 6_378_206.4, 294.978_698_213_898),
    ("krass", "Krassowsky 1940", 6_378_245.0, 298.3),
    ("GRS67", "GRS 1967", 6_378_160.0, 298.247167427),
];

/// The datums PROJ names (`+datum=`): their ellipsoid and shift to WGS 84 (none for WGS 84
/// itself, as EPSG writes it).
const DATUMS: [(&str, &str, Option<&str>); 4] = [
    ("WGS84", "WGS84", None),
    ("NAD83", "GRS80", Some("0,0,0,0,0,0,0")),
    (
        "OSGB36",
        "airy",
        Some("446.448,-125.157,542.06,0.15,0.247,0.842,-20.489"),
    ),
    (
        "potsdam",
        "bessel",
        Some("598.1,73.7,418.2,0.202,0.045,-2.455,6.7"),
    ),
];

fn geogcs(p: &Params) -> Option<String> {
    if p.get("pm").is_some_and(|pm| pm != "greenwich" && pm != "0") {
        return None;
    }
    let (mut ellps, mut towgs84) = (p.text("ellps"), p.text("towgs84"));
    if let Some(d) = p.text("datum") {
        let &(_, e, shift) = DATUMS.iter().find(|x| x.0 == d)?;
        ellps = ellps.or(Some(e));
        towgs84 = towgs84.or(shift);
    }
    let spheroid = match (ellps, p.get("a")) {
        (Some(e), _) => {
            let &(_, name, a, rf) = ELLIPSOIDS.iter().find(|x| x.0 == e)?;
            format!("SPHEROID[\"{name}\",{a},{rf}]")
        }
        (None, Some(_)) => {
            let a = p.num("a", f64::NAN)?;
            let rf = match (p.get("rf"), p.get("b")) {
                (Some(_), _) => p.num("rf", f64::NAN)?,
                (None, Some(_)) => {
                    let b = p.num("b", f64::NAN)?;
                    if a == b {
                        0.0
                    } else {
                        a / (a - b)
                    }
                }
                (None, None) => 0.0,
            };
            format!("SPHEROID[\"unknown\",{a},{rf}]")
        }
        (None, None) => match p.get("R") {
            Some(_) => format!("SPHEROID[\"unknown\",{},0]", p.num("R", f64::NAN)?),
            None => return None,
        },
    };
    let shift = match towgs84 {
        Some(t) => {
            let terms: Vec<f64> = t
                .split(',')
                .map(|x| x.parse().ok())
                .collect::<Option<_>>()?;
            if terms.len() != 3 && terms.len() != 7 {
                return None;
            }
            let terms: Vec<String> = terms.iter().map(|x| x.to_string()).collect();
            format!(",TOWGS84[{}]", terms.join(","))
        }
        None => String::new(),
    };
    Some(format!(
        "GEOGCS[\"unknown\",DATUM[\"unknown\",{spheroid}{shift}],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]]"
    ))
}

fn projcs(p: &Params, geogcs: &str, projection: &str, parameters: &[(&str, f64)]) -> String {
    let parameters: String = parameters
        .iter()
        .map(|(k, v)| format!(",PARAMETER[\"{k}\",{v}]"))
        .collect();
    let unit = match (p.text("units"), p.get("to_meter")) {
        (Some("ft"), _) => "UNIT[\"foot\",0.3048]".to_string(),
        (Some("us-ft"), _) => "UNIT[\"US survey foot\",0.304800609601219]".to_string(),
        (_, Some(_)) => match p.num("to_meter", 1.0) {
            Some(m) => format!("UNIT[\"unknown\",{m}]"),
            None => "UNIT[\"metre\",1]".to_string(),
        },
        _ => "UNIT[\"metre\",1]".to_string(),
    };
    format!(
        "PROJCS[\"unknown\",{geogcs},PROJECTION[\"{projection}\"]{parameters},{unit},AXIS[\"Easting\",EAST],AXIS[\"Northing\",NORTH]]"
    )
}
