//! The [`Tool`] trait: what a tool is called, what it takes and how it behaves.

pub(crate) mod context;
mod error;
mod handler;
mod output;

pub use context::{Context, Envelope, NotificationStream, Notifier};
pub use error::ToolError;
pub use handler::ToolHandler;
pub(crate) use handler::{ErasedTool, Handler, erase, erase_fn};
pub use output::{IntoToolResult, Json};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::MethodClass;
use crate::wire::{Icon, ToolAnnotations};

/// A tool's argument type and everything a client learns about the tool.
///
/// `#[derive(Tool)]` writes this impl; writing it by hand is equally supported. The
/// handler, an `async fn(Args, Context<S>) -> impl IntoToolResult`, is registered with
/// [`ServerBuilder::tool`](crate::ServerBuilder::tool).
///
/// ```
/// use mcp_core::{Context, JsonSchema, Server, Tool};
/// use mcp_core::auth::MethodClass;
/// use mcp_core::wire::ToolAnnotations;
/// use serde::Deserialize;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct Echo {
///     /// The text to send back.
///     text: String,
/// }
///
/// // Exactly what `#[derive(Tool)]` generates for `/// Echo the text back.` and
/// // `#[tool(read_only)]`.
/// impl Tool for Echo {
///     const NAME: &'static str = "echo";
///     const DESCRIPTION: &'static str = "Echo the text back.";
///     const CLASS: MethodClass = MethodClass::Read;
///     fn input_schema() -> mcp_core::Value {
///         mcp_core::schema_for::<Self>()
///     }
///     fn annotations() -> ToolAnnotations {
///         let mut annotations = ToolAnnotations::default();
///         annotations.read_only_hint = Some(true);
///         annotations
///     }
/// }
///
/// async fn echo(args: Echo, _cx: Context) -> String {
///     args.text
/// }
///
/// let server = Server::builder("hello", "1.0.0").tool(echo).build().unwrap();
/// assert_eq!(server.tool_names().collect::<Vec<_>>(), ["echo"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an MCP tool",
    note = "add `#[derive(Tool)]` (with a `///` doc comment as its description) to `{Self}`, or implement `mcp_core::Tool` by hand"
)]
pub trait Tool: DeserializeOwned + Send + 'static {
    /// The name the model calls the tool by (`[A-Za-z0-9_.-]`, 1 to 128 characters).
    const NAME: &'static str;
    /// What the tool does, for the model. Must not be empty.
    const DESCRIPTION: &'static str;
    /// A human-readable title.
    const TITLE: Option<&'static str> = None;
    /// The method class a token's scope must permit.
    const CLASS: MethodClass = MethodClass::Custom;
    /// Tags a token's scope may require.
    const TAGS: &'static [&'static str] = &[];

    /// The JSON Schema of the arguments; its root must be `type: "object"`.
    fn input_schema() -> Value;

    /// Behaviour hints (`readOnlyHint`, `destructiveHint`, ...).
    fn annotations() -> ToolAnnotations {
        ToolAnnotations::default()
    }

    /// Icons for client UIs.
    fn icons() -> Vec<Icon> {
        Vec::new()
    }
}
