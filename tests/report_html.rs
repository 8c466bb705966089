//! `report.html` and `summary.md`: structure, offline-ness and rendering in a real browser.
//!
//! The structure checks read the written files with a small tag tokenizer written here (not the
//! report's code); the coverage figures are recomputed from the sample town's input layer and
//! `homes.csv` distances by hand rules (children shared over a neighbourhood's homes by count);
//! the browser test runs Debian's chromium headless and reads its rendered DOM and console.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use common::browser::{chromium, console_messages, run_chromium, run_probe};
use common::page::{data_strings, english_leaks, english_only_words, visible_text};
use common::{kindscape, read_csv, write_sample};

/// The only absolute URLs the report may hold: attribution links, as `<a href>`.
const ALLOWED_URLS: [&str; 2] = [
    "https://www.openstreetmap.org/copyright",
    "https://www.cbs.nl",
];

/// Maps every report has, besides one per amenity kind (`map-<kind>`).
const FIXED_MAPS: [&str; 4] = ["map-gap", "map-score", "map-play-area", "map-priority"];

/// Writes the sample town into `dir/town` and runs it; returns the output folder.
fn run_sample(dir: &Path) -> PathBuf {
    let town = write_sample(dir);
    run_town(&town, &dir.join("out"))
}

/// Runs the sample town's study in `town` into `out`; returns `out`.
fn run_town(town: &Path, out: &Path) -> PathBuf {
    let run = kindscape()
        .arg("run")
        .arg(town.join("sample-town.toml"))
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    out.to_path_buf()
}

/// Every `<svg id="map-…">…</svg>` of the page, by id (a map nests the `<svg>` that pans and
/// zooms, so its end is the `</svg>` that closes it, not the first one).
fn map_svgs(html: &str) -> BTreeMap<String, &str> {
    let mut maps = BTreeMap::new();
    let mut rest = html;
    while let Some(p) = rest.find("<svg id=\"map-") {
        let from = &rest[p..];
        let id_end = from[9..].find('"').unwrap() + 9;
        let (mut depth, mut at) = (0usize, 0usize);
        let end = loop {
            let open = from[at..].find("<svg").map(|i| i + at);
            let close = from[at..].find("</svg>").expect("every map svg is closed") + at;
            match open {
                Some(o) if o < close => {
                    depth += 1;
                    at = o + 4;
                }
                _ => {
                    depth -= 1;
                    at = close + 6;
                    if depth == 0 {
                        break at;
                    }
                }
            }
        };
        maps.insert(from[9..id_end].to_string(), &from[..end]);
        rest = &from[end..];
    }
    maps
}

/// The elements `<tag …>` of an SVG fragment whose opening tag contains `marker`, each up to the
/// end of its opening tag.
fn tags_with<'a>(svg: &'a str, tag: &str, marker: &str) -> Vec<&'a str> {
    svg.match_indices(&format!("<{tag} "))
        .map(|(i, _)| &svg[i..i + svg[i..].find('>').unwrap() + 1])
        .filter(|t| t.contains(marker))
        .collect()
}

/// The contents of the first `<g class="…">` group of a map, up to its `</g>` (the groups
/// searched here hold no nested `<g>`).
fn group<'a>(svg: &'a str, class: &str) -> &'a str {
    let Some(start) = svg.find(&format!("<g class=\"{class}\"")) else {
        return "";
    };
    let from = &svg[start..];
    &from[..from.find("</g>").unwrap()]
}

/// The `data-id` of every neighbourhood path in a map.
fn path_ids(svg: &str) -> Vec<String> {
    svg.match_indices("<path class=\"nb\" data-id=\"")
        .map(|(i, m)| {
            let v = &svg[i + m.len()..];
            v[..v.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Values of every `src` and `href` attribute (any quoting, any case).
fn link_values(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    for attr in ["src=", "href="] {
        for (i, _) in lower.match_indices(attr) {
            // Only attributes: the name starts after a space (or `:` as in xlink:href).
            let before = lower[..i].chars().last().unwrap_or(' ');
            if !(before.is_whitespace() || before == ':') {
                continue;
            }
            let v = &html[i + attr.len()..];
            let value = match v.chars().next() {
                Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
                _ => v
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or(""),
            };
            out.push(value.to_string());
        }
    }
    out
}

/// Links that would reach outside the file: anything but an in-page anchor or an attribution link.
fn external_links(html: &str) -> Vec<String> {
    link_values(html)
        .into_iter()
        .filter(|v| !v.starts_with('#') && !ALLOWED_URLS.contains(&v.as_str()))
        .collect()
}

/// Checks that every element is closed in order (void elements and `/>` excepted; the text of
/// `<script>` and `<style>` skipped); returns how many elements there are.
fn check_well_formed(html: &str) -> Result<usize, String> {
    const VOID: [&str; 9] = [
        "meta", "br", "hr", "img", "input", "link", "col", "source", "wbr",
    ];
    let mut stack: Vec<String> = Vec::new();
    let mut count = 0;
    let mut i = 0;
    while let Some(p) = html[i..].find('<') {
        let start = i + p;
        let end = start
            + html[start..]
                .find('>')
                .ok_or_else(|| format!("unclosed tag at byte {start}"))?;
        let tag = &html[start + 1..end];
        i = end + 1;
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            match stack.pop() {
                Some(open) if open == name => {}
                other => {
                    return Err(format!(
                        "</{name}> at byte {start} closes {other:?} (open: {:?})",
                        stack.iter().rev().take(4).collect::<Vec<_>>()
                    ))
                }
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect::<String>()
            .to_ascii_lowercase();
        count += 1;
        if VOID.contains(&name.as_str()) || tag.ends_with('/') {
            continue;
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            let body_end = html[i..]
                .find(&close)
                .ok_or_else(|| format!("<{name}> never closed"))?;
            i += body_end + close.len();
            continue;
        }
        stack.push(name);
    }
    if stack.is_empty() {
        Ok(count)
    } else {
        Err(format!("left open: {stack:?}"))
    }
}

/// The checks every report must pass: well formed, offline, one path per neighbourhood per map.
fn check_report(html: &str, ids: &BTreeSet<String>, kinds: &[String], catchment_bands: usize) {
    let elements = check_well_formed(html).unwrap_or_else(|e| panic!("report.html: {e}"));
    assert!(elements > 100, "{elements} elements");
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    let external = external_links(html);
    assert!(external.is_empty(), "external links: {external:?}");
    let lower = html.to_ascii_lowercase();
    for banned in ["<img", "<link", "<iframe", "<object", "<embed", "@import"] {
        assert!(!lower.contains(banned), "report.html contains {banned}");
    }
    // `url(` only for the page's own patterns (`url(#map-hatch)`), never a file or the network.
    for (i, _) in lower.match_indices("url(") {
        assert!(
            lower[i..].starts_with("url(#"),
            "report.html loads {}",
            &lower[i..i + 40.min(lower.len() - i)]
        );
    }
    for (i, _) in lower.match_indices("<script") {
        assert!(
            lower[i..].starts_with("<script>"),
            "a script tag with attributes (src?)"
        );
    }
    let maps = map_svgs(html);
    let mut expected: BTreeSet<String> = kinds.iter().map(|k| format!("map-{k}")).collect();
    expected.extend(FIXED_MAPS.iter().map(|m| m.to_string()));
    expected.extend((0..catchment_bands).map(|b| format!("map-catchments-{b}")));
    let found: BTreeSet<String> = maps.keys().cloned().collect();
    assert_eq!(found, expected);
    for (id, svg) in &maps {
        let paths = path_ids(svg);
        assert_eq!(paths.len(), ids.len(), "{id}: one path per neighbourhood");
        let set: BTreeSet<String> = paths.into_iter().collect();
        assert_eq!(&set, ids, "{id}: the neighbourhoods' ids");
        for (i, _) in svg.match_indices("<path class=\"nb\"") {
            let element = &svg[i..i + svg[i..].find("</path>").unwrap()];
            assert!(element.contains("<title>"), "{id}: a path without a title");
        }
        for part in ["aria-label=\"north arrow\"", "aria-label=\"scale bar\""] {
            assert!(svg.contains(part), "{id}: no {part}");
        }
    }
}

fn neighbourhood_ids(out: &Path) -> BTreeSet<String> {
    read_csv(&out.join("neighbourhoods.csv"))
        .into_iter()
        .map(|r| r["id"].clone())
        .collect()
}

/// The bands of `catchments.geojson`: one catchment map each.
fn catchment_bands(out: &Path) -> usize {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("catchments.geojson")).unwrap())
            .unwrap();
    let bands: BTreeSet<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["band"].as_str())
        .collect();
    bands.len()
}

fn kinds_of(out: &Path) -> Vec<String> {
    let rows = read_csv(&out.join("neighbourhoods.csv"));
    rows[0]
        .keys()
        .filter_map(|c| c.strip_suffix("_net_coverage").map(String::from))
        .collect()
}

/// A Markdown table row's cells, without thousands separators and percent signs.
fn md_row(md: &str, prefix: &str) -> Vec<String> {
    let line = md
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("summary.md has no row {prefix}"));
    line.trim_matches('|')
        .split('|')
        .map(|c| c.trim().replace([',', '%'], ""))
        .collect()
}

#[test]
fn sample_town_report_structure_and_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(dir.path());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let ids = neighbourhood_ids(&out);
    assert_eq!(ids.len(), 6);
    let kinds = kinds_of(&out);
    assert_eq!(kinds.len(), 4);
    check_report(&html, &ids, &kinds, catchment_bands(&out));
    for section in [
        "summary",
        "maps",
        "equity",
        "priority",
        "sites",
        "meeting",
        "provenance",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{section}\">")),
            "{section}"
        );
    }

    // Independent figures: each neighbourhood's children per band shared equally over its homes
    // (the sample study has no children attribute on homes), judged against the nl norms for
    // playgrounds (100 / 400 / 1000 m) with homes.csv's straight-line distances.
    let nb: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("town/neighbourhoods.geojson")).unwrap(),
    )
    .unwrap();
    let bands = [
        ("0-5", "age_0_5", 100.0),
        ("6-11", "age_6_11", 400.0),
        ("12-17", "age_12_17", 1000.0),
    ];
    let mut band_children: HashMap<String, [f64; 3]> = HashMap::new();
    for f in nb["features"].as_array().unwrap() {
        let p = &f["properties"];
        let mut c = [0.0; 3];
        for (b, (_, field, _)) in bands.iter().enumerate() {
            c[b] = p[*field].as_f64().unwrap();
        }
        band_children.insert(p["code"].as_str().unwrap().to_string(), c);
    }
    let homes = read_csv(&out.join("homes.csv"));
    let mut per_nb: HashMap<String, f64> = HashMap::new();
    for h in &homes {
        *per_nb.entry(h["neighbourhood_id"].clone()).or_default() += 1.0;
    }
    // Straight-line and, per band, network distances as homes.csv gives them (an empty network
    // distance is unreachable); the network decides when the study has one.
    let network = homes[0].contains_key("playground_net_m_0-5");
    let mut within = [0.0; 3];
    let mut within_net = [0.0; 3];
    let mut total = [0.0; 3];
    let mut outside_homes = 0;
    let mut children_beyond = 0.0;
    for h in &homes {
        let id = &h["neighbourhood_id"];
        let d: f64 = h["playground_m"].parse().unwrap();
        let mut outside = false;
        for (b, (label, _, norm)) in bands.iter().enumerate() {
            let c = band_children[id][b] / per_nb[id];
            let net = if network {
                h[&format!("playground_net_m_{label}")]
                    .parse()
                    .unwrap_or(f64::INFINITY)
            } else {
                d
            };
            total[b] += c;
            if d <= *norm {
                within[b] += c;
            }
            if net <= *norm {
                within_net[b] += c;
            } else if c > 0.0 {
                outside = true;
                children_beyond += c;
            }
        }
        outside_homes += usize::from(outside);
    }
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    let header = md_row(&md, "| Kind | Age band | Norm (m) | Children | Within norm");
    let col = |name: &str| header.iter().position(|h| h == name);
    let straight_col = col("Within norm")
        .or(col("Within norm (straight line)"))
        .unwrap();
    let net_col = col("Within norm (network)");
    assert_eq!(net_col.is_some(), network);
    let outside_col = col("Outside norm").unwrap();
    for (b, (label, _, norm)) in bands.iter().enumerate() {
        let cells = md_row(&md, &format!("| Playground | {label} |"));
        let value = |i: usize| cells[i].parse::<f64>().unwrap();
        assert_eq!(value(2), *norm);
        assert_eq!(value(3), total[b].round(), "{label}");
        assert_eq!(
            value(straight_col),
            (100.0 * within[b] / total[b]).round(),
            "{label}: coverage"
        );
        if let Some(n) = net_col {
            assert_eq!(
                value(n),
                (100.0 * within_net[b] / total[b]).round(),
                "{label}: network coverage"
            );
        }
        assert_eq!(
            value(outside_col),
            (total[b] - within_net[b]).round(),
            "{label}: children outside"
        );
    }
    let all = md_row(&md, "| Playground | all bands |");
    let share = within.iter().sum::<f64>() / total.iter().sum::<f64>();
    assert_eq!(
        all[straight_col].parse::<f64>().unwrap(),
        (100.0 * share).round()
    );
    for kind in ["Green space", "Library", "Community centre"] {
        md_row(&md, &format!("| {kind} | all bands |"));
    }

    // The gap map's hexagons hold, together, every child beyond the playground norm: the hand
    // sum above (each hexagon's count is written with three decimals).
    let maps = map_svgs(&html);
    let hexes = tags_with(group(maps["map-gap"], "hex"), "path", "data-n=");
    assert!(!hexes.is_empty());
    let hex_total: f64 = hexes
        .iter()
        .map(|t| {
            let v = &t[t.find("data-n=\"").unwrap() + 8..];
            v[..v.find('"').unwrap()].parse::<f64>().unwrap()
        })
        .sum();
    assert!(
        (hex_total - children_beyond).abs() < 0.0005 * hexes.len() as f64 + 1e-9,
        "hexagons {hex_total} against {children_beyond} children beyond the norm"
    );
    assert!(outside_homes > 0);
    // No red dot per home any more.
    assert!(!maps["map-playground"].contains("r=\"1.5\"/>"));
    // Three proposed sites as stars on the focus and priority maps.
    let sites = read_csv(&out.join("sites.csv")).len();
    assert_eq!(sites, 3);
    for m in ["map-playground", "map-priority"] {
        assert_eq!(
            maps[m].matches("<title>Proposed site").count(),
            sites,
            "{m}"
        );
    }
    // Every cost-benefit assumption line is in the page (escaped) and in summary.md.
    let run_text = kindscape()
        .arg("run")
        .arg(dir.path().join("town/sample-town.toml"))
        .arg("--out")
        .arg(dir.path().join("out2"))
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&run_text.stdout).to_string();
    let assumptions: Vec<&str> = printed
        .lines()
        .skip_while(|l| !l.starts_with("Assumptions:"))
        .skip(1)
        .take_while(|l| l.starts_with("  - "))
        .map(|l| &l[4..])
        .collect();
    assert!(assumptions.len() > 5, "{printed}");
    for a in assumptions {
        let escaped = a
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;");
        assert!(html.contains(&format!("<li>{escaped}</li>")), "{a}");
        assert!(md.contains(&format!("- {a}")), "{a}");
    }
    // Provenance: every input's hash.
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    for input in run_json["inputs"].as_array().unwrap() {
        let hash = input["sha256"].as_str().unwrap();
        assert!(html.contains(hash) && md.contains(hash), "{hash}");
    }
    eprintln!(
        "sample town: report.html {} bytes, summary.md {} bytes",
        html.len(),
        md.len()
    );
}

/// Replaces `from` by `to` in a written layer, failing when the layer does not hold it.
fn rename_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} holds no {from}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn names_with_markup_are_escaped_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let town = write_sample(dir.path());
    // JSON strings: the quotes are the layer's, the markup is the name.
    let neighbourhood = "<script>alert(1)</script> Centrum & Haven";
    let playground = "Speelplek <script>steal()</script> & Co";
    rename_in(
        &town.join("neighbourhoods.geojson"),
        "\"name\":\"Centrum\"",
        &format!("\"name\":\"{neighbourhood}\""),
    );
    rename_in(
        &town.join("playgrounds.geojson"),
        "\"name\":\"Speelplek Centrum 1\"",
        &format!("\"name\":\"{playground}\""),
    );
    let out = run_town(&town, &dir.path().join("out"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // The page's own scripts (the page's and the maps') are the only ones, and the markup of
    // both names never reaches them.
    assert_eq!(html.matches("<script>").count(), 2);
    assert!(!html.contains("<script>alert") && !html.contains("<script>steal"));
    assert!(!html.contains(" & Haven") && !html.contains(" & Co"));
    // Both names are there, escaped: in tables, map titles and hover texts.
    let escaped_nb = "&lt;script&gt;alert(1)&lt;/script&gt; Centrum &amp; Haven";
    let escaped_pg = "Speelplek &lt;script&gt;steal()&lt;/script&gt; &amp; Co";
    assert!(
        html.matches(escaped_nb).count() >= 3,
        "neighbourhood name not shown escaped"
    );
    assert!(html.contains(&format!("<td>{escaped_nb}</td>")));
    assert!(html.contains(&format!("<title>{escaped_pg}</title>")));
    assert!(html.contains(&format!("<td>{escaped_pg}</td>")));
    check_well_formed(&html).unwrap();
}

#[test]
fn the_checks_catch_what_they_should() {
    let mut found = external_links("<a href=\"https://x.org/a\">x</a><img src='//cdn/x.png'>");
    found.sort();
    assert_eq!(found, vec!["//cdn/x.png", "https://x.org/a"]);
    assert!(
        external_links("<a href=\"#maps\">m</a><a href=\"https://www.cbs.nl\">c</a>").is_empty()
    );
    assert_eq!(
        link_values("<svg><use xlink:href=\"http://e/x\"/></svg>"),
        vec!["http://e/x"]
    );
    assert!(check_well_formed("<div><p>a</p></div>").is_ok());
    assert!(check_well_formed("<div><p>a</div></p>").is_err());
    assert!(check_well_formed("<svg><path d=\"M0 0\"/></svg><script>if(a<b){}</script>").is_ok());
    assert!(check_well_formed("<section><svg></section>").is_err());
}

/// The names of a layer's features, from its GeoJSON.
fn feature_names(path: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["name"].as_str().map(String::from))
        .collect()
}

/// How many features of a GeoJSON layer have each geometry type.
fn geometry_types(path: &Path) -> BTreeMap<String, usize> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for f in v["features"].as_array().unwrap() {
        *out.entry(f["geometry"]["type"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    out
}

#[test]
fn sample_town_maps_have_context_shapes_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(dir.path());
    let town = dir.path().join("town");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // The backdrop is written once and every map uses it.
    let defs = &html[html
        .find("<svg class=\"map-defs\"")
        .expect("the shared map defs")..];
    let streets = tags_with(defs, "path", "class=\"bd-streets\"");
    assert_eq!(streets.len(), 1, "one street path");
    // The sample's walk network is the streets: at least one line per residential street.
    assert!(streets[0].matches('M').count() >= 5, "{}", streets[0]);
    // The sample study has a green-space layer and no extract: its polygons are the green.
    assert_eq!(tags_with(defs, "path", "class=\"bd-green\"").len(), 1);
    let maps = map_svgs(&html);
    let names = feature_names(&town.join("neighbourhoods.geojson"));
    assert_eq!(names.len(), 6);
    for (id, svg) in &maps {
        assert_eq!(svg.matches("<use href=\"#map-bd\"").count(), 1, "{id}");
        // One label per named neighbourhood, each name once.
        let labels = group(svg, "lbl");
        for name in &names {
            assert_eq!(
                labels.matches(&format!(">{name}</text>")).count(),
                1,
                "{id}: {name}"
            );
        }
        assert_eq!(labels.matches("<text").count(), names.len(), "{id}");
        // Pan and zoom: the nested view starts at its full extent, with the three buttons.
        let view = tags_with(svg, "svg", "class=\"mv\"");
        assert_eq!(view.len(), 1, "{id}");
        let attr = |a: &str| {
            let v = &view[0][view[0].find(&format!(" {a}=\"")).unwrap() + a.len() + 3..];
            v[..v.find('"').unwrap()].to_string()
        };
        assert_eq!(attr("viewBox"), attr("data-full"), "{id}");
        for z in ["in", "out", "reset"] {
            assert!(svg.contains(&format!("data-zoom=\"{z}\"")), "{id}: {z}");
        }
    }
    // Amenities as their shapes: the playground layer's polygons as paths, its points as circles.
    let types = geometry_types(&town.join("playgrounds.geojson"));
    let shapes = group(maps["map-playground"], "am");
    assert_eq!(shapes.matches("<path ").count(), types["Polygon"]);
    assert_eq!(shapes.matches("<circle ").count(), types["Point"]);
    assert!(types["Polygon"] > 0 && types["Point"] > 0);
    // Green spaces of at least 0.5 ha (the study's min_area_m2): one is smaller and left out.
    let green = geometry_types(&town.join("green_spaces.geojson"));
    assert_eq!(
        group(maps["map-green_space"], "am")
            .matches("<path ")
            .count(),
        green["Polygon"] - 1
    );
    // Every neighbourhood has children: nothing is hatched.
    assert!(!html.contains("data-no-children"));
    // The page's only script and style outside the page shell are the maps' own, once.
    assert_eq!(html.matches("<svg class=\"map-defs\"").count(), 1);
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn sample_town_report_in_headless_chromium() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(dir.path());
    let page = out.join("report.html").canonicalize().unwrap();
    let profile = dir.path().join("profile");

    // The console check must see an error when there is one.
    let broken = dir.path().join("broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><html><body><script>notDefined();</script></body></html>",
    )
    .unwrap();
    let (_, stderr) = run_chromium(bin, &profile, &broken, &["--dump-dom".into()]);
    assert!(
        !console_messages(&stderr, "broken.html").is_empty(),
        "chromium no longer logs uncaught errors as expected:\n{stderr}"
    );

    let (dom, stderr) = run_chromium(bin, &profile, &page, &["--dump-dom".into()]);
    let errors = console_messages(&stderr, "report.html");
    assert!(errors.is_empty(), "console: {errors:#?}");
    assert!(
        dom.contains("data-ready=\"true\""),
        "the page script did not run to its end"
    );
    let ids = neighbourhood_ids(&out);
    let maps = map_svgs(&dom);
    assert_eq!(
        maps.len(),
        kinds_of(&out).len() + FIXED_MAPS.len() + catchment_bands(&out)
    );
    for (id, svg) in &maps {
        let set: BTreeSet<String> = path_ids(svg).into_iter().collect();
        assert_eq!(path_ids(svg).len(), ids.len(), "{id} in the rendered DOM");
        assert_eq!(set, ids, "{id}");
    }

    let shot = target_dir().join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    let (_, stderr) = run_chromium(
        bin,
        &profile,
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400".into(),
        ],
    );
    let errors = console_messages(&stderr, "report.html");
    assert!(errors.is_empty(), "console: {errors:#?}");
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{}: {e}\n{stderr}", shot.display()));
    assert_eq!(png_size(&png), (1280, 2400));
    assert!(
        png.len() > 50_000,
        "a nearly empty screenshot: {} bytes",
        png.len()
    );
    eprintln!("screenshot: {} ({} bytes)", shot.display(), png.len());
}

/// The maps' script in a real browser: a test page is the report plus a script that zooms the
/// focus map with the wheel (at its centre), a button and a key, returns with `0`, zooms again
/// and prints, and writes each viewBox into the page, which `--dump-dom` reads back.
#[test]
fn map_zoom_in_headless_chromium() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(dir.path());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let probe = r#"(function(){
  var m=document.getElementById('map-playground'),s=m.querySelector('svg.mv'),seen=[];
  function note(){seen.push(s.getAttribute('viewBox')+'|'+m.querySelector('g.lbl').getAttribute('font-size')+'|'+s.getAttribute('class'));}
  note();
  var r=s.getBoundingClientRect();
  s.dispatchEvent(new WheelEvent('wheel',{deltaY:-100,clientX:r.left+r.width/2,clientY:r.top+r.height/2,bubbles:true,cancelable:true}));
  note();
  m.querySelector('g.zb [data-zoom=in]').dispatchEvent(new MouseEvent('click',{bubbles:true}));
  note();
  m.dispatchEvent(new KeyboardEvent('keydown',{key:'+',bubbles:true}));
  note();
  m.dispatchEvent(new KeyboardEvent('keydown',{key:'0',bubbles:true}));
  note();
  m.dispatchEvent(new KeyboardEvent('keydown',{key:'+',bubbles:true}));
  window.dispatchEvent(new Event('beforeprint'));
  note();
  document.body.setAttribute('data-probe',seen.join(';'));
})();"#;
    let probed = run_probe(bin, dir.path(), &html, probe, &[]);
    let seen: Vec<(Vec<f64>, f64, String)> = probed
        .split(';')
        .map(|s| {
            let p: Vec<&str> = s.split('|').collect();
            let b = p[0].split(' ').map(|v| v.parse().unwrap()).collect();
            (b, p[1].parse().unwrap(), p[2].to_string())
        })
        .collect();
    assert_eq!(seen.len(), 6);
    let full = &seen[0].0;
    let (fs, width) = (seen[0].1, full[2]);
    let centre = |b: &[f64]| (b[0] + b[2] / 2.0, b[1] + b[3] / 2.0);
    let close = |a: f64, b: f64| (a - b).abs() < 0.02;
    // A synthetic event's clientX and clientY are whole pixels: the centre moves by less than
    // a pixel's worth of units (about 1.5 here; half the width in 300 px is generous).
    let px = width / 300.0;
    // Wheel up at the centre: 1.25 times in, about the same centre (the viewBox is rounded to
    // 0.01); labels keep their size on screen.
    let zooms = [1.25, 1.25 * 1.5, 1.25 * 1.5 * 1.5];
    for (i, z) in zooms.iter().enumerate() {
        let (b, f, _) = &seen[i + 1];
        assert!(close(b[2], width / z), "step {i}: {b:?} from {full:?}");
        assert!(close(b[3], full[3] / z), "step {i}: {b:?}");
        let (c, c0) = (centre(b), centre(full));
        assert!(
            (c.0 - c0.0).abs() < px && (c.1 - c0.1).abs() < px,
            "step {i}: {b:?} from {full:?}"
        );
        // (z is read back from the viewBox, rounded to 0.01 unit.)
        assert!((f - fs / z).abs() < 1e-3 * fs, "step {i}: labels {f}");
    }
    // From twice the full view the minor labels show (class z2).
    assert!(!seen[2].2.contains("z2") && seen[3].2.contains("z2"));
    // `0` and printing return to the full view.
    assert_eq!(seen[4].0, *full);
    assert_eq!(seen[5].0, *full);
}

// ---------------------------------------------------------------------------------------------
// Real areas

#[test]
fn real_area_reports_open_offline() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    for (name, attribution) in [
        ("helsinki.toml", "https://www.openstreetmap.org/copyright"),
        ("harderwijk.toml", "https://www.cbs.nl"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let study = common::example_study(name, &data, dir.path());
        let run = kindscape()
            .arg("run")
            .arg(&study)
            .arg("--quiet")
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let out = dir.path().join("out");
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        check_report(
            &html,
            &neighbourhood_ids(&out),
            &kinds_of(&out),
            catchment_bands(&out),
        );
        assert!(
            link_values(&html).iter().any(|v| v == attribution),
            "{name}: no attribution link {attribution}"
        );
        let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
        assert!(md.contains("| Playground | all bands |"), "{name}");
        assert!(html.len() < 3_000_000, "{name}: {} bytes", html.len());
        eprintln!("{name}: report.html {} bytes", html.len());
        if name == "harderwijk.toml" {
            harderwijk_lake_has_no_children(&html);
        }
    }
}

/// Groot water (WK024399), the lake, has 10 children from three grid cells on its shore but no
/// residents in the CBS figures: every map hatches it as "no children" and lists that in its
/// legend; a wijk with residents (Binnenstad, WK024301) keeps its class colour.
fn harderwijk_lake_has_no_children(html: &str) {
    let maps = map_svgs(html);
    assert!(maps.len() >= 5);
    for (id, svg) in &maps {
        let lake = tags_with(svg, "path", "data-id=\"WK024399\"");
        assert_eq!(lake.len(), 1, "{id}");
        assert!(
            lake[0].contains("data-no-children=\"true\"")
                && lake[0].contains(&format!("fill=\"url(#{id}-hatch)\"")),
            "{id}: {}",
            lake[0]
        );
        let town = tags_with(svg, "path", "data-id=\"WK024301\"");
        assert!(
            !town[0].contains("data-no-children") && !town[0].contains("url("),
            "{id}"
        );
        assert!(
            svg.contains(">no children (water, empty)</text>"),
            "{id}: no legend entry"
        );
        assert!(group(svg, "lbl").contains(">Groot water</text>"), "{id}");
    }
}

/// Helsinki from the OpenStreetMap extract: streets, water and green in the backdrop, polygon
/// playgrounds as paths, and the report under 3 MB.
#[test]
fn helsinki_osm_maps_have_streets_water_and_green() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = common::example_study("helsinki-osm.toml", &data, dir.path());
    let out = dir.path().join("out");
    common::run_quiet(&study, &out);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    check_report(
        &html,
        &neighbourhood_ids(&out),
        &kinds_of(&out),
        catchment_bands(&out),
    );
    assert!(html.len() < 3_000_000, "{} bytes", html.len());
    for part in ["bd-streets", "bd-water", "bd-green"] {
        let paths = tags_with(&html, "path", &format!("class=\"{part}\""));
        assert_eq!(paths.len(), 1, "{part}");
        assert!(paths[0].len() > 1000, "{part}: {} bytes", paths[0].len());
    }
    let maps = map_svgs(&html);
    let shapes = group(maps["map-playground"], "am");
    assert!(
        shapes.matches("<path ").count() > 50,
        "playground polygons as paths"
    );
    eprintln!("helsinki-osm: report.html {} bytes", html.len());
}

// ---------------------------------------------------------------------------------------------
// Dutch

#[test]
fn dutch_report_has_no_english_words() {
    let dir = tempfile::tempdir().unwrap();
    let town = write_sample(dir.path());
    let out = dir.path().join("out");
    let run = kindscape()
        .arg("run")
        .arg(town.join("sample-town.toml"))
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .args(["--lang", "nl"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"nl\">"));
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    // Data is not translated: it is taken out where it stands (names, ids and paths from the
    // layers and the study file); what the stages say (assumptions, norm sources, sensitivity
    // cases) is not data and must be Dutch.
    let data = data_strings(&town.join("sample-town.toml"), &out);
    let english = english_only_words();
    // The check can fail: the English report is full of these words.
    let english_html =
        std::fs::read_to_string(run_sample(&dir.path().join("en")).join("report.html")).unwrap();
    assert!(english_leaks(&visible_text(&english_html), &data, &english).len() > 50);
    for (name, text) in [
        ("report.html", visible_text(&html)),
        ("summary.md", md.clone()),
    ] {
        let found = english_leaks(&text, &data, &english);
        assert!(
            found.is_empty(),
            "English words in the Dutch {name}: {found:?}"
        );
    }
    assert!(html.contains("Speelplek") && html.contains("buurten"));
}
