//! The fixed vocabulary the generator draws from: data element names, place names, texts.

/// How a data element's values look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A count (`INTEGER_ZERO_OR_POSITIVE`): the mean per average facility and month.
    Count(u64),
    /// A signed count (`INTEGER`), e.g. a stock balance: the mean.
    Signed(u64),
    /// A measure (`NUMBER`) in tenths, drawn in `min..=max`.
    Number(i64, i64),
    /// A free text (`TEXT`) from a list of plausible answers.
    Text(&'static [&'static str]),
    /// A yes/no answer (`BOOLEAN`): per mille of `true`.
    Boolean(u64),
}

/// The disaggregation of a data element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Disaggregation {
    /// The default category combo (one value per key).
    None,
    /// Sex × age (<5y / 5y+): 4 category option combos.
    SexAge4,
    /// Sex × age (<1y / 1-4y / 5y+): 6 category option combos.
    SexAge6,
}

/// Which generated data set a data element belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    /// The monthly facility report (services and diseases).
    Facility,
    /// The monthly immunisation and stock report.
    Epi,
    /// The quarterly facility assessment.
    Assessment,
}

/// One entry of the data element catalogue.
pub(crate) struct ElementSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub disaggregation: Disaggregation,
    pub group: Group,
}

const fn spec(
    name: &'static str,
    kind: Kind,
    disaggregation: Disaggregation,
    group: Group,
) -> ElementSpec {
    ElementSpec {
        name,
        kind,
        disaggregation,
        group,
    }
}

use Disaggregation::{None as Default, SexAge4, SexAge6};
use Group::{Assessment, Epi, Facility};
use Kind::{Boolean, Count, Number, Signed, Text};

const STOCK_OUT_REASONS: &[&str] = &[
    "Not delivered by district store",
    "Delivery delayed, \"awaiting\" district store",
    "Stock expired",
    "Order not placed in time",
    "Consumption higher than forecast",
];
const REMARKS: &[&str] = &[
    "Registers up to date",
    "Reporting timely; data quality good",
    "Tally sheets incomplete for week 2",
    "Staff shortage & high workload",
    "Needs refresher training on HMIS forms",
];
const REFERRAL_CAUSES: &[&str] = &[
    "Obstructed labour",
    "Severe malaria",
    "Severe acute malnutrition",
    "Road traffic injury",
    "Pre-eclampsia",
];
const EQUIPMENT: &[&str] = &[
    "Fridge",
    "Solar panel",
    "Delivery bed",
    "Weighing scale <25 kg>",
    "None",
];
const OUTBREAKS: &[&str] = &[
    "None",
    "Measles cluster",
    "Cholera suspected",
    "Lassa fever alert",
];

/// The data element catalogue: 100 entries, in the order the generator takes them.
pub(crate) const ELEMENTS: &[ElementSpec] = &[
    spec("ANC 1st visit", Count(24), Default, Facility),
    spec("ANC 2nd visit", Count(20), Default, Facility),
    spec("ANC 3rd visit", Count(15), Default, Facility),
    spec("ANC 4th or more visits", Count(11), Default, Facility),
    spec("ANC IPT 1st dose", Count(18), Default, Facility),
    spec("ANC IPT 2nd dose", Count(14), Default, Facility),
    spec("ANC LLITN given", Count(19), Default, Facility),
    spec("Deliveries in facility", Count(12), Default, Facility),
    spec(
        "Deliveries by skilled attendant",
        Count(11),
        Default,
        Facility,
    ),
    spec("Live births", Count(12), SexAge4, Facility),
    spec("Still births", Count(1), Default, Facility),
    spec("Low birth weight babies", Count(2), Default, Facility),
    spec(
        "Postnatal care within 48 hours",
        Count(10),
        Default,
        Facility,
    ),
    spec("Postnatal care 3-7 days", Count(7), Default, Facility),
    spec("Family planning new acceptors", Count(9), Default, Facility),
    spec(
        "Family planning continuing users",
        Count(31),
        Default,
        Facility,
    ),
    spec("Condoms distributed", Count(140), Default, Facility),
    spec("BCG doses given", Count(13), SexAge4, Epi),
    spec("OPV 0 doses given", Count(12), Default, Epi),
    spec("OPV 1 doses given", Count(14), Default, Epi),
    spec("OPV 2 doses given", Count(13), Default, Epi),
    spec("OPV 3 doses given", Count(12), Default, Epi),
    spec("Penta 1 doses given", Count(14), SexAge4, Epi),
    spec("Penta 2 doses given", Count(13), SexAge4, Epi),
    spec("Penta 3 doses given", Count(12), SexAge4, Epi),
    spec("PCV 1 doses given", Count(14), Default, Epi),
    spec("PCV 2 doses given", Count(13), Default, Epi),
    spec("PCV 3 doses given", Count(12), Default, Epi),
    spec("Rota 1 doses given", Count(14), Default, Epi),
    spec("Rota 2 doses given", Count(13), Default, Epi),
    spec("Measles doses given", Count(11), SexAge4, Epi),
    spec("Yellow fever doses given", Count(11), Default, Epi),
    spec("Vitamin A supplementation", Count(35), SexAge6, Epi),
    spec("Fully immunized children", Count(10), SexAge4, Epi),
    spec("OPD consultations", Count(320), SexAge6, Facility),
    spec("OPD new cases", Count(250), SexAge6, Facility),
    spec("IPD admissions", Count(25), SexAge6, Facility),
    spec("IPD deaths", Count(1), SexAge6, Facility),
    spec("Malaria cases suspected", Count(110), SexAge6, Facility),
    spec("Malaria RDT tests performed", Count(95), Default, Facility),
    spec("Malaria RDT positive", Count(48), SexAge6, Facility),
    spec(
        "Malaria microscopy tests performed",
        Count(12),
        Default,
        Facility,
    ),
    spec("Malaria microscopy positive", Count(6), Default, Facility),
    spec(
        "Malaria cases treated with ACT",
        Count(45),
        SexAge6,
        Facility,
    ),
    spec("Severe malaria cases", Count(4), SexAge6, Facility),
    spec("Diarrhoea cases", Count(30), SexAge6, Facility),
    spec(
        "Diarrhoea treated with ORS and zinc",
        Count(26),
        SexAge4,
        Facility,
    ),
    spec("Pneumonia cases", Count(22), SexAge6, Facility),
    spec(
        "Pneumonia treated with amoxicillin",
        Count(19),
        SexAge4,
        Facility,
    ),
    spec(
        "Severe acute malnutrition cases",
        Count(3),
        SexAge4,
        Facility,
    ),
    spec(
        "Moderate acute malnutrition cases",
        Count(6),
        SexAge4,
        Facility,
    ),
    spec("Children weighed", Count(80), Default, Facility),
    spec("Underweight children", Count(9), Default, Facility),
    spec("HIV tests performed", Count(40), SexAge6, Facility),
    spec("HIV positive results", Count(2), SexAge6, Facility),
    spec("ART new patients", Count(2), SexAge4, Facility),
    spec(
        "ART patients currently on treatment",
        Count(45),
        SexAge4,
        Facility,
    ),
    spec("PMTCT women tested for HIV", Count(20), Default, Facility),
    spec("TB presumptive cases", Count(8), SexAge4, Facility),
    spec("TB cases notified", Count(2), SexAge4, Facility),
    spec("TB treatment success", Count(2), Default, Facility),
    spec("Hypertension cases", Count(14), Default, Facility),
    spec("Diabetes cases", Count(5), Default, Facility),
    spec("Referrals out", Count(6), Default, Facility),
    spec("Referrals in", Count(3), Default, Facility),
    spec(
        "Community health worker visits",
        Count(55),
        Default,
        Facility,
    ),
    spec("Health education sessions", Count(8), Default, Facility),
    spec("Bed occupancy rate", Number(50, 950), Default, Assessment),
    spec(
        "Average length of stay (days)",
        Number(10, 90),
        Default,
        Assessment,
    ),
    spec(
        "Staff hours worked",
        Number(1_500, 9_000),
        Default,
        Assessment,
    ),
    spec(
        "Fuel consumed (litres)",
        Number(0, 2_400),
        Default,
        Assessment,
    ),
    spec(
        "Cold chain minimum temperature",
        Number(-30, 60),
        Default,
        Epi,
    ),
    spec(
        "Cold chain maximum temperature",
        Number(40, 110),
        Default,
        Epi,
    ),
    spec(
        "Distance to district hospital (km)",
        Number(5, 1_200),
        Default,
        Assessment,
    ),
    spec("ORS stock on hand", Signed(300), Default, Epi),
    spec("ACT stock on hand", Signed(450), Default, Epi),
    spec("RDT stock on hand", Signed(500), Default, Epi),
    spec("Amoxicillin stock on hand", Signed(900), Default, Epi),
    spec("Vaccine doses wasted", Count(6), Default, Epi),
    spec("Stock-out days ACT", Count(2), Default, Epi),
    spec("Stock-out days RDT", Count(2), Default, Epi),
    spec(
        "Electricity hours per day",
        Number(0, 240),
        Default,
        Assessment,
    ),
    spec(
        "Water supply hours per day",
        Number(0, 240),
        Default,
        Assessment,
    ),
    spec(
        "Patient waiting time (minutes)",
        Number(50, 1_800),
        Default,
        Assessment,
    ),
    spec(
        "Revenue collected",
        Number(0, 5_000_000),
        Default,
        Assessment,
    ),
    spec(
        "Expenditure on drugs",
        Number(0, 3_000_000),
        Default,
        Assessment,
    ),
    spec(
        "Stock-out reason",
        Text(STOCK_OUT_REASONS),
        Default,
        Assessment,
    ),
    spec("Supervisor remarks", Text(REMARKS), Default, Assessment),
    spec(
        "Main cause of referral",
        Text(REFERRAL_CAUSES),
        Default,
        Assessment,
    ),
    spec(
        "Equipment needing repair",
        Text(EQUIPMENT),
        Default,
        Assessment,
    ),
    spec("Outbreak suspected", Text(OUTBREAKS), Default, Assessment),
    spec(
        "Facility has electricity",
        Boolean(700),
        Default,
        Assessment,
    ),
    spec(
        "Facility has running water",
        Boolean(600),
        Default,
        Assessment,
    ),
    spec("Cold chain functional", Boolean(850), Default, Assessment),
    spec("Ambulance available", Boolean(300), Default, Assessment),
    spec(
        "Stock-out of tracer drugs",
        Boolean(200),
        Default,
        Assessment,
    ),
    spec(
        "Supervision visit received",
        Boolean(650),
        Default,
        Assessment,
    ),
    spec("Monthly meeting held", Boolean(750), Default, Assessment),
    spec(
        "Internet connectivity available",
        Boolean(350),
        Default,
        Assessment,
    ),
    spec("Community meeting held", Boolean(550), Default, Assessment),
];

/// First syllables of generated place names.
pub(crate) const PLACE_HEADS: &[&str] = &[
    "Ma", "Ka", "Bo", "Ke", "Lu", "Ta", "Mo", "Ni", "Sa", "Wa", "Ko", "Gi", "Ye", "Ru", "Da", "Fo",
    "Bu", "Se", "Pe", "Kpa",
];
/// Middle syllables of generated place names.
pub(crate) const PLACE_MIDS: &[&str] = &[
    "ke", "ne", "ma", "la", "ri", "bo", "to", "ya", "mba", "nde", "lo", "si", "gu", "wo",
];
/// Last syllables of generated place names.
pub(crate) const PLACE_TAILS: &[&str] =
    &["", "ma", "ni", "ku", "wa", "ya", "ra", "hun", "li", "ta"];

/// Facility types: name suffix and size in percent of an average facility (range).
pub(crate) const FACILITY_TYPES: &[(&str, u64, u64)] = &[
    ("MCHP", 20, 60),
    ("MCHP", 20, 60),
    ("CHP", 50, 110),
    ("CHP", 50, 110),
    ("CHC", 100, 220),
    ("Clinic", 60, 150),
    ("Health Centre", 90, 200),
    ("Hospital", 300, 650),
];

/// Comments, with some characters that need escaping in XML, JSON and CSV.
pub(crate) const COMMENTS: &[&str] = &[
    "Verified against register",
    "Late report, data from tally sheets",
    "Value confirmed by facility in-charge",
    "Includes outreach sessions",
    "Stock count done on the 28th",
    "Corrected after DQA, see note \"B\"",
    "Register pages missing; estimate < actual",
    "Data clerk on leave & report compiled by nurse",
];
