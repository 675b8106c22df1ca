//! The import summary of a 2.43+ import (`DataEntrySummary.toImportSummary` and
//! `DataEntryIO`): counts (`imported` always 0, every value written is `updated`), status,
//! conflicts and rejected indexes (value errors first, then group failures), and
//! `dataSetComplete`.

use dxf2_model::{ImportCount, ImportOptions, ImportStatus, ImportSummary};

use super::messages::Problem;
use super::{GroupDone, Settings};
use crate::conflicts::ConflictCollector;

/// Builds the import summary from the groups (`DataEntrySummary.toImportSummary` and
/// `DataEntryIO`).
pub(super) fn summarise(
    settings: &Settings,
    options: &ImportOptions,
    done: &[GroupDone],
    failed: Vec<(Problem, Vec<i64>)>,
    group_count: usize,
) -> ImportSummary {
    let mut conflicts = ConflictCollector::new();
    let mut rejected = Vec::new();
    let (mut attempted, mut succeeded, mut errors, mut deleted) = (0u64, 0u64, 0u64, 0u64);
    for d in done {
        attempted += d.attempted;
        succeeded += d.succeeded;
        deleted += d.deleted;
        for (index, problem) in &d.errors {
            errors += 1;
            rejected.push(*index);
            conflicts.add_conflict(problem.conflict(vec![*index]));
        }
    }
    let mut count = ImportCount {
        imported: 0,
        updated: succeeded,
        ignored: attempted.saturating_sub(succeeded) + errors,
        deleted,
    };
    if settings.delete {
        count.deleted += count.updated;
        count.updated = 0;
    }
    let mut status = if errors == 0 {
        ImportStatus::Success
    } else if succeeded > 0 {
        ImportStatus::Warning
    } else {
        ImportStatus::Error
    };
    if !failed.is_empty() {
        status = ImportStatus::Error;
    }
    for (problem, indexes) in failed {
        rejected.extend(indexes.iter().copied());
        conflicts.add_conflict(problem.conflict(indexes));
    }
    let first = done.first().and_then(|d| d.completed);
    let all_same = done.len() == group_count && done.iter().all(|d| d.completed == first);
    let data_set_complete = match first {
        Some(date) if all_same => date.format("%Y-%m-%d").to_string(),
        _ => "false".to_owned(),
    };
    ImportSummary {
        status,
        import_options: Some(options.clone()),
        description: None,
        import_count: count,
        conflicts: conflicts.into_conflicts(),
        rejected_indexes: rejected,
        data_set_complete: Some(data_set_complete),
        profile: Some(options.profile),
    }
}
