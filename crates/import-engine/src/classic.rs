//! The classic importer (DHIS2 2.36–2.42, `DefaultDataValueSetService`): every rule of
//! datavalueset-spec §2–5 that is specific to this generation lives here.

use std::borrow::Cow;

use chrono::{Duration, NaiveDate};
use dxf2_model::metadata::{CategoryOptionCombo, DataElement, DataSet, OrganisationUnit};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, IdScheme, IdSchemes, ImportCount,
    ImportOptions, ImportStatus, ImportStrategy, ImportSummary, ObjectKind, Period, SchemeTarget,
    StrategyGroup, Uid, ValueType,
};
use idscheme_resolver::Resolver;
use rustc_hash::FxHashMap;

use crate::codes::*;
use crate::conflicts::{ConflictCollector, ErrorCode};
use crate::store::{
    Audit, AuditType, Completion, DataValueKey, DataValueStore, Existing, StoredValue,
};
use crate::{Failure, ImportOutcome, Importer, Progress};

const MAX_COMMENT: usize = 50_000;
const MAX_STORED_BY: usize = 255;
const SKIP_AUDIT_AUTHORITY: &str = "F_SKIP_DATA_IMPORT_AUDIT";
const EDIT_EXPIRED_AUTHORITY: &str = "F_EDIT_EXPIRED";

/// Options after combining payload, request and system settings (Appendix C step 1).
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

/// A resolved category option combo with whether the user may write all its options.
#[derive(Clone, Copy)]
struct Combo<'m> {
    coc: &'m CategoryOptionCombo,
    /// The user may write every option of the combo (no option is in `unwritable_options`).
    writable: bool,
}

/// Set-level objects after resolution.
struct SetLevel<'m> {
    data_set: Option<&'m DataSet>,
    period: Option<Period>,
    org_unit: Option<&'m OrganisationUnit>,
    aoc: Option<Combo<'m>>,
}

fn trimmed(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|t| !t.is_empty())
}

fn fail(message: String) -> ImportOutcome {
    ImportOutcome::failed(message, Failure::Import)
}

impl<'m> Importer<'m> {
    fn effective(
        &self,
        header: &DataValueSetHeader,
        options: &ImportOptions,
    ) -> Result<Effective, String> {
        let strategy = header
            .strategy()
            .map_err(|e| e.to_string())?
            .unwrap_or(options.strategy);
        let payload_schemes = header.id_schemes(false).map_err(|e| e.to_string())?;
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

    fn resolve_uid(
        &self,
        resolver: &dyn Resolver,
        kind: ObjectKind,
        scheme: &IdScheme,
        key: &str,
    ) -> Result<Option<Uid>, String> {
        resolver
            .resolve(kind, scheme, key)
            .map_err(|e| e.to_string())
    }

    /// Looks a COC/AOC up as `getCategoryOptionComboAcl` does: not found when the user cannot write
    /// one of its options (unless the ACL is bypassed, as DHIS2's preheated cache does).
    fn resolve_combo(
        &self,
        resolver: &dyn Resolver,
        eff: &Effective,
        target: SchemeTarget,
        key: &str,
    ) -> Result<Option<Combo<'m>>, String> {
        let scheme = eff.schemes.effective(target);
        let Some(uid) = self.resolve_uid(resolver, ObjectKind::CategoryOptionCombo, scheme, key)?
        else {
            return Ok(None);
        };
        let Some(coc) = self.index.metadata.category_option_combo(&uid) else {
            return Ok(None);
        };
        Ok(Some(self.combo(coc)).filter(|c| eff.acl_bypass || c.writable))
    }

    /// `coc` with whether the user may write all its options.
    fn combo(&self, coc: &'m CategoryOptionCombo) -> Combo<'m> {
        let writable = coc.options.iter().all(|o| {
            self.index
                .metadata
                .category_option(o)
                .is_none_or(|opt| self.access.can_write_category_option(opt))
        });
        Combo { coc, writable }
    }

    /// The options of `coc` the user cannot write (empty exactly when `combo(coc).writable`).
    fn unwritable_options(&self, coc: &CategoryOptionCombo) -> Vec<Uid> {
        coc.options
            .iter()
            .filter(|o| {
                self.index
                    .metadata
                    .category_option(o)
                    .is_some_and(|opt| !self.access.can_write_category_option(opt))
            })
            .copied()
            .collect()
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
            Err(msg) => return fail(msg),
        };
        for target in [
            SchemeTarget::DataElement,
            SchemeTarget::OrgUnit,
            SchemeTarget::CategoryOptionCombo,
            SchemeTarget::DataSet,
        ] {
            let kind = match target {
                SchemeTarget::DataElement => ObjectKind::DataElement,
                SchemeTarget::OrgUnit => ObjectKind::OrganisationUnit,
                SchemeTarget::DataSet => ObjectKind::DataSet,
                _ => ObjectKind::CategoryOptionCombo,
            };
            if let Err(e) = resolver.preheat(kind, eff.schemes.effective(target)) {
                return fail(e.to_string());
            }
        }
        if let Err(e) = resolver.preheat(ObjectKind::CategoryOption, eff.schemes.general()) {
            return fail(e.to_string());
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
                Err(msg) => return fail(msg),
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
                Err(msg) => return fail(msg),
            },
            None => None,
        };
        let raw_aoc = trimmed(header.attribute_option_combo.as_deref());
        let mut aoc = match raw_aoc {
            Some(key) => {
                match self.resolve_combo(resolver, &eff, SchemeTarget::CategoryOptionCombo, key) {
                    Ok(c) => c,
                    Err(msg) => return fail(msg),
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
                    Err(msg) => return fail(msg),
                }
            }
        }
        let set = SetLevel {
            data_set,
            period,
            org_unit,
            aoc,
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
            return ImportOutcome {
                summary: ImportSummary {
                    status: ImportStatus::Error,
                    import_options: Some(options.clone()),
                    description: Some("Import process was aborted".into()),
                    conflicts: conflicts.into_conflicts(),
                    profile: Some(options.profile),
                    ..ImportSummary::default()
                },
                failure: None,
            };
        }

        if let Err(e) = store.begin() {
            return ImportOutcome::failed(e.to_string(), Failure::Store);
        }

        // Step 5: completion.
        let data_set_complete = match self.complete(&header, &set, &eff, store, &mut conflicts) {
            Ok(c) => c,
            Err(outcome) => {
                let _ = store.rollback();
                return *outcome;
            }
        };

        // Step 6: values.
        let mut run = ValueRun::new(self, resolver, &eff, &set);
        let mut record = DataValue::new();
        let mut index: i64 = 0;
        loop {
            match source.read_value(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let _ = store.rollback();
                    return ImportOutcome::failed(
                        format!("The import process failed: {e}"),
                        Failure::Input {
                            values_read: index as u64,
                            message: e.to_string(),
                        },
                    );
                }
            }
            if let Err(e) = run.value(&record, index, store, &mut conflicts) {
                let _ = store.rollback();
                return ImportOutcome::failed(
                    format!("The import process failed: {e}"),
                    Failure::Store,
                );
            }
            index += 1;
            if index % 1000 == 0 {
                progress(Progress {
                    values_done: index as u64,
                    total: None,
                });
            }
        }
        progress(Progress {
            values_done: index as u64,
            total: Some(index as u64),
        });
        let commit = if eff.dry_run {
            store.rollback()
        } else {
            store.commit()
        };
        if let Err(e) = commit {
            return ImportOutcome::failed(
                format!("The import process failed: {e}"),
                Failure::Store,
            );
        }
        let status = if conflicts.is_empty() {
            ImportStatus::Success
        } else {
            ImportStatus::Warning
        };
        ImportOutcome {
            summary: ImportSummary {
                status,
                import_options: Some(options.clone()),
                description: Some("Import process completed successfully".into()),
                import_count: run.count,
                conflicts: conflicts.into_conflicts(),
                rejected_indexes: run.rejected,
                data_set_complete,
                profile: Some(options.profile),
            },
            failure: None,
        }
    }

    /// §3.6: the AOC from `attributeCategoryOptions` and the data set's category combo.
    fn aoc_from_category_options(
        &self,
        resolver: &dyn Resolver,
        eff: &Effective,
        ds: &'m DataSet,
        keys: &[String],
    ) -> Result<Combo<'m>, String> {
        let mut options = Vec::with_capacity(keys.len());
        for key in keys {
            let uid = self.resolve_uid(
                resolver,
                ObjectKind::CategoryOption,
                eff.schemes.general(),
                key.trim(),
            )?;
            match uid {
                Some(u) => options.push(u),
                None => {
                    return Err(format!(
                        "The import process failed: {}",
                        crate::conflicts::format_message(E1111.template, &[Some(key)])
                    ))
                }
            }
        }
        let mut found = None;
        let mut matches = 0;
        for coc in &self.index.metadata.category_option_combos {
            if coc.category_combo == ds.category_combo
                && options.iter().all(|o| coc.options.contains(o))
            {
                matches += 1;
                found = Some(coc);
            }
        }
        match (matches, found) {
            (1, Some(coc)) => Ok(self.combo(coc)),
            _ => Err(format!("The import process failed: {}", E2041.template)),
        }
    }

    /// §5.6: data set completion. Returns `dataSetComplete`.
    fn complete(
        &self,
        header: &DataValueSetHeader,
        set: &SetLevel<'m>,
        eff: &Effective,
        store: &mut dyn DataValueStore,
        conflicts: &mut ConflictCollector,
    ) -> Result<Option<String>, Box<ImportOutcome>> {
        let today = self.now.date_naive();
        let raw = trimmed(header.complete_date.as_deref());
        let date = match raw {
            None => None,
            Some(s) if s.eq_ignore_ascii_case("false") => None,
            Some(s) if s.eq_ignore_ascii_case("true") => Some(today),
            Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) if s.len() == 10 => Some(d.min(today)),
                _ => {
                    return Err(Box::new(fail(format!(
                        "The import process failed: Text '{s}' could not be parsed at index 0 (completeDate must be yyyy-MM-dd, true or false)"
                    ))))
                }
            },
        };
        let (Some(ds), Some(date)) = (set.data_set, date) else {
            return Ok(Some("false".into()));
        };
        let Some(ou) = set.org_unit else {
            conflicts.add_legacy("OrganisationUnit", "Must be provided to complete data set");
            return Ok(None);
        };
        let Some(period) = set.period else {
            conflicts.add_legacy("Period", "Must be provided to complete data set");
            return Ok(None);
        };
        let aoc = set.aoc.map(|c| c.coc.id.uid).or(self.index.default_coc);
        let Some(aoc) = aoc else {
            return Ok(Some(date.to_string()));
        };
        if !eff.dry_run {
            let completion = Completion {
                data_set: ds.id.uid,
                period,
                org_unit: ou.id.uid,
                attribute_option_combo: aoc,
                date,
                stored_by: self.access.username().to_owned(),
                last_updated: self.now,
                completed: true,
            };
            if let Err(e) = store.set_completion(&completion) {
                return Err(Box::new(ImportOutcome::failed(
                    e.to_string(),
                    Failure::Store,
                )));
            }
        }
        Ok(Some(date.format("%Y-%m-%d").to_string()))
    }
}

/// The per-value part of one import.
///
/// Everything a value needs beyond its own fields is computed once per import or once per
/// distinct object (memoised here), and rows are read and written through reused buffers: after
/// the first values, validating and applying a value allocates nothing.
struct ValueRun<'a, 'm> {
    importer: &'a Importer<'m>,
    resolver: &'a dyn Resolver,
    eff: &'a Effective,
    set: &'a SetLevel<'m>,
    count: ImportCount,
    rejected: Vec<i64>,
    /// Option combos met so far, by UID (`None`: not in the catalogue).
    combos: FxHashMap<Uid, Option<Combo<'m>>>,
    /// The previous value's identifiers, resolved.
    last: Recent<'m>,
    /// The default category option combo.
    default_combo: Option<Combo<'m>>,
    /// Per data set UID: the latest period open for data entry now (C12), and its last day.
    latest_open: FxHashMap<Uid, Option<(Period, NaiveDate)>>,
    /// The last period whose end date was computed, and that date.
    period_end: Option<(Period, NaiveDate)>,
    /// Reused buffer for the existing row (read, then updated in place).
    existing: Option<RowBuf>,
    /// Reused buffer for new rows.
    new_row: Option<RowBuf>,
    /// Reused audit row.
    audit_row: Option<Audit>,
}

/// [`Importer::resolve_combo`] for a value's COC or AOC, with the combo's facts memoised in
/// `combos`.
fn resolve_combo<'m>(
    importer: &Importer<'m>,
    resolver: &dyn Resolver,
    eff: &Effective,
    combos: &mut FxHashMap<Uid, Option<Combo<'m>>>,
    key: &str,
) -> Result<Option<Combo<'m>>, String> {
    let scheme = eff.schemes.effective(SchemeTarget::CategoryOptionCombo);
    let Some(uid) = importer.resolve_uid(resolver, ObjectKind::CategoryOptionCombo, scheme, key)?
    else {
        return Ok(None);
    };
    let combo = *combos.entry(uid).or_insert_with(|| {
        importer
            .index
            .metadata
            .category_option_combo(&uid)
            .map(|coc| importer.combo(coc))
    });
    Ok(combo.filter(|c| eff.acl_bypass || c.writable))
}

/// The identifiers of the previous value and what they resolved to: consecutive values of a
/// file mostly repeat their org unit, period and combos, which then cost one string comparison.
/// (Within one import an identifier always resolves to the same object.)
#[derive(Default)]
struct Recent<'m> {
    de: Last<&'m DataElement>,
    pe: Last<Period>,
    ou: Last<&'m OrganisationUnit>,
    coc: Last<Combo<'m>>,
    aoc: Last<Combo<'m>>,
}

/// The last identifier seen in one field, and what it resolved to.
struct Last<T> {
    key: String,
    /// `None` until the first identifier.
    resolved: Option<Option<T>>,
}

impl<T> Default for Last<T> {
    fn default() -> Self {
        Last {
            key: String::new(),
            resolved: None,
        }
    }
}

impl<T: Copy> Last<T> {
    /// What `key` resolves to: the last answer when `key` is the last identifier, else
    /// `resolve(key)`, remembered.
    fn resolve(
        &mut self,
        key: &str,
        resolve: impl FnOnce(&str) -> Result<Option<T>, String>,
    ) -> Result<Option<T>, String> {
        if let Some(resolved) = self.resolved {
            if self.key == key {
                return Ok(resolved);
            }
        }
        let resolved = resolve(key)?;
        self.key.clear();
        self.key.push_str(key);
        self.resolved = Some(resolved);
        Ok(resolved)
    }
}

/// A reused row, with spare buffers for its texts: setting a text to `None` keeps its buffer
/// for the next `Some`.
struct RowBuf {
    row: StoredValue,
    spare: [String; 3],
}

impl RowBuf {
    fn new(key: DataValueKey, now: chrono::DateTime<chrono::Utc>) -> RowBuf {
        RowBuf {
            row: StoredValue::empty(key, now),
            spare: Default::default(),
        }
    }

    /// Sets the incoming fields (DHIS2 copies them onto the row it saves).
    fn fill(
        &mut self,
        value: Option<&str>,
        comment: Option<&str>,
        stored_by: &str,
        followup: bool,
        deleted: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let [spare_value, spare_comment, spare_stored_by] = &mut self.spare;
        let row = &mut self.row;
        set_opt(&mut row.value, spare_value, value);
        set_opt(&mut row.comment, spare_comment, comment);
        set_opt(&mut row.stored_by, spare_stored_by, Some(stored_by));
        row.followup = followup;
        row.deleted = deleted;
        row.last_updated = now;
    }
}

impl<'a, 'm> ValueRun<'a, 'm> {
    fn new(
        importer: &'a Importer<'m>,
        resolver: &'a dyn Resolver,
        eff: &'a Effective,
        set: &'a SetLevel<'m>,
    ) -> ValueRun<'a, 'm> {
        let index = &importer.index;
        let default_combo = index
            .default_coc
            .and_then(|uid| index.metadata.category_option_combo(&uid))
            .map(|coc| importer.combo(coc));
        let today = importer.now.date_naive();
        let latest_open = index
            .metadata
            .data_sets
            .iter()
            .map(|ds| {
                let latest = ds
                    .period_type
                    .future_period(today, ds.open_future_periods)
                    .map(|p| (p, p.end_date()));
                (ds.id.uid, latest)
            })
            .collect();
        ValueRun {
            importer,
            resolver,
            eff,
            set,
            count: ImportCount::default(),
            rejected: Vec::new(),
            combos: FxHashMap::default(),
            last: Recent::default(),
            default_combo,
            latest_open,
            period_end: None,
            existing: None,
            new_row: None,
            audit_row: None,
        }
    }
}

/// A value whose identifiers all resolved.
struct Resolved<'m> {
    de: &'m DataElement,
    period: Period,
    ou: &'m OrganisationUnit,
    coc: Combo<'m>,
    aoc: Combo<'m>,
}

impl<'m> ValueRun<'_, 'm> {
    fn reject(&mut self, index: i64) {
        self.count.ignored += 1;
        self.rejected.push(index);
    }

    /// Rejects value `index` with one conflict: how a failing rule of V1–V12 and C1–C2 ends.
    /// The caller returns what this returns (`Ok(())`, a rejected value) at once, so only the
    /// first failing rule, in DHIS2's order, is reported.
    fn rejected(
        &mut self,
        conflicts: &mut ConflictCollector,
        index: i64,
        code: ErrorCode,
        objects: &[(&str, Option<&str>)],
        args: &[Option<&str>],
        property: &str,
    ) -> Result<(), String> {
        conflicts.add(code, objects, args, Some(property), Some(index));
        self.reject(index);
        Ok(())
    }

    /// Validates and applies one value (§4.1 step 7, §4.3, §5.1). `Err` = store failure.
    fn value(
        &mut self,
        dv: &DataValue,
        index: i64,
        store: &mut dyn DataValueStore,
        conflicts: &mut ConflictCollector,
    ) -> Result<(), String> {
        let imp = self.importer;
        let md = imp.index.metadata;
        let raw_de = dv.data_element();
        let raw_pe = dv.period();
        let raw_ou = dv.org_unit();
        let raw_coc = dv.category_option_combo();
        let raw_aoc = dv.attribute_option_combo();

        // Resolution (§3.3). Scheme errors fail the whole import.
        let (resolver, eff) = (self.resolver, self.eff);
        let resolve = |kind, target, key: &str| {
            imp.resolve_uid(resolver, kind, eff.schemes.effective(target), key)
        };
        let de = match trimmed(raw_de) {
            Some(k) => self.last.de.resolve(k, |k| {
                Ok(
                    resolve(ObjectKind::DataElement, SchemeTarget::DataElement, k)?
                        .and_then(|u| md.data_element(&u)),
                )
            })?,
            None => None,
        };
        let period = match (self.set.period, trimmed(raw_pe)) {
            (Some(p), _) => Some(p),
            (None, Some(k)) => self.last.pe.resolve(k, |k| Ok(k.parse::<Period>().ok()))?,
            (None, None) => None,
        };
        let ou = match (self.set.org_unit, trimmed(raw_ou)) {
            (Some(ou), _) => Some(ou),
            (None, Some(k)) => self.last.ou.resolve(k, |k| {
                Ok(
                    resolve(ObjectKind::OrganisationUnit, SchemeTarget::OrgUnit, k)?
                        .and_then(|u| md.org_unit(&u)),
                )
            })?,
            (None, None) => None,
        };
        let coc_key = trimmed(raw_coc);
        let coc = match coc_key {
            Some(k) => self.last.coc.resolve(k, |k| {
                resolve_combo(imp, resolver, eff, &mut self.combos, k)
            })?,
            None => None,
        };
        let aoc_key = if self.set.aoc.is_some() {
            None
        } else {
            trimmed(raw_aoc)
        };
        let aoc = match (self.set.aoc, aoc_key) {
            (Some(c), _) => Some(c),
            (None, Some(k)) => self.last.aoc.resolve(k, |k| {
                resolve_combo(imp, resolver, eff, &mut self.combos, k)
            })?,
            (None, None) => None,
        };

        // V1–V8: the first failing rule rejects the value.
        let Some(de) = de else {
            let objects = [("dataElement", raw_de)];
            return self.rejected(conflicts, index, E7610, &objects, &[raw_de], "dataElement");
        };
        let Some(period) = period else {
            let objects = [("period", raw_pe)];
            return self.rejected(conflicts, index, E7611, &objects, &[raw_pe], "period");
        };
        let Some(ou) = ou else {
            let objects = [("organisationUnit", raw_ou)];
            return self.rejected(conflicts, index, E7612, &objects, &[raw_ou], "orgUnit");
        };
        if let (Some(_), None) = (coc_key, coc) {
            let (objects, property) = ([("categoryOptionCombo", raw_coc)], "categoryOptionCombo");
            return self.rejected(conflicts, index, E7613, &objects, &[raw_coc], property);
        }
        if let Some(c) = coc {
            if self.option_access_conflicts(
                c,
                raw_coc,
                E7614,
                "categoryOptionCombo",
                index,
                conflicts,
            ) {
                return Ok(());
            }
        }
        if let (Some(_), None) = (aoc_key, aoc) {
            let (objects, property) = ([("categoryOptionCombo", raw_aoc)], "attributeOptionCombo");
            return self.rejected(conflicts, index, E7615, &objects, &[raw_aoc], property);
        }
        if let (Some(c), Some(_)) = (aoc, aoc_key) {
            if self.option_access_conflicts(
                c,
                raw_aoc,
                E7616,
                "attributeOptionCombo",
                index,
                conflicts,
            ) {
                return Ok(());
            }
        }
        if !imp.access.in_capture_hierarchy(ou) {
            let user = Some(imp.access.user_uid());
            let objects = [("organisationUnit", raw_ou), ("user", user)];
            let args = [raw_ou, user];
            return self.rejected(conflicts, index, E7617, &objects, &args, "orgUnit");
        }

        // V9–V12: the value itself.
        let deleted = dv.deleted() == Some(true);
        let is_delete = self.eff.strategy.is_delete();
        let raw_value = dv.value();
        let comment = dv.comment();
        if raw_value.is_none() && comment.is_none() && !deleted && !is_delete {
            let objects = [("dataElement", raw_de)];
            return self.rejected(conflicts, index, E7618, &objects, &[raw_de], "value");
        }
        let normalised: Option<Cow<'_, str>> =
            raw_value.map(|v| de.value_type.normalize_boolean_classic(v));
        if let Err(e) = de
            .value_type
            .validate(normalised.as_deref(), de.option_set.is_some())
        {
            let objects = [("dataElement", raw_de), ("value", Some(e.key()))];
            let args = [raw_de, Some(e.message())];
            return self.rejected(conflicts, index, E7619, &objects, &args, "value");
        }
        // (A text of at most MAX_COMMENT bytes has at most MAX_COMMENT characters.)
        if comment.is_some_and(|c| c.len() > MAX_COMMENT && c.chars().count() > MAX_COMMENT) {
            let objects = [("comment", Some("comment_length_greater_than_max_length"))];
            let args = [Some(COMMENT_TOO_LONG)];
            return self.rejected(conflicts, index, E7620, &objects, &args, "comment");
        }
        if let Some(os) = de.option_set {
            if !self.valid_option(&os, de.value_type, raw_value) {
                let objects = [("dataElement", raw_de)];
                return self.rejected(conflicts, index, E7621, &objects, &[raw_de], "value");
            }
        }

        // C1–C2: defaults for missing combos.
        let coc = match coc {
            Some(c) => c,
            None if self.eff.require_coc => {
                return self.rejected(conflicts, index, E7630, &[], &[], "categoryOptionCombo");
            }
            None => match self.default_combo() {
                Some(c) => c,
                None => return Err("no default category option combo in the metadata".into()),
            },
        };
        let aoc = match aoc {
            Some(c) => c,
            None if self.eff.require_aoc => {
                return self.rejected(conflicts, index, E7631, &[], &[], "attributeOptionCombo");
            }
            None => match self.default_combo() {
                Some(c) => c,
                None => return Err("no default category option combo in the metadata".into()),
            },
        };
        let r = Resolved {
            de,
            period,
            ou,
            coc,
            aoc,
        };
        let raw = RawIds {
            de: raw_de,
            pe: raw_pe,
            ou: raw_ou,
            coc: raw_coc,
            aoc: raw_aoc,
        };
        if !self.strict_checks(&r, &raw, dv, index, store, conflicts)? {
            self.reject(index);
            return Ok(());
        }
        self.apply(&r, dv, normalised.as_deref(), index, store)
    }

    fn default_combo(&self) -> Option<Combo<'m>> {
        self.default_combo
    }

    /// The last day of `period` (remembered for the next value, which usually has the same
    /// period).
    fn end_date(&mut self, period: Period) -> NaiveDate {
        match self.period_end {
            Some((p, end)) if p == period => end,
            _ => {
                let end = period.end_date();
                self.period_end = Some((period, end));
                end
            }
        }
    }

    /// V5/V7 (reachable only when the ACL was bypassed by `preheatCache`): one conflict per option
    /// the user cannot write. Returns whether the value was rejected.
    fn option_access_conflicts(
        &mut self,
        combo: Combo<'m>,
        raw: Option<&str>,
        code: ErrorCode,
        property: &str,
        index: i64,
        conflicts: &mut ConflictCollector,
    ) -> bool {
        if combo.writable {
            return false;
        }
        let denied = self.importer.unwritable_options(combo.coc);
        if denied.is_empty() {
            return false;
        }
        for option in &denied {
            let o = Some(option.as_str());
            conflicts.add(
                code,
                &[("categoryOptionCombo", raw), ("categoryOption", o)],
                &[raw, o],
                Some(property),
                Some(index),
            );
        }
        self.reject(index);
        true
    }

    /// V12: option codes (case-sensitive); MULTI_TEXT: every comma-separated part, distinct.
    fn valid_option(&self, option_set: &Uid, value_type: ValueType, value: Option<&str>) -> bool {
        let index = &self.importer.index;
        let Some(value) = value else { return false };
        if value_type == ValueType::MultiText {
            let parts: Vec<&str> = value.split(',').collect();
            let mut distinct: Vec<&str> = parts
                .iter()
                .copied()
                .filter(|p| index.is_option_code(option_set, p))
                .collect();
            distinct.sort_unstable();
            distinct.dedup();
            distinct.len() == parts.len()
        } else {
            index.is_option_code(option_set, value)
        }
    }
}

/// The identifiers of a value as written (for messages).
struct RawIds<'a> {
    de: Option<&'a str>,
    pe: Option<&'a str>,
    ou: Option<&'a str>,
    coc: Option<&'a str>,
    aoc: Option<&'a str>,
}

impl<'m> ValueRun<'_, 'm> {
    /// C3–C16, in order; the first failing rule adds its conflict(s). Returns whether the value passed.
    fn strict_checks(
        &mut self,
        r: &Resolved<'m>,
        raw: &RawIds<'_>,
        dv: &DataValue,
        index: i64,
        store: &mut dyn DataValueStore,
        conflicts: &mut ConflictCollector,
    ) -> Result<bool, String> {
        let imp = self.importer;
        let ix = &imp.index;
        let at = Some(index);
        let de_uid = r.de.id.uid;
        let element_sets = ix.data_sets_of_element(&de_uid);

        // C3 strictPeriods.
        if self.eff.strict_periods
            && !element_sets
                .iter()
                .any(|ds| ds.period_type == r.period.period_type())
        {
            conflicts.add(
                E7632,
                &[("period", raw.pe), ("dataElement", raw.de)],
                &[raw.pe, raw.de],
                None,
                at,
            );
            return Ok(false);
        }
        // C4 strictDataElements.
        if self.eff.strict_data_elements {
            let ok = match self.set.data_set {
                Some(ds) => ds.elements.iter().any(|e| e.data_element == de_uid),
                None => !element_sets.is_empty(),
            };
            if !ok {
                let sets: Vec<&str> = match self.set.data_set {
                    Some(ds) => vec![ds.id.uid.as_str()],
                    None => element_sets.iter().map(|d| d.id.uid.as_str()).collect(),
                };
                let joined = sets.join(",");
                conflicts.add(
                    E7633,
                    &[("dataElement", raw.de), ("dataSet", Some(&joined))],
                    &[raw.de, Some(&joined)],
                    Some("dataElement"),
                    at,
                );
                return Ok(false);
            }
        }
        // C5 strictCategoryOptionCombos.
        if self.eff.strict_cocs {
            let coc_uid = r.coc.coc.id.uid;
            if !ix
                .element_combos(r.de)
                .any(|cc| ix.combo_has_option_combo(&cc, &coc_uid))
            {
                conflicts.add(
                    E7634,
                    &[("categoryOptionCombo", raw.coc), ("dataElement", raw.de)],
                    &[raw.coc, raw.de],
                    Some("categoryOptionCombo"),
                    at,
                );
                return Ok(false);
            }
        }
        // C6 strictAttributeOptionCombos.
        if self.eff.strict_aocs {
            let aoc_uid = r.aoc.coc.id.uid;
            if !element_sets
                .iter()
                .all(|ds| ix.combo_has_option_combo(&ds.category_combo, &aoc_uid))
            {
                conflicts.add(
                    E7635,
                    &[("categoryOptionCombo", raw.aoc), ("dataElement", raw.de)],
                    &[raw.aoc, raw.de],
                    Some("attributeOptionCombo"),
                    at,
                );
                return Ok(false);
            }
        }
        // C7 strictOrganisationUnits.
        if self.eff.strict_org_units {
            let ou_sets = ix.data_sets_of_org_unit(&r.ou.id.uid);
            if !ou_sets
                .iter()
                .any(|ds| ds.elements.iter().any(|e| e.data_element == de_uid))
            {
                conflicts.add(
                    E7636,
                    &[("organisationUnit", raw.ou), ("dataElement", raw.de)],
                    &[raw.ou, raw.de],
                    Some("orgUnit"),
                    at,
                );
                return Ok(false);
            }
        }
        // C8 storedBy length (a text of at most 255 bytes has at most 255 characters).
        if dv
            .stored_by()
            .is_some_and(|s| s.len() > MAX_STORED_BY && s.chars().count() > MAX_STORED_BY)
        {
            let key = "stored_by_length_greater_than_max_length";
            conflicts.add(
                E7637,
                &[("storedBy", Some(key))],
                &[Some(STORED_BY_TOO_LONG)],
                Some("storedBy"),
                at,
            );
            return Ok(false);
        }
        // C9/C10: attribute option combo date range and org units.
        let restrictions = ix.restrictions_of(&r.aoc.coc.id.uid);
        let open_after = match self.set.data_set {
            Some(ds) => ds.open_periods_after_co_end_date,
            None => element_sets
                .iter()
                .map(|d| d.open_periods_after_co_end_date)
                .max()
                .unwrap_or(0),
        };
        let adjusted_end = restrictions.end.and_then(|end| {
            let mut p = r.period.period_type().period_containing(end)?;
            for _ in 0..open_after.max(0) {
                p = p.next()?;
            }
            Some(if open_after > 0 { p.end_date() } else { end })
        });
        let period_end = self.end_date(r.period);
        let too_early = restrictions.start.is_some_and(|s| s > period_end);
        let too_late = adjusted_end.is_some_and(|e| e < r.period.start_date());
        if too_early || too_late {
            conflicts.add(
                E7638,
                &[("period", raw.pe), ("categoryOptionCombo", raw.aoc)],
                &[raw.pe, raw.aoc],
                Some("period"),
                at,
            );
            return Ok(false);
        }
        if !restrictions.org_unit_lists.is_empty() {
            let ou = &r.ou.id.uid;
            let inside = restrictions
                .org_unit_lists
                .iter()
                .all(|list| ix.metadata.is_org_unit_within_any(ou, list));
            if !inside {
                conflicts.add(
                    E7639,
                    &[
                        ("organisationUnit", raw.ou),
                        ("categoryOptionCombo", raw.aoc),
                    ],
                    &[raw.ou, raw.aoc],
                    Some("orgUnit"),
                    at,
                );
                return Ok(false);
            }
        }
        // C11–C15 are skipped when forcing (superusers only).
        if !self.eff.force {
            if !self.timeliness(r, raw, element_sets, period_end, index, store, conflicts)? {
                return Ok(false);
            }
            // C15: the element's data sets must allow input for the period now.
            if !element_sets.is_empty()
                && !element_sets
                    .iter()
                    .any(|ds| self.input_period_open(ds, &r.period))
            {
                conflicts.add(E7644, &[("period", raw.pe)], &[raw.pe], Some("period"), at);
                return Ok(false);
            }
        }
        // C16: deleting a file value that does not exist.
        if self.eff.strategy.is_delete() && r.de.value_type.is_file() {
            let key = self.key(r);
            let buf = self
                .existing
                .get_or_insert_with(|| RowBuf::new(key, imp.now));
            let exists = store.get(&key, &mut buf.row).map_err(|e| e.to_string())?;
            if exists == Existing::None {
                conflicts.add(
                    E7645,
                    &[("dataElement", raw.de)],
                    &[raw.de],
                    Some("dataElement"),
                    at,
                );
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// §4.4 target data sets: the import's data set, or the element's data sets that have the
    /// org unit as a source and the AOC's category combo.
    fn target_data_sets<'s>(
        &'s self,
        r: &'s Resolved<'m>,
        element_sets: &'s [&'m DataSet],
    ) -> impl Iterator<Item = &'m DataSet> + Clone + 's {
        let (given, candidates) = match self.set.data_set {
            Some(ds) => (Some(ds), &[][..]),
            None => (None, element_sets),
        };
        // `ds.org_units.contains(ou)`, through the org unit's (short) list of data sets.
        let ou_sets = self.importer.index.data_sets_of_org_unit(&r.ou.id.uid);
        let aoc_combo = r.aoc.coc.category_combo;
        given.into_iter().chain(
            candidates
                .iter()
                .copied()
                .filter(move |ds| ds.category_combo == aoc_combo)
                .filter(move |ds| ou_sets.iter().any(|o| o.id.uid == ds.id.uid)),
        )
    }

    /// The latest period of `ds` open for data entry now, and its last day (C12).
    fn latest_open(&self, ds: &DataSet) -> Option<(Period, NaiveDate)> {
        match self.latest_open.get(&ds.id.uid) {
            Some(latest) => *latest,
            None => {
                let today = self.importer.now.date_naive();
                ds.period_type
                    .future_period(today, ds.open_future_periods)
                    .map(|p| (p, p.end_date()))
            }
        }
    }

    fn input_period_open(&self, ds: &DataSet, period: &Period) -> bool {
        if ds.data_input_periods.is_empty() {
            return true;
        }
        let today = self.importer.now.date_naive();
        ds.data_input_periods.iter().any(|dip| {
            dip.period == *period
                && dip.opening_date.is_none_or(|o| o.date() <= today)
                && dip.closing_date.is_none_or(|c| today <= c.date())
        })
    }

    /// C11–C14 over the target data sets, with DHIS2's strictness rules.
    #[allow(clippy::too_many_arguments)]
    fn timeliness(
        &self,
        r: &Resolved<'m>,
        raw: &RawIds<'_>,
        element_sets: &[&'m DataSet],
        period_end: NaiveDate,
        index: i64,
        store: &mut dyn DataValueStore,
        conflicts: &mut ConflictCollector,
    ) -> Result<bool, String> {
        let at = Some(index);
        let targets = self.target_data_sets(r, element_sets);
        // One pass counts what C11 and C14 need; the conflicts are added by a second pass when a
        // rule fails.
        let (mut total, mut locked, mut too_late, mut closed) = (0, 0, false, 0);
        for ds in targets.clone() {
            total += 1;
            if self.is_locked(ds, &r.period, &r.ou.id.uid, store)? {
                locked += 1;
            }
            if self
                .latest_open(ds)
                .is_some_and(|(_, latest_end)| period_end > latest_end)
            {
                too_late = true;
            }
            if !self.input_period_open(ds, &r.period) {
                closed += 1;
            }
        }
        if total == 0 {
            return Ok(true);
        }
        // C11: locked by expiry days.
        if fails(self.eff.strict_locking, locked, total) {
            for ds in targets.clone() {
                if self.is_locked(ds, &r.period, &r.ou.id.uid, store)? {
                    let uid = Some(ds.id.uid.as_str());
                    conflicts.add(
                        E7640,
                        &[("period", raw.pe), ("dataSet", uid)],
                        &[raw.pe, uid],
                        Some("period"),
                        at,
                    );
                }
            }
            return Ok(false);
        }
        // C12: after the latest open future period (always strict).
        if too_late {
            for ds in targets.clone() {
                let Some((latest, latest_end)) = self.latest_open(ds) else {
                    continue;
                };
                if period_end > latest_end {
                    let latest_iso = latest.to_string();
                    let ds_uid = Some(ds.id.uid.as_str());
                    conflicts.add(
                        E7641,
                        &[
                            ("period", raw.pe),
                            ("dataElement", raw.de),
                            ("dataSet", ds_uid),
                        ],
                        &[raw.pe, raw.de, ds_uid, Some(&latest_iso)],
                        Some("period"),
                        at,
                    );
                }
            }
            return Ok(false);
        }
        // C13: approvals. This library keeps no approval records, so no value is ever approved.
        let _ = self.eff.strict_approval;
        // C14: data input periods.
        if fails(self.eff.strict_input_periods, closed, total) {
            for ds in targets.filter(|ds| !self.input_period_open(ds, &r.period)) {
                let uid = Some(ds.id.uid.as_str());
                conflicts.add(
                    E7643,
                    &[("period", raw.pe), ("dataSet", uid)],
                    &[raw.pe, uid],
                    Some("period"),
                    at,
                );
            }
            return Ok(false);
        }
        Ok(true)
    }
    /// `DataSet.isLocked`: expiry days passed since the period ended, unless a lock exception exists.
    fn is_locked(
        &self,
        ds: &DataSet,
        period: &Period,
        ou: &Uid,
        store: &mut dyn DataValueStore,
    ) -> Result<bool, String> {
        let imp = self.importer;
        if ds.expiry_days <= 0 || imp.access.has_authority(EDIT_EXPIRED_AUTHORITY) {
            return Ok(false);
        }
        let Some(deadline) = period
            .end_date()
            .checked_add_signed(Duration::days(1 + ds.expiry_days))
        else {
            return Ok(false);
        };
        if imp.now.naive_utc() <= deadline.and_hms_opt(0, 0, 0).unwrap_or_default() {
            return Ok(false);
        }
        let exception = store
            .has_lock_exception(&ds.id.uid, period, ou)
            .map_err(|e| e.to_string())?;
        Ok(!exception)
    }

    fn key(&self, r: &Resolved<'m>) -> DataValueKey {
        DataValueKey {
            data_element: r.de.id.uid,
            period: r.period,
            org_unit: r.ou.id.uid,
            category_option_combo: r.coc.coc.id.uid,
            attribute_option_combo: r.aoc.coc.id.uid,
        }
    }

    /// §5.1: the decision table.
    ///
    /// The existing row is read into a reused buffer and, when DHIS2 saves it, changed and written
    /// back from that same buffer; new rows are built in another reused buffer.
    fn apply(
        &mut self,
        r: &Resolved<'m>,
        dv: &DataValue,
        normalised: Option<&str>,
        index: i64,
        store: &mut dyn DataValueStore,
    ) -> Result<(), String> {
        let imp = self.importer;
        let now = imp.now;
        let key = self.key(r);
        let value = normalised.map(str::trim).filter(|v| !v.is_empty());
        let comment = dv.comment().map(str::trim).filter(|c| !c.is_empty());
        let followup = dv.followup() == Some(true);
        let del = dv.deleted() == Some(true);
        let null_value = value.is_none() && comment.is_none();
        let zero = value.is_some_and(|v| is_zero_insignificant(r.de, v));
        let group = self.eff.strategy.group();
        let creates = matches!(
            group,
            StrategyGroup::Create | StrategyGroup::CreateAndUpdate
        );
        let updates = matches!(
            group,
            StrategyGroup::Update | StrategyGroup::CreateAndUpdate
        );
        let audit_on = self.eff.audit;

        let buf = self.existing.get_or_insert_with(|| RowBuf::new(key, now));
        let existing = if self.eff.skip_existing_check {
            Existing::None
        } else {
            store.get(&key, &mut buf.row).map_err(|e| e.to_string())?
        };
        let e_live = existing == Existing::Stored && !buf.row.deleted;
        let e_deleted = existing == Existing::Stored && buf.row.deleted;

        // Row 2.
        if zero && (!e_live && !e_deleted || group == StrategyGroup::Create) {
            return Ok(());
        }
        let stored_by = match dv.stored_by() {
            Some(s) if !s.trim().is_empty() => s,
            _ => imp.access.username(),
        };
        if e_live {
            // Rows 3, 5 and 6 save the existing row with the incoming fields; the audit (when
            // written) holds the value it had.
            let (deleted, audit_type, counter) = if updates && (null_value || del || zero) {
                // Row 3: soft delete, carrying the incoming fields.
                (true, AuditType::Delete, &mut self.count.deleted)
            } else if updates {
                let same = buf.row.value.as_deref() == value
                    && buf.row.comment.as_deref() == comment
                    && buf.row.followup == followup;
                if same {
                    // Row 4.
                    self.count.ignored += 1;
                    return Ok(());
                }
                // Row 5.
                (false, AuditType::Update, &mut self.count.updated)
            } else if group == StrategyGroup::Delete {
                // Row 6 (audited even when the value does not change).
                (true, AuditType::Delete, &mut self.count.deleted)
            } else {
                // Row 7: create or SYNC over a live value.
                self.reject(index);
                return Ok(());
            };
            let changed = group == StrategyGroup::Delete || buf.row.value.as_deref() != value;
            let audit = if audit_on && changed {
                Some(audit_row(
                    &mut self.audit_row,
                    key,
                    buf.row.value.as_deref(),
                    imp.access.username(),
                    now,
                    audit_type,
                ))
            } else {
                None
            };
            buf.row.key = key;
            buf.fill(value, comment, stored_by, followup, deleted, now);
            store.update(&buf.row).map_err(|e| e.to_string())?;
            if let Some(audit) = audit {
                store.audit(audit).map_err(|e| e.to_string())?;
            }
            *counter += 1;
            return Ok(());
        }
        if !creates {
            // Row 8.
            self.reject(index);
            return Ok(());
        }
        if null_value {
            // Row 9.
            self.count.ignored += 1;
            return Ok(());
        }
        if e_deleted {
            // Row 10: revive the soft-deleted row.
            buf.row.key = key;
            buf.fill(value, comment, stored_by, followup, del, now);
            buf.row.created = now;
            store.update(&buf.row).map_err(|e| e.to_string())?;
            self.count.imported += 1;
            return Ok(());
        }
        if existing == Existing::InsertedInThisTransaction {
            // A duplicate key within the payload: DHIS2's batch handler drops it silently.
            return Ok(());
        }
        // Row 11.
        if !self.eff.dry_run {
            let new = self.new_row.get_or_insert_with(|| RowBuf::new(key, now));
            new.row.key = key;
            new.row.created = now;
            new.fill(value, comment, stored_by, followup, del, now);
            store.insert(&new.row).map_err(|e| e.to_string())?;
        }
        self.count.imported += 1;
        Ok(())
    }
}

/// Fills the reused audit row (created on first use) and returns it.
fn audit_row<'b>(
    slot: &'b mut Option<Audit>,
    key: DataValueKey,
    previous: Option<&str>,
    modified_by: &str,
    created: chrono::DateTime<chrono::Utc>,
    audit_type: AuditType,
) -> &'b Audit {
    let audit = slot.get_or_insert_with(|| Audit {
        key,
        previous_value: None,
        modified_by: String::new(),
        created,
        audit_type,
    });
    audit.key = key;
    match (audit.previous_value.as_mut(), previous) {
        (Some(s), Some(p)) => {
            s.clear();
            s.push_str(p);
        }
        (_, p) => audit.previous_value = p.map(str::to_owned),
    }
    if audit.modified_by != modified_by {
        audit.modified_by.clear();
        audit.modified_by.push_str(modified_by);
    }
    audit.created = created;
    audit.audit_type = audit_type;
    audit
}

/// Non-strict: fails only when every target data set fails; strict: when any does.
fn fails(strict: bool, failing: usize, total: usize) -> bool {
    if strict {
        failing > 0
    } else {
        failing > 0 && failing == total
    }
}

/// Sets a reused text: `Some` writes into the slot's buffer (or the spare one), `None` keeps the
/// slot's buffer as the spare.
fn set_opt(slot: &mut Option<String>, spare: &mut String, text: Option<&str>) {
    match text {
        Some(t) => {
            let s = slot.get_or_insert_with(|| std::mem::take(spare));
            s.clear();
            s.push_str(t);
        }
        None => {
            if let Some(s) = slot.take() {
                if s.capacity() > spare.capacity() {
                    *spare = s;
                }
            }
        }
    }
}

/// §4.7: numeric, `^0(\.0*)?$`, not zero-significant, aggregation not AVERAGE(_SUM_ORG_UNIT).
fn is_zero_insignificant(de: &DataElement, value: &str) -> bool {
    de.value_type.is_zero_insignificant_candidate(value)
        && !de.zero_is_significant
        && de.aggregation_type != "AVERAGE_SUM_ORG_UNIT"
        && de.aggregation_type != "AVERAGE"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_resolves_each_new_key_once() {
        let mut last: Last<u32> = Last::default();
        let mut calls = 0;
        let mut resolve = |key: &str| -> Result<Option<u32>, String> {
            calls += 1;
            Ok(Some(key.len() as u32).filter(|n| *n > 1))
        };
        assert_eq!(last.resolve("abc", &mut resolve), Ok(Some(3)));
        assert_eq!(last.resolve("abc", &mut resolve), Ok(Some(3)));
        assert_eq!(last.resolve("x", &mut resolve), Ok(None));
        assert_eq!(last.resolve("x", &mut resolve), Ok(None));
        assert_eq!(last.resolve("abcd", &mut resolve), Ok(Some(4)));
        assert_eq!(calls, 3);
        // Errors are not remembered.
        let mut failing = Last::<u32>::default();
        assert!(failing.resolve("k", |_| Err("ambiguous".into())).is_err());
        assert_eq!(failing.resolve("k", |_| Ok(Some(1))), Ok(Some(1)));
    }

    #[test]
    fn set_opt_keeps_the_buffer_of_a_cleared_text() {
        let mut slot = None;
        let mut spare = String::new();
        set_opt(&mut slot, &mut spare, Some("a longer comment"));
        assert_eq!(slot.as_deref(), Some("a longer comment"));
        let capacity = slot.as_ref().map_or(0, String::capacity);
        set_opt(&mut slot, &mut spare, None);
        assert_eq!((slot.as_deref(), spare.capacity()), (None, capacity));
        set_opt(&mut slot, &mut spare, Some("short"));
        assert_eq!(slot.as_deref(), Some("short"));
        assert_eq!(slot.as_ref().map_or(0, String::capacity), capacity);
        assert_eq!(spare.capacity(), 0);
    }
}
