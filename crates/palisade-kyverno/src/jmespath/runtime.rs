//! The shared `jmespath::Runtime` (standard functions plus Kyverno's, built
//! once), the cache of parsed expressions, and the argument helpers the
//! function families share. Kyverno compiles each query anew; caching is
//! ours, since policies evaluate the same few dozen expressions for every
//! resource.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use jmespath::ast::Ast;
use jmespath::functions::{ArgumentType, CustomFunction, Signature};
use jmespath::{ErrorReason, JmespathError, Rcvar, Runtime, Variable};

use super::JmesError;

/// Longest expression accepted; real policy expressions are a few hundred
/// characters.
const MAX_EXPRESSION_LEN: usize = 8192;

/// Most tokens that make the parser recurse (`(`, `[`, `{`, `*`, `!`, a single
/// `&`) in one expression, so a hostile expression cannot exhaust the stack.
const MAX_NESTING_TOKENS: usize = 128;

/// Parsed expressions kept; past this the cache starts over (expressions are
/// often built from substituted values, so the set is open-ended).
const MAX_CACHED: usize = 4096;

/// A parsed expression with its text (the text tells pipes from dots).
pub(crate) struct Compiled {
    pub(crate) text: String,
    pub(crate) ast: Ast,
}

/// The runtime with every registered function.
pub(crate) fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let mut runtime = Runtime::new();
        runtime.register_builtin_functions();
        super::builtin_overrides::register(&mut runtime);
        super::string_functions::register(&mut runtime);
        super::regex_functions::register(&mut runtime);
        super::arithmetic::register(&mut runtime);
        super::data_functions::register(&mut runtime);
        super::time_functions::register(&mut runtime);
        runtime
    })
}

type Cache = RwLock<HashMap<String, Arc<Compiled>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| RwLock::new(HashMap::new()))
}

/// Parses `expression` (or takes it from the cache).
pub(crate) fn compile(expression: &str) -> Result<Arc<Compiled>, JmesError> {
    if let Ok(cached) = cache().read()
        && let Some(compiled) = cached.get(expression)
    {
        return Ok(compiled.clone());
    }
    check_size(expression)?;
    let ast = jmespath::parse(expression).map_err(|error| {
        JmesError::new(format!("{} (at offset {})", error.reason, error.offset))
    })?;
    let compiled = Arc::new(Compiled {
        text: expression.to_owned(),
        ast,
    });
    if let Ok(mut cached) = cache().write() {
        if cached.len() >= MAX_CACHED {
            cached.clear();
        }
        cached.insert(expression.to_owned(), compiled.clone());
    }
    Ok(compiled)
}

/// Rejects expressions too long or too deeply nested to parse safely.
fn check_size(expression: &str) -> Result<(), JmesError> {
    if expression.len() > MAX_EXPRESSION_LEN {
        return Err(JmesError::new(format!(
            "JMESPath expression longer than {MAX_EXPRESSION_LEN} bytes"
        )));
    }
    let mut nesting = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut previous = '\0';
    let mut chars = expression.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(open) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == open {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '(' | '[' | '{' | '*' | '!' => nesting += 1,
            '&' if previous != '&' && chars.peek() != Some(&'&') => nesting += 1,
            _ => {}
        }
        previous = c;
    }
    if nesting > MAX_NESTING_TOKENS {
        return Err(JmesError::new(format!(
            "JMESPath expression nested too deeply (more than {MAX_NESTING_TOKENS} brackets and operators)"
        )));
    }
    Ok(())
}

/// What a Kyverno function body returns: a value or Kyverno's error text.
pub(super) type Outcome = Result<Variable, String>;

/// Registers `body` as `name`, with the crate's argument-type validation.
pub(super) fn define(
    runtime: &mut Runtime,
    name: &'static str,
    inputs: Vec<ArgumentType>,
    body: impl Fn(&[Rcvar]) -> Outcome + Send + Sync + 'static,
) {
    define_variadic(runtime, name, inputs, None, body);
}

/// Like [`define`], with a type for any further arguments.
pub(super) fn define_variadic(
    runtime: &mut Runtime,
    name: &'static str,
    inputs: Vec<ArgumentType>,
    variadic: Option<ArgumentType>,
    body: impl Fn(&[Rcvar]) -> Outcome + Send + Sync + 'static,
) {
    let function = CustomFunction::new(
        Signature::new(inputs, variadic),
        Box::new(move |args: &[Rcvar], context: &mut jmespath::Context<'_>| {
            body(args).map(Rcvar::new).map_err(|message| {
                JmespathError::new(
                    context.expression,
                    context.offset,
                    ErrorReason::Parse(message),
                )
            })
        }),
    );
    runtime.register_function(name, Box::new(function));
}

/// Kyverno's error prefix for a function.
pub(super) fn function_error(name: &str, detail: impl std::fmt::Display) -> String {
    format!("JMESPath function '{name}': {detail}")
}

/// Argument `index` (arity is validated before the body runs, so a missing
/// argument is only a defensive error).
pub(super) fn arg<'a>(args: &'a [Rcvar], index: usize, name: &str) -> Result<&'a Variable, String> {
    args.get(index)
        .map(|value| &**value)
        .ok_or_else(|| function_error(name, format!("missing argument {}", index + 1)))
}

pub(super) fn string_arg<'a>(
    args: &'a [Rcvar],
    index: usize,
    name: &str,
) -> Result<&'a str, String> {
    match arg(args, index, name)? {
        Variable::String(text) => Ok(text),
        _ => Err(function_error(
            name,
            format!("{} argument is expected of string type", index + 1),
        )),
    }
}

pub(super) fn number_arg(args: &[Rcvar], index: usize, name: &str) -> Result<f64, String> {
    match arg(args, index, name)? {
        Variable::Number(n) => n
            .as_f64()
            .ok_or_else(|| function_error(name, "number out of range")),
        _ => Err(function_error(
            name,
            format!("{} argument is expected of float64 type", index + 1),
        )),
    }
}

/// Kyverno's `ifaceToString`: strings as they are, numbers in float32
/// precision, booleans as `true`/`false`; anything else is an error.
pub(super) fn text_of(value: &Variable) -> Option<String> {
    match value {
        Variable::String(text) => Some(text.clone()),
        Variable::Number(n) => n.as_f64().map(super::go_format::float32_text),
        Variable::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string-or-number argument as text (`regex_match`, `pattern_match`...).
pub(super) fn text_arg(args: &[Rcvar], index: usize, name: &str) -> Result<String, String> {
    text_of(arg(args, index, name)?).ok_or_else(|| {
        function_error(
            name,
            format!("{} argument is expected of String or Real type", index + 1),
        )
    })
}

pub(super) fn string(text: impl Into<String>) -> Variable {
    Variable::String(text.into())
}

pub(super) use jmespath::functions::ArgumentType as Arg;
