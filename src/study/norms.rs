//! Distance norms per amenity kind and age band, with the presets of `NORMS.md`.
//!
//! A norm table maps band names to metres (`"all"` for every band). The study's `[norms]`
//! tables override the preset kind by kind. Resolution, per kind:
//!
//! * a band named in the table uses that distance; else `"all"`;
//! * with a preset table, a band the preset does not name (say `"0-6"`) takes the preset band
//!   holding the middle of its age range (`"0-6"` -> `"0-5"`, `"13-15"` -> `"12-17"`);
//! * when children are counted in one field (band `"all"`) and the norm has several bands, the
//!   children are spread evenly over the norm's bands, and each is reported as its own column.
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
    /// Share of that band's children judged against this distance (1, or 1/n when one field
    /// of children is spread over n norm bands).
    pub share: f64,
    pub metres: f64,
    /// The walking time the study gave, when the norm is a time (`metres` is then the time at
    /// the band's walking speed).
    pub minutes: Option<f64>,
}

impl BandNorm {
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
    /// Where the distances come from ("study file" or the preset's source).
    pub source: String,
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
        let mut out = BTreeMap::new();
        for kind in kinds {
            let resolved = if let Some(t) = explicit.get(kind) {
                resolve(kind, t, bands, split, false, "study file", speeds, notes)?
            } else if let Some((_, t)) = p.tables.iter().find(|(k, _)| k == kind) {
                let t: BTreeMap<String, NormValue> = t
                    .iter()
                    .map(|(b, m)| (b.to_string(), NormValue::Metres(*m)))
                    .collect();
                resolve(kind, &t, bands, split, true, p.source, speeds, notes)?
            } else {
                return Err(format!(
                    "[norms]: no norm for kind \"{kind}\" (preset \"{}\" covers playground, green_space, library, community_centre); add e.g. {kind} = {{ all = 1000 }}",
                    p.name
                ));
            };
            out.insert(kind.clone(), resolved);
        }
        Ok(Norms {
            preset: p.name,
            kinds: out,
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
    let one_field = bands.len() == 1 && bands[0] == "all";
    let mut out = Vec::new();
    if one_field && !split.iter().any(|(b, _)| b == "all") {
        if let Some(m) = table.get("all") {
            out.push(band_norm("all", 0, 1.0, *m, speeds));
        } else {
            let mut named: Vec<(&String, &NormValue)> = table.iter().collect();
            named.sort_by(|a, b| {
                age_mid(a.0)
                    .partial_cmp(&age_mid(b.0))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let n = named.len() as f64;
            for (b, m) in named {
                out.push(band_norm(b, 0, 1.0 / n, *m, speeds));
            }
        }
        return Ok(NormTable {
            bands: out,
            source: source.to_string(),
        });
    }
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
    })
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
