//! Integration tests of the pactsim library: invariants over many generated deals.

mod properties;
