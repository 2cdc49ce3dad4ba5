//! The tool registry: definitions linted and schemas compiled once, at build time.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::auth::{MethodClass, Scope};
use crate::schema;
use crate::tool::ErasedTool;
use crate::wire::ToolDefinition;

pub(crate) struct ToolEntry {
    pub(crate) name: String,
    pub(crate) class: MethodClass,
    pub(crate) tags: Vec<String>,
    pub(crate) definition: ToolDefinition,
    /// The definition pre-encoded for `tools/list`.
    pub(crate) encoded: Box<RawValue>,
    pub(crate) validator: jsonschema::Validator,
    pub(crate) handler: Arc<dyn ErasedTool>,
}

impl ToolEntry {
    pub(crate) fn visible(&self, scope: Option<&Scope>) -> bool {
        scope.is_none_or(|s| s.permits(self.class, &self.tags))
    }
}

/// A registration that failed the contract lint, described for the developer.
pub(crate) fn lint(definition: &ToolDefinition) -> Vec<String> {
    let mut problems = Vec::new();
    let name = &definition.name;
    if name.is_empty() || name.len() > 128 {
        problems.push(format!(
            "tool name {name:?} must be 1 to 128 characters long"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        problems.push(format!(
            "tool name {name:?} contains {bad:?}; use only A-Z, a-z, 0-9, '_', '-' and '.'"
        ));
    }
    if definition
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        problems.push(format!(
            "tool {name:?} has no description; models invent arguments for vague tools"
        ));
    }
    if let Err(e) = schema::require_object_root(&definition.input_schema) {
        problems.push(format!("tool {name:?}: inputSchema: {e}"));
    }
    if let Some(output) = &definition.output_schema
        && let Err(e) = schema::require_object_root(output)
    {
        problems.push(format!("tool {name:?}: outputSchema: {e}"));
    }
    problems
}

#[derive(Default)]
pub(crate) struct Registry {
    tools: Vec<ToolEntry>,
    by_name: HashMap<String, usize>,
    fingerprint: [u8; 32],
}

impl Registry {
    pub(crate) fn new(tools: Vec<ToolEntry>) -> Self {
        let by_name = tools
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        let fingerprint = crate::server::fingerprint("tools", tools.iter().map(|t| &*t.encoded));
        Self {
            tools,
            by_name,
            fingerprint,
        }
    }

    pub(crate) fn get(&self, name: &str, scope: Option<&Scope>) -> Option<&ToolEntry> {
        let tool = &self.tools[*self.by_name.get(name)?];
        tool.visible(scope).then_some(tool)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &ToolEntry> {
        self.tools.iter()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    pub(crate) fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }
}

/// Builds a registry entry, compiling the argument validator.
pub(crate) fn entry(
    definition: ToolDefinition,
    class: MethodClass,
    tags: Vec<String>,
    handler: Arc<dyn ErasedTool>,
) -> Result<ToolEntry, Vec<String>> {
    let mut problems = lint(&definition);
    let validator = match schema::compile(&definition.input_schema) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(format!(
                "tool {:?}: inputSchema does not compile: {e}",
                definition.name
            ));
            None
        }
    };
    let encoded = serde_json::value::to_raw_value(&definition).map_err(|e| vec![e.to_string()]);
    match (validator, encoded) {
        (Some(validator), Ok(encoded)) if problems.is_empty() => Ok(ToolEntry {
            name: definition.name.clone(),
            class,
            tags,
            definition,
            encoded,
            validator,
            handler,
        }),
        (_, Err(mut e)) => {
            problems.append(&mut e);
            Err(problems)
        }
        _ => Err(problems),
    }
}

/// Arguments as sent, defaulting an absent `arguments` member to `{}`.
pub(crate) fn arguments_or_empty(arguments: Option<Value>) -> Value {
    arguments.unwrap_or_else(|| Value::Object(serde_json::Map::new()))
}
