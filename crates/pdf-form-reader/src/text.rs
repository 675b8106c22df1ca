//! Text in PDF files: text strings (PDFDocEncoding, UTF-16BE, UTF-8), names, the WinAnsi
//! encoding of the standard fonts, and the two Java string helpers DHIS2's import leans on
//! (`String.trim`, `String.split("_")`).

/// PDFDocEncoding bytes `0x18..=0x1F` (spacing accents).
const PDFDOC_18: [char; 8] = [
    '\u{02D8}', '\u{02C7}', '\u{02C6}', '\u{02D9}', '\u{02DD}', '\u{02DB}', '\u{02DA}', '\u{02DC}',
];

/// PDFDocEncoding bytes `0x80..=0xA0` (`0x9F` is undefined).
const PDFDOC_80: [char; 33] = [
    '\u{2022}', '\u{2020}', '\u{2021}', '\u{2026}', '\u{2014}', '\u{2013}', '\u{0192}', '\u{2044}',
    '\u{2039}', '\u{203A}', '\u{2212}', '\u{2030}', '\u{201E}', '\u{201C}', '\u{201D}', '\u{2018}',
    '\u{2019}', '\u{201A}', '\u{2122}', '\u{FB01}', '\u{FB02}', '\u{0141}', '\u{0152}', '\u{0160}',
    '\u{0178}', '\u{017D}', '\u{0131}', '\u{0142}', '\u{0153}', '\u{0161}', '\u{017E}', '\u{FFFD}',
    '\u{20AC}',
];

/// WinAnsiEncoding bytes `0x80..=0x9F` (`None`: undefined).
const WINANSI_80: [Option<char>; 32] = [
    Some('\u{20AC}'),
    None,
    Some('\u{201A}'),
    Some('\u{0192}'),
    Some('\u{201E}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02C6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017D}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201C}'),
    Some('\u{201D}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02DC}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203A}'),
    Some('\u{0153}'),
    None,
    Some('\u{017E}'),
    Some('\u{0178}'),
];

/// Decodes a PDF text string: UTF-16BE after the byte order mark `FE FF` (as DHIS2's PDF
/// library reads it), UTF-8 after `EF BB BF` (PDF 2.0), otherwise PDFDocEncoding. Bytes that do
/// not decode become U+FFFD.
pub fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units = rest
            .chunks(2)
            .map(|pair| match pair {
                [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                _ => 0xFFFD,
            })
            .collect::<Vec<u16>>();
        return char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect();
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| pdfdoc_char(b)).collect()
}

/// The character of one PDFDocEncoding byte.
fn pdfdoc_char(b: u8) -> char {
    match b {
        0x18..=0x1F => PDFDOC_18
            .get(usize::from(b - 0x18))
            .copied()
            .unwrap_or('\u{FFFD}'),
        0x7F | 0xAD => '\u{FFFD}',
        0x80..=0xA0 => PDFDOC_80
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}

/// The PDFDocEncoding byte of a character, when it has one.
fn pdfdoc_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0xA1..=0xAC | 0xAE..=0xFF => u8::try_from(code).ok(),
        _ => PDFDOC_80
            .iter()
            .position(|&p| p == c && p != '\u{FFFD}')
            .and_then(|i| u8::try_from(i + 0x80).ok())
            .or_else(|| {
                PDFDOC_18
                    .iter()
                    .position(|&p| p == c)
                    .and_then(|i| u8::try_from(i + 0x18).ok())
            }),
    }
}

/// Encodes a PDF text string: PDFDocEncoding when every character has a byte there, otherwise
/// UTF-16BE with its byte order mark (what PDF readers of every age understand).
pub fn encode_text_string(text: &str) -> Vec<u8> {
    let pdfdoc: Option<Vec<u8>> = text.chars().map(pdfdoc_byte).collect();
    match pdfdoc {
        Some(bytes) => bytes,
        None => {
            let mut out = Vec::with_capacity(2 + text.len() * 2);
            out.extend_from_slice(&[0xFE, 0xFF]);
            for unit in text.encode_utf16() {
                out.extend_from_slice(&unit.to_be_bytes());
            }
            out
        }
    }
}

/// A PDF name as DHIS2's PDF library gives it (`PdfName.decodeName`): its bytes as Latin-1
/// characters (`#xx` escapes are already decoded by the parser).
pub fn decode_name(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The WinAnsiEncoding byte of a character, or `?` for a character the standard fonts cannot
/// show (the form's static text uses Helvetica with WinAnsiEncoding).
pub fn winansi_byte(c: char) -> u8 {
    let code = u32::from(c);
    match code {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(code).unwrap_or(b'?'),
        _ => WINANSI_80
            .iter()
            .position(|&w| w == Some(c))
            .and_then(|i| u8::try_from(i + 0x80).ok())
            .unwrap_or(b'?'),
    }
}

/// The character of a WinAnsiEncoding byte (undefined bytes become U+FFFD).
pub fn winansi_char(b: u8) -> char {
    match b {
        0x80..=0x9F => WINANSI_80
            .get(usize::from(b - 0x80))
            .copied()
            .flatten()
            .unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}

/// Whether the standard fonts show this character (it has a WinAnsiEncoding byte).
pub fn is_winansi(c: char) -> bool {
    winansi_byte(c) != b'?' || c == '?'
}

/// Java's `String.trim()`: strips every leading and trailing character up to U+0020.
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Java's `String.split("_")`: the parts between underscores, trailing empty parts removed.
pub fn java_split_underscore(s: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split('_').collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    if parts.len() == 1 && parts.first().is_some_and(|p| p.is_empty()) && !s.is_empty() {
        parts.clear();
    }
    parts
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_decode_in_every_encoding() {
        assert_eq!(decode_text_string(b"12"), "12");
        assert_eq!(decode_text_string(&[0x80, 0xA0, 0xE9]), "\u{2022}\u{20AC}é");
        // "ع1" in UTF-16BE.
        assert_eq!(
            decode_text_string(&[0xFE, 0xFF, 0x06, 0x39, 0x00, 0x31]),
            "\u{0639}1"
        );
        // A surrogate pair and a dangling byte.
        assert_eq!(
            decode_text_string(&[0xFE, 0xFF, 0xD8, 0x3D, 0xDE, 0x00, 0x41]),
            "😀\u{FFFD}"
        );
        assert_eq!(decode_text_string(&[0xEF, 0xBB, 0xBF, 0xC3, 0xA9]), "é");
    }

    #[test]
    fn text_strings_round_trip() {
        for text in ["", "42", "Santé publique", "€ • —", "مرحبا", "a\u{1F600}b"] {
            assert_eq!(decode_text_string(&encode_text_string(text)), text);
        }
        assert_eq!(encode_text_string("é"), vec![0xE9]);
        assert_eq!(&encode_text_string("ع")[..2], &[0xFE, 0xFF]);
    }

    #[test]
    fn winansi_covers_latin_1_and_cp1252() {
        assert_eq!(winansi_byte('é'), 0xE9);
        assert_eq!(winansi_byte('€'), 0x80);
        assert_eq!(winansi_byte('œ'), 0x9C);
        assert_eq!(winansi_byte('ع'), b'?');
        assert!(is_winansi('?'));
        assert!(!is_winansi('ع'));
    }

    #[test]
    fn java_helpers_behave_like_java() {
        assert_eq!(java_trim(" \t x y \n"), "x y");
        assert_eq!(java_split_underscore("TXFDDV_a_b"), ["TXFDDV", "a", "b"]);
        assert_eq!(java_split_underscore("TXFDDV_a_b__"), ["TXFDDV", "a", "b"]);
        assert_eq!(java_split_underscore("TXFDDV__b"), ["TXFDDV", "", "b"]);
        assert_eq!(java_split_underscore("TXFDDV_"), ["TXFDDV"]);
        assert!(java_split_underscore("___").is_empty());
    }
}
