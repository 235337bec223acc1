//! Run ids: 26 characters of Crockford base32 (as ULIDs), 48 bits of milliseconds since 1970 then
//! 80 bits that are unpredictable. Ids sort by creation time as text (within a millisecond, in
//! any order: listing orders by the store's row number, not the id), and one id tells nothing
//! about another's: knowing a run's id does not let a client guess its neighbours'.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new run id.
pub fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64) & ((1 << 48) - 1);
    // SipHash keyed by the process's random keys (std's `RandomState`, seeded from the operating
    // system) over a counter and the clock: a keyed pseudo-random function, so its outputs cannot
    // be predicted without the keys.
    let random = |salt: u64| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_u64(salt);
        hasher.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
        hasher.finish()
    };
    let bits: u128 = (u128::from(millis) << 80) | (u128::from(random(1)) << 16) | u128::from(random(2) & 0xffff);
    (0..26).rev().map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_26_characters_distinct_and_sorted_by_time() {
        let a = super::new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = super::new_id();
        assert_eq!(a.len(), 26);
        assert!(a < b, "{a} {b}");
        let many: std::collections::HashSet<String> = (0..1000).map(|_| super::new_id()).collect();
        assert_eq!(many.len(), 1000);
    }
}
