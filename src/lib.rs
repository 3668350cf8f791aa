//! Strata facade.
