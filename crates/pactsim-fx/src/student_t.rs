//! Student-t variates by the ziggurat method (Marsaglia and Tsang 2000, "The Ziggurat Method for
//! Generating Random Variables", J. Stat. Softw. 5(8); in Doornik's 2005 ZIGNOR form).
//!
//! A GARCH path draws one t variate a simulated day, thousands a path, and the usual route (a
//! normal over the root of a chi-squared, through a gamma sampler) costs three or four random
//! words and two square roots a draw. The ziggurat covers the density with 256 strips of equal
//! area, so almost every draw is one 32-bit random word, a multiplication and a comparison, and
//! the rest are exact rejection steps: the variates follow the t distribution exactly, not a
//! table's approximation of it, save that a point across a strip is one of 2²³ evenly spaced
//! (a spacing of about 1e-7 of the strip's width, far below anything a daily return can show).
//!
//! The tables depend on the degrees of freedom only, and are built when a model is fitted: the
//! base strip's edge `r` is solved so that the 256 strips, each `v` in area, stack up to the
//! density's peak. Beyond `r` the tail is sampled by rejection from `x/r` times the density,
//! whose distribution function has a closed inverse.

use rand::Rng;
use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};

/// Strips; the low byte of a random word picks one.
const LAYERS: usize = 256;

/// A sampler of the standard Student-t distribution with `nu > 1` degrees of freedom.
#[derive(Debug, Clone, PartialEq)]
pub struct StudentTZiggurat {
    nu: f64,
    /// `−(ν + 1) / 2`, the exponent of the unnormalised density.
    exponent: f64,
    /// Strip `i` spans `[0, x[i]]` across and `[f[i], f[i + 1]]` up; `x[0]` is the base strip's
    /// pseudo-width `v / f(r)`, `x[1] = r`, `x[LAYERS] = 0`.
    x: Box<[f64; LAYERS + 1]>,
    /// The unnormalised density `(1 + x²/ν)^(−(ν+1)/2)` at each `x`; `f[LAYERS] = 1`, the peak.
    f: Box<[f64; LAYERS + 1]>,
    /// The common case of a draw by the low 9 bits of its word (strip and sign).
    cores: Box<[Core; 2 * LAYERS]>,
}

/// A strip's core, as a draw's first word meets it: `point`'s comparison and value from the
/// word's bits with no conversion on the way to the branch, and the sign from the table, not from
/// bit twiddling on the result. About a third fewer instructions a draw, for the same variates.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Core {
    /// The word's top 23 bits `k` below this put its point inside the core (`point`'s
    /// `x < x[i + 1]`): points grow with `k`, so those inside are the ones below a threshold.
    below: u32,
    /// `±x[i] / 2²⁴`: times `2k + 1`, `point`'s signed point to the bit (`(k + ½) / 2²³ · x[i]`
    /// is the same product, scaled by a power of two, which is exact).
    step: f64,
}

impl StudentTZiggurat {
    /// The tables for `nu` degrees of freedom; `None` unless `nu` is finite and above 1 (the tail
    /// sampler needs a finite mean; GARCH fits have ν above 2).
    pub fn new(nu: f64) -> Option<Self> {
        if !(nu.is_finite() && nu > 1.0) {
            return None;
        }
        let mut sampler = StudentTZiggurat {
            nu,
            exponent: -(nu + 1.0) / 2.0,
            x: Box::new([0.0; LAYERS + 1]),
            f: Box::new([0.0; LAYERS + 1]),
            cores: Box::new([Core::default(); 2 * LAYERS]),
        };
        let t = StudentsT::new(0.0, 1.0, nu).ok()?;
        // Areas in the unnormalised density's units: the normalised one divided by its peak.
        let peak = t.pdf(0.0);
        let tail = |r: f64| t.sf(r) / peak;
        // The stack's overshoot of the peak for a base edge r: positive when the strips are too
        // big (r too small), so it falls as r grows.
        let overshoot = |sampler: &mut StudentTZiggurat, r: f64| -> f64 {
            let at_r = sampler.density(r);
            let v = r * at_r + tail(r);
            let (x, f) = (&mut sampler.x, &mut sampler.f);
            x[0] = v / at_r;
            x[1] = r;
            f[0] = 0.0;
            f[1] = at_r;
            for i in 1..LAYERS - 1 {
                let top = f[i] + v / x[i];
                if top >= 1.0 {
                    // The strips reach the peak before the last one: far too big.
                    return 1.0 + (LAYERS - 1 - i) as f64;
                }
                f[i + 1] = top;
                x[i + 1] = (nu * ((-2.0 / (nu + 1.0)) * top.ln()).exp_m1()).sqrt();
            }
            f[LAYERS - 1] + v / x[LAYERS - 1] - 1.0
        };
        // Bisection on ln r: the root lies between the normal's 3.65 and far out for ν near 2.
        let (mut low, mut high) = (0.5f64.ln(), 1e6f64.ln());
        if overshoot(&mut sampler, low.exp()) <= 0.0 || overshoot(&mut sampler, high.exp()) >= 0.0 {
            return None;
        }
        for _ in 0..200 {
            let mid = 0.5 * (low + high);
            if mid <= low || mid >= high {
                break;
            }
            if overshoot(&mut sampler, mid.exp()) > 0.0 {
                low = mid;
            } else {
                high = mid;
            }
        }
        overshoot(&mut sampler, high.exp());
        sampler.x[LAYERS] = 0.0;
        sampler.f[LAYERS] = 1.0;
        for low in 0..2 * LAYERS as u32 {
            let i = (low & 0xff) as usize;
            // The first k whose point is outside the core, by bisection on `point` itself.
            let (mut inside, mut outside) = (0u32, 1u32 << 23);
            while inside < outside {
                let k = inside + (outside - inside) / 2;
                if sampler.point((k << 9) | low).1 < sampler.x[i + 1] {
                    inside = k + 1;
                } else {
                    outside = k;
                }
            }
            let step = sampler.x[i] / f64::from(1u32 << 24);
            sampler.cores[low as usize] = Core { below: inside, step: if low & 0x100 == 0 { step } else { -step } };
        }
        Some(sampler)
    }

    pub fn nu(&self) -> f64 {
        self.nu
    }

    /// The unnormalised density `(1 + x²/ν)^(−(ν+1)/2)`, 1 at the peak.
    fn density(&self, x: f64) -> f64 {
        sampler_density(self.nu, self.exponent, x)
    }

    /// Appends `count` variates to `out`. Not inlined: on its own the loop keeps its state in
    /// registers, where inlined into a path's simulation it spills to memory. Appending, not
    /// filling a slice, spares the caller zeroing memory only to write over it.
    #[inline(never)]
    pub fn fill<R: Rng + ?Sized>(&self, rng: &mut R, count: usize, out: &mut Vec<f64>) {
        out.extend((0..count).map(|_| self.sample(rng)));
    }

    /// One variate. Mostly one 32-bit random word: its low byte picks the strip, the next bit the
    /// sign and its top 23 bits the point across the strip. Half a 64-bit word a day halves what
    /// a path spends generating random bits, which was about a third of its simulation.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let bits = rng.next_u32();
        match self.in_core(bits) {
            Some(signed) => signed,
            None => self.sample_beyond_the_core(rng, bits),
        }
    }

    /// `point`'s signed point if it lies in its strip's core.
    #[inline]
    fn in_core(&self, bits: u32) -> Option<f64> {
        let core = &self.cores[(bits & 0x1ff) as usize];
        (bits >> 9 < core.below).then(|| f64::from((bits >> 8) | 1) * core.step)
    }

    /// A word's strip, its point across the strip, and the point with the word's sign.
    #[inline]
    fn point(&self, bits: u32) -> (usize, f64, f64) {
        let i = (bits & 0xff) as usize;
        let across = (f64::from(bits >> 9) + 0.5) * (1.0 / f64::from(1u32 << 23));
        let x = across * self.x[i];
        // The sign bit set from bit 8, not chosen by a branch: a coin toss mispredicts half the
        // time.
        (i, x, f64::from_bits(x.to_bits() ^ (u64::from(bits & 0x100) << 55)))
    }

    /// The rest of a draw whose first word fell outside its strip's core: the base strip's tail,
    /// or the wedge test and, on rejection, fresh words. Kept out of line, so that the loop of
    /// the common case holds its state in registers.
    #[cold]
    #[inline(never)]
    fn sample_beyond_the_core<R: Rng + ?Sized>(&self, rng: &mut R, mut bits: u32) -> f64 {
        loop {
            let (i, x, signed) = self.point(bits);
            if x < self.x[i + 1] {
                return signed;
            }
            if i == 0 {
                let tail = self.tail(rng);
                return if bits & 0x100 == 0 { tail } else { -tail };
            }
            let height = self.f[i] + (self.f[i + 1] - self.f[i]) * pactsim_numeric::distribution::open_uniform(rng);
            if height < self.density(x) {
                return signed;
            }
            bits = rng.next_u32();
        }
    }

    /// A variate beyond `r = x[1]`, by rejection from the envelope `(x / r) · f(x)`, whose
    /// distribution function is closed: with `w = 1 + x²/ν`, its survival is
    /// `(w / w_r)^(−(ν−1)/2)`. A draw is kept with chance `r / x`, high where the tail is thin
    /// (x stays near r) and about one in two at ν near 2 (Marsaglia's device for the normal tail,
    /// on the t density).
    fn tail<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let r = self.x[1];
        let w_r = 1.0 + r * r / self.nu;
        loop {
            let w = w_r * pactsim_numeric::distribution::open_uniform(rng).powf(-2.0 / (self.nu - 1.0));
            let x = (self.nu * (w - 1.0)).sqrt();
            if pactsim_numeric::distribution::open_uniform(rng) * x < r {
                return x;
            }
        }
    }
}

fn sampler_density(nu: f64, exponent: f64, x: f64) -> f64 {
    (exponent * (x * x / nu).ln_1p()).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    /// From the fit's lower bound (2.05) to its upper one (500, near the normal).
    const NUS: [f64; 7] = [2.05, 3.0, 4.3, 5.0, 8.0, 40.0, 500.0];

    #[test]
    fn the_strips_have_equal_areas_and_reach_the_peak() {
        for nu in NUS {
            let z = StudentTZiggurat::new(nu).unwrap();
            let t = StudentsT::new(0.0, 1.0, nu).unwrap();
            let peak = t.pdf(0.0);
            let r = z.x[1];
            let v = r * z.density(r) + t.sf(r) / peak;
            // The base strip: rectangle to r and the tail, as x[0] · f(r).
            assert!((z.x[0] * z.f[1] - v).abs() <= 1e-13 * v, "nu {nu}");
            // The strips cover the half-density (area 1 / (2 · peak)) with little to spare: the
            // share of draws that need more than the first word.
            let cover = LAYERS as f64 * v * 2.0 * peak;
            assert!(cover > 1.0 && cover < 1.02, "nu {nu}: {cover}");
            for i in 1..LAYERS {
                let area = z.x[i] * (z.f[i + 1] - z.f[i]);
                assert!((area - v).abs() <= 1e-9 * v, "nu {nu} strip {i}: {area} vs {v}");
                assert!(z.x[i + 1] < z.x[i] && (z.density(z.x[i]) - z.f[i]).abs() <= 1e-12, "nu {nu} strip {i}");
            }
        }
    }

    /// Pearson's chi-squared over 200 bins of equal probability under statrs's t distribution
    /// function: 199 degrees of freedom, whose 1-in-a-million quantile is about 300.
    #[test]
    fn draws_follow_the_t_distribution() {
        for (k, nu) in NUS.into_iter().enumerate() {
            let z = StudentTZiggurat::new(nu).unwrap();
            let t = StudentsT::new(0.0, 1.0, nu).unwrap();
            let bins = 200;
            let mut counts = vec![0u64; bins];
            let n = 400_000;
            let mut rng = ChaCha8Rng::seed_from_u64(100 + k as u64);
            let mut beyond_r = 0u64;
            for _ in 0..n {
                let draw = z.sample(&mut rng);
                assert!(draw.is_finite());
                counts[((t.cdf(draw) * bins as f64) as usize).min(bins - 1)] += 1;
                beyond_r += u64::from(draw.abs() > z.x[1]);
            }
            let expected = n as f64 / bins as f64;
            let chi2: f64 = counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum();
            assert!(chi2 < 300.0, "nu {nu}: chi-squared {chi2}");
            // The tail beyond the base strip's edge, where the Pareto rejection samples.
            let p = 2.0 * t.sf(z.x[1]);
            let se = (p * (1.0 - p) / n as f64).sqrt();
            let share = beyond_r as f64 / n as f64;
            assert!((share - p).abs() < 5.0 * se + 1e-12, "nu {nu}: tail share {share} vs {p}");
        }
    }

    #[test]
    fn far_tail_quantiles_match() {
        // The tail sampler alone: P(|X| > q) for q at and beyond r, 2 million draws each.
        for nu in [2.05, 3.0, 40.0] {
            let z = StudentTZiggurat::new(nu).unwrap();
            let t = StudentsT::new(0.0, 1.0, nu).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let n = 2_000_000;
            let draws: Vec<f64> = (0..n).map(|_| z.sample(&mut rng)).collect();
            for q in [z.x[1], 1.5 * z.x[1], 3.0 * z.x[1]] {
                let p = 2.0 * t.sf(q);
                let observed = draws.iter().filter(|d| d.abs() > q).count() as f64 / n as f64;
                let se = (p * (1.0 - p) / n as f64).sqrt();
                assert!((observed - p).abs() < 5.0 * se, "nu {nu} q {q}: {observed} vs {p}");
            }
        }
    }

    /// The common case's tables give `point`'s answer bit for bit: at each strip's threshold, at
    /// both ends of the strip, and on random words.
    #[test]
    fn the_core_tables_agree_with_the_point_across_the_strip() {
        for nu in NUS {
            let z = StudentTZiggurat::new(nu).unwrap();
            let check = |bits: u32| {
                let (i, x, signed) = z.point(bits);
                let expected = (x < z.x[i + 1]).then_some(signed.to_bits());
                assert_eq!(z.in_core(bits).map(f64::to_bits), expected, "nu {nu} word {bits:#x}");
            };
            for low in 0..2 * LAYERS as u32 {
                let below = z.cores[low as usize].below;
                for k in [0, below.saturating_sub(1), below, (1 << 23) - 1] {
                    check(((k & ((1 << 23) - 1)) << 9) | low);
                }
            }
            let mut rng = ChaCha8Rng::seed_from_u64(nu.to_bits());
            for _ in 0..200_000 {
                check(rng.next_u32());
            }
        }
    }

    #[test]
    fn bad_degrees_of_freedom_have_no_sampler() {
        for nu in [0.0, 1.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(StudentTZiggurat::new(nu).is_none(), "{nu}");
        }
    }
}
