//! A study too large for one machine, in regions: [`split`] writes one study per region, each
//! run on its own (by any scheduler), and [`merge`] puts their outputs back together as the
//! single run would have written them. See docs/SCALE.md for the halo rule that makes every
//! region's figures exact.

pub mod merge;
#[cfg(feature = "parquet")]
pub mod split;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What `split` writes next to each region's study: which of the region's homes and
/// neighbourhoods it owns, and where they stand in the whole study.
pub const MANIFEST: &str = "region.json";
/// Each region study's file name, and the folder (next to it) its run writes to.
pub const STUDY_FILE: &str = "study.toml";
pub const OUTPUT_DIR: &str = "out";

/// The neighbourhood attribute a region's neighbourhoods carry their quintile of chances in
/// (`[equity] quintile`): the whole study's, so that every region ranks alike.
pub const QUINTILE_ATTRIBUTE: &str = "kindscape_quintile";
/// The attribute a region's layers carry the id in that the whole study gives a feature by its
/// position (an amenity or home without an `id` attribute).
pub const ID_ATTRIBUTE: &str = "kindscape_id";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// The kindscape version that split the study.
    pub kindscape: String,
    /// The split study file, and the SHA-256 of its text and of how it was split: regions of
    /// one split share it.
    pub study: PathBuf,
    pub split_id: String,
    /// How the study was split: `--by ATTRIBUTE` or `--tiles N`.
    pub split: String,
    pub regions: usize,
    /// This region's position among them (0-based) and name.
    pub index: usize,
    pub name: String,
    /// Homes and neighbourhoods of the whole study.
    pub study_homes: usize,
    pub study_neighbourhoods: usize,
    /// Per home of the region (its homes in order), its row in the whole study when the region
    /// owns it; `None` for a home of the halo.
    pub homes: Vec<Option<u64>>,
    /// Per neighbourhood of the region, its position in the whole study when owned.
    pub neighbourhoods: Vec<Option<u64>>,
    /// The halo radii, in metres of the working CRS (see docs/SCALE.md).
    pub halo: Halo,
}

/// How far beyond its own neighbourhoods and homes a region carries each layer.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Halo {
    pub amenities_m: f64,
    pub homes_m: f64,
    pub network_m: f64,
}

impl Manifest {
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::io(
                &path,
                format!("{e}: not a region folder written by `kindscape split`"),
            )
        })?;
        serde_json::from_str(&text).map_err(|e| {
            Error::layer(
                &path,
                format!("not a region manifest written by `kindscape split`: {e}"),
            )
        })
    }

    pub fn owned_homes(&self) -> usize {
        self.homes.iter().flatten().count()
    }
}
