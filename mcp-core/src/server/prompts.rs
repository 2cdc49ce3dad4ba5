//! `prompts/list`, `prompts/get` and `completion/complete`.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::Inner;
use super::binding::Binder;
use super::paging::fingerprint;
use super::respond::Reply;
use super::rounds::Rounds;
use crate::ToolError;
use crate::auth::{Access, Scope, visible};
use crate::input_required::Attempt;
use crate::jsonrpc::{ErrorObject, Response};
use crate::tool::Handler;
use crate::tool::context::RequestInfo;
use crate::wire::{
    ClientCaps, Completion, CompletionRef, CompletionRequest, GetPromptResult, Prompt,
};

pub(crate) type PromptResult = Result<GetPromptResult, ToolError>;
pub(crate) type CompletionResult = Result<Completion, ToolError>;

pub(crate) struct PromptEntry {
    pub(crate) prompt: Prompt,
    encoded: Box<RawValue>,
    access: Option<Access>,
    handler: Handler<HashMap<String, String>, PromptResult>,
}

#[derive(Default)]
pub(crate) struct Prompts {
    entries: Vec<PromptEntry>,
    by_name: HashMap<String, usize>,
    fp: [u8; 32],
}

impl Prompts {
    pub(crate) fn add(
        &mut self,
        prompt: Prompt,
        access: Option<Access>,
        handler: Handler<HashMap<String, String>, PromptResult>,
    ) -> Result<(), String> {
        if self.by_name.contains_key(&prompt.name) {
            return Err(format!("prompt {:?} is registered twice", prompt.name));
        }
        if prompt.name.is_empty() {
            return Err("a prompt needs a name".to_owned());
        }
        let encoded = serde_json::value::to_raw_value(&prompt).map_err(|e| e.to_string())?;
        self.by_name.insert(prompt.name.clone(), self.entries.len());
        self.entries.push(PromptEntry {
            prompt,
            encoded,
            access,
            handler,
        });
        self.fp = fingerprint("prompts", self.entries.iter().map(|e| &*e.encoded));
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The prompt `name`, when `scope` permits it (otherwise as if not registered).
    fn get(&self, name: &str, scope: Option<&Scope>) -> Option<&PromptEntry> {
        let entry = &self.entries[*self.by_name.get(name)?];
        visible(entry.access.as_ref(), scope).then_some(entry)
    }
}

#[derive(Serialize)]
struct CompleteResult<'a> {
    completion: &'a Completion,
}

impl Inner {
    pub(crate) fn list_prompts(
        &self,
        reply: Reply<'_>,
        cursor: Option<&str>,
        scope: Option<&Scope>,
    ) -> Response {
        let p = &self.prompts;
        let items = p
            .entries
            .iter()
            .filter(|e| visible(e.access.as_ref(), scope))
            .map(|e| &*e.encoded);
        self.list_page(reply, "prompts", items, cursor, &p.fp)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn get_prompt(
        &self,
        reply: Reply<'_>,
        name: &str,
        arguments: Option<serde_json::Map<String, Value>>,
        scope: Option<&Scope>,
        request: RequestInfo,
        binder: Binder<'_>,
        client_capabilities: Option<&ClientCaps>,
    ) -> Response {
        let Some(entry) = self.prompts.get(name, scope) else {
            return Response::error(Some(reply.id), unknown_prompt(name));
        };
        let mut args = HashMap::new();
        for (key, value) in arguments.iter().flatten() {
            match value {
                Value::String(s) => {
                    args.insert(key.clone(), s.clone());
                }
                other => {
                    return Response::error(
                        Some(reply.id),
                        ErrorObject::invalid_params(format_args!(
                            "prompt argument {key:?} must be a string, got {other}"
                        )),
                    );
                }
            }
        }
        let missing: Vec<&str> = entry
            .prompt
            .arguments
            .iter()
            .filter(|a| a.required == Some(true) && !args.contains_key(&a.name))
            .map(|a| a.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Response::error(
                Some(reply.id),
                ErrorObject::invalid_params(format_args!(
                    "prompt {name:?} is missing required argument(s): {}",
                    missing.join(", ")
                )),
            );
        }
        let rounds = self
            .rounds(request, |request| {
                let fut = (entry.handler)(args.clone(), request);
                guarded(fut, "prompt", name)
            })
            .await;
        match rounds {
            Rounds::Done(Ok(result)) => reply.complete(&result),
            Rounds::Done(Err(e)) => e.into_response(reply.id),
            Rounds::Respond(input) => {
                let binding = binder.bind_map(name, arguments.as_ref());
                self.input_required_response(reply, input, &binding, client_capabilities)
            }
            Rounds::Failed(why) => Response::error(Some(reply.id), ErrorObject::internal(why)),
        }
    }

    pub(crate) async fn complete(
        &self,
        reply: Reply<'_>,
        completion: CompletionRequest,
        scope: Option<&Scope>,
        request: RequestInfo,
    ) -> Response {
        // Only about what the caller may see; anything else is unknown.
        let unknown = match &completion.reference {
            CompletionRef::Prompt { name } => {
                (self.prompts.get(name, scope).is_none()).then(|| unknown_prompt(name))
            }
            CompletionRef::Resource { uri } => (!self
                .resources
                .has_template_or_resource(uri, scope))
            .then(|| ErrorObject::invalid_params(format_args!("Unknown resource template: {uri}"))),
        };
        if let Some(error) = unknown {
            return Response::error(Some(reply.id), error);
        }
        let outcome = match &self.completer {
            None => Ok(Completion::default()),
            Some(handler) => AssertUnwindSafe(handler(completion, request))
                .catch_unwind()
                .await
                .unwrap_or_else(|_| Err(ToolError::new("the completion handler failed"))),
        };
        match outcome {
            Ok(completion) => reply.complete(&CompleteResult {
                completion: &completion,
            }),
            Err(e) => e.into_response(reply.id),
        }
    }
}

fn unknown_prompt(name: &str) -> ErrorObject {
    ErrorObject::invalid_params(format_args!("Unknown prompt: {name}"))
}

/// Runs a prompt or resource handler, turning a panic into `-32603` and a request
/// for input into an [`Attempt::Input`].
pub(crate) async fn guarded<T>(
    fut: impl std::future::Future<Output = Result<T, ToolError>>,
    what: &'static str,
    name: &str,
) -> Attempt<Result<T, ToolError>> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(Err(mut e)) => match e.take_input_required() {
            Some(input) => Attempt::Input(input),
            None => Attempt::Done(Err(e)),
        },
        Ok(done) => Attempt::Done(done),
        Err(_) => {
            tracing::error!(handler = what, name, "handler panicked");
            Attempt::Done(Err(ToolError::new(format_args!(
                "the {what} handler failed"
            ))))
        }
    }
}
