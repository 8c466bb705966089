//! Is it worth it? Social cost-benefit of the chosen sites: present values, NPV, benefit-cost
//! ratio and a sensitivity table, with every assumption written out.
//!
//! * [`npv`]: discounting and the appraisal table, on plain numbers.
//! * [`presets`](mod@presets): where the numbers come from (the `ecorys-2020` preset, the study file's
//!   `[costs]`), and the assumption lines a run prints.

pub mod npv;
pub mod presets;

pub use npv::{
    annuity_factor, appraise, present_value, Appraisal, CostBenefit, Costs, Scenario,
    BENEFIT_FACTORS, COST_FACTORS,
};
pub use presets::{presets, CostSettings, Preset, DEFAULT_PRESET};
