//! Maps: one choropleth per kind (the focus kind first, across the page), the score, the play
//! area, priority with the proposed sites, and histograms of children by distance.

use geo::{BoundingRect, Contains, Coord};
use maud::{html, Markup};

use super::distance_kind;
use crate::measures::gaps::{
    children_by_distance, children_outside_norm, focus_index, DistanceHistogram,
};
use crate::output::report::charts::histogram;
use crate::output::report::facts::display_name;
use crate::output::report::hexes::HexGrid;
use crate::output::report::html::{figure, section, Text};
use crate::output::report::maps::{
    self, Choropleth, HexLayer, MapBase, Marker, Palette, Shape, Shared, ValueFormat,
};
use crate::output::report::ReportInput;
use crate::scene::Scene;

/// Where the data came from, for the maps' attribution.
struct Source {
    text: String,
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
    let study = &input.study.layers;
    let uses_osm = study.amenities.iter().any(|a| a.osm.is_some())
        || study.network.as_ref().is_some_and(|n| n.osm.is_some())
        || any(&["osm", "openstreetmap"]);
    let mut out = Vec::new();
    if uses_osm {
        out.push(Source {
            text: input.texts.get("maps.osm_credit").to_string(),
            link: Some("https://www.openstreetmap.org/copyright"),
        });
    }
    if any(&["cbs", "bgt", "kadaster", "pdok"]) {
        out.push(Source {
            text: "© CBS / Kadaster".to_string(),
            link: Some("https://www.cbs.nl"),
        });
    }
    if any(&["paavo"]) {
        out.push(Source {
            text: input.texts.get("maps.finland_credit").to_string(),
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
    let (scene, t) = (input.scene, input.texts);
    let focus =
        focus_index(&input.study.focus_kind, scene).map(|k| t.kind_lower(&scene.amenities[k].kind));
    let by = input.study.equity.as_ref().map(|e| e.by.clone());
    input
        .figures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut lines =
                vec![t.fmt("maps.hover_children", &[("n", &t.num(Some(f.children), 0))])];
            for (k, kind) in scene.amenities.iter().enumerate() {
                if let Some(kf) = f.kinds.get(k) {
                    lines.push(t.fmt(
                        "maps.hover_within",
                        &[
                            ("kind", &t.kind(&kind.kind)),
                            ("share", &t.pct(kf.net_coverage.or(kf.coverage))),
                        ],
                    ));
                }
            }
            lines.push(t.fmt("maps.hover_score", &[("score", &t.num(f.score, 0))]));
            if f.play_area_share.is_some() {
                let share = t.pct_with(f.play_area_share, 2);
                lines.push(t.fmt("maps.hover_play_area", &[("share", &share)]));
            }
            if let Some(kind) = &focus {
                lines.push(t.fmt(
                    "maps.hover_outside",
                    &[("kind", kind), ("n", &t.num(Some(f.gap_children), 0))],
                ));
            }
            let rank = f
                .priority_rank
                .map(|r| r.to_string())
                .unwrap_or_else(|| t.get("maps.hover_no_gap").to_string());
            lines.push(t.fmt("maps.hover_rank", &[("rank", &rank)]));
            if let (Some(e), Some(by)) = (input.equity, &by) {
                let quintile = e
                    .quintile
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|q| q.to_string())
                    .unwrap_or_else(|| "–".into());
                lines.push(t.fmt(
                    "maps.hover_equity",
                    &[
                        ("by", by),
                        ("value", &t.num(e.value.get(i).copied().flatten(), 1)),
                        ("quintile", &quintile),
                    ],
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

/// The attribution line of the maps.
fn attribution(input: &ReportInput) -> String {
    let srcs = sources(input);
    if srcs.is_empty() {
        input.texts.get("maps.attribution").to_string()
    } else {
        srcs.iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// What every map of the report shares (the maps section's and the decisions'); `None` when the
/// neighbourhoods have no extent to draw.
pub fn map_base(input: &ReportInput) -> Option<MapBase> {
    let (scene, t) = (input.scene, input.texts);
    let polygons: Vec<&geo::MultiPolygon> =
        scene.neighbourhoods.iter().map(|n| &n.geometry).collect();
    MapBase::new(
        scene.extent(),
        &polygons,
        scene.neighbourhoods.iter().map(|n| n.id.clone()).collect(),
        scene.neighbourhoods.iter().map(display_name).collect(),
        hover_figures(input),
        without_children(input),
        Shared {
            backdrop: scene.backdrop.clone(),
            attribution: attribution(input),
            no_children: t.get("maps.no_children_class").to_string(),
            north_arrow: t.get("maps.north_arrow").to_string(),
            scale_bar: t.get("maps.scale_bar").to_string(),
            zoom: [
                t.get("maps.zoom_in").to_string(),
                t.get("maps.zoom_out").to_string(),
                t.get("maps.zoom_reset").to_string(),
            ],
        },
    )
}

pub fn maps(input: &ReportInput, base: Option<&MapBase>) -> Markup {
    let (scene, t) = (input.scene, input.texts);
    let srcs = sources(input);
    let Some(base) = base else {
        let note = html! { (Text(t.get("maps.no_extent"))) };
        return section("maps", t.get("nav.maps"), super::absent(note));
    };
    let stars = site_stars(input);
    // The largest parts (the gap map's hexagons of every home, the catchments, the
    // histograms over every home) are drawn side by side; the page puts them in its order.
    let ((mut figures, gap), (catchments, histograms)) = rayon::join(
        || {
            rayon::join(
                || kind_maps(input, base, &stars),
                || gap_map(input, base, &stars),
            )
        },
        || {
            rayon::join(
                || super::catchment_maps::catchment_maps(input, base),
                || distance_histograms(input),
            )
        },
    );
    let mut after_focus = 1.min(figures.len());
    if let Some(gap) = gap {
        figures.insert(after_focus, gap);
        after_focus += 1;
    }
    for (i, map) in catchments.into_iter().enumerate() {
        figures.insert(after_focus + i, map);
    }
    figures.push(score_map(input, base));
    figures.extend(play_area_map(input, base));
    figures.push(priority_map(input, base, stars));
    let inner = html! {
        p class="note" { (t.get("maps.note")) }
        (base.shared_defs())
        div class="maps" { @for f in &figures { (f) } }
        p class="note" {
            (Text(&t.fmt("maps.sources", &[("files", &input_names(scene).join(", "))])))
            @if !srcs.is_empty() { "; " }
            @for (i, src) in srcs.iter().enumerate() {
                @if i > 0 { ", " }
                @match src.link {
                    Some(l) => { a href=(Text(l)) { (Text(&src.text)) } }
                    None => { (Text(&src.text)) }
                }
            }
            "."
        }
        (histograms)
    };
    section("maps", t.get("nav.maps"), inner)
}

/// The proposed sites, as stars with their hover text.
fn site_stars(input: &ReportInput) -> Vec<Marker> {
    let Some(plan) = input.sites else {
        return Vec::new();
    };
    plan.sites
        .iter()
        .map(|s| {
            let name = match input.texts.site_name(s) {
                n if n.is_empty() => String::new(),
                n => format!(" ({n})"),
            };
            Marker {
                at: Coord { x: s.x, y: s.y },
                label: input.texts.fmt(
                    "maps.site",
                    &[
                        ("rank", &s.rank),
                        ("name", &name),
                        ("children", &input.texts.num(Some(s.new_children), 0)),
                    ],
                ),
            }
        })
        .collect()
}

/// The norms of a kind, as "400 m for 0-5, 800 m for 6-11".
fn norms_text(input: &ReportInput, kind: &str) -> String {
    input
        .study
        .norms
        .get(kind)
        .map(|table| {
            table
                .bands
                .iter()
                .map(|b| {
                    input.texts.fmt(
                        "facts.norm_for",
                        &[
                            ("metres", &input.texts.num(Some(b.metres), 0)),
                            ("band", &b.label),
                        ],
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// One coverage map per kind; the focus kind's leads, across the page, with the homes outside
/// its norm and the proposed sites.
fn kind_maps(input: &ReportInput, base: &MapBase, stars: &[Marker]) -> Vec<Markup> {
    let focus = focus_index(&input.study.focus_kind, input.scene);
    let t = input.texts;
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
        let amenities = amenity_shapes(input, k);
        let map = Choropleth {
            amenities,
            amenity_label: format!("{} ({})", t.kind_lower(&kind.kind), kind.items.len()),
            stars: if is_focus { stars.to_vec() } else { Vec::new() },
            stars_label: stars_label(input, stars.len()),
            wide: is_focus,
            ..Choropleth::plain(
                &format!("map-{}", kind.kind),
                &t.fmt("maps.kind_legend", &[("kind", &t.kind(&kind.kind))]),
                values,
                ValueFormat::Percent(0),
                t.numbers(),
                COVERAGE_PALETTE,
                t.get("maps.no_children_class"),
            )
        };
        let symbols = if is_focus && !stars.is_empty() {
            t.get("maps.stars_only")
        } else {
            ""
        };
        let caption = t.fmt(
            "maps.kind_caption",
            &[
                ("norms", &norms_text(input, &kind.kind)),
                ("distance", &distance_kind(input)),
                ("symbols", &symbols),
            ],
        );
        let fig = figure(
            &t.fmt("maps.kind_title", &[("kind", &t.kind(&kind.kind))]),
            maps::render(base, &map),
            &caption,
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

/// The legend label of the proposed sites.
fn stars_label(input: &ReportInput, n: usize) -> String {
    input.texts.fmt("maps.proposed_sites", &[("n", &n)])
}

fn score_map(input: &ReportInput, base: &MapBase) -> Markup {
    let t = input.texts;
    let score = Choropleth::plain(
        "map-score",
        t.get("maps.score_legend"),
        input.figures.iter().map(|f| f.score).collect(),
        ValueFormat::Number(0),
        t.numbers(),
        Palette {
            gradient: colorous::VIRIDIS,
            reverse: false,
            start: 0.0,
        },
        t.get("maps.no_children_class"),
    );
    let weights: Vec<String> = input
        .study
        .score_weights()
        .iter()
        .map(|(k, w)| format!("{} {}", t.kind_lower(k), t.num(Some(*w), 2)))
        .collect();
    figure(
        t.get("maps.score_title"),
        maps::render(base, &score),
        &t.fmt("maps.score_caption", &[("weights", &weights.join(", "))]),
        false,
    )
}

fn play_area_map(input: &ReportInput, base: &MapBase) -> Option<Markup> {
    if !input.figures.iter().any(|f| f.play_area_share.is_some()) {
        return None;
    }
    let t = input.texts;
    let map = Choropleth::plain(
        "map-play-area",
        t.get("maps.play_legend"),
        input.figures.iter().map(|f| f.play_area_share).collect(),
        ValueFormat::Percent(2),
        t.numbers(),
        Palette {
            gradient: colorous::GREENS,
            reverse: false,
            start: 0.15,
        },
        t.get("maps.no_base_area"),
    );
    let share = t.pct_with(Some(input.study.play_area_norm()), 1);
    Some(figure(
        t.get("maps.play_title"),
        maps::render(base, &map),
        &t.fmt("maps.play_caption", &[("share", &share)]),
        false,
    ))
}

fn priority_map(input: &ReportInput, base: &MapBase, stars: Vec<Marker>) -> Markup {
    let t = input.texts;
    let priority = Choropleth {
        stars_label: stars_label(input, stars.len()),
        stars,
        wide: true,
        ..Choropleth::plain(
            "map-priority",
            t.get("maps.priority_legend"),
            input
                .figures
                .iter()
                .map(|f| f.priority_rank.map(|r| r as f64))
                .collect(),
            ValueFormat::Number(0),
            t.numbers(),
            Palette {
                gradient: colorous::YELLOW_ORANGE_RED,
                reverse: true,
                start: 0.1,
            },
            t.get("maps.no_gap"),
        )
    };
    let (title, caption) = if input.sites.is_some() {
        ("maps.priority_title_sites", "maps.priority_caption_sites")
    } else {
        ("maps.priority_title", "maps.priority_caption")
    };
    figure(
        t.get(title),
        maps::render(base, &priority),
        t.get(caption),
        true,
    )
}

/// The amenities of kind `k` as drawn: polygons as polygons, points as symbols, each named.
pub(super) fn amenity_shapes(input: &ReportInput, k: usize) -> Vec<Shape> {
    let kind = &input.scene.amenities[k];
    kind.items
        .iter()
        .enumerate()
        .map(|(i, a)| Shape {
            geometry: a.geometry.clone(),
            label: if a.name.is_empty() {
                format!("{} {}", input.texts.kind(&kind.kind), i + 1)
            } else {
                a.name.clone()
            },
        })
        .collect()
}

/// Per neighbourhood, whether the maps draw it as "no children" rather than in a class: it has
/// no children or no homes, or the neighbourhood layer names a population and this
/// neighbourhood's is empty or 0 (statistics offices leave a lake's or a harbour's residents
/// empty, while a few grid cells on its shore still lend it children), or the backdrop's water
/// covers at least half of it (on a grid of 40 x 40 points over its bounding box).
fn without_children(input: &ReportInput) -> Vec<bool> {
    let scene = input.scene;
    let mut homes = vec![0usize; scene.neighbourhoods.len()];
    for n in scene.homes.neighbourhood.iter().flatten() {
        homes[*n as usize] += 1;
    }
    let names_population = input.study.layers.neighbourhoods.population.is_some();
    scene
        .neighbourhoods
        .iter()
        .zip(input.figures)
        .zip(&homes)
        .map(|((n, f), &homes)| {
            homes == 0
                || f.children <= 0.0
                || (names_population && n.population.is_none_or(|p| p <= 0.0))
                || water_share(&n.geometry, &scene.backdrop.water) >= 0.5
        })
        .collect()
}

/// The share of a neighbourhood under water, on a 40 x 40 grid of points over its bounding box.
fn water_share(area: &geo::MultiPolygon, water: &[geo::MultiPolygon]) -> f64 {
    let Some(bbox) = area.bounding_rect() else {
        return 0.0;
    };
    let near: Vec<&geo::MultiPolygon> = water
        .iter()
        .filter(|w| {
            w.bounding_rect().is_some_and(|r| {
                r.min().x <= bbox.max().x
                    && bbox.min().x <= r.max().x
                    && r.min().y <= bbox.max().y
                    && bbox.min().y <= r.max().y
            })
        })
        .collect();
    if near.is_empty() {
        return 0.0;
    }
    const N: usize = 40;
    let (mut inside, mut wet) = (0usize, 0usize);
    for i in 0..N {
        for j in 0..N {
            let p = geo::Point::new(
                bbox.min().x + (i as f64 + 0.5) / N as f64 * bbox.width(),
                bbox.min().y + (j as f64 + 0.5) / N as f64 * bbox.height(),
            );
            if area.contains(&p) {
                inside += 1;
                wet += usize::from(near.iter().any(|w| w.contains(&p)));
            }
        }
    }
    if inside == 0 {
        0.0
    } else {
        wet as f64 / inside as f64
    }
}

/// The focus kind's gap at home level: hexagons coloured by the children beyond its norm, over
/// neutral neighbourhoods, with the kind's amenities and the proposed sites.
fn gap_map(input: &ReportInput, base: &MapBase, stars: &[Marker]) -> Option<Markup> {
    let (scene, t) = (input.scene, input.texts);
    let k = focus_index(&input.study.focus_kind, scene)?;
    input.study.norms.get(&scene.amenities[k].kind)?;
    let kind = t.kind_lower(&scene.amenities[k].kind);
    let grid = HexGrid::for_extent(scene.extent()?);
    let beyond = children_outside_norm(&input.study.norms, scene, input.distances, k);
    // Homes outside every neighbourhood count nowhere else in the report either.
    let beyond: Vec<f64> = beyond
        .iter()
        .zip(&scene.homes.neighbourhood)
        .map(|(c, n)| if n.is_some() { *c } else { 0.0 })
        .collect();
    let hexes = grid.bin(&scene.homes.coords, &beyond);
    let none_beyond = hexes.is_empty();
    let labels = hexes
        .iter()
        .map(|h| {
            t.fmt(
                "maps.gap_hex",
                &[("n", &t.num(Some(h.value), 1)), ("kind", &kind)],
            )
        })
        .collect();
    let map = Choropleth {
        amenities: amenity_shapes(input, k),
        amenity_label: format!("{} ({})", kind, scene.amenities[k].items.len()),
        hexes: Some(HexLayer {
            grid,
            hexes,
            labels,
            palette: Palette {
                gradient: colorous::YELLOW_ORANGE_RED,
                reverse: false,
                start: 0.2,
            },
        }),
        stars: stars.to_vec(),
        stars_label: stars_label(input, stars.len()),
        wide: true,
        ..Choropleth::plain(
            "map-gap",
            t.get("maps.gap_legend_hex"),
            vec![None; scene.neighbourhoods.len()],
            ValueFormat::Number(0),
            t.numbers(),
            COVERAGE_PALETTE,
            "",
        )
    };
    let symbols = if stars.is_empty() {
        ""
    } else {
        t.get("maps.stars_only")
    };
    let caption = t.fmt(
        "maps.gap_caption",
        &[
            ("width", &t.num(Some(grid.width), 0)),
            ("kind", &kind),
            ("distance", &distance_kind(input)),
            ("symbols", &symbols),
        ],
    );
    let caption = if none_beyond {
        format!("{} {caption}", t.get("maps.gap_none"))
    } else {
        caption
    };
    Some(figure(
        &t.fmt(
            "maps.gap_title",
            &[("kind", &t.kind(&scene.amenities[k].kind))],
        ),
        maps::render(base, &map),
        &caption,
        true,
    ))
}

/// Children by distance to the focus kind, one histogram per age band.
fn distance_histograms(input: &ReportInput) -> Markup {
    let Some(k) = focus_index(&input.study.focus_kind, input.scene) else {
        return html! {};
    };
    let kind = &input.scene.amenities[k].kind;
    let Some(norms) = input.study.norms.get(kind) else {
        return html! {};
    };
    let t = input.texts;
    let kind_name = t.kind_lower(kind);
    let hists: Vec<(String, DistanceHistogram)> = norms
        .bands
        .iter()
        .enumerate()
        .map(|(b, bn)| {
            let pairs = children_by_distance(input.scene, input.distances, k, b, bn);
            let title = t.fmt(
                "maps.hist_title",
                &[("band", &bn.label), ("metres", &t.num(Some(bn.metres), 0))],
            );
            (title, DistanceHistogram::new(bn.metres, pairs))
        })
        .collect();
    let unreached: Vec<String> = norms
        .bands
        .iter()
        .zip(&hists)
        .filter(|(_, (_, h))| h.unreached > 0.0)
        .map(|(bn, (_, h))| format!("{}: {}", bn.label, t.num(Some(h.unreached), 0)))
        .collect();
    html! {
        h3 { (Text(&t.fmt("maps.hist_heading", &[("kind", &kind_name)]))) }
        p class="note" {
            (t.fmt("maps.hist_note", &[("distance", &distance_kind(input))]))
        }
        div class="hists" { @for (title, h) in &hists { (histogram(t, title, h)) } }
        @if !unreached.is_empty() {
            p class="note" {
                (Text(&t.fmt("maps.unreached", &[("kind", &kind_name), ("list", &unreached.join(", "))])))
            }
        }
    }
}
