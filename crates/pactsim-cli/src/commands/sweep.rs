//! `pactsim sweep plan|work|merge|status|slurm`: an analysis as units of work. `plan` checks the
//! analysis as its own command would and writes a manifest with the deal files' texts in it;
//! `work` computes one unit and writes its part (atomically, the same bytes every time); `merge`
//! checks every part and assembles the document the analysis prints on one machine, through the
//! analysis's own command (`How::Sweep`); `slurm` writes (and submits) a job array and a merge job.
//!
//! The manifest and part formats, their checks and the unit arithmetic are `pactsim_sweep`'s; the
//! file reading and writing is here.

use std::cell::RefCell;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::{CommandFactory, FromArgMatches};
use indexmap::IndexMap;
use pactsim::analysis::{Crn, Evaluations};
use pactsim_sweep::{Manifest, Part, PartProblem, Plan, array_spec, gather, slurm};

use super::analysis::{DealText, How};
use crate::Failure;
use crate::progress::{ProgressChoice, with_bar};

/// The analyses a sweep can split.
const ANALYSES: [&str; 4] = ["compare", "sensitivity", "frontier", "run"];

#[derive(Debug, clap::Subcommand)]
pub enum SweepAction {
    /// Plan a sweep: the analysis as its own command takes it, e.g. `pactsim sweep plan
    /// sensitivity deal.toml --method sobol --n 256 --units 64 -o sweep.json`, or a run split by
    /// chunks of 128 paths (`pactsim sweep plan run deal.toml --paths 100000 --units 16 …`)
    Plan {
        /// The analysis and its arguments (compare, sensitivity, frontier or run ...); --units and
        /// -o may come among them
        #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
        analysis: Vec<String>,
        /// Units of work: contiguous groups of the analysis's evaluations, at most one a unit
        #[arg(long)]
        units: Option<u64>,
        /// The manifest to write
        #[arg(short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Compute one unit and write its part into a folder (idempotent: the same bytes each time)
    Work {
        /// The manifest `sweep plan` wrote
        manifest: PathBuf,
        /// The unit, from 0 (a job array's index)
        #[arg(long)]
        unit: u64,
        /// The folder of parts (created when missing)
        #[arg(short = 'o', value_name = "DIR")]
        parts: PathBuf,
        /// Show a progress bar even when standard error is not a terminal
        #[arg(long)]
        progress: bool,
    },
    /// Check every part and print the analysis's document, as the analysis's command would
    Merge {
        manifest: PathBuf,
        /// The folder of parts
        parts: PathBuf,
        /// Print the document as JSON
        #[arg(long)]
        json: bool,
        /// compare, run: also write their files into this folder (as the command's --out)
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// sensitivity --method sobol: write the design as CSV
        #[arg(long, value_name = "FILE")]
        design_out: Option<PathBuf>,
    },
    /// Which units are done, missing, corrupt or foreign (exit 1 unless all are done)
    Status { manifest: PathBuf, parts: PathBuf },
    /// Write a Slurm job array over the units and a merge job that depends on it (and submit
    /// them with --submit); sbatch options after `--`, e.g. `-- --partition=short --time=30`
    Slurm {
        manifest: PathBuf,
        /// The folder of parts (default: `parts` next to the manifest)
        #[arg(long, value_name = "DIR")]
        parts: Option<PathBuf>,
        /// The merged JSON document (default: `merged.json` next to the manifest)
        #[arg(long, value_name = "FILE")]
        merged: Option<PathBuf>,
        /// The pactsim the nodes run (default: this one, by its absolute path)
        #[arg(long, value_name = "PATH")]
        binary: Option<String>,
        /// At most this many units at once (`--array=…%M`)
        #[arg(long, value_name = "M")]
        throttle: Option<u64>,
        /// A shell line both jobs run first, e.g. "module load pactsim" (repeatable)
        #[arg(long, value_name = "LINE")]
        setup: Vec<String>,
        /// Only the units whose part is not done (after `sweep status`)
        #[arg(long)]
        missing: bool,
        /// Submit with sbatch (the merge with --dependency=afterok on the array)
        #[arg(long)]
        submit: bool,
        /// Options for sbatch, each written as an `#SBATCH` line of both scripts
        #[arg(last = true, value_name = "SBATCH OPTIONS")]
        sbatch: Vec<String>,
    },
}

/// A step of a sweep, as an analysis's command carries it out (`How::Sweep`).
pub enum Step {
    /// Reads the deal files from disk and records them, and the analysis's evaluations.
    Plan { deals: RefCell<IndexMap<String, String>>, planned: RefCell<Option<(Crn, u64)>> },
    /// Computes one unit's evaluations and writes its part.
    Work { manifest: Manifest, unit: u64, parts: PathBuf },
    /// Assembles the document from every part.
    Merge { manifest: Manifest, parts: PathBuf },
}

impl Step {
    /// A deal file: from disk when planning, else from the manifest.
    pub fn read(&self, path: &Path) -> Result<DealText, Failure> {
        let name = path.display().to_string();
        match self {
            Step::Plan { deals, .. } => {
                let deal = DealText::read(path)?;
                deals.borrow_mut().insert(name, deal.text.clone());
                Ok(deal)
            }
            Step::Work { manifest, .. } | Step::Merge { manifest, .. } => match manifest.plan.deals.get(&name) {
                Some(text) => Ok(DealText { origin: name, text: text.clone() }),
                None => Err(anyhow!("the manifest has no deal file {name}").into()),
            },
        }
    }

    /// This step for a prepared analysis: the document when merging.
    pub fn execute<A: Evaluations>(
        &self,
        prepared: A,
        forced_progress: bool,
        refuse: impl Fn(pactsim::Error) -> Failure,
    ) -> Result<Option<A::Output>, Failure> {
        let (crn, evaluations) = (prepared.crn(), prepared.evaluations());
        let manifest = match self {
            Step::Plan { planned, .. } => {
                *planned.borrow_mut() = Some((crn, evaluations));
                return Ok(None);
            }
            Step::Work { manifest, .. } | Step::Merge { manifest, .. } => manifest,
        };
        let plan = &manifest.plan;
        if (plan.seed, plan.paths, plan.evaluations) != (crn.seed, crn.paths, evaluations) {
            return Err(anyhow!(
                "this pactsim reads the manifest's analysis as {evaluations} evaluations of {} paths (seed {}), the plan says {} of {} (seed {}): plan the sweep again with this build",
                crn.paths,
                crn.seed,
                plan.evaluations,
                plan.paths,
                plan.seed
            )
            .into());
        }
        match self {
            // Recorded above.
            Step::Plan { .. } => Ok(None),
            Step::Work { manifest, unit, parts } => {
                let range = manifest.unit(*unit).map_err(|e| anyhow!(e))?;
                let before = range.start * crn.paths;
                let total = (range.end - range.start) * crn.paths;
                let choice = ProgressChoice { forced: forced_progress, json: false };
                let evaluated = with_bar(choice, Some(total), |progress| {
                    let progress = |done: u64| progress(done.saturating_sub(before));
                    prepared.evaluate_range(range, &progress)
                });
                let evaluated = evaluated.map_err(refuse)?;
                let payload = serde_json::to_vec(&evaluated).context("serialising the unit's results")?;
                let bytes = Part::bytes(manifest, *unit, &payload).map_err(|e| anyhow!(e))?;
                write_atomically(parts, &Manifest::part_name(*unit), &bytes)?;
                Ok(None)
            }
            Step::Merge { manifest, parts } => {
                let files = read_parts(manifest, parts);
                let payloads = gather(manifest, &files).map_err(|problems| unmergeable(manifest, parts, &problems))?;
                let mut evaluated = Vec::with_capacity(evaluations as usize);
                for (unit, payload) in payloads.into_iter().enumerate() {
                    let unit = unit as u64;
                    let results: Vec<A::Evaluated> = serde_json::from_slice(payload)
                        .ok()
                        .filter(|r: &Vec<A::Evaluated>| {
                            manifest.unit(unit).is_ok_and(|range| r.len() as u64 == range.end - range.start)
                        })
                        .ok_or_else(|| {
                            let problem = PartProblem::Corrupt("its results do not fit the analysis".into());
                            unmergeable(manifest, parts, &[(unit, problem)])
                        })?;
                    evaluated.extend(results);
                }
                prepared.assemble(evaluated).map(Some).map_err(refuse)
            }
        }
    }
}

/// Names every part that cannot be merged on standard error; the error to exit 1 with.
fn unmergeable(manifest: &Manifest, parts: &Path, problems: &[(u64, PartProblem)]) -> Failure {
    for (unit, problem) in problems {
        eprintln!("{}: {problem}", parts.join(Manifest::part_name(*unit)).display());
    }
    let units: Vec<u64> = problems.iter().map(|(unit, _)| *unit).collect();
    Failure::Runtime(anyhow!(
        "{} of {} parts cannot be merged (units {}); run them again with `pactsim sweep work` (or `pactsim sweep slurm --missing`)",
        problems.len(),
        manifest.plan.units,
        array_spec(&units)
    ))
}

/// Every unit's part file, `None` where there is none (an unreadable one reads as empty, and so
/// as corrupt).
fn read_parts(manifest: &Manifest, parts: &Path) -> Vec<Option<Vec<u8>>> {
    (0..manifest.plan.units)
        .map(|unit| match std::fs::read(parts.join(Manifest::part_name(unit))) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => Some(Vec::new()),
        })
        .collect()
}

/// Writes `bytes` to `dir/name` whole or not at all: a temporary file unique to this process,
/// synced, then renamed over the name. Two workers racing on a unit write the same bytes, so
/// whichever rename comes last leaves a correct part.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let temporary = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let target = dir.join(name);
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &target)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(error).with_context(|| format!("writing {}", target.display()));
    }
    // The rename itself is durable once the folder is synced (where the file system allows it).
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// The build that runs: the version and the SHA-256 of this executable. Parts from another build
/// are refused, since another compiler or library could move a number in its last place.
fn build() -> Result<String, Failure> {
    let exe = std::env::current_exe().context("finding this executable")?;
    let bytes = std::fs::read(&exe).with_context(|| format!("reading {}", exe.display()))?;
    Ok(format!("{}+sha256.{}", pactsim::VERSION, pactsim_sweep::sha256(&bytes)))
}

/// Reads a manifest and checks that this build planned it.
fn read_manifest(path: &Path) -> Result<Manifest, Failure> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        eprintln!("error: cannot read {}: {error}", path.display());
        Failure::BadInput
    })?;
    let manifest = Manifest::parse(&text).map_err(|error| {
        eprintln!("error: {}: {error}", path.display());
        Failure::BadInput
    })?;
    Ok(manifest)
}

/// A manifest this very build planned (`work` and `merge` refuse another build's).
fn read_own_manifest(path: &Path) -> Result<Manifest, Failure> {
    let manifest = read_manifest(path)?;
    let build = build()?;
    if manifest.plan.build != build {
        eprintln!(
            "error: {} was planned by build {}, this is {build}: run the sweep with the same pactsim binary, or plan it again",
            path.display(),
            manifest.plan.build
        );
        return Err(Failure::BadInput);
    }
    Ok(manifest)
}

/// Parses an analysis's arguments as `pactsim` would.
fn parse_analysis(args: &[String]) -> Result<(crate::Command, clap::ArgMatches), Failure> {
    let argv = std::iter::once("pactsim".to_string()).chain(args.iter().cloned());
    let parsed = crate::Cli::command()
        .try_get_matches_from(argv)
        .and_then(|matches| Ok((crate::Cli::from_arg_matches(&matches)?, matches)));
    match parsed {
        Ok((cli, matches)) => Ok((cli.command, matches)),
        Err(error) => {
            let _ = error.print();
            Err(Failure::BadInput)
        }
    }
}

/// Removes `--flag VALUE` or `--flag=VALUE` from `args`: the last one's value.
fn take_flag(args: &mut Vec<String>, flag: &str) -> Result<Option<String>, Failure> {
    let mut value = None;
    let mut i = 0;
    while i < args.len() {
        if args[i] == flag {
            if i + 1 == args.len() {
                eprintln!("error: {flag} needs a value");
                return Err(Failure::BadInput);
            }
            value = Some(args.remove(i + 1));
            args.remove(i);
        } else if let Some(rest) = args[i].strip_prefix(&format!("{flag}=")) {
            value = Some(rest.to_string());
            args.remove(i);
        } else {
            i += 1;
        }
    }
    Ok(value)
}

pub fn sweep(action: SweepAction) -> Result<(), Failure> {
    match action {
        SweepAction::Plan { analysis, units, output } => plan(analysis, units, output),
        SweepAction::Work { manifest, unit, parts, progress } => {
            let manifest = read_own_manifest(&manifest)?;
            if unit >= manifest.plan.units {
                eprintln!("error: --unit {unit}: the sweep has units 0 to {}", manifest.plan.units - 1);
                return Err(Failure::BadInput);
            }
            let mut args = manifest.plan.analysis.clone();
            if progress {
                args.push("--progress".into());
            }
            let (command, matches) = parse_analysis(&args)?;
            let step = Step::Work { manifest, unit, parts };
            crate::dispatch(command, &matches, How::Sweep(&step))
        }
        SweepAction::Merge { manifest, parts, json, out, design_out } => {
            let manifest = read_own_manifest(&manifest)?;
            let mut args = manifest.plan.analysis.clone();
            if json {
                args.push("--json".into());
            }
            for (flag, value) in [("--out", out), ("--design-out", design_out)] {
                if let Some(value) = value {
                    args.extend([flag.to_string(), value.display().to_string()]);
                }
            }
            let (command, matches) = parse_analysis(&args)?;
            let step = Step::Merge { manifest, parts };
            crate::dispatch(command, &matches, How::Sweep(&step))
        }
        SweepAction::Status { manifest, parts } => status(&read_manifest(&manifest)?, &parts),
        SweepAction::Slurm { manifest, parts, merged, binary, throttle, setup, missing, submit, sbatch } => {
            let job = SlurmArgs { parts, merged, binary, throttle, setup, missing, submit, sbatch };
            slurm_job(&manifest, job)
        }
    }
}

fn plan(mut analysis: Vec<String>, units: Option<u64>, output: Option<PathBuf>) -> Result<(), Failure> {
    let units = match take_flag(&mut analysis, "--units")? {
        Some(text) => Some(text.parse::<u64>().map_err(|_| {
            eprintln!("error: --units {text}: expected a whole number of units");
            Failure::BadInput
        })?),
        None => units,
    };
    let output = take_flag(&mut analysis, "-o")?.map(PathBuf::from).or(output);
    let (Some(units), Some(output)) = (units, output) else {
        eprintln!("error: sweep plan needs --units N and -o FILE (the manifest to write)");
        return Err(Failure::BadInput);
    };
    if !ANALYSES.contains(&analysis[0].as_str()) {
        eprintln!("error: `{}` cannot be swept; expected one of {}", analysis[0], ANALYSES.join(", "));
        return Err(Failure::BadInput);
    }
    if let Some(flag) = analysis.iter().find(|a| {
        ["--json", "--out", "--design-out", "--progress", "--keep-paths", "--format"]
            .iter()
            .any(|f| *a == f || a.starts_with(&format!("{f}=")))
    }) {
        eprintln!("error: {flag} goes with `pactsim sweep merge`, which prints and writes the results");
        return Err(Failure::BadInput);
    }
    let (command, matches) = parse_analysis(&analysis)?;
    let step = Step::Plan { deals: RefCell::default(), planned: RefCell::default() };
    crate::dispatch(command, &matches, How::Sweep(&step))?;
    let Step::Plan { deals, planned } = step else { unreachable!("a plan") };
    let (crn, evaluations) = planned.into_inner().expect("the analysis was prepared");
    let plan = Plan {
        schema: pactsim_sweep::SCHEMA,
        kind: pactsim_sweep::MANIFEST_KIND.into(),
        version: pactsim::VERSION.into(),
        build: build()?,
        analysis,
        deals: deals.into_inner(),
        seed: crn.seed,
        paths: crn.paths,
        evaluations,
        units,
    };
    let manifest = Manifest::new(plan).map_err(|error| {
        eprintln!("error: --units {units}: {error}");
        Failure::BadInput
    })?;
    let dir = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = output.file_name().ok_or_else(|| anyhow!("-o {}: not a file name", output.display()))?;
    write_atomically(dir, &name.to_string_lossy(), manifest.text().as_bytes())?;
    eprintln!(
        "planned {} evaluations of {} paths in {units} units: {}",
        manifest.plan.evaluations,
        manifest.plan.paths,
        output.display()
    );
    Ok(())
}

/// Each unit's state; exit 1 unless every part is done.
fn status(manifest: &Manifest, parts: &Path) -> Result<(), Failure> {
    let files = read_parts(manifest, parts);
    let problems = match gather(manifest, &files) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    };
    let units = manifest.plan.units;
    println!("{} of {units} units done", units - problems.len() as u64);
    for (unit, problem) in &problems {
        println!("{}: {problem}", parts.join(Manifest::part_name(*unit)).display());
    }
    if problems.is_empty() {
        return Ok(());
    }
    let missing: Vec<u64> = problems.iter().map(|(unit, _)| *unit).collect();
    println!("to run again: --array={}", array_spec(&missing));
    Err(Failure::Runtime(anyhow!("{} of {units} units are not done", problems.len())))
}

struct SlurmArgs {
    parts: Option<PathBuf>,
    merged: Option<PathBuf>,
    binary: Option<String>,
    throttle: Option<u64>,
    setup: Vec<String>,
    missing: bool,
    submit: bool,
    sbatch: Vec<String>,
}

/// An absolute path (made from the working directory), as a string for a script.
fn absolute(path: &Path) -> Result<String, Failure> {
    Ok(std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))?.display().to_string())
}

fn slurm_job(manifest_path: &Path, args: SlurmArgs) -> Result<(), Failure> {
    let manifest = read_manifest(manifest_path)?;
    let dir = manifest_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let parts = args.parts.unwrap_or_else(|| dir.join("parts"));
    let merged = args.merged.unwrap_or_else(|| dir.join("merged.json"));
    let logs = dir.join("logs");
    for folder in [&parts, &logs] {
        std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    }
    let units: Vec<u64> = if args.missing {
        match gather(&manifest, &read_parts(&manifest, &parts)) {
            Ok(_) => {
                eprintln!("every unit of {} is done; nothing to submit", manifest_path.display());
                return Ok(());
            }
            Err(problems) => problems.iter().map(|(unit, _)| *unit).collect(),
        }
    } else {
        (0..manifest.plan.units).collect()
    };
    let binary = match args.binary {
        Some(binary) => binary,
        None => std::env::current_exe().context("finding this executable")?.display().to_string(),
    };
    let job = slurm::Job {
        binary,
        manifest: absolute(manifest_path)?,
        parts: absolute(&parts)?,
        merged: absolute(&merged)?,
        logs: absolute(&logs)?,
        array: array_spec(&units),
        throttle: args.throttle,
        options: args.sbatch,
        setup: args.setup,
    };
    let (array, merge) = (dir.join("sweep-array.sh"), dir.join("sweep-merge.sh"));
    for (file, text) in [(&array, slurm::array_script(&job)), (&merge, slurm::merge_script(&job))] {
        let name = file.file_name().expect("a script's name").to_string_lossy();
        write_atomically(&dir, &name, text.as_bytes())?;
    }
    eprintln!("wrote {} ({} units) and {}", array.display(), units.len(), merge.display());
    if !args.submit {
        eprintln!(
            "submit with: merge=$(sbatch --parsable --dependency=afterok:$(sbatch --parsable {}) {})",
            array.display(),
            merge.display()
        );
        return Ok(());
    }
    let array_id = sbatch(&[], &array)?;
    let merge_id = sbatch(&[format!("--dependency=afterok:{array_id}")], &merge)?;
    println!("{array_id} {merge_id}");
    eprintln!(
        "submitted the array as job {array_id} and the merge as job {merge_id}; the merged document: {}",
        job.merged
    );
    Ok(())
}

/// Submits a script with `sbatch --parsable`: the job's id.
fn sbatch(options: &[String], script: &Path) -> Result<String, Failure> {
    let output = std::process::Command::new("sbatch")
        .arg("--parsable")
        .args(options)
        .arg(script)
        .output()
        .context("running sbatch (is Slurm's client on the PATH?)")?;
    if !output.status.success() {
        return Err(anyhow!("sbatch {}: {}", script.display(), String::from_utf8_lossy(&output.stderr).trim()).into());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    // `--parsable` prints `id` or `id;cluster`.
    Ok(text.trim().split(';').next().unwrap_or_default().to_string())
}
