//! JSON-RPC request ids: a string or an integer, never `null` or a fraction.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The id of a JSON-RPC request: a string or an integer.
///
/// MCP forbids `null` ids, and fractional numbers are rejected as well.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(Arc<str>),
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::String(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        Self::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        Self::String(s.into())
    }
}

impl From<String> for RequestId {
    fn from(s: String) -> Self {
        Self::String(s.into())
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => serializer.serialize_i64(*n),
            Self::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IdVisitor)
    }
}

struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = RequestId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an integer id")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
        Ok(RequestId::Number(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
        i64::try_from(v)
            .map(RequestId::Number)
            .map_err(|_| E::custom("id is out of the 64-bit integer range"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<RequestId, E> {
        Err(E::custom(
            "id must be a string or an integer, not a fraction",
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
        Ok(RequestId::String(v.into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<RequestId, E> {
        Err(E::custom("id must not be null"))
    }

    fn visit_none<E: de::Error>(self) -> Result<RequestId, E> {
        self.visit_unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strings_and_integers() {
        let id: RequestId = serde_json::from_str("7").unwrap();
        assert_eq!(id, RequestId::Number(7));
        let id: RequestId = serde_json::from_str("\"a\"").unwrap();
        assert_eq!(id, RequestId::from("a"));
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"a\"");
    }

    #[test]
    fn rejects_null_fractions_and_objects() {
        for bad in ["null", "1.5", "{}", "[]", "true", "18446744073709551615"] {
            assert!(serde_json::from_str::<RequestId>(bad).is_err(), "{bad}");
        }
    }
}
