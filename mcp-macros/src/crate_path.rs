//! Where the generated code finds `mcp_core`: `#[tool(crate = "...")]` when given,
//! else the calling package's own dependency, the `mcp-sdk` facade (as
//! `<name>::core`) or `mcp-core`, renames followed.

use proc_macro_crate::{FoundCrate, crate_name};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, Path};

/// The path of `mcp_core` for the package being compiled.
pub(crate) fn core_path(explicit: Option<&Path>) -> TokenStream {
    if let Some(path) = explicit {
        return quote!(#path);
    }
    let ident = |name: &str| Ident::new(name, Span::call_site());
    match crate_name("mcp-sdk") {
        Ok(FoundCrate::Name(name)) => {
            let name = ident(&name);
            return quote!(::#name::core);
        }
        // The facade's own doc tests and examples.
        Ok(FoundCrate::Itself) => return quote!(::mcp_sdk::core),
        Err(_) => {}
    }
    match crate_name("mcp-core") {
        Ok(FoundCrate::Name(name)) => {
            let name = ident(&name);
            quote!(::#name)
        }
        // `mcp-core`'s own doc tests and tests, and any package that names neither
        // crate (the error then says `mcp_core` is missing).
        Ok(FoundCrate::Itself) | Err(_) => quote!(::mcp_core),
    }
}
