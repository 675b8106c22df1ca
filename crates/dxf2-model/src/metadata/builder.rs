//! [`MetadataBuilder`]: a catalogue built by hand, finished once.

use super::{CatalogObject, HierarchyError, Metadata};

/// Builds a [`Metadata`] catalogue object by object, then [`build`](MetadataBuilder::build)
/// finishes it once ([`Metadata::finish`]): DHIS2's default category objects are added, references
/// to the defaults' well-known UIDs are pointed at the catalogue's own defaults, and the org unit
/// hierarchy is computed.
///
/// ```
/// use dxf2_model::metadata::{Identity, OrganisationUnit};
/// use dxf2_model::{Metadata, Uid};
///
/// let uid = |s: &str| Uid::parse(s).unwrap();
/// let md = Metadata::builder()
///     .with(OrganisationUnit::new(Identity::new(uid("ImspTQPwCqd")), None))
///     .with(OrganisationUnit::new(Identity::new(uid("O6uvpzGd5pu")), Some(uid("ImspTQPwCqd"))))
///     .build()
///     .unwrap();
/// assert_eq!(md.org_unit_level(&uid("O6uvpzGd5pu")), Some(2));
/// assert!(md.default_category_option_combo().is_some());
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct MetadataBuilder {
    metadata: Metadata,
}

impl MetadataBuilder {
    /// An empty builder (the same as [`Metadata::builder`]).
    pub fn new() -> MetadataBuilder {
        MetadataBuilder::default()
    }

    /// Starts from an existing catalogue (for example one read from a file) to add to it.
    pub fn from_metadata(metadata: Metadata) -> MetadataBuilder {
        MetadataBuilder { metadata }
    }

    /// Adds an object of any kind, replacing one of the same kind and UID.
    pub fn with<T: CatalogObject>(mut self, object: T) -> MetadataBuilder {
        self.metadata.insert(object);
        self
    }

    /// Adds objects of one kind, in order (a later one replaces an earlier one with its UID).
    pub fn extend<T: CatalogObject>(
        mut self,
        objects: impl IntoIterator<Item = T>,
    ) -> MetadataBuilder {
        for object in objects {
            self.metadata.insert(object);
        }
        self
    }

    /// Adds an object of any kind through a mutable reference (for builders filled in a loop).
    pub fn push<T: CatalogObject>(&mut self, object: T) -> &mut MetadataBuilder {
        self.metadata.insert(object);
        self
    }

    /// The catalogue so far (lookups, to build objects that refer to earlier ones).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The finished catalogue ([`Metadata::finish`]); fails when org unit parents form a cycle.
    pub fn build(mut self) -> Result<Metadata, HierarchyError> {
        self.metadata.finish()?;
        Ok(self.metadata)
    }
}
