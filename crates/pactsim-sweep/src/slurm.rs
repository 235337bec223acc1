//! Batch scripts for Slurm: a job array with one element a unit (`SLURM_ARRAY_TASK_ID` is the
//! unit), and a merge job submitted with `--dependency=afterok:<array>`.

use std::fmt::Write as _;

/// What the scripts run, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The `pactsim` every node runs (an absolute path on the shared file system, or a name on
    /// the `PATH` after `module load`).
    pub binary: String,
    /// Absolute paths on the shared file system.
    pub manifest: String,
    pub parts: String,
    /// The merged JSON document.
    pub merged: String,
    /// Where Slurm writes each job's standard output and error.
    pub logs: String,
    /// The array's elements: every unit, or the missing ones (`array_spec`).
    pub array: String,
    /// At most this many elements at once (`%M`).
    pub throttle: Option<u64>,
    /// Lines of `#SBATCH` options for both jobs, such as `--partition=short` or `--time=00:30:00`.
    pub options: Vec<String>,
    /// Shell lines run before `pactsim` in both jobs, such as `module load pactsim`.
    pub setup: Vec<String>,
}

/// A word quoted for the shell.
pub fn quoted(word: &str) -> String {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-+=:,@%".contains(&b)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn header(job: &Job, name: &str, log: &str) -> String {
    let mut text = String::from("#!/bin/bash\n");
    let _ = writeln!(text, "#SBATCH --job-name={name}");
    let _ = writeln!(text, "#SBATCH --output={}/{log}", job.logs);
    for option in &job.options {
        let _ = writeln!(text, "#SBATCH {option}");
    }
    text
}

/// The array job: element K computes unit K's part (`pactsim sweep work`), idempotently, so a
/// requeued or resubmitted element is harmless.
pub fn array_script(job: &Job) -> String {
    let mut text = header(job, "pactsim-sweep", "unit-%a.log");
    let throttle = job.throttle.map(|m| format!("%{m}")).unwrap_or_default();
    let _ = writeln!(text, "#SBATCH --array={}{throttle}", job.array);
    text.push_str("#SBATCH --requeue\nset -euo pipefail\n");
    for line in &job.setup {
        let _ = writeln!(text, "{line}");
    }
    let _ = writeln!(
        text,
        "exec {} sweep work {} --unit \"$SLURM_ARRAY_TASK_ID\" -o {}",
        quoted(&job.binary),
        quoted(&job.manifest),
        quoted(&job.parts)
    );
    text
}

/// The merge job: folds the parts into the merged document (written under a temporary name and
/// renamed, so the file is whole or absent).
pub fn merge_script(job: &Job) -> String {
    let mut text = header(job, "pactsim-merge", "merge.log");
    text.push_str("set -euo pipefail\n");
    for line in &job.setup {
        let _ = writeln!(text, "{line}");
    }
    let merged = quoted(&job.merged);
    let temporary = format!("{merged}.tmp.\"$SLURM_JOB_ID\"");
    let _ = writeln!(
        text,
        "{} sweep merge {} {} --json > {temporary}",
        quoted(&job.binary),
        quoted(&job.manifest),
        quoted(&job.parts)
    );
    let _ = writeln!(text, "mv {temporary} {merged}");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_array_runs_one_unit_an_element_and_the_merge_writes_whole_files() {
        let job = Job {
            binary: "/opt/pactsim/bin/pactsim".into(),
            manifest: "/scratch/u1/sweep.json".into(),
            parts: "/scratch/u1/parts".into(),
            merged: "/scratch/u1/merged.json".into(),
            logs: "/scratch/u1/logs".into(),
            array: "0-15".into(),
            throttle: Some(4),
            options: vec!["--partition=short".into(), "--time=00:20:00".into()],
            setup: vec!["module load rust".into()],
        };
        let array = array_script(&job);
        assert!(array.contains("#SBATCH --array=0-15%4\n"), "{array}");
        assert!(array.contains("#SBATCH --partition=short\n#SBATCH --time=00:20:00\n"));
        assert!(array.contains("module load rust\nexec /opt/pactsim/bin/pactsim sweep work /scratch/u1/sweep.json --unit \"$SLURM_ARRAY_TASK_ID\" -o /scratch/u1/parts\n"), "{array}");
        let merge = merge_script(&job);
        assert!(merge.contains("sweep merge /scratch/u1/sweep.json /scratch/u1/parts --json > /scratch/u1/merged.json.tmp.\"$SLURM_JOB_ID\""), "{merge}");
        assert!(merge.ends_with("mv /scratch/u1/merged.json.tmp.\"$SLURM_JOB_ID\" /scratch/u1/merged.json\n"));
        assert_eq!(quoted("it's"), r"'it'\''s'");
    }
}
