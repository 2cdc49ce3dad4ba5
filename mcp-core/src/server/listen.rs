//! `subscriptions/listen`: one long-lived response stream of the change
//! notifications a modern client opted into.

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::Inner;
use super::call::ListenFilter;
use super::respond::Reply;
use crate::ListKind;
use crate::auth::Scope;
use crate::jsonrpc::encode_notification;
use crate::jsonrpc::{ErrorObject, Response};
use crate::list_changes::Change;
use crate::transport::Envelope;

impl ListenFilter {
    fn wants(&self, change: &Change) -> bool {
        match change {
            Change::List(ListKind::Tools) => self.tools_list_changed,
            Change::List(ListKind::Prompts) => self.prompts_list_changed,
            Change::List(ListKind::Resources) => self.resources_list_changed,
            Change::ResourceUpdated(uri) => {
                self.resource_subscriptions.iter().any(|s| **s == **uri)
            }
        }
    }
}

impl Inner {
    /// Acknowledges, then forwards matching changes until the transport drops this
    /// future (the client went away). Registration happens before the
    /// acknowledgement is sent, so no change after it is missed.
    pub(crate) async fn listen(
        &self,
        reply: Reply<'_>,
        mut filter: ListenFilter,
        scope: Option<&Scope>,
        envelope: &Envelope,
    ) -> Response {
        // Subscriptions only to resources the caller may read: the others (hidden
        // or unknown alike) are dropped, and the acknowledgement shows which stay.
        filter
            .resource_subscriptions
            .retain(|uri| self.resources.resolve(uri, scope).is_some());
        let Some(out) = &envelope.notifier else {
            return Response::error(
                Some(reply.id),
                ErrorObject::internal("subscriptions/listen needs a transport that can stream"),
            );
        };
        let mut changes = self.changes.subscribe();
        let tag = json!({ "io.modelcontextprotocol/subscriptionId": reply.id });
        out.send(encode_notification(
            "notifications/subscriptions/acknowledged",
            &json!({ "_meta": tag, "notifications": filter }),
        ))
        .await;
        loop {
            match changes.recv().await {
                Ok(change) if filter.wants(&change) => {
                    let (method, params) = match &change {
                        Change::List(kind) => (kind.method(), json!({ "_meta": tag })),
                        Change::ResourceUpdated(uri) => (
                            "notifications/resources/updated",
                            json!({ "uri": &**uri, "_meta": tag }),
                        ),
                    };
                    out.send(encode_notification(method, &params)).await;
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "a listen stream fell behind; changes were dropped");
                }
                Err(RecvError::Closed) => break,
            }
        }
        // Only reached if the server itself goes away: end the subscription.
        reply.complete(&serde_json::Map::<String, Value>::new())
    }
}
