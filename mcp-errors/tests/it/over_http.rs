//! Over real HTTP (below).
