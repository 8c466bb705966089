//! Where should the next playground go? Maximal covering location over candidate sites.
//!
//! The run finds candidates and which children each would bring within reach; this module only
//! solves the covering problem on that plain data (see [`mclp`]).

pub mod mclp;

pub use mclp::{assumptions, exhaustive, select, tally, CoverageProblem, Selection};
