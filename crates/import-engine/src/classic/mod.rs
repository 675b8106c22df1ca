//! The classic importer (DHIS2 2.36–2.42, `DefaultDataValueSetService` with
//! `DataValueSetImportValidator`): every import option, id scheme, validation, strategy and
//! count rule that is specific to this generation lives in this module and its children.
//!
//! An import runs in DHIS2's order:
//!
//! 1. **Effective options**: strategy = payload strategy, else the request's; dry run = payload,
//!    else request; id schemes per [`IdSchemes::classic_merge`]; each strict and require flag =
//!    request option OR system setting; `force` only for superusers; audit on unless
//!    `skipAudit` and the user holds `F_SKIP_DATA_IMPORT_AUDIT`.
//! 2. **Header**: the data value set's own fields are read; a header that does not parse fails
//!    the whole import.
//! 3. **Set-level objects**: the data set (payload, else the `dataSet` option), then the
//!    set-level period, org unit and attribute option combo (or the one named by
//!    `attributeCategoryOptions` when a data set resolved).
//! 4. **Data-set-level checks**, all run: data set not found (`E7600`), no data write on it
//!    (`E7601`), set-level org unit (`E7603`) or attribute option combo (`E7604`) given but not
//!    found. Any failure aborts the import: status `ERROR`, "Import process was aborted",
//!    nothing processed.
//! 5. **Completion** of the data set when `completeDate` is given.
//! 6. **Values**, in document order, each with its zero-based index: identifiers resolved,
//!    then the per-value rules in order, V1–V12 (`E7610`–`E7621`, one code each, in that
//!    order) and C1–C16 (`E7630`–`E7645`); the first failing rule rejects the value
//!    (`ignored` +1, its index in `rejectedIndexes`); a value that passes goes through the
//!    decision table (`decide`).
//! 7. **Status**: `SUCCESS` without conflicts, else `WARNING`; "Import process completed
//!    successfully".
//!
//! The stages, one per file:
//!
//! * here: the effective options (step 1), the set-level objects and their checks
//!   (`E7600`–`E7604`, steps 3–4), and the run itself, which streams the values;
//! * `header`: the attribute option combo from `attributeCategoryOptions` and the data set
//!   completion (step 5);
//! * `resolve`: identifier resolution with the option combos' write access, memoised per value;
//! * `values`: each value's resolution and rules V1–V12 and C1–C2 (`E7610`–`E7631`);
//! * `checks`: the strict and timeliness rules C3–C16 (`E7632`–`E7645`);
//! * `decide`: the decision table and the writes it decides;
//! * `notes`: where each value the summary names is in the source, and its offending string.

mod checks;
mod decide;
mod header;
mod notes;
mod resolve;
mod values;

use dxf2_model::metadata::{DataSet, OrganisationUnit};
use dxf2_model::{
    DataValueSetHeader, DataValueSource, IdSchemes, ImportOptions, ImportStatus, ImportStrategy,
    ImportSummary, ObjectKind, Period, SchemeTarget,
};
use idscheme_resolver::Resolver;

use crate::batch::{Batched, Window};
use crate::codes::*;
use crate::conflicts::ConflictCollector;
use crate::schemes::object_kind;
use crate::store::DataValueStore;
use crate::{Failure, ImportOutcome, Importer, Phase, Progress};

use self::resolve::Combo;
use self::values::ValueRun;

const SKIP_AUDIT_AUTHORITY: &str = "F_SKIP_DATA_IMPORT_AUDIT";
const EDIT_EXPIRED_AUTHORITY: &str = "F_EDIT_EXPIRED";
/// The failure of an import whose metadata lacks the default category option combo.
const NO_DEFAULT_COMBO: &str = "no default category option combo in the metadata";

/// Options after combining payload, request and system settings (step 1).
struct Effective {
    strategy: ImportStrategy,
    dry_run: bool,
    schemes: IdSchemes,
    strict_periods: bool,
    strict_data_elements: bool,
    strict_cocs: bool,
    strict_aocs: bool,
    strict_org_units: bool,
    strict_locking: bool,
    strict_approval: bool,
    strict_input_periods: bool,
    require_coc: bool,
    require_aoc: bool,
    force: bool,
    audit: bool,
    skip_existing_check: bool,
    acl_bypass: bool,
}

/// Set-level objects after resolution.
struct SetLevel<'m> {
    data_set: Option<&'m DataSet>,
    period: Option<Period>,
    org_unit: Option<&'m OrganisationUnit>,
    aoc: Option<Combo<'m>>,
    /// The set-level `period`, `orgUnit` and `attributeOptionCombo` as written (trimmed; `None`
    /// when blank), for the notes on values that use them or fall back on them.
    raw_period: Option<String>,
    raw_org_unit: Option<String>,
    raw_aoc: Option<String>,
}

fn trimmed(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|t| !t.is_empty())
}
impl<'m> Importer<'m> {
    fn effective(
        &self,
        header: &DataValueSetHeader,
        options: &ImportOptions,
    ) -> Result<Effective, Failure> {
        let strategy = header.strategy()?.unwrap_or(options.strategy);
        let payload_schemes = header.id_schemes(false)?;
        let schemes = IdSchemes::classic_merge(&payload_schemes, &options.id_schemes);
        let superuser = self.access.is_superuser();
        let s = &self.settings;
        Ok(Effective {
            strategy,
            dry_run: header.dry_run.unwrap_or(options.dry_run),
            schemes,
            strict_periods: options.strict_periods || s.strict_periods,
            strict_data_elements: options.strict_data_elements || s.strict_data_elements,
            strict_cocs: options.strict_category_option_combos || s.strict_category_option_combos,
            strict_aocs: options.strict_attribute_option_combos || s.strict_attribute_option_combos,
            strict_org_units: options.strict_organisation_units || s.strict_organisation_units,
            strict_locking: options.strict_data_set_locking || s.strict_data_set_locking,
            strict_approval: options.strict_data_set_approval || s.strict_data_set_approval,
            strict_input_periods: options.strict_data_set_input_periods
                || s.strict_data_set_input_periods,
            require_coc: options.require_category_option_combo || s.require_category_option_combo,
            require_aoc: options.require_attribute_option_combo || s.require_attribute_option_combo,
            force: options.force && superuser,
            audit: !(options.skip_audit && self.access.has_authority(SKIP_AUDIT_AUTHORITY)),
            skip_existing_check: options.skip_existing_check,
            acl_bypass: options.preheat_cache == Some(true),
        })
    }

    /// Runs the classic import over `source`.
    pub(crate) fn import_classic<S: DataValueSource>(
        &self,
        source: &mut S,
        options: &ImportOptions,
        resolver: &mut dyn Resolver,
        store: &mut dyn DataValueStore,
        progress: &mut dyn FnMut(Progress),
    ) -> ImportOutcome {
        let header = source.header().clone();
        let eff = match self.effective(&header, options) {
            Ok(e) => e,
            Err(failure) => return ImportOutcome::failed(failure),
        };
        for target in [
            SchemeTarget::DataElement,
            SchemeTarget::OrgUnit,
            SchemeTarget::CategoryOptionCombo,
            SchemeTarget::DataSet,
        ] {
            let kind = object_kind(target);
            if let Err(e) = resolver.preheat(kind, eff.schemes.effective(target)) {
                return ImportOutcome::failed(e.into());
            }
        }
        if let Err(e) = resolver.preheat(ObjectKind::CategoryOption, eff.schemes.general()) {
            return ImportOutcome::failed(e.into());
        }
        let resolver: &dyn Resolver = resolver;

        // Step 3: set-level objects.
        let mut conflicts = ConflictCollector::new();
        let raw_data_set = header
            .data_set
            .as_deref()
            .or(options.data_set.as_deref())
            .filter(|s| !s.trim().is_empty());
        let data_set = match raw_data_set {
            Some(key) => match self.resolve_uid(
                resolver,
                ObjectKind::DataSet,
                eff.schemes.effective(SchemeTarget::DataSet),
                key,
            ) {
                Ok(uid) => uid.and_then(|u| self.index.metadata.data_set(&u)),
                Err(failure) => return ImportOutcome::failed(failure),
            },
            None => None,
        };
        let period = trimmed(header.period.as_deref()).and_then(|p| p.parse::<Period>().ok());
        let raw_ou = trimmed(header.org_unit.as_deref());
        let org_unit = match raw_ou {
            Some(key) => match self.resolve_uid(
                resolver,
                ObjectKind::OrganisationUnit,
                eff.schemes.effective(SchemeTarget::OrgUnit),
                key,
            ) {
                Ok(uid) => uid.and_then(|u| self.index.metadata.org_unit(&u)),
                Err(failure) => return ImportOutcome::failed(failure),
            },
            None => None,
        };
        let raw_aoc = trimmed(header.attribute_option_combo.as_deref());
        let mut aoc = match raw_aoc {
            Some(key) => {
                match self.resolve_combo(resolver, &eff, SchemeTarget::CategoryOptionCombo, key) {
                    Ok(c) => c,
                    Err(failure) => return ImportOutcome::failed(failure),
                }
            }
            None => None,
        };
        if raw_aoc.is_none() {
            if let (Some(ds), Some(options_list)) =
                (data_set, header.attribute_category_options.as_ref())
            {
                match self.aoc_from_category_options(resolver, &eff, ds, options_list) {
                    Ok(c) => aoc = Some(c),
                    Err(failure) => return ImportOutcome::failed(failure),
                }
            }
        }
        let set = SetLevel {
            data_set,
            period,
            org_unit,
            aoc,
            raw_period: trimmed(header.period.as_deref()).map(str::to_owned),
            raw_org_unit: raw_ou.map(str::to_owned),
            raw_aoc: raw_aoc.map(str::to_owned),
        };

        // Step 4: data-set-level validations (all run; any failure aborts).
        let ds_uid = set.data_set.map(|d| d.id.uid.as_str());
        if let (Some(raw), None) = (raw_data_set, set.data_set) {
            conflicts.add(
                E7600,
                &[("dataSet", Some(raw))],
                &[Some(raw)],
                Some("dataSet"),
                None,
            );
        }
        if let Some(ds) = set.data_set {
            if !self.access.can_write_data_set(ds) {
                let uid = ds.id.uid.as_str();
                conflicts.add(
                    E7601,
                    &[("dataSet", Some(uid))],
                    &[Some(uid)],
                    Some("dataSet"),
                    None,
                );
            }
        }
        if let (Some(raw), None) = (raw_ou, set.org_unit) {
            conflicts.add(
                E7603,
                &[("organisationUnit", Some(raw)), ("dataSet", ds_uid)],
                &[Some(raw)],
                Some("orgUnit"),
                None,
            );
        }
        if let (Some(raw), None) = (raw_aoc, set.aoc) {
            conflicts.add(
                E7604,
                &[("categoryOptionCombo", Some(raw)), ("dataSet", ds_uid)],
                &[Some(raw)],
                Some("attributeOptionCombo"),
                None,
            );
        }
        if !conflicts.is_empty() {
            return ImportOutcome::completed(ImportSummary {
                status: ImportStatus::Error,
                import_options: Some(options.clone()),
                description: Some("Import process was aborted".into()),
                conflicts: conflicts.into_conflicts(),
                profile: Some(options.profile),
                ..ImportSummary::default()
            });
        }

        let mut batched = Batched::new(store, eff.dry_run);
        if let Err(e) = batched.begin() {
            return ImportOutcome::failed(e.into());
        }

        // Step 5: completion.
        let data_set_complete =
            match self.complete(&header, &set, &eff, &mut batched, &mut conflicts) {
                Ok(c) => c,
                Err(failure) => return batched.fail(failure),
            };

        // Step 6: values, a window at a time: the window's stored rows are read in one lookup,
        // its values decided in order, its writes applied in one batch.
        let mut run = ValueRun::new(self, resolver, &eff, &set);
        let mut window = Window::new();
        let values = (|| -> Result<(), Failure> {
            while window.fill(source, progress)? {
                if !eff.skip_existing_check {
                    run.prefetch(&window, &mut batched)?;
                }
                for (record, index, position) in window.iter() {
                    run.value_at(record, index, position, &mut batched, &mut conflicts)?;
                }
                batched.flush()?;
            }
            Ok(())
        })();
        if let Err(failure) = values {
            return batched.fail(failure);
        }
        progress(Progress::finished(Phase::Import, window.read()));
        if let Some(outcome) = batched.commit() {
            return outcome;
        }
        let status = if conflicts.is_empty() {
            ImportStatus::Success
        } else {
            ImportStatus::Warning
        };
        ImportOutcome::completed(ImportSummary {
            status,
            import_options: Some(options.clone()),
            description: Some("Import process completed successfully".into()),
            import_count: run.count,
            conflicts: conflicts.into_conflicts(),
            rejected_indexes: run.rejected,
            data_set_complete,
            profile: Some(options.profile),
        })
        .with_notes(run.notes)
    }
}
