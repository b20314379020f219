//! Kyverno's anchors (`pkg/engine/anchor`): a pattern key wrapped as `(key)`,
//! `<(key)`, `=(key)`, `X(key)`, `^(key)` or `+(key)` changes how the key is
//! checked. Kyverno recognises a key as an anchor when it ends in `)` and
//! starts with `(` or with one of the modifiers `+ = X ^ <` before `(`; the
//! wrapped key must not be empty. Anything else is a literal key.

/// The kinds of anchor a pattern key can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnchorKind {
    /// `(key)`: the enclosing map applies only if `key` matches.
    Conditional,
    /// `<(key)`: the whole rule applies only if `key` matches.
    Global,
    /// `=(key)`: if `key` is present it must match.
    Equality,
    /// `X(key)`: `key` must be absent.
    Negation,
    /// `^(key)`: some element of the list at `key` must match each pattern element.
    Existence,
    /// `+(key)`: a mutate anchor; validation reads it as a plain key.
    AddIfNotPresent,
}

/// A parsed anchor: its kind and the key it wraps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor<'a> {
    pub kind: AnchorKind,
    pub key: &'a str,
}

impl AnchorKind {
    /// The modifier written before `(`.
    pub fn modifier(self) -> &'static str {
        match self {
            AnchorKind::Conditional => "",
            AnchorKind::Global => "<",
            AnchorKind::Equality => "=",
            AnchorKind::Negation => "X",
            AnchorKind::Existence => "^",
            AnchorKind::AddIfNotPresent => "+",
        }
    }

    /// Whether the validate engine handles this anchor specially (the
    /// add-if-not-present anchor is left to the plain-key handler).
    pub fn is_validation_anchor(self) -> bool {
        !matches!(self, AnchorKind::AddIfNotPresent)
    }
}

/// Parses a pattern key; `None` when it is a literal key.
pub fn parse(text: &str) -> Option<Anchor<'_>> {
    let inner = text.strip_suffix(')')?;
    let (kind, key) = if let Some(key) = inner.strip_prefix('(') {
        (AnchorKind::Conditional, key)
    } else {
        let kind = match inner.as_bytes().first()? {
            b'<' => AnchorKind::Global,
            b'=' => AnchorKind::Equality,
            b'X' => AnchorKind::Negation,
            b'^' => AnchorKind::Existence,
            b'+' => AnchorKind::AddIfNotPresent,
            _ => return None,
        };
        (kind, inner.get(1..)?.strip_prefix('(')?)
    };
    if key.is_empty() {
        return None;
    }
    Some(Anchor { kind, key })
}

/// Writes an anchor back as text (`X(key)`), as Kyverno's `anchor.String`.
pub fn format(kind: AnchorKind, key: &str) -> String {
    format!("{}({key})", kind.modifier())
}

#[cfg(test)]
mod tests {
    use super::{AnchorKind, format, parse};

    #[test]
    fn every_modifier_parses() {
        let cases = [
            ("(name)", AnchorKind::Conditional),
            ("<(image)", AnchorKind::Global),
            ("=(securityContext)", AnchorKind::Equality),
            ("X(hostPath)", AnchorKind::Negation),
            ("^(containers)", AnchorKind::Existence),
            ("+(dnsPolicy)", AnchorKind::AddIfNotPresent),
        ];
        for (text, kind) in cases {
            let anchor = parse(text);
            assert_eq!(anchor.map(|a| a.kind), Some(kind), "{text}");
            assert_eq!(anchor.map(|a| format(a.kind, a.key)).as_deref(), Some(text));
        }
        assert_eq!(parse("X(fluxcd.io/*)").map(|a| a.key), Some("fluxcd.io/*"));
    }

    #[test]
    fn literal_keys_are_not_anchors() {
        for text in [
            "name", "()", "X()", "Y(name)", "(name", "name)", "X", ")", "X(", "=name)",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
