//! A structural scan of a FeatureCollection: where its features and its `crs` member are, so
//! that the features can be parsed in parallel (serde_json parses one document on one thread;
//! a 1.2 GB file of 8 M homes took most of a minute that way). Only strings, escapes and
//! nesting are followed; serde_json still validates every piece. `None` for anything else (a
//! Feature, a bare Geometry, a syntax error), which then takes the whole-document path.
//!
//! The scan reads through a window of a few MB, so a file of any size is scanned without being
//! held whole; bytes already in memory are scanned the same way (through a `Cursor`).

use std::io::{self, Read};

/// Where one feature's text lies in the file: start and length packed in 8 bytes (a
/// country's homes layer has millions of features).
#[derive(Clone, Copy, Debug)]
pub(super) struct Span(u64);

impl Span {
    const LEN_BITS: u32 = 24;

    /// `None` beyond 1 TB into the file or for a feature of 16 MB or more (such a file
    /// is read whole instead).
    fn new(start: u64, len: usize) -> Option<Span> {
        let len = u64::try_from(len)
            .ok()
            .filter(|l| *l < 1 << Self::LEN_BITS)?;
        (start < 1 << (64 - Self::LEN_BITS)).then_some(Span(start << Self::LEN_BITS | len))
    }

    pub(super) fn start(self) -> u64 {
        self.0 >> Self::LEN_BITS
    }

    pub(super) fn len(self) -> usize {
        (self.0 & ((1 << Self::LEN_BITS) - 1)) as usize
    }

    pub(super) fn end(self) -> u64 {
        self.start() + self.len() as u64
    }
}

/// A FeatureCollection scanned from a file: its `crs` member's text and its features' places.
pub(super) struct Streamed {
    pub crs: Option<Vec<u8>>,
    pub features: Vec<Span>,
}

/// Bytes read from the file at a time.
const BLOCK: usize = 4 << 20;

/// A window on a file read front to back: `buf` holds the file from offset `base`.
struct Window<R> {
    file: R,
    block: usize,
    buf: Vec<u8>,
    base: u64,
    eof: bool,
}

impl<R: Read> Window<R> {
    /// Appends the next block (a larger one when a single value outgrows the window);
    /// false at the end of the file.
    fn more(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let want = if self.buf.len() < 2 * self.block {
            self.block
        } else {
            self.buf.len()
        };
        // Read into the spare room: zeroing it first costs as much again.
        self.buf.reserve_exact(want);
        let read = (&mut self.file)
            .take(want as u64)
            .read_to_end(&mut self.buf)?;
        self.eof = read < want;
        Ok(read > 0)
    }

    /// Forgets the bytes before `i`.
    fn consume(&mut self, i: usize) {
        self.buf.drain(..i);
        self.base += i as u64;
    }

    /// The byte at `i`, reading on as needed; `None` past the end of the file.
    fn at(&mut self, i: usize) -> io::Result<Option<u8>> {
        while self.buf.len() <= i && self.more()? {}
        Ok(self.buf.get(i).copied())
    }

    /// `end(buf)` once its answer no longer runs into the end of the window (or the file
    /// has ended): the scan functions stop at the window's end as at the end of a file.
    fn complete(&mut self, end: impl Fn(&[u8]) -> Option<usize>) -> io::Result<Option<usize>> {
        loop {
            match end(&self.buf) {
                Some(e) if e < self.buf.len() || self.eof => return Ok(Some(e)),
                None if self.eof => return Ok(None),
                _ => {
                    self.more()?;
                }
            }
        }
    }

    fn ws(&mut self, i: usize) -> io::Result<usize> {
        Ok(self.complete(|b| Some(ws(b, i)))?.unwrap_or(i))
    }
}

/// Scans a FeatureCollection read from `file`; hands the file back for reading the features.
/// `None` for anything but a FeatureCollection (or one the scan cannot follow: duplicate
/// members, trailing text) and for a feature of 16 MB or more.
pub(super) fn stream<R: Read>(file: R) -> io::Result<Option<(Streamed, R)>> {
    stream_in_blocks(file, BLOCK)
}

fn stream_in_blocks<R: Read>(file: R, block: usize) -> io::Result<Option<(Streamed, R)>> {
    let mut w = Window {
        file,
        block,
        buf: Vec::new(),
        base: 0,
        eof: false,
    };
    let mut i = w.ws(0)?;
    if w.at(i)? != Some(b'{') {
        return Ok(None);
    }
    i = w.ws(i + 1)?;
    if w.at(i)? == Some(b'}') {
        return Ok(None);
    }
    let (mut crs, mut kind, mut features) = (None, None, None);
    loop {
        if w.at(i)? != Some(b'"') {
            return Ok(None);
        }
        let Some(key_end) = w.complete(|b| string_end(b, i))? else {
            return Ok(None);
        };
        let key = w.buf[i + 1..key_end - 1].to_vec();
        i = w.ws(key_end)?;
        if w.at(i)? != Some(b':') {
            return Ok(None);
        }
        let start = w.ws(i + 1)?;
        let end = if key == b"features" {
            let Some((spans, end)) = stream_elements(&mut w, start)? else {
                return Ok(None);
            };
            if features.replace(spans).is_some() {
                return Ok(None); // a duplicate member: let serde decide
            }
            end
        } else {
            let Some(end) = w.complete(|b| value_end(b, start))? else {
                return Ok(None);
            };
            let slot = match key.as_slice() {
                b"crs" => &mut crs,
                b"type" => &mut kind,
                _ => &mut None,
            };
            if slot.replace(w.buf[start..end].to_vec()).is_some() {
                return Ok(None);
            }
            end
        };
        i = w.ws(end)?;
        match w.at(i)? {
            Some(b',') => i = w.ws(i + 1)?,
            Some(b'}') => break,
            _ => return Ok(None),
        }
        w.consume(i);
        i = 0;
    }
    if w.ws(i + 1)? != w.buf.len() || kind.as_deref() != Some(b"\"FeatureCollection\"") {
        return Ok(None);
    }
    let Some(features) = features else {
        return Ok(None);
    };
    Ok(Some((Streamed { crs, features }, w.file)))
}

/// The places of an array's elements, the array starting at `i`; and the window index
/// after the array (the window moves on while the elements are read).
fn stream_elements<R: Read>(
    w: &mut Window<R>,
    mut i: usize,
) -> io::Result<Option<(Vec<Span>, usize)>> {
    if w.at(i)? != Some(b'[') {
        return Ok(None);
    }
    let mut out = Vec::new();
    i = w.ws(i + 1)?;
    if w.at(i)? == Some(b']') {
        return Ok(Some((out, i + 1)));
    }
    loop {
        if i >= w.block / 2 {
            w.consume(i);
            i = 0;
        }
        let Some(end) = w.complete(|b| value_end(b, i))? else {
            return Ok(None);
        };
        let Some(span) = Span::new(w.base + i as u64, end - i) else {
            return Ok(None);
        };
        out.push(span);
        i = w.ws(end)?;
        match w.at(i)? {
            Some(b',') => i = w.ws(i + 1)?,
            Some(b']') => return Ok(Some((out, i + 1))),
            _ => return Ok(None),
        }
    }
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
    type Scanned = Option<(Option<Value>, Vec<Value>)>;

    /// The scan of `text` in blocks of `block` bytes.
    fn streamed(text: &str, block: usize) -> Scanned {
        let (s, _) = stream_in_blocks(io::Cursor::new(text.as_bytes()), block).unwrap()?;
        let value = |b: &[u8]| serde_json::from_slice::<Value>(b).unwrap();
        let features = s
            .features
            .iter()
            .map(|f| value(&text.as_bytes()[f.start() as usize..f.end() as usize]))
            .collect();
        Some((s.crs.as_deref().map(value), features))
    }

    /// What serde_json finds in the whole document: the independent reading.
    fn whole(text: &str) -> Scanned {
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
            block in 1usize..64,
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
            prop_assert_eq!(streamed(&text, block), expected);
            // A truncated document is no collection (the whole parse reports it).
            let cut = &text[..text.len() * 2 / 3];
            prop_assert!(whole(cut).is_none());
            prop_assert!(streamed(cut, block).is_none());
        }
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
            assert!(streamed(text, 3).is_none(), "{text}");
        }
    }
}
