//! The report on paper and in Dutch: the A4 print layout keeps every table whole in
//! `report.pdf` (its headers read back with poppler's `pdftotext`); `--pdf` prints through
//! Chromium, warns without one, and leaves the output folder as it was when the browser fails or
//! hangs (stand-in browsers: shell scripts); the Dutch and English reports of Harderwijk and
//! Helsinki render without console errors and weigh under 3 MB, and the Dutch ones hold no
//! English word of the catalogue.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::browser::{chromium, console_messages, pdf_pages, pdf_text, poppler, run_chromium};
use common::kindscape;
use common::page::{catalogue_words, visible_text, words};

/// The most a report may weigh: councils mail it.
const MAX_REPORT_BYTES: usize = 3_000_000;

/// A4 in points.
const A4: (f64, f64) = (595.3, 841.9);

// ---------------------------------------------------------------------------------------------
// Table headers in the printed PDF

/// Every table's header cells in page order, as a reader sees them (tags dropped, entities
/// decoded, spaces collapsed).
fn table_headers(html: &str) -> Vec<Vec<String>> {
    let mut tables = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<thead>") {
        let end = start + rest[start..].find("</thead>").expect("a closed thead");
        let mut head = &rest[start + "<thead>".len()..end];
        let mut cells = Vec::new();
        while let Some(p) = head.find("<th") {
            let after = &head[p + 3..];
            if !(after.starts_with('>') || after.starts_with(' ')) {
                head = after;
                continue;
            }
            let open_end = p + 3 + after.find('>').unwrap() + 1;
            let close = open_end + head[open_end..].find("</th>").expect("a closed th");
            let text = visible_text(&head[open_end..close]);
            cells.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
            head = &head[close..];
        }
        tables.push(cells);
        rest = &rest[end..];
    }
    tables
}

/// Text without whitespace: a header the PDF wraps over lines still matches.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The tables whose header row is not in the PDF's text as one run, left to right: a column cut
/// off at the page's edge, or anything drawn between the headers, breaks the run.
fn tables_not_in_pdf(tables: &[Vec<String>], text: &str) -> Vec<Vec<String>> {
    let text = squeezed(text);
    tables
        .iter()
        .filter(|t| !text.contains(&squeezed(&t.concat())))
        .cloned()
        .collect()
}

#[test]
fn header_check_reads_cells_and_their_order() {
    let html = "<table><thead><tr><th title=\"Click\">Kind &amp; band</th><th>Q1</th></tr></thead>\
                <tbody><tr><td>x</td></tr></tbody></table><table><thead><tr><th></th><th>NPV\n(EUR)</th></tr></thead></table>";
    let tables = table_headers(html);
    assert_eq!(
        tables,
        vec![
            vec!["Kind & band".to_string(), "Q1".into()],
            vec!["".to_string(), "NPV (EUR)".into()]
        ]
    );
    // Wrapped over lines: found; a column missing or out of order: not.
    assert!(tables_not_in_pdf(&tables, "x Kind &\nband Q1 y NPV\n(EUR)").is_empty());
    assert_eq!(
        tables_not_in_pdf(&tables, "Kind & band y NPV (EUR)"),
        vec![tables[0].clone()]
    );
    assert_eq!(
        tables_not_in_pdf(&tables, "Kind & band Q1 (EUR) NPV"),
        vec![tables[1].clone()]
    );
}

/// Environment entries: set (`Some`) or removed (`None`).
type Env<'a> = [(&'a str, Option<&'a str>)];

/// Runs kindscape with `env` changed.
fn run(study: &Path, out: &Path, args: &[&str], env: &Env) -> Output {
    let mut cmd = kindscape();
    cmd.arg("run").arg(study).arg("--out").arg(out).args(args);
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn real_area_reports_print_every_table_whole_on_a4_and_render_cleanly() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let Some(bin) = chromium() else { return };
    if !poppler() {
        return;
    }
    for name in ["harderwijk.toml", "helsinki.toml"] {
        let dir = tempfile::tempdir().unwrap();
        let study = common::example_study(name, &data, dir.path());
        for lang in ["en", "nl"] {
            let out = dir.path().join(format!("out-{lang}"));
            let o = run(
                &study,
                &out,
                &["--quiet", "--pdf", "--lang", lang],
                &[("KINDSCAPE_CHROMIUM", Some(bin))],
            );
            assert!(o.status.success(), "{name} {lang}: {}", stderr(&o));
            assert!(!stderr(&o).contains("report.pdf"), "{}", stderr(&o));
            let html = std::fs::read_to_string(out.join("report.html")).unwrap();
            assert!(
                html.len() < MAX_REPORT_BYTES,
                "{name} {lang}: report.html is {} bytes",
                html.len()
            );

            // Rendered on screen: no console message, the page script ran to its end.
            let page = out.join("report.html").canonicalize().unwrap();
            let profile = dir.path().join("profile");
            let (dom, log) = run_chromium(bin, &profile, &page, &["--dump-dom".into()]);
            let errors = console_messages(&log, "report.html");
            assert!(errors.is_empty(), "{name} {lang}: console: {errors:#?}");
            assert!(dom.contains("data-ready=\"true\""), "{name} {lang}");

            // Printed: A4 pages, and every table's whole header row in the text.
            let pdf = out.join("report.pdf");
            let (pages, w, h) = pdf_pages(&pdf);
            assert!(
                (w - A4.0).abs() < 1.0 && (h - A4.1).abs() < 1.0,
                "{name} {lang}: pages of {w} x {h} pt, not A4"
            );
            let tables = table_headers(&html);
            assert!(tables.len() >= 6, "{name} {lang}: {} tables", tables.len());
            let text = pdf_text(&pdf);
            let missing = tables_not_in_pdf(&tables, &text);
            assert!(
                missing.is_empty(),
                "{name} {lang}: header rows not in report.pdf: {missing:?}"
            );
            // One page per section at least (the report has seven).
            assert!(pages >= 7, "{name} {lang}: {pages} pages");
            eprintln!(
                "{name} {lang}: report.html {} bytes, report.pdf {} bytes, {pages} A4 pages, {} tables",
                html.len(),
                std::fs::metadata(&pdf).unwrap().len(),
                tables.len()
            );

            // Without the print layout, Harderwijk's priority table loses its last columns on
            // paper (the finding): the check sees it.
            if name == "harderwijk.toml" && lang == "nl" {
                let unstyled = dir.path().join("unstyled.html");
                let plain = html.replacen("@media print{", "@media not all{", 1);
                assert_ne!(plain, html, "the print rules are not where they were");
                std::fs::write(&unstyled, plain).unwrap();
                let cut = dir.path().join("unstyled.pdf");
                run_chromium(
                    bin,
                    &profile,
                    &unstyled,
                    &[
                        format!("--print-to-pdf={}", cut.display()),
                        "--no-pdf-header-footer".into(),
                    ],
                );
                let cut_text = pdf_text(&cut);
                let lost = tables_not_in_pdf(&tables, &cut_text);
                assert!(
                    lost.iter()
                        .any(|t| t.contains(&"Dubbele achterstand".to_string())),
                    "without print rules the priority table should lose columns: {lost:?}"
                );
                assert!(!squeezed(&cut_text).contains("Dubbeleachterstand"));
                assert!(squeezed(&text).contains("Dubbeleachterstand"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// English words in the Dutch report

/// The words a Dutch report may show in English because they are data, not the report's own:
/// the study's name and the attributes it names, the names in the layers (the `name` values and
/// those of the fields the study names), the input files' names, and what the stages write in
/// English (`run.json`'s warnings and norm sources, `summary.md`'s assumptions, `cba.csv`'s
/// scenario names). Keys, kinds and folders are not data: a leaked "Equity" or "Playground"
/// must not pass for the study's `[equity]` or `kind = "playground"`.
fn data_words(study: &Path, out: &Path) -> BTreeSet<String> {
    let mut data = String::new();
    let toml: toml::Table = toml::from_str(&std::fs::read_to_string(study).unwrap()).unwrap();
    let mut fields: BTreeSet<String> = BTreeSet::from(["name".to_string()]);
    collect_named(&toml::Value::Table(toml.clone()), false, &mut fields);
    for f in &fields {
        data.push_str(f);
        data.push(' ');
    }
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    for w in run["warnings"].as_array().unwrap() {
        data.push_str(w.as_str().unwrap());
        data.push(' ');
    }
    for kind in run["norms"]["kinds"].as_object().unwrap().values() {
        data.push_str(kind["source"].as_str().unwrap_or(""));
        data.push(' ');
    }
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    for marker in ["Aannames:", "Normenset:"] {
        if let Some((_, after)) = md.split_once(marker) {
            data.push_str(after);
        }
    }
    if let Ok(cba) = std::fs::read_to_string(out.join("cba.csv")) {
        for line in cba.lines().skip(1) {
            data.push_str(line.split(',').next().unwrap_or(""));
            data.push(' ');
        }
    }
    // The contract's file names, as the Dutch text quotes them.
    data.push_str("neighbourhoods.csv meeting_places.csv run.json ");
    for input in run["inputs"].as_array().unwrap() {
        let path = Path::new(input["path"].as_str().unwrap());
        data.push_str(&path.file_name().unwrap().to_string_lossy());
        data.push(' ');
        if path.extension().is_none_or(|e| e != "geojson") {
            continue;
        }
        let layer: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for f in layer["features"].as_array().into_iter().flatten() {
            for field in &fields {
                if let Some(v) = f["properties"][field.as_str()].as_str() {
                    data.push_str(v);
                    data.push(' ');
                }
            }
        }
    }
    words(&data)
}

/// The study file's values that name things the report shows as they are: the study's name and
/// attribute names (`name`, `id`, `by`, `keep`, `population`, `children` and what they hold).
fn collect_named(v: &toml::Value, named: bool, out: &mut BTreeSet<String>) {
    const NAMING: [&str; 6] = ["name", "id", "by", "keep", "population", "children"];
    match v {
        toml::Value::String(s) if named => {
            out.insert(s.clone());
        }
        toml::Value::Array(a) => a.iter().for_each(|x| collect_named(x, named, out)),
        toml::Value::Table(t) => {
            for (k, x) in t {
                collect_named(x, named || NAMING.contains(&k.as_str()), out);
            }
        }
        _ => {}
    }
}

/// The words of the English catalogue that are not Dutch too (as "score", "norm" and "index"
/// are) and not data.
fn english_only(data: &BTreeSet<String>) -> BTreeSet<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let english = catalogue_words(&format!("{root}/src/output/i18n/en.toml"));
    let dutch = catalogue_words(&format!("{root}/src/output/i18n/nl.toml"));
    english
        .into_iter()
        .filter(|w| !dutch.contains(w) && !data.contains(w))
        .collect()
}

/// The English-only words in a text, but for the study file's `[sections]` it quotes (keys are
/// the contract's, in any language).
fn leaks(text: &str, english: &BTreeSet<String>) -> BTreeSet<String> {
    let mut unquoted = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        unquoted.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '[') =>
            {
                rest = &after[close + 1..];
            }
            _ => {
                unquoted.push('[');
                rest = after;
            }
        }
    }
    unquoted.push_str(rest);
    words(&unquoted)
        .into_iter()
        .filter(|w| english.contains(w))
        .collect()
}

#[test]
fn leak_check_passes_quoted_study_sections_only() {
    let english: BTreeSet<String> = ["equity", "playground"].map(String::from).into();
    assert!(leaks("geen [equity]-sectie, [[amenities]]", &english).is_empty());
    assert_eq!(
        leaks("Equity [playground x] playground", &english),
        ["equity", "playground"].map(String::from).into()
    );
}

#[test]
fn dutch_real_area_reports_have_no_english_words() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let nav: toml::Table = toml::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/output/i18n/en.toml"
        ))
        .unwrap(),
    )
    .unwrap();
    for name in ["harderwijk.toml", "helsinki.toml"] {
        let dir = tempfile::tempdir().unwrap();
        let study = common::example_study(name, &data, dir.path());
        let (nl, en) = (dir.path().join("nl"), dir.path().join("en"));
        for (out, lang) in [(&nl, "nl"), (&en, "en")] {
            let o = run(&study, out, &["--quiet", "--lang", lang], &[]);
            assert!(o.status.success(), "{name} {lang}: {}", stderr(&o));
        }
        let english = english_only(&data_words(&study, &nl));
        let html = std::fs::read_to_string(nl.join("report.html")).unwrap();
        assert!(html.contains("<html lang=\"nl\">"));
        let text = visible_text(&html);
        let md = std::fs::read_to_string(nl.join("summary.md")).unwrap();
        for (file, text) in [("report.html", &text), ("summary.md", &md)] {
            let found = leaks(text, &english);
            assert!(
                found.is_empty(),
                "{name}: English words in the Dutch {file}: {found:?}"
            );
        }
        // The check can fail: the English report is full of these words, and any English
        // navigation label slipped into the Dutch page is caught.
        let english_text = visible_text(&std::fs::read_to_string(en.join("report.html")).unwrap());
        let in_english = leaks(&english_text, &english);
        assert!(in_english.len() > 40, "{name}: {in_english:?}");
        // (A label whose every word the stages also write in English, as "Sites and
        // cost-benefit" beside the English assumptions, cannot be told from data.)
        let labels: Vec<&str> = nav["nav"]
            .as_table()
            .unwrap()
            .values()
            .map(|v| v.as_str().unwrap())
            .filter(|l| words(l).iter().any(|w| english.contains(w)))
            .collect();
        assert!(labels.len() >= 4, "{name}: {labels:?}");
        for label in labels {
            let slipped = html.replacen("</main>", &format!("<p>{label}</p></main>"), 1);
            assert_ne!(slipped, html);
            assert!(
                !leaks(&visible_text(&slipped), &english).is_empty(),
                "{name}: {label:?} slipped in unnoticed"
            );
        }
        eprintln!(
            "{name}: {} English-only catalogue words checked, {} of them in the English report",
            english.len(),
            in_english.len()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// --pdf without a real browser

/// The sample town written into `dir/town`; returns its study file.
fn sample(dir: &Path) -> PathBuf {
    let town = dir.join("town");
    let o = kindscape().arg("sample").arg(&town).output().unwrap();
    assert!(o.status.success(), "{o:?}");
    town.join("sample-town.toml")
}

/// A stand-in for Chromium: a shell script that gets the same arguments; `$pdf` and `$page` are
/// the PDF to write and the page to print.
#[cfg(unix)]
fn browser(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    let script = format!(
        "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --print-to-pdf=*) pdf=\"${{a#--print-to-pdf=}}\";; file://*) page=\"${{a#file://}}\";; esac; done\n{body}\n"
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Every file of a folder with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Whether a process is gone (or a zombie no one reaped yet: it runs no more).
#[cfg(target_os = "linux")]
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
#[cfg(unix)]
fn pdf_format_prints_this_runs_report_through_the_named_browser() {
    let dir = tempfile::tempdir().unwrap();
    let study = sample(dir.path());
    let text = std::fs::read_to_string(&study).unwrap();
    std::fs::write(
        &study,
        text.replacen("[study]\n", "[study]\nformats = [\"pdf\"]\n", 1),
    )
    .unwrap();
    // Writes the page's language into a PDF's frame: the PDF comes from this run's page.
    let fake = browser(
        dir.path(),
        "fake-chromium",
        "lang=$(grep -o '<html lang=\"[a-z]*\">' \"$page\")\nprintf '%%PDF-1.4\\n%% %s\\n%%%%EOF\\n' \"$lang\" > \"$pdf\"",
    );
    let out = dir.path().join("out");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let o = run(
        &study,
        &out,
        &["--quiet", "--lang", "nl"],
        &[
            ("KINDSCAPE_CHROMIUM", fake.to_str()),
            ("TMPDIR", tmp.to_str()),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("pdf"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("report.pdf")).unwrap(),
        "%PDF-1.4\n% <html lang=\"nl\">\n%%EOF\n"
    );
    // The browser's profile went with it.
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
}

#[test]
#[cfg(unix)]
fn pdf_finds_a_browser_on_path_by_its_names() {
    let dir = tempfile::tempdir().unwrap();
    let study = sample(dir.path());
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    // Not executable, so not a browser; the next name on the list is.
    std::fs::write(bin.join("chromium"), "#!/bin/sh\nexit 9\n").unwrap();
    browser(
        &bin,
        "chromium-browser",
        "printf '%%PDF-1.4\\n%% chromium-browser\\n%%%%EOF\\n' > \"$pdf\"",
    );
    let out = dir.path().join("out");
    let o = run(
        &study,
        &out,
        &["--quiet", "--pdf"],
        &[("PATH", bin.to_str()), ("KINDSCAPE_CHROMIUM", None)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("report.pdf")).unwrap(),
        "%PDF-1.4\n% chromium-browser\n%%EOF\n"
    );
}

#[test]
#[cfg(unix)]
fn pdf_without_a_browser_warns_and_writes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let study = sample(dir.path());
    let empty = dir.path().join("empty-path");
    std::fs::create_dir(&empty).unwrap();
    let missing = dir.path().join("no-such-chromium");
    let cases: [(&Env, &str); 3] = [
        (
            &[("PATH", empty.to_str()), ("KINDSCAPE_CHROMIUM", None)],
            "no Chromium found (chromium, chromium-browser, google-chrome",
        ),
        (
            &[("KINDSCAPE_CHROMIUM", missing.to_str())],
            "no-such-chromium is not an executable file",
        ),
        (
            &[("KINDSCAPE_PDF_TIMEOUT", Some("soon"))],
            "KINDSCAPE_PDF_TIMEOUT=\"soon\" is not a number of seconds",
        ),
    ];
    for (i, (env, says)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let o = run(&study, &out, &["--quiet", "--pdf"], env);
        let err = stderr(&o);
        assert!(o.status.success(), "{err}");
        let line = err
            .lines()
            .find(|l| l.contains(says))
            .unwrap_or_else(|| panic!("no warning {says:?}: {err}"));
        assert!(line.starts_with("warning: ") && line.contains("report.pdf is not written"));
        assert!(!out.join("report.pdf").exists());
        assert!(out.join("report.html").exists());
        let run_json = std::fs::read_to_string(out.join("run.json")).unwrap();
        assert!(run_json.contains("report.pdf is not written"));
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_browser_that_fails_or_hangs_leaves_the_previous_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let study = sample(dir.path());
    let out = dir.path().join("out");
    let o = run(&study, &out, &["--quiet"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = contents(&out);
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let pids = dir.path().join("pids");
    let pids_s = pids.display().to_string();
    let hang = browser(
        dir.path(),
        "hanging",
        // A helper in the background, as a browser starts its renderer, and the browser itself.
        &format!("sleep 60 &\necho $! >> {pids_s}\necho $$ >> {pids_s}\nprintf '%%PDF-1.4\\n' > \"$pdf\"\nexec sleep 60"),
    );
    let fails = browser(
        dir.path(),
        "failing",
        "echo 'boom: cannot open display' >&2\nexit 3",
    );
    let half = browser(
        dir.path(),
        "half",
        "printf '%%PDF-1.4\\n1 0 obj' > \"$pdf\"",
    );
    let cases: [(&PathBuf, &[&str]); 3] = [
        (
            &hang,
            &["did not finish printing report.html within 1 s and was stopped"],
        ),
        (
            &fails,
            &["failed (exit status: 3)", "boom: cannot open display"],
        ),
        (&half, &["exited without writing a whole PDF"]),
    ];
    for (bin, expected) in cases {
        let says = expected[0];
        let start = std::time::Instant::now();
        let o = run(
            &study,
            &out,
            &["--quiet", "--pdf"],
            &[
                ("KINDSCAPE_CHROMIUM", bin.to_str()),
                ("KINDSCAPE_PDF_TIMEOUT", Some("1")),
                ("TMPDIR", tmp.to_str()),
            ],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{says}: {err}");
        for e in expected {
            assert!(err.contains(e), "{e}: {err}");
        }
        assert!(
            err.contains("report.pdf: Chromium (") && err.contains("output folder is unchanged"),
            "{err}"
        );
        assert!(
            start.elapsed().as_secs() < 30,
            "{says}: {:?}",
            start.elapsed()
        );
        assert!(contents(&out) == before, "{says}: the outputs changed");
        let beside: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.contains("kindscape-"))
            .collect();
        assert!(
            beside.is_empty(),
            "{says}: left beside the outputs: {beside:?}"
        );
        assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "{says}");
    }
    // The hanging browser and its helper were both stopped.
    let pids = std::fs::read_to_string(&pids).unwrap();
    assert_eq!(pids.lines().count(), 2, "{pids}");
    for pid in pids.lines() {
        assert!(gone(pid), "process {pid} still runs");
    }
}

#[test]
fn pdf_is_an_output_format_and_others_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let study = sample(dir.path());
    let text = std::fs::read_to_string(&study).unwrap();
    std::fs::write(
        &study,
        text.replacen("[study]\n", "[study]\nformats = [\"pdf\", \"png\"]\n", 1),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_kindscape"))
        .arg("check")
        .arg(&study)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("\"png\" is not an output format; give \"gpkg\", \"parquet\" or \"pdf\""),
        "{}",
        stderr(&o)
    );
}
