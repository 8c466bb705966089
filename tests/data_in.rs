//! Municipal data as it comes: children as a percentage of residents (CBS's `0_15`), and the
//! socioeconomic attributes in a separate `;`-separated table with decimal commas, checked on
//! the real Harderwijk and Helsinki data against a hand computation and against the runs that
//! read the same figures from the GeoJSON layer.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn harderwijk_study(data: &Path, children: &str) -> String {
    format!(
        r#"[study]
name = "Harderwijk from the national districts"
crs = "EPSG:28992"
[neighbourhoods]
path = "{d}/nl-wijken-2024/wijken_2024.geojson"
id = "wijkcode"
name = "wijknaam"
population = "aantal_inwoners"
children = {children}
filter = {{ gemeentenaam = "Harderwijk" }}
[homes]
path = "{d}/harderwijk/population/cbs_vierkant100m_2020_harderwijk_epsg28992.geojson"
id = "c28992r100"
[[amenities]]
kind = "playground"
path = "{d}/harderwijk/playgrounds/bgt_speeltuin_harderwijk_epsg28992.geojson"
"#,
        d = data.display()
    )
}

#[test]
fn harderwijk_children_from_a_percentage_equal_the_hand_computation() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("percent.toml");
    std::fs::write(
        &study,
        harderwijk_study(
            &data,
            r#"{ "0-14" = { percent = "0_15", of = "aantal_inwoners" } }"#,
        ),
    )
    .unwrap();
    let stderr = common::run_quiet(&study, &tmp.path().join("out"));
    // The 0-14 band is split over the playground norm's bands by the years each covers.
    assert!(
        stderr.contains("0-5 6/15, 6-11 6/15, 12-17 3/15"),
        "{stderr}"
    );

    // By hand, from the national file: residents x percent / 100 per Harderwijk district.
    let national: Value = serde_json::from_slice(
        &std::fs::read(data.join("nl-wijken-2024/wijken_2024.geojson")).unwrap(),
    )
    .unwrap();
    let mut expected: HashMap<String, f64> = HashMap::new();
    for f in national["features"].as_array().unwrap() {
        let p = &f["properties"];
        if p["gemeentenaam"] != "Harderwijk" {
            continue;
        }
        if let (Some(pop), Some(pct)) = (p["aantal_inwoners"].as_f64(), p["0_15"].as_f64()) {
            expected.insert(
                p["wijkcode"].as_str().unwrap().to_string(),
                pop * pct / 100.0,
            );
        }
    }
    assert_eq!(
        expected.len(),
        14,
        "Harderwijk has 16 districts, 14 with both figures"
    );
    let rows = common::read_csv(&tmp.path().join("out/neighbourhoods.csv"));
    assert_eq!(rows.len(), 16);
    for row in &rows {
        let got = common::num(row, "children").unwrap_or(0.0);
        match expected.get(&row["id"]) {
            Some(want) => assert!(
                (got - want).abs() < 0.01,
                "{}: {got} children, by hand {want}",
                row["id"]
            ),
            // Groot water and the industrial estate publish no share of children.
            None => assert_eq!(got, 0.0, "{}", row["id"]),
        }
    }
    // Hierden: 3,435 residents, 16% aged 0-14.
    assert!((expected["WK024315"] - 549.6).abs() < 1e-9);

    // The same field taken as a count gets a warning that names the fix.
    let count = tmp.path().join("count.toml");
    std::fs::write(&count, harderwijk_study(&data, r#""0_15""#)).unwrap();
    let stderr = common::run_quiet(&count, &tmp.path().join("out-count"));
    assert!(
        stderr.contains("every value is at most 21")
            && stderr.contains("percent = \"0_15\", of = \"aantal_inwoners\""),
        "{stderr}"
    );
}

/// A number as a Dutch spreadsheet writes it: decimal comma, a point between thousands; a
/// float keeps a fraction (",0") as its JSON text does.
fn dutch(v: &Value) -> String {
    match v {
        Value::Null => ".".to_string(),
        Value::Number(n) => {
            let text = if n.is_f64() {
                format!("{:?}", n.as_f64().unwrap())
            } else {
                n.to_string()
            };
            let (sign, text) = match text.strip_prefix('-') {
                Some(t) => ("-", t.to_string()),
                None => ("", text),
            };
            let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
            let mut grouped = String::new();
            for (i, d) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    grouped.push('.');
                }
                grouped.push(d);
            }
            if frac.is_empty() {
                format!("{sign}{grouped}")
            } else {
                format!("{sign}{grouped},{frac}")
            }
        }
        Value::String(s) => s.clone(),
        other => panic!("no Dutch form for {other}"),
    }
}

/// Moves `columns` of the study's neighbourhoods layer into a `;`-separated table with decimal
/// commas, and returns the study rewritten to join it back.
fn with_table(study: &Path, layer: &Path, key: &str, columns: &[&str]) -> PathBuf {
    let dir = study.parent().unwrap().join("from-table");
    std::fs::create_dir_all(&dir).unwrap();
    let mut geojson: Value = serde_json::from_slice(&std::fs::read(layer).unwrap()).unwrap();
    let mut csv = format!("{key};{}\n", columns.join(";"));
    for f in geojson["features"].as_array_mut().unwrap() {
        let props = f["properties"].as_object_mut().unwrap();
        let mut cells = vec![props[key].as_str().unwrap().to_string()];
        for c in columns {
            cells.push(dutch(&props.remove(*c).unwrap_or(Value::Null)));
        }
        csv.push_str(&cells.join(";"));
        csv.push('\n');
    }
    let layer_copy = dir.join(layer.file_name().unwrap());
    std::fs::write(&layer_copy, serde_json::to_vec(&geojson).unwrap()).unwrap();
    std::fs::write(dir.join("kerncijfers.csv"), csv).unwrap();
    let text = std::fs::read_to_string(study).unwrap().replace(
        &format!("path = \"{}\"", layer.display()),
        &format!(
            "path = \"{}\"\ntables = [{{ path = \"kerncijfers.csv\", key = \"{key}\", decimal = \",\", thousands = \".\" }}]",
            layer_copy.display()
        ),
    );
    assert!(
        text.contains("kerncijfers.csv"),
        "the layer path was not found"
    );
    // Under the same file name: the report names the study file.
    let path = dir.join(study.file_name().unwrap());
    std::fs::write(&path, text).unwrap();
    path
}

fn table_run_equals_layer_run(example: &str, layer: &str, key: &str, columns: &[&str]) {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let study = common::example_study(example, &data, tmp.path());
    common::run_quiet(&study, &tmp.path().join("out-layer"));
    let from_table = with_table(&study, &data.join(layer), key, columns);
    common::run_quiet(&from_table, &tmp.path().join("out-table"));
    common::assert_same_outputs_but(
        &tmp.path().join("out-layer"),
        &tmp.path().join("out-table"),
        &[],
        &["kerncijfers"],
    );
}

#[test]
fn harderwijk_with_its_figures_in_a_dutch_csv_equals_the_geojson_run() {
    table_run_equals_layer_run(
        "harderwijk.toml",
        "harderwijk/neighbourhoods/cbs_wijken_2024_harderwijk_epsg28992.geojson",
        "wijkcode",
        &[
            "aantal_inwoners",
            "calc_children_0_tot_15_est",
            "bevolkingsdichtheid",
            "gem_huishouden_grootte",
        ],
    );
}

#[test]
fn helsinki_with_its_figures_in_a_dutch_csv_equals_the_geojson_run() {
    // Postal codes keep their leading zeros ("00100") through the join.
    table_run_equals_layer_run(
        "helsinki.toml",
        "helsinki-centre/neighbourhoods/paavo_2023_postal_areas_clipped_to_osm_extent.geojson",
        "postal_code",
        &[
            "Inhabitants, total (HE)",
            "0-2 years (HE)",
            "3-6 years (HE)",
            "7-12 years (HE)",
            "13-15 years (HE)",
            "Median income of inhabitants",
            "calc_share_low_income_households",
        ],
    );
}

#[test]
fn helsinki_warns_of_areas_whose_children_sit_on_a_handful_of_homes() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let study = common::example_study("helsinki.toml", &data, tmp.path());
    let o = common::kindscape()
        .arg("check")
        .arg(&study)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    // Pohjois-Lauttasaari (00200) is clipped by the OpenStreetMap extent: 2,483 children
    // (0-15, the postal area's own figures) on the 14 residential buildings inside it.
    let areas: Value = serde_json::from_slice(
        &std::fs::read(data.join(
            "helsinki-centre/neighbourhoods/paavo_2023_postal_areas_clipped_to_osm_extent.geojson",
        ))
        .unwrap(),
    )
    .unwrap();
    let p = areas["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["properties"])
        .find(|p| p["postal_code"] == "00200")
        .unwrap();
    let children: f64 = [
        "0-2 years (HE)",
        "3-6 years (HE)",
        "7-12 years (HE)",
        "13-15 years (HE)",
    ]
    .iter()
    .map(|k| p[*k].as_f64().unwrap())
    .sum();
    let want = format!("\"00200\" ({children:.0} children on 14 home(s))");
    assert!(stderr.contains(&want), "no `{want}` in {stderr}");
}

#[test]
fn helsinki_from_one_osm_file_with_districts_from_its_boundaries() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let reference = common::example_study("helsinki-osm.toml", &data, tmp.path());
    common::run_quiet(&reference, &tmp.path().join("out-postal"));

    // The same study with its neighbourhoods from the extract's city districts (admin_level 10,
    // refs with leading zeros such as "01"), and their children from a table. The children
    // are made up (100 per band): distances do not depend on them, the join does.
    let refs = [
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "13", "14", "19", "20",
        "31", "52",
    ];
    let mut csv = String::from("ref;c06;c712;c1315\n");
    for r in refs {
        csv.push_str(&format!("{r};100;100;100\n"));
    }
    std::fs::write(tmp.path().join("districts.csv"), csv).unwrap();
    let text = std::fs::read_to_string(&reference).unwrap();
    let start = text.find("[neighbourhoods]").unwrap();
    let end = text.find("[homes]").unwrap();
    let pbf = data.join("helsinki-centre/osm/helsinki_centre_2024-08-15.osm.pbf");
    let districts = format!(
        "[neighbourhoods]\nosm = \"{}\"\nadmin_level = 10\ntables = [{{ path = \"districts.csv\", key = \"ref\" }}]\nchildren = {{ \"0-6\" = \"c06\", \"7-12\" = \"c712\", \"13-15\" = \"c1315\" }}\n\n",
        pbf.display()
    );
    let text = format!("{}{districts}{}", &text[..start], &text[end..])
        .replace("[equity]\nby = \"Median income of inhabitants\"", "");
    let study = tmp.path().join("districts.toml");
    std::fs::write(&study, text).unwrap();
    let stderr = common::run_quiet(&study, &tmp.path().join("out-districts"));

    let nbs = common::read_csv(&tmp.path().join("out-districts/neighbourhoods.csv"));
    let mut ids: Vec<&str> = nbs.iter().map(|r| r["id"].as_str()).collect();
    ids.sort_unstable();
    // Every district whose boundary the extract holds whole (5 of the 17 it touches: the box
    // cuts the others, and the run says so).
    assert_eq!(ids, ["01", "03", "04", "05", "06"], "{stderr}");
    assert!(
        stderr.contains("12 feature(s) tagged admin_level=10 are cut at the extract's edge"),
        "{stderr}"
    );
    assert!(
        stderr.contains("districts.csv: 12 row(s) match no neighbourhood"),
        "{stderr}"
    );
    for row in &nbs {
        assert!(
            !row["name"].is_empty(),
            "district {} has no name",
            row["id"]
        );
        // The table's three bands of 100 children each, joined on the ref "01", ...: all of
        // them, whatever homes the district holds.
        assert_eq!(common::num(row, "children"), Some(300.0), "{}", row["id"]);
    }

    // Distances do not depend on the neighbourhoods: equal for every home of both runs.
    let by_id = |dir: &str| -> HashMap<String, HashMap<String, String>> {
        common::read_csv(&tmp.path().join(dir).join("homes.csv"))
            .into_iter()
            .map(|r| (r["home_id"].clone(), r))
            .collect()
    };
    let (postal, district) = (by_id("out-postal"), by_id("out-districts"));
    assert!(postal.len() > 1000, "{} homes", postal.len());
    let columns: Vec<String> = postal
        .values()
        .next()
        .unwrap()
        .keys()
        .filter(|c| c.ends_with("_m") || c.contains("_net_m_"))
        .cloned()
        .collect();
    assert!(columns.len() >= 6, "{columns:?}");
    let mut compared = 0;
    for (id, row) in &postal {
        let Some(other) = district.get(id) else {
            continue;
        };
        for c in &columns {
            assert_eq!(row[c], other[c], "home {id}, {c}");
            compared += 1;
        }
    }
    assert!(
        compared > 1000 * columns.len(),
        "{compared} values compared"
    );
}
