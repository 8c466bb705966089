//! How a language writes its numbers: "1,062.5" in English, "1.062,5" in Dutch. Every figure
//! the reader sees (report, `summary.md`, the terminal, the stages' sentences) is written here;
//! the data files (CSV, GeoJSON, `run.json`) keep the one machine format of
//! [`crate::output::table`], whatever the language.

use super::Language;

/// The decimal mark and the thousands separator of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberStyle {
    pub decimal: char,
    pub thousands: char,
}

impl NumberStyle {
    /// The style a reader of `language` expects (Dutch: Taalunie, "1.062,5").
    pub fn of(language: Language) -> NumberStyle {
        match language {
            Language::En => NumberStyle {
                decimal: '.',
                thousands: ',',
            },
            Language::Nl => NumberStyle {
                decimal: ',',
                thousands: '.',
            },
        }
    }

    /// `v` rounded to `decimals`, its whole part grouped by thousands; no minus sign on a value
    /// that rounds to zero ("0", not "-0").
    pub fn grouped(self, v: f64, decimals: usize) -> String {
        let digits = format!("{:.decimals$}", v.abs());
        let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
        let negative = v < 0.0 && digits.bytes().any(|b| (b'1'..=b'9').contains(&b));
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if negative {
            out.push('-');
        }
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(self.thousands);
            }
            out.push(digit);
        }
        if !fraction.is_empty() {
            out.push(self.decimal);
            out.push_str(fraction);
        }
        out
    }

    /// [`NumberStyle::grouped`], "–" when missing or not finite.
    pub fn num(self, v: Option<f64>, decimals: usize) -> String {
        match v.filter(|v| v.is_finite()) {
            Some(v) => self.grouped(v, decimals),
            None => "–".into(),
        }
    }

    /// A share 0..1 as a percentage with `decimals` decimals ("2.5%"), "–" when missing.
    pub fn pct(self, v: Option<f64>, decimals: usize) -> String {
        match v.filter(|v| v.is_finite()) {
            Some(v) => format!("{}%", self.grouped(v * 100.0, decimals)),
            None => "–".into(),
        }
    }

    /// A figure written as the machine writes it (no grouping, "." as decimal mark: "2.25",
    /// "5797", "12.3"), with this style's decimal mark.
    pub fn plain(self, machine: &str) -> String {
        if self.decimal == '.' {
            machine.to_string()
        } else {
            machine.replace('.', &self.decimal.to_string())
        }
    }

    /// "EUR 150,000": whole euros with thousands separators.
    pub fn eur(self, amount: f64) -> String {
        format!("EUR {}", self.grouped(amount, 0))
    }

    /// "EUR 56.73": an amount per child, where the cents matter; whole euros without cents.
    pub fn eur_cents(self, amount: f64) -> String {
        let cents = (amount * 100.0).round();
        if cents % 100.0 == 0.0 {
            self.eur(amount.round())
        } else {
            format!("EUR {}", self.grouped(cents / 100.0, 2))
        }
    }

    /// 2.25 rather than 2.2500000000000004.
    pub fn trim(self, value: f64) -> String {
        let text = format!("{value:.6}");
        self.plain(text.trim_end_matches('0').trim_end_matches('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: NumberStyle = NumberStyle {
        decimal: '.',
        thousands: ',',
    };
    const NL: NumberStyle = NumberStyle {
        decimal: ',',
        thousands: '.',
    };

    #[test]
    fn styles_follow_the_language() {
        assert_eq!(NumberStyle::of(Language::En), EN);
        assert_eq!(NumberStyle::of(Language::Nl), NL);
    }

    #[test]
    fn euros_are_grouped_by_thousands() {
        assert_eq!(EN.eur(150_000.0), "EUR 150,000");
        assert_eq!(EN.eur(7_500.0), "EUR 7,500");
        assert_eq!(EN.eur(999.6), "EUR 1,000");
        assert_eq!(EN.eur(0.0), "EUR 0");
        assert_eq!(EN.eur(-0.4), "EUR 0");
        assert_eq!(EN.eur(-1_234_567.0), "EUR -1,234,567");
        assert_eq!(EN.trim(0.0225 * 100.0), "2.25");
        assert_eq!(EN.trim(5797.0), "5797");
        assert_eq!(EN.eur_cents(56.727), "EUR 56.73");
        assert_eq!(EN.eur_cents(1_234.5), "EUR 1,234.50");
        assert_eq!(EN.eur_cents(40.0), "EUR 40");
        assert_eq!(EN.eur_cents(9.999), "EUR 10");
        assert_eq!(EN.eur_cents(-3.5), "EUR -3.50");
    }

    #[test]
    fn dutch_swaps_the_marks() {
        assert_eq!(NL.grouped(1_062.0, 0), "1.062");
        assert_eq!(NL.grouped(1_234_567.891, 1), "1.234.567,9");
        assert_eq!(NL.grouped(-0.04, 1), "0,0");
        assert_eq!(NL.grouped(-12.5, 1), "-12,5");
        assert_eq!(NL.grouped(999.0, 0), "999");
        assert_eq!(NL.eur(-1_234_567.0), "EUR -1.234.567");
        assert_eq!(NL.eur_cents(56.727), "EUR 56,73");
        assert_eq!(NL.eur_cents(1_234.5), "EUR 1.234,50");
        assert_eq!(NL.trim(0.0225 * 100.0), "2,25");
        assert_eq!(NL.trim(5797.0), "5797");
        assert_eq!(NL.plain("12.3"), "12,3");
    }
}
