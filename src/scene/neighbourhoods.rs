//! Neighbourhoods: polygons with an id, children per band and socioeconomic attributes.

use std::collections::HashMap;

use geo::{Area, MultiPolygon};

use super::polygons::{cleaning_warnings, shape, Cleaning, Shape};
use crate::error::{Error, Result, Warnings};
use crate::layers::attributes::{self, Number};
use crate::layers::{Layer, Properties};
use crate::study::{ChildrenSpec, Resolved};

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
    let band_fields: Vec<Option<Vec<String>>> = match &cfg.children {
        None => vec![None; bands.len()],
        Some(spec) => {
            let spec_bands = spec.bands();
            for (_, fields) in &spec_bands {
                for field in fields {
                    layer.require_attribute(field, "[neighbourhoods] children")?;
                }
            }
            bands
                .iter()
                .map(|b| match spec {
                    ChildrenSpec::One(f) if bands.len() == 1 => Some(vec![f.clone()]),
                    _ => spec_bands
                        .iter()
                        .find(|(sb, _)| sb == b)
                        .map(|(_, f)| f.clone()),
                })
                .collect()
        }
    };

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
                Some(fields) => {
                    sum_fields(&f.props, fields).map_err(|m| Error::feature(path, f.index, m))?
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
    Ok(out)
}

/// Sums the fields of one band; `None` when any field is missing or suppressed.
pub(super) fn sum_fields(
    props: &Properties,
    fields: &[String],
) -> std::result::Result<Option<f64>, String> {
    let mut total = 0.0;
    for field in fields {
        match attributes::number_value(props, field)? {
            Number::Value(v) => total += v,
            Number::Missing | Number::Suppressed(_) => return Ok(None),
        }
    }
    Ok(Some(total))
}
