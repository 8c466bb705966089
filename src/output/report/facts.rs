//! The figures both the HTML report and `summary.md` state, computed once so the two never
//! disagree: coverage per kind and band for the study area, the headline gaps, and the homes
//! outside the focus kind's norm.

use geo::Coord;

use super::html::{kind_title, num, pct};
use super::ReportInput;
use crate::output::table::{Cell, Table};

/// One line of the coverage table: a kind over all its bands (`band` = None), or one band.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRow {
    pub kind: String,
    pub band: Option<String>,
    /// The band's norm in metres (None on a kind's all-bands line).
    pub norm_m: Option<f64>,
    /// Children judged against this line's norm(s).
    pub children: f64,
    /// Share within the norm, straight line.
    pub coverage: Option<f64>,
    /// Share within the norm over the walking network (None without a network).
    pub net_coverage: Option<f64>,
    /// Children outside the norm, by the distance that counts (network when there is one).
    pub outside: f64,
    /// Children-weighted median and 90th percentile distance (all-bands line only).
    pub median_m: Option<f64>,
    pub p90_m: Option<f64>,
}

impl CoverageRow {
    /// The coverage that counts: over the network when there is one.
    pub fn effective(&self) -> Option<f64> {
        self.net_coverage.or(self.coverage)
    }
}

/// Children per children band over the homes inside some neighbourhood (the study area).
pub fn band_children(input: &ReportInput) -> Vec<f64> {
    let homes = &input.scene.homes;
    let mut out = vec![0.0; input.scene.bands.len()];
    for h in 0..homes.len() {
        if homes.neighbourhood[h].is_some() {
            for (b, c) in homes.children_of(h).iter().enumerate() {
                if let Some(o) = out.get_mut(b) {
                    *o += c;
                }
            }
        }
    }
    out
}

/// The study area's coverage: per kind a line over all bands, then one per band.
pub fn coverage_rows(input: &ReportInput) -> Vec<CoverageRow> {
    let per_band = band_children(input);
    let network = input.distances.has_network();
    let mut rows = Vec::new();
    for (k, kind) in input.scene.amenities.iter().enumerate() {
        let Some(norms) = input.study.norms.get(&kind.kind) else {
            continue;
        };
        let Some(f) = input.study_area.kinds.get(k) else {
            continue;
        };
        let mut band_rows = Vec::new();
        for (i, bn) in norms.bands.iter().enumerate() {
            let children = per_band.get(bn.children_band).copied().unwrap_or(0.0) * bn.share;
            let coverage = f.coverage_bands.get(i).copied().flatten();
            let net_coverage = if network {
                f.net_coverage_bands.get(i).copied().flatten()
            } else {
                None
            };
            let row = CoverageRow {
                kind: kind.kind.clone(),
                band: Some(bn.label.clone()),
                norm_m: Some(bn.metres),
                children,
                coverage,
                net_coverage,
                outside: 0.0,
                median_m: None,
                p90_m: None,
            };
            let outside = children * (1.0 - row.effective().unwrap_or(1.0));
            band_rows.push(CoverageRow { outside, ..row });
        }
        rows.push(CoverageRow {
            kind: kind.kind.clone(),
            band: None,
            norm_m: None,
            children: band_rows.iter().map(|r| r.children).sum(),
            coverage: f.coverage,
            net_coverage: if network { f.net_coverage } else { None },
            outside: band_rows.iter().map(|r| r.outside).sum(),
            median_m: f.median_m,
            p90_m: f.p90_m,
        });
        rows.extend(band_rows);
    }
    rows
}

/// A neighbourhood's name, or its id when it has none.
pub fn display_name(nb: &crate::scene::Neighbourhood) -> String {
    if nb.name.trim().is_empty() {
        nb.id.clone()
    } else {
        nb.name.clone()
    }
}

/// Index of the focus kind (`[sites] kind`, else playground, else the first) in the scene.
pub fn focus_index(input: &ReportInput) -> Option<usize> {
    let focus = input.study.focus_kind()?;
    input.scene.amenities.iter().position(|a| a.kind == focus)
}

/// A number in a table cell, if it holds one.
pub fn table_num(table: &Table, row: usize, column: &str) -> Option<f64> {
    let c = table.column(column)?;
    match table.rows.get(row)?.get(c)? {
        Cell::Num(v, _) => *v,
        Cell::Json(v) => v.as_f64(),
        Cell::Text(t) => t.parse().ok(),
    }
}

/// The few sentences a council reads first.
pub fn headline_gaps(input: &ReportInput, coverage: &[CoverageRow]) -> Vec<String> {
    let mut lines = Vec::new();
    let scene = input.scene;
    let mut kinds: Vec<&CoverageRow> = coverage.iter().filter(|r| r.band.is_none()).collect();
    kinds.sort_by(|a, b| {
        let share = |r: &CoverageRow| r.outside / r.children.max(1e-9);
        share(b).total_cmp(&share(a)).then(a.kind.cmp(&b.kind))
    });
    for r in kinds {
        if r.children <= 0.0 {
            continue;
        }
        let norms: Vec<String> = coverage
            .iter()
            .filter(|b| b.kind == r.kind && b.band.is_some())
            .map(|b| {
                format!(
                    "{} m for {}",
                    num(b.norm_m, 0),
                    b.band.as_deref().unwrap_or("")
                )
            })
            .collect();
        lines.push(format!(
            "{} of {} children ({}) live farther from a {} than the norm ({}).",
            num(Some(r.outside), 0),
            num(Some(r.children), 0),
            pct(Some(r.outside / r.children)),
            kind_title(&r.kind).to_lowercase(),
            norms.join(", ")
        ));
    }
    if let Some(k) = focus_index(input) {
        let mut gaps: Vec<(usize, f64)> = input
            .figures
            .iter()
            .enumerate()
            .filter(|(_, f)| f.gap_children > 0.5)
            .map(|(i, f)| (i, f.gap_children))
            .collect();
        gaps.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if !gaps.is_empty() {
            let names: Vec<String> = gaps
                .iter()
                .take(3)
                .map(|(i, g)| {
                    format!(
                        "{} ({} children)",
                        display_name(&scene.neighbourhoods[*i]),
                        num(Some(*g), 0)
                    )
                })
                .collect();
            lines.push(format!(
                "Most children outside the {} norm live in {}.",
                kind_title(&scene.amenities[k].kind).to_lowercase(),
                names.join(", ")
            ));
        }
    }
    if let Some(e) = input.equity {
        let double: Vec<String> = scene
            .neighbourhoods
            .iter()
            .zip(&e.double_disadvantage)
            .filter(|(_, d)| **d)
            .map(|(n, _)| display_name(n))
            .collect();
        lines.push(if double.is_empty() {
            "No neighbourhood is in the bottom quintile of both chances and score.".to_string()
        } else {
            format!(
                "Double disadvantage (fewest chances and lowest score): {}.",
                double.join(", ")
            )
        });
    }
    let share = input.study.play_area_norm();
    let known: Vec<f64> = input
        .figures
        .iter()
        .filter_map(|f| f.play_area_share)
        .collect();
    if !known.is_empty() {
        let below = known.iter().filter(|s| **s < share).count();
        lines.push(format!(
            "{below} of {} neighbourhoods have less than {} of their area for play.",
            known.len(),
            super::html::pct_with(Some(share), 1)
        ));
    }
    lines
}

/// Homes with children of some band farther from the focus kind than that band's norm (by the
/// distance that counts), in home order.
pub fn homes_outside_norm(input: &ReportInput, k: usize) -> Vec<Coord> {
    let scene = input.scene;
    let Some(norms) = input.study.norms.get(&scene.amenities[k].kind) else {
        return Vec::new();
    };
    (0..scene.homes.len())
        .filter(|&h| {
            let children = scene.homes.children_of(h);
            norms.bands.iter().any(|bn| {
                children.get(bn.children_band).copied().unwrap_or(0.0) * bn.share > 0.0
                    && input.distances.for_band(k, bn.children_band, h) > bn.metres
            })
        })
        .map(|h| scene.homes.coords[h])
        .collect()
}
