//! DHIS2's checks of a classic export request (`validate`: `E2001`–`E2009`, the last failing
//! one reported) and its access decisions (`decideAccess`: `E2010`–`E2012`, the first one
//! reported), with the data-read rules on option combos both generations share.

use dxf2_model::Uid;
use rustc_hash::FxHashSet;

use super::resolve::Resolved;
use super::{parse_duration, ExportError, ExportParams, Exporter};
use crate::codes;
use crate::conflicts::group_thousands;

impl Exporter<'_> {
    pub(super) fn decide_access(&self, r: &Resolved) -> Result<(), ExportError> {
        for uid in &r.data_sets {
            if let Some(ds) = self.metadata.data_set(uid) {
                if !self.access.can_read_data_set(ds) {
                    return Err(ExportError::illegal(codes::E2010, &[Some(uid.as_str())]));
                }
            }
        }
        for uid in &r.attribute_option_combos {
            if !self.can_read_option_combo(uid) {
                return Err(ExportError::illegal(codes::E2011, &[Some(uid.as_str())]));
            }
        }
        for uid in &r.org_units {
            if let Some(ou) = self.metadata.org_unit(uid) {
                if !self.access.in_view_hierarchy(ou) {
                    return Err(ExportError::illegal(codes::E2012, &[Some(uid.as_str())]));
                }
            }
        }
        Ok(())
    }

    /// DHIS2's `canDataRead` on a category option combo: superusers, the default combo and a
    /// combo without options always; otherwise every option must grant data read (an option
    /// missing from the catalogue grants nothing).
    pub(crate) fn can_read_option_combo(&self, uid: &Uid) -> bool {
        if self.access.is_superuser() {
            return true;
        }
        let Some(coc) = self.metadata.category_option_combo(uid) else {
            return true;
        };
        if coc.id.name.as_deref() == Some("default") {
            return true;
        }
        coc.options.iter().all(|o| {
            self.metadata
                .category_option(o)
                .is_some_and(|option| self.access.can_read_category_option(option))
        })
    }

    /// For a user who is not a superuser: the option combos with a category option the user
    /// cannot data-read (DHIS2's `getAttributeOptionComboClause`).
    pub(crate) fn hidden_option_combos(&self) -> FxHashSet<Uid> {
        if self.access.is_superuser() {
            return FxHashSet::default();
        }
        self.metadata
            .category_option_combos()
            .iter()
            .filter(|coc| {
                coc.options.iter().any(|o| {
                    !self
                        .metadata
                        .category_option(o)
                        .is_some_and(|option| self.access.can_read_category_option(option))
                })
            })
            .map(|coc| coc.id.uid)
            .collect()
    }
}

/// DHIS2's `validate`: every check is evaluated and the last failing one is reported.
pub(super) fn validate(params: &ExportParams, r: &Resolved) -> Result<(), ExportError> {
    let has_start_end = params.start_date.is_some() && params.end_date.is_some();
    let has_periods = !r.periods.is_empty();
    let has_org_units = !r.org_units.is_empty();
    let has_groups = !r.org_unit_groups.is_empty();
    let mut error: Option<ExportError> = None;
    let mut fail = |e: ExportError| error = Some(e);

    if r.data_elements.is_empty() && r.data_sets.is_empty() && r.data_element_groups.is_empty() {
        fail(ExportError::illegal(codes::E2001, &[]));
    }
    if !has_periods
        && !has_start_end
        && params.last_updated.is_none()
        && params.last_updated_duration.is_none()
    {
        fail(ExportError::illegal(codes::E2002, &[]));
    }
    if has_periods && has_start_end {
        fail(ExportError::illegal(codes::E2003, &[]));
    }
    if let (Some(start), Some(end)) = (params.start_date, params.end_date) {
        if start > end {
            fail(ExportError::illegal(codes::E2004, &[]));
        }
    }
    if let Some(duration) = &params.last_updated_duration {
        if parse_duration(duration).is_none() {
            // DHIS2 builds this message without its argument: MessageFormat leaves `{0}` as is.
            fail(ExportError::IllegalQuery {
                code: codes::E2005,
                message: codes::E2005.template.to_owned(),
            });
        }
    }
    if !has_org_units && !has_groups {
        fail(ExportError::illegal(codes::E2006, &[]));
    }
    if params.children && has_groups {
        fail(ExportError::illegal(codes::E2007, &[]));
    }
    if params.children && !has_org_units {
        fail(ExportError::illegal(codes::E2008, &[]));
    }
    if let Some(limit) = params.limit {
        if limit < 0 {
            let text = group_thousands(limit);
            fail(ExportError::illegal(codes::E2009, &[Some(&text)]));
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn numbers_are_grouped_like_message_format() {
        assert_eq!(group_thousands(-2), "-2");
        assert_eq!(group_thousands(-999), "-999");
        assert_eq!(group_thousands(-1000), "-1,000");
        assert_eq!(group_thousands(-1_234_567), "-1,234,567");
        assert_eq!(group_thousands(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(group_thousands(12), "12");
    }
}
