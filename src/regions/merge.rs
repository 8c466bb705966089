//! `kindscape merge`: the regions' outputs put back together as the single run writes them.
//! Per-home rows and per-neighbourhood rows come from the region that owns them, in the whole
//! study's order; what depends on every neighbourhood (quintiles, inequality indices, priority
//! ranks) is computed again from the regions' full-precision figures by the library code the
//! single run uses. Sites, closures, scenarios, catchments and the report stay per region.

use std::path::{Path, PathBuf};

use super::{Manifest, OUTPUT_DIR, STUDY_FILE};
use crate::equity::analysis::{self, HomeOutcomes};
use crate::error::{Error, Result};
use crate::output::region::{self, NeighbourhoodValues};
use crate::output::table::format_number;
use crate::output::{OutputOptions, Writer};
use crate::study::Resolved;

/// What the merge leaves per region: the outputs that only mean something for the region.
pub const PER_REGION_NOTE: &str = "sites, closures, scenarios, catchments, maps and the report stay per region (in each region's out/ folder): a site chosen in one region does not know the children of the next";

/// How a merge is asked for.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    pub out: PathBuf,
    /// The split study, for the output folder's checks and `run.json`; else the first region's.
    pub study: Option<PathBuf>,
}

/// What a merge wrote.
#[derive(Debug, Clone)]
pub struct MergeSummary {
    pub out_dir: PathBuf,
    pub files: Vec<PathBuf>,
    pub regions: usize,
    pub homes: usize,
    pub neighbourhoods: usize,
}

/// The region folders `dirs` name: each a region (with `region.json`) or a folder of regions.
fn region_dirs(dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for d in dirs {
        if d.join(super::MANIFEST).is_file() {
            out.push(d.clone());
            continue;
        }
        let entries = std::fs::read_dir(d).map_err(|e| Error::io(d, e))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join(super::MANIFEST).is_file())
            .collect();
        if found.is_empty() {
            return Err(Error::io(
                d,
                "no region here: neither it nor a folder in it holds the region.json `kindscape split` writes",
            ));
        }
        found.sort();
        out.append(&mut found);
    }
    Ok(out)
}

/// The regions of one split, each once and none missing, in order.
fn regions(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, Manifest)>> {
    let mut all: Vec<(PathBuf, Manifest)> = Vec::new();
    for d in region_dirs(dirs)? {
        let m = Manifest::read(&d)?;
        if let Some((first, f)) = all.first() {
            if f.split_id != m.split_id {
                return Err(Error::io(
                    &d,
                    format!(
                        "this region is of another split than {} ({}, {}, kindscape {}; that one: {}, {}, kindscape {}): merge the regions of one split",
                        first.display(),
                        m.study.display(), m.split, m.kindscape,
                        f.study.display(), f.split, f.kindscape,
                    ),
                ));
            }
        }
        if let Some((other, _)) = all.iter().find(|(_, o)| o.index == m.index) {
            return Err(Error::io(
                &d,
                format!(
                    "region \"{}\" is given twice (also {})",
                    m.name,
                    other.display()
                ),
            ));
        }
        all.push((d, m));
    }
    let n = all[0].1.regions;
    if all.len() < n {
        let missing: Vec<String> = (0..n)
            .filter(|i| !all.iter().any(|(_, m)| m.index == *i))
            .map(|i| (i + 1).to_string())
            .collect();
        return Err(Error::Other(format!(
            "{} of the split's {n} regions are missing (numbers {}): merge needs every region of the split",
            n - all.len(),
            missing.join(", ")
        )));
    }
    all.sort_by_key(|(_, m)| m.index);
    Ok(all)
}

/// A region's output file, or an error saying the region has not run.
fn output(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(OUTPUT_DIR).join(name);
    if !path.is_file() {
        return Err(Error::io(
            &path,
            format!(
                "missing: run the region first (`kindscape run {}`)",
                dir.join(STUDY_FILE).display()
            ),
        ));
    }
    Ok(path)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// The lines of a CSV file without quoted line breaks (`homes.csv`: ids and numbers), with
/// their line ends.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split_inclusive(|b| *b == b'\n')
}

/// Merges the regions in `dirs` into `options.out`.
pub fn merge(dirs: &[PathBuf], options: &MergeOptions) -> Result<MergeSummary> {
    let regions = regions(dirs)?;
    // Every region has run before anything is read.
    for (dir, _) in &regions {
        for file in [
            "homes.csv",
            "neighbourhoods.csv",
            region::HOMES_FILE,
            region::NEIGHBOURHOODS_FILE,
        ] {
            output(dir, file)?;
        }
    }
    let first = &regions[0].1;
    let (n_homes, n_nbs) = (first.study_homes, first.study_neighbourhoods);
    let settings = Resolved::load(&regions[0].0.join(STUDY_FILE))?;
    let study = match &options.study {
        Some(p) => Resolved::load(p)?,
        None => settings.clone(),
    };
    let kinds = kinds_of(&output(&regions[0].0, region::HOMES_FILE)?)?;
    let kind_names: Vec<&str> = kinds.iter().map(String::as_str).collect();

    let mut home_lines: Vec<Vec<u8>> = vec![Vec::new(); n_homes];
    let mut homes_header: Option<Vec<u8>> = None;
    let mut nb_rows: Vec<Option<csv::ByteRecord>> = vec![None; n_nbs];
    let mut nb_header: Option<csv::ByteRecord> = None;
    let mut outcomes = HomeOutcomes {
        neighbourhood: vec![None; n_homes],
        children: vec![0.0; n_homes],
        score: vec![f64::NAN; n_homes],
        coverage: vec![vec![f64::NAN; n_homes]; kinds.len()],
    };
    let mut values = NeighbourhoodValues {
        children: vec![0.0; n_nbs],
        score: vec![None; n_nbs],
        gap_children: vec![0.0; n_nbs],
        value: vec![None; n_nbs],
    };
    let mut filled = vec![false; n_homes];
    for (dir, m) in &regions {
        // homes.csv: each owned home's line where the whole study has it.
        let path = output(dir, "homes.csv")?;
        let bytes = read(&path)?;
        let mut it = lines(&bytes);
        let header = it.next().unwrap_or_default().to_vec();
        match &homes_header {
            Some(h) if *h != header => {
                return Err(Error::io(&path, "its columns differ from the first region's: were the regions run by different kindscape versions?"))
            }
            _ => homes_header = Some(header),
        }
        let rows: Vec<&[u8]> = it.collect();
        let wrong = |what: &str, file: &Path, found: usize, expected: usize| {
            Error::io(
                file,
                format!("{found} {what}, but the region's region.json has {expected}: the output is not this region's (run it again)"),
            )
        };
        if rows.len() != m.homes.len() {
            return Err(wrong("homes", &path, rows.len(), m.homes.len()));
        }
        for (line, g) in rows.iter().zip(&m.homes) {
            if let Some(g) = g {
                home_lines[*g as usize] = line.to_vec();
                filled[*g as usize] = true;
            }
        }
        // neighbourhoods.csv: each owned neighbourhood's record.
        let path = output(dir, "neighbourhoods.csv")?;
        let mut reader = csv::ReaderBuilder::new()
            .from_path(&path)
            .map_err(|e| Error::io(&path, e))?;
        let header = reader
            .byte_headers()
            .map_err(|e| Error::io(&path, e))?
            .clone();
        match &nb_header {
            Some(h) if *h != header => {
                return Err(Error::io(
                    &path,
                    "its columns differ from the first region's",
                ))
            }
            _ => nb_header = Some(header),
        }
        let records: Vec<csv::ByteRecord> = reader
            .byte_records()
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::io(&path, e))?;
        if records.len() != m.neighbourhoods.len() {
            return Err(wrong(
                "neighbourhoods",
                &path,
                records.len(),
                m.neighbourhoods.len(),
            ));
        }
        for (rec, g) in records.into_iter().zip(&m.neighbourhoods) {
            if let Some(g) = g {
                nb_rows[*g as usize] = Some(rec);
            }
        }
        // The full-precision figures.
        let path = output(dir, region::HOMES_FILE)?;
        let h = region::read_homes(&path, &kind_names)?;
        if h.len() != m.homes.len() {
            return Err(wrong("homes", &path, h.len(), m.homes.len()));
        }
        for (local, g) in m.homes.iter().enumerate() {
            let Some(g) = g.map(|g| g as usize) else {
                continue;
            };
            outcomes.neighbourhood[g] = match h.neighbourhood[local] {
                Some(n) => Some(
                    m.neighbourhoods
                        .get(n as usize)
                        .copied()
                        .flatten()
                        .ok_or_else(|| {
                            Error::io(&path, format!("home {local} lies in a neighbourhood the region does not own: the output is not this region's"))
                        })? as u32,
                ),
                None => None,
            };
            outcomes.children[g] = h.children[local];
            outcomes.score[g] = h.score[local];
            for (all, own) in outcomes.coverage.iter_mut().zip(&h.coverage) {
                all[g] = own[local];
            }
        }
        let path = output(dir, region::NEIGHBOURHOODS_FILE)?;
        let v = region::read_neighbourhoods(&path)?;
        if v.children.len() != m.neighbourhoods.len() {
            return Err(wrong(
                "neighbourhoods",
                &path,
                v.children.len(),
                m.neighbourhoods.len(),
            ));
        }
        for (local, g) in m.neighbourhoods.iter().enumerate() {
            let Some(g) = g.map(|g| g as usize) else {
                continue;
            };
            values.children[g] = v.children[local];
            values.score[g] = v.score[local];
            values.gap_children[g] = v.gap_children[local];
            values.value[g] = v.value.get(local).copied().flatten();
        }
    }
    if let Some(h) = filled.iter().position(|f| !f) {
        return Err(Error::Other(format!(
            "home row {h} of the study is in no region's output"
        )));
    }
    if let Some(n) = nb_rows.iter().position(Option::is_none) {
        return Err(Error::Other(format!(
            "neighbourhood {n} of the study is in no region's output"
        )));
    }

    // What depends on every neighbourhood, as the single run computes it.
    let equity = settings.equity.as_ref().map(|cfg| {
        analysis::equity_of(
            values.value.clone(),
            None,
            &values.children,
            &values.score,
            cfg.higher_is_worse.value,
            &outcomes,
        )
    });
    let ranks = analysis::priority_ranks(
        &values.gap_children,
        equity.as_ref().map(|e| e.quintile.as_slice()),
        settings.priority.deprivation_weight.value,
    );
    let nb_header = nb_header.unwrap_or_default();
    let column = |name: &str| nb_header.iter().position(|c| c == name.as_bytes());
    let count = |v: Option<usize>| format_number(v.map(|v| v as f64), 0);
    let mut nb_csv = csv::Writer::from_writer(Vec::new());
    let werr = |e: csv::Error| Error::Other(format!("neighbourhoods.csv: {e}"));
    nb_csv.write_byte_record(&nb_header).map_err(werr)?;
    for (n, rec) in nb_rows.into_iter().flatten().enumerate() {
        let mut fields: Vec<Vec<u8>> = rec.iter().map(<[u8]>::to_vec).collect();
        let mut set = |name: &str, text: String| {
            if let Some(c) = column(name) {
                fields[c] = text.into_bytes();
            }
        };
        set("priority_rank", count(ranks[n]));
        if let Some(e) = &equity {
            set("equity_quintile", count(e.quintile[n].map(usize::from)));
            set(
                "score_quintile",
                count(e.score_quintile[n].map(usize::from)),
            );
            set(
                "double_disadvantage",
                (if e.double_disadvantage[n] {
                    "true"
                } else {
                    "false"
                })
                .into(),
            );
        }
        nb_csv.write_record(&fields).map_err(werr)?;
    }
    let nb_bytes = nb_csv
        .into_inner()
        .map_err(|e| Error::Other(format!("neighbourhoods.csv: {e}")))?;

    let out_options = OutputOptions {
        out_dir: options.out.clone(),
        language: study.language.value,
        pdf: None,
    };
    let writer = Writer::open(&out_options, &study)?;
    writer.file("homes.csv", |w| {
        use std::io::Write;
        w.write_all(&homes_header.unwrap_or_default())?;
        for line in &home_lines {
            w.write_all(line)?;
        }
        Ok::<(), std::io::Error>(())
    })?;
    writer.file("neighbourhoods.csv", |w| {
        use std::io::Write;
        w.write_all(&nb_bytes)
    })?;
    if let Some(e) = &equity {
        let t = crate::output::equity::equity_table(e, kind_names.iter().copied());
        writer.file("equity.csv", |w| t.write_csv(w))?;
    }
    let run = serde_json::json!({
        "tool": "kindscape",
        "version": env!("CARGO_PKG_VERSION"),
        "study": {"name": study.name, "file": study.path},
        "merged": {
            "split": first.split,
            "split_study": first.study,
            "regions": regions.iter().map(|(d, m)| serde_json::json!({
                "name": m.name,
                "folder": d,
                "homes": m.owned_homes(),
                "neighbourhoods": m.neighbourhoods.iter().flatten().count(),
            })).collect::<Vec<_>>(),
            "per_region": PER_REGION_NOTE,
        },
        "counts": {"neighbourhoods": n_nbs, "homes": n_homes},
    });
    writer.file("run.json", |w| serde_json::to_writer_pretty(w, &run))?;
    let files = writer.commit()?;
    Ok(MergeSummary {
        out_dir: options.out.clone(),
        files,
        regions: regions.len(),
        homes: n_homes,
        neighbourhoods: n_nbs,
    })
}

/// The kinds a region's `region_homes.csv` has coverage columns for, in order.
fn kinds_of(path: &Path) -> Result<Vec<String>> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut header = String::new();
    std::io::BufReader::new(file)
        .read_line(&mut header)
        .map_err(|e| Error::io(path, e))?;
    Ok(header
        .trim_end()
        .split(',')
        .skip(4)
        .map(|c| c.trim_end_matches("_coverage").to_string())
        .collect())
}
