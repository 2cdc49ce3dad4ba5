//! JSON Schemas of tool arguments and results: generation, linting, validation.

use std::fmt::Write;

use jsonschema::paths::LocationSegment;
use schemars::JsonSchema;
use serde_json::Value;

/// How many violations one error message lists at most.
const MAX_REPORTED: usize = 8;

/// The JSON Schema (2020-12) of `T`, as a tool's `inputSchema` or `outputSchema`.
///
/// The root's generated `title` (the Rust type name) is dropped; everything else is
/// schemars' output, so `Option<T>` fields are optional and typed `[T, "null"]`.
pub fn schema_for<T: JsonSchema>() -> Value {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("title");
    }
    schema
}

/// The schema of `T` with every subschema inlined (no `$ref`/`$defs`), as
/// elicitation forms require.
pub(crate) fn inline_schema_for<T: JsonSchema>() -> Value {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12();
    settings.inline_subschemas = true;
    let mut schema = settings
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    if let Some(obj) = schema.as_object_mut() {
        for key in ["title", "$schema", "description"] {
            obj.remove(key);
        }
    }
    schema
}

/// Checks that a schema describes a JSON object at its root.
pub(crate) fn require_object_root(schema: &Value) -> Result<(), String> {
    match schema.get("type") {
        Some(Value::String(t)) if t == "object" => Ok(()),
        Some(other) => Err(format!("its root must have type \"object\", found {other}")),
        None => Err("its root must declare type \"object\"".to_owned()),
    }
}

/// Compiles a validator without any remote or file `$ref` resolution.
pub(crate) fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .offline()
        .build(schema)
        .map_err(|e| e.to_string())
}

/// Validates `instance`, describing every violation (up to a cap) for the model.
pub(crate) fn check(validator: &jsonschema::Validator, instance: &Value) -> Result<(), String> {
    let mut errors = validator.iter_errors(instance).peekable();
    if errors.peek().is_none() {
        return Ok(());
    }
    let mut out = String::new();
    let mut count = 0;
    for error in errors {
        count += 1;
        if count > MAX_REPORTED {
            continue;
        }
        if !out.is_empty() {
            out.push_str("; ");
        }
        let path = field_path(error.instance_path().segments());
        if path.is_empty() {
            let _ = write!(out, "{error}");
        } else {
            let _ = write!(out, "at `{path}`: {error}");
        }
    }
    if count > MAX_REPORTED {
        let _ = write!(out, "; and {} more", count - MAX_REPORTED);
    }
    Err(out)
}

/// `/items/0/name` becomes `items[0].name`.
fn field_path<'a>(segments: impl Iterator<Item = LocationSegment<'a>>) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            LocationSegment::Property(p) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&p);
            }
            LocationSegment::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        a: f64,
        b: Option<String>,
        items: Vec<Item>,
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Item {
        name: String,
    }

    #[test]
    fn generated_schema_is_an_object_with_required_fields() {
        let s = schema_for::<Args>();
        assert_eq!(s["type"], "object");
        assert_eq!(s["required"], json!(["a", "items"]));
        assert!(s.get("title").is_none());
        assert!(!s.to_string().contains("nullable"));
        require_object_root(&s).unwrap();
        assert!(require_object_root(&json!({"type": "string"})).is_err());
    }

    #[test]
    fn violations_name_the_field_and_types() {
        let v = compile(&schema_for::<Args>()).unwrap();
        assert!(check(&v, &json!({"a": 1, "items": []})).is_ok());
        let msg = check(&v, &json!({"a": "two", "items": [{"name": 3}]})).unwrap_err();
        assert!(msg.contains("at `a`"), "{msg}");
        assert!(msg.contains("number"), "{msg}");
        assert!(msg.contains("at `items[0].name`"), "{msg}");
        let msg = check(&v, &json!({})).unwrap_err();
        assert!(msg.contains("\"a\" is a required property"), "{msg}");
    }

    #[test]
    fn remote_refs_are_never_fetched() {
        let schema = json!({"$ref": "https://example.com/schema.json"});
        assert!(compile(&schema).is_err());
        let schema = json!({"$ref": "file:///etc/passwd"});
        assert!(compile(&schema).is_err());
    }
}
