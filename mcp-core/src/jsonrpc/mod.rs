//! JSON-RPC 2.0 messages as MCP uses them (no batches, no `null` ids).
//!
//! For transports, tests and clients: decode a [`Message`], answer with a
//! [`Response`] or an [`ErrorObject`]. A tool never needs these (its failures are
//! [`ToolError`](crate::ToolError)s).

mod error;
mod id;
mod message;
mod response;

pub use error::ErrorObject;
pub use id::RequestId;
pub use message::{
    ClientResponse, MAX_JSON_DEPTH, Message, Notification, Request, nesting_exceeds,
};
pub use response::Response;
pub(crate) use response::encode_notification;
