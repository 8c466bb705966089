//! Neighbourhoods: polygons with an id, children per band and socioeconomic attributes.

use std::collections::HashMap;

use geo::{Area, MultiPolygon};

use super::polygons::{cleaning_warnings, shape, Cleaning, Shape};
use crate::error::{Error, Result, Warnings};
use crate::layers::{attributes, table};
use crate::layers::{Layer, Properties};
use crate::study::{BandCount, ChildrenSpec, Resolved};

#[derive(Debug, Clone)]
pub struct Neighbourhood {
    pub id: String,
    pub name: String,
    pub population: Option<f64>,
    /// Children per band from the neighbourhood's own attributes (`None` when missing,
    /// suppressed, or when the study gives no neighbourhood children).
    pub children: Vec<Option<f64>>,
    pub area_m2: f64,
    pub geometry: MultiPolygon,
    /// The `keep` attributes, in study order.
    pub kept: Vec<serde_json::Value>,
    /// All attributes, for the equity and play-area settings that name one.
    pub props: Properties,
}

/// Adds the attributes of `[neighbourhoods] tables` to the layer's features and reads the
/// numbers of a layer with its own `decimal`/`thousands`.
pub(super) fn add_attributes(
    study: &Resolved,
    layer: &mut Layer,
    warnings: &Warnings,
) -> Result<()> {
    use rayon::prelude::*;
    let settings = &study.neighbourhood_attributes;
    let numeric = study.neighbourhood_numbers();
    let numeric: Vec<&str> = numeric.iter().map(String::as_str).collect();
    if let Some(format) = &settings.format {
        table::read_numbers(layer, &numeric, format)?;
    }
    let tables = settings
        .tables
        .par_iter()
        .map(table::read)
        .collect::<Result<Vec<_>>>()?;
    let id = &study.layers.neighbourhoods.id;
    layer.require_attribute(id, "[neighbourhoods] id")?;
    table::join(layer, id, &tables, &numeric, "neighbourhood", warnings)
}

pub(super) fn build(
    study: &Resolved,
    layer: &Layer,
    bands: &[String],
    warnings: &Warnings,
) -> Result<Vec<Neighbourhood>> {
    let cfg = &study.layers.neighbourhoods;
    let path = &layer.path;
    if layer.features.is_empty() {
        return Err(Error::layer(
            path,
            "the neighbourhoods layer has no features",
        ));
    }
    layer.require_attribute(&cfg.id, "[neighbourhoods] id")?;
    if let Some(n) = &cfg.name {
        layer.require_attribute(n, "[neighbourhoods] name")?;
    }
    if let Some(p) = &cfg.population {
        layer.require_attribute(p, "[neighbourhoods] population")?;
    }
    for k in &cfg.keep {
        layer.require_attribute(k, "[neighbourhoods] keep")?;
    }
    // Children per band: the neighbourhood spec's fields for the study's bands.
    let band_fields: Vec<Option<BandCount>> = match &cfg.children {
        None => vec![None; bands.len()],
        Some(spec) => {
            // Checked when the study was resolved.
            let spec_bands = spec.band_counts().unwrap_or_default();
            for (_, count) in &spec_bands {
                for field in count.fields() {
                    layer.require_attribute(field, "[neighbourhoods] children")?;
                }
            }
            bands
                .iter()
                .map(|b| match spec {
                    ChildrenSpec::One(f) if bands.len() == 1 => {
                        Some(BandCount::Fields(vec![f.clone()]))
                    }
                    _ => spec_bands
                        .iter()
                        .find(|(sb, _)| sb == b)
                        .map(|(_, c)| c.clone()),
                })
                .collect()
        }
    };

    for key in cfg.filter.iter().flat_map(|f| f.keys()) {
        layer.require_attribute(key, "[neighbourhoods] filter")?;
    }
    let mut out: Vec<Neighbourhood> = Vec::with_capacity(layer.features.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut cleaning = Cleaning::default();
    let mut filtered = 0usize;
    let mut missing_children = 0usize;
    let mut null_geometry = 0usize;
    for f in &layer.features {
        if let Some(filter) = &cfg.filter {
            if !attributes::matches(&f.props, filter) {
                filtered += 1;
                continue;
            }
        }
        let id = attributes::id_value(&f.props, &cfg.id).ok_or_else(|| {
            Error::feature(
                path,
                f.index,
                format!("the id attribute \"{}\" is missing or null", cfg.id),
            )
        })?;
        if let Some(first) = seen.insert(id.clone(), f.index) {
            return Err(Error::feature(
                path,
                f.index,
                format!("duplicate neighbourhood id \"{id}\" (also feature {first}); ids in \"{}\" must be unique", cfg.id),
            ));
        }
        let Some(g) = &f.geometry else {
            null_geometry += 1;
            continue;
        };
        let geometry = match shape(g, &mut cleaning) {
            Ok(Some(Shape::Polygon(mp))) => mp,
            Ok(Some(Shape::Point(_) | Shape::Points(_))) => {
                return Err(Error::feature(
                    path,
                    f.index,
                    "neighbourhoods must be polygons, found a point".to_string(),
                ))
            }
            Ok(None) => continue,
            Err(kind) => {
                return Err(Error::feature(
                    path,
                    f.index,
                    format!("neighbourhoods must be Polygon or MultiPolygon, found {kind}"),
                ))
            }
        };
        let mut children = Vec::with_capacity(bands.len());
        for fields in &band_fields {
            let v = match fields {
                None => None,
                Some(count) => {
                    count_value(&f.props, count).map_err(|m| Error::feature(path, f.index, m))?
                }
            };
            if fields.is_some() && v.is_none() {
                missing_children += 1;
            }
            children.push(v);
        }
        let population = match &cfg.population {
            Some(p) => attributes::number_value(&f.props, p)
                .map_err(|m| Error::feature(path, f.index, m))?
                .known(),
            None => None,
        };
        out.push(Neighbourhood {
            name: cfg
                .name
                .as_ref()
                .map(|n| attributes::text_value(&f.props, n))
                .unwrap_or_default(),
            id,
            population,
            children,
            area_m2: geometry.unsigned_area(),
            geometry,
            kept: cfg
                .keep
                .iter()
                .map(|k| f.props.get(k).cloned().unwrap_or(serde_json::Value::Null))
                .collect(),
            props: f.props.clone(),
        });
    }
    let label = format!("neighbourhoods ({})", path.display());
    for w in cleaning_warnings(&label, &cleaning) {
        warnings.push(w);
    }
    if null_geometry > 0 {
        warnings.push(format!(
            "{label}: {null_geometry} feature(s) without geometry were skipped"
        ));
    }
    if filtered > 0 && out.is_empty() {
        return Err(Error::layer(path, "the filter keeps no neighbourhood"));
    }
    if out.is_empty() {
        return Err(Error::layer(path, "no usable neighbourhood polygon"));
    }
    if missing_children > 0 {
        warnings.push(format!(
            "{label}: {missing_children} children value(s) are missing or suppressed (negative, e.g. CBS -99997); those neighbourhoods' children are taken from their homes where known"
        ));
    }
    if let Some(population) = &cfg.population {
        for w in implausible_children(&out, bands, &band_fields, population) {
            warnings.push(format!("{label}: {w}"));
        }
    }
    Ok(out)
}

/// What a planner should check before trusting the children figures: a count field that holds
/// percentages (every value at most 100 while the population is far larger), and neighbourhoods
/// with more children than residents.
fn implausible_children(
    out: &[Neighbourhood],
    bands: &[String],
    band_fields: &[Option<BandCount>],
    population: &str,
) -> Vec<String> {
    let mut found = Vec::new();
    let mut pops: Vec<f64> = out.iter().filter_map(|n| n.population).collect();
    pops.sort_by(f64::total_cmp);
    let median_pop = pops.get(pops.len() / 2).copied().unwrap_or(0.0);
    for (b, count) in band_fields.iter().enumerate() {
        let Some(BandCount::Fields(fields)) = count else {
            continue;
        };
        let values: Vec<f64> = out.iter().filter_map(|n| n.children[b]).collect();
        let max = values.iter().copied().fold(0.0, f64::max);
        if values.len() >= 3 && max <= 100.0 && median_pop >= 10.0 * max.max(1.0) {
            let field = fields.join(" + ");
            found.push(format!(
                "children \"{}\" (\"{field}\"): every value is at most {} while the population (\"{population}\") has a median of {}; if \"{field}\" is a percentage, write children = {{ \"{}\" = {{ percent = \"{field}\", of = \"{population}\" }} }}",
                bands[b],
                crate::error::shown(max),
                crate::error::shown(median_pop),
                bands[b]
            ));
        }
    }
    let over: Vec<&str> = out
        .iter()
        .filter(|n| {
            let children: f64 = n.children.iter().flatten().sum();
            n.population.is_some_and(|p| children > p)
        })
        .map(|n| n.id.as_str())
        .collect();
    if !over.is_empty() {
        found.push(format!(
            "{} neighbourhood(s) have more children than residents (\"{population}\"): {}",
            over.len(),
            over.iter().take(10).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    found
}

/// One band's children from a feature's attributes: its fields summed, or a percentage or share
/// of another field. `None` when any field is missing or suppressed.
pub(super) fn count_value<'a>(
    props: impl attributes::Attributes<'a>,
    count: &BandCount,
) -> std::result::Result<Option<f64>, String> {
    let known = |field: &str| -> std::result::Result<Option<f64>, String> {
        Ok(attributes::number_value(props, field)?.known())
    };
    match count {
        BandCount::Fields(fields) => {
            let mut total = 0.0;
            for field in fields {
                match known(field)? {
                    Some(v) => total += v,
                    None => return Ok(None),
                }
            }
            Ok(Some(total))
        }
        BandCount::Percent { field, of } | BandCount::Share { field, of } => {
            let (Some(part), Some(whole)) = (known(field)?, known(of)?) else {
                return Ok(None);
            };
            let (most, what) = match count {
                BandCount::Percent { .. } => (100.0, "a percentage: between 0 and 100"),
                _ => (
                    1.0,
                    "a share: between 0 and 1 (for a percentage, write percent = ...)",
                ),
            };
            if part > most {
                return Err(format!(
                    "attribute \"{field}\" = {} is not {what}",
                    crate::error::shown(part)
                ));
            }
            Ok(Some(whole * part / most))
        }
    }
}
