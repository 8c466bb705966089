//! Who misses out, and are they the children with the fewest chances?
//!
//! Pure computational kernels over plain slices; the run wires them to neighbourhoods and homes.
//! Every index follows the definitions of the R package `accessibility` (Pereira & Herszenhut,
//! IPEA), which planners already use for transport equity, so that a kindscape number can be
//! reproduced there; where a definition is ambiguous or order-dependent in R, the doc comment of
//! the function says what kindscape does instead and why.
//!
//! Conventions shared by all functions here:
//! * a *unit* is a home or a neighbourhood; its weight is the number of children it stands for;
//! * `chances` is the equity attribute oriented so that a **higher value means more chances**
//!   (mean income: as is; a share of low-income households: use [`chances`] with
//!   `higher_is_worse = true`);
//! * units with no children (weight <= 0 or not finite) or a missing value (NaN) are left out,
//!   as the R package drops rows without population or with NA;
//! * an index that is undefined for the data (no children, a zero mean, ...) is `None`;
//! * sums run in index order, so results never depend on thread count.
//!
//! Slices passed together must have the same length: a mismatch is a programming error and
//! panics (it cannot come from user data).

pub mod analysis;
mod concentration;
mod inequality;
mod mix;
mod poverty;
mod priority;
mod quintiles;
mod weighted;

pub use concentration::{concentration_index, ConcentrationType};
pub use inequality::{
    gini, palma_ratio, theil_t, theil_t_by_group, TheilDecomposition, TheilGroup,
};
pub use mix::{mix, Mix};
pub use poverty::{fgt_poverty, Fgt};
pub use priority::{priority_weights, rank_desc};
pub use quintiles::quintiles;
pub use weighted::interpolated_weighted_quantile;

/// Orients an equity attribute so that a higher value means more chances.
///
/// Attributes such as a share of low-income households or child poverty are "higher is worse";
/// negating them keeps every ranking in this module the same way round (lowest = fewest chances).
pub fn chances(value: f64, higher_is_worse: bool) -> f64 {
    if higher_is_worse {
        -value
    } else {
        value
    }
}
