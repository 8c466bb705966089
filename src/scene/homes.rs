//! Homes: where children live, with their neighbourhood and children per band.

use std::borrow::Cow;

use geo::{Area, Centroid, Coord};
use rayon::prelude::*;

use super::children;
use super::ids::Ids;
use super::neighbourhoods::{count_value, Neighbourhood};
use super::polygons::{cleaning_warnings, shape, Cleaning, Shape};
use super::InputFile;
use crate::error::{Error, Result, Warnings};
use crate::layers::attributes::{self, Attributes};
use crate::layers::crs::Crs;
use crate::layers::Layer;
use crate::study::{BandCount, ChildrenSpec, Resolved, ShareBy};

/// All homes, column by column (a country has millions of them).
#[derive(Debug, Clone, Default)]
pub struct Homes {
    pub ids: Ids,
    pub coords: Vec<Coord>,
    /// Index into the scene's neighbourhoods; `None` outside every neighbourhood.
    pub neighbourhood: Vec<Option<u32>>,
    /// Children per home and band, home-major: `children[h * bands + b]`.
    pub children: Vec<f64>,
    pub bands: usize,
    /// True where the children count was estimated (suppressed or missing in the data).
    pub estimated: Vec<bool>,
}

impl Homes {
    pub fn len(&self) -> usize {
        self.coords.len()
    }

    /// Homes inside no neighbourhood (they count towards no figure).
    pub fn outside_neighbourhoods(&self) -> usize {
        self.neighbourhood.iter().filter(|n| n.is_none()).count()
    }

    /// Homes whose children were estimated rather than read.
    pub fn estimated_count(&self) -> usize {
        self.estimated.iter().filter(|e| **e).count()
    }

    pub fn is_empty(&self) -> bool {
        self.coords.is_empty()
    }

    /// Children of one home per band.
    pub fn children_of(&self, h: usize) -> &[f64] {
        &self.children[h * self.bands..(h + 1) * self.bands]
    }

    /// Children of one home over all bands.
    pub fn total_children(&self, h: usize) -> f64 {
        self.children_of(h).iter().sum()
    }
}

/// Features per chunk when reading the homes layer.
const CHUNK: usize = 1 << 14;

/// Reads the `[homes]` layer in chunks (reprojected into `crs`) and builds the homes; also
/// describes the input file for `run.json`.
pub(super) fn load(
    study: &Resolved,
    source: crate::layers::format::VectorSource,
    crs: &Crs,
    neighbourhoods: &[Neighbourhood],
    bands: &[String],
    warnings: &Warnings,
) -> Result<(Homes, InputFile)> {
    let reading = Reading {
        chunk: CHUNK,
        columnar: true,
    };
    load_as(study, source, crs, neighbourhoods, bands, warnings, reading)
}

/// How the homes layer is read.
#[derive(Debug, Clone, Copy)]
struct Reading {
    /// Features per chunk.
    chunk: usize,
    /// Only the attributes a home is read from, as columns where the format gives them so;
    /// otherwise every attribute in each feature's map, as other layers are read (the tests
    /// check that both give the same homes).
    columnar: bool,
}

fn load_as(
    study: &Resolved,
    source: crate::layers::format::VectorSource,
    crs: &Crs,
    neighbourhoods: &[Neighbourhood],
    bands: &[String],
    warnings: &Warnings,
    reading: Reading,
) -> Result<(Homes, InputFile)> {
    let path = source.path.to_path_buf();
    let mut rows = Rows::new(study, bands, &path);
    let required = rows.required.clone();
    let mut seen = vec![false; required.len()];
    // Only the attributes a home is read from are kept: a buildings layer may carry dozens.
    let numeric: Vec<&str> = required
        .iter()
        .filter(|(_, role)| *role != "[homes] id" && *role != FILTER_ROLE)
        .map(|(name, _)| name.as_str())
        .collect();
    let keep: Vec<String> = required.iter().map(|(name, _)| name.clone()).collect();
    // The file is hashed (for run.json) while it is read: the hash runs on whichever core the
    // reading leaves idle.
    let (header, digest) = rayon::join(
        || {
            let keep = reading.columnar.then_some(keep.as_slice());
            crate::layers::format::read_in_chunks(source, reading.chunk, keep, |mut chunk| {
                for (s, (name, _)) in seen.iter_mut().zip(&required) {
                    *s = *s || chunk.has_attribute(name);
                }
                chunk.reproject(crs)?;
                if let Some(format) = &study.homes_format {
                    crate::layers::table::read_numbers(&mut chunk, &numeric, format)?;
                }
                let added = rows.add(&chunk).inspect_err(|_| {
                    // An attribute missing from every feature so far: the whole-layer check may
                    // have a better message (a close name), as before reading in chunks.
                    if seen.iter().any(|s| !s) {
                        rows.late_error = Some(path.clone());
                    }
                });
                // Freeing a chunk's attribute maps takes as long as reading them: in parallel too.
                chunk.features.into_par_iter().for_each(drop);
                added
            })
        },
        || super::file_digest(&path),
    );
    let header = match header {
        Err(e) => {
            if rows.late_error.is_some() {
                require_attributes(&required, &crate::layers::format::read(source)?)?;
            }
            return Err(e);
        }
        Ok(h) => h,
    };
    if rows.features > 0 && seen.iter().any(|s| !s) {
        require_attributes(&required, &crate::layers::format::read(source)?)?;
    }
    let input = super::input_file(
        "homes",
        &path,
        &header.crs.to_string(),
        rows.features,
        digest?,
    );
    let homes = build(study, rows, &path, neighbourhoods, bands, warnings)?;
    Ok((homes, input))
}

/// Builds the homes from a layer read whole (an OpenStreetMap extract, raster cells), in the
/// working CRS.
pub(super) fn from_layer(
    study: &Resolved,
    layer: &Layer,
    neighbourhoods: &[Neighbourhood],
    bands: &[String],
    warnings: &Warnings,
) -> Result<Homes> {
    let mut rows = Rows::new(study, bands, &layer.path);
    require_attributes(&rows.required, layer)?;
    rows.add(layer)?;
    build(study, rows, &layer.path, neighbourhoods, bands, warnings)
}

fn require_attributes(required: &[(String, &'static str)], layer: &Layer) -> Result<()> {
    for (name, role) in required {
        layer.require_attribute(name, role)?;
    }
    Ok(())
}

/// Which fields hold each band's children, if homes carry them.
enum Source {
    Shared,
    PerBand(Vec<BandCount>),
    Total(BandCount),
}

/// The homes read so far, column by column.
/// The role of the `[homes] filter` attributes: required like the others, but never numbers.
const FILTER_ROLE: &str = "[homes] filter";

struct Rows<'a> {
    study: &'a Resolved,
    source: Source,
    field_lists: Option<Vec<BandCount>>,
    /// Attributes some feature must have, with the study key that names them.
    required: Vec<(String, &'static str)>,
    ids: Ids,
    coords: Vec<Coord>,
    /// Building footprints in m2, kept only for `share_by = "area"`.
    footprint: Vec<f64>,
    /// Children read per home, `raw[h * lists + l]` for each of the field lists.
    raw: Vec<Option<f64>>,
    /// Kept only when `[homes] population` is given.
    population: Vec<Option<f64>>,
    cleaning: Cleaning,
    null_geometry: usize,
    suppressed: usize,
    features: usize,
    late_error: Option<std::path::PathBuf>,
}

impl<'a> Rows<'a> {
    fn new(study: &'a Resolved, bands: &[String], path: &std::path::Path) -> Self {
        let cfg = &study.layers.homes;
        let mut required = Vec::new();
        // A population raster's cells carry their value as the children of each home.
        let raster_spec = crate::study::ChildrenSpec::One(super::raster_homes_field(study));
        let children_spec = match &cfg.children {
            None if super::is_raster(path) => Some(&raster_spec),
            other => other.as_ref(),
        };
        if let Some(id) = &cfg.id {
            required.push((id.clone(), "[homes] id"));
        }
        if let Some(p) = &cfg.population {
            required.push((p.clone(), "[homes] population"));
        }
        for key in cfg.filter.iter().flat_map(|f| f.keys()) {
            required.push((key.clone(), FILTER_ROLE));
        }
        let source = match children_spec {
            None => Source::Shared,
            Some(spec) => {
                // Checked when the study was resolved.
                let counts = spec.band_counts().unwrap_or_default();
                for (_, count) in &counts {
                    for f in count.fields() {
                        required.push((f.to_string(), "[homes] children"));
                    }
                }
                match spec {
                    ChildrenSpec::One(f) if bands.len() > 1 => {
                        Source::Total(BandCount::Fields(vec![f.clone()]))
                    }
                    _ => Source::PerBand(counts.into_iter().map(|(_, c)| c).collect()),
                }
            }
        };
        let field_lists: Option<Vec<BandCount>> = match &source {
            Source::Shared => None,
            Source::PerBand(counts) => Some(counts.clone()),
            Source::Total(count) => Some(vec![count.clone()]),
        };
        Rows {
            study,
            source,
            field_lists,
            required,
            ids: Ids::default(),
            coords: Vec::new(),
            footprint: Vec::new(),
            raw: Vec::new(),
            population: Vec::new(),
            cleaning: Cleaning::default(),
            null_geometry: 0,
            suppressed: 0,
            features: 0,
            late_error: None,
        }
    }

    /// Adds the homes of one chunk of the layer (in the working CRS). Features are read in
    /// parallel (a building polygon may need repair); errors and counts in file order.
    fn add(&mut self, layer: &Layer) -> Result<()> {
        let cfg = &self.study.layers.homes;
        let path = &layer.path;
        self.features += layer.features.len();
        let field_lists = self.field_lists.as_deref();
        let columns = &layer.columns;
        let read: Vec<Result<Option<Row>>> = layer
            .features
            .par_iter()
            .enumerate()
            .map(|(row, f)| match columns.is_empty() {
                true => read_row(cfg, field_lists, path, f, &f.props),
                false => read_row(cfg, field_lists, path, f, columns.row(row)),
            })
            .collect();
        let by_area = cfg.share_by.unwrap_or_default() == ShareBy::Area;
        for row in read {
            let Some(row) = row? else { continue };
            self.cleaning.add(row.cleaning);
            let Some(home) = row.home else {
                self.null_geometry += usize::from(row.null_geometry);
                continue;
            };
            self.suppressed += home.raw.iter().filter(|v| v.is_none()).count();
            self.raw.extend_from_slice(&home.raw);
            if cfg.population.is_some() {
                self.population.push(home.population);
            }
            self.ids.push(&home.id);
            self.coords.push(home.coord);
            if by_area {
                self.footprint.push(home.area);
            }
        }
        Ok(())
    }
}

/// For each feature of the homes layer (read whole, in the working CRS), the home it makes (its
/// index among the scene's homes), or `None` for a feature that makes none (filtered out, no
/// geometry, empty): the same reading as the run's, so `kindscape split` knows which feature
/// is which home.
pub fn feature_homes(study: &Resolved, layer: &Layer) -> Result<Vec<Option<usize>>> {
    let rows = Rows::new(study, &study.bands, &layer.path);
    let cfg = &study.layers.homes;
    let read: Vec<Result<Option<Row>>> = layer
        .features
        .par_iter()
        .map(|f| read_row(cfg, rows.field_lists.as_deref(), &layer.path, f, &f.props))
        .collect();
    let mut next = 0;
    read.into_iter()
        .map(|row| {
            Ok(match row? {
                Some(Row { home: Some(_), .. }) => {
                    next += 1;
                    Some(next - 1)
                }
                _ => None,
            })
        })
        .collect()
}

/// What one feature of the homes layer gives: a home, or nothing (filtered out, no geometry,
/// empty), with the polygon repairs it needed.
struct Row<'a> {
    home: Option<HomeRow<'a>>,
    null_geometry: bool,
    cleaning: Cleaning,
}

struct HomeRow<'a> {
    /// Borrowed from the chunk's text column when it can be: no allocation per home.
    id: Cow<'a, str>,
    coord: Coord,
    area: f64,
    /// Children per field list, `None` where suppressed or missing.
    raw: Vec<Option<f64>>,
    population: Option<f64>,
}

/// Reads one feature as a home; `Ok(None)` for a feature the `[homes] filter` leaves out.
/// `attrs` are the feature's attributes: its map, or its row of the chunk's columns.
fn read_row<'a>(
    cfg: &crate::study::HomesSection,
    field_lists: Option<&[BandCount]>,
    path: &std::path::Path,
    f: &crate::layers::Feature,
    attrs: impl Attributes<'a>,
) -> Result<Option<Row<'a>>> {
    if let Some(filter) = &cfg.filter {
        if !attributes::matches(attrs, filter) {
            return Ok(None);
        }
    }
    let mut row = Row {
        home: None,
        null_geometry: false,
        cleaning: Cleaning::default(),
    };
    let Some(g) = &f.geometry else {
        row.null_geometry = true;
        return Ok(Some(row));
    };
    let (coord, area) = match shape(g, &mut row.cleaning) {
        Ok(Some(Shape::Point(c))) => (c, 0.0),
        // Its centroid may lie in no part's neighbourhood, and which point has which children
        // is not in the data: a home is one place.
        Ok(Some(Shape::Points(points))) => {
            return Err(Error::feature(
                path,
                f.index,
                format!(
                    "a home is one place, but this MultiPoint holds {} distinct points; give each home its own feature with its own children",
                    points.len()
                ),
            ))
        }
        Ok(Some(Shape::Polygon(mp))) => match mp.centroid() {
            Some(p) => (p.0, mp.unsigned_area()),
            None => return Ok(Some(row)),
        },
        Ok(None) => return Ok(Some(row)),
        Err(kind) => {
            return Err(Error::feature(
                path,
                f.index,
                format!("homes must be points or building polygons, found {kind}"),
            ))
        }
    };
    let id = match &cfg.id {
        Some(key) => attrs.cell(key).id().ok_or_else(|| {
            Error::feature(
                path,
                f.index,
                format!("the id attribute \"{key}\" is missing or null"),
            )
        })?,
        None => Cow::Owned(f.index.to_string()),
    };
    let raw = field_lists
        .unwrap_or_default()
        .iter()
        .map(|count| count_value(attrs, count).map_err(|m| Error::feature(path, f.index, m)))
        .collect::<Result<Vec<_>>>()?;
    let population = match &cfg.population {
        Some(p) => attributes::number_value(attrs, p)
            .map_err(|m| Error::feature(path, f.index, m))?
            .known(),
        None => None,
    };
    row.home = Some(HomeRow {
        id,
        coord,
        area,
        raw,
        population,
    });
    Ok(Some(row))
}

fn build(
    study: &Resolved,
    rows: Rows,
    path: &std::path::Path,
    neighbourhoods: &[Neighbourhood],
    bands: &[String],
    warnings: &Warnings,
) -> Result<Homes> {
    let cfg = &study.layers.homes;
    let label = format!("homes ({})", path.display());
    let Rows {
        source,
        ids,
        coords,
        footprint,
        raw,
        population,
        cleaning,
        null_geometry,
        suppressed,
        ..
    } = rows;
    for w in cleaning_warnings(&label, &cleaning) {
        warnings.push(w);
    }
    if null_geometry > 0 {
        warnings.push(format!(
            "{label}: {null_geometry} feature(s) without geometry were skipped"
        ));
    }
    if coords.is_empty() {
        return Err(Error::layer(
            path,
            match &cfg.filter {
                Some(filter) => format!(
                    "no home is left after the [homes] filter {{ {} }}",
                    crate::study::describe_filter(filter)
                ),
                None => "the homes layer has no features".to_string(),
            },
        ));
    }
    if let Some((duplicates, example)) = duplicate_ids(&ids) {
        warnings.push(format!(
            "{label}: {duplicates} duplicate home id(s) (e.g. \"{example}\"); every home is still counted, but rows in homes.csv share an id"
        ));
    }
    let neighbourhood = super::locate::assign_neighbourhoods(&coords, neighbourhoods);
    let outside = neighbourhood.iter().filter(|n| n.is_none()).count();
    if outside > 0 {
        warnings.push(format!(
            "{label}: {outside} of {} homes lie outside every neighbourhood; they are left out of neighbourhood figures",
            coords.len()
        ));
        let far = super::outliers::StudyArea::of(neighbourhoods).and_then(|area| {
            area.warning(
                &label,
                "home(s)",
                (0..coords.len())
                    .filter(|h| neighbourhood[*h].is_none())
                    .map(|h| (coords[h], h)),
                |h| format!("home \"{}\"", ids.get(h).unwrap_or_default()),
            )
        });
        if let Some(w) = far {
            warnings.push(w);
        }
    }
    let n = coords.len();
    let nb = bands.len();
    let mut table = vec![0.0; n * nb];
    let mut estimated = vec![false; n];
    let column =
        |b: usize| -> Vec<Option<f64>> { neighbourhoods.iter().map(|x| x.children[b]).collect() };
    // Neighbourhoods whose homes' known children exceed their own count (in a band, or in all
    // bands), with the homes' sum and the neighbourhood's count.
    let mut exceeded: Vec<(usize, Option<usize>, f64, f64)> = Vec::new();
    match &source {
        Source::Shared => {
            if study.layers.neighbourhoods.children.is_none() {
                return Err(Error::study(
                    &study.path,
                    "no children anywhere: give [homes] children (an attribute of the homes) or [neighbourhoods] children",
                ));
            }
            let weights: Vec<f64> = match cfg.share_by.unwrap_or_default() {
                ShareBy::Count => vec![1.0; n],
                ShareBy::Area => {
                    if footprint.iter().all(|a| *a == 0.0) {
                        warnings.push(format!(
                            "{label}: share_by = \"area\" but the homes are points; children are shared by count"
                        ));
                    }
                    footprint
                }
            };
            let nb_children: Vec<Vec<Option<f64>>> =
                neighbourhoods.iter().map(|x| x.children.clone()).collect();
            table = children::share(&nb_children, nb, &neighbourhood, &weights);
            let mut has_home = vec![false; neighbourhoods.len()];
            for n in neighbourhood.iter().flatten() {
                has_home[*n as usize] = true;
            }
            let empty: Vec<&str> = neighbourhoods
                .iter()
                .enumerate()
                .filter(|(i, x)| x.children.iter().any(|c| c.unwrap_or(0.0) > 0.0) && !has_home[*i])
                .map(|(_, x)| x.id.as_str())
                .collect();
            if !empty.is_empty() {
                warnings.push(format!(
                    "{} neighbourhood(s) have children but no home to place them in: {}",
                    empty.len(),
                    empty.join(", ")
                ));
            }
        }
        Source::PerBand(lists) => {
            for b in 0..nb {
                let known: Vec<Option<f64>> =
                    raw.iter().skip(b).step_by(lists.len()).copied().collect();
                let own = column(b);
                let (col, _, exceeded_here) =
                    children::estimate_missing(&known, &population, &neighbourhood, &own);
                for (i, sum) in exceeded_here {
                    exceeded.push((i, Some(b), sum, own[i].unwrap_or(0.0)));
                }
                for h in 0..n {
                    table[h * nb + b] = col[h];
                    estimated[h] |= known[h].is_none();
                }
            }
        }
        Source::Total(_) => {
            // One total per home, split over the bands in the neighbourhood's proportions.
            let nb_total: Vec<Option<f64>> = neighbourhoods
                .iter()
                .map(|x| x.children.iter().copied().sum::<Option<f64>>())
                .collect();
            let known: Vec<Option<f64>> = raw.clone();
            let (total, _, exceeded_here) =
                children::estimate_missing(&known, &population, &neighbourhood, &nb_total);
            for (i, sum) in exceeded_here {
                exceeded.push((i, None, sum, nb_total[i].unwrap_or(0.0)));
            }
            for h in 0..n {
                estimated[h] = known[h].is_none();
                let shares: Vec<f64> = match neighbourhood[h].map(|i| &neighbourhoods[i as usize]) {
                    Some(x) => match x.children.iter().copied().sum::<Option<f64>>() {
                        Some(t) if t > 0.0 => {
                            x.children.iter().map(|c| c.unwrap_or(0.0) / t).collect()
                        }
                        _ => vec![1.0 / nb as f64; nb],
                    },
                    _ => vec![1.0 / nb as f64; nb],
                };
                for b in 0..nb {
                    table[h * nb + b] = total[h] * shares[b];
                }
            }
        }
    }
    if suppressed > 0 {
        let n_est = estimated.iter().filter(|e| **e).count();
        warnings.push(format!(
            "{label}: {n_est} home(s) have a missing or suppressed children count (negative values such as CBS -99997 are read as suppressed); their children were estimated from their neighbourhood's count not accounted for by other homes, shared by population where known"
        ));
    }
    if !exceeded.is_empty() {
        let listed: Vec<String> = exceeded
            .iter()
            .take(10)
            .map(|&(i, b, sum, own)| {
                let band = b
                    .filter(|_| bands.len() > 1)
                    .map_or(String::new(), |b| format!(", band {}", bands[b]));
                format!(
                    "\"{}\"{band} ({} on its homes, {} in the neighbourhood layer)",
                    neighbourhoods[i].id,
                    crate::error::shown(sum),
                    crate::error::shown(own)
                )
            })
            .collect();
        let more = if exceeded.len() > 10 { ", ..." } else { "" };
        warnings.push(format!(
            "{label}: in {} case(s) the homes' known children exceed their neighbourhood's own count: {}{more}; the homes keep their known counts (only missing ones are estimated), so the neighbourhood holds more children than its own count, and its homes with a suppressed count get none",
            exceeded.len(),
            listed.join(", ")
        ));
    }
    let homes_carry_children = !matches!(source, Source::Shared);
    for w in implausible_places(
        neighbourhoods,
        &neighbourhood,
        &table,
        nb,
        homes_carry_children.then_some(estimated.as_slice()),
    ) {
        warnings.push(format!("{label}: {w}"));
    }
    Ok(Homes {
        ids,
        coords,
        neighbourhood,
        children: table,
        bands: nb,
        estimated,
    })
}

/// How many ids repeat one before them in sorted order, and the smallest such id; `None` when
/// every id is different.
fn duplicate_ids(ids: &super::Ids) -> Option<(usize, &str)> {
    // Ids often come in ascending order (numbered homes): then none repeats, and the sort,
    // most of the time of this check, is not needed.
    if (1..ids.len()).into_par_iter().all(|i| ids[i - 1] < ids[i]) {
        return None;
    }
    let mut sorted: Vec<&str> = ids.iter().collect();
    sorted.par_sort_unstable();
    let duplicates = sorted.windows(2).filter(|w| w[0] == w[1]).count();
    let example = sorted.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])?;
    Some((duplicates, example))
}

/// Neighbourhoods whose children a planner should check before trusting their figures: many
/// children on a handful of homes (an area clipped by the data's extent: its children all live
/// in the few buildings inside it), and, when homes carry their own counts, homes whose counts
/// sum to far more or less than the neighbourhood's own figure.
fn implausible_places(
    neighbourhoods: &[Neighbourhood],
    neighbourhood: &[Option<u32>],
    table: &[f64],
    bands: usize,
    homes_estimated: Option<&[bool]>,
) -> Vec<String> {
    let n = neighbourhoods.len();
    let (mut children, mut homes, mut any_estimate) =
        (vec![0.0; n], vec![0usize; n], vec![false; n]);
    for (h, nb) in neighbourhood.iter().enumerate() {
        let Some(i) = nb.map(|i| i as usize) else {
            continue;
        };
        children[i] += table[h * bands..(h + 1) * bands].iter().sum::<f64>();
        homes[i] += 1;
        any_estimate[i] |= homes_estimated.is_some_and(|e| e[h]);
    }
    let mut per_home: Vec<f64> = (0..n)
        .filter(|&i| homes[i] > 0 && children[i] > 0.0)
        .map(|i| children[i] / homes[i] as f64)
        .collect();
    per_home.sort_by(f64::total_cmp);
    let mut found = Vec::new();
    if let Some(&median) = per_home.get(per_home.len() / 2) {
        let crowded: Vec<String> = (0..n)
            .filter(|&i| {
                homes[i] > 0
                    && children[i] >= 100.0
                    && children[i] / homes[i] as f64 > 10.0 * median
            })
            .map(|i| {
                format!(
                    "\"{}\" ({:.0} children on {} home(s))",
                    neighbourhoods[i].id, children[i], homes[i]
                )
            })
            .collect();
        if !crowded.is_empty() {
            found.push(format!(
                "{} neighbourhood(s) have more than ten times the study's median of {:.1} children per home: {}; is the area cut off by the extent of the homes layer? Their coverage rests on a few homes",
                crowded.len(),
                median,
                crowded.join(", ")
            ));
        }
    }
    if homes_estimated.is_some() {
        let off: Vec<String> = (0..n)
            .filter_map(|i| {
                let own: f64 = neighbourhoods[i]
                    .children
                    .iter()
                    .copied()
                    .sum::<Option<f64>>()?;
                let far = own > 0.0
                    && !any_estimate[i]
                    && (children[i] > 2.0 * own || children[i] < 0.5 * own);
                far.then(|| {
                    format!(
                        "\"{}\" ({:.0} on its homes, {:.0} in the neighbourhood layer)",
                        neighbourhoods[i].id, children[i], own
                    )
                })
            })
            .collect();
        if !off.is_empty() {
            found.push(format!(
                "in {} neighbourhood(s) the homes' children sum to less than half or more than twice the neighbourhood's own count: {}; the homes' counts are used",
                off.len(),
                off.join(", ")
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    //! The homes read from columns (`Reading::columnar`) against the homes read from attribute
    //! maps, for random rows written as GeoPackage and GeoParquet: the same ids, places and
    //! children, the same warnings, or the same error.
    use super::*;
    use proptest::prelude::*;
    use std::path::Path;

    proptest! {
        /// Against counting each id: ascending ids (the sort skipped), ascending with a repeat,
        /// and ids in any order.
        #[test]
        fn duplicate_ids_as_counted(
            mut list in prop::collection::vec("[a-c]{0,2}", 0..40),
            order in 0..3usize,
        ) {
            match order {
                0 => { list.sort(); list.dedup(); }
                1 => list.sort(),
                _ => {}
            }
            let mut ids = crate::scene::Ids::default();
            for id in &list {
                ids.push(id);
            }
            let mut counts = std::collections::BTreeMap::new();
            for id in &list {
                *counts.entry(id.as_str()).or_insert(0usize) += 1;
            }
            let repeats: usize = counts.values().map(|c| c - 1).sum();
            let first = counts.iter().find(|(_, c)| **c > 1).map(|(id, _)| *id);
            let expected = first.map(|id| (repeats, id));
            prop_assert_eq!(duplicate_ids(&ids), expected);
        }
    }

    /// One attribute value as a test writes it.
    #[derive(Debug, Clone, PartialEq)]
    enum V {
        Null,
        Int(i64),
        Real(f64),
        Text(String),
        Bool(bool),
    }

    #[derive(Debug, Clone)]
    enum Geom {
        Null,
        Point(f64, f64),
        /// A square building: corner and side.
        Square(f64, f64, f64),
    }

    #[derive(Debug, Clone)]
    struct Home {
        geom: Geom,
        /// hid, k1, k2, use
        values: [V; 4],
    }

    const NAMES: [&str; 4] = ["hid", "k1", "k2", "use"];

    /// The kinds a column may hold: a GeoPackage cell may be any; a GeoParquet column one.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Kind {
        Int,
        Real,
        Text,
        Bool,
        Any,
    }

    fn value(kind: Kind, is_count: bool) -> BoxedStrategy<V> {
        let int = if is_count {
            prop_oneof![8 => 0i64..6, 1 => Just(-99997i64)].boxed()
        } else {
            (0i64..40).boxed()
        };
        let real = if is_count {
            prop_oneof![
                (0u8..12).prop_map(|h| f64::from(h) / 2.0),
                Just(f64::NAN),
                Just(-1.5)
            ]
            .boxed()
        } else {
            prop_oneof![(0u8..40).prop_map(|h| f64::from(h) / 2.0), Just(1e20)].boxed()
        };
        let text = if is_count {
            prop_oneof![
                6 => (0u8..9).prop_map(|n| n.to_string()),
                1 => (0u8..9).prop_map(|n| format!("{n},5")),
                1 => Just("1.234".to_string()),
                1 => Just("x".to_string()),
                1 => Just(String::new()),
                1 => Just("lots".to_string()),
                1 => Just(" 4 ".to_string()),
            ]
            .boxed()
        } else {
            prop_oneof![
                "0{0,2}[1-9][0-9]{0,2}",
                Just("woon".to_string()),
                Just("kantoor".to_string()),
                Just("true".to_string()),
            ]
            .boxed()
        };
        let one = match kind {
            Kind::Int => int.prop_map(V::Int).boxed(),
            Kind::Real => real.prop_map(V::Real).boxed(),
            Kind::Text => text.prop_map(V::Text).boxed(),
            Kind::Bool => any::<bool>().prop_map(V::Bool).boxed(),
            Kind::Any => prop_oneof![
                int.prop_map(V::Int),
                real.prop_map(V::Real),
                text.prop_map(V::Text),
                any::<bool>().prop_map(V::Bool),
            ]
            .boxed(),
        };
        prop_oneof![12 => one, 1 => Just(V::Null)].boxed()
    }

    fn homes(kinds: [Kind; 4]) -> impl Strategy<Value = Vec<Home>> {
        let geom = prop_oneof![
            1 => Just(Geom::Null),
            12 => (0.0..1000.0f64, 0.0..1000.0f64)
                .prop_map(|(x, y)| Geom::Point(155_000.0 + x, 463_000.0 + y)),
            3 => (0.0..1000.0f64, 0.0..1000.0f64, 1.0..20.0f64)
                .prop_map(|(x, y, s)| Geom::Square(155_000.0 + x, 463_000.0 + y, s)),
        ];
        let home = (
            geom,
            value(kinds[0], false),
            value(kinds[1], true),
            value(kinds[2], true),
            value(kinds[3], false),
        )
            .prop_map(|(geom, a, b, c, d)| Home {
                geom,
                values: [a, b, c, d],
            });
        proptest::collection::vec(home, 1..60)
    }

    fn wkb(g: &Geom) -> Option<Vec<u8>> {
        let mut w = vec![1u8];
        let put = |w: &mut Vec<u8>, v: f64| w.extend_from_slice(&v.to_le_bytes());
        match *g {
            Geom::Null => return None,
            Geom::Point(x, y) => {
                w.extend_from_slice(&1u32.to_le_bytes());
                put(&mut w, x);
                put(&mut w, y);
            }
            Geom::Square(x, y, s) => {
                w.extend_from_slice(&3u32.to_le_bytes());
                w.extend_from_slice(&1u32.to_le_bytes());
                w.extend_from_slice(&5u32.to_le_bytes());
                for (px, py) in [(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)] {
                    put(&mut w, px);
                    put(&mut w, py);
                }
            }
        }
        Some(w)
    }

    fn write_gpkg(path: &Path, rows: &[Home]) {
        let db = rusqlite::Connection::open(path).unwrap();
        db.execute_batch(&crate::layers::gpkg::test_homes_schema(
            "GEOMETRY",
            "hid, k1, k2, use, other TEXT",
        ))
        .unwrap();
        let sql = |v: &V| -> rusqlite::types::Value {
            use rusqlite::types::Value as S;
            match v {
                V::Null => S::Null,
                V::Int(i) => S::Integer(*i),
                V::Real(r) if r.is_nan() => S::Null,
                V::Real(r) => S::Real(*r),
                V::Text(t) => S::Text(t.clone()),
                V::Bool(b) => S::Integer(i64::from(*b)),
            }
        };
        for r in rows {
            let blob = wkb(&r.geom).map(|w| {
                let mut b = vec![b'G', b'P', 0, 0b0000_0001, 0x40, 0x71, 0, 0];
                b.extend_from_slice(&w);
                b
            });
            db.execute(
                "INSERT INTO homes (geom, hid, k1, k2, use, other) VALUES (?1, ?2, ?3, ?4, ?5, 'not kept')",
                rusqlite::params![
                    blob,
                    sql(&r.values[0]),
                    sql(&r.values[1]),
                    sql(&r.values[2]),
                    sql(&r.values[3])
                ],
            )
            .unwrap();
        }
        db.execute_batch("COMMIT;").unwrap();
    }

    #[cfg(feature = "parquet")]
    fn write_parquet(path: &Path, rows: &[Home], kinds: [Kind; 4]) {
        use arrow_array::{
            Array, ArrayRef, BinaryArray, BooleanArray, Float64Array, Int64Array, RecordBatch,
            StringArray,
        };
        use std::sync::Arc;
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (c, kind) in kinds.iter().enumerate() {
            let cells = rows.iter().map(|r| &r.values[c]);
            let array: ArrayRef = match kind {
                Kind::Int => Arc::new(Int64Array::from_iter(cells.map(|v| match v {
                    V::Int(i) => Some(*i),
                    _ => None,
                }))),
                Kind::Real => Arc::new(Float64Array::from_iter(cells.map(|v| match v {
                    V::Real(r) => Some(*r),
                    _ => None,
                }))),
                Kind::Bool => Arc::new(BooleanArray::from_iter(cells.map(|v| match v {
                    V::Bool(b) => Some(*b),
                    _ => None,
                }))),
                _ => Arc::new(StringArray::from_iter(cells.map(|v| match v {
                    V::Text(t) => Some(t.clone()),
                    _ => None,
                }))),
            };
            fields.push(arrow_schema::Field::new(
                NAMES[c],
                array.data_type().clone(),
                true,
            ));
            arrays.push(array);
        }
        let geoms: BinaryArray = rows.iter().map(|r| wkb(&r.geom)).collect();
        fields.push(arrow_schema::Field::new(
            "geom",
            geoms.data_type().clone(),
            true,
        ));
        arrays.push(Arc::new(geoms));
        let batch =
            RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), arrays).unwrap();
        let file = std::fs::File::create(path).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.append_key_value_metadata(parquet::file::metadata::KeyValue::new(
            "geo".to_string(),
            r#"{"version":"1.1.0","primary_column":"geom","columns":{"geom":{"encoding":"WKB","geometry_types":[],"crs":{"type":"ProjectedCRS","name":"Amersfoort / RD New","id":{"authority":"EPSG","code":28992}}}}}"#.to_string(),
        ));
        w.close().unwrap();
    }

    /// Writes the rows as a Shapefile (points only: a Shapefile holds one shape type) with
    /// typed `.dbf` fields.
    fn write_shp(path: &Path, rows: &[Home], kinds: [Kind; 4]) {
        use dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
        let mut table = TableWriterBuilder::new();
        for (c, kind) in kinds.iter().enumerate() {
            let name = FieldName::try_from(NAMES[c]).unwrap();
            table = match kind {
                Kind::Int => table.add_numeric_field(name, 10, 0),
                Kind::Real => table.add_numeric_field(name, 12, 2),
                Kind::Bool => table.add_logical_field(name),
                _ => table.add_character_field(name, 20),
            };
        }
        table = table.add_character_field(FieldName::try_from("other").unwrap(), 10);
        let mut w = shapefile::Writer::from_path(path, table).unwrap();
        for r in rows {
            let (x, y) = match r.geom {
                Geom::Point(x, y) | Geom::Square(x, y, _) => (x, y),
                Geom::Null => (155_000.0, 463_000.0),
            };
            let mut record = Record::default();
            for (c, v) in r.values.iter().enumerate() {
                let value = match (kinds[c], v) {
                    (Kind::Int, V::Int(i)) => FieldValue::Numeric(Some(*i as f64)),
                    (Kind::Real, V::Real(f)) if f.is_finite() && f.abs() < 1e8 => {
                        FieldValue::Numeric(Some(*f))
                    }
                    (Kind::Int | Kind::Real, _) => FieldValue::Numeric(None),
                    (Kind::Bool, V::Bool(b)) => FieldValue::Logical(Some(*b)),
                    (Kind::Bool, _) => FieldValue::Logical(None),
                    (_, V::Text(t)) => FieldValue::Character(Some(t.clone())),
                    _ => FieldValue::Character(None),
                };
                record.insert(NAMES[c].to_string(), value);
            }
            record.insert(
                "other".to_string(),
                FieldValue::Character(Some("not kept".into())),
            );
            w.write_shape_and_record(&shapefile::Point::new(x, y), &record)
                .unwrap();
        }
    }

    /// The settings tried: children per band, a total with a population, a filter, decimal
    /// commas, building footprints.
    const HOMES_SECTIONS: [&str; 4] = [
        r#"id = "hid"
children = { "0-5" = "k1", "6-11" = "k2" }"#,
        r#"id = "hid"
children = "k1"
population = "k2"
filter = { use = ["woon", "kantoor", 7] }"#,
        r#"children = { "0-5" = "k1", "6-11" = ["k1", "k2"] }
decimal = ","
filter = { use = true }"#,
        r#"id = "hid"
children = { "0-5" = "k1", "6-11" = "k2" }
share_by = "area"
filter = { use = "3" }"#,
    ];

    /// The homes (ids, places, children, estimated) and warnings, or the error, as text.
    fn read(path: &Path, homes_section: &str, chunk: usize, columnar: bool) -> String {
        // A Shapefile written here has no .prj.
        let crs = match path.extension().is_some_and(|e| e == "shp") {
            true => "crs = \"EPSG:28992\"",
            false => "",
        };
        let text = format!(
            "[study]\nname = \"t\"\n[neighbourhoods]\npath = \"n.geojson\"\nid = \"code\"\n[homes]\npath = \"{}\"\n{crs}\n{homes_section}\n[[amenities]]\nkind = \"playground\"\npath = \"p.geojson\"\n",
            path.display()
        );
        let study = Resolved::parse(&text, &path.with_file_name("study.toml")).unwrap();
        let warnings = Warnings::new();
        let source = crate::layers::format::VectorSource::new(path, None, None);
        let crs = Crs::from_epsg(28992).unwrap();
        let reading = Reading { chunk, columnar };
        match load_as(&study, source, &crs, &[], &study.bands, &warnings, reading) {
            Err(e) => format!("error: {e}"),
            Ok((homes, input)) => format!(
                "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}\n{:?}",
                homes.ids.iter().collect::<Vec<_>>(),
                homes.coords,
                homes
                    .children
                    .iter()
                    .map(|c| c.to_bits())
                    .collect::<Vec<_>>(),
                homes.estimated,
                homes.neighbourhood,
                input.features,
                warnings.to_vec()
            ),
        }
    }

    fn same_homes(path: &Path, chunk: usize) -> std::result::Result<(), TestCaseError> {
        for section in HOMES_SECTIONS {
            let maps = read(path, section, chunk, false);
            let columns = read(path, section, chunk, true);
            prop_assert_eq!(&maps, &columns, "{}", section);
        }
        Ok(())
    }

    #[test]
    fn columns_read_ids_counts_and_errors_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("homes.gpkg");
        let home = |geom, hid, k1, k2| Home {
            geom,
            values: [hid, k1, k2, V::Text("woon".into())],
        };
        let rows = [
            home(
                Geom::Point(155_000.0, 463_000.0),
                V::Text("0012".into()),
                V::Int(3),
                V::Text("2".into()),
            ),
            home(Geom::Null, V::Int(1), V::Int(1), V::Int(1)),
            home(
                Geom::Square(155_010.0, 463_020.0, 10.0),
                V::Real(12.0),
                V::Real(1.5),
                V::Null,
            ),
        ];
        write_gpkg(&path, &rows);
        let homes = read(&path, HOMES_SECTIONS[0], 1 << 14, true);
        let lines: Vec<&str> = homes.lines().collect();
        assert_eq!(lines[0], r#"["0012", "12"]"#, "{homes}");
        // The square's centroid.
        assert_eq!(
            lines[1],
            "[COORD(155000.0 463000.0), COORD(155015.0 463025.0)]"
        );
        let children: Vec<f64> = [3.0, 2.0, 1.5].to_vec();
        let written: Vec<u64> = children.iter().map(|c| c.to_bits()).collect();
        assert!(
            lines[2].starts_with(&format!("{:?}", written).trim_end_matches(']').to_string()),
            "{homes}"
        );
        assert_eq!(lines[3], "[false, true]");
        assert_eq!(lines[5], "3");
        assert!(
            lines[6].contains("1 feature(s) without geometry"),
            "{homes}"
        );

        let bad = [home(
            Geom::Point(155_000.0, 463_000.0),
            V::Text("7".into()),
            V::Int(1),
            V::Text("2,5".into()),
        )];
        let path = dir.path().join("bad.gpkg");
        write_gpkg(&path, &bad);
        let error = read(&path, HOMES_SECTIONS[0], 1 << 14, true);
        assert!(
            error.starts_with(&format!(
                "error: {}: feature 0: attribute \"k2\" = ",
                path.display()
            )),
            "{error}"
        );
        assert!(error.contains(r#"decimal = ",""#), "{error}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn geopackage_columns_give_the_homes_maps_give(
            rows in homes([Kind::Any; 4]),
            chunk in prop_oneof![Just(7usize), Just(1 << 14)],
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("homes.gpkg");
            write_gpkg(&path, &rows);
            same_homes(&path, chunk)?;
        }
    }

    fn kinds() -> impl Strategy<Value = [Kind; 4]> {
        let id = prop_oneof![Just(Kind::Int), Just(Kind::Real), Just(Kind::Text)];
        let count = || prop_oneof![Just(Kind::Int), Just(Kind::Real), Just(Kind::Text)];
        let filter = prop_oneof![Just(Kind::Text), Just(Kind::Bool), Just(Kind::Int)];
        (id, count(), count(), filter).prop_map(|(a, b, c, d)| [a, b, c, d])
    }

    #[cfg(feature = "parquet")]
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn geoparquet_columns_give_the_homes_maps_give(
            (kinds, rows) in kinds().prop_flat_map(|k| (Just(k), homes(k))),
            chunk in prop_oneof![Just(7usize), Just(1 << 14)],
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("homes.parquet");
            write_parquet(&path, &rows, kinds);
            same_homes(&path, chunk)?;
        }
    }

    /// A GeoJSON of `rows` in RD New, with what the fast path leaves to the lean one in some
    /// features: an escaped member name (every 5th), a duplicate member (every 9th: the last
    /// counts), a member left out (every 7th) and `"properties": null` (every 13th).
    fn write_geojson(path: &Path, rows: &[Home]) {
        let json = |v: &V| match v {
            V::Null => "null".to_string(),
            V::Int(i) => i.to_string(),
            V::Real(r) if r.is_nan() => "null".to_string(),
            V::Real(r) => serde_json::Number::from_f64(*r).unwrap().to_string(),
            V::Text(t) => serde_json::to_string(t).unwrap(),
            V::Bool(b) => b.to_string(),
        };
        let mut out = String::from(
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":["#,
        );
        for (n, home) in rows.iter().enumerate() {
            let geometry = match home.geom {
                Geom::Null => "null".to_string(),
                Geom::Point(x, y) => format!(r#"{{"type":"Point","coordinates":[{x},{y}]}}"#),
                Geom::Square(x, y, s) => format!(
                    r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}"#,
                    x + s,
                    x + s,
                    y + s,
                    y + s
                ),
            };
            let mut members = Vec::new();
            for (name, v) in NAMES.iter().zip(&home.values) {
                match (*name, n % 5, n % 7, n % 9) {
                    ("k2", _, 3, _) => continue,
                    ("hid", 0, _, _) => members.push(format!(r#""h\u0069d":{}"#, json(v))),
                    ("k1", _, _, 4) => {
                        members.push(r#""k1":"zzz""#.to_string());
                        members.push(format!(r#""k1":{}"#, json(v)));
                    }
                    _ => members.push(format!(r#""{name}":{}"#, json(v))),
                }
            }
            members.push(r#""other":[1,{"a":"b"}]"#.to_string());
            let properties = match n % 13 {
                12 => "null".to_string(),
                _ => format!("{{{}}}", members.join(",")),
            };
            if n > 0 {
                out.push_str(",\n");
            }
            out.push_str(&format!(
                r#"{{"type":"Feature","geometry":{geometry},"properties":{properties}}}"#
            ));
        }
        out.push_str("]}\n");
        std::fs::write(path, out).unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn geojson_columns_give_the_homes_maps_give(
            rows in homes([Kind::Any; 4]),
            chunk in prop_oneof![Just(7usize), Just(1 << 14)],
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("homes.geojson");
            write_geojson(&path, &rows);
            same_homes(&path, chunk)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn shapefile_columns_give_the_homes_maps_give(
            (kinds, rows) in kinds().prop_flat_map(|k| (Just(k), homes(k))),
            chunk in prop_oneof![Just(7usize), Just(1 << 14)],
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("homes.shp");
            write_shp(&path, &rows, kinds);
            same_homes(&path, chunk)?;
        }
    }
}
