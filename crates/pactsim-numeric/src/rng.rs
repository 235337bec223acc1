//! Random streams for Monte Carlo: one independent ChaCha8 stream per (seed, purpose, path).
//!
//! The key of a stream depends only on the seed and the purpose (what the draws are for, e.g.
//! "generated projects of facility 2" or "the systematic credit factor"), and the path index picks
//! the stream within that key. Results therefore do not depend on the thread count or on the
//! order paths finish, and two variants of a deal run with the same seed draw the same numbers for
//! the same purpose (common random numbers): a change to one purpose's draws never shifts another's.
//! Within a stream, `at` seeks to a fixed word position so that, say, year 7's systematic factor is
//! the same draw whatever was drawn for earlier years.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

/// What a stream's draws are for. Each variant with its index names one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Selections, sizes and returns of the generated projects of one facility.
    Pipeline { facility: u32 },
    /// The systematic credit factor, one draw per calendar year.
    CreditSystematic,
    /// A project's own credit draws, one per payment date; projects are numbered listed first
    /// (file order), then generated (facility, then order of selection).
    CreditIdiosyncratic { project: u32 },
    /// Whether the investor refuses a selected project, and whether the host then snaps back: per
    /// facility's generated projects, and `u32::MAX` for the listed ones.
    Decline { facility: u32 },
    /// The trade model's elasticities.
    TradeElasticities,
    /// The exchange rate's simulated returns, one per trading day.
    ExchangeRate,
    /// The host's answers to a project's deferral requests under the stability clause, one per
    /// request in turn.
    Deferral { project: u32 },
    /// Whether a project's construction is hit by labour friction, and by how much: per
    /// facility's generated projects, and `u32::MAX` for the listed ones (like `Decline`).
    Labor { facility: u32 },
}

impl Purpose {
    fn code(self) -> (u64, u64) {
        match self {
            Purpose::Pipeline { facility } => (1, u64::from(facility)),
            Purpose::CreditSystematic => (2, 0),
            Purpose::CreditIdiosyncratic { project } => (3, u64::from(project)),
            Purpose::Decline { facility } => (4, u64::from(facility)),
            Purpose::TradeElasticities => (5, 0),
            Purpose::ExchangeRate => (6, 0),
            Purpose::Deferral { project } => (7, u64::from(project)),
            Purpose::Labor { facility } => (8, u64::from(facility)),
        }
    }
}

/// The stream of `purpose` on `path` for `seed`.
pub fn stream(seed: u64, purpose: Purpose, path: u64) -> ChaCha8Rng {
    let (kind, index) = purpose.code();
    let mut key = [0u8; 32];
    let mut state = seed ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(path);
    rng
}

/// 32-bit words of a ChaCha block.
const BLOCK_WORDS: u64 = 16;

/// The stream of `purpose` on `path`, positioned at block `position` (each block is 16 words,
/// room for 8 draws of 64 bits, enough for one normal or uniform variate per block).
pub fn stream_at(seed: u64, purpose: Purpose, path: u64, position: u64) -> ChaCha8Rng {
    let mut rng = stream(seed, purpose, path);
    rng.set_word_pos(u128::from(position) * u128::from(BLOCK_WORDS));
    rng
}

/// The first 64-bit word of each of `count` consecutive blocks from block `position` on: what
/// `stream_at(seed, purpose, path, position + k).next_u64()` gives for each `k`, from one run of
/// the stream, which generates four blocks at a time, where seeking to each block would generate
/// them anew.
pub fn block_starts(seed: u64, purpose: Purpose, path: u64, position: u64, count: usize) -> impl Iterator<Item = u64> {
    let mut rng = stream_at(seed, purpose, path, position);
    (0..count).map(move |k| {
        if k > 0 {
            // The rest of the previous block, whose first two words were read.
            for _ in 0..(BLOCK_WORDS - 2) / 2 {
                rng.next_u64();
            }
        }
        rng.next_u64()
    })
}

/// Blocks one generation of a stream holds (ChaCha's backends make four at a time).
const BLOCKS_AT_ONCE: usize = 4;

/// The open uniforms (`distribution::open_uniform`) at the start of consecutive blocks of one
/// stream, block `k` holding draw `k`: drawn as first needed, a generation's blocks at a time.
/// For draws that must sit at fixed places (the `k`-th deferral request, year `k`'s factor) and
/// may be asked for again.
#[derive(Debug, Clone)]
pub struct BlockUniforms {
    seed: u64,
    purpose: Purpose,
    path: u64,
    drawn: Vec<f64>,
}

impl BlockUniforms {
    pub fn new(seed: u64, purpose: Purpose, path: u64) -> Self {
        BlockUniforms { seed, purpose, path, drawn: Vec::new() }
    }

    /// The same for another stream, keeping the memory.
    pub fn reopen(&mut self, seed: u64, purpose: Purpose, path: u64) {
        (self.seed, self.purpose, self.path) = (seed, purpose, path);
        self.drawn.clear();
    }

    /// The uniform at block `position`.
    pub fn at(&mut self, position: usize) -> f64 {
        while self.drawn.len() <= position {
            let from = self.drawn.len() as u64;
            let words = block_starts(self.seed, self.purpose, self.path, from, BLOCKS_AT_ONCE);
            self.drawn.extend(words.map(crate::distribution::open_uniform_of));
        }
        self.drawn[position]
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): turns a 64-bit state into well-mixed key words.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_fixed_by_seed_purpose_and_path() {
        let draw = |seed, purpose, path| stream(seed, purpose, path).next_u64();
        let pipeline = Purpose::Pipeline { facility: 0 };
        assert_eq!(draw(7, pipeline, 3), draw(7, pipeline, 3));
        assert_ne!(draw(7, pipeline, 3), draw(7, pipeline, 4));
        assert_ne!(draw(7, pipeline, 3), draw(8, pipeline, 3));
        assert_ne!(draw(7, pipeline, 3), draw(7, Purpose::Pipeline { facility: 1 }, 3));
        assert_ne!(draw(7, pipeline, 3), draw(7, Purpose::CreditSystematic, 3));
    }

    #[test]
    fn seeking_gives_the_same_draw_as_reading_forward() {
        let mut forward = stream(11, Purpose::CreditSystematic, 5);
        let mut words = Vec::new();
        for _ in 0..48 {
            words.push(forward.next_u32());
        }
        let mut seeked = stream_at(11, Purpose::CreditSystematic, 5, 2);
        assert_eq!(seeked.next_u32(), words[32]);
    }

    #[test]
    fn block_starts_read_each_block_as_seeking_to_it_would() {
        for position in [0, 3, 61] {
            let starts: Vec<u64> = block_starts(11, Purpose::Deferral { project: 4 }, 5, position, 9).collect();
            let seeked: Vec<u64> =
                (0..9).map(|k| stream_at(11, Purpose::Deferral { project: 4 }, 5, position + k).next_u64()).collect();
            assert_eq!(starts, seeked, "from block {position}");
        }
    }

    #[test]
    fn block_uniforms_are_the_seeked_blocks_uniforms_in_any_order() {
        let purpose = Purpose::CreditSystematic;
        let mut uniforms = BlockUniforms::new(3, purpose, 8);
        for position in [6, 0, 13, 2, 6] {
            let seeked = crate::distribution::open_uniform(&mut stream_at(3, purpose, 8, position as u64));
            assert_eq!(uniforms.at(position), seeked, "block {position}");
        }
        uniforms.reopen(3, purpose, 9);
        assert_eq!(uniforms.at(1), crate::distribution::open_uniform(&mut stream_at(3, purpose, 9, 1)));
    }

    /// Golden values: a rand or chacha20 upgrade that changes the stream must fail loudly here,
    /// because stored results would no longer be reproducible from their seed.
    #[test]
    fn the_stream_is_stable_across_builds() {
        let mut rng = stream(20251114, Purpose::Pipeline { facility: 0 }, 0);
        let first = rng.next_u64();
        assert_eq!(first, GOLDEN_FIRST_WORD, "{first}");
    }

    const GOLDEN_FIRST_WORD: u64 = 11_344_107_825_624_024_153;
}
