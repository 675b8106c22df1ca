//! The DHIS2 versions this crate speaks, and the reading options shared by the codecs.

use dxf2_model::ReadLimits;

use crate::time::ServerTimeZone;

/// The DHIS2 release whose tracker formats are read or written (2.41 and later; earlier ones
/// used the deprecated formats, which are refused).
///
/// | | 2.41 | 2.42 | 2.43 | master |
/// |---|---|---|---|---|
/// | `storedBy` written (JSON, CSV) | yes | yes | yes | no (28 CSV columns) |
/// | relationship `deleted` written | no | yes | yes | yes |
/// | enrollment `attributeOptionCombo` written | no | no | yes | yes |
/// | event `followup` (legacy) | read and written | refused as pre-2.41 | same | same |
/// | CSV rows without `event` | consecutive ones merge | one event each | same | same |
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrackerVersion {
    /// DHIS2 2.41.
    V2_41,
    /// DHIS2 2.42 (the default: the spec's baseline).
    #[default]
    V2_42,
    /// DHIS2 2.43.
    V2_43,
    /// The development line after 2.43 (`master` in the spec; taken for 2.44 and later).
    Master,
}

impl TrackerVersion {
    /// The version for DHIS2 `2.<minor>`: `None` before 2.41 (whose tracker formats are the
    /// deprecated ones), [`TrackerVersion::Master`] from 2.44.
    pub fn from_minor(minor: u32) -> Option<TrackerVersion> {
        match minor {
            0..=40 => None,
            41 => Some(TrackerVersion::V2_41),
            42 => Some(TrackerVersion::V2_42),
            43 => Some(TrackerVersion::V2_43),
            _ => Some(TrackerVersion::Master),
        }
    }

    /// Whether the views still carry `storedBy` (up to 2.43).
    pub fn has_stored_by(self) -> bool {
        self <= TrackerVersion::V2_43
    }
}

/// What to do with a pre-2.41 key (`eventDate`, `trackedEntityInstance`, …) or CSV column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LegacyPolicy {
    /// Refuse the file with [`ErrorKind::Deprecated`](crate::ErrorKind::Deprecated), saying
    /// what changed (the default): DHIS2 itself would silently ignore the key and import a
    /// different payload than the one meant.
    #[default]
    Refuse,
    /// Ignore the key as DHIS2 2.41+ does, and report it in
    /// [`ReadSummary::legacy`](crate::ReadSummary::legacy). A CSV header with a pre-2.41 column
    /// is refused either way (DHIS2 refuses it too).
    Ignore,
}

/// How a tracker file is read.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The server's zone, in which offset-less dates are read (default UTC).
    pub time_zone: ServerTimeZone,
    /// The DHIS2 version whose rules apply (default 2.42).
    pub version: TrackerVersion,
    /// What to do with pre-2.41 keys (default: refuse the file).
    pub legacy: LegacyPolicy,
    /// Bounds on memory: `max_record_bytes` bounds one top-level JSON object (a tracked entity
    /// with everything nested in it, an event, …) and one CSV record.
    pub limits: ReadLimits,
}

impl ReadOptions {
    /// The default options in another time zone.
    pub fn with_time_zone(mut self, zone: ServerTimeZone) -> ReadOptions {
        self.time_zone = zone;
        self
    }

    /// The same options for another DHIS2 version.
    pub fn with_version(mut self, version: TrackerVersion) -> ReadOptions {
        self.version = version;
        self
    }

    /// The same options with another legacy policy.
    pub fn with_legacy(mut self, legacy: LegacyPolicy) -> ReadOptions {
        self.legacy = legacy;
        self
    }

    /// The same options with other limits.
    pub fn with_limits(mut self, limits: ReadLimits) -> ReadOptions {
        self.limits = limits;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_minor() {
        assert_eq!(TrackerVersion::from_minor(40), None);
        assert_eq!(TrackerVersion::from_minor(41), Some(TrackerVersion::V2_41));
        assert_eq!(TrackerVersion::from_minor(44), Some(TrackerVersion::Master));
        assert!(TrackerVersion::V2_43.has_stored_by());
        assert!(!TrackerVersion::Master.has_stored_by());
    }
}
