//! The who-talks-to-whom grid (`netpol matrix`): the same cells as a column
//! table, CSV or an HTML page.

use std::io::{self, Write};

use crate::{columns, csv};

/// Rows and columns are the same workloads; `cells[row][column]` is what the row
/// may open to the column (`-` for nothing, `self` on the diagonal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    pub names: Vec<String>,
    pub cells: Vec<Vec<String>>,
}

/// The top-left header cell.
const CORNER: &str = "from \\ to";

impl Matrix {
    fn rows(&self) -> Vec<Vec<String>> {
        self.names
            .iter()
            .zip(&self.cells)
            .map(|(name, cells)| {
                std::iter::once(name.clone())
                    .chain(cells.iter().cloned())
                    .collect()
            })
            .collect()
    }

    pub fn write_table(&self, out: &mut dyn Write) -> io::Result<()> {
        let header: Vec<&str> = std::iter::once(CORNER)
            .chain(self.names.iter().map(String::as_str))
            .collect();
        // The grid's meaning is in its alignment: it is never wrapped.
        columns::write(&header, &self.rows(), None, out)
    }

    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(
            csv::line(std::iter::once(CORNER).chain(self.names.iter().map(String::as_str)))
                .as_bytes(),
        )?;
        for row in self.rows() {
            out.write_all(csv::line(row.iter().map(String::as_str)).as_bytes())?;
        }
        Ok(())
    }

    pub fn write_html(&self, out: &mut dyn Write) -> io::Result<()> {
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let mut text = String::from(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>NetworkPolicy matrix</title>\n<style>table{border-collapse:collapse;font-family:sans-serif;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px}td.deny{background:#fdd}td.allow{background:#dfd}</style></head><body>\n<table>\n<tr><th>from \\ to</th>",
        );
        for name in &self.names {
            text.push_str(&format!("<th>{}</th>", esc(name)));
        }
        text.push_str("</tr>\n");
        for (name, cells) in self.names.iter().zip(&self.cells) {
            text.push_str(&format!("<tr><th>{}</th>", esc(name)));
            for value in cells {
                let class = if value == "-" { "deny" } else { "allow" };
                text.push_str(&format!("<td class=\"{class}\">{}</td>", esc(value)));
            }
            text.push_str("</tr>\n");
        }
        text.push_str("</table>\n</body></html>\n");
        out.write_all(text.as_bytes())
    }
}
