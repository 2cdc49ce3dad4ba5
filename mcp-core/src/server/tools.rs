//! `tools/list` and `tools/call`.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use serde_json::Value;

use super::Inner;
use super::binding::Binder;
use super::respond::Reply;
use super::rounds::Rounds;
use crate::auth::Scope;
use crate::input_required::Attempt;
use crate::jsonrpc::{ErrorObject, Response};
use crate::registry::arguments_or_empty;
use crate::schema;
use crate::tool::ToolError;
use crate::tool::context::RequestInfo;
use crate::wire::ClientCaps;

impl Inner {
    pub(crate) fn list_tools(
        &self,
        reply: Reply<'_>,
        cursor: Option<&str>,
        scope: Option<&Scope>,
    ) -> Response {
        let visible = self
            .registry
            .iter()
            .filter(|t| t.visible(scope))
            .map(|t| &*t.encoded);
        self.list_page(reply, "tools", visible, cursor, self.registry.fingerprint())
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn call_tool(
        &self,
        reply: Reply<'_>,
        name: &str,
        arguments: Option<Value>,
        scope: Option<&Scope>,
        request: RequestInfo,
        binder: Binder<'_>,
        client_capabilities: Option<&ClientCaps>,
    ) -> Response {
        let Some(tool) = self.registry.get(name, scope) else {
            return Response::error(
                Some(reply.id),
                ErrorObject::invalid_params(format_args!("Unknown tool: {name}")),
            );
        };
        let arguments = arguments_or_empty(arguments);
        if let Err(detail) = schema::check(&tool.validator, &arguments) {
            return reply.complete(&ToolError::invalid_arguments(name, detail).into_result());
        }
        let rounds = self
            .rounds(request, |request| {
                let fut = tool.handler.call(&arguments, request);
                async move {
                    match AssertUnwindSafe(fut).catch_unwind().await {
                        Ok(Ok(result)) => Attempt::Done(Ok(result)),
                        Ok(Err(mut error)) => match error.take_input_required() {
                            Some(input) => Attempt::Input(input),
                            None => Attempt::Done(Err(error)),
                        },
                        Err(panic) => {
                            let what = panic_message(&*panic);
                            tracing::error!(tool = name, panic = what, "tool panicked");
                            Attempt::Done(Err(ToolError::new(format!(
                                "The tool \"{name}\" failed with an internal error."
                            ))))
                        }
                    }
                }
            })
            .await;
        match rounds {
            Rounds::Done(Ok(result)) => reply.complete(&result),
            Rounds::Done(Err(err)) => match err.rate_limit() {
                Some(limit) if !self.rate_limit_as_result => {
                    let limit = limit.clone();
                    Response::error(
                        Some(reply.id),
                        ErrorObject::new(ErrorObject::RATE_LIMITED, err.message().to_owned())
                            .with_data(limit.to_data()),
                    )
                    .with_rate_limit(limit)
                }
                _ => reply.complete(&err.into_result()),
            },
            Rounds::Respond(input) => {
                let binding = binder.bind(name, Some(&arguments));
                self.input_required_response(reply, input, &binding, client_capabilities)
            }
            Rounds::Failed(why) => reply.complete(&ToolError::new(why).into_result()),
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(non-string panic payload)")
}
