//! `summary.md`: the report's key tables as plain Markdown, for people who paste results into
//! council documents. The figures come from the same functions as `report.html`'s.

use std::fmt::Write;

use crate::output::i18n::Texts;
use crate::output::report::facts::{self, display_name};

use crate::output::report::ReportInput;

/// Escapes a table cell: a `|` would end the cell, a newline the row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn row(cells: &[String]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    format!("| {} |\n", cells.join(" | "))
}

/// A header row and its alignment row; `numeric` columns are right-aligned.
fn header(names: &[String], numeric: &[bool]) -> String {
    let mut s = row(names);
    let align: Vec<&str> = numeric
        .iter()
        .map(|n| if *n { "---:" } else { "---" })
        .collect();
    let _ = writeln!(s, "| {} |", align.join(" | "));
    s
}

/// Column headers from their catalogue keys.
fn columns(t: &Texts, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t.get(k).to_string()).collect()
}

/// The whole of `summary.md`.
pub fn summary(input: &ReportInput) -> String {
    let (scene, t) = (input.scene, input.texts);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}\n",
        t.fmt("page.title", &[("name", &input.study.name)])
    );
    let distance = t.get(if input.distances.has_network() {
        "distance.network"
    } else {
        "distance.straight"
    });
    let intro = t.fmt(
        "md.intro",
        &[
            ("children", &t.num(Some(input.study_area.children), 0)),
            ("homes", &t.num(Some(scene.homes.len() as f64), 0)),
            ("neighbourhoods", &scene.neighbourhoods.len()),
            ("crs", &scene.crs),
            ("distance", &distance),
            ("version", &env!("CARGO_PKG_VERSION")),
        ],
    );
    let _ = writeln!(s, "{intro}\n");
    let _ = writeln!(s, "## {}\n", t.get("summary.headline_gaps"));
    for line in facts::headline_gaps(input) {
        let _ = writeln!(s, "- {line}");
    }
    coverage(input, &mut s);
    equity(input, &mut s);
    priority(input, &mut s);
    sites(input, &mut s);
    closures(input, &mut s);
    scenarios(input, &mut s);
    provenance(input, &mut s);
    s
}

fn coverage(input: &ReportInput, s: &mut String) {
    let t = input.texts;
    let network = input.distances.has_network();
    let _ = writeln!(s, "\n## {}\n", t.get("summary.coverage"));
    let mut keys = vec!["col.kind", "col.age_band", "md.norm_m", "col.children"];
    let mut numeric = vec![false, false, true, true, true];
    if network {
        keys.extend(["col.within_straight", "col.within_network"]);
        numeric.push(true);
    } else {
        keys.push("col.within");
    }
    keys.extend(["col.outside", "md.median_m", "md.p90_m"]);
    numeric.extend([true, true, true]);
    s.push_str(&header(&columns(t, &keys), &numeric));
    for r in input.coverage {
        let mut cells = vec![
            t.kind(&r.kind),
            r.band
                .clone()
                .unwrap_or_else(|| t.get("summary.all_bands").into()),
            r.norm_m.map(|m| t.num(Some(m), 0)).unwrap_or_default(),
            t.num(Some(r.children), 0),
            t.pct(r.coverage),
        ];
        if network {
            cells.push(t.pct(r.net_coverage));
        }
        cells.push(t.num(Some(r.outside), 0));
        cells.push(r.median_m.map(|m| t.num(Some(m), 0)).unwrap_or_default());
        cells.push(r.p90_m.map(|m| t.num(Some(m), 0)).unwrap_or_default());
        s.push_str(&row(&cells));
    }
}

fn equity(input: &ReportInput, s: &mut String) {
    let Some(e) = input.equity else {
        return;
    };
    let t = input.texts;
    let by = input
        .study
        .equity
        .as_ref()
        .map(|q| q.by.as_str())
        .unwrap_or("");
    let _ = writeln!(s, "\n## {}\n", t.fmt("md.equity", &[("by", &by)]));
    let mut names = columns(
        t,
        &[
            "col.quintile",
            "col.neighbourhoods",
            "col.children",
            "col.score",
        ],
    );
    names.extend(input.scene.amenities.iter().map(|k| t.kind(&k.kind)));
    let numeric: Vec<bool> = (0..names.len()).map(|i| i > 0).collect();
    s.push_str(&header(&names, &numeric));
    for q in &e.by_quintile {
        let mut cells = vec![
            q.quintile.to_string(),
            t.num(Some(q.neighbourhoods as f64), 0),
            t.num(Some(q.children), 0),
            t.num(q.score, 1),
        ];
        cells.extend(q.coverage.iter().map(|c| t.pct(*c)));
        s.push_str(&row(&cells));
    }
}

fn priority(input: &ReportInput, s: &mut String) {
    let ranked = crate::neighbourhoods::coverage::priority_order(input.figures);
    if ranked.is_empty() {
        return;
    }
    let t = input.texts;
    let _ = writeln!(s, "\n## {}\n", t.get("nav.priority"));
    let names = columns(
        t,
        &[
            "col.rank",
            "col.neighbourhood",
            "col.id",
            "col.children",
            "col.outside_the_norm",
            "col.score",
        ],
    );
    s.push_str(&header(&names, &[true, false, false, true, true, true]));
    for i in ranked {
        let f = &input.figures[i];
        let nb = &input.scene.neighbourhoods[i];
        s.push_str(&row(&[
            f.priority_rank.map(|r| r.to_string()).unwrap_or_default(),
            display_name(nb),
            nb.id.clone(),
            t.num(Some(f.children), 0),
            t.num(Some(f.gap_children), 0),
            t.num(f.score, 0),
        ]));
    }
}

fn sites(input: &ReportInput, s: &mut String) {
    let Some(plan) = input.sites else {
        return;
    };
    let t = input.texts;
    let _ = writeln!(
        s,
        "\n## {}\n",
        t.fmt("md.sites", &[("kind", &t.kind_lower(&plan.kind))])
    );
    let mut names = columns(t, &["col.rank", "col.name"]);
    names.extend(["x".to_string(), "y".to_string()]);
    names.extend(columns(
        t,
        &[
            "col.new_children",
            "col.running_total",
            "col.npv",
            "col.bcr",
        ],
    ));
    s.push_str(&header(
        &names,
        &[true, false, true, true, true, true, true, true],
    ));
    for (site, a) in plan.sites.iter().zip(&plan.cba.sites) {
        s.push_str(&row(&[
            site.rank.to_string(),
            t.site_name(site),
            t.num(Some(site.x), 0),
            t.num(Some(site.y), 0),
            t.num(Some(site.new_children), 1),
            t.num(Some(site.total_children), 1),
            t.num(Some(a.npv), 0),
            t.num(a.bcr, 2),
        ]));
    }
    let cba = t.cba_totals("md.cba", &plan.cba.total, &|v, d| t.num(v, d));
    let _ = writeln!(s, "\n{cba}\n");
    let _ = writeln!(s, "{}\n", t.get("md.assumptions"));
    for a in t.phrases(&plan.assumptions) {
        let _ = writeln!(s, "- {a}");
    }
}

fn closures(input: &ReportInput, s: &mut String) {
    let Some(plan) = input.closures else {
        return;
    };
    let t = input.texts;
    let _ = writeln!(
        s,
        "\n## {}\n",
        t.fmt("md.closures", &[("kind", &t.kind_lower(&plan.kind))])
    );
    for line in crate::output::closures::paragraph(t, plan) {
        let _ = writeln!(s, "{line}\n");
    }
    if plan.closures.is_empty() {
        return;
    }
    let names = columns(t, &crate::output::closures::SUMMARY_COLUMNS);
    s.push_str(&header(
        &names,
        &[true, false, false, false, true, true, true, true],
    ));
    for c in &plan.closures {
        let place = c.neighbourhood.map_or(String::new(), |n| {
            display_name(&input.scene.neighbourhoods[n as usize])
        });
        s.push_str(&row(&[
            c.rank.to_string(),
            c.id.clone(),
            c.name.clone(),
            place,
            t.num(Some(c.children_losing), 1),
            t.num(Some(c.cumulative), 1),
            t.num(Some(c.appraisal.npv), 0),
            t.num(c.appraisal.bcr, 2),
        ]));
    }
    let _ = writeln!(s, "\n{}\n", t.get("md.assumptions"));
    for a in t.phrases(&plan.cost_assumptions) {
        let _ = writeln!(s, "- {a}");
    }
}

fn scenarios(input: &ReportInput, s: &mut String) {
    if input.scenarios.is_empty() {
        return;
    }
    let t = input.texts;
    let _ = writeln!(s, "\n## {}\n", t.get("md.scenarios"));
    let _ = writeln!(s, "{}\n", t.get("md.scenarios_note"));
    let lines =
        crate::output::scenarios::scenario_lines(t, input.scene, input.study_area, input.scenarios);
    for line in lines {
        let _ = writeln!(s, "- {line}");
    }
}

fn provenance(input: &ReportInput, s: &mut String) {
    let t = input.texts;
    let _ = writeln!(s, "\n## {}\n", t.get("nav.provenance"));
    let mut names = columns(t, &["col.role", "col.file", "col.features", "col.crs"]);
    names.push("SHA-256".into());
    s.push_str(&header(&names, &[false, false, true, false, false]));
    for i in &input.scene.inputs {
        s.push_str(&row(&[
            t.role(&i.role),
            i.path.display().to_string(),
            t.num(Some(i.features as f64), 0),
            i.crs.clone(),
            format!("`{}`", i.sha256),
        ]));
    }
    let preset = t.fmt("md.preset", &[("preset", &input.study.norms.preset)]);
    let _ = writeln!(s, "\n{preset}\n");
    for (kind, norms) in &input.study.norms.kinds {
        let bands: Vec<String> = norms
            .bands
            .iter()
            .map(|b| match b.minutes {
                None => format!("{} {} m", b.label, t.num(Some(b.metres), 0)),
                Some(_) => format!("{} {}", b.label, t.decimal_marks(&b.shown())),
            })
            .collect();
        let line = t.fmt(
            "md.norm_line",
            &[
                ("kind", &t.kind(kind)),
                ("bands", &bands.join(", ")),
                ("source", &t.norm_source(input.study.norms.preset, norms)),
            ],
        );
        let _ = writeln!(s, "- {line}");
    }
    if !input.warnings.is_empty() {
        let _ = writeln!(s, "\n## {}\n", t.get("provenance.warnings"));
        if t.warnings_listed() {
            for w in input.warnings {
                let _ = writeln!(s, "- {}", w.replace('\n', " "));
            }
        } else {
            let n = input.warnings.len();
            let _ = writeln!(
                s,
                "{}",
                t.fmt("provenance.warnings_elsewhere", &[("n", &n)])
            );
        }
    }
}
