//! The one column-table writer: a header and rows, columns padded to their
//! widest cell and separated by three spaces. Given a width (a terminal's), the
//! last column wraps at spaces to fit, continuing under itself.

use std::io::{self, Write};

use crate::wrap::wrap;

/// Below this many characters the last column is not wrapped at all: a
/// too-narrow terminal gets long lines rather than one word per line.
const MIN_WRAPPED: usize = 30;

/// Writes `header` and `rows` as aligned columns. Rows shorter than the header
/// get empty cells.
pub fn write(
    header: &[&str],
    rows: &[Vec<String>],
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let columns = header.len();
    let cell = |row: &[String], c: usize| row.get(c).map_or("", String::as_str).to_owned();
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| cell(r, c).chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let indent: usize = widths
        .iter()
        .take(columns.saturating_sub(1))
        .map(|w| w + 3)
        .sum();
    let last_width = width
        .map(|w| w.saturating_sub(indent))
        .filter(|&w| w >= MIN_WRAPPED);
    let header_row: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::new();
        for (c, w) in widths.iter().enumerate().take(columns.saturating_sub(1)) {
            line.push_str(&format!("{:<w$}   ", cell(row, c)));
        }
        let last = cell(row, columns.saturating_sub(1));
        let pieces = match last_width {
            Some(w) => wrap(&last, w),
            None => vec![last],
        };
        for (i, piece) in pieces.iter().enumerate() {
            if i == 0 {
                writeln!(out, "{}", format!("{line}{piece}").trim_end())?;
            } else {
                writeln!(out, "{}{piece}", " ".repeat(indent))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(rows: &[Vec<String>], width: Option<usize>) -> String {
        let mut out = Vec::new();
        let written = write(&["KIND", "NAME", "VIA"], rows, width, &mut out);
        assert!(written.is_ok());
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn columns_align_and_the_last_one_wraps_to_the_width() {
        let rows = vec![vec![
            "User".to_owned(),
            "alice".to_owned(),
            "RoleBinding/shop/dev -> ClusterRole/edit rule #3".to_owned(),
        ]];
        assert_eq!(
            render(&rows, None),
            "KIND   NAME    VIA\nUser   alice   RoleBinding/shop/dev -> ClusterRole/edit rule #3\n"
        );
        assert_eq!(
            render(&rows, Some(50)),
            "KIND   NAME    VIA\nUser   alice   RoleBinding/shop/dev ->\n               ClusterRole/edit rule #3\n"
        );
        // Too narrow to wrap usefully: long lines instead.
        assert_eq!(render(&rows, Some(40)), render(&rows, None));
    }
}
