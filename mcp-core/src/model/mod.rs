//! The MCP data model the server speaks (results, content, definitions).

mod call_result;
mod completion;
mod content;
mod prompt;
mod resource;
mod server_info;
mod tool_def;

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
