//! The error type of this crate: a data file that cannot be read or says something impossible.

/// A vocabulary, crosswalk or rule file that cannot be used, with the place and the reason.
#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but its content is wrong: a bad row, an unknown id, a rule that cannot be
    /// compiled.
    #[error("{file}: {place}: {message}")]
    Data {
        /// The file (a built-in file is named by its path under `crates/assess/data`).
        file: String,
        /// Where: `line 12`, `rule "threat.ransomware"`.
        place: String,
        /// What is wrong and what to do about it.
        message: String,
    },
}

impl AssessError {
    /// A content error at a place in a file.
    pub(crate) fn data(file: &str, place: impl Into<String>, message: impl Into<String>) -> Self {
        AssessError::Data {
            file: file.to_string(),
            place: place.into(),
            message: message.into(),
        }
    }
}
