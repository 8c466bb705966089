//! A structural scan of a FeatureCollection: where its features and its `crs` member are, so
//! that the features can be parsed in parallel (serde_json parses one document on one thread;
//! a 1.2 GB file of 8 M homes took most of a minute that way). Only strings, escapes and
//! nesting are followed; serde_json still validates every piece. `None` for anything else (a
//! Feature, a bare Geometry, a syntax error), which then takes the whole-document path.
//!
//! The features array is itself scanned in parallel: it is cut into pieces, each walked from
//! a guessed feature start, and the walks are joined in order where the walk before lands on
//! the guess. The result is the sequential walk's, whatever the guesses (see [`elements`]).

/// Where one feature's text lies in the file: start and length packed in 8 bytes (a
/// country's homes layer has millions of features).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Span(u64);

impl Span {
    const LEN_BITS: u32 = 24;

    /// `None` beyond 1 TB into the file or for a feature of 16 MB or more (such a file
    /// is read whole instead).
    fn new(start: usize, len: usize) -> Option<Span> {
        let start = u64::try_from(start).ok()?;
        let len = u64::try_from(len)
            .ok()
            .filter(|l| *l < 1 << Self::LEN_BITS)?;
        (start < 1 << (64 - Self::LEN_BITS)).then_some(Span(start << Self::LEN_BITS | len))
    }

    pub(super) fn start(self) -> usize {
        (self.0 >> Self::LEN_BITS) as usize
    }

    pub(super) fn len(self) -> usize {
        (self.0 & ((1 << Self::LEN_BITS) - 1)) as usize
    }

    pub(super) fn end(self) -> usize {
        self.start() + self.len()
    }
}

/// A scanned FeatureCollection: its `crs` member's text and its features' places.
#[derive(Debug, PartialEq)]
pub(super) struct Scanned {
    pub crs: Option<Vec<u8>>,
    pub features: Vec<Span>,
}

/// Bytes of the features array per piece walked on its own: a few hundred pieces for a
/// homes file of 1 M homes, enough for rayon to share them out evenly.
const PIECE: usize = 1 << 20;

/// The memory of the text a piece at a time: a mapped file's pages are mapped in at once
/// before a piece is walked, and given back after.
pub(super) trait Pages: Sync {
    fn load(&self, part: &[u8]);
    fn release(&self, part: &[u8]);
}

/// Text already in memory.
impl Pages for () {
    fn load(&self, _: &[u8]) {}
    fn release(&self, _: &[u8]) {}
}

type Touch<'a> = &'a dyn Pages;

/// Scans a FeatureCollection. `None` for anything but a FeatureCollection (or one the scan
/// cannot follow: duplicate members, trailing text) and for a feature of 16 MB or more.
pub(super) fn collection(b: &[u8], pages: Touch) -> Option<Scanned> {
    collection_in_pieces(b, PIECE, PIECE, pages)
}

/// [`collection`] with the features array cut into pieces of `piece` bytes, each walk reading
/// at most `reach` bytes past its piece.
fn collection_in_pieces(b: &[u8], piece: usize, reach: usize, touch: Touch) -> Option<Scanned> {
    let mut i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return None;
    }
    let (mut crs, mut kind, mut features) = (None, None, None);
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(b, i)?;
        let key = &b[i + 1..key_end - 1];
        i = ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = ws(b, i + 1);
        let end = if key == b"features" {
            let (spans, end) = elements(b, start, piece, reach, touch)?;
            if features.replace(spans).is_some() {
                return None; // a duplicate member: let serde decide
            }
            end
        } else {
            let end = value_end(b, start)?;
            let slot = match key {
                b"crs" => &mut crs,
                b"type" => &mut kind,
                _ => &mut None,
            };
            if slot.replace(&b[start..end]).is_some() {
                return None;
            }
            end
        };
        i = ws(b, end);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            Some(b'}') => break,
            _ => return None,
        }
    }
    if ws(b, i + 1) != b.len() || kind != Some(b"\"FeatureCollection\"".as_slice()) {
        return None;
    }
    Some(Scanned {
        crs: crs.map(<[u8]>::to_vec),
        features: features?,
    })
}

/// The places of an array's elements, the array's `[` at `i`; and the index after its `]`.
///
/// The walk from element to element (the element's end, white space, a comma, white space)
/// is sequential by nature: where an element starts depends on everything before it. So the
/// array is cut into pieces and each piece is walked, in parallel, from a guess: its first
/// `{` after a comma. Then, in order, a piece's walk is taken where the walk before it landed
/// exactly on its guess (from there on the two walks are the same walk), and otherwise the
/// piece is walked again from where the walk before landed. A guess inside a string or a
/// nested object only costs that second walk, never a different result: the result is
/// always the sequential walk's. Each walk reads at most `reach` bytes past its piece, so
/// that walks from bad guesses cannot each run to the end of the file.
fn elements(
    b: &[u8],
    i: usize,
    piece: usize,
    reach: usize,
    touch: Touch,
) -> Option<(Vec<Span>, usize)> {
    use rayon::prelude::*;
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let first = ws(b, i + 1);
    if b.get(first) == Some(&b']') {
        return Some((Vec::new(), first + 1));
    }
    let piece = piece.max(1);
    let ends: Vec<usize> = (first..b.len())
        .step_by(piece)
        .skip(1)
        .chain([b.len()])
        .collect();
    let walks: Vec<(Option<usize>, Walk)> = (0..ends.len())
        .into_par_iter()
        .map(|k| {
            let from = if k == 0 { first } else { ends[k - 1] };
            touch.load(&b[from..ends[k]]);
            let guess = match k {
                0 => Some(first),
                _ => guess_element_start(b, from, ends[k]),
            };
            let limit = ends[k].saturating_add(reach).min(b.len());
            let w = guess.map_or_else(Walk::default, |g| walk(b, g, ends[k], limit));
            touch.release(&b[from..ends[k]]);
            (guess, w)
        })
        .collect();
    let mut spans = Vec::with_capacity(walks.iter().map(|(_, w)| w.spans.len()).sum());
    let mut landed = Landing::Next(first);
    for ((guess, w), &end) in walks.into_iter().zip(&ends) {
        let Landing::Next(at) = landed else {
            break;
        };
        if at >= end {
            continue; // the piece lies inside an element already walked over
        }
        let w = if guess == Some(at) {
            w
        } else {
            walk(b, at, end, b.len())
        };
        spans.extend(w.spans);
        landed = w.landing;
    }
    match landed {
        Landing::End(after) => Some((spans, after)),
        Landing::Next(_) | Landing::Fail => None,
    }
}

/// Elements walked over, and where the walk stopped.
#[derive(Default)]
struct Walk {
    spans: Vec<Span>,
    landing: Landing,
}

#[derive(Default)]
enum Landing {
    /// At the start of the next element, at or past the piece's end, or where the walk
    /// reached its limit.
    Next(usize),
    /// After the array's `]`.
    End(usize),
    /// Not an array the scan can follow.
    #[default]
    Fail,
}

/// Walks the elements from one starting at `at` until the next one starts at or past `end`,
/// reading no further than `limit`.
fn walk(b: &[u8], mut at: usize, end: usize, limit: usize) -> Walk {
    let mut spans = Vec::new();
    let landing = loop {
        let element_end = match value_end(&b[..limit], at) {
            // A text that runs into the limit may end otherwise in the whole file.
            Some(e) if e < limit || limit == b.len() => e,
            None if limit == b.len() => break Landing::Fail,
            _ => break Landing::Next(at),
        };
        let Some(span) = Span::new(at, element_end - at) else {
            break Landing::Fail;
        };
        spans.push(span);
        let i = ws(b, element_end);
        match b.get(i) {
            Some(b',') => {
                at = ws(b, i + 1);
                if at >= end {
                    break Landing::Next(at);
                }
            }
            Some(b']') => break Landing::End(i + 1),
            _ => break Landing::Fail,
        }
    };
    Walk { spans, landing }
}

/// The first `{` in `from..to` after a comma (and white space): in a features array, most
/// likely the start of a feature.
fn guess_element_start(b: &[u8], from: usize, to: usize) -> Option<usize> {
    let mut i = from;
    while let Some(k) = b[i..to].iter().position(|&c| c == b'{') {
        let at = i + k;
        let before = b[..at]
            .iter()
            .rev()
            .find(|c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'));
        if before == Some(&b',') {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// `i` at an opening quote; the index after the closing one.
fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        i += b.get(i..)?.iter().position(|&c| c == b'"' || c == b'\\')?;
        match b[i] {
            b'"' => return Some(i + 1),
            _ => i += 2,
        }
    }
}

/// `i` at the start of a value; the index after it.
pub(super) fn value_end(b: &[u8], mut i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => container_end(b, i),
        _ => {
            let start = i;
            while !matches!(
                b.get(i),
                None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            ) {
                i += 1;
            }
            (i > start).then_some(i)
        }
    }
}

/// `i` at `{` or `[`; the index after its closing bracket.
///
/// This is the scan's whole cost on a homes file, and it runs before the features can be
/// parsed in parallel, so it reads 64 bytes at a time as bit masks (the technique of simdjson,
/// which as a crate parses whole documents and gives no places of elements): a quote not
/// escaped flips "inside a string" (a prefix XOR of the quote bits), and only brackets outside
/// strings move the depth. A byte at a time it took 12 instructions per byte of a homes file.
fn container_end(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    // All ones while a string runs on from the previous block.
    let mut in_string = 0u64;
    let mut escape_carry = false;
    let mut at = i;
    while at < b.len() {
        let m = Masks::of(&block(b, at));
        let quotes = m.quote & !escaped(m.backslash, &mut escape_carry);
        let inside = prefix_xor(quotes) ^ in_string;
        in_string = 0u64.wrapping_sub(inside >> 63);
        let opens = m.open & !inside;
        let closes = m.close & !inside;
        // Most blocks cannot close the value: fewer closing brackets than the depth.
        if (closes.count_ones() as usize) < depth {
            depth = depth + opens.count_ones() as usize - closes.count_ones() as usize;
        } else {
            let mut brackets = opens | closes;
            while brackets != 0 {
                let k = brackets.trailing_zeros();
                if opens >> k & 1 == 1 {
                    depth += 1;
                } else {
                    depth -= 1;
                    if depth == 0 {
                        return Some(at + k as usize + 1);
                    }
                }
                brackets &= brackets - 1;
            }
        }
        at += 64;
    }
    None
}

/// The 64 bytes from `at`, padded with spaces (which no mask picks) past the end.
fn block(b: &[u8], at: usize) -> [u8; 64] {
    match b.get(at..at + 64) {
        Some(s) => s.try_into().expect("64 bytes"),
        None => {
            let mut out = [b' '; 64];
            out[..b.len() - at].copy_from_slice(&b[at..]);
            out
        }
    }
}

/// One bit per byte of a block, lowest bit first.
#[derive(Debug, PartialEq)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// `{` and `[`.
    open: u64,
    /// `}` and `]`.
    close: u64,
}

impl Masks {
    /// With SSE2, which every x86-64 processor has: 16 bytes compared at once.
    #[cfg(target_arch = "x86_64")]
    fn of(block: &[u8; 64]) -> Masks {
        use std::arch::x86_64::*;
        let mut m = Masks {
            quote: 0,
            backslash: 0,
            open: 0,
            close: 0,
        };
        for (n, part) in block.chunks_exact(16).enumerate() {
            // SAFETY: SSE2 is part of x86-64, so every x86-64 processor runs these; `part` is
            // 16 readable bytes and the load has no alignment requirement.
            let [quote, backslash, open, close] = unsafe {
                let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
                // `{` `[` and `}` `]` differ only in the bit 0x20.
                let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
                [(v, b'"'), (v, b'\\'), (folded, b'{'), (folded, b'}')].map(|(w, c)| {
                    _mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_set1_epi8(c as i8))) as u16
                })
            };
            let at = |bits: u16| u64::from(bits) << (16 * n);
            m.quote |= at(quote);
            m.backslash |= at(backslash);
            m.open |= at(open);
            m.close |= at(close);
        }
        m
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn of(block: &[u8; 64]) -> Masks {
        Masks::bytewise(block)
    }

    /// A byte at a time: the other processors' masks, and the reference in tests.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn bytewise(block: &[u8; 64]) -> Masks {
        let bits = |pick: &dyn Fn(u8) -> bool| {
            block
                .iter()
                .enumerate()
                .filter(|(_, &c)| pick(c))
                .fold(0u64, |m, (k, _)| m | 1 << k)
        };
        Masks {
            quote: bits(&|c| c == b'"'),
            backslash: bits(&|c| c == b'\\'),
            open: bits(&|c| c == b'{' || c == b'['),
            close: bits(&|c| c == b'}' || c == b']'),
        }
    }
}

/// The bytes escaped by a backslash (the byte after each backslash that is not itself
/// escaped). `carry` says the block before ended with an escaping backslash, and is set when
/// this one does. Backslashes are rare outside text with quotes or paths, so they are walked
/// one by one.
fn escaped(mut backslash: u64, carry: &mut bool) -> u64 {
    let mut escaped = 0;
    if std::mem::take(carry) {
        escaped = 1;
        backslash &= !1;
    }
    while backslash != 0 {
        let k = backslash.trailing_zeros();
        if k == 63 {
            *carry = true;
            break;
        }
        escaped |= 2 << k;
        // The escaped byte, a backslash or not, escapes nothing.
        backslash &= !(3 << k);
    }
    escaped
}

/// Bit `k` is the XOR of bits `0..=k`: set from an opening quote up to (not including) its
/// closing one.
fn prefix_xor(mut x: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use serde_json::Value;

    /// A scan's `crs` member and features, each parsed by serde_json.
    type Found = Option<(Option<Value>, Vec<Value>)>;

    /// The scan of `text` in pieces of `piece` bytes, each walk reading `reach` bytes past.
    fn scanned(text: &str, piece: usize, reach: usize) -> Found {
        let s = collection_in_pieces(text.as_bytes(), piece, reach, &())?;
        let value = |b: &[u8]| serde_json::from_slice::<Value>(b).unwrap();
        let features = s
            .features
            .iter()
            .map(|f| value(&text.as_bytes()[f.start()..f.end()]))
            .collect();
        Some((s.crs.as_deref().map(value), features))
    }

    /// What serde_json finds in the whole document: the independent reading.
    fn whole(text: &str) -> Found {
        let doc: Value = serde_json::from_str(text).ok()?;
        let features = doc.get("features")?.as_array()?.clone();
        Some((doc.get("crs").cloned(), features))
    }

    fn feature() -> impl Strategy<Value = String> {
        // Strings with brackets, escaped quotes and backslashes, numbers, nesting.
        (
            "[a-z{}\\[\\], ]{0,6}",
            any::<bool>(),
            -1e6f64..1e6,
            0usize..3,
        )
            .prop_map(|(name, escape, x, ws)| {
                let name = if escape {
                    format!("{name}\\\"\\\\")
                } else {
                    name
                };
                let pad = " \n\t".repeat(ws);
                format!(
                    "{{{pad}\"type\":\"Feature\",\"properties\":{{\"n\":\"{name}\",\"v\":[1,{{\"a\":[]}}]}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{x},{x}]}}{pad}}}"
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn scan_finds_what_serde_json_finds(
            features in proptest::collection::vec(feature(), 0..12),
            crs_first in any::<bool>(),
            with_crs in any::<bool>(),
            piece in 1usize..64,
            reach in 0usize..200,
            ws in 0usize..3,
        ) {
            let pad = " \r\n".repeat(ws);
            let crs = r#""crs":{"type":"name","properties":{"name":"EPSG:28992"}}"#;
            let body = format!("\"features\":[{pad}{}{pad}]", features.join(&format!("{pad},{pad}")));
            let members = match (with_crs, crs_first) {
                (false, _) => vec![r#""type":"FeatureCollection""#.to_string(), body],
                (true, true) => vec![crs.to_string(), r#""type":"FeatureCollection""#.to_string(), body],
                (true, false) => vec![r#""type":"FeatureCollection""#.to_string(), body, crs.to_string()],
            };
            let text = format!("{pad}{{{pad}{}{pad}}}{pad}", members.join(&format!("{pad},{pad}")));
            let expected = whole(&text);
            prop_assert!(expected.is_some());
            prop_assert_eq!(scanned(&text, piece, reach), expected);
            // A truncated document is no collection (the whole parse reports it).
            let cut = &text[..text.len() * 2 / 3];
            prop_assert!(whole(cut).is_none());
            prop_assert!(scanned(cut, piece, reach).is_none());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn pieces_walk_as_one_walk_does(
            // Feature texts whose strings hold `,{` (a wrong guess), escaped quotes and
            // backslashes, so that every kind of byte meets the piece edges.
            features in proptest::collection::vec(feature(), 0..16),
            commas in proptest::collection::vec("[ \n]{0,2},[ \n]{0,2}", 16),
            piece in 1usize..64,
            reach in 0usize..200,
            // The text broken at one place, so that walks also meet what is not JSON.
            at in any::<proptest::sample::Index>(),
            edit in 0usize..4,
            byte in prop_oneof![Just(b'"'), Just(b'\\'), Just(b','), Just(b'{'), Just(b'}'), Just(b']'), Just(b' ')],
        ) {
            let mut body = String::new();
            for (k, f) in features.iter().enumerate() {
                if k > 0 {
                    body += &commas[k];
                }
                body += f;
            }
            let text = format!(r#"{{"type":"FeatureCollection","features":[{body}]}}"#);
            let mut b = text.into_bytes();
            let k = at.index(b.len());
            match edit {
                1 => b.truncate(k),
                2 => b.insert(k, byte),
                3 => {
                    b.remove(k);
                }
                _ => {}
            }
            let one_walk = collection_in_pieces(&b, usize::MAX, usize::MAX, &());
            if edit == 0 {
                prop_assert_eq!(one_walk.as_ref().map(|s| s.features.len()), Some(features.len()));
            }
            prop_assert_eq!(collection_in_pieces(&b, piece, reach, &()), one_walk);
        }
    }

    #[test]
    fn walks_from_good_guesses_are_taken() {
        // Plain features: every piece's guess is a feature start, and the walks joined in
        // order are the walk of the whole array.
        let feature = r#"{"type":"Feature","properties":{"home_id":"h1"},"geometry":{"type":"Point","coordinates":[1.5,2.5]}}"#;
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            vec![feature; 1000].join(",\n")
        );
        let b = text.as_bytes();
        let start = text.find('[').unwrap();
        let first = start + 1;
        let ends: Vec<usize> = (first..b.len()).step_by(4096).skip(1).collect();
        let mut taken = 0;
        let mut at = first;
        for (k, &end) in ends.iter().enumerate() {
            let from = if k == 0 { first } else { ends[k - 1] };
            let guess = guess_element_start(b, from, end);
            let w = walk(b, at, end, b.len());
            taken += usize::from(k > 0 && guess == Some(at));
            let Landing::Next(next) = w.landing else {
                panic!("the array ends in the last piece")
            };
            at = next;
        }
        assert_eq!(taken, ends.len() - 1);
        assert_eq!(collection(b, &()).unwrap().features.len(), 1000);
    }

    /// A container's end found a byte at a time, following strings, escapes and brackets:
    /// the independent reading of the masks.
    fn container_end_bytewise(b: &[u8], i: usize) -> Option<usize> {
        let (mut depth, mut k, mut in_string) = (0usize, i, false);
        while k < b.len() {
            match (in_string, b[k]) {
                (true, b'\\') => k += 1,
                (_, b'"') => in_string = !in_string,
                (false, b'{' | b'[') => depth += 1,
                (false, b'}' | b']') => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(k + 1);
                    }
                }
                _ => {}
            }
            k += 1;
        }
        None
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn masks_find_the_end_a_byte_at_a_time_finds(
            // Brackets and strings of brackets and escapes, so that runs of backslashes,
            // quotes and brackets meet the 64-byte block edges in every way.
            body in proptest::collection::vec(prop_oneof![
                Just("{".to_string()),
                Just("}".to_string()),
                Just("[".to_string()),
                Just("]".to_string()),
                Just("a".to_string()),
                "\"([a{}\\[\\]]|\\\\[\\\\\"]){0,20}\"",
            ], 0..60),
            closing in "[}\\]]{0,8}",
        ) {
            let text = format!("{{{}{closing}", body.concat());
            prop_assert_eq!(container_end(text.as_bytes(), 0), container_end_bytewise(text.as_bytes(), 0));
            let bytes: Vec<u8> = text.bytes().chain(std::iter::repeat(b'x')).take(64).collect();
            let block: [u8; 64] = bytes.try_into().unwrap();
            prop_assert_eq!(Masks::of(&block), Masks::bytewise(&block));
        }
    }

    #[test]
    fn escapes_and_strings_across_block_edges() {
        // A backslash as the 64th byte of a block escapes the first byte of the next one.
        for pad in 0..70 {
            let a = "a".repeat(pad);
            for text in [
                format!("[\"{a}\\\"]\"]"),
                format!("[\"{a}\\\\\"]\"]"),
                format!("{{\"{a}}}\":[{{}}]}}]"),
            ] {
                assert_eq!(
                    container_end(text.as_bytes(), 0),
                    container_end_bytewise(text.as_bytes(), 0),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn not_a_collection_and_duplicates_are_left_to_serde() {
        for text in [
            r#"{"type":"Feature","properties":{},"geometry":null}"#,
            r#"{"type":"FeatureCollection","features":[],"features":[]}"#,
            r#"{"type":"FeatureCollection","features":[{}]} x"#,
            r#"{"type":"FeatureCollection","features":[{}"#,
            "",
            "{}",
        ] {
            assert!(scanned(text, 3, 3).is_none(), "{text}");
        }
    }
}
