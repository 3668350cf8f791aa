//! The IR verifier. (Being written.)
