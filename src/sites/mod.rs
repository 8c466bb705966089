//! Where should the next playground go? Maximal covering location over candidate sites.
//!
//! The run finds candidates and which children each would bring within reach; this module only
//! solves the covering problem on that plain data (see [`mclp`]), and offers the straight-line
//! reach of candidates ([`candidates::covers_within`]).

pub mod candidates;
pub mod mclp;
pub mod plan;

pub use mclp::{assumptions, exhaustive, select, tally, CoverageProblem, Selection};
