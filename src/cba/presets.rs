//! Where the cost-benefit numbers come from: presets, the study file's `[costs]`, and the
//! assumption lines a run prints so that no number is hidden.
//!
//! # The `ecorys-2020` preset (the default)
//!
//! Ecorys, *MKBA Speeltuinen* (2020, indicative social CBA for Jantje Beton / NUSO; NORMS.md):
//! about 800 **managed** playgrounds cost about EUR 25 M a year and yield about EUR 52 M a year,
//! so per managed playground EUR 52 M / 800 = **EUR 65,000 benefit** and EUR 25 M / 800 =
//! **EUR 31,250 running cost** per year (ratio 2.08).
//!
//! A managed playground (fenced, staffed by volunteers, with a clubhouse and activities) is much
//! more than the neighbourhood play spot kindscape proposes, so its benefit cannot be transferred
//! whole. The preset scales it by running cost: a play spot's upkeep of EUR 7,500 a year is
//! 7,500 / 31,250 = 0.24 of a managed playground's, so it is credited 0.24 x 65,000 =
//! **EUR 15,600 per site per year**. That keeps Ecorys' benefit per euro of running cost (2.08)
//! but not its ratio: the play spot also carries a capital cost that Ecorys' annual figures do not
//! include, so its BCR comes out lower (about 0.80 with the values below) and moves with capex,
//! years and rate. Benefit per child is 0: Ecorys gives no figure per child. The benefit is a
//! transfer from a national average, the least certain input; the sensitivity table varies it
//! by half either way.
//!
//! Other values of the preset (kindscape defaults, not from Ecorys; replace them with the
//! council's own): capex EUR 150,000 per site, maintenance EUR 7,500 a year, 15 years (a usual
//! service life of play equipment), discount rate 2.25% (the Dutch standard real discount rate
//! for social CBA, Werkgroep discontovoet 2020).

use std::path::Path;

use super::npv::{annuity_factor, Costs, BENEFIT_FACTORS, COST_FACTORS};
use crate::error::{Error, Result};
use crate::study::CostsSection;

/// A named set of costs with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub name: &'static str,
    pub costs: Costs,
    /// How the benefit figures were derived, one line each.
    pub benefit_derivation: &'static [&'static str],
    /// Where the other values come from.
    pub notes: &'static [&'static str],
}

/// The preset used when the study file names none.
pub const DEFAULT_PRESET: &str = "ecorys-2020";

/// Every preset a study file may name.
pub fn presets() -> Vec<Preset> {
    vec![Preset {
        name: "ecorys-2020",
        costs: Costs {
            capex_eur: 150_000.0,
            maintenance_eur_per_year: 7_500.0,
            benefit_eur_per_child_per_year: 0.0,
            // 65,000 x 7,500 / 31,250; see the module documentation.
            benefit_eur_per_site_per_year: 15_600.0,
            years: 15,
            discount_rate: 0.0225,
        },
        benefit_derivation: &[
            "Benefit source: Ecorys, MKBA Speeltuinen (2020, indicative, for Jantje Beton / \
             NUSO): about 800 managed playgrounds cost about EUR 25 M and yield about EUR 52 M a \
             year, i.e. EUR 31,250 running cost and EUR 65,000 benefit per managed playground \
             per year.",
            "Benefit transfer: a neighbourhood play spot is not a managed (staffed, fenced) \
             playground, so its benefit is scaled by running cost: 7,500 / 31,250 = 0.24 of \
             EUR 65,000 = EUR 15,600 per site per year (Ecorys' benefit per euro of running \
             cost, 2.08, kept; the capital cost is extra, so the site's BCR is lower).",
            "Benefit per newly covered child: 0 (Ecorys gives no figure per child), so every \
             site is credited the same benefit whatever the number of children it reaches; \
             the site selection, not the benefit, favours sites that reach more children.",
        ],
        notes: &[
            "The preset's capital cost EUR 150,000, maintenance EUR 7,500 a year and 15 years of service \
             life are kindscape defaults, not from Ecorys: replace them with the council's own \
             estimates. Discount rate 2.25%: the Dutch standard real rate for social CBA \
             (Werkgroep discontovoet 2020).",
        ],
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
                if years == 0 {
                    return Err(Error::study(
                        study_path,
                        "[costs] years = 0: the appraisal period must be at least 1 year, e.g. 15",
                    ));
                }
                costs.years = years;
                overridden.push("years");
            }
            if let Some(rate) = s.discount_rate {
                if !rate.is_finite() || rate <= -1.0 {
                    return Err(Error::study(
                        study_path,
                        format!(
                            "[costs] discount_rate = {rate}: must be a rate above -1, e.g. 0.0225"
                        ),
                    ));
                }
                costs.discount_rate = rate;
                overridden.push("discount_rate");
            }
        }
        Ok(Self {
            costs,
            preset,
            overridden,
            benefits_from_study,
        })
    }

    /// Every assumption of the cost-benefit analysis, one line each, for the run's output and the
    /// report.
    pub fn assumptions(&self) -> Vec<String> {
        let c = &self.costs;
        let factor = annuity_factor(c.discount_rate, c.years);
        let mut lines = vec![if self.overridden.is_empty() {
            format!("Costs: preset {}, unchanged.", self.preset.name)
        } else {
            format!(
                "Costs: preset {}, with the study file's {}.",
                self.preset.name,
                self.overridden.join(", ")
            )
        }];
        lines.extend([
            format!(
                "Capital cost {} per site, paid in year 0 (not discounted).",
                eur(c.capex_eur)
            ),
            format!(
                "Maintenance {} per site per year, paid at the end of years 1 to {}.",
                eur(c.maintenance_eur_per_year),
                c.years
            ),
            format!(
                "Benefit {} per site per year plus {} per newly covered child per year, at the \
                 end of years 1 to {}; newly covered = within their band's norm of the new site \
                 and of no existing amenity or earlier site.",
                eur(c.benefit_eur_per_site_per_year),
                eur(c.benefit_eur_per_child_per_year),
                c.years
            ),
            format!(
                "Discount rate {}% a year over {} years: present value = amount x (1 - (1 + r)^-n) \
                 / r = amount x {:.4}{}.",
                trim(c.discount_rate * 100.0),
                c.years,
                factor,
                if c.discount_rate == 0.0 {
                    " (r = 0: amount x years)"
                } else {
                    ""
                }
            ),
            "Constant prices: no inflation, no growth of costs or benefits, no residual value \
             after the last year, no land cost."
                .to_string(),
            "NPV = PV of benefits - PV of costs (capital + maintenance); BCR = PV of benefits / \
             PV of costs."
                .to_string(),
            format!(
                "Sensitivity: benefits x {} and costs (capital and maintenance together) x {}, \
                 every combination.",
                factors(&BENEFIT_FACTORS),
                factors(&COST_FACTORS)
            ),
        ]);
        if self.benefits_from_study {
            lines.push(
                "Benefits: set in the study file; the preset's benefit derivation does not apply."
                    .to_string(),
            );
        } else {
            lines.extend(self.preset.benefit_derivation.iter().map(|l| l.to_string()));
            if c.maintenance_eur_per_year != self.preset.costs.maintenance_eur_per_year {
                lines.push(format!(
                    "Benefit per site stays {} although maintenance was changed to {}: it is \
                     not rescaled (set benefit_eur_per_site_per_year to change it).",
                    eur(c.benefit_eur_per_site_per_year),
                    eur(c.maintenance_eur_per_year)
                ));
            }
        }
        lines.extend(self.preset.notes.iter().map(|l| l.to_string()));
        lines
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

/// "EUR 150,000": whole euros with thousands separators.
fn eur(amount: f64) -> String {
    let whole = format!("{:.0}", amount.abs());
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0.0 && whole != "0" {
        "-"
    } else {
        ""
    };
    format!("EUR {sign}{grouped}")
}

/// 2.25 rather than 2.2500000000000004.
fn trim(value: f64) -> String {
    let text = format!("{value:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn factors(table: &[(&str, f64)]) -> String {
    table
        .iter()
        .map(|(name, f)| format!("{} ({name})", trim(*f)))
        .collect::<Vec<_>>()
        .join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_grouped_by_thousands() {
        assert_eq!(eur(150_000.0), "EUR 150,000");
        assert_eq!(eur(7_500.0), "EUR 7,500");
        assert_eq!(eur(999.6), "EUR 1,000");
        assert_eq!(eur(0.0), "EUR 0");
        assert_eq!(eur(-1_234_567.0), "EUR -1,234,567");
        assert_eq!(trim(0.0225 * 100.0), "2.25");
    }
}
