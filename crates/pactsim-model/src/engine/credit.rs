//! Who defaults: the contract's one-factor Gaussian copula, and the tables that draw it quickly.
//!
//! The rule. A surviving project whose unconditional annual default probability is `PD` defaults
//! on a payment date in calendar year `y` when `√ρ·Z_y + √(1−ρ)·ε < Φ⁻¹(PD)`, where `Z_y` is the
//! path's systematic factor for year `y` (one a calendar year, shared by every project) and `ε`
//! the project's own standard normal for that date (one per payment date, in order, from the
//! project's own stream). With `ε = Φ⁻¹(u)` for the project's uniform `u`, that is `u < p_y` for
//! `p_y = Φ((Φ⁻¹(PD) − √ρ·Z_y)/√(1−ρ))`, the default probability given the year's factor
//! (`conditional_default_probability`): the same event, with one normal transform per year
//! rather than one per project and date.
//!
//! The machinery (`CreditDraws`) keeps each year's factor and each `p_y` in year-indexed tables
//! for the path, filled when first needed, and each `Φ⁻¹(PD)` for as long as the draws are kept
//! (a `PathScratch`'s paths). What it must preserve: every value is the one drawn at its fixed
//! place (year `y`'s factor from block `y` of the systematic stream, a project's draws in payment
//! order), whatever was asked before it.

use chrono::{Datelike, NaiveDate};
use statrs::distribution::{ContinuousCDF, Normal};

use super::payment::ProjectState;
use crate::deal::Deal;

/// The default probability given a year's systematic factor `z`, for an unconditional probability
/// whose `Φ⁻¹` is `quantile`, with weight `ρ = weight` on the factor. With `ρ = 1` the factor
/// alone decides.
fn conditional_default_probability(normal: &Normal, quantile: f64, weight: f64, z: f64) -> f64 {
    if weight >= 1.0 {
        if z < quantile { 1.0 } else { 0.0 }
    } else {
        normal.cdf((quantile - weight.sqrt() * z) / (1.0 - weight).sqrt())
    }
}

/// A path's credit draws: one systematic factor per calendar year (drawn when first needed, from
/// its fixed place in the stream) and each project's own draws, one per payment date in order.
/// Kept between paths (`for_path`), so a path allocates nothing for them and the inverse normal
/// of each unconditional probability is found once for all the paths that reuse them.
#[derive(Default)]
pub(super) struct CreditDraws {
    seed: u64,
    path: u64,
    /// Year `k`'s uniform for its systematic factor sits at block `k`.
    systematic: Option<pactsim_numeric::rng::BlockUniforms>,
    first_year: i32,
    weight: f64,
    /// Year `k`'s systematic factor; NaN until drawn.
    factors: Vec<f64>,
    /// Each unconditional probability met so far (few: a pipeline's projects share theirs).
    classes: Vec<CreditClass>,
}

/// One unconditional default probability, and the default probability given each year's factor.
struct CreditClass {
    probability: f64,
    /// Φ⁻¹ of the probability, which every year's threshold needs.
    quantile: f64,
    /// Year `k`'s default probability given its factor; NaN until needed on this path.
    conditional: Vec<f64>,
}

impl CreditDraws {
    /// The draws of path `path` of `deal` under `seed`: the last path's are forgotten, keeping the
    /// memory and each probability's inverse normal.
    pub(super) fn for_path(&mut self, deal: &Deal, seed: u64, path: u64) -> &mut Self {
        use pactsim_numeric::rng::{BlockUniforms, Purpose};
        let years = (deal.end.year() - deal.start.year() + 1) as usize;
        (self.seed, self.path, self.first_year, self.weight) =
            (seed, path, deal.start.year(), deal.default_correlation);
        match &mut self.systematic {
            Some(uniforms) => uniforms.reopen(seed, Purpose::CreditSystematic, path),
            None => self.systematic = Some(BlockUniforms::new(seed, Purpose::CreditSystematic, path)),
        }
        self.factors.clear();
        self.factors.resize(years, f64::NAN);
        for class in &mut self.classes {
            class.conditional.clear();
            class.conditional.resize(years, f64::NAN);
        }
        self
    }

    /// Whether surviving project `index` (`project`), whose unconditional probability is
    /// `probability`, defaults on `date`: its uniform is below the year's conditional probability
    /// (see the module's doc).
    pub(super) fn defaults(
        &mut self,
        project: &mut ProjectState,
        index: usize,
        probability: f64,
        date: NaiveDate,
    ) -> bool {
        use pactsim_numeric::distribution::open_uniform;
        use pactsim_numeric::rng::{Purpose, stream};
        if probability <= 0.0 {
            return false;
        }
        let normal = Normal::standard();
        let year = (date.year() - self.first_year) as usize;
        let class = match self.classes.iter().position(|c| c.probability == probability) {
            Some(class) => class,
            None => {
                let conditional = vec![f64::NAN; self.factors.len()];
                self.classes.push(CreditClass { probability, quantile: normal.inverse_cdf(probability), conditional });
                self.classes.len() - 1
            }
        };
        let CreditClass { quantile, conditional, .. } = &mut self.classes[class];
        let mut threshold = conditional[year];
        if threshold.is_nan() {
            let z = &mut self.factors[year];
            if z.is_nan() {
                let systematic = self.systematic.as_mut().expect("opened by reset");
                *z = normal.inverse_cdf(systematic.at(year));
            }
            threshold = conditional_default_probability(&normal, *quantile, self.weight, *z);
            conditional[year] = threshold;
        }
        let (seed, path) = (self.seed, self.path);
        let own = project
            .credit_stream
            .get_or_insert_with(|| stream(seed, Purpose::CreditIdiosyncratic { project: index as u32 }, path));
        open_uniform(own) < threshold
    }
}
