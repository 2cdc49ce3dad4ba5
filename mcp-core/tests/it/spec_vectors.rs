//! Every example message of the 2026-07-28 spec that belongs to a type we model
//! deserializes into that type and serializes back to equal JSON.

use std::path::{Path, PathBuf};

use mcp_core::jsonrpc::{ErrorObject, Message, RequestId, Response};
use mcp_core::wire::{ResourceContents, ToolDefinition};
use mcp_core::{CallToolResult, Content};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec/2026-07-28/examples")
}

fn round_trip<T: DeserializeOwned + Serialize>(json: &Value) -> Value {
    let typed: T = serde_json::from_value(json.clone()).unwrap();
    serde_json::to_value(&typed).unwrap()
}

/// Our model types leave `resultType` to the era-aware encoder; compare without it.
fn without_result_type(json: &Value) -> Value {
    let mut json = json.clone();
    if let Some(obj) = json.as_object_mut()
        && let Some(rt) = obj.remove("resultType")
    {
        assert_eq!(rt, "complete");
    }
    json
}

fn message_round_trip(json: &Value) -> Value {
    let bytes = serde_json::to_vec(json).unwrap();
    let encoded = match Message::decode(&bytes).unwrap() {
        Message::Request(r) => r.encode(),
        Message::Notification(n) => n.encode(),
        Message::Response(r) => match r.outcome() {
            Ok(result) => Response::result(r.id().clone(), result.to_owned()).encode(),
            Err(error) => {
                let e: ErrorObject = serde_json::from_str(error.get()).unwrap();
                Response::error(Some(r.id().clone()), e).encode()
            }
        },
    };
    serde_json::from_slice(&encoded).unwrap()
}

fn error_round_trip(json: &Value) -> Value {
    if json.get("code").is_some() {
        return round_trip::<ErrorObject>(json);
    }
    let id: Option<RequestId> = serde_json::from_value(json["id"].clone()).ok();
    let e: ErrorObject = serde_json::from_value(json["error"].clone()).unwrap();
    serde_json::from_slice(&Response::error(id, e).encode()).unwrap()
}

#[test]
fn modelled_examples_round_trip() {
    let mut checked = 0;
    let mut types = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let ty = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let check: fn(&Value) -> (Value, Value) = match ty.as_str() {
            "Tool" => |j| (j.clone(), round_trip::<ToolDefinition>(j)),
            "CallToolResult" => |j| {
                (
                    without_result_type(j),
                    round_trip::<CallToolResult>(&without_result_type(j)),
                )
            },
            "TextContent" | "ImageContent" | "AudioContent" | "EmbeddedResource"
            | "ResourceLink" => |j| (j.clone(), round_trip::<Content>(j)),
            "TextResourceContents" | "BlobResourceContents" => {
                |j| (j.clone(), round_trip::<ResourceContents>(j))
            }
            "CallToolRequest"
            | "ListToolsRequest"
            | "DiscoverRequest"
            | "CancelledNotification"
            | "ProgressNotification"
            | "LoggingMessageNotification"
            | "ToolListChangedNotification"
            | "CallToolResultResponse"
            | "ListToolsResultResponse"
            | "DiscoverResultResponse" => |j| (j.clone(), message_round_trip(j)),
            "ParseError"
            | "InvalidParamsError"
            | "MethodNotFoundError"
            | "InternalError"
            | "HeaderMismatchError"
            | "MissingRequiredClientCapabilityError"
            | "UnsupportedProtocolVersionError" => |j| (j.clone(), error_round_trip(j)),
            _ => continue,
        };
        types += 1;
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let (expected, actual) = check(&json);
            assert_eq!(expected, actual, "{}", path.display());
            checked += 1;
        }
    }
    assert!(types >= 25, "only {types} example types are modelled");
    assert!(checked >= 35, "only {checked} examples checked");
}

#[test]
fn tool_result_content_round_trips_inside_results() {
    let dir = examples_dir().join("CallToolResultResponse");
    for file in std::fs::read_dir(dir).unwrap() {
        let json: Value =
            serde_json::from_slice(&std::fs::read(file.unwrap().path()).unwrap()).unwrap();
        let result = without_result_type(&json["result"]);
        assert_eq!(round_trip::<CallToolResult>(&result), result);
    }
}
