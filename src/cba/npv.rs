//! Discounting and the appraisal table: present values, NPV, benefit-cost ratio and sensitivity.
//!
//! Timing convention of Dutch social cost-benefit practice (and of the annuity formula): the
//! investment is paid at the start (year 0, undiscounted); maintenance and benefits arrive at the
//! end of each year 1..=years, discounted by (1 + r)^-t.

pub use crate::study::Costs;

/// Present value of 1 paid at the end of each year 1..=years: (1 - (1 + r)^-n) / r, or n when
/// r = 0. Computed as -expm1(-n ln(1 + r)) / r, which stays accurate for rates near zero.
pub fn annuity_factor(rate: f64, years: u32) -> f64 {
    if rate == 0.0 {
        return f64::from(years);
    }
    -(-f64::from(years) * rate.ln_1p()).exp_m1() / rate
}

/// Present value of `amount` paid at the end of each year 1..=years.
pub fn present_value(amount: f64, rate: f64, years: u32) -> f64 {
    amount * annuity_factor(rate, years)
}

/// One row of `cba.csv`: a site, or the total.
#[derive(Debug, Clone, PartialEq)]
pub struct Appraisal {
    pub capex_pv: f64,
    pub maintenance_pv: f64,
    pub benefit_pv: f64,
    /// benefit_pv - capex_pv - maintenance_pv.
    pub npv: f64,
    /// benefit_pv / (capex_pv + maintenance_pv); `None` when nothing costs anything.
    pub bcr: Option<f64>,
}

impl Appraisal {
    pub(crate) fn new(capex_pv: f64, maintenance_pv: f64, benefit_pv: f64) -> Self {
        let cost_pv = capex_pv + maintenance_pv;
        Self {
            capex_pv,
            maintenance_pv,
            benefit_pv,
            npv: benefit_pv - cost_pv,
            bcr: (cost_pv > 0.0).then(|| benefit_pv / cost_pv),
        }
    }

    pub fn cost_pv(&self) -> f64 {
        self.capex_pv + self.maintenance_pv
    }
}

/// The total under scaled benefits and costs.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// "benefit low, cost high" etc.
    pub name: String,
    /// The case names of its factors ("low", "central", "high"), for the report's words.
    pub benefit_case: &'static str,
    pub cost_case: &'static str,
    pub benefit_factor: f64,
    /// Applied to capex and maintenance alike.
    pub cost_factor: f64,
    pub appraisal: Appraisal,
}

/// Benefit multipliers of the sensitivity table: the benefit transfer from a national study to
/// one site is the least certain number, so it gets the wider band.
pub const BENEFIT_FACTORS: [(&str, f64); 3] = [("low", 0.5), ("central", 1.0), ("high", 1.5)];
/// Cost multipliers: construction and upkeep estimates typically miss by a fifth either way.
pub const COST_FACTORS: [(&str, f64); 3] = [("low", 0.8), ("central", 1.0), ("high", 1.2)];

/// The cost-benefit of the chosen sites.
#[derive(Debug, Clone, PartialEq)]
pub struct CostBenefit {
    /// One row per site, in the order given.
    pub sites: Vec<Appraisal>,
    /// Sums over the sites (its bcr is the ratio of the sums).
    pub total: Appraisal,
    /// The total under every combination of [`BENEFIT_FACTORS`] and [`COST_FACTORS`] (benefit
    /// low first, cost low first within it): a 3 x 3 grid showing which way the decision tips.
    pub sensitivity: Vec<Scenario>,
    /// How many times the central benefits would have to grow for the total NPV to reach zero
    /// (cost_pv / benefit_pv); `None` when there are no benefits.
    pub break_even_benefit_factor: Option<f64>,
}

/// One site to appraise: the children it newly covers and what it costs.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Children newly within their band's norm thanks to the site (all bands).
    pub new_children: f64,
    /// Building it, paid in year 0.
    pub capex_eur: f64,
    /// Its upkeep, years 1..=years.
    pub maintenance_eur_per_year: f64,
}

impl Site {
    /// A site at the study's default costs.
    pub fn at_default_costs(costs: &Costs, new_children: f64) -> Self {
        Self {
            new_children,
            capex_eur: costs.capex_eur,
            maintenance_eur_per_year: costs.maintenance_eur_per_year,
        }
    }
}

/// The yearly benefit of covering `children` children at a site: the per-site benefit plus the
/// per-child benefit times the children (the same for every band, as the preset's source gives
/// no split by age).
pub fn benefit_per_year(costs: &Costs, children: f64) -> f64 {
    costs.benefit_eur_per_site_per_year + costs.benefit_eur_per_child_per_year * children
}

/// Appraises each site from the children it newly covers and its own costs, and totals them.
///
/// ```
/// use kindscape::cba::{appraise, Costs, Site};
/// let costs = Costs {
///     capex_eur: 100.0,
///     maintenance_eur_per_year: 10.0,
///     benefit_eur_per_child_per_year: 1.0,
///     benefit_eur_per_site_per_year: 0.0,
///     years: 3,
///     discount_rate: 0.0,
/// };
/// let cba = appraise(&costs, &[Site::at_default_costs(&costs, 50.0)]);
/// // Undiscounted: benefits 3 x 50 = 150, costs 100 + 3 x 10 = 130.
/// assert_eq!(cba.total.npv, 20.0);
/// assert_eq!(cba.total.bcr, Some(150.0 / 130.0));
/// ```
pub fn appraise(costs: &Costs, sites: &[Site]) -> CostBenefit {
    let factor = annuity_factor(costs.discount_rate, costs.years);
    let sites: Vec<Appraisal> = sites
        .iter()
        .map(|site| {
            Appraisal::new(
                site.capex_eur,
                site.maintenance_eur_per_year * factor,
                benefit_per_year(costs, site.new_children) * factor,
            )
        })
        .collect();
    let total = Appraisal::new(
        sites.iter().map(|s| s.capex_pv).sum(),
        sites.iter().map(|s| s.maintenance_pv).sum(),
        sites.iter().map(|s| s.benefit_pv).sum(),
    );
    let sensitivity = BENEFIT_FACTORS
        .iter()
        .flat_map(|&(benefit_name, benefit_factor)| {
            let total = &total;
            COST_FACTORS
                .iter()
                .map(move |&(cost_name, cost_factor)| Scenario {
                    name: format!("benefit {benefit_name}, cost {cost_name}"),
                    benefit_case: benefit_name,
                    cost_case: cost_name,
                    benefit_factor,
                    cost_factor,
                    appraisal: Appraisal::new(
                        total.capex_pv * cost_factor,
                        total.maintenance_pv * cost_factor,
                        total.benefit_pv * benefit_factor,
                    ),
                })
        })
        .collect();
    CostBenefit {
        break_even_benefit_factor: (total.benefit_pv > 0.0)
            .then(|| total.cost_pv() / total.benefit_pv),
        sites,
        total,
        sensitivity,
    }
}
