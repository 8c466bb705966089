//! Choosing the working CRS: every distance and area is measured on its plane, in its units, so
//! it must be in metres and true to scale over the data. The study's CRS is checked against the
//! data's extent; `auto` picks the UTM zone of the data, when one zone holds all of it.

use geo::Coord;

use crate::error::{shown, Error, Result, Warnings};
use crate::layers::crs::Crs;
use crate::layers::Layer;
use crate::study::Resolved;

/// A working CRS whose plane misstates distances over the data by more than this share is
/// refused: 1% is 4 m on a 400 m norm, more than the data's own precision. Web Mercator is off by
/// 63% at 52 N; US survey feet by 228%.
const REFUSED_SCALE_ERROR: f64 = 0.01;
/// Above this share a warning names the error: a UTM zone is within 0.1% out to its edges.
const WARNED_SCALE_ERROR: f64 = 0.002;
/// How far past its 3-degree half-width a UTM zone may be used for `auto`: 1 degree keeps the
/// scale error under 0.25% at the equator (k = 0.9996 (1 + (4 degrees in radians)^2 / 2)), and
/// lets a city that a zone boundary cuts through keep the zone of its centre.
const UTM_MARGIN_DEGREES: f64 = 1.0;
/// UTM is defined from 80 S to 84 N; beyond, polar stereographic systems take over.
const UTM_SOUTH: f64 = -80.0;
const UTM_NORTH: f64 = 84.0;

/// The working CRS: the study's, checked, or the UTM zone holding the neighbourhoods.
pub(super) fn working_crs(
    study: &Resolved,
    neighbourhoods: &Layer,
    warnings: &Warnings,
) -> Result<Crs> {
    let places = places_of(neighbourhoods)?;
    let given = study.crs.value.as_str();
    let at = |message: String| {
        Error::study(&study.path, format!("[study] crs = \"{given}\": {message}"))
    };
    if given.eq_ignore_ascii_case("auto") {
        return utm_for_all(&places).map_err(at);
    }
    let crs =
        Crs::parse(given).map_err(|e| Error::study(&study.path, format!("[study] crs: {e}")))?;
    let utm = utm_for_all(&places)
        .map(|c| c.described())
        .unwrap_or_else(|_| {
            format!(
                "{} for the data's centre",
                Crs::utm_for(places[0].x, places[0].y).described()
            )
        });
    let alternative = format!("use {utm}, a national metric grid, or crs = \"auto\"");
    if crs.is_geographic() {
        return Err(at(format!(
            "this CRS is in degrees; the working CRS must be in metres: {alternative}"
        )));
    }
    let per_unit = crs.metres_per_unit();
    if (per_unit - 1.0).abs() > 1e-9 {
        return Err(at(format!(
            "this CRS is in {} (1 unit = {} m); kindscape measures in metres: {alternative}",
            crs.unit_words(),
            shown(per_unit)
        )));
    }
    let (error, worst) = worst_scale_error(&crs, &places).ok_or_else(|| {
        at(format!(
            "the data does not lie where this CRS is defined: {alternative}"
        ))
    })?;
    let place = format!("{} {}", latitude_words(worst.y), longitude_words(worst.x));
    let percent = shown((error * 1000.0).round() / 10.0);
    if error > REFUSED_SCALE_ERROR {
        return Err(at(format!(
            "on this CRS's plane distances are off by {percent}% over the data (at {place}); kindscape needs one true to scale within {}%: {alternative}",
            shown(REFUSED_SCALE_ERROR * 100.0)
        )));
    }
    if error > WARNED_SCALE_ERROR {
        warnings.push(format!(
            "[study] crs = \"{given}\": on this CRS's plane distances are off by up to {percent}% over the data (at {place}); {utm} is truer"
        ));
    }
    if study.geopackage
        && crs.epsg.is_none()
        && crate::layers::wkt::wkt_of_proj(&crs.name).is_none()
    {
        warnings.push(format!(
            "[study] crs = \"{given}\": kindscape.gpkg cannot say this CRS in a form GIS software reads (an EPSG code, or WKT for the Transverse Mercator, stereographic, Lambert, Albers and Mercator projections on a named ellipsoid): QGIS and GDAL will show its layers without a CRS; give the EPSG code if it has one"
        ));
    }
    Ok(crs)
}

/// The corners, edge midpoints and centre of the neighbourhoods' extent, in degrees (WGS84);
/// the centre first.
fn places_of(neighbourhoods: &Layer) -> Result<Vec<Coord>> {
    let rect = neighbourhoods.extent().ok_or_else(|| {
        Error::layer(
            &neighbourhoods.path,
            "the neighbourhoods layer has no geometry",
        )
    })?;
    let (min, max, centre) = (rect.min(), rect.max(), rect.center());
    let to_degrees = neighbourhoods.crs.to(&Crs::wgs84());
    [centre.x, min.x, max.x]
        .into_iter()
        .flat_map(|x| [centre.y, min.y, max.y].map(|y| Coord { x, y }))
        .map(|c| {
            to_degrees.coord(c).map_err(|e| {
                Error::layer(
                    &neighbourhoods.path,
                    format!("cannot place the data on the globe: {e}"),
                )
            })
        })
        .collect()
}

/// The UTM zone of the data's centre, when it holds every place (within its margin).
fn utm_for_all(places: &[Coord]) -> Result<Crs, String> {
    let (south, north) = places
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(s, n), c| {
            (s.min(c.y), n.max(c.y))
        });
    if south < UTM_SOUTH || north > UTM_NORTH {
        return Err(format!(
            "the data reaches {}, where UTM is not defined (80 S to 84 N); give a polar CRS, e.g. EPSG:3413 (north) or EPSG:3031 (south), or a local metric one",
            latitude_words(if north > UTM_NORTH { north } else { south })
        ));
    }
    let utm = Crs::utm_for(places[0].x, places[0].y);
    let meridian = utm.utm_central_meridian().expect("utm_for gives UTM codes");
    let farthest = places
        .iter()
        .map(|c| (c.x - meridian + 540.0).rem_euclid(360.0) - 180.0)
        .fold(0.0_f64, |m, d| m.max(d.abs()));
    if farthest > 3.0 + UTM_MARGIN_DEGREES {
        return Err(format!(
            "the data spans {} to {}, wider than one UTM zone (6 degrees of longitude, {} from {}); give a CRS made for the whole area, e.g. a national grid or a Lambert conformal conic centred on it",
            longitude_words(places.iter().map(|c| c.x).fold(f64::INFINITY, f64::min)),
            longitude_words(places.iter().map(|c| c.x).fold(f64::NEG_INFINITY, f64::max)),
            utm.described(),
            longitude_words(meridian)
        ));
    }
    Ok(utm)
}

/// The largest scale error over the places, and where it is.
fn worst_scale_error(crs: &Crs, places: &[Coord]) -> Option<(f64, Coord)> {
    places.iter().try_fold((0.0, places[0]), |(worst, at), c| {
        let e = crs.scale_error_at(c.x, c.y)?;
        Some(if e > worst { (e, *c) } else { (worst, at) })
    })
}

fn latitude_words(lat: f64) -> String {
    let hemisphere = if lat < 0.0 { "S" } else { "N" };
    format!("{} {hemisphere}", shown((lat.abs() * 10.0).round() / 10.0))
}

fn longitude_words(lon: f64) -> String {
    let hemisphere = if lon < 0.0 { "W" } else { "E" };
    format!("{} {hemisphere}", shown((lon.abs() * 10.0).round() / 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lon: f64, lat: f64, half: f64) -> Vec<Coord> {
        let c = Coord { x: lon, y: lat };
        let mut v = vec![c];
        for dx in [-half, half] {
            for dy in [-half, half] {
                v.push(Coord {
                    x: lon + dx,
                    y: lat + dy,
                });
            }
        }
        v
    }

    /// Web Mercator's scale is 1 / cos(latitude) in every direction (it is conformal, on a
    /// sphere of the WGS84 semi-major axis); at 52 N that is 1.624, less the few tenths of a
    /// percent the sphere differs from the ellipsoid.
    #[test]
    fn web_mercator_scale_is_the_secant_of_latitude() {
        let e = Crs::parse("EPSG:3857")
            .unwrap()
            .scale_error_at(5.6, 52.0)
            .unwrap();
        let secant = 1.0 / 52f64.to_radians().cos();
        assert!((e - (secant - 1.0)).abs() < 0.01, "{e} vs {}", secant - 1.0);
        // On its central meridian a UTM zone's scale is k0 = 0.9996.
        let e = Crs::parse("EPSG:32631")
            .unwrap()
            .scale_error_at(3.0, 52.0)
            .unwrap();
        assert!((e - 0.0004).abs() < 2e-5, "{e}");
    }

    #[test]
    fn feet_are_read_from_the_definition() {
        let ny = Crs::parse("EPSG:2263").unwrap();
        assert!((ny.metres_per_unit() - 1200.0 / 3937.0).abs() < 1e-12);
        assert_eq!(ny.unit_words(), "US survey feet");
        let ft = Crs::parse("+proj=tmerc +lon_0=3 +to_meter=0.3048 +ellps=WGS84").unwrap();
        assert!((ft.metres_per_unit() - 0.3048).abs() < 1e-12);
        assert!((Crs::parse("EPSG:28992").unwrap().metres_per_unit() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn auto_takes_the_zone_holding_the_data_or_refuses() {
        // Helsinki: zone 35 (24 to 30 E).
        assert_eq!(
            utm_for_all(&square(24.9, 60.2, 0.2)).unwrap().epsg,
            Some(32635)
        );
        // A city cut by the 6 E zone boundary keeps the zone of its centre.
        assert_eq!(
            utm_for_all(&square(5.8, 52.0, 0.5)).unwrap().epsg,
            Some(32631)
        );
        // 10 degrees of longitude: more than a zone (+1 degree margin each side) holds.
        let e = utm_for_all(&square(10.0, 50.0, 5.0)).unwrap_err();
        assert!(e.contains("wider than one UTM zone"), "{e}");
        // Svalbard's north (85 N) is beyond UTM.
        let e = utm_for_all(&square(15.0, 84.6, 0.5)).unwrap_err();
        assert!(e.contains("EPSG:3413"), "{e}");
        // Across the antimeridian (Fiji, 179.5 E to 179.5 W): zone 60's meridian is 177 E,
        // 3.5 degrees from both edges, within the margin.
        let across = vec![
            Coord { x: 179.9, y: -17.0 },
            Coord { x: 179.5, y: -17.0 },
            Coord {
                x: -179.5,
                y: -17.0,
            },
        ];
        assert_eq!(utm_for_all(&across).unwrap().epsg, Some(32760));
    }
}
