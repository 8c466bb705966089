//! The sections of the report, each a function from the run's results to HTML.

use std::fmt::Write;

use super::charts::{grouped_bars, Histogram};
use super::facts::{self, display_name, CoverageRow};
use super::html::{esc, kind_title, metres, num, pct, pct_with, section, table, Td, Tr};
use super::maps::{self, Choropleth, MapBase, Marker, Palette, ValueFormat};
use super::ReportInput;
use crate::scene::Scene;

/// How many meeting places the page lists (all are in `meeting_places.csv`).
const MEETING_ROWS: usize = 100;

fn distance_kind(input: &ReportInput) -> &'static str {
    if input.distances.has_network() {
        "over the walking network"
    } else {
        "in a straight line"
    }
}

pub fn summary(input: &ReportInput, coverage: &[CoverageRow]) -> String {
    let scene = input.scene;
    let mut s = String::from("<div class=\"cards\">");
    let mut card = |v: String, l: String| {
        let _ = write!(
            s,
            "<div class=\"card\"><div class=\"v\">{}</div><div class=\"l\">{}</div></div>",
            esc(&v),
            esc(&l)
        );
    };
    card(num(Some(input.study_area.children), 0), "children".into());
    card(num(Some(scene.homes.len() as f64), 0), "homes".into());
    card(
        num(Some(scene.neighbourhoods.len() as f64), 0),
        "neighbourhoods".into(),
    );
    for k in &scene.amenities {
        card(
            num(Some(k.items.len() as f64), 0),
            kind_title(&k.kind).to_lowercase(),
        );
    }
    s.push_str("</div>");

    s.push_str("<h3>Headline gaps</h3><ul class=\"gaps\">");
    for line in facts::headline_gaps(input, coverage) {
        let _ = write!(s, "<li>{}</li>", esc(&line));
    }
    s.push_str("</ul>");

    let _ = write!(
        s,
        "<h3>Coverage: children within the norm</h3><p class=\"note\">Share of children whose nearest amenity is within their age band's norm, measured {}. Distances are children-weighted.</p>",
        distance_kind(input)
    );
    let network = input.distances.has_network();
    let mut headers: Vec<String> = ["Kind", "Age band", "Norm", "Children"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    if network {
        headers.push("Within norm (straight line)".into());
        headers.push("Within norm (network)".into());
    } else {
        headers.push("Within norm".into());
    }
    headers.extend(
        ["Outside norm", "Median distance", "90th percentile"]
            .iter()
            .map(|h| h.to_string()),
    );
    let rows: Vec<Tr> = coverage
        .iter()
        .map(|r| {
            let mut cells = vec![
                Td::html(if r.band.is_none() {
                    format!("<strong>{}</strong>", esc(&kind_title(&r.kind)))
                } else {
                    String::new()
                }),
                Td::text(r.band.as_deref().unwrap_or("all bands")),
                Td::num(r.norm_m, metres(r.norm_m)),
                Td::num(Some(r.children), num(Some(r.children), 0)),
                Td::num(r.coverage, pct(r.coverage)),
            ];
            if network {
                cells.push(Td::num(r.net_coverage, pct(r.net_coverage)));
            }
            cells.push(Td::num(Some(r.outside), num(Some(r.outside), 0)));
            cells.push(Td::num(r.median_m, metres(r.median_m)));
            cells.push(Td::num(r.p90_m, metres(r.p90_m)));
            Tr {
                class: r.band.is_none().then_some("group"),
                ..Tr::new(cells)
            }
        })
        .collect();
    s.push_str(&table(&headers, &rows, false));
    section("summary", "Summary", &s)
}

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
    let focus = facts::focus_index(input).map(|k| scene.amenities[k].kind.clone());
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

fn figure(title: &str, svg: &str, caption: &str, wide: bool) -> String {
    format!(
        "<figure{}><h3>{}</h3>{svg}<figcaption>{}</figcaption></figure>",
        if wide { " class=\"wide\"" } else { "" },
        esc(title),
        esc(caption)
    )
}

const COVERAGE_PALETTE: Palette = Palette {
    gradient: colorous::YELLOW_GREEN_BLUE,
    reverse: false,
    start: 0.12,
};

pub fn maps(input: &ReportInput) -> String {
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
        return section(
            "maps",
            "Maps",
            "<p class=\"note\">The neighbourhoods have no extent to draw.</p>",
        );
    };
    let focus = facts::focus_index(input);
    let stars: Vec<Marker> = input
        .sites
        .map(|p| {
            p.sites
                .iter()
                .map(|s| Marker {
                    at: geo::Coord { x: s.x, y: s.y },
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
        })
        .unwrap_or_default();
    let mut figures = Vec::new();
    for (k, kind) in scene.amenities.iter().enumerate() {
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
        let (dots, dots_label) = if Some(k) == focus {
            let outside = facts::homes_outside_norm(input, k);
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
        } else {
            (Vec::new(), String::new())
        };
        let norms = input
            .study
            .norms
            .get(&kind.kind)
            .map(|t| {
                t.bands
                    .iter()
                    .map(|b| format!("{} m for {}", num(Some(b.metres), 0), b.label))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let is_focus = Some(k) == focus;
        let map = Choropleth {
            amenities,
            amenity_label: format!("{} ({})", kind.kind.replace('_', " "), kind.items.len()),
            dots,
            dots_label,
            stars: if is_focus { stars.clone() } else { Vec::new() },
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
        let fig = figure(
            &format!("{}: children within the norm", kind_title(&kind.kind)),
            &maps::render(&base, &map),
            &format!(
                "Norm: {norms}; distance {}.{}",
                distance_kind(input),
                match (is_focus, stars.is_empty()) {
                    (true, false) => {
                        " Red dots: homes with children outside the norm; stars: proposed sites."
                    }
                    (true, true) => " Red dots: homes with children outside the norm.",
                    _ => "",
                }
            ),
            is_focus,
        );
        // The focus kind's map leads, across the page.
        if is_focus {
            figures.insert(0, fig);
        } else {
            figures.push(fig);
        }
    }
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
    figures.push(figure(
        "Score: all kinds combined",
        &maps::render(&base, &score),
        &format!(
            "Per kind 100 within the norm, falling to 0 at twice the norm; weights {}.",
            weights.join(", ")
        ),
        false,
    ));
    if input.figures.iter().any(|f| f.play_area_share.is_some()) {
        let share = input.study.play_area_norm();
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
        figures.push(figure(
            "Play area as a share of the area",
            &maps::render(&base, &map),
            &format!("Norm: {} of the area for play.", pct_with(Some(share), 1)),
            false,
        ));
    }
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
    figures.push(figure(
        if input.sites.is_some() {
            "Priority and proposed sites"
        } else {
            "Priority"
        },
        &maps::render(&base, &priority),
        if input.sites.is_some() {
            "Ranked by children outside the norm, weighted up where chances are fewest; stars are the proposed sites."
        } else {
            "Ranked by children outside the norm, weighted up where chances are fewest."
        },
        true,
    ));

    let mut s = String::from(
        "<p class=\"note\">Colours are natural-breaks classes (Jenks) of each map's values. Hover a neighbourhood for its figures: it is highlighted on every map and in the tables.</p><div class=\"maps\">",
    );
    for f in figures {
        s.push_str(&f);
    }
    s.push_str("</div>");
    let links: Vec<String> = srcs
        .iter()
        .map(|src| match src.link {
            Some(l) => format!("<a href=\"{}\">{}</a>", esc(l), esc(src.text)),
            None => esc(src.text),
        })
        .collect();
    let _ = write!(
        s,
        "<p class=\"note\">Data sources: {}{}{}.</p>",
        esc(&input_names(scene).join(", ")),
        if links.is_empty() { "" } else { "; " },
        links.join(", ")
    );
    s.push_str(&distance_histograms(input));
    section("maps", "Maps", &s)
}

/// Children by distance to the focus kind, one histogram per age band.
fn distance_histograms(input: &ReportInput) -> String {
    let Some(k) = facts::focus_index(input) else {
        return String::new();
    };
    let scene = input.scene;
    let kind = &scene.amenities[k].kind;
    let Some(norms) = input.study.norms.get(kind) else {
        return String::new();
    };
    let mut s = format!(
        "<h3>How far children live from the nearest {}</h3><p class=\"note\">Children by distance ({}), per age band; blue bars are within the band's norm, orange beyond it.</p><div class=\"hists\">",
        esc(&kind.replace('_', " ")),
        distance_kind(input)
    );
    let mut unreached = Vec::new();
    for bn in &norms.bands {
        let pairs: Vec<(f64, f64)> = (0..scene.homes.len())
            .filter(|h| scene.homes.neighbourhood[*h].is_some())
            .map(|h| {
                (
                    input.distances.for_band(k, bn.children_band, h),
                    scene.homes.children_of(h)[bn.children_band] * bn.share,
                )
            })
            .collect();
        let h = Histogram::new(
            format!("Ages {}: norm {} m", bn.label, num(Some(bn.metres), 0)),
            bn.metres,
            pairs,
        );
        if h.unreached > 0.0 {
            unreached.push(format!("{}: {}", bn.label, num(Some(h.unreached), 0)));
        }
        s.push_str(&h.render());
    }
    s.push_str("</div>");
    if !unreached.is_empty() {
        let _ = write!(
            s,
            "<p class=\"note\">Children with no {} in reach at all: {}.</p>",
            esc(&kind.replace('_', " ")),
            esc(&unreached.join(", "))
        );
    }
    s
}

fn quintile_label(q: usize) -> String {
    match q {
        1 => "Q1 (fewest chances)".into(),
        5 => "Q5 (most chances)".into(),
        q => format!("Q{q}"),
    }
}

pub fn equity(input: &ReportInput) -> String {
    let Some(e) = input.equity else {
        return section(
            "equity",
            "Equity",
            "<p class=\"note\">The study file has no <code>[equity]</code> section, so children are not grouped by chances.</p>",
        );
    };
    let scene = input.scene;
    let by = input
        .study
        .file
        .equity
        .as_ref()
        .map(|q| q.by.clone())
        .unwrap_or_default();
    let t = &e.table;
    let quintile_rows: Vec<usize> = (0..t.rows.len())
        .filter(|r| {
            t.rows[*r]
                .first()
                .is_some_and(|c| matches!(c.to_csv().parse::<u8>(), Ok(1..=5)))
        })
        .collect();
    let mut s = format!(
        "<p class=\"note\">Neighbourhoods are grouped in five quintiles of <strong>{}</strong>, each holding about a fifth of the children; quintile 1 has the fewest chances. Coverage is the share of the quintile's children within their norm ({}).</p>",
        esc(&by),
        distance_kind(input)
    );
    let series: Vec<(String, Vec<Option<f64>>)> = scene
        .amenities
        .iter()
        .map(|k| {
            let col = format!("{}_coverage", k.kind);
            (
                kind_title(&k.kind),
                quintile_rows
                    .iter()
                    .map(|r| facts::table_num(t, *r, &col))
                    .collect(),
            )
        })
        .collect();
    let categories: Vec<String> = (1..=quintile_rows.len()).map(quintile_label).collect();
    let _ = write!(
        s,
        "<figure class=\"chart-box\"><h3>Coverage by quintile of {}</h3>{}</figure>",
        esc(&by),
        grouped_bars("coverage by quintile", &categories, &series)
    );
    let mut headers: Vec<String> = vec![
        "Quintile".into(),
        "Neighbourhoods".into(),
        "Children".into(),
        "Score".into(),
    ];
    headers.extend(scene.amenities.iter().map(|k| kind_title(&k.kind)));
    let rows: Vec<Tr> = quintile_rows
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            let mut cells = vec![
                Td::text(&quintile_label(i + 1)),
                Td::num(
                    facts::table_num(t, r, "neighbourhoods"),
                    num(facts::table_num(t, r, "neighbourhoods"), 0),
                ),
                Td::num(
                    facts::table_num(t, r, "children"),
                    num(facts::table_num(t, r, "children"), 0),
                ),
                Td::num(
                    facts::table_num(t, r, "score"),
                    num(facts::table_num(t, r, "score"), 1),
                ),
            ];
            for k in &scene.amenities {
                let v = facts::table_num(t, r, &format!("{}_coverage", k.kind));
                cells.push(Td::num(v, pct(v)));
            }
            Tr::new(cells)
        })
        .collect();
    s.push_str(&table(&headers, &rows, false));

    let index_rows: Vec<usize> = (0..t.rows.len())
        .filter(|r| !quintile_rows.contains(r))
        .collect();
    if !index_rows.is_empty() {
        s.push_str("<h3>Inequality indices</h3><p class=\"note\">Concentration index (standard and Erreygers): 0 = no gradient, negative = concentrated among children with fewer chances, positive = among those with more. Palma ratio: mean of the 10% with most chances over the 40% with fewest (above 1 favours the better off). Gini: 0 = every child alike.</p>");
        let mut headers: Vec<String> = vec!["Index".into(), "Score".into()];
        headers.extend(scene.amenities.iter().map(|k| kind_title(&k.kind)));
        let rows: Vec<Tr> = index_rows
            .iter()
            .map(|&r| {
                let name = t.rows[r].first().map(|c| c.to_csv()).unwrap_or_default();
                let mut cells = vec![Td::text(&name.replace('_', " "))];
                let mut cols = vec!["score".to_string()];
                cols.extend(
                    scene
                        .amenities
                        .iter()
                        .map(|k| format!("{}_coverage", k.kind)),
                );
                for c in cols {
                    let v = facts::table_num(t, r, &c);
                    cells.push(Td::num(v, num(v, 3)));
                }
                Tr::new(cells)
            })
            .collect();
        s.push_str(&table(&headers, &rows, false));
    }
    let double: Vec<String> = scene
        .neighbourhoods
        .iter()
        .zip(&e.double_disadvantage)
        .filter(|(_, d)| **d)
        .map(|(n, _)| format!("{} ({})", display_name(n), n.id))
        .collect();
    let _ = write!(
        s,
        "<h3>Double disadvantage</h3><p>{}</p>",
        esc(&if double.is_empty() {
            "No neighbourhood is in the bottom quintile of both chances and score.".to_string()
        } else {
            format!(
                "In the bottom quintile of both chances and score: {}.",
                double.join(", ")
            )
        })
    );
    section("equity", "Equity", &s)
}

pub fn priority(input: &ReportInput) -> String {
    let scene = input.scene;
    let focus = facts::focus_index(input);
    let focus_name = focus
        .map(|k| scene.amenities[k].kind.replace('_', " "))
        .unwrap_or_default();
    let quintile = |i: usize| {
        input
            .equity
            .and_then(|e| e.quintile.get(i).copied().flatten())
    };
    let mut ranked: Vec<usize> = (0..input.figures.len())
        .filter(|i| input.figures[*i].priority_rank.is_some())
        .collect();
    ranked.sort_by_key(|i| input.figures[*i].priority_rank);
    let mut s = format!(
        "<p class=\"note\">Neighbourhoods ranked by children outside the {} norm, weighted up where chances are fewest: the list a city would fund first.</p>",
        esc(&focus_name)
    );
    let headers: Vec<String> = [
        "Rank",
        "Neighbourhood",
        "Id",
        "Children",
        "Outside the norm",
        "Within norm",
        "Score",
        "Quintile",
        "Double disadvantage",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let rows: Vec<Tr> = ranked
        .iter()
        .map(|&i| {
            let f = &input.figures[i];
            let nb = &scene.neighbourhoods[i];
            let cov = focus
                .and_then(|k| f.kinds.get(k))
                .and_then(|kf| kf.net_coverage.or(kf.coverage));
            let dd = input
                .equity
                .and_then(|e| e.double_disadvantage.get(i).copied())
                .unwrap_or(false);
            Tr {
                id: Some(nb.id.clone()),
                class: None,
                cells: vec![
                    Td::num(
                        f.priority_rank.map(|r| r as f64),
                        num(f.priority_rank.map(|r| r as f64), 0),
                    ),
                    Td::text(&display_name(nb)),
                    Td::text(&nb.id),
                    Td::num(Some(f.children), num(Some(f.children), 0)),
                    Td::num(Some(f.gap_children), num(Some(f.gap_children), 0)),
                    Td::num(cov, pct(cov)),
                    Td::num(f.score, num(f.score, 0)),
                    Td::num(
                        quintile(i).map(f64::from),
                        quintile(i).map(|q| q.to_string()).unwrap_or("–".into()),
                    ),
                    Td::text(if dd { "yes" } else { "" }),
                ],
            }
        })
        .collect();
    if rows.is_empty() {
        s.push_str("<p>No neighbourhood has children outside the norm.</p>");
    } else {
        s.push_str(&table(&headers, &rows, true));
    }

    s.push_str("<h3>All neighbourhoods</h3><p class=\"note\">Click a column heading to sort. Every column is in <code>neighbourhoods.csv</code>.</p>");
    let mut headers: Vec<String> = vec!["Neighbourhood".into(), "Id".into(), "Children".into()];
    headers.extend(scene.amenities.iter().map(|k| kind_title(&k.kind)));
    headers.extend(
        [
            "Score",
            "Play area",
            "Play m² per child",
            "Outside the norm",
            "Rank",
            "Quintile",
        ]
        .iter()
        .map(|h| h.to_string()),
    );
    let rows: Vec<Tr> = scene
        .neighbourhoods
        .iter()
        .zip(input.figures)
        .enumerate()
        .map(|(i, (nb, f))| {
            let mut cells = vec![
                Td::text(&display_name(nb)),
                Td::text(&nb.id),
                Td::num(Some(f.children), num(Some(f.children), 0)),
            ];
            for kf in &f.kinds {
                let v = kf.net_coverage.or(kf.coverage);
                cells.push(Td::num(v, pct(v)));
            }
            cells.push(Td::num(f.score, num(f.score, 0)));
            cells.push(Td::num(f.play_area_share, pct_with(f.play_area_share, 2)));
            cells.push(Td::num(f.play_m2_per_child, num(f.play_m2_per_child, 1)));
            cells.push(Td::num(Some(f.gap_children), num(Some(f.gap_children), 0)));
            let rank = f.priority_rank.map(|r| r as f64);
            cells.push(Td::num(rank, num(rank, 0)));
            let q = quintile(i).map(f64::from);
            cells.push(Td::num(q, num(q, 0)));
            Tr {
                id: Some(nb.id.clone()),
                class: None,
                cells,
            }
        })
        .collect();
    s.push_str(&table(&headers, &rows, true));
    section("priority", "Priority", &s)
}

pub fn sites(input: &ReportInput) -> String {
    let Some(plan) = input.sites else {
        return section(
            "sites",
            "Sites and cost-benefit",
            "<p class=\"note\">The study file has no <code>[sites]</code> section, so no new sites were chosen.</p>",
        );
    };
    let mut s = format!(
        "<p class=\"note\">{} new {} sites chosen from {} candidates by maximal covering (lazy greedy): each brings the most children not yet within their norm. Coordinates are in the working CRS ({}).</p>",
        plan.sites.len(),
        esc(&plan.kind.replace('_', " ")),
        num(Some(plan.candidates as f64), 0),
        esc(&input.scene.crs.to_string())
    );
    let mut headers: Vec<String> = ["Rank", "Name", "x", "y", "New children"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    headers.extend(plan.band_labels.iter().map(|b| format!("New, ages {b}")));
    headers.push("Running total".into());
    let rows: Vec<Tr> = plan
        .sites
        .iter()
        .map(|site| {
            let mut cells = vec![
                Td::num(Some(site.rank as f64), site.rank.to_string()),
                Td::text(&site.name),
                Td::num(Some(site.x), num(Some(site.x), 0)),
                Td::num(Some(site.y), num(Some(site.y), 0)),
                Td::num(Some(site.new_children), num(Some(site.new_children), 1)),
            ];
            cells.extend(
                site.new_by_band
                    .iter()
                    .map(|v| Td::num(Some(*v), num(Some(*v), 1))),
            );
            cells.push(Td::num(
                Some(site.total_children),
                num(Some(site.total_children), 1),
            ));
            Tr::new(cells)
        })
        .collect();
    s.push_str(&table(&headers, &rows, false));

    s.push_str("<h3>Cost-benefit (present values, EUR)</h3>");
    let headers: Vec<String> = [
        "",
        "Capital cost",
        "Maintenance",
        "Benefits",
        "Net present value",
        "Benefit-cost ratio",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let row = |name: String, a: &crate::cba::Appraisal, strong: bool| {
        let name = if strong {
            format!("<strong>{}</strong>", esc(&name))
        } else {
            esc(&name)
        };
        Tr::new(vec![
            Td::html(name),
            Td::num(Some(a.capex_pv), num(Some(a.capex_pv), 0)),
            Td::num(Some(a.maintenance_pv), num(Some(a.maintenance_pv), 0)),
            Td::num(Some(a.benefit_pv), num(Some(a.benefit_pv), 0)),
            Td::num(Some(a.npv), num(Some(a.npv), 0)),
            Td::num(a.bcr, num(a.bcr, 2)),
        ])
    };
    let mut rows: Vec<Tr> = plan
        .cba
        .sites
        .iter()
        .enumerate()
        .map(|(i, a)| row(format!("Site {}", i + 1), a, false))
        .collect();
    rows.push(row("Total".into(), &plan.cba.total, true));
    s.push_str(&table(&headers, &rows, false));
    if !plan.cba.sensitivity.is_empty() {
        s.push_str("<h3>Sensitivity of the total</h3>");
        let rows: Vec<Tr> = plan
            .cba
            .sensitivity
            .iter()
            .map(|sc| row(sc.name.clone(), &sc.appraisal, false))
            .collect();
        s.push_str(&table(&headers, &rows, false));
    }
    match plan.cba.break_even_benefit_factor {
        Some(f) => {
            let _ = write!(
                s,
                "<p>The net present value reaches zero when benefits are {} times the central estimate.</p>",
                num(Some(f), 2)
            );
        }
        None => s.push_str(
            "<p class=\"warn\">No benefit per child is set, so the benefit-cost ratio only shows the cost side; set <code>[costs] benefit_eur_per_child_per_year</code> from a cost-benefit study.</p>",
        ),
    }
    s.push_str("<h3>Assumptions</h3><ul>");
    for a in &plan.assumptions {
        let _ = write!(s, "<li>{}</li>", esc(a));
    }
    s.push_str("</ul>");
    section("sites", "Sites and cost-benefit", &s)
}

pub fn meeting_places(input: &ReportInput) -> String {
    let places = input.meeting_places;
    if places.is_empty() {
        return section(
            "meeting",
            "Meeting places",
            "<p class=\"note\">No meeting places: they need <code>[equity]</code> and a library, community centre or playground layer.</p>",
        );
    }
    let mut order: Vec<usize> = (0..places.len()).collect();
    order.sort_by(|a, b| {
        places[*b]
            .children
            .total_cmp(&places[*a].children)
            .then(a.cmp(b))
    });
    let mut s = String::from(
        "<p class=\"note\">Who can reach each library, community centre and playground within the norm, by quintile of chances. Mix: 1 = children of all five quintiles equally, 0 = one quintile only.</p>",
    );
    if places.len() > MEETING_ROWS {
        let _ = write!(
            s,
            "<p class=\"note\">The {MEETING_ROWS} places reaching the most children of {}; all are in <code>meeting_places.csv</code>.</p>",
            num(Some(places.len() as f64), 0)
        );
    }
    let mut headers: Vec<String> = vec!["Kind".into(), "Name".into(), "Children in reach".into()];
    headers.extend((1..=5).map(|q| format!("Q{q}")));
    headers.push("Mix".into());
    let rows: Vec<Tr> = order
        .iter()
        .take(MEETING_ROWS)
        .map(|&i| {
            let p = &places[i];
            let mut cells = vec![
                Td::text(&kind_title(&p.kind)),
                Td::text(&p.name),
                Td::num(Some(p.children), num(Some(p.children), 0)),
            ];
            cells.extend(
                p.mix
                    .shares
                    .iter()
                    .map(|v| Td::num(Some(*v), pct(Some(*v)))),
            );
            cells.push(Td::num(Some(p.mix.entropy), num(Some(p.mix.entropy), 2)));
            Tr::new(cells)
        })
        .collect();
    s.push_str(&table(&headers, &rows, true));
    section("meeting", "Meeting places", &s)
}

pub fn provenance(input: &ReportInput) -> String {
    let scene = input.scene;
    let study = input.study;
    let mut s = String::from("<table><tbody>");
    let mut kv = |k: &str, v: String| {
        let _ = write!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
    };
    kv("Study", study.file.study.name.clone());
    kv("Study file", study.path.display().to_string());
    kv("Tool", format!("kindscape {}", env!("CARGO_PKG_VERSION")));
    kv("Working CRS", scene.crs.to_string());
    kv("Children bands", scene.bands.join(", "));
    kv(
        "Distances",
        if input.distances.has_network() {
            "straight line and over the walking network (network counts)".into()
        } else {
            "straight line (no [network] in the study)".into()
        },
    );
    kv("Norm preset", study.norms.preset.to_string());
    let outside = scene
        .homes
        .neighbourhood
        .iter()
        .filter(|n| n.is_none())
        .count();
    let estimated = scene.homes.estimated.iter().filter(|e| **e).count();
    kv(
        "Homes",
        format!(
            "{} ({} outside every neighbourhood, {} with estimated children)",
            num(Some(scene.homes.len() as f64), 0),
            num(Some(outside as f64), 0),
            num(Some(estimated as f64), 0)
        ),
    );
    s.push_str("</tbody></table>");

    s.push_str("<h3>Inputs</h3>");
    let headers: Vec<String> = ["Role", "File", "Features", "CRS", "Bytes", "SHA-256"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    let rows: Vec<Tr> = scene
        .inputs
        .iter()
        .map(|i| {
            Tr::new(vec![
                Td::text(&i.role),
                Td::text(&i.path.display().to_string()),
                Td::num(Some(i.features as f64), num(Some(i.features as f64), 0)),
                Td::text(&i.crs),
                Td::num(Some(i.bytes as f64), num(Some(i.bytes as f64), 0)),
                Td::html(format!("<span class=\"mono\">{}</span>", esc(&i.sha256))),
            ])
        })
        .collect();
    s.push_str(&table(&headers, &rows, false));

    s.push_str("<h3>Norms</h3>");
    let headers: Vec<String> = ["Kind", "Age band", "Distance", "Source"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    let mut rows = Vec::new();
    for (kind, t) in &study.norms.kinds {
        for (i, b) in t.bands.iter().enumerate() {
            rows.push(Tr::new(vec![
                Td::text(&if i == 0 {
                    kind_title(kind)
                } else {
                    String::new()
                }),
                Td::text(&b.label),
                Td::num(Some(b.metres), metres(Some(b.metres))),
                Td::text(if i == 0 { &t.source } else { "" }),
            ]));
        }
    }
    s.push_str(&table(&headers, &rows, false));

    s.push_str("<h3>Warnings</h3>");
    if input.warnings.is_empty() {
        s.push_str("<p>None.</p>");
    } else {
        s.push_str("<ul class=\"warnings\">");
        for w in input.warnings {
            let _ = write!(s, "<li class=\"warn\">{}</li>", esc(w));
        }
        s.push_str("</ul>");
    }
    // Timings differ from run to run; they stay in run.json so that the report, like every
    // other output, is byte-identical for the same inputs.
    s.push_str("<p class=\"note\">Run time per stage: see run.json.</p>");
    section("provenance", "Data and provenance", &s)
}
