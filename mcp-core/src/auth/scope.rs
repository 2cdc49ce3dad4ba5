//! Method classes, tags and the scope that limits which tools a request may see.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What kind of operation a tool performs; a token's [`Scope`] names the classes it
/// may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MethodClass {
    /// Reads data and changes nothing.
    Read,
    /// Creates, updates or deletes data.
    Write,
    /// Anything else (the default for tools that declare no class).
    Custom,
}

impl MethodClass {
    /// `"read"`, `"write"` or `"custom"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Custom => "custom",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Self::Read => 1,
            Self::Write => 2,
            Self::Custom => 4,
        }
    }
}

impl fmt::Display for MethodClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a method class name that is not `read`, `write` or `custom`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown method class {0:?} (expected \"read\", \"write\" or \"custom\")")]
pub struct UnknownMethodClass(String);

impl FromStr for MethodClass {
    type Err = UnknownMethodClass;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            "custom" => Ok(Self::Custom),
            other => Err(UnknownMethodClass(other.to_owned())),
        }
    }
}

/// What a request may see and use: tools, and resources, resource templates and
/// prompts (through their [`Access`]).
///
/// A transport or an auth layer puts a `Scope` into the request's
/// [`http::Extensions`] (usually inside a [`Principal`](crate::auth::Principal)); every
/// list then shows, and every method (`tools/call`, `resources/read`,
/// `prompts/get`, `completion/complete`, subscriptions) allows, only what it
/// permits. A hidden item answers exactly like a nonexistent one. Without a `Scope`
/// everything is visible.
///
/// A tool is permitted when its class is one of the scope's classes and, if the scope
/// names tags, the tool carries at least one of them.
///
/// Cheap to clone (the tags are shared), so a credential's scope goes into every
/// request it authenticates as it is. Serializes as `{"methods": ["read"], "tags":
/// ["crm"]}` (the shape `mcp-auth` stores and its management API takes): a missing
/// `methods` means every class, missing or empty `tags` means no tag is required.
///
/// ```
/// use mcp_core::auth::{MethodClass, Scope};
/// let scope = Scope::new([MethodClass::Read]).with_tags(["crm"]);
/// assert!(scope.permits(MethodClass::Read, &["crm", "contacts"]));
/// assert!(!scope.permits(MethodClass::Write, &["crm"]));
/// assert!(!scope.permits(MethodClass::Read, &["billing"]));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    classes: u8,
    tags: Arc<BTreeSet<String>>,
}

impl Scope {
    /// A scope permitting every tool.
    pub fn all() -> Self {
        Self::new([MethodClass::Read, MethodClass::Write, MethodClass::Custom])
    }

    /// A scope permitting tools of these classes, whatever their tags.
    pub fn new(classes: impl IntoIterator<Item = MethodClass>) -> Self {
        Self {
            classes: classes.into_iter().fold(0, |acc, c| acc | c.bit()),
            tags: Arc::default(),
        }
    }

    /// Also requires a tool to carry at least one of these tags (an empty list
    /// requires none).
    #[must_use]
    pub fn with_tags<T: Into<String>>(mut self, tags: impl IntoIterator<Item = T>) -> Self {
        self.tags = Arc::new(tags.into_iter().map(Into::into).collect());
        self
    }

    /// Whether a tool of this class with these tags is permitted.
    pub fn permits<T: AsRef<str>>(&self, class: MethodClass, tags: &[T]) -> bool {
        self.classes & class.bit() != 0
            && (self.tags.is_empty() || tags.iter().any(|t| self.tags.contains(t.as_ref())))
    }

    /// The permitted classes.
    pub fn classes(&self) -> impl Iterator<Item = MethodClass> + '_ {
        [MethodClass::Read, MethodClass::Write, MethodClass::Custom]
            .into_iter()
            .filter(|c| self.classes & c.bit() != 0)
    }

    /// The required tags (empty: no tag required).
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(String::as_str)
    }
}

impl Default for Scope {
    fn default() -> Self {
        Self::all()
    }
}

/// `Scope`'s serialized form.
#[derive(Serialize, Deserialize)]
struct ScopeRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    methods: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ScopeRepr {
            methods: Some(self.classes().map(|c| c.as_str().to_owned()).collect()),
            tags: self.tags.iter().cloned().collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = ScopeRepr::deserialize(deserializer)?;
        let scope = match repr.methods {
            None => Self::all(),
            Some(names) => Self::new(
                names
                    .iter()
                    .map(|n| n.parse::<MethodClass>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(serde::de::Error::custom)?,
            ),
        };
        Ok(scope.with_tags(repr.tags))
    }
}

/// What a resource, resource template or prompt asks of a caller's [`Scope`], as a
/// tool's class and tags do: a scope that does not permit it sees no trace of it
/// (lists, reads, `prompts/get`, completion, subscriptions answer as for something
/// that does not exist).
///
/// Registered without one (`ServerBuilder::resource`, `prompt`, ...), an item
/// counts as [`MethodClass::Read`] without tags: any scope permitting reads and
/// naming no tags sees it.
///
/// ```
/// use mcp_core::auth::{Access, MethodClass, Scope};
/// let billing = Access::new(MethodClass::Read).with_tags(["billing"]);
/// assert!(billing.permits(&Scope::new([MethodClass::Read])));
/// assert!(!billing.permits(&Scope::new([MethodClass::Read]).with_tags(["crm"])));
/// assert!(!billing.permits(&Scope::new([MethodClass::Write])));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    class: MethodClass,
    tags: Vec<String>,
}

impl Access {
    /// Access of this class, without tags.
    pub fn new(class: MethodClass) -> Self {
        Self {
            class,
            tags: Vec::new(),
        }
    }

    /// The tags a tag-filtered scope matches against.
    #[must_use]
    pub fn with_tags<T: Into<String>>(mut self, tags: impl IntoIterator<Item = T>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Whether `scope` permits it.
    pub fn permits(&self, scope: &Scope) -> bool {
        scope.permits(self.class, &self.tags)
    }
}

impl Default for Access {
    /// Read, no tags.
    fn default() -> Self {
        Self::new(MethodClass::Read)
    }
}

/// Whether a request held to `scope` (none: everything) may see an item
/// registered with `access` (none: the default).
pub(crate) fn visible(access: Option<&Access>, scope: Option<&Scope>) -> bool {
    match (scope, access) {
        (None, _) => true,
        (Some(scope), Some(access)) => access.permits(scope),
        (Some(scope), None) => scope.permits(MethodClass::Read, &[] as &[&str]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_and_tag_filtering() {
        let none: [&str; 0] = [];
        assert!(Scope::all().permits(MethodClass::Custom, &none));
        let read = Scope::new([MethodClass::Read]);
        assert!(read.permits(MethodClass::Read, &none));
        assert!(!read.permits(MethodClass::Write, &none));
        assert!(!read.permits(MethodClass::Custom, &none));
        let tagged = Scope::new([MethodClass::Read, MethodClass::Write]).with_tags(["a"]);
        assert!(!tagged.permits(MethodClass::Read, &none));
        assert!(tagged.permits(MethodClass::Write, &["b", "a"]));
        assert_eq!(
            tagged.classes().collect::<Vec<_>>(),
            [MethodClass::Read, MethodClass::Write]
        );
        assert_eq!("write".parse::<MethodClass>(), Ok(MethodClass::Write));
        assert!("admin".parse::<MethodClass>().is_err());
    }

    #[test]
    fn serde_shape() {
        let scope: Scope = serde_json::from_str(r#"{"methods":["read"],"tags":["crm"]}"#).unwrap();
        assert_eq!(scope, Scope::new([MethodClass::Read]).with_tags(["crm"]));
        assert_eq!(
            serde_json::to_string(&scope).unwrap(),
            r#"{"methods":["read"],"tags":["crm"]}"#
        );
        let all: Scope = serde_json::from_str("{}").unwrap();
        assert_eq!(all, Scope::all());
        assert_eq!(
            serde_json::to_string(&all).unwrap(),
            r#"{"methods":["read","write","custom"]}"#
        );
        assert!(serde_json::from_str::<Scope>(r#"{"methods":["admin"]}"#).is_err());
        // Clones share the tags.
        let copy = scope.clone();
        assert!(Arc::ptr_eq(&copy.tags, &scope.tags));
    }
}
