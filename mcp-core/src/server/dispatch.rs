//! Running a prepared [`Call`]: era checks, the request context, and the method.

use std::sync::Arc;

use super::binding::{Binder, Binding};
use super::call::CallKind;
use super::paging::cursor_binding;
use super::respond::Reply;
use super::{Call, Server};
use crate::auth::Principal;
use crate::jsonrpc::{ErrorObject, Response};
use crate::tool::context::RequestInfo;
use crate::transport::Envelope;
use crate::wire::ClientCaps;
use crate::wire::{LogLevel, ProtocolVersion};

impl Server {
    pub(super) async fn run_inner(&self, call: Call, envelope: Envelope) -> Response {
        let inner = &*self.inner;
        let declared = match call.check_meta() {
            Ok(version) => version,
            Err(e) => return Response::error(Some(call.id), e),
        };
        let Call {
            id,
            method,
            kind,
            meta,
            retry,
        } = call;
        let modern = declared.is_some_and(ProtocolVersion::is_modern);
        let version = declared
            .or(envelope.legacy_version)
            .unwrap_or(ProtocolVersion::V2025_03_26);
        let envelope = Arc::new(envelope);
        let scope = crate::auth::scope_of(&envelope.extensions);
        let principal = Principal::of(&envelope.extensions);
        let reply = Reply {
            id: id.clone(),
            version,
            meta: &inner.meta,
            ttl_ms: inner.list_ttl_ms,
            // What a caller with an identity or a scope is answered is theirs.
            private: scope.is_some() || principal.is_some(),
            cursor_binding: cursor_binding(principal, scope),
        };
        let binder = Binder {
            caller: principal,
            method: &method,
        };
        // A retried multi round-trip request: its state must be intact, ours, and
        // issued to this caller for this very request.
        let state = match (&retry.request_state, kind.binding(&binder)) {
            (Some(sealed), Some(binding)) if modern => {
                match inner.sealer.open(sealed, &binding).await {
                    Ok(state) => Some(state),
                    Err(why) => {
                        return Response::error(
                            Some(reply.id),
                            ErrorObject::invalid_params(format_args!(
                                "invalid requestState: {why}"
                            )),
                        );
                    }
                }
            }
            _ => None,
        };
        let log_level = if modern {
            meta.log_level
        } else {
            // Stateless HTTP cannot remember `logging/setLevel`: legacy requests
            // without a level set by the transport get info and above.
            envelope.legacy_log_level.or(Some(LogLevel::Info))
        };
        let client_capabilities = meta
            .client_capabilities
            .map(|raw| Arc::new(ClientCaps::new(raw)));
        let request = RequestInfo {
            id,
            version,
            client_capabilities: client_capabilities.clone(),
            progress_token: meta.progress_token,
            log_level,
            envelope: Arc::clone(&envelope),
            inputs: retry.input_responses,
            state,
            changes: inner.changes.clone(),
        };
        let caps = client_capabilities.as_deref();
        match kind {
            CallKind::Initialize(params) => inner.initialize(reply, &params),
            CallKind::Ping => super::Inner::ping(reply),
            CallKind::SetLevel(_) => reply.complete(&serde_json::Map::new()),
            CallKind::Discover => inner.discover(reply),
            CallKind::ListTools { cursor } => inner.list_tools(reply, cursor.as_deref(), scope),
            CallKind::CallTool { name, arguments } => {
                inner
                    .call_tool(reply, &name, arguments, scope, request, binder, caps)
                    .await
            }
            CallKind::ListResources { cursor } => {
                inner.list_resources(reply, cursor.as_deref(), scope)
            }
            CallKind::ListTemplates { cursor } => {
                inner.list_templates(reply, cursor.as_deref(), scope)
            }
            CallKind::ReadResource { uri } => {
                inner
                    .read_resource(reply, &uri, scope, request, binder, caps)
                    .await
            }
            CallKind::Subscribe { uri } => inner.subscribe(reply, &uri, scope),
            CallKind::ListPrompts { cursor } => inner.list_prompts(reply, cursor.as_deref(), scope),
            CallKind::GetPrompt { name, arguments } => {
                inner
                    .get_prompt(reply, &name, arguments, scope, request, binder, caps)
                    .await
            }
            CallKind::Complete(completion) => {
                inner.complete(reply, completion, scope, request).await
            }
            CallKind::Listen(filter) => inner.listen(reply, filter, scope, &envelope).await,
        }
    }
}

impl CallKind {
    /// What a multi round-trip state of this request is bound to, for the
    /// methods that may ask for input (the handlers seal with the same binding).
    fn binding(&self, binder: &Binder<'_>) -> Option<Binding> {
        match self {
            Self::CallTool { name, arguments } => Some(binder.bind(name, arguments.as_ref())),
            Self::GetPrompt { name, arguments } => Some(binder.bind_map(name, arguments.as_ref())),
            Self::ReadResource { uri } => Some(binder.bind(uri, None)),
            _ => None,
        }
    }
}
