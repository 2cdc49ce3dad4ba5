//! Tool handlers: typed at the edge, erased inside the registry.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;

use super::context::RequestInfo;
use super::{Context, IntoToolResult, Tool, ToolError};
use crate::CallToolResult;

/// An async function that runs a tool: `async fn(Args, Context<S>) -> impl IntoToolResult`.
///
/// Implemented for every such function and closure; you never implement it by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tool handler for `{T}`",
    note = "a handler is `async fn name(args: {T}, cx: Context<S>) -> R` where R: IntoToolResult, and S is the server's state type"
)]
pub trait ToolHandler<T, S>: Clone + Send + Sync + 'static {
    /// What the handler returns.
    type Output: IntoToolResult;
    /// The handler's future.
    type Future: Future<Output = Self::Output> + Send + 'static;
    /// Runs the tool.
    fn call(&self, args: T, cx: Context<S>) -> Self::Future;
}

impl<F, Fut, T, S> ToolHandler<T, S> for F
where
    F: Fn(T, Context<S>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoToolResult,
{
    type Output = Fut::Output;
    type Future = Fut;
    fn call(&self, args: T, cx: Context<S>) -> Fut {
        self(args, cx)
    }
}

/// The object-safe twin of a typed handler, state included.
pub(crate) trait ErasedTool: Send + Sync {
    fn call(
        &self,
        args: &Value,
        request: RequestInfo,
    ) -> BoxFuture<'static, Result<CallToolResult, ToolError>>;
}

struct Erased<T, S, H> {
    handler: H,
    state: Arc<S>,
    _args: PhantomData<fn() -> T>,
}

impl<T, S, H> ErasedTool for Erased<T, S, H>
where
    T: Tool,
    S: Send + Sync + 'static,
    H: ToolHandler<T, S>,
{
    fn call(
        &self,
        args: &Value,
        request: RequestInfo,
    ) -> BoxFuture<'static, Result<CallToolResult, ToolError>> {
        let args = match T::deserialize(args) {
            Ok(args) => args,
            Err(e) => {
                return Box::pin(std::future::ready(Err(ToolError::invalid_arguments(
                    T::NAME,
                    e,
                ))));
            }
        };
        let fut = self
            .handler
            .call(args, Context::new(Arc::clone(&self.state), request));
        Box::pin(async move { fut.await.into_tool_result() })
    }
}

pub(crate) fn erase<T, S, H>(handler: H, state: Arc<S>) -> Arc<dyn ErasedTool>
where
    T: Tool,
    S: Send + Sync + 'static,
    H: ToolHandler<T, S>,
{
    Arc::new(Erased {
        handler,
        state,
        _args: PhantomData,
    })
}

/// A type-erased handler of a resource read, a prompt or a completion.
pub(crate) type Handler<A, R> = Arc<dyn Fn(A, RequestInfo) -> BoxFuture<'static, R> + Send + Sync>;

/// Erases `async fn(A, Context<S>) -> R`, capturing the server's state.
pub(crate) fn erase_fn<A, R, S, F, Fut>(handler: F, state: Arc<S>) -> Handler<A, R>
where
    A: Send + 'static,
    S: Send + Sync + 'static,
    F: Fn(A, Context<S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
{
    Arc::new(move |args, request| {
        Box::pin(handler(args, Context::new(Arc::clone(&state), request)))
    })
}
