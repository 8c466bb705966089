//! `summary.md`: the report's key tables as plain Markdown, for people who paste results into
//! council documents. The figures come from the same functions as `report.html`'s.

use std::fmt::Write;

use crate::output::report::facts::{self, display_name};
use crate::output::report::html::{kind_title, num, pct};
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
fn header(names: &[&str], numeric: &[bool]) -> String {
    let mut s = row(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
    let align: Vec<&str> = numeric
        .iter()
        .map(|n| if *n { "---:" } else { "---" })
        .collect();
    let _ = writeln!(s, "| {} |", align.join(" | "));
    s
}

/// The whole of `summary.md`.
pub fn summary(input: &ReportInput) -> String {
    let scene = input.scene;
    let network = input.distances.has_network();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}: a child-friendly environment\n",
        input.study.file.study.name
    );
    let _ = writeln!(
        s,
        "{} children in {} homes and {} neighbourhoods; working CRS {}; distances {}. Made with kindscape {}.\n",
        num(Some(input.study_area.children), 0),
        num(Some(scene.homes.len() as f64), 0),
        scene.neighbourhoods.len(),
        scene.crs,
        if network {
            "over the walking network"
        } else {
            "in a straight line"
        },
        env!("CARGO_PKG_VERSION")
    );

    s.push_str("## Headline gaps\n\n");
    for line in facts::headline_gaps(input) {
        let _ = writeln!(s, "- {line}");
    }

    s.push_str("\n## Coverage: children within the norm\n\n");
    let mut names = vec!["Kind", "Age band", "Norm (m)", "Children"];
    let mut numeric = vec![false, false, true, true, true];
    if network {
        names.extend(["Within norm (straight line)", "Within norm (network)"]);
        numeric.push(true);
    } else {
        names.push("Within norm");
    }
    names.extend(["Outside norm", "Median (m)", "P90 (m)"]);
    numeric.extend([true, true, true]);
    s.push_str(&header(&names, &numeric));
    for r in input.coverage {
        let mut cells = vec![
            kind_title(&r.kind),
            r.band.clone().unwrap_or_else(|| "all bands".into()),
            r.norm_m.map(|m| num(Some(m), 0)).unwrap_or_default(),
            num(Some(r.children), 0),
            pct(r.coverage),
        ];
        if network {
            cells.push(pct(r.net_coverage));
        }
        cells.push(num(Some(r.outside), 0));
        cells.push(r.median_m.map(|m| num(Some(m), 0)).unwrap_or_default());
        cells.push(r.p90_m.map(|m| num(Some(m), 0)).unwrap_or_default());
        s.push_str(&row(&cells));
    }

    if let Some(e) = input.equity {
        let by = input
            .study
            .file
            .equity
            .as_ref()
            .map(|q| q.by.as_str())
            .unwrap_or("");
        let _ = writeln!(s, "\n## Equity: by quintile of {by} (1 = fewest chances)\n");
        let kinds: Vec<String> = scene
            .amenities
            .iter()
            .map(|k| kind_title(&k.kind))
            .collect();
        let mut names = vec!["Quintile", "Neighbourhoods", "Children", "Score"];
        names.extend(kinds.iter().map(String::as_str));
        let numeric: Vec<bool> = (0..names.len()).map(|i| i > 0).collect();
        s.push_str(&header(&names, &numeric));
        for q in &e.by_quintile {
            let mut cells = vec![
                q.quintile.to_string(),
                num(Some(q.neighbourhoods as f64), 0),
                num(Some(q.children), 0),
                num(q.score, 1),
            ];
            cells.extend(q.coverage.iter().map(|c| pct(*c)));
            s.push_str(&row(&cells));
        }
    }

    let ranked = crate::neighbourhoods::coverage::priority_order(input.figures);
    if !ranked.is_empty() {
        s.push_str("\n## Priority\n\n");
        s.push_str(&header(
            &[
                "Rank",
                "Neighbourhood",
                "Id",
                "Children",
                "Outside the norm",
                "Score",
            ],
            &[true, false, false, true, true, true],
        ));
        for i in ranked {
            let f = &input.figures[i];
            let nb = &scene.neighbourhoods[i];
            s.push_str(&row(&[
                f.priority_rank.map(|r| r.to_string()).unwrap_or_default(),
                display_name(nb),
                nb.id.clone(),
                num(Some(f.children), 0),
                num(Some(f.gap_children), 0),
                num(f.score, 0),
            ]));
        }
    }

    if let Some(plan) = input.sites {
        let _ = writeln!(s, "\n## New {} sites\n", plan.kind.replace('_', " "));
        s.push_str(&header(
            &["Rank", "Name", "x", "y", "New children", "Running total"],
            &[true, false, true, true, true, true],
        ));
        for site in &plan.sites {
            s.push_str(&row(&[
                site.rank.to_string(),
                site.name.clone(),
                num(Some(site.x), 0),
                num(Some(site.y), 0),
                num(Some(site.new_children), 1),
                num(Some(site.total_children), 1),
            ]));
        }
        let t = &plan.cba.total;
        let _ = writeln!(
            s,
            "\nCost-benefit of all sites (present values, EUR): capital {}, maintenance {}, benefits {}, net present value {}, benefit-cost ratio {}.\n",
            num(Some(t.capex_pv), 0),
            num(Some(t.maintenance_pv), 0),
            num(Some(t.benefit_pv), 0),
            num(Some(t.npv), 0),
            num(t.bcr, 2)
        );
        s.push_str("Assumptions:\n\n");
        for a in &plan.assumptions {
            let _ = writeln!(s, "- {a}");
        }
    }

    s.push_str("\n## Data and provenance\n\n");
    s.push_str(&header(
        &["Role", "File", "Features", "CRS", "SHA-256"],
        &[false, false, true, false, false],
    ));
    for i in &scene.inputs {
        s.push_str(&row(&[
            i.role.clone(),
            i.path.display().to_string(),
            num(Some(i.features as f64), 0),
            i.crs.clone(),
            format!("`{}`", i.sha256),
        ]));
    }
    let _ = writeln!(s, "\nNorm preset: {}.\n", input.study.norms.preset);
    for (kind, t) in &input.study.norms.kinds {
        let bands: Vec<String> = t
            .bands
            .iter()
            .map(|b| format!("{} {} m", b.label, num(Some(b.metres), 0)))
            .collect();
        let _ = writeln!(
            s,
            "- {}: {} (source: {})",
            kind_title(kind),
            bands.join(", "),
            t.source
        );
    }
    if !input.warnings.is_empty() {
        s.push_str("\n## Warnings\n\n");
        for w in input.warnings {
            let _ = writeln!(s, "- {}", w.replace('\n', " "));
        }
    }
    s
}
