//! How each tracker object is bound from JSON: the [`Record`] implementations, which fill
//! reused records in place, key by key.

use serde::de::MapAccess;

use super::keys::{Key, Obj};
use super::read::Ctx;
use super::seeds::{
    boolean, geometry, item_object, list, named, nested, skip, text, time, uid, user,
    AttrValueType, KeySeed, Record,
};
use crate::model::{
    dedupe_data_values, Attribute, DataValue, Enrollment, EnrollmentStatus, Event, EventStatus,
    Note, ProgramOwner, Relationship, RelationshipItem, TrackedEntity, User,
};

// ---------------------------------------------------------------------------------------------
// The records
// ---------------------------------------------------------------------------------------------

impl Record for User {
    const EXPECTING: &'static str = "a user (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let u = self;
        u.uid.clear();
        u.username.clear();
        u.first_name.clear();
        u.surname.clear();
        u.display_name.clear();
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::Uid => text(&mut map, &mut u.uid)?,
                Key::Username => text(&mut map, &mut u.username)?,
                Key::FirstName => text(&mut map, &mut u.first_name)?,
                Key::Surname => text(&mut map, &mut u.surname)?,
                Key::DisplayName => text(&mut map, &mut u.display_name)?,
                other => skip(&mut map, ctx, Obj::User, other)?,
            }
        }
        ctx.end_object();
        Ok(())
    }
}

impl Record for Attribute {
    const EXPECTING: &'static str = "an attribute (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let a = self;
        a.attribute.clear();
        a.code.clear();
        a.display_name.clear();
        a.created_at = None;
        a.updated_at = None;
        a.stored_by.clear();
        a.value_type = None;
        a.value.clear();
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::Attribute => text(&mut map, &mut a.attribute)?,
                Key::Code => text(&mut map, &mut a.code)?,
                Key::DisplayName => text(&mut map, &mut a.display_name)?,
                Key::CreatedAt => a.created_at = time(&mut map, ctx)?,
                Key::UpdatedAt => a.updated_at = time(&mut map, ctx)?,
                // `updatedBy` replaced `storedBy` after 2.43.
                Key::StoredBy | Key::UpdatedBy => text(&mut map, &mut a.stored_by)?,
                Key::ValueType => {
                    a.value_type = named::<A, AttrValueType>(&mut map, ctx)?.map(|v| v.0)
                }
                Key::Value => text(&mut map, &mut a.value)?,
                other => skip(&mut map, ctx, Obj::Attribute, other)?,
            }
        }
        ctx.end_object();
        Ok(())
    }
}

impl Record for DataValue {
    const EXPECTING: &'static str = "a data value (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let d = self;
        d.created_at = None;
        d.updated_at = None;
        d.stored_by.clear();
        d.provided_elsewhere = false;
        d.data_element.clear();
        d.value.clear();
        d.created_by = None;
        d.updated_by = None;
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::CreatedAt => d.created_at = time(&mut map, ctx)?,
                Key::UpdatedAt => d.updated_at = time(&mut map, ctx)?,
                Key::StoredBy => text(&mut map, &mut d.stored_by)?,
                Key::ProvidedElsewhere => d.provided_elsewhere = boolean(&mut map, ctx)?,
                Key::DataElement => text(&mut map, &mut d.data_element)?,
                Key::Value => text(&mut map, &mut d.value)?,
                Key::CreatedBy => user(&mut map, ctx, &mut d.created_by, false)?,
                Key::UpdatedBy => user(&mut map, ctx, &mut d.updated_by, false)?,
                other => skip(&mut map, ctx, Obj::DataValue, other)?,
            }
        }
        ctx.end_object();
        Ok(())
    }
}

impl Record for Note {
    const EXPECTING: &'static str = "a note (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let n = self;
        n.note = None;
        n.stored_at = None;
        n.value.clear();
        n.created_by = None;
        n.stored_by.clear();
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::Note => n.note = uid(&mut map, ctx, false)?,
                Key::StoredAt => n.stored_at = time(&mut map, ctx)?,
                Key::Value => text(&mut map, &mut n.value)?,
                Key::CreatedBy => user(&mut map, ctx, &mut n.created_by, false)?,
                Key::StoredBy => text(&mut map, &mut n.stored_by)?,
                other => skip(&mut map, ctx, Obj::Note, other)?,
            }
        }
        ctx.end_object();
        Ok(())
    }
}

impl Record for ProgramOwner {
    const EXPECTING: &'static str = "a program owner (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let p = self;
        p.org_unit.clear();
        p.tracked_entity.clear();
        p.program.clear();
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::OrgUnit => text(&mut map, &mut p.org_unit)?,
                Key::TrackedEntity => text(&mut map, &mut p.tracked_entity)?,
                Key::Program => text(&mut map, &mut p.program)?,
                other => skip(&mut map, ctx, Obj::ProgramOwner, other)?,
            }
        }
        ctx.end_object();
        Ok(())
    }
}

impl Record for RelationshipItem {
    const EXPECTING: &'static str = "a relationship item (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let i = self;
        let (mut te, mut en, mut ev) = (false, false, false);
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::TrackedEntity => {
                    item_object(&mut map, ctx, "trackedEntity", &mut i.tracked_entity)?;
                    te = true;
                }
                Key::Enrollment => {
                    item_object(&mut map, ctx, "enrollment", &mut i.enrollment)?;
                    en = true;
                }
                Key::Event => {
                    item_object(&mut map, ctx, "event", &mut i.event)?;
                    ev = true;
                }
                other => skip(&mut map, ctx, Obj::Item, other)?,
            }
        }
        if !te {
            i.tracked_entity = None;
        }
        if !en {
            i.enrollment = None;
        }
        if !ev {
            i.event = None;
        }
        ctx.end_object();
        Ok(())
    }
}

impl Record for Relationship {
    const EXPECTING: &'static str = "a relationship (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let r = self;
        r.relationship = None;
        r.relationship_name.clear();
        r.relationship_type.clear();
        r.created_at = None;
        r.created_at_client = None;
        r.updated_at = None;
        r.bidirectional = false;
        r.deleted = false;
        let (mut from, mut to) = (false, false);
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::Relationship => r.relationship = uid(&mut map, ctx, false)?,
                Key::RelationshipName => text(&mut map, &mut r.relationship_name)?,
                Key::RelationshipType => text(&mut map, &mut r.relationship_type)?,
                Key::CreatedAt => r.created_at = time(&mut map, ctx)?,
                Key::CreatedAtClient => r.created_at_client = time(&mut map, ctx)?,
                Key::UpdatedAt => r.updated_at = time(&mut map, ctx)?,
                Key::Bidirectional => r.bidirectional = boolean(&mut map, ctx)?,
                Key::Deleted => r.deleted = boolean(&mut map, ctx)?,
                Key::From => {
                    nested(&mut map, ctx, "from", &mut r.from)?;
                    from = true;
                }
                Key::To => {
                    nested(&mut map, ctx, "to", &mut r.to)?;
                    to = true;
                }
                other => skip(&mut map, ctx, Obj::Relationship, other)?,
            }
        }
        if !from {
            r.from = None;
        }
        if !to {
            r.to = None;
        }
        ctx.end_object();
        Ok(())
    }
}

impl Record for Event {
    const EXPECTING: &'static str = "an event (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let e = self;
        e.event = None;
        e.status = EventStatus::Active;
        e.program.clear();
        e.program_stage.clear();
        e.enrollment = None;
        e.tracked_entity = None;
        e.org_unit.clear();
        e.occurred_at = None;
        e.scheduled_at = None;
        e.stored_by.clear();
        e.follow_up = false;
        e.deleted = false;
        e.created_at = None;
        e.created_at_client = None;
        e.updated_at = None;
        e.updated_at_client = None;
        e.attribute_option_combo.clear();
        e.attribute_category_options.clear();
        e.completed_by.clear();
        e.completed_at = None;
        e.geometry = None;
        e.assigned_user = None;
        e.created_by = None;
        e.updated_by = None;
        let (mut rels, mut values, mut notes) = (false, false, false);
        let item = ctx.in_item();
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::Event => e.event = uid(&mut map, ctx, false)?,
                Key::Status => e.status = named(&mut map, ctx)?.unwrap_or_default(),
                Key::Program => text(&mut map, &mut e.program)?,
                Key::ProgramStage => text(&mut map, &mut e.program_stage)?,
                Key::Enrollment => e.enrollment = uid(&mut map, ctx, item)?,
                Key::TrackedEntity if !item => e.tracked_entity = uid(&mut map, ctx, false)?,
                Key::OrgUnit => text(&mut map, &mut e.org_unit)?,
                Key::Relationships if !item => {
                    list(&mut map, ctx, "relationships", &mut e.relationships)?;
                    rels = true;
                }
                Key::OccurredAt => e.occurred_at = time(&mut map, ctx)?,
                Key::ScheduledAt => e.scheduled_at = time(&mut map, ctx)?,
                Key::StoredBy => text(&mut map, &mut e.stored_by)?,
                Key::FollowUp => e.follow_up = boolean(&mut map, ctx)?,
                Key::Deleted => e.deleted = boolean(&mut map, ctx)?,
                Key::CreatedAt => e.created_at = time(&mut map, ctx)?,
                Key::CreatedAtClient => e.created_at_client = time(&mut map, ctx)?,
                Key::UpdatedAt => e.updated_at = time(&mut map, ctx)?,
                Key::UpdatedAtClient => e.updated_at_client = time(&mut map, ctx)?,
                Key::AttributeOptionCombo => text(&mut map, &mut e.attribute_option_combo)?,
                Key::AttributeCategoryOptions => text(&mut map, &mut e.attribute_category_options)?,
                Key::CompletedBy => text(&mut map, &mut e.completed_by)?,
                Key::CompletedAt => e.completed_at = time(&mut map, ctx)?,
                Key::Geometry => e.geometry = geometry(&mut map, ctx)?,
                Key::AssignedUser => user(&mut map, ctx, &mut e.assigned_user, true)?,
                Key::CreatedBy => user(&mut map, ctx, &mut e.created_by, false)?,
                Key::UpdatedBy => user(&mut map, ctx, &mut e.updated_by, false)?,
                Key::DataValues => {
                    list(&mut map, ctx, "dataValues", &mut e.data_values)?;
                    dedupe_data_values(&mut e.data_values);
                    values = true;
                }
                Key::Notes => {
                    list(&mut map, ctx, "notes", &mut e.notes)?;
                    notes = true;
                }
                other => skip(&mut map, ctx, Obj::Event, other)?,
            }
        }
        if !rels {
            e.relationships.clear();
        }
        if !values {
            e.data_values.clear();
        }
        if !notes {
            e.notes.clear();
        }
        ctx.end_object();
        Ok(())
    }
}

impl Record for Enrollment {
    const EXPECTING: &'static str = "an enrollment (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let e = self;
        e.enrollment = None;
        e.created_at = None;
        e.created_at_client = None;
        e.updated_at = None;
        e.updated_at_client = None;
        e.tracked_entity = None;
        e.program.clear();
        e.status = EnrollmentStatus::Active;
        e.org_unit.clear();
        e.enrolled_at = None;
        e.occurred_at = None;
        e.follow_up = false;
        e.completed_by.clear();
        e.completed_at = None;
        e.deleted = false;
        e.stored_by.clear();
        e.created_by = None;
        e.updated_by = None;
        e.geometry = None;
        e.attribute_option_combo.clear();
        let (mut events, mut rels, mut attrs, mut notes) = (false, false, false, false);
        let item = ctx.in_item();
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::Enrollment => e.enrollment = uid(&mut map, ctx, false)?,
                Key::CreatedAt => e.created_at = time(&mut map, ctx)?,
                Key::CreatedAtClient => e.created_at_client = time(&mut map, ctx)?,
                Key::UpdatedAt => e.updated_at = time(&mut map, ctx)?,
                Key::UpdatedAtClient => e.updated_at_client = time(&mut map, ctx)?,
                Key::TrackedEntity => e.tracked_entity = uid(&mut map, ctx, item)?,
                Key::Program => text(&mut map, &mut e.program)?,
                Key::Status => e.status = named(&mut map, ctx)?.unwrap_or_default(),
                Key::OrgUnit => text(&mut map, &mut e.org_unit)?,
                Key::EnrolledAt => e.enrolled_at = time(&mut map, ctx)?,
                Key::OccurredAt => e.occurred_at = time(&mut map, ctx)?,
                Key::FollowUp => e.follow_up = boolean(&mut map, ctx)?,
                Key::CompletedBy => text(&mut map, &mut e.completed_by)?,
                Key::CompletedAt => e.completed_at = time(&mut map, ctx)?,
                Key::Deleted => e.deleted = boolean(&mut map, ctx)?,
                Key::StoredBy => text(&mut map, &mut e.stored_by)?,
                Key::CreatedBy => user(&mut map, ctx, &mut e.created_by, false)?,
                Key::UpdatedBy => user(&mut map, ctx, &mut e.updated_by, false)?,
                Key::Geometry => e.geometry = geometry(&mut map, ctx)?,
                // A relationship item's enrollment has no attributeOptionCombo.
                Key::AttributeOptionCombo if !item => {
                    text(&mut map, &mut e.attribute_option_combo)?
                }
                Key::Events => {
                    list(&mut map, ctx, "events", &mut e.events)?;
                    events = true;
                }
                Key::Relationships if !item => {
                    list(&mut map, ctx, "relationships", &mut e.relationships)?;
                    rels = true;
                }
                Key::Attributes => {
                    list(&mut map, ctx, "attributes", &mut e.attributes)?;
                    attrs = true;
                }
                Key::Notes => {
                    list(&mut map, ctx, "notes", &mut e.notes)?;
                    notes = true;
                }
                other => skip(&mut map, ctx, Obj::Enrollment, other)?,
            }
        }
        if !events {
            e.events.clear();
        }
        if !rels {
            e.relationships.clear();
        }
        if !attrs {
            e.attributes.clear();
        }
        if !notes {
            e.notes.clear();
        }
        ctx.end_object();
        Ok(())
    }
}

impl Record for TrackedEntity {
    const EXPECTING: &'static str = "a tracked entity (a JSON object)";

    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error> {
        let t = self;
        t.tracked_entity = None;
        t.tracked_entity_type.clear();
        t.created_at = None;
        t.created_at_client = None;
        t.updated_at = None;
        t.updated_at_client = None;
        t.org_unit.clear();
        t.inactive = false;
        t.deleted = false;
        t.potential_duplicate = false;
        t.geometry = None;
        t.stored_by.clear();
        t.created_by = None;
        t.updated_by = None;
        let (mut rels, mut attrs, mut ens, mut owners) = (false, false, false, false);
        let item = ctx.in_item();
        while let Some(key) = map.next_key_seed(KeySeed { ctx: &mut *ctx })? {
            ctx.set_key(key);
            match key {
                Key::TrackedEntity => t.tracked_entity = uid(&mut map, ctx, false)?,
                Key::TrackedEntityType => text(&mut map, &mut t.tracked_entity_type)?,
                Key::CreatedAt => t.created_at = time(&mut map, ctx)?,
                Key::CreatedAtClient => t.created_at_client = time(&mut map, ctx)?,
                Key::UpdatedAt => t.updated_at = time(&mut map, ctx)?,
                Key::UpdatedAtClient => t.updated_at_client = time(&mut map, ctx)?,
                Key::OrgUnit => text(&mut map, &mut t.org_unit)?,
                Key::Inactive => t.inactive = boolean(&mut map, ctx)?,
                Key::Deleted => t.deleted = boolean(&mut map, ctx)?,
                Key::PotentialDuplicate => t.potential_duplicate = boolean(&mut map, ctx)?,
                Key::Geometry => t.geometry = geometry(&mut map, ctx)?,
                Key::StoredBy => text(&mut map, &mut t.stored_by)?,
                Key::CreatedBy => user(&mut map, ctx, &mut t.created_by, false)?,
                Key::UpdatedBy => user(&mut map, ctx, &mut t.updated_by, false)?,
                Key::Relationships if !item => {
                    list(&mut map, ctx, "relationships", &mut t.relationships)?;
                    rels = true;
                }
                Key::Attributes => {
                    list(&mut map, ctx, "attributes", &mut t.attributes)?;
                    attrs = true;
                }
                Key::Enrollments => {
                    list(&mut map, ctx, "enrollments", &mut t.enrollments)?;
                    ens = true;
                }
                Key::ProgramOwners => {
                    list(&mut map, ctx, "programOwners", &mut t.program_owners)?;
                    owners = true;
                }
                other => skip(&mut map, ctx, Obj::TrackedEntity, other)?,
            }
        }
        if !rels {
            t.relationships.clear();
        }
        if !attrs {
            t.attributes.clear();
        }
        if !ens {
            t.enrollments.clear();
        }
        if !owners {
            t.program_owners.clear();
        }
        ctx.end_object();
        Ok(())
    }
}
