//! Where should the next playground go, and which could close? Maximal covering location over
//! candidate sites, and its reverse over the existing amenities.
//!
//! The run finds candidates and which children each would bring within reach; this module only
//! solves the covering problem on that plain data (see [`mclp`]), and offers the straight-line
//! reach of candidates ([`candidates::covers_within`]). [`closures`] chooses the amenities whose
//! closure loses the fewest covered children.

pub mod candidates;
pub mod closures;
pub(crate) mod covers;
pub mod mclp;
pub mod plan;

pub use mclp::{assumptions, exhaustive, select, tally, CoverageProblem, Selection};
