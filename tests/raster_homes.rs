//! A population raster as homes: Harderwijk's CBS 100 m grid rasterised to a GeoTIFF
//! (`tests/fixtures/rasters/harderwijk_cbs100m_2020.tif`, made by `scripts/make_test_rasters.sh`)
//! gives the same coverage figures as the same grid as GeoJSON squares.

mod common;

use common::*;

fn study(data: &std::path::Path, homes: &str, extra: &str) -> String {
    format!(
        r#"[study]
name = "raster homes"
crs = "EPSG:28992"
output = "out"
[neighbourhoods]
path = "{data}/harderwijk/neighbourhoods/cbs_wijken_2024_harderwijk_epsg28992.geojson"
id = "wijkcode"
children = "calc_children_0_tot_15_est"
[homes]
path = "{homes}"
{extra}
[[amenities]]
kind = "playground"
path = "{data}/harderwijk/playgrounds/bgt_speeltuin_harderwijk_epsg28992.geojson"
capacity = "area"
"#,
        data = data.display()
    )
}

#[test]
fn raster_grid_gives_the_same_coverage_as_geojson_squares() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tif = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rasters/harderwijk_cbs100m_2020.tif");
    let squares = format!(
        "{}/harderwijk/population/cbs_vierkant100m_2020_harderwijk_epsg28992.geojson",
        data.display()
    );
    let runs = [
        (
            "vector",
            study(
                &data,
                &squares,
                "children = \"aantal_inwoners_0_tot_15_jaar\"",
            ),
        ),
        ("raster", study(&data, &tif.display().to_string(), "")),
    ];
    let mut tables = Vec::new();
    for (name, text) in runs {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("study.toml"), text).unwrap();
        let out = kindscape()
            .args(["run", "--quiet"])
            .arg(d.join("study.toml"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tables.push(read_csv(&d.join("out/neighbourhoods.csv")));
    }
    assert_eq!(tables[0].len(), 16);
    let columns = [
        "children",
        "playground_coverage",
        "playground_coverage_0-5",
        "playground_coverage_6-11",
        "playground_coverage_12-17",
        "playground_median_m",
        "playground_p90_m",
        "score",
        "gap_children",
    ];
    for (a, b) in tables[0].iter().zip(&tables[1]) {
        assert_eq!(a["id"], b["id"]);
        for c in columns {
            assert_eq!(a[c], b[c], "{} {c}", a["id"]);
        }
    }
}
