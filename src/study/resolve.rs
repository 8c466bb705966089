//! The one resolution step: the study file as written ([`StudyFile`], all `Option`s) becomes the
//! typed, validated settings of each stage ([`Resolved`]), every default filled in and recorded
//! with where it came from, every cross-reference between sections checked.
//!
//! Nothing after this step reads the raw file: stages take their own settings
//! (`&SitesSettings`, `&PrioritySettings`, ...), so a default lives in one place and an error
//! the study file makes is found here, before any layer is read. Checks that need the loaded
//! layers (an `[equity] by` attribute no neighbourhood has) run right after loading, in
//! `scene::build`, which `check` and `run` both call.

use std::path::{Path, PathBuf};

use super::ages::{band_years, norm_band_years, Years};
use super::band_names::with_hyphens;
use super::costs::CostSettings;
use super::norms::{BandNorm, BandSplit, Norms};
use super::speeds::WalkingSpeeds;
use super::{
    AmenitySection, ChildrenSpec, Decay, HomesSection, Input, Language, NeighbourhoodsSection,
    NetworkSection, NumberFormat, RasterSection, Study, StudyFile,
};
use crate::error::{shown, Error, Result};

/// Where a setting's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The study file set it.
    StudyFile,
    /// Nobody set it: kindscape's default.
    Default,
}

/// A resolved value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    /// The study file's value, else the default.
    fn given_or(given: Option<T>, default: T) -> Self {
        match given {
            Some(value) => Setting {
                value,
                source: Source::StudyFile,
            },
            None => Setting {
                value: default,
                source: Source::Default,
            },
        }
    }

    fn default(value: T) -> Self {
        Setting {
            value,
            source: Source::Default,
        }
    }
}

/// `[network] max_distance` when the study file names none, in metres.
pub const DEFAULT_NETWORK_MAX_DISTANCE_M: f64 = 2000.0;
/// `[network] attach_limit_m` when the study file names none, in metres.
pub const DEFAULT_ATTACH_LIMIT_M: f64 = 200.0;
/// `[play_area] share` when the study file names none: 3% of the base area.
pub const DEFAULT_PLAY_AREA_SHARE: f64 = 0.03;
/// `[priority] deprivation_weight` when the study file names none.
pub const DEFAULT_DEPRIVATION_WEIGHT: f64 = 1.0;
/// `[priority] top` when the study file names none.
pub const DEFAULT_PRIORITY_TOP: usize = 5;
/// `[sites] count` when the study file names none.
pub const DEFAULT_SITES_COUNT: usize = 5;

/// A study, resolved: what every stage needs, typed, validated and with its defaults filled in.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The study file itself.
    pub path: PathBuf,
    /// The folder that relative paths are resolved against.
    pub dir: PathBuf,
    /// The study file and every file it names, each with its key (none of them may be written).
    pub inputs: Vec<Input>,
    /// `[study] name`.
    pub name: String,
    /// `[study] crs`: a metric CRS, or "auto" (the default) for the UTM zone of the data.
    pub crs: Setting<String>,
    /// `[study] formats = ["gpkg"]`: also write `kindscape.gpkg`.
    pub geopackage: bool,
    /// `[study] formats = ["pdf"]`: also print `report.html` to `report.pdf` (as `--pdf` does).
    pub pdf: bool,
    /// `[study] formats = ["parquet"]`: also write `homes.parquet` and `neighbourhoods.parquet`
    /// (only ever true in a build with the `parquet` feature).
    pub geoparquet: bool,
    /// `[study] language` of the report, `summary.md` and the terminal summary (`--lang` may
    /// override it when writing).
    pub language: Setting<Language>,
    /// `[study] region`: this study is one region of a split study (`kindscape split`).
    pub region: Option<String>,
    output: Option<String>,
    /// What the loading stage reads: the layer sections as written (their paths are relative to
    /// [`Resolved::dir`]; see [`Resolved::input_path`]).
    pub layers: LayerSettings,
    /// `[neighbourhoods] tables`, `decimal` and `thousands`.
    pub neighbourhood_attributes: AttributeSettings,
    /// `[homes] decimal` and `thousands`, when either is given.
    pub homes_format: Option<NumberFormat>,
    /// `split`: per children band, its share of each norm band (`[neighbourhoods]` or `[homes]`).
    pub split: BandSplit,
    /// The age bands children are counted in, in study-file order.
    pub bands: Vec<String>,
    /// The amenity kinds, in the order of their first `[[amenities]]` entry.
    pub kinds: Vec<String>,
    /// The kind whose gaps drive priority and site selection: `[sites] kind`, else playground
    /// when there is one, else the first kind.
    pub focus_kind: String,
    /// The norms of every kind, per band, each with its source.
    pub norms: Norms,
    /// Per `[[amenities]]` entry (in entry order): which bands its features serve.
    pub amenity_ages: Vec<AmenityAges>,
    /// The walking speed of each band (`[network] speed_m_s`, else the defaults): what turned
    /// time norms into metres, and turns network distances into minutes.
    pub speeds: WalkingSpeeds,
    pub score: ScoreSettings,
    pub network: Option<NetworkSettings>,
    pub catchment: CatchmentSettings,
    pub play_area: PlayAreaSettings,
    pub equity: Option<EquitySettings>,
    pub priority: PrioritySettings,
    pub sites: Option<SitesSettings>,
    pub closures: Option<ClosuresSettings>,
    pub rasters: RasterSettings,
    /// `[[scenarios]]`, in study-file order.
    pub scenarios: Vec<ScenarioSettings>,
    /// What the resolution noticed without stopping (a section with no effect, weights that do
    /// not sum to 1), in the order found; the run adds them to its warnings.
    pub warnings: Vec<String>,
}

/// Which bands the features of an `[[amenities]]` entry serve (`ages`, `bands`).
#[derive(Debug, Clone, PartialEq)]
pub enum AmenityAges {
    /// Every band: neither key, on a layer that is not an .osm.pbf.
    Every,
    /// Per feature, from this attribute ("0-5", "12+", "0-5;6-11"; empty = every band).
    Attribute(String),
    /// Per feature, from OpenStreetMap's `min_age` / `max_age` (an .osm.pbf layer without `ages`
    /// or `bands`); a feature without either serves every band.
    OsmTags,
    /// Every feature serves these years: the bands `bands` names.
    Bands(Years),
}

/// One `[[scenarios]]` entry, checked against the study's kinds and bands.
#[derive(Debug, Clone)]
pub struct ScenarioSettings {
    pub name: String,
    pub remove: Option<Removal>,
    /// The layers it adds, each with the ages its features serve.
    pub add: Vec<(AmenitySection, AmenityAges)>,
}

/// Which amenities of a kind a scenario removes.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    pub kind: String,
    pub by: RemoveBy,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RemoveBy {
    /// Every amenity whose `[[amenities]] id` is one of these.
    Ids(Vec<String>),
    /// Every amenity whose attributes match (as a `filter` does).
    Matching(super::Filter),
}

impl Resolved {
    /// The attributes of kind `kind` that some scenario's `remove.where` reads, and the upkeep
    /// attribute a closure saves: what loading keeps of each amenity's attributes.
    pub fn kept_attributes(&self, kind: &str) -> Vec<String> {
        let mut keys: Vec<String> = self
            .scenarios
            .iter()
            .filter_map(|s| s.remove.as_ref())
            .filter(|r| r.kind == kind)
            .filter_map(|r| match &r.by {
                RemoveBy::Matching(m) => Some(m.keys().cloned()),
                RemoveBy::Ids(_) => None,
            })
            .flatten()
            .collect();
        if let Some(closures) = self.closures.as_ref().filter(|c| c.kind.value == kind) {
            keys.extend(closures.costs.maintenance_attribute.iter().cloned());
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// A kind's norm bands can be told apart in a mask of this many bits.
pub const MAX_NORM_BANDS: usize = 64;

/// A CSV table of attributes, resolved: `[neighbourhoods] tables`.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSpec {
    pub path: PathBuf,
    /// The column holding the layer's id.
    pub key: String,
    /// `None`: detected from the header line.
    pub delimiter: Option<u8>,
    pub format: NumberFormat,
}

/// Where a layer's attributes come from besides the layer, and how its text numbers are written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttributeSettings {
    pub tables: Vec<TableSpec>,
    /// The layer's own `decimal`/`thousands`, when the study gives either.
    pub format: Option<NumberFormat>,
}

/// The layer sections, as the study file gives them.
#[derive(Debug, Clone)]
pub struct LayerSettings {
    pub neighbourhoods: NeighbourhoodsSection,
    pub homes: HomesSection,
    pub amenities: Vec<AmenitySection>,
    /// The walk network's source (`osm` or `path`, `crs`, `highway`).
    pub network: Option<NetworkSection>,
}

/// `[score]`: the weight of each kind in the score, normalised to sum to 1, in kind order.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSettings {
    pub weights: Setting<Vec<(String, f64)>>,
}

/// `[network]`: how far the walk search goes and which ways each band may not cross.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSettings {
    pub max_distance_m: Setting<f64>,
    pub attach_limit_m: Setting<f64>,
    /// Which lines of a GeoJSON network are walked.
    pub walkable: Setting<Walkable>,
    /// Per band distances are walked for (`Norms::reach_bands`, in order): the highway classes
    /// it does not cross.
    pub barriers: Vec<Vec<String>>,
}

/// Which lines of a GeoJSON network are walked (`[network] walkable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Walkable {
    /// The .osm.pbf reader's walk rules (`layers::osm::is_walkable`) on each line's class, `foot`,
    /// `access` and `area` attributes; the class attribute is required.
    #[default]
    OsmRules,
    /// Every line, whatever its attributes (`walkable = "all"`); the class, when given, still
    /// names barrier roads.
    All,
}

/// `[catchment]`: the kind whose play space per child is computed (E2SFCA) and the decay.
#[derive(Debug, Clone, PartialEq)]
pub struct CatchmentSettings {
    /// `[catchment] kind`, else the focus kind.
    pub kind: Setting<String>,
    pub decay: Setting<Decay>,
}

/// `[play_area]`: play area per neighbourhood and its share of a base area.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayAreaSettings {
    /// `[play_area] kind`, else playground when the study has it; none = no play area.
    pub kind: Option<Setting<String>>,
    /// The norm: the share of the base area that should be play area.
    pub share: Setting<f64>,
    /// "neighbourhood" (its polygon's area, the default) or a neighbourhood attribute in m2.
    pub base: Setting<String>,
    /// The study file, for errors about the base attribute.
    pub study_file: PathBuf,
}

/// `[equity]`: the socioeconomic attribute neighbourhoods are put in quintiles by.
#[derive(Debug, Clone, PartialEq)]
pub struct EquitySettings {
    pub by: String,
    pub higher_is_worse: Setting<bool>,
    /// `[equity] quintile`: the attribute holding each neighbourhood's quintile of chances,
    /// given instead of computed (a split region's).
    pub quintile: Option<String>,
    /// The neighbourhoods layer the attribute is read from, for its errors.
    pub neighbourhoods_path: PathBuf,
    /// The study file, for errors about the attribute.
    pub study_file: PathBuf,
}

/// `[priority]`: how neighbourhoods are ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct PrioritySettings {
    /// weight = 1 + deprivation_weight x (0..1 by equity quintile).
    pub deprivation_weight: Setting<f64>,
    /// How many neighbourhoods `run` prints.
    pub top: Setting<usize>,
}

/// `[sites]` with `[costs]`: where new sites go, how many, and what they cost.
#[derive(Debug, Clone, PartialEq)]
pub struct SitesSettings {
    pub kind: Setting<String>,
    /// The norms of that kind, per band.
    pub norms: Vec<BandNorm>,
    pub count: Setting<usize>,
    /// A layer of candidate sites; none = a grid over the gaps.
    pub candidates: Option<CandidateLayer>,
    /// Generated candidates keep at least this far from existing amenities of the kind
    /// (default: the kind's smallest norm).
    pub min_distance_m: Setting<f64>,
    /// Where generated candidates stand (default: the network's nodes when the study has a
    /// `[network]`, else the grid).
    pub generate: Setting<Generate>,
    /// Children one site can serve; none = unlimited.
    pub capacity: Option<f64>,
    /// `[priority] deprivation_weight` when `[sites] weight_by_deprivation` is on.
    pub deprivation_weight: Option<f64>,
    pub costs: CostSettings,
    /// The study file, for errors about the candidates.
    pub study_file: PathBuf,
}

/// `[sites] generate`: where the candidates kindscape generates stand (`run.json` writes it as
/// the study file does: "grid", "network").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Generate {
    /// Points of a square grid over the neighbourhoods.
    Grid,
    /// Nodes of the walk network, at most one per cell of the same grid.
    Network,
}

/// `[closures]`: which amenities could close, and how many.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosuresSettings {
    /// `[closures] kind`, else the focus kind.
    pub kind: Setting<String>,
    /// The norms of that kind, per band.
    pub norms: Vec<BandNorm>,
    pub target: ClosureTarget,
    /// Ids of amenities that never close (`keep`), as written.
    pub keep: Vec<String>,
    /// `[priority] deprivation_weight` when `[closures] weight_by_deprivation` is on.
    pub deprivation_weight: Option<f64>,
    /// `[costs]`: the upkeep a closure saves against the benefit it loses.
    pub costs: CostSettings,
    /// The study file, for errors found after loading (an unknown id in `keep`).
    pub study_file: PathBuf,
}

/// How many amenities `[closures]` closes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClosureTarget {
    /// Exactly this many (`count`).
    Count(usize),
    /// As many as keep at least this share (0 < share <= 1) of the children covered today still
    /// covered (`keep_coverage`).
    KeepCoverage(f64),
}

/// `[sites] candidates`: a layer that exists.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateLayer {
    /// As the study file writes it (for the assumption lines).
    pub given: String,
    pub path: PathBuf,
    pub crs: Option<String>,
    /// The layer of a GeoPackage with several.
    pub layer: Option<String>,
    /// `[sites] decimal` and `thousands`, when either is given.
    pub format: Option<NumberFormat>,
}

/// `[[rasters]]`: the rasters summarised per neighbourhood.
#[derive(Debug, Clone)]
pub struct RasterSettings {
    /// Each entry with its resolved path.
    pub entries: Vec<(RasterSection, PathBuf)>,
    /// The study file, for errors about an entry.
    pub study_file: PathBuf,
}

impl Resolved {
    /// Reads a study file and resolves it.
    pub fn load(path: &Path) -> Result<Resolved> {
        Resolved::new(Study::load(path)?)
    }

    /// Parses study text as if it were the file at `path` and resolves it.
    pub fn parse(text: &str, path: &Path) -> Result<Resolved> {
        Resolved::new(Study::parse(text, path)?)
    }

    /// The resolution step: every section checked, every default filled in.
    pub fn new(study: Study) -> Result<Resolved> {
        // A device or a FIFO would hang a reader: refused before anything is opened.
        study.check_inputs_are_files()?;
        let inputs = study.inputs();
        let err = |m: String| Error::study(&study.path, m);
        let file = &study.file;
        check_children(file).map_err(err)?;
        let bands = children_bands(file);
        let kinds = unique_kinds(file);
        let split = split(file).map_err(err)?;
        let mut split_notes = Vec::new();
        let speeds = WalkingSpeeds::new(
            &file
                .network
                .as_ref()
                .map(|n| n.speed_m_s.clone())
                .unwrap_or_default(),
        )
        .map_err(err)?;
        let norms = Norms::with_split(
            file.norms.as_ref(),
            &kinds,
            &bands,
            &split,
            &speeds,
            &mut split_notes,
        )
        .map_err(err)?;
        validate_layers(file).map_err(err)?;
        check_kind_columns(file, &kinds, &norms).map_err(err)?;
        check_kept_names(file, &kinds, &norms).map_err(err)?;
        let amenity_ages = amenity_ages(file, &norms, &bands).map_err(err)?;
        let neighbourhood_attributes = neighbourhood_attributes(&study).map_err(err)?;
        let Formats {
            geopackage,
            geoparquet,
            pdf,
        } = formats(&file.study.formats).map_err(err)?;
        let homes_format =
            layer_format("homes", &file.homes.decimal, &file.homes.thousands).map_err(err)?;
        let focus_kind = focus_kind(file, &kinds).map_err(err)?;
        let mut warnings = study.notes.clone();
        for note in split_notes {
            if !warnings.contains(&note) {
                warnings.push(note);
            }
        }
        let score = score(file, &kinds, &mut warnings).map_err(err)?;
        let mut network = network(file, &norms.reach_bands).map_err(err)?;
        if let Some(n) = network.as_mut() {
            reach_every_norm(n, &norms, &mut warnings);
        }
        walking_time(file, &bands, &norms, &speeds, &mut warnings).map_err(err)?;
        let catchment = catchment(file, &kinds, &focus_kind).map_err(err)?;
        let play_area = play_area(&study, &kinds, &mut warnings).map_err(err)?;
        let priority = priority(file).map_err(err)?;
        let equity = file.equity.as_ref().map(|e| EquitySettings {
            by: e.by.clone(),
            higher_is_worse: Setting::given_or(e.higher_is_worse, false),
            quintile: e.quintile.clone(),
            neighbourhoods_path: study.resolve(
                file.neighbourhoods
                    .osm
                    .as_deref()
                    .unwrap_or(&file.neighbourhoods.path),
            ),
            study_file: study.path.clone(),
        });
        // Costs are resolved (and their errors found) even when no `[sites]` or `[closures]`
        // uses them.
        let costs = CostSettings::from_section(file.costs.as_ref(), &study.path)?;
        let sites = sites(
            &study,
            &norms,
            &focus_kind,
            &priority,
            &costs,
            &mut warnings,
        )?;
        let closures = closures(
            &study,
            &kinds,
            &norms,
            &focus_kind,
            &priority,
            &costs,
            &mut warnings,
        )
        .map_err(err)?;
        let rasters = rasters(&study).map_err(err)?;
        let scenarios = scenarios(file, &kinds, &norms, &bands, &mut warnings).map_err(err)?;
        no_effect_warnings(file, &mut warnings);
        let StudyFile {
            study: head,
            mut neighbourhoods,
            homes,
            amenities,
            network: network_section,
            ..
        } = study.file;
        if neighbourhoods.osm.is_some() {
            if neighbourhoods.id.is_empty() {
                neighbourhoods.id = "ref".into();
            }
            if neighbourhoods.name.is_none() {
                neighbourhoods.name = Some("name".into());
            }
        }
        Ok(Resolved {
            path: study.path,
            dir: study.dir,
            inputs,
            name: head.name,
            crs: Setting::given_or(head.crs, "auto".to_string()),
            language: Setting::given_or(head.language, Language::default()),
            geopackage,
            geoparquet,
            pdf,
            output: head.output,
            region: head.region,
            neighbourhood_attributes,
            homes_format,
            split,
            layers: LayerSettings {
                neighbourhoods,
                homes,
                amenities,
                network: network_section,
            },
            bands,
            kinds,
            focus_kind,
            norms,
            amenity_ages,
            speeds,
            score,
            network,
            catchment,
            play_area,
            equity,
            priority,
            sites,
            closures,
            rasters,
            scenarios,
            warnings,
        })
    }

    /// Resolves a path from the study file against the study's folder.
    pub fn input_path(&self, relative: &str) -> PathBuf {
        resolve_path(&self.dir, relative)
    }

    /// The output folder: `--out` if given, else `[study] output`, else `out/<study file stem>`.
    pub fn output_dir(&self, cli_out: Option<&Path>) -> PathBuf {
        if let Some(o) = cli_out {
            return o.to_path_buf();
        }
        match &self.output {
            Some(o) => self.input_path(o),
            None => {
                let stem = self
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_else(|| "study".into());
                self.dir.join("out").join(stem)
            }
        }
    }

    /// The kind whose gaps drive priority and site selection.
    pub fn focus_kind(&self) -> Option<String> {
        Some(self.focus_kind.clone())
    }

    /// The play-area norm: `[play_area] share`, default 3%.
    pub fn play_area_norm(&self) -> f64 {
        self.play_area.share.value
    }

    /// How many neighbourhoods the priority list shows: `[priority] top`, default 5.
    pub fn priority_top(&self) -> usize {
        self.priority.top.value
    }

    /// The neighbourhood attributes the study reads as numbers: children, population, the
    /// `[equity] by` attribute and a `[play_area] base` attribute.
    pub fn neighbourhood_numbers(&self) -> Vec<String> {
        let n = &self.layers.neighbourhoods;
        let mut fields: Vec<String> = Vec::new();
        if let Some(spec) = &n.children {
            for (_, count) in spec.band_counts().unwrap_or_default() {
                fields.extend(count.fields().into_iter().map(String::from));
            }
        }
        fields.extend(n.population.clone());
        fields.extend(self.equity.as_ref().map(|e| e.by.clone()));
        if self.play_area.base.value != "neighbourhood" {
            fields.push(self.play_area.base.value.clone());
        }
        fields.sort_unstable();
        fields.dedup();
        fields
    }

    /// The `[score]` weights per kind, normalised to sum to 1.
    pub fn score_weights(&self) -> Vec<(String, f64)> {
        self.score.weights.value.clone()
    }
}

/// A layer section's `decimal` and `thousands`, when either is given.
fn layer_format(
    section: &str,
    decimal: &Option<String>,
    thousands: &Option<String>,
) -> Result<Option<NumberFormat>, String> {
    if decimal.is_none() && thousands.is_none() {
        return Ok(None);
    }
    NumberFormat::from_keys(decimal.as_deref(), thousands.as_deref())
        .map(Some)
        .map_err(|m| format!("[{section}] {m}"))
}

/// The extra outputs `[study] formats` asks for.
#[derive(Default)]
struct Formats {
    geopackage: bool,
    geoparquet: bool,
    pdf: bool,
}

/// `[study] formats`: whether `kindscape.gpkg`, the GeoParquet files and `report.pdf` are written.
fn formats(formats: &[String]) -> Result<Formats, String> {
    let mut out = Formats::default();
    for f in formats {
        match f.as_str() {
            "gpkg" => out.geopackage = true,
            "pdf" => out.pdf = true,
            "parquet" if cfg!(feature = "parquet") => out.geoparquet = true,
            "parquet" => return Err("[study] formats: \"parquet\" (GeoParquet) needs a kindscape built with the `parquet` feature, and this one was built without it: rebuild with `cargo install --path . --features parquet`, or write \"gpkg\" (kindscape.gpkg) instead".into()),
            other => return Err(format!("[study] formats: \"{other}\" is not an output format; give \"gpkg\", \"parquet\" or \"pdf\" (CSV and GeoJSON are always written)")),
        }
    }
    Ok(out)
}

/// `[neighbourhoods] tables`, `decimal` and `thousands`, checked.
fn neighbourhood_attributes(study: &Study) -> Result<AttributeSettings, String> {
    let n = &study.file.neighbourhoods;
    let format = layer_format("neighbourhoods", &n.decimal, &n.thousands)?;
    let mut tables = Vec::new();
    for (i, t) in n.tables.iter().enumerate() {
        let place = format!("[neighbourhoods] tables entry {} ({})", i + 1, t.path);
        if t.key.trim().is_empty() {
            return Err(format!(
                "{place}: `key` is empty; name the column holding the neighbourhood id"
            ));
        }
        let delimiter = match t.delimiter.as_deref() {
            None => None,
            Some(",") => Some(b','),
            Some(";") => Some(b';'),
            Some("\t") | Some("tab") => Some(b'\t'),
            Some("|") => Some(b'|'),
            Some(other) => {
                return Err(format!(
                    "{place}: delimiter = \"{other}\": give \",\", \";\", \"\\t\" (tab) or \"|\", or leave it out to detect it"
                ))
            }
        };
        let format = NumberFormat::from_keys(t.decimal.as_deref(), t.thousands.as_deref())
            .map_err(|m| format!("{place}: {m}"))?;
        tables.push(TableSpec {
            path: study.resolve(&t.path),
            key: t.key.clone(),
            delimiter,
            format,
        });
    }
    Ok(AttributeSettings { tables, format })
}

/// `split` of `[neighbourhoods]` and `[homes]`: per children band, shares of norm bands.
fn split(file: &StudyFile) -> Result<BandSplit, String> {
    let bands = children_bands(file);
    let mut out: BandSplit = Vec::new();
    for (section, table) in [
        ("neighbourhoods", &file.neighbourhoods.split),
        ("homes", &file.homes.split),
    ] {
        let Some(table) = table else { continue };
        for (band, shares) in table {
            let place = format!("[{section}] split.\"{band}\"");
            if !bands.contains(band) {
                return Err(format!(
                    "{place}: \"{band}\" is not a children band (bands: {})",
                    bands.join(", ")
                ));
            }
            if out.iter().any(|(b, _)| b == band) {
                return Err(format!(
                    "{place}: the band is split in both [neighbourhoods] and [homes]; keep one"
                ));
            }
            let Some(shares) = shares.as_table() else {
                return Err(format!(
                    "{place}: expected a table of norm band = share, e.g. {{ \"0-5\" = 0.42, \"6-11\" = 0.40, \"12-17\" = 0.18 }}"
                ));
            };
            let mut parts = Vec::new();
            for (to, v) in shares {
                let share = v
                    .as_float()
                    .or_else(|| v.as_integer().map(|i| i as f64))
                    .ok_or_else(|| {
                        format!("{place}.\"{to}\": expected a share between 0 and 1, found {v}")
                    })?;
                check_number(
                    &format!("{place}.\"{to}\""),
                    share,
                    0.0,
                    true,
                    "a share between 0 and 1",
                )?;
                parts.push((to.clone(), share));
            }
            let total: f64 = parts.iter().map(|(_, s)| s).sum();
            if parts.is_empty() || total > 1.0 + 1e-9 {
                return Err(format!(
                    "{place}: the shares sum to {}; they must be above 0 and at most 1 (the children of the band not counted in any norm band are left out)",
                    shown(total)
                ));
            }
            out.push((band.clone(), parts));
        }
    }
    Ok(out)
}

pub(super) fn resolve_path(dir: &Path, relative: &str) -> PathBuf {
    let p = Path::new(relative);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// A number the study file gives, checked: finite, and above (or at least) a bound.
fn check_number(
    key: &str,
    value: f64,
    min: f64,
    min_allowed: bool,
    what: &str,
) -> Result<f64, String> {
    let ok = value.is_finite() && (value > min || (min_allowed && value == min));
    if ok {
        Ok(value)
    } else {
        Err(format!("{key} = {}: must be {what}", shown(value)))
    }
}

fn validate_layers(f: &StudyFile) -> Result<(), String> {
    let n = &f.neighbourhoods;
    match (n.path.is_empty(), &n.osm) {
        (true, None) => {
            return Err(
                "[neighbourhoods]: give `path` (a layer of polygons) or `osm` (an .osm.pbf) with `admin_level`".into(),
            )
        }
        (false, Some(_)) => {
            return Err("[neighbourhoods]: give either `path` or `osm`, not both".into())
        }
        (true, Some(_)) if n.admin_level.is_none() => {
            return Err(
                "[neighbourhoods]: `osm` needs `admin_level`, the level of the administrative boundaries that are the neighbourhoods (e.g. admin_level = 10 for city districts)".into(),
            )
        }
        (false, None) if n.id.is_empty() => {
            return Err("[neighbourhoods]: `id` is required: the attribute holding each neighbourhood's unique id".into())
        }
        (false, None) if n.admin_level.is_some() => {
            return Err("[neighbourhoods] admin_level: only with `osm`".into())
        }
        _ => {}
    }
    if let Some(level) = n.admin_level {
        if !(1..=12).contains(&level) {
            return Err(format!(
                "[neighbourhoods] admin_level = {level}: OpenStreetMap levels run from 1 to 12 (10 is a city district in most countries)"
            ));
        }
    }
    match (&f.homes.path, &f.homes.osm) {
        (None, None) => {
            return Err(
                "[homes]: give `path` (GeoJSON, GeoPackage, Shapefile or a GeoTIFF grid) or `osm` with `tags`".into(),
            )
        }
        (Some(_), Some(_)) => return Err("[homes]: give either `path` or `osm`, not both".into()),
        (None, Some(_)) if f.homes.tags.is_empty() => {
            return Err("[homes]: `osm` needs `tags`, e.g. tags = [\"building=house\", \"building=apartments\"]".into())
        }
        _ => {}
    }
    if f.homes.band == Some(0) {
        return Err("[homes] band = 0: raster bands are numbered from 1".into());
    }
    let entries = f.amenities.iter().enumerate().map(|(i, a)| {
        let place = format!("[[amenities]] entry {} (kind \"{}\")", i + 1, a.kind);
        (place, a)
    });
    let added = f.scenarios.iter().flat_map(|s| {
        s.add.iter().map(move |a| {
            (
                format!("[[scenarios]] \"{}\" add (kind \"{}\")", s.name, a.kind),
                a,
            )
        })
    });
    for (place, a) in entries.chain(added) {
        NumberFormat::from_keys(a.decimal.as_deref(), a.thousands.as_deref())
            .map_err(|m| format!("{place}: {m}"))?;
    }
    if f.amenities.is_empty() {
        return Err(
            "no [[amenities]] entry: add at least one amenity layer (kind and path)".into(),
        );
    }
    for (i, a) in f.amenities.iter().enumerate() {
        if a.kind.trim().is_empty() {
            return Err(format!("[[amenities]] entry {}: `kind` is empty", i + 1));
        }
        let entry = format!("[[amenities]] entry {} (kind \"{}\")", i + 1, a.kind);
        validate_amenity_layer(&entry, a)?;
    }
    Ok(())
}

/// Children bands that would count a child twice: two bands sharing an age ("0-14" and "0-5"
/// both hold the 0-5 year olds), a band written backwards ("5-0"), a field listed twice in one
/// band. The message starts after `children`.
fn bands_count_once(counts: &[(String, crate::study::BandCount)]) -> Result<(), String> {
    let mut years: Vec<(&str, Years)> = Vec::new();
    for (band, count) in counts {
        if let Some((lo, hi)) = super::norms::age_range(band) {
            if hi < lo {
                return Err(format!(
                    ".\"{band}\": the upper age {hi} is below the lower age {lo}; a band runs from the younger age to the older (\"{hi}-{lo}\")"
                ));
            }
        }
        if let crate::study::BandCount::Fields(fields) = count {
            if let Some(f) = fields
                .iter()
                .enumerate()
                .find_map(|(i, f)| fields[..i].contains(f).then_some(f))
            {
                return Err(format!(
                    ".\"{band}\": the field \"{f}\" is listed twice; its children would be counted twice"
                ));
            }
        }
        if let Some(y) = band_years(band) {
            if let Some((other, _)) = years.iter().find(|(_, o)| o.overlaps(y)) {
                return Err(format!(
                    ": the bands \"{other}\" and \"{band}\" share ages, so the children of those ages would be counted twice; give bands that do not overlap (e.g. \"0-5\", \"6-11\", \"12-17\")"
                ));
            }
            years.push((band, y));
        }
    }
    Ok(())
}

/// Kind names are free, so two kinds can name the same column (`playground`'s `playground_net_m`
/// and `playground_net`'s straight-line `playground_net_m`), or a kind a computed one: a file
/// with two columns of one name, of which every reader keyed on names takes the wrong one.
/// Refused here, naming both owners; SQLite (the GeoPackage) ignores case, so does this.
fn check_kind_columns(file: &StudyFile, kinds: &[String], norms: &Norms) -> Result<(), String> {
    use super::output_columns as columns;
    let owned = |names: &[&str], owner: &str| -> Vec<(String, String)> {
        names
            .iter()
            .map(|c| (c.to_string(), owner.to_string()))
            .collect()
    };
    let computed = "a computed column";
    let mut homes = owned(&columns::HOME_LEADING, computed);
    homes.extend(owned(&columns::HOME_TRAILING, computed));
    for r in file
        .rasters
        .iter()
        .filter(|r| r.sample_homes.unwrap_or(false))
    {
        homes.push((
            r.kind.clone(),
            format!("the [[rasters]] kind \"{}\"", r.kind),
        ));
    }
    let mut neighbourhoods = owned(&columns::LEADING, computed);
    neighbourhoods.extend(owned(&columns::TRAILING, computed));
    neighbourhoods.extend(owned(&columns::EQUITY, computed));
    for k in kinds {
        let owner = format!("the kind \"{k}\"");
        // Every column the kind could have, whether or not this run writes it.
        for c in columns::home_kind_columns(k, &norms.reach_bands, true, true) {
            homes.push((c, owner.clone()));
        }
        let bands = norms
            .kinds
            .get(k)
            .map(|n| n.bands.as_slice())
            .unwrap_or(&[]);
        for c in columns::kind_columns(k, bands.iter().map(|b| b.label.as_str())) {
            neighbourhoods.push((c, owner.clone()));
        }
    }
    for (file_name, list) in [("homes.csv", homes), ("neighbourhoods.csv", neighbourhoods)] {
        let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
        for (column, owner) in &list {
            if let Some(first) = seen.insert(column.to_lowercase(), owner) {
                if first != owner {
                    return Err(format!(
                        "[[amenities]] kind: {first} and {owner} both give {file_name} a column `{column}`; rename one of the kinds"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `[neighbourhoods] keep`: each kept attribute becomes a column of `neighbourhoods.csv`, the
/// properties of `neighbourhoods.geojson` and a column of the GeoPackage layer, beside the
/// computed ones. A name a computed column already has would give a duplicate header, overwrite
/// the computed value in the GeoJSON and fail the GeoPackage (SQLite column names ignore case)
/// after the whole run: refused here, before anything is read.
fn check_kept_names(file: &StudyFile, kinds: &[String], norms: &Norms) -> Result<(), String> {
    use super::output_columns as columns;
    let mut computed: Vec<String> = columns::LEADING
        .iter()
        .chain(&columns::TRAILING)
        .chain(&columns::EQUITY)
        .chain(&[columns::CANOPY_SHARE, columns::CANOPY_FLAG])
        .chain(&columns::GEOPACKAGE)
        .map(|c| c.to_string())
        .collect();
    for k in kinds {
        let bands = norms
            .kinds
            .get(k)
            .map(|n| n.bands.as_slice())
            .unwrap_or(&[]);
        computed.extend(columns::kind_columns(
            k,
            bands.iter().map(|b| b.label.as_str()),
        ));
    }
    let keep = &file.neighbourhoods.keep;
    for (i, name) in keep.iter().enumerate() {
        let lower = name.to_lowercase();
        if let Some(column) = computed.iter().find(|c| c.to_lowercase() == lower) {
            return Err(format!(
                "[neighbourhoods] keep: \"{name}\" is also the name of the computed column `{column}` of neighbourhoods.csv; kept attributes must not clash with the output's columns (rename the attribute in the layer, or leave it out of keep)"
            ));
        }
        // A raster's column is `<kind>_<statistic>`.
        if let Some(r) = file
            .rasters
            .iter()
            .find(|r| lower.starts_with(&format!("{}_", r.kind.to_lowercase())))
        {
            return Err(format!(
                "[neighbourhoods] keep: \"{name}\" may clash with the `{}_...` columns the [[rasters]] entry of kind \"{}\" adds to neighbourhoods.csv; rename the attribute in the layer, or leave it out of keep",
                r.kind, r.kind
            ));
        }
        if keep[..i].iter().any(|k| k.to_lowercase() == lower) {
            return Err(format!(
                "[neighbourhoods] keep: \"{name}\" is listed twice; each kept attribute is one column"
            ));
        }
    }
    Ok(())
}

/// The keys of one amenity layer (an `[[amenities]]` entry or a scenario's added layer) that
/// need no other section; `entry` names it in the messages.
fn validate_amenity_layer(entry: &str, a: &AmenitySection) -> Result<(), String> {
    match (&a.path, &a.osm) {
        (None, None) => {
            return Err(format!(
                "{entry}: give `path` (GeoJSON, GeoPackage or Shapefile) or `osm` (an .osm.pbf with `tags`)"
            ))
        }
        (Some(_), Some(_)) => return Err(format!("{entry}: give either `path` or `osm`, not both")),
        (None, Some(_)) if a.tags.is_empty() => {
            return Err(format!(
                "{entry}: `osm` needs `tags`, e.g. tags = [\"leisure=playground\"]"
            ))
        }
        _ => {}
    }
    for (key, v) in [
        ("point_area_m2", a.point_area_m2),
        ("min_area_m2", a.min_area_m2),
    ] {
        if let Some(v) = v {
            if !v.is_finite() || v < 0.0 {
                return Err(format!(
                    "{entry}: `{key}` must be a number >= 0, not {}",
                    shown(v)
                ));
            }
        }
    }
    Ok(())
}

/// `ages` and `bands` of each `[[amenities]]` entry, checked against the kind's norm bands.
fn amenity_ages(
    file: &StudyFile,
    norms: &Norms,
    children: &[String],
) -> Result<Vec<AmenityAges>, String> {
    file.amenities
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let entry = format!("[[amenities]] entry {} (kind \"{}\")", i + 1, a.kind);
            layer_ages(&entry, a, norms, children)
        })
        .collect()
}

/// `ages` and `bands` of one amenity layer, checked against its kind's norm bands; `entry`
/// names the layer in the messages.
fn layer_ages(
    entry: &str,
    a: &AmenitySection,
    norms: &Norms,
    children: &[String],
) -> Result<AmenityAges, String> {
    let norm_bands = norms.get(&a.kind).map_or(&[][..], |t| &t.bands[..]);
    if norm_bands.len() > MAX_NORM_BANDS {
        return Err(format!(
            "{entry}: the kind has {} norm bands; kindscape tells at most {MAX_NORM_BANDS} apart",
            norm_bands.len()
        ));
    }
    let ageless = norm_bands.iter().find(|b| norm_band_years(b).is_none());
    let restricted = a.ages.is_some() || a.bands.is_some();
    if let (true, Some(b)) = (restricted, ageless) {
        return Err(format!(
            "{entry}: `ages` and `bands` need bands named by their ages (\"0-5\", \"12+\"); band \"{}\" holds no age",
            b.label
        ));
    }
    let ages = match (&a.ages, &a.bands) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "{entry}: give either `ages` (an attribute per feature) or `bands` (the same bands for every feature), not both"
            ))
        }
        (Some(attr), None) if attr.trim().is_empty() => {
            return Err(format!(
                "{entry}: ages = \"\": name the attribute holding the ages each feature serves (e.g. ages = \"doelgroep\")"
            ))
        }
        (Some(attr), None) => AmenityAges::Attribute(attr.clone()),
        (None, Some(names)) => {
            let known: Vec<&str> = children
                .iter()
                .map(String::as_str)
                .chain(norm_bands.iter().map(|b| b.label.as_str()))
                .fold(Vec::new(), |mut v, b| {
                    if !v.contains(&b) {
                        v.push(b);
                    }
                    v
                });
            if names.is_empty() {
                return Err(format!(
                    "{entry}: bands = []: name the bands every feature serves (bands: {}), or leave `bands` out for every band",
                    known.join(", ")
                ));
            }
            let mut years = Years::default();
            for name in names {
                let name = with_hyphens(name);
                let band = band_years(&name).filter(|_| known.contains(&name.as_str()));
                let Some(band) = band else {
                    return Err(format!(
                        "{entry}: bands: \"{name}\" is not a band of the study (bands: {})",
                        known.join(", ")
                    ));
                };
                years = years.union(band);
            }
            AmenityAges::Bands(years)
        }
        (None, None) if a.osm.is_some() && ageless.is_none() => AmenityAges::OsmTags,
        (None, None) => AmenityAges::Every,
    };
    Ok(ages)
}

/// `[[scenarios]]`: names unique, kinds known, `remove` by ids or by attributes, added layers
/// checked as `[[amenities]]` entries are.
fn scenarios(
    file: &StudyFile,
    kinds: &[String],
    norms: &Norms,
    children: &[String],
    warnings: &mut Vec<String>,
) -> Result<Vec<ScenarioSettings>, String> {
    let mut out: Vec<ScenarioSettings> = Vec::with_capacity(file.scenarios.len());
    for (i, sc) in file.scenarios.iter().enumerate() {
        if sc.name.trim().is_empty() {
            return Err(format!("[[scenarios]] entry {}: `name` is empty", i + 1));
        }
        let entry = format!("[[scenarios]] \"{}\"", sc.name);
        if out.iter().any(|o| o.name == sc.name) {
            return Err(format!("{entry}: another scenario has the same name; names tell them apart in scenarios.csv"));
        }
        let remove = match &sc.remove {
            None => None,
            Some(r) => {
                if !kinds.contains(&r.kind) {
                    return Err(unknown_kind(
                        &format!("{entry} remove: kind"),
                        &r.kind,
                        kinds,
                    ));
                }
                let by = match (&r.ids, &r.matching) {
                    (Some(_), Some(_)) => {
                        return Err(format!(
                            "{entry} remove: give either `ids` or `where`, not both"
                        ))
                    }
                    (None, None) => {
                        return Err(format!(
                            "{entry} remove: give `ids = [\"...\"]` (the `[[amenities]] id` values) or `where = {{ attribute = value }}`"
                        ))
                    }
                    (Some(ids), None) if ids.is_empty() => {
                        return Err(format!(
                            "{entry} remove: ids = []: name the amenities to remove, or leave `remove` out"
                        ))
                    }
                    (Some(ids), None) => RemoveBy::Ids(
                        ids.iter()
                            .map(|v| match v {
                                toml::Value::String(s) => Ok(s.clone()),
                                toml::Value::Integer(n) => Ok(n.to_string()),
                                other => Err(format!(
                                    "{entry} remove: ids: {other} is not an id; ids are text (\"SP-012\") or whole numbers"
                                )),
                            })
                            .collect::<Result<_, _>>()?,
                    ),
                    (None, Some(m)) if m.is_empty() => {
                        return Err(format!(
                            "{entry} remove: where = {{}} would remove every {}; name an attribute and its value",
                            r.kind
                        ))
                    }
                    (None, Some(m)) => RemoveBy::Matching(m.clone()),
                };
                Some(Removal {
                    kind: r.kind.clone(),
                    by,
                })
            }
        };
        let mut add = Vec::with_capacity(sc.add.len());
        for (j, a) in sc.add.iter().enumerate() {
            let layer = format!("{entry} add entry {} (kind \"{}\")", j + 1, a.kind);
            if !kinds.contains(&a.kind) {
                return Err(unknown_kind(&format!("{entry} add: kind"), &a.kind, kinds));
            }
            validate_amenity_layer(&layer, a)?;
            add.push((a.clone(), layer_ages(&layer, a, norms, children)?));
        }
        if remove.is_none() && add.is_empty() {
            warnings.push(format!(
                "{entry} has neither `remove` nor `add`: it equals the study as it is"
            ));
        }
        out.push(ScenarioSettings {
            name: sc.name.clone(),
            remove,
            add,
        });
    }
    Ok(out)
}

/// The `children` of both layers, read before the bands are taken from them (a band's norm is
/// looked up by its name).
fn check_children(f: &StudyFile) -> Result<(), String> {
    for (section, spec) in [
        ("neighbourhoods", &f.neighbourhoods.children),
        ("homes", &f.homes.children),
    ] {
        if let Some(ChildrenSpec::Bands(map)) = spec {
            if map.is_empty() {
                return Err(format!("[{section}] children: the table of bands is empty"));
            }
        }
        if let Some(spec) = spec {
            let counts = spec.band_counts().map_err(|m| format!("[{section}] {m}"))?;
            bands_count_once(&counts).map_err(|m| format!("[{section}] children{m}"))?;
        }
    }
    Ok(())
}

fn children_bands(file: &StudyFile) -> Vec<String> {
    // Homes' own bands win; else the neighbourhoods' bands; else one band "all".
    let spec = match (&file.homes.children, &file.neighbourhoods.children) {
        (Some(ChildrenSpec::Bands(_)), _) => file.homes.children.as_ref(),
        (_, Some(n)) => Some(n),
        (h, None) => h.as_ref(),
    };
    match spec {
        Some(s) => s.band_names(),
        None => vec!["all".to_string()],
    }
}

fn unique_kinds(file: &StudyFile) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for a in &file.amenities {
        if !kinds.contains(&a.kind) {
            kinds.push(a.kind.clone());
        }
    }
    kinds
}

/// An error for a kind that no `[[amenities]]` entry has.
fn unknown_kind(key: &str, kind: &str, kinds: &[String]) -> String {
    format!(
        "{key} \"{kind}\" has no [[amenities]] entry (kinds: {})",
        kinds.join(", ")
    )
}

fn focus_kind(file: &StudyFile, kinds: &[String]) -> Result<String, String> {
    if let Some(k) = file.sites.as_ref().and_then(|s| s.kind.clone()) {
        if !kinds.contains(&k) {
            return Err(unknown_kind("[sites] kind", &k, kinds));
        }
        return Ok(k);
    }
    if kinds.iter().any(|k| k == "playground") {
        return Ok("playground".into());
    }
    // `validate_layers` made sure there is at least one kind.
    Ok(kinds[0].clone())
}

/// Without `[score]`, the four standard kinds get 0.4 / 0.3 / 0.15 / 0.15 (renormalised over the
/// kinds present) and any other kind an equal share.
fn score(
    file: &StudyFile,
    kinds: &[String],
    warnings: &mut Vec<String>,
) -> Result<ScoreSettings, String> {
    let given = file.score.as_ref().filter(|s| !s.weights.is_empty());
    if let Some(s) = given {
        for (k, w) in &s.weights {
            if !kinds.contains(k) {
                return Err(format!(
                    "[score] weights: kind \"{k}\" has no [[amenities]] entry (kinds: {})",
                    kinds.join(", ")
                ));
            }
            if !w.is_finite() || *w < 0.0 {
                return Err(format!(
                    "[score] weights: \"{k}\" = {w}: a weight must be a number >= 0"
                ));
            }
        }
        let sum: f64 = s.weights.values().sum();
        if sum <= 0.0 {
            return Err("[score] weights: at least one weight must be above 0".into());
        }
        if (sum - 1.0).abs() > 1e-9 {
            warnings.push(format!(
                "[score] weights sum to {0}, not 1; they were normalised (divided by {0})",
                shown(sum)
            ));
        }
    }
    let raw: Vec<(String, f64)> = match given {
        Some(s) => kinds
            .iter()
            .map(|k| (k.clone(), s.weights.get(k).copied().unwrap_or(0.0)))
            .collect(),
        None => {
            let standard = |k: &str| match k {
                "playground" => Some(0.4),
                "green_space" => Some(0.3),
                "library" | "community_centre" => Some(0.15),
                _ => None,
            };
            if kinds.iter().all(|k| standard(k).is_some()) {
                kinds
                    .iter()
                    .map(|k| (k.clone(), standard(k).unwrap_or(0.0)))
                    .collect()
            } else {
                kinds.iter().map(|k| (k.clone(), 1.0)).collect()
            }
        }
    };
    let total: f64 = raw.iter().map(|(_, w)| w).sum();
    let weights = raw.into_iter().map(|(k, w)| (k, w / total)).collect();
    Ok(ScoreSettings {
        weights: Setting {
            value: weights,
            source: if given.is_some() {
                Source::StudyFile
            } else {
                Source::Default
            },
        },
    })
}

fn network(file: &StudyFile, bands: &[String]) -> Result<Option<NetworkSettings>, String> {
    let Some(n) = &file.network else {
        return Ok(None);
    };
    if n.osm.is_none() && n.path.is_none() {
        return Err("[network]: give `osm` (an .osm.pbf) or `path` (GeoJSON LineStrings)".into());
    }
    let metres = "a distance in metres above 0";
    let max_distance_m = Setting::given_or(n.max_distance, DEFAULT_NETWORK_MAX_DISTANCE_M);
    check_number(
        "[network] max_distance",
        max_distance_m.value,
        0.0,
        false,
        metres,
    )?;
    let attach_limit_m = Setting::given_or(n.attach_limit_m, DEFAULT_ATTACH_LIMIT_M);
    check_number(
        "[network] attach_limit_m",
        attach_limit_m.value,
        0.0,
        false,
        metres,
    )?;
    let walkable = Setting::given_or(
        match n.walkable.as_deref() {
            None => None,
            Some("osm") => Some(Walkable::OsmRules),
            Some("all") => Some(Walkable::All),
            Some(other) => return Err(format!("[network] walkable = \"{other}\": give \"osm\" (the OpenStreetMap walk rules on the highway, foot, access and area attributes; the default) or \"all\" (every line)")),
        },
        Walkable::OsmRules,
    );
    for b in n.barriers.keys() {
        if !bands.contains(b) && b != "all" {
            return Err(format!(
                "[network.barriers]: band \"{b}\" is not a band of the study (bands: {}, or all)",
                bands.join(", ")
            ));
        }
    }
    let barriers = bands
        .iter()
        .map(|b| {
            n.barriers
                .get(b)
                .or_else(|| n.barriers.get("all"))
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    Ok(Some(NetworkSettings {
        max_distance_m,
        attach_limit_m,
        walkable,
        barriers,
    }))
}

/// Raises `[network] max_distance` to the largest norm (a time at its band's speed), with a
/// warning naming that norm: coverage searches stop at `max_distance` while the play space
/// (E2SFCA), catchments and sites search to each norm, so a norm beyond it counted a child as
/// out of reach in one column and in reach in the next. One reach for every measure.
fn reach_every_norm(network: &mut NetworkSettings, norms: &Norms, warnings: &mut Vec<String>) {
    let farthest = norms
        .kinds
        .iter()
        .flat_map(|(kind, t)| t.bands.iter().map(move |b| (kind, b)))
        .fold(None::<(&String, &BandNorm)>, |best, (k, b)| match best {
            Some((_, m)) if m.metres >= b.metres => best,
            _ => Some((k, b)),
        });
    let Some((kind, band)) = farthest else {
        return;
    };
    let max = network.max_distance_m.value;
    if band.metres <= max {
        return;
    }
    warnings.push(format!(
        "[network] max_distance = {}: below the {kind} norm {} {}; distances are searched up to {} m, so that every measure counts the same children (raise max_distance to say so)",
        shown(max),
        band.label,
        band.shown(),
        shown(band.metres)
    ));
    network.max_distance_m.value = band.metres;
}

/// Checks `[network] speed_m_s` against the study's bands, and says how time norms were
/// converted: one note per kind with a time norm, and a warning when there is no network to walk
/// (the time then stands for a straight line at the same speed, shorter than the walk).
fn walking_time(
    file: &StudyFile,
    bands: &[String],
    norms: &Norms,
    speeds: &WalkingSpeeds,
    warnings: &mut Vec<String>,
) -> Result<(), String> {
    let mut known: Vec<String> = bands.to_vec();
    for t in norms.kinds.values() {
        for b in &t.bands {
            if !known.contains(&b.label) {
                known.push(b.label.clone());
            }
        }
    }
    for b in speeds.given_bands() {
        if b != "all" && !known.contains(b) {
            return Err(format!(
                "[network] speed_m_s.\"{b}\": no band \"{b}\" in the study (bands: {}, or all)",
                known.join(", ")
            ));
        }
    }
    let timed: Vec<(&String, &super::NormTable)> =
        norms.kinds.iter().filter(|(_, t)| t.has_time()).collect();
    if timed.is_empty() {
        if speeds.given_bands().next().is_some() {
            warnings.push(
                "[network] speed_m_s has no effect: no norm is a walking time (e.g. playground = { \"0-5\" = \"2 min\" })".into(),
            );
        }
        return Ok(());
    }
    for (kind, t) in &timed {
        let parts: Vec<String> = t
            .bands
            .iter()
            .filter(|b| b.minutes.is_some())
            .map(|b| {
                let speed = speeds.of(&b.label);
                format!(
                    "{} {} at {} m/s{}",
                    b.label,
                    b.shown(),
                    shown(speed.m_s),
                    if speed.given { "" } else { " (default speed)" }
                )
            })
            .collect();
        warnings.push(format!(
            "[norms] {kind}: walking times in metres: {}",
            parts.join(", ")
        ));
    }
    if file.network.is_none() {
        let kinds: Vec<&str> = timed.iter().map(|(k, _)| k.as_str()).collect();
        warnings.push(format!(
            "[norms] {}: a walking time with no [network] is measured as a straight line at the same speed, which is shorter than the walk; give a [network] to walk it",
            kinds.join(", ")
        ));
    }
    Ok(())
}

fn catchment(
    file: &StudyFile,
    kinds: &[String],
    focus_kind: &str,
) -> Result<CatchmentSettings, String> {
    let cfg = file.catchment.as_ref();
    let kind = Setting::given_or(cfg.and_then(|c| c.kind.clone()), focus_kind.to_string());
    if !kinds.contains(&kind.value) {
        return Err(unknown_kind("[catchment] kind", &kind.value, kinds));
    }
    Ok(CatchmentSettings {
        kind,
        decay: Setting::given_or(cfg.and_then(|c| c.decay), Decay::default()),
    })
}

fn play_area(
    study: &Study,
    kinds: &[String],
    warnings: &mut Vec<String>,
) -> Result<PlayAreaSettings, String> {
    let cfg = study.file.play_area.as_ref();
    let kind = match cfg.and_then(|p| p.kind.clone()) {
        Some(k) if !kinds.contains(&k) => {
            return Err(unknown_kind("[play_area] kind", &k, kinds));
        }
        Some(k) => Some(Setting {
            value: k,
            source: Source::StudyFile,
        }),
        None => kinds
            .iter()
            .any(|k| k == "playground")
            .then(|| Setting::default("playground".to_string())),
    };
    let share = Setting::given_or(cfg.and_then(|p| p.share), DEFAULT_PLAY_AREA_SHARE);
    if !share.value.is_finite() || share.value <= 0.0 || share.value > 1.0 {
        return Err(format!(
            "[play_area] share = {}: must be a share between 0 and 1, e.g. 0.03",
            share.value
        ));
    }
    let base = Setting::given_or(cfg.and_then(|p| p.base.clone()), "neighbourhood".into());
    if base.value.trim().is_empty() {
        return Err("[play_area] base = \"\": give \"neighbourhood\" or a neighbourhood attribute holding an area in m2".into());
    }
    if cfg.is_some() && kind.is_none() {
        warnings.push(format!(
            "[play_area] has no effect: the study has no playground kind; name one with [play_area] kind (kinds: {})",
            kinds.join(", ")
        ));
    }
    Ok(PlayAreaSettings {
        kind,
        share,
        base,
        study_file: study.path.clone(),
    })
}

fn priority(file: &StudyFile) -> Result<PrioritySettings, String> {
    let cfg = file.priority.as_ref();
    let deprivation_weight = Setting::given_or(
        cfg.and_then(|p| p.deprivation_weight),
        DEFAULT_DEPRIVATION_WEIGHT,
    );
    check_number(
        "[priority] deprivation_weight",
        deprivation_weight.value,
        0.0,
        true,
        "a number >= 0 (0 = deprivation does not weigh, 1 = the most deprived count double)",
    )?;
    let top = Setting::given_or(cfg.and_then(|p| p.top), DEFAULT_PRIORITY_TOP);
    if top.value == 0 {
        return Err(
            "[priority] top = 0: must be at least 1 (how many neighbourhoods `run` lists)".into(),
        );
    }
    Ok(PrioritySettings {
        deprivation_weight,
        top,
    })
}

fn sites(
    study: &Study,
    norms: &Norms,
    focus_kind: &str,
    priority: &PrioritySettings,
    costs: &CostSettings,
    warnings: &mut Vec<String>,
) -> Result<Option<SitesSettings>> {
    let err = |m: String| Error::study(&study.path, m);
    let file = &study.file;
    let Some(cfg) = &file.sites else {
        return Ok(None);
    };
    let kind = Setting::given_or(cfg.kind.clone(), focus_kind.to_string());
    let band_norms = norms
        .get(&kind.value)
        .map(|t| t.bands.clone())
        .unwrap_or_default();
    let count = Setting::given_or(cfg.count, DEFAULT_SITES_COUNT);
    if count.value == 0 {
        return Err(err(
            "[sites] count = 0: must be at least 1 (how many new sites to choose)".into(),
        ));
    }
    let candidates = match &cfg.candidates {
        Some(given) => {
            let path = study.resolve(given);
            if !path.is_file() {
                return Err(err(format!(
                    "[sites] candidates = \"{given}\": no such file ({})",
                    path.display()
                )));
            }
            Some(CandidateLayer {
                given: given.clone(),
                path,
                crs: cfg.crs.clone(),
                layer: cfg.layer.clone(),
                format: layer_format("sites", &cfg.decimal, &cfg.thousands).map_err(err)?,
            })
        }
        None => {
            if cfg.crs.is_some() {
                warnings.push(
                    "[sites] crs has no effect: it is the CRS of a candidates layer, and [sites] names none"
                        .into(),
                );
            }
            if cfg.layer.is_some() {
                warnings.push(
                    "[sites] layer has no effect: it picks a layer of a candidates GeoPackage, and [sites] names none"
                        .into(),
                );
            }
            if cfg.decimal.is_some() || cfg.thousands.is_some() {
                warnings.push(
                    "[sites] decimal and thousands have no effect: they say how a candidates layer writes its numbers, and [sites] names none"
                        .into(),
                );
            }
            None
        }
    };
    if candidates.is_some() && cfg.min_distance_m.is_some() {
        warnings.push(
            "[sites] min_distance_m has no effect: it spaces generated candidates, and [sites] candidates names a layer"
                .into(),
        );
    }
    if candidates.is_some() && cfg.generate.is_some() {
        warnings.push(
            "[sites] generate has no effect: it places generated candidates, and [sites] candidates names a layer"
                .into(),
        );
    }
    let has_network = file.network.is_some();
    let generate = match cfg.generate.as_deref() {
        None => Setting::default(if has_network {
            Generate::Network
        } else {
            Generate::Grid
        }),
        Some("grid") => Setting::given_or(Some(Generate::Grid), Generate::Grid),
        Some("network") if has_network => {
            Setting::given_or(Some(Generate::Network), Generate::Network)
        }
        Some("network") => {
            return Err(err(
                "[sites] generate = \"network\": the study has no [network] whose nodes the candidates could stand on; add a [network] or write generate = \"grid\"".into(),
            ))
        }
        Some(other) => {
            return Err(err(format!(
                "[sites] generate = \"{other}\": give \"network\" (candidates at the walk network's nodes; the default with a [network]) or \"grid\" (points of a square grid)"
            )))
        }
    };
    let smallest = band_norms
        .iter()
        .map(|b| b.metres)
        .fold(f64::INFINITY, f64::min);
    let min_distance_m = Setting::given_or(cfg.min_distance_m, smallest);
    check_number(
        "[sites] min_distance_m",
        min_distance_m.value,
        0.0,
        true,
        "a distance in metres >= 0",
    )
    .map_err(err)?;
    if let Some(c) = cfg.capacity {
        check_number(
            "[sites] capacity",
            c,
            0.0,
            false,
            "a number of children above 0 (omit it for unlimited)",
        )
        .map_err(err)?;
    }
    let weight_by_deprivation = cfg.weight_by_deprivation.unwrap_or(false);
    if weight_by_deprivation && file.equity.is_none() {
        warnings.push(
            "[sites] weight_by_deprivation has no effect: deprivation comes from [equity], and the study has none"
                .into(),
        );
    }
    Ok(Some(SitesSettings {
        kind,
        norms: band_norms,
        count,
        candidates,
        min_distance_m,
        generate,
        capacity: cfg.capacity,
        deprivation_weight: weight_by_deprivation.then_some(priority.deprivation_weight.value),
        costs: costs.clone(),
        study_file: study.path.clone(),
    }))
}

fn closures(
    study: &Study,
    kinds: &[String],
    norms: &Norms,
    focus_kind: &str,
    priority: &PrioritySettings,
    costs: &CostSettings,
    warnings: &mut Vec<String>,
) -> Result<Option<ClosuresSettings>, String> {
    let file = &study.file;
    let Some(cfg) = &file.closures else {
        return Ok(None);
    };
    let kind = Setting::given_or(cfg.kind.clone(), focus_kind.to_string());
    if !kinds.contains(&kind.value) {
        return Err(unknown_kind("[closures] kind", &kind.value, kinds));
    }
    let target = match (cfg.count, cfg.keep_coverage) {
        (Some(_), Some(_)) => {
            return Err("[closures]: give either `count` (how many to close) or `keep_coverage` (the share of covered children to keep covered), not both".into())
        }
        (None, None) => {
            return Err("[closures]: give `count` (how many to close, e.g. count = 10) or `keep_coverage` (close as many as keep that share of the children covered today covered, e.g. keep_coverage = 0.95)".into())
        }
        (Some(0), None) => {
            return Err("[closures] count = 0: must be at least 1 (how many amenities to close)".into())
        }
        (Some(n), None) => ClosureTarget::Count(n),
        (None, Some(share)) => {
            let hint = if share.is_finite() && share > 1.0 && share <= 100.0 {
                format!(" (a share, not a percentage: {} for {}%)", shown(share / 100.0), shown(share))
            } else {
                String::new()
            };
            if !(share.is_finite() && share > 0.0 && share <= 1.0) {
                return Err(format!(
                    "[closures] keep_coverage = {}: must be a share above 0 and at most 1 of the children covered today{hint}",
                    shown(share)
                ));
            }
            ClosureTarget::KeepCoverage(share)
        }
    };
    for id in &cfg.keep {
        if id.trim().is_empty() {
            return Err("[closures] keep: an id is empty; list the `[[amenities]] id` of each amenity that must stay open".into());
        }
    }
    let weight_by_deprivation = cfg.weight_by_deprivation.unwrap_or(false);
    if weight_by_deprivation && file.equity.is_none() {
        warnings.push(
            "[closures] weight_by_deprivation has no effect: deprivation comes from [equity], and the study has none"
                .into(),
        );
    }
    Ok(Some(ClosuresSettings {
        norms: norms
            .get(&kind.value)
            .map(|t| t.bands.clone())
            .unwrap_or_default(),
        kind,
        target,
        keep: cfg.keep.clone(),
        deprivation_weight: weight_by_deprivation.then_some(priority.deprivation_weight.value),
        costs: costs.clone(),
        study_file: study.path.clone(),
    }))
}

fn rasters(study: &Study) -> Result<RasterSettings, String> {
    let mut entries = Vec::new();
    for (i, entry) in study.file.rasters.iter().enumerate() {
        let label = format!("[[rasters]] entry {} (kind \"{}\")", i + 1, entry.kind);
        if entry.band == Some(0) {
            return Err(format!(
                "{label}: band = 0: raster bands are numbered from 1"
            ));
        }
        if let Some(t) = entry.threshold {
            if !t.is_finite() {
                return Err(format!("{label}: threshold = {t}: must be a finite number"));
            }
        }
        entries.push((entry.clone(), study.resolve(&entry.path)));
    }
    Ok(RasterSettings {
        entries,
        study_file: study.path.clone(),
    })
}

/// Sections a study may hold that change nothing in it: each named in a warning, since a user who
/// wrote one expects an effect.
fn no_effect_warnings(file: &StudyFile, warnings: &mut Vec<String>) {
    if file.costs.is_some() && file.sites.is_none() && file.closures.is_none() {
        warnings.push(
            "[costs] has no effect: costs appraise the sites that [sites] chooses and the closures of [closures], and the study has no [sites] and no [closures]"
                .into(),
        );
    }
    if let (Some(costs), Some(sites)) = (&file.costs, &file.sites) {
        if sites.candidates.is_none() {
            for (key, attribute) in [("capex", &costs.capex), ("maintenance", &costs.maintenance)] {
                if let Some(a) = attribute {
                    warnings.push(format!(
                        "[costs] {key} = \"{a}\" has no effect on the sites: they are generated on a grid, which has no attributes (give [sites] candidates)"
                    ));
                }
            }
        }
    }
    if file
        .priority
        .as_ref()
        .is_some_and(|p| p.deprivation_weight.is_some())
        && file.equity.is_none()
    {
        warnings.push(
            "[priority] deprivation_weight has no effect: deprivation comes from [equity], and the study has none"
                .into(),
        );
    }
    if file.score.as_ref().is_some_and(|s| s.weights.is_empty()) {
        warnings.push(
            "[score] has no effect: it gives no weights; the default weights are used".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::BandCount;

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
[[amenities]]
kind = "library"
path = "l.geojson"
"#;

    fn resolve(extra: &str) -> Result<Resolved> {
        Resolved::parse(&format!("{MINIMAL}{extra}"), Path::new("/x/study.toml"))
    }

    fn error(extra: &str) -> String {
        resolve(extra).unwrap_err().to_string()
    }

    #[test]
    fn bands_in_order_paths_against_the_study_folder() {
        let s = resolve("").unwrap();
        assert_eq!(s.bands, vec!["0-5", "6-11"]);
        assert_eq!(s.input_path("n.geojson"), PathBuf::from("/x/n.geojson"));
        let spec = s.layers.neighbourhoods.children.as_ref().unwrap();
        let counts = spec.band_counts().unwrap();
        assert_eq!(counts[1].1, BandCount::Fields(vec!["b".into(), "c".into()]));
        assert_eq!(s.output_dir(None), PathBuf::from("/x/out/study"));
    }

    #[test]
    fn kept_attributes_must_not_clash_with_computed_columns() {
        let keep = |k: &str, extra: &str| {
            let text = MINIMAL.replace(
                "id = \"code\"\n",
                &format!("id = \"code\"\nkeep = [\"income\", {k}]\n"),
            );
            Resolved::parse(&format!("{text}{extra}"), Path::new("/x/study.toml"))
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(keep("\"code\"", ""), Ok(()));
        for (k, column) in [
            ("score", "score"),
            ("Name", "name"),
            ("area_m2", "area_m2"),
            ("priority_rank", "priority_rank"),
            ("library_net_coverage_6-11", "library_net_coverage_6-11"),
            ("playground_p90_m", "playground_p90_m"),
            ("equity_quintile", "equity_quintile"),
            ("FID", "fid"),
        ] {
            let e = keep(&format!("\"{k}\""), "").unwrap_err();
            assert!(
                e.contains(&format!(
                    "\"{k}\" is also the name of the computed column `{column}`"
                )),
                "{k}: {e}"
            );
        }
        let e = keep("\"income\"", "").unwrap_err();
        assert!(e.contains("\"income\" is listed twice"), "{e}");
        let raster = "[[rasters]]\nkind = \"noise\"\npath = \"n.tif\"\n";
        let e = keep("\"noise_mean\"", raster).unwrap_err();
        assert!(e.contains("[[rasters]] entry of kind \"noise\""), "{e}");
        assert_eq!(keep("\"noise\"", raster), Ok(()));
    }

    #[test]
    fn defaults_are_filled_in_and_say_so() {
        let s = resolve("").unwrap();
        assert_eq!(s.priority.deprivation_weight, Setting::default(1.0));
        assert_eq!(s.priority.top, Setting::default(5));
        assert_eq!(s.play_area.share, Setting::default(0.03));
        assert_eq!(
            s.play_area.kind,
            Some(Setting::default("playground".to_string()))
        );
        assert_eq!(s.catchment.kind, Setting::default("playground".to_string()));
        assert_eq!(s.crs, Setting::default("auto".to_string()));
        assert!(s.sites.is_none() && s.network.is_none() && s.equity.is_none());
        // The standard weights 0.4 and 0.15, renormalised over the two kinds present.
        let w = &s.score.weights;
        assert_eq!(w.source, Source::Default);
        assert!((w.value[0].1 - 0.4 / 0.55).abs() < 1e-12, "{w:?}");
        assert!((w.value[1].1 - 0.15 / 0.55).abs() < 1e-12, "{w:?}");

        let s = resolve("[priority]\ntop = 3\n[sites]\nkind = \"library\"\n").unwrap();
        assert_eq!(s.priority.top.source, Source::StudyFile);
        assert_eq!(s.focus_kind, "library");
        let sites = s.sites.unwrap();
        assert_eq!(sites.count, Setting::default(5));
        // Generated candidates keep the library norm (1000 m, preset nl) from libraries.
        assert_eq!(sites.min_distance_m, Setting::default(1000.0));
        assert_eq!(sites.norms.len(), 2);
        assert_eq!(sites.deprivation_weight, None);
    }

    #[test]
    fn score_weights_normalised_and_checked() {
        let s = resolve("[score]\nweights = { playground = 2 }\n").unwrap();
        assert_eq!(
            s.score.weights.value,
            vec![
                ("playground".to_string(), 1.0),
                ("library".to_string(), 0.0)
            ]
        );
        assert!(s.warnings[0].contains("sum to 2"), "{:?}", s.warnings);
        let e = error("[score]\nweights = { pool = 1 }\n");
        assert!(e.contains("\"pool\" has no [[amenities]] entry"), "{e}");
    }

    #[test]
    fn kinds_named_by_other_sections_must_exist() {
        for (extra, key) in [
            (
                "[catchment]\nkind = \"pool\"\n",
                "[catchment] kind \"pool\"",
            ),
            (
                "[play_area]\nkind = \"pool\"\n",
                "[play_area] kind \"pool\"",
            ),
            ("[sites]\nkind = \"pool\"\n", "[sites] kind \"pool\""),
        ] {
            let e = error(extra);
            assert!(
                e.contains(key) && e.contains("kinds: playground, library"),
                "{e}"
            );
        }
    }

    #[test]
    fn numbers_are_checked_with_the_key_named() {
        for (extra, key) in [
            (
                "[network]\npath = \"w\"\nmax_distance = nan\n",
                "[network] max_distance = NaN",
            ),
            (
                "[network]\npath = \"w\"\nattach_limit_m = 0\n",
                "[network] attach_limit_m = 0",
            ),
            (
                "[network]\npath = \"w\"\nattach_limit_m = -inf\n",
                "[network] attach_limit_m = -inf",
            ),
            (
                "[priority]\ndeprivation_weight = nan\n",
                "[priority] deprivation_weight = NaN",
            ),
            (
                "[priority]\ndeprivation_weight = -1\n",
                "[priority] deprivation_weight = -1",
            ),
            ("[priority]\ntop = 0\n", "[priority] top = 0"),
            ("[play_area]\nshare = inf\n", "[play_area] share = inf"),
            ("[sites]\ncount = 0\n", "[sites] count = 0"),
            ("[sites]\ncapacity = 0\n", "[sites] capacity = 0"),
            (
                "[sites]\nmin_distance_m = nan\n",
                "[sites] min_distance_m = NaN",
            ),
            (
                "[costs]\ndiscount_rate = 2.25\n",
                "[costs] discount_rate = 2.25",
            ),
            ("[costs]\ncapex_eur = nan\n", "[costs] capex_eur = NaN"),
            ("[costs]\nyears = 0\n", "[costs] years = 0"),
            (
                "[score]\nweights = { playground = nan }\n",
                "\"playground\" = NaN",
            ),
        ] {
            let e = error(extra);
            assert!(e.contains(key), "{extra}: {e}");
        }
    }

    #[test]
    fn sections_without_effect_are_named() {
        let s = resolve("[costs]\ncapex_eur = 1\n[priority]\ndeprivation_weight = 2\n").unwrap();
        assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
        assert!(s.warnings[0].starts_with("[costs] has no effect"));
        assert!(s.warnings[1].starts_with("[priority] deprivation_weight has no effect"));
        let s = resolve("[sites]\ncrs = \"EPSG:28992\"\nweight_by_deprivation = true\n").unwrap();
        assert!(s
            .warnings
            .iter()
            .any(|w| w.starts_with("[sites] crs has no effect")));
        assert!(s
            .warnings
            .iter()
            .any(|w| w.starts_with("[sites] weight_by_deprivation has no effect")));
        assert!(
            resolve("[equity]\nby = \"income\"\n[priority]\ndeprivation_weight = 2\n")
                .unwrap()
                .warnings
                .is_empty()
        );
    }

    #[test]
    fn ages_and_bands_per_amenity_entry() {
        use crate::study::ages::Years;
        let s = resolve("").unwrap();
        assert_eq!(s.amenity_ages, vec![AmenityAges::Every, AmenityAges::Every]);
        let with = |keys: &str| {
            MINIMAL.replacen(
                "path = \"p.geojson\"\n",
                &format!("path = \"p.geojson\"\n{keys}\n"),
                1,
            )
        };
        let s = Resolved::parse(&with("ages = \"doelgroep\""), Path::new("/x/s.toml")).unwrap();
        assert_eq!(
            s.amenity_ages[0],
            AmenityAges::Attribute("doelgroep".into())
        );
        // Bands by name, with an en dash read as a hyphen: the union of their years.
        let s = Resolved::parse(
            &with("bands = [\"0\u{2013}5\", \"6-11\"]"),
            Path::new("/x/s.toml"),
        )
        .unwrap();
        assert_eq!(s.amenity_ages[0], AmenityAges::Bands(Years::range(0, 11)));
        // An .osm.pbf layer reads min_age / max_age unless told otherwise.
        let osm = MINIMAL.replacen(
            "path = \"p.geojson\"\n",
            "osm = \"c.osm.pbf\"\ntags = [\"leisure=playground\"]\n",
            1,
        );
        let s = Resolved::parse(&osm, Path::new("/x/s.toml")).unwrap();
        assert_eq!(s.amenity_ages[0], AmenityAges::OsmTags);
        let e = Resolved::parse(&with("bands = [\"12-17\"]"), Path::new("/x/s.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"12-17\" is not a band of the study (bands: 0-5, 6-11)"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_candidates_layer_is_found_before_loading() {
        let e = error("[sites]\ncandidates = \"lots.geojson\"\n");
        assert!(
            e.contains("[sites] candidates = \"lots.geojson\": no such file (/x/lots.geojson)"),
            "{e}"
        );
        let e = error("[costs]\npreset = \"cheap\"\n");
        assert!(e.contains("[costs] preset = \"cheap\": unknown"), "{e}");
    }
}
