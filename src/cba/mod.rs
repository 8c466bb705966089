//! Is it worth it? Social cost-benefit of the chosen sites: present values, NPV, benefit-cost
//! ratio and a sensitivity table, with every assumption written out.
//!
//! * [`npv`]: discounting and the appraisal table, on plain numbers.
//! * [`closure`]: closing a playground, the upkeep saved against the benefit lost.
//! * [`presets`](mod@presets): the assumption lines a run prints; where the numbers come from (the
//!   `ecorys-2020` preset, the study file's `[costs]`) is resolved with the study
//!   (`study::costs`).

pub mod closure;
pub mod npv;
pub mod presets;

pub use crate::study::{presets, CostSettings, Preset, DEFAULT_PRESET};
pub use closure::{appraise_closure, ClosureAppraisal};
pub use npv::{
    annuity_factor, appraise, benefit_per_year, present_value, Appraisal, CostBenefit, Costs,
    Scenario, Site, BENEFIT_FACTORS, COST_FACTORS,
};
