//! Maps: one choropleth per kind (the focus kind first, across the page), the score, the play
//! area, priority with the proposed sites, and histograms of children by distance.

use geo::Coord;
use maud::{html, Markup};

use super::distance_kind;
use crate::measures::gaps::{
    children_by_distance, focus_index, homes_outside_norm, DistanceHistogram,
};
use crate::output::report::charts::histogram;
use crate::output::report::facts::display_name;
use crate::output::report::html::{figure, kind_title, num, pct, pct_with, section, Text};
use crate::output::report::maps::{self, Choropleth, MapBase, Marker, Palette, ValueFormat};
use crate::output::report::ReportInput;
use crate::scene::Scene;

/// Where the data came from, for the maps' attribution.
struct Source {
    text: &'static str,
    link: Option<&'static str>,
}

fn sources(input: &ReportInput) -> Vec<Source> {
    let paths: Vec<String> = input
        .scene
        .inputs
        .iter()
        .map(|i| i.path.to_string_lossy().to_lowercase())
        .collect();
    let any = |needles: &[&str]| paths.iter().any(|p| needles.iter().any(|n| p.contains(n)));
    let study = &input.study.file;
    let uses_osm = study.amenities.iter().any(|a| a.osm.is_some())
        || study.network.as_ref().is_some_and(|n| n.osm.is_some())
        || any(&["osm", "openstreetmap"]);
    let mut out = Vec::new();
    if uses_osm {
        out.push(Source {
            text: "© OpenStreetMap contributors",
            link: Some("https://www.openstreetmap.org/copyright"),
        });
    }
    if any(&["cbs", "bgt", "kadaster", "pdok"]) {
        out.push(Source {
            text: "© CBS / Kadaster",
            link: Some("https://www.cbs.nl"),
        });
    }
    if any(&["paavo"]) {
        out.push(Source {
            text: "© Statistics Finland (Paavo)",
            link: None,
        });
    }
    out
}

/// The file names of the inputs, for the data-sources line.
fn input_names(scene: &Scene) -> Vec<String> {
    let mut names: Vec<String> = scene
        .inputs
        .iter()
        .filter_map(|i| i.path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    names.dedup();
    names
}

/// Per neighbourhood, the figures its hover text lists.
fn hover_figures(input: &ReportInput) -> Vec<String> {
    let scene = input.scene;
    let focus = focus_index(input.study, scene).map(|k| scene.amenities[k].kind.clone());
    let by = input.study.file.equity.as_ref().map(|e| e.by.clone());
    input
        .figures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut lines = vec![format!("children: {}", num(Some(f.children), 0))];
            for (k, kind) in scene.amenities.iter().enumerate() {
                if let Some(kf) = f.kinds.get(k) {
                    lines.push(format!(
                        "{} within norm: {}",
                        kind_title(&kind.kind),
                        pct(kf.net_coverage.or(kf.coverage))
                    ));
                }
            }
            lines.push(format!("score: {} / 100", num(f.score, 0)));
            if f.play_area_share.is_some() {
                lines.push(format!(
                    "play area: {} of the area",
                    pct_with(f.play_area_share, 2)
                ));
            }
            if let Some(kind) = &focus {
                lines.push(format!(
                    "children outside the {} norm: {}",
                    kind.replace('_', " "),
                    num(Some(f.gap_children), 0)
                ));
            }
            lines.push(format!(
                "priority rank: {}",
                f.priority_rank
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "– (no gap)".into())
            ));
            if let (Some(e), Some(by)) = (input.equity, &by) {
                lines.push(format!(
                    "{by}: {} (quintile {} of 5)",
                    num(e.value.get(i).copied().flatten(), 1),
                    e.quintile
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|q| q.to_string())
                        .unwrap_or_else(|| "–".into())
                ));
            }
            lines.join("\n")
        })
        .collect()
}

const COVERAGE_PALETTE: Palette = Palette {
    gradient: colorous::YELLOW_GREEN_BLUE,
    reverse: false,
    start: 0.12,
};

pub fn maps(input: &ReportInput) -> Markup {
    let scene = input.scene;
    let srcs = sources(input);
    let attribution = if srcs.is_empty() {
        "Data: see Data and provenance".to_string()
    } else {
        srcs.iter().map(|s| s.text).collect::<Vec<_>>().join(" · ")
    };
    let polygons: Vec<&geo::MultiPolygon> =
        scene.neighbourhoods.iter().map(|n| &n.geometry).collect();
    let Some(base) = MapBase::new(
        scene.extent(),
        &polygons,
        scene.neighbourhoods.iter().map(|n| n.id.clone()).collect(),
        scene.neighbourhoods.iter().map(display_name).collect(),
        hover_figures(input),
        attribution,
    ) else {
        let note = html! { "The neighbourhoods have no extent to draw." };
        return section("maps", "Maps", super::absent(note));
    };
    let stars = site_stars(input);
    let mut figures = kind_maps(input, &base, &stars);
    figures.push(score_map(input, &base));
    figures.extend(play_area_map(input, &base));
    figures.push(priority_map(input, &base, stars));
    let inner = html! {
        p class="note" {
            "Colours are natural-breaks classes (Jenks) of each map's values. Hover a neighbourhood for its figures: it is highlighted on every map and in the tables."
        }
        div class="maps" { @for f in &figures { (f) } }
        p class="note" {
            "Data sources: " (Text(&input_names(scene).join(", ")))
            @if !srcs.is_empty() { "; " }
            @for (i, src) in srcs.iter().enumerate() {
                @if i > 0 { ", " }
                @match src.link {
                    Some(l) => { a href=(Text(l)) { (Text(src.text)) } }
                    None => { (Text(src.text)) }
                }
            }
            "."
        }
        (distance_histograms(input))
    };
    section("maps", "Maps", inner)
}

/// The proposed sites, as stars with their hover text.
fn site_stars(input: &ReportInput) -> Vec<Marker> {
    let Some(plan) = input.sites else {
        return Vec::new();
    };
    plan.sites
        .iter()
        .map(|s| Marker {
            at: Coord { x: s.x, y: s.y },
            label: format!(
                "Proposed site {}{}: {} children newly within the norm",
                s.rank,
                if s.name.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", s.name)
                },
                num(Some(s.new_children), 0)
            ),
        })
        .collect()
}

/// The homes outside the focus kind's norm, thinned, and their legend label.
fn outside_dots(input: &ReportInput, k: usize) -> (Vec<Coord>, String) {
    let coords = &input.scene.homes.coords;
    let outside: Vec<Coord> = homes_outside_norm(input.study, input.scene, input.distances, k)
        .into_iter()
        .map(|h| coords[h])
        .collect();
    let n = outside.len();
    let (kept, step) = maps::thin(outside);
    let label = if step > 1 {
        format!(
            "home outside norm (1 in {step} of {})",
            num(Some(n as f64), 0)
        )
    } else {
        format!("home outside norm ({})", num(Some(n as f64), 0))
    };
    (kept, label)
}

/// The norms of a kind, as "400 m for 0-5, 800 m for 6-11".
fn norms_text(input: &ReportInput, kind: &str) -> String {
    input
        .study
        .norms
        .get(kind)
        .map(|t| {
            t.bands
                .iter()
                .map(|b| format!("{} m for {}", num(Some(b.metres), 0), b.label))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// One coverage map per kind; the focus kind's leads, across the page, with the homes outside
/// its norm and the proposed sites.
fn kind_maps(input: &ReportInput, base: &MapBase, stars: &[Marker]) -> Vec<Markup> {
    let focus = focus_index(input.study, input.scene);
    let mut figures = Vec::new();
    for (k, kind) in input.scene.amenities.iter().enumerate() {
        let is_focus = Some(k) == focus;
        let values = input
            .figures
            .iter()
            .map(|f| {
                f.kinds
                    .get(k)
                    .and_then(|kf| kf.net_coverage.or(kf.coverage))
            })
            .collect();
        let amenities = kind
            .items
            .iter()
            .enumerate()
            .map(|(i, a)| Marker {
                at: a.anchor(),
                label: if a.name.is_empty() {
                    format!("{} {}", kind_title(&kind.kind), i + 1)
                } else {
                    a.name.clone()
                },
            })
            .collect();
        let (dots, dots_label) = if is_focus {
            outside_dots(input, k)
        } else {
            (Vec::new(), String::new())
        };
        let map = Choropleth {
            amenities,
            amenity_label: format!("{} ({})", kind.kind.replace('_', " "), kind.items.len()),
            dots,
            dots_label,
            stars: if is_focus { stars.to_vec() } else { Vec::new() },
            wide: is_focus,
            ..Choropleth::plain(
                &format!("map-{}", kind.kind),
                &format!("{} within norm", kind_title(&kind.kind)),
                values,
                ValueFormat::Percent(0),
                COVERAGE_PALETTE,
                "no children",
            )
        };
        let symbols = match (is_focus, stars.is_empty()) {
            (true, false) => {
                " Red dots: homes with children outside the norm; stars: proposed sites."
            }
            (true, true) => " Red dots: homes with children outside the norm.",
            _ => "",
        };
        let fig = figure(
            &format!("{}: children within the norm", kind_title(&kind.kind)),
            maps::render(base, &map),
            &format!(
                "Norm: {}; distance {}.{symbols}",
                norms_text(input, &kind.kind),
                distance_kind(input)
            ),
            is_focus,
        );
        if is_focus {
            figures.insert(0, fig);
        } else {
            figures.push(fig);
        }
    }
    figures
}

fn score_map(input: &ReportInput, base: &MapBase) -> Markup {
    let score = Choropleth::plain(
        "map-score",
        "Score (0–100)",
        input.figures.iter().map(|f| f.score).collect(),
        ValueFormat::Number(0),
        Palette {
            gradient: colorous::VIRIDIS,
            reverse: false,
            start: 0.0,
        },
        "no children",
    );
    let weights: Vec<String> = input
        .study
        .score_weights()
        .iter()
        .map(|(k, w)| format!("{} {}", k.replace('_', " "), num(Some(*w), 2)))
        .collect();
    figure(
        "Score: all kinds combined",
        maps::render(base, &score),
        &format!(
            "Per kind 100 within the norm, falling to 0 at twice the norm; weights {}.",
            weights.join(", ")
        ),
        false,
    )
}

fn play_area_map(input: &ReportInput, base: &MapBase) -> Option<Markup> {
    if !input.figures.iter().any(|f| f.play_area_share.is_some()) {
        return None;
    }
    let map = Choropleth::plain(
        "map-play-area",
        "Play area share",
        input.figures.iter().map(|f| f.play_area_share).collect(),
        ValueFormat::Percent(2),
        Palette {
            gradient: colorous::GREENS,
            reverse: false,
            start: 0.15,
        },
        "no base area",
    );
    Some(figure(
        "Play area as a share of the area",
        maps::render(base, &map),
        &format!(
            "Norm: {} of the area for play.",
            pct_with(Some(input.study.play_area_norm()), 1)
        ),
        false,
    ))
}

fn priority_map(input: &ReportInput, base: &MapBase, stars: Vec<Marker>) -> Markup {
    let priority = Choropleth {
        stars,
        wide: true,
        ..Choropleth::plain(
            "map-priority",
            "Priority rank (1 = first)",
            input
                .figures
                .iter()
                .map(|f| f.priority_rank.map(|r| r as f64))
                .collect(),
            ValueFormat::Number(0),
            Palette {
                gradient: colorous::YELLOW_ORANGE_RED,
                reverse: true,
                start: 0.1,
            },
            "no gap",
        )
    };
    let (title, caption) = if input.sites.is_some() {
        (
            "Priority and proposed sites",
            "Ranked by children outside the norm, weighted up where chances are fewest; stars are the proposed sites.",
        )
    } else {
        (
            "Priority",
            "Ranked by children outside the norm, weighted up where chances are fewest.",
        )
    };
    figure(title, maps::render(base, &priority), caption, true)
}

/// Children by distance to the focus kind, one histogram per age band.
fn distance_histograms(input: &ReportInput) -> Markup {
    let Some(k) = focus_index(input.study, input.scene) else {
        return html! {};
    };
    let kind = &input.scene.amenities[k].kind;
    let Some(norms) = input.study.norms.get(kind) else {
        return html! {};
    };
    let kind_name = kind.replace('_', " ");
    let hists: Vec<(String, DistanceHistogram)> = norms
        .bands
        .iter()
        .map(|bn| {
            let pairs = children_by_distance(input.scene, input.distances, k, bn);
            (
                format!("Ages {}: norm {} m", bn.label, num(Some(bn.metres), 0)),
                DistanceHistogram::new(bn.metres, pairs),
            )
        })
        .collect();
    let unreached: Vec<String> = norms
        .bands
        .iter()
        .zip(&hists)
        .filter(|(_, (_, h))| h.unreached > 0.0)
        .map(|(bn, (_, h))| format!("{}: {}", bn.label, num(Some(h.unreached), 0)))
        .collect();
    html! {
        h3 { "How far children live from the nearest " (Text(&kind_name)) }
        p class="note" {
            "Children by distance (" (distance_kind(input)) "), per age band; blue bars are within the band's norm, orange beyond it."
        }
        div class="hists" { @for (title, h) in &hists { (histogram(title, h)) } }
        @if !unreached.is_empty() {
            p class="note" {
                "Children with no " (Text(&kind_name)) " in reach at all: " (Text(&unreached.join(", "))) "."
            }
        }
    }
}
