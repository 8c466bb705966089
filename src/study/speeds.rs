//! Walking time: norms written as minutes or seconds, and the walking speed per band that turns
//! them into metres (`[network] speed_m_s`).
//!
//! A time norm is converted once, at resolution: every stage after it works in metres, so a norm
//! of "2 min" for 0-5 at 0.88 m/s is a norm of 105.6 m everywhere, and the outputs can still say
//! how many minutes a child walks.

use std::collections::BTreeMap;

use super::norms::age_range;
use crate::error::shown;

/// Default walking speeds per age band, m/s. They are defaults to adjust: see docs/STUDY.md
/// (`[network] speed_m_s`) for their sources.
pub const DEFAULT_SPEEDS_M_S: &[(&str, f64)] = &[("0-5", 0.88), ("6-11", 1.1), ("12-17", 1.3)];

/// The default for a band with no age range (`"all"`): the middle band's speed.
pub const DEFAULT_SPEED_ALL_M_S: f64 = 1.1;

/// A norm as the study gives it: metres, or a walking time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NormValue {
    Metres(f64),
    Minutes(f64),
}

/// Reads a walking time: a number above 0 followed by `min` or `s` ("2 min", "2min", "90 s",
/// "1.5 min"); the minutes, or `None` for anything else.
pub fn parse_minutes(text: &str) -> Option<f64> {
    let t = text.trim();
    let (number, per_minute) = if let Some(n) = t.strip_suffix("min") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 60.0)
    } else {
        return None;
    };
    let number = number.trim();
    // Rust would also read "inf", "nan" and "+5": a time is plain digits with at most one point.
    if number.is_empty()
        || !number.chars().all(|c| c.is_ascii_digit() || c == '.')
        || number.matches('.').count() > 1
    {
        return None;
    }
    let v: f64 = number.parse().ok()?;
    (v > 0.0 && v.is_finite()).then_some(v / per_minute)
}

/// The walking speed of each band: the study's `[network] speed_m_s`, else the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WalkingSpeeds {
    given: BTreeMap<String, f64>,
}

/// Where a band's speed comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed {
    pub m_s: f64,
    /// Set by the study file (else a default).
    pub given: bool,
}

impl WalkingSpeeds {
    /// Checks the study's speeds: each above 0 and at most 10 m/s (a sprinter's speed: anything
    /// higher is a unit mistake, km/h for m/s).
    pub fn new(given: &BTreeMap<String, f64>) -> Result<WalkingSpeeds, String> {
        for (band, v) in given {
            if !v.is_finite() || *v <= 0.0 || *v > 10.0 {
                return Err(format!(
                    "[network] speed_m_s.\"{band}\" = {}: a walking speed is metres per second, above 0 and at most 10 (1.1 m/s is about 4 km/h)",
                    shown(*v)
                ));
            }
        }
        Ok(WalkingSpeeds {
            given: given.clone(),
        })
    }

    /// The bands the study gives a speed for.
    pub fn given_bands(&self) -> impl Iterator<Item = &String> {
        self.given.keys()
    }

    /// The speed of a band: the study's for the band, else the study's `all`, else the default
    /// for the band, else the default of the band holding the middle of its age range, else
    /// (no age range) [`DEFAULT_SPEED_ALL_M_S`].
    pub fn of(&self, band: &str) -> Speed {
        if let Some(v) = self.given.get(band).or_else(|| self.given.get("all")) {
            return Speed {
                m_s: *v,
                given: true,
            };
        }
        let default = DEFAULT_SPEEDS_M_S
            .iter()
            .find(|(b, _)| *b == band)
            .map(|(_, v)| *v)
            .or_else(|| {
                let (lo, hi) = age_range(band)?;
                let mid = (lo + hi) / 2.0;
                DEFAULT_SPEEDS_M_S
                    .iter()
                    .filter_map(|(b, v)| age_range(b).map(|(a, z)| (a, z, *v)))
                    .find(|(a, z, _)| mid >= *a && mid < z + 1.0)
                    .or_else(|| (mid >= 18.0).then_some((12.0, 17.0, 1.3)))
                    .map(|(_, _, v)| v)
            })
            .unwrap_or(DEFAULT_SPEED_ALL_M_S);
        Speed {
            m_s: default,
            given: false,
        }
    }
}

impl NormValue {
    /// Reads a norm: a number of metres, or a time as text.
    pub fn read(kind: &str, band: &str, v: &toml::Value) -> Result<NormValue, String> {
        let value = match v {
            toml::Value::String(s) => NormValue::Minutes(parse_minutes(s).ok_or_else(|| {
                format!(
                    "[norms] {kind}.\"{band}\" = \"{s}\": a time norm is minutes or seconds above 0, e.g. \"5 min\", \"1.5 min\" or \"90 s\""
                )
            })?),
            _ => NormValue::Metres(
                v.as_float()
                    .or_else(|| v.as_integer().map(|i| i as f64))
                    .ok_or_else(|| {
                        format!(
                            "[norms] {kind}.\"{band}\": expected a distance in metres or a time such as \"5 min\", found {v}"
                        )
                    })?,
            ),
        };
        if let NormValue::Metres(m) = value {
            if !m.is_finite() || m <= 0.0 {
                return Err(format!(
                    "[norms] {kind}.\"{band}\" = {}: a norm must be a distance above 0 m",
                    shown(m)
                ));
            }
        }
        Ok(value)
    }

    /// The norm in metres for a child of `band`.
    pub fn metres(self, band: &str, speeds: &WalkingSpeeds) -> f64 {
        match self {
            NormValue::Metres(m) => m,
            NormValue::Minutes(min) => min * 60.0 * speeds.of(band).m_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_people_write_them() {
        assert_eq!(parse_minutes("2 min"), Some(2.0));
        assert_eq!(parse_minutes("2min"), Some(2.0));
        assert_eq!(parse_minutes(" 1.5 min "), Some(1.5));
        assert_eq!(parse_minutes("90 s"), Some(1.5));
        assert_eq!(parse_minutes("45s"), Some(0.75));
        for bad in [
            "2 hours",
            "2",
            "min",
            "-2 min",
            "0 min",
            "inf min",
            "nan s",
            "1.2.3 min",
            "2 mins",
            "+2 min",
            "",
        ] {
            assert_eq!(parse_minutes(bad), None, "{bad}");
        }
    }

    #[test]
    fn speeds_by_band_then_all_then_age() {
        let s = WalkingSpeeds::default();
        assert_eq!(s.of("0-5").m_s, 0.88);
        // Helsinki's 7-12 holds its middle (9.5) in 6-11; 13-15 in 12-17; 0-6 in 0-5.
        assert_eq!(s.of("7-12").m_s, 1.1);
        assert_eq!(s.of("13-15").m_s, 1.3);
        assert_eq!(s.of("0-6").m_s, 0.88);
        assert_eq!(s.of("all").m_s, DEFAULT_SPEED_ALL_M_S);
        assert!(!s.of("all").given);
        let given: BTreeMap<String, f64> =
            [("0-5".to_string(), 0.7), ("all".to_string(), 1.2)].into();
        let s = WalkingSpeeds::new(&given).unwrap();
        assert_eq!(
            s.of("0-5"),
            Speed {
                m_s: 0.7,
                given: true
            }
        );
        assert_eq!(
            s.of("6-11"),
            Speed {
                m_s: 1.2,
                given: true
            }
        );
        for bad in [0.0, -1.0, f64::NAN, 15.0] {
            let given: BTreeMap<String, f64> = [("0-5".to_string(), bad)].into();
            let e = WalkingSpeeds::new(&given).unwrap_err();
            assert!(e.contains("speed_m_s.\"0-5\""), "{e}");
        }
    }

    #[test]
    fn a_time_norm_is_minutes_times_sixty_times_the_speed() {
        let s = WalkingSpeeds::default();
        let v = NormValue::read("playground", "0-5", &toml::Value::from("2 min")).unwrap();
        // 2 min x 60 s x 0.88 m/s = 105.6 m.
        assert!((v.metres("0-5", &s) - 105.6).abs() < 1e-9);
        let e = NormValue::read("playground", "0-5", &toml::Value::from("2 hours")).unwrap_err();
        assert!(
            e.contains("[norms] playground.\"0-5\" = \"2 hours\""),
            "{e}"
        );
        let e = NormValue::read("playground", "0-5", &toml::Value::from(-3)).unwrap_err();
        assert!(e.contains("above 0 m"), "{e}");
    }
}
