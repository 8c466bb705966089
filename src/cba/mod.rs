//! Is it worth it? Social cost-benefit of the chosen sites: present values, NPV, benefit-cost
//! ratio and a sensitivity table, with every assumption written out.
//!
//! * [`npv`]: discounting and the appraisal table, on plain numbers.
//! * [`presets`](mod@presets): the assumption lines a run prints; where the numbers come from (the
//!   `ecorys-2020` preset, the study file's `[costs]`) is resolved with the study
//!   (`study::costs`).

pub mod npv;
pub mod presets;

pub use crate::study::{presets, CostSettings, Preset, DEFAULT_PRESET};
pub use npv::{
    annuity_factor, appraise, present_value, Appraisal, CostBenefit, Costs, Scenario,
    BENEFIT_FACTORS, COST_FACTORS,
};
