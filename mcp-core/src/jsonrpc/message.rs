//! Strict decoding of one incoming JSON-RPC message.
//!
//! The envelope is read in one pass by a hand-written visitor: `method` and `id`
//! decide the kind of message, and `params` stays raw JSON until the method's own
//! parameter type reads it. Nothing is tried and thrown away (no `untagged` enums).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{ErrorObject, RequestId, Response};

/// One decoded incoming JSON-RPC message.
#[derive(Debug)]
pub enum Message {
    /// A request: it has an id and expects exactly one response.
    Request(Request),
    /// A notification: no id, no response.
    Notification(Notification),
    /// A response sent by the client (to a server-to-client request).
    Response(ClientResponse),
}

/// A JSON-RPC request.
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) id: RequestId,
    pub(crate) method: String,
    pub(crate) params: Option<Box<RawValue>>,
}

impl Request {
    /// Builds a request; `params` must be a JSON object or absent.
    ///
    /// # Errors
    /// Fails when `params` is not a JSON object.
    pub fn new(
        id: impl Into<RequestId>,
        method: impl Into<String>,
        params: Option<&serde_json::Value>,
    ) -> Result<Self, ErrorObject> {
        let params = match params {
            None => None,
            Some(p) if p.is_object() => {
                Some(serde_json::value::to_raw_value(p).map_err(ErrorObject::internal)?)
            }
            Some(_) => return Err(ErrorObject::invalid_request("params must be an object")),
        };
        Ok(Self {
            id: id.into(),
            method: method.into(),
            params,
        })
    }

    /// The request id.
    pub fn id(&self) -> &RequestId {
        &self.id
    }

    /// The method name.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The raw `params` object, if present.
    pub fn params(&self) -> Option<&RawValue> {
        self.params.as_deref()
    }

    /// Encodes the request as one line of JSON (no trailing newline).
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(&Outgoing {
            jsonrpc: "2.0",
            id: Some(&self.id),
            method: &self.method,
            params: self.params.as_deref(),
        })
        .unwrap_or_default()
    }
}

#[derive(serde::Serialize)]
struct Outgoing<'a> {
    jsonrpc: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a RequestId>,
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a RawValue>,
}

/// A JSON-RPC notification.
#[derive(Debug, Clone)]
pub struct Notification {
    pub(crate) method: String,
    pub(crate) params: Option<Box<RawValue>>,
}

impl Notification {
    /// Builds a notification; `params` must be a JSON object or absent.
    ///
    /// # Errors
    /// Fails when `params` is not a JSON object.
    pub fn new(
        method: impl Into<String>,
        params: Option<&serde_json::Value>,
    ) -> Result<Self, ErrorObject> {
        let Request { method, params, .. } = Request::new(0, method, params)?;
        Ok(Self { method, params })
    }

    /// Encodes the notification as one line of JSON (no trailing newline).
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(&Outgoing {
            jsonrpc: "2.0",
            id: None,
            method: &self.method,
            params: self.params.as_deref(),
        })
        .unwrap_or_default()
    }

    /// The method name.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The raw `params` object, if present.
    pub fn params(&self) -> Option<&RawValue> {
        self.params.as_deref()
    }
}

/// A response the client sent to a server-to-client request.
#[derive(Debug, Clone)]
pub struct ClientResponse {
    pub(crate) id: RequestId,
    pub(crate) outcome: Result<Box<RawValue>, Box<RawValue>>,
}

impl ClientResponse {
    /// The id of the server request this answers.
    pub fn id(&self) -> &RequestId {
        &self.id
    }

    /// The raw `result` (`Ok`) or `error` (`Err`) member.
    pub fn outcome(&self) -> Result<&RawValue, &RawValue> {
        match &self.outcome {
            Ok(r) => Ok(r),
            Err(e) => Err(e),
        }
    }
}

impl Message {
    /// Decodes one message from bytes (one stdio line or one HTTP body).
    ///
    /// # Errors
    /// Returns the error response to send back: `-32700` when the bytes are not JSON,
    /// `-32600` when they are JSON but not a valid JSON-RPC 2.0 message (batches
    /// included: MCP removed batching), echoing the id when it could be read.
    pub fn decode(bytes: &[u8]) -> Result<Message, Response> {
        if nesting_exceeds(bytes, MAX_JSON_DEPTH) {
            return Err(Response::error(
                None,
                ErrorObject::parse_error(format_args!(
                    "nesting deeper than {MAX_JSON_DEPTH} levels"
                )),
            ));
        }
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let parsed = de
            .deserialize_any(EnvelopeVisitor)
            .and_then(|envelope| de.end().map(|()| envelope));
        match parsed {
            Ok(envelope) => envelope.into_message().map_err(|e| {
                let id = envelope_id_for_error(bytes);
                Response::error(id, e)
            }),
            Err(e) if e.is_data() => Err(Response::error(
                envelope_id_for_error(bytes),
                ErrorObject::invalid_request(e),
            )),
            Err(e) => Err(Response::error(None, ErrorObject::parse_error(e))),
        }
    }
}

/// The deepest nesting of arrays and objects accepted anywhere in a message, and
/// in any other JSON the SDK parses from outside (upstream bodies in `mcp-errors`).
pub const MAX_JSON_DEPTH: usize = 128;

/// Whether `bytes` nest arrays/objects deeper than `max` (strings are skipped, so
/// brackets inside them do not count). Linear, without recursion or allocation:
/// run it before handing untrusted JSON to a parser that recurses. Raw `params`
/// are not parsed until a method reads them, so [`Message::decode`] enforces the
/// limit here, once, for the whole message.
///
/// ```
/// assert!(!mcp_core::jsonrpc::nesting_exceeds(br#"{"a": [1, "[[["]}"#, 2));
/// assert!(mcp_core::jsonrpc::nesting_exceeds(b"[[[1]]]", 2));
/// ```
pub fn nesting_exceeds(bytes: &[u8], max: usize) -> bool {
    // Fast path: nesting deeper than `max` needs more than `max` opening brackets,
    // and counting them is a loop the compiler vectorizes.
    let openings = bytes.iter().filter(|&&b| b == b'[' || b == b'{').count();
    if openings <= max {
        return false;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Best-effort read of a valid `id` from a message that failed validation.
fn envelope_id_for_error(bytes: &[u8]) -> Option<RequestId> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "lenient_id")]
        id: Option<RequestId>,
    }
    fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RequestId>, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(serde_json::from_value(v).ok())
    }
    use serde::Deserialize;
    serde_json::from_slice::<Probe>(bytes)
        .ok()
        .and_then(|p| p.id)
}

#[derive(Default)]
struct Envelope {
    jsonrpc: Option<String>,
    id: Option<RequestId>,
    method: Option<String>,
    params: Option<Box<RawValue>>,
    result: Option<Box<RawValue>>,
    error: Option<Box<RawValue>>,
}

impl Envelope {
    fn into_message(self) -> Result<Message, ErrorObject> {
        match self.jsonrpc.as_deref() {
            Some("2.0") => {}
            Some(other) => {
                return Err(ErrorObject::invalid_request(format_args!(
                    "jsonrpc must be \"2.0\", got {other:?}"
                )));
            }
            None => return Err(ErrorObject::invalid_request("missing \"jsonrpc\": \"2.0\"")),
        }
        if let Some(params) = &self.params
            && !params.get().starts_with('{')
        {
            return Err(ErrorObject::invalid_request("params must be an object"));
        }
        match (self.method, self.id, self.result, self.error) {
            (Some(method), id, None, None) => Ok(match id {
                Some(id) => Message::Request(Request {
                    id,
                    method,
                    params: self.params,
                }),
                None => Message::Notification(Notification {
                    method,
                    params: self.params,
                }),
            }),
            (None, Some(id), Some(result), None) if self.params.is_none() => {
                Ok(Message::Response(ClientResponse {
                    id,
                    outcome: Ok(result),
                }))
            }
            (None, Some(id), None, Some(error)) if self.params.is_none() => {
                Ok(Message::Response(ClientResponse {
                    id,
                    outcome: Err(error),
                }))
            }
            (None, _, None, None) => Err(ErrorObject::invalid_request("missing \"method\"")),
            _ => Err(ErrorObject::invalid_request(
                "a message is a request, a notification or a response, not a mix",
            )),
        }
    }
}

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC 2.0 message object")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Envelope, A::Error> {
        Err(de::Error::custom(
            "batch arrays are not supported (MCP removed JSON-RPC batching)",
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let mut env = Envelope::default();
        let mut id_seen = false;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::Jsonrpc => set_once(&mut env.jsonrpc, "jsonrpc", &mut map)?,
                Key::Id => {
                    if id_seen {
                        return Err(de::Error::custom("duplicate key \"id\""));
                    }
                    id_seen = true;
                    env.id = Some(map.next_value::<RequestId>()?);
                }
                Key::Method => set_once(&mut env.method, "method", &mut map)?,
                Key::Params => set_once(&mut env.params, "params", &mut map)?,
                Key::Result => set_once(&mut env.result, "result", &mut map)?,
                Key::Error => set_once(&mut env.error, "error", &mut map)?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

fn set_once<'de, A: MapAccess<'de>, T: serde::Deserialize<'de>>(
    slot: &mut Option<T>,
    name: &'static str,
    map: &mut A,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::custom(format_args!("duplicate key {name:?}")));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

enum Key {
    Jsonrpc,
    Id,
    Method,
    Params,
    Result,
    Error,
    Other,
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "jsonrpc" => Key::Jsonrpc,
            "id" => Key::Id,
            "method" => Key::Method,
            "params" => Key::Params,
            "result" => Key::Result,
            "error" => Key::Error,
            _ => Key::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"a":{}1{}}}}}"#,
            "[".repeat(depth - 2),
            "]".repeat(depth - 2)
        )
    }

    #[test]
    fn nesting_is_capped_at_128_levels() {
        assert!(Message::decode(nested(128).as_bytes()).is_ok());
        let err = Message::decode(nested(129).as_bytes()).unwrap_err();
        assert_eq!(err.error_object().unwrap().code(), ErrorObject::PARSE_ERROR);
        let in_string = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"s":"{}\"{}"}}}}"#,
            "[".repeat(500),
            "{".repeat(500)
        );
        assert!(Message::decode(in_string.as_bytes()).is_ok());
    }

    #[test]
    fn kinds_are_told_apart() {
        let m = Message::decode(br#"{"jsonrpc":"2.0","id":"x","method":"a","params":{}}"#).unwrap();
        assert!(matches!(m, Message::Request(r) if r.id() == &RequestId::from("x")));
        let m = Message::decode(br#"{"jsonrpc":"2.0","method":"a"}"#).unwrap();
        assert!(matches!(m, Message::Notification(n) if n.method() == "a"));
        let m = Message::decode(br#"{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"m"}}"#)
            .unwrap();
        assert!(matches!(m, Message::Response(r) if r.outcome().is_err()));
    }
}
