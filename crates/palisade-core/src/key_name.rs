//! Mapping-key names, shared between the mappings that use them.
//!
//! A manifest repeats a small vocabulary of keys (`apiVersion`, `metadata`,
//! `name`, `containers`, ...) hundreds of thousands of times, and mapping
//! entries are most of a loaded input's memory. A key's name is therefore an
//! [`ArcStr`]: one pointer (8 bytes, against 24 for an inline string), to a
//! reference-counted copy of the name that every entry with that name shares.
//! A mapping entry is 48 bytes with it instead of 64 (the sizes are pinned by a
//! test in `node.rs`).
//!
//! Sharing goes through a cache per thread (the loader's files are read on
//! rayon's threads): a name seen before on this thread is a reference count
//! increment, a new one is one allocation. The cache is bounded
//! ([`CACHE_LIMIT`] names, emptied when full) so that a long-running process
//! fed hostile keys, such as the webhook, keeps a bounded cache; names already
//! in trees stay valid because each tree holds its own references. Its hasher
//! is seeded per process, so chosen keys cannot force collisions.

use std::cell::RefCell;

pub use arcstr::ArcStr;

/// The type of [`Key::name`](crate::node::Key::name).
pub type KeyName = ArcStr;

/// Names cached per thread before the cache starts again from empty.
pub const CACHE_LIMIT: usize = 16 * 1024;

/// Longer names are not cached: they are rare (long annotation keys), and
/// caching them would let a few hostile keys hold much memory.
const CACHED_LENGTH: usize = 128;

thread_local! {
    static NAMES: RefCell<foldhash::HashSet<ArcStr>> = RefCell::new(foldhash::HashSet::default());
}

/// The shared name for `text`.
pub fn key_name(text: &str) -> KeyName {
    if text.is_empty() {
        return ArcStr::new();
    }
    if text.len() > CACHED_LENGTH {
        return ArcStr::from(text);
    }
    NAMES.with(|names| {
        let Ok(mut names) = names.try_borrow_mut() else {
            return ArcStr::from(text);
        };
        if let Some(name) = names.get(text) {
            return name.clone();
        }
        if names.len() >= CACHE_LIMIT {
            names.clear();
        }
        let name = ArcStr::from(text);
        names.insert(name.clone());
        name
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_name_is_one_allocation() {
        let a = key_name("containers");
        let b = key_name(&String::from("containers"));
        assert!(ArcStr::ptr_eq(&a, &b));
        assert_eq!(a, "containers");
    }

    #[test]
    fn long_and_empty_names_are_not_cached_but_read_back() {
        let long = "k".repeat(CACHED_LENGTH + 1);
        let a = key_name(&long);
        let b = key_name(&long);
        assert!(!ArcStr::ptr_eq(&a, &b));
        assert_eq!(a, long);
        assert_eq!(key_name(""), "");
    }

    #[test]
    fn a_full_cache_starts_again_and_old_names_stay_valid() {
        let first = key_name("first-name-in-the-cache");
        for i in 0..CACHE_LIMIT + 10 {
            key_name(&format!("filler-{i}"));
        }
        NAMES.with(|names| assert!(names.borrow().len() <= CACHE_LIMIT));
        assert_eq!(first, "first-name-in-the-cache");
        let again = key_name("first-name-in-the-cache");
        assert_eq!(again, first);
    }
}
