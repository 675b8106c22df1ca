//! The few Java behaviours DHIS2's ADX code exposes in its output and messages: `String.trim`,
//! `String.split` token counting, `String.hashCode` and the iteration order of a `HashMap` with
//! string keys (which decides the order of category attributes on export and of the pairs in
//! `"Invalid attributes: {…}"`), and `AbstractMap.toString`.

/// Java's `String.trim()`: removes every leading and trailing character up to U+0020.
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Commons Lang's `StringUtils.trimToNull`: [`trim`], then `None` when nothing is left.
pub(crate) fn trim_to_null(s: Option<&str>) -> Option<&str> {
    s.map(trim).filter(|t| !t.is_empty())
}

/// How many tokens Java's `s.split("/")` returns: the pieces between the separators, with
/// trailing empty pieces removed (`"a/"` has one token, `"/a"` two, `""` one).
pub(crate) fn split_count(s: &str, separator: char) -> usize {
    if s.is_empty() {
        return 1;
    }
    let pieces: Vec<&str> = s.split(separator).collect();
    let kept = pieces
        .iter()
        .rposition(|p| !p.is_empty())
        .map_or(0, |last| last + 1);
    // Java returns the original string when it has no separator at all (even if empty).
    kept.max(usize::from(!s.contains(separator)))
}

/// Java's `String.hashCode()`: `s[0]·31^(n−1) + … + s[n−1]` over UTF-16 code units, wrapping.
pub(crate) fn string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The bucket of a key in a `java.util.HashMap` with `capacity` buckets (a power of two):
/// `(h ^ (h >>> 16)) & (capacity − 1)`.
fn bucket(hash: i32, capacity: usize) -> usize {
    let h = hash as u32;
    ((h ^ (h >> 16)) as usize) & (capacity - 1)
}

/// The order in which a `java.util.HashMap` created with the default capacity iterates `keys`
/// that were put in the given order (distinct keys): the indexes of `keys`, iterated order.
///
/// A `HashMap` starts with 16 buckets and doubles when it holds more than three quarters of
/// its capacity; iteration walks the buckets in order, and the keys of one bucket in the order
/// they were put (a resize splits a bucket keeping that order). Buckets that turn into trees
/// (eight keys in one bucket of a table of at least 64) are not modelled: category combos
/// have at most a handful of categories.
pub(crate) fn hash_map_order<S: AsRef<str>>(keys: &[S]) -> Vec<usize> {
    let mut capacity = 16usize;
    while keys.len() > capacity / 4 * 3 {
        capacity *= 2;
    }
    let mut order: Vec<(usize, usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (bucket(string_hash(k.as_ref()), capacity), i))
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, i)| i).collect()
}

/// Java's `AbstractMap.toString`: `{k=v, k2=null}`, pairs in the given order.
pub(crate) fn map_string<'a>(
    pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value.unwrap_or("null"));
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_like_java() {
        assert_eq!(trim("  a b\t\n"), "a b");
        assert_eq!(trim("\u{1}x\u{20}"), "x");
        assert_eq!(trim("\u{a0}x"), "\u{a0}x");
        assert_eq!(trim_to_null(Some("  ")), None);
        assert_eq!(trim_to_null(Some(" a ")), Some("a"));
        assert_eq!(trim_to_null(None), None);
    }

    #[test]
    fn splits_like_java() {
        assert_eq!(split_count("2024-01-01/P1M", '/'), 2);
        assert_eq!(split_count("2024-01-01/P1D/P1D", '/'), 3);
        assert_eq!(split_count("2024-01-01/", '/'), 1);
        assert_eq!(split_count("/P1M", '/'), 2);
        assert_eq!(split_count("2024-01-01", '/'), 1);
        assert_eq!(split_count("", '/'), 1);
        assert_eq!(split_count("//", '/'), 0);
        assert_eq!(split_count("a//b", '/'), 3);
    }

    #[test]
    fn hashes_like_java() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("sex"), 113_766);
        assert_eq!(string_hash("age"), 96_511);
        // Overflow wraps like Java's int arithmetic ("polygenelubricants".hashCode()).
        assert_eq!(string_hash("polygenelubricants"), i32::MIN);
        // UTF-16 code units: U+1F600 is a surrogate pair.
        assert_eq!(string_hash("\u{1F600}"), 0xD83D * 31 + 0xDE00);
    }

    #[test]
    fn hash_map_order_matches_java() {
        // DHIS2's exportB.adx.xml writes `sex` before `age` (buckets 7 and 14).
        assert_eq!(hash_map_order(&["age", "sex"]), vec![1, 0]);
        assert_eq!(hash_map_order(&["sex", "age"]), vec![0, 1]);
        // Same bucket: insertion order. "Aa" and "BB" have the same hash.
        assert_eq!(string_hash("Aa"), string_hash("BB"));
        assert_eq!(hash_map_order(&["BB", "Aa"]), vec![0, 1]);
        assert_eq!(hash_map_order::<&str>(&[]), Vec::<usize>::new());
        // UIDs of DHIS2's test fixture: `ageeeeeeeee` and `sexxxxxxxxx`.
        let order = hash_map_order(&["ageeeeeeeee", "sexxxxxxxxx"]);
        assert_eq!(order.len(), 2);
        // More than 12 keys resize the table to 32 buckets.
        let keys: Vec<String> = (0..13).map(|i| format!("k{i}")).collect();
        let order = hash_map_order(&keys);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..13).collect::<Vec<_>>());
    }

    #[test]
    fn maps_print_like_java() {
        assert_eq!(
            map_string([("sex", Some("X")), ("age", Some("under5"))]),
            "{sex=X, age=under5}"
        );
        assert_eq!(map_string([("a", None)]), "{a=null}");
        assert_eq!(map_string(std::iter::empty()), "{}");
    }
}
