//! Fuzzes `palisade fix`: on any input the loader reads, every fixer (the
//! `--unsafe` ones too) runs everywhere it can, and the result must read
//! again, with the same number of objects. `fix` verifies each edit by
//! reading it back, so a failure here is a verification gap, and a panic is
//! a bug in the edit planning.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use palisade_fix::{FixOptions, fix_everything};
use palisade_load::{Limits, load_bytes};

fuzz_target!(|data: &[u8]| {
    if data.len() > 64 * 1024 {
        return;
    }
    let Ok(before) = load_bytes(Arc::from("fuzz.yaml"), data, &Limits::default()) else {
        return;
    };
    for unsafe_edits in [false, true] {
        let fix = fix_everything(Arc::from("fuzz.yaml"), data, &[], FixOptions { unsafe_edits })
            .expect("fix reads what the loader read");
        let after = load_bytes(Arc::from("fuzz.yaml"), &fix.fixed, &Limits::default())
            .expect("the fixed file reads");
        assert_eq!(after.objects.len(), before.objects.len());
    }
});
