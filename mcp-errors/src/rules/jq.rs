//! Compiling and running jq expressions with the `jaq` crates.

use std::sync::OnceLock;

use jaq_core::load::parse::Def;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, load, unwrap_valr};
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

/// The standard definitions, parsed once.
fn prelude() -> &'static [Def] {
    static DEFS: OnceLock<Vec<Def>> = OnceLock::new();
    DEFS.get_or_init(|| {
        jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs())
            .collect()
    })
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
            .chain(jaq_json::funs());
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
        let out = e.first(&serde_json::from_str::<Val>(r#"{"a": 1}"#).unwrap());
        assert_eq!(out.map(|v| v.to_string()), Some("2".to_owned()));
        let err = Expr::compile(".a |\n  nosuchfn(1)").err().unwrap();
        assert_eq!((err.line, err.column), (2, 3), "{err:?}");
        assert!(err.message.contains("nosuchfn"), "{}", err.message);
        let err = Expr::compile(".a | (").err().unwrap();
        assert_eq!(err.line, 1);
        assert!(err.column >= 6, "{err:?}");
    }
}
