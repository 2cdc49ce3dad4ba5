//! `#[derive(Tool)]` for `mcp-core`: use it through `mcp_core::Tool`.
//!
//! The derive writes exactly the `impl mcp_core::Tool` you could write by hand: the
//! name (from `#[tool(name = "...")]` or the type name in snake_case), the description
//! (the doc comment, required), the title, method class, tags and annotations from
//! `#[tool(...)]`, and `input_schema` from schemars.
//!
//! The generated code names `mcp_core` by the path the calling package has: through
//! the `mcp-sdk` facade (`::mcp_sdk::core`) when it depends on the facade, else
//! `::mcp_core` (a renamed dependency is followed); `#[tool(crate = "...")]` sets it
//! by hand, e.g. for a crate that re-exports `mcp_core` under another name.

mod attr;
mod crate_path;
mod expand;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `mcp_core::Tool` on a tool's argument type.
///
/// ```text
/// /// Find contacts by name or e-mail.        <- the description (required)
/// #[derive(Deserialize, JsonSchema, Tool)]
/// #[tool(
///     name = "search_contacts",             // default: the type name in snake_case
///     title = "Search contacts",
///     class = "read",                       // read | write | custom (default: read if read_only, else custom)
///     tags("crm", "contacts"),
///     read_only, idempotent, open_world,    // annotations; also destructive; `= false` allowed
///     crate = "my_sdk::core",               // where `mcp_core` is; default: found in Cargo.toml
/// )]
/// struct SearchContacts { query: String }
/// ```
#[proc_macro_derive(Tool, attributes(tool))]
pub fn derive_tool(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match attr::parse(&input) {
        Ok(attrs) => expand::expand(&input, &attrs).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
