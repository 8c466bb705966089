//! The sentences both the HTML report and `summary.md` lead with, written once from the stages'
//! figures so the two never disagree.

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

/// A kind's norms, "400 m for 0-5, 800 m for 6-11", from the study area's coverage lines.
fn norms_of(input: &ReportInput, kind: &str) -> String {
    input
        .coverage
        .iter()
        .filter(|b| b.kind == kind && b.band.is_some())
        .map(|b| {
            input.texts.fmt(
                "facts.norm_for",
                &[
                    ("metres", &input.texts.num(b.norm_m, 0)),
                    ("band", &b.band.as_deref().unwrap_or("")),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The few sentences a council reads first.
pub fn headline_gaps(input: &ReportInput) -> Vec<String> {
    let t = input.texts;
    let mut lines: Vec<String> = kinds_by_gap(input.coverage)
        .into_iter()
        .map(|r| {
            t.fmt(
                "facts.kind_gap",
                &[
                    ("outside", &t.num(Some(r.outside), 0)),
                    ("children", &t.num(Some(r.children), 0)),
                    ("share", &t.pct(Some(r.outside / r.children))),
                    ("kind", &t.kind_lower(&r.kind)),
                    ("norms", &norms_of(input, &r.kind)),
                ],
            )
        })
        .collect();
    lines.extend(largest_gaps_line(input));
    lines.extend(double_disadvantage_line(input));
    let norm = input.study.play_area_norm();
    if let Some((below, known)) = play_area_below(input.figures, norm) {
        lines.push(t.fmt(
            "facts.play_area",
            &[
                ("below", &below),
                ("known", &known),
                ("share", &t.pct_with(Some(norm), 1)),
            ],
        ));
    }
    lines
}

/// Where most children outside the focus kind's norm live.
fn largest_gaps_line(input: &ReportInput) -> Option<String> {
    let t = input.texts;
    let k = focus_index(&input.study.focus_kind, input.scene)?;
    let gaps = largest_gaps(input.figures, 3);
    if gaps.is_empty() {
        return None;
    }
    let names: Vec<String> = gaps
        .iter()
        .map(|(i, g)| {
            t.fmt(
                "facts.gap_name",
                &[
                    ("name", &display_name(&input.scene.neighbourhoods[*i])),
                    ("children", &t.num(Some(*g), 0)),
                ],
            )
        })
        .collect();
    Some(t.fmt(
        "facts.largest_gaps",
        &[
            ("kind", &t.kind_lower(&input.scene.amenities[k].kind)),
            ("names", &names.join(", ")),
        ],
    ))
}

fn double_disadvantage_line(input: &ReportInput) -> Option<String> {
    let e = input.equity?;
    let double: Vec<String> = e
        .doubly_disadvantaged()
        .into_iter()
        .map(|i| display_name(&input.scene.neighbourhoods[i]))
        .collect();
    let t = input.texts;
    Some(if double.is_empty() {
        t.get("facts.double_none").to_string()
    } else {
        t.fmt("facts.double_some", &[("names", &double.join(", "))])
    })
}
