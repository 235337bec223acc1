//! The `pactsim` command: argument parsing and glue. Each subcommand lives in `commands/`; the
//! model is the `pactsim` library. Exit status: 0 ran, 1 failed while running, 2 bad input.

mod commands;
mod diagnostics;
mod progress;
mod summary;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
        /// Also write summary.json, years.csv and projects.csv into this folder
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        runs: RunFlags,
    },
    /// Validate a deal file without running it
    Check {
        /// The deal file
        file: PathBuf,
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
    },
    /// Measure how fast the engines run here (solves and runs per second)
    Bench {
        /// Deal files (default: every deal in ./deals, else the embedded default deal)
        files: Vec<PathBuf>,
        /// Time spent on each measurement
        #[arg(long, default_value_t = 1.0)]
        seconds: f64,
    },
    /// NPV, XIRR and MOIC of dated flows in a CSV file with columns date,amount
    Figures {
        /// CSV with a header `date,amount`; amounts signed from the holder's side
        file: PathBuf,
        /// Discount rate for the NPV (annual, ACT/365F)
        #[arg(long, default_value_t = 0.04, allow_negative_numbers = true)]
        rate: f64,
        /// Discount to this date (default: the earliest date in the file)
        #[arg(long, value_name = "YYYY-MM-DD")]
        start: Option<chrono::NaiveDate>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

/// How many paths, from which seed (overriding the deal's `[run]`).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct RunFlags {
    /// Monte Carlo paths (default: the deal's [run] paths)
    #[arg(long)]
    paths: Option<u64>,
    /// Seed of the random streams (default: the deal's [run] seed)
    #[arg(long)]
    seed: Option<u64>,
    /// Show a progress bar even when the output goes to a pipe
    #[arg(long)]
    progress: bool,
}

impl RunFlags {
    /// Paths and seed for `deal`, the flags taking precedence.
    pub fn resolve(&self, deal: &pactsim::deal::Deal) -> Result<(u64, u64), Failure> {
        let paths = self.paths.unwrap_or(deal.run.paths);
        if paths == 0 {
            eprintln!("error: --paths 0: expected at least 1 path");
            return Err(Failure::BadInput);
        }
        Ok((paths, self.seed.unwrap_or(deal.run.seed)))
    }

    pub fn progress(&self, json: bool) -> progress::ProgressChoice {
        progress::ProgressChoice { forced: self.progress, json }
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(2),
            };
        }
    };
    let result = match cli.command {
        Command::Run { file, json, out, runs } => commands::run::run(file.as_deref(), json, out.as_deref(), runs),
        Command::Check { file } => commands::check::check(&file),
        Command::Schema => commands::schema::schema(),
        Command::Bench { files, seconds } => commands::bench::bench(&files, seconds),
        Command::Trade { file, json, runs } => commands::trade::trade(&file, json, runs),
        Command::Figures { file, rate, start, json } => commands::figures::figures(&file, rate, start, json),
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
