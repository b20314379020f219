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
        .map(|r| format!("{} => {} : {}\n", r.src, r.dst, r.conn))
        .collect()
}

/// A pretty-printed JSON array of `{"src","dst","conn"}` objects, newline-terminated.
pub fn to_json(records: &[Connection]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(records).map(|text| text + "\n")
}

/// `src,dst,conn` with a header.
pub fn to_csv(records: &[Connection]) -> String {
    let mut out = csv::line(["src", "dst", "conn"]);
    for r in records {
        out.push_str(&csv::line([
            r.src.as_str(),
            r.dst.as_str(),
            r.conn.as_str(),
        ]));
    }
    out
}

/// A markdown pipe table with the header `| src | dst | conn |`.
pub fn to_md(records: &[Connection]) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from("| src | dst | conn |\n|-----|-----|------|\n");
    for r in records {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&r.src),
            cell(&r.dst),
            cell(&r.conn)
        ));
    }
    out
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
