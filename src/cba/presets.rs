//! The assumptions a run states for the cost-benefit analysis, so that no number is hidden, as
//! sentences the output layer says in the reader's language. The presets and the study file's
//! `[costs]` are resolved in `study::costs`.

use super::npv::{annuity_factor, BENEFIT_FACTORS, COST_FACTORS};
use crate::phrase::{Arg, Phrase};
use crate::study::CostSettings;

impl CostSettings {
    /// The assumptions of appraising closures (`cba::appraise_closure`), one sentence each, for
    /// the run's output and the report.
    pub fn closure_assumptions(&self) -> Vec<Phrase> {
        let c = &self.costs;
        let per_site = (c.benefit_eur_per_site_per_year > 0.0).then(|| {
            Phrase::new("assume.closure_per_site")
                .with("per_site", Arg::Eur(c.benefit_eur_per_site_per_year))
        });
        vec![
            Phrase::new("assume.closure_upkeep")
                .with_part(
                    "upkeep",
                    Some(
                        match &self.maintenance_attribute {
                            None => Phrase::new("assume.closure_upkeep_flat"),
                            Some(a) => Phrase::new("assume.closure_upkeep_own")
                                .with("attribute", Arg::Text(a.clone())),
                        }
                        .with("maintenance", Arg::Eur(c.maintenance_eur_per_year)),
                    ),
                )
                .with("years", Arg::Figure(c.years as f64))
                .with("per_child", Arg::EurCents(c.benefit_eur_per_child_per_year))
                .with_part("per_site", per_site)
                .with("rate", Arg::Figure(c.discount_rate * 100.0)),
            Phrase::new("assume.closure_no_renewal"),
        ]
    }

    /// Every assumption of the cost-benefit analysis, one sentence each, for the run's output and
    /// the report.
    pub fn assumptions(&self) -> Vec<Phrase> {
        let c = &self.costs;
        let preset = Arg::Text(self.preset.name.to_string());
        let mut lines = vec![if self.overridden.is_empty() {
            Phrase::new("assume.costs_preset").with("preset", preset)
        } else {
            Phrase::new("assume.costs_overridden")
                .with("preset", preset)
                .with("keys", Arg::Text(quoted(&self.overridden)))
        }];
        let years = Arg::Figure(c.years as f64);
        lines.extend([
            Phrase::new("assume.capex").with("capex", Arg::Eur(c.capex_eur)),
            Phrase::new("assume.maintenance")
                .with("maintenance", Arg::Eur(c.maintenance_eur_per_year))
                .with("years", years.clone()),
            Phrase::new("assume.benefit")
                .with("per_site", Arg::Eur(c.benefit_eur_per_site_per_year))
                .with("per_child", Arg::EurCents(c.benefit_eur_per_child_per_year))
                .with("years", years.clone()),
            Phrase::new("assume.discount")
                .with("rate", Arg::Figure(c.discount_rate * 100.0))
                .with("years", years)
                .with(
                    "factor",
                    Arg::Fixed(annuity_factor(c.discount_rate, c.years), 4),
                )
                .with_part(
                    "zero",
                    (c.discount_rate == 0.0).then(|| Phrase::new("assume.zero_rate")),
                ),
            Phrase::new("assume.constant_prices"),
            Phrase::new("assume.npv"),
            Phrase::new("assume.sensitivity")
                .with("benefits", Arg::Factors(&BENEFIT_FACTORS))
                .with("costs", Arg::Factors(&COST_FACTORS)),
        ]);
        if self.benefits_from_study {
            lines.push(Phrase::new("assume.benefits_from_study"));
        } else {
            lines.extend(
                self.preset
                    .benefit_derivation
                    .iter()
                    .map(|&k| Phrase::new(k)),
            );
            if c.maintenance_eur_per_year != self.preset.costs.maintenance_eur_per_year {
                lines.push(
                    Phrase::new("assume.not_rescaled")
                        .with("per_child", Arg::EurCents(c.benefit_eur_per_child_per_year))
                        .with("maintenance", Arg::Eur(c.maintenance_eur_per_year)),
                );
            }
        }
        lines.extend(self.preset.notes.iter().map(|&k| Phrase::new(k)));
        lines
    }
}

/// Study-file keys as code ("`years`, `discount_rate`"): the study's words, in any language.
fn quoted(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
