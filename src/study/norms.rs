//! Distance norms per amenity kind and age band, with the presets of `NORMS.md`.
//!
//! A norm table maps band names to metres (`"all"` for every band). The study's `[norms]`
//! tables override the preset kind by kind. Resolution, per kind:
//!
//! * a band named in the table uses that distance; else `"all"`;
//! * with a preset table, a band the preset does not name (say `"0-6"`) takes the preset band
//!   holding the middle of its age range (`"0-6"` -> `"0-5"`, `"13-15"` -> `"12-17"`);
//! * when children are counted in one field (band `"all"`) and the norms have bands, the
//!   children are spread over the norm bands by the years each covers, and each norm band is a
//!   band of its own: its own column, its own barriers, its own walking distance (see
//!   [`Norms::reach_bands`]).
//!
//! A norm may be a walking time ("5 min"): it becomes metres here, once, at the band's walking
//! speed (see [`super::speeds`]).
//!
//! A study table that names a band with no children field is an error, as is a norm <= 0.

use std::collections::BTreeMap;

use super::speeds::{NormValue, WalkingSpeeds};

/// One preset: a name, its source and a norm table per kind, with the minimum area per kind.
pub struct Preset {
    pub name: &'static str,
    pub source: &'static str,
    pub tables: &'static [(&'static str, &'static [(&'static str, f64)])],
    pub min_area_m2: &'static [(&'static str, f64)],
}

const PLAY_NL: &[(&str, f64)] = &[("0-5", 100.0), ("6-11", 400.0), ("12-17", 1000.0)];
const ALL_300: &[(&str, f64)] = &[("all", 300.0)];
const ALL_1000: &[(&str, f64)] = &[("all", 1000.0)];

/// The presets users ask for; see `NORMS.md` for the sources.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "nl",
        source: "Dutch municipal play-policy tables (playground 100/400/1000 m for 0-5/6-11/12-17); WHO Europe 2017 (green space >= 0.5 ha within 300 m); library and community centre 1000 m",
        tables: &[
            ("playground", PLAY_NL),
            ("green_space", ALL_300),
            ("library", ALL_1000),
            ("community_centre", ALL_1000),
        ],
        min_area_m2: &[("green_space", 5000.0)],
    },
    Preset {
        name: "uk-fit",
        source: "Fields in Trust: LAP 100 m, LEAP 400 m, NEAP 1000 m walking distance",
        tables: &[
            ("playground", PLAY_NL),
            ("green_space", ALL_300),
            ("library", ALL_1000),
            ("community_centre", ALL_1000),
        ],
        min_area_m2: &[("green_space", 5000.0)],
    },
    Preset {
        name: "who",
        source: "WHO Europe, Urban green spaces: a brief for action (2017): green space of at least 0.5 ha within 300 m; other kinds as nl",
        tables: &[
            ("playground", PLAY_NL),
            ("green_space", ALL_300),
            ("library", ALL_1000),
            ("community_centre", ALL_1000),
        ],
        min_area_m2: &[("green_space", 5000.0)],
    },
    Preset {
        name: "gilze-rijen",
        source: "Gilze en Rijen, Ruimte voor jeugd (2005): playground 150 m (0-5), 250 m (6-11); 12-17 as nl (1000 m)",
        tables: &[
            ("playground", &[("0-5", 150.0), ("6-11", 250.0), ("12-17", 1000.0)]),
            ("green_space", ALL_300),
            ("library", ALL_1000),
            ("community_centre", ALL_1000),
        ],
        min_area_m2: &[("green_space", 5000.0)],
    },
    Preset {
        name: "rotterdam",
        source: "Rotterdamse norm buitenspeelruimte (2008): a play spot of >= 1000 m2 every 300 m",
        tables: &[
            ("playground", &[("all", 300.0)]),
            ("green_space", ALL_300),
            ("library", ALL_1000),
            ("community_centre", ALL_1000),
        ],
        min_area_m2: &[("green_space", 5000.0), ("playground", 1000.0)],
    },
    Preset {
        name: "3-30-300",
        source: "Konijnendijk (2021), 3-30-300 rule: a public park or green space within 300 m of every home, 30% canopy per neighbourhood; other kinds as nl",
        tables: &[
            ("playground", PLAY_NL),
            ("green_space", ALL_300),
            ("library", ALL_1000),
            ("community_centre", ALL_1000),
        ],
        min_area_m2: &[("green_space", 5000.0)],
    },
];

/// `split`: per children band, its share of each norm band, in study-file order.
pub type BandSplit = Vec<(String, Vec<(String, f64)>)>;

/// How the children of one band are judged against one distance.
#[derive(Debug, Clone, PartialEq)]
pub struct BandNorm {
    /// The column suffix (`K_coverage_<label>`): the children band, or the norm band when
    /// children are counted in one field.
    pub label: String,
    /// Index into the study's children bands.
    pub children_band: usize,
    /// Index into [`Norms::reach_bands`]: the band whose walking distance (and barriers) this
    /// norm is judged on.
    pub reach_band: usize,
    /// Share of that band's children judged against this distance (1, or a norm band's share of
    /// the years when one field of children is spread over the norm bands).
    pub share: f64,
    pub metres: f64,
    /// The walking time the study gave, when the norm is a time (`metres` is then the time at
    /// the band's walking speed).
    pub minutes: Option<f64>,
}

impl BandNorm {
    /// The children this norm applies to, of a home's children per band (its children band's,
    /// times the band's share of it).
    pub fn children(&self, per_band: &[f64]) -> f64 {
        per_band[self.children_band] * self.share
    }

    /// The norm as the study gave it, briefly: "400 m" or "5 min".
    pub fn short(&self) -> String {
        match self.minutes {
            None => format!("{} m", crate::error::shown(self.metres)),
            Some(min) => format!("{} min", crate::error::shown(min)),
        }
    }

    /// The norm as the study gave it, for people: "400 m", or "5 min (330 m)".
    pub fn shown(&self) -> String {
        match self.minutes {
            None => format!("{} m", crate::error::shown(self.metres)),
            Some(min) => format!(
                "{} min ({} m)",
                crate::error::shown(min),
                crate::error::shown((self.metres * 10.0).round() / 10.0)
            ),
        }
    }
}

/// The resolved norms of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct NormTable {
    pub bands: Vec<BandNorm>,
    /// Where the distances come from ("study file" or the preset's source), as `run.json`
    /// states it.
    pub source: String,
    /// True when the distances are the preset's (the report names the preset's source in its
    /// own words), false when the study file gave them.
    pub from_preset: bool,
}

impl NormTable {
    /// The largest distance of the kind: the farthest any search needs to look.
    pub fn max_metres(&self) -> f64 {
        self.bands.iter().map(|b| b.metres).fold(0.0, f64::max)
    }

    /// True when any band's norm is a walking time.
    pub fn has_time(&self) -> bool {
        self.bands.iter().any(|b| b.minutes.is_some())
    }
}

/// All resolved norms of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct Norms {
    pub preset: &'static str,
    pub kinds: BTreeMap<String, NormTable>,
    /// The bands distances are walked for, each with its own barriers: the children bands; when
    /// children come in one field, the norm bands they are spread over (by age, then `all` when
    /// a kind keeps one norm for every age).
    pub reach_bands: Vec<String>,
}

impl Norms {
    /// The preset's minimum area for a kind (green space: 0.5 ha), if it sets one.
    pub fn preset_min_area(&self, kind: &str) -> Option<f64> {
        preset(self.preset)
            .and_then(|p| p.min_area_m2.iter().find(|(k, _)| *k == kind))
            .map(|(_, a)| *a)
    }

    pub fn get(&self, kind: &str) -> Option<&NormTable> {
        self.kinds.get(kind)
    }

    /// Resolves the `[norms]` table of a study for its kinds and children bands.
    pub fn from_table(
        table: Option<&toml::Table>,
        kinds: &[String],
        bands: &[String],
    ) -> Result<Norms, String> {
        Norms::with_split(
            table,
            kinds,
            bands,
            &[],
            &WalkingSpeeds::default(),
            &mut Vec::new(),
        )
    }

    /// As [`Norms::from_table`], with the study's `split` shares of wide children bands and the
    /// walking speeds that turn time norms into metres; `notes` gets one line per children band
    /// split over a kind's norm bands, saying how.
    pub fn with_split(
        table: Option<&toml::Table>,
        kinds: &[String],
        bands: &[String],
        split: &[(String, Vec<(String, f64)>)],
        speeds: &WalkingSpeeds,
        notes: &mut Vec<String>,
    ) -> Result<Norms, String> {
        let mut preset_name = "nl";
        let mut explicit: BTreeMap<String, BTreeMap<String, NormValue>> = BTreeMap::new();
        if let Some(t) = table {
            for (key, value) in t {
                if key == "preset" {
                    let name = value.as_str().ok_or_else(|| {
                        "[norms] preset must be a string such as \"nl\"".to_string()
                    })?;
                    preset_name = preset(name).map(|p| p.name).ok_or_else(|| {
                        format!(
                            "[norms] preset \"{name}\" is unknown (known: {})",
                            PRESETS
                                .iter()
                                .map(|p| p.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })?;
                    continue;
                }
                let sub = value.as_table().ok_or_else(|| {
                    format!("[norms] {key}: expected a table of distances (or times) per band, e.g. {key} = {{ all = 500 }} or {key} = {{ all = \"5 min\" }}")
                })?;
                let mut m = BTreeMap::new();
                for (band, v) in sub {
                    m.insert(band.clone(), NormValue::read(key, band, v)?);
                }
                if !kinds.contains(key) {
                    return Err(format!(
                        "[norms] {key}: no [[amenities]] entry has kind \"{key}\" (kinds: {})",
                        kinds.join(", ")
                    ));
                }
                explicit.insert(key.clone(), m);
            }
        }
        let p = preset(preset_name).expect("resolved above");
        let mut tables = Vec::new();
        for kind in kinds {
            let table = if let Some(t) = explicit.get(kind) {
                (kind, t.clone(), false, "study file")
            } else if let Some((_, t)) = p.tables.iter().find(|(k, _)| k == kind) {
                let t: BTreeMap<String, NormValue> = t
                    .iter()
                    .map(|(b, m)| (b.to_string(), NormValue::Metres(*m)))
                    .collect();
                (kind, t, true, p.source)
            } else {
                return Err(format!(
                    "[norms]: no norm for kind \"{kind}\" (preset \"{}\" covers playground, green_space, library, community_centre); add e.g. {kind} = {{ all = 1000 }}",
                    p.name
                ));
            };
            tables.push(table);
        }
        let one_field = bands.len() == 1 && bands[0] == "all";
        let spread = one_field && !split.iter().any(|(b, _)| b == "all");
        // The norm bands of every kind, by age: what one field of children is spread over.
        let mut norm_bands: Vec<String> = tables
            .iter()
            .flat_map(|(_, t, _, _)| t.keys().filter(|b| *b != "all").cloned())
            .collect();
        norm_bands.sort_by(|a, b| age_mid(a).total_cmp(&age_mid(b)).then(a.cmp(b)));
        norm_bands.dedup();
        let mut out = BTreeMap::new();
        for (kind, table, from_preset, source) in tables {
            let resolved = if spread {
                one_field_norms(
                    kind,
                    &table,
                    &norm_bands,
                    from_preset,
                    source,
                    speeds,
                    notes,
                )?
            } else {
                resolve(
                    kind,
                    &table,
                    bands,
                    split,
                    from_preset,
                    source,
                    speeds,
                    notes,
                )?
            };
            out.insert(kind.clone(), resolved);
        }
        // Children in one field: each norm band is walked on its own (barriers per norm band).
        let reach_bands = if one_field {
            let mut labels: Vec<String> = Vec::new();
            for t in out.values() {
                for b in &t.bands {
                    if !labels.contains(&b.label) {
                        labels.push(b.label.clone());
                    }
                }
            }
            labels.sort_by(|a, b| age_mid(a).total_cmp(&age_mid(b)));
            for t in out.values_mut() {
                for b in &mut t.bands {
                    b.reach_band = labels.iter().position(|l| *l == b.label).unwrap_or(0);
                }
            }
            labels
        } else {
            bands.to_vec()
        };
        Ok(Norms {
            preset: p.name,
            kinds: out,
            reach_bands,
        })
    }
}

/// Finds a preset by name.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// One band's norm, a time converted at the band's walking speed.
fn band_norm(
    label: &str,
    children_band: usize,
    share: f64,
    value: NormValue,
    speeds: &WalkingSpeeds,
) -> BandNorm {
    BandNorm {
        label: label.to_string(),
        children_band,
        reach_band: children_band,
        share,
        metres: value.metres(label, speeds),
        minutes: match value {
            NormValue::Minutes(m) => Some(m),
            NormValue::Metres(_) => None,
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve(
    kind: &str,
    table: &BTreeMap<String, NormValue>,
    bands: &[String],
    split: &[(String, Vec<(String, f64)>)],
    from_preset: bool,
    source: &str,
    speeds: &WalkingSpeeds,
    notes: &mut Vec<String>,
) -> Result<NormTable, String> {
    let mut out = Vec::new();
    // Norm bands other than "all", by age.
    let mut named: Vec<(&String, NormValue)> = table
        .iter()
        .filter(|(b, _)| *b != "all")
        .map(|(b, m)| (b, *m))
        .collect();
    named.sort_by(|a, b| age_mid(a.0).total_cmp(&age_mid(b.0)));
    let distance_of = |to: &str| -> Result<NormValue, String> {
        match table.get(to).or_else(|| table.get("all")) {
            Some(m) => Ok(*m),
            None if from_preset => nearest_age_band(to, table).ok_or_else(|| {
                format!("[norms] {kind}: the preset has no distance for band \"{to}\"; add {kind} = {{ \"{to}\" = ... }}")
            }),
            None => Err(format!(
                "[norms] {kind}: no distance for band \"{to}\"; add \"{to}\" = ... or all = ..."
            )),
        }
    };
    if !from_preset {
        // A norm band must be a children band, or lie within one that is split over it.
        let within = |nb: &str| {
            split.iter().any(|(_, s)| s.iter().any(|(t, _)| t == nb))
                || bands
                    .iter()
                    .any(|b| by_years(b, &named).is_some_and(|p| p.iter().any(|(t, _)| t == nb)))
        };
        for (b, _) in &named {
            if !bands.contains(b) && !within(b) {
                return Err(format!(
                    "[norms] {kind}: band \"{b}\" has no children field (children bands: {})",
                    bands.join(", ")
                ));
            }
        }
    }
    for (i, b) in bands.iter().enumerate() {
        let direct = table.get(b).is_some() || named.is_empty();
        let given = split.iter().find(|(sb, _)| sb == b).map(|(_, s)| s);
        let parts: Vec<(String, f64)> = match given {
            Some(shares) if !direct => {
                notes.push(format!(
                    "children band \"{b}\" is split over the norm bands by the study's shares: {} ({kind})",
                    shares.iter().map(|(t, s)| format!("{t} {}", crate::error::shown(*s))).collect::<Vec<_>>().join(", ")
                ));
                shares.clone()
            }
            _ if direct => vec![(b.clone(), 1.0)],
            _ => match by_years(b, &named) {
                Some(parts) => {
                    let years = age_range(b).map_or(0.0, |(lo, hi)| hi - lo + 1.0);
                    notes.push(format!(
                        "children band \"{b}\" is split over the norm bands by the years each covers: {} ({kind}); set split = {{ \"{b}\" = {{ ... }} }} to give other shares",
                        parts.iter().map(|(t, s)| format!("{t} {:.0}/{years:.0}", s * years)).collect::<Vec<_>>().join(", ")
                    ));
                    parts
                }
                // No split: the band's own distance (an error names it when there is none).
                None => vec![(b.clone(), 1.0)],
            },
        };
        for (to, share) in parts {
            out.push(band_norm(&to, i, share, distance_of(&to)?, speeds));
        }
    }
    // Two children bands split onto one norm band would give two columns of one name.
    let labels: Vec<String> = out.iter().map(|b| b.label.clone()).collect();
    for bn in &mut out {
        if labels.iter().filter(|l| **l == bn.label).count() > 1 {
            bn.label = format!("{}:{}", bands[bn.children_band], bn.label);
        }
    }
    Ok(NormTable {
        bands: out,
        source: source.to_string(),
        from_preset,
    })
}

/// The norms of one kind when children are counted in one field: the field is spread over norm
/// bands by the years each covers, as a wide children band is (`by_years`). The bands are the
/// kind's own; a kind with a norm for every age (`all`) is spread over the norm bands of all
/// kinds (`norm_bands`) when they share no year, so that its children too are judged per band.
/// With no norm bands at all, or overlapping ones, a kind with `all` keeps one band `all`.
fn one_field_norms(
    kind: &str,
    table: &BTreeMap<String, NormValue>,
    norm_bands: &[String],
    from_preset: bool,
    source: &str,
    speeds: &WalkingSpeeds,
    notes: &mut Vec<String>,
) -> Result<NormTable, String> {
    let mut own: Vec<String> = table.keys().filter(|b| *b != "all").cloned().collect();
    own.sort_by(|a, b| age_mid(a).total_cmp(&age_mid(b)).then(a.cmp(b)));
    let has_all = table.contains_key("all");
    let chosen: Vec<String> = if has_all || own.is_empty() {
        match years_apart(norm_bands) {
            Some(_) => norm_bands.to_vec(),
            None => vec!["all".to_string()],
        }
    } else {
        own
    };
    let years = years_apart(&chosen);
    let mut out = Vec::new();
    for (i, b) in chosen.iter().enumerate() {
        let value = match table.get(b).or_else(|| table.get("all")) {
            Some(v) => *v,
            None if from_preset => nearest_age_band(b, table).ok_or_else(|| {
                format!("[norms] {kind}: the preset has no distance for band \"{b}\"; add {kind} = {{ \"{b}\" = ... }}")
            })?,
            None => {
                return Err(format!(
                    "[norms] {kind}: no distance for band \"{b}\"; add \"{b}\" = ... or all = ..."
                ))
            }
        };
        let share = match &years {
            Some(y) => y[i] / y.iter().sum::<f64>(),
            None => 1.0 / chosen.len() as f64,
        };
        out.push(band_norm(b, 0, share, value, speeds));
    }
    if let Some(y) = years.filter(|y| y.iter().any(|v| *v != y[0])) {
        let total: f64 = y.iter().sum();
        notes.push(format!(
            "children counted in one field are spread over the norm bands by the years each covers: {} ({kind})",
            chosen
                .iter()
                .zip(&y)
                .map(|(b, v)| format!("{b} {v:.0}/{total:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(NormTable {
        bands: out,
        source: source.to_string(),
        from_preset,
    })
}

/// The years each band covers when the bands (in age order) all have an age range and share no
/// year; `None` otherwise.
fn years_apart(bands: &[String]) -> Option<Vec<f64>> {
    let mut years = Vec::with_capacity(bands.len());
    let mut last_end = f64::NEG_INFINITY;
    for b in bands {
        let (lo, hi) = age_range(b)?;
        if lo <= last_end || hi < lo {
            return None;
        }
        last_end = hi;
        years.push(hi - lo + 1.0);
    }
    (!years.is_empty()).then_some(years)
}

/// A children band's share of each norm band by the years they have in common, when no norm
/// band holds more than half of its years (a CBS 0-14 band over 0-5, 6-11 and 12-17 gives 6/15,
/// 6/15 and 3/15); `None` when one norm band holds most of it (Helsinki's 0-6 is judged as 0-5).
fn by_years(band: &str, named: &[(&String, NormValue)]) -> Option<Vec<(String, f64)>> {
    let (lo, hi) = age_range(band)?;
    let years = hi - lo + 1.0;
    let parts: Vec<(String, f64)> = named
        .iter()
        .filter_map(|(b, _)| {
            let (a, z) = age_range(b)?;
            let common = (hi.min(z) - lo.max(a) + 1.0).max(0.0);
            (common > 0.0).then(|| ((*b).clone(), common / years))
        })
        .collect();
    let most = parts.iter().map(|(_, s)| *s).fold(0.0, f64::max);
    (parts.len() > 1 && most <= 0.5).then_some(parts)
}

/// The age range a band name such as "0-5", "12 - 17", "0 to 5 years" or "12+" stands for.
pub fn age_range(band: &str) -> Option<(f64, f64)> {
    let nums: Vec<f64> = band
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match nums.as_slice() {
        [a, b, ..] => Some((*a, *b)),
        [a] if band.contains('+') => Some((*a, 17.0_f64.max(*a))),
        [a] => Some((*a, *a)),
        _ => None,
    }
}

fn age_mid(band: &str) -> f64 {
    age_range(band)
        .map(|(a, b)| (a + b) / 2.0)
        .unwrap_or(f64::MAX)
}

fn nearest_age_band(band: &str, table: &BTreeMap<String, NormValue>) -> Option<NormValue> {
    let (lo, hi) = age_range(band)?;
    let mid = (lo + hi) / 2.0;
    table
        .iter()
        .filter_map(|(b, m)| age_range(b).map(|(a, z)| (a, z, *m)))
        .min_by(|x, y| {
            let dist = |(a, z): (f64, f64)| {
                if mid >= a && mid <= z + 1.0 {
                    0.0
                } else {
                    (mid - a).abs().min((mid - z).abs())
                }
            };
            dist((x.0, x.1))
                .partial_cmp(&dist((y.0, y.1)))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|(_, _, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speeds() -> WalkingSpeeds {
        WalkingSpeeds::default()
    }

    fn kinds() -> Vec<String> {
        vec!["playground".into(), "green_space".into()]
    }

    #[test]
    fn preset_bands_by_name_and_by_age() {
        let bands: Vec<String> = vec!["0-5".into(), "6-11".into(), "12-17".into()];
        let n = Norms::from_table(None, &kinds(), &bands).unwrap();
        let p = n.get("playground").unwrap();
        assert_eq!(
            p.bands.iter().map(|b| b.metres).collect::<Vec<_>>(),
            vec![100.0, 400.0, 1000.0]
        );
        let g = n.get("green_space").unwrap();
        assert!(g.bands.iter().all(|b| b.metres == 300.0));

        let helsinki: Vec<String> = vec!["0-6".into(), "7-12".into(), "13-15".into()];
        let n = Norms::from_table(None, &kinds(), &helsinki).unwrap();
        let p = n.get("playground").unwrap();
        assert_eq!(
            p.bands.iter().map(|b| b.metres).collect::<Vec<_>>(),
            vec![100.0, 400.0, 1000.0]
        );
    }

    #[test]
    fn one_field_spreads_over_norm_bands() {
        let n = Norms::from_table(None, &kinds(), &["all".to_string()]).unwrap();
        let p = n.get("playground").unwrap();
        assert_eq!(p.bands.len(), 3);
        assert_eq!(p.bands[0].label, "0-5");
        assert!((p.bands.iter().map(|b| b.share).sum::<f64>() - 1.0).abs() < 1e-12);
        // Green space has one norm for every age; its children are judged per band too.
        let g = n.get("green_space").unwrap();
        let got: Vec<(&str, f64, usize)> = g
            .bands
            .iter()
            .map(|b| (b.label.as_str(), b.metres, b.reach_band))
            .collect();
        assert_eq!(
            got,
            vec![("0-5", 300.0, 0), ("6-11", 300.0, 1), ("12-17", 300.0, 2)]
        );
        assert_eq!(n.reach_bands, vec!["0-5", "6-11", "12-17"]);
    }

    #[test]
    fn one_field_is_spread_by_the_years_of_each_norm_band() {
        let one = ["all".to_string()];
        let t: toml::Table = toml::from_str(
            "playground = { \"0-3\" = 100, \"4-11\" = 400, \"12-17\" = 1000 }\ngreen_space = { all = 300, \"0-3\" = 150 }",
        )
        .unwrap();
        let mut notes = Vec::new();
        let n = Norms::with_split(Some(&t), &kinds(), &one, &[], &speeds(), &mut notes).unwrap();
        // By hand: 0-3 is 4 of the 18 years 0-17, 4-11 is 8, 12-17 is 6.
        for kind in ["playground", "green_space"] {
            let shares: Vec<f64> = n.get(kind).unwrap().bands.iter().map(|b| b.share).collect();
            assert_eq!(shares, vec![4.0 / 18.0, 8.0 / 18.0, 6.0 / 18.0], "{kind}");
        }
        // The named band keeps its distance; the others take `all`.
        let m: Vec<f64> = n
            .get("green_space")
            .unwrap()
            .bands
            .iter()
            .map(|b| b.metres)
            .collect();
        assert_eq!(m, vec![150.0, 300.0, 300.0]);
        assert!(
            notes[0].contains("0-3 4/18, 4-11 8/18, 12-17 6/18"),
            "{notes:?}"
        );

        // Norm bands that share years cannot all be spread over: a kind with one norm for all
        // ages keeps it, and is walked as its own band.
        let t: toml::Table = toml::from_str(
            "playground = { \"0-5\" = 100, \"6-17\" = 400 }\ngreen_space = { \"0-11\" = 300, all = 500 }",
        )
        .unwrap();
        let n =
            Norms::with_split(Some(&t), &kinds(), &one, &[], &speeds(), &mut Vec::new()).unwrap();
        let g = &n.get("green_space").unwrap().bands;
        assert_eq!(
            (g.len(), g[0].label.as_str(), g[0].metres),
            (1, "all", 500.0)
        );
        assert_eq!(n.reach_bands, vec!["0-5", "6-17", "all"]);
        assert_eq!(g[0].reach_band, 2);
    }

    #[test]
    fn a_wide_band_is_split_by_years_or_by_the_given_shares() {
        let cbs: Vec<String> = vec!["0-14".into()];
        let mut notes = Vec::new();
        let n = Norms::with_split(None, &kinds(), &cbs, &[], &speeds(), &mut notes).unwrap();
        let p = n.get("playground").unwrap();
        let got: Vec<(&str, f64, f64)> = p
            .bands
            .iter()
            .map(|b| (b.label.as_str(), b.share, b.metres))
            .collect();
        // By hand: ages 0-5 are 6 of the 15 years 0-14, 6-11 another 6, 12-14 the last 3.
        assert_eq!(
            got,
            vec![
                ("0-5", 6.0 / 15.0, 100.0),
                ("6-11", 6.0 / 15.0, 400.0),
                ("12-17", 3.0 / 15.0, 1000.0)
            ]
        );
        assert!(
            notes[0].contains("0-5 6/15, 6-11 6/15, 12-17 3/15"),
            "{notes:?}"
        );
        // Green space has one norm for all ages: the band is not split.
        let g = n.get("green_space").unwrap();
        assert_eq!((g.bands.len(), g.bands[0].share), (1, 1.0));

        let split = vec![(
            "0-14".to_string(),
            vec![
                ("0-5".to_string(), 0.42),
                ("6-11".to_string(), 0.40),
                ("12-17".to_string(), 0.18),
            ],
        )];
        let mut notes = Vec::new();
        let n = Norms::with_split(None, &kinds(), &cbs, &split, &speeds(), &mut notes).unwrap();
        let shares: Vec<f64> = n
            .get("playground")
            .unwrap()
            .bands
            .iter()
            .map(|b| b.share)
            .collect();
        assert_eq!(shares, vec![0.42, 0.40, 0.18]);
        assert!(notes[0].contains("study's shares"), "{notes:?}");

        // A study table whose bands lie within the wide band is accepted and split over.
        let t: toml::Table =
            toml::from_str("playground = { \"0-5\" = 150, \"6-11\" = 250, \"12-17\" = 800 }")
                .unwrap();
        let n =
            Norms::with_split(Some(&t), &kinds(), &cbs, &[], &speeds(), &mut Vec::new()).unwrap();
        let m: Vec<f64> = n
            .get("playground")
            .unwrap()
            .bands
            .iter()
            .map(|b| b.metres)
            .collect();
        assert_eq!(m, vec![150.0, 250.0, 800.0]);
    }

    #[test]
    fn bad_norms_are_errors() {
        let bands: Vec<String> = vec!["0-5".into()];
        let t: toml::Table = toml::from_str("playground = { \"6-11\" = 400 }").unwrap();
        let e = Norms::from_table(Some(&t), &kinds(), &bands).unwrap_err();
        assert!(e.contains("6-11") && e.contains("no children field"), "{e}");
        let t: toml::Table = toml::from_str("playground = { all = 0 }").unwrap();
        assert!(Norms::from_table(Some(&t), &kinds(), &bands)
            .unwrap_err()
            .contains("above 0"));
        let t: toml::Table = toml::from_str("preset = \"mars\"").unwrap();
        assert!(Norms::from_table(Some(&t), &kinds(), &bands)
            .unwrap_err()
            .contains("mars"));
        let t: toml::Table = toml::from_str("library = { all = 500 }").unwrap();
        assert!(Norms::from_table(Some(&t), &kinds(), &bands)
            .unwrap_err()
            .contains("library"));
    }
}
