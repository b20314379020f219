//! The fuzz target's property over the fuzz corpora kept in the repository
//! (`fuzz/corpus/load`, hostile and odd YAML, and `fuzz/corpus/fix`): on any
//! input the loader reads, every fixer (the `--unsafe` ones too) runs
//! everywhere it can, and the result reads again with as many objects.

use std::path::Path;
use std::sync::Arc;

use palisade_fix::{FixOptions, fix_everything};
use palisade_load::{Limits, load_bytes};

#[test]
fn every_seed_that_reads_still_reads_after_fixing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let (mut read, mut changed) = (0, 0);
    for corpus in ["load", "fix"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(corpus))
            .expect("the fuzz corpus is in the repository")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).expect("readable");
            let name: Arc<str> = path.display().to_string().into();
            let Ok(before) = load_bytes(name.clone(), &bytes, &Limits::default()) else {
                continue;
            };
            read += 1;
            for unsafe_edits in [false, true] {
                let fix = fix_everything(name.clone(), &bytes, &[], FixOptions { unsafe_edits })
                    .unwrap_or_else(|e| panic!("{name}: fix refused what the loader read: {e}"));
                let after = load_bytes(name.clone(), &fix.fixed, &Limits::default())
                    .unwrap_or_else(|e| panic!("{name}: the fixed file does not read: {e}"));
                assert_eq!(after.objects.len(), before.objects.len(), "{name}");
                changed += usize::from(fix.changed());
            }
        }
    }
    assert!(read > 100, "{read} seeds read");
    assert!(changed > 10, "{changed} fixes changed a seed");
}
