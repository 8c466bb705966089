//! Where the cost-benefit numbers come from: presets and the study file's `[costs]`, resolved
//! into the [`CostSettings`] a run uses (the assumption lines it prints are in `cba::presets`).
//!
//! # The `ecorys-2020` preset (the default)
//!
//! Ecorys, *MKBA Speeltuinen* (2020, indicative social CBA for Jantje Beton / NUSO; NORMS.md):
//! about 800 **managed** playgrounds cost about EUR 25 M a year and yield about EUR 52 M a year,
//! so per managed playground EUR 52 M / 800 = EUR 65,000 benefit and EUR 25 M / 800 =
//! EUR 31,250 running cost per year (ratio 2.08).
//!
//! The benefit accrues to the children who play there, so it is credited per child: Ecorys' own
//! effects are per child (obesity prevented, accidents avoided, social problems prevented) and
//! its figures give no split by age, so every band gets the same amount. Ecorys gives no count
//! of the children the playgrounds serve; the one figure taken from elsewhere is NUSO's survey
//! of managed playgrounds (DSP-groep, *Buurtfunctie terug naar de speeltuin*, 2010): about
//! **220,000 members**. EUR 52 M / 220,000 = **EUR 236.36 per member child per year** at a
//! managed playground (275 children per managed playground).
//!
//! A managed playground (fenced, staffed by volunteers, with a clubhouse and activities) is much
//! more than the neighbourhood play spot kindscape proposes, so that benefit cannot be
//! transferred whole. The preset scales it by running cost: a play spot's upkeep of EUR 7,500 a
//! year is 7,500 / 31,250 = 0.24 of a managed playground's, so a child newly within the norm of a
//! play spot is credited 0.24 x 236.36 = **EUR 56.73 a year**. A play spot reaching 275 new
//! children is then credited EUR 15,600 a year (0.24 x 65,000, Ecorys' benefit per euro of
//! running cost kept); one reaching 30 children EUR 1,702. The per-site benefit is 0, so that
//! sites differ by the children they reach. The transfer is the least certain input; the
//! sensitivity table varies it by half either way.
//!
//! Other values of the preset (kindscape defaults, not from Ecorys; replace them with the
//! council's own, or per site with the `capex` and `maintenance` attributes): capex EUR 150,000
//! per site, maintenance EUR 7,500 a year, 15 years (a usual service life of play equipment),
//! discount rate 2.25% (the Dutch standard real discount rate for social CBA, Werkgroep
//! discontovoet 2020).

use std::path::Path;

use super::CostsSection;
use crate::error::{Error, Result};

/// The longest appraisal period `[costs] years` takes.
const MAX_YEARS: u32 = 200;
/// The lowest `[costs] discount_rate`: with 200 years, 0.9^-200 (about 1.4e9) keeps every present
/// value finite and readable, where a rate near -1 overflows.
const MIN_RATE: f64 = -0.1;

/// The money side of a new site, per site. See [`super::presets`](mod@super::presets) for where numbers come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    /// Building the site, paid in year 0.
    pub capex_eur: f64,
    /// Upkeep per site per year, years 1..=years.
    pub maintenance_eur_per_year: f64,
    /// Social benefit per newly covered child per year.
    pub benefit_eur_per_child_per_year: f64,
    /// Social benefit per site per year, whatever the children covered.
    pub benefit_eur_per_site_per_year: f64,
    /// Appraisal period.
    pub years: u32,
    /// Real discount rate per year (0.0225 = 2.25%).
    pub discount_rate: f64,
}

/// A named set of costs with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub name: &'static str,
    pub costs: Costs,
    /// How the benefit figures were derived, one sentence each (catalogue keys).
    pub benefit_derivation: &'static [&'static str],
    /// Where the other values come from (catalogue keys).
    pub notes: &'static [&'static str],
}

/// Ecorys (2020): the yearly benefit of the managed playgrounds of the Netherlands, in euros.
pub const ECORYS_BENEFIT_EUR_PER_YEAR: f64 = 52_000_000.0;
/// Ecorys (2020): the yearly running cost of one managed playground (EUR 25 M / 800).
pub const ECORYS_RUNNING_COST_EUR_PER_YEAR: f64 = 31_250.0;
/// NUSO survey (DSP-groep 2010): members of the managed playgrounds, the children they serve.
pub const MANAGED_PLAYGROUND_MEMBERS: f64 = 220_000.0;
/// The preset's upkeep of a neighbourhood play spot, in euros a year.
const PLAY_SPOT_MAINTENANCE_EUR_PER_YEAR: f64 = 7_500.0;

/// The preset's benefit per newly covered child per year: Ecorys' benefit per member child of a
/// managed playground, scaled to a play spot by running cost (see the module documentation).
pub fn ecorys_benefit_per_child_per_year() -> f64 {
    ECORYS_BENEFIT_EUR_PER_YEAR / MANAGED_PLAYGROUND_MEMBERS
        * (PLAY_SPOT_MAINTENANCE_EUR_PER_YEAR / ECORYS_RUNNING_COST_EUR_PER_YEAR)
}

/// The preset used when the study file names none.
pub const DEFAULT_PRESET: &str = "ecorys-2020";

/// Every preset a study file may name.
pub fn presets() -> Vec<Preset> {
    vec![Preset {
        name: "ecorys-2020",
        costs: Costs {
            capex_eur: 150_000.0,
            maintenance_eur_per_year: PLAY_SPOT_MAINTENANCE_EUR_PER_YEAR,
            // 52 M / 220,000 x 7,500 / 31,250 = 56.73; see the module documentation.
            benefit_eur_per_child_per_year: ecorys_benefit_per_child_per_year(),
            benefit_eur_per_site_per_year: 0.0,
            years: 15,
            discount_rate: 0.0225,
        },
        // Catalogue keys (src/output/i18n): the derivation is read in the report's language.
        benefit_derivation: &[
            "cost_preset.ecorys_2020_source",
            "cost_preset.ecorys_2020_per_child",
            "cost_preset.ecorys_2020_transfer",
            "cost_preset.ecorys_2020_ages",
        ],
        notes: &["cost_preset.ecorys_2020_defaults"],
    }]
}

/// The costs a run uses and where each came from.
#[derive(Debug, Clone, PartialEq)]
pub struct CostSettings {
    pub costs: Costs,
    /// The preset the values start from.
    pub preset: Preset,
    /// Keys of `[costs]` the study file set, overriding the preset.
    pub overridden: Vec<&'static str>,
    /// True when the study file set a benefit key, so both benefits are the study file's.
    pub benefits_from_study: bool,
    /// `[costs] capex`: the candidates attribute with a site's own capital cost.
    pub capex_attribute: Option<String>,
    /// `[costs] maintenance`: the attribute with a site's or playground's own upkeep a year.
    pub maintenance_attribute: Option<String>,
}

impl CostSettings {
    /// Starts from the named preset (default [`DEFAULT_PRESET`]) and applies the study file's
    /// keys. Benefits are a pair: setting either benefit key takes both from the study file
    /// (the other 0), so a per-child figure is never added on top of the preset's per-site one.
    pub fn from_section(section: Option<&CostsSection>, study_path: &Path) -> Result<Self> {
        let name = section
            .and_then(|s| s.preset.as_deref())
            .unwrap_or(DEFAULT_PRESET);
        let all = presets();
        let Some(preset) = all.into_iter().find(|p| p.name == name) else {
            let known: Vec<&str> = presets().iter().map(|p| p.name).collect();
            return Err(Error::study(
                study_path,
                format!(
                    "[costs] preset = \"{name}\": unknown; known presets: {}",
                    known.join(", ")
                ),
            ));
        };
        let mut costs = preset.costs.clone();
        let mut overridden = Vec::new();
        let mut benefits_from_study = false;
        if let Some(s) = section {
            let amounts: [(&'static str, Option<f64>, &mut f64); 2] = [
                ("capex_eur", s.capex_eur, &mut costs.capex_eur),
                (
                    "maintenance_eur_per_year",
                    s.maintenance_eur_per_year,
                    &mut costs.maintenance_eur_per_year,
                ),
            ];
            for (key, value, slot) in amounts {
                if let Some(v) = value {
                    *slot = non_negative(study_path, key, v)?;
                    overridden.push(key);
                }
            }
            if s.benefit_eur_per_child_per_year.is_some()
                || s.benefit_eur_per_site_per_year.is_some()
            {
                benefits_from_study = true;
                let child = s.benefit_eur_per_child_per_year.unwrap_or(0.0);
                let site = s.benefit_eur_per_site_per_year.unwrap_or(0.0);
                costs.benefit_eur_per_child_per_year =
                    non_negative(study_path, "benefit_eur_per_child_per_year", child)?;
                costs.benefit_eur_per_site_per_year =
                    non_negative(study_path, "benefit_eur_per_site_per_year", site)?;
                overridden.push("benefit_eur_per_child_per_year");
                overridden.push("benefit_eur_per_site_per_year");
            }
            if let Some(years) = s.years {
                // Beyond 200 years (or below a -10% rate) the present values run to dozens of
                // digits and then overflow to empty cells: no appraisal means that.
                if !(1..=MAX_YEARS).contains(&years) {
                    return Err(Error::study(
                        study_path,
                        format!("[costs] years = {years}: the appraisal period must be 1 to {MAX_YEARS} years, e.g. 15"),
                    ));
                }
                costs.years = years;
                overridden.push("years");
            }
            if let Some(rate) = s.discount_rate {
                // A rate of 1 or more is a percentage written as a number (2.25 for 2.25%).
                if !rate.is_finite() || !(MIN_RATE..1.0).contains(&rate) {
                    return Err(Error::study(
                        study_path,
                        format!(
                            "[costs] discount_rate = {rate}: must be a yearly rate as a fraction, from {MIN_RATE} (-10%) to below 1, e.g. 0.0225 for 2.25%"
                        ),
                    ));
                }
                costs.discount_rate = rate;
                overridden.push("discount_rate");
            }
        }
        let attribute = |key: &str, value: Option<&String>| -> Result<Option<String>> {
            match value {
                Some(name) if name.trim().is_empty() => Err(Error::study(
                    study_path,
                    format!("[costs] {key} = \"{name}\": must name an attribute, e.g. {key} = \"kosten\""),
                )),
                other => Ok(other.cloned()),
            }
        };
        Ok(Self {
            costs,
            preset,
            overridden,
            benefits_from_study,
            capex_attribute: attribute("capex", section.and_then(|s| s.capex.as_ref()))?,
            maintenance_attribute: attribute(
                "maintenance",
                section.and_then(|s| s.maintenance.as_ref()),
            )?,
        })
    }
}

fn non_negative(study_path: &Path, key: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::study(
            study_path,
            format!("[costs] {key} = {value}: must be a non-negative amount in euros"),
        ))
    }
}
