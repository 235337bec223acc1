//! Summaries across paths: mean, its Monte Carlo standard error, and quantiles, over the paths
//! where a figure exists.
//!
//! An `Accumulator` takes one figure path by path and merges with others in path order, so the
//! result is the same bits whatever the thread count (chunks of paths are merged in chunk order).
//! A Monte Carlo chunk gathers every figure of its paths, path by path, into one buffer in which
//! each figure has its slice (`ChunkRows`), then turns them into a `Chunk`: each figure's values in
//! path order and their moments, in two passes over its slice (the sum, then the squared deviations
//! from the mean). Each figure's accumulator then merges the chunks in order (Chan, Golub and
//! LeVeque's formula for the moments). The values, and so the quantiles, are those pushing the
//! paths one by one gives; the mean and its standard error round differently from Welford's
//! one-by-one updates, by about 1e-15 relative, and where a figure varies only in its last bits
//! from path to path the standard error is closer to exact.
//! Quantiles are exact up to `EXACT_PATHS` values: linear interpolation between order statistics
//! (Hyndman and Fan's type 7, the default of numpy, R and Excel's PERCENTILE.INC). Beyond that the
//! values go into a DDSketch (Masson, Rim and Lee 2019) with 0.1% relative accuracy, so memory stays
//! flat in the number of paths; sketch quantiles are clamped to the exact minimum and maximum.

use serde::{Deserialize, Serialize};
use sketches_ddsketch::{Config, DDSketch};

/// Up to this many values per figure, quantiles are exact.
pub const EXACT_PATHS: usize = 10_000;
/// Relative accuracy of quantiles beyond `EXACT_PATHS`.
pub const SKETCH_ACCURACY: f64 = 0.001;

/// Mean and quantiles of a figure across paths; all `None` where it exists on no path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub mean: Option<f64>,
    /// Monte Carlo standard error of the mean: sample standard deviation over √n (0 for one path
    /// or identical paths).
    pub mean_se: Option<f64>,
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    /// Share of paths on which the figure exists; `None` for figures that always exist.
    pub defined_share: Option<f64>,
}

impl Stat {
    /// A figure that exists on every path.
    pub fn of(values: &[f64]) -> Stat {
        let mut accumulator = Accumulator::default();
        for v in values {
            accumulator.push(Some(*v));
        }
        accumulator.stat(false)
    }

    /// A figure that may not exist on some paths (`None`, or not finite).
    pub fn of_optional(values: &[Option<f64>]) -> Stat {
        let mut accumulator = Accumulator::default();
        for v in values {
            accumulator.push(*v);
        }
        accumulator.stat(true)
    }
}

/// Count, mean, sum of squared deviations, minimum and maximum of the values a figure took where it
/// exists: taken one by one (Welford), or a chunk's at once in two passes, and merged by Chan, Golub
/// and LeVeque's formula.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Moments {
    /// Adds a finite value and returns it as recorded.
    fn push(&mut self, v: f64) -> f64 {
        // −0.0 (the sum of nothing) would print as "-0.0".
        let v = v + 0.0;
        self.count += 1;
        let delta = v - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (v - self.mean);
        if self.count == 1 {
            (self.min, self.max) = (v, v);
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        v
    }

    /// Appends the values summarised by `later`, which come after these.
    fn merge(&mut self, later: &Moments) {
        if later.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *later;
            return;
        }
        let (n_a, n_b) = (self.count as f64, later.count as f64);
        let n = n_a + n_b;
        let delta = later.mean - self.mean;
        self.mean += delta * n_b / n;
        self.m2 += later.m2 + delta * delta * n_a * n_b / n;
        self.count += later.count;
        self.min = self.min.min(later.min);
        self.max = self.max.max(later.max);
    }

    /// The moments of a figure's values in path order, as recorded (see `push`), not finite where
    /// it does not exist on a path. The values it has are left at the front of `column`.
    fn of_column(column: &mut [f64]) -> Moments {
        let (mut sum, mut min, mut max) = sum_min_max(column);
        let mut count = column.len();
        // A sum that is not finite comes from a value that is not (or from an overflow, which the
        // compaction leaves as it is): most figures exist on every path and never come here.
        if !sum.is_finite() {
            count = 0;
            for i in 0..column.len() {
                if column[i].is_finite() {
                    column[count] = column[i];
                    count += 1;
                }
            }
            (sum, min, max) = sum_min_max(&column[..count]);
        }
        let values = &column[..count];
        if count == 0 {
            return Moments::default();
        }
        if min == max {
            // Identical values are summarised exactly, as pushing them one by one does.
            return Moments { count: count as u64, mean: min, m2: 0.0, min, max };
        }
        let mean = sum / count as f64;
        if !mean.is_finite() {
            // Only values near `f64::MAX` overflow the sum; one by one, they do not.
            let mut moments = Moments::default();
            values.iter().for_each(|v| _ = moments.push(*v));
            return moments;
        }
        let mut squares = [0.0; LANES];
        for_lanes(values, |lane, v| squares[lane] += (v - mean) * (v - mean));
        Moments { count: count as u64, mean, m2: lanes_total(squares), min, max }
    }
}

/// Partial sums kept apart by the passes over a figure's values, so that they vectorise (four
/// doubles make two SSE2 registers or one AVX one) and do not wait on each other. They are combined
/// in a fixed order, so a sum depends on the values and their order alone.
const LANES: usize = 4;

/// Calls `f` with each value and the partial sum it goes to: value `i` to lane `i % LANES`.
fn for_lanes(values: &[f64], mut f: impl FnMut(usize, f64)) {
    let mut blocks = values.chunks_exact(LANES);
    for block in &mut blocks {
        for (lane, v) in block.iter().enumerate() {
            f(lane, *v);
        }
    }
    for (lane, v) in blocks.remainder().iter().enumerate() {
        f(lane, *v);
    }
}

/// The partial sums added pairwise, in a fixed order.
fn lanes_total(lanes: [f64; LANES]) -> f64 {
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// The first pass over a figure's values: their sum, minimum and maximum. The sum is not finite
/// where a value is not.
fn sum_min_max(values: &[f64]) -> (f64, f64, f64) {
    let (mut sums, mut mins, mut maxes) = ([0.0; LANES], [f64::INFINITY; LANES], [f64::NEG_INFINITY; LANES]);
    for_lanes(values, |lane, v| {
        sums[lane] += v;
        // Comparisons rather than `f64::min` and `max`, whose care for NaN costs instructions: a
        // NaN makes the sum NaN, and its figure is summed again without it.
        mins[lane] = if v < mins[lane] { v } else { mins[lane] };
        maxes[lane] = if v > maxes[lane] { v } else { maxes[lane] };
    });
    let min = mins.into_iter().fold(f64::INFINITY, f64::min);
    let max = maxes.into_iter().fold(f64::NEG_INFINITY, f64::max);
    (lanes_total(sums), min, max)
}

/// The rows of one chunk of paths, one of every figure a path, kept figure by figure as they come:
/// `finish` then summarises each figure's slice into a `Chunk`, which keeps the numbers in the same
/// buffer. The caller hands the buffer in and gets it back, so that a run can reuse a few buffers
/// rather than allocate one a chunk.
pub struct ChunkRows {
    figures: usize,
    /// The paths there is room for: the length of each figure's slice.
    room: usize,
    paths: usize,
    /// Figure `f`'s values from `f * room`, path after path, as recorded (−0.0 as 0.0); NaN where
    /// the figure does not exist on a path (a non-finite value is taken as not existing anyway).
    values: Vec<f64>,
    /// The last few paths' rows, path after path, not yet moved into `values`.
    staged: Vec<f64>,
}

/// Paths whose rows are staged before they move into the figures' slices: eight doubles fill a
/// cache line of a slice at once. Written straight in, a path's values, a slice apart (a kilobyte
/// in a chunk of 128 paths), each fetched a line that had left the cache since the path before
/// wrote to it: a chunk's buffer of the Korea MOU is 1.4 MB.
const STAGED_PATHS: usize = 8;

impl ChunkRows {
    /// Rows of `figures` figures for up to `paths` paths, gathered in `buffer` (whatever it holds:
    /// new, or handed back by an earlier chunk).
    pub fn new(figures: usize, paths: usize, mut buffer: Vec<f64>) -> Self {
        // Every slot is written before it is read, so a reused buffer's old numbers can stay; only
        // new room is filled.
        buffer.resize(figures * paths, 0.0);
        ChunkRows { figures, room: paths, paths: 0, values: buffer, staged: Vec::with_capacity(figures * STAGED_PATHS) }
    }

    /// Records one path's value of every figure; `None` (or a non-finite value) where a figure
    /// does not exist.
    pub fn push(&mut self, figures: &[Option<f64>]) {
        assert_eq!(figures.len(), self.figures, "one value per figure");
        assert!(self.paths < self.room, "no more paths than there is room for");
        // −0.0 (the sum of nothing) would print as "-0.0".
        self.staged.extend(figures.iter().map(|v| v.map_or(f64::NAN, |v| v + 0.0)));
        self.paths += 1;
        if self.staged.len() == self.figures * STAGED_PATHS {
            self.move_staged();
        }
    }

    /// Moves the staged rows into the figures' slices.
    fn move_staged(&mut self) {
        let rows = self.staged.len() / self.figures.max(1);
        let first = self.paths - rows;
        for (f, slice) in self.values.chunks_exact_mut(self.room).enumerate() {
            for (row, value) in slice[first..first + rows].iter_mut().enumerate() {
                *value = self.staged[row * self.figures + f];
            }
        }
        self.staged.clear();
    }

    /// Each figure's moments and values in path order.
    pub fn finish(mut self) -> Chunk {
        if !self.staged.is_empty() {
            self.move_staged();
        }
        let ChunkRows { figures, room, paths, mut values, .. } = self;
        let moments = (0..figures).map(|f| Moments::of_column(&mut values[f * room..f * room + paths])).collect();
        Chunk { paths, room, moments, values }
    }
}

/// The figures of one chunk of paths, figure by figure: what a worker hands to the in-order merge.
/// All values sit in one buffer, so a chunk costs a few allocations rather than a growing vector
/// per figure.
pub struct Chunk {
    paths: usize,
    /// The length of each figure's slice of `values`.
    room: usize,
    moments: Vec<Moments>,
    /// Figure `f`'s values, in path order, from `f * room`; its `moments[f].count` first slots
    /// are used.
    values: Vec<f64>,
}

impl Chunk {
    /// The buffer of values, for another chunk to reuse.
    pub fn into_buffer(self) -> Vec<f64> {
        self.values
    }

    /// Figure `figure`'s summary and values.
    fn figure(&self, figure: usize) -> (&Moments, &[f64]) {
        let moments = &self.moments[figure];
        let start = figure * self.room;
        (moments, &self.values[start..start + moments.count as usize])
    }
}

impl Chunk {
    /// Every figure's moments and values, to be merged elsewhere (a unit of a split run).
    pub fn record(&self) -> ChunkRecord {
        let figures = (0..self.moments.len())
            .map(|f| {
                let (m, values) = self.figure(f);
                ChunkFigure { count: m.count, mean: m.mean, m2: m.m2, min: m.min, max: m.max, values: values.to_vec() }
            })
            .collect();
        ChunkRecord { paths: self.paths as u64, figures }
    }
}

/// One chunk of paths as the in-order merge reads it, every figure: what a unit of a run split
/// over machines hands back. Merged with `Accumulator::merge_record` in chunk order, records give
/// the accumulators of the run that merged the chunks itself, to the bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkRecord {
    pub paths: u64,
    pub figures: Vec<ChunkFigure>,
}

/// One figure of a chunk: its moments and its values where it exists, in path order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkFigure {
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
    values: Vec<f64>,
}

/// One figure over paths, in path order.
#[derive(Clone, Default)]
pub struct Accumulator {
    paths: u64,
    moments: Moments,
    exact: Vec<f64>,
    sketch: Option<Box<DDSketch>>,
}

impl Accumulator {
    /// Records one path's value; `None` (or a non-finite value) where the figure does not exist.
    pub fn push(&mut self, value: Option<f64>) {
        self.paths += 1;
        let Some(v) = value.filter(|v| v.is_finite()) else { return };
        let v = self.moments.push(v);
        match &mut self.sketch {
            Some(sketch) => sketch.add(v),
            None => {
                self.exact.push(v);
                if self.exact.len() > EXACT_PATHS {
                    self.spill();
                }
            }
        }
    }

    /// Appends the paths of `later`, which come after this accumulator's paths.
    pub fn merge(&mut self, later: &Accumulator) {
        self.append(later.paths, &later.moments, &later.exact, later.sketch.as_deref());
    }

    /// Appends figure `figure` of `chunk`, whose paths come after this accumulator's paths.
    pub fn merge_chunk(&mut self, chunk: &Chunk, figure: usize) {
        let (moments, values) = chunk.figure(figure);
        self.append(chunk.paths as u64, moments, values, None);
    }

    /// Appends figure `figure` of a chunk's record, whose paths come after this accumulator's
    /// paths: what `merge_chunk` does with the chunk itself.
    pub fn merge_record(&mut self, record: &ChunkRecord, figure: usize) {
        let f = &record.figures[figure];
        let moments = Moments { count: f.count, mean: f.mean, m2: f.m2, min: f.min, max: f.max };
        self.append(record.paths, &moments, &f.values[..(f.count as usize).min(f.values.len())], None);
    }

    /// Appends later paths: their number, the moments of their values, and the values themselves,
    /// exact or (once past `EXACT_PATHS`) in a sketch.
    fn append(&mut self, paths: u64, moments: &Moments, exact: &[f64], sketch: Option<&DDSketch>) {
        self.paths += paths;
        if moments.count == 0 {
            return;
        }
        self.moments.merge(moments);
        if self.sketch.is_none() && sketch.is_none() && self.exact.len() + exact.len() <= EXACT_PATHS {
            let needed = self.exact.len() + exact.len();
            if needed > self.exact.capacity() {
                // Doubling, but never past what is ever kept exact: capacity for 16,384 values
                // would hold 64% more memory than the 10,000 kept, across every figure of a run.
                self.exact.reserve_exact((2 * self.exact.capacity()).min(EXACT_PATHS).max(needed) - self.exact.len());
            }
            self.exact.extend_from_slice(exact);
            return;
        }
        self.spill();
        let own = self.sketch.as_mut().expect("spilled");
        if let Some(other) = sketch {
            own.merge(other).expect("sketches share one configuration");
        }
        // A run of equal values goes in as one count: the bins, count, minimum and maximum the
        // quantiles read are those of adding each, and many figures repeat from path to path
        // (the trade block, a year before any project pays). The sketch's own sum, which would
        // differ in its rounding, is never read.
        exact.chunk_by(|a, b| a == b).for_each(|run| own.add_with_count(run[0], run.len() as u64));
    }

    /// Moves the exact values into a sketch.
    fn spill(&mut self) {
        if self.sketch.is_some() {
            return;
        }
        let mut sketch = DDSketch::new(Config::new(SKETCH_ACCURACY, 32_768, 1e-12));
        for v in self.exact.drain(..) {
            sketch.add(v);
        }
        self.exact.shrink_to_fit();
        self.sketch = Some(Box::new(sketch));
    }

    pub fn paths(&self) -> u64 {
        self.paths
    }

    /// The Stat; `may_be_undefined` adds `defined_share`.
    pub fn stat(&self, may_be_undefined: bool) -> Stat {
        let Moments { count, mean, m2, min, max } = self.moments;
        let defined_share =
            may_be_undefined.then(|| if self.paths == 0 { 0.0 } else { count as f64 / self.paths as f64 });
        if count == 0 {
            return Stat { mean: None, mean_se: None, p5: None, p50: None, p95: None, defined_share };
        }
        let mean_se = if count < 2 || min == max {
            0.0
        } else {
            (m2 / (count - 1) as f64).max(0.0).sqrt() / (count as f64).sqrt()
        };
        // Identical values are reported exactly, whatever their number.
        let mean = if min == max { min } else { mean.clamp(min, max) };
        let [p5, p50, p95] = self.quantiles([0.05, 0.50, 0.95]);
        Stat { mean: Some(mean), mean_se: Some(mean_se), p5: Some(p5), p50: Some(p50), p95: Some(p95), defined_share }
    }

    fn quantiles<const N: usize>(&self, qs: [f64; N]) -> [f64; N] {
        let Moments { mean, min, max, .. } = self.moments;
        if min == max {
            return [min; N];
        }
        match &self.sketch {
            Some(sketch) => qs.map(|q| sketch.quantile(q).ok().flatten().unwrap_or(mean).clamp(min, max)),
            None => select_quantiles(&self.exact, qs),
        }
    }
}

/// Type-7 quantiles of `values` for ascending `qs`: linear interpolation between the order
/// statistics just below and above rank `(n − 1)·q`. Only the order statistics needed are put in
/// place (`select_ranks`) rather than the whole slice sorted. They are the numbers a sort by
/// `total_cmp` would put there: the selection is of `total_cmp`'s own integer keys, which order as
/// it does and tell apart only bitwise-different values, and which compare in one instruction where
/// `total_cmp` takes several.
fn select_quantiles<const N: usize>(values: &[f64], qs: [f64; N]) -> [f64; N] {
    assert!(qs.is_sorted(), "quantiles are asked for in ascending order");
    let last = values.len() - 1;
    let below_and_above = qs.map(|q| {
        let h = last as f64 * q;
        let below = h.floor() as usize;
        (h, below, (below + 1).min(last))
    });
    let mut ranks: Vec<usize> = below_and_above.iter().flat_map(|&(_, below, above)| [below, above]).collect();
    // Quantiles close together share ranks, which then come out of order: each is found once.
    ranks.sort_unstable();
    ranks.dedup();
    let mut keys: Vec<i64> = values.iter().map(|v| total_order_key(v.to_bits() as i64)).collect();
    select_ranks(&mut keys, &ranks, 0);
    let at = |rank: usize| f64::from_bits(total_order_key(keys[rank]) as u64);
    below_and_above.map(|(h, below, above)| {
        let (low, high) = (at(below), at(above));
        low + (h - below as f64) * (high - low)
    })
}

/// Puts in place the keys of `ranks` (ascending, distinct; counted from `offset`, where `keys`
/// starts): the middle one by quickselect over all the keys, then those below it within the part
/// below and those above within the part above. Starting in the middle rather than at the lowest
/// rank leaves each later selection a smaller part to search.
fn select_ranks(keys: &mut [i64], ranks: &[usize], offset: usize) {
    let Some(&middle) = ranks.get(ranks.len() / 2) else { return };
    let (below, _, above) = keys.select_nth_unstable(middle - offset);
    select_ranks(below, &ranks[..ranks.len() / 2], offset);
    select_ranks(above, &ranks[ranks.len() / 2 + 1..], middle + 1);
}

/// The key by which `f64::total_cmp` orders a value, from its bits (the sign bit kept, the others
/// flipped for a negative value); also the bits of the value a key stands for, since flipping is
/// its own inverse.
fn total_order_key(bits: i64) -> i64 {
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_path_gives_four_equal_numbers() {
        let s = Stat::of(&[3.5]);
        assert_eq!((s.mean, s.p5, s.p50, s.p95), (Some(3.5), Some(3.5), Some(3.5), Some(3.5)));
        assert_eq!(s.mean_se, Some(0.0));
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 50, 95]) = [1.2, 3.0, 8.8]
        let s = Stat::of(&[10.0, 1.0, 3.0, 2.0, 4.0]);
        assert!((s.p5.unwrap() - 1.2).abs() < 1e-12);
        assert_eq!(s.p50, Some(3.0));
        assert!((s.p95.unwrap() - 8.8).abs() < 1e-12);
        assert!((s.mean.unwrap() - 4.0).abs() < 1e-15);
        // Sample sd of [1, 2, 3, 4, 10] is sqrt(12.5); over sqrt(5).
        assert!((s.mean_se.unwrap() - (12.5f64 / 5.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn undefined_paths_are_left_out_and_counted() {
        let s = Stat::of_optional(&[Some(1.0), None, Some(3.0), None]);
        assert_eq!(s.defined_share, Some(0.5));
        assert_eq!(s.mean, Some(2.0));
        let none = Stat::of_optional(&[None]);
        assert_eq!((none.mean, none.defined_share), (None, Some(0.0)));
    }

    /// Type-7 quantile of sorted values, as numpy computes it: the reference for
    /// `select_quantiles`.
    fn quantile(sorted: &[f64], q: f64) -> f64 {
        let h = (sorted.len() - 1) as f64 * q;
        let below = h.floor() as usize;
        let above = (below + 1).min(sorted.len() - 1);
        sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
    }

    #[test]
    fn selected_quantiles_are_those_of_the_sorted_values() {
        let qs = [0.0, 0.05, 0.05, 0.25, 0.5, 0.95, 0.999, 1.0];
        for n in [1, 2, 3, 19, 20, 21, 100, 1001, EXACT_PATHS] {
            // Distinct values, then few distinct values repeated, 0.0 and −0.0 among them.
            for data in [values(n), values(n).iter().map(|v| (v * 3.0).round()).collect()] {
                let mut sorted = data.clone();
                sorted.sort_by(f64::total_cmp);
                let expected = qs.map(|q| quantile(&sorted, q).to_bits());
                assert_eq!(select_quantiles(&data, qs).map(f64::to_bits), expected, "{n} values");
            }
        }
    }

    fn values(n: usize) -> Vec<f64> {
        // A deterministic, skewed, sign-changing sequence.
        (0..n).map(|i| ((i as f64 * 0.618_033_988_75).fract() - 0.3) * (1.0 + (i % 7) as f64)).collect()
    }

    #[test]
    fn merging_chunks_in_order_equals_pushing_one_by_one() {
        let data = values(1000);
        let mut whole = Accumulator::default();
        data.iter().for_each(|v| whole.push(Some(*v)));
        let mut merged = Accumulator::default();
        for chunk in data.chunks(64) {
            let mut part = Accumulator::default();
            chunk.iter().for_each(|v| part.push(Some(*v)));
            merged.merge(&part);
        }
        let (a, b) = (whole.stat(false), merged.stat(false));
        assert_eq!((a.p5, a.p50, a.p95), (b.p5, b.p50, b.p95));
        assert!((a.mean.unwrap() - b.mean.unwrap()).abs() < 1e-14);
        assert!((a.mean_se.unwrap() - b.mean_se.unwrap()).abs() < 1e-14);
    }

    /// `paths` rows of `figures` figures: skewed, sign-changing values; some missing, some not
    /// finite, some −0.0. The first figure is always 2.5, the second always exists, the last never.
    fn rows(paths: usize, figures: usize) -> Vec<Vec<Option<f64>>> {
        let data = values(paths * figures);
        (0..paths)
            .map(|p| {
                (0..figures)
                    .map(|f| match (f, (p * 7 + f * 3) % 23) {
                        (0, _) => Some(2.5),
                        (f, _) if f == figures - 1 => None,
                        (1, 3) => Some(-0.0),
                        (1, _) => Some(data[p * figures + 1]),
                        (_, 0) => None,
                        (_, 1) => Some(f64::NAN),
                        (_, 2) => Some(f64::INFINITY),
                        (_, 3) => Some(-0.0),
                        _ => Some(data[p * figures + f] * (1.0 + f as f64)),
                    })
                    .collect()
            })
            .collect()
    }

    /// Each chunk of `chunk` rows pushed path by path into an accumulator per figure, merged in
    /// chunk order: how chunks were summed before `ChunkRows`.
    fn one_by_one(rows: &[Vec<Option<f64>>], chunk: usize) -> Vec<Accumulator> {
        let mut totals = vec![Accumulator::default(); rows[0].len()];
        for part in rows.chunks(chunk) {
            for (figure, total) in totals.iter_mut().enumerate() {
                let mut accumulator = Accumulator::default();
                part.iter().for_each(|row| accumulator.push(row[figure]));
                total.merge(&accumulator);
            }
        }
        totals
    }

    /// The same rows through `ChunkRows` and `merge_chunk`, each chunk in the buffer of the one
    /// before, as a run reuses them.
    fn chunked(rows: &[Vec<Option<f64>>], chunk: usize) -> Vec<Accumulator> {
        let mut totals = vec![Accumulator::default(); rows[0].len()];
        let mut buffer = Vec::new();
        for part in rows.chunks(chunk) {
            let mut gathered = ChunkRows::new(rows[0].len(), part.len(), buffer);
            part.iter().for_each(|row| gathered.push(row));
            let summed = gathered.finish();
            for (figure, total) in totals.iter_mut().enumerate() {
                total.merge_chunk(&summed, figure);
            }
            buffer = summed.into_buffer();
        }
        totals
    }

    /// Every field of every figure's Stat, to the bit (`{:?}` prints the shortest decimal that
    /// reads back to the same bits, and tells −0.0 from 0.0).
    fn bits(totals: &[Accumulator]) -> Vec<String> {
        totals.iter().map(|t| format!("{:?}", t.stat(true))).collect()
    }

    /// Asserts that `fast` (chunks summarised at once) holds what `simple` (paths pushed one by
    /// one) does: the same paths, values, count, minimum and maximum, and so the same quantiles and
    /// defined share, to the bit; and the same mean and standard error to 1e-12 relative, which is
    /// as close as two passes and Welford's updates round alike.
    fn assert_agree(simple: &[Accumulator], fast: &[Accumulator], context: &str) {
        let bits_of = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * a.abs().max(b.abs()),
            (a, b) => a.is_none() && b.is_none(),
        };
        for (figure, (a, b)) in simple.iter().zip(fast).enumerate() {
            let context = format!("{context}, figure {figure}");
            let (m, n) = (&a.moments, &b.moments);
            assert_eq!(
                (a.paths, m.count, bits_of(&[m.min, m.max])),
                (b.paths, n.count, bits_of(&[n.min, n.max])),
                "{context}"
            );
            assert_eq!(bits_of(&a.exact), bits_of(&b.exact), "{context}");
            match (&a.sketch, &b.sketch) {
                (None, None) => {}
                (Some(x), Some(y)) => {
                    assert_eq!(x.count(), y.count(), "{context}");
                    for q in (0..=1000).map(|q| q as f64 / 1000.0) {
                        assert_eq!(x.quantile(q).unwrap(), y.quantile(q).unwrap(), "{context}, q {q}");
                    }
                }
                _ => panic!("{context}: one sketch"),
            }
            let (s, t) = (a.stat(true), b.stat(true));
            let quantiles = |s: Stat| format!("{:?}", (s.p5, s.p50, s.p95, s.defined_share));
            assert_eq!(quantiles(s), quantiles(t), "{context}");
            assert!(close(s.mean, t.mean) && close(s.mean_se, t.mean_se), "{context}: {s:?} vs {t:?}");
        }
    }

    #[test]
    fn chunk_rows_agree_with_pushing_path_by_path() {
        for (paths, chunk) in [(1, 128), (7, 128), (128, 128), (1000, 128), (1000, 37)] {
            let rows = rows(paths, 11);
            let (simple, fast) = (one_by_one(&rows, chunk), chunked(&rows, chunk));
            assert_agree(&simple, &fast, &format!("{paths} paths in chunks of {chunk}"));
        }
        let stats = bits(&chunked(&rows(300, 11), 128));
        assert!(stats[0].contains("mean: Some(2.5), mean_se: Some(0.0)"), "{}", stats[0]);
        assert!(stats[10].contains("mean: None") && stats[10].contains("defined_share: Some(0.0)"), "{}", stats[10]);
        assert!(!stats.iter().any(|s| s.contains("-0.0") || s.contains("NaN") || s.contains("inf")), "{stats:?}");
    }

    #[test]
    fn beyond_the_exact_limit_chunks_fill_the_sketch_as_pushing_one_by_one_does() {
        let rows = rows(EXACT_PATHS * 5 / 2 + 50, 4);
        let (simple, fast) = (one_by_one(&rows, 128), chunked(&rows, 128));
        assert_agree(&simple, &fast, "past the exact limit");
        assert!(fast[1].sketch.is_some() && fast[1].exact.is_empty());
        // Path by path with no chunks: the mean may differ in its last bits, the sketch not at all,
        // since it takes the same values in the same order.
        for (figure, merged) in fast.iter().enumerate().take(3) {
            let mut whole = Accumulator::default();
            rows.iter().for_each(|row| whole.push(row[figure]));
            let (a, b) = (whole.stat(true), merged.stat(true));
            assert_eq!((a.p5, a.p50, a.p95, a.defined_share), (b.p5, b.p50, b.p95, b.defined_share));
            assert!((a.mean.unwrap() - b.mean.unwrap()).abs() <= 1e-12 * (1.0 + a.mean.unwrap().abs()));
        }
    }

    #[test]
    fn exact_values_never_hold_room_for_more_than_the_exact_limit() {
        let rows: Vec<Vec<Option<f64>>> = values(EXACT_PATHS).into_iter().map(|v| vec![Some(v)]).collect();
        let totals = chunked(&rows, 128);
        assert_eq!(totals[0].exact.len(), EXACT_PATHS);
        assert_eq!(totals[0].exact.capacity(), EXACT_PATHS);
    }

    #[test]
    fn beyond_the_exact_limit_quantiles_stay_within_the_sketch_accuracy() {
        let data = values(EXACT_PATHS * 3);
        let mut accumulator = Accumulator::default();
        for chunk in data.chunks(256) {
            let mut part = Accumulator::default();
            chunk.iter().for_each(|v| part.push(Some(*v)));
            accumulator.merge(&part);
        }
        assert!(accumulator.sketch.is_some());
        let mut sorted = data.clone();
        sorted.sort_by(f64::total_cmp);
        let stat = accumulator.stat(false);
        for (q, got) in [(0.05, stat.p5), (0.5, stat.p50), (0.95, stat.p95)] {
            let exact = quantile(&sorted, q);
            let got = got.unwrap();
            // Rank error of at most one value plus the sketch's relative error.
            let neighbours = (quantile(&sorted, q - 1.0 / data.len() as f64) - exact).abs()
                + (quantile(&sorted, q + 1.0 / data.len() as f64) - exact).abs();
            assert!(
                (got - exact).abs() <= SKETCH_ACCURACY * exact.abs() + neighbours + 1e-12,
                "q {q}: {got} vs {exact}"
            );
        }
    }
}
