//! Identifier resolution in the classic importer: an identifier under its effective
//! scheme, an option combo only when the user may write all its options (DHIS2's
//! `getCategoryOptionComboAcl`, unless `preheatCache` bypasses it), and the memory of the
//! previous value's identifiers that makes a file of similar values cheap to resolve.

use dxf2_model::metadata::{CategoryOptionCombo, DataElement, OrganisationUnit};
use dxf2_model::{IdScheme, ObjectKind, Period, SchemeTarget, Uid};
use idscheme_resolver::Resolver;
use rustc_hash::FxHashMap;

use super::Effective;
use crate::{Failure, Importer};

/// A resolved category option combo with whether the user may write all its options.
#[derive(Clone, Copy)]
pub(super) struct Combo<'m> {
    pub(super) coc: &'m CategoryOptionCombo,
    /// The user may write every option of the combo (no option is in `unwritable_options`).
    pub(super) writable: bool,
}

impl<'m> Importer<'m> {
    pub(super) fn resolve_uid(
        &self,
        resolver: &dyn Resolver,
        kind: ObjectKind,
        scheme: &IdScheme,
        key: &str,
    ) -> Result<Option<Uid>, Failure> {
        Ok(resolver.resolve(kind, scheme, key)?)
    }

    /// Looks a COC/AOC up as `getCategoryOptionComboAcl` does: not found when the user cannot write
    /// one of its options (unless the ACL is bypassed, as DHIS2's preheated cache does).
    pub(super) fn resolve_combo(
        &self,
        resolver: &dyn Resolver,
        eff: &Effective,
        target: SchemeTarget,
        key: &str,
    ) -> Result<Option<Combo<'m>>, Failure> {
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
    pub(super) fn combo(&self, coc: &'m CategoryOptionCombo) -> Combo<'m> {
        let writable = coc.options.iter().all(|o| {
            self.index
                .metadata
                .category_option(o)
                .is_none_or(|opt| self.access.can_write_category_option(opt))
        });
        Combo { coc, writable }
    }

    /// The options of `coc` the user cannot write (empty exactly when `combo(coc).writable`).
    pub(super) fn unwritable_options(&self, coc: &CategoryOptionCombo) -> Vec<Uid> {
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
}

/// [`Importer::resolve_combo`] for a value's COC or AOC, with the combo's facts memoised in
/// `combos`.
pub(super) fn resolve_combo<'m>(
    importer: &Importer<'m>,
    resolver: &dyn Resolver,
    eff: &Effective,
    combos: &mut FxHashMap<Uid, Option<Combo<'m>>>,
    key: &str,
) -> Result<Option<Combo<'m>>, Failure> {
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
pub(super) struct Recent<'m> {
    pub(super) de: Last<&'m DataElement>,
    pub(super) pe: Last<Period>,
    pub(super) ou: Last<&'m OrganisationUnit>,
    pub(super) coc: Last<Combo<'m>>,
    pub(super) aoc: Last<Combo<'m>>,
}

/// The last identifier seen in one field, and what it resolved to.
pub(super) struct Last<T> {
    pub(super) key: String,
    /// `None` until the first identifier.
    pub(super) resolved: Option<Option<T>>,
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
    pub(super) fn resolve(
        &mut self,
        key: &str,
        resolve: impl FnOnce(&str) -> Result<Option<T>, Failure>,
    ) -> Result<Option<T>, Failure> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_resolves_each_new_key_once() {
        let mut last: Last<u32> = Last::default();
        let mut calls = 0;
        let mut resolve = |key: &str| -> Result<Option<u32>, Failure> {
            calls += 1;
            Ok(Some(key.len() as u32).filter(|n| *n > 1))
        };
        assert_eq!(last.resolve("abc", &mut resolve).ok(), Some(Some(3)));
        assert_eq!(last.resolve("abc", &mut resolve).ok(), Some(Some(3)));
        assert_eq!(last.resolve("x", &mut resolve).ok(), Some(None));
        assert_eq!(last.resolve("x", &mut resolve).ok(), Some(None));
        assert_eq!(last.resolve("abcd", &mut resolve).ok(), Some(Some(4)));
        assert_eq!(calls, 3);
        // Errors are not remembered.
        let mut failing = Last::<u32>::default();
        assert!(failing
            .resolve("k", |_| Err(Failure::rule("ambiguous")))
            .is_err());
        assert_eq!(failing.resolve("k", |_| Ok(Some(1))).ok(), Some(Some(1)));
    }
}
