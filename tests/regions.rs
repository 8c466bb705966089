//! `kindscape split` and `merge`: a synthetic city cut into 16 regions, each run on its own and
//! merged, gives the single run's `homes.csv` and `neighbourhoods.csv` byte for byte and its
//! equity indices to 1e-12, with and without a walking network. The single run is the
//! independent method here: it never sees a region, and the regions never see each other.
#![cfg(feature = "parquet")]

use std::path::{Path, PathBuf};

use kindscape::regions::merge::{merge, MergeOptions};
use kindscape::regions::split::{split, Partition};
use kindscape::run::{run_study, RunOptions};
use kindscape::sample::{write_sample, SampleOptions};

/// Homes of the test city: enough for 16 neighbourhoods of about 5000 residents.
const HOMES: usize = 40_000;

fn run(study: &Path, out: &Path) {
    run_study(
        study,
        &RunOptions {
            out: Some(out.to_path_buf()),
            quiet: true,
            ..RunOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", study.display()));
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `equity.csv` as rows of (label, numbers).
fn equity_rows(path: &Path) -> Vec<(String, Vec<Option<f64>>)> {
    read(path)
        .lines()
        .skip(1)
        .map(|l| {
            let mut cells = l.split(',');
            let label = cells.next().unwrap().to_string();
            (label, cells.map(|c| c.parse().ok()).collect())
        })
        .collect()
}

/// Splits `study` into 16 tiles, runs every region, merges, and compares with the single run.
fn split_run_merge_equals_single_run(study: &Path, work: &Path) {
    let single = work.join("single");
    run(study, &single);

    let regions = work.join("regions");
    let s = split(study, &Partition::Tiles(16), &regions).unwrap();
    assert_eq!(s.regions.len(), 16);
    let owned: usize = s.regions.iter().map(|r| r.2).sum();
    let single_homes = read(&single.join("homes.csv")).lines().count() - 1;
    assert_eq!(
        owned, single_homes,
        "every home is owned by exactly one region"
    );
    // The halo is real: some region carries homes it does not own.
    assert!(s.regions.iter().any(|r| r.3 > r.2));
    let dirs: Vec<PathBuf> = s.regions.iter().map(|r| regions.join(&r.0)).collect();
    for d in &dirs {
        run(&d.join("study.toml"), &d.join("out"));
    }
    // A region run again into its own output folder: everything there is kindscape's.
    let again = dirs[0].join("out");
    let before = read(&again.join("region_homes.csv"));
    run(&dirs[0].join("study.toml"), &again);
    assert_eq!(read(&again.join("region_homes.csv")), before);
    let merged = work.join("merged");
    merge(
        std::slice::from_ref(&regions),
        &MergeOptions {
            out: merged.clone(),
            study: Some(study.to_path_buf()),
        },
    )
    .unwrap();

    for file in ["homes.csv", "neighbourhoods.csv"] {
        let (a, b) = (read(&single.join(file)), read(&merged.join(file)));
        if a != b {
            let first = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(a.lines().count().min(b.lines().count()));
            panic!(
                "{file} differs from line {}:\nsingle: {}\nmerged: {}",
                first + 1,
                a.lines().nth(first).unwrap_or("(none)"),
                b.lines().nth(first).unwrap_or("(none)")
            );
        }
    }
    let (a, b) = (
        equity_rows(&single.join("equity.csv")),
        equity_rows(&merged.join("equity.csv")),
    );
    assert_eq!(a.len(), b.len());
    for ((la, va), (lb, vb)) in a.iter().zip(&b) {
        assert_eq!(la, lb);
        assert_eq!(va.len(), vb.len());
        for (x, y) in va.iter().zip(vb) {
            match (x, y) {
                (Some(x), Some(y)) => assert!((x - y).abs() <= 1e-12, "{la}: {x} vs {y}"),
                _ => assert_eq!(x, y, "{la}"),
            }
        }
    }
    // The priority ranks are the study's, not each region's: some rank exceeds the largest
    // number of neighbourhoods any region owns.
    let most = s.regions.iter().map(|r| r.1).max().unwrap();
    let nb = read(&merged.join("neighbourhoods.csv"));
    let header: Vec<&str> = nb.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|c| *c == "priority_rank").unwrap();
    let top = nb
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(col).and_then(|c| c.parse::<usize>().ok()))
        .max()
        .unwrap();
    assert!(top > most, "largest rank {top}, largest region {most}");
    let run_json = read(&merged.join("run.json"));
    assert!(run_json.contains("stay per region"), "{run_json}");
}

fn city(dir: &Path) -> PathBuf {
    write_sample(
        dir,
        &SampleOptions {
            homes: HOMES,
            seed: 11,
            ..SampleOptions::default()
        },
    )
    .unwrap()
    .study
}

#[test]
fn sixteen_regions_merge_to_the_single_run_with_a_network() {
    let dir = tempfile::tempdir().unwrap();
    let study = city(dir.path());
    split_run_merge_equals_single_run(&study, dir.path());
}

#[test]
fn sixteen_regions_merge_to_the_single_run_without_a_network() {
    let dir = tempfile::tempdir().unwrap();
    let study = city(dir.path());
    let mut t: toml::Table = read(&study).parse().unwrap();
    t.remove("network");
    let flat = dir.path().join("no_network.toml");
    std::fs::write(&flat, toml::to_string(&t).unwrap()).unwrap();
    split_run_merge_equals_single_run(&flat, dir.path());
}
