//! Paths as `ignore-paths` globs see them: relative to the folder of the
//! configuration file, with `/` separators. Resolved lexically (`.` and `..`
//! folded, symbolic links not followed) so that the pass reads no file system;
//! the caller gives the working directory.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against `cwd`, with `.` and `..` folded.
pub fn normalize(cwd: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `file` relative to `folder` with `/` separators, or `None` when it is not
/// below it. Both are resolved against `cwd`.
pub fn relative(cwd: &Path, folder: &Path, file: &Path) -> Option<String> {
    let folder = normalize(cwd, folder);
    let file = normalize(cwd, file);
    let rest = file.strip_prefix(&folder).ok()?;
    let parts: Vec<String> = rest
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_relative_to_the_config_folder() {
        let cwd = Path::new("/repo/app");
        assert_eq!(
            relative(cwd, Path::new(".."), Path::new("vendor/x.yaml")),
            Some("app/vendor/x.yaml".into())
        );
        assert_eq!(
            relative(cwd, Path::new("/repo"), Path::new("./a/../b.yaml")),
            Some("app/b.yaml".into())
        );
        assert_eq!(
            relative(cwd, Path::new("/other"), Path::new("b.yaml")),
            None
        );
        assert_eq!(
            relative(cwd, Path::new(""), Path::new("/repo/app/c/d.yaml")),
            Some("c/d.yaml".into())
        );
    }
}
