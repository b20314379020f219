//! Finding the workspace's shared conformance data (`../shared` beside the
//! repository) from tests.
//!
//! The data is never copied into the repository. A clone outside the workspace
//! has no `../shared`: there the tests that need it say they are skipped and why.
//! CI sets `PALISADE_REQUIRE_CONFORMANCE`, which turns a missing folder into a
//! failure. The notice is written straight to the standard error handle, which
//! the test harness does not capture, so a passing-but-skipped test is visible.

use std::io::Write;
use std::path::{Path, PathBuf};

/// `<repo>/../shared/<relative>` located from a crate's `CARGO_MANIFEST_DIR`, when
/// the file or folder `<relative>/<marker>` exists. Otherwise `None` after printing
/// a skip notice, or a panic when `PALISADE_REQUIRE_CONFORMANCE` is set.
pub fn shared_dir(manifest_dir: &str, relative: &str, marker: &str) -> Option<PathBuf> {
    let dir = Path::new(manifest_dir)
        .join("../../../shared")
        .join(relative);
    if dir.join(marker).exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("PALISADE_REQUIRE_CONFORMANCE").is_none(),
        "PALISADE_REQUIRE_CONFORMANCE is set but {} is missing",
        dir.join(marker).display()
    );
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {} not found (this clone has no ../shared conformance data; CI requires it)",
        dir.join(marker).display()
    );
    None
}
