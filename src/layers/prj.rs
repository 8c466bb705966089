//! The EPSG code of a CRS given as WKT (a Shapefile's `.prj`, a GeoPackage's
//! `gpkg_spatial_ref_sys.definition`): by its own AUTHORITY / ID where present, else by a name
//! kindscape recognises. proj4rs cannot read WKT and no small crate maps WKT to EPSG, so the
//! few lines of bracket scanning this needs are written here.

use super::crs::Crs;

/// The CRS a WKT text names, or a message asking for the layer's `crs` key.
pub fn crs_from_wkt(wkt: &str) -> Result<Crs, String> {
    let code = epsg_of(wkt).ok_or_else(|| {
        let name = root_name(wkt).unwrap_or_default();
        format!(
            "its CRS (\"{name}\") has no EPSG code kindscape recognises; add `crs = \"EPSG:...\"` to the layer in the study file"
        )
    })?;
    Crs::from_epsg(code)
}

/// The EPSG code of a WKT CRS, if it says one or has a name kindscape knows.
pub fn epsg_of(wkt: &str) -> Option<u32> {
    authority(wkt).or_else(|| by_name(&root_name(wkt)?))
}

/// The root node's own AUTHORITY["EPSG","n"] (WKT1) or ID["EPSG",n] (WKT2): the one at depth
/// one, not those of its datum or base CRS.
fn authority(wkt: &str) -> Option<u32> {
    let bytes = wkt.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut found = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => in_string = !in_string,
            _ if in_string => {}
            b'[' | b'(' => {
                if depth == 1 {
                    let keyword = keyword_before(&wkt[..i]);
                    if keyword.eq_ignore_ascii_case("AUTHORITY")
                        || keyword.eq_ignore_ascii_case("ID")
                    {
                        found = epsg_in(&wkt[i + 1..]);
                    }
                }
                depth += 1;
            }
            b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    found
}

/// The keyword just before an opening bracket.
fn keyword_before(text: &str) -> &str {
    let text = text.trim_end();
    let start = text
        .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .map_or(0, |i| i + 1);
    &text[start..]
}

/// `"EPSG","28992"]` or `"EPSG",28992]` -> 28992.
fn epsg_in(args: &str) -> Option<u32> {
    let end = args.find([']', ')'])?;
    let mut parts = args[..end].split(',').map(|p| p.trim().trim_matches('"'));
    let authority = parts.next()?;
    if !authority.eq_ignore_ascii_case("EPSG") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// The root node's name: its first quoted string.
fn root_name(wkt: &str) -> Option<String> {
    let start = wkt.find('"')? + 1;
    let end = start + wkt[start..].find('"')?;
    Some(wkt[start..end].to_string())
}

/// EPSG codes of the CRS names GIS tools write (EPSG's own and Esri's spellings).
fn by_name(name: &str) -> Option<u32> {
    let key: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let known = match key.as_str() {
        "amersfoortrdnew" | "rdnew" => 28992,
        "amersfoort" | "gcsamersfoort" => 4289,
        "etrs89tm35fin" | "etrs89tm35finen" | "etrs89etrstm35fin" | "etrs1989tm35fin"
        | "etrstm35fin" => 3067,
        "etrs89" | "gcsetrs1989" => 4258,
        "wgs84" | "gcswgs1984" | "wgs1984" => 4326,
        "wgs84pseudomercator" | "wgs1984webmercatorauxiliarysphere" | "webmercator" => 3857,
        _ => return utm(&key),
    };
    Some(known)
}

/// "WGS 84 / UTM zone 35N" (32635), "ETRS89 / UTM zone 31N" (25831) and Esri's spellings.
fn utm(key: &str) -> Option<u32> {
    let (base, rest) = [
        ("wgs84utmzone", 32600),
        ("wgs1984utmzone", 32600),
        ("etrs89utmzone", 25800),
        ("etrs1989utmzone", 25800),
    ]
    .into_iter()
    .find_map(|(prefix, base)| key.strip_prefix(prefix).map(|r| (base, r)))?;
    let (zone, hemisphere) = rest.split_at(rest.len().checked_sub(1)?);
    let zone: u32 = zone.parse().ok().filter(|z| (1..=60).contains(z))?;
    match (hemisphere, base) {
        ("n", _) => Some(base + zone),
        ("s", 32600) => Some(32700 + zone),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_authority_wins_over_nested_ones() {
        let wkt = r#"PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",6377397.155,299.1528128,AUTHORITY["EPSG","7004"]],AUTHORITY["EPSG","6289"]],AUTHORITY["EPSG","4289"]],PROJECTION["Oblique_Stereographic"],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","28992"]]"#;
        assert_eq!(epsg_of(wkt), Some(28992));
        let wkt2 = r#"PROJCRS["ETRS89 / TM35FIN(E,N)",BASEGEOGCRS["ETRS89",ID["EPSG",4258]],CONVERSION["TM35FIN",ID["EPSG",16065]],ID["EPSG",3067]]"#;
        assert_eq!(epsg_of(wkt2), Some(3067));
    }

    #[test]
    fn esri_names_without_authority_are_recognised() {
        // What GDAL writes into a .prj (Esri WKT, no AUTHORITY).
        let rd = r#"PROJCS["RD_New",GEOGCS["GCS_Amersfoort",DATUM["D_Amersfoort",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Double_Stereographic"],UNIT["Meter",1.0]]"#;
        assert_eq!(epsg_of(rd), Some(28992));
        let wgs = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(epsg_of(wgs), Some(4326));
        assert_eq!(
            epsg_of(r#"PROJCS["ETRS_1989_TM35FIN",GEOGCS[]]"#),
            Some(3067)
        );
        assert_eq!(
            epsg_of(r#"PROJCS["WGS_1984_UTM_Zone_35N",GEOGCS[]]"#),
            Some(32635)
        );
        assert_eq!(
            epsg_of(r#"PROJCS["WGS 84 / UTM zone 33S",GEOGCS[]]"#),
            Some(32733)
        );
        assert_eq!(
            epsg_of(r#"PROJCS["ETRS89 / UTM zone 31N",GEOGCS[]]"#),
            Some(25831)
        );
    }

    #[test]
    fn an_unknown_crs_asks_for_the_crs_key() {
        let e = crs_from_wkt(r#"PROJCS["Lambert_Local",GEOGCS[]]"#).unwrap_err();
        assert!(
            e.contains("\"Lambert_Local\"") && e.contains("crs = "),
            "{e}"
        );
        assert!(epsg_of("").is_none() && epsg_of("[[[]]]").is_none());
    }
}
