//! (in progress)
pub mod network;
