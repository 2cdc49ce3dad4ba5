//! Who is calling and what they may do: the [`Principal`] an authentication layer
//! puts into a request's extensions, the [`Scope`] of its credential, the
//! [`MethodClass`] every tool declares, and the [`Access`] a resource, template or
//! prompt asks for.
//!
//! `mcp-auth`'s token layer and your own authentication layers build these; tools
//! read the caller through [`Context::principal`](crate::Context::principal).

mod principal;
mod scope;

pub use principal::Principal;
pub(crate) use principal::scope_of;
pub(crate) use scope::visible;
pub use scope::{Access, MethodClass, Scope, UnknownMethodClass};
