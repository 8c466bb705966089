//! Raster measures per neighbourhood and per home: zonal statistics (`[[rasters]]`), the
//! 3-30-300 rule's canopy share, and values sampled at the front door (noise, heat).

use crate::error::{Error, Result};
use crate::layers::crs::Crs;
use crate::layers::raster::{sample, zonal_stats, Raster, Statistic};
use crate::scene::Scene;
use crate::study::{output_columns, RasterSettings};

/// The 3-30-300 rule: at least 30% tree canopy in every neighbourhood.
pub const CANOPY_TARGET: f64 = 0.3;

/// Columns from the `[[rasters]]` entries.
#[derive(Debug, Clone, Default)]
pub struct RasterColumns {
    /// Neighbourhood column names and, per column, one value per neighbourhood.
    pub neighbourhoods: Vec<(String, Vec<Option<f64>>)>,
    /// Pass/fail columns per neighbourhood (`canopy_30`).
    pub neighbourhood_flags: Vec<(String, Vec<Option<bool>>)>,
    /// Home column names and values (sampled at the home).
    pub homes: Vec<(String, Vec<Option<f64>>)>,
}

/// A `[[rasters]]` layer as read, with its CRS and the statistic its entry asks for.
pub struct RasterLayer {
    pub raster: Raster,
    pub crs: Crs,
    pub statistic: Statistic,
}

/// Reads every `[[rasters]]` layer (the loading half of this stage: the measures read no files).
pub fn read_rasters(settings: &RasterSettings) -> Result<Vec<RasterLayer>> {
    settings
        .entries
        .iter()
        .enumerate()
        .map(|(i, (entry, path))| {
            // The statistic is chosen here, not when the columns are computed, so that `check`
            // refuses a bad one as `run` does.
            let canopy = entry.kind == "canopy";
            let default_stat = if canopy { "share_above" } else { "mean" };
            let threshold = entry.threshold.or(if canopy { Some(0.0) } else { None });
            let statistic = Statistic::parse(
                entry.statistic.as_deref().unwrap_or(default_stat),
                threshold,
            )
            .map_err(|m| {
                Error::study(
                    &settings.study_file,
                    format!("[[rasters]] entry {} (kind \"{}\"): {m}", i + 1, entry.kind),
                )
            })?;
            let raster = Raster::read(path, entry.band.unwrap_or(1))?;
            let crs = raster.require_crs(entry.crs.as_deref())?;
            Ok(RasterLayer {
                raster,
                crs,
                statistic,
            })
        })
        .collect()
}

/// Computes every `[[rasters]]` entry from its layer (`layers[i]` is entry `i`, as read by
/// [`read_rasters`]).
///
/// A `canopy` raster's column is `canopy_share`: the share of valid cells above `threshold`
/// (default 0, so any canopy counts) unless another statistic is asked for, with `canopy_30`
/// saying whether the neighbourhood reaches 30%. Other kinds give `<kind>_<statistic>`.
pub fn raster_columns(
    settings: &RasterSettings,
    scene: &Scene,
    layers: &[RasterLayer],
) -> Result<RasterColumns> {
    let mut out = RasterColumns::default();
    let zones: Vec<geo::MultiPolygon> = scene
        .neighbourhoods
        .iter()
        .map(|n| n.geometry.clone())
        .collect();
    for ((entry, _), layer) in settings.entries.iter().zip(layers) {
        let (r, crs) = (&layer.raster, &layer.crs);
        let (canopy, stat) = (entry.kind == "canopy", layer.statistic);
        let values = zonal_stats(r, &crs.to(&scene.crs), &zones, stat);
        let name = if canopy && matches!(stat, Statistic::ShareAbove(_)) {
            output_columns::CANOPY_SHARE.to_string()
        } else {
            format!("{}_{}", entry.kind, stat.name())
        };
        if canopy && matches!(stat, Statistic::ShareAbove(_) | Statistic::Mean) {
            out.neighbourhood_flags.push((
                output_columns::CANOPY_FLAG.into(),
                values
                    .iter()
                    .map(|v| v.map(|v| v >= CANOPY_TARGET))
                    .collect(),
            ));
        }
        out.neighbourhoods.push((name, values));
        if entry.sample_homes.unwrap_or(false) {
            out.homes.push((
                entry.kind.clone(),
                sample(r, &scene.crs.to(crs), &scene.homes.coords),
            ));
        }
    }
    Ok(out)
}
