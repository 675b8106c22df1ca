//! DHIS2 UIDs (`CodeGenerator`): 11 characters, a letter first, then ASCII letters or digits.

use std::fmt;
use std::str::FromStr;

use crate::ModelError;

/// Length of every DHIS2 UID.
pub const UID_LEN: usize = 11;

const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHANUMERIC: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A valid DHIS2 UID, stored inline (no heap allocation).
///
/// ```
/// use dxf2_model::Uid;
/// let uid: Uid = "f7n9E0hX8qk".parse().unwrap();
/// assert_eq!(uid.as_str(), "f7n9E0hX8qk");
/// assert!(Uid::parse("1abcdefghij").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid([u8; UID_LEN]);

impl Uid {
    /// Whether `s` is a valid UID (`^[a-zA-Z][a-zA-Z0-9]{10}$`).
    pub fn is_valid(s: &str) -> bool {
        let b = s.as_bytes();
        match b.split_first() {
            Some((first, rest)) if b.len() == UID_LEN => {
                first.is_ascii_alphabetic() && rest.iter().all(u8::is_ascii_alphanumeric)
            }
            _ => false,
        }
    }

    /// Parses a UID, refusing anything that is not exactly a valid UID (no trimming).
    pub fn parse(s: &str) -> Result<Uid, ModelError> {
        if !Uid::is_valid(s) {
            return Err(ModelError::InvalidUid(s.to_owned()));
        }
        let mut bytes = [0u8; UID_LEN];
        bytes.copy_from_slice(s.as_bytes());
        Ok(Uid(bytes))
    }

    /// A UID from bytes known to be valid (the crate's well-known constants).
    pub(crate) const fn from_valid_bytes(bytes: [u8; UID_LEN]) -> Uid {
        Uid(bytes)
    }

    /// The UID as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored (checked in `parse` and `generate_with`).
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Generates a UID the way DHIS2's `CodeGenerator` does, from a source of random numbers.
    ///
    /// The first character is drawn from the 52 letters, the other ten from the 62 alphanumerics.
    pub fn generate_with(mut next_u64: impl FnMut() -> u64) -> Uid {
        let mut bytes = [0u8; UID_LEN];
        for (i, slot) in bytes.iter_mut().enumerate() {
            let alphabet: &[u8] = if i == 0 { LETTERS } else { ALPHANUMERIC };
            let pick = (next_u64() % alphabet.len() as u64) as usize;
            *slot = alphabet.get(pick).copied().unwrap_or(b'a');
        }
        Uid(bytes)
    }

    /// Generates a random UID, seeded from the operating system's hash randomness and the clock.
    pub fn generate() -> Uid {
        use std::collections::hash_map::RandomState;
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = RandomState::new().build_hasher();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        hasher.write_u128(nanos);
        let mut state = hasher.finish() | 1;
        Uid::generate_with(move || {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        })
    }
}

impl FromStr for Uid {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uid::parse(s)
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uid({})", self.as_str())
    }
}

impl AsRef<str> for Uid {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl serde::Serialize for Uid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Uid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Uid::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn validates_like_dhis2() {
        assert!(Uid::is_valid("f7n9E0hX8qk"));
        assert!(Uid::is_valid("HllvX50cXC0"));
        assert!(!Uid::is_valid("1f7n9E0hX8q"));
        assert!(!Uid::is_valid("f7n9E0hX8q"));
        assert!(!Uid::is_valid("f7n9E0hX8qkk"));
        assert!(!Uid::is_valid("f7n9E0hX8q_"));
        assert!(!Uid::is_valid("f7n9E0hX8qé"));
        assert!(!Uid::is_valid(""));
    }

    proptest! {
        #[test]
        fn generated_uids_are_valid(seed in any::<u64>()) {
            let mut s = seed | 1;
            let uid = Uid::generate_with(|| { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); s >> 11 });
            prop_assert!(Uid::is_valid(uid.as_str()));
            prop_assert_eq!(Uid::parse(uid.as_str()).ok(), Some(uid));
        }

        #[test]
        fn parse_never_panics(s in ".{0,20}") {
            let _ = Uid::parse(&s);
        }
    }

    #[test]
    fn random_uids_differ() {
        assert_ne!(Uid::generate(), Uid::generate());
    }
}
