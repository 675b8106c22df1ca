//! `GmlReader`: the features of a GML document, as DHIS2's stylesheet sees them.
use std::collections::VecDeque;
use std::fmt;
use std::io::BufRead;

use dxf2_model::ReadLimits;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::doctype::doctype_cause;
use super::number::{self, ConversionError};
use crate::limit::{Limited, Position};

/// The GML namespace DHIS2's stylesheet reads (GML 2 and 3.1; not 3.2).
pub const GML_NAMESPACE: &str = "http://www.opengis.net/gml";

/// The deepest element nesting read.
const MAX_DEPTH: usize = 1000;

/// Decimals of a point's ordinates (`pointPrecision`).
const POINT_PRECISION: u32 = 6;
/// Decimals of a polygon's ordinates (`polygonPrecision`).
const POLYGON_PRECISION: u32 = 4;

/// The one identifier the stylesheet gives a feature (by priority).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GmlIdentifier {
    /// From a `uid`, `UID` or `Uid` element (written as the org unit's `id`).
    Uid(String),
    /// From a `code`, `CODE` or `Code` element.
    Code(String),
    /// From a `name`, `NAME` or `Name` element.
    Name(String),
}

/// One feature, as the stylesheet writes its org unit: a record to read into, again and again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GmlFeature {
    /// The feature's 0-based position among the document's `gml:featureMember`s (features
    /// nested in others are handed out when they end, before the feature around them).
    pub index: usize,
    /// Its identifier, if any.
    pub identifier: Option<GmlIdentifier>,
    /// Its geometries as `geometryAsJson` texts, in document order (DHIS2 keeps the last).
    pub geometries: Vec<String>,
}

/// Why a GML document is not read to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GmlError {
    /// DHIS2 refuses the document (its GML import answers `E7010`): the cause, as DHIS2 words
    /// it, and where, when the XML parser would say.
    Refused {
        /// The cause (`External Entity: Failed to read external document 'passwd', …`).
        cause: String,
        /// Where the parser stopped.
        position: Option<Position>,
    },
    /// A token or element text longer than the limit.
    TooLong {
        /// What (`the text of an element`).
        what: &'static str,
        /// Where it starts.
        position: Position,
        /// The limit in bytes.
        limit: usize,
    },
}

impl GmlError {
    /// A refusal with a cause and no position (a failure after parsing).
    pub fn cause(cause: impl Into<String>) -> GmlError {
        GmlError::Refused {
            cause: cause.into(),
            position: None,
        }
    }

    /// The message DHIS2 writes: `GML import failed: <cause>[ On line L column C].`, HTML
    /// escaped (`'` as `&#39;`), to go into `E7010`'s template.
    pub fn dhis2_message(&self) -> String {
        let mut message = String::from("GML import failed: ");
        match self {
            GmlError::Refused { cause, position } => {
                message.push_str(cause);
                if let Some(p) = position {
                    message.push_str(&format!(" On line {} column {}", p.line, p.column));
                }
            }
            GmlError::TooLong {
                what,
                position,
                limit,
            } => message.push_str(&format!(
                "{what} at line {} is longer than {limit} bytes",
                position.line
            )),
        }
        if !message.ends_with('.') {
            message.push('.');
        }
        html_escape(&message)
    }
}

impl fmt::Display for GmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GmlError::Refused { cause, position } => {
                f.write_str(cause)?;
                if let Some(p) = position {
                    write!(f, " (line {}, column {})", p.line, p.column)?;
                }
                Ok(())
            }
            GmlError::TooLong {
                what,
                position,
                limit,
            } => write!(
                f,
                "{what} at line {}, column {} is longer than the limit of {}",
                position.line,
                position.column,
                dxf2_model::limits::human_bytes(*limit)
            ),
        }
    }
}

impl std::error::Error for GmlError {}

/// Spring's `HtmlUtils.htmlEscape` of DHIS2's message (the five characters HTML needs).
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IdKind {
    Uid,
    Code,
    Name,
}

impl IdKind {
    fn of(local: &str) -> Option<IdKind> {
        match local {
            "uid" | "UID" | "Uid" => Some(IdKind::Uid),
            "code" | "CODE" | "Code" => Some(IdKind::Code),
            "name" | "NAME" | "Name" => Some(IdKind::Name),
            _ => None,
        }
    }
}

/// What the stylesheet sees of one identifier kind in a feature.
#[derive(Debug, Default)]
struct Ident {
    /// The first element's text (once it ended).
    first: Option<String>,
    /// Whether the first element was met.
    first_taken: bool,
    /// Whether any element's text is not empty (XPath's `$uid != ''`).
    any_text: bool,
}

#[derive(Debug)]
struct OpenFeature {
    depth: usize,
    index: usize,
    ids: [Ident; 3],
    geometries: Vec<String>,
}

/// An open identifier element.
#[derive(Debug)]
struct Capture {
    kind: IdKind,
    depth: usize,
    /// The open features it is inside.
    features: usize,
    /// The features whose first element of its kind it is.
    first_for: Vec<usize>,
    text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GeomKind {
    Point,
    Polygon,
    MultiPolygon,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextKind {
    Coordinates,
    PosList,
    Pos,
}

/// The texts of a polygon (or of a polygon member).
#[derive(Debug, Default)]
struct Rings {
    coordinates: Vec<String>,
    pos_lists: Vec<String>,
}

#[derive(Debug)]
struct OpenGeometry {
    kind: GeomKind,
    depth: usize,
    /// The feature (position in the stack) it belongs to.
    feature: usize,
    rings: Rings,
    pos: Vec<String>,
    members: Vec<Rings>,
    /// Open polygon members: (depth, index in `members`).
    open_members: Vec<(usize, usize)>,
    /// Open coordinate texts.
    texts: Vec<(TextKind, usize, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Root {
    Before,
    Inside,
    After,
}

/// Reads the features of a GML 2 document one at a time, as DHIS2's stylesheet (`gml2dxf2.xsl`)
/// turns them into org units.
///
/// * every `gml:featureMember` anywhere in the document (namespace
///   `http://www.opengis.net/gml`; `gml:featureMembers` is not read) is one feature, numbered in
///   document order;
/// * its identifier: among all its descendant elements (any namespace), the first named `uid`,
///   `UID` or `Uid` when one of those has text, else the first `code`/`CODE`/`Code` when one has
///   text, else the first `name`/`NAME`/`Name` (a `gml:name` counts); the text is the element's
///   whole text, as written (not trimmed);
/// * its geometries: each `gml:Polygon`, `gml:MultiPolygon` or `gml:Point` that is a grandchild
///   of the feature element (`featureMember/feature/property/geometry`), written as the
///   stylesheet writes `geometryAsJson` (coordinates below):
///   a polygon's `gml:coordinates` and then its `gml:posList` texts each become a ring, inside one
///   array too many (`{"type":"Polygon", "coordinates":[[RING,RING]]}`, which GeoTools reads);
///   a multi-polygon's `gml:polygonMember`s become its polygons; a point takes its
///   `gml:coordinates` and `gml:pos`. Other geometries (`LineString`, `MultiSurface`…) and deeper
///   ones are not read;
/// * coordinates (DHIS2's `GmlConversionUtils`): `gml:coordinates` tuples are separated by white
///   space, ordinates by `,` (the `cs`, `ts` and `decimal` attributes are not read), and the first
///   two ordinates of each are used; `gml:pos` gives its first two tokens (nothing with fewer);
///   `gml:posList` pairs of tokens (nothing for an odd count; `srsDimension` is not read). Each
///   number is read as Java's `NumberFormat` reads it (`-`, digits grouped by `,`, a fraction,
///   an `E` exponent; what follows is ignored) and rounded half up to 6 decimals (points) or 4
///   (polygons). A tuple with one ordinate or a token without digits refuses the document.
///
/// Safety: a DOCTYPE is refused before anything else is read (no DTD, no entity is ever loaded
/// or expanded), and so is a reference to any entity but XML's five; no token (text run, tag,
/// comment…) longer than [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits) is held, nor an
/// element text (an identifier, a coordinates list) longer than that; elements nest at most
/// 1000 levels. Refusals are [`GmlError::Refused`], whose message is DHIS2's cause text.
///
/// ```
/// use geometry_import::gml::{GmlFeature, GmlIdentifier, GmlReader};
///
/// let gml = r#"<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml">
///   <gml:featureMember><ogr:admin2><ogr:geometryProperty><gml:Point>
///     <gml:coordinates>-11.870609999999999,8.377969999999999</gml:coordinates>
///   </gml:Point></ogr:geometryProperty><ogr:Uid>ImspTQPwCqd</ogr:Uid><ogr:Name>OJD</ogr:Name></ogr:admin2></gml:featureMember>
/// </ogr:FeatureCollection>"#;
/// let mut reader = GmlReader::new(gml.as_bytes());
/// let mut feature = GmlFeature::default();
/// assert!(reader.read_feature(&mut feature).unwrap());
/// assert_eq!(feature.identifier, Some(GmlIdentifier::Uid("ImspTQPwCqd".into())));
/// assert_eq!(feature.geometries, [r#"{"type":"Point", "coordinates":[-11.87061,8.37797]}"#]);
/// assert!(!reader.read_feature(&mut feature).unwrap());
/// ```
pub struct GmlReader<R> {
    xml: NsReader<Limited<R>>,
    buf: Vec<u8>,
    limit: usize,
    depth: usize,
    root: Root,
    features: Vec<OpenFeature>,
    captures: Vec<Capture>,
    geometry: Option<OpenGeometry>,
    ready: VecDeque<GmlFeature>,
    next_index: usize,
    done: bool,
}

impl<R: BufRead> GmlReader<R> {
    /// A reader of `input` with the default [`ReadLimits`].
    pub fn new(input: R) -> GmlReader<R> {
        GmlReader::with_limits(input, ReadLimits::default())
    }

    /// A reader of `input` holding no token or element text longer than
    /// `limits.max_token_bytes`.
    pub fn with_limits(input: R, limits: ReadLimits) -> GmlReader<R> {
        let limit = limits.max_token_bytes;
        let mut xml = NsReader::from_reader(Limited::new(input, limit));
        let config = xml.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        GmlReader {
            xml,
            buf: Vec::with_capacity(1024),
            limit,
            depth: 0,
            root: Root::Before,
            features: Vec::new(),
            captures: Vec::new(),
            geometry: None,
            ready: VecDeque::new(),
            next_index: 0,
            done: false,
        }
    }

    /// Reads the next feature into `feature`; `false` at the end of the document. After an
    /// error the reader reports the end.
    pub fn read_feature(&mut self, feature: &mut GmlFeature) -> Result<bool, GmlError> {
        loop {
            if let Some(f) = self.ready.pop_front() {
                *feature = f;
                return Ok(true);
            }
            if self.done {
                return Ok(false);
            }
            if let Err(e) = self.step() {
                self.done = true;
                self.ready.clear();
                return Err(e);
            }
        }
    }

    fn position(&self) -> Position {
        self.xml.get_ref().position()
    }

    fn refused(&self, cause: impl Into<String>) -> GmlError {
        GmlError::Refused {
            cause: cause.into(),
            position: Some(self.position()),
        }
    }

    fn too_long(&self, what: &'static str, position: Position) -> GmlError {
        GmlError::TooLong {
            what,
            position,
            limit: self.limit,
        }
    }

    /// Reads and handles one event.
    fn step(&mut self) -> Result<(), GmlError> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let done = self.step_into(&mut buf);
        self.buf = buf;
        done
    }

    fn step_into(&mut self, buf: &mut Vec<u8>) -> Result<(), GmlError> {
        let start = self.position();
        self.xml.get_mut().start_token();
        let read = self
            .xml
            .read_resolved_event_into(buf)
            .map(|(ns, event)| (namespace(&ns), event));
        if self.xml.get_ref().exceeded() {
            return Err(self.too_long("an XML token", start));
        }
        let (ns, event) = match read {
            Ok(read) => read,
            Err(e) => return Err(self.refused(xml_error_cause(&e))),
        };
        match event {
            Event::Start(e) => self.start(&e, ns, false, start),
            Event::Empty(e) => self.start(&e, ns, true, start),
            Event::End(_) => self.end(),
            Event::Text(t) => self.text(&t.xml10_content()),
            Event::CData(t) => self.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match predefined(&r) {
                        Some(c) => c,
                        None => {
                            return Err(self.refused(format!(
                                "The entity \"{}\" was referenced, but not declared.",
                                &*r
                            )))
                        }
                    },
                    Err(_) => {
                        return Err(self.refused(format!(
                            "Character reference \"&{};\" is an invalid XML character.",
                            &*r
                        )))
                    }
                };
                self.text(c.encode_utf8(&mut [0; 4]))
            }
            Event::DocType(d) => Err(GmlError::Refused {
                cause: doctype_cause(&d),
                position: Some(start),
            }),
            Event::Eof => {
                self.done = true;
                match self.root {
                    Root::Before => Err(self.refused("Premature end of file.")),
                    Root::Inside => Err(self.refused(
                        "XML document structures must start and end within the same entity.",
                    )),
                    Root::After => Ok(()),
                }
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => Ok(()),
        }
    }

    fn text(&mut self, text: &str) -> Result<(), GmlError> {
        if self.root != Root::Inside {
            if text.chars().all(is_xml_space) {
                return Ok(());
            }
            return Err(self.refused(if self.root == Root::Before {
                "Content is not allowed in prolog."
            } else {
                "Content is not allowed in trailing section."
            }));
        }
        let limit = self.limit;
        let start = self.position();
        for c in &mut self.captures {
            if c.text.len() + text.len() > limit {
                return Err(GmlError::TooLong {
                    what: "the text of an identifier element",
                    position: start,
                    limit,
                });
            }
            c.text.push_str(text);
        }
        if let Some(g) = &mut self.geometry {
            for (_, _, t) in &mut g.texts {
                if t.len() + text.len() > limit {
                    return Err(GmlError::TooLong {
                        what: "the text of a coordinates element",
                        position: start,
                        limit,
                    });
                }
                t.push_str(text);
            }
        }
        Ok(())
    }

    fn start(
        &mut self,
        e: &BytesStart<'_>,
        ns: Ns,
        empty: bool,
        at: Position,
    ) -> Result<(), GmlError> {
        match self.root {
            Root::Before => self.root = Root::Inside,
            Root::Inside => {}
            Root::After => {
                return Err(self.refused(
                    "The markup in the document following the root element must be well-formed.",
                ))
            }
        }
        let local = e.local_name();
        let local: &str = local.as_ref();
        let gml = match ns {
            Ns::Gml => true,
            Ns::Other => false,
            Ns::Unknown => {
                let name = e.name();
                let name: &str = name.as_ref();
                let prefix = name.split_once(':').map_or("", |(p, _)| p);
                return Err(self.refused(format!(
                    "The prefix \"{prefix}\" for element \"{name}\" is not bound."
                )));
            }
        };
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.refused(err.to_string()))?;
            if let Err(err) = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                return Err(self.refused(entity_cause(&err.to_string())));
            }
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.refused(format!("elements nest deeper than {MAX_DEPTH} levels")));
        }
        let depth = self.depth;
        if gml && local == "featureMember" {
            self.features.push(OpenFeature {
                depth,
                index: self.next_index,
                ids: Default::default(),
                geometries: Vec::new(),
            });
            self.next_index += 1;
        }
        if let Some(kind) = IdKind::of(local) {
            if !self.features.is_empty() {
                let slot = kind as usize;
                let mut first_for = Vec::new();
                for (i, f) in self.features.iter_mut().enumerate() {
                    if let Some(id) = f.ids.get_mut(slot) {
                        if !id.first_taken {
                            id.first_taken = true;
                            first_for.push(i);
                        }
                    }
                }
                self.captures.push(Capture {
                    kind,
                    depth,
                    features: self.features.len(),
                    first_for,
                    text: String::new(),
                });
            }
        }
        if gml {
            self.start_gml(local, depth, at);
        }
        if empty {
            self.end()?;
        }
        Ok(())
    }

    fn start_gml(&mut self, local: &str, depth: usize, _at: Position) {
        match &mut self.geometry {
            None => {
                let kind = match local {
                    "Point" => GeomKind::Point,
                    "Polygon" => GeomKind::Polygon,
                    "MultiPolygon" => GeomKind::MultiPolygon,
                    _ => return,
                };
                let Some(feature) = self.features.iter().rposition(|f| f.depth + 3 == depth) else {
                    return;
                };
                self.geometry = Some(OpenGeometry {
                    kind,
                    depth,
                    feature,
                    rings: Rings::default(),
                    pos: Vec::new(),
                    members: Vec::new(),
                    open_members: Vec::new(),
                    texts: Vec::new(),
                });
            }
            Some(g) => match local {
                "coordinates" => g.texts.push((TextKind::Coordinates, depth, String::new())),
                "posList" => g.texts.push((TextKind::PosList, depth, String::new())),
                "pos" => g.texts.push((TextKind::Pos, depth, String::new())),
                "polygonMember" if g.kind == GeomKind::MultiPolygon => {
                    g.open_members.push((depth, g.members.len()));
                    g.members.push(Rings::default());
                }
                _ => {}
            },
        }
    }

    fn end(&mut self) -> Result<(), GmlError> {
        let depth = self.depth;
        if let Some(g) = &mut self.geometry {
            while g.texts.last().is_some_and(|(_, d, _)| *d == depth) {
                if let Some((kind, _, text)) = g.texts.pop() {
                    let text = normalize_space(&text);
                    match (g.kind, kind) {
                        (GeomKind::MultiPolygon, TextKind::Coordinates) => {
                            for (_, m) in &g.open_members {
                                if let Some(m) = g.members.get_mut(*m) {
                                    m.coordinates.push(text.clone());
                                }
                            }
                        }
                        (GeomKind::MultiPolygon, TextKind::PosList) => {
                            for (_, m) in &g.open_members {
                                if let Some(m) = g.members.get_mut(*m) {
                                    m.pos_lists.push(text.clone());
                                }
                            }
                        }
                        (_, TextKind::Coordinates) => g.rings.coordinates.push(text),
                        (GeomKind::Polygon, TextKind::PosList) => g.rings.pos_lists.push(text),
                        (GeomKind::Point, TextKind::Pos) => g.pos.push(text),
                        _ => {}
                    }
                }
            }
            while g.open_members.last().is_some_and(|(d, _)| *d == depth) {
                g.open_members.pop();
            }
        }
        if self.geometry.as_ref().is_some_and(|g| g.depth == depth) {
            if let Some(g) = self.geometry.take() {
                let json = geometry_json(&g).map_err(|e| GmlError::Refused {
                    cause: e.0,
                    position: None,
                })?;
                if let Some(f) = self.features.get_mut(g.feature) {
                    f.geometries.push(json);
                }
            }
        }
        while self.captures.last().is_some_and(|c| c.depth == depth) {
            if let Some(c) = self.captures.pop() {
                let slot = c.kind as usize;
                for f in self.features.iter_mut().take(c.features) {
                    if let Some(id) = f.ids.get_mut(slot) {
                        id.any_text |= !c.text.is_empty();
                    }
                }
                for i in c.first_for {
                    if let Some(id) = self.features.get_mut(i).and_then(|f| f.ids.get_mut(slot)) {
                        id.first = Some(c.text.clone());
                    }
                }
            }
        }
        if self.features.last().is_some_and(|f| f.depth == depth) {
            if let Some(f) = self.features.pop() {
                self.ready.push_back(finish(f));
            }
        }
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 {
            self.root = Root::After;
        }
        Ok(())
    }
}

/// The org unit the stylesheet writes for a feature.
fn finish(f: OpenFeature) -> GmlFeature {
    let [uid, code, name] = f.ids;
    let pick = |id: Ident| {
        id.any_text
            .then_some(id.first)
            .flatten()
            .filter(|t| !t.is_empty())
    };
    let identifier = if uid.any_text {
        pick(uid).map(GmlIdentifier::Uid)
    } else if code.any_text {
        pick(code).map(GmlIdentifier::Code)
    } else {
        pick(name).map(GmlIdentifier::Name)
    };
    GmlFeature {
        index: f.index,
        identifier,
        geometries: f.geometries,
    }
}

/// `geometryAsJson` of a geometry, as the stylesheet writes it.
fn geometry_json(g: &OpenGeometry) -> Result<String, ConversionError> {
    let mut out = String::new();
    match g.kind {
        GeomKind::Point => {
            out.push_str("{\"type\":\"Point\", \"coordinates\":");
            for c in &g.rings.coordinates {
                out.push_str(&number::coordinates_to_string(c, POINT_PRECISION)?);
            }
            for p in &g.pos {
                out.push_str(&number::pos_to_string(p, POINT_PRECISION)?);
            }
            out.push('}');
        }
        GeomKind::Polygon => {
            out.push_str("{\"type\":\"Polygon\", \"coordinates\":[[");
            rings(&g.rings, &mut out)?;
            out.push_str("]]}");
        }
        GeomKind::MultiPolygon => {
            out.push_str("{\"type\":\"MultiPolygon\", \"coordinates\":[");
            for (i, m) in g.members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                rings(m, &mut out)?;
                out.push(']');
            }
            out.push_str("]}");
        }
    }
    Ok(out)
}

/// The rings of a polygon: its `gml:coordinates`, then its `gml:posList`s, each in brackets and
/// separated by commas within its group (the stylesheet puts no comma between the groups).
fn rings(r: &Rings, out: &mut String) -> Result<(), ConversionError> {
    for (i, c) in r.coordinates.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&number::coordinates_to_string(c, POLYGON_PRECISION)?);
        out.push(']');
    }
    for (i, p) in r.pos_lists.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&number::pos_list_to_string(p, POLYGON_PRECISION)?);
        out.push(']');
    }
    Ok(())
}

/// XPath's `normalize-space`.
fn normalize_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(is_xml_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// XML's five predefined entities.
fn predefined(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

/// Where an element's name belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ns {
    Gml,
    Other,
    Unknown,
}

fn namespace(ns: &ResolveResult<'_>) -> Ns {
    match ns {
        ResolveResult::Bound(n) if AsRef::<str>::as_ref(n) == GML_NAMESPACE => Ns::Gml,
        ResolveResult::Unknown(_) => Ns::Unknown,
        _ => Ns::Other,
    }
}

/// The cause DHIS2 reports for a quick-xml error.
fn xml_error_cause(e: &quick_xml::Error) -> String {
    match e {
        quick_xml::Error::Escape(err) => entity_cause(&err.to_string()),
        other => other.to_string(),
    }
}

/// An undeclared entity, worded as Java's parser words it when the name can be found.
fn entity_cause(message: &str) -> String {
    match message
        .split('\'')
        .nth(1)
        .or_else(|| message.split('`').nth(1))
    {
        Some(name) if !name.is_empty() => {
            let name = name.trim_start_matches('&').trim_end_matches(';');
            format!("The entity \"{name}\" was referenced, but not declared.")
        }
        _ => message.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn features(gml: &str) -> Result<Vec<GmlFeature>, GmlError> {
        let mut reader = GmlReader::new(gml.as_bytes());
        let mut out = Vec::new();
        let mut f = GmlFeature::default();
        while reader.read_feature(&mut f)? {
            out.push(f.clone());
        }
        Ok(out)
    }

    const HEAD: &str = r#"<c xmlns:gml="http://www.opengis.net/gml" xmlns:o="urn:o">"#;

    #[test]
    fn identifiers_by_priority_and_first_match() {
        let gml = format!(
            "{HEAD}<gml:featureMember><o:f><o:Name> Bo </o:Name><o:code></o:code><o:CODE>C2</o:CODE><o:uid></o:uid></o:f></gml:featureMember>\
             <gml:featureMember><o:f><o:p><o:name>Deep</o:name></o:p><gml:name>Second</gml:name></o:f></gml:featureMember>\
             <gml:featureMember><o:f><o:uid></o:uid></o:f></gml:featureMember></c>"
        );
        let f = features(&gml).unwrap();
        assert_eq!(f.len(), 3);
        // A code element has text, so code wins; the first code element is empty: no identifier.
        assert_eq!(f[0].identifier, None);
        assert_eq!(f[1].identifier, Some(GmlIdentifier::Name("Deep".into())));
        assert_eq!(f[2].identifier, None);
        assert_eq!(f[2].index, 2);
    }

    #[test]
    fn names_keep_their_spaces() {
        let gml = format!(
            "{HEAD}<gml:featureMember><o:f><o:Name> Bo </o:Name></o:f></gml:featureMember></c>"
        );
        assert_eq!(
            features(&gml).unwrap()[0].identifier,
            Some(GmlIdentifier::Name(" Bo ".into()))
        );
    }

    #[test]
    fn polygons_rings_and_pos_lists() {
        let gml = format!(
            "{HEAD}<gml:featureMember><o:f><o:g><gml:Polygon>\
             <gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>0,0 1,0 1,1 0,0</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs>\
             <gml:innerBoundaryIs><gml:LinearRing><gml:coordinates>\n 0.2,0.2  0.5,0.2 0.2,0.2 </gml:coordinates></gml:LinearRing></gml:innerBoundaryIs>\
             </gml:Polygon></o:g><o:code>P</o:code></o:f></gml:featureMember>\
             <gml:featureMember><o:f><o:g><gml:Polygon><gml:exterior><gml:posList>0 0 1 0 1 1 0 0</gml:posList></gml:exterior></gml:Polygon></o:g></o:f></gml:featureMember>\
             <gml:featureMember><o:f><o:g><gml:MultiPolygon><gml:polygonMember><gml:Polygon><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>0,0 1,0 0,0</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></gml:polygonMember>\
             <gml:polygonMember><gml:Polygon><gml:exterior><gml:posList>5 5 6 5 5 5</gml:posList></gml:exterior></gml:Polygon></gml:polygonMember></gml:MultiPolygon></o:g></o:f></gml:featureMember></c>"
        );
        let f = features(&gml).unwrap();
        assert_eq!(
            f[0].geometries,
            [
                r#"{"type":"Polygon", "coordinates":[[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]],[[0.2,0.2],[0.5,0.2],[0.2,0.2]]]]}"#
            ]
        );
        assert_eq!(f[0].identifier, Some(GmlIdentifier::Code("P".into())));
        assert_eq!(
            f[1].geometries,
            [r#"{"type":"Polygon", "coordinates":[[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]]}"#]
        );
        assert_eq!(
            f[2].geometries,
            [
                r#"{"type":"MultiPolygon", "coordinates":[[[[0.0,0.0],[1.0,0.0],[0.0,0.0]]],[[[5.0,5.0],[6.0,5.0],[5.0,5.0]]]]}"#
            ]
        );
    }

    #[test]
    fn only_grandchildren_of_the_feature_are_geometries() {
        let gml = format!(
            "{HEAD}<gml:featureMember><o:f><gml:Point><gml:pos>1 2</gml:pos></gml:Point>\
             <o:a><o:b><gml:Point><gml:pos>3 4</gml:pos></gml:Point></o:b></o:a>\
             <o:g><gml:LineString><gml:posList>1 2 3 4</gml:posList></gml:LineString></o:g></o:f></gml:featureMember></c>"
        );
        assert!(features(&gml).unwrap()[0].geometries.is_empty());
    }

    #[test]
    fn doctypes_are_refused_before_anything_is_read() {
        // DHIS2's testMaliciousGmlPayload.gml (dhis-2/dhis-test-integration/src/test/resources/dxf2/gml/).
        let xxe = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE foo [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n<c><x>&xxe;</x></c>";
        let e = features(xxe).unwrap_err();
        let message = e.dhis2_message();
        assert!(message.contains("GML import failed: External Entity: Failed to read external document &#39;passwd&#39"), "{message}");
        assert!(message.contains(
            "access is not allowed due to restriction set by the accessExternalDTD property"
        ));
        let dtd = "<!DOCTYPE c SYSTEM \"http://example.org/evil.dtd\"><c/>";
        assert!(features(dtd).unwrap_err().dhis2_message().contains(
            "External DTD: Failed to read external DTD &#39;evil.dtd&#39;, because &#39;http&#39;"
        ));
        let lol = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><c>&lol2;</c>";
        assert!(features(lol)
            .unwrap_err()
            .dhis2_message()
            .contains("DOCTYPE is disallowed"));
    }

    #[test]
    fn undeclared_entities_are_refused() {
        let e = features("<c><x>&nbsp;</x></c>").unwrap_err();
        assert!(
            e.to_string()
                .contains("The entity \"nbsp\" was referenced, but not declared."),
            "{e}"
        );
        let e = features("<c a=\"&foo;\"/>").unwrap_err();
        assert!(e.to_string().contains("foo"), "{e}");
        assert_eq!(
            features(&format!("{HEAD}<gml:featureMember><o:f><o:name>A&amp;B&#67;</o:name></o:f></gml:featureMember></c>")).unwrap()[0].identifier,
            Some(GmlIdentifier::Name("A&BC".into()))
        );
    }

    #[test]
    fn broken_documents_are_refused() {
        for bad in [
            "",
            "<c>",
            "<c></d>",
            "<c/><d/>",
            "text<c/>",
            "<x:c/>",
            "<c><gml:featureMember xmlns:gml=\"http://www.opengis.net/gml\"><o:f xmlns:o=\"o\"><o:g><gml:Point><gml:coordinates>1</gml:coordinates></gml:Point></o:g></o:f></gml:featureMember></c>",
        ] {
            assert!(features(bad).is_err(), "{bad}");
        }
        let e = features("<c>\n<d>\n</c>").unwrap_err();
        let GmlError::Refused {
            position: Some(p), ..
        } = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(p.line, 3);
    }

    #[test]
    fn long_tokens_are_refused() {
        let big = format!("<c>{}</c>", "x".repeat(2000));
        let mut reader = GmlReader::with_limits(
            big.as_bytes(),
            ReadLimits::default().with_max_token_bytes(100),
        );
        let mut f = GmlFeature::default();
        assert!(matches!(
            reader.read_feature(&mut f),
            Err(GmlError::TooLong { .. })
        ));
        let deep = format!("{}{}", "<a>".repeat(1100), "</a>".repeat(1100));
        assert!(features(&deep).is_err());
    }

    #[test]
    fn nested_features_are_numbered_in_document_order() {
        let gml = format!(
            "{HEAD}<gml:featureMember><o:f><o:name>Outer</o:name><o:x><gml:featureMember><o:f><o:name>Inner</o:name></o:f></gml:featureMember></o:x></o:f></gml:featureMember></c>"
        );
        let f = features(&gml).unwrap();
        assert_eq!(f[0].index, 1);
        assert_eq!(f[0].identifier, Some(GmlIdentifier::Name("Inner".into())));
        assert_eq!(f[1].index, 0);
        assert_eq!(f[1].identifier, Some(GmlIdentifier::Name("Outer".into())));
    }
}
