//! Figures that only the paths themselves give, gathered from a run's kept paths (the Monte Carlo
//! runner hands each path's totals and yearly figures to a sink, in path order): the investor's
//! cumulative net cash at each year's end, whose quantiles are not those of the yearly flows
//! summed, and the distribution of the recoup year.
//!
//! `KeptFigures` is the sink's state; `finish` turns it into `PathFigures`. Quantiles are exact
//! (type 7, numpy's default) over every path kept, so memory grows with paths × years.

use pactsim_model::deal::Deal;
use pactsim_montecarlo::{Layout, Total, YearFigure};

/// Quantiles of one figure across paths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// The investor's cumulative net cash (received minus paid, undiscounted) at the end of a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CumulativeYear {
    pub year: i32,
    pub usd_bn: Quantiles,
}

/// On how many paths every recoup account recouped, by the calendar year the last did.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoupDistribution {
    /// (year, paths), in year order, only years with paths.
    pub by_year: Vec<(i32, u64)>,
    /// Paths on which some account had not recouped by the horizon.
    pub never: u64,
    pub paths: u64,
}

/// What the kept paths of one run say.
#[derive(Debug, Clone, PartialEq)]
pub struct PathFigures {
    pub paths: u64,
    pub cumulative_net_cash: Vec<CumulativeYear>,
    pub recoup: RecoupDistribution,
}

/// Gathers kept paths: `push` is the sink.
#[derive(Debug, Clone)]
pub struct KeptFigures {
    layout: Layout,
    first_year: i32,
    years: usize,
    /// Per year, every path's cumulative net cash at its end.
    cumulative: Vec<Vec<f64>>,
    recoup_years: Vec<i32>,
    never: u64,
    paths: u64,
}

impl KeptFigures {
    pub fn new(deal: &Deal) -> Self {
        use chrono::Datelike;
        let years = (deal.end.year() - deal.start.year() + 1) as usize;
        KeptFigures {
            layout: Layout::of(deal),
            first_year: deal.start.year(),
            years,
            cumulative: vec![Vec::new(); years],
            recoup_years: Vec::new(),
            never: 0,
            paths: 0,
        }
    }

    /// One path's kept figures (`Layout::kept_columns` order).
    pub fn push(&mut self, _path: u64, figures: &[Option<f64>]) {
        let value = |index: usize| figures.get(index).copied().flatten();
        let mut sum = 0.0;
        for (year, values) in self.cumulative.iter_mut().enumerate() {
            let paid = value(self.layout.year(year, YearFigure::InvestorPaid)).unwrap_or(0.0);
            let received = value(self.layout.year(year, YearFigure::InvestorReceived)).unwrap_or(0.0);
            sum += received - paid;
            values.push(sum);
        }
        let recouped = value(self.layout.total(Total::Recouped)).unwrap_or(0.0) > 0.0;
        match value(self.layout.total(Total::RecoupYear)) {
            Some(year) if recouped && year.is_finite() => self.recoup_years.push(year.round() as i32),
            _ => self.never += 1,
        }
        self.paths += 1;
    }

    pub fn finish(mut self) -> PathFigures {
        let cumulative_net_cash = self
            .cumulative
            .iter_mut()
            .enumerate()
            .map(|(i, values)| CumulativeYear { year: self.first_year + i as i32, usd_bn: quantiles(values) })
            .collect();
        self.recoup_years.sort_unstable();
        let mut by_year: Vec<(i32, u64)> = Vec::new();
        for year in &self.recoup_years {
            match by_year.last_mut() {
                Some((last, count)) if last == year => *count += 1,
                _ => by_year.push((*year, 1)),
            }
        }
        let _ = self.years;
        PathFigures {
            paths: self.paths,
            cumulative_net_cash,
            recoup: RecoupDistribution { by_year, never: self.never, paths: self.paths },
        }
    }
}

/// Type-7 quantiles (numpy's default) of `values`, which are sorted in place; zeros when empty.
pub fn quantiles(values: &mut [f64]) -> Quantiles {
    values.sort_unstable_by(f64::total_cmp);
    let at = |q: f64| -> f64 {
        if values.is_empty() {
            return 0.0;
        }
        let h = (values.len() - 1) as f64 * q;
        let (low, high) = (h.floor() as usize, h.ceil() as usize);
        values[low] + (h - low as f64) * (values[high] - values[low])
    };
    Quantiles { p5: at(0.05), p25: at(0.25), p50: at(0.5), p75: at(0.75), p95: at(0.95) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pactsim_model::spec::parse_deal;
    use pactsim_montecarlo::simulate;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4], [5, 25, 50, 75, 95]) = 1.15, 1.75, 2.5, 3.25, 3.85
        let q = quantiles(&mut [4.0, 1.0, 3.0, 2.0]);
        let got = [q.p5, q.p25, q.p50, q.p75, q.p95];
        for (g, e) in got.iter().zip([1.15, 1.75, 2.5, 3.25, 3.85]) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
        assert_eq!(quantiles(&mut []).p50, 0.0);
    }

    #[test]
    fn the_last_year_cumulative_net_cash_is_received_minus_paid_on_every_path() {
        let deal = parse_deal(include_str!("../../../deals/kr-us-2025-us-ask.toml")).unwrap();
        let mut kept = KeptFigures::new(&deal);
        let layout = Layout::of(&deal);
        let mut totals = Vec::new();
        let mut sink = |path: u64, figures: &[Option<f64>]| {
            let net = figures[layout.total(Total::InvestorReceived)].unwrap()
                - figures[layout.total(Total::InvestorPaid)].unwrap();
            totals.push(net);
            kept.push(path, figures);
        };
        let summary = simulate(&deal, 300, 3, &|_| {}, Some(&mut sink));
        let figures = kept.finish();
        assert_eq!(figures.paths, summary.paths);
        let last = figures.cumulative_net_cash.last().unwrap().usd_bn;
        let expected = quantiles(&mut totals);
        assert!((last.p50 - expected.p50).abs() < 1e-9 && (last.p5 - expected.p5).abs() < 1e-9);
        assert!(last.p5 <= last.p25 && last.p25 <= last.p50 && last.p50 <= last.p75 && last.p75 <= last.p95);
        let recouped: u64 = figures.recoup.by_year.iter().map(|(_, n)| n).sum();
        assert_eq!(recouped + figures.recoup.never, figures.paths);
    }
}
