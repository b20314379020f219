//! Connection lists (`netpol connlist`): np-guard's text lines, the JSON list of
//! `{"src","dst","conn"}` records the conformance normaliser reads, CSV, a
//! markdown table and a Graphviz digraph. Callers pass plain records.

use palisade_netpol::ConnRecord;
use serde::Serialize;

use crate::csv;

/// One allowed connection: np-guard peer names and connection text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub src: String,
    pub dst: String,
    pub conn: String,
}

/// The engine's records as plain connections (the connection set as text).
pub fn connections(records: Vec<ConnRecord>) -> Vec<Connection> {
    records
        .into_iter()
        .map(|r| Connection {
            conn: r.conn.to_string(),
            src: r.src,
            dst: r.dst,
        })
        .collect()
}

/// `src => dst : conn`, np-guard's line format, one line per record.
pub fn to_text(records: &[Connection]) -> String {
    records
        .iter()
        .map(|r| text_line(&r.src, &r.dst, &r.conn))
        .collect()
}

fn text_line(src: &str, dst: &str, conn: &str) -> String {
    format!("{src} => {dst} : {conn}\n")
}

fn csv_row(src: &str, dst: &str, conn: &str) -> String {
    csv::line([src, dst, conn])
}

const MD_HEADER: &str = "| src | dst | conn |\n|-----|-----|------|\n";

fn md_row(src: &str, dst: &str, conn: &str) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    format!("| {} | {} | {} |\n", cell(src), cell(dst), cell(conn))
}

/// One `{"src","dst","conn"}` object as a pretty-printed array element (indented
/// by two spaces, as `to_string_pretty` of the whole array writes it).
fn json_element(src: &str, dst: &str, conn: &str) -> serde_json::Result<String> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        src: &'a str,
        dst: &'a str,
        conn: &'a str,
    }
    let element = serde_json::to_string_pretty(&Borrowed { src, dst, conn })?;
    let lines: Vec<String> = element.lines().map(|l| format!("  {l}")).collect();
    Ok(lines.join("\n"))
}

/// A pretty-printed JSON array of `{"src","dst","conn"}` objects, newline-terminated.
pub fn to_json(records: &[Connection]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(records).map(|text| text + "\n")
}

/// `src,dst,conn` with a header.
pub fn to_csv(records: &[Connection]) -> String {
    let mut out = csv_row("src", "dst", "conn");
    for r in records {
        out.push_str(&csv_row(&r.src, &r.dst, &r.conn));
    }
    out
}

/// A markdown pipe table with the header `| src | dst | conn |`.
pub fn to_md(records: &[Connection]) -> String {
    let mut out = String::from(MD_HEADER);
    for r in records {
        out.push_str(&md_row(&r.src, &r.dst, &r.conn));
    }
    out
}

/// Writes records as they come, in the formats that need no look-ahead (text,
/// CSV, markdown, JSON), so a list of millions of pairs costs the memory of one
/// record. The output is byte for byte what the `to_*` functions give.
pub struct StreamWriter<'w> {
    out: &'w mut dyn std::io::Write,
    format: StreamFormat,
    written: usize,
}

/// The formats [`StreamWriter`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamFormat {
    Text,
    Csv,
    Md,
    Json,
}

impl<'w> StreamWriter<'w> {
    /// Writes the header, if the format has one.
    pub fn begin(out: &'w mut dyn std::io::Write, format: StreamFormat) -> std::io::Result<Self> {
        match format {
            StreamFormat::Csv => out.write_all(csv_row("src", "dst", "conn").as_bytes())?,
            StreamFormat::Md => out.write_all(MD_HEADER.as_bytes())?,
            StreamFormat::Text | StreamFormat::Json => {}
        }
        Ok(StreamWriter {
            out,
            format,
            written: 0,
        })
    }

    pub fn record(&mut self, record: &ConnRecord) -> std::io::Result<()> {
        let (src, dst) = (record.src.as_str(), record.dst.as_str());
        let conn = record.conn.to_string();
        let text = match self.format {
            StreamFormat::Text => text_line(src, dst, &conn),
            StreamFormat::Csv => csv_row(src, dst, &conn),
            StreamFormat::Md => md_row(src, dst, &conn),
            StreamFormat::Json => {
                let lead = if self.written == 0 { "[\n" } else { ",\n" };
                lead.to_owned() + &json_element(src, dst, &conn).map_err(std::io::Error::other)?
            }
        };
        self.written += 1;
        self.out.write_all(text.as_bytes())
    }

    /// Closes the list.
    pub fn finish(self) -> std::io::Result<()> {
        if self.format == StreamFormat::Json {
            let close: &[u8] = if self.written == 0 { b"[]\n" } else { b"\n]\n" };
            self.out.write_all(close)?;
        }
        Ok(())
    }
}

/// A Graphviz digraph: one node per peer, one labelled edge per record.
pub fn to_dot(records: &[Connection]) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut peers: Vec<&str> = records
        .iter()
        .flat_map(|r| [r.src.as_str(), r.dst.as_str()])
        .collect();
    peers.sort_unstable();
    peers.dedup();
    let mut out = String::from("digraph connlist {\n");
    for peer in peers {
        out.push_str(&format!("  {};\n", quote(peer)));
    }
    for r in records {
        out.push_str(&format!(
            "  {} -> {} [label={}];\n",
            quote(&r.src),
            quote(&r.dst),
            quote(&r.conn)
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Connection {
        Connection {
            src: "shop/web[Deployment]".into(),
            dst: "0.0.0.0-255.255.255.255".into(),
            conn: "TCP 80,443".into(),
        }
    }

    #[test]
    fn streaming_writes_exactly_what_the_list_writers_write() {
        let records: Vec<ConnRecord> = ["a/x[Pod]", "b/y[Pod]", "c|z[Pod]"]
            .iter()
            .map(|dst| ConnRecord {
                src: "shop/web[Deployment]".into(),
                dst: (*dst).into(),
                conn: palisade_netpol::ConnSet::all(),
            })
            .collect();
        for n in [0, 1, 3] {
            let list = connections(records[..n].to_vec());
            for (format, expected) in [
                (StreamFormat::Text, to_text(&list)),
                (StreamFormat::Csv, to_csv(&list)),
                (StreamFormat::Md, to_md(&list)),
                (StreamFormat::Json, to_json(&list).unwrap_or_default()),
            ] {
                let mut out = Vec::new();
                let mut writer = StreamWriter::begin(&mut out, format).expect("begin");
                for r in &records[..n] {
                    writer.record(r).expect("record");
                }
                writer.finish().expect("finish");
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    expected,
                    "{format:?} with {n} records"
                );
            }
        }
    }

    #[test]
    fn every_writer_shows_the_record() {
        let records = [record()];
        assert_eq!(
            to_text(&records),
            "shop/web[Deployment] => 0.0.0.0-255.255.255.255 : TCP 80,443\n"
        );
        assert_eq!(
            to_csv(&records),
            "src,dst,conn\nshop/web[Deployment],0.0.0.0-255.255.255.255,\"TCP 80,443\"\n"
        );
        assert!(
            to_md(&records)
                .ends_with("| shop/web[Deployment] | 0.0.0.0-255.255.255.255 | TCP 80,443 |\n")
        );
        assert!(to_dot(&records).contains("\"shop/web[Deployment]\" -> "));
        assert!(to_json(&records).is_ok_and(|j| j.contains("\"conn\": \"TCP 80,443\"")));
    }
}
