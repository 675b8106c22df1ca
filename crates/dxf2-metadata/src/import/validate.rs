//! The validation phase (`DefaultObjectBundleValidationService`, `ValidationFactory`): for each
//! type in import order, the checks of the import strategy in DHIS2's order, each on the same
//! object lists; objects a check rejects are removed after the whole chain (by DHIS2's object
//! equality: same UID, code and name), then the type's counts are made.
//!
//! | strategy | chain |
//! |---|---|
//! | CREATE_AND_UPDATE | duplicate ids → hooks → schema → uniqueness → unique multi-properties → mandatory attributes → unique attributes → references → translations → GeoJSON attributes → attribute assignment and values → UID format |
//! | CREATE | the same, with the creation check (`E5000`) after the hooks |
//! | UPDATE | the same, with the update check (`E5001`) after the hooks, and no UID format check |
//! | DELETE | the deletion check (`E5001`) |
//!
//! DHIS2's security (authorities, sharing access), non-owner reference (`ERRORS_NOT_OWNER`) and
//! dashboard checks are not run: this library has no users' authorities, and dashboards are not
//! modelled.

use std::collections::HashSet;

use super::bundle::{identifier_for, with_name, Bundle};
use super::message::Arg;
use super::params::ImportStrategy;
use super::report::{ErrorReport, ObjectReport, TypeReport};
use super::{attributes, hooks, references, schema_check};
use crate::catalogue::Catalogue;
use crate::error::Error;

/// DHIS2's object equality: (UID, code, name).
pub(crate) type Triple = (String, Option<String>, Option<String>);

/// What the checks of one type collect.
pub(crate) struct Ctx {
    pub report: TypeReport,
    pub marked: Vec<Triple>,
}

impl Ctx {
    /// A check rejects item `i` of type `t` with `errors`: one object report, one ignored.
    pub(crate) fn reject<C: ?Sized>(
        &mut self,
        b: &Bundle<'_, C>,
        t: usize,
        i: usize,
        errors: Vec<ErrorReport>,
    ) {
        let Some(tb) = b.types.get(t) else { return };
        let Some(item) = tb.items.get(i) else { return };
        let mut report = ObjectReport::new(
            tb.schema.klass,
            item.index,
            Some(&item.uid),
            super::bundle::display_name(&item.object).as_deref(),
        );
        for e in errors {
            report.add(e);
        }
        self.report.add_object_report(report);
        self.report.stats.ignored += 1;
        self.marked.push(item.triple());
    }
}

/// The object lists a chain works on.
pub(crate) struct Lists {
    /// Matched (stored) objects.
    pub persisted: Vec<usize>,
    /// New objects.
    pub new: Vec<usize>,
}

impl Lists {
    /// Persisted then new (`ValidationUtils#joinObjects`).
    pub(crate) fn all(&self) -> Vec<usize> {
        self.persisted.iter().chain(&self.new).copied().collect()
    }

    /// The objects a check of `strategy` looks at (`selectObjectsBasedOnImportStrategy`).
    pub(crate) fn selected(&self, strategy: ImportStrategy) -> Vec<usize> {
        match strategy {
            ImportStrategy::Create => self.new.clone(),
            ImportStrategy::Update => self.persisted.clone(),
            ImportStrategy::Delete => Vec::new(),
            _ => self.all(),
        }
    }
}

#[derive(Clone, Copy)]
enum Check {
    DuplicateIds,
    Hooks,
    Creation,
    Update,
    Schema,
    Uniqueness,
    UniqueMultiProperties,
    MandatoryAttributes,
    UniqueAttributes,
    References,
    Translations,
    GeoJsonAttributes,
    MetadataAttributes,
    UidFormat,
    Deletion,
}

fn chain(strategy: ImportStrategy) -> Vec<Check> {
    use Check::*;
    let middle = [
        Schema,
        Uniqueness,
        UniqueMultiProperties,
        MandatoryAttributes,
        UniqueAttributes,
        References,
        Translations,
        GeoJsonAttributes,
        MetadataAttributes,
    ];
    match strategy {
        ImportStrategy::Delete => vec![Deletion],
        ImportStrategy::Create => [DuplicateIds, Hooks, Creation]
            .into_iter()
            .chain(middle)
            .chain([UidFormat])
            .collect(),
        ImportStrategy::Update => [DuplicateIds, Hooks, Update]
            .into_iter()
            .chain(middle)
            .collect(),
        _ => [DuplicateIds, Hooks]
            .into_iter()
            .chain(middle)
            .chain([UidFormat])
            .collect(),
    }
}

/// Runs the validation phase, returning one type report per type of the bundle.
pub(crate) fn validate<C: Catalogue + ?Sized>(
    b: &mut Bundle<'_, C>,
) -> Result<Vec<TypeReport>, Error> {
    let strategy = b.params.import_strategy;
    let mut reports = Vec::new();
    for t in 0..b.types.len() {
        let Some(tb) = b.types.get(t) else { continue };
        let (persisted, new) = tb.lists();
        let lists = Lists { persisted, new };
        let mut ctx = Ctx {
            report: TypeReport::new(tb.schema.klass),
            marked: Vec::new(),
        };
        if !(lists.persisted.is_empty() && lists.new.is_empty()) {
            for check in chain(strategy) {
                run(check, b, t, &lists, &mut ctx)?;
            }
        }
        remove_marked(b, t, &lists, &ctx.marked);
        if let Some(tb) = b.types.get(t) {
            let (persisted, new) = tb.lists();
            let stats = &mut ctx.report.stats;
            match strategy {
                ImportStrategy::Create => stats.created += new.len(),
                ImportStrategy::Update => stats.updated += persisted.len(),
                ImportStrategy::Delete => stats.deleted += persisted.len(),
                _ => {
                    stats.created += new.len();
                    stats.updated += persisted.len();
                }
            }
        }
        reports.push(ctx.report);
    }
    Ok(reports)
}

fn run<C: Catalogue + ?Sized>(
    check: Check,
    b: &mut Bundle<'_, C>,
    t: usize,
    lists: &Lists,
    ctx: &mut Ctx,
) -> Result<(), Error> {
    let strategy = b.params.import_strategy;
    match check {
        Check::DuplicateIds => duplicate_ids(b, t, lists, ctx),
        Check::Hooks => hooks::check(b, t, &lists.selected(strategy), lists, ctx)?,
        Check::Creation => creation(b, t, lists, ctx)?,
        Check::Update | Check::Deletion => missing(b, t, lists, ctx),
        Check::Schema => schema_check::schema(b, t, &lists.selected(strategy), ctx),
        Check::Uniqueness => schema_check::uniqueness(b, t, &lists.selected(strategy), ctx)?,
        Check::UniqueMultiProperties => unique_multi_properties(b, t, lists, ctx),
        Check::MandatoryAttributes => attributes::mandatory(b, t, &lists.selected(strategy), ctx)?,
        Check::UniqueAttributes => attributes::unique(b, t, &lists.selected(strategy), ctx)?,
        Check::References => references::check(b, t, &lists.all(), ctx)?,
        Check::Translations => attributes::translations(b, t, &lists.selected(strategy), ctx),
        Check::GeoJsonAttributes => attributes::geo_json(b, t, &lists.selected(strategy), ctx)?,
        Check::MetadataAttributes => {
            attributes::assigned_and_valid(b, t, &lists.selected(strategy), ctx)?
        }
        Check::UidFormat => uid_format(b, t, lists, ctx),
    }
    Ok(())
}

/// Removes every object equal (UID, code, name) to a marked one, as `List#removeAll` does.
fn remove_marked<C: ?Sized>(b: &mut Bundle<'_, C>, t: usize, lists: &Lists, marked: &[Triple]) {
    if marked.is_empty() {
        return;
    }
    let marked: HashSet<&Triple> = marked.iter().collect();
    let Some(tb) = b.types.get_mut(t) else { return };
    for i in lists.all() {
        if let Some(item) = tb.items.get_mut(i) {
            if marked.contains(&item.triple()) {
                item.removed = true;
            }
        }
    }
}

/// `E5004`: an object with the same UID as the object just before it in the scan (persisted
/// objects, then new ones) — DHIS2 catches adjacent duplicates only.
fn duplicate_ids<C: ?Sized>(b: &Bundle<'_, C>, t: usize, lists: &Lists, ctx: &mut Ctx) {
    let Some(tb) = b.types.get(t) else { return };
    let klass = tb.schema.klass;
    let mut last: Option<&str> = None;
    for list in [&lists.persisted, &lists.new] {
        for &i in list {
            let Some(item) = tb.items.get(i) else {
                continue;
            };
            if last == Some(item.uid.as_str()) {
                let e = ErrorReport::new(
                    klass,
                    "E5004",
                    &[item.uid.as_str().into(), Arg::Class(klass)],
                    b.minor(),
                )
                .main_id(Some(&item.uid))
                .error_property("id");
                ctx.reject(b, t, i, vec![e]);
            } else {
                last = Some(item.uid.as_str());
            }
        }
    }
}

/// `E5000` (CREATE): the object exists. The report is about the stored object, which is not in
/// the payload: it gets the next free index.
fn creation<C: Catalogue + ?Sized>(
    b: &mut Bundle<'_, C>,
    t: usize,
    lists: &Lists,
    ctx: &mut Ctx,
) -> Result<(), Error> {
    let minor = b.minor();
    let identifier = match b.types.get(t) {
        Some(tb) => identifier_for(b.params, tb.schema),
        None => return Ok(()),
    };
    for &i in &lists.persisted {
        let Some(tb) = b.types.get_mut(t) else {
            continue;
        };
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let Some(existing) = item.existing.clone() else {
            continue;
        };
        let klass = tb.schema.klass;
        let e = ErrorReport::new(
            klass,
            "E5000",
            &[
                Arg::Constant(identifier.as_str()),
                with_name(identifier, &item.object, tb.schema.simple_name()).into(),
            ],
            minor,
        )
        .main_id(Some(&item.uid));
        let index = tb.next_index;
        tb.next_index += 1;
        let mut report = ObjectReport::new(
            klass,
            index,
            super::bundle::text(&existing, "id"),
            super::bundle::display_name(&existing).as_deref(),
        );
        report.add(e);
        ctx.report.add_object_report(report);
        ctx.report.stats.ignored += 1;
        ctx.marked.push((
            super::bundle::text(&existing, "id")
                .unwrap_or_default()
                .to_owned(),
            super::bundle::text(&existing, "code").map(str::to_owned),
            super::bundle::text(&existing, "name").map(str::to_owned),
        ));
    }
    Ok(())
}

/// `E5001` (UPDATE, DELETE): the object does not exist. The report is about the payload object
/// registered under the same identifier (the first one).
fn missing<C: ?Sized>(b: &Bundle<'_, C>, t: usize, lists: &Lists, ctx: &mut Ctx) {
    let Some(tb) = b.types.get(t) else { return };
    let identifier = identifier_for(b.params, tb.schema);
    let delete = b.params.import_strategy == ImportStrategy::Delete;
    for &i in &lists.new {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let shown = super::bundle::key_of(identifier, &item.object)
            .and_then(|k| b.placeholder(tb.schema.key, k))
            .map_or(i, |(_, p)| p);
        let mut e = ErrorReport::new(
            tb.schema.klass,
            "E5001",
            &[
                Arg::Constant(identifier.as_str()),
                with_name(identifier, &item.object, tb.schema.simple_name()).into(),
            ],
            b.minor(),
        );
        let shown_uid = tb.items.get(shown).map(|s| s.uid.as_str());
        e = if delete {
            e.main_id(shown_uid)
        } else {
            e.error_property("id").main_id(Some(&item.uid))
        };
        ctx.reject(b, t, shown, vec![e]);
    }
}

/// `E4014` (not UPDATE): a new object's UID is not a valid UID.
fn uid_format<C: ?Sized>(b: &Bundle<'_, C>, t: usize, lists: &Lists, ctx: &mut Ctx) {
    let Some(tb) = b.types.get(t) else { return };
    for &i in &lists.new {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        if !dxf2_model::Uid::is_valid(&item.uid) {
            let e = ErrorReport::new(
                tb.schema.klass,
                "E4014",
                &[item.uid.as_str().into(), tb.schema.simple_name().into()],
                b.minor(),
            );
            ctx.reject(b, t, i, vec![e]);
        }
    }
}

/// `E5005`: program rule variables of one program with the same name, among new objects (all
/// of them are rejected).
fn unique_multi_properties<C: ?Sized>(b: &Bundle<'_, C>, t: usize, lists: &Lists, ctx: &mut Ctx) {
    let Some(tb) = b.types.get(t) else { return };
    if tb.schema.key != "programRuleVariables" {
        return;
    }
    let mut groups: Vec<((String, String), Vec<usize>)> = Vec::new();
    for &i in &lists.new {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let program = item
            .object
            .get("program")
            .and_then(|p| p.get("id"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let key = (item.name().unwrap_or_default().to_owned(), program);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    for ((name, program), members) in groups {
        if members.len() < 2 {
            continue;
        }
        let uids: Vec<String> = members
            .iter()
            .filter_map(|&i| tb.items.get(i).map(|it| it.uid.clone()))
            .collect();
        for &i in &members {
            let e = ErrorReport::new(
                tb.schema.klass,
                "E5005",
                &[
                    Arg::Str(format!("name, program ({name}, {program})")),
                    Arg::List(uids.clone()),
                ],
                b.minor(),
            );
            ctx.reject(b, t, i, vec![e]);
        }
    }
}
