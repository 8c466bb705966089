//! The terminal summary's table by quintile writes its figures the reader's way, in English and
//! Dutch: counts grouped by thousands, the score to 0.1, coverage as a percentage, the indices to
//! three decimals; equity.csv keeps the machine's format.

mod common;

use std::path::Path;

use common::geojson::{collection, point, write, write_study, X, Y};
use common::*;
use serde_json::json;

fn square(props: serde_json::Value, x: f64) -> serde_json::Value {
    json!({"type": "Feature", "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [[[X + x, Y], [X + x + 1000.0, Y],
            [X + x + 1000.0, Y + 1000.0], [X + x, Y + 1000.0], [X + x, Y]]]}})
}

/// West (income 30): W1 with 1000 children 10 m from the playground (score 100), W2 with 500
/// children 390 m from it (past twice the 100 m norm: score 0). Oost (income 20, the fewer
/// chances): O1 with 2500 children 1190 m from it. Quintiles by children: Oost's mid-rank is
/// 1250 / 4000 = 0.3125, quintile 2; West's (2500 + 750) / 4000 = 0.8125, quintile 5.
/// So quintile 2: 2500 children, score 0, coverage 0; quintile 5: 1500 children, score
/// 100 x 1000 / 1500 = 66.67, coverage 2/3; quintiles 1, 3 and 4 are empty.
fn town(dir: &Path) -> std::path::PathBuf {
    write(
        dir,
        "nb.geojson",
        &collection(vec![
            square(json!({"code": "W", "income": 30}), 0.0),
            square(json!({"code": "O", "income": 20}), 1000.0),
        ]),
    );
    write(
        dir,
        "homes.geojson",
        &collection(vec![
            point(json!({"hid": "W1", "kids": 1000}), 300.0, 500.0),
            point(json!({"hid": "W2", "kids": 500}), 700.0, 500.0),
            point(json!({"hid": "O1", "kids": 2500}), 1500.0, 500.0),
        ]),
    );
    write(
        dir,
        "p.geojson",
        &collection(vec![point(json!({}), 310.0, 500.0)]),
    );
    write_study(
        dir,
        &format!(
            "[study]\nname = \"t\"\ncrs = \"EPSG:28992\"\n{}\
             [norms]\nplayground = {{ \"0-17\" = 100 }}\n\
             [equity]\nby = \"income\"\n",
            geojson_town()
        ),
    )
}

/// The shared town layers with `keep = ["income"]` in `[neighbourhoods]`.
fn geojson_town() -> String {
    common::geojson::town_layers("\"kids\"")
        .replace("id = \"code\"\n", "id = \"code\"\nkeep = [\"income\"]\n")
}

/// The terminal summary of a run in `lang`, and the run's equity.csv.
fn summary(lang: &str) -> (String, Vec<std::collections::HashMap<String, String>>) {
    let dir = tempfile::tempdir().unwrap();
    let study = town(dir.path());
    let out = dir.path().join("out");
    let o = kindscape()
        .arg("run")
        .arg(&study)
        .arg("--out")
        .arg(&out)
        .arg("--lang")
        .arg(lang)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (stdout, read_csv(&out.join("equity.csv")))
}

/// The figures of the table row whose label is `label` (the label's words dropped).
fn row(stdout: &str, label: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|l| l.get(..32).is_some_and(|head| head.trim() == label))
        .unwrap_or_else(|| panic!("no row {label} in\n{stdout}"));
    line[32..].split_whitespace().map(String::from).collect()
}

#[test]
fn quintile_rows_read_as_the_reader_writes_numbers() {
    for (lang, q2, q5) in [
        (
            "en",
            ["2,500", "0.0", "0%", "1"],
            ["1,500", "66.7", "67%", "1"],
        ),
        (
            "nl",
            ["2.500", "0,0", "0%", "1"],
            ["1.500", "66,7", "67%", "1"],
        ),
    ] {
        let (stdout, _) = summary(lang);
        assert_eq!(row(&stdout, "2"), q2, "{lang}:\n{stdout}");
        assert_eq!(row(&stdout, "5"), q5, "{lang}:\n{stdout}");
        // An empty quintile: no score and no coverage to show.
        assert_eq!(row(&stdout, "1"), ["0", "-", "-", "0"], "{lang}:\n{stdout}");
    }
}

#[test]
fn index_rows_show_three_decimals_of_the_csvs_value() {
    for (lang, mark) in [("en", "."), ("nl", ",")] {
        let (stdout, equity) = summary(lang);
        let csv = equity
            .iter()
            .find(|r| r["quintile"] == "concentration_index")
            .unwrap();
        let label = if lang == "en" {
            "concentration index"
        } else {
            "concentratie-index"
        };
        let expected: Vec<String> = ["score", "playground_coverage"]
            .iter()
            .map(|c| {
                let v = num(csv, c).unwrap();
                let s = format!("{v:.3}").replace('.', mark);
                if s.trim_start_matches('-').chars().all(|c| "0.,".contains(c)) {
                    s.trim_start_matches('-').to_string()
                } else {
                    s
                }
            })
            .collect();
        assert_eq!(row(&stdout, label), expected, "{lang}:\n{stdout}");
        // Not a trivial 0: the fewer chances, the less coverage here.
        assert!(num(csv, "playground_coverage").unwrap().abs() > 0.001);
    }
}
