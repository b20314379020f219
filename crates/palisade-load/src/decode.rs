//! Turning a file's bytes into text the way kubectl's `FileVisitor` does.
//!
//! kubectl wraps every file in a BOM-aware decoder: a UTF-8 byte-order mark is
//! dropped, and a UTF-16 (LE or BE) mark switches the whole file to UTF-16. Any
//! other input must be UTF-8; we refuse invalid UTF-8 up front, with the line and
//! column of the first bad byte, so that every later stage works on `&str`.

use std::borrow::Cow;

use palisade_core::node::Pos;

/// Why the bytes are not text: where, and what is wrong.
#[derive(Debug)]
pub(crate) struct DecodeError {
    pub pos: Pos,
    pub message: String,
}

/// Decodes `bytes` to text, stripping a byte-order mark. Borrowed when the input is
/// already UTF-8 (the common case costs one validation pass and no copy).
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(err) => {
            let good = &bytes[..err.valid_up_to()];
            Err(DecodeError {
                pos: end_position(good),
                message: format!(
                    "invalid UTF-8 (byte 0x{:02x} at offset {})",
                    bytes.get(err.valid_up_to()).copied().unwrap_or(0),
                    err.valid_up_to()
                ),
            })
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    let units = bytes.chunks(2).map(|pair| match pair {
        [a, b] => unit([*a, *b]),
        // An odd trailing byte cannot be a code unit; make it a lone surrogate so
        // the decoder below reports it.
        _ => 0xD800,
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    for ch in char::decode_utf16(units) {
        match ch {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(DecodeError {
                    pos: end_position(text.as_bytes()),
                    message: "invalid UTF-16 (unpaired surrogate or odd length)".to_owned(),
                });
            }
        }
    }
    Ok(text)
}

/// The position just after `good`, i.e. of the first character that follows it.
pub(crate) fn end_position(good: &[u8]) -> Pos {
    let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    // `good` is valid UTF-8 up to here, so counting non-continuation bytes counts chars.
    let col = good[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    Pos::new(clamp(line), clamp(col))
}

pub(crate) fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_are_stripped_and_utf16_decoded() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1").ok().as_deref(), Some("a: 1"));
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("k: v".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le).ok().as_deref(), Some("k: v"));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("k: é".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be).ok().as_deref(), Some("k: é"));
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = decode(b"a: 1\nbb: \xFF").err();
        assert_eq!(err.map(|e| e.pos), Some(Pos::new(2, 5)));
        assert!(decode(&[0xFF, 0xFE, 0x41]).is_err());
    }
}
