//! Site selection over the walk network against PySAL spopt's exact MCLP over a networkx cost
//! matrix of the same graph (scripts/network_mclp_fixture.py, tests/fixtures/network_mclp/): the
//! whole run (network distances to the existing playgrounds decide which children are
//! uncovered, one bounded search per candidate decides whom it covers, the selection) covers
//! exactly the children the cost matrix gives its sites, reaches spopt's optimum where the
//! greedy + swap search does, and never falls below the greedy bound.

use std::path::{Path, PathBuf};

use kindscape::run::{run_study, RunOptions};

fn fixtures() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network_mclp");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "skipped: no fixtures at {} (run scripts/network_mclp_fixture.py)",
            dir.display()
        );
        return None;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    Some(dirs)
}

fn study(dir: &Path, expected: &serde_json::Value) -> String {
    let file = |name: &str| toml::Value::String(dir.join(name).display().to_string()).to_string();
    let norms = expected["norms"].as_object().unwrap();
    let norm = |band: &str| norms[band].as_f64().unwrap();
    format!(
        "[study]\nname = \"network mclp\"\ncrs = \"EPSG:28992\"\n\
         [neighbourhoods]\npath = {}\nid = \"code\"\n\
         children = {{ \"0-5\" = \"a\", \"6-11\" = \"b\", \"12-17\" = \"c\" }}\n\
         [homes]\npath = {}\nid = \"home_id\"\n\
         children = {{ \"0-5\" = \"a\", \"6-11\" = \"b\", \"12-17\" = \"c\" }}\n\
         [[amenities]]\nkind = \"playground\"\npath = {}\n\
         [norms]\nplayground = {{ \"0-5\" = {}, \"6-11\" = {}, \"12-17\" = {} }}\n\
         [network]\npath = {}\n\
         [sites]\nkind = \"playground\"\ncount = {}\ncandidates = {}\n",
        file("neighbourhood.geojson"),
        file("homes.geojson"),
        file("playgrounds.geojson"),
        norm("0-5"),
        norm("6-11"),
        norm("12-17"),
        file("walk.geojson"),
        expected["p"],
        file("candidates.geojson"),
    )
}

/// Children covered by `chosen` on the fixture's cost matrix (spopt's, by cover lists).
fn fixture_value(expected: &serde_json::Value, chosen: &[&str]) -> f64 {
    let demand = expected["demand"].as_array().unwrap();
    let mut covered = vec![false; demand.len()];
    for c in chosen {
        for k in expected["covers"][*c].as_array().unwrap() {
            covered[k.as_u64().unwrap() as usize] = true;
        }
    }
    demand
        .iter()
        .zip(&covered)
        .filter(|(_, &c)| c)
        .map(|(d, _)| d[2].as_f64().unwrap())
        .sum()
}

/// Greedy's guarantee for a monotone submodular objective (Nemhauser, Wolsey & Fisher 1978).
const GREEDY_BOUND: f64 = 1.0 - 1.0 / std::f64::consts::E;

/// Per instance: kindscape's sites cover, by the fixture's cost matrix, exactly the children
/// kindscape reports (the walked coverage is spopt's); no more than spopt's optimum and at least
/// (1 - 1/e) of it; no single swap for another candidate covers more (the local search's
/// promise); and where kindscape reaches a unique optimum, its sites are spopt's. On these
/// instances the greedy + swap reaches the optimum in all but instance `e` (290 of 291 children).
#[test]
fn network_sites_match_spopt_optimum_on_the_same_cost_matrix() {
    let Some(dirs) = fixtures() else { return };
    assert!(dirs.len() >= 5, "fixtures: {dirs:?}");
    let tmp = tempfile::tempdir().unwrap();
    let (mut optimal, mut same_sites) = (0, 0);
    for dir in &dirs {
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let path = tmp.path().join(format!("{name}.toml"));
        std::fs::write(&path, study(dir, &expected)).unwrap();
        let run = run_study(
            &path,
            &RunOptions {
                out: Some(tmp.path().join(&name)),
                quiet: true,
                language: None,
                ..Default::default()
            },
        )
        .unwrap();
        let plan = run.results.sites.as_ref().expect("a site plan");
        let ours: Vec<&str> = plan.sites.iter().map(|s| s.name.as_str()).collect();
        let p = expected["p"].as_u64().unwrap() as usize;
        assert!(!ours.is_empty() && ours.len() <= p, "{name}: {ours:?}");
        let covered = plan.sites.last().unwrap().total_children;
        // Each site's new children, given the ones before it; children are whole numbers, so
        // the sums are exact.
        for (rank, site) in plan.sites.iter().enumerate() {
            let gain =
                fixture_value(&expected, &ours[..=rank]) - fixture_value(&expected, &ours[..rank]);
            assert_eq!(
                site.new_children, gain,
                "{name}: site {} of {ours:?}: kindscape's walked coverage differs from the networkx cost matrix's",
                rank + 1
            );
        }
        assert_eq!(covered, fixture_value(&expected, &ours));
        let optimum = expected["spopt_covered_children"].as_f64().unwrap();
        assert!(
            covered <= optimum && covered >= GREEDY_BOUND * optimum,
            "{name}: {covered} children against spopt's optimum {optimum}"
        );
        let candidates: Vec<String> = expected["covers"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        for i in 0..ours.len() {
            for c in candidates.iter().filter(|c| !ours.contains(&c.as_str())) {
                let mut swapped = ours.clone();
                swapped[i] = c;
                let value = fixture_value(&expected, &swapped);
                assert!(
                    value <= covered,
                    "{name}: swapping {} for {c} covers {value} > {covered}",
                    ours[i]
                );
            }
        }
        if covered == optimum {
            optimal += 1;
            if expected["unique"].as_bool().unwrap() {
                let mut sorted = ours.clone();
                sorted.sort_unstable();
                let mut theirs: Vec<&str> = expected["spopt_chosen"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                theirs.sort_unstable();
                assert_eq!(sorted, theirs, "{name}: the optimum is unique");
                same_sites += 1;
            }
        }
        eprintln!(
            "{name}: kindscape {covered} children with {ours:?}; spopt {optimum} with {} (unique: {})",
            expected["spopt_chosen"], expected["unique"]
        );
    }
    eprintln!(
        "{optimal} of {} instances at spopt's optimum; {same_sites} with the same (unique) sites",
        dirs.len()
    );
    assert!(
        optimal >= 1 && same_sites >= 1,
        "{optimal} optimal, {same_sites} same sites"
    );
}
