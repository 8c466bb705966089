//! The sentences both the HTML report and `summary.md` lead with, written once from the stages'
//! figures so the two never disagree.

use super::html::{kind_title, num, pct, pct_with};
use super::ReportInput;
use crate::measures::gaps::focus_index;
use crate::neighbourhoods::coverage::{kinds_by_gap, largest_gaps, play_area_below};

/// A neighbourhood's name, or its id when it has none.
pub fn display_name(nb: &crate::scene::Neighbourhood) -> String {
    if nb.name.trim().is_empty() {
        nb.id.clone()
    } else {
        nb.name.clone()
    }
}

/// The few sentences a council reads first.
pub fn headline_gaps(input: &ReportInput) -> Vec<String> {
    let mut lines: Vec<String> = kinds_by_gap(input.coverage)
        .into_iter()
        .map(|r| {
            let norms: Vec<String> = input
                .coverage
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
            format!(
                "{} of {} children ({}) live farther from a {} than the norm ({}).",
                num(Some(r.outside), 0),
                num(Some(r.children), 0),
                pct(Some(r.outside / r.children)),
                kind_title(&r.kind).to_lowercase(),
                norms.join(", ")
            )
        })
        .collect();
    lines.extend(largest_gaps_line(input));
    lines.extend(double_disadvantage_line(input));
    if let Some((below, known)) = play_area_below(input.figures, input.study.play_area_norm()) {
        lines.push(format!(
            "{below} of {known} neighbourhoods have less than {} of their area for play.",
            pct_with(Some(input.study.play_area_norm()), 1)
        ));
    }
    lines
}

/// Where most children outside the focus kind's norm live.
fn largest_gaps_line(input: &ReportInput) -> Option<String> {
    let k = focus_index(input.study, input.scene)?;
    let gaps = largest_gaps(input.figures, 3);
    if gaps.is_empty() {
        return None;
    }
    let names: Vec<String> = gaps
        .iter()
        .map(|(i, g)| {
            format!(
                "{} ({} children)",
                display_name(&input.scene.neighbourhoods[*i]),
                num(Some(*g), 0)
            )
        })
        .collect();
    Some(format!(
        "Most children outside the {} norm live in {}.",
        kind_title(&input.scene.amenities[k].kind).to_lowercase(),
        names.join(", ")
    ))
}

fn double_disadvantage_line(input: &ReportInput) -> Option<String> {
    let e = input.equity?;
    let double: Vec<String> = e
        .doubly_disadvantaged()
        .into_iter()
        .map(|i| display_name(&input.scene.neighbourhoods[i]))
        .collect();
    Some(if double.is_empty() {
        "No neighbourhood is in the bottom quintile of both chances and score.".to_string()
    } else {
        format!(
            "Double disadvantage (fewest chances and lowest score): {}.",
            double.join(", ")
        )
    })
}
