//! The IR interpreter (tier 0). (Being written.)
