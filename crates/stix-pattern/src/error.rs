//! The one error type of the crate.

/// Why a pattern was rejected, and where: a byte offset into the pattern and a message naming what was expected and
/// what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct PatternError {
    /// Byte offset in the pattern of the first character that could not be accepted.
    pub offset: usize,
    /// What was expected and what was found, in words meant for the person who wrote the pattern.
    pub message: String,
}

impl PatternError {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> Self {
        PatternError {
            offset,
            message: message.into(),
        }
    }
}
