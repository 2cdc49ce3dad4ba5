//! What a transport needs beyond the [`Server`](crate::Server): the prepared
//! [`Call`], the [`Envelope`] of headers and extensions it travels in, the
//! [`Notifier`] channel for notifications and server-to-client requests, the
//! [`PendingReplies`] those requests wait in (bound to their [`Caller`]), the
//! [`CredentialWatch`] that ends a stream when its credential dies, and the
//! per-client [`client_key`].
//!
//! `mcp-transport` uses all of it; a tool author needs none of it (a test may
//! pass [`Envelope::new`] to [`Server::handle_message`](crate::Server::handle_message)).

mod client_key;
mod credential_watch;
mod pending_replies;

pub use crate::server::Call;
pub use crate::tool::{Envelope, NotificationStream, Notifier};
pub use client_key::client_key;
pub use credential_watch::{CredentialWatch, RevocationFeed};
pub use pending_replies::{Caller, PendingReplies};
