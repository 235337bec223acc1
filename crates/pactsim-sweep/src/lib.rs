//! A sweep: an analysis cut into units of work that run anywhere, in any order, any number of
//! times, and a merge that folds their results in a fixed order into the document the analysis
//! gives on one machine, to the byte.
//!
//! # Brief overview
//!
//! - [`Manifest`]: what a worker needs to compute any unit (the analysis's command-line
//!   arguments, the text of every deal file they name, the number of evaluations and units, the
//!   program's version and build) and the plan's hash over all of it.
//! - A unit is a contiguous range of the analysis's evaluations ([`Manifest::unit`]).
//! - [`Part`]: one unit's results, a header line (plan, build, unit, evaluations, the payload's
//!   SHA-256) and the payload (the evaluations' results as a JSON array). [`Part::check`] refuses
//!   a part of another plan or build, of another unit, or whose payload does not match its
//!   checksum.
//! - [`gather`]: the parts of every unit in order, or every missing, corrupt or foreign one named.
//! - [`slurm`]: the job-array and merge scripts for Slurm.
//!
//! This crate does no I/O: the command line reads and writes the files (atomically: a unique
//! temporary file, synced, renamed over the part's name) and runs the evaluations.

pub mod slurm;

use std::fmt;
use std::ops::Range;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The schema of manifests and parts.
pub const SCHEMA: u32 = 1;
/// What a manifest's `kind` says.
pub const MANIFEST_KIND: &str = "pactsim-sweep";
/// What a part's header's `kind` says.
pub const PART_KIND: &str = "pactsim-sweep-part";

/// The SHA-256 of `bytes` in lowercase hexadecimal.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// What the plan's hash covers: everything in the manifest but the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub schema: u32,
    pub kind: String,
    /// The program's version (`pactsim --version`).
    pub version: String,
    /// The build that planned the sweep: every part must come from the same one.
    pub build: String,
    /// The analysis's arguments as `pactsim` takes them, its name first (`sensitivity`, …).
    pub analysis: Vec<String>,
    /// The text of every deal file the arguments name, by the name they give it.
    pub deals: IndexMap<String, String>,
    /// The resolved seed and paths of every evaluation.
    pub seed: u64,
    pub paths: u64,
    pub evaluations: u64,
    pub units: u64,
}

/// A sweep's manifest: the plan and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(flatten)]
    pub plan: Plan,
    /// SHA-256 of the plan as compact JSON, its fields in the order above.
    pub plan_hash: String,
}

/// Why a manifest or a part is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SweepError {
    /// Not a manifest, or its hash does not match its content.
    Manifest(String),
    /// The number of units does not fit the analysis.
    Units { units: u64, evaluations: u64 },
    /// The unit asked for does not exist.
    NoSuchUnit { unit: u64, units: u64 },
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::Manifest(why) => write!(f, "not a usable sweep manifest: {why}"),
            SweepError::Units { units, evaluations } => {
                write!(f, "found {units} units, expected 1 to {evaluations} (the analysis's evaluations)")
            }
            SweepError::NoSuchUnit { unit, units } => {
                write!(f, "unit {unit} does not exist: the sweep has units 0 to {}", units - 1)
            }
        }
    }
}

impl std::error::Error for SweepError {}

impl Plan {
    fn hash(&self) -> String {
        sha256(&serde_json::to_vec(self).expect("a plan serialises"))
    }
}

impl Manifest {
    /// A manifest for a plan. Error: the units do not fit the evaluations.
    pub fn new(plan: Plan) -> Result<Manifest, SweepError> {
        if !(1..=plan.evaluations).contains(&plan.units) {
            return Err(SweepError::Units { units: plan.units, evaluations: plan.evaluations });
        }
        let plan_hash = plan.hash();
        Ok(Manifest { plan, plan_hash })
    }

    /// Reads a manifest, checking its schema and its hash.
    pub fn parse(text: &str) -> Result<Manifest, SweepError> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|e| SweepError::Manifest(e.to_string()))?;
        let plan = &manifest.plan;
        if plan.kind != MANIFEST_KIND || plan.schema != SCHEMA {
            return Err(SweepError::Manifest(format!(
                "kind `{}` schema {}, expected `{MANIFEST_KIND}` schema {SCHEMA}",
                plan.kind, plan.schema
            )));
        }
        if plan.hash() != manifest.plan_hash {
            return Err(SweepError::Manifest("its plan_hash does not match its content (was it edited?)".into()));
        }
        if !(1..=plan.evaluations).contains(&plan.units) {
            return Err(SweepError::Units { units: plan.units, evaluations: plan.evaluations });
        }
        Ok(manifest)
    }

    /// The manifest as pretty JSON, with a final newline.
    pub fn text(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest serialises") + "\n"
    }

    /// The evaluations of unit `unit`: units are contiguous, as even as can be, in order.
    pub fn unit(&self, unit: u64) -> Result<Range<u64>, SweepError> {
        let (units, evaluations) = (self.plan.units, self.plan.evaluations);
        if unit >= units {
            return Err(SweepError::NoSuchUnit { unit, units });
        }
        let at = |k: u64| (u128::from(k) * u128::from(evaluations) / u128::from(units)) as u64;
        Ok(at(unit)..at(unit + 1))
    }

    /// The file name of unit `unit`'s part.
    pub fn part_name(unit: u64) -> String {
        format!("part-{unit:05}.json")
    }
}

/// The header line of a part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartHeader {
    pub schema: u32,
    pub kind: String,
    pub plan_hash: String,
    pub build: String,
    pub unit: u64,
    /// The evaluations the payload holds, `[first, end)`.
    pub evaluations: [u64; 2],
    /// SHA-256 of the payload's bytes.
    pub sha256: String,
}

/// One unit's results: a header line, then the payload (a JSON array, one element an evaluation,
/// in order). Running a unit again writes the same bytes.
pub struct Part;

/// Why a part cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartProblem {
    Missing,
    /// Cut short, not a part, or its payload does not match its checksum.
    Corrupt(String),
    /// Of another plan or build, or another unit.
    Foreign(String),
}

impl fmt::Display for PartProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartProblem::Missing => write!(f, "missing"),
            PartProblem::Corrupt(why) => write!(f, "corrupt: {why}"),
            PartProblem::Foreign(why) => write!(f, "foreign: {why}"),
        }
    }
}

impl Part {
    /// The bytes of unit `unit`'s part from its payload.
    pub fn bytes(manifest: &Manifest, unit: u64, payload: &[u8]) -> Result<Vec<u8>, SweepError> {
        let range = manifest.unit(unit)?;
        let header = PartHeader {
            schema: SCHEMA,
            kind: PART_KIND.into(),
            plan_hash: manifest.plan_hash.clone(),
            build: manifest.plan.build.clone(),
            unit,
            evaluations: [range.start, range.end],
            sha256: sha256(payload),
        };
        let mut bytes = serde_json::to_vec(&header).expect("a header serialises");
        bytes.push(b'\n');
        bytes.extend_from_slice(payload);
        Ok(bytes)
    }

    /// The payload of unit `unit`'s part, checked against the manifest: its plan, build, unit
    /// and evaluations, and its checksum.
    pub fn check<'a>(manifest: &Manifest, unit: u64, bytes: &'a [u8]) -> Result<&'a [u8], PartProblem> {
        let newline = bytes.iter().position(|&b| b == b'\n').ok_or(PartProblem::Corrupt("no header line".into()))?;
        let (header, payload) = (&bytes[..newline], &bytes[newline + 1..]);
        let header: PartHeader =
            serde_json::from_slice(header).map_err(|e| PartProblem::Corrupt(format!("its header: {e}")))?;
        if header.kind != PART_KIND || header.schema != SCHEMA {
            return Err(PartProblem::Corrupt(format!("kind `{}` schema {}, not a part", header.kind, header.schema)));
        }
        if header.plan_hash != manifest.plan_hash {
            return Err(PartProblem::Foreign(format!(
                "of plan {}, not this sweep's {}",
                short(&header.plan_hash),
                short(&manifest.plan_hash)
            )));
        }
        if header.build != manifest.plan.build {
            return Err(PartProblem::Foreign(format!(
                "computed by build {}, not the planning build {}",
                header.build, manifest.plan.build
            )));
        }
        let range = manifest.unit(unit).map_err(|e| PartProblem::Foreign(e.to_string()))?;
        if header.unit != unit || header.evaluations != [range.start, range.end] {
            return Err(PartProblem::Foreign(format!("holds unit {}, expected unit {unit}", header.unit)));
        }
        if sha256(payload) != header.sha256 {
            return Err(PartProblem::Corrupt("its payload does not match its sha256".into()));
        }
        Ok(payload)
    }
}

/// A hash's first 12 characters, for messages.
fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// Every unit's checked payload in unit order, given each unit's part bytes (`None`: no file);
/// or, when any unit cannot be merged, every such unit with its problem.
pub fn gather<'a>(manifest: &Manifest, parts: &'a [Option<Vec<u8>>]) -> Result<Vec<&'a [u8]>, Vec<(u64, PartProblem)>> {
    let mut payloads = Vec::with_capacity(parts.len());
    let mut problems = Vec::new();
    for unit in 0..manifest.plan.units {
        let checked = match parts.get(unit as usize).and_then(Option::as_deref) {
            None => Err(PartProblem::Missing),
            Some(bytes) => Part::check(manifest, unit, bytes),
        };
        match checked {
            Ok(payload) => payloads.push(payload),
            Err(problem) => problems.push((unit, problem)),
        }
    }
    if problems.is_empty() { Ok(payloads) } else { Err(problems) }
}

/// Unit numbers as Slurm's `--array` writes them: `0-3,7,9-10`.
pub fn array_spec(units: &[u64]) -> String {
    let mut spec: Vec<String> = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let mut j = i;
        while j + 1 < units.len() && units[j + 1] == units[j] + 1 {
            j += 1;
        }
        spec.push(if i == j { units[i].to_string() } else { format!("{}-{}", units[i], units[j]) });
        i = j + 1;
    }
    spec.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn manifest(evaluations: u64, units: u64) -> Manifest {
        Manifest::new(Plan {
            schema: SCHEMA,
            kind: MANIFEST_KIND.into(),
            version: "0.1.0".into(),
            build: "0.1.0+test".into(),
            analysis: vec!["compare".into(), "a.toml".into(), "b.toml".into()],
            deals: IndexMap::from([("a.toml".into(), "id = 'a'".into()), ("b.toml".into(), "id = 'b'".into())]),
            seed: 7,
            paths: 100,
            evaluations,
            units,
        })
        .unwrap()
    }

    proptest! {
        #[test]
        fn units_cover_the_evaluations_once_in_order(evaluations in 1u64..500, units in 1u64..64) {
            prop_assume!(units <= evaluations);
            let m = manifest(evaluations, units);
            let mut next = 0;
            for unit in 0..units {
                let range = m.unit(unit).unwrap();
                prop_assert_eq!(range.start, next);
                prop_assert!(!range.is_empty());
                // As even as can be: sizes differ by at most one.
                prop_assert!(range.end - range.start <= evaluations / units + 1);
                next = range.end;
            }
            prop_assert_eq!(next, evaluations);
        }
    }

    #[test]
    fn the_manifest_reads_back_and_an_edit_is_caught() {
        let m = manifest(10, 3);
        assert_eq!(Manifest::parse(&m.text()).unwrap(), m);
        let edited = m.text().replace("\"seed\": 7", "\"seed\": 8");
        assert!(matches!(Manifest::parse(&edited), Err(SweepError::Manifest(_))));
        assert_eq!(Manifest::new(manifest(10, 3).plan.clone()).unwrap().plan_hash, m.plan_hash);
        let mut too_many = m.plan.clone();
        too_many.units = 11;
        assert_eq!(Manifest::new(too_many), Err(SweepError::Units { units: 11, evaluations: 10 }));
        assert_eq!(m.unit(3), Err(SweepError::NoSuchUnit { unit: 3, units: 3 }));
        assert_eq!((m.unit(0).unwrap(), m.unit(1).unwrap(), m.unit(2).unwrap()), (0..3, 3..6, 6..10));
    }

    #[test]
    fn parts_are_checked_against_plan_build_unit_and_checksum() {
        let m = manifest(10, 3);
        let part = Part::bytes(&m, 1, b"[1.5,2.0,-3e-9]").unwrap();
        assert_eq!(Part::check(&m, 1, &part), Ok(&b"[1.5,2.0,-3e-9]"[..]));
        assert!(matches!(Part::check(&m, 2, &part), Err(PartProblem::Foreign(_))));
        let mut other = m.clone();
        other.plan.build = "0.1.0+other".into();
        assert!(matches!(Part::check(&other, 1, &part), Err(PartProblem::Foreign(w)) if w.contains("build")));
        assert!(matches!(Part::check(&manifest(10, 2), 1, &part), Err(PartProblem::Foreign(w)) if w.contains("plan")));
        let mut flipped = part.clone();
        *flipped.last_mut().unwrap() = b'8';
        assert!(matches!(Part::check(&m, 1, &flipped), Err(PartProblem::Corrupt(_))));
        assert!(matches!(Part::check(&m, 1, &part[..20]), Err(PartProblem::Corrupt(_))));
        let parts = vec![Some(Part::bytes(&m, 0, b"[]").unwrap()), None, Some(flipped)];
        let problems = gather(&m, &parts).unwrap_err();
        assert_eq!(problems.iter().map(|(u, _)| *u).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(problems[0].1, PartProblem::Missing);
    }

    #[test]
    fn array_specs_group_runs() {
        assert_eq!(array_spec(&[0, 1, 2, 3, 7, 9, 10]), "0-3,7,9-10");
        assert_eq!(array_spec(&[5]), "5");
        assert_eq!(array_spec(&[]), "");
    }
}
