//! The MCP data model the server speaks (results, content, definitions).

mod call_result;
mod content;
mod server_info;
mod tool_def;

pub use call_result::CallToolResult;
pub use content::{Annotations, Content, Icon, ResourceContents, ResourceLink};
pub use server_info::{Implementation, LogLevel};
pub(crate) use server_info::{ListChanged, RequestMeta, ServerCapabilities};
pub use tool_def::{ToolAnnotations, ToolDefinition};
