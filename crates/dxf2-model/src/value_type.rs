//! Value types. (Being written: see the value type helper task.)

/// A value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `TEXT`.
    Text,
}

/// Why a value does not match its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueTypeError {
    /// Not numeric.
    NotNumeric,
}
