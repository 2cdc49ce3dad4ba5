//! `multi_tenant`: one MCP server for many tenants. A management API, protected by an
//! admin key, creates per-account MCP server URLs that carry a secret token; each URL
//! sees only its account's data and the tools its scope permits, until it expires or
//! is deleted.
//!
//! Run with
//! `MCP_ADMIN_KEY=change-me-now cargo run -p examples --example multi_tenant -- --listen 127.0.0.1:8080`
//! (in-memory tokens, random signing key). The admin key comes from `MCP_ADMIN_KEY` or
//! from a file named by `--admin-key-file` (first line, trimmed); `--admin-key` on the
//! command line is for development only, since any local user can read a process's
//! arguments. For several instances sharing tokens, add
//! `--redis redis://127.0.0.1:6379` and set `MCP_SIGNING_KEY` to 64+ hex digits.
//!
//! The management API checks the admin key before anything else (a layer in front
//! of its routes): an unauthenticated request gets `401` and its body is never read.
//! Keys are compared as SHA-256 digests in constant time, so neither their content
//! nor their length shows in the timing. Everything runs on the SDK's hardened
//! server loop (`mcp_transport::http::serve`: header timeout, connection cap, the
//! client's address for the token layer's failed-authentication throttle). Then:
//!
//! ```text
//! curl -s -X POST http://127.0.0.1:8080/integrated-account/acct_42/mcp \
//!   -H 'Authorization: Bearer change-me-now' -H 'Content-Type: application/json' \
//!   -d '{"name": "CRM read-only", "config": {"methods": ["read"]}, "expires_at": "2030-01-01T00:00:00Z"}'
//! # {"id":"…","name":"CRM read-only","config":{"methods":["read"]},"expires_at":"2030-01-01T00:00:00Z",
//! #  "url":"http://127.0.0.1:8080/mcp/mcp_…"}
//! curl -s -X POST "$URL" -H 'Content-Type: application/json' \
//!   -d '{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}'
//! curl -s -X PATCH http://127.0.0.1:8080/mcp-servers/$ID -H 'Authorization: Bearer change-me-now' \
//!   -H 'Content-Type: application/json' -d '{"expires_at": null}'
//! curl -s -X DELETE http://127.0.0.1:8080/mcp-servers/$ID -H 'Authorization: Bearer change-me-now'
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Path, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use mcp_auth::{
    AuthError, AuthLayer, Clock, MemoryStore, NewToken, RedisStore, SigningKey, SystemClock,
    Timestamp, TokenId, TokenManager, TokenMetadata, TokenStore,
};
use mcp_core::auth::Scope;
use mcp_core::{Context, JsonSchema, Server, Tool, ToolError};
use mcp_transport::http::{McpService, ServeConfig};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Any error `main` reports.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serve a multi-tenant CRM over MCP, with a management API for per-tenant URLs.
#[derive(Parser, Debug)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A file whose first line is the key the management API requires as
    /// `Authorization: Bearer <key>` (or set `MCP_ADMIN_KEY`).
    #[arg(long)]
    pub admin_key_file: Option<PathBuf>,
    /// The admin key itself, for development only: command lines are visible to
    /// every local user. Prefer `MCP_ADMIN_KEY` or `--admin-key-file`.
    #[arg(long)]
    pub admin_key: Option<String>,
    /// Keep tokens in Redis (shared by many instances) instead of in memory.
    #[arg(long)]
    pub redis: Option<String>,
    /// The public base URL of this server (default: `http://<listen address>`).
    #[arg(long)]
    pub public_url: Option<String>,
    /// A reverse proxy (address or CIDR block) whose `X-Forwarded-For` names the
    /// client; repeatable.
    #[arg(long)]
    pub trusted_proxy: Vec<String>,
}

/// How many contacts the fake CRM keeps per account, and how long a name may be:
/// state a client can grow must have a bound, or one tenant's calls grow the
/// process without limit.
pub const MAX_CONTACTS: usize = 100;
/// The longest contact name the fake CRM accepts, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The fake CRM: contacts per account, shared by every request.
#[derive(Default)]
pub struct Crm {
    contacts: Mutex<HashMap<String, Vec<String>>>,
}

/// The account of the token that authorized this request.
fn account(cx: &Context<Crm>) -> Result<String, ToolError> {
    cx.extensions()
        .get::<TokenMetadata>()
        .map(|m| m.account_id.clone())
        .ok_or_else(|| ToolError::new("this server needs a per-account URL"))
}

/// List the contacts of the connected CRM account.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, tags("crm", "contacts"))]
pub struct ListContacts {}

async fn list_contacts(_: ListContacts, cx: Context<Crm>) -> Result<String, ToolError> {
    let account = account(&cx)?;
    let contacts = cx
        .state()
        .contacts
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let list = contacts.get(&account).cloned().unwrap_or_default();
    Ok(json!({ "account": account, "contacts": list }).to_string())
}

/// Add a contact to the connected CRM account.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(class = "write", tags("crm", "contacts"))]
pub struct CreateContact {
    /// The contact's full name.
    pub name: String,
}

async fn create_contact(args: CreateContact, cx: Context<Crm>) -> Result<String, ToolError> {
    let account = account(&cx)?;
    if args.name.chars().count() > MAX_NAME_CHARS {
        return Err(ToolError::new(format!(
            "a contact name has at most {MAX_NAME_CHARS} characters"
        )));
    }
    let mut contacts = cx
        .state()
        .contacts
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let list = contacts.entry(account).or_default();
    if list.len() >= MAX_CONTACTS {
        return Err(ToolError::new(format!(
            "this account already has {MAX_CONTACTS} contacts, the most this CRM keeps"
        )));
    }
    list.push(args.name.clone());
    Ok(format!("created contact {}", args.name))
}

/// Search the support tickets of the connected account.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, tags("support"))]
pub struct SearchTickets {
    /// Words to look for.
    pub query: String,
}

async fn search_tickets(args: SearchTickets, cx: Context<Crm>) -> Result<String, ToolError> {
    let account = account(&cx)?;
    Ok(json!({ "account": account, "query": args.query, "tickets": [] }).to_string())
}

/// The CRM's MCP server.
pub fn crm_server() -> Result<Server, mcp_core::BuildError> {
    Server::builder("crm", env!("CARGO_PKG_VERSION"))
        .state(Crm::default())
        .tool(list_contacts)
        .tool(create_contact)
        .tool(search_tickets)
        .build()
}

/// What the management handlers share.
#[derive(Clone)]
struct Admin {
    tokens: TokenManager,
    public_url: Arc<str>,
}

/// A management API error: the status and `{"error": message}`.
struct ApiError(StatusCode, String);

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(%error, "token store unavailable");
        }
        Self(error.status(), error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// The admin key, kept as its SHA-256 digest: comparing two digests in constant
/// time reveals neither the key's bytes nor its length.
#[derive(Clone)]
struct AdminKey(Arc<[u8; 32]>);

impl AdminKey {
    fn new(key: &str) -> Self {
        Self(Arc::new(Sha256::digest(key.as_bytes()).into()))
    }

    fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&*self.0).into()
    }
}

/// The management API's first step, before any extractor reads the path or the
/// body: `401` unless `Authorization: Bearer <admin key>`.
async fn require_admin(
    State(key): State<AdminKey>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if key.matches(bearer(request.headers())) {
        Ok(next.run(request).await)
    } else {
        Err(ApiError(
            StatusCode::UNAUTHORIZED,
            "admin key required".into(),
        ))
    }
}

/// The credentials of an `Authorization: Bearer` header; empty when there are none.
fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, key)| key.trim())
}

fn view(m: &TokenMetadata) -> Value {
    json!({ "id": m.id, "name": m.name, "account_id": m.account_id, "config": m.scope, "expires_at": m.expires_at })
}

fn token_id(id: &str) -> Result<TokenId, ApiError> {
    id.parse()
        .map_err(|_| ApiError(StatusCode::NOT_FOUND, "no MCP server has this id".into()))
}

/// The body of `POST /integrated-account/{account_id}/mcp`.
#[derive(Deserialize)]
struct CreateServer {
    name: String,
    #[serde(default)]
    config: Scope,
    #[serde(default)]
    expires_at: Option<Timestamp>,
    #[serde(default)]
    environment_id: String,
    #[serde(default)]
    team_id: String,
}

async fn create_server(
    State(admin): State<Admin>,
    Path(account_id): Path<String>,
    Json(body): Json<CreateServer>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let request = NewToken::new(body.name, account_id)
        .scope(body.config)
        .expires_at(body.expires_at)
        .environment_id(body.environment_id)
        .team_id(body.team_id);
    let issued = admin.tokens.create(request).await?;
    let mut answer = view(&issued.metadata);
    let url = format!("{}/mcp/{}", admin.public_url, issued.token.expose_secret());
    answer["url"] = Value::String(url);
    Ok((StatusCode::CREATED, Json(answer)))
}

async fn get_server(
    State(admin): State<Admin>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(view(&admin.tokens.get(&token_id(&id)?).await?)))
}

async fn update_server(
    State(admin): State<Admin>,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let bad = |m: &str| ApiError(StatusCode::BAD_REQUEST, m.to_owned());
    let value = body
        .get("expires_at")
        .ok_or_else(|| bad("expected {\"expires_at\": <date or null>}"))?;
    let expires_at: Option<Timestamp> = serde_json::from_value(value.clone())
        .map_err(|_| bad("expires_at must be an RFC 3339 date-time or null"))?;
    let id = token_id(&id)?;
    Ok(Json(view(&admin.tokens.set_expiry(&id, expires_at).await?)))
}

async fn delete_server(
    State(admin): State<Admin>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin.tokens.revoke(&token_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signing key from `MCP_SIGNING_KEY` (hex); with the in-memory store a random
/// key is generated when it is unset.
fn signing_key(hex: Option<&str>, redis: bool) -> Result<SigningKey, BoxError> {
    match hex {
        Some(hex) => Ok(SigningKey::from_hex("primary", hex)?),
        None if redis => {
            Err("MCP_SIGNING_KEY (hex, at least 32 bytes) is required with --redis".into())
        }
        None => {
            tracing::warn!(
                "MCP_SIGNING_KEY is unset: using a random signing key; tokens die with this process"
            );
            Ok(SigningKey::generate("primary")?)
        }
    }
}

/// What `main` reads from the environment.
#[derive(Default)]
pub struct Env {
    /// `MCP_SIGNING_KEY` (hex).
    pub signing_key: Option<String>,
    /// `MCP_ADMIN_KEY`.
    pub admin_key: Option<String>,
}

impl Env {
    /// The variables of this process (empty ones count as unset).
    pub fn from_process() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Self {
            signing_key: var("MCP_SIGNING_KEY"),
            admin_key: var("MCP_ADMIN_KEY"),
        }
    }
}

/// The admin key from exactly one of `--admin-key-file`, `MCP_ADMIN_KEY` or
/// `--admin-key` (development only: warns).
fn admin_key(args: &Args, env: &Env) -> Result<AdminKey, BoxError> {
    let from_file = match &args.admin_key_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--admin-key-file {}: {e}", path.display()))?;
            Some(text.lines().next().unwrap_or_default().trim().to_owned())
        }
        None => None,
    };
    if args.admin_key.is_some() {
        tracing::warn!(
            "--admin-key puts the admin key on the command line, readable by every local \
             user: use MCP_ADMIN_KEY or --admin-key-file outside development"
        );
    }
    let sources = [from_file, env.admin_key.clone(), args.admin_key.clone()];
    let mut given = sources.into_iter().flatten();
    let key = given
        .next()
        .ok_or("an admin key is required: set MCP_ADMIN_KEY or pass --admin-key-file <path>")?;
    if given.next().is_some() {
        return Err(
            "give the admin key one way only: MCP_ADMIN_KEY, --admin-key-file or --admin-key"
                .into(),
        );
    }
    if key.len() < 8 {
        return Err("the admin key must be at least 8 characters".into());
    }
    Ok(AdminKey::new(&key))
}

/// Builds the app and serves it on `listener` until `shutdown` completes.
///
/// `env` holds `MCP_SIGNING_KEY` and `MCP_ADMIN_KEY`; `clock` decides expiry (tests
/// move it).
pub async fn run(
    args: Args,
    env: Env,
    clock: Arc<dyn Clock>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BoxError> {
    let admin_key = admin_key(&args, &env)?;
    let key = signing_key(env.signing_key.as_deref(), args.redis.is_some())?;
    let store: Arc<dyn TokenStore> = match &args.redis {
        Some(url) => Arc::new(RedisStore::connect(url).await?),
        None => Arc::new(MemoryStore::new()),
    };
    let tokens = TokenManager::builder(store, key).clock(clock).build()?;
    let public_url = match args.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", listener.local_addr()?),
    };
    let mut mcp = McpService::builder(crm_server()?);
    if let Some(host) = public_url
        .parse::<Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_owned))
    {
        mcp = mcp.allowed_hosts([host]);
    }
    // Tokens arrive in the path (`/mcp/<token>`) or as `Authorization: Bearer`. The
    // auth layer runs after the Host/Origin check and before the body is read; it
    // answers 401/429/503 itself and hands the endpoint a request for `/mcp`.
    let mcp = mcp.outer_layer(AuthLayer::new(tokens.clone())).build();
    let mcp_routes = Router::new()
        .route_service("/mcp/{token}", mcp.clone())
        .route_service("/mcp", mcp);
    let admin = Admin {
        tokens,
        public_url: public_url.clone().into(),
    };
    // `route_layer`: the admin check runs before the handlers' extractors, so an
    // unauthenticated request never has its body read or parsed.
    let app = Router::new()
        .route("/integrated-account/{account_id}/mcp", post(create_server))
        .route(
            "/mcp-servers/{id}",
            get(get_server).patch(update_server).delete(delete_server),
        )
        .route_layer(middleware::from_fn_with_state(admin_key, require_admin))
        .with_state(admin)
        .merge(mcp_routes);
    println!("management API and MCP endpoint at {public_url}");
    // Behind a reverse proxy, list it: the client's address then comes from its
    // `X-Forwarded-For`, for the token layer's failed-authentication throttle.
    let config = ServeConfig::default().trusted_proxies(args.trusted_proxy);
    mcp_transport::http::serve(listener, app)
        .config(config)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let env = Env::from_process();
    run(args, env, Arc::new(SystemClock), listener, shutdown).await
}
