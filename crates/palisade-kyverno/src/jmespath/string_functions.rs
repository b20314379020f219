//! Kyverno's string functions (`pkg/engine/jmespath/functions.go`), with Go's
//! `strings` package semantics where they differ from Rust's (`replace` with
//! a count, splitting on an empty separator, `trim` with a cut set).

use base64::Engine;
use jmespath::{Rcvar, Runtime, Variable};
use sha2::{Digest, Sha256};

use super::convert::number_variable;
use super::runtime::{Arg, Outcome, define, function_error, number_arg, string, string_arg};

pub(super) fn register(runtime: &mut Runtime) {
    let two_strings = || vec![Arg::String, Arg::String];
    define(runtime, "compare", two_strings(), |args| {
        let ordering = string_arg(args, 0, "compare")?.cmp(string_arg(args, 1, "compare")?);
        Ok(number_variable(ordering as i8 as f64))
    });
    define(runtime, "equal_fold", two_strings(), |args| {
        Ok(Variable::Bool(equal_fold(
            string_arg(args, 0, "equal_fold")?,
            string_arg(args, 1, "equal_fold")?,
        )))
    });
    define(
        runtime,
        "replace",
        vec![Arg::String, Arg::String, Arg::String, Arg::Number],
        replace,
    );
    define(
        runtime,
        "replace_all",
        vec![Arg::String, Arg::String, Arg::String],
        |args| {
            let text = string_arg(args, 0, "replace_all")?;
            let old = string_arg(args, 1, "replace_all")?;
            let new = string_arg(args, 2, "replace_all")?;
            Ok(string(go_replace(text, old, new, -1)))
        },
    );
    define(runtime, "to_upper", vec![Arg::String], |args| {
        Ok(string(string_arg(args, 0, "to_upper")?.to_uppercase()))
    });
    define(runtime, "to_lower", vec![Arg::String], |args| {
        Ok(string(string_arg(args, 0, "to_lower")?.to_lowercase()))
    });
    define(runtime, "trim", two_strings(), |args| {
        let cutset = string_arg(args, 1, "trim")?;
        let trimmed = string_arg(args, 0, "trim")?.trim_matches(|c| cutset.contains(c));
        Ok(string(trimmed))
    });
    define(runtime, "trim_prefix", two_strings(), |args| {
        let text = string_arg(args, 0, "trim_prefix")?;
        let prefix = string_arg(args, 1, "trim_prefix")?;
        Ok(string(text.strip_prefix(prefix).unwrap_or(text)))
    });
    define(runtime, "split", two_strings(), |args| {
        let text = string_arg(args, 0, "split")?;
        let separator = string_arg(args, 1, "split")?;
        Ok(Variable::Array(
            go_split(text, separator)
                .into_iter()
                .map(|part| Rcvar::new(string(part)))
                .collect(),
        ))
    });
    define(
        runtime,
        "truncate",
        vec![Arg::String, Arg::Number],
        |args| {
            let text = string_arg(args, 0, "truncate")?;
            let length = number_arg(args, 1, "truncate")?.max(0.0);
            // Saturating float-to-int conversion: any length past the text keeps it whole.
            let keep = length as usize;
            Ok(string(text.chars().take(keep).collect::<String>()))
        },
    );
    define(runtime, "to_boolean", vec![Arg::String], |args| {
        let text = string_arg(args, 0, "to_boolean")?;
        match text.to_lowercase().as_str() {
            "true" => Ok(Variable::Bool(true)),
            "false" => Ok(Variable::Bool(false)),
            _ => Err(function_error(
                "to_boolean",
                format!("lowercase argument must be 'true' or 'false' (provided: '{text}')"),
            )),
        }
    });
    define(runtime, "base64_decode", vec![Arg::String], |args| {
        // Go's StdEncoding skips line breaks in its input.
        let text: String = string_arg(args, 0, "base64_decode")?
            .chars()
            .filter(|c| *c != '\n' && *c != '\r')
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|error| format!("illegal base64 data: {error}"))?;
        Ok(string(String::from_utf8_lossy(&bytes).into_owned()))
    });
    define(runtime, "base64_encode", vec![Arg::String], |args| {
        let text = string_arg(args, 0, "base64_encode")?;
        Ok(string(
            base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
        ))
    });
    define(runtime, "path_canonicalize", vec![Arg::String], |args| {
        Ok(string(go_path_join(string_arg(
            args,
            0,
            "path_canonicalize",
        )?)))
    });
    define(runtime, "sha256", vec![Arg::String], |args| {
        let digest = Sha256::digest(string_arg(args, 0, "sha256")?.as_bytes());
        Ok(string(
            digest
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>(),
        ))
    });
}

/// `replace(text, old, new, n)`: Go's `strings.Replace`, where a negative
/// count replaces every occurrence.
fn replace(args: &[Rcvar]) -> Outcome {
    let text = string_arg(args, 0, "replace")?;
    let old = string_arg(args, 1, "replace")?;
    let new = string_arg(args, 2, "replace")?;
    let count = number_arg(args, 3, "replace")?;
    // Go truncates the float64 to an int; saturate instead of wrapping.
    Ok(string(go_replace(text, old, new, count as i64)))
}

/// Go's `strings.Replace`: at most `limit` replacements (all when negative);
/// an empty `old` matches before every character and at the end.
pub(super) fn go_replace(text: &str, old: &str, new: &str, limit: i64) -> String {
    if limit == 0 || old == new {
        return text.to_owned();
    }
    if !old.is_empty() {
        return match usize::try_from(limit) {
            Ok(limit) => text.replacen(old, new, limit),
            Err(_) => text.replace(old, new),
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut remaining = limit;
    for c in text.chars() {
        if remaining != 0 {
            out.push_str(new);
            remaining -= 1;
        }
        out.push(c);
    }
    if remaining != 0 {
        out.push_str(new);
    }
    out
}

/// Go's `strings.Split`: an empty separator splits into characters.
fn go_split<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    if separator.is_empty() {
        return text
            .char_indices()
            .map(|(i, c)| &text[i..i + c.len_utf8()])
            .collect();
    }
    text.split(separator).collect()
}

/// Go's `strings.EqualFold`, with Unicode case mapping per character.
fn equal_fold(a: &str, b: &str) -> bool {
    let mut left = a.chars();
    let mut right = b.chars();
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                if x != y
                    && !x.to_lowercase().eq(y.to_lowercase())
                    && !x.to_uppercase().eq(y.to_uppercase())
                {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Go's `filepath.Join` of one element on Linux: empty stays empty, otherwise
/// `Clean` (collapse slashes, drop `.`, resolve `..`).
fn go_path_join(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_replace_honours_count_and_empty_old() {
        assert_eq!(go_replace("aaa", "a", "b", 2), "bba");
        assert_eq!(go_replace("aaa", "a", "b", -1), "bbb");
        // Go inserts `new` around every character when `old` is empty.
        assert_eq!(go_replace("ab", "", "-", -1), "-a-b-");
        assert_eq!(go_replace("ab", "", "-", 2), "-a-b");
    }

    #[test]
    fn go_split_on_empty_separator_gives_characters() {
        assert_eq!(go_split("héy", ""), vec!["h", "é", "y"]);
        assert_eq!(go_split("a:b:", ":"), vec!["a", "b", ""]);
    }

    #[test]
    fn path_join_cleans_like_go() {
        assert_eq!(go_path_join("/a//b/./c/../d/"), "/a/b/d");
        assert_eq!(go_path_join("../a/.."), "..");
        assert_eq!(go_path_join("/.."), "/");
        assert_eq!(go_path_join("a/.."), ".");
    }

    #[test]
    fn equal_fold_ignores_case() {
        assert!(equal_fold("Kyverno", "kYVERNO"));
        assert!(!equal_fold("abc", "abd"));
        assert!(!equal_fold("abc", "ab"));
    }
}
