//! Writers for connectivity lists: np-guard's txt form, and the JSON list of
//! `{"src","dst","conn"}` records that the conformance normaliser reads
//! (np-guard peer names and connection grammar).

use crate::connlist::ConnRecord;

/// `src => dst : conn`, np-guard's line format.
pub fn txt_line(r: &ConnRecord) -> String {
    format!("{} => {} : {}", r.src, r.dst, r.conn)
}

/// The whole list as np-guard prints it: one line per record, newline-terminated.
pub fn to_txt(records: &[ConnRecord]) -> String {
    let mut out = String::new();
    for r in records {
        out.push_str(&txt_line(r));
        out.push('\n');
    }
    out
}

/// A pretty-printed JSON array of `{"src","dst","conn"}` objects.
pub fn to_json(records: &[ConnRecord]) -> String {
    // Serializing plain strings cannot fail; fall back to an empty list anyway
    // rather than panic in library code.
    serde_json::to_string_pretty(records).unwrap_or_else(|_| "[]".to_owned())
}

/// `src,dst,conn` with a header; fields holding commas are quoted.
pub fn to_csv(records: &[ConnRecord]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::from("src,dst,conn\n");
    for r in records {
        out.push_str(&format!(
            "{},{},{}\n",
            field(&r.src),
            field(&r.dst),
            field(&r.conn.to_string())
        ));
    }
    out
}

/// A markdown pipe table with the header `| src | dst | conn |`.
pub fn to_md(records: &[ConnRecord]) -> String {
    let mut out = String::from("| src | dst | conn |\n|-----|-----|------|\n");
    for r in records {
        out.push_str(&format!("| {} | {} | {} |\n", r.src, r.dst, r.conn));
    }
    out
}

/// A Graphviz digraph: one node per peer, one labelled edge per record.
pub fn to_dot(records: &[ConnRecord]) -> String {
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
            quote(&r.conn.to_string())
        ));
    }
    out.push_str("}\n");
    out
}
