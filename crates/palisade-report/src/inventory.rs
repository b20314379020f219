//! `palisade inventory -o json`: the objects as loaded, as `kubectl ... -o json`
//! prints them: one object as itself, several as a `List`.

use std::io::{self, Write};

use palisade_core::Object;
use serde_json::json;

pub fn write_json(objects: &[Object], out: &mut dyn Write) -> io::Result<()> {
    let roots: Vec<_> = objects.iter().map(Object::root).collect();
    match roots.as_slice() {
        [single] => serde_json::to_writer_pretty(&mut *out, single),
        many => serde_json::to_writer_pretty(
            &mut *out,
            &json!({"apiVersion": "v1", "kind": "List", "items": many, "metadata": {"resourceVersion": ""}}),
        ),
    }
    .map_err(io::Error::other)?;
    writeln!(out)
}
