//! `bare_http`: the baseline. A bare hyper (HTTP/1.1) + serde_json server that parses
//! each POST body as JSON and answers a fixed `tools/call` result carrying the
//! request's id: what any HTTP JSON-RPC server must at least do.
//!
//! Run with `cargo run -p benches --release --bin bare_http -- --listen 127.0.0.1:0`;
//! it prints `MCP endpoint: <url>` and stops on Ctrl-C.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// Serve the fixed answer.
#[derive(Parser)]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
}

async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let id = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(mut message)) => message.remove("id").unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let json = format!(
        r#"{{"jsonrpc":"2.0","id":{id},"result":{{"content":[{{"type":"text","text":"hello"}}],"isError":false}}}}"#
    );
    let mut response = Response::new(Full::new(Bytes::from(json)));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("MCP endpoint: http://{}/mcp", listener.local_addr()?);
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
    Ok(())
}
