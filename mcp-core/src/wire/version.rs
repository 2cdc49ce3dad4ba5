//! Protocol versions of both eras.

use std::fmt;

/// A protocol version this SDK serves.
///
/// `2026-07-28` is *modern*: stateless, with the version and client capabilities in
/// every request's `_meta`. The others are *legacy*: they begin with `initialize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// `2024-11-05` (legacy).
    V2024_11_05,
    /// `2025-03-26` (legacy; the default when an HTTP client sends no version header).
    V2025_03_26,
    /// `2025-06-18` (legacy).
    V2025_06_18,
    /// `2025-11-25` (legacy, the last handshake-based revision).
    V2025_11_25,
    /// `2026-07-28` (modern).
    V2026_07_28,
}

impl ProtocolVersion {
    /// The newest version served.
    pub const LATEST: Self = Self::V2026_07_28;
    /// The newest legacy (handshake-based) version served.
    pub const LATEST_LEGACY: Self = Self::V2025_11_25;
    /// Every version served, newest first.
    pub const ALL: [Self; 5] = [
        Self::V2026_07_28,
        Self::V2025_11_25,
        Self::V2025_06_18,
        Self::V2025_03_26,
        Self::V2024_11_05,
    ];

    /// The version string, e.g. `"2025-11-25"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V2024_11_05 => "2024-11-05",
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
            Self::V2026_07_28 => "2026-07-28",
        }
    }

    /// Parses a version string; `None` for versions this SDK does not serve.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether this is a modern (per-request `_meta`, no handshake) version.
    pub const fn is_modern(self) -> bool {
        matches!(self, Self::V2026_07_28)
    }

    /// The legacy version `initialize` settles on for a client's requested version:
    /// the client's own when served, otherwise the newest legacy one (the client then
    /// decides whether it can speak it).
    pub fn negotiate_legacy(requested: &str) -> Self {
        match Self::parse(requested) {
            Some(v) if !v.is_modern() => v,
            _ => Self::LATEST_LEGACY,
        }
    }

    pub(crate) fn supported_strs() -> [&'static str; 5] {
        Self::ALL.map(Self::as_str)
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips() {
        for v in ProtocolVersion::ALL {
            assert_eq!(ProtocolVersion::parse(v.as_str()), Some(v));
        }
        assert_eq!(ProtocolVersion::parse("1900-01-01"), None);
        assert!(ProtocolVersion::LATEST.is_modern());
        assert!(!ProtocolVersion::LATEST_LEGACY.is_modern());
    }
}
