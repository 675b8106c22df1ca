//! [`UidGenerator`]: the UIDs DHIS2 gives objects whose uid column is blank.

use dxf2_model::Uid;

/// Generates UIDs as DHIS2's `CodeGenerator.generateUid()` does (11 characters, a letter first,
/// then letters or digits), from a SplitMix64 stream: [`UidGenerator::seeded`] makes a read
/// repeatable (tests, reproducible conversions), [`UidGenerator::random`] is what DHIS2 does.
///
/// Share one generator across the files of one import, so that two files never get the same
/// UIDs.
///
/// ```
/// use dxf2_metadata::csv::UidGenerator;
/// let mut a = UidGenerator::seeded(7);
/// let mut b = UidGenerator::seeded(7);
/// assert_eq!(a.next_uid(), b.next_uid());
/// assert!(dxf2_model::Uid::is_valid(a.next_uid().as_str()));
/// ```
#[derive(Clone, Debug)]
pub struct UidGenerator {
    state: u64,
}

impl UidGenerator {
    /// A generator whose UIDs are fixed by `seed`.
    pub fn seeded(seed: u64) -> UidGenerator {
        UidGenerator { state: seed }
    }

    /// A generator seeded from the operating system's hash randomness and the clock.
    pub fn random() -> UidGenerator {
        use std::collections::hash_map::RandomState;
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = RandomState::new().build_hasher();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        hasher.write_u128(nanos);
        UidGenerator::seeded(hasher.finish())
    }

    /// The next UID.
    pub fn next_uid(&mut self) -> Uid {
        Uid::generate_with(|| self.next_u64())
    }

    /// SplitMix64 (Steele, Lea and Flood).
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // SplitMix64 seeded with 0, as in the reference implementation.
        let mut g = UidGenerator::seeded(0);
        assert_eq!(g.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(g.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn uids_are_valid_and_differ() {
        let mut g = UidGenerator::random();
        let a = g.next_uid();
        let b = g.next_uid();
        assert!(Uid::is_valid(a.as_str()) && Uid::is_valid(b.as_str()));
        assert_ne!(a, b);
    }
}
