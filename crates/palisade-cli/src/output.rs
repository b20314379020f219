//! Where a command's output goes: standard output (or nowhere with `--quiet`),
//! with the colour and width the terminal allows.

use std::io::{self, Write};

use palisade_report::terminal;

use crate::cli::{GlobalArgs, colour_wanted};

/// Standard output as the global flags shape it.
pub struct Output {
    pub colour: bool,
    /// The terminal's width, when writing to one.
    pub width: Option<usize>,
    writer: Box<dyn Write>,
}

impl Output {
    pub fn new(global: &GlobalArgs) -> Output {
        let writer: Box<dyn Write> = if global.quiet {
            Box::new(io::sink())
        } else {
            Box::new(io::BufWriter::new(io::stdout().lock()))
        };
        Output {
            colour: colour_wanted(global.color),
            width: terminal::stdout_width(),
            writer,
        }
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        &mut *self.writer
    }

    /// Writes `text` as it is.
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        self.writer.write_all(text.as_bytes())
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.writer.flush()
    }
}
