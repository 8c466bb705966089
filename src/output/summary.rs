//! Plain-text summaries for the terminal: what `run` and `check` print.

use std::fmt::Write;

use crate::output::i18n::{texts_of_scene, Language, Texts};
use crate::output::{RunView, Written};
use crate::reach::network::WalkNetwork;
use crate::scene::Scene;
use crate::sites::closures::ClosurePlan;
use crate::study::Resolved;

fn pct(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{:.0}%", v * 100.0),
        None => "-".into(),
    }
}

/// The summary `kindscape run` prints: where the outputs are, the study area's coverage per
/// kind and band, and one line per neighbourhood for the focus kind.
pub fn run_summary(r: &RunView, written: &Written) -> String {
    let mut s = String::new();
    let scene = r.scene;
    let t = texts_of_scene(written.language, r.scene);
    let _ = writeln!(
        s,
        "{}",
        t.fmt(
            "term.head",
            &[
                ("name", &r.study.name),
                ("homes", &scene.homes.len()),
                ("neighbourhoods", &scene.neighbourhoods.len()),
                ("children", &t.figure(Some(r.study_area.children), 0)),
                ("crs", &scene.crs),
            ],
        )
    );
    let coverage_key = if r.distances.has_network() {
        "term.coverage_network"
    } else {
        "term.coverage"
    };
    let _ = writeln!(s, "\n{}", t.get(coverage_key));
    for (k, kind) in scene.amenities.iter().enumerate() {
        let f = &r.study_area.kinds[k];
        let bands = &r.study.norms.kinds[&kind.kind].bands;
        let per_band: Vec<String> = bands
            .iter()
            .zip(&f.coverage_bands)
            .enumerate()
            .map(|(i, (b, c))| {
                let net = f
                    .net_coverage_bands
                    .get(i)
                    .map(|n| format!(" / {}", pct(*n)))
                    .unwrap_or_default();
                format!(
                    "{} {}: {}{}",
                    b.label,
                    t.decimal_marks(&b.shown()),
                    pct(*c),
                    net
                )
            })
            .collect();
        let line = t.fmt(
            "term.kind",
            &[
                ("kind", &format!("{:<18}", t.kind_lower(&kind.kind))),
                ("share", &format!("{:>5}", pct(f.coverage))),
                ("n", &kind.items.len()),
                ("bands", &per_band.join(", ")),
                ("median", &t.figure(f.median_m, 0)),
            ],
        );
        let _ = writeln!(s, "  {line}");
    }
    if let Some(focus) = r.study.focus_kind() {
        if let Some(k) = scene.amenities.iter().position(|a| a.kind == focus) {
            let bands = &r.study.norms.kinds[&focus].bands;
            let _ = writeln!(
                s,
                "\n{}",
                t.fmt("term.per_neighbourhood", &[("kind", &t.kind_lower(&focus))])
            );
            let mut header = format!(
                "  {:<12} {:<24} {:>9}",
                t.get("term.id"),
                t.get("term.name"),
                t.get("term.children")
            );
            for b in bands {
                header.push_str(&format!(" {:>9}", t.decimal_marks(&b.short())));
            }
            header.push_str(&format!(
                " {:>6} {:>9} {:>5}",
                t.get("term.score"),
                t.get("term.gap"),
                t.get("term.rank")
            ));
            let _ = writeln!(s, "{header}");
            for (nb, f) in scene.neighbourhoods.iter().zip(r.figures) {
                let mut line = format!(
                    "  {:<12} {:<24} {:>9}",
                    truncate(&nb.id, 12),
                    truncate(&nb.name, 24),
                    t.figure(Some(f.children), 0)
                );
                for c in &f.kinds[k].coverage_bands {
                    line.push_str(&format!(" {:>9}", pct(*c)));
                }
                line.push_str(&format!(
                    " {:>6} {:>9} {:>5}",
                    t.figure(f.score, 0),
                    t.figure(Some(f.gap_children), 0),
                    f.priority_rank
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| "-".into())
                ));
                let _ = writeln!(s, "{line}");
            }
        }
    }
    if let Some(e) = &r.equity {
        let table =
            crate::output::equity::equity_table(e, scene.amenities.iter().map(|k| k.kind.as_str()));
        let by = r.study.equity.as_ref().map(|q| q.by.as_str()).unwrap_or("");
        let _ = writeln!(s, "\n{}", t.fmt("term.by_quintile", &[("by", &by)]));
        // The table's columns in the reader's words, each within its 12 characters after a space.
        let short = |c: &str| match c {
            "neighbourhoods" | "children" | "score" => t.get(&format!("term.{c}")).to_string(),
            coverage => truncate(&t.kind_lower(coverage.trim_end_matches("_coverage")), 11),
        };
        let _ = writeln!(
            s,
            "  {:<30}{}",
            t.get("term.quintile"),
            table.columns[1..]
                .iter()
                .map(|c| format!(" {:>12}", short(c)))
                .collect::<String>()
        );
        for row in &table.rows {
            let quintile = row[0].to_csv().parse::<u8>().is_ok();
            let _ = writeln!(
                s,
                "  {:<30}{}",
                index_name(t, &row[0].to_csv()),
                table.columns[1..]
                    .iter()
                    .zip(&row[1..])
                    .map(|(c, cell)| format!(" {:>12}", quintile_cell(t, c, cell, quintile)))
                    .collect::<String>()
            );
        }
        let double: Vec<String> = scene
            .neighbourhoods
            .iter()
            .zip(&e.double_disadvantage)
            .filter(|(_, d)| **d)
            .map(|(n, _)| format!("{} {}", n.id, n.name))
            .collect();
        let names = if double.is_empty() {
            t.get("term.none").to_string()
        } else {
            double.join("; ")
        };
        let _ = writeln!(s, "{}", t.fmt("term.double", &[("names", &names)]));
    }
    let mut ranked: Vec<(usize, &crate::neighbourhoods::NeighbourhoodFigures)> = r
        .figures
        .iter()
        .enumerate()
        .filter(|(_, f)| f.priority_rank.is_some())
        .collect();
    ranked.sort_by_key(|(_, f)| f.priority_rank);
    let top = r.study.priority_top();
    if !ranked.is_empty() {
        let _ = writeln!(s, "\n{}", t.get("term.priority"));
        for (i, f) in ranked.into_iter().take(top) {
            let nb = &scene.neighbourhoods[i];
            let line = t.fmt(
                "term.priority_line",
                &[
                    ("rank", &f.priority_rank.unwrap_or(0)),
                    ("id", &nb.id),
                    ("name", &nb.name),
                    ("n", &t.figure(Some(f.gap_children), 0)),
                ],
            );
            let _ = writeln!(s, "  {line}");
        }
    }
    if let Some(p) = &r.sites {
        let _ = writeln!(
            s,
            "\n{}",
            t.fmt(
                "term.sites",
                &[
                    ("kind", &t.kind_lower(&p.kind)),
                    ("candidates", &p.candidates)
                ]
            )
        );
        for site in &p.sites {
            let bands: Vec<String> = p
                .band_labels
                .iter()
                .zip(&site.new_by_band)
                .map(|(b, v)| format!("{b}: {}", t.figure(Some(*v), 1)))
                .collect();
            let line = t.fmt(
                "term.site",
                &[
                    ("rank", &site.rank),
                    ("at", &format!("({:.0}, {:.0})", site.x, site.y)),
                    ("name", &t.site_name(site)),
                    ("n", &t.figure(Some(site.new_children), 1)),
                    ("bands", &bands.join(", ")),
                    ("total", &t.figure(Some(site.total_children), 1)),
                ],
            );
            let _ = writeln!(s, "  {line}");
            if let Some(a) = p.cba.sites.get(site.rank - 1) {
                let _ = writeln!(
                    s,
                    "     {}",
                    t.cba_totals("term.site_cba", a, &|v, d| t.figure(v, d))
                );
            }
        }
        let cba = t.cba_totals("term.cba", &p.cba.total, &|v, d| t.figure(v, d));
        let _ = writeln!(s, "{cba}");
        let _ = writeln!(s, "{}", t.get("md.assumptions"));
        for a in t.phrases(&p.assumptions) {
            let _ = writeln!(s, "  - {a}");
        }
    }
    if let Some(p) = r.closures {
        closures(&mut s, t, p);
    }
    if !r.scenarios.is_empty() {
        let _ = writeln!(s, "\n{}", t.get("term.scenarios"));
        for line in crate::output::scenarios::scenario_lines(t, scene, r.study_area, r.scenarios) {
            let _ = writeln!(s, "  {line}");
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(s, "\n{}", warnings_note(t, r.warnings.len()));
    }
    let _ = writeln!(
        s,
        "\n{}",
        t.fmt("term.outputs", &[("dir", &written.out_dir.display())])
    );
    for f in &written.files {
        if let Some(name) = f.file_name() {
            let _ = writeln!(s, "  {}", name.to_string_lossy());
        }
    }
    let total: f64 = written.timings.iter().map(|t| t.1).sum();
    let _ = writeln!(
        s,
        "{}",
        t.fmt("term.done", &[("seconds", &format!("{total:.2}"))])
    );
    s
}

/// A cell of the equity table as the rest of the summary writes figures (equity.csv keeps the
/// machine's): children and neighbourhoods grouped in thousands, the score to 0.1, a quintile's
/// coverage as a percentage; an index row's values (no shares: a concentration index runs from
/// -1 to 1, a Palma ratio past 1) to three decimals, as the report shows them. A figure that
/// does not apply (an index row's children) stays blank, one that is missing is "-".
fn quintile_cell(
    t: &Texts,
    column: &str,
    cell: &crate::output::table::Cell,
    quintile: bool,
) -> String {
    use crate::output::table::Cell;
    let Cell::Num(v, _) = cell else {
        return cell.to_csv();
    };
    let missing = |text: String| {
        if v.is_some_and(f64::is_finite) {
            text
        } else {
            "-".into()
        }
    };
    match column {
        "children" | "neighbourhoods" if quintile => missing(t.num(*v, 0)),
        "children" | "neighbourhoods" => String::new(),
        _ if !quintile => missing(t.num(*v, 3)),
        "score" => missing(t.num(*v, 1)),
        _ => pct(*v),
    }
}

/// A row of the equity table: a quintile, or an inequality index in the reader's words.
fn index_name(t: &Texts, label: &str) -> String {
    t.lookup(&format!("equity.{label}"))
        .unwrap_or(label)
        .to_string()
}

/// Closures printed before "and N more in closures.csv".
const CLOSURES_SHOWN: usize = 20;

/// The closures: one line each (the first [`CLOSURES_SHOWN`]), then the paragraph.
fn closures(s: &mut String, t: &Texts, p: &ClosurePlan) {
    let _ = writeln!(
        s,
        "\n{}",
        t.fmt("term.closures", &[("kind", &t.kind_lower(&p.kind))])
    );
    for c in p.closures.iter().take(CLOSURES_SHOWN) {
        let bands: Vec<String> = p
            .band_labels
            .iter()
            .zip(&c.by_band)
            .map(|(b, v)| format!("{b}: {}", t.figure(Some(*v), 1)))
            .collect();
        let line = t.fmt(
            "term.closure",
            &[
                ("rank", &c.rank),
                ("id", &c.id),
                ("name", &named(&c.name)),
                ("n", &t.figure(Some(c.children_losing), 1)),
                ("bands", &bands.join(", ")),
                ("total", &t.figure(Some(c.cumulative), 1)),
            ],
        );
        let _ = writeln!(s, "  {line}");
    }
    if p.closures.len() > CLOSURES_SHOWN {
        let more = p.closures.len() - CLOSURES_SHOWN;
        let _ = writeln!(s, "  {}", t.fmt("term.closures_more", &[("n", &more)]));
    }
    for line in crate::output::closures::paragraph(t, p) {
        let _ = writeln!(s, "{line}");
    }
}

/// " name" after an id, nothing for an amenity without a name.
fn named(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" {name}")
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// What `kindscape check` prints, in `language`: counts, CRS, extents and warnings.
pub fn check_summary(
    study: &Resolved,
    scene: &Scene,
    network: Option<&WalkNetwork>,
    warnings: &[String],
    language: Language,
) -> String {
    let t = texts_of_scene(language, scene);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}",
        t.fmt(
            "check.study",
            &[("name", &study.name), ("path", &study.path.display())]
        )
    );
    let _ = writeln!(s, "{}", t.fmt("check.crs", &[("crs", &scene.crs)]));
    if let Some(r) = scene.extent() {
        let _ = writeln!(
            s,
            "{}",
            t.fmt(
                "check.extent",
                &[
                    ("min_x", &format!("{:.0}", r.min().x)),
                    ("max_x", &format!("{:.0}", r.max().x)),
                    ("min_y", &format!("{:.0}", r.min().y)),
                    ("max_y", &format!("{:.0}", r.max().y)),
                    (
                        "width",
                        &t.decimal_marks(&format!("{:.1}", r.width() / 1000.0))
                    ),
                    (
                        "height",
                        &t.decimal_marks(&format!("{:.1}", r.height() / 1000.0))
                    ),
                ],
            )
        );
    }
    let _ = writeln!(s, "\n{}", t.get("check.inputs"));
    for i in &scene.inputs {
        let line = t.fmt(
            "check.input",
            &[
                ("features", &i.features),
                ("crs", &i.crs),
                ("bytes", &i.bytes),
                ("path", &i.path.display()),
            ],
        );
        let _ = writeln!(s, "  {:<28} {line}", t.role(&i.role));
    }
    let homes = &scene.homes;
    let outside = homes.neighbourhood.iter().filter(|n| n.is_none()).count();
    let estimated = homes.estimated.iter().filter(|e| **e).count();
    let children: f64 = (0..homes.len()).map(|h| homes.total_children(h)).sum();
    let _ = writeln!(
        s,
        "\n{}",
        t.fmt(
            "check.neighbourhoods",
            &[("n", &scene.neighbourhoods.len())]
        )
    );
    let _ = writeln!(
        s,
        "{}",
        t.fmt(
            "check.homes",
            &[
                ("n", &homes.len()),
                ("outside", &outside),
                ("estimated", &estimated),
            ],
        )
    );
    let _ = writeln!(
        s,
        "{}",
        t.fmt(
            "check.children",
            &[
                ("n", &t.figure(Some(children), 0)),
                ("bands", &t.bands(&scene.bands)),
            ],
        )
    );
    let _ = writeln!(s, "{}", t.get("check.amenities"));
    for k in &scene.amenities {
        let polygons = k
            .items
            .iter()
            .filter(|a| matches!(a.geometry, crate::scene::AmenityGeometry::Polygon(_)))
            .count();
        let norms: Vec<String> = study.norms.kinds[&k.kind]
            .bands
            .iter()
            .map(|b| format!("{} {}", b.label, t.decimal_marks(&b.shown())))
            .collect();
        let line = t.fmt(
            "check.amenity",
            &[
                ("n", &k.items.len()),
                ("polygons", &polygons),
                ("points", &(k.items.len() - polygons)),
                ("norms", &norms.join(", ")),
            ],
        );
        let _ = writeln!(s, "  {:<18} {line}", t.kind_lower(&k.kind));
    }
    let _ = writeln!(
        s,
        "{}",
        t.fmt("check.preset", &[("preset", &study.norms.preset)])
    );
    if let Some(net) = network {
        let st = net.stats();
        let limit = study
            .network
            .as_ref()
            .map_or(crate::study::DEFAULT_ATTACH_LIMIT_M, |n| {
                n.attach_limit_m.value
            });
        let (attached, largest) = net.homes_in_largest_component(&homes.coords, limit);
        let _ = writeln!(
            s,
            "{}",
            t.fmt(
                "check.network",
                &[
                    ("nodes", &st.nodes),
                    ("edges", &st.edges),
                    ("km", &t.decimal_marks(&format!("{:.1}", st.total_km))),
                    ("components", &st.components),
                    ("largest", &st.largest_component_nodes),
                ],
            )
        );
        let _ = writeln!(
            s,
            "{}",
            t.fmt(
                "check.attached",
                &[
                    ("attached", &attached),
                    ("homes", &homes.len()),
                    ("limit", &limit),
                    ("largest", &largest),
                    (
                        "share",
                        &t.decimal_marks(&format!(
                            "{:.1}",
                            100.0 * largest as f64 / homes.len().max(1) as f64
                        )),
                    ),
                ],
            )
        );
        if st.cut_ways > 0 {
            let _ = writeln!(s, "  {}", t.fmt("check.cut_ways", &[("n", &st.cut_ways)]));
        }
    }
    if warnings.is_empty() {
        let _ = writeln!(s, "\n{}", t.get("check.no_warnings"));
    } else {
        let _ = writeln!(s, "\n{}", warnings_note(t, warnings.len()));
    }
    s
}

/// Where the warnings are: the command prints them on stderr (even with `--quiet`, which hides
/// this summary), sorted; see [`sorted_warnings`].
fn warnings_note(t: &Texts, n: usize) -> String {
    let key = if n == 1 {
        "term.warning"
    } else {
        "term.warnings"
    };
    t.fmt(key, &[("n", &n)])
}

/// The warnings as the command prints them on stderr: one `warning: ` line each, sorted, so the
/// order is the same whatever the thread count or the order stages met them in.
pub fn sorted_warnings(warnings: &[String]) -> String {
    let mut sorted: Vec<&String> = warnings.iter().collect();
    sorted.sort();
    sorted.iter().map(|w| format!("warning: {w}\n")).collect()
}
