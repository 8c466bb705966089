//! The study file (TOML): what to load, which norms to apply, what to compute.
//!
//! Every key of `DESIGN.md` is here; unknown keys are an error that names the key and its line
//! (serde's `deny_unknown_fields` with toml's spans). Paths are resolved against the study file's
//! folder.

pub mod ages;
mod band_names;
pub mod costs;
mod inputs;
mod norms;
mod number_format;
pub mod output_columns;
mod resolve;
pub mod speeds;

pub use costs::{presets, CostSettings, Costs, Preset, DEFAULT_PRESET};
pub use inputs::{regular_file, Input};
pub use norms::{BandNorm, BandSplit, NormTable, Norms, PRESETS};
pub use number_format::{is_missing_marker, NumberFormat, NumberText};
pub use resolve::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// A parsed study: the file as written, before [`Resolved::new`] checks and completes it.
#[derive(Debug, Clone)]
pub struct Study {
    /// The study file itself.
    pub path: PathBuf,
    /// The folder that relative paths are resolved against.
    pub dir: PathBuf,
    pub file: StudyFile,
    /// Warnings about how the file was read (band names with dashes that are not hyphens).
    pub notes: Vec<String>,
}

/// The study file as written, key for key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyFile {
    pub study: StudySection,
    pub neighbourhoods: NeighbourhoodsSection,
    pub homes: HomesSection,
    #[serde(default)]
    pub amenities: Vec<AmenitySection>,
    #[serde(default)]
    pub norms: Option<toml::Table>,
    #[serde(default)]
    pub network: Option<NetworkSection>,
    #[serde(default)]
    pub score: Option<ScoreSection>,
    #[serde(default)]
    pub catchment: Option<CatchmentSection>,
    #[serde(default)]
    pub play_area: Option<PlayAreaSection>,
    #[serde(default)]
    pub equity: Option<EquitySection>,
    #[serde(default)]
    pub sites: Option<SitesSection>,
    #[serde(default)]
    pub closures: Option<ClosuresSection>,
    #[serde(default)]
    pub costs: Option<CostsSection>,
    #[serde(default)]
    pub rasters: Vec<RasterSection>,
    #[serde(default)]
    pub priority: Option<PrioritySection>,
    #[serde(default)]
    pub scenarios: Vec<ScenarioSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudySection {
    pub name: String,
    /// Metric working CRS, or "auto" for the UTM zone of the data's centre.
    #[serde(default)]
    pub crs: Option<String>,
    /// Default output folder, relative to the study file.
    #[serde(default)]
    pub output: Option<String>,
    /// Language of the report, `summary.md` and the terminal summary ("en" or "nl").
    #[serde(default)]
    pub language: Option<Language>,
    /// Extra output formats besides CSV and GeoJSON: "gpkg".
    #[serde(default)]
    pub formats: Vec<String>,
    /// The region's name when this study is one region written by `kindscape split`: the run
    /// also writes the full-precision figures `kindscape merge` reads.
    #[serde(default)]
    pub region: Option<String>,
}

/// A language the report is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Nl,
}

impl Language {
    /// From its ISO 639-1 code, as `--lang` and `[study] language` write it.
    pub fn from_code(code: &str) -> Option<Language> {
        match code {
            "en" => Some(Language::En),
            "nl" => Some(Language::Nl),
            _ => None,
        }
    }

    /// The ISO 639-1 code (the page's `lang` attribute).
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Nl => "nl",
        }
    }
}

/// Keep features whose attributes equal these values (a list means any of them).
pub type Filter = BTreeMap<String, toml::Value>;

/// A filter as the study file writes it inline (`use = "woon", n = 3`), for messages.
pub fn describe_filter(filter: &Filter) -> String {
    filter
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Children per age band: one field (band "all") or a table of bands, each one field or a list
/// of fields that are summed.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ChildrenSpec {
    One(String),
    /// Bands in study-file order (a `toml::Table` keeps it).
    Bands(toml::Table),
}

/// How one band's children are counted from a feature's attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum BandCount {
    /// One field, or several summed.
    Fields(Vec<String>),
    /// `{ percent = F, of = G }`: G x F / 100 (CBS writes the 0-14 share of residents so).
    Percent { field: String, of: String },
    /// `{ share = F, of = G }`: G x F, F between 0 and 1.
    Share { field: String, of: String },
}

impl BandCount {
    /// Reads one band's value from the study file; the message names what is wrong.
    fn from_toml(v: &toml::Value) -> Result<BandCount, String> {
        match v {
            toml::Value::String(s) => Ok(BandCount::Fields(vec![s.clone()])),
            toml::Value::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_str()) => Ok(
                BandCount::Fields(a.iter().filter_map(|x| x.as_str().map(String::from)).collect()),
            ),
            toml::Value::Table(t) => {
                let text = |k: &str| t.get(k).and_then(|x| x.as_str()).map(String::from);
                let unknown: Vec<&String> = t
                    .keys()
                    .filter(|k| !matches!(k.as_str(), "percent" | "share" | "of"))
                    .collect();
                match (text("percent"), text("share"), text("of")) {
                    _ if !unknown.is_empty() => Err(format!(
                        "unknown key {}: give {{ percent = \"field\", of = \"field\" }} or {{ share = \"field\", of = \"field\" }}",
                        unknown.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    )),
                    (Some(field), None, Some(of)) => Ok(BandCount::Percent { field, of }),
                    (None, Some(field), Some(of)) => Ok(BandCount::Share { field, of }),
                    (Some(_), Some(_), _) => Err("give either `percent` or `share`, not both".into()),
                    (_, _, None) => Err("a percentage or share needs `of`, the field it is a part of (e.g. of = \"aantal_inwoners\")".into()),
                    _ => Err("expected { percent = \"field\", of = \"field\" } or { share = \"field\", of = \"field\" } with field names as strings".into()),
                }
            }
            other => Err(format!(
                "expected a field name, a list of field names, or {{ percent = \"field\", of = \"field\" }}, found {other}"
            )),
        }
    }

    /// Every attribute the count reads.
    pub fn fields(&self) -> Vec<&str> {
        match self {
            BandCount::Fields(f) => f.iter().map(String::as_str).collect(),
            BandCount::Percent { field, of } | BandCount::Share { field, of } => {
                vec![field.as_str(), of.as_str()]
            }
        }
    }
}

impl ChildrenSpec {
    /// Band names and how each is counted, in the order the study file gives them; the message
    /// names the band that is written wrong.
    pub fn band_counts(&self) -> Result<Vec<(String, BandCount)>, String> {
        match self {
            ChildrenSpec::One(f) => Ok(vec![(
                "all".to_string(),
                BandCount::Fields(vec![f.clone()]),
            )]),
            // `children = { share = "f", of = "g" }` reads as two bands named "share" and "of",
            // each a field: the population would be added to the children.
            ChildrenSpec::Bands(map)
                if map.contains_key("of")
                    && (map.contains_key("percent") || map.contains_key("share"))
                    && map.values().all(|v| v.is_str()) =>
            {
                let part = if map.contains_key("percent") {
                    "percent"
                } else {
                    "share"
                };
                Err(format!(
                    "children = {{ {part} = ..., of = ... }} names no band: it reads as bands called \"{part}\" and \"of\"; write the band around it, e.g. children = {{ \"all\" = {{ {part} = \"{}\", of = \"{}\" }} }}",
                    map[part].as_str().unwrap_or_default(),
                    map["of"].as_str().unwrap_or_default()
                ))
            }
            ChildrenSpec::Bands(map) => map
                .iter()
                .map(|(b, v)| {
                    BandCount::from_toml(v)
                        .map(|c| (b.clone(), c))
                        .map_err(|m| format!("children.\"{b}\": {m}"))
                })
                .collect(),
        }
    }

    /// Band names, in the order the study file gives them.
    pub fn band_names(&self) -> Vec<String> {
        match self {
            ChildrenSpec::One(_) => vec!["all".to_string()],
            ChildrenSpec::Bands(map) => map.keys().cloned().collect(),
        }
    }
}

/// `tables = [{ path, key }]`: a CSV of attributes joined on the layer's id.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSection {
    pub path: String,
    /// The column holding the layer's id.
    pub key: String,
    /// `","`, `";"`, `"\t"` or `"|"`; detected from the header line when not given.
    #[serde(default)]
    pub delimiter: Option<String>,
    #[serde(default)]
    pub decimal: Option<String>,
    #[serde(default)]
    pub thousands: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeighbourhoodsSection {
    /// The layer of polygons; empty when `osm` gives the neighbourhoods.
    #[serde(default)]
    pub path: String,
    /// Instead of `path`: an .osm.pbf whose administrative boundaries at `admin_level` are the
    /// neighbourhoods.
    #[serde(default)]
    pub osm: Option<String>,
    #[serde(default)]
    pub admin_level: Option<u8>,
    /// The id attribute; with `osm` it defaults to `ref` (the relation's OSM id where it has none).
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub population: Option<String>,
    #[serde(default)]
    pub children: Option<ChildrenSpec>,
    /// Shares of a wide children band per norm band, e.g. `{ "0-14" = { "0-5" = 0.42, ... } }`.
    #[serde(default)]
    pub split: Option<toml::Table>,
    /// CSV tables of attributes joined on `id`.
    #[serde(default)]
    pub tables: Vec<TableSection>,
    /// How the layer writes numbers in text attributes: `"."` (default) or `","`.
    #[serde(default)]
    pub decimal: Option<String>,
    /// The thousands separator of text attributes, if any: `"."`, `","`, `" "` or `"'"`.
    #[serde(default)]
    pub thousands: Option<String>,
    #[serde(default)]
    pub keep: Vec<String>,
    #[serde(default)]
    pub crs: Option<String>,
    /// Which layer of a GeoPackage with several.
    #[serde(default)]
    pub layer: Option<String>,
    #[serde(default)]
    pub filter: Option<Filter>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShareBy {
    #[default]
    Count,
    Area,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomesSection {
    /// Points, polygons (centroid used) or a GeoTIFF population grid.
    #[serde(default)]
    pub path: Option<String>,
    /// Instead of `path`: buildings from OpenStreetMap by tag (centroids of the areas).
    #[serde(default)]
    pub osm: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub filter: Option<Filter>,
    #[serde(default)]
    pub children: Option<ChildrenSpec>,
    /// Shares of a wide children band per norm band, as in `[neighbourhoods] split`.
    #[serde(default)]
    pub split: Option<toml::Table>,
    /// How the layer writes numbers in text attributes, as in `[neighbourhoods]`.
    #[serde(default)]
    pub decimal: Option<String>,
    #[serde(default)]
    pub thousands: Option<String>,
    #[serde(default)]
    pub share_by: Option<ShareBy>,
    /// Residents per home: used to share an estimate over homes whose children are suppressed.
    #[serde(default)]
    pub population: Option<String>,
    #[serde(default)]
    pub crs: Option<String>,
    /// Which layer of a GeoPackage with several.
    #[serde(default)]
    pub layer: Option<String>,
    /// For raster homes: the band (1-based) holding the weight.
    #[serde(default)]
    pub band: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmenitySection {
    pub kind: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub osm: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// "area" (polygon m2), an attribute name, or omitted (1 each).
    #[serde(default)]
    pub capacity: Option<String>,
    #[serde(default)]
    pub point_area_m2: Option<f64>,
    #[serde(default)]
    pub min_area_m2: Option<f64>,
    #[serde(default)]
    pub filter: Option<Filter>,
    #[serde(default)]
    pub crs: Option<String>,
    /// Which layer of a GeoPackage with several.
    #[serde(default)]
    pub layer: Option<String>,
    /// Attribute holding a display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Attribute holding each feature's id (what scenarios remove, what `K_nearest_id` says).
    #[serde(default)]
    pub id: Option<String>,
    /// Attribute holding the ages each feature serves ("0-5", "12+", "0-5;6-11"; empty = every
    /// band).
    #[serde(default)]
    pub ages: Option<String>,
    /// Instead of `ages`: every feature of the layer serves these bands.
    #[serde(default)]
    pub bands: Option<Vec<String>>,
    /// How the layer writes numbers held as text (its capacity and upkeep attributes).
    #[serde(default)]
    pub decimal: Option<String>,
    #[serde(default)]
    pub thousands: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSection {
    #[serde(default)]
    pub osm: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub crs: Option<String>,
    /// Which layer of a GeoPackage with several.
    #[serde(default)]
    pub layer: Option<String>,
    /// Attribute of a GeoJSON network holding the OSM highway class.
    #[serde(default)]
    pub highway: Option<String>,
    /// Which lines of a GeoJSON network are walked: "osm" (the .osm.pbf walk rules on the
    /// lines' attributes, the default) or "all".
    #[serde(default)]
    pub walkable: Option<String>,
    #[serde(default)]
    pub max_distance: Option<f64>,
    /// Homes and amenities farther than this from any walkable edge are not attached.
    #[serde(default)]
    pub attach_limit_m: Option<f64>,
    #[serde(default)]
    pub barriers: BTreeMap<String, Vec<String>>,
    /// Walking speed per band, m/s: turns time norms into metres.
    #[serde(default)]
    pub speed_m_s: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreSection {
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decay {
    #[default]
    Step,
    Gaussian,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatchmentSection {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub decay: Option<Decay>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlayAreaSection {
    #[serde(default)]
    pub share: Option<f64>,
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquitySection {
    pub by: String,
    #[serde(default)]
    pub higher_is_worse: Option<bool>,
    /// A neighbourhood attribute holding each neighbourhood's quintile of chances (1-5), used
    /// instead of computing it: a split region's quintiles are the whole study's.
    #[serde(default)]
    pub quintile: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrioritySection {
    /// How strongly deprivation weights the gap: weight = 1 + deprivation_weight x (0..1).
    #[serde(default)]
    pub deprivation_weight: Option<f64>,
    /// How many neighbourhoods `run` prints.
    #[serde(default)]
    pub top: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitesSection {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub count: Option<usize>,
    #[serde(default)]
    pub candidates: Option<String>,
    #[serde(default)]
    pub crs: Option<String>,
    /// Which layer of a candidates GeoPackage with several.
    #[serde(default)]
    pub layer: Option<String>,
    /// How the candidates layer writes numbers held as text (its capex and upkeep attributes).
    #[serde(default)]
    pub decimal: Option<String>,
    #[serde(default)]
    pub thousands: Option<String>,
    /// Generated candidates keep at least this distance from existing amenities of the kind.
    #[serde(default)]
    pub min_distance_m: Option<f64>,
    /// Where generated candidates stand: "grid" or "network" (its nodes).
    #[serde(default)]
    pub generate: Option<String>,
    /// Children one site can serve; omitted = unlimited.
    #[serde(default)]
    pub capacity: Option<f64>,
    /// Weight uncovered children by deprivation (see `[priority]`).
    #[serde(default)]
    pub weight_by_deprivation: Option<bool>,
}

/// `[closures]`: which amenities of a kind could close with the least loss of covered children.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosuresSection {
    #[serde(default)]
    pub kind: Option<String>,
    /// How many to close (or `keep_coverage`).
    #[serde(default)]
    pub count: Option<usize>,
    /// Close as many as keep this share of the children covered today covered.
    #[serde(default)]
    pub keep_coverage: Option<f64>,
    /// Ids of amenities that never close.
    #[serde(default)]
    pub keep: Vec<String>,
    /// Weigh the children losing coverage by deprivation (see `[priority]`).
    #[serde(default)]
    pub weight_by_deprivation: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostsSection {
    #[serde(default)]
    pub preset: Option<String>,
    #[serde(default)]
    pub capex_eur: Option<f64>,
    #[serde(default)]
    pub maintenance_eur_per_year: Option<f64>,
    #[serde(default)]
    pub benefit_eur_per_child_per_year: Option<f64>,
    #[serde(default)]
    pub benefit_eur_per_site_per_year: Option<f64>,
    #[serde(default)]
    pub years: Option<u32>,
    #[serde(default)]
    pub discount_rate: Option<f64>,
    /// The candidates attribute holding a site's capital cost in euros.
    #[serde(default)]
    pub capex: Option<String>,
    /// The attribute holding a site's (candidates) or a playground's (closures) upkeep in euros a
    /// year.
    #[serde(default)]
    pub maintenance: Option<String>,
}

/// `[[scenarios]]`: a change to the amenities, measured against the study as it is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    pub name: String,
    #[serde(default)]
    pub remove: Option<RemoveSection>,
    /// Layers of amenities the scenario adds, each read as an `[[amenities]]` entry is.
    #[serde(default)]
    pub add: Vec<AmenitySection>,
}

/// `remove = { kind, ids = [...] }` or `remove = { kind, where = { attribute = value } }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveSection {
    pub kind: String,
    /// Ids as `[[amenities]] id` gives them: text, or whole numbers.
    #[serde(default)]
    pub ids: Option<Vec<toml::Value>>,
    /// Every amenity of the kind whose attributes equal these (a list means any of them).
    #[serde(default, rename = "where")]
    pub matching: Option<Filter>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RasterSection {
    pub kind: String,
    pub path: String,
    /// "mean", "sum", "share_above" (with `threshold`), ...
    #[serde(default)]
    pub statistic: Option<String>,
    #[serde(default)]
    pub threshold: Option<f64>,
    #[serde(default)]
    pub band: Option<u32>,
    #[serde(default)]
    pub crs: Option<String>,
    /// Also sample the raster at every home (a `homes.csv` column).
    #[serde(default)]
    pub sample_homes: Option<bool>,
}

/// A parser's message with the study file's lines it quotes (`12 | text`, and the caret line
/// under it) cut to a screen's width: the TOML parser quotes the offending line whole, and a
/// study file of one very long line would fill the terminal. The message's own lines (the
/// keys a table accepts, however many) stay whole.
fn shortened_lines(message: &str) -> String {
    const MAX_CHARS: usize = 200;
    let quotes_the_file = |line: &str| {
        line.split_once('|')
            .is_some_and(|(gutter, _)| gutter.chars().all(|c| c == ' ' || c.is_ascii_digit()))
    };
    message
        .lines()
        .map(|line| match line.char_indices().nth(MAX_CHARS) {
            Some((cut, _)) if quotes_the_file(line) => format!("{}…", &line[..cut]),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Study {
    /// Reads and parses a study file (see [`Resolved::load`] for the checked settings).
    pub fn load(path: &Path) -> Result<Study> {
        regular_file(path, inputs::STUDY_FILE)?;
        // A study file is a page of settings (layers are given by path): anything larger is
        // not one, and is not read into memory whole.
        const MAX_STUDY_BYTES: u64 = 16 << 20;
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size > MAX_STUDY_BYTES {
            return Err(Error::study(
                path,
                format!(
                    "the study file is {} MB; a study file is a short TOML text that names its layers by path (is this a layer?)",
                    size >> 20
                ),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses study text as if it were the file at `path` (which resolves relative paths).
    pub fn parse(text: &str, path: &Path) -> Result<Study> {
        let mut file: StudyFile = toml::from_str(text).map_err(|e| {
            Error::study(
                path,
                format!(
                    "invalid study file: {}",
                    shortened_lines(e.to_string().trim_end())
                ),
            )
        })?;
        let dir = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let notes = band_names::use_hyphens(&mut file).map_err(|m| Error::study(path, m))?;
        Ok(Study {
            path: path.to_path_buf(),
            dir,
            file,
            notes,
        })
    }

    /// Resolves a path from the study file against the study's folder.
    pub fn resolve(&self, relative: &str) -> PathBuf {
        resolve::resolve_path(&self.dir, relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[study]
name = "t"
[neighbourhoods]
path = "n.geojson"
id = "code"
children = { "0-5" = "a", "6-11" = ["b", "c"] }
[homes]
path = "h.geojson"
[[amenities]]
kind = "playground"
path = "p.geojson"
"#;

    #[test]
    fn unknown_key_names_key_and_line() {
        let text = MINIMAL.replace("[homes]\n", "[homes]\nchildern = \"x\"\n");
        let e = Study::parse(&text, Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("childern"), "{e}");
        assert!(e.contains("line 9"), "{e}");
    }

    #[test]
    fn a_long_line_or_a_huge_file_gives_a_short_message() {
        // One line of 100,000 brackets: the parser's message quotes the line; cut to 200 chars.
        let text = format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = Study::parse(&text, Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid study file"), "{e}");
        assert!(e.contains("line 1"), "{e}");
        assert!(e.lines().all(|l| l.chars().count() <= 240), "{e}");
        assert!(e.contains('…'), "{e}");
        // A message line is never cut: an unknown key's list of the keys there are.
        let long_list = shortened_lines(&format!(
            "unknown field `x`, expected one of {}",
            "`k`, ".repeat(100)
        ));
        assert!(long_list.ends_with("`k`, ") && !long_list.contains('…'));
        // A 17 MB file is refused before it is read.
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.toml");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(17 << 20).unwrap();
        let e = Study::load(&big).unwrap_err().to_string();
        assert!(e.contains("big.toml") && e.contains("17 MB"), "{e}");
        // The study file as a device is named as the study file.
        let e = Study::load(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("a study file (TOML)"), "{e}");
    }

    #[test]
    fn language_is_en_or_nl() {
        let nl = MINIMAL.replacen("[study]\n", "[study]\nlanguage = \"nl\"\n", 1);
        assert_ne!(nl, MINIMAL, "the minimal study has a [study] line");
        let s = Study::parse(&nl, Path::new("s.toml")).unwrap();
        assert_eq!(s.file.study.language, Some(Language::Nl));
        let de = MINIMAL.replacen("[study]\n", "[study]\nlanguage = \"de\"\n", 1);
        let e = Study::parse(&de, Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.toml") && e.contains("de"), "{e}");
    }

    #[test]
    fn score_weights_normalised() {
        let text = format!("{MINIMAL}[score]\nweights = {{ playground = 2 }}\n");
        let s = Resolved::parse(&text, Path::new("s.toml")).unwrap();
        assert_eq!(s.score_weights(), vec![("playground".to_string(), 1.0)]);
        let bad = format!("{MINIMAL}[score]\nweights = {{ library = 1 }}\n");
        let e = Resolved::parse(&bad, Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("library"), "{e}");
    }
}
