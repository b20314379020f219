//! Text helpers shared by the checks: quote-lists, pluralisation, setter lists,
//! sorted sets, and Go's `%q` quoting.

/// Each item in double quotes, joined by `, `. Items are inserted raw: embedded
/// quotes are not escaped (upstream does the same).
pub(crate) fn quote_list<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(item.as_ref());
        out.push('"');
    }
    out
}

/// `singular` when `n == 1`, otherwise `plural` (zero takes the plural).
pub(crate) fn plural<'a>(n: usize, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 { singular } else { plural }
}

/// `container "a"` or `containers "a", "b"`.
pub(crate) fn containers_phrase<S: AsRef<str>>(names: &[S]) -> String {
    named_phrase("container", "containers", names)
}

/// `<singular> "a"` or `<plural> "a", "b"`.
pub(crate) fn named_phrase<S: AsRef<str>>(singular: &str, many: &str, names: &[S]) -> String {
    format!(
        "{} {}",
        plural(names.len(), singular, many),
        quote_list(names)
    )
}

/// Sorts in byte order and removes duplicates.
pub(crate) fn sorted_set<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort_unstable();
    items.dedup();
    items
}

/// Collects setter phrases (`pod`, `container "a"`, ...) and joins them with ` and `.
#[derive(Default)]
pub(crate) struct Setters(Vec<String>);

impl Setters {
    pub fn new() -> Self {
        Setters::default()
    }

    /// Adds `pod` when `bad`.
    pub fn pod(&mut self, bad: bool) -> &mut Self {
        if bad {
            self.0.push("pod".to_owned());
        }
        self
    }

    /// Adds `container(s) "…"` when there are any.
    pub fn containers(&mut self, names: &[&str]) -> &mut Self {
        if !names.is_empty() {
            self.0.push(containers_phrase(names));
        }
        self
    }

    /// Adds an arbitrary phrase.
    pub fn phrase(&mut self, phrase: &str) -> &mut Self {
        self.0.push(phrase.to_owned());
        self
    }

    pub fn joined(&self) -> String {
        self.0.join(" and ")
    }
}

pub use palisade_core::go_text::go_quote;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_list_does_not_escape() {
        assert_eq!(quote_list(["a", "b\"c"]), r#""a", "b"c""#);
        assert_eq!(quote_list(Vec::<String>::new()), "");
    }

    #[test]
    fn plural_uses_singular_only_for_one() {
        assert_eq!(plural(0, "x", "xs"), "xs");
        assert_eq!(plural(1, "x", "xs"), "x");
        assert_eq!(plural(2, "x", "xs"), "xs");
    }

    #[test]
    fn phrases_and_setters() {
        assert_eq!(containers_phrase(&["a"]), r#"container "a""#);
        assert_eq!(containers_phrase(&["a", "b"]), r#"containers "a", "b""#);
        let mut s = Setters::new();
        s.pod(true).containers(&["a"]).phrase("annotations");
        assert_eq!(s.joined(), r#"pod and container "a" and annotations"#);
        let mut empty = Setters::new();
        empty.pod(false).containers(&[]);
        assert_eq!(empty.joined(), "");
    }

    #[test]
    fn sorted_set_sorts_bytes_and_dedups() {
        assert_eq!(sorted_set(vec!["b", "B", "a", "b"]), ["B", "a", "b"]);
        assert_eq!(sorted_set(vec!["8080", "10443", "8080"]), ["10443", "8080"]);
    }

    #[test]
    fn go_quote_matches_strconv_quote() {
        assert_eq!(go_quote(""), r#""""#);
        assert_eq!(go_quote("unconfined"), r#""unconfined""#);
        assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(go_quote("l1\nl2\tx\r"), r#""l1\nl2\tx\r""#);
        assert_eq!(go_quote("\u{7}\u{8}\u{c}\u{b}"), r#""\a\b\f\v""#);
        assert_eq!(go_quote("\u{0}\u{1b}\u{7f}"), r#""\x00\x1b\x7f""#);
        // C1 control, no-break space, zero-width space, BOM, line separator.
        assert_eq!(
            go_quote("\u{85}\u{a0}\u{200b}\u{feff}\u{2028}"),
            r#""\u0085\u00a0\u200b\ufeff\u2028""#
        );
        // Printable Unicode is kept, including astral symbols.
        assert_eq!(go_quote("héllo 世界 😀 ∑"), "\"héllo 世界 😀 ∑\"");
        // Astral non-printables use \U with 8 digits.
        assert_eq!(go_quote("\u{e0001}\u{f0000}"), r#""\U000e0001\U000f0000""#);
        assert_eq!(go_quote("\u{fffe}\u{e000}"), r#""\ufffe\ue000""#);
        assert_eq!(go_quote("\u{fffd}"), "\"\u{fffd}\"");
    }
}
