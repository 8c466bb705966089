//! The study file (TOML): what to load, which norms to apply, what to compute.
//!
//! Every key of `DESIGN.md` is here; unknown keys are an error that names the key and its line
//! (serde's `deny_unknown_fields` with toml's spans). Paths are resolved against the study file's
//! folder.

mod band_names;
mod inputs;
mod norms;

pub use inputs::{regular_file, Input};
pub use norms::{BandNorm, NormTable, Norms, PRESETS};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// A parsed and validated study.
#[derive(Debug, Clone)]
pub struct Study {
    /// The study file itself.
    pub path: PathBuf,
    /// The folder that relative paths are resolved against.
    pub dir: PathBuf,
    pub file: StudyFile,
    pub norms: Norms,
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
    pub costs: Option<CostsSection>,
    #[serde(default)]
    pub rasters: Vec<RasterSection>,
    #[serde(default)]
    pub priority: Option<PrioritySection>,
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

/// Children per age band: one field (band "all") or a table of bands, each one field or a list
/// of fields that are summed.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ChildrenSpec {
    One(String),
    /// Bands in study-file order (a `toml::Table` keeps it).
    Bands(toml::Table),
}

impl ChildrenSpec {
    /// Band names and the fields summed for each, in the order the study file gives them.
    pub fn bands(&self) -> Vec<(String, Vec<String>)> {
        match self {
            ChildrenSpec::One(f) => vec![("all".to_string(), vec![f.clone()])],
            ChildrenSpec::Bands(map) => map
                .iter()
                .map(|(b, f)| {
                    let fields = match f {
                        toml::Value::String(s) => vec![s.clone()],
                        toml::Value::Array(a) => a
                            .iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect(),
                        _ => vec![],
                    };
                    (b.clone(), fields)
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeighbourhoodsSection {
    pub path: String,
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub population: Option<String>,
    #[serde(default)]
    pub children: Option<ChildrenSpec>,
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
    pub higher_is_worse: bool,
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
    /// Generated candidates keep at least this distance from existing amenities of the kind.
    #[serde(default)]
    pub min_distance_m: Option<f64>,
    /// Children one site can serve; omitted = unlimited.
    #[serde(default)]
    pub capacity: Option<f64>,
    /// Weight uncovered children by deprivation (see `[priority]`).
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

impl Study {
    /// Reads, parses and validates a study file.
    pub fn load(path: &Path) -> Result<Study> {
        regular_file(path, "the study file")?;
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses study text as if it were the file at `path` (which resolves relative paths).
    pub fn parse(text: &str, path: &Path) -> Result<Study> {
        let mut file: StudyFile = toml::from_str(text).map_err(|e| {
            Error::study(
                path,
                format!("invalid study file: {}", e.to_string().trim_end()),
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
        let bands = children_bands(&file);
        let kinds: Vec<String> = unique_kinds(&file);
        let norms = Norms::from_table(file.norms.as_ref(), &kinds, &bands)
            .map_err(|m| Error::study(path, m))?;
        let study = Study {
            path: path.to_path_buf(),
            dir,
            file,
            norms,
            notes,
        };
        study.validate()?;
        Ok(study)
    }

    /// Resolves a path from the study file against the study's folder.
    pub fn resolve(&self, relative: &str) -> PathBuf {
        let p = Path::new(relative);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    /// The age bands children are counted in, in study-file order.
    pub fn bands(&self) -> Vec<String> {
        children_bands(&self.file)
    }

    /// The amenity kinds, in the order of their first `[[amenities]]` entry.
    pub fn kinds(&self) -> Vec<String> {
        unique_kinds(&self.file)
    }

    /// The output folder: `--out` if given, else `[study] output`, else `out/<study file stem>`.
    pub fn output_dir(&self, cli_out: Option<&Path>) -> PathBuf {
        if let Some(o) = cli_out {
            return o.to_path_buf();
        }
        match &self.file.study.output {
            Some(o) => self.resolve(o),
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
        let kinds = self.kinds();
        if let Some(k) = self.file.sites.as_ref().and_then(|s| s.kind.clone()) {
            return Some(k);
        }
        if kinds.iter().any(|k| k == "playground") {
            return Some("playground".into());
        }
        kinds.first().cloned()
    }

    /// The play-area norm: `[play_area] share`, default 3%.
    pub fn play_area_norm(&self) -> f64 {
        self.file
            .play_area
            .as_ref()
            .and_then(|p| p.share)
            .unwrap_or(0.03)
    }

    /// How many neighbourhoods the priority list shows: `[priority] top`, default 5.
    pub fn priority_top(&self) -> usize {
        self.file.priority.as_ref().and_then(|p| p.top).unwrap_or(5)
    }

    /// The `[score]` weights per kind, normalised to sum to 1.
    ///
    /// Without `[score]`, the four standard kinds get 0.4 / 0.3 / 0.15 / 0.15 (renormalised over
    /// the kinds present) and any other kind an equal share.
    pub fn score_weights(&self) -> Vec<(String, f64)> {
        let kinds = self.kinds();
        let raw: Vec<(String, f64)> =
            match self.file.score.as_ref().filter(|s| !s.weights.is_empty()) {
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
        if total <= 0.0 {
            return raw;
        }
        raw.into_iter().map(|(k, w)| (k, w / total)).collect()
    }

    fn validate(&self) -> Result<()> {
        let err = |m: String| Err(Error::study(&self.path, m));
        let f = &self.file;
        for (section, spec) in [
            ("neighbourhoods", &f.neighbourhoods.children),
            ("homes", &f.homes.children),
        ] {
            if let Some(ChildrenSpec::Bands(map)) = spec {
                if map.is_empty() {
                    return err(format!("[{section}] children: the table of bands is empty"));
                }
                for (band, v) in map {
                    let ok = match v {
                        toml::Value::String(_) => true,
                        toml::Value::Array(a) => !a.is_empty() && a.iter().all(|x| x.is_str()),
                        _ => false,
                    };
                    if !ok {
                        return err(format!(
                            "[{section}] children.\"{band}\": expected a field name or a list of field names, found {v}"
                        ));
                    }
                }
            }
        }
        match (&f.homes.path, &f.homes.osm) {
            (None, None) => return err("[homes]: give `path` (GeoJSON or a GeoTIFF grid) or `osm` with `tags`".into()),
            (Some(_), Some(_)) => return err("[homes]: give either `path` or `osm`, not both".into()),
            (None, Some(_)) if f.homes.tags.is_empty() => {
                return err("[homes]: `osm` needs `tags`, e.g. tags = [\"building=house\", \"building=apartments\"]".into())
            }
            _ => {}
        }
        if f.amenities.is_empty() {
            return err(
                "no [[amenities]] entry: add at least one amenity layer (kind and path)".into(),
            );
        }
        for (i, a) in f.amenities.iter().enumerate() {
            if a.kind.trim().is_empty() {
                return err(format!("[[amenities]] entry {}: `kind` is empty", i + 1));
            }
            match (&a.path, &a.osm) {
                (None, None) => {
                    return err(format!(
                        "[[amenities]] entry {} (kind \"{}\"): give `path` (GeoJSON) or `osm` (an .osm.pbf with `tags`)",
                        i + 1,
                        a.kind
                    ))
                }
                (Some(_), Some(_)) => {
                    return err(format!(
                        "[[amenities]] entry {} (kind \"{}\"): give either `path` or `osm`, not both",
                        i + 1,
                        a.kind
                    ))
                }
                (None, Some(_)) if a.tags.is_empty() => {
                    return err(format!(
                        "[[amenities]] entry {} (kind \"{}\"): `osm` needs `tags`, e.g. tags = [\"leisure=playground\"]",
                        i + 1,
                        a.kind
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
                        return err(format!(
                            "[[amenities]] entry {} (kind \"{}\"): `{key}` must be a number >= 0, not {}",
                            i + 1,
                            a.kind,
                            crate::error::shown(v)
                        ));
                    }
                }
            }
        }
        if let Some(s) = &f.score {
            let kinds = self.kinds();
            for (k, w) in &s.weights {
                if !kinds.contains(k) {
                    return err(format!(
                        "[score] weights: kind \"{k}\" has no [[amenities]] entry (kinds: {})",
                        kinds.join(", ")
                    ));
                }
                if !w.is_finite() || *w < 0.0 {
                    return err(format!(
                        "[score] weights: \"{k}\" = {w}: a weight must be a number >= 0"
                    ));
                }
            }
            if !s.weights.is_empty() && s.weights.values().sum::<f64>() <= 0.0 {
                return err("[score] weights: at least one weight must be above 0".into());
            }
        }
        if let Some(n) = &f.network {
            if n.osm.is_none() && n.path.is_none() {
                return err(
                    "[network]: give `osm` (an .osm.pbf) or `path` (GeoJSON LineStrings)".into(),
                );
            }
            if let Some(d) = n.max_distance {
                if !d.is_finite() || d <= 0.0 {
                    return err(format!(
                        "[network] max_distance = {d}: must be a distance in metres above 0"
                    ));
                }
            }
            let bands = self.bands();
            for b in n.barriers.keys() {
                if !bands.contains(b) && b != "all" {
                    return err(format!(
                        "[network.barriers]: band \"{b}\" is not a children band (bands: {})",
                        bands.join(", ")
                    ));
                }
            }
        }
        if let Some(p) = &f.play_area {
            if let Some(s) = p.share {
                if !s.is_finite() || s <= 0.0 || s > 1.0 {
                    return err(format!(
                        "[play_area] share = {s}: must be a share between 0 and 1, e.g. 0.03"
                    ));
                }
            }
        }
        if let Some(c) = &f.costs {
            if let Some(r) = c.discount_rate {
                if !r.is_finite() || r <= -1.0 {
                    return err(format!(
                        "[costs] discount_rate = {r}: must be a rate above -1, e.g. 0.0225"
                    ));
                }
            }
        }
        if let Some(s) = &f.sites {
            if let Some(k) = &s.kind {
                if !self.kinds().contains(k) {
                    return err(format!("[sites] kind \"{k}\" has no [[amenities]] entry"));
                }
            }
        }
        Ok(())
    }
}

fn children_bands(file: &StudyFile) -> Vec<String> {
    // Homes' own bands win; else the neighbourhoods' bands; else one band "all".
    let spec = match (&file.homes.children, &file.neighbourhoods.children) {
        (Some(ChildrenSpec::Bands(_)), _) => file.homes.children.as_ref(),
        (_, Some(n)) => Some(n),
        (h, None) => h.as_ref(),
    };
    match spec {
        Some(s) => s.bands().into_iter().map(|(b, _)| b).collect(),
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
    fn parses_bands_in_order_and_sums_fields() {
        let s = Study::parse(MINIMAL, Path::new("/x/study.toml")).unwrap();
        assert_eq!(s.bands(), vec!["0-5", "6-11"]);
        assert_eq!(s.resolve("n.geojson"), PathBuf::from("/x/n.geojson"));
        let spec = s.file.neighbourhoods.children.as_ref().unwrap().bands();
        assert_eq!(spec[1].1, vec!["b", "c"]);
    }

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
        let s = Study::parse(&text, Path::new("s.toml")).unwrap();
        assert_eq!(s.score_weights(), vec![("playground".to_string(), 1.0)]);
        let bad = format!("{MINIMAL}[score]\nweights = {{ library = 1 }}\n");
        let e = Study::parse(&bad, Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("library"), "{e}");
    }
}
