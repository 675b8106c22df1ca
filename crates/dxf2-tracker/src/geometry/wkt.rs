//! Well-known text, read as JTS 1.20's `WKTReader` does and written as its `toText()` does.

use super::{err, Coordinate, Geometry, GeometryError};
use crate::number::write_ordinate;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Token<'a> {
    Word(&'a str),
    Number(f64),
    Open,
    Close,
    Comma,
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    peeked: Option<Token<'a>>,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            text,
            pos: 0,
            peeked: None,
        }
    }

    fn scan(&mut self) -> Result<Option<Token<'a>>, GeometryError> {
        let bytes = self.text.as_bytes();
        while bytes.get(self.pos).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        let Some(&b) = bytes.get(self.pos) else {
            return Ok(None);
        };
        let single = match b {
            b'(' => Some(Token::Open),
            b')' => Some(Token::Close),
            b',' => Some(Token::Comma),
            _ => None,
        };
        if let Some(t) = single {
            self.pos += 1;
            return Ok(Some(t));
        }
        let start = self.pos;
        while bytes
            .get(self.pos)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'(' | b')' | b','))
        {
            self.pos += 1;
        }
        let word = self.text.get(start..self.pos).unwrap_or_default();
        let first = word.as_bytes().first().copied().unwrap_or(b' ');
        if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
            match word.parse::<f64>() {
                Ok(v)
                    if v.is_finite()
                        && word
                            .bytes()
                            .all(|c| c.is_ascii_digit() || b"+-.eE".contains(&c)) =>
                {
                    Ok(Some(Token::Number(v)))
                }
                _ => err(format!("invalid number `{word}` in WKT")),
            }
        } else if word.bytes().all(|c| c.is_ascii_alphabetic()) {
            Ok(Some(Token::Word(word)))
        } else {
            err(format!("unexpected `{word}` in WKT"))
        }
    }

    fn next(&mut self) -> Result<Option<Token<'a>>, GeometryError> {
        match self.peeked.take() {
            Some(t) => Ok(Some(t)),
            None => self.scan(),
        }
    }

    fn peek(&mut self) -> Result<Option<Token<'a>>, GeometryError> {
        if self.peeked.is_none() {
            self.peeked = self.scan()?;
        }
        Ok(self.peeked)
    }

    fn expect(&mut self, want: Token<'static>, what: &str) -> Result<(), GeometryError> {
        match self.next()? {
            Some(t) if t == want => Ok(()),
            Some(t) => err(format!("expected {what} in WKT, found {}", describe(t))),
            None => err(format!("expected {what} in WKT, found the end")),
        }
    }
}

fn describe(t: Token<'_>) -> String {
    match t {
        Token::Word(w) => format!("`{w}`"),
        Token::Number(n) => format!("the number {n}"),
        Token::Open => "`(`".into(),
        Token::Close => "`)`".into(),
        Token::Comma => "`,`".into(),
    }
}

/// Which ordinates a coordinate carries, from the `Z`/`M`/`ZM` tag.
#[derive(Clone, Copy)]
enum Dims {
    /// No tag: a third number is z, a fourth m.
    Auto,
    /// `Z`.
    Z,
    /// `M`: the third number is m (dropped).
    M,
    /// `ZM`.
    Zm,
}

pub(super) fn parse(text: &str) -> Result<Geometry, GeometryError> {
    let mut lx = Lexer::new(text);
    let g = geometry(&mut lx)?;
    if let Some(t) = lx.next()? {
        return err(format!("unexpected {} after the WKT geometry", describe(t)));
    }
    g.validate()?;
    Ok(g)
}

fn geometry(lx: &mut Lexer<'_>) -> Result<Geometry, GeometryError> {
    let keyword = match lx.next()? {
        Some(Token::Word(w)) => w.to_ascii_uppercase(),
        Some(t) => {
            return err(format!(
                "expected a WKT geometry type, found {}",
                describe(t)
            ))
        }
        None => return err("empty WKT"),
    };
    let dims = match lx.peek()? {
        Some(Token::Word(w)) if w.eq_ignore_ascii_case("Z") => Dims::Z,
        Some(Token::Word(w)) if w.eq_ignore_ascii_case("M") => Dims::M,
        Some(Token::Word(w)) if w.eq_ignore_ascii_case("ZM") => Dims::Zm,
        _ => Dims::Auto,
    };
    if !matches!(dims, Dims::Auto) {
        lx.next()?;
    }
    match keyword.as_str() {
        "POINT" => {
            if empty(lx)? {
                return err("an empty POINT has no position (DHIS2 cannot use it)");
            }
            lx.expect(Token::Open, "`(`")?;
            let c = coordinate(lx, dims)?;
            lx.expect(Token::Close, "`)`")?;
            Ok(Geometry::Point(c))
        }
        "LINESTRING" | "LINEARRING" => Ok(Geometry::LineString(sequence(lx, dims)?)),
        "POLYGON" => Ok(Geometry::Polygon(list(lx, |lx| sequence(lx, dims))?)),
        "MULTIPOINT" => Ok(Geometry::MultiPoint(list(lx, |lx| {
            // JTS reads both `MULTIPOINT ((1 2), (3 4))` and `MULTIPOINT (1 2, 3 4)`.
            if lx.peek()? == Some(Token::Open) {
                lx.next()?;
                let c = coordinate(lx, dims)?;
                lx.expect(Token::Close, "`)`")?;
                Ok(c)
            } else {
                coordinate(lx, dims)
            }
        })?)),
        "MULTILINESTRING" => Ok(Geometry::MultiLineString(list(lx, |lx| {
            sequence(lx, dims)
        })?)),
        "MULTIPOLYGON" => Ok(Geometry::MultiPolygon(list(lx, |lx| {
            list(lx, |lx| sequence(lx, dims))
        })?)),
        "GEOMETRYCOLLECTION" => Ok(Geometry::GeometryCollection(list(lx, geometry)?)),
        other => err(format!("unknown WKT geometry type `{other}`")),
    }
}

/// Consumes `EMPTY` when it comes next.
fn empty(lx: &mut Lexer<'_>) -> Result<bool, GeometryError> {
    if matches!(lx.peek()?, Some(Token::Word(w)) if w.eq_ignore_ascii_case("EMPTY")) {
        lx.next()?;
        return Ok(true);
    }
    Ok(false)
}

/// `EMPTY` or `( item, item, … )`.
fn list<'a, T>(
    lx: &mut Lexer<'a>,
    mut item: impl FnMut(&mut Lexer<'a>) -> Result<T, GeometryError>,
) -> Result<Vec<T>, GeometryError> {
    if empty(lx)? {
        return Ok(Vec::new());
    }
    lx.expect(Token::Open, "`(`")?;
    let mut out = vec![item(lx)?];
    loop {
        match lx.next()? {
            Some(Token::Comma) => out.push(item(lx)?),
            Some(Token::Close) => return Ok(out),
            Some(t) => return err(format!("expected `,` or `)` in WKT, found {}", describe(t))),
            None => return err("expected `,` or `)` in WKT, found the end"),
        }
    }
}

fn sequence(lx: &mut Lexer<'_>, dims: Dims) -> Result<Vec<Coordinate>, GeometryError> {
    list(lx, |lx| coordinate(lx, dims))
}

fn coordinate(lx: &mut Lexer<'_>, dims: Dims) -> Result<Coordinate, GeometryError> {
    let mut numbers = [0.0f64; 4];
    let mut n = 0;
    while let Some(Token::Number(v)) = lx.peek()? {
        lx.next()?;
        if let Some(slot) = numbers.get_mut(n) {
            *slot = v;
        }
        n += 1;
    }
    if !(2..=4).contains(&n) {
        return err(format!("a WKT position needs 2 to 4 numbers, found {n}"));
    }
    let [x, y, third, _] = numbers;
    let z = match dims {
        Dims::M => None,
        Dims::Auto | Dims::Z | Dims::Zm => (n >= 3).then_some(third),
    };
    Ok(Coordinate { x, y, z })
}

pub(super) fn write(g: &Geometry, out: &mut String) {
    out.push_str(match g {
        Geometry::Point(_) => "POINT",
        Geometry::MultiPoint(_) => "MULTIPOINT",
        Geometry::LineString(_) => "LINESTRING",
        Geometry::MultiLineString(_) => "MULTILINESTRING",
        Geometry::Polygon(_) => "POLYGON",
        Geometry::MultiPolygon(_) => "MULTIPOLYGON",
        Geometry::GeometryCollection(_) => "GEOMETRYCOLLECTION",
    });
    out.push(' ');
    match g {
        Geometry::Point(c) => {
            out.push('(');
            write_xy(c, out);
            out.push(')');
        }
        Geometry::MultiPoint(cs) => write_list(cs, out, |c, out| {
            out.push('(');
            write_xy(c, out);
            out.push(')');
        }),
        Geometry::LineString(cs) => write_sequence(cs, out),
        Geometry::MultiLineString(ls) | Geometry::Polygon(ls) => {
            write_list(ls, out, |l, out| write_sequence(l, out))
        }
        Geometry::MultiPolygon(ps) => write_list(ps, out, |p, out| {
            write_list(p, out, |l, out| write_sequence(l, out))
        }),
        Geometry::GeometryCollection(gs) => write_list(gs, out, write),
    }
}

fn write_xy(c: &Coordinate, out: &mut String) {
    write_ordinate(c.x, out);
    out.push(' ');
    write_ordinate(c.y, out);
}

fn write_sequence(cs: &[Coordinate], out: &mut String) {
    write_list(cs, out, write_xy);
}

fn write_list<T>(items: &[T], out: &mut String, mut each: impl FnMut(&T, &mut String)) {
    if items.is_empty() {
        out.push_str("EMPTY");
        return;
    }
    out.push('(');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        each(item, out);
    }
    out.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_jts_reads() {
        for (input, output) in [
            ("POINT (-11.42 8.06)", "POINT (-11.42 8.06)"),
            ("Point(-11.4283223849698 8.06311527044516)", "POINT (-11.4283223849698 8.06311527044516)"),
            ("point z (1 2 3)", "POINT (1 2)"),
            ("POINT ZM (1 2 3 4)", "POINT (1 2)"),
            ("MULTIPOINT (1 2, 3 4)", "MULTIPOINT ((1 2), (3 4))"),
            ("LINESTRING EMPTY", "LINESTRING EMPTY"),
            ("POLYGON ((-12.305267 8.777237, -11.770837 8.98885, -11.55937 8.311341, -12.495765 8.368669, -12.305267 8.777237))",
             "POLYGON ((-12.305267 8.777237, -11.770837 8.98885, -11.55937 8.311341, -12.495765 8.368669, -12.305267 8.777237))"),
            ("POLYGON ((0 0, 10 0, 10 10, 0 0), (1 1, 2 1, 2 2, 1 1))", "POLYGON ((0 0, 10 0, 10 10, 0 0), (1 1, 2 1, 2 2, 1 1))"),
            ("GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1e1 1))", "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 10 1))"),
        ] {
            assert_eq!(parse(input).unwrap().to_wkt(), output, "{input}");
        }
        let z = parse("POINT Z (1 2 3)").unwrap();
        assert_eq!(z.point().unwrap().z, Some(3.0));
        let m = parse("POINT M (1 2 3)").unwrap();
        assert_eq!(m.point().unwrap().z, None);
    }

    #[test]
    fn refuses_what_jts_refuses() {
        for bad in [
            "",
            "POINT",
            "POINT EMPTY",
            "POINT (1)",
            "POINT (1 2",
            "POINT (1 2) x",
            "CIRCLE (1 2)",
            "LINESTRING (1 2)",
            "POLYGON ((0 0, 1 0, 1 1, 0 1))",
            "POINT (1 2,)",
            "POINT (a b)",
            "POINT (1 2 3 4 5)",
            "POINT (1..2 3)",
            "POINT (1e999 2)",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
