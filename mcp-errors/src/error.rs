//! [`Error`]: the one error type of this crate.

use thiserror::Error as ThisError;

/// What can go wrong while setting up error handling or reading an upstream body.
///
/// Normalizing never fails (an unrecognised response falls through to the generic
/// normalizers); these errors come from loading rule sets at start-up and from
/// reading a response body.
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// A rule set file could not be parsed (bad JSON or TOML, a missing field).
    #[error("invalid rule set: {0}")]
    RuleSet(String),
    /// A jq expression in a rule does not compile.
    #[error(
        "rule {rule:?}, field {field:?}: invalid jq expression at line {line}, column {column}: {message}"
    )]
    Expression {
        /// The rule's name.
        rule: String,
        /// The field holding the expression (`when`, `message`, ...).
        field: String,
        /// 1-based line of the problem within the expression.
        line: usize,
        /// 1-based column (in characters) of the problem within the expression.
        column: usize,
        /// What the jq parser or compiler reported.
        message: String,
    },
    /// The upstream body could not be read.
    #[error("reading the upstream response failed: {0}")]
    Read(String),
}

impl Error {
    /// Whether this is a problem in a rule set (file or expression).
    pub fn is_rule_set(&self) -> bool {
        matches!(self, Self::RuleSet(_) | Self::Expression { .. })
    }
}
