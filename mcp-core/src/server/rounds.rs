//! Driving a handler that may ask for input: modern requests get an
//! `InputRequiredResult`; for legacy ones the server asks the client itself and
//! calls the handler again.

use std::future::Future;

use serde::Serialize;
use serde_json::{Map, Value};

use super::Inner;
use super::binding::Binding;
use super::respond::Reply;
use crate::InputRequired;
use crate::input_required::Attempt;
use crate::jsonrpc::{ErrorObject, Response};
use crate::tool::context::RequestInfo;
use crate::transport::Caller;
use crate::wire::ClientCaps;

/// How many rounds of input one legacy request may take.
const MAX_ROUNDS: usize = 8;

pub(crate) enum Rounds<T> {
    Done(T),
    /// Send this `InputRequiredResult` (modern).
    Respond(InputRequired),
    /// Input was needed and could not be had.
    Failed(String),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InputRequiredBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    input_requests: Option<&'a Map<String, Value>>,
    request_state: String,
}

impl Inner {
    pub(crate) async fn rounds<T, F, Fut>(&self, request: RequestInfo, mut attempt: F) -> Rounds<T>
    where
        F: FnMut(RequestInfo) -> Fut,
        Fut: Future<Output = Attempt<T>>,
    {
        let modern = request.version.is_modern();
        let channel = match (&request.envelope.replies, &request.envelope.notifier) {
            (Some(replies), Some(out)) if !modern => Some((replies.clone(), out.clone())),
            _ => None,
        };
        let Some((replies, out)) = channel else {
            return match attempt(request).await {
                Attempt::Done(t) => Rounds::Done(t),
                Attempt::Input(input) if modern => Rounds::Respond(input),
                Attempt::Input(_) => Rounds::Failed(
                    "this request needs input from the client (elicitation, sampling or roots), and this transport cannot send requests to the client"
                        .to_owned(),
                ),
            };
        };
        // Only the caller who sent this request may answer its questions.
        let caller = Caller::of(&request.envelope.headers, &request.envelope.extensions);
        let mut request = request;
        for _ in 0..MAX_ROUNDS {
            let input = match attempt(request.clone()).await {
                Attempt::Done(t) => return Rounds::Done(t),
                Attempt::Input(input) => input,
            };
            let mut answers = Map::new();
            for (key, asked) in input.requests {
                let Some(method) = asked.get("method").and_then(Value::as_str) else {
                    return Rounds::Failed(format!("input request {key:?} has no method"));
                };
                let params = asked.get("params").cloned().unwrap_or(Value::Null);
                match replies
                    .ask(
                        &out,
                        caller.clone(),
                        method,
                        &params,
                        self.client_request_timeout,
                    )
                    .await
                {
                    Ok(answer) => {
                        answers.insert(key, answer);
                    }
                    Err(e) => return Rounds::Failed(e),
                }
            }
            request.inputs = Some(answers);
            request.state = input.state;
        }
        Rounds::Failed(format!("gave up after {MAX_ROUNDS} rounds of input"))
    }

    /// The `InputRequiredResult` for `input`, or `-32021` when it asks for a
    /// capability the client did not declare.
    pub(crate) fn input_required_response(
        &self,
        reply: Reply<'_>,
        input: InputRequired,
        binding: &Binding,
        client_capabilities: Option<&ClientCaps>,
    ) -> Response {
        let missing = input.missing_capabilities(client_capabilities.map(ClientCaps::value));
        if !missing.is_empty() {
            return Response::error(
                Some(reply.id),
                ErrorObject::missing_required_client_capability(Value::Object(missing)),
            );
        }
        let request_state = match self
            .sealer
            .seal(input.state.unwrap_or(Value::Null), binding)
        {
            Ok(sealed) => sealed,
            Err(why) => return Response::error(Some(reply.id), ErrorObject::internal(why)),
        };
        let body = InputRequiredBody {
            input_requests: (!input.requests.is_empty()).then_some(&input.requests),
            request_state,
        };
        reply.input_required(&body)
    }
}
