//! The negotiation frontier: the negotiable terms sampled over their ranges, each design point run
//! on common random numbers, the efficient (Pareto) points of the objectives, and real deals
//! placed against them.
//!
//! The design is the first N points of an Owen-scrambled Sobol' sequence in as many dimensions as
//! there are terms, each coordinate mapped onto its term's range. A point is efficient when no
//! other point is at least as good in every objective and better in one (on the objectives'
//! means). A marked deal is efficient when no point is so; when points dominate it, the output
//! says how many, and the largest amount by which one point improves on it in every objective at
//! once (the most both sides could gain together by moving there, in the objectives' units).

use std::sync::atomic::AtomicBool;

use indexmap::IndexMap;
use serde::Serialize;

use super::evaluate::evaluate;
use super::range::{Written, check_ranges};
use super::{Common, Crn, Figure, Header, Progress, Range, Stopped, chained, parse, uncancelled};
use crate::Error;
use crate::spec::Override;
use pactsim_model::deal::Deal;
use pactsim_montecarlo::Total;

/// The most points: `sobol_burley` gives 2^16 points of a sequence.
pub const MAX_POINTS: u64 = 1 << 16;
/// The most terms: the sequence has 256 dimensions.
pub const MAX_TERMS: usize = 256;

/// Whether an objective is better high or low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sense {
    Max,
    Min,
}

/// `NAME=FIGURE[:min|max]`: a name for the objective, a figure of the run output's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objective {
    pub name: String,
    pub figure: String,
    pub sense: Sense,
}

impl Objective {
    /// Reads `NAME=FIGURE[:min|max]` (`max` when the sense is left out).
    pub fn parse(text: &str) -> Result<Objective, Error> {
        let bad = |why: &str| Error::InvalidRequest {
            parameter: "objective",
            message: format!("`{text}`: {why}; expected NAME=FIGURE[:min|max], such as host=host_npv:max"),
        };
        let (name, rest) = text.split_once('=').ok_or_else(|| bad("no `=`"))?;
        let (figure, sense) = match rest.split_once(':') {
            Some((figure, "max")) => (figure, Sense::Max),
            Some((figure, "min")) => (figure, Sense::Min),
            Some((_, other)) => return Err(bad(&format!("`{other}` is neither min nor max"))),
            None => (rest, Sense::Max),
        };
        let (name, figure) = (name.trim(), figure.trim());
        if name.is_empty() || figure.is_empty() {
            return Err(bad("an empty name or figure"));
        }
        Ok(Objective { name: name.into(), figure: figure.into(), sense })
    }
}

/// A real deal to place against the points.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Where the text came from (a file's path).
    pub file: String,
    pub text: String,
}

/// A frontier over the terms of a deal.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierRequest {
    pub deal: String,
    pub common: Common,
    /// The terms varied, each over its range.
    pub vary: Vec<Range>,
    pub points: u64,
    /// `[]`: `investor=deal_npv:max` and `host=host_npv:max` (`investor_npv` for a deal without
    /// `[trade]`).
    pub objectives: Vec<Objective>,
    pub marks: Vec<Mark>,
}

/// An objective resolved to a figure.
#[derive(Debug, Clone)]
struct Resolved {
    name: String,
    figure: Figure,
    sense: Sense,
}

impl FrontierRequest {
    /// Validates the deal, the objectives, the deal with every term at each end, and the marked
    /// deals (with the common overrides).
    pub fn prepare(&self) -> Result<PreparedFrontier, Error> {
        let overrides = &self.common.overrides;
        let fits = crate::spec::FxFits::default();
        let (base, crn) = self.common.base(&self.deal, &fits)?;
        if self.vary.is_empty() {
            return Err(Error::InvalidRequest {
                parameter: "vary",
                message:
                    "expected at least one term to vary, such as --vary facility.strategic.annual_cap_usd_bn=10..40"
                        .into(),
            });
        }
        if self.vary.len() > MAX_TERMS {
            return Err(Error::InvalidRequest {
                parameter: "vary",
                message: format!("found {} terms, expected at most {MAX_TERMS}", self.vary.len()),
            });
        }
        if !(1..=MAX_POINTS).contains(&self.points) {
            return Err(Error::InvalidRequest {
                parameter: "points",
                message: format!("found {}, expected 1 to {MAX_POINTS} points", self.points),
            });
        }
        let objectives = self.objectives(&base)?;
        let forms = check_ranges(&self.deal, overrides, &self.vary, "vary", &fits)?;
        let terms = self.vary.iter().cloned().zip(forms).collect();
        let mut marks = Vec::with_capacity(self.marks.len());
        for (i, mark) in self.marks.iter().enumerate() {
            let deal = parse(&mark.text, overrides, &fits, i + 1, None)?;
            for objective in &objectives {
                if !objective.figure.exists_in(&deal) {
                    return Err(Error::InvalidRequest {
                        parameter: "mark",
                        message: format!(
                            "{} has no `{}` (objective `{}`): its run output does not report it",
                            mark.file,
                            objective.figure.name(),
                            objective.name
                        ),
                    });
                }
            }
            marks.push((mark.file.clone(), deal));
        }
        Ok(PreparedFrontier {
            deal: self.deal.clone(),
            deal_id: base.id,
            overrides: overrides.clone(),
            crn,
            terms,
            points: self.points,
            objectives,
            marks,
            fits,
        })
    }

    fn objectives(&self, base: &Deal) -> Result<Vec<Resolved>, Error> {
        if self.objectives.is_empty() {
            return Ok(vec![
                Resolved { name: "investor".into(), figure: Figure::headline(base), sense: Sense::Max },
                Resolved { name: "host".into(), figure: Figure::Total(Total::HostNpv), sense: Sense::Max },
            ]);
        }
        let mut resolved: Vec<Resolved> = Vec::with_capacity(self.objectives.len());
        for objective in &self.objectives {
            if resolved.iter().any(|r| r.name == objective.name) {
                return Err(Error::InvalidRequest {
                    parameter: "objective",
                    message: format!("the name `{}` is given twice; name each objective once", objective.name),
                });
            }
            let figure = Figure::parse(&objective.figure, base, "objective")?;
            resolved.push(Resolved { name: objective.name.clone(), figure, sense: objective.sense });
        }
        Ok(resolved)
    }
}

/// A frontier whose terms and marked deals are valid.
pub struct PreparedFrontier {
    deal: String,
    deal_id: String,
    overrides: Vec<Override>,
    crn: Crn,
    terms: Vec<(Range, Written)>,
    points: u64,
    objectives: Vec<Resolved>,
    marks: Vec<(String, Deal)>,
    fits: crate::spec::FxFits,
}

impl PreparedFrontier {
    pub fn crn(&self) -> Crn {
        self.crn
    }

    pub fn evaluations(&self) -> u64 {
        self.points + self.marks.len() as u64
    }

    pub fn total_paths(&self) -> u64 {
        // Saturating: paths are the caller's number, and a total too large to count is only too large.
        self.evaluations().saturating_mul(self.crn.paths)
    }

    /// Runs every point, then every marked deal. Error: a point's deal is not valid (a
    /// combination each end alone allows), or an objective exists on no path of a run.
    pub fn run(self, progress: Progress) -> Result<FrontierOutput, Error> {
        uncancelled(|cancel| self.run_cancellable(progress, cancel))
    }

    /// `run`, stopped between paths when `cancel` is set.
    pub fn run_cancellable(self, progress: Progress, cancel: &AtomicBool) -> Result<FrontierOutput, Stopped> {
        let crn = self.crn;
        let scramble = (crn.seed ^ (crn.seed >> 32)) as u32;
        let mut done = 0;
        let objectives = &self.objectives;
        let mut outcome = |deal: Deal, what: &str| -> Result<Outcome, Stopped> {
            let evaluation = evaluate(deal, crn, &[], done * crn.paths, progress, cancel)?;
            done += 1;
            let mut outcome = Outcome { means: IndexMap::new(), se: IndexMap::new() };
            for objective in objectives {
                let stat = objective.figure.stat(&evaluation.result.summary);
                let (Some(mean), Some(se)) = (stat.mean, stat.mean_se) else {
                    return Err(Stopped::Refused(Error::InvalidRequest {
                        parameter: "objective",
                        message: format!("`{}` exists on no path of {what}", objective.figure.name()),
                    }));
                };
                outcome.means.insert(objective.name.clone(), mean);
                outcome.se.insert(objective.name.clone(), se);
            }
            Ok(outcome)
        };
        let mut points = Vec::with_capacity(self.points as usize);
        for index in 0..self.points {
            let (changes, values): (Vec<Override>, Vec<f64>) = self
                .terms
                .iter()
                .enumerate()
                .map(|(d, (range, form))| {
                    let u = f64::from(sobol_burley::sample(index as u32, d as u32, scramble));
                    form.set(range, range.at(u))
                })
                .unzip();
            let what = format!(
                "point {} ({})",
                index + 1,
                changes.iter().map(Override::to_string).collect::<Vec<_>>().join(", ")
            );
            let deal = parse(&self.deal, &chained(&self.overrides, changes), &self.fits, 0, Some(what.clone()))?;
            let outcome = outcome(deal, &what)?;
            let values = self.terms.iter().map(|(range, _)| range.key.clone()).zip(values).collect();
            points.push(Point { values, outputs: outcome.means, se: outcome.se, efficient: false });
        }
        let maximised = |outputs: &IndexMap<String, f64>| -> Vec<f64> {
            objectives
                .iter()
                .map(|o| match o.sense {
                    Sense::Max => outputs[&o.name],
                    Sense::Min => -outputs[&o.name],
                })
                .collect()
        };
        let scores: Vec<Vec<f64>> = points.iter().map(|p| maximised(&p.outputs)).collect();
        for (point, efficient) in points.iter_mut().zip(efficient(&scores)) {
            point.efficient = efficient;
        }
        let mut marked = Vec::with_capacity(self.marks.len());
        for (file, deal) in self.marks {
            let id = deal.id.clone();
            let outcome = outcome(deal, &file)?;
            let score = maximised(&outcome.means);
            let dominating: Vec<usize> = (0..scores.len()).filter(|&p| dominates(&scores[p], &score)).collect();
            let improvement = dominating
                .iter()
                .map(|&p| Improvement {
                    point: p,
                    by: scores[p].iter().zip(&score).map(|(p, m)| p - m).fold(f64::INFINITY, f64::min),
                })
                .max_by(|a, b| a.by.total_cmp(&b.by));
            marked.push(Marked {
                deal: id,
                file,
                outputs: outcome.means,
                se: outcome.se,
                efficient: dominating.is_empty(),
                dominated_by: dominating.len(),
                improvement,
            });
        }
        Ok(FrontierOutput {
            header: Header::new("frontier", self.deal_id, crn, &self.overrides),
            design: "scrambled Sobol'",
            scramble_seed: scramble,
            vary: self.terms.iter().map(|(r, _)| Term { key: r.key.clone(), low: r.low, high: r.high }).collect(),
            objectives: self
                .objectives
                .iter()
                .map(|o| ObjectiveJson { name: o.name.clone(), figure: o.figure.name(), sense: o.sense })
                .collect(),
            points,
            marked,
        })
    }
}

struct Outcome {
    means: IndexMap<String, f64>,
    se: IndexMap<String, f64>,
}

/// Whether `a` dominates `b` (both to be maximised): at least as good in every objective and
/// better in one.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(a, b)| a >= b) && a.iter().zip(b).any(|(a, b)| a > b)
}

/// For each point (objectives to be maximised), whether no other point dominates it. Equal
/// points do not dominate each other.
pub fn efficient(points: &[Vec<f64>]) -> Vec<bool> {
    points.iter().map(|p| !points.iter().any(|q| dominates(q, p))).collect()
}

/// The `frontier` document (schema 1).
#[derive(Debug, Clone, Serialize)]
pub struct FrontierOutput {
    #[serde(flatten)]
    pub header: Header,
    pub design: &'static str,
    pub scramble_seed: u32,
    pub vary: Vec<Term>,
    pub objectives: Vec<ObjectiveJson>,
    pub points: Vec<Point>,
    pub marked: Vec<Marked>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub key: String,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveJson {
    pub name: String,
    pub figure: &'static str,
    pub sense: Sense,
}

/// A design point: the terms' values, the objectives' means (and standard errors), and whether
/// no other point dominates it.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub values: IndexMap<String, f64>,
    pub outputs: IndexMap<String, f64>,
    pub se: IndexMap<String, f64>,
    pub efficient: bool,
}

/// A real deal placed against the points.
#[derive(Debug, Clone, Serialize)]
pub struct Marked {
    pub deal: String,
    pub file: String,
    pub outputs: IndexMap<String, f64>,
    pub se: IndexMap<String, f64>,
    /// Not dominated by any point.
    pub efficient: bool,
    /// How many points dominate it.
    pub dominated_by: usize,
    /// The point that improves on it most in every objective at once, and by how much (the
    /// smallest of its gains over the objectives, in their units), when points dominate it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub improvement: Option<Improvement>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Improvement {
    /// Index into `points`.
    pub point: usize,
    pub by: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn efficient_points_are_those_no_other_dominates() {
        let points = vec![
            vec![1.0, 5.0], // efficient
            vec![2.0, 4.0], // efficient
            vec![2.0, 3.0], // dominated by [2, 4]
            vec![0.5, 5.0], // dominated by [1, 5]
            vec![3.0, 1.0], // efficient
            vec![3.0, 1.0], // equal to the one before: neither dominates
            vec![1.0, 1.0], // dominated
        ];
        assert_eq!(efficient(&points), [true, true, false, false, true, true, false]);
        assert!(dominates(&[2.0, 4.0], &[2.0, 3.0]) && !dominates(&[2.0, 4.0], &[2.0, 4.0]));
    }

    #[test]
    fn objectives_read_their_sense() {
        let o = Objective::parse("host=host_npv:min").unwrap();
        assert_eq!((o.name.as_str(), o.figure.as_str(), o.sense), ("host", "host_npv", Sense::Min));
        assert_eq!(Objective::parse("korea=deal_npv").unwrap().sense, Sense::Max);
        for bad in ["deal_npv", "a=deal_npv:up", "=deal_npv", "a="] {
            assert!(
                matches!(Objective::parse(bad), Err(Error::InvalidRequest { parameter: "objective", .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn points_run_on_common_paths_and_marks_are_placed() {
        let mou = include_str!("../../../../deals/kr-us-2025-mou.toml");
        let ask = include_str!("../../../../deals/kr-us-2025-us-ask.toml");
        let request = FrontierRequest {
            deal: mou.into(),
            common: Common { seed: Some(2), paths: Some(64), overrides: Vec::new() },
            vary: vec![Range::parse("waterfall.mou.tiers.1.host=0.5..0.95", "vary").unwrap()],
            points: 6,
            objectives: Vec::new(),
            marks: vec![Mark { file: "ask".into(), text: ask.into() }],
        };
        let output = request.prepare().unwrap().run(&|_| {}).unwrap();
        assert_eq!(output.points.len(), 6);
        assert!(output.points.iter().any(|p| p.efficient));
        let key = "waterfall.mou.tiers.1.host";
        assert!(output.points.iter().all(|p| (0.5..=0.95).contains(&p.values[key])));
        // The split after recoup moves money from one side to the other: along it, every point
        // trades one side's NPV for the other's, so none dominates another.
        assert!(output.points.iter().all(|p| p.efficient), "{:?}", output.points);
        let mark = &output.marked[0];
        assert_eq!(mark.deal, "kr-us-2025-us-ask");
        assert_eq!(mark.efficient, mark.improvement.is_none());
    }
}
