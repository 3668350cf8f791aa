//! Analyses over a function: control-flow graph, dominator tree. (Being written.)
