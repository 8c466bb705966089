//! Is closing a playground worth it? The upkeep no longer paid against the benefit the children
//! who lose coverage no longer get, on the same discounting and benefit per child as new sites.

use super::npv::{annuity_factor, benefit_per_year};
use crate::study::Costs;

/// The appraisal of one closure. Closing is the project: its benefit is the upkeep saved, its
/// cost the benefit lost.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosureAppraisal {
    /// Present value of the upkeep no longer paid, years 1..=years.
    pub saved_maintenance_pv: f64,
    /// Present value of the benefit lost: the children losing coverage at the benefit per
    /// child, plus the benefit per site.
    pub lost_benefit_pv: f64,
    /// saved_maintenance_pv - lost_benefit_pv: above 0 when closing saves more than it loses.
    pub npv: f64,
    /// saved_maintenance_pv / lost_benefit_pv: above 1 when closing pays; `None` when nothing
    /// is lost.
    pub bcr: Option<f64>,
}

/// Appraises closing one playground whose upkeep is `maintenance_saved_eur_per_year` (its own
/// attribute, else `[costs] maintenance_eur_per_year`) and whose closure leaves
/// `children_losing_by_band` children outside their band's norm of every remaining playground.
///
/// ```
/// use kindscape::cba::{appraise_closure, Costs};
/// let costs = Costs {
///     capex_eur: 0.0,
///     maintenance_eur_per_year: 7_500.0,
///     benefit_eur_per_child_per_year: 50.0,
///     benefit_eur_per_site_per_year: 0.0,
///     years: 2,
///     discount_rate: 0.0,
/// };
/// // 30 + 10 children lose coverage: 2 x 40 x 50 = 4,000 lost against 2 x 7,500 saved.
/// let a = appraise_closure(&costs, &[30.0, 10.0], 7_500.0);
/// assert_eq!(a.npv, 11_000.0);
/// assert_eq!(a.bcr, Some(15_000.0 / 4_000.0));
/// ```
pub fn appraise_closure(
    costs: &Costs,
    children_losing_by_band: &[f64],
    maintenance_saved_eur_per_year: f64,
) -> ClosureAppraisal {
    let factor = annuity_factor(costs.discount_rate, costs.years);
    let children: f64 = children_losing_by_band.iter().sum();
    let saved = maintenance_saved_eur_per_year * factor;
    let lost = benefit_per_year(costs, children) * factor;
    ClosureAppraisal {
        saved_maintenance_pv: saved,
        lost_benefit_pv: lost,
        npv: saved - lost,
        bcr: (lost > 0.0).then(|| saved / lost),
    }
}
