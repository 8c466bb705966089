//! The cost-benefit of each chosen site through a whole run: on a hand-made scene each site's
//! benefit, cost, NPV and BCR in `sites.csv` equal a hand computation (own costs from candidate
//! attributes, defaults otherwise), and on Harderwijk the five BCRs differ by the children each
//! site newly covers.

mod common;

use std::path::Path;

use common::*;
use serde_json::json;

const X: f64 = 150_000.0;
const Y: f64 = 460_000.0;

fn point(props: serde_json::Value, x: f64, y: f64) -> serde_json::Value {
    json!({"type": "Feature", "properties": props,
           "geometry": {"type": "Point", "coordinates": [X + x, Y + y]}})
}

fn write_layer(dir: &Path, name: &str, features: Vec<serde_json::Value>) {
    let fc = json!({"type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": features});
    std::fs::write(dir.join(name), fc.to_string()).unwrap();
}

/// One 2 km square neighbourhood; 15 children by candidate A, 5 by candidate B, the only
/// playground in a far corner; every norm 100 m.
fn scene(dir: &Path, costs: &str) -> std::path::PathBuf {
    let square = json!({"type": "Feature", "properties": {"code": "N1", "a": 6, "b": 11, "c": 3},
        "geometry": {"type": "Polygon", "coordinates": [[[X, Y], [X + 2000.0, Y],
            [X + 2000.0, Y + 2000.0], [X, Y + 2000.0], [X, Y]]]}});
    write_layer(dir, "n.geojson", vec![square]);
    write_layer(
        dir,
        "h.geojson",
        vec![
            point(json!({"hid": "h1", "a": 4, "b": 6, "c": 2}), 200.0, 200.0),
            point(json!({"hid": "h2", "a": 0, "b": 3, "c": 0}), 220.0, 200.0),
            point(json!({"hid": "h3", "a": 2, "b": 2, "c": 1}), 1000.0, 1000.0),
        ],
    );
    write_layer(
        dir,
        "p.geojson",
        vec![point(json!({"name": "far"}), 1900.0, 1900.0)],
    );
    write_layer(
        dir,
        "lots.geojson",
        vec![
            point(json!({"name": "A", "kosten": 100000}), 210.0, 210.0),
            point(json!({"name": "B", "onderhoud": 2000}), 1010.0, 1000.0),
        ],
    );
    let study = dir.join("study.toml");
    std::fs::write(
        &study,
        format!(
            "[study]\nname = \"cba\"\ncrs = \"EPSG:28992\"\n\
             [neighbourhoods]\npath = \"n.geojson\"\nid = \"code\"\n\
             children = {{ \"0-5\" = \"a\", \"6-11\" = \"b\", \"12-17\" = \"c\" }}\n\
             [homes]\npath = \"h.geojson\"\nid = \"hid\"\n\
             children = {{ \"0-5\" = \"a\", \"6-11\" = \"b\", \"12-17\" = \"c\" }}\n\
             [[amenities]]\nkind = \"playground\"\npath = \"p.geojson\"\n\
             [norms]\nplayground = {{ \"0-5\" = 100, \"6-11\" = 100, \"12-17\" = 100 }}\n\
             [sites]\nkind = \"playground\"\ncount = 2\ncandidates = \"lots.geojson\"\n\
             [costs]\n{costs}"
        ),
    )
    .unwrap();
    study
}

#[test]
fn a_candidates_layer_reads_its_text_costs_with_decimal_and_thousands() {
    // The costs of A and B as Dutch text, read with [sites] decimal and thousands: the same
    // own costs as the numbers 100000 and 2000.5.
    let dir = tempfile::tempdir().unwrap();
    let study = scene(
        dir.path(),
        "capex = \"kosten\"\nmaintenance = \"onderhoud\"\ncapex_eur = 150000\n\
         maintenance_eur_per_year = 5000\nbenefit_eur_per_child_per_year = 1000\n\
         years = 10\ndiscount_rate = 0\n",
    );
    write_layer(
        dir.path(),
        "lots.geojson",
        vec![
            point(json!({"name": "A", "kosten": "100.000"}), 210.0, 210.0),
            point(json!({"name": "B", "onderhoud": "2.000,5"}), 1010.0, 1000.0),
        ],
    );
    let text = std::fs::read_to_string(&study).unwrap();
    std::fs::write(
        &study,
        text.replace(
            "candidates = \"lots.geojson\"\n",
            "candidates = \"lots.geojson\"\ndecimal = \",\"\nthousands = \".\"\n",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    run_quiet(&study, &out);
    let sites = read_csv(&out.join("sites.csv"));
    let (a, b) = (&sites[0], &sites[1]);
    assert_eq!((a["name"].as_str(), b["name"].as_str()), ("A", "B"));
    assert_eq!(num(a, "capex_eur"), Some(100_000.0));
    assert_eq!(num(b, "maintenance_eur_per_year"), Some(2_000.5));
    // B's costs: 150,000 + 10 x 2,000.5.
    assert_eq!(num(b, "cost_pv"), Some(170_005.0));
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn each_site_is_appraised_on_its_children_and_its_own_costs() {
    let dir = tempfile::tempdir().unwrap();
    let study = scene(
        dir.path(),
        "capex = \"kosten\"\nmaintenance = \"onderhoud\"\ncapex_eur = 150000\n\
         maintenance_eur_per_year = 5000\nbenefit_eur_per_child_per_year = 1000\n\
         years = 10\ndiscount_rate = 0\n",
    );
    let out = dir.path().join("out");
    run_quiet(&study, &out);
    let sites = read_csv(&out.join("sites.csv"));
    assert_eq!(sites.len(), 2);
    let (a, b) = (&sites[0], &sites[1]);
    assert_eq!((a["name"].as_str(), b["name"].as_str()), ("A", "B"));
    // A: 4 + 6 + 2 + 3 = 15 children; its own capital 100,000, the default upkeep 5,000.
    //    Benefits 15 x 1,000 x 10 = 150,000; costs 100,000 + 10 x 5,000 = 150,000.
    assert_eq!(num(a, "new_children"), Some(15.0));
    assert_eq!(num(a, "capex_eur"), Some(100_000.0));
    assert_eq!(num(a, "maintenance_eur_per_year"), Some(5_000.0));
    assert_eq!(num(a, "benefit_pv"), Some(150_000.0));
    assert_eq!(num(a, "cost_pv"), Some(150_000.0));
    assert_eq!(num(a, "npv"), Some(0.0));
    assert_eq!(num(a, "bcr"), Some(1.0));
    // B: 2 + 2 + 1 = 5 children; the default capital 150,000, its own upkeep 2,000.
    //    Benefits 50,000; costs 150,000 + 20,000 = 170,000; BCR 50 / 170 = 0.2941.
    assert_eq!(num(b, "new_children"), Some(5.0));
    assert_eq!(num(b, "capex_eur"), Some(150_000.0));
    assert_eq!(num(b, "maintenance_eur_per_year"), Some(2_000.0));
    assert_eq!(num(b, "benefit_pv"), Some(50_000.0));
    assert_eq!(num(b, "cost_pv"), Some(170_000.0));
    assert_eq!(num(b, "npv"), Some(-120_000.0));
    assert_eq!(num(b, "bcr"), Some(0.2941));
    // cba.csv: the same per site, and a total that is their sum (BCR 200,000 / 320,000).
    let cba = read_csv(&out.join("cba.csv"));
    assert_eq!(num(&cba[1], "bcr"), Some(0.2941));
    let total = cba.iter().find(|r| r["site"] == "total").unwrap();
    assert_eq!(num(total, "benefit_pv"), Some(200_000.0));
    assert_eq!(num(total, "npv"), Some(-120_000.0));
    assert_eq!(num(total, "bcr"), Some(0.625));
    // The assumptions say where each cost came from.
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("attribute \"kosten\" ([costs] capex): given for 1 of the 2"));
    assert!(summary.contains("attribute \"onderhoud\" ([costs] maintenance): given for 1 of the 2"));
}

#[test]
fn at_equal_costs_the_bcrs_are_in_the_ratio_of_the_children() {
    let dir = tempfile::tempdir().unwrap();
    // The default preset: EUR 56.7272... per child, 2.25% over 15 years, equal costs.
    let study = scene(dir.path(), "preset = \"ecorys-2020\"\n");
    let out = dir.path().join("out");
    run_quiet(&study, &out);
    let sites = read_csv(&out.join("sites.csv"));
    // 15 x 56.7272... x 12.6121655 / (150,000 + 7,500 x 12.6121655) = 10,731.81 / 244,591.24
    // = 0.0439; 5 children: 3,577.27 / 244,591.24 = 0.0146; the ratio is 15 / 5 = 3.
    assert_eq!(num(&sites[0], "bcr"), Some(0.0439));
    assert_eq!(num(&sites[1], "bcr"), Some(0.0146));
    assert_eq!(num(&sites[0], "benefit_pv"), Some(10_731.81));
    assert_eq!(num(&sites[1], "benefit_pv"), Some(3_577.27));
    assert_eq!(num(&sites[0], "cost_pv"), Some(244_591.24));
    let ratio = num(&sites[0], "benefit_pv").unwrap() / num(&sites[1], "benefit_pv").unwrap();
    assert!(close(ratio, 3.0, 1e-5), "{ratio}");
}

#[test]
fn harderwijk_sites_differ_by_the_children_they_newly_cover() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = example_study("harderwijk.toml", &data, dir.path());
    let out = dir.path().join("out");
    run_quiet(&study, &out);
    let sites = read_csv(&out.join("sites.csv"));
    assert_eq!(sites.len(), 5);
    // BCR = children x 56.7272... x 12.6121655 / 244,591.24 = children x 0.00292509964.
    let per_child = 52e6 / 220_000.0 * 7_500.0 / 31_250.0;
    let factor: f64 = (1..=15).map(|t| 1.0225f64.powi(-t)).sum();
    let cost = 150_000.0 + 7_500.0 * factor;
    let mut bcrs = Vec::new();
    for s in &sites {
        let children = num(s, "new_children").unwrap();
        let bcr = num(s, "bcr").unwrap();
        let by_hand = children * per_child * factor / cost;
        // new_children is written to 2 decimals, the BCR to 4.
        assert!(
            close(bcr, by_hand, 1e-4),
            "{children} children: {bcr} vs {by_hand}"
        );
        assert!(close(num(s, "cost_pv").unwrap(), cost, 0.01));
        bcrs.push((children, bcr));
    }
    eprintln!("Harderwijk per-site (new children, BCR): {bcrs:?}");
    // Not one flat value: the site with the most children has the highest ratio, and sites are
    // ranked by their children, so the ratios fall (or stay level) down the list.
    assert!(bcrs[0].1 > bcrs[4].1 * 2.0, "{bcrs:?}");
    assert!(bcrs.windows(2).all(|w| w[0].1 >= w[1].1), "{bcrs:?}");
}
