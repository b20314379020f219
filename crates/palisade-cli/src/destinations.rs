//! Where a findings report goes: `-o FORMAT` to standard output, `-o
//! FORMAT=FILE` to a file, repeatable (`-o table -o sarif=report.sarif -o
//! json=report.json`). At most one goes to standard output and no file is
//! named twice; both are checked before any input is read.
//!
//! Files are written atomically: the report goes to a temporary file in the
//! same directory, which is then renamed over the target, so an interrupted
//! run leaves either the old file or the whole new one, never half of one.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use palisade_report::Format;

/// The formats a findings report can be written in.
pub const FINDINGS_FORMATS: [Format; 5] = [
    Format::Table,
    Format::Json,
    Format::Sarif,
    Format::Junit,
    Format::PolicyReport,
];

/// One `-o`: a format, and the file it goes to (standard output when `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    pub format: Format,
    pub file: Option<PathBuf>,
}

/// Parses `FORMAT` or `FORMAT=FILE` (the file may itself contain `=`).
pub fn parse_destination(text: &str) -> Result<Destination, String> {
    parse_destination_among(text, &FINDINGS_FORMATS)
}

/// [`parse_destination`] for a command that writes `formats`.
pub fn parse_destination_among(text: &str, formats: &[Format]) -> Result<Destination, String> {
    let (format, file) = match text.split_once('=') {
        Some((format, "")) => {
            return Err(format!("-o {format}=: the file name is empty"));
        }
        Some((format, file)) => (format, Some(PathBuf::from(file))),
        None => (text, None),
    };
    Ok(Destination {
        format: Format::parse_among(format, formats)?,
        file,
    })
}

/// Refuses two reports on standard output and two reports in one file.
pub fn check_destinations(destinations: &[Destination]) -> Result<(), String> {
    let on_stdout: Vec<&str> = destinations
        .iter()
        .filter(|d| d.file.is_none())
        .map(|d| d.format.as_str())
        .collect();
    if on_stdout.len() > 1 {
        return Err(format!(
            "-o: {} all go to standard output; give all but one a file (-o FORMAT=FILE)",
            on_stdout.join(", ")
        ));
    }
    let mut files = HashSet::new();
    for file in destinations.iter().filter_map(|d| d.file.as_ref()) {
        if !files.insert(file) {
            return Err(format!("-o: {} is named twice", file.display()));
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same directory and
/// a rename. Errors name the file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".palisade-").suffix(".tmp");
    // tempfile creates private (0600) files; a report is an ordinary file,
    // created as any other (0666 less the umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temporary = builder.tempfile_in(dir).map_err(named)?;
    temporary.write_all(bytes).map_err(named)?;
    temporary.as_file().sync_all().map_err(named)?;
    temporary.persist(path).map_err(|e| named(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_parse_with_and_without_a_file() {
        assert_eq!(
            parse_destination("sarif=out/report.sarif"),
            Ok(Destination {
                format: Format::Sarif,
                file: Some(PathBuf::from("out/report.sarif"))
            })
        );
        assert_eq!(
            parse_destination("json=a=b.json").map(|d| d.file),
            Ok(Some(PathBuf::from("a=b.json")))
        );
        assert_eq!(
            parse_destination("table"),
            Ok(Destination {
                format: Format::Table,
                file: None
            })
        );
        assert!(parse_destination("json=").is_err());
        assert!(parse_destination("csv=x.csv").is_err());
    }

    #[test]
    fn one_report_on_stdout_and_one_per_file() {
        let d = |text: &str| parse_destination(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(check_destinations(&[d("table"), d("json=a.json"), d("sarif=b")]).is_ok());
        assert!(check_destinations(&[d("table"), d("json")]).is_err());
        assert!(check_destinations(&[d("json=a"), d("sarif=a")]).is_err());
    }

    #[test]
    fn atomic_writes_replace_the_whole_file_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let target = dir.path().join("report.json");
        assert!(std::fs::write(&target, "old and longer than the new one").is_ok());
        assert!(write_atomically(&target, b"new").is_ok());
        assert_eq!(std::fs::read(&target).ok(), Some(b"new".to_vec()));
        let entries = std::fs::read_dir(dir.path()).map(|d| d.count()).ok();
        assert_eq!(entries, Some(1));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |name: &str| {
                std::fs::metadata(dir.path().join(name))
                    .map(|m| m.permissions().mode() & 0o777)
                    .ok()
            };
            // The same mode as a file created the ordinary way (the umask's).
            assert!(write_atomically(&dir.path().join("atomic"), b"{}").is_ok());
            assert!(std::fs::write(dir.path().join("plain"), b"{}").is_ok());
            assert!(mode("plain").is_some());
            assert_eq!(mode("atomic"), mode("plain"));
        }
        let missing = dir.path().join("no/such/dir/report.json");
        let error = write_atomically(&missing, b"x").map_err(|e| e.to_string());
        assert!(
            error
                .as_ref()
                .is_err_and(|e| e.contains("no/such/dir/report.json")),
            "{error:?}"
        );
    }
}
