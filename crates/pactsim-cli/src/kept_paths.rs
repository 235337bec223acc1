//! `--keep-paths FILE`: every path's totals and yearly figures as CSV, one row per path, written as
//! the run goes so memory stays flat.
//!
//! Columns: `path`, then the totals (named as in the run output, with `recouped` and `snapback`
//! as 0/1 and `irr_multiple_roots` as 0/1), then `<figure>_<year>` for each calendar year.
//! A figure that does not exist on a path (an IRR without a sign change, a year never recouped) is
//! an empty cell. Numbers are printed in Rust's shortest round-trip form, so the file reproduces
//! bit for bit. A deal with nothing random keeps its one path.
//!
//! Like `--out`, the file is written under a temporary name beside the target and renamed into
//! place at the end, so an interrupted run never leaves a file that looks complete.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pactsim::deal::Deal;
use pactsim::montecarlo::Layout;

pub struct KeptPaths {
    target: PathBuf,
    temporary: PathBuf,
    out: csv::Writer<File>,
    /// One field's text, reused across fields.
    field: String,
    /// The first write error: the sink cannot return one, so it is kept and reported at the end.
    error: Option<csv::Error>,
}

impl KeptPaths {
    pub fn create(target: &Path, deal: &Deal) -> anyhow::Result<Self> {
        use chrono::Datelike;
        let name = target.file_name().with_context(|| format!("{} is not a file name", target.display()))?;
        let temporary = target.with_file_name(format!(".{}.partial", name.to_string_lossy()));
        let out =
            csv::Writer::from_path(&temporary).with_context(|| format!("cannot write {}", temporary.display()))?;
        let mut kept = KeptPaths { target: target.to_path_buf(), temporary, out, field: String::new(), error: None };
        let columns = Layout::of(deal).kept_columns(deal.start.year());
        let header = std::iter::once("path").chain(columns.iter().map(String::as_str));
        let written = kept.out.write_record(header);
        kept.keep_error(written);
        Ok(kept)
    }

    pub fn write(&mut self, path: u64, figures: &[Option<f64>]) {
        if self.error.is_some() {
            return;
        }
        let (field, out) = (&mut self.field, &mut self.out);
        let mut result = out.write_field(path.to_string());
        for value in figures {
            if result.is_err() {
                break;
            }
            field.clear();
            if let Some(v) = value {
                write!(field, "{v:?}").expect("writing to a String cannot fail");
            }
            result = out.write_field(&*field);
        }
        let result = result.and_then(|()| out.write_record(None::<&[u8]>));
        self.keep_error(result);
    }

    fn keep_error(&mut self, result: csv::Result<()>) {
        if let Err(error) = result {
            self.error.get_or_insert(error);
        }
    }

    /// Flushes the file and renames it into place, or reports the first write error.
    pub fn finish(mut self) -> anyhow::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error).with_context(|| format!("cannot write {}", self.temporary.display()));
        }
        self.out.flush().with_context(|| format!("cannot write {}", self.temporary.display()))?;
        std::fs::rename(&self.temporary, &self.target)
            .with_context(|| format!("renaming into {}", self.target.display()))
    }
}
