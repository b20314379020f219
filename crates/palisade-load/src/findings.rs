//! Parser-differential findings: turning the builder's [`Note`]s into [`Finding`]s.
//!
//! Each note marks a place where kubectl (go-yaml v2, YAML 1.1, last key wins,
//! merges in document order) and another reader of the same file (a reviewer, a
//! YAML 1.2 tool, a scanner keeping the first duplicate) can disagree about what
//! the cluster will receive. That disagreement is how a manifest slips past review.

use std::sync::Arc;

use super::build::Note;
use super::scalar::{Coercion, resolve_plain};
use palisade_core::finding::{Finding, Severity};
use palisade_core::node::{Pos, Value};
use palisade_core::object::{Object, ObjectRef, SourceRef};

// The rule ids come from the rules' declarations in the `yaml` analyzer, which
// reports these findings: one place to name them.
const DUPLICATE_KEY: &str = palisade_core::yaml_notes::DUPLICATE_KEY.id;
const MERGE_OVERRIDE: &str = palisade_core::yaml_notes::MERGE_OVERRIDE.id;
const YAML11_COERCION: &str = palisade_core::yaml_notes::YAML11_COERCION.id;

/// The object a position belongs to: the last one of the document that starts at or
/// before it (list items come in source order).
fn owner(objects: &[Object], pos: Pos) -> Option<ObjectRef> {
    objects
        .iter()
        .rev()
        .find(|o| o.source().pos <= pos)
        .or_else(|| objects.first())
        .map(|o| o.reference().clone())
}

/// What kubectl makes of a coerced plain scalar, for the message.
fn kubectl_reading(text: &str) -> String {
    match resolve_plain(text).0 {
        super::scalar::Resolved::Bool(b) => format!("boolean {b}"),
        super::scalar::Resolved::Int(i) => format!("the number {i}"),
        super::scalar::Resolved::Uint(u) => format!("the number {u}"),
        super::scalar::Resolved::Float(f) => match super::build::json_number(f) {
            Ok(Value::Int(i)) => format!("the number {i}"),
            _ => format!("the number {f}"),
        },
        _ => format!("the string {text:?}"),
    }
}

fn yaml12_reading(text: &str, kind: Coercion) -> String {
    match kind {
        Coercion::Bool | Coercion::Underscore | Coercion::Binary => format!("the string {text:?}"),
        Coercion::LegacyOctal => {
            let decimal = text.trim_start_matches(['+', '-']).trim_start_matches('0');
            format!(
                "the decimal number {}",
                if decimal.is_empty() { "0" } else { decimal }
            )
        }
    }
}

fn canonical(text: &str) -> String {
    let reading = kubectl_reading(text);
    reading
        .strip_prefix("boolean ")
        .or_else(|| reading.strip_prefix("the number "))
        .unwrap_or(&reading)
        .to_owned()
}

/// Converts one document's notes, attributing each to the object it sits in.
pub(crate) fn convert(
    notes: &mut Vec<Note>,
    file: &Arc<str>,
    objects: &[Object],
    out: &mut Vec<Finding>,
) {
    for note in notes.drain(..) {
        let finding = match note {
            Note::Duplicate {
                key,
                first,
                second,
                security,
            } => Finding::new(
                DUPLICATE_KEY,
                if security { Severity::High } else { Severity::Medium },
                format!(
                    "duplicate key `{key}` at lines {} and {}: kubectl silently keeps the last value (line {}); a reader or tool that takes the first one sees a different object",
                    first.line, second.line, second.line
                ),
                &SourceRef { file: file.clone(), pos: second },
                owner(objects, second),
            )
            .with_remediation(format!("Keep a single `{key}` entry in this mapping.")),
            Note::MergeOverride {
                key,
                explicit,
                merge,
                security,
            } => Finding::new(
                MERGE_OVERRIDE,
                if security { Severity::High } else { Severity::Medium },
                format!(
                    "the `<<` merge at line {} overrides `{key}` set explicitly at line {}: kubectl (go-yaml v2) applies merges in document order, so the merged value wins, while the YAML merge spec and most tools keep the explicit one",
                    merge.line, explicit.line
                ),
                &SourceRef { file: file.clone(), pos: explicit },
                owner(objects, explicit),
            )
            .with_remediation(format!(
                "Move the `<<` line above the explicit keys, or remove the explicit `{key}` so every reader agrees."
            )),
            Note::Coercion {
                text,
                kind,
                pos,
                key,
                is_key,
                security,
            } => {
                let severity = if security { Severity::Medium } else { Severity::Low };
                let (message, remediation) = if is_key {
                    (
                        format!(
                            "mapping key `{text}` becomes \"{}\" for kubectl (YAML 1.1); YAML 1.2 tools keep the key \"{text}\"",
                            canonical(&text)
                        ),
                        format!("Quote the key (\"{text}\":) if the name was meant literally."),
                    )
                } else {
                    let under = key.map(|k| format!(" (under `{k}`)")).unwrap_or_default();
                    (
                        format!(
                            "`{text}`{under} is {} for kubectl (YAML 1.1) but {} for YAML 1.2 tools",
                            kubectl_reading(&text),
                            yaml12_reading(&text, kind)
                        ),
                        format!(
                            "Write the canonical value `{}`, or quote it (\"{text}\") if a string was meant.",
                            canonical(&text)
                        ),
                    )
                };
                Finding::new(
                    YAML11_COERCION,
                    severity,
                    message,
                    &SourceRef { file: file.clone(), pos },
                    owner(objects, pos),
                )
                .with_remediation(remediation)
            }
        };
        out.push(finding);
    }
}
