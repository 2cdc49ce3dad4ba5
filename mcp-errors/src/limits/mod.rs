//! Caps on what is read from an upstream API, and the normalized errors for an
//! answer that could not be read.

#[allow(dead_code)] // The readers arrive with `UpstreamLimits`.
pub(crate) mod failure;
