//! `--keep-paths FILE`: every path's totals and yearly figures as CSV, one row per path, written as
//! the run goes so memory stays flat.
//!
//! Columns: `path`, then the totals (named as in the run output, with `recouped` and `snapback`
//! as 0/1 and `irr_multiple_roots` as 0/1), then `<figure>_<year>` for each calendar year.
//! A figure that does not exist on a path (an IRR without a sign change, a year never recouped) is
//! an empty cell. Numbers are printed in Rust's shortest round-trip form, so the file reproduces
//! bit for bit. A deal with nothing random keeps its one path.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use pactsim::deal::Deal;
use pactsim::montecarlo::Layout;

pub struct KeptPaths {
    file: PathBuf,
    out: BufWriter<File>,
    /// The first write error: the sink cannot return one, so it is kept and reported at the end.
    error: Option<std::io::Error>,
}

impl KeptPaths {
    pub fn create(file: &Path, deal: &Deal) -> anyhow::Result<Self> {
        use chrono::Datelike;
        let out = File::create(file).with_context(|| format!("cannot write {}", file.display()))?;
        let mut kept = KeptPaths { file: file.to_path_buf(), out: BufWriter::new(out), error: None };
        let columns = Layout::of(deal).kept_columns(deal.start.year());
        kept.line(|out| writeln!(out, "path,{}", columns.join(",")));
        Ok(kept)
    }

    pub fn write(&mut self, path: u64, figures: &[Option<f64>]) {
        self.line(|out| {
            write!(out, "{path}")?;
            for value in figures {
                match value {
                    Some(v) => write!(out, ",{v:?}")?,
                    None => write!(out, ",")?,
                }
            }
            writeln!(out)
        });
    }

    fn line(&mut self, write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) {
        if self.error.is_none()
            && let Err(error) = write(&mut self.out)
        {
            self.error = Some(error);
        }
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error).with_context(|| format!("cannot write {}", self.file.display()));
        }
        self.out.flush().with_context(|| format!("cannot write {}", self.file.display()))
    }
}
