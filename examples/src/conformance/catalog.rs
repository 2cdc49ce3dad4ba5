//! Resources, a resource template, prompts and completion.

use std::collections::HashMap;

use mcp_core::wire::{
    Completion, CompletionRequest, GetPromptResult, Prompt, PromptMessage, Resource,
    ResourceContents, ResourceRequest, ResourceTemplate,
};
use mcp_core::{Content, Context, InputRequired, ServerBuilder, ToolError};
use serde_json::json;

use super::PNG;
use super::mrtr::form;

fn text(uri: String, mime: &str, text: impl Into<String>) -> Vec<ResourceContents> {
    vec![ResourceContents::Text {
        uri,
        mime_type: Some(mime.to_owned()),
        text: text.into(),
    }]
}

fn user(text: impl Into<String>) -> PromptMessage {
    PromptMessage::user(Content::text(text))
}

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .resource(
            Resource::new("test://static-text", "static-text")
                .with_description("A static text resource")
                .with_mime_type("text/plain"),
            |r: ResourceRequest, _cx: Context| async move {
                Ok(text(
                    r.uri,
                    "text/plain",
                    "This is the content of the static text resource.",
                ))
            },
        )
        .resource(
            Resource::new("test://static-binary", "static-binary")
                .with_description("A static binary resource (a PNG)")
                .with_mime_type("image/png"),
            |r: ResourceRequest, _cx: Context| async move {
                Ok(vec![ResourceContents::Blob {
                    uri: r.uri,
                    mime_type: Some("image/png".into()),
                    blob: PNG.into(),
                }])
            },
        )
        .resource(
            Resource::new("test://watched-resource", "watched-resource")
                .with_description("A resource clients may subscribe to")
                .with_mime_type("text/plain"),
            |r: ResourceRequest, _cx: Context| async move {
                Ok(text(r.uri, "text/plain", "Watched resource content"))
            },
        )
        .resource_template(
            ResourceTemplate::new("test://template/{id}/data", "template-data")
                .with_description("Data for any id")
                .with_mime_type("application/json"),
            |r: ResourceRequest, _cx: Context| async move {
                let id = r.variables.get("id").cloned().unwrap_or_default();
                let body =
                    json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")});
                Ok(text(r.uri, "application/json", body.to_string()))
            },
        )
        .prompt(
            Prompt::new("test_simple_prompt", "A simple prompt without arguments"),
            |_, _cx: Context| async {
                Ok(GetPromptResult::new(vec![user(
                    "This is a simple prompt for testing.",
                )]))
            },
        )
        .prompt(
            Prompt::new(
                "test_prompt_with_arguments",
                "A prompt with two required arguments",
            )
            .required("arg1", "First test argument")
            .required("arg2", "Second test argument"),
            |args: HashMap<String, String>, _cx: Context| async move {
                let (a, b) = (&args["arg1"], &args["arg2"]);
                Ok(GetPromptResult::new(vec![user(format!(
                    "Prompt with arguments: arg1='{a}', arg2='{b}'"
                ))]))
            },
        )
        .prompt(
            Prompt::new(
                "test_prompt_with_embedded_resource",
                "A prompt that embeds a resource",
            )
            .required("resourceUri", "URI of the resource to embed"),
            |args: HashMap<String, String>, _cx: Context| async move {
                Ok(GetPromptResult::new(vec![
                    PromptMessage::user(Content::resource(ResourceContents::Text {
                        uri: args["resourceUri"].clone(),
                        mime_type: Some("text/plain".into()),
                        text: "Embedded resource content for testing.".into(),
                    })),
                    user("Please process the embedded resource above."),
                ]))
            },
        )
        .prompt(
            Prompt::new("test_prompt_with_image", "A prompt with an image"),
            |_, _cx: Context| async {
                Ok(GetPromptResult::new(vec![
                    PromptMessage::user(Content::image(PNG, "image/png")),
                    user("Please analyze the image above."),
                ]))
            },
        )
        .prompt(
            Prompt::new(
                "test_input_required_result_prompt",
                "A prompt that asks for context first",
            ),
            |_, cx: Context| async move {
                match super::mrtr::accepted(&cx, "user_context") {
                    Some(content) => Ok(GetPromptResult::new(vec![user(format!(
                        "Use this context: {}",
                        content
                            .get("context")
                            .and_then(|c| c.as_str())
                            .unwrap_or_default()
                    ))])),
                    None => Err(ToolError::from(InputRequired::new().request(
                        "user_context",
                        "elicitation/create",
                        form("What context should the prompt use?", "context", "string"),
                    ))),
                }
            },
        )
        .completion(|request: CompletionRequest, _cx: Context| async move {
            let options = ["test-value-1", "test-value-2", "other"];
            Ok(Completion::new(options.into_iter().filter(|o| {
                o.starts_with(request.argument.value.as_str())
            })))
        })
}
