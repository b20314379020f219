//! `-o json`: one JSON document, `{"findings": [...], "summary": {...}}`.

use std::io::{self, Write};

use crate::Report;

/// Writes the report as pretty-printed JSON followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
