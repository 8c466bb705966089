//! The report's catchment, closure and scenario maps, read back from `report.html` with a small
//! tag reader written here (not the report's code) and checked against the files the same run
//! writes by other code: `catchments.geojson` (one shape per catchment and band, with its
//! children), `closures.csv` (one numbered marker per closure, the children losing coverage) and
//! `scenarios.csv` (the change in children outside the norm). In English and Dutch; Chromium
//! renders them with no console error, and the maps' hatching and pinch zoom run in it.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::browser::{chromium, console_messages, run_chromium, run_probe};
use common::{kindscape, num, read_csv, run_quiet};

/// The most a report may weigh: councils mail it.
const MAX_REPORT_BYTES: usize = 3_000_000;

/// `<svg id="ID" …>…</svg>`, the map with its nested view.
fn map_svg<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<svg id=\"{id}\""))
        .unwrap_or_else(|| panic!("no map {id}"));
    element(&html[start..], "svg")
}

/// The element that `s` starts with, to its matching closing tag (nested ones counted).
fn element<'a>(s: &'a str, tag: &str) -> &'a str {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut depth = 0usize;
    let mut at = 0;
    loop {
        let next_open = s[at..].find(&open).map(|i| i + at);
        let next_close = s[at..].find(&close).map(|i| i + at).expect("closed");
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                at = o + open.len();
            }
            _ => {
                depth -= 1;
                at = next_close + close.len();
                if depth == 0 {
                    return &s[..at];
                }
            }
        }
    }
}

/// Every group of `svg` whose opening tag starts with `opening` (e.g. `<g class="am" fill="#fff"`).
fn groups<'a>(svg: &'a str, opening: &str) -> Vec<&'a str> {
    svg.match_indices(opening)
        .map(|(i, _)| element(&svg[i..], "g"))
        .collect()
}

/// The texts of the `<title>`s in `s`, in order.
fn titles(s: &str) -> Vec<String> {
    s.split("<title>")
        .skip(1)
        .map(|t| t[..t.find("</title>").unwrap()].to_string())
        .collect()
}

/// The numbers in a text, in order, read as the report's language writes them: "1,234.5"
/// in English and "1.234,5" in Dutch are both 1234.5.
fn numbers(text: &str, dutch: bool) -> Vec<f64> {
    let (decimal, thousands) = if dutch { (',', '.') } else { ('.', ',') };
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain([' ']) {
        if c.is_ascii_digit() || (!cur.is_empty() && (c == '.' || c == ',')) {
            cur.push(c);
        } else if !cur.is_empty() {
            let n = cur
                .trim_end_matches(['.', ','])
                .replace(thousands, "")
                .replace(decimal, ".");
            out.push(n.parse().unwrap());
            cur.clear();
        }
    }
    out
}

/// Whether the report is in Dutch (`<html lang="nl">`).
fn is_dutch(html: &str) -> bool {
    html.contains("<html lang=\"nl\"")
}

/// The shapes drawn in a group: paths and circles.
fn shapes(group: &str) -> usize {
    group.matches("<path ").count() + group.matches("<circle ").count()
}

/// Per band in file order, the `children_within` of each catchment with an area.
fn catchments_by_band(out: &Path) -> Vec<(String, Vec<f64>)> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("catchments.geojson")).unwrap())
            .unwrap();
    let mut bands: Vec<(String, Vec<f64>)> = Vec::new();
    for f in v["features"].as_array().unwrap() {
        let band = f["properties"]["band"].as_str().unwrap().to_string();
        if f["geometry"]["coordinates"].as_array().unwrap().is_empty() {
            continue;
        }
        let n = f["properties"]["children_within"].as_f64().unwrap();
        match bands.iter_mut().find(|b| b.0 == band) {
            Some(b) => b.1.push(n),
            None => bands.push((band, vec![n])),
        }
    }
    bands
}

/// One catchment map per band, one shape per catchment of the band, each titled with its
/// children (to 0.1) as catchments.geojson has them.
fn check_catchment_maps(html: &str, out: &Path) {
    let bands = catchments_by_band(out);
    assert!(!bands.is_empty());
    for (b, (band, children)) in bands.iter().enumerate() {
        let svg = map_svg(html, &format!("map-catchments-{b}"));
        let areas = groups(svg, &format!("<g id=\"map-catchments-{b}-areas\""));
        assert_eq!(areas.len(), 1, "band {band}");
        assert_eq!(shapes(areas[0]), children.len(), "band {band}");
        // The children are the first number after the amenity's name (which may hold numbers).
        let mut shown: Vec<f64> = titles(areas[0])
            .iter()
            .map(|t| numbers(&t[t.rfind(": ").unwrap() + 2..], is_dutch(html))[0])
            .collect();
        let mut expected = children.clone();
        shown.sort_by(f64::total_cmp);
        expected.sort_by(f64::total_cmp);
        // One decimal shown against two in the GeoJSON: within half a tenth and its rounding.
        for (s, e) in shown.iter().zip(&expected) {
            assert!(
                (s - e).abs() <= 0.0551,
                "band {band}: {shown:?} vs {expected:?}"
            );
        }
        // The union is drawn once more, white, under the shapes: ground outside every catchment
        // keeps the uncovered fill of the neighbourhoods.
        assert!(svg.contains(&format!(
            "<use href=\"#map-catchments-{b}-areas\" fill=\"#fff\""
        )));
        assert!(svg.contains("fill=\"#f6c9a8\""));
    }
}

/// The closure map: a numbered marker per closures.csv row, 1 to n in order; the closed ones
/// red, the others white; hexagons holding the children who lose coverage.
fn check_closure_map(html: &str, out: &Path, amenities: usize) {
    let rows = read_csv(&out.join("closures.csv"));
    assert!(!rows.is_empty());
    let svg = map_svg(html, "map-closures");
    let numbered = groups(svg, "<g class=\"num\"");
    assert_eq!(numbered.len(), 1);
    assert_eq!(numbered[0].matches("<circle ").count(), rows.len());
    let ranks: Vec<f64> = numbered[0]
        .split("</text>")
        .filter_map(|t| t.rfind('>').map(|i| &t[i + 1..]))
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect();
    let expected: Vec<f64> = rows.iter().map(|r| num(r, "rank").unwrap()).collect();
    assert_eq!(ranks, expected);
    let closed = groups(svg, "<g class=\"am\" fill=\"#d62728\"");
    assert_eq!(shapes(closed[0]), rows.len());
    let kept = groups(svg, "<g class=\"am\" fill=\"#fff\"");
    assert_eq!(shapes(kept[0]), amenities - rows.len());
    // The hexagons' children against the rows' (two decimals each in the CSV).
    let lost: f64 = rows
        .iter()
        .map(|r| num(r, "children_losing_coverage").unwrap())
        .sum();
    let hexes = groups(svg, "<g class=\"hex\"");
    let in_hexes: f64 = hexes
        .first()
        .map(|g| {
            g.split("data-n=\"")
                .skip(1)
                .map(|p| p[..p.find('"').unwrap()].parse::<f64>().unwrap())
                .sum()
        })
        .unwrap_or(0.0);
    assert!(
        (in_hexes - lost).abs() < 0.005 * rows.len() as f64 + 1e-9,
        "{in_hexes} vs {lost}"
    );
}

/// A scenario map: its removed and added amenities, and hexagons whose children losing minus
/// gaining coverage add up to the rise in children outside the norm in scenarios.csv.
fn check_scenario_map(html: &str, out: &Path, n: usize, name: &str, removed: usize, added: usize) {
    let svg = map_svg(html, &format!("map-scenario-{n}"));
    let count = |fill: &str| {
        groups(svg, &format!("<g class=\"am\" fill=\"{fill}\""))
            .first()
            .map_or(0, |g| shapes(g))
    };
    assert_eq!(count("#fbd5d5"), removed, "{name}: removed");
    assert_eq!(count("#2ca25f"), added, "{name}: added");
    let row = read_csv(&out.join("scenarios.csv"))
        .into_iter()
        .find(|r| r["scenario"] == name && r["neighbourhood_id"] == "study area")
        .unwrap();
    let delta = num(&row, "gap_children_delta").unwrap();
    let hexes = groups(svg, "<g class=\"hex\"");
    let titles = hexes.first().map(|g| titles(g)).unwrap_or_default();
    // Each hexagon's title: children losing, then gaining coverage (one decimal each).
    let net: f64 = titles
        .iter()
        .map(|t| {
            let n = numbers(t, is_dutch(html));
            n[0] - n[1]
        })
        .sum();
    assert!(
        (net - delta).abs() < 0.05 * titles.len() as f64 + 0.01,
        "{name}: hexagons {net} vs scenarios.csv {delta}"
    );
    assert!(delta.abs() > 0.0, "{name}: the check needs a change");
}

/// Harderwijk with closures and two scenarios (close ten playgrounds; build the five proposed
/// sites), in both languages: the maps say what the files say.
#[test]
fn harderwijk_decision_and_catchment_maps_match_the_files() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let base_study = common::example_study("harderwijk.toml", &data, dir.path());
    let first = dir.path().join("first");
    run_quiet(&base_study, &first);
    let text = std::fs::read_to_string(&base_study).unwrap();
    let ids: Vec<String> = (0..10).map(|i| format!("\"{i}\"")).collect();
    let study = dir.path().join("decisions.toml");
    std::fs::write(
        &study,
        format!(
            "{text}\n[closures]\nkind = \"playground\"\nkeep_coverage = 0.99\n\n\
             [[scenarios]]\nname = \"close ten\"\nremove = {{ kind = \"playground\", ids = [{}] }}\n\n\
             [[scenarios]]\nname = \"build the sites\"\nadd = [{{ kind = \"playground\", path = \"{}\" }}]\n",
            ids.join(", "),
            first.join("sites.geojson").display()
        ),
    )
    .unwrap();
    let playgrounds = catchments_by_band(&first)[0].1.len();
    for lang in ["en", "nl"] {
        let out = dir.path().join(format!("out-{lang}"));
        let html = report_in(&study, &out, lang);
        eprintln!("harderwijk with decisions ({lang}): {} bytes", html.len());
        check_catchment_maps(&html, &out);
        check_closure_map(&html, &out, playgrounds);
        check_scenario_map(&html, &out, 1, "close ten", 10, 0);
        check_scenario_map(&html, &out, 2, "build the sites", 0, 5);
        // The words are the report's language's.
        let (own, other) = match lang {
            "en" => ("catchment areas", "verzorgingsgebied"),
            _ => ("verzorgingsgebieden", "catchment area"),
        };
        assert!(html.contains(own) && !html.contains(other), "{lang}");
        // Figures are written the reader's way: the study area's children (thousands) grouped
        // with "," in English and "." in Dutch, as a table cell.
        let children: f64 = read_csv(&out.join("neighbourhoods.csv"))
            .iter()
            .filter_map(|r| num(r, "children"))
            .sum();
        let whole = format!("{:.0}", children);
        assert!(whole.len() == 4, "a four-digit count: {whole}");
        let (own, other) = match lang {
            "en" => (
                format!("{},{}", &whole[..1], &whole[1..]),
                format!("{}.{}", &whole[..1], &whole[1..]),
            ),
            _ => (
                format!("{}.{}", &whole[..1], &whole[1..]),
                format!("{},{}", &whole[..1], &whole[1..]),
            ),
        };
        assert!(html.contains(&format!(">{own}<")), "{lang}: no {own}");
        assert!(!html.contains(&format!(">{other}<")), "{lang}: {other}");
        // The sites table names each site's neighbourhood, as sites.csv has it.
        let sites = read_csv(&out.join("sites.csv"));
        let names: BTreeMap<String, String> = read_csv(&out.join("neighbourhoods.csv"))
            .into_iter()
            .map(|r| (r["id"].clone(), r["name"].clone()))
            .collect();
        let table = &html[html.find("<section id=\"sites\"").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        for s in &sites {
            let place = &names[&s["neighbourhood_id"]];
            assert!(
                table.contains(&format!("<td>{place}</td>")),
                "{lang}: site {} in {place}",
                s["rank"]
            );
        }
        if let Some(bin) = chromium() {
            let page = out.join("report.html");
            let (dom, stderr) = run_chromium(
                bin,
                &dir.path().join("profile"),
                &page,
                &["--dump-dom".into()],
            );
            let errors = console_messages(&stderr, "report.html");
            assert!(errors.is_empty(), "{lang}: console: {errors:#?}");
            assert!(dom.contains("data-ready=\"true\""), "{lang}");
        }
    }
}

/// Helsinki from its OpenStreetMap extract, walked, with closures and six scenarios, stays under
/// 3 MB in both languages and renders without console errors.
#[test]
fn helsinki_with_every_map_stays_under_3_mb() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let base_study = common::example_study("helsinki-osm.toml", &data, dir.path());
    let first = dir.path().join("first");
    run_quiet(&base_study, &first);
    let ids: Vec<String> = read_csv(&first.join("homes.csv"))
        .iter()
        .filter_map(|r| r.get("playground_nearest_id").cloned())
        .filter(|id| !id.is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        ids.len() >= 30,
        "{} playgrounds nearest to a home",
        ids.len()
    );
    let mut text = std::fs::read_to_string(&base_study).unwrap();
    text.push_str("\n[closures]\nkind = \"playground\"\nkeep_coverage = 0.95\n");
    for s in 0..6 {
        let chosen: Vec<String> = ids[s * 5..s * 5 + 5]
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect();
        text.push_str(&format!(
            "\n[[scenarios]]\nname = \"close {s}\"\nremove = {{ kind = \"playground\", ids = [{}] }}\n",
            chosen.join(", ")
        ));
    }
    let study = dir.path().join("decisions.toml");
    std::fs::write(&study, text).unwrap();
    for lang in ["en", "nl"] {
        let out = dir.path().join(format!("out-{lang}"));
        let html = report_in(&study, &out, lang);
        eprintln!("helsinki-osm with every map ({lang}): {} bytes", html.len());
        check_catchment_maps(&html, &out);
        for s in 0..6 {
            map_svg(&html, &format!("map-scenario-{}", s + 1));
        }
        if let Some(bin) = chromium() {
            let (_, stderr) = run_chromium(
                bin,
                &dir.path().join("profile"),
                &out.join("report.html"),
                &["--dump-dom".into()],
            );
            let errors = console_messages(&stderr, "report.html");
            assert!(errors.is_empty(), "{lang}: console: {errors:#?}");
        }
    }
}

/// In a real browser: zooming keeps the hatching's spacing on screen (its tiles scale by 1/z),
/// and two touch pointers moving apart zoom the map by the ratio of their distances, about the
/// point between them; one touch pointer pans.
#[test]
fn hatching_and_pinch_zoom_in_headless_chromium() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let town = dir.path().join("town");
    let status = kindscape().arg("sample").arg(&town).output().unwrap();
    assert!(status.status.success());
    let out = dir.path().join("out");
    run_quiet(&town.join("sample-town.toml"), &out);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let probe = r#"(function(){
  var m=document.getElementById('map-playground'),s=m.querySelector('svg.mv'),seen=[];
  var h=s.querySelector('pattern.hatch');
  function note(){seen.push(s.getAttribute('viewBox')+'|'+h.getAttribute('patternTransform'));}
  note();
  m.dispatchEvent(new KeyboardEvent('keydown',{key:'+',bubbles:true}));
  note();
  m.dispatchEvent(new KeyboardEvent('keydown',{key:'0',bubbles:true}));
  var r=s.getBoundingClientRect(),cx=r.left+r.width/2,cy=r.top+r.height/2;
  function p(type,id,x,y){s.dispatchEvent(new PointerEvent(type,{pointerId:id,pointerType:'touch',clientX:x,clientY:y,bubbles:true}));}
  p('pointerdown',1,cx-40,cy);p('pointerdown',2,cx+40,cy);
  p('pointermove',2,cx+120,cy);
  note();
  p('pointerup',1,cx-40,cy);
  p('pointermove',2,cx+100,cy);
  note();
  p('pointerup',2,cx+100,cy);
  document.body.setAttribute('data-probe',seen.join(';'));
})();"#;
    let probed = run_probe(bin, dir.path(), &html, probe, &["--window-size=1280,2400"]);
    let seen: Vec<(Vec<f64>, String)> = probed
        .split(';')
        .map(|s| {
            let (b, t) = s.split_once('|').unwrap();
            (
                b.split(' ').map(|v| v.parse().unwrap()).collect(),
                t.to_string(),
            )
        })
        .collect();
    assert_eq!(seen.len(), 4);
    let full = &seen[0].0;
    assert_eq!(seen[0].1, "rotate(45)");
    // `+` zooms 1.5 times: the hatching's tiles shrink by as much in map units.
    assert_eq!(seen[1].1, "rotate(45) scale(0.6667)");
    // The pointers 80 px apart move to 160 px: twice in, about their midpoint, which moved 40
    // px right of the centre (the map's units per pixel: full width / drawn width).
    let pinched = &seen[2].0;
    assert!((pinched[2] - full[2] / 2.0).abs() < 0.02, "{pinched:?}");
    assert!((pinched[3] - full[3] / 2.0).abs() < 0.02, "{pinched:?}");
    assert_eq!(seen[2].1, "rotate(45) scale(0.5)");
    // The point between the fingers stays put: right of the centre, so the view's centre moves
    // right, halfway to it.
    let centre = |b: &[f64]| b[0] + b[2] / 2.0;
    assert!(centre(pinched) > centre(full), "{pinched:?} from {full:?}");
    // One finger 20 px left drags the map left: the view moves right, at the same zoom.
    let panned = &seen[3].0;
    assert!(panned[0] > pinched[0], "{panned:?} from {pinched:?}");
    assert!((panned[2] - pinched[2]).abs() < 0.02 && (panned[1] - pinched[1]).abs() < 0.02);
}

/// Runs the study with the report in `lang` and returns the report, checked to be under the size
/// limit.
fn report_in(study: &Path, out: &Path, lang: &str) -> String {
    let run = kindscape()
        .arg("run")
        .arg(study)
        .arg("--out")
        .arg(out)
        .args(["--quiet", "--lang", lang])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.len() < MAX_REPORT_BYTES,
        "{lang}: {} bytes",
        html.len()
    );
    html
}
