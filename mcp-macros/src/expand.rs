//! Writing the `impl mcp_core::Tool`; generated code names only `mcp_core`'s
//! `__private` module (through the path [`crate_path`](crate::crate_path) found).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::attr::{Class, ToolAttrs};

pub(crate) fn expand(input: &DeriveInput, attrs: &ToolAttrs) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let core = crate::crate_path::core_path(attrs.krate.as_ref());
    let p = quote!(#core::__private);
    let name = &attrs.name;
    let description = &attrs.description;
    let title = match &attrs.title {
        Some(t) => quote!(::core::option::Option::Some(#t)),
        None => quote!(::core::option::Option::None),
    };
    let class = match attrs.class {
        Class::Read => quote!(#p::MethodClass::Read),
        Class::Write => quote!(#p::MethodClass::Write),
        Class::Custom => quote!(#p::MethodClass::Custom),
    };
    let tags = &attrs.tags;
    let hint = |h: Option<bool>| match h {
        Some(b) => quote!(::core::option::Option::Some(#b)),
        None => quote!(::core::option::Option::None),
    };
    let (ro, de, id, ow) = (
        hint(attrs.read_only),
        hint(attrs.destructive),
        hint(attrs.idempotent),
        hint(attrs.open_world),
    );
    quote! {
        impl #impl_generics #p::Tool for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
            const DESCRIPTION: &'static str = #description;
            const TITLE: ::core::option::Option<&'static str> = #title;
            const CLASS: #p::MethodClass = #class;
            const TAGS: &'static [&'static str] = &[#(#tags),*];

            fn input_schema() -> #p::Value {
                #p::schema_for::<Self>()
            }

            fn annotations() -> #p::ToolAnnotations {
                let mut annotations = #p::ToolAnnotations::default();
                annotations.read_only_hint = #ro;
                annotations.destructive_hint = #de;
                annotations.idempotent_hint = #id;
                annotations.open_world_hint = #ow;
                annotations
            }
        }
    }
}
