//! The MCP data model on the wire: definitions, results, content, and the
//! protocol versions.
//!
//! Tool authors need only [`CallToolResult`] and [`Content`] (both also at the
//! crate root); resource and prompt authors build [`Resource`]s,
//! [`ResourceTemplate`]s and [`Prompt`]s and answer with [`ResourceContents`] and
//! [`GetPromptResult`]s.

mod call_result;
mod completion;
mod content;
mod prompt;
mod resource;
mod server_info;
mod tool_def;
mod version;

pub use call_result::CallToolResult;
pub use completion::{
    Completion, CompletionArgument, CompletionContext, CompletionRef, CompletionRequest,
};
pub use content::{Annotations, Content, Icon, ResourceContents, ResourceLink};
pub use prompt::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};
pub use resource::{Resource, ResourceRequest, ResourceTemplate};
pub(crate) use server_info::{
    ClientCaps, Empty, ListChanged, RequestMeta, ResourcesCapability, ServerCapabilities,
};
pub use server_info::{Implementation, LogLevel};
pub use tool_def::{ToolAnnotations, ToolDefinition};
pub use version::ProtocolVersion;
