//! Writing result files so that an interrupted command never leaves one that looks complete.

use std::path::PathBuf;

use anyhow::Context;

/// Writes each file under a temporary name beside it (`.NAME.partial`), then renames them all into
/// place. A command stopped part-way leaves only files whose names say they are partial.
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> anyhow::Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (target, bytes) in files {
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temporary = target.with_file_name(format!(".{name}.partial"));
        std::fs::write(&temporary, bytes).with_context(|| format!("writing {}", temporary.display()))?;
        staged.push((temporary, target));
    }
    for (temporary, target) in staged {
        std::fs::rename(&temporary, target).with_context(|| format!("renaming into {}", target.display()))?;
    }
    Ok(())
}
