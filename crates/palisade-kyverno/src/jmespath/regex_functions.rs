//! Kyverno's regular-expression and wildcard functions: `regex_match`
//! (unanchored, like Go's `regexp.Match`), `regex_replace_all` (with `$1`,
//! `${name}` expansion, the same template syntax in Go and the `regex`
//! crate), `regex_replace_all_literal` and `pattern_match` (go-wildcard).
//!
//! Go's RE2 and the `regex` crate share their syntax; one difference remains:
//! `\d`, `\w`, `\s` and `\b` are ASCII-only in Go and Unicode-aware here, which
//! only matters for non-ASCII text.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use jmespath::{Runtime, Variable};
use regex::Regex;

use super::limits::MAX_BUILT_STRING;
use super::runtime::{Arg, define, function_error, string, string_arg, text_arg};
use crate::wildcard;

/// Compiled patterns kept; policies reuse a handful of patterns per rule.
const MAX_CACHED: usize = 512;

pub(super) fn register(runtime: &mut Runtime) {
    let text_or_number = || Arg::Union(vec![Arg::String, Arg::Number]);
    define(
        runtime,
        "regex_match",
        vec![Arg::String, text_or_number()],
        |args| {
            let pattern = string_arg(args, 0, "regex_match")?;
            let text = text_arg(args, 1, "regex_match")?;
            let regex =
                compile(pattern).map_err(|error| format!("error parsing regexp: {error}"))?;
            Ok(Variable::Bool(regex.is_match(&text)))
        },
    );
    define(
        runtime,
        "regex_replace_all",
        vec![Arg::String, text_or_number(), text_or_number()],
        |args| replace_all("regex_replace_all", args, true),
    );
    define(
        runtime,
        "regex_replace_all_literal",
        vec![Arg::String, text_or_number(), text_or_number()],
        |args| replace_all("regex_replace_all_literal", args, false),
    );
    define(
        runtime,
        "pattern_match",
        vec![Arg::String, text_or_number()],
        |args| {
            let pattern = string_arg(args, 0, "pattern_match")?;
            let text = text_arg(args, 1, "pattern_match")?;
            Ok(Variable::Bool(wildcard::matches(pattern, &text)))
        },
    );
}

fn replace_all(name: &str, args: &[jmespath::Rcvar], expand: bool) -> super::runtime::Outcome {
    let pattern = string_arg(args, 0, name)?;
    let source = text_arg(args, 1, name)?;
    let replacement = text_arg(args, 2, name)?;
    let regex = compile(pattern).map_err(|error| function_error(name, error))?;
    // `Regex::replace_all`, written out so that the length is checked before
    // each match is expanded: `$0$0$0...` repeats the whole match, and a
    // pattern matching everywhere repeats the replacement, so the result can
    // be the product of the two lengths.
    let references = if expand {
        replacement.matches('$').count()
    } else {
        0
    };
    let mut replaced = String::with_capacity(source.len());
    let mut copied_up_to = 0;
    for captures in regex.captures_iter(&source) {
        let Some(whole) = captures.get(0) else {
            continue;
        };
        let bound = replaced.len()
            + whole.start().saturating_sub(copied_up_to)
            + replacement.len()
            + references.saturating_mul(whole.len());
        if bound > MAX_BUILT_STRING {
            return Err(function_error(
                name,
                format!("the result would be longer than {MAX_BUILT_STRING} bytes"),
            ));
        }
        replaced.push_str(source.get(copied_up_to..whole.start()).unwrap_or(""));
        if expand {
            captures.expand(&replacement, &mut replaced);
        } else {
            replaced.push_str(&replacement);
        }
        copied_up_to = whole.end();
    }
    replaced.push_str(source.get(copied_up_to..).unwrap_or(""));
    Ok(string(replaced))
}

/// Compiles `pattern`, reusing earlier compilations.
fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    static CACHE: OnceLock<Mutex<HashMap<String, Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(cached) = cache.lock()
        && let Some(regex) = cached.get(pattern)
    {
        return Ok(regex.clone());
    }
    let regex = Regex::new(pattern)?;
    if let Ok(mut cached) = cache.lock() {
        if cached.len() >= MAX_CACHED {
            cached.clear();
        }
        cached.insert(pattern.to_owned(), regex.clone());
    }
    Ok(regex)
}
