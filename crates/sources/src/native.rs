//! Adapter module (to be written).
