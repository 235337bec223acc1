//! The `pactsim` command: argument parsing and glue. Each subcommand lives in `commands/`; the
//! model is the `pactsim` library. Exit status: 0 ran, 1 failed while running, 2 bad input.

mod commands;
mod dated_csv;
mod diagnostics;
mod files;
mod kept_paths;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use pactsim::spec::Override;

/// A Monte Carlo path allocates and frees many small buffers on every worker thread; mimalloc's
/// per-thread pages serve them faster than the system allocator and move no number
/// (docs/design.md, "Why mimalloc and whole-program optimisation?").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Simulate investment-for-tariff trade deals written as deal files.
#[derive(Debug, Parser)]
#[command(name = "pactsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a deal and print its figures (the Korea MOU when no file is given)
    Run {
        /// The deal file; without it, the embedded default deal (kr-us-2025-mou)
        file: Option<PathBuf>,
        /// Print the run output (schema 1) as JSON on standard output
        #[arg(long)]
        json: bool,
        /// Also write summary.json and the run's tables (totals, years, facilities, projects, and
        /// months and trade where the deal has them) into this folder
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The tables' format with --out: a CSV file a table, one Excel workbook (tables.xlsx), or
        /// a Parquet file a table
        #[arg(long, value_enum, default_value_t = TableFormat::Csv, requires = "out")]
        format: TableFormat,
        #[command(flatten)]
        runs: RunFlags,
        #[command(flatten)]
        overrides: OverrideFlags,
    },
    /// Write one self-contained HTML report (charts, tables, sources) for one or several deals
    Report {
        /// The deal files (several: shown side by side)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The HTML file to write
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Also write each chart as SVG and PNG (1600x900, for slides) into this folder
        #[arg(long, value_name = "DIR")]
        charts: Option<PathBuf>,
        #[command(flatten)]
        runs: RunFlags,
        #[command(flatten)]
        overrides: OverrideFlags,
    },
    /// Compare deals side by side on the same Monte Carlo paths, with paired differences
    Compare {
        /// Deal files (differences are against the first)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// A variant of the first deal, compared as a deal of its own: "NAME: --set KEY=VALUE
        /// --unset KEY ..." (repeatable), e.g. "no clause: --unset stability"
        #[arg(long = "variant", value_name = "NAME: FLAGS")]
        variants: Vec<String>,
        /// Print the comparison as JSON on standard output
        #[arg(long)]
        json: bool,
        /// Also write compare.json, deals.csv and differences.csv into this folder
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        runs: commands::analysis::AnalysisFlags,
        #[command(flatten)]
        overrides: OverrideFlags,
    },
    /// Which inputs move a figure of a deal: a tornado, or Sobol' indices
    Sensitivity {
        /// The deal file
        file: PathBuf,
        #[arg(long, value_enum)]
        method: commands::sensitivity::Method,
        /// The figure of the run output's totals (default: deal_npv, or investor_npv without [trade])
        #[arg(long, value_name = "FIGURE")]
        output: Option<String>,
        /// Tornado: an input with its low and high values, any numeric key (repeatable; replaces
        /// a distribution of the same key)
        #[arg(long = "range", value_name = "KEY=LO..HI")]
        ranges: Vec<String>,
        /// Sobol': an input varied uniformly over its range, or a distribution of the file by its
        /// key (its 1st to 99th percentile); repeatable (default: every distribution)
        #[arg(long = "input", value_name = "KEY[=LO..HI]")]
        inputs: Vec<String>,
        /// Sobol': base rows of the design, a power of two (N·(k+2) runs for k inputs)
        #[arg(long)]
        n: Option<u64>,
        /// Sobol': write the design and each run's mean as CSV, in SALib's row order
        #[arg(long, value_name = "FILE")]
        design_out: Option<PathBuf>,
        /// Print the analysis as JSON on standard output
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        runs: commands::analysis::AnalysisFlags,
        #[command(flatten)]
        overrides: OverrideFlags,
    },
    /// The negotiation frontier: terms sampled over their ranges, the efficient points, real
    /// deals placed against them
    Frontier {
        /// The deal file whose terms vary
        file: PathBuf,
        /// A term and its range (repeatable), e.g. facility.strategic.annual_cap_usd_bn=10..40
        #[arg(long = "vary", value_name = "KEY=LO..HI", required = true)]
        vary: Vec<String>,
        /// Design points (a scrambled Sobol' sequence; powers of two balance best)
        #[arg(long, default_value_t = 64)]
        points: u64,
        /// An objective (repeatable; default: investor=deal_npv:max and host=host_npv:max)
        #[arg(long = "objective", value_name = "NAME=FIGURE[:min|max]")]
        objectives: Vec<String>,
        /// A real deal to place against the points (repeatable)
        #[arg(long = "mark", value_name = "FILE")]
        marks: Vec<PathBuf>,
        /// Print the frontier as JSON on standard output
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        runs: commands::analysis::AnalysisFlags,
        #[command(flatten)]
        overrides: OverrideFlags,
    },
    /// Serve the engine over HTTP, with the web page, for a team (runs kept in a SQLite file)
    Serve {
        #[command(flatten)]
        flags: commands::serve::ServeFlags,
    },
    /// The runs a server's store holds: list them, or show one
    Runs {
        #[command(subcommand)]
        action: RunsAction,
        /// The SQLite file of runs `pactsim serve` writes
        #[arg(long, value_name = "FILE", default_value = "pactsim-runs.sqlite", global = true)]
        store: PathBuf,
    },
    /// Validate a deal file without running it
    Check {
        /// The deal file
        file: PathBuf,
        #[command(flatten)]
        overrides: OverrideFlags,
    },
    /// Print the JSON Schema of deal files (for editors' autocompletion)
    Schema,
    /// The trade picture of a deal: its market, each tariff scenario by source, the relief
    Trade {
        /// The deal file (it needs a [trade] section)
        file: PathBuf,
        /// Print the trade section as JSON instead of tables
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        runs: RunFlags,
        #[command(flatten)]
        overrides: OverrideFlags,
    },
    /// Measure how fast the engines run here (solves and runs per second)
    Bench {
        /// Deal files (default: every deal in ./deals, else the embedded default deal)
        files: Vec<PathBuf>,
        /// Time spent on each measurement
        #[arg(long, default_value_t = 1.0)]
        seconds: f64,
    },
    /// The data sets embedded in pactsim (FX histories, reserves, markets): list or export them
    Data {
        #[command(subcommand)]
        action: DataAction,
    },
    /// NPV, XIRR and MOIC of dated flows in a CSV file with columns date,amount
    Figures {
        /// CSV with a header `date,amount`; amounts signed from the holder's side
        file: PathBuf,
        /// Discount rate for the NPV: annual (ACT/365F), as a fraction (0.05 for 5%)
        #[arg(long, default_value_t = 0.04, allow_negative_numbers = true)]
        rate: f64,
        /// Discount to this date (default: the earliest date in the file)
        #[arg(long, value_name = "YYYY-MM-DD")]
        start: Option<chrono::NaiveDate>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Fit an exchange-rate model (gbm, garch, bootstrap) to a daily rate in a CSV file with
    /// columns date,value, or to an embedded history (`fx/krw-usd-daily`, `fx/jpy-usd-daily`)
    Calibrate {
        /// CSV with a header `date,value`, one row per day with a rate, dates ascending; or the
        /// name of an embedded data set (`pactsim data list`)
        file: PathBuf,
        /// The model to fit
        #[arg(long, value_enum)]
        model: ModelArg,
        /// First day of the window (inclusive; default: the first row)
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<chrono::NaiveDate>,
        /// Last day of the window (inclusive; default: the last row)
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<chrono::NaiveDate>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

/// `--format`: how `run --out` writes the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    Csv,
    Xlsx,
    Parquet,
}

/// `--model`: the exchange-rate models of `pactsim::fx`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ModelArg {
    Gbm,
    Garch,
    Bootstrap,
}

impl From<ModelArg> for pactsim::fx::FxModelKind {
    fn from(model: ModelArg) -> Self {
        match model {
            ModelArg::Gbm => pactsim::fx::FxModelKind::Gbm,
            ModelArg::Garch => pactsim::fx::FxModelKind::Garch,
            ModelArg::Bootstrap => pactsim::fx::FxModelKind::Bootstrap,
        }
    }
}

#[derive(Debug, Subcommand)]
enum DataAction {
    /// Name, rows and date range (or contents) of every embedded data set
    List,
    /// Print a data set as CSV, header included (names as in `pactsim data list`)
    Export {
        /// The data set's name, e.g. fx/krw-usd-daily
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum RunsAction {
    /// Every run, newest first
    List,
    /// One run's status
    Show {
        /// The run's id
        id: String,
        /// Print it as JSON (as `GET /v1/runs/{id}` answers)
        #[arg(long)]
        json: bool,
    },
}

/// How many paths, from which seed (overriding the deal's `[run]`).
#[derive(Debug, Clone, clap::Args)]
pub struct RunFlags {
    /// Monte Carlo paths, or `auto` to run until the headline mean settles (default: [run] paths)
    #[arg(long, value_parser = parse_paths)]
    paths: Option<Paths>,
    /// With --paths auto: stop when the standard error of the headline mean is this share of it
    #[arg(long, default_value_t = 0.01)]
    tolerance: f64,
    /// With --paths auto: stop here whatever the standard error
    #[arg(long, default_value_t = 1_000_000)]
    max_paths: u64,
    /// Seed of the random streams (default: the deal's [run] seed)
    #[arg(long)]
    seed: Option<u64>,
    /// Show a progress bar even when the output goes to a pipe
    #[arg(long)]
    progress: bool,
    /// Also write every path's totals and yearly figures to this CSV file, one row per path
    #[arg(long, value_name = "FILE")]
    keep_paths: Option<PathBuf>,
}

/// `--set KEY=VALUE` and `--unset KEY`: the deal file's terms changed without editing it
/// (docs/semantics.md, "Overrides").
#[derive(Debug, Clone, clap::Args)]
pub struct OverrideFlags {
    /// Set a term of the deal file, e.g. facility.strategic.annual_cap_usd_bn=25 (repeatable;
    /// applied in the order given, with --unset)
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = Override::parse_set)]
    set: Vec<Override>,
    /// Remove a field, table or array element of the deal file, e.g. stability (repeatable)
    #[arg(long = "unset", value_name = "KEY")]
    unset: Vec<String>,
}

impl OverrideFlags {
    /// The sets and unsets as one list in command-line order: clap keeps each flag's values
    /// apart, so their positions among the arguments decide.
    fn in_order(self, matches: &ArgMatches) -> Vec<Override> {
        let sets = matches.indices_of("set").into_iter().flatten().zip(self.set);
        let unsets = matches.indices_of("unset").into_iter().flatten().zip(self.unset.into_iter().map(Override::unset));
        let mut all: Vec<(usize, Override)> = sets.chain(unsets).collect();
        all.sort_by_key(|(position, _)| *position);
        all.into_iter().map(|(_, one)| one).collect()
    }
}

/// `--paths`: a number of paths, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paths {
    Fixed(u64),
    Auto,
}

fn parse_paths(text: &str) -> Result<Paths, String> {
    if text == "auto" {
        return Ok(Paths::Auto);
    }
    match text.parse::<u64>() {
        Ok(0) => Err("expected at least 1 path".to_string()),
        Ok(n) => Ok(Paths::Fixed(n)),
        Err(_) => Err(format!("expected a whole number of paths or `auto`, found `{text}`")),
    }
}

impl RunFlags {
    /// The library's request for a deal's text, as the flags (or the deal's `[run]`) say.
    pub fn request(&self, source: String, overrides: &[Override]) -> pactsim::RunRequest {
        let paths = match self.paths {
            None => pactsim::Paths::FromDeal,
            Some(Paths::Fixed(paths)) => pactsim::Paths::Fixed(paths),
            Some(Paths::Auto) => pactsim::Paths::Auto { tolerance: self.tolerance, max_paths: self.max_paths },
        };
        pactsim::RunRequest {
            overrides: overrides.to_vec(),
            seed: self.seed,
            paths,
            ..pactsim::RunRequest::new(source)
        }
    }

    /// Validates the deal read from `origin` with its overrides, and the flags; problems are printed.
    pub fn prepare(
        &self,
        origin: &str,
        source: String,
        overrides: &[Override],
    ) -> Result<pactsim::PreparedRun, Failure> {
        let request = self.request(source, overrides);
        request.prepare().map_err(|error| diagnostics::report_error(origin, &request.deal, error))
    }

    /// Runs a prepared deal as the flags say: the progress bar as chosen, every path's figures to
    /// `--keep-paths` when asked.
    pub fn execute(&self, prepared: pactsim::PreparedRun, json: bool) -> Result<pactsim::RunResult, Failure> {
        let mut kept = match &self.keep_paths {
            Some(file) => Some(kept_paths::KeptPaths::create(file, prepared.deal())?),
            None => None,
        };
        let mut sink = kept.as_mut().map(|k| move |path: u64, figures: &[Option<f64>]| k.write(path, figures));
        let keep = sink.as_mut().map(|s| s as pactsim::montecarlo::PathSink);
        let choice = progress::ProgressChoice { forced: self.progress, json };
        let length = prepared.fixed_paths();
        let result = progress::with_bar(choice, length, |progress| prepared.run(progress, keep));
        if let Some(kept) = kept {
            kept.finish()?;
        }
        Ok(result)
    }
}

/// Why a command stopped: the exit status says which.
pub enum Failure {
    /// The input was wrong; the message has been printed. Exit status 2.
    BadInput,
    /// Something failed while running. Exit status 1.
    Runtime(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::Runtime(error)
    }
}

fn main() -> ExitCode {
    // Parsed in two steps to keep the matches, which know where each --set and --unset stood.
    let parsed = Cli::command().try_get_matches().and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(2),
            };
        }
    };
    let command_matches = matches.subcommand().map_or(&matches, |(_, sub)| sub);
    let result = match cli.command {
        Command::Run { file, json, out, format, runs, overrides } => {
            let overrides = overrides.in_order(command_matches);
            commands::run::run(file.as_deref(), &overrides, json, out.as_deref(), format, runs)
        }
        Command::Report { files, output, charts, runs, overrides } => {
            let overrides = overrides.in_order(command_matches);
            commands::report::report(&files, &overrides, &output, charts.as_deref(), runs)
        }
        Command::Compare { files, variants, json, out, runs, overrides } => {
            let overrides = overrides.in_order(command_matches);
            commands::compare::compare(commands::compare::CompareArgs {
                files: &files,
                variants: &variants,
                overrides: &overrides,
                json,
                out: out.as_deref(),
                runs: &runs,
            })
        }
        Command::Sensitivity { file, method, output, ranges, inputs, n, design_out, json, runs, overrides } => {
            let overrides = overrides.in_order(command_matches);
            commands::sensitivity::sensitivity(commands::sensitivity::SensitivityArgs {
                file: &file,
                method,
                output,
                ranges: &ranges,
                inputs: &inputs,
                n,
                design_out: design_out.as_ref(),
                overrides: &overrides,
                json,
                runs: &runs,
            })
        }
        Command::Frontier { file, vary, points, objectives, marks, json, runs, overrides } => {
            let overrides = overrides.in_order(command_matches);
            commands::frontier::frontier(commands::frontier::FrontierArgs {
                file: &file,
                vary: &vary,
                points,
                objectives: &objectives,
                marks: &marks,
                overrides: &overrides,
                json,
                runs: &runs,
            })
        }
        Command::Check { file, overrides } => commands::check::check(&file, &overrides.in_order(command_matches)),
        Command::Schema => commands::schema::schema(),
        Command::Serve { flags } => commands::serve::serve(flags),
        Command::Runs { action: RunsAction::List, store } => commands::serve::list(&store),
        Command::Runs { action: RunsAction::Show { id, json }, store } => commands::serve::show(&store, &id, json),
        Command::Bench { files, seconds } => commands::bench::bench(&files, seconds),
        Command::Trade { file, json, runs, overrides } => {
            commands::trade::trade(&file, &overrides.in_order(command_matches), json, runs)
        }
        Command::Figures { file, rate, start, json } => commands::figures::figures(&file, rate, start, json),
        Command::Data { action: DataAction::List } => commands::data::list(),
        Command::Data { action: DataAction::Export { name } } => commands::data::export(&name),
        Command::Calibrate { file, model, from, to, json } => {
            commands::calibrate::calibrate(&file, model.into(), from, to, json)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput) => ExitCode::from(2),
        Err(Failure::Runtime(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
