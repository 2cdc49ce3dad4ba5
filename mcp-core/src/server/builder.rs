//! [`ServerBuilder`]: identity, state and tools, checked once at [`build`](ServerBuilder::build).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use std::collections::HashMap;
use std::future::Future;

use super::prompts::{CompletionResult, Prompts};
use super::request_state::{Sealing, StateSealer};
use super::resources::Resources;
use super::{Inner, Parts, Server};
use crate::auth::Access;

use crate::registry::{self, Registry, ToolEntry};
use crate::request_state::Redemptions;
use crate::tool::{Handler, erase, erase_fn};
use crate::wire::{
    Completion, CompletionRequest, GetPromptResult, Implementation, Prompt, Resource,
    ResourceContents, ResourceRequest, ResourceTemplate, ToolDefinition,
};
use crate::{Context, IntoToolResult, Tool, ToolError, ToolHandler};

/// Builds a [`Server`]. Registration problems are collected and reported together by
/// [`build`](Self::build).
pub struct ServerBuilder<S = ()> {
    pub(super) info: Implementation,
    pub(super) instructions: Option<String>,
    pub(super) state: Arc<S>,
    pub(super) tools: Vec<ToolEntry>,
    pub(super) resources: Resources,
    pub(super) prompts: Prompts,
    pub(super) completer: Option<Handler<CompletionRequest, CompletionResult>>,
    pub(super) problems: Vec<String>,
    pub(super) page_size: usize,
    pub(super) list_ttl: Duration,
    pub(super) rate_limit_as_result: bool,
    pub(super) sealing: Sealing,
    pub(super) client_request_timeout: Duration,
    pub(super) reserved_expansion: bool,
}

impl ServerBuilder<()> {
    pub(super) fn new(name: &str, version: &str) -> Self {
        Self {
            info: Implementation {
                name: name.to_owned(),
                version: version.to_owned(),
                title: None,
            },
            instructions: None,
            state: Arc::new(()),
            tools: Vec::new(),
            resources: Resources::default(),
            prompts: Prompts::default(),
            completer: None,
            problems: Vec::new(),
            page_size: 100,
            list_ttl: Duration::from_secs(60),
            rate_limit_as_result: false,
            sealing: Sealing::default(),
            client_request_timeout: Duration::from_secs(60),
            reserved_expansion: false,
        }
    }

    /// Sets the shared application state handlers reach through
    /// [`Context::state`](crate::Context::state). Call it before registering tools.
    pub fn state<S: Send + Sync + 'static>(self, state: S) -> ServerBuilder<S> {
        ServerBuilder {
            info: self.info,
            instructions: self.instructions,
            state: Arc::new(state),
            tools: self.tools,
            resources: self.resources,
            prompts: self.prompts,
            completer: self.completer,
            problems: self.problems,
            page_size: self.page_size,
            list_ttl: self.list_ttl,
            rate_limit_as_result: self.rate_limit_as_result,
            sealing: self.sealing,
            client_request_timeout: self.client_request_timeout,
            reserved_expansion: self.reserved_expansion,
        }
    }
}

impl<S: Send + Sync + 'static> ServerBuilder<S> {
    /// A human-readable title for the server.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.info.title = Some(title.into());
        self
    }

    /// Guidance for the model on how to use this server.
    #[must_use]
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// How many tools one `tools/list` page holds (default 100).
    #[must_use]
    pub fn page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// The `ttlMs` freshness hint on modern list results (default 60 s).
    #[must_use]
    pub fn list_ttl(mut self, ttl: Duration) -> Self {
        self.list_ttl = ttl;
        self
    }

    /// Returns rate limits to the model as `isError` results with a retry hint,
    /// instead of passing them through (HTTP `429`, JSON-RPC error `-32010`). For
    /// clients that cannot handle `429`.
    #[must_use]
    pub fn rate_limits_as_tool_results(mut self, enabled: bool) -> Self {
        self.rate_limit_as_result = enabled;
        self
    }

    /// The key that seals multi round-trip `requestState` (at least 32 bytes).
    /// Every instance behind a load balancer must use the same key; without one a
    /// random key is made per process, so a retry must reach the same instance.
    #[must_use]
    pub fn request_state_key(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.sealing.key = Some(key.into());
        self
    }

    /// How long a sealed `requestState` stays valid (default 10 minutes, kept to
    /// the millisecond).
    ///
    /// Whatever the lifetime, a state is bound to the request it was issued for:
    /// the caller ([`Principal`](crate::auth::Principal) digest, or anonymous), the
    /// method, the tool, prompt or resource, and the canonical JSON of the
    /// arguments. A retry that differs in any of them is refused with `-32602`.
    #[must_use]
    pub fn request_state_ttl(mut self, ttl: Duration) -> Self {
        self.sealing.ttl = ttl;
        self
    }

    /// Encrypts `requestState` (XChaCha20-Poly1305 under this 32-byte key) instead
    /// of only signing it, for handlers whose state the client must not read.
    /// Every instance behind a load balancer must use the same key.
    #[must_use]
    pub fn request_state_encryption_key(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.sealing.encryption_key = Some(key.into());
        self
    }

    /// Makes each `requestState` single-use: the first retry that brings it back
    /// redeems it in `record`, any later one is refused (off by default; see
    /// [`MemoryRedemptions`](crate::request_state::MemoryRedemptions)).
    #[must_use]
    pub fn request_state_redemptions(mut self, record: impl Redemptions) -> Self {
        self.sealing.redemptions = Some(Arc::new(record));
        self
    }

    /// How long the server waits for a legacy client to answer a request it sent
    /// (elicitation, sampling, roots) before the call fails (default 60 s).
    #[must_use]
    pub fn client_request_timeout(mut self, timeout: Duration) -> Self {
        self.client_request_timeout = timeout;
        self
    }

    /// Registers a tool: its argument type `T` (see [`Tool`]) and the handler that
    /// runs it, `async fn(T, Context<S>) -> impl IntoToolResult`.
    #[must_use]
    pub fn tool<T: Tool, H: ToolHandler<T, S>>(mut self, handler: H) -> Self {
        let annotations = T::annotations();
        let icons = T::icons();
        let definition = ToolDefinition {
            name: T::NAME.to_owned(),
            title: T::TITLE.map(str::to_owned),
            description: Some(T::DESCRIPTION.to_owned()),
            input_schema: T::input_schema(),
            output_schema: <H::Output as IntoToolResult>::output_schema(),
            annotations: (!annotations.is_empty()).then_some(annotations),
            icons: (!icons.is_empty()).then_some(icons),
            meta: None,
        };
        if self.tools.iter().any(|t| t.name == T::NAME) {
            self.problems.push(format!(
                "tool name {:?} is registered twice; tool names must be unique",
                T::NAME
            ));
            return self;
        }
        let tags = T::TAGS.iter().map(|t| (*t).to_owned()).collect();
        let handler = erase::<T, S, H>(handler, Arc::clone(&self.state));
        match registry::entry(definition, T::CLASS, tags, handler) {
            Ok(entry) => self.tools.push(entry),
            Err(mut problems) => self.problems.append(&mut problems),
        }
        self
    }

    /// Registers a resource with a fixed URI and the handler that reads it:
    /// `async fn(ResourceRequest, Context<S>) -> Result<Vec<ResourceContents>, ToolError>`.
    /// Return [`ToolError::not_found`] (or no contents) for a missing resource; the
    /// client gets the not-found error of its protocol era.
    #[must_use]
    pub fn resource<F, Fut>(self, resource: Resource, handler: F) -> Self
    where
        F: Fn(ResourceRequest, Context<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<ResourceContents>, ToolError>> + Send + 'static,
    {
        self.add_readable(Readable::Fixed(resource), None, handler)
    }

    /// [`resource`](Self::resource) visible only to scopes that permit `access`
    /// (others get the answer for a resource that does not exist). Its reads are
    /// never marked publicly cacheable.
    #[must_use]
    pub fn resource_with_access<F, Fut>(
        self,
        resource: Resource,
        access: Access,
        handler: F,
    ) -> Self
    where
        F: Fn(ResourceRequest, Context<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<ResourceContents>, ToolError>> + Send + 'static,
    {
        self.add_readable(Readable::Fixed(resource), Some(access), handler)
    }

    fn add_readable<F, Fut>(mut self, what: Readable, access: Option<Access>, handler: F) -> Self
    where
        F: Fn(ResourceRequest, Context<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<ResourceContents>, ToolError>> + Send + 'static,
    {
        let handler = erase_fn(handler, Arc::clone(&self.state));
        let added = match what {
            Readable::Fixed(resource) => self.resources.add_fixed(resource, access, handler),
            Readable::Template(template) => self.resources.add_template(template, access, handler),
        };
        if let Err(e) = added {
            self.problems.push(e);
        }
        self
    }

    /// Registers a resource template (RFC 6570 level 1, e.g. `crm://contacts/{id}`)
    /// and the handler that reads its resources; `ResourceRequest::variables` holds
    /// the matched variables.
    #[must_use]
    pub fn resource_template<F, Fut>(self, template: ResourceTemplate, handler: F) -> Self
    where
        F: Fn(ResourceRequest, Context<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<ResourceContents>, ToolError>> + Send + 'static,
    {
        self.add_readable(Readable::Template(template), None, handler)
    }

    /// [`resource_template`](Self::resource_template) visible only to scopes that
    /// permit `access`: its listing, reads, completion and subscriptions.
    #[must_use]
    pub fn resource_template_with_access<F, Fut>(
        self,
        template: ResourceTemplate,
        access: Access,
        handler: F,
    ) -> Self
    where
        F: Fn(ResourceRequest, Context<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<ResourceContents>, ToolError>> + Send + 'static,
    {
        self.add_readable(Readable::Template(template), Some(access), handler)
    }

    /// Allows reserved expansion (`{+path}`) in resource templates: such a
    /// variable's value may span `/` (`file:///{+path}` matches `file:///src/a.rs`
    /// with `path = "src/a.rs"`), though never `?`, `#`, `\\`, NUL or a `.` or `..`
    /// segment, decoded or not. Off by default: a template using it is then a
    /// build error, and every variable stops at `/`.
    #[must_use]
    pub fn reserved_template_expansion(mut self, allowed: bool) -> Self {
        self.reserved_expansion = allowed;
        self
    }

    /// Registers a prompt and the handler that renders it from its arguments:
    /// `async fn(HashMap<String, String>, Context<S>) -> Result<GetPromptResult, ToolError>`.
    /// Required arguments are checked before the handler runs.
    #[must_use]
    pub fn prompt<F, Fut>(self, prompt: Prompt, handler: F) -> Self
    where
        F: Fn(HashMap<String, String>, Context<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<GetPromptResult, ToolError>> + Send + 'static,
    {
        self.add_prompt(prompt, None, handler)
    }

    /// [`prompt`](Self::prompt) visible only to scopes that permit `access`: its
    /// listing, `prompts/get` and completion.
    #[must_use]
    pub fn prompt_with_access<F, Fut>(self, prompt: Prompt, access: Access, handler: F) -> Self
    where
        F: Fn(HashMap<String, String>, Context<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<GetPromptResult, ToolError>> + Send + 'static,
    {
        self.add_prompt(prompt, Some(access), handler)
    }

    fn add_prompt<F, Fut>(mut self, prompt: Prompt, access: Option<Access>, handler: F) -> Self
    where
        F: Fn(HashMap<String, String>, Context<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<GetPromptResult, ToolError>> + Send + 'static,
    {
        let handler = erase_fn(handler, Arc::clone(&self.state));
        if let Err(e) = self.prompts.add(prompt, access, handler) {
            self.problems.push(e);
        }
        self
    }

    /// Sets the handler of `completion/complete` (prompt arguments and resource
    /// template variables) and declares the `completions` capability.
    #[must_use]
    pub fn completion<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(CompletionRequest, Context<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Completion, ToolError>> + Send + 'static,
    {
        self.completer = Some(erase_fn(handler, Arc::clone(&self.state)));
        self
    }

    /// Checks every registration and builds the server.
    ///
    /// # Errors
    /// Lists every problem found: invalid or duplicate tool names, empty
    /// descriptions, schemas whose root is not an object or that do not compile.
    pub fn build(mut self) -> Result<Server, BuildError> {
        let key = match self.sealing.key.take() {
            Some(key) => key,
            None => {
                let mut key = vec![0u8; 32];
                if let Err(e) = getrandom::fill(&mut key) {
                    self.problems
                        .push(format!("no OS randomness for a request-state key: {e}"));
                }
                key
            }
        };
        if !self.reserved_expansion {
            for template in self.resources.reserved_templates() {
                self.problems.push(format!(
                    "resource template {template:?} uses reserved expansion ({{+name}}), whose values may span '/': opt in with ServerBuilder::reserved_template_expansion(true)"
                ));
            }
        }
        let sealer = StateSealer::new(&key, &self.sealing);
        if let Err(e) = &sealer {
            self.problems.push(e.clone());
        }
        if !self.problems.is_empty() {
            return Err(BuildError {
                problems: self.problems,
            });
        }
        Ok(Server {
            inner: Arc::new(Inner::new(Parts {
                info: self.info,
                instructions: self.instructions,
                registry: Registry::new(self.tools),
                resources: self.resources,
                prompts: self.prompts,
                completer: self.completer,
                page_size: self.page_size,
                list_ttl: self.list_ttl,
                rate_limit_as_result: self.rate_limit_as_result,
                sealer: sealer.map_err(|e| BuildError { problems: vec![e] })?,
                client_request_timeout: self.client_request_timeout,
            })),
        })
    }
}

/// A resource or a resource template, on its way to the registry.
enum Readable {
    Fixed(Resource),
    Template(ResourceTemplate),
}

/// The server's configuration is invalid; every problem found is listed.
#[derive(Debug, Clone)]
pub struct BuildError {
    problems: Vec<String>,
}

impl BuildError {
    /// Each problem, in registration order.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid MCP server configuration: ")?;
        f.write_str(&self.problems.join("; "))
    }
}

impl std::error::Error for BuildError {}
