//! [`new_store_id`]: the identity a store is given when it is created.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

/// A new store id: 32 lowercase hexadecimal digits (128 bits) from the clock, the process id and
/// the standard library's per-process random hash keys. Unique enough to tell stores apart in
/// sync bundles and journals; not a secret.
pub fn new_store_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut out = String::with_capacity(32);
    for round in 0u64..2 {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.write_u64(round);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::new_store_id;

    #[test]
    fn ids_are_hex_and_differ() {
        let (a, b) = (new_store_id(), new_store_id());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
