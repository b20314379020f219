//! mimalloc, tuned per command.
//!
//! mimalloc keeps freed pages for a while (v3's `purge_delay`, 1 s) and
//! commits whole arena chunks up front (`arena_eager_commit`), which is what
//! makes it fast for the webhook's build-and-free of a tree per request. A
//! batch command (`scan` and the rest) builds its trees once and keeps them,
//! so those two habits only raise its peak memory: on the scan_throughput
//! bench (ten copies of the corpus, one thread) load+scan peaked at 1.64 times
//! the input with both, 1.48 with either one off, 1.39 with both off (set
//! through the environment, `MIMALLOC_PURGE_DELAY=0
//! MIMALLOC_ARENA_EAGER_COMMIT=0`). `lean` turns both off from `main`, where
//! the first arena is already committed, so only the purge delay takes
//! effect: 1.48. `serve` keeps the defaults.
//!
//! The scan_throughput bench includes this file, so it measures what the
//! command runs.

use libmimalloc_sys::{mi_option_set, mi_option_t};

/// mimalloc v3's numbers (`mi_option_e` in `include/mimalloc.h`) for two options
/// the Rust bindings do not name. A test pins them by their default values.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
const PURGE_DELAY: mi_option_t = 15;

/// Freed memory goes back to the system at once, and arenas are committed as
/// they are used: the lowest peak for a process that loads and then reads.
pub fn lean() {
    // SAFETY: mi_option_set only stores a number in mimalloc's option table;
    // it is safe to call at any time, from any thread.
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 0);
        mi_option_set(PURGE_DELAY, 0);
    }
}

#[cfg(test)]
mod tests {
    // Paths instead of imports: the scan_throughput bench includes this file
    // in a test build without a test harness, where imports would be unused.
    /// If a mimalloc upgrade renumbers its options, `lean` would set the
    /// wrong ones: their documented defaults tell us the numbers still hold.
    #[test]
    fn option_numbers_name_the_options_lean_means() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some()
            || std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_some()
        {
            return;
        }
        // SAFETY: reads mimalloc's option table.
        let (eager, delay) = unsafe {
            (
                libmimalloc_sys::mi_option_get(super::ARENA_EAGER_COMMIT),
                libmimalloc_sys::mi_option_get(super::PURGE_DELAY),
            )
        };
        assert_eq!(
            eager, 2,
            "arena_eager_commit's default (2: on where the OS overcommits)"
        );
        assert_eq!(delay, 1000, "purge_delay's default in mimalloc v3 (ms)");
    }
}
