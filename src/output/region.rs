//! The figures a region of a split study (`[study] region`) writes besides its outputs, and
//! that `kindscape merge` reads back: per home and per neighbourhood, in full precision (the
//! CSV outputs round), what the study-wide figures (quintiles, indices, priority ranks) are
//! computed from. Both sides are here so the format has one definition.

use std::io::{BufRead, Write};
use std::path::Path;

use crate::equity::analysis::HomeOutcomes;
use crate::error::{Error, Result};

/// Per home: `home,neighbourhood,children,score`, then `<kind>_coverage` per kind.
pub const HOMES_FILE: &str = "region_homes.csv";
/// Per neighbourhood: `neighbourhood,children,score,gap_children,value`.
pub const NEIGHBOURHOODS_FILE: &str = "region_neighbourhoods.csv";

/// Per neighbourhood, what the study-wide figures need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NeighbourhoodValues {
    pub children: Vec<f64>,
    pub score: Vec<Option<f64>>,
    pub gap_children: Vec<f64>,
    /// The `[equity] by` value (none without `[equity]`).
    pub value: Vec<Option<f64>>,
}

/// A number as Rust writes it: the shortest text that reads back as the same `f64`.
fn exact(out: &mut String, v: Option<f64>) {
    use std::fmt::Write as _;
    if let Some(v) = v.filter(|v| !v.is_nan()) {
        let _ = write!(out, "{v}");
    }
}

pub fn write_homes(w: &mut dyn Write, kinds: &[&str], homes: &HomeOutcomes) -> std::io::Result<()> {
    let mut line = String::from("home,neighbourhood,children,score");
    for k in kinds {
        line.push_str(&format!(",{k}_coverage"));
    }
    line.push('\n');
    w.write_all(line.as_bytes())?;
    for h in 0..homes.len() {
        line.clear();
        line.push_str(&h.to_string());
        line.push(',');
        if let Some(n) = homes.neighbourhood[h] {
            line.push_str(&n.to_string());
        }
        line.push(',');
        exact(&mut line, Some(homes.children[h]));
        line.push(',');
        exact(&mut line, Some(homes.score[h]));
        for c in &homes.coverage {
            line.push(',');
            exact(&mut line, c.get(h).copied());
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

pub fn write_neighbourhoods(w: &mut dyn Write, v: &NeighbourhoodValues) -> std::io::Result<()> {
    let mut text = String::from("neighbourhood,children,score,gap_children,value\n");
    for n in 0..v.children.len() {
        text.push_str(&n.to_string());
        text.push(',');
        exact(&mut text, Some(v.children[n]));
        text.push(',');
        exact(&mut text, v.score[n]);
        text.push(',');
        exact(&mut text, Some(v.gap_children[n]));
        text.push(',');
        exact(&mut text, v.value.get(n).copied().flatten());
        text.push('\n');
    }
    w.write_all(text.as_bytes())
}

/// The fields of each data line of a region file, checked against its header.
fn read_lines(
    path: &Path,
    header: &str,
    mut line: impl FnMut(usize, &[&str]) -> Result<()>,
) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut lines = std::io::BufReader::new(file).lines();
    let first = lines.next().transpose().map_err(|e| Error::io(path, e))?;
    if first.as_deref() != Some(header) {
        return Err(Error::layer(
            path,
            format!("not a region's figures: the header is not \"{header}\" (was the region run by a different kindscape?)"),
        ));
    }
    let width = header.split(',').count();
    for (n, text) in lines.enumerate() {
        let text = text.map_err(|e| Error::io(path, e))?;
        let fields: Vec<&str> = text.split(',').collect();
        if fields.len() != width {
            return Err(Error::layer(
                path,
                format!("line {}: {} fields, not {width}", n + 2, fields.len()),
            ));
        }
        line(n, &fields)?;
    }
    Ok(())
}

fn number(path: &Path, row: usize, field: &str) -> Result<Option<f64>> {
    if field.is_empty() {
        return Ok(None);
    }
    field.parse().map(Some).map_err(|_| {
        Error::layer(
            path,
            format!("line {}: \"{field}\" is not a number", row + 2),
        )
    })
}

/// Reads a region's `region_homes.csv` (neighbourhoods as the region numbers them).
pub fn read_homes(path: &Path, kinds: &[&str]) -> Result<HomeOutcomes> {
    let mut header = String::from("home,neighbourhood,children,score");
    for k in kinds {
        header.push_str(&format!(",{k}_coverage"));
    }
    let mut homes = HomeOutcomes {
        coverage: vec![Vec::new(); kinds.len()],
        ..Default::default()
    };
    read_lines(path, &header, |row, f| {
        let neighbourhood = match f[1] {
            "" => None,
            n => Some(n.parse::<u32>().map_err(|_| {
                Error::layer(
                    path,
                    format!("line {}: \"{n}\" is not a neighbourhood", row + 2),
                )
            })?),
        };
        homes.neighbourhood.push(neighbourhood);
        homes.children.push(number(path, row, f[2])?.unwrap_or(0.0));
        homes
            .score
            .push(number(path, row, f[3])?.unwrap_or(f64::NAN));
        for (c, field) in homes.coverage.iter_mut().zip(&f[4..]) {
            c.push(number(path, row, field)?.unwrap_or(f64::NAN));
        }
        Ok(())
    })?;
    Ok(homes)
}

/// Reads a region's `region_neighbourhoods.csv`.
pub fn read_neighbourhoods(path: &Path) -> Result<NeighbourhoodValues> {
    let mut v = NeighbourhoodValues::default();
    read_lines(
        path,
        "neighbourhood,children,score,gap_children,value",
        |row, f| {
            v.children.push(number(path, row, f[1])?.unwrap_or(0.0));
            v.score.push(number(path, row, f[2])?);
            v.gap_children.push(number(path, row, f[3])?.unwrap_or(0.0));
            v.value.push(number(path, row, f[4])?);
            Ok(())
        },
    )?;
    Ok(v)
}
