//! `fix --diff`: a unified diff of one file, as `diff -u` and `git diff`
//! print it, made by the `similar` crate.

use similar::TextDiff;

/// The unified diff from `before` to `after` with 3 lines of context, headed
/// `--- a/<file>` and `+++ b/<file>`; empty when they are equal.
pub fn unified_diff(file: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{file}"), &format!("b/{file}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn headers_hunks_and_nothing_for_equal_texts() {
        assert_eq!(super::unified_diff("f.yaml", "a\n", "a\n"), "");
        assert_eq!(
            super::unified_diff("f.yaml", "a\nb\n", "a\nc\nb\n"),
            "--- a/f.yaml\n+++ b/f.yaml\n@@ -1,2 +1,3 @@\n a\n+c\n b\n"
        );
    }
}
