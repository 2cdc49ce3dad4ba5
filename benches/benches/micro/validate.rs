//! `validate/*`: arguments of a derived 10-field tool, valid and invalid.

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use mcp_core::transport::Envelope;
use mcp_core::{Context, JsonSchema, Server, Tool};
use serde::Deserialize;

/// Create a contact record.
#[derive(Deserialize, JsonSchema, Tool)]
#[allow(dead_code)]
struct CreateContact {
    /// Given name.
    first_name: String,
    /// Family name.
    last_name: String,
    /// Email address.
    email: String,
    /// Phone number.
    phone: Option<String>,
    /// Employer.
    company: String,
    /// Job title.
    title: Option<String>,
    /// Age in years.
    age: u32,
    /// Lead score.
    score: f64,
    /// Free-form labels.
    tags: Vec<String>,
    /// Subscribed to the newsletter.
    newsletter: bool,
}

async fn create_contact(args: CreateContact, _cx: Context) -> String {
    args.first_name
}

const VALID: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_contact","arguments":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","phone":"+44 20 7946 0000","company":"Analytical Engines","title":"Programmer","age":36,"score":9.5,"tags":["vip","math"],"newsletter":true}}}"#;

/// Three violations: a string for `age`, `email` missing, a string for `tags`.
const INVALID: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_contact","arguments":{"first_name":"Ada","last_name":"Lovelace","phone":"+44 20 7946 0000","company":"Analytical Engines","title":"Programmer","age":"thirty-six","score":9.5,"tags":"vip","newsletter":true}}}"#;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let server = Server::builder("contacts", "1")
        .tool(create_contact)
        .build()
        .unwrap();
    for (name, body, is_error) in [("valid", VALID, false), ("invalid", INVALID, true)] {
        let answer = rt
            .block_on(server.handle_message(body.as_bytes(), Envelope::new()))
            .unwrap()
            .encode();
        let answer = String::from_utf8(answer).unwrap();
        assert_eq!(answer.contains(r#""isError":true"#), is_error, "{answer}");
        c.bench_function(&format!("validate/ten_fields/{name}"), |b| {
            b.to_async(&rt).iter(|| async {
                server
                    .handle_message(black_box(body.as_bytes()), Envelope::new())
                    .await
                    .map(|r| r.encode())
            })
        });
    }
}

criterion_group!(benches, bench);
