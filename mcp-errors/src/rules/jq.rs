//! Compiling and running jq expressions with the `jaq` crates.

use std::sync::OnceLock;

use jaq_core::box_iter::box_once;
use jaq_core::load::parse::Def;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::native::{self, Fun};
use jaq_core::{Compiler, Ctx, Cv, DataT, RunPtr, ValXs, Vars, data, load, unwrap_valr};
use jaq_json::Val;

type Data = data::JustLut<Val>;

/// A compiled expression.
pub(super) struct Expr {
    filter: jaq_core::Filter<Data>,
}

/// Where and why an expression failed to compile.
#[derive(Debug)]
pub(super) struct CompileError {
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) message: String,
}

/// Type tests the standard library defines with comparisons (several µs each on a
/// large body); they run natively here.
const NATIVE: &[&str] = &["type", "isboolean", "isstring", "isarray", "isobject"];

/// The standard definitions, parsed once.
fn prelude() -> &'static [Def] {
    static DEFS: OnceLock<Vec<Def>> = OnceLock::new();
    DEFS.get_or_init(|| {
        jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs())
            .filter(|d| !NATIVE.contains(&d.name))
            .collect()
    })
}

fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "boolean",
        Val::Num(_) => "number",
        Val::BStr(_) | Val::TStr(_) => "string",
        Val::Arr(_) => "array",
        Val::Obj(_) => "object",
    }
}

fn native_type<'a>(cv: Cv<'a, Data>) -> ValXs<'a, <Data as DataT>::V<'a>> {
    box_once(Ok(Val::from(type_name(&cv.1).to_owned())))
}

fn native_is<'a, const T: u8>(cv: Cv<'a, Data>) -> ValXs<'a, <Data as DataT>::V<'a>> {
    let name = type_name(&cv.1);
    let yes = match T {
        0 => name == "boolean",
        1 => name == "string",
        2 => name == "array",
        _ => name == "object",
    };
    box_once(Ok(Val::Bool(yes)))
}

/// The natives replacing [`NATIVE`].
fn type_funs() -> impl Iterator<Item = Fun<Data>> {
    let table: [(&'static str, RunPtr<Data>); 5] = [
        ("type", native_type),
        ("isboolean", native_is::<0>),
        ("isstring", native_is::<1>),
        ("isarray", native_is::<2>),
        ("isobject", native_is::<3>),
    ];
    table
        .into_iter()
        .map(|(name, f)| native::run::<Data>((name, native::v(0), f)))
}

impl Expr {
    /// Compiles `code`.
    pub(super) fn compile(code: &str) -> Result<Self, CompileError> {
        let loader = Loader::new(prelude().iter().cloned());
        let arena = Arena::default();
        let modules = loader
            .load(&arena, File { code, path: () })
            .map_err(|errors| load_error(code, errors))?;
        let funs = jaq_core::funs::<Data>()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs())
            .chain(type_funs());
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let first = errors.into_iter().flat_map(|(_, e)| e).next();
                match first {
                    Some((name, undefined)) => at(
                        code,
                        name,
                        format!("undefined {} `{name}`", undefined.as_str()),
                    ),
                    None => at(code, "", "does not compile".to_owned()),
                }
            })?;
        Ok(Self { filter })
    }

    /// The first output for `input`; `None` when there is none or it is an error.
    pub(super) fn first(&self, input: &Val) -> Option<Val> {
        let ctx = Ctx::<Data>::new(&self.filter.lut, Vars::new([]));
        let mut outputs = self.filter.id.run((ctx, input.clone())).map(unwrap_valr);
        outputs.next()?.ok()
    }
}

fn load_error(code: &str, errors: load::Errors<&str, ()>) -> CompileError {
    for (_, error) in errors {
        match error {
            load::Error::Lex(list) => {
                if let Some((expect, found)) = list.into_iter().next() {
                    return at(code, found, format!("expected {}", expect.as_str()));
                }
            }
            load::Error::Parse(list) => {
                if let Some((expect, found)) = list.into_iter().next() {
                    let found_text = if found.is_empty() {
                        "end of input"
                    } else {
                        found
                    };
                    return at(
                        code,
                        found,
                        format!("expected {}, found `{found_text}`", expect.as_str()),
                    );
                }
            }
            load::Error::Io(list) => {
                if let Some((path, why)) = list.into_iter().next() {
                    return at(code, path, format!("cannot import: {why}"));
                }
            }
        }
    }
    at(code, "", "does not parse".to_owned())
}

/// A problem at `part`, a slice of `code` (or the end, when it is not one).
fn at(code: &str, part: &str, message: String) -> CompileError {
    let base = code.as_ptr() as usize;
    let ptr = part.as_ptr() as usize;
    let offset = if ptr >= base && ptr <= base + code.len() {
        ptr - base
    } else {
        code.len()
    };
    let mut offset = offset.min(code.len());
    while !code.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &code[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    CompileError {
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_runs_and_locates_errors() {
        let e = Expr::compile(".a + 1").unwrap();
        let out = e.first(&jaq_json::read::parse_single(r#"{"a": 1}"#.as_bytes()).unwrap());
        assert_eq!(out.map(|v| v.to_string()), Some("2".to_owned()));
        let err = Expr::compile(".a |\n  nosuchfn(1)").err().unwrap();
        assert_eq!((err.line, err.column), (2, 3), "{err:?}");
        assert!(err.message.contains("nosuchfn"), "{}", err.message);
        let types = Expr::compile("[.[] | type] + [.[] | isobject]").unwrap();
        let out = types.first(
            &jaq_json::read::parse_single(r#"[null, true, 1, "s", [], {}]"#.as_bytes()).unwrap(),
        );
        assert_eq!(
            out.map(|v| v.to_string()).as_deref(),
            Some(
                r#"["null","boolean","number","string","array","object",false,false,false,false,false,true]"#
            )
        );
        let err = Expr::compile(".a | (").err().unwrap();
        assert_eq!(err.line, 1);
        assert!(err.column >= 6, "{err:?}");
    }
}
