//! The assumption lines a run prints for the cost-benefit analysis, so that no number is hidden.
//! The presets and the study file's `[costs]` are resolved in `study::costs`.

use super::npv::{annuity_factor, BENEFIT_FACTORS, COST_FACTORS};
use crate::study::CostSettings;

impl CostSettings {
    /// The assumptions of appraising closures (`cba::appraise_closure`), one line each, for the
    /// run's output and the report.
    pub fn closure_assumptions(&self) -> Vec<String> {
        let c = &self.costs;
        let mut lines = vec![format!(
            "Closing a playground saves its upkeep, {} a year (`[costs] maintenance_eur_per_year`, \
             the same for every playground), at the end of years 1 to {}, \
             and loses the benefit of the children who lose coverage, {} per child per year{}; \
             both discounted at {}% a year. NPV = PV of upkeep saved - PV of benefit lost; BCR \
             = PV of upkeep saved / PV of benefit lost (above 1: closing saves more than it \
             loses).",
            eur(c.maintenance_eur_per_year),
            c.years,
            eur_cents(c.benefit_eur_per_child_per_year),
            if c.benefit_eur_per_site_per_year > 0.0 {
                format!(
                    " plus {} per playground",
                    eur(c.benefit_eur_per_site_per_year)
                )
            } else {
                String::new()
            },
            trim(c.discount_rate * 100.0),
        )];
        lines.push(
            "A closure avoids no renewal cost and sells no land in this appraisal; children who \
             lose coverage keep none of the benefit, even if a playground lies just beyond their \
             norm."
                .to_string(),
        );
        lines
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
                "Capital cost {} per site unless its own is given, paid in year 0 (not \
                 discounted).",
                eur(c.capex_eur)
            ),
            format!(
                "Maintenance {} per site per year unless its own is given, paid at the end of years \
                 1 to {}.",
                eur(c.maintenance_eur_per_year),
                c.years
            ),
            format!(
                "Benefit {} per site per year plus {} per newly covered child per year (every \
                 band alike), at the end of years 1 to {}; newly covered = within their band's \
                 norm of the new site and of no existing amenity or earlier site. Each site's \
                 benefit, NPV and BCR follow from its own children and costs; the total is the \
                 sum of the sites.",
                eur(c.benefit_eur_per_site_per_year),
                eur_cents(c.benefit_eur_per_child_per_year),
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
                    "Benefit per child stays {} although maintenance was changed to {}: it is \
                     not rescaled (set benefit_eur_per_child_per_year to change it).",
                    eur_cents(c.benefit_eur_per_child_per_year),
                    eur(c.maintenance_eur_per_year)
                ));
            }
        }
        lines.extend(self.preset.notes.iter().map(|l| l.to_string()));
        lines
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

/// "EUR 56.73": an amount per child, where the cents matter.
fn eur_cents(amount: f64) -> String {
    let whole = amount.trunc();
    let cents = ((amount - whole) * 100.0).round();
    if cents == 0.0 || cents == 100.0 {
        return eur(amount.round());
    }
    format!("{}.{:02}", eur(whole), cents as i64)
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
        assert_eq!(eur_cents(56.727), "EUR 56.73");
        assert_eq!(eur_cents(1_234.5), "EUR 1,234.50");
        assert_eq!(eur_cents(40.0), "EUR 40");
        assert_eq!(eur_cents(9.999), "EUR 10");
    }
}
