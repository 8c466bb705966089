//! Which ages an amenity serves, and whether that includes a band of children.
//!
//! Ages are whole years, inclusive: "0-5" is the six years 0, 1, 2, 3, 4 and 5. An amenity's ages
//! are a set of years (the union of its ranges); a band is served when at least half of the band's
//! years are in that set: `2 x |ages ∩ band| >= |band|`. So "0-12" serves 0-5 (6 of 6 years) and
//! 6-11 (6 of 6) but not 12-17 (1 of 6); "0-2" serves 0-5 (3 of 6: exactly half), "0-1" does not;
//! "12+" serves 12-17. The years of a band come from its name, read as band names
//! are read for band splitting ([`super::norms::age_range`]); the band "all" (children counted in
//! one field, under a norm for every age) is the years 0-17.

use super::band_names::with_hyphens;
use super::norms::{age_range, BandNorm};

/// The oldest age an amenity's ages may name: older is a typo (a year, a capacity).
pub const MAX_AGE: u32 = 120;

/// The years "all" stands for: every child.
const ALL_CHILDREN: (u32, u32) = (0, 17);

/// A set of whole years of age, 0 to [`MAX_AGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Years(u128);

impl Years {
    /// The years `from` to `to`, both included (`from <= to <= MAX_AGE`).
    pub fn range(from: u32, to: u32) -> Years {
        debug_assert!(from <= to && to <= MAX_AGE);
        let upto = |y: u32| -> u128 {
            if y >= 127 {
                u128::MAX
            } else {
                (1u128 << (y + 1)) - 1
            }
        };
        Years(upto(to) & !(upto(from) >> 1))
    }

    pub fn union(self, other: Years) -> Years {
        Years(self.0 | other.0)
    }

    /// Whether the two sets share a year.
    pub fn overlaps(self, other: Years) -> bool {
        self.0 & other.0 != 0
    }

    /// How many years the set holds.
    pub fn count(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether an amenity for these ages serves a band of `band` years: they share at least half
    /// of the band's years.
    pub fn serves(self, band: Years) -> bool {
        2 * Years(self.0 & band.0).count() >= band.count()
    }
}

/// The years of a band name ("0-5", "12+", "all"); `None` for a name that holds no age.
pub fn band_years(name: &str) -> Option<Years> {
    if name == "all" {
        return Some(Years::range(ALL_CHILDREN.0, ALL_CHILDREN.1));
    }
    let (lo, hi) = age_range(name)?;
    let (lo, hi) = (lo as u32, hi as u32);
    (lo <= hi && hi <= MAX_AGE).then(|| Years::range(lo, hi))
}

/// The years a norm band judges: its label's, without the children band a duplicate label is
/// prefixed with ("0-14:0-5" judges 0-5).
pub fn norm_band_years(band: &BandNorm) -> Option<Years> {
    band_years(band.label.rsplit(':').next().unwrap_or(&band.label))
}

/// Words a municipal target group may carry after its ages ("0-5 jaar", "6-11 years").
const UNIT_WORDS: [&str; 6] = ["jaar", "years", "year", "yrs", "y", "j"];

/// An amenity's ages as a feature gives them: ranges such as "0-5", "12+", "6" or "6-11 jaar",
/// several separated by ";" ("0-5;6-11"), or by a comma followed by a space ("0-5, 6-11"). Empty
/// text is `None`: every band. The message says what is wrong with the value.
///
/// A comma between two digits ("2,5-5 jaar") is refused: in Dutch it is a decimal comma, and read
/// as a list it would give the ages 2 and 5, serving nobody.
pub fn parse_ages(text: &str) -> Result<Option<Years>, String> {
    let text = with_hyphens(text);
    if text.trim().is_empty() {
        return Ok(None);
    }
    let bytes = text.as_bytes();
    if (1..bytes.len().saturating_sub(1))
        .any(|i| bytes[i] == b',' && bytes[i - 1].is_ascii_digit() && bytes[i + 1].is_ascii_digit())
    {
        return Err(format!(
            "\"{}\" is not an age range: a comma between digits may be a decimal comma; write whole years as \"0-5\", and a list as \"0-5;6-11\"",
            text.trim()
        ));
    }
    let mut years = Years::default();
    for part in text.split([';', ',']) {
        years = years.union(parse_range(part)?);
    }
    Ok(Some(years))
}

/// One range of [`parse_ages`].
fn parse_range(part: &str) -> Result<Years, String> {
    let mut core = part.trim().to_lowercase();
    if let Some(unit) = UNIT_WORDS.iter().find(|u| {
        core.strip_suffix(*u).is_some_and(|rest| {
            rest.ends_with(|c: char| c.is_ascii_digit() || c == ' ' || c == '+')
        })
    }) {
        core.truncate(core.len() - unit.len());
    }
    let core = core.trim();
    let shape_ok = {
        let (numbers, plus) = match core.strip_suffix('+') {
            Some(rest) => (rest.trim_end(), true),
            None => (core, false),
        };
        let pieces: Vec<&str> = numbers.split('-').map(str::trim).collect();
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
        match pieces.as_slice() {
            [a] => digits(a),
            [a, b] => !plus && digits(a) && digits(b),
            _ => false,
        }
    };
    if core.is_empty() {
        return Err("an empty age range in a list; write e.g. \"0-5;6-11\"".into());
    }
    if core.starts_with('-') {
        return Err(format!(
            "\"{}\" is not an age range: ages cannot be negative",
            part.trim()
        ));
    }
    if !shape_ok {
        return Err(format!(
            "\"{}\" is not an age range; write whole years as \"0-5\", \"12+\", \"6\" or a list \"0-5;6-11\"",
            part.trim()
        ));
    }
    // The shape is checked: the numbers are read as band names are.
    let (lo, hi) = age_range(core).ok_or_else(|| format!("\"{}\" holds no age", part.trim()))?;
    if hi > MAX_AGE as f64 {
        return Err(format!(
            "\"{}\": an age above {MAX_AGE} is not an age",
            part.trim()
        ));
    }
    if lo > hi {
        return Err(format!(
            "\"{}\": the range runs backwards (from {lo} down to {hi}); write \"{hi}-{lo}\"",
            part.trim()
        ));
    }
    Ok(Years::range(lo as u32, hi as u32))
}

/// OpenStreetMap's `min_age` / `max_age` (either may be missing): `None` when both are, else the
/// years from `min_age` (0 without) to `max_age` (17, the last child's year, without). The message
/// says what is wrong with a value.
pub fn osm_ages(min_age: Option<&str>, max_age: Option<&str>) -> Result<Option<Years>, String> {
    let read = |key: &str, v: Option<&str>| -> Result<Option<u32>, String> {
        let Some(v) = v else { return Ok(None) };
        let t = v.trim();
        match t.parse::<u32>() {
            Ok(a) if a <= MAX_AGE => Ok(Some(a)),
            Ok(_) => Err(format!("{key}={v}: an age above {MAX_AGE} is not an age")),
            Err(_) => Err(format!("{key}={v}: not a whole number of years")),
        }
    };
    let (lo, hi) = (read("min_age", min_age)?, read("max_age", max_age)?);
    if lo.is_none() && hi.is_none() {
        return Ok(None);
    }
    let lo = lo.unwrap_or(0);
    let hi = hi.unwrap_or(ALL_CHILDREN.1.max(lo));
    if lo > hi {
        return Err(format!("min_age={lo} is above max_age={hi}"));
    }
    Ok(Some(Years::range(lo, hi)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn years(name: &str) -> Years {
        band_years(name).unwrap()
    }

    #[test]
    fn years_are_inclusive() {
        assert_eq!(years("0-5").count(), 6);
        assert_eq!(years("12-17").count(), 6);
        assert_eq!(years("all").count(), 18);
        assert_eq!(years("12+"), years("12-17"));
        assert_eq!(Years::range(0, MAX_AGE).count(), 121);
        assert_eq!(Years::range(120, 120).count(), 1);
        assert_eq!(band_years("toddlers"), None);
    }

    #[test]
    fn a_range_serves_a_band_it_overlaps_by_half_of_the_band_years() {
        let ages = |t: &str| parse_ages(t).unwrap().unwrap();
        // 0-12 with 12-17: the year 12 only, 1 of 6.
        assert!(ages("0-12").serves(years("0-5")));
        assert!(ages("0-12").serves(years("6-11")));
        assert!(!ages("0-12").serves(years("12-17")));
        // Exactly half is enough: 0-2 holds 3 of the 6 years of 0-5; 0-1 holds 2.
        assert!(ages("0-2").serves(years("0-5")));
        assert!(!ages("0-1").serves(years("0-5")));
        // 6+ (6-17) serves 6-11 and 12-17, not 0-5; 12+ not 6-11.
        assert!(!ages("6+").serves(years("0-5")));
        assert!(ages("6+").serves(years("12-17")));
        assert!(!ages("12+").serves(years("6-11")));
        // A list is the union of its years: 4-5 and 9-10 hold 2 of 0-5 (no) and 2 of 6-11.
        assert!(!ages("4-5;9-10").serves(years("0-5")));
        assert!(ages("0-3; 4-5").serves(years("0-5")));
        // Helsinki's bands: 0-5 holds 6 of 0-6's 7 years; 6-11 holds 6 of 7-12's.
        assert!(ages("0-5").serves(years("0-6")));
        assert!(ages("6-11").serves(years("7-12")));
        assert!(!ages("0-5").serves(years("7-12")));
        // "all" is 0-17: a toddler playground holds 6 of its 18 years.
        assert!(!ages("0-5").serves(years("all")));
        assert!(ages("0-11").serves(years("all")));
    }

    #[test]
    fn ages_as_planners_write_them() {
        let ages = |t: &str| parse_ages(t).unwrap();
        assert_eq!(ages(""), None);
        assert_eq!(ages("  "), None);
        assert_eq!(ages("0-5"), Some(Years::range(0, 5)));
        assert_eq!(ages("0 - 5 jaar"), Some(Years::range(0, 5)));
        assert_eq!(ages("6–11"), Some(Years::range(6, 11)));
        assert_eq!(ages("12+"), Some(Years::range(12, 17)));
        assert_eq!(ages("6"), Some(Years::range(6, 6)));
        assert_eq!(
            ages("0-5;12-17"),
            Some(Years::range(0, 5).union(Years::range(12, 17)))
        );
        assert_eq!(ages("0-5, 6-11"), Some(Years::range(0, 11)));
    }

    #[test]
    fn malformed_ages_say_what_is_wrong() {
        for (text, says) in [
            ("5-3", "runs backwards"),
            ("abc", "not an age range"),
            ("-1", "cannot be negative"),
            ("0-150", "above 120"),
            ("2.5-5", "not an age range"),
            ("0-5;", "empty age range"),
            ("0-5-9", "not an age range"),
            ("5+-9", "not an age range"),
            ("12 ans", "not an age range"),
            ("2,5-5 jaar", "decimal comma"),
            ("0-5,6-11", "decimal comma"),
        ] {
            let e = parse_ages(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn osm_min_and_max_age() {
        assert_eq!(osm_ages(None, None), Ok(None));
        assert_eq!(osm_ages(Some("0"), Some("6")), Ok(Some(Years::range(0, 6))));
        assert_eq!(osm_ages(Some("12"), None), Ok(Some(Years::range(12, 17))));
        assert_eq!(osm_ages(Some("18"), None), Ok(Some(Years::range(18, 18))));
        assert_eq!(osm_ages(None, Some("5")), Ok(Some(Years::range(0, 5))));
        assert!(osm_ages(Some("7"), Some("3"))
            .unwrap_err()
            .contains("above"));
        assert!(osm_ages(Some("3 years"), None)
            .unwrap_err()
            .contains("whole number"));
        assert!(osm_ages(None, Some("200"))
            .unwrap_err()
            .contains("above 120"));
    }
}
