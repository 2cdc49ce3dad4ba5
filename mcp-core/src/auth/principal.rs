//! [`Principal`]: the one caller identity everything that binds to a caller reads.

use std::fmt;
use std::sync::Arc;

use http::Extensions;
use sha2::{Digest, Sha256};

use crate::auth::Scope;

/// Who is calling: the tenant (account) a request acts for, the subject within it,
/// the credential it presented (an id, never a secret) and what that credential
/// may do.
///
/// An authentication layer (the `mcp_` token layer of `mcp-auth`, an OAuth
/// verifier, your own) puts one into the request's [`http::Extensions`]. Everything
/// that binds to a caller reads it: pending server-to-client replies, sealed
/// `requestState`, the scope filter on every method, and your tools through
/// [`Context::principal`](crate::Context::principal). A request without one is
/// anonymous (stdio, or an HTTP endpoint without authentication): it sees
/// everything the server offers, and state issued to it binds to no caller.
///
/// ```
/// use mcp_core::auth::{MethodClass, Principal, Scope};
///
/// let alice = Principal::new("acct_42", "tok_7f3a")
///     .with_subject("alice@example.com")
///     .with_scope(Scope::new([MethodClass::Read]));
/// assert_eq!(alice.tenant(), "acct_42");
/// assert!(!alice.scope().permits(MethodClass::Write, &[] as &[&str]));
///
/// // The same caller with a narrower scope is still the same caller...
/// let narrower = alice.clone().with_scope(Scope::new([]));
/// assert!(alice.is_same_caller(&narrower));
/// // ...another tenant never is.
/// assert!(!alice.is_same_caller(&Principal::new("acct_43", "tok_7f3a")));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Principal {
    tenant: Arc<str>,
    subject: Option<Arc<str>>,
    credential: Arc<str>,
    scope: Scope,
}

impl Principal {
    /// A caller acting for `tenant` with the credential whose id is `credential`,
    /// permitted everything until [`with_scope`](Self::with_scope) says otherwise.
    pub fn new(tenant: impl Into<Arc<str>>, credential: impl Into<Arc<str>>) -> Self {
        Self {
            tenant: tenant.into(),
            subject: None,
            credential: credential.into(),
            scope: Scope::all(),
        }
    }

    /// The subject within the tenant (a user, a service account).
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<Arc<str>>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// What the credential permits, on every method (tools, prompts, resources,
    /// completion, subscriptions).
    #[must_use]
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// The tenant (account) the request acts for.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The subject within the tenant, when the credential names one.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The id of the credential presented (a token id, a JWT `jti` or client id);
    /// never the credential itself.
    pub fn credential(&self) -> &str {
        &self.credential
    }

    /// What the credential permits.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Whether `other` is the same caller: same tenant, subject and credential.
    /// The scope does not take part.
    pub fn is_same_caller(&self, other: &Self) -> bool {
        self.tenant == other.tenant
            && self.subject == other.subject
            && self.credential == other.credential
    }

    /// A digest of the caller's identity (tenant, subject, credential; not the
    /// scope), for binding state to the caller without storing who it is.
    pub fn digest(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        for part in [
            Some(&*self.tenant),
            self.subject.as_deref(),
            Some(&*self.credential),
        ] {
            match part {
                // Length-prefixed, so no two identities share an encoding.
                Some(s) => {
                    hash.update([1]);
                    hash.update((s.len() as u64).to_be_bytes());
                    hash.update(s.as_bytes());
                }
                None => hash.update([0]),
            }
        }
        hash.finalize().into()
    }

    /// The principal in `extensions`, if an authentication layer put one there.
    pub fn of(extensions: &Extensions) -> Option<&Self> {
        extensions.get::<Self>()
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("tenant", &self.tenant)
            .field("subject", &self.subject)
            .field("credential", &self.credential)
            .field("scope", &self.scope)
            .finish()
    }
}

/// The scope a request is held to: its principal's, else a bare [`Scope`] a layer
/// put into the extensions without identifying the caller, else none (everything
/// visible).
pub(crate) fn scope_of(extensions: &Extensions) -> Option<&Scope> {
    match Principal::of(extensions) {
        Some(principal) => Some(principal.scope()),
        None => extensions.get::<Scope>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::MethodClass;

    #[test]
    fn identity_ignores_scope_and_digest_separates_fields() {
        let a = Principal::new("t", "c").with_subject("s");
        let narrowed = a.clone().with_scope(Scope::new([MethodClass::Read]));
        assert!(a.is_same_caller(&narrowed));
        assert_eq!(a.digest(), narrowed.digest());
        assert_ne!(a.digest(), Principal::new("t", "c").digest());
        // Moving bytes between fields changes the digest.
        assert_ne!(
            Principal::new("ab", "c").digest(),
            Principal::new("a", "bc").digest()
        );
        assert_ne!(
            Principal::new("t", "c").with_subject("").digest(),
            Principal::new("t", "c").digest()
        );
    }

    #[test]
    fn scope_comes_from_the_principal_first() {
        let mut ext = Extensions::new();
        assert!(scope_of(&ext).is_none());
        ext.insert(Scope::new([MethodClass::Write]));
        assert_eq!(scope_of(&ext), Some(&Scope::new([MethodClass::Write])));
        ext.insert(Principal::new("t", "c").with_scope(Scope::new([MethodClass::Read])));
        assert_eq!(scope_of(&ext), Some(&Scope::new([MethodClass::Read])));
    }
}
