//! Parsing and validating `#[tool(...)]` and the doc comment; all errors at once.

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, DeriveInput, Expr, ExprLit, Lit, LitBool, LitStr, Meta, Path, Token};

pub(crate) struct ToolAttrs {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) title: Option<String>,
    pub(crate) class: Class,
    pub(crate) tags: Vec<String>,
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
    /// `#[tool(crate = "...")]`: where `mcp_core` is.
    pub(crate) krate: Option<Path>,
}

#[derive(Clone, Copy)]
pub(crate) enum Class {
    Read,
    Write,
    Custom,
}

struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
}

pub(crate) fn parse(input: &DeriveInput) -> syn::Result<ToolAttrs> {
    let mut errors = Errors(None);
    let mut name = None;
    let mut description = None;
    let mut title = None;
    let mut class = None;
    let mut tags = Vec::new();
    let mut hints = [None; 4];
    let mut krate = None;

    for attr in input.attrs.iter().filter(|a| a.path().is_ident("tool")) {
        let metas = match attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
            Ok(metas) => metas,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        for meta in metas {
            let key = meta
                .path()
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let result = match key.as_str() {
                "name" => string_lit(&meta).map(|v| name = Some(v)),
                "description" => string_value(&meta).map(|v| description = Some(v)),
                "title" => string_value(&meta).map(|v| title = Some(v)),
                "class" => string_lit(&meta).and_then(|lit| {
                    class = Some(match lit.value().as_str() {
                        "read" => Class::Read,
                        "write" => Class::Write,
                        "custom" => Class::Custom,
                        other => {
                            return Err(syn::Error::new(
                                lit.span(),
                                format!(
                                    "#[tool(class = ...)]: unknown method class {other:?}; expected \"read\", \"write\" or \"custom\""
                                ),
                            ));
                        }
                    });
                    Ok(())
                }),
                "tags" => tag_list(&meta).map(|mut list| tags.append(&mut list)),
                "read_only" => bool_value(&meta).map(|v| hints[0] = Some(v)),
                "destructive" => bool_value(&meta).map(|v| hints[1] = Some(v)),
                "idempotent" => bool_value(&meta).map(|v| hints[2] = Some(v)),
                "open_world" => bool_value(&meta).map(|v| hints[3] = Some(v)),
                "crate" => string_lit(&meta)
                    .and_then(|lit| lit.parse::<Path>())
                    .map(|path| krate = Some(path)),
                _ => Err(syn::Error::new(
                    meta.path().span(),
                    format!(
                        "#[tool({key})]: unknown attribute; expected one of name, description, title, class, tags, read_only, destructive, idempotent, open_world, crate"
                    ),
                )),
            };
            if let Err(e) = result {
                errors.push(e);
            }
        }
    }

    let description = description.or_else(|| doc_comment(&input.attrs));
    if description.as_deref().is_none_or(|d| d.trim().is_empty()) {
        errors.push(syn::Error::new(
            input.ident.span(),
            "#[derive(Tool)] needs a description: add a `///` doc comment to the type saying what the tool does (or #[tool(description = \"...\")]); models invent arguments for vague tools",
        ));
    }
    let name_span = name.as_ref().map_or(input.ident.span(), LitStr::span);
    let name = name.map_or_else(|| snake_case(&input.ident.to_string()), |n| n.value());
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        errors.push(syn::Error::new(
            name_span,
            format!("#[tool(name = {name:?})]: {bad:?} is not allowed in tool names; use A-Z, a-z, 0-9, '_', '-' and '.'"),
        ));
    }
    if name.is_empty() || name.len() > 128 {
        errors.push(syn::Error::new(
            name_span,
            "#[tool(name = ...)]: a tool name is 1 to 128 characters long",
        ));
    }
    if let syn::Data::Union(u) = &input.data {
        errors.push(syn::Error::new(
            u.union_token.span(),
            "#[derive(Tool)] supports structs and enums, not unions",
        ));
    }
    if let Some(e) = errors.0 {
        return Err(e);
    }
    let [read_only, destructive, idempotent, open_world] = hints;
    let class = class.unwrap_or(if read_only == Some(true) {
        Class::Read
    } else {
        Class::Custom
    });
    Ok(ToolAttrs {
        name,
        description: description.unwrap_or_default(),
        title,
        class,
        tags,
        read_only,
        destructive,
        idempotent,
        open_world,
        krate,
    })
}

fn string_lit(meta: &Meta) -> syn::Result<LitStr> {
    let key = meta
        .path()
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    match meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Ok(s.clone()),
            other => Err(syn::Error::new(
                other.span(),
                format!("#[tool({key} = ...)]: expected a string literal, e.g. {key} = \"...\""),
            )),
        },
        _ => Err(syn::Error::new(
            meta.span(),
            format!("#[tool({key})]: expected {key} = \"...\""),
        )),
    }
}

fn string_value(meta: &Meta) -> syn::Result<String> {
    string_lit(meta).map(|s| s.value())
}

fn bool_value(meta: &Meta) -> syn::Result<bool> {
    let key = meta
        .path()
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    match meta {
        Meta::Path(_) => Ok(true),
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Bool(LitBool { value, .. }),
                ..
            }) => Ok(*value),
            other => Err(syn::Error::new(
                other.span(),
                format!("#[tool({key} = ...)]: expected true or false"),
            )),
        },
        Meta::List(_) => Err(syn::Error::new(
            meta.span(),
            format!("#[tool({key})]: a flag takes no list; write {key} or {key} = false"),
        )),
    }
}

fn tag_list(meta: &Meta) -> syn::Result<Vec<String>> {
    match meta {
        Meta::List(list) => {
            let tags = list.parse_args_with(Punctuated::<LitStr, Token![,]>::parse_terminated)?;
            Ok(tags.iter().map(LitStr::value).collect())
        }
        _ => Err(syn::Error::new(
            meta.span(),
            "#[tool(tags(...))]: expected a list of strings, e.g. tags(\"crm\", \"contacts\")",
        )),
    }
}

fn doc_comment(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|l| l.strip_prefix(' ').map(str::to_owned).unwrap_or(l))
        .collect();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// `GetHTTPStatus` becomes `get_http_status`.
pub(crate) fn snake_case(ident: &str) -> String {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let chars: Vec<char> = ident.chars().collect();
    let mut out = String::with_capacity(ident.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase) && next.is_some_and(|n| n.is_lowercase()));
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake_cases_type_names() {
        assert_eq!(snake_case("Echo"), "echo");
        assert_eq!(snake_case("GetUser"), "get_user");
        assert_eq!(snake_case("GetHTTPStatus"), "get_http_status");
        assert_eq!(snake_case("Add2Numbers"), "add2_numbers");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }
}
