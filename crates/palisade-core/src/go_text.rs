//! Go's text forms that Kubernetes components print and Palisade must
//! reproduce byte for byte: `strconv.Quote` (the `%q` verb) and the
//! printability rule it uses. Shared by Pod Security's messages, the
//! admission statuses, and OPA's `sprintf` in the Gatekeeper engine.

use std::fmt::Write;

/// Go's `strconv.Quote` (`%q`): double-quoted, with `\"` and `\\`, the C escapes
/// `\a \b \f \n \r \t \v`, `\xNN` for other ASCII controls and DEL, `\uNNNN` or
/// `\UNNNNNNNN` for other non-printable characters; printable Unicode is kept.
/// Rust strings are valid UTF-8, so Go's `\xNN` for invalid bytes never arises.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_go_printable(c) => out.push(c),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x1_0000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint` without Unicode tables.
///
/// Go counts as printable the letters, marks, numbers, punctuation and symbols
/// (categories L, M, N, P, S) plus the ASCII space. This function rejects:
/// control characters (Cc), every space or separator except U+0020 (Zs, Zl, Zp),
/// the format characters (Cf) of Unicode 15, private-use characters (Co) and the
/// noncharacters (U+FDD0..U+FDEF and U+xxFFFE/U+xxFFFF). Everything else is taken as
/// printable. The difference from Go: code points unassigned in Go's Unicode
/// version (other than the noncharacters) are printable here but escaped by Go.
pub fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if u < 0x7f {
        return u >= 0x20;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !(is_format(u) || is_private_use(u) || is_noncharacter(u))
}

fn is_format(u: u32) -> bool {
    matches!(
        u,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

fn is_private_use(u: u32) -> bool {
    matches!(u, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

fn is_noncharacter(u: u32) -> bool {
    (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE
}
