//! [`Property`]: one property of a metadata type, as DHIS2's schema describes it.

/// What a property holds, and so how DHIS2 reads and checks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// Text (Jackson reads any JSON scalar into it; `""` reads as absent).
    Text,
    /// Text that must be an e-mail address (`E4003`).
    Email,
    /// Text that must start with `http://` or `https://` (`E4004`).
    Url,
    /// An integer (a JSON number or a numeric string).
    Integer,
    /// A number (a JSON number or a numeric string).
    Number,
    /// A boolean (`true`/`false`, or those words as strings).
    Boolean,
    /// A date (`DateUtils.parseDate` forms or epoch milliseconds).
    Date,
    /// One of DHIS2's enum constants, exactly; anything else fails the whole payload.
    Enum(&'static [&'static str]),
    /// A period type name; an unknown name reads as absent (`E4000` when required).
    PeriodType,
    /// A GeoJSON geometry, kept as written.
    Geometry,
    /// A reference (`{"id": …}` or `{"code": …}`) to an object of the collection key given.
    Reference(&'static str),
    /// A collection of references to objects of the collection key given.
    References(&'static str),
    /// One embedded object (stored with its owner, replaced wholesale on update).
    Embedded(&'static Embedded),
    /// A collection of embedded objects (replaced wholesale on update).
    EmbeddedList(&'static Embedded),
    /// The inverse (non-owner) side of an association: present in exports, ignored on import.
    Inverse,
}

/// An embedded object type (`DataSetElement`, `DataInputPeriod`, `ProgramStageDataElement`, …).
#[derive(Debug, PartialEq, Eq)]
pub struct Embedded {
    /// The Java class, as reports name it.
    pub klass: &'static str,
    /// Whether the embedded object is itself identifiable (has a UID and a display name), which
    /// decides how DHIS2 words reference errors inside it.
    pub identifiable: bool,
    /// Its properties.
    pub properties: &'static [Property],
}

impl Embedded {
    /// The simple class name (`DataSetElement`).
    pub fn simple_name(&self) -> &'static str {
        self.klass.rsplit('.').next().unwrap_or(self.klass)
    }
}

/// One property of a metadata type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Property {
    /// The JSON key (`categoryCombo`, `dataSetElements`).
    pub name: &'static str,
    /// The name DHIS2's schema gives the property: the singular for collections (`category` for
    /// `categories`), as `E5002`/`E5007` messages and `errorProperty` name it.
    pub item: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Missing (`null`, absent or `""`) → `E4000` (never for references to default category
    /// types, which get the default).
    pub required: bool,
    /// Unique per type in the target and within the payload (`E5003`).
    pub unique: bool,
    /// Maximum length of text (`E4001`).
    pub max_length: Option<usize>,
    /// The Java class of the property, as `errorKlass` names it.
    pub java: &'static str,
    /// A missing reference is replaced by the target type's `default` object on import.
    pub default_if_null: bool,
    /// The first DHIS2 minor version that requires the property (when [`required`](Self::required);
    /// `0`: every version).
    pub required_from: u32,
}

const STRING: &str = "java.lang.String";

impl Property {
    const fn new(name: &'static str, kind: Kind, java: &'static str) -> Property {
        Property {
            name,
            item: name,
            kind,
            required: false,
            unique: false,
            max_length: None,
            java,
            default_if_null: false,
            required_from: 0,
        }
    }

    /// A text property.
    pub const fn text(name: &'static str) -> Property {
        Property::new(name, Kind::Text, STRING)
    }

    /// An e-mail property.
    pub const fn email(name: &'static str) -> Property {
        Property::new(name, Kind::Email, STRING)
    }

    /// A URL property.
    pub const fn url(name: &'static str) -> Property {
        Property::new(name, Kind::Url, STRING)
    }

    /// An integer property.
    pub const fn integer(name: &'static str) -> Property {
        Property::new(name, Kind::Integer, "java.lang.Integer")
    }

    /// A number property.
    pub const fn number(name: &'static str) -> Property {
        Property::new(name, Kind::Number, "java.lang.Double")
    }

    /// A boolean property.
    pub const fn boolean(name: &'static str) -> Property {
        Property::new(name, Kind::Boolean, "java.lang.Boolean")
    }

    /// A date property.
    pub const fn date(name: &'static str) -> Property {
        Property::new(name, Kind::Date, "java.util.Date")
    }

    /// An enum property of Java class `java` with constants `values`.
    pub const fn enumeration(
        name: &'static str,
        java: &'static str,
        values: &'static [&'static str],
    ) -> Property {
        Property::new(name, Kind::Enum(values), java)
    }

    /// A period type property.
    pub const fn period_type(name: &'static str) -> Property {
        Property::new(name, Kind::PeriodType, "org.hisp.dhis.period.PeriodType")
    }

    /// A geometry property.
    pub const fn geometry(name: &'static str) -> Property {
        Property::new(name, Kind::Geometry, "org.locationtech.jts.geom.Geometry")
    }

    /// A reference to an object of collection `target`, whose Java class is `java`.
    pub const fn reference(
        name: &'static str,
        target: &'static str,
        java: &'static str,
    ) -> Property {
        Property::new(name, Kind::Reference(target), java)
    }

    /// A collection of references to objects of collection `target`; `item` is the singular name.
    pub const fn references(
        name: &'static str,
        item: &'static str,
        target: &'static str,
    ) -> Property {
        let mut p = Property::new(name, Kind::References(target), "java.util.Collection");
        p.item = item;
        p
    }

    /// One embedded object.
    pub const fn embedded(name: &'static str, e: &'static Embedded) -> Property {
        Property::new(name, Kind::Embedded(e), e.klass)
    }

    /// A collection of embedded objects; `item` is the singular name.
    pub const fn embedded_list(
        name: &'static str,
        item: &'static str,
        e: &'static Embedded,
    ) -> Property {
        let mut p = Property::new(name, Kind::EmbeddedList(e), "java.util.Collection");
        p.item = item;
        p
    }

    /// The inverse side of an association (ignored on import).
    pub const fn inverse(name: &'static str) -> Property {
        Property::new(name, Kind::Inverse, "java.util.Collection")
    }

    /// The same property, required.
    pub const fn required(mut self) -> Property {
        self.required = true;
        self
    }

    /// The same property, required from DHIS2 `2.<minor>` on.
    pub const fn required_from(mut self, minor: u32) -> Property {
        self.required = true;
        self.required_from = minor;
        self
    }

    /// Whether DHIS2 `2.<minor>` requires the property.
    pub fn is_required(&self, minor: u32) -> bool {
        self.required && minor >= self.required_from
    }

    /// The same property, unique.
    pub const fn unique(mut self) -> Property {
        self.unique = true;
        self
    }

    /// The same property, at most `n` characters long.
    pub const fn len(mut self, n: usize) -> Property {
        self.max_length = Some(n);
        self
    }

    /// The same reference, replaced by the default object when missing.
    pub const fn or_default(mut self) -> Property {
        self.default_if_null = true;
        self
    }

    /// The collection key a reference (or collection of references) points at.
    pub fn target(&self) -> Option<&'static str> {
        match self.kind {
            Kind::Reference(t) | Kind::References(t) => Some(t),
            _ => None,
        }
    }

    /// Whether DHIS2 imports the property (everything but the inverse side of associations).
    pub fn is_owner(&self) -> bool {
        self.kind != Kind::Inverse
    }

    /// Whether the property holds one plain value (text, number, boolean, date, enum).
    pub fn is_simple(&self) -> bool {
        matches!(
            self.kind,
            Kind::Text
                | Kind::Email
                | Kind::Url
                | Kind::Integer
                | Kind::Number
                | Kind::Boolean
                | Kind::Date
                | Kind::Enum(_)
                | Kind::PeriodType
        )
    }
}
