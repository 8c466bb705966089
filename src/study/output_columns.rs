//! The computed columns of `homes.csv` and `neighbourhoods.csv` (also the properties of
//! `neighbourhoods.geojson` and the columns of the GeoPackage layers), named once: the output
//! writes them in this order, and resolving the study refuses kind names and `[neighbourhoods]
//! keep` attributes that would give one file two columns of one name.

/// The first columns, before the per-kind ones.
pub const LEADING: [&str; 5] = ["id", "name", "population", "children", "area_m2"];

/// The columns after the per-kind ones.
pub const TRAILING: [&str; 6] = [
    "play_area_m2",
    "play_area_share",
    "play_m2_per_child",
    "score",
    "gap_children",
    "priority_rank",
];

/// The columns `[equity]` adds after [`TRAILING`].
pub const EQUITY: [&str; 4] = [
    "equity_quintile",
    "score_quintile",
    "double_disadvantage",
    "best_meeting_mix",
];

/// The canopy raster's columns (`[[rasters]]` of kind `canopy`): its share and the 30% flag.
pub const CANOPY_SHARE: &str = "canopy_share";
pub const CANOPY_FLAG: &str = "canopy_30";

/// The columns the GeoPackage layer adds on its own.
pub const GEOPACKAGE: [&str; 2] = ["fid", "geom"];

/// The first columns of `homes.csv`, before the per-kind ones.
pub const HOME_LEADING: [&str; 5] = ["home_id", "neighbourhood_id", "children", "x", "y"];

/// The columns of `homes.csv` after the per-kind ones.
pub const HOME_TRAILING: [&str; 2] = ["play_m2_per_child", "score"];

/// One amenity kind's columns of `homes.csv`, in the output's order: the straight-line and
/// walking distances (per band of the walk when `per_band`), the walking minutes when `timed`,
/// and the nearest amenity's id.
pub fn home_kind_columns(
    kind: &str,
    walk_bands: &[String],
    per_band: bool,
    timed: bool,
) -> Vec<String> {
    let mut columns = vec![format!("{kind}_m"), format!("{kind}_net_m")];
    if per_band {
        columns.extend(walk_bands.iter().map(|b| format!("{kind}_net_m_{b}")));
    }
    if timed {
        columns.push(format!("{kind}_net_min"));
        if per_band {
            columns.extend(walk_bands.iter().map(|b| format!("{kind}_net_min_{b}")));
        }
    }
    columns.push(format!("{kind}_nearest_id"));
    columns
}

/// One amenity kind's columns of `neighbourhoods.csv`, in the output's order: coverage and net coverage, each overall and
/// per band, then the children-weighted median and 90th percentile and the detour factor.
pub fn kind_columns<'a>(kind: &str, bands: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    let mut columns = Vec::new();
    for prefix in ["coverage", "net_coverage"] {
        columns.push(format!("{kind}_{prefix}"));
        columns.extend(bands.clone().map(|b| format!("{kind}_{prefix}_{b}")));
    }
    columns.extend(["median_m", "p90_m", "detour"].map(|c| format!("{kind}_{c}")));
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kinds_home_columns_in_the_outputs_order() {
        let bands = ["0-5".to_string(), "6-11".to_string()];
        assert_eq!(
            home_kind_columns("library", &bands, true, true),
            [
                "library_m",
                "library_net_m",
                "library_net_m_0-5",
                "library_net_m_6-11",
                "library_net_min",
                "library_net_min_0-5",
                "library_net_min_6-11",
                "library_nearest_id",
            ]
        );
        assert_eq!(
            home_kind_columns("library", &bands, false, false),
            ["library_m", "library_net_m", "library_nearest_id"]
        );
    }

    #[test]
    fn a_kinds_columns_in_the_outputs_order() {
        assert_eq!(
            kind_columns("playground", ["0-5", "6-11"].into_iter()),
            [
                "playground_coverage",
                "playground_coverage_0-5",
                "playground_coverage_6-11",
                "playground_net_coverage",
                "playground_net_coverage_0-5",
                "playground_net_coverage_6-11",
                "playground_median_m",
                "playground_p90_m",
                "playground_detour",
            ]
        );
    }
}
