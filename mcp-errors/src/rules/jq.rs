//! Compiling and running jq expressions with the `jaq` crates.

use std::sync::OnceLock;

use jaq_core::box_iter::box_once;
use jaq_core::load::parse::Def;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::native::{self, Fun};
use jaq_core::{Compiler, Ctx, Cv, DataT, RunPtr, ValXs, Vars, load, unwrap_valr};
use jaq_json::Val;

use super::budget::{self, Budget, Exhausted, Meter, Metered};

type Data = Metered;

/// Natives left out: `env` would show the process environment (signing keys) to
/// whoever writes a rule, the `debug`/`stderr` family writes to the server's
/// stderr, and `range/3` is replaced by one that counts its steps.
const DROPPED: &[&str] = &["env", "debug_empty", "stderr_empty", "halt", "range"];

/// Standard definitions built on the dropped natives.
const DROPPED_DEFS: &[&str] = &["stderr", "debug", "halt", "halt_error"];

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
            .filter(|d| !NATIVE.contains(&d.name) && !DROPPED_DEFS.contains(&d.name))
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
        .chain(std::iter::once(native::run::<Data>((
            "range",
            native::v(3),
            budget::range,
        ))))
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
            .filter(|(name, _, _)| !DROPPED.contains(name))
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
    ///
    /// # Errors
    /// [`Exhausted`] when `budget` ran out (now or on an earlier expression).
    pub(super) fn first(&self, input: &Val, budget: &Budget) -> Result<Option<Val>, Exhausted> {
        budget.run(|| {
            let ctx = Ctx::<Data>::new(Meter::new(&self.filter.lut, budget), Vars::new([]));
            let mut outputs = self.filter.id.run((ctx, input.clone())).map(unwrap_valr);
            outputs.next()?.ok()
        })
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
    use crate::rules::budget::Limits;
    use std::time::Duration;

    fn run(e: &Expr, input: &str) -> Option<String> {
        let input = jaq_json::read::parse_single(input.as_bytes()).unwrap();
        let budget = Budget::new(Limits::default());
        e.first(&input, &budget).unwrap().map(|v| v.to_string())
    }

    #[test]
    fn compiles_runs_and_locates_errors() {
        let e = Expr::compile(".a + 1").unwrap();
        assert_eq!(run(&e, r#"{"a": 1}"#), Some("2".to_owned()));
        let err = Expr::compile(".a |\n  nosuchfn(1)").err().unwrap();
        assert_eq!((err.line, err.column), (2, 3), "{err:?}");
        assert!(err.message.contains("nosuchfn"), "{}", err.message);
        let types = Expr::compile("[.[] | type] + [.[] | isobject]").unwrap();
        assert_eq!(
            run(&types, r#"[null, true, 1, "s", [], {}]"#).as_deref(),
            Some(
                r#"["null","boolean","number","string","array","object",false,false,false,false,false,true]"#
            )
        );
        let err = Expr::compile(".a | (").err().unwrap();
        assert_eq!(err.line, 1);
        assert!(err.column >= 6, "{err:?}");
        let ranges =
            Expr::compile("[range(3)] + [range(5; 0; -2)] + [limit(2; range(1; 2; 0))]").unwrap();
        assert_eq!(run(&ranges, "null").as_deref(), Some("[0,1,2,5,3,1,1,1]"));
    }

    #[test]
    fn the_environment_is_not_readable() {
        assert!(Expr::compile("env.HOME").is_err());
        assert!(Expr::compile("$ENV.HOME").is_err());
        assert!(Expr::compile(". | debug").is_err());
    }

    #[test]
    fn runaway_expressions_end_within_budget() {
        let limits = Limits {
            steps: 10_000,
            time: Duration::from_secs(3600),
        };
        let input = jaq_json::read::parse_single(b"[1, 2, 3]").unwrap();
        for code in [
            "def f: f; f",
            "def f: 1 + f; f",
            "def f: [f]; f",
            "[range(1e15)] | length",
            "[repeat(1)] | length",
            "last(range(0; 1; 0))",
            "[.[] as $a | .[] as $b | .[] as $c | .[] as $d | .[] as $e | .[] as $f | .[] as $g | .[] as $h | .[] as $i | $a] | length",
            "until(false; .)",
            "[recurse(.)] | length",
        ] {
            let e = Expr::compile(code).unwrap();
            let budget = Budget::new(limits);
            assert_eq!(e.first(&input, &budget), Err(Exhausted), "{code}");
            assert!(
                budget.steps() <= limits.steps + 1,
                "{code}: {}",
                budget.steps()
            );
            // Once spent, later expressions on the same response do not start.
            let cheap = Expr::compile(".").unwrap();
            assert_eq!(cheap.first(&input, &budget), Err(Exhausted));
        }
    }

    #[test]
    fn the_time_budget_stops_an_expression_too() {
        let limits = Limits {
            steps: u64::MAX,
            time: Duration::ZERO,
        };
        let input = jaq_json::read::parse_single(b"null").unwrap();
        let e = Expr::compile("def f: f; f").unwrap();
        let budget = Budget::new(limits);
        assert_eq!(e.first(&input, &budget), Err(Exhausted));
        assert!(budget.steps() <= 64, "{}", budget.steps());
    }
}
