//! kindscape: how child-friendly is a city's physical environment?
//!
//! The data flows one way, and the modules follow it:
//!
//! ```text
//! study file -> layers -> scene -> reach -> measures -> neighbourhoods -> equity, sites, cba -> output
//! ```
//!
//! * [`study`] reads and validates the study file (TOML).
//! * [`layers`] loads GeoJSON, OpenStreetMap and raster layers and reprojects them.
//! * [`scene`] turns layers into homes (with children per age band), amenities and neighbourhoods.
//! * [`reach`] computes distances from every home to the nearest amenity of each kind.
//! * [`measures`] turns distances into coverage, distributions, scores and play space per child.
//! * [`neighbourhoods`] aggregates per neighbourhood.
//! * [`equity`], [`sites`] and [`cba`] answer who misses out, where to build, and whether it pays.
//! * [`scenarios`] compares each `[[scenarios]]` entry (amenities removed or added) with the base.
//! * [`output`] writes every file atomically.
//! * [`regions`] splits a study too large for one machine into region studies and merges
//!   their outputs into the single run's (docs/SCALE.md).
//!
//! [`run::run_study`] runs the whole flow ([`run::load`], [`run::compute`], [`run::write`]); the
//! `kindscape` binary is a thin front over it. The parts work without a study file too: see the
//! README's library example, compiled and run as a doctest of this crate.

pub mod cba;
pub mod equity;
pub mod error;
pub mod layers;
pub mod measures;
pub mod memory;
pub mod neighbourhoods;
pub mod output;
pub mod phrase;
pub mod progress;
pub mod reach;
pub mod regions;
pub mod run;
pub mod sample;
pub mod scenarios;
pub mod scene;
pub mod sites;
pub mod study;

pub use error::{Error, Result, Warnings};

/// The README's examples, compiled and run by `cargo test`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
