//! Bounds on what one JMESPath evaluation may build. Kyverno has none; they
//! are ours, because a policy is untrusted input and JMESPath values share
//! their parts: `[@, @]` doubles a value's size at the cost of one step, so
//! forty of them in a pipe describe 2^40 nodes that a later flatten, a
//! projection, `to_string` or the conversion back to JSON would have to
//! materialise. Kubernetes objects and real policy queries stay orders of
//! magnitude below every bound here.

use jmespath::{Rcvar, Variable};

/// Largest weight of a value an evaluation may build: one per node, plus one
/// per eight bytes of each string.
pub(super) const MAX_VALUE_WEIGHT: usize = 1 << 18;

/// Most evaluation steps (AST nodes visited, elements flattened) in one
/// evaluation.
pub(super) const MAX_STEPS: usize = 1 << 20;

/// Longest string a function may build (`join`, `replace`, the regex
/// replacements), which can otherwise multiply the lengths of its inputs.
pub(super) const MAX_BUILT_STRING: usize = 1 << 23;

fn own_weight(value: &Variable) -> usize {
    match value {
        Variable::String(text) => 1 + text.len() / 8,
        _ => 1,
    }
}

/// Whether `value`, with its shared parts counted every time they occur,
/// weighs at most `limit`. Stops as soon as the limit is passed, so the cost
/// is bounded by the limit, not by the (possibly exponential) size.
pub(super) fn within_weight(value: &Variable, limit: usize) -> bool {
    let mut total = own_weight(value);
    let mut pending: Vec<&Variable> = vec![value];
    while let Some(current) = pending.pop() {
        let children: Box<dyn Iterator<Item = &Rcvar>> = match current {
            Variable::Array(items) => Box::new(items.iter()),
            Variable::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        for child in children {
            total = total.saturating_add(own_weight(child));
            if total > limit {
                return false;
            }
            pending.push(child);
        }
    }
    total <= limit
}

fn text_len(value: Option<&Rcvar>) -> usize {
    match value.map(|v| &**v) {
        Some(Variable::String(text)) => text.len(),
        // Numbers print in a few dozen characters at most.
        Some(Variable::Number(_)) => 32,
        _ => 0,
    }
}

/// An upper bound on the string `name` would build from `args`, for the
/// functions whose output length is a product of their inputs' lengths;
/// `None` for every other function.
pub(super) fn built_string_bound(name: &str, args: &[Rcvar]) -> Option<usize> {
    match name {
        "join" => {
            let glue = text_len(args.first());
            let Some(Variable::Array(items)) = args.get(1).map(|v| &**v) else {
                return Some(0);
            };
            let parts: usize = items.iter().map(|item| text_len(Some(item))).sum();
            Some(parts.saturating_add(glue.saturating_mul(items.len())))
        }
        "replace" | "replace_all" => {
            let (Some(Variable::String(text)), Some(Variable::String(old))) =
                (args.first().map(|v| &**v), args.get(1).map(|v| &**v))
            else {
                return Some(0);
            };
            // Go's strings.Replace: an empty `old` matches before every
            // character and at the end.
            let occurrences = if old.is_empty() {
                text.chars().count() + 1
            } else {
                text.matches(old.as_str()).count()
            };
            let new = text_len(args.get(2));
            Some(text.len().saturating_add(occurrences.saturating_mul(new)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doubled(times: usize) -> Variable {
        let mut value = Rcvar::new(Variable::String("ab".into()));
        for _ in 0..times {
            value = Rcvar::new(Variable::Array(vec![value.clone(), value]));
        }
        (*value).clone()
    }

    #[test]
    fn shared_parts_count_every_time_and_counting_stops_at_the_limit() {
        assert!(within_weight(&doubled(3), 15));
        assert!(!within_weight(&doubled(3), 14));
        // 2^60 leaves: answered after about `limit` nodes, not 2^60.
        assert!(!within_weight(&doubled(60), MAX_VALUE_WEIGHT));
    }

    #[test]
    fn long_strings_weigh_by_their_length() {
        let text = Variable::String("x".repeat(80));
        assert!(within_weight(&text, 11));
        assert!(!within_weight(&text, 10));
    }

    #[test]
    fn replacement_bounds_count_occurrences_as_go_does() {
        let args = |t: &str, o: &str, n: &str| {
            vec![
                Rcvar::new(Variable::String(t.into())),
                Rcvar::new(Variable::String(o.into())),
                Rcvar::new(Variable::String(n.into())),
            ]
        };
        assert_eq!(
            built_string_bound("replace_all", &args("aXa", "a", "bbb")),
            Some(9)
        );
        // An empty `old` matches at the 3 character boundaries plus the end.
        assert_eq!(
            built_string_bound("replace_all", &args("abc", "", "--")),
            Some(11)
        );
        let join = vec![
            Rcvar::new(Variable::String(", ".into())),
            Rcvar::new(Variable::Array(vec![
                Rcvar::new(Variable::String("a".into())),
                Rcvar::new(Variable::String("bc".into())),
            ])),
        ];
        assert_eq!(built_string_bound("join", &join), Some(7));
        assert_eq!(built_string_bound("to_upper", &join), None);
    }
}
