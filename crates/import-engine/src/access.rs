//! Who is importing: the [`AccessPolicy`] of the acting user.

use dxf2_model::metadata::{CategoryOption, DataSet, OrganisationUnit, Sharing, User};
use dxf2_model::Metadata;

/// What the acting user may do, as DHIS2 decides it.
///
/// DHIS2's sharing strings have 8 characters: position 0 `r` = metadata read, 1 `w` = metadata
/// write, 2 `r` = data read, 3 `w` = data write. A superuser (authority `ALL`) passes every
/// sharing check; otherwise data write needs the object's sharing to grant it to the public,
/// one of the user's groups or the user. An option combo is writable when all its category
/// options are. "In the hierarchy of" a unit means the org unit's `path` contains that unit's
/// UID (the unit itself included); imports use the user's data capture units, exports the data
/// view units (the capture units when there are none). A superuser is not exempt from the
/// capture hierarchy in DHIS2.
pub trait AccessPolicy {
    /// The user's UID (shown in `E7617` conflicts).
    fn user_uid(&self) -> &str;
    /// The user name (stored as `storedBy` when a value has none).
    fn username(&self) -> &str;
    /// Whether the user is a superuser (authority `ALL`).
    fn is_superuser(&self) -> bool;
    /// Whether the user holds an authority (`F_EDIT_EXPIRED`, `F_SKIP_DATA_IMPORT_AUDIT`, …).
    fn has_authority(&self, authority: &str) -> bool;
    /// Data write sharing on a data set.
    fn can_write_data_set(&self, data_set: &DataSet) -> bool;
    /// Data write sharing on a category option.
    fn can_write_category_option(&self, option: &CategoryOption) -> bool;
    /// Data read sharing on a data set (export).
    fn can_read_data_set(&self, data_set: &DataSet) -> bool;
    /// Data read sharing on a category option (export: attribute option combos).
    ///
    /// The default grants it to superusers only (a policy that does not say denies, so an export
    /// never shows more than it should); [`UserAccess`] applies the option's sharing.
    fn can_read_category_option(&self, option: &CategoryOption) -> bool {
        let _ = option;
        self.is_superuser()
    }
    /// Whether the org unit is one of the user's data capture units or below one.
    fn in_capture_hierarchy(&self, org_unit: &OrganisationUnit) -> bool;
    /// Whether the org unit is in the user's data view hierarchy (export).
    fn in_view_hierarchy(&self, org_unit: &OrganisationUnit) -> bool;
}

/// A superuser whose data capture units cover every org unit: what a local tool acting on its own
/// files needs. (In DHIS2 a superuser still needs assigned org units; a host application that wants
/// that can use [`UserAccess`] with a superuser from its metadata.)
#[derive(Clone, Debug)]
pub struct Superuser {
    uid: String,
    username: String,
}

impl Superuser {
    /// A superuser with this UID and user name.
    pub fn new(uid: impl Into<String>, username: impl Into<String>) -> Superuser {
        Superuser {
            uid: uid.into(),
            username: username.into(),
        }
    }
}

impl Default for Superuser {
    fn default() -> Self {
        Superuser::new("M5zQapPyTZI", "admin")
    }
}

impl AccessPolicy for Superuser {
    fn user_uid(&self) -> &str {
        &self.uid
    }
    fn username(&self) -> &str {
        &self.username
    }
    fn is_superuser(&self) -> bool {
        true
    }
    fn has_authority(&self, _authority: &str) -> bool {
        true
    }
    fn can_write_data_set(&self, _data_set: &DataSet) -> bool {
        true
    }
    fn can_write_category_option(&self, _option: &CategoryOption) -> bool {
        true
    }
    fn can_read_data_set(&self, _data_set: &DataSet) -> bool {
        true
    }
    fn in_capture_hierarchy(&self, _org_unit: &OrganisationUnit) -> bool {
        true
    }
    fn in_view_hierarchy(&self, _org_unit: &OrganisationUnit) -> bool {
        true
    }
}

/// A user from the metadata, with DHIS2's sharing and hierarchy rules.
///
/// * Data write/read: superusers always; otherwise the object's sharing must grant it through
///   public access, one of the user's groups, or the user directly. When a data set's public access
///   is not given, DHIS2's default for new objects applies (`rw------`: no data access); for category
///   options it is `rwrw----`.
/// * Hierarchy: the org unit is one of the user's units or below one of them in `metadata`
///   (DHIS2's test that the unit's path contains the UID of one of the user's units). Applies to
///   superusers too (as in DHIS2).
#[derive(Clone, Debug)]
pub struct UserAccess<'m> {
    metadata: &'m Metadata,
    user: &'m User,
    view_units: &'m [dxf2_model::Uid],
}

impl<'m> UserAccess<'m> {
    /// The policy of a user, whose org units are looked up in `metadata` (the hierarchy is
    /// fastest once computed: [`Metadata::compute_hierarchy`]).
    pub fn new(metadata: &'m Metadata, user: &'m User) -> UserAccess<'m> {
        let view_units = if user.data_view_org_units.is_empty() {
            &user.org_units
        } else {
            &user.data_view_org_units
        };
        UserAccess {
            metadata,
            user,
            view_units,
        }
    }

    /// The policy of the user with this user name in `metadata`.
    pub fn by_username(metadata: &'m Metadata, username: &str) -> Option<UserAccess<'m>> {
        metadata
            .user_by_username(username)
            .map(|user| UserAccess::new(metadata, user))
    }

    fn sharing_grants(
        &self,
        sharing: &Sharing,
        default_public: &str,
        check: fn(&str) -> bool,
    ) -> bool {
        if self.user.is_superuser() {
            return true;
        }
        if check(sharing.public.as_deref().unwrap_or(default_public)) {
            return true;
        }
        let uid = self.user.id.uid;
        sharing.users.iter().any(|(u, a)| *u == uid && check(a))
            || sharing
                .user_groups
                .iter()
                .any(|(g, a)| self.user.user_groups.contains(g) && check(a))
    }
}

impl AccessPolicy for UserAccess<'_> {
    fn user_uid(&self) -> &str {
        self.user.id.uid.as_str()
    }
    fn username(&self) -> &str {
        &self.user.username
    }
    fn is_superuser(&self) -> bool {
        self.user.is_superuser()
    }
    fn has_authority(&self, authority: &str) -> bool {
        self.user.is_superuser() || self.user.has_authority(authority)
    }
    fn can_write_data_set(&self, data_set: &DataSet) -> bool {
        self.sharing_grants(&data_set.sharing, "rw------", Sharing::grants_data_write)
    }
    fn can_write_category_option(&self, option: &CategoryOption) -> bool {
        self.sharing_grants(&option.sharing, "rwrw----", Sharing::grants_data_write)
    }
    fn can_read_data_set(&self, data_set: &DataSet) -> bool {
        self.sharing_grants(&data_set.sharing, "rw------", Sharing::grants_data_read)
    }
    fn can_read_category_option(&self, option: &CategoryOption) -> bool {
        self.sharing_grants(&option.sharing, "rwrw----", Sharing::grants_data_read)
    }
    fn in_capture_hierarchy(&self, org_unit: &OrganisationUnit) -> bool {
        self.metadata
            .is_org_unit_within_any(&org_unit.id.uid, &self.user.org_units)
    }
    fn in_view_hierarchy(&self, org_unit: &OrganisationUnit) -> bool {
        self.metadata
            .is_org_unit_within_any(&org_unit.id.uid, self.view_units)
    }
}
