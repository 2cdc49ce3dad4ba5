//! `resources/list`, `resources/templates/list`, `resources/read`, and legacy
//! `resources/subscribe`/`unsubscribe`.

use serde::Serialize;
use serde_json::json;
use serde_json::value::RawValue;
use std::collections::HashMap;

use super::Inner;
use super::binding::Binder;
use super::paging::fingerprint;
use super::prompts::guarded;
use super::respond::Reply;
use super::rounds::Rounds;
use crate::ToolError;
use crate::auth::{Access, Scope, visible};
use crate::jsonrpc::{ErrorObject, Response};
use crate::tool::Handler;
use crate::tool::context::RequestInfo;
use crate::uri_template::UriTemplate;
use crate::wire::{ClientCaps, Resource, ResourceContents, ResourceRequest, ResourceTemplate};

/// What a resource handler returns.
pub(crate) type ReadResult = Result<Vec<ResourceContents>, ToolError>;

pub(crate) struct FixedEntry {
    encoded: Box<RawValue>,
    access: Option<Access>,
    handler: Handler<ResourceRequest, ReadResult>,
}

pub(crate) struct TemplateEntry {
    pub(crate) template: ResourceTemplate,
    parsed: UriTemplate,
    encoded: Box<RawValue>,
    access: Option<Access>,
    handler: Handler<ResourceRequest, ReadResult>,
}

/// A resource found for a URI the caller may see.
pub(crate) struct Found<'a> {
    handler: &'a Handler<ResourceRequest, ReadResult>,
    request: ResourceRequest,
    /// Registered with an access descriptor: never publicly cacheable.
    restricted: bool,
}

#[derive(Default)]
pub(crate) struct Resources {
    fixed: Vec<FixedEntry>,
    by_uri: HashMap<String, usize>,
    templates: Vec<TemplateEntry>,
    fixed_fp: [u8; 32],
    templates_fp: [u8; 32],
}

impl Resources {
    pub(crate) fn add_fixed(
        &mut self,
        resource: Resource,
        access: Option<Access>,
        handler: Handler<ResourceRequest, ReadResult>,
    ) -> Result<(), String> {
        if self.by_uri.contains_key(&resource.uri) {
            return Err(format!("resource {:?} is registered twice", resource.uri));
        }
        let encoded = serde_json::value::to_raw_value(&resource).map_err(|e| e.to_string())?;
        self.by_uri.insert(resource.uri.clone(), self.fixed.len());
        self.fixed.push(FixedEntry {
            encoded,
            access,
            handler,
        });
        self.fixed_fp = fingerprint("resources", self.fixed.iter().map(|e| &*e.encoded));
        Ok(())
    }

    pub(crate) fn add_template(
        &mut self,
        template: ResourceTemplate,
        access: Option<Access>,
        handler: Handler<ResourceRequest, ReadResult>,
    ) -> Result<(), String> {
        let parsed = UriTemplate::parse(&template.uri_template)?;
        if self
            .templates
            .iter()
            .any(|t| t.template.uri_template == template.uri_template)
        {
            return Err(format!(
                "resource template {:?} is registered twice",
                template.uri_template
            ));
        }
        let encoded = serde_json::value::to_raw_value(&template).map_err(|e| e.to_string())?;
        self.templates.push(TemplateEntry {
            template,
            parsed,
            encoded,
            access,
            handler,
        });
        self.templates_fp = fingerprint("templates", self.templates.iter().map(|e| &*e.encoded));
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.fixed.is_empty() && self.templates.is_empty()
    }

    /// The templates that use reserved expansion (`{+name}`).
    pub(crate) fn reserved_templates(&self) -> Vec<String> {
        self.templates
            .iter()
            .filter(|t| t.parsed.has_reserved())
            .map(|t| t.template.uri_template.clone())
            .collect()
    }

    /// The handler for `uri` and the request to give it, among the resources and
    /// templates `scope` permits (the others are as if not registered).
    pub(crate) fn resolve(&self, uri: &str, scope: Option<&Scope>) -> Option<Found<'_>> {
        if let Some(&i) = self.by_uri.get(uri) {
            let entry = &self.fixed[i];
            if visible(entry.access.as_ref(), scope) {
                return Some(Found {
                    handler: &entry.handler,
                    request: ResourceRequest {
                        uri: uri.to_owned(),
                        variables: HashMap::new(),
                    },
                    restricted: entry.access.is_some(),
                });
            }
        }
        self.templates
            .iter()
            .filter(|t| visible(t.access.as_ref(), scope))
            .find_map(|t| {
                t.parsed.matches(uri).map(|variables| Found {
                    handler: &t.handler,
                    request: ResourceRequest {
                        uri: uri.to_owned(),
                        variables,
                    },
                    restricted: t.access.is_some(),
                })
            })
    }

    /// Whether `uri` names a resource or template (by its URI template) that
    /// `scope` permits: what completion may talk about.
    pub(crate) fn has_template_or_resource(&self, uri: &str, scope: Option<&Scope>) -> bool {
        let fixed = self
            .by_uri
            .get(uri)
            .is_some_and(|&i| visible(self.fixed[i].access.as_ref(), scope));
        fixed
            || self
                .templates
                .iter()
                .any(|t| t.template.uri_template == uri && visible(t.access.as_ref(), scope))
    }
}

#[derive(Serialize)]
struct ReadResourceResult<'a> {
    contents: &'a [ResourceContents],
}

/// The not-found error of the request's era: `-32602` with `data.uri` on modern
/// requests, `-32002` on legacy ones.
pub(crate) fn not_found(uri: &str, modern: bool) -> ErrorObject {
    let code = if modern {
        ErrorObject::INVALID_PARAMS
    } else {
        ErrorObject::RESOURCE_NOT_FOUND
    };
    ErrorObject::new(code, format!("Resource not found: {uri}")).with_data(json!({ "uri": uri }))
}

impl Inner {
    pub(crate) fn list_resources(
        &self,
        reply: Reply<'_>,
        cursor: Option<&str>,
        scope: Option<&Scope>,
    ) -> Response {
        let r = &self.resources;
        let items = r
            .fixed
            .iter()
            .filter(|e| visible(e.access.as_ref(), scope))
            .map(|e| &*e.encoded);
        self.list_page(reply, "resources", items, cursor, &r.fixed_fp)
    }

    pub(crate) fn list_templates(
        &self,
        reply: Reply<'_>,
        cursor: Option<&str>,
        scope: Option<&Scope>,
    ) -> Response {
        let r = &self.resources;
        let items = r
            .templates
            .iter()
            .filter(|e| visible(e.access.as_ref(), scope))
            .map(|e| &*e.encoded);
        self.list_page(reply, "resourceTemplates", items, cursor, &r.templates_fp)
    }

    pub(crate) async fn read_resource(
        &self,
        reply: Reply<'_>,
        uri: &str,
        scope: Option<&Scope>,
        request: RequestInfo,
        binder: Binder<'_>,
        client_capabilities: Option<&ClientCaps>,
    ) -> Response {
        let modern = reply.version.is_modern();
        let Some(found) = self.resources.resolve(uri, scope) else {
            return Response::error(Some(reply.id), not_found(uri, modern));
        };
        let Found {
            handler,
            request: resource_request,
            restricted,
        } = found;
        // A read is publicly cacheable only for an anonymous, unscoped caller of a
        // resource registered without an access descriptor.
        let mut reply = reply;
        reply.private |= restricted;
        let rounds = self
            .rounds(request, |request| {
                guarded(handler(resource_request.clone(), request), "resource", uri)
            })
            .await;
        match rounds {
            Rounds::Done(Ok(contents)) if contents.is_empty() => {
                Response::error(Some(reply.id), not_found(uri, modern))
            }
            Rounds::Done(Ok(contents)) => reply.cacheable(&ReadResourceResult {
                contents: &contents,
            }),
            Rounds::Done(Err(e)) if e.is_not_found() => {
                Response::error(Some(reply.id), not_found(uri, modern))
            }
            Rounds::Done(Err(e)) => e.into_response(reply.id),
            Rounds::Respond(input) => {
                let binding = binder.bind(uri, None);
                self.input_required_response(reply, input, &binding, client_capabilities)
            }
            Rounds::Failed(why) => Response::error(Some(reply.id), ErrorObject::internal(why)),
        }
    }

    /// Legacy `resources/subscribe` and `unsubscribe`: accepted for known URIs. A
    /// stateless server keeps no subscription; updates reach clients through
    /// `subscriptions/listen` (modern) instead.
    pub(crate) fn subscribe(&self, reply: Reply<'_>, uri: &str, scope: Option<&Scope>) -> Response {
        if self.resources.resolve(uri, scope).is_none() {
            return Response::error(Some(reply.id), not_found(uri, false));
        }
        reply.complete(&serde_json::Map::new())
    }
}
