//! [`StoreError`]: what can go wrong in a store itself (not in the data imported).

use dxf2_model::HierarchyError;
use thiserror::Error;

/// A store failure: not about the data being imported, but about the store itself.
///
/// A store written by a host wraps its own error in [`StoreError::Backend`] (see
/// [`StoreError::backend`]); the import engine hands it back unchanged in
/// `import_engine::Failure::Store`, so the host can take the
/// [`source`](std::error::Error::source) and downcast it to its own type.
///
/// ```
/// use dxf2_store::StoreError;
///
/// #[derive(Debug)]
/// struct DiskFull;
/// impl std::fmt::Display for DiskFull {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("disk full") }
/// }
/// impl std::error::Error for DiskFull {}
///
/// let e = StoreError::backend("writing a data value", DiskFull);
/// assert_eq!(e.to_string(), "store error: writing a data value: disk full");
/// let source = std::error::Error::source(&e).unwrap();
/// assert!(source.downcast_ref::<DiskFull>().is_some());
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backing database (or a host's own store) failed; `source` is its error.
    #[error("store error: {context}: {source}")]
    Backend {
        /// What the store was doing (for example "cannot open the store `x.sqlite`").
        context: String,
        /// The backend's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The store's contents are not what this version expects.
    #[error("store is corrupt or from an incompatible version: {0}")]
    Incompatible(String),
    /// Another writer holds the store (a second import into the same store at the same moment):
    /// nothing was changed; the message says who holds it when the store knows.
    #[error("the store is busy: {0}")]
    Busy(String),
    /// The store does not implement this optional method (see the trait's documentation of
    /// which importer profile and command calls what).
    #[error("this store does not support {0}")]
    Unsupported(&'static str),
    /// A method was called out of order (e.g. commit without begin).
    #[error("store misuse: {0}")]
    Misuse(&'static str),
    /// The metadata saved (with what the store holds) or loaded does not form an org unit
    /// hierarchy (its parents form a cycle).
    #[error("store metadata: {0}")]
    Hierarchy(#[from] HierarchyError),
}

impl StoreError {
    /// A [`StoreError::Backend`]: `source` failed while the store was doing `context`.
    pub fn backend(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> StoreError {
        StoreError::Backend {
            context: context.into(),
            source: source.into(),
        }
    }
}
